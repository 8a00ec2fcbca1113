"""The decision-support thresholds as clinic settings: defaults, ranges, rules, role and audit."""

from __future__ import annotations

import dataclasses

import pytest

from clinic_desktop.core import protocols
from clinic_desktop.core.errors import PermissionDenied, ValidationError
from clinic_desktop.core.protocols import CLINIC_SOURCE, DEFAULT_SOURCE, ProtocolSettings
from clinic_desktop.core.services import audit, settings
from clinic_desktop.core.settings import (
    DECIMAL_RANGES,
    DEFAULTS,
    INTEGER_RANGES,
    LABELS,
    PROTOCOL_GROUPS,
    PROTOCOL_KEYS,
    PROTOCOL_ORDER,
    RANGES,
)
from tests.conftest import first_admin_without_clinic

CLINIC_KEYS = [key for key in DEFAULTS if key not in PROTOCOL_KEYS]


@pytest.fixture
def admin(db):
    """The settings start from their shipped defaults here (see ``first_admin_without_clinic``)."""
    return first_admin_without_clinic(db)


def settings_events(db, admin) -> list:
    return [e for e in audit.recent(db, admin) if e.action == "settings.updated"]


def protocol_of(db) -> ProtocolSettings:
    return ProtocolSettings.from_mapping(settings.get_all(db))


# --- the defaults, labels, ranges and groups -----------------------------------------------------

def test_every_protocol_field_is_a_setting_with_the_dataclass_default():
    shipped = ProtocolSettings()
    fields = dataclasses.fields(ProtocolSettings)
    assert PROTOCOL_KEYS == tuple(f.name for f in fields)
    for f in fields:
        assert DEFAULTS[f.name] == f.default == getattr(shipped, f.name), f.name


def test_the_existing_clinic_settings_keep_their_defaults():
    assert {key: DEFAULTS[key] for key in CLINIC_KEYS} == {
        "clinic_name": "", "clinic_address": "", "clinic_phone": "", "phone_region": "US",
        "lockout_attempts": 5, "lockout_minutes": 15, "idle_lock_minutes": 10, "directory_stale_days": 180,
        "plan_page_size": "letter", "clinic_logo": "", "vitals_units": "auto",
        "backup.folder": "", "backup.every_hours": 24, "backup.keep": 14}
    assert DEFAULTS["cows_interval_hours"] == 4


def test_every_protocol_setting_has_a_label_and_a_range_of_its_own_type():
    for f in dataclasses.fields(ProtocolSettings):
        assert f.type in (int, "int", float, "float"), f.name
        decimal = f.type in (float, "float")
        assert f.name in LABELS and f.name in (DECIMAL_RANGES if decimal else INTEGER_RANGES), f.name
        assert f.name not in (INTEGER_RANGES if decimal else DECIMAL_RANGES), f.name
        low, high = RANGES[f.name]
        assert low <= DEFAULTS[f.name] <= high, f.name
    assert ProtocolSettings.decimal_names() == set(DECIMAL_RANGES)


@pytest.mark.parametrize("key", PROTOCOL_KEYS)
def test_every_allowed_value_is_one_the_prompts_accept(key):
    low, high = RANGES[key]
    for value in (low, high):
        assert getattr(ProtocolSettings.from_mapping({key: value}), key) == value


