"""The discharge reconciliation as printed (CLINICAL.md §7): each medicine to go on taking with
its dose, route, how often, the last dose given here (from the MAR), what the patient leaves with
and the next dose; those to stop in plain words; in the plan's and the letter's voice."""

from __future__ import annotations

from clinic_desktop.core import plan as rules
from clinic_desktop.reports.document import format_datetime, medication_section
from tests.core.test_reconciliation import BUP, LAST, a_plan, supply


def printed_plan() -> dict:
    bup = {**supply(BUP, 3, "2026-12-05T09:00"), "name": "Buprenorphine"}
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
        ("Last dose here", format_datetime("en", LAST)), ("You leave with", "Medicine for 3 days"),
        ("Next dose or visit", "Saturday 5 December 2026, 09:00")]
    assert ("Last dose here", "None given here") in [(line.label, line.value) for line in ondansetron.lines]
    assert ("You leave with", "A prescription to fill at Main Street Pharmacy, (217) 555-0142") in [
        (line.label, line.value) for line in ondansetron.lines]
    assert section.notes == ("Stop taking: Clonidine.",)
    spanish = medication_section("es", printed_plan())
    assert "Deje de tomar: Clonidine." in spanish.texts and "Medicina para 3 días" in spanish.texts
    assert "Última dosis aquí" in spanish.texts
    letter = medication_section("en", printed_plan(), "letter.")
    assert "Stopped at discharge: Clonidine." in letter.texts and "Last dose given here" in letter.texts


def test_an_older_plan_without_reconciliation_still_prints():
    old = {"medication": {"choice": "buprenorphine", "prescriber": "Dr Example", "next": "2026-12-05T09:00",
                          "reason": ""}}
    section = medication_section("en", old)
    assert section.entries == () and section.notes == ()
    assert section.paragraphs == ("Buprenorphine",)
