"""Substances and the expected withdrawal timeline (CLINICAL.md §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core.withdrawal import (
    ACUTE_PHASE_DAYS,
    NON_OPIOID_IDS,
    OPIOID_IDS,
    PEAK_DAYS,
    SUBSTANCES,
    Substance,
    WithdrawalWindow,
    expected_window,
    format_hours,
    get_substance,
    hours_since,
    window_status,
)

NOW = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)


def test_substance_ids_and_kinds():
    assert OPIOID_IDS == ("heroin", "fentanyl", "prescription", "methadone", "buprenorphine")
    assert NON_OPIOID_IDS == ("alcohol", "benzodiazepines", "stimulants", "other")
    assert {s.id: s.acting for s in SUBSTANCES.values()} == {
        "heroin": "short",
        "fentanyl": "short",
        "prescription": "extended",
        "methadone": "methadone",
        "buprenorphine": "buprenorphine",
        "alcohol": None,
        "benzodiazepines": None,
        "stimulants": None,
        "other": None,
    }
    for sid, substance in SUBSTANCES.items():
        assert isinstance(substance, Substance)
        assert substance.id == sid and substance.label
        assert substance.is_opioid == (sid in OPIOID_IDS)
    assert "short-acting" in SUBSTANCES["fentanyl"].label
    assert "CIWA-Ar" in SUBSTANCES["alcohol"].note


def test_unknown_substance():
    with pytest.raises(ValueError, match="cannabis"):
        get_substance("cannabis")
    with pytest.raises(ValueError):
        expected_window("cannabis")


def test_windows_match_the_reference():
    for sid in ("heroin", "fentanyl"):
        w = expected_window(sid)
        assert (w.onset_low_h, w.onset_high_h) == (6, 12)
        assert "6–12 h" in w.text and "1–3" in w.text and "3–7 days" in w.text
    w = expected_window("prescription")
    assert (w.onset_low_h, w.onset_high_h) == (8, 24)
    assert "8–24 h" in w.text
    assert PEAK_DAYS == (1, 3) and ACUTE_PHASE_DAYS == (3, 7)


def test_methadone_window_is_longer_and_says_so():
    w = expected_window("methadone")
    assert (w.onset_low_h, w.onset_high_h) == (24, 48)
    assert "later" in w.text and "longer" in w.text and "24–48 h" in w.text


def test_buprenorphine_window_has_no_invented_number():
    w = expected_window("buprenorphine")
    assert w == WithdrawalWindow(None, None, "onset varies; longer than short-acting opioids")
    assert not w.known and w.onset_text == ""
    for hours in (0, 6, 100):
        assert window_status("buprenorphine", hours) == w.text


@pytest.mark.parametrize("sid", ["alcohol", "benzodiazepines", "stimulants", "other", None])
def test_no_opioid_window(sid):
    w = expected_window(sid)
    assert w.onset_low_h is None and w.onset_high_h is None and w.text
    assert window_status(sid, 10) == w.text


@pytest.mark.parametrize(
    ("sid", "hours", "status"),
    [
        ("heroin", 0, "before expected onset (6–12 h)"),
        ("heroin", 5.99, "before expected onset (6–12 h)"),
        ("heroin", 6, "in the expected onset window"),
        ("heroin", 12, "in the expected onset window"),
        ("heroin", 12.01, "past expected onset"),
        ("fentanyl", 5.9, "before expected onset (6–12 h)"),
        ("fentanyl", 9, "in the expected onset window"),
        ("prescription", 7.9, "before expected onset (8–24 h)"),
        ("prescription", 8, "in the expected onset window"),
        ("prescription", 24, "in the expected onset window"),
        ("prescription", 24.1, "past expected onset"),
        ("methadone", 23.9, "before expected onset (24–48 h)"),
        ("methadone", 24, "in the expected onset window"),
        ("methadone", 48, "in the expected onset window"),
        ("methadone", 48.5, "past expected onset"),
    ],
)
def test_window_status_boundaries(sid, hours, status):
    assert window_status(sid, hours) == status


@given(st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_window_status_property(hours):
    status = window_status("heroin", hours)
    if hours < 6:
        assert status.startswith("before")
    elif hours <= 12:
        assert status == "in the expected onset window"
    else:
        assert status == "past expected onset"


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "6", True])
def test_window_status_refuses_bad_hours(bad):
    with pytest.raises(ValueError):
        window_status("heroin", bad)


def test_hours_since():
    assert hours_since(NOW - timedelta(hours=16), NOW) == 16
    assert hours_since(NOW - timedelta(minutes=90), NOW) == 1.5
    assert hours_since(NOW, NOW) == 0
    # Different zones, same instant.
    est = timezone(timedelta(hours=-5))
    assert hours_since(datetime(2024, 5, 2, 2, 0, tzinfo=est), NOW) == 5


def test_hours_since_refuses_naive_datetimes():
    naive = datetime(2024, 5, 2, 0, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        hours_since(naive, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        hours_since(NOW - timedelta(hours=1), naive.replace(hour=12))
    with pytest.raises(TypeError):
        hours_since("2024-05-02T00:00Z", NOW)  # type: ignore[arg-type]


def test_hours_since_refuses_a_future_last_use():
    with pytest.raises(ValueError, match="future"):
        hours_since(NOW + timedelta(minutes=1), NOW)


@given(st.integers(min_value=0, max_value=10 * 24 * 3600))
def test_hours_since_property(seconds):
    assert hours_since(NOW - timedelta(seconds=seconds), NOW) == pytest.approx(seconds / 3600)


def test_format_hours_never_rounds_up():
    assert format_hours(16) == "16"
    assert format_hours(16.0) == "16"
    assert format_hours(11.99) == "11.9"
    assert format_hours(11.96) == "11.9"
    assert format_hours(12.04) == "12"
    assert format_hours(0.5) == "0.5"


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False), st.integers(1, 100))
def test_format_hours_stays_on_the_side_of_a_whole_threshold(hours, threshold):
    assert (float(format_hours(hours)) >= threshold) == (hours >= threshold)
