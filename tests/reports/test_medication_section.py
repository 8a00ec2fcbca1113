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
        ("Dose", "8 mg"), ("How to take it", "sublingual"), ("How often", "08:00"),
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
