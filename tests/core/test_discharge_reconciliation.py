"""The discharge medication reconciliation saved at Discharge… (plans.reconcile_at_discharge):
from any open stage, the plan created when the episode has none; only a prescriber or nurse;
audited without free text; a stale view refused; only the rows of active orders kept."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import plan as rules
from clinic_desktop.core.errors import ConflictError, PermissionDenied, ValidationError
from clinic_desktop.core.models import AftercarePlan
from clinic_desktop.core.services import audit, mar, plans
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake


@pytest.fixture
def stabilizing(db, admin):
    """A patient in stabilization, no plan yet, with an active buprenorphine order and a dose
    given now."""
    episode_id, patient = admit_with_signed_intake(db, admin, transition=False)
    prescriber, nurse = make_user(db, admin, "prescriber"), make_user(db, admin, "nurse")
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=8, unit="mg", route="sublingual", min_interval_hours=2))
    mar.record_administration(db, nurse, order.id, "given")
    return episode_id, patient, prescriber, nurse, order


def continued(row: dict, days: int = 3) -> dict:
    nxt = (dt.datetime.now() + dt.timedelta(days=days - 1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {**row, "decision": "continue", "leave": "supply", "supply_days": days,
            "next": nxt.isoformat(timespec="minutes")}


def stored_rows(db, episode_id) -> list[dict]:
    with db.read() as session:
        plan = session.query(AftercarePlan).filter_by(episode_id=episode_id).one()
        return list(plan.draft["medication"]["reconciliation"])


def test_a_nurse_reconciles_a_stabilization_patient_and_the_plan_is_created(db, admin, stabilizing):
    episode_id, _patient, _prescriber, nurse, order = stabilizing
    found = plans.discharge_reconciliation(db, nurse, episode_id)
    assert found.plan_id is None and found.version is None
    ((row,),) = (found.rows,)
    assert (row["order_id"], row["dose"], row["route"], row["decision"]) == (order.id, "8 mg", "sublingual", None)
    assert rules.ROW_KEY.format(order.id, "decision") in found.missing()

    other_order = {**row, "order_id": order.id + 100, "decision": "stop"}  # not an active order
    saved = plans.reconcile_at_discharge(db, nurse, episode_id,
                                         [{**continued(row), "note": "typed"}, other_order], None)
    (kept,) = stored_rows(db, episode_id)
    assert (kept["order_id"], kept["decision"], kept["supply_days"]) == (order.id, "continue", 3)
    assert "note" not in kept  # only the row's own fields
    again = plans.discharge_reconciliation(db, nurse, episode_id)
    assert again.plan_id is not None and again.version == saved.version and again.missing() == {}
    events = [e for e in audit.recent(db, admin) if e.entity_type == "plan"]
    reconciled = next(e for e in events if e.action == "plan.reconciled")
    assert reconciled.detail == {"episode_id": episode_id, "at": "discharge", "stage": "stabilization",
                                 "decisions": {str(order.id): "continue"}, "complete": True}
    assert any(e.action == "plan.created" for e in events)
    # the rest of the plan is as prefilled from the intake (the pathway's medicine)
    with db.read() as session:
        draft = session.query(AftercarePlan).filter_by(episode_id=episode_id).one().draft
    assert draft["medication"]["choice"] == "buprenorphine" and draft["level"] is None


def test_an_incomplete_reconciliation_is_saved_and_audited_as_incomplete(db, admin, stabilizing):
    episode_id, _patient, prescriber, _nurse, order = stabilizing
    (row,) = plans.discharge_reconciliation(db, prescriber, episode_id).rows
    plans.reconcile_at_discharge(db, prescriber, episode_id, [{**row, "decision": "continue"}], None)
    event = next(e for e in audit.recent(db, admin) if e.action == "plan.reconciled")
    assert event.detail["complete"] is False and event.detail["decisions"] == {str(order.id): "continue"}


@pytest.mark.parametrize("role", ["counselor", "viewer", "admin"])
def test_only_a_prescriber_or_nurse_saves_it(db, admin, stabilizing, role):
    episode_id, *_rest = stabilizing
    user = admin if role == "admin" else make_user(db, admin, role)
    with pytest.raises(PermissionDenied):
        plans.reconcile_at_discharge(db, user, episode_id, [], None)


def test_whoever_discharges_reads_it_and_a_viewer_does_not(db, admin, stabilizing):
    episode_id, *_rest = stabilizing
    counselor = make_user(db, admin, "counselor")
    assert len(plans.discharge_reconciliation(db, counselor, episode_id).orders) == 1
    with pytest.raises(PermissionDenied):
        plans.discharge_reconciliation(db, make_user(db, admin, "viewer"), episode_id)


def test_a_stale_view_is_refused(db, admin, stabilizing):
    episode_id, _patient, prescriber, nurse, _order = stabilizing
    (row,) = plans.discharge_reconciliation(db, nurse, episode_id).rows
    first = plans.reconcile_at_discharge(db, prescriber, episode_id, [continued(row)], None)
    with pytest.raises(ConflictError):  # read before the plan existed
        plans.reconcile_at_discharge(db, nurse, episode_id, [{**row, "decision": "stop"}], None)
    with pytest.raises(ConflictError):  # an older version
        plans.reconcile_at_discharge(db, nurse, episode_id, [{**row, "decision": "stop"}], first.version - 1)
    assert stored_rows(db, episode_id)[0]["decision"] == "continue"
    plans.reconcile_at_discharge(db, nurse, episode_id, [{**row, "decision": "stop"}], first.version)
    assert stored_rows(db, episode_id)[0]["decision"] == "stop"


def test_an_unknown_decision_and_a_discharged_episode_are_refused(db, admin, stabilizing):
    episode_id, _patient, _prescriber, nurse, _order = stabilizing
    (row,) = plans.discharge_reconciliation(db, nurse, episode_id).rows
    with pytest.raises(ValidationError):
        plans.reconcile_at_discharge(db, nurse, episode_id, [{**row, "decision": "maybe"}], None)
    with db.read() as session:  # refused whole: no plan was created either
        assert session.query(AftercarePlan).filter_by(episode_id=episode_id).count() == 0
    plans.discharge(db, nurse, episode_id, "", kind="against_medical_advice")
    with pytest.raises(ValidationError):
        plans.reconcile_at_discharge(db, nurse, episode_id, [continued(row)], None)
    with pytest.raises(ValidationError):
        plans.discharge_reconciliation(db, nurse, episode_id)


def test_the_rows_missing_follow_the_plans_rules():
    order = rules.ActiveOrder(order_id=7, drug_id="buprenorphine", name="Buprenorphine", dose="8 mg",
                              route="sublingual", frequency="daily")
    row = {"order_id": 7, "decision": "stop"}
    assert rules.reconciliation_missing([row], [order], None) == {}
    missing = rules.reconciliation_missing([{**row, "decision": "continue", "dose": "8 mg", "route": "sl",
                                             "frequency": "daily"}], [order], None)
    assert list(missing) == [rules.ROW_KEY.format(7, "leave")]
    assert list(rules.reconciliation_missing([], [order], None)) == [rules.ROW_KEY.format(7, "decision")]
