"""The daily check-in's rules (#16 item 1): each part optional but at least one, scales 0–10 whole,
sleep in half hours 0–24, choices from their lists; the flags at, just below and just above the
clinic's thresholds."""

from __future__ import annotations

import dataclasses

import pytest

from clinic_desktop.core import checkin
from clinic_desktop.core.protocols import ProtocolSettings


def test_clean_keeps_the_answered_parts_in_order_as_numbers_and_codes():
    assert checkin.clean({"sleep_hours": "6.5", "mood": "3", "craving": 8, "fluids": "enough", "pain": ""}) == {
        "craving": 8, "mood": 3, "sleep_hours": 6.5, "fluids": "enough"}
    assert list(checkin.clean({"sleep_hours": 0, "pain": 0, "craving": 0})) == ["craving", "pain", "sleep_hours"]


@pytest.mark.parametrize("key", list(checkin.SCALES))
def test_each_scale_is_whole_from_0_to_10(key):
    for good in (0, 10, "7", 5.0):
        assert checkin.errors({key: good}) == {}, good
    for bad in (-1, 11, 4.5, "lots", True):
        assert key in checkin.errors({key: bad}), bad


def test_sleep_hours_in_half_hours_from_0_to_24():
    for good in (0, 24, "7.5", "7,5", 0.5):
        assert checkin.errors({"sleep_hours": good}) == {}, good
    for bad in (-0.5, 24.5, 7.25, "nan", "inf", "a while"):
        assert "sleep_hours" in checkin.errors({"sleep_hours": bad}), bad


def test_choices_nothing_answered_and_unknown_parts_are_refused_by_name():
    assert checkin.errors({"sleep_quality": "great"}) == {"sleep_quality": "Sleep quality: choose good, fair, poor."}
    assert checkin.errors({}) == {"values": "Answer at least one part of the check-in."}
    assert checkin.errors({"craving": "", "mood": None}) == {"values": "Answer at least one part of the check-in."}
    assert set(checkin.errors({"cravings": 3})) == {"cravings"}
    with pytest.raises(ValueError, match="Craving"):
        checkin.clean({"craving": 11})


THRESHOLDS = ProtocolSettings()


@pytest.mark.parametrize(("key", "value", "flagged"), [
    ("craving", 7, False), ("craving", 8, True), ("craving", 9, True),
    ("anxiety", 7, False), ("anxiety", 8, True), ("anxiety", 9, True),
    ("mood", 3, False), ("mood", 2, True), ("mood", 1, True),
    ("pain", 10, False),  # pain is charted, not flagged
])
def test_flags_at_just_below_and_just_above_the_shipped_thresholds(key, value, flagged):
    found = checkin.flags({key: value}, THRESHOLDS)
    assert [f.key for f in found] == ([key] if flagged else [])
    if flagged:
        assert found[0].text == f"{checkin.SCALES[key][0]} {value}/10"


def test_flags_follow_the_clinics_thresholds():
    strict = dataclasses.replace(THRESHOLDS, checkin_craving_flag=6, checkin_mood_flag=4)
    assert [f.key for f in checkin.flags({"craving": 6, "mood": 4, "anxiety": 7}, strict)] == ["craving", "mood"]
    assert checkin.flags({"craving": 5, "mood": 5}, strict) == ()
    assert checkin.flags(None) == () and checkin.flags({}) == ()


def test_summary_reads_in_one_line():
    assert checkin.summary({"craving": 6, "mood": 4, "sleep_hours": 5.5, "sleep_quality": "poor",
                            "appetite": "reduced", "fluids": "too_little", "pain": 2}) == (
        "Craving 6/10 · Mood 4/10 · Pain 2/10 · Sleep 5.5 h (poor) · Appetite reduced · Drinking too little")
    assert checkin.summary({"sleep_quality": "good"}) == "Sleep good"
    assert checkin.summary({}) == ""
