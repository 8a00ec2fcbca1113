"""The required fields are data (the screens mark them from it) and the refusals to sign an intake
or finalize a plan come from the same declaration: each field it names, left empty, is refused,
and nothing else is refused for being empty."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, medications, plan
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import mar, patients, stabilization
from tests.factories import NOW, complete_draft

# --- the intake -----------------------------------------------------------------------------------

ALWAYS = ("identity.consent_to_treatment", "substances.rows", "medical.pregnancy", "medical.allergies",
          "vitals.pulse", "vitals.systolic", "vitals.diastolic", "vitals.respiratory_rate",
          "vitals.temperature_c", "vitals.spo2", "scores.cows", "mental_health.phq9", "mental_health.gad7",
          "mental_health.asq", "summary.pathway")


def refused(data: dict, pathway: str | None = "methadone") -> set[str]:
    return {m.key for m in rules.missing_to_sign(data, pathway, NOW)}


def test_the_intake_requires_the_declared_fields_and_an_empty_draft_is_refused_for_each():
    assert rules.REQUIRED == ALWAYS
    assert rules.required_fields({}) == ALWAYS
    assert refused({}, None) == set(ALWAYS)
    assert refused(complete_draft()) == set()


def blank(data: dict, key: str) -> dict:
    """``data`` with the field of ``key`` emptied."""
    data = copy.deepcopy(data)
    section, field = key.split(".", 1)
    data.setdefault(section, {})[field] = [] if field == "rows" else None
    return data


@pytest.mark.parametrize("key", [k for k in ALWAYS if k != "summary.pathway"])
def test_each_required_intake_field_left_empty_is_refused_alone(key):
    assert refused(blank(complete_draft(), key)) == {key}


def test_the_pathway_is_required_whether_given_or_from_the_draft():
    data = complete_draft()
    assert refused(data, None) == {"summary.pathway"}
    assert refused(data | {"summary": {"pathway": "methadone"}}, rules._FROM_DRAFT) == set()  # type: ignore[arg-type]


def test_each_substance_row_with_a_substance_needs_its_last_use():
    data = complete_draft()
    assert rules.required_fields(data) == (*ALWAYS[:2], "substances.rows.1.last_use", *ALWAYS[2:])
    two = complete_draft(substances={"rows": [
        {"substance": "heroin", "last_use": (NOW - dt.timedelta(hours=16)).isoformat()},
        {"substance": "", "route": "smoked"},  # no substance: not kept, nothing required of it
        {"substance": "fentanyl", "last_use": None}]})
    assert [k for k in rules.required_fields(two) if k.startswith("substances.rows.")] == [
        "substances.rows.1.last_use", "substances.rows.2.last_use"]
    assert refused(two) == {"substances.rows.2.last_use"}
    # a wrong value is still refused, though it is not an empty one
    future = complete_draft(substances={"rows": [{"substance": "heroin",
                                                  "last_use": (NOW + dt.timedelta(minutes=1)).isoformat()}]})
    assert refused(future) == {"substances.rows.1.last_use"}


# --- the plan -------------------------------------------------------------------------------------

def complete_plan(**changes) -> dict:
    p = plan.empty_plan()
    p.update({"medication": {"choice": "naltrexone", "prescriber": "", "next": "", "reason": "",
                             "moud": {"answer": "accepted", "reason": ""}},
              "level": "outpatient", "key_worker": {"name": "Kim Example (invented)", "phone": "", "focus": []},
              "relapse": {**p["relapse"], "coping": "Call my sister"},
              "overdose": {**p["overdose"], "naloxone_kit_given": True},
              "follow_ups": [{"when": "2026-12-01T10:00", "place": "Clinic", "phone": ""}]})
    p.update(changes)
    return p


def uses(hours: float) -> dict:
    return {"substances": {"rows": [{"substance": "heroin",
                                     "last_use": (NOW - dt.timedelta(hours=hours)).isoformat()}]}}


def test_an_empty_plan_requires_the_declared_fields_and_is_refused_for_each():
    empty = plan.empty_plan()
    assert plan.required_fields(empty) == ("medication.choice", "medication.moud", "level", "key_worker.name",
                                           "relapse.triggers", "overdose.naloxone_kit_given", "follow_ups")
    assert tuple(plan.missing_to_finalize(empty)) == plan.required_fields(empty)
    assert set(plan.REQUIRED) <= set(plan.required_fields(complete_plan()))
    assert plan.missing_to_finalize(complete_plan()) == {}


def test_the_naltrexone_reason_is_required_only_before_the_window_is_met():
    at_window = plan.naltrexone_prompt(uses(7 * 24), NOW)  # the default: 7 days
    just_before = plan.naltrexone_prompt(uses(7 * 24 - 1), NOW)
    assert at_window.status == "meets" and just_before.status != "meets"
    chosen = complete_plan()
    assert "medication.reason" not in plan.required_fields(chosen, at_window)
    assert "medication.reason" not in plan.required_fields(chosen, plan.naltrexone_prompt(uses(7 * 24 + 1), NOW))
    assert plan.required_fields(chosen, just_before)[:2] == ("medication.choice", "medication.reason")
    assert set(plan.missing_to_finalize(chosen, just_before)) == {"medication.reason"}
    assert "medication.reason" not in plan.required_fields(chosen)  # no prompt weighed: nothing asked
    other = complete_plan(medication={"choice": "buprenorphine", "reason": ""})
    assert "medication.reason" not in plan.required_fields(other, just_before)
    chosen["medication"]["reason"] = "Naloxone challenge passed"
    assert "medication.reason" in plan.required_fields(chosen, just_before)  # still required, now filled
    assert plan.missing_to_finalize(chosen, just_before) == {}


def test_each_referral_requires_its_reason():
    referrals = [{"entry_id": 3, "reason": "Housing"}, {"entry_id": 4, "reason": "  "}]
    p = complete_plan(referrals=referrals)
    assert [k for k in plan.required_fields(p) if k.startswith("referrals.")] == [
        "referrals.1.reason", "referrals.2.reason"]
    assert set(plan.missing_to_finalize(p)) == {"referrals.2.reason"}


def test_the_relapse_plan_requires_one_part_any_part():
    empty = complete_plan(relapse=dict.fromkeys(plan.RELAPSE_FIELDS, ""))
    assert plan.RELAPSE_KEY in plan.required_fields(empty)
    assert set(plan.missing_to_finalize(empty)) == {plan.RELAPSE_KEY}
    spaces = complete_plan(relapse=dict.fromkeys(plan.RELAPSE_FIELDS, " "))
    assert set(plan.missing_to_finalize(spaces)) == {plan.RELAPSE_KEY}
    for field in plan.RELAPSE_FIELDS:
        one = complete_plan(relapse={**dict.fromkeys(plan.RELAPSE_FIELDS, ""), field: "x"})
        assert plan.RELAPSE_KEY not in plan.required_fields(one) and plan.missing_to_finalize(one) == {}


@pytest.mark.parametrize("key", list(plan.REQUIRED))
def test_each_always_required_plan_field_left_empty_is_refused_alone(key):
    p = complete_plan(medication={"choice": "buprenorphine", "moud": {"answer": "accepted", "reason": ""}})
    if key == "follow_ups":
        p["follow_ups"] = []
    elif key == "level":
        p["level"] = None
    else:
        part, field = key.split(".")
        p[part] = {**p[part], field: "" if field == "name" else None}
    assert set(plan.missing_to_finalize(p)) == {key}
    assert plan.missing_to_finalize(p)[key] == plan.REQUIRED[key]


# --- registration -------------------------------------------------------------------------------

def registration(**changes) -> patients.PatientInput:
    values = {"mrn": "R-7", "given_name": "Ada", "family_name": "Example", "date_of_birth": dt.date(1980, 1, 2),
              "sex": "female"} | changes
    return patients.PatientInput(**values)


def refused_registration(data: patients.PatientInput) -> set[str]:
    with pytest.raises(ValidationError) as refusal:
        patients.validate(data, today=dt.date(2026, 11, 23))
    return set(refusal.value.fields)


def test_registration_requires_the_declared_fields_and_the_contact_name_with_its_phone():
    assert patients.required_fields(registration()) == ("mrn", "given_name", "family_name", "date_of_birth",
                                                        "sex")
    patients.validate(registration(), today=dt.date(2026, 11, 23))  # complete: accepted
    empty = registration(mrn=" ", given_name="", family_name="", date_of_birth=None, sex="")
    assert refused_registration(empty) == set(patients.REQUIRED)
    with_phone = registration(emergency_contact_phone="217-555-0142")
    assert patients.required_fields(with_phone)[-1] == "emergency_contact_name"
    assert refused_registration(with_phone) == {"emergency_contact_name"}
    assert "emergency_contact_name" not in patients.required_fields(registration(emergency_contact_phone=" "))
    patients.validate(registration(emergency_contact_name="Lee", emergency_contact_phone="217-555-0142"),
                      today=dt.date(2026, 11, 23))


@pytest.mark.parametrize("field", ["mrn", "given_name", "family_name", "date_of_birth", "sex"])
def test_each_required_registration_field_left_empty_is_refused_alone(field):
    assert refused_registration(registration(**{field: None if field == "date_of_birth" else ""})) == {field}


# --- medication orders and doses ----------------------------------------------------------------

def test_an_order_requires_its_schedule_and_an_other_drug_its_name():
    listed = mar.OrderInput(drug_id="clonidine", times=("08:00",))
    assert mar.order_required_fields(listed) == ("drug_id", "dose", "unit", "route", "times")
    prn = mar.OrderInput(drug_id=medications.OTHER_DRUG_ID, min_interval_hours=0)
    assert mar.order_required_fields(prn) == ("drug_id", "drug_name", "dose", "unit", "route",
                                              "min_interval_hours")
    assert set(mar.order_required_fields(listed)) | {"drug_name", "min_interval_hours"} == \
        set(mar.ORDER_REQUIRED) | set(mar.ORDER_REQUIRED_IF)


def test_a_dose_requires_a_reason_when_held_or_recorded_more_than_an_hour_late():
    late = NOW - clock.BACKDATE_AFTER
    assert mar.administration_required_fields("held", None, NOW) == ("reason",)
    assert mar.administration_required_fields("given", None, NOW) == ()
    assert mar.administration_required_fields("given", late - dt.timedelta(seconds=1), NOW) == ("reason",)
    assert mar.administration_required_fields("given", late, NOW) == ()
    assert mar.administration_required_fields("refused", late + dt.timedelta(seconds=1), NOW) == ()


def test_a_flowsheet_entry_requires_a_reason_when_it_corrects_or_is_more_than_an_hour_late():
    late = NOW - clock.BACKDATE_AFTER
    assert stabilization.entry_required_fields(None, NOW) == ()
    assert stabilization.entry_required_fields(late, NOW) == ()
    assert stabilization.entry_required_fields(late - dt.timedelta(seconds=1), NOW) == ("reason",)
    assert stabilization.entry_required_fields(late + dt.timedelta(seconds=1), NOW) == ()
    assert stabilization.entry_required_fields(NOW, NOW, correcting=True) == ("reason",)


def test_naloxone_must_be_answered_and_a_no_needs_its_reason():
    unanswered = complete_plan(overdose={"naloxone_kit_given": None})
    assert plan.missing_to_finalize(unanswered) == {
        "overdose.naloxone_kit_given": "Say whether a naloxone kit was given."}
    no_reason = complete_plan(overdose={"naloxone_kit_given": False, "naloxone_reason": "  "})
    assert "overdose.naloxone_reason" in plan.required_fields(no_reason)
    assert plan.missing_to_finalize(no_reason) == {
        "overdose.naloxone_reason": "No naloxone kit given: record why not."}
    with_reason = complete_plan(overdose={"naloxone_kit_given": False, "naloxone_reason": "Has two kits at home"})
    assert plan.missing_to_finalize(with_reason) == {}
    given = complete_plan(overdose={"naloxone_kit_given": True, "naloxone_reason": ""})
    assert "overdose.naloxone_reason" not in plan.required_fields(given)
    assert plan.missing_to_finalize(given) == {}
    assert plan.SECTION_OF["overdose"] == "overdose"


def test_page_one_prints_the_crisis_lines_then_the_overdose_box_then_the_medication():
    order = plan.PRINT_ORDER
    assert order[:4] == ("crisis", "overdose", "medication", "who_to_call")
    assert order.count("overdose") == 1 and "paws" in order and order[-1] == "signatures"
