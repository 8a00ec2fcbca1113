"""Decision support (CLINICAL.md §3): every default at and around its boundary."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core.protocols import (
    FENTANYL_OPTIONS,
    PROMPT_STATUSES,
    Prompt,
    ProtocolSettings,
    alpha2_hold,
    buprenorphine_readiness,
    naltrexone_window,
    overdose_risk_after_detox,
    reassessment_due,
    safety_alert,
)
from clinic_desktop.core.settings import DEFAULTS as CLINIC_DEFAULTS

NOW = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
COWS_AT = NOW - timedelta(minutes=30)  # 11:30, within the 4 h interval
NAIVE = datetime(2024, 5, 2, 12, 0)


def ready(cows=14, complete=True, cows_at=COWS_AT, hours=16.0, substance="heroin",
          settings=None, **kw):
    last_use = None if hours is None else NOW - timedelta(hours=hours)
    return buprenorphine_readiness(cows, complete, cows_at, last_use, substance, NOW,
                                   settings, **kw)


def both_fentanyl_options(text: str) -> bool:
    return (
        "low-dose (micro-) start over several days" in text
        and "standard/high-dose start" in text
    )


# ----------------------------------------------------------------------------- settings


def test_shipped_defaults_are_the_clinical_reference():
    s = ProtocolSettings()
    assert dataclasses.asdict(s) == {
        "bup_min_cows": 8,
        "bup_min_hours_short_acting": 12,
        "bup_min_hours_extended": 24,
        "bup_min_hours_methadone": 36,
        "naltrexone_opioid_free_days_short": 7,
        "naltrexone_opioid_free_days_long": 14,
        "lofexidine_hold_sbp": 90,
        "lofexidine_hold_dbp": 50,
        "lofexidine_hold_hr": 50,
        "clonidine_hold_sbp": 90,
        "clonidine_hold_hr": 60,
        "cows_interval_hours": 4,
        # CLINICAL.md §6: clonidine's limits (off-label, all local policy), the alpha-2 vitals
        # window, methadone's QTc thresholds and buprenorphine's day-1 warning.
        "clonidine_max_single_mcg": 200,
        "clonidine_max_daily_mcg": 1200,
        "clonidine_min_interval_hours": 4,
        "alpha2_vitals_minutes": 60,
        "methadone_qtc_warn_ms": 450,
        "methadone_qtc_stop_ms": 500,
        "bup_day1_warn_mg": 16,
        # The usual dose range where it is local policy (a tenfold-slip guard).
        "buprenorphine_min_single_mg": 0.5,
        "methadone_min_single_mg": 1.0,
        "methadone_max_single_mg": 200,
        "clonidine_min_single_mcg": 25,
        "naltrexone_min_single_mg": 12.5,
        "ondansetron_min_single_mg": 1.0,
        "loperamide_min_single_mg": 1.0,
        "ibuprofen_min_single_mg": 100,
        "acetaminophen_min_single_mg": 80,
        "hydroxyzine_min_single_mg": 10,
        "methocarbamol_min_single_mg": 250,
        "trazodone_min_single_mg": 12.5,
        "trazodone_max_single_mg": 300,
        # The daily check-in's flags (local policy; #16): craving or anxiety at or above, mood at or below.
        "checkin_craving_flag": 8,
        "checkin_anxiety_flag": 8,
        "checkin_mood_flag": 2,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.bup_min_cows = 5  # type: ignore[misc]


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf"), True, "12.5"])
def test_a_decimal_setting_must_be_a_number_at_least_zero(value):
    with pytest.raises(ValueError, match="naltrexone_min_single_mg must be a number"):
        ProtocolSettings(naltrexone_min_single_mg=value)


def test_a_decimal_setting_takes_a_whole_number_as_a_float_and_a_whole_setting_refuses_decimals():
    assert ProtocolSettings(naltrexone_min_single_mg=25).naltrexone_min_single_mg == 25.0
    assert ProtocolSettings(naltrexone_min_single_mg=25) == ProtocolSettings(naltrexone_min_single_mg=25.0)
    with pytest.raises(ValueError, match="methadone_max_single_mg must be a whole number"):
        ProtocolSettings(methadone_max_single_mg=150.5)


def test_from_mapping_overrides_and_ignores_unknown_keys():
    s = ProtocolSettings.from_mapping({"bup_min_cows": 10, "clinic_name": "Harbor", "x": 1})
    assert s.bup_min_cows == 10
    assert s.bup_min_hours_short_acting == 12
    assert ProtocolSettings.from_mapping({}) == ProtocolSettings()
    assert ProtocolSettings.from_mapping(None) == ProtocolSettings()
    assert ProtocolSettings.from_mapping({"bup_min_cows": None}) == ProtocolSettings()
    # The clinic settings mapping can be passed as it is.
    assert ProtocolSettings.from_mapping(CLINIC_DEFAULTS).cows_interval_hours == 4
    assert ProtocolSettings.from_mapping({**CLINIC_DEFAULTS, "cows_interval_hours": 2}) == (
        ProtocolSettings(cows_interval_hours=2)
    )


@pytest.mark.parametrize(
    "bad", [{"bup_min_cows": -1}, {"bup_min_cows": 49}, {"bup_min_cows": "8"},
            {"bup_min_cows": 8.5}, {"bup_min_cows": True}, {"cows_interval_hours": 0}]
)
def test_settings_refuse_bad_values(bad):
    with pytest.raises(ValueError):
        ProtocolSettings.from_mapping(bad)


def test_source_names_default_or_clinic_setting():
    s = ProtocolSettings(bup_min_cows=10)
    assert s.source("bup_min_cows") == "clinic setting"
    assert s.source("bup_min_hours_short_acting") == "local policy default"


def test_prompt_status_is_checked():
    with pytest.raises(ValueError):
        Prompt("x", "approved", "t", "b", "s", "t")


# ----------------------------------------------------------------------------- buprenorphine


def test_meets_with_basis_and_setting():
    p = ready(cows=14, hours=16)
    assert p.status == "meets"
    assert p.id == "buprenorphine_readiness"
    assert p.basis == "COWS 14 at 2024-05-02T11:30+00:00; 16 h since heroin"
    assert p.setting_used == (
        "COWS ≥ 8 and ≥ 12 h since a short-acting opioid (local policy default)"
    )
    assert "meets the buprenorphine readiness defaults" in p.text.lower()
    assert p.options == ()


def test_caller_supplied_time_format():
    p = ready(format_time=lambda dt: dt.strftime("%H:%M"))
    assert p.basis == "COWS 14 at 11:30; 16 h since heroin"


@pytest.mark.parametrize(
    ("cows", "hours", "status"),
    [(8, 12, "meets"), (7, 12, "not_yet"), (8, 11.99, "not_yet"), (9, 13, "meets"),
     (48, 100, "meets"), (0, 100, "not_yet")],
)
def test_short_acting_boundaries(cows, hours, status):
    assert ready(cows=cows, hours=hours).status == status


def test_below_thresholds_names_what_is_missing():
    p = ready(cows=6, hours=10)
    assert p.status == "not_yet"
    assert "risk of precipitated withdrawal" in p.text
    assert "COWS 6 (needs ≥ 8)" in p.text
    assert "10 h since heroin (needs ≥ 12 h)" in p.text
    assert "COWS 6" in p.basis and "10 h" in p.basis
    assert "proceed" in p.text  # never blocks


def test_hours_just_below_threshold_are_not_shown_as_the_threshold():
    p = ready(hours=11.99)
    assert p.status == "not_yet"
    assert "11.9 h since heroin (needs ≥ 12 h)" in p.text


@given(st.integers(0, 48), st.integers(0, 72 * 60), st.sampled_from(["heroin", "prescription",
                                                                     "methadone"]))
def test_readiness_property(cows, minutes, substance):
    threshold = {"heroin": 12, "prescription": 24, "methadone": 36}[substance]
    p = ready(cows=cows, hours=minutes / 60, substance=substance)
    assert p.status == ("meets" if cows >= 8 and minutes >= threshold * 60 else "not_yet")
    assert f"COWS {cows}" in p.basis
    if p.status == "not_yet":
        assert "risk of precipitated withdrawal" in p.text


@pytest.mark.parametrize(("hours", "status"), [(23.9, "not_yet"), (24, "meets")])
def test_prescription_uses_the_extended_release_default(hours, status):
    p = ready(hours=hours, substance="prescription")
    assert p.status == status
    assert "≥ 24 h since an extended-release opioid" in p.setting_used
    assert "immediate-release" in p.text and "≥ 12 h" in p.text


@pytest.mark.parametrize(("hours", "status"), [(35.9, "not_yet"), (36, "meets"), (72, "meets")])
def test_methadone_boundary_and_range_note(hours, status):
    p = ready(hours=hours, substance="methadone")
    assert p.status == status
    assert "≥ 36 h since methadone" in p.setting_used
    assert "36–72 h" in p.text and "higher methadone doses" in p.text


@pytest.mark.parametrize("cows", [None, 0, 7, 8, 14, 48])
@pytest.mark.parametrize("hours", [None, 2, 11.9, 12, 16, 96])
@pytest.mark.parametrize("complete", [True, False])
def test_fentanyl_always_shows_both_options_and_never_meets(cows, hours, complete):
    p = ready(cows=cows, complete=complete, hours=hours, substance="fentanyl")
    assert p.status in {"caution", "not_yet"}
    assert both_fentanyl_options(p.text)
    assert p.options == FENTANYL_OPTIONS
    assert "more likely" in p.text


def test_fentanyl_meeting_the_defaults_is_caution():
    p = ready(cows=14, hours=16, substance="fentanyl")
    assert p.status == "caution"
    assert "16 h since fentanyl" in p.basis


@given(st.integers(0, 48), st.booleans(), st.integers(0, 200 * 60),
       st.sampled_from(["heroin", "fentanyl", "prescription", "methadone"]))
def test_incomplete_cows_never_meets(cows, complete, minutes, substance):
    p = ready(cows=cows, complete=complete, hours=minutes / 60, substance=substance)
    if not complete:
        assert p.status == "not_yet"
        assert "COWS incomplete" in p.basis
        assert f"partial total {cows}" in p.basis


def test_missing_cows():
    p = ready(cows=None, complete=False, cows_at=None)
    assert p.status == "not_yet"
    assert "No COWS recorded" in p.basis
    assert "16 h since heroin" in p.basis


def test_cows_without_a_time_is_not_enough():
    p = ready(cows_at=None)
    assert p.status == "not_yet"
    assert "time not recorded" in p.basis


def test_cows_before_the_last_use_is_not_enough():
    # COWS at 11:30 but last use at 11:45 (and 16 h before that would otherwise meet).
    p = buprenorphine_readiness(14, True, COWS_AT, NOW - timedelta(minutes=15), "heroin", NOW)
    assert p.status == "not_yet"
    assert "taken after the last use" in p.text


def test_stale_cows_is_caution():
    p = ready(cows_at=NOW - timedelta(hours=4))
    assert p.status == "meets"  # exactly the interval: still current
    p = ready(cows_at=NOW - timedelta(hours=4, minutes=1))
    assert p.status == "caution"
    assert "older than the reassessment interval (4 h)" in p.text
    p = ready(cows_at=NOW - timedelta(hours=5), settings=ProtocolSettings(cows_interval_hours=6))
    assert p.status == "meets"


def test_missing_last_use_or_type():
    p = ready(hours=None)
    assert p.status == "not_yet" and "time of last heroin use not recorded" in p.basis
    p = ready(substance=None)
    assert p.status == "not_yet"
    assert "opioid type not recorded" in p.basis and "16 h since last use" in p.basis
    for n in ("≥ 12 h", "≥ 24 h", "≥ 36 h", "COWS ≥ 8"):
        assert n in p.setting_used


def test_future_last_use_is_not_ready():
    p = buprenorphine_readiness(14, True, COWS_AT, NOW + timedelta(hours=1), "heroin", NOW)
    assert p.status == "not_yet" and "future" in p.basis


@pytest.mark.parametrize("substance", ["buprenorphine", "alcohol", "stimulants"])
def test_rule_does_not_apply(substance):
    p = ready(substance=substance)
    assert p.status == "info"
    assert "do not apply" in p.text


def test_readiness_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        buprenorphine_readiness(14, True, COWS_AT, NOW - timedelta(hours=16), "heroin", NAIVE)
    with pytest.raises(ValueError, match="timezone-aware"):
        buprenorphine_readiness(14, True, NAIVE, NOW - timedelta(hours=16), "heroin", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        buprenorphine_readiness(14, True, COWS_AT, NAIVE - timedelta(hours=16), "heroin", NOW)


def test_unknown_substance_is_refused():
    with pytest.raises(ValueError, match="kratom"):
        ready(substance="kratom")


def test_overrides_change_the_readiness_outcome():
    assert ready(cows=9, hours=13).status == "meets"
    stricter = ProtocolSettings.from_mapping({"bup_min_cows": 10, "bup_min_hours_short_acting": 14})
    p = ready(cows=9, hours=13, settings=stricter)
    assert p.status == "not_yet"
    assert "COWS 9 (needs ≥ 10)" in p.text and "(needs ≥ 14 h)" in p.text
    assert p.setting_used == "COWS ≥ 10 and ≥ 14 h since a short-acting opioid (clinic setting)"
    mixed = ProtocolSettings(bup_min_cows=6)
    p = ready(cows=6, hours=13, settings=mixed)
    assert p.status == "meets"
    assert p.setting_used == (
        "COWS ≥ 6 (clinic setting) and ≥ 12 h since a short-acting opioid (local policy default)"
    )
    longer = ProtocolSettings(bup_min_hours_methadone=48)
    p = ready(hours=40, substance="methadone", settings=longer)
    assert p.status == "not_yet" and "(needs ≥ 48 h)" in p.text


# ----------------------------------------------------------------------------- naltrexone


def ntx(days, substance="heroin", settings=None, **kw):
    last = None if days is None else NOW - timedelta(days=days)
    return naltrexone_window(last, substance, NOW, settings, **kw)


@pytest.mark.parametrize(
    ("substance", "days", "status"),
    [("heroin", 6.99, "not_yet"), ("heroin", 7, "meets"), ("fentanyl", 7, "meets"),
     ("prescription", 6.5, "not_yet"), ("prescription", 7, "meets"),
     ("methadone", 13.99, "not_yet"), ("methadone", 14, "meets"),
     ("buprenorphine", 13, "not_yet"), ("buprenorphine", 14, "meets")],
)
def test_naltrexone_boundaries(substance, days, status):
    p = ntx(days, substance)
    assert p.status == status
    assert "history, urine test and/or naloxone challenge" in p.text
    assert p.id == "naltrexone_window"


def test_naltrexone_texts_and_basis():
    p = ntx(5)
    assert p.basis == "5 days since heroin (last use at 2024-04-27T12:00+00:00)"
    assert "≥ 7 opioid-free days" in p.setting_used and "7–10 days" in p.setting_used
    assert "local policy default" in p.setting_used
    assert "risk of precipitated withdrawal" in p.text
    assert "2024-05-04T12:00+00:00" in p.text  # earliest start at the default
    p = ntx(5, "methadone")
    assert "≥ 14 opioid-free days after methadone or buprenorphine" in p.setting_used
    assert "up to 14 days" in p.setting_used


def test_naltrexone_missing_facts():
    p = ntx(None)
    assert p.status == "not_yet" and "not recorded" in p.basis
    assert ntx(10, None).status == "info"
    assert ntx(10, "alcohol").status == "info"
    future = naltrexone_window(NOW + timedelta(days=1), "heroin", NOW)
    assert future.status == "not_yet" and "future" in future.basis


def test_naltrexone_overrides_and_naive():
    s = ProtocolSettings.from_mapping({"naltrexone_opioid_free_days_short": 10})
    assert ntx(8).status == "meets"
    p = ntx(8, settings=s)
    assert p.status == "not_yet" and "clinic setting" in p.setting_used
    with pytest.raises(ValueError, match="timezone-aware"):
        naltrexone_window(NAIVE, "heroin", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        naltrexone_window(NOW - timedelta(days=9), "heroin", NAIVE)


@given(st.integers(0, 30 * 24 * 60), st.sampled_from(["heroin", "methadone", "buprenorphine"]))
def test_naltrexone_property(minutes, substance):
    days = 7 if substance == "heroin" else 14
    p = naltrexone_window(NOW - timedelta(minutes=minutes), substance, NOW)
    assert p.status == ("meets" if minutes >= days * 24 * 60 else "not_yet")


# ----------------------------------------------------------------------------- alpha-2 holds


@pytest.mark.parametrize(
    ("sbp", "dbp", "hr", "status"),
    [(90, 50, 50, "no_hold"), (89, 50, 50, "hold_suggested"), (90, 49, 50, "hold_suggested"),
     (90, 50, 49, "hold_suggested"), (120, 80, 72, "no_hold"), (85, 45, 40, "hold_suggested")],
)
def test_lofexidine_boundaries(sbp, dbp, hr, status):
    p = alpha2_hold("lofexidine", sbp, dbp, hr)
    assert p.status == status
    assert p.id == "lofexidine_hold"
    assert "label sets no numbers" in p.text and "pivotal trial" in p.text
    rule = "Hold if SBP < 90, DBP < 50 or HR < 50 (local policy default)"
    assert p.setting_used.startswith(rule)
    assert f"SBP {sbp}" in p.basis and f"DBP {dbp}" in p.basis and f"HR {hr}" in p.basis


@pytest.mark.parametrize(
    ("sbp", "hr", "status"),
    [(90, 60, "no_hold"), (89, 60, "hold_suggested"), (90, 59, "hold_suggested"),
     (140, 100, "no_hold")],
)
def test_clonidine_boundaries(sbp, hr, status):
    p = alpha2_hold("clonidine", sbp, 40, hr)  # DBP is not a clonidine hold parameter
    assert p.status == status
    assert p.setting_used == "Hold if SBP < 90 or HR < 60 (local policy default)"
    assert "pivotal" not in p.text


def test_hold_text_names_the_met_parameter():
    p = alpha2_hold("clonidine", 85, None, 72)
    assert "SBP 85 (< 90)" in p.text


def test_missing_vitals_ask_for_vitals():
    p = alpha2_hold("lofexidine", 120, None, 72)
    assert p.status == "info" and "DBP" in p.text and "DBP not recorded" in p.basis
    p = alpha2_hold("clonidine", None, None, None)
    assert p.status == "info" and "SBP" in p.text and "HR" in p.text
    # A met parameter is shown even when another vital is missing.
    p = alpha2_hold("lofexidine", 80, None, None)
    assert p.status == "hold_suggested"


@given(st.integers(50, 260), st.integers(20, 160), st.integers(20, 250))
def test_hold_property(sbp, dbp, hr):
    lof = alpha2_hold("lofexidine", sbp, dbp, hr)
    assert (lof.status == "hold_suggested") == (sbp < 90 or dbp < 50 or hr < 50)
    clo = alpha2_hold("clonidine", sbp, dbp, hr)
    assert (clo.status == "hold_suggested") == (sbp < 90 or hr < 60)


def test_hold_overrides_and_bad_input():
    s = ProtocolSettings.from_mapping({"clonidine_hold_hr": 55})
    assert alpha2_hold("clonidine", 100, None, 58).status == "hold_suggested"
    p = alpha2_hold("clonidine", 100, None, 58, s)
    assert p.status == "no_hold" and "HR < 55 (clinic setting)" in p.setting_used
    p = alpha2_hold("lofexidine", 92, 70, 70, ProtocolSettings(lofexidine_hold_sbp=95))
    assert p.status == "hold_suggested"
    assert "this clinic has set its own" in p.text
    with pytest.raises(ValueError):
        alpha2_hold("guanfacine", 100, 70, 70)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        alpha2_hold("clonidine", "100", 70, 70)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- reassessment


def test_reassessment_due():
    last = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    assert reassessment_due(last, NOW) == (last + timedelta(hours=4), False)  # exactly due
    assert reassessment_due(last, NOW + timedelta(minutes=1)) == (last + timedelta(hours=4), True)
    assert reassessment_due(last, NOW - timedelta(hours=1))[1] is False
    assert reassessment_due(None, NOW) == (None, False)
    s = ProtocolSettings.from_mapping({"cows_interval_hours": 2})
    assert reassessment_due(last, NOW, s) == (last + timedelta(hours=2), True)


def test_reassessment_refuses_naive():
    with pytest.raises(ValueError, match="timezone-aware"):
        reassessment_due(NAIVE, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        reassessment_due(NOW, NAIVE)


# ----------------------------------------------------------------------------- overdose, safety


def test_overdose_risk_prompt():
    p = overdose_risk_after_detox()
    assert p.status == "info"
    text = p.text.lower()
    assert "tolerance falls within days" in text
    assert "a former dose can kill" in text
    assert "naloxone" in text and "never use alone" in text
    assert "cannot be removed" in p.setting_used


@pytest.mark.parametrize(
    ("self_harm", "yes", "alert"),
    [(None, None, False), (0, None, False), (0, False, False), (1, None, True), (3, False, True),
     (None, True, True), (0, True, True)],
)
def test_safety_alert(self_harm, yes, alert):
    assert safety_alert(self_harm, yes) is alert
    assert safety_alert(self_harm, yes, asq_positive=False) is alert
    assert safety_alert(self_harm, yes, asq_positive=True) is True  # a positive ASQ alone alerts


@pytest.mark.parametrize("asq", [None, 1, "yes"])
def test_safety_alert_refuses_an_asq_result_that_is_not_a_bool(asq):
    with pytest.raises(TypeError):
        safety_alert(None, None, asq)


@pytest.mark.parametrize(("self_harm", "yes"), [(4, None), (-1, None), (True, None), (1.0, None),
                                                (None, "yes"), (None, 1)])
def test_safety_alert_refuses_bad_input(self_harm, yes):
    with pytest.raises(ValueError):
        safety_alert(self_harm, yes)


def test_every_prompt_status_is_known():
    prompts = [ready(), ready(cows=2), ready(substance="fentanyl"), ready(substance="alcohol"),
               ntx(3), ntx(30), alpha2_hold("clonidine", 80, None, 50),
               alpha2_hold("clonidine", 120, None, 80), alpha2_hold("clonidine", None, None, 80),
               overdose_risk_after_detox()]
    assert {p.status for p in prompts} == PROMPT_STATUSES