def test_labels_name_the_drug_and_the_unit():
    units = {"cows": "COWS", "hours": "hours", "days": "days", "sbp": "(mmHg)", "dbp": "(mmHg)",
             "hr": "(beats/min)", "mcg": "(micrograms)", "minutes": "minutes", "ms": "(ms)",
             "mg": "(mg)", "flag": "(0–10)"}
    for key in PROTOCOL_KEYS:
        label = LABELS[key]
        unit = next(u for part, u in units.items() if part in key.split("_"))
        assert unit in label, key
        drug = key.split("_")[0]
        prefix = {"bup": "Buprenorphine: ", "naltrexone": "Naltrexone: ",
                  "lofexidine": "Lofexidine: ", "clonidine": "Clonidine: ",
                  "methadone": "Methadone: ", "alpha2": "Lofexidine and clonidine: ",
                  "checkin": "Check-in: "}.get(drug)
        if prefix:
            assert label.startswith(prefix), key
    assert len(set(LABELS.values())) == len(LABELS)
    assert LABELS["bup_min_cows"] == "Buprenorphine: minimum COWS score before the first dose"
    assert LABELS["clonidine_max_single_mcg"] == "Clonidine: largest single dose (micrograms)"
    assert LABELS["clonidine_max_daily_mcg"] == "Clonidine: most in any 24 hours (micrograms)"
    assert LABELS["alpha2_vitals_minutes"] == (
        "Lofexidine and clonidine: vitals taken at most this many minutes before a dose")
    assert LABELS["methadone_qtc_warn_ms"] == "Methadone: warn when the QTc is above (ms)"
    assert LABELS["methadone_qtc_stop_ms"] == "Methadone: stop when the QTc is above (ms)"
    assert LABELS["bup_day1_warn_mg"] == (
        "Buprenorphine: warn when the first day's total is above (mg)")


def test_the_groups_hold_every_protocol_setting_once():
    assert [name for name, _ in PROTOCOL_GROUPS] == [
        "Buprenorphine induction", "Naltrexone", "Methadone", "Lofexidine holds", "Clonidine",
        "Vitals and reassessment", "Daily check-in flags", "Usual dose range"]
    groups = dict(PROTOCOL_GROUPS)
    assert groups["Buprenorphine induction"][-1] == "bup_day1_warn_mg"
    assert groups["Methadone"] == ("methadone_qtc_warn_ms", "methadone_qtc_stop_ms")
    assert groups["Clonidine"] == (
        "clonidine_hold_sbp", "clonidine_hold_hr", "clonidine_max_single_mcg", "clonidine_max_daily_mcg",
        "clonidine_min_interval_hours")
    assert groups["Vitals and reassessment"] == ("alpha2_vitals_minutes", "cows_interval_hours")
    grouped = [key for _, keys in PROTOCOL_GROUPS for key in keys]
    assert sorted(grouped) == sorted(PROTOCOL_KEYS) and len(grouped) == len(set(grouped))


def test_the_shipped_defaults_keep_the_cross_field_rules():
    for lower, higher, strict, _ in PROTOCOL_ORDER:
        assert DEFAULTS[lower] < DEFAULTS[higher] or (
            not strict and DEFAULTS[lower] == DEFAULTS[higher])


def test_a_fresh_database_gives_the_shipped_protocol(db):
    assert protocol_of(db) == ProtocolSettings()
    assert all(protocol_of(db).source(key) == DEFAULT_SOURCE for key in PROTOCOL_KEYS)


# --- saving ------------------------------------------------------------------------------------

def test_a_saved_threshold_reaches_the_prompts_as_a_clinic_setting(db, admin):
    settings.update(db, admin, {"lofexidine_hold_hr": 55, "bup_min_cows": 10})
    protocol = protocol_of(db)
    assert protocol.lofexidine_hold_hr == 55 and protocol.bup_min_cows == 10
    assert protocol.source("lofexidine_hold_hr") == CLINIC_SOURCE == "clinic setting"
    assert protocol.source("lofexidine_hold_sbp") == DEFAULT_SOURCE
    prompt = protocols.alpha2_hold("lofexidine", 120, 80, 52, protocol)
    assert prompt.status == "hold_suggested"
    assert "HR < 55 (clinic setting)" in prompt.setting_used


def test_the_change_is_audited_with_before_and_after(db, admin):
    settings.update(db, admin, {"lofexidine_hold_hr": 55, "bup_min_cows": 10,
                                "clonidine_hold_sbp": 90})  # unchanged: not in the diff
    [event] = settings_events(db, admin)
    assert event.username == "admin" and event.entity_type == "settings"
    assert event.detail == {"changes": {"bup_min_cows": [8, 10], "lofexidine_hold_hr": [50, 55]}}
    settings.update(db, admin, {"lofexidine_hold_hr": 50})
    assert settings_events(db, admin)[0].detail == {"changes": {"lofexidine_hold_hr": [55, 50]}}
    assert audit.verify_chain(db, admin).intact


