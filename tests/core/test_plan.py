"""The aftercare plan as data: prefill from the episode, what is needed to finalize it."""

from __future__ import annotations

import datetime as dt

from clinic_desktop.core import plan

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def intake(**uses: float) -> dict:
    """An intake draft with a last use ``hours`` ago per substance."""
    return {"substances": {"rows": [{"substance": sid, "last_use": (NOW - dt.timedelta(hours=h)).isoformat()}
                                    for sid, h in uses.items()], "naloxone_at_home": True}}


def complete(**changes) -> dict:
    p = plan.empty_plan()
    p.update({"medication": {"choice": "buprenorphine", "prescriber": "Dr Example (invented)", "next": "",
                             "reason": "", "moud": {"answer": "accepted", "reason": ""}},
              "level": "outpatient", "key_worker": {"name": "Kim Example (invented)", "phone": "", "focus": []},
              "relapse": {**p["relapse"], "triggers": "Payday; old friends"},
              "overdose": {**p["overdose"], "naloxone_kit_given": True},
              "follow_ups": [{"when": "2026-12-01T10:00", "place": "Clinic", "phone": ""}]})
    p.update(changes)
    return p


def test_prefill_takes_the_pathway_medicine_and_the_emergency_contact():
    p = plan.prefill(intake(heroin=30), "buprenorphine_induction",
                     emergency_contact={"name": "Casey (invented)", "relation": "sister", "phone": "555-0100"})
    assert p["medication"]["choice"] == "buprenorphine"
    assert p["people"] == [{"name": "Casey (invented)", "relation": "sister", "phone": "555-0100"}]
    assert p["overdose"] == {"naloxone_kit_given": None, "naloxone_reason": "", "naloxone_shown_patient": False,
                             "naloxone_shown_person": "", "naloxone_at_home": True}
    assert plan.prefill({}, "symptomatic_taper")["medication"]["choice"] is None


def test_opioid_exposures_ignore_alcohol_and_stimulants():
    data = intake(heroin=100, alcohol=2, stimulants=1)
    assert plan.opioid_exposures(data) == [(NOW - dt.timedelta(hours=100), "heroin", "use recorded at intake")]
    assert plan.opioid_exposures(intake(alcohol=2)) == []


def test_a_complete_plan_can_be_finalized_and_each_gap_is_named():
    assert plan.missing_to_finalize(complete()) == {}
    gaps = plan.missing_to_finalize(plan.empty_plan())
    assert set(gaps) == {"medication.choice", "medication.moud", "level", "key_worker.name", "relapse.triggers",
                         "overdose.naloxone_kit_given", "follow_ups"}
    referral = complete(referrals=[{"entry_id": 3, "reason": " ", "share": False}])
    assert set(plan.missing_to_finalize(referral)) == {"referrals.1.reason"}


def test_the_sections_are_declared_once_and_cover_the_plan():
    """core.plan.SECTIONS is the one list: every key of a plan belongs to exactly one section,
    every gap finalizing names leads to a section marked as checkable, and the printed order is
    the crisis lines and the overdose box, then the sections' parts (the overdose part not
    again; "who to call" after the medication), then the signatures."""
    parts = [part for s in plan.SECTIONS for part in s.parts]
    assert len(parts) == len(set(parts)) and len({s.name for s in plan.SECTIONS}) == len(plan.SECTIONS)
    assert set(plan.empty_plan()) == set(parts) - {"paws"}
    assert plan.PRINT_ORDER == ("crisis", "overdose", "medication", "who_to_call", "level", "therapies",
                                "referrals", "people", "key_worker", "meetings", "relapse", "my_day", "safety_plan",
                                "paws", "follow_ups", "signatures")
    assert [s.label for s in plan.SECTIONS] == [
        "Medication", "Level and therapies", "Referrals", "Support", "Relapse prevention", "Safety plan",
        "Naloxone, overdose and PAWS", "Follow-ups"]
    early = plan.naltrexone_prompt(intake(heroin=24), NOW)
    gaps = {**plan.missing_to_finalize(plan.empty_plan(), safety_alert=True),
            **plan.missing_to_finalize(complete(
                medication={"choice": "naltrexone", "reason": ""},
                referrals=[{"entry_id": 3, "reason": ""}], overdose={"naloxone_kit_given": False}), early)}
    checked = {s.name for s in plan.SECTIONS if s.checked}
    assert {plan.SECTION_OF[key.split(".")[0]] for key in gaps} == checked


