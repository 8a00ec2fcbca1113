"""Discharge medication reconciliation through the plan service: the active orders come from
the MAR with the last dose given here; finalizing is refused until each is reconciled; only a
prescriber or nurse changes the reconciliation (a nurse nothing else); the printed last dose is
read from the MAR when the plan prints (a later or back-dated dose changes it, a struck one not)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import plan as rules
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import mar, plans, stabilization
from clinic_desktop.reports.document import format_when
from tests.conftest import STRONG_PASSWORD, make_user
from tests.core.test_naltrexone_window import D, H, admitted, utcnow
from tests.factories import complete_plan, local_entry


@pytest.fixture
def team(db, admin):
    return (make_user(db, admin, "nurse"), make_user(db, admin, "prescriber"),
            make_user(db, admin, "counselor"))


def when(at: dt.datetime) -> str:
    return format_when("en", at, capitalize=True)


def last_dose_printed(db, user, plan_id) -> str:
    (entry,) = plans.document(db, user, plan_id).section("medication").entries
    return {line.label: line.value for line in entry.lines}["Last dose here"]


def test_reconciliation_through_the_service(db, admin, team):
    nurse, prescriber, counselor = team
    episode_id = admitted(db, nurse, {"heroin": 9 * D})
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=8, unit="mg", route="sublingual", min_interval_hours=2, start=utcnow() - 5 * D))
    first = mar.record_administration(db, nurse, order.id, "given", at=utcnow() - 2 * D,
                                      reason="charted from the paper MAR")
    stabilization.move_to_transition(db, nurse, episode_id)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    (active,) = view.orders
    assert (active.order_id, active.name, active.dose, active.route, active.frequency) == (
        order.id, "Buprenorphine", "8 mg", "sublingual", "As needed, at least 2 h apart")
    assert active.last_dose == first.at and active.moud
    decision = rules.ROW_KEY.format(order.id, "decision")
    assert decision in view.missing

    draft = complete_plan(view.draft, entry.id)
    row = {**rules.reconciliation_rows(draft, view.orders)[0], "decision": "continue", "leave": "supply",
           "supply_days": 7, "next": (dt.date.today() + 3 * D).isoformat() + "T09:00"}
    draft["medication"]["reconciliation"] = [row]
    # A counselor's draft keeps the reconciliation as it was: only a prescriber or nurse changes it.
    saved = plans.save_draft(db, counselor, view.id, view.version, draft)
    with pytest.raises(ValidationError) as refused:
        plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert decision in refused.value.fields
    # The nurse reconciles; her draft changes nothing else (the level she sends is ignored).
    saved = plans.save_draft(db, nurse, view.id, saved.version, {**draft, "level": "residential"})
    stored = plans.open_plan(db, counselor, episode_id)
    assert stored.draft["level"] == "intensive_outpatient"
    assert stored.draft["medication"]["reconciliation"][0]["decision"] == "continue"
    assert stored.missing == {}

    # The printed last dose is the MAR's, read when the plan prints.
    assert last_dose_printed(db, counselor, view.id) == when(first.at)
    later = mar.record_administration(db, nurse, order.id, "given", at=utcnow() - 1 * D,
                                      reason="charted from the paper MAR")
    assert last_dose_printed(db, counselor, view.id) == when(later.at)
    # A dose charted late (back-dated) counts at the time it was given: earlier changes nothing...
    mar.record_administration(db, nurse, order.id, "given", at=utcnow() - 36 * H,
                              reason="charted late")
    assert last_dose_printed(db, counselor, view.id) == when(later.at)
    # ...a later one is the last dose; struck (entered in error), it no longer is.
    newest = mar.record_administration(db, nurse, order.id, "given", at=utcnow() - 3 * H,
                                       reason="charted late")
    assert newest.back_dated
    assert last_dose_printed(db, counselor, view.id) == when(newest.at)
    mar.strike_administration(db, nurse, newest.id, "entered in error")
    assert last_dose_printed(db, counselor, view.id) == when(later.at)

    plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert plans.versions(db, counselor, view.id)[0].data["medication"]["reconciliation"][0]["decision"] == "continue"