def test_saving_the_same_values_writes_no_event(db, admin):
    settings.update(db, admin, {key: DEFAULTS[key] for key in PROTOCOL_KEYS})
    assert settings_events(db, admin) == []


@pytest.mark.parametrize("key", PROTOCOL_KEYS)
def test_a_value_outside_its_range_is_refused_by_name(db, admin, key):
    low, high = RANGES[key]
    step = 0.1 if key in DECIMAL_RANGES else 1
    for value in (round(low - step, 1), round(high + step, 1)):
        with pytest.raises(ValidationError) as refused:
            settings.update(db, admin, {key: value})
        assert refused.value.fields == {key: f"{LABELS[key]} must be between {low:g} and {high:g}."}
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []


def test_the_ranges_chosen_for_clinical_review():
    assert {key: RANGES[key] for key in PROTOCOL_KEYS} == {
        "bup_min_cows": (0, 48),
        "bup_min_hours_short_acting": (1, 96),
        "bup_min_hours_extended": (1, 96),
        "bup_min_hours_methadone": (1, 96),
        "naltrexone_opioid_free_days_short": (1, 30),
        "naltrexone_opioid_free_days_long": (1, 30),
        "lofexidine_hold_sbp": (60, 140),
        "lofexidine_hold_dbp": (30, 100),
        "lofexidine_hold_hr": (30, 100),
        "clonidine_hold_sbp": (60, 140),
        "clonidine_hold_hr": (30, 100),
        "cows_interval_hours": (1, 24),
        "checkin_craving_flag": (0, 10),
        "checkin_anxiety_flag": (0, 10),
        "checkin_mood_flag": (0, 10),
        "clonidine_max_single_mcg": (50, 300),
        "clonidine_max_daily_mcg": (200, 2400),
        "clonidine_min_interval_hours": (1, 12),
        "alpha2_vitals_minutes": (15, 240),
        "methadone_qtc_warn_ms": (400, 500),
        "methadone_qtc_stop_ms": (450, 550),
        "bup_day1_warn_mg": (8, 32),
        "buprenorphine_min_single_mg": (0.1, 4.0),
        "methadone_min_single_mg": (0.5, 10.0),
        "methadone_max_single_mg": (100, 400),
        "clonidine_min_single_mcg": (10, 100),
        "naltrexone_min_single_mg": (5.0, 50.0),
        "ondansetron_min_single_mg": (0.5, 4.0),
        "loperamide_min_single_mg": (0.5, 2.0),
        "ibuprofen_min_single_mg": (50, 400),
        "acetaminophen_min_single_mg": (40, 500),
        "hydroxyzine_min_single_mg": (5, 25),
        "methocarbamol_min_single_mg": (100, 750),
        "trazodone_min_single_mg": (5.0, 50.0),
        "trazodone_max_single_mg": (100, 400),
    }


@pytest.mark.parametrize("value", ["twelve", "", None, float("nan"), float("inf"), True, [12.5]])
def test_a_decimal_setting_that_is_not_a_number_is_refused(db, admin, value):
    key = "naltrexone_min_single_mg"
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {key: value})
    assert refused.value.fields == {key: f"{LABELS[key]} must be a number."}
    assert settings.get_all(db) == DEFAULTS


def test_a_decimal_setting_takes_one_decimal_place_as_a_number_or_text(db, admin):
    settings.update(db, admin, {"naltrexone_min_single_mg": "25,5", "buprenorphine_min_single_mg": 1})
    assert settings.get(db, "naltrexone_min_single_mg") == 25.5
    protocol = protocol_of(db)
    assert protocol.buprenorphine_min_single_mg == 1.0 and isinstance(protocol.buprenorphine_min_single_mg, float)
    key = "buprenorphine_min_single_mg"
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {key: 0.25})
    assert refused.value.fields == {key: f"{LABELS[key]} takes at most 1 decimal place."}
    # At both ends of the range, and just past them.
    for value in (0.1, 4.0):
        settings.update(db, admin, {key: value})
        assert settings.get(db, key) == value
    for value in (0.0, 4.1):
        with pytest.raises(ValidationError):
            settings.update(db, admin, {key: value})


