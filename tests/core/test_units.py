"""Vitals units (issue #14): °F and lb or °C and kg by clinic setting, stored in °C and kg; the
same verdict whichever unit was typed; "98.6 °F (37.0 °C)" on the flowsheet and handover."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core import units
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import settings
from clinic_desktop.core.settings import CHOICES, DEFAULTS
from clinic_desktop.core.vitals import VITALS_BY_ID, check_vitals

US, METRIC = units.US, units.METRIC
TEMP, WEIGHT = "temperature_c", "weight_kg"


# --- the clinic's system ----------------------------------------------------------------------


def test_the_setting_defaults_to_auto_which_follows_the_region():
    assert DEFAULTS[units.SETTING] == units.AUTO
    assert set(CHOICES[units.SETTING]) == {units.AUTO, US, METRIC}
    assert units.clinic_system(DEFAULTS) == US  # the shipped region is US
    assert units.clinic_system({**DEFAULTS, "phone_region": "CA"}) == METRIC
    assert units.clinic_system({**DEFAULTS, "phone_region": "PR"}) == US
    assert units.clinic_system({**DEFAULTS, "phone_region": "gb"}) == METRIC


@pytest.mark.parametrize("region", sorted(units.FAHRENHEIT_REGIONS))
def test_fahrenheit_regions(region):
    assert units.system_for_region(region) == US
    assert units.system_for_region(region.lower()) == US


@pytest.mark.parametrize("region", ["CA", "MX", "GB", "IE", "AU", "NZ", "DE", "", None])
def test_other_regions_are_metric(region):
    assert units.system_for_region(region) == METRIC


@pytest.mark.parametrize(("setting", "region", "system"), [
    ("us", "CA", US), ("metric", "US", METRIC), ("auto", "US", US), ("auto", "CA", METRIC),
    ("", "US", US), (None, "AU", METRIC), ("US", "CA", US),
])
def test_a_chosen_system_wins_over_the_region(setting, region, system):
    assert units.resolve(setting, region) == system


def test_changing_the_region_changes_the_default(db, admin):
    assert units.clinic_system(settings.get_all(db)) == US
    settings.update(db, admin, {"phone_region": "CA"})
    assert units.clinic_system(settings.get_all(db)) == METRIC
    settings.update(db, admin, {units.SETTING: "us"})
    assert units.clinic_system(settings.get_all(db)) == US  # chosen: the region no longer decides


def test_the_service_takes_only_the_offered_values(db, admin):
    assert settings.update(db, admin, {units.SETTING: " Metric "})[units.SETTING] == "metric"
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {units.SETTING: "imperial"})
    assert units.SETTING in refused.value.fields


@pytest.mark.parametrize(("vid", "system", "symbol"), [
    (TEMP, US, "°F"), (TEMP, METRIC, "°C"), (WEIGHT, US, "lb"), (WEIGHT, METRIC, "kg"),
    ("pulse", US, "/min"), ("spo2", METRIC, "%"),
])
def test_unit(vid, system, symbol):
    assert units.unit(vid, system) == symbol


# --- conversion -------------------------------------------------------------------------------


@pytest.mark.parametrize(("vid", "typed", "stored"), [
    (TEMP, 98.6, 37.0), (TEMP, 100.4, 38.0), (TEMP, 32, 0.0), (TEMP, 212, 100.0),
    (TEMP, 100.5, 38.056), (TEMP, Decimal("98.6"), 37.0),
    (WEIGHT, 154.4, 70.035), (WEIGHT, 1, 0.454), (WEIGHT, 220.5, 100.017),
])
def test_to_canonical(vid, typed, stored):
    assert units.to_canonical(vid, typed, US) == stored


@pytest.mark.parametrize("typed", [None, "", "abc", True, float("nan")])
def test_what_is_not_a_number_is_left_for_the_check(typed):
    value = units.to_canonical(TEMP, typed, US)
    assert value is typed


@pytest.mark.parametrize("typed", [1e30, -1e30, 1e300])
def test_a_slip_far_outside_any_range_is_refused_in_the_unit_typed(typed):
    check = units.check({TEMP: typed, WEIGHT: typed}, US)[1]
    assert set(check.errors) == {TEMP, WEIGHT}
    assert " °F is impossible" in check.errors[TEMP] and " lb is impossible" in check.errors[WEIGHT]


def test_metric_and_other_vitals_pass_through_unchanged():
    assert units.to_canonical(TEMP, 38.05, METRIC) == 38.05
    assert units.to_canonical("pulse", 96, US) == 96
    assert units.entry_text(TEMP, 37.25, METRIC) == "37.25"
    assert units.entry_text(WEIGHT, 70, METRIC) == "70.0"
    assert units.entry_text("pulse", 96, US) == "96"


def test_entry_text():
    assert units.entry_text(TEMP, 37.0, US) == "98.6"
    assert units.entry_text(WEIGHT, 69.853, US) == "154.0"
    assert units.entry_text(TEMP, None, US) == ""
    assert units.entry_text(TEMP, "", US) == ""
    # Stored in °C at a metric clinic: as many °F decimals as it takes to store it again.
    assert units.entry_text(TEMP, 37.2, US) == "98.96"
    assert units.to_canonical(TEMP, Decimal("98.96"), US) == 37.2


def _tenths(low: int, high: int):
    """A value typed at one decimal, as the nurse types it ("98.6")."""
    return st.integers(low, high).map(lambda n: f"{Decimal(n).scaleb(-1):f}")


# The accepted ranges typed at the entry's precision: 86.0–109.4 °F, 4.5–881.8 lb.
@given(_tenths(860, 1094))
def test_a_typed_temperature_comes_back_as_typed(text):
    stored = units.to_canonical(TEMP, float(text), US)
    assert units.entry_text(TEMP, stored, US) == text
    assert units.to_canonical(TEMP, float(units.entry_text(TEMP, stored, US)), US) == stored


@given(_tenths(45, 8818))
def test_a_typed_weight_comes_back_as_typed(text):
    stored = units.to_canonical(WEIGHT, float(text), US)
    assert units.entry_text(WEIGHT, stored, US) == text


@given(st.integers(300, 430).map(lambda n: n / 10))
def test_a_metric_temperature_shown_in_fahrenheit_is_stored_unchanged(celsius):
    assert units.to_canonical(TEMP, float(units.entry_text(TEMP, celsius, US)), US) == celsius


# --- the same verdict whichever unit was typed -----------------------------------------------


def _verdict(typed: dict, system: str) -> tuple[set, set]:
    check = units.check(typed, system)[1]
    return set(check.errors), set(check.warnings)


# (typed in °F or lb, refused?, warned?): at, just below and just above every limit.
@pytest.mark.parametrize(("vid", "typed", "refused", "warned"), [
    # 30.0 °C = 86.0 °F, the lowest accepted
    (TEMP, 85.9, True, False), (TEMP, 86.0, False, False), (TEMP, 86.1, False, False),
    # 38.0 °C = 100.4 °F, the fever threshold (strict: at it is no warning)
    (TEMP, 100.3, False, False), (TEMP, 100.4, False, False), (TEMP, 100.5, False, True),
    # 43.0 °C = 109.4 °F, the highest accepted
    (TEMP, 109.3, False, True), (TEMP, 109.4, False, True), (TEMP, 109.5, True, False),
    # 2 kg = 4.41 lb, the lowest accepted
    (WEIGHT, 4.4, True, False), (WEIGHT, 4.5, False, False), (WEIGHT, 4.6, False, False),
    # 400 kg = 881.85 lb, the highest accepted
    (WEIGHT, 881.7, False, False), (WEIGHT, 881.8, False, False), (WEIGHT, 881.9, True, False),
])
def test_limits_typed_in_fahrenheit_and_pounds(vid, typed, refused, warned):
    assert _verdict({vid: typed}, US) == ({vid} if refused else set(), {vid} if warned else set())
    # The same verdict as the same measurement typed in °C or kg.
    exact = units.from_canonical(vid, units.to_canonical(vid, typed, US), US)
    celsius = (Decimal(repr(typed)) - 32) * 5 / 9 if vid == TEMP else Decimal(repr(typed)) * Decimal("0.45359237")
    vital = VITALS_BY_ID[vid]
    assert (not vital.low <= celsius <= vital.high) == refused
    assert (not refused and vital.warn_above is not None and celsius > Decimal(repr(vital.warn_above))) == warned
    assert round(exact, 1) == typed


@given(_tenths(700, 1200))
def test_the_verdict_is_the_celsius_verdict_of_the_same_temperature(text):
    exact_c = (Decimal(text) - 32) * 5 / 9
    refused = not Decimal(30) <= exact_c <= Decimal(43)
    warned = not refused and exact_c > Decimal(38)
    assert _verdict({TEMP: float(text)}, US) == ({TEMP} if refused else set(), {TEMP} if warned else set())


@given(_tenths(0, 9000))
def test_the_verdict_is_the_kilogram_verdict_of_the_same_weight(text):
    exact_kg = Decimal(text) * Decimal("0.45359237")
    refused = not Decimal(2) <= exact_kg <= Decimal(400)
    assert _verdict({WEIGHT: float(text)}, US) == ({WEIGHT} if refused else set(), set())


def test_messages_name_the_unit_typed():
    stored, check = units.check({TEMP: 101.3, WEIGHT: 4.4, "pulse": 130}, US)
    assert stored == {TEMP: 38.5, WEIGHT: 1.996, "pulse": 130}
    assert check.warnings == {"pulse": "Pulse 130 /min is high (above 120).",
                              TEMP: "Temperature 101.3 °F is high (above 100.4)."}
    assert check.errors == {WEIGHT: "Weight 4.4 lb is impossible; enter 4.5–881.8."}
    assert units.check({TEMP: 110}, US)[1].errors == {TEMP: "Temperature 110.0 °F is impossible; enter 86.0–109.4."}
    assert units.check({TEMP: "hot"}, US)[1].errors == {TEMP: "Temperature must be a number (got 'hot')."}
    # Metric: the messages are check_vitals' own.
    assert units.check({TEMP: 38.5}, METRIC)[1] == check_vitals({TEMP: 38.5})


def test_stored_warnings_in_the_clinics_unit():
    values = {TEMP: 38.5, "pulse": 130, WEIGHT: 70.0}
    assert units.warnings_text(values, US) == {
        "pulse": "Pulse 130 /min is high (above 120).",
        TEMP: "Temperature 101.3 °F is high (above 100.4)."}
    assert units.warnings_text(values, METRIC) == check_vitals(values).warnings
    assert units.warnings_text({TEMP: 38.0}, US) == {}
    assert units.warnings_text(None, US) == {}


@pytest.mark.parametrize(("typed", "error"), [
    (44.0, "Weight 44 lb is outside 44.1–661.3 lb."),
    (44.1, None),
    (661.3, None),
    (661.4, "Weight 661.4 lb is outside 44.1–661.3 lb."),
    ("", None),
])
def test_the_weight_the_medication_rules_accept_in_pounds(typed, error):
    assert units.weight_fact_error(typed, US) == error


def test_the_weight_the_medication_rules_accept_in_kilograms():
    assert units.weight_fact_error(19.9, METRIC) == "Weight 19.9 kg is outside 20–300 kg."
    assert units.weight_fact_error(20, METRIC) is None


# --- shown in both ----------------------------------------------------------------------------


@pytest.mark.parametrize(("vid", "stored", "system", "text"), [
    (TEMP, 37.0, US, "98.6 °F (37.0 °C)"),
    (TEMP, 37.0, METRIC, "37.0 °C (98.6 °F)"),
    (WEIGHT, 69.853, US, "154.0 lb (69.9 kg)"),
    (WEIGHT, 70, METRIC, "70.0 kg (154.3 lb)"),
    # Rounding never makes an abnormal value look normal: 38.02 °C is above 38.0.
    (TEMP, 38.02, METRIC, "38.02 °C (100.44 °F)"),
    (TEMP, 38.028, US, "100.5 °F (38.03 °C)"),
    (TEMP, 38.01, US, "100.42 °F (38.01 °C)"),
    (TEMP, 37.1, US, "98.8 °F (37.1 °C)"),
    (TEMP, 38.0, US, "100.4 °F (38.0 °C)"),
    ("pulse", 96, US, "96 /min"),
])
def test_both_text(vid, stored, system, text):
    assert units.both_text(vid, stored, system) == text


@given(_tenths(860, 1094))
def test_a_typed_temperature_is_shown_first_as_typed(text):
    stored = units.to_canonical(TEMP, float(text), US)
    assert units.both_text(TEMP, stored, US).startswith(f"{text} °F (")


@given(_tenths(45, 8818))
def test_a_typed_weight_is_shown_first_as_typed(text):
    stored = units.to_canonical(WEIGHT, float(text), US)
    assert units.both_text(WEIGHT, stored, US).startswith(f"{text} lb (")


def test_a_weight_fact_keeps_what_was_typed_in_pounds():
    from clinic_desktop.core import facts

    assert facts.WEIGHT_PLACES == units.CANONICAL_PLACES
    stored = units.to_canonical(WEIGHT, 154.4, US)
    kept = facts.clean({"weight_kg": stored}, dt.date(2026, 12, 3))["weight_kg"]
    assert units.entry_text(WEIGHT, kept, US) == "154.4"


def test_display_range():
    assert units.display_range(TEMP, METRIC) is VITALS_BY_ID[TEMP]
    shown = units.display_range(TEMP, US)
    assert (shown.unit, shown.low, shown.high, shown.warn_above) == ("°F", 86.0, 109.4, 100.4)
    shown = units.display_range(WEIGHT, US)
    assert (shown.unit, shown.low, shown.high) == ("lb", 4.5, 881.8)
