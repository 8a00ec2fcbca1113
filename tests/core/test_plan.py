"""The aftercare plan as data: prefill from the episode, what is needed to finalize it."""

from __future__ import annotations

import datetime as dt

from clinic_desktop.core import plan

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def intake(**uses: float) -> dict:
    """An intake draft with a last use ``hours`` ago per substance."""
    return {"substances": {"rows": [{"substance": sid, "last_use": (NOW - dt.timedelta(hours=h)).isoformat()}
                                    for sid, h in uses.items()], "naloxone_at_home": True}}


def complete(**changes) -> dict:
    p = plan.empty_plan()
    p.update({"medication": {"choice": "buprenorphine", "prescriber": "Dr Example (invented)", "next": "",
                             "reason": ""},
              "level": "outpatient", "key_worker": {"name": "Kim Example (invented)", "phone": "", "focus": []},
              "relapse": {**p["relapse"], "triggers": "Payday; old friends"},
              "follow_ups": [{"when": "2026-12-01T10:00", "place": "Clinic", "phone": ""}]})
    p.update(changes)
    return p


def test_prefill_takes_the_pathway_medicine_and_the_emergency_contact():
    p = plan.prefill(intake(heroin=30), "buprenorphine_induction",
                     emergency_contact={"name": "Casey (invented)", "relation": "sister", "phone": "555-0100"})
    assert p["medication"]["choice"] == "buprenorphine"
    assert p["people"] == [{"name": "Casey (invented)", "relation": "sister", "phone": "555-0100"}]
    assert p["overdose"] == {"naloxone_kit_given": False, "naloxone_at_home": True}
    assert plan.prefill({}, "symptomatic_taper")["medication"]["choice"] is None


def test_last_opioid_use_ignores_alcohol_and_stimulants():
    data = intake(heroin=100, alcohol=2, stimulants=1)
    when, substance = plan.last_opioid_use(data)
    assert substance == "heroin" and when == NOW - dt.timedelta(hours=100)
    assert plan.last_opioid_use(intake(alcohol=2)) == (None, None)


def test_a_complete_plan_can_be_finalized_and_each_gap_is_named():
    assert plan.missing_to_finalize(complete()) == {}
    gaps = plan.missing_to_finalize(plan.empty_plan())
    assert set(gaps) == {"medication.choice", "level", "key_worker.name", "relapse.triggers", "follow_ups"}
    referral = complete(referrals=[{"entry_id": 3, "reason": " ", "share": False}])
    assert set(plan.missing_to_finalize(referral)) == {"referrals.1.reason"}


def test_naltrexone_before_the_opioid_free_window_needs_a_reason():
    early = plan.naltrexone_prompt(intake(heroin=3 * 24), NOW)  # 3 of 7 days
    assert early.status != "meets"
    chosen = complete(medication={"choice": "naltrexone", "prescriber": "", "next": "", "reason": ""})
    assert "medication.reason" in plan.missing_to_finalize(chosen, early)
    assert "3.0 days" in plan.missing_to_finalize(chosen, early)["medication.reason"] or \
        early.basis in plan.missing_to_finalize(chosen, early)["medication.reason"]
    chosen["medication"]["reason"] = "Urine negative, naloxone challenge passed"
    assert plan.missing_to_finalize(chosen, early) == {}
    met = plan.naltrexone_prompt(intake(heroin=8 * 24), NOW)
    assert met.status == "meets"
    chosen["medication"]["reason"] = ""
    assert plan.missing_to_finalize(chosen, met) == {}