@pytest.mark.parametrize("value", ["eight", "", None, 8.5, True, [8]])
def test_a_value_that_is_not_a_whole_number_is_refused(db, admin, value):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"bup_min_cows": value})
    assert refused.value.fields == {
        "bup_min_cows": f"{LABELS['bup_min_cows']} must be a whole number."}


def test_whole_numbers_as_text_or_float_are_accepted(db, admin):
    settings.update(db, admin, {"bup_min_cows": "10", "lofexidine_hold_hr": 55.0})
    assert settings.get(db, "bup_min_cows") == 10 and settings.get(db, "lofexidine_hold_hr") == 55


def test_every_bad_value_is_named_and_nothing_is_saved(db, admin):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"bup_min_cows": 49, "clonidine_hold_hr": 20,
                                    "lofexidine_hold_hr": 55, "no_such_setting": 1})
    assert set(refused.value.fields) == {"bup_min_cows", "clonidine_hold_hr", "no_such_setting"}
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []


def test_a_nurse_may_not_change_a_threshold(db, admin, nurse):
    with pytest.raises(PermissionDenied):
        settings.update(db, nurse, {"lofexidine_hold_hr": 55})
    with pytest.raises(PermissionDenied):
        settings.reset_protocol_defaults(db, nurse)
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []


def test_the_existing_settings_still_save(db, admin):
    settings.update(db, admin, {"idle_lock_minutes": 3, "cows_interval_hours": 2,
                                "clinic_name": "Riverside Detox"})
    assert settings.get_all(db) == {**DEFAULTS, "idle_lock_minutes": 3, "cows_interval_hours": 2,
                                    "clinic_name": "Riverside Detox"}
    assert protocol_of(db).cows_interval_hours == 2


# --- cross-field rules -------------------------------------------------------------------------

def test_the_diastolic_hold_must_stay_below_the_systolic_one(db, admin):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"lofexidine_hold_dbp": 90})  # equal to the stored SBP
    assert refused.value.fields == {"lofexidine_hold_dbp": (
        "The diastolic hold threshold (90 mmHg) must be lower than the systolic one (90 mmHg).")}
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"lofexidine_hold_sbp": 60, "lofexidine_hold_dbp": 70})
    assert set(refused.value.fields) == {"lofexidine_hold_sbp", "lofexidine_hold_dbp"}
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []
    settings.update(db, admin, {"lofexidine_hold_dbp": 70})  # below the stored SBP 90
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"lofexidine_hold_sbp": 65})  # now below the stored DBP
    assert refused.value.fields == {"lofexidine_hold_sbp": (
        "The diastolic hold threshold (70 mmHg) must be lower than the systolic one (65 mmHg).")}
    settings.update(db, admin, {"lofexidine_hold_sbp": 100, "lofexidine_hold_dbp": 60})
    assert (protocol_of(db).lofexidine_hold_sbp, protocol_of(db).lofexidine_hold_dbp) == (100, 60)


def test_the_waits_keep_their_order(db, admin):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"bup_min_hours_short_acting": 30})
    assert refused.value.fields == {"bup_min_hours_short_acting": (
        "The wait after a short-acting opioid (30 h) cannot be longer than the wait after an "
        "extended-release one (24 h).")}
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"naltrexone_opioid_free_days_long": 5})
    assert refused.value.fields == {"naltrexone_opioid_free_days_long": (
        "The opioid-free days after a short-acting opioid (7) cannot be more than after "
        "methadone or buprenorphine (5).")}
    # Equal waits are allowed.
    settings.update(db, admin, {"bup_min_hours_short_acting": 24,
                                "naltrexone_opioid_free_days_long": 7})
    assert protocol_of(db).bup_min_hours_short_acting == 24


