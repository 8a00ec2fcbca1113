"""The naltrexone window through the services (CLINICAL.md §6): counted from the most
restrictive of every opioid use at intake and every methadone or buprenorphine dose given on the
MAR — struck doses left out — the same in the MAR service and in the plan's finalize rule."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import intake, mar, patients, plans, stabilization
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import complete_draft, complete_plan, local_entry

D = dt.timedelta(days=1)
H = dt.timedelta(hours=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def team(db, admin):
    return (make_user(db, admin, "nurse"), make_user(db, admin, "prescriber"),
            make_user(db, admin, "counselor"))


def admitted(db, nurse, uses: dict[str, dt.timedelta], *, days_ago: int = 6) -> int:
    """A patient admitted ``days_ago`` with a signed intake recording each opioid's last use."""
    now = utcnow()
    patient = patients.register(db, nurse, patients.PatientInput(
        mrn=f"N-{int(now.timestamp() * 1e6)}", given_name="Ari", family_name="Window",
        date_of_birth=dt.date(1985, 1, 2), sex="unknown"))
    a = intake.start(db, nurse, patient.id, admitted_at=now - days_ago * D)
    rows = [{"substance": sid, "route": "smoked", "last_use": (now - ago).isoformat()} for sid, ago in uses.items()]
    saved = intake.save_draft(db, nurse, a.id, a.version, complete_draft(substances={"rows": rows}))
    intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction",
                confirm_old_last_use=True)
    return a.episode_id


def bup_doses(db, nurse, prescriber, episode_id, days_ago) -> list[mar.AdministrationView]:
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=4, unit="mg", route="sublingual", min_interval_hours=2,
        start=utcnow() - 5 * D))
    return [mar.record_administration(db, nurse, order.id, "given", at=utcnow() - ago * D,
                                      reason="buprenorphine-assisted withdrawal, charted from the paper MAR")
            for ago in days_ago]


def test_the_mar_service_counts_buprenorphine_given_here_and_not_struck_doses(db, team):
    nurse, prescriber, _ = team
    episode_id = admitted(db, nurse, {"heroin": 9 * D})
    assert mar.naltrexone_prompt(db, nurse, episode_id, utcnow()).status == "meets"
    doses = bup_doses(db, nurse, prescriber, episode_id, (4, 3, 2))
    prompt = mar.naltrexone_prompt(db, nurse, episode_id, utcnow())
    assert prompt.status == "not_yet"
    assert prompt.basis.startswith("2 days since buprenorphine")
    assert "dose given here: the most restrictive of 4 opioid exposures" in prompt.basis
    # Striking the last dose (entered in error) moves the window back to the dose before it.
    mar.strike_administration(db, nurse, doses[-1].id, "entered in error")
    prompt = mar.naltrexone_prompt(db, nurse, episode_id, utcnow())
    assert prompt.basis.startswith("3 days since buprenorphine")
    assert "the most restrictive of 3 opioid exposures" in prompt.basis
    for dose in doses[:-1]:
        mar.strike_administration(db, nurse, dose.id, "entered in error")
    assert mar.naltrexone_prompt(db, nurse, episode_id, utcnow()).status == "meets"


def test_the_most_restrictive_intake_use_decides_through_the_service(db, team):
    nurse, _, _ = team
    episode_id = admitted(db, nurse, {"heroin": 8 * D, "methadone": 10 * D})
    prompt = mar.naltrexone_prompt(db, nurse, episode_id, utcnow())
    assert prompt.status == "not_yet" and prompt.basis.startswith("10 days since methadone")


def test_a_naltrexone_order_inside_the_window_needs_the_prescribers_reason(db, team):
    nurse, prescriber, _ = team
    episode_id = admitted(db, nurse, {"heroin": 9 * D})
    bup_doses(db, nurse, prescriber, episode_id, (2,))
    spec = mar.OrderInput(drug_id="naltrexone", dose=50, unit="mg", route="oral", times=("09:00",))
    findings = mar.check_new_order(db, prescriber, episode_id, spec)
    window = [f for f in findings if f.rule == "naltrexone.window"]
    assert window and window[0].source == "label" and "2 days since buprenorphine" in window[0].text
    with pytest.raises(ValidationError) as caught:
        mar.create_order(db, prescriber, episode_id, spec)
    assert "opioid-free window is not met" in caught.value.fields["acknowledgement"]


def test_the_plans_finalize_rule_follows_the_mar(db, admin, team):
    nurse, prescriber, counselor = team
    episode_id = admitted(db, nurse, {"heroin": 9 * D})
    bup_doses(db, nurse, prescriber, episode_id, (3, 2))
    stabilization.move_to_transition(db, nurse, episode_id)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    # The intake alone (heroin 9 days ago) meets the window; the buprenorphine given here does not.
    assert view.naltrexone.status == "not_yet"
    assert view.naltrexone.basis.startswith("2 days since buprenorphine")
    draft = complete_plan(view.draft, entry.id)
    draft["medication"] = {**draft["medication"], "choice": "naltrexone"}
    # The prescriber stops the buprenorphine order at discharge (reconciliation).
    draft["medication"]["reconciliation"] = [{"order_id": o.order_id, "decision": "stop"} for o in view.orders]
    saved = plans.save_draft(db, prescriber, view.id, view.version, draft)
    with pytest.raises(ValidationError) as info:
        plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert set(info.value.fields) == {"medication.reason"}
    assert "buprenorphine" in info.value.fields["medication.reason"]
    draft["medication"]["reason"] = "Naloxone challenge negative; patient chose naltrexone"
    saved = plans.save_draft(db, counselor, view.id, saved.version, draft)
    plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert len(plans.versions(db, counselor, view.id)) == 1
