"""Vitals validation (CLINICAL.md §3): every range and warning threshold at and around its edge."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core.vitals import (
    VITAL_IDS,
    VITALS,
    VITALS_BY_ID,
    VitalRange,
    VitalsCheck,
    check_vitals,
    format_vital,
)

# id: (low, high, warn_below, warn_above) exactly as CLINICAL.md §3 (and the brief for weight).
EXPECTED = {
    "pulse": (20, 250, 50, 120),
    "systolic": (50, 260, 90, 180),
    "diastolic": (20, 160, 60, 110),
    "respiratory_rate": (4, 60, 10, 24),
    "temperature_c": (30.0, 43.0, None, 38.0),
    "spo2": (50, 100, 92, None),
    "weight_kg": (2, 400, None, None),
}


def test_the_shipped_ranges_are_the_clinical_reference():
    assert VITAL_IDS == (
        "pulse", "systolic", "diastolic", "respiratory_rate", "temperature_c", "spo2", "weight_kg"
    )
    for vital in VITALS:
        assert isinstance(vital, VitalRange)
        assert (vital.low, vital.high, vital.warn_below, vital.warn_above) == EXPECTED[vital.id]
    assert VITALS_BY_ID["temperature_c"].decimals == 1
    assert VITALS_BY_ID["pulse"].unit == "/min"


def test_vital_range_is_frozen():
    with pytest.raises(AttributeError):
        VITALS[0].low = 0  # type: ignore[misc]


def _alone(field: str, value):
    """Check one vital on its own (diastolic needs no systolic)."""
    return check_vitals({field: value})


# Values just inside and just outside each accepted range, and at/around each warning.
def _step(vital: VitalRange) -> float:
    return 0.1 if vital.decimals else 1


@pytest.mark.parametrize("vital", VITALS, ids=lambda v: v.id)
def test_accepted_range_is_inclusive(vital: VitalRange):
    step = _step(vital)
    for value in (vital.low, vital.high):
        assert _alone(vital.id, value).ok, value
    for value in (round(vital.low - step, 1), round(vital.high + step, 1)):
        check = _alone(vital.id, value)
        assert not check.ok
        assert vital.id in check.errors
        assert vital.id not in check.warnings
        message = check.errors[vital.id]
        assert vital.label in message and "impossible" in message
        assert vital.range_text in message
        assert format_vital(value, vital.decimals) in message


WARN_LOW = [v for v in VITALS if v.warn_below is not None]
WARN_HIGH = [v for v in VITALS if v.warn_above is not None]


@pytest.mark.parametrize("vital", WARN_LOW, ids=lambda v: v.id)
def test_low_warning_is_strict(vital: VitalRange):
    step = _step(vital)
    at = _alone(vital.id, vital.warn_below)
    assert at.ok and not at.abnormal
    below = round(vital.warn_below - step, 1)
    check = _alone(vital.id, below)
    assert check.ok and check.abnormal
    assert "low" in check.warnings[vital.id]
    assert vital.fmt(vital.warn_below) in check.warnings[vital.id]
    assert not _alone(vital.id, round(vital.warn_below + step, 1)).abnormal


@pytest.mark.parametrize("vital", WARN_HIGH, ids=lambda v: v.id)
def test_high_warning_is_strict(vital: VitalRange):
    step = _step(vital)
    at = _alone(vital.id, vital.warn_above)
    assert at.ok and not at.abnormal
    above = round(vital.warn_above + step, 1)
    check = _alone(vital.id, above)
    assert check.ok and check.abnormal
    assert "high" in check.warnings[vital.id]
    assert vital.fmt(vital.warn_above) in check.warnings[vital.id]
    assert not _alone(vital.id, round(vital.warn_above - step, 1)).abnormal


def test_messages_name_field_value_and_range():
    check = check_vitals({"pulse": 300})
    assert check.errors == {"pulse": "Pulse 300 /min is impossible; enter 20–250."}
    check = check_vitals({"pulse": 130})
    assert check.warnings == {"pulse": "Pulse 130 /min is high (above 120)."}
    assert check_vitals({"temperature_c": 43.1}).errors["temperature_c"] == (
        "Temperature 43.1 °C is impossible; enter 30.0–43.0."
    )
    assert check_vitals({"temperature_c": 38.1}).warnings["temperature_c"] == (
        "Temperature 38.1 °C is high (above 38.0)."
    )
    assert check_vitals({"spo2": 91}).warnings["spo2"] == "SpO₂ 91 % is low (below 92)."


def test_a_shown_value_never_crosses_its_threshold():
    # 49.6 must not be shown as "50" next to "below 50"; 38.05 not as "38.0"/"38.1".
    assert "49.6" in check_vitals({"pulse": 49.6}).warnings["pulse"]
    assert "38.05" in check_vitals({"temperature_c": 38.05}).warnings["temperature_c"]
    assert "250.4" in check_vitals({"pulse": 250.4}).errors["pulse"]


def test_missing_values_are_allowed():
    assert check_vitals({}) == VitalsCheck({}, {})
    check = check_vitals({vid: None for vid in VITAL_IDS})
    assert check.ok and not check.abnormal
    # An empty entry field is "not taken", not an error.
    assert check_vitals({"pulse": "", "spo2": "  "}) == VitalsCheck({}, {})


def test_normal_set_passes():
    check = check_vitals(
        {"pulse": 72, "systolic": 120, "diastolic": 80, "respiratory_rate": 14,
         "temperature_c": 36.8, "spo2": 98, "weight_kg": 70.5}
    )
    assert check.ok and not check.abnormal
    assert check.errors == {} and check.warnings == {}


@pytest.mark.parametrize(
    "bad", ["72", "abc", True, False, float("nan"), float("inf"), [72], object()]
)
def test_non_numbers_are_refused(bad):
    check = check_vitals({"pulse": bad})
    assert not check.ok
    assert "Pulse" in check.errors["pulse"] and "number" in check.errors["pulse"]
    assert "pulse" not in check.warnings


def test_decimal_values_are_numbers():
    assert check_vitals({"temperature_c": Decimal("38.5")}).warnings["temperature_c"] == (
        "Temperature 38.5 °C is high (above 38.0)."
    )


def test_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError, match="heart_rate"):
        check_vitals({"heart_rate": 80})
    with pytest.raises(TypeError):
        check_vitals([("pulse", 80)])  # type: ignore[arg-type]


def test_diastolic_must_be_lower_than_systolic():
    assert check_vitals({"systolic": 120, "diastolic": 119}).ok
    for dbp in (120, 121, 150):
        check = check_vitals({"systolic": 120, "diastolic": dbp})
        assert not check.ok
        assert set(check.errors) == {"diastolic"}
        assert str(dbp) in check.errors["diastolic"] and "120" in check.errors["diastolic"]
        assert "lower than" in check.errors["diastolic"]
        assert "diastolic" not in check.warnings


def test_pressure_order_is_not_checked_against_an_impossible_value():
    check = check_vitals({"systolic": 40, "diastolic": 60})
    assert set(check.errors) == {"systolic"}
    check = check_vitals({"systolic": 100, "diastolic": 170})
    assert set(check.errors) == {"diastolic"} and "impossible" in check.errors["diastolic"]


def test_errors_and_warnings_together():
    check = check_vitals({"pulse": 10, "spo2": 88, "respiratory_rate": 30, "weight_kg": 1})
    assert set(check.errors) == {"pulse", "weight_kg"}
    assert set(check.warnings) == {"spo2", "respiratory_rate"}
    assert not check.ok and check.abnormal
    assert list(check.errors) == ["pulse", "weight_kg"]  # VITALS order


def test_weight_never_warns():
    for kg in (2, 2.5, 30, 150, 399.9, 400):
        assert check_vitals({"weight_kg": kg}) == VitalsCheck({}, {})


# Property tests: every value in range is accepted, warnings iff strictly beyond a threshold.


def _property(vital_id: str, value: float) -> None:
    vital = VITALS_BY_ID[vital_id]
    check = check_vitals({vital_id: value})
    in_range = vital.low <= value <= vital.high
    assert check.ok == in_range
    expect_warning = in_range and (
        (vital.warn_below is not None and value < vital.warn_below)
        or (vital.warn_above is not None and value > vital.warn_above)
    )
    assert (vital_id in check.warnings) == expect_warning


@given(st.integers(min_value=-10, max_value=400))
def test_pulse_property(pulse):
    _property("pulse", pulse)
    if 20 <= pulse <= 250:
        assert check_vitals({"pulse": pulse}).abnormal == (pulse < 50 or pulse > 120)


@given(st.floats(min_value=0, max_value=500, allow_nan=False))
def test_pulse_float_property(pulse):
    _property("pulse", pulse)


@given(
    st.sampled_from([v for v in VITAL_IDS if v != "diastolic"]),
    st.floats(min_value=-50, max_value=500, allow_nan=False, allow_infinity=False),
)
def test_every_vital_property(vital_id, value):
    _property(vital_id, value)


@given(st.integers(min_value=0, max_value=300))
def test_diastolic_alone_property(value):
    _property("diastolic", value)


@given(st.integers(min_value=50, max_value=260), st.integers(min_value=20, max_value=160))
def test_blood_pressure_pair_property(sbp, dbp):
    check = check_vitals({"systolic": sbp, "diastolic": dbp})
    assert check.ok == (dbp < sbp)
    assert ("systolic" in check.warnings) == (sbp < 90 or sbp > 180)
    if dbp < sbp:
        assert ("diastolic" in check.warnings) == (dbp < 60 or dbp > 110)


@given(st.floats(min_value=30.0, max_value=43.0))
def test_temperature_property(temp):
    check = check_vitals({"temperature_c": temp})
    assert check.ok
    assert check.abnormal == (temp > 38.0)


def test_format_vital():
    assert format_vital(72, 0) == "72"
    assert format_vital(38.0, 1) == "38.0"
    assert format_vital(36.6, 1) == "36.6"
    assert format_vital(49.6, 0) == "49.6"
    assert not math.isnan(float(format_vital(1e-7, 0)))
