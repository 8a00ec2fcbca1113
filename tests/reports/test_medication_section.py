"""The discharge reconciliation as printed (CLINICAL.md §7): each medicine to go on taking with
its dose, route, how often, the last dose given here (from the MAR), what the patient leaves with
and the next dose; those to stop in plain words; in the plan's and the letter's voice."""

from __future__ import annotations

from clinic_desktop.core import plan as rules
from clinic_desktop.reports.document import format_when, medication_section
from tests.core.test_reconciliation import BUP, LAST, a_plan, supply


def printed_plan() -> dict:
    bup = {**supply(BUP, 3, "2026-12-05T09:00"), "name": "Buprenorphine", "drug_id": "buprenorphine"}
    clonidine = {"order_id": 9, "name": "Clonidine", "decision": "stop"}
    ondansetron = {"order_id": 11, "name": "Ondansetron", "decision": "change", "dose": "4 mg", "route": "oral",
                   "frequency": "as needed", "leave": "prescription", "pharmacy": "Main Street Pharmacy",
                   "pharmacy_phone": "2175550142", "next": ""}
    plan = a_plan(bup, clonidine, ondansetron)
    plan["medication"]["choice"] = "buprenorphine"
    return rules.with_last_doses(plan, {7: LAST})


def test_the_plan_prints_each_medicine_to_take_with_its_last_dose_here_and_those_to_stop():
    section = medication_section("en", printed_plan())
    bup, ondansetron = section.entries
    assert bup.name == "Buprenorphine"
    assert [(line.label, line.value) for line in bup.lines] == [
        ("Dose", "8 mg"), ("How to take it", "Under the tongue"), ("How often", "08:00"),
        ("Last dose here", format_when("en", LAST, capitalize=True)), ("You leave with", "Medicine for 3 days"),
        ("Next dose or visit", "Saturday, December 5, 2026, 9:00\u202fAM")]
    assert ("Last dose here", "None given here") in [(line.label, line.value) for line in ondansetron.lines]
    assert ("You leave with", "A prescription to fill at Main Street Pharmacy, (217) 555-0142") in [
        (line.label, line.value) for line in ondansetron.lines]
    assert section.notes == ("Stop taking: Clonidine.",)
    spanish = medication_section("es", printed_plan())
    assert "Deje de tomar: Clonidine." in spanish.texts and "Medicina para 3 días" in spanish.texts
    assert spanish.entries[0].name == "Buprenorfina"  # a medicine for OUD in the plan's language
    assert "Última dosis aquí" in spanish.texts
    letter = medication_section("en", printed_plan(), "letter.")
    assert "Stopped at discharge: Clonidine." in letter.texts and "Last dose given here" in letter.texts
    assert "Sublingual" in letter.texts  # the provider reads the clinical word


def lines_of(language: str, voice: str = "", **row: object) -> dict[str, str]:
    plan = a_plan({**supply(BUP, 3, "2026-12-05T09:00"), "name": "Buprenorphine", "drug_id": "buprenorphine",
                   **row})
    return {line.label: line.value for line in medication_section(language, plan, voice).entries[0].lines}


def test_how_often_as_prefilled_from_the_order_prints_in_the_plans_language_with_its_times():
    once = rules.how_often(("09:00",))
    assert once == "Once a day (09:00)"  # what the reconciliation row is prefilled with
    assert lines_of("en", frequency=once)["How often"] == "Once a day (9:00\u202fAM)"
    assert lines_of("es", frequency=once)["Cada cuánto"] == "Una vez al día (9:00\u202fa.\u00a0m.)"
    three = rules.how_often(("08:00", "14:00", "20:00"))
    assert lines_of("es", frequency=three)["Cada cuánto"] == (
        "3 veces al día (8:00\u202fa.\u00a0m., 2:00\u202fp.\u00a0m., 8:00\u202fp.\u00a0m.)")
    assert lines_of("en", "letter.", frequency=three)["Frequency"] == "3 times daily (8:00\u202fAM, 2:00\u202fPM, 8:00\u202fPM)"
    prn = "As needed, at least 4 h apart"  # the MAR's wording of an as-needed order
    assert lines_of("es", frequency=prn)["Cada cuánto"] == "Solo cuando la necesite, con al menos 4 horas entre dosis"
    assert lines_of("es", route="oral")["Cómo tomarla"] == "Por la boca"


def test_how_often_typed_by_staff_prints_as_typed():
    for typed in ("once a day", "Once a day (9 am)", "2 times a day (08:00)", "Once a day (08:00, 20:00)",
                  "Once a day (25:00)", "every morning"):
        assert rules.schedule_in(typed) is None, typed
        assert lines_of("es", frequency=typed)["Cada cuánto"] == typed
    assert lines_of("es", route="under the tongue")["Cómo tomarla"] == "under the tongue"


def test_an_older_plan_without_reconciliation_still_prints():
    old = {"medication": {"choice": "buprenorphine", "prescriber": "Dr Example", "next": "2026-12-05T09:00",
                          "reason": ""}}
    section = medication_section("en", old)
    assert section.entries == () and section.notes == ()
    assert section.paragraphs == ("Buprenorphine",)


def test_the_letter_prints_the_list_only_when_the_consent_covers_medication(tmp_path):
    from tests.reports import test_letter as letter_test

    plan = {**letter_test.PLAN, "medication": {**letter_test.PLAN["medication"],
                                               **printed_plan()["medication"]}}
    shared = letter_test.build(plan=plan, shared=["medication", "follow_ups"])
    texts = " ".join(shared.texts)
    assert "Stopped at discharge: Clonidine." in texts and "Last dose given here" in texts
    assert "A prescription to fill at Main Street Pharmacy, (217) 555-0142" in texts
    pages = " ".join(letter_test.pdf_pages(letter_test.rl.render_letter_pdf(shared), tmp_path))
    assert "Stopped at discharge: Clonidine." in letter_test.squash(pages)
    not_shared = " ".join(letter_test.build(plan=plan, shared=["follow_ups"]).texts)
    assert "Clonidine" not in not_shared and "Main Street Pharmacy" not in not_shared


def test_the_chosen_medicine_reconciled_prints_once_with_its_prescriber_dose_and_supply():
    plan = printed_plan()
    plan["medication"].update(prescriber="Dr Example", next="2026-12-07T10:00")
    section = medication_section("en", plan)
    assert section.paragraphs == () and section.lines == ()  # not a second "Buprenorphine" block
    bup, _ = section.entries
    labels = [line.label for line in bup.lines]
    assert bup.name == "Buprenorphine" and labels[0] == "Who prescribes it" and labels.count("Next dose or visit") == 1
    assert ("Next dose or visit", "Saturday, December 5, 2026, 9:00\u202fAM") in [(x.label, x.value) for x in bup.lines]
    # A row without a next dose of its own takes the plan's next visit.
    plan["medication"]["reconciliation"][0]["next"] = ""
    bup = medication_section("en", plan).entries[0]
    assert bup.lines[-1].value == "Monday, December 7, 2026, 10:00\u202fAM"
    # Another medicine chosen than the one reconciled: both print, as before.
    plan["medication"]["choice"] = "naltrexone"
    other = medication_section("en", plan)
    assert other.paragraphs == ("Naltrexone",) and [e.name for e in other.entries] == ["Buprenorphine", "Ondansetron"]