def test_naltrexone_before_the_opioid_free_window_needs_a_reason():
    early = plan.naltrexone_prompt(intake(heroin=3 * 24), NOW)  # 3 of 7 days
    assert early.status != "meets"
    chosen = complete(medication={"choice": "naltrexone", "prescriber": "", "next": "", "reason": "",
                                  "moud": {"answer": "accepted", "reason": ""}})
    assert "medication.reason" in plan.missing_to_finalize(chosen, early)
    assert "3.0 days" in plan.missing_to_finalize(chosen, early)["medication.reason"] or \
        early.basis in plan.missing_to_finalize(chosen, early)["medication.reason"]
    chosen["medication"]["reason"] = "Urine negative, naloxone challenge passed"
    assert plan.missing_to_finalize(chosen, early) == {}
    met = plan.naltrexone_prompt(intake(heroin=8 * 24), NOW)
    assert met.status == "meets"
    chosen["medication"]["reason"] = ""
    assert plan.missing_to_finalize(chosen, met) == {}


# --- the naltrexone window: the most restrictive of every opioid exposure (CLINICAL.md §6) -------

DAY_H = 24


def test_naltrexone_counts_from_the_most_restrictive_use_not_the_latest():
    # Heroin 8 days ago meets its 7 days, but methadone 10 days ago has 4 of its 14 days to go.
    prompt = plan.naltrexone_prompt(intake(heroin=8 * DAY_H, methadone=10 * DAY_H), NOW)
    assert prompt.status == "not_yet"
    assert prompt.basis.startswith("10 days since methadone")
    assert "use recorded at intake: the most restrictive of 2 opioid exposures" in prompt.basis
    assert "naltrexone_opioid_free_days_long" not in prompt.text and "14 opioid-free days" in prompt.text
    assert "2026-11-27" in prompt.text  # the earliest start: methadone + 14 days
    # Heroin 2 days ago and methadone 10 days ago: heroin's window (5 days to go) ends after
    # methadone's (4 days to go), so the 7-day rule from heroin decides.
    both = plan.naltrexone_prompt(intake(heroin=2 * DAY_H, methadone=10 * DAY_H), NOW)
    assert both.status == "not_yet" and both.basis.startswith("2 days since heroin")
    assert "2026-11-28" in both.text
    # Only when every window has passed does it meet.
    assert plan.naltrexone_prompt(intake(heroin=8 * DAY_H, methadone=14 * DAY_H), NOW).status == "meets"


def test_buprenorphine_given_here_counts_from_its_last_dose_not_the_heroin():
    doses = [(NOW - dt.timedelta(days=d), "buprenorphine") for d in (5, 4, 3)]
    alone = plan.naltrexone_prompt(intake(heroin=9 * DAY_H), NOW)
    assert alone.status == "meets"
    prompt = plan.naltrexone_prompt(intake(heroin=9 * DAY_H), NOW, mar_doses=doses)
    assert prompt.status == "not_yet"
    assert prompt.basis.startswith("3 days since buprenorphine")
    assert "dose given here: the most restrictive of 4 opioid exposures" in prompt.basis
    assert "2026-12-04" in prompt.text  # the last dose (Nov 20) + 14 days
    # Doses of other drugs are not opioid exposure.
    assert plan.naltrexone_prompt(intake(heroin=9 * DAY_H), NOW,
                                  mar_doses=[(NOW - dt.timedelta(hours=2), "lofexidine")]).status == "meets"
    # MAR doses alone count, with no intake at all.
    assert plan.naltrexone_prompt({}, NOW, mar_doses=doses).status == "not_yet"
    exposures = plan.opioid_exposures(intake(heroin=9 * DAY_H), doses)
    assert [(sid, where) for _, sid, where in exposures] == [
        ("heroin", "use recorded at intake"), *[("buprenorphine", "dose given here")] * 3]


def test_an_opioid_without_a_time_decides_first():
    data = {"substances": {"rows": [{"substance": "methadone"}, {"substance": "heroin",
                                     "last_use": (NOW - dt.timedelta(days=30)).isoformat()}]}}
    prompt = plan.naltrexone_prompt(data, NOW)
    assert prompt.status == "not_yet" and "not recorded" in prompt.basis