def test_the_qtc_that_warns_cannot_be_above_the_qtc_that_stops(db, admin):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"methadone_qtc_warn_ms": 480, "methadone_qtc_stop_ms": 470})
    message = "The QTc that warns (480 ms) cannot be above the QTc that stops methadone (470 ms)."
    assert refused.value.fields == {"methadone_qtc_warn_ms": message, "methadone_qtc_stop_ms": message}
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"methadone_qtc_stop_ms": 460, "methadone_qtc_warn_ms": 461})
    assert set(refused.value.fields) == {"methadone_qtc_warn_ms", "methadone_qtc_stop_ms"}
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"methadone_qtc_stop_ms": 450 - 1})  # out of its range first
    assert set(refused.value.fields) == {"methadone_qtc_stop_ms"}
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []
    # Equal thresholds are allowed: the warning never fires, the stop does.
    settings.update(db, admin, {"methadone_qtc_warn_ms": 500})
    assert protocol_of(db).methadone_qtc_warn_ms == 500
    with pytest.raises(ValidationError) as refused:  # the stored warning is above the new stop
        settings.update(db, admin, {"methadone_qtc_stop_ms": 490})
    assert refused.value.fields == {"methadone_qtc_stop_ms": (
        "The QTc that warns (500 ms) cannot be above the QTc that stops methadone (490 ms).")}


def test_a_single_clonidine_dose_cannot_be_more_than_the_daily_maximum(db, admin):
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"clonidine_max_daily_mcg": 250, "clonidine_max_single_mcg": 300})
    message = ("A single clonidine dose (300 micrograms) cannot be more than the 24-hour maximum "
               "(250 micrograms).")
    assert refused.value.fields == {"clonidine_max_single_mcg": message, "clonidine_max_daily_mcg": message}
    assert settings.get_all(db) == DEFAULTS and settings_events(db, admin) == []
    settings.update(db, admin, {"clonidine_max_single_mcg": 300})  # below the stored 1200
    with pytest.raises(ValidationError) as refused:  # only the changed one is named
        settings.update(db, admin, {"clonidine_max_daily_mcg": 250})
    assert refused.value.fields == {"clonidine_max_daily_mcg": message}
    assert settings.get_all(db)["clonidine_max_daily_mcg"] == 1200
    settings.update(db, admin, {"clonidine_max_daily_mcg": 200, "clonidine_max_single_mcg": 200})
    assert (protocol_of(db).clonidine_max_single_mcg, protocol_of(db).clonidine_max_daily_mcg) == (200, 200)
    with pytest.raises(ValidationError) as refused:
        settings.update(db, admin, {"clonidine_max_single_mcg": 201})  # above the stored daily
    assert refused.value.fields == {"clonidine_max_single_mcg": (
        "A single clonidine dose (201 micrograms) cannot be more than the 24-hour maximum "
        "(200 micrograms).")}


def test_the_shipped_defaults_order_the_new_rules():
    pairs = {(lower, higher, strict) for lower, higher, strict, _ in PROTOCOL_ORDER}
    assert ("methadone_qtc_warn_ms", "methadone_qtc_stop_ms", False) in pairs
    assert ("clonidine_max_single_mcg", "clonidine_max_daily_mcg", False) in pairs


# --- reset -------------------------------------------------------------------------------------

def test_reset_protocol_defaults_leaves_the_other_settings_alone(db, admin):
    settings.update(db, admin, {"lofexidine_hold_hr": 55, "bup_min_hours_methadone": 48,
                                "idle_lock_minutes": 3, "clinic_name": "Riverside Detox"})
    stored = settings.reset_protocol_defaults(db, admin)
    assert stored == settings.get_all(db) == {**DEFAULTS, "idle_lock_minutes": 3,
                                              "clinic_name": "Riverside Detox"}
    assert protocol_of(db) == ProtocolSettings()
    assert settings_events(db, admin)[0].detail == {"changes": {
        "bup_min_hours_methadone": [48, 36], "lofexidine_hold_hr": [55, 50]}}
    settings.reset_protocol_defaults(db, admin)  # nothing to change: no second event
    assert len(settings_events(db, admin)) == 2
