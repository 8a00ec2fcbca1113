"""Typed dates and times: read exactly as meant, or refused with a reason — never another date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core.datetext import (
    DateTextError,
    date_text,
    datetime_text,
    parse_date,
    parse_datetime,
    written,
)

TODAY = dt.date(2026, 12, 3)
NOW = dt.datetime(2026, 12, 3, 11, 7, 42)


@pytest.mark.parametrize(("text", "expected"), [
    ("1979-11-30", dt.date(1979, 11, 30)),
    ("11/30/1979", dt.date(1979, 11, 30)),
    ("1/5/2020", dt.date(2020, 1, 5)),
    ("01/05/2020", dt.date(2020, 1, 5)),
    ("02/29/2024", dt.date(2024, 2, 29)),
    ("  12/31/2026 ", dt.date(2026, 12, 31)),
    ("today", TODAY),
    ("Today", TODAY),
    ("now", TODAY),
])
def test_dates_read_as_meant(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-02 10:56", dt.datetime(2026, 12, 2, 10, 56)),
    ("2026-12-02T10:56", dt.datetime(2026, 12, 2, 10, 56)),
    ("2026-12-02 10:56:00", dt.datetime(2026, 12, 2, 10, 56)),
    ("12/2/2026 2:05 pm", dt.datetime(2026, 12, 2, 14, 5)),
    ("12/2/2026 2:05PM", dt.datetime(2026, 12, 2, 14, 5)),
    ("12/02/2026 2 pm", dt.datetime(2026, 12, 2, 14, 0)),
    ("12/02/2026 12:00 am", dt.datetime(2026, 12, 2, 0, 0)),
    ("12/02/2026 12:30 p.m.", dt.datetime(2026, 12, 2, 12, 30)),
    ("12/02/2026 0:00", dt.datetime(2026, 12, 2, 0, 0)),
    ("12/02/2026 23:59", dt.datetime(2026, 12, 2, 23, 59)),
    ("today 7:30", dt.datetime(2026, 12, 3, 7, 30)),
    ("now", dt.datetime(2026, 12, 3, 11, 7)),
])
def test_date_times_read_as_meant(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text, now=NOW) == expected


def test_blank_is_none() -> None:
    assert parse_date("   ", today=TODAY) is None
    assert parse_datetime("", now=NOW) is None


@pytest.mark.parametrize(("text", "says"), [
    ("11/30/79", "year in full"),
    ("1979-11-3o", "not a date"),
    ("79-11-30", "year in full"),
    ("02/30/2024", "February 2024 has no day 30"),
    ("02/29/2023", "February 2023 has no day 29"),
    ("13/01/2020", "no month 13"),
    ("00/10/2020", "no month 0"),
    ("30.11.1979", "not a date"),
    ("November 30 1979", "not a date"),
    ("1979-11-30 10:00", "date only"),
    ("0000-01-01", "no year 0"),
])
def test_dates_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(DateTextError, match=says):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize(("text", "says"), [
    ("2026-12-02", "at what time"),
    ("today", "at what time"),
    ("12/02/26 10:00", "year in full"),
    ("2026-12-02 24:00", "not a time of day"),
    ("2026-12-02 10:60", "not a time of day"),
    ("2026-12-02 13:00 pm", "not a 12-hour time"),
    ("2026-12-02 0:30 am", "not a 12-hour time"),
    ("2026-12-02 10:56:30", "to the minute"),
    ("2026-12-02 1056", "not a time"),
    ("Not recorded20261202 10:56", "not a date"),
    ("2026-02-30 10:00", "February 2026 has no day 30"),
])
def test_date_times_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(DateTextError, match=says):
        parse_datetime(text, now=NOW)


def test_messages_quote_the_text() -> None:
    with pytest.raises(DateTextError) as caught:
        parse_date("11/30/79", today=TODAY)
    assert "\u201c11/30/79\u201d" in str(caught.value)
    assert "11/30/1979" in str(caught.value)


def test_written_forms() -> None:
    assert date_text(dt.date(979, 1, 2)) == "0979-01-02"
    assert datetime_text(dt.datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"
    assert written(dt.datetime(1979, 11, 30, 14, 5)) == "30 November 1979, 14:05"


# ---- properties --------------------------------------------------------------------------------

def _renderings(when: dt.datetime) -> list[str]:
    """Ways staff write ``when``: ISO or US dates, padded or not, 24- or 12-hour times."""
    d = when.date()
    dates = [date_text(d), f"{d.month}/{d.day}/{d.year:04d}", f"{d.month:02d}/{d.day:02d}/{d.year:04d}"]
    h12 = when.hour % 12 or 12
    half = "pm" if when.hour >= 12 else "am"
    times = [f"{when.hour:02d}:{when.minute:02d}", f"{when.hour}:{when.minute:02d}",
             f"{h12}:{when.minute:02d} {half}", f"{h12}:{when.minute:02d}{half.upper()}"]
    return [f"{a} {b}" for a in dates for b in times]


@given(st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31)),
       st.data())
def test_every_way_of_writing_a_time_reads_back_exactly(when: dt.datetime, data: st.DataObject) -> None:
    when = when.replace(second=0, microsecond=0)
    text = data.draw(st.sampled_from(_renderings(when)))
    assert parse_datetime(text, now=NOW) == when
    day_text = text.split(" ")[0]
    assert parse_date(day_text, today=TODAY) == when.date()


def _meant(text: str) -> list[tuple[int, ...]]:
    """The numbers a text can mean as a date (and time): year, month, day (, hour, minute)."""
    nums = [int(n) for n in re.findall(r"[0-9]+", text)]
    out: list[tuple[int, ...]] = []
    if len(nums) >= 3:
        date_orders = [(nums[0], nums[1], nums[2]), (nums[2], nums[0], nums[1])]  # ISO, US
        rest = nums[3:]
        for ymd in date_orders:
            if not rest:
                out.append(ymd)
            elif len(rest) >= 1:
                h = rest[0]
                mi = rest[1] if len(rest) > 1 else 0
                hours = {h}
                if "pm" in text.lower() or "p.m." in text.lower():
                    hours = {h % 12 + 12}
                elif "am" in text.lower() or "a.m." in text.lower():
                    hours = {h % 12}
                out.extend((*ymd, hh, mi) for hh in hours)
    return out


_PIECES = st.sampled_from(["2026", "1979", "79", "11", "30", "02", "2", "13", "0", "29", "12", "31",
                           "-", "/", ":", " ", "t", "pm", "am", "a.m.", "now", "today", "x", "."])


@given(st.one_of(st.lists(_PIECES, max_size=10).map("".join), st.text(max_size=20)))
def test_any_text_is_read_as_meant_or_refused(text: str) -> None:
    for kind in ("date", "datetime"):
        try:
            value = parse_date(text, today=TODAY) if kind == "date" else parse_datetime(text, now=NOW)
        except DateTextError as refused:
            assert str(refused)
            continue
        if value is None:
            assert not text.strip()
            continue
        if text.strip().lower() in ("now", "today"):
            continue
        if isinstance(value, dt.datetime):
            got: tuple[int, ...] = (value.year, value.month, value.day, value.hour, value.minute)
            assert parse_datetime(datetime_text(value), now=NOW) == value
        else:
            got = (value.year, value.month, value.day)
            assert parse_date(date_text(value), today=TODAY) == value
        if text.strip().lower().startswith("today"):
            assert got[3:] in [m[3:] for m in _meant("2026-12-03 " + text.strip()[5:])]
            continue
        assert got in _meant(text), (text, value)
