"""The patient facts as data (core.facts): each range at and around its boundaries, the pairs
(a QTc and its date; a renal category and the eGFR), cleaning, the intake's facts, the line."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from clinic_desktop.core import facts, units
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.formulary import HEPATIC, RENAL

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize("field, accepted, refused", [
    ("weight_kg", (20, 20.0, 70.5, 300, 299.9), (19.9, 19, 300.1, 301, 0, -70)),
    ("egfr", (0, 0.0, 55, 200, 199.5), (-0.1, -1, 200.1, 201)),
])
def test_number_ranges_are_inclusive_at_both_ends(field, accepted, refused):
    for value in accepted:
        assert facts.check({field: value}, TODAY) == {}, value
    for value in refused:
        assert "is outside" in facts.check({field: value}, TODAY)[field], value


@pytest.mark.parametrize("qtc, ok", [(299, False), (300, True), (301, True), (450, True), (699, True),
                                     (700, True), (701, False), (430.0, True), (430.5, False)])
def test_qtc_range_and_whole_milliseconds(qtc, ok):
    errors = facts.check({"qtc_ms": qtc, "qtc_on": "2026-12-01"}, TODAY)
    assert (errors == {}) is ok, errors
    if qtc == 430.5:
        assert errors["qtc_ms"] == "QTc must be a whole number of ms."
    elif not ok:
        assert errors["qtc_ms"] == f"QTc {qtc} ms is outside 300\u2013700 ms."


def test_messages_name_the_value_and_the_range():
    assert facts.check({"weight_kg": 15}, TODAY) == {"weight_kg": "Weight 15 kg is outside 20\u2013300 kg."}
    assert facts.check({"egfr": "lots"}, TODAY) == {"egfr": "eGFR must be a number in mL/min/1.73 m\u00b2."}
    assert facts.check({"weight_kg": True}, TODAY)["weight_kg"].startswith("Weight must be a number")
    assert facts.check({"weight_kg": float("nan")}, TODAY)["weight_kg"].startswith("Weight must be a number")


def test_empty_means_not_recorded_and_is_always_accepted():
    empty = dict.fromkeys(facts.FIELDS)
    assert facts.check(empty, TODAY) == {}
    assert facts.check({key: "  " for key in facts.FIELDS}, TODAY) == {}
    assert facts.clean({key: "" for key in facts.FIELDS}, TODAY) == empty


@pytest.mark.parametrize("when, message", [
    (TODAY, None),
    (TODAY - dt.timedelta(days=400), None),
    ("2026-12-03", None),
    (TODAY + dt.timedelta(days=1), "The QTc date cannot be in the future."),
    ("2026-12-04", "The QTc date cannot be in the future."),
    ("03/12/2026", "Enter the QTc date as YYYY-MM-DD."),
    ("2026-02-30", "Enter the QTc date as YYYY-MM-DD."),
])
def test_qtc_date_today_or_before(when, message):
    errors = facts.check({"qtc_ms": 430, "qtc_on": when}, TODAY)
    assert errors.get("qtc_on") == message


def test_a_qtc_and_its_date_go_together():
    assert facts.check({"qtc_ms": 430, "qtc_on": None}, TODAY) == {"qtc_on": "Enter the date of this QTc."}
    assert facts.check({"qtc_ms": None, "qtc_on": "2026-12-01"}, TODAY) == {
        "qtc_ms": "Enter the QTc of this date, or clear the date."}
    # A bad QTc is reported on its own, not as a missing one.
    assert list(facts.check({"qtc_ms": 900, "qtc_on": "2026-12-01"}, TODAY)) == ["qtc_ms"]


def test_categories_come_from_the_formulary_and_nothing_else():
    assert list(facts.HEPATIC_LABELS) == list(HEPATIC) and list(facts.RENAL_LABELS) == list(RENAL)
    for key in HEPATIC:
        assert facts.check({"hepatic": key}, TODAY) == {}
    for key in RENAL:
        assert facts.check({"renal": key}, TODAY) == {}
    assert "hepatic" in facts.check({"hepatic": "terrible"}, TODAY)
    assert "renal" in facts.check({"renal": "dialysis"}, TODAY)
    assert facts.check({"colour": "blue"}, TODAY) == {"colour": "Unknown patient fact 'colour'."}


@pytest.mark.parametrize("renal, egfr, ok", [
    ("normal", 90, True), ("normal", 89, False), ("reduced", 89, True), ("reduced", 30, True),
    ("reduced", 29.9, False), ("severe", 29, True), ("severe", 55, True),  # dialysis: worse than its eGFR
    ("severe", 120, True), (None, 10, True),
])
def test_a_recorded_renal_category_is_never_milder_than_the_egfr(renal, egfr, ok):
    errors = facts.check({"renal": renal, "egfr": egfr}, TODAY)
    assert (errors == {}) is ok, errors
    if not ok:
        assert errors["renal"].startswith(f"An eGFR of {egfr} is ")


def test_clean_gives_the_stored_types_or_refuses_with_every_field():
    cleaned = facts.clean({"weight_kg": 70.0444, "hepatic": "mild", "renal": None, "egfr": 55,
                           "qtc_ms": 430.0, "qtc_on": "2026-12-01"}, TODAY)
    assert cleaned == {"weight_kg": 70.044, "hepatic": "mild", "renal": None, "egfr": 55.0, "qtc_ms": 430,
                       "qtc_on": dt.date(2026, 12, 1)}
    assert isinstance(cleaned["qtc_ms"], int)
    with pytest.raises(ValidationError) as info:
        facts.clean({"weight_kg": 10, "egfr": 300, "qtc_ms": 430, "qtc_on": "2027-01-01"}, TODAY)
    assert set(info.value.fields) == {"weight_kg", "egfr", "qtc_on"}


def test_numbers_typed_as_text_are_read_as_numbers():
    assert facts.check({"weight_kg": " 72,5 ", "egfr": "19.5", "renal": "severe"}, TODAY) == {}
    assert facts.check({"weight_kg": "19,9"}, TODAY) == {"weight_kg": "Weight 19.9 kg is outside 20\u2013300 kg."}
    assert facts.clean({"weight_kg": "72,5", "qtc_ms": "430", "qtc_on": "2026-12-01"}, TODAY) == {
        "weight_kg": 72.5, "qtc_ms": 430, "qtc_on": dt.date(2026, 12, 1)}
    assert "must be a number" in facts.check({"egfr": "nan"}, TODAY)["egfr"]


def test_pounds_to_kilograms():
    assert facts.kg_from_lb(154) == 69.9
    assert facts.kg_from_lb(220.462) == 100.0


def test_the_intake_records_weight_with_its_vitals_and_the_rest_in_medical():
    data = {"vitals": {"pulse": 90, "weight_kg": 70}, "medical": {
        "allergies": "none known", "hepatic": "moderate", "renal": "reduced", "egfr": 55, "qtc_ms": 430,
        "qtc_on": "2026-12-01"}}
    assert facts.from_intake(data) == {"weight_kg": 70, "hepatic": "moderate", "renal": "reduced", "egfr": 55,
                                       "qtc_ms": 430, "qtc_on": "2026-12-01", "pregnancy": None}
    assert facts.from_intake({"medical": {"pregnancy": "yes"}})["pregnancy"] == "yes"
    assert facts.from_intake({}) == dict.fromkeys(facts.RECORD_FIELDS)
    assert facts.from_intake({"medical": "garbage"}) == dict.fromkeys(facts.RECORD_FIELDS)


def test_pregnancy_is_one_of_the_intakes_choices():
    for value in (*facts.PREGNANCY_LABELS, None, ""):
        assert facts.check({"pregnancy": value}, dt.date(2026, 12, 3)) == {}
    assert facts.check({"pregnancy": "maybe"}, dt.date(2026, 12, 3)) == {
        "pregnancy": "Choose the pregnancy status from the list."}
    assert facts.summary_line(view(pregnancy="yes")).endswith(" \u00b7 Pregnant")
    assert "Pregnant" not in facts.summary_line(view(pregnancy="no"))


def view(**kw):
    return SimpleNamespace(**(dict.fromkeys(facts.FIELDS) | kw))


def test_summary_line():
    assert facts.summary_line(view(weight_kg=70.0, hepatic="none", renal="reduced", egfr=55.0, qtc_ms=430,
                                   qtc_on=dt.date(2026, 12, 1))) == (
        "Weight 70 kg \u00b7 Hepatic: none \u00b7 Renal: reduced (eGFR 55) \u00b7 QTc 430 ms on 2026-12-01")
    assert facts.summary_line(view()) == (
        "Weight not recorded \u00b7 Hepatic: not recorded \u00b7 Renal: not recorded \u00b7 QTc not recorded")
    # The category follows the eGFR when none is recorded; a weight keeps its decimal.
    assert facts.summary_line(view(weight_kg=70.5, egfr=25.0)).startswith(
        "Weight 70.5 kg \u00b7 Hepatic: not recorded \u00b7 Renal: severe (eGFR 25)")
    # In the clinic's units (the stabilization screen's header).
    in_us = facts.summary_line(view(weight_kg=69.853), lambda kg: units.both_text("weight_kg", kg, units.US))
    assert in_us.startswith("Weight 154.0 lb (69.9 kg) \u00b7 Hepatic: not recorded")
    assert facts.summary_line(view(), lambda kg: "never asked").startswith("Weight not recorded \u00b7 ")


def test_a_form_keeps_what_is_accepted_on_its_own_and_shows_every_error():
    kept, errors = facts.accepted({"hepatic": "none", "renal": None, "egfr": "300", "qtc_ms": "430",
                                   "qtc_on": ""}, TODAY)
    assert kept == {"hepatic": "none", "renal": None, "egfr": None, "qtc_ms": 430, "qtc_on": None}
    assert set(errors) == {"egfr", "qtc_on"}  # the QTc is kept; its date is asked for
    kept, errors = facts.accepted({"qtc_ms": "", "qtc_on": "2026-12-04"}, TODAY)
    assert kept == {"qtc_ms": None, "qtc_on": None} and set(errors) == {"qtc_on"}
    kept, errors = facts.accepted({"qtc_on": dt.date(2026, 12, 1), "qtc_ms": 430}, TODAY)
    assert kept == {"qtc_on": "2026-12-01", "qtc_ms": 430} and errors == {}
