"""Dates and times as staff type them, read exactly or refused — never guessed.

    parse_date("11/30/1979", today=...)            -> date(1979, 11, 30)
    parse_datetime("2026-12-02 2:05 pm", now=...)  -> datetime(2026, 12, 2, 14, 5)   (naive, local wall)
    parse_date("", today=...)                      -> None  (blank: the caller decides if that is allowed)
    parse_date("11/30/79", today=...)              -> DateTextError("… write the year in full …")

Accepted:

* a date as ``yyyy-mm-dd`` (ISO) or ``mm/dd/yyyy`` / ``m/d/yyyy`` (US order: month first), or the
  words ``today`` / ``now``;
* for a date-time, the date then a time: 24-hour ``14:05`` (``14:05:00`` too: seconds are only
  accepted when zero), or 12-hour ``2:05 pm``, ``2:05PM``, ``2 pm``, ``2:05 a.m.``; ISO's ``T``
  between them (``2026-12-02T14:05``); or ``now`` alone.

Refused, with a message that says what was understood and why: a two-digit year, a day or month
that does not exist (02/30/2024, 13/01/2020), a 12-hour time out of range (13:00 pm, 0:30 am),
a date-time without a time (or a date with one), and anything else. No Qt here (core).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DATE_EXAMPLE = "2026-12-02 or 12/02/2026"
DATETIME_EXAMPLE = "2026-12-02 14:05 or 12/02/2026 2:05 pm"

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]+)", re.ASCII)
_SHORT_YEAR_ISO = re.compile(r"([0-9]{1,3})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_TIME_24 = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", re.ASCII)
_TIME_12 = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)", re.ASCII)
_SPLIT = re.compile(r"^(\S+?)(?:(?:\s+|t)(.*))?$", re.ASCII)


class DateTextError(ValueError):
    """Typed text that is not a date (or date and time) this module can read without guessing;
    ``str(error)`` is the message for the field."""


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int


def date_text(day: dt.date) -> str:
    """The one way a date is written back into a field: ``2026-12-02``."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def datetime_text(when: dt.datetime) -> str:
    """The one way a date-time is written back into a field: ``2026-12-02 14:05``."""
    return f"{date_text(when.date())} {when.hour:02d}:{when.minute:02d}"


def written(when: dt.date) -> str:
    """A date (and time) spelled out so nobody misreads the order: ``30 November 1979, 14:05``."""
    day = when.date() if isinstance(when, dt.datetime) else when
    out = f"{day.day} {day:%B} {day.year:04d}"
    return f"{out}, {when.hour:02d}:{when.minute:02d}" if isinstance(when, dt.datetime) else out


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _day(y: int, m: int, d: int, shown: str) -> dt.date:
    if y < 1:
        raise DateTextError(f"\u201c{shown}\u201d: there is no year {y}.")
    if not 1 <= m <= 12:
        raise DateTextError(f"\u201c{shown}\u201d: there is no month {m} (months go 1 to 12, and "
                            f"dates are month/day/year or year-month-day).")
    try:
        return dt.date(y, m, d)
    except ValueError:
        month = dt.date(y, m, 1)
        raise DateTextError(f"\u201c{shown}\u201d: {month:%B} {y:04d} has no day {d}.") from None


def _read_date(part: str, shown: str, today: dt.date) -> dt.date:
    if part == "today":
        return today
    if m := _ISO.fullmatch(part):
        y, mo, d = (int(g) for g in m.groups())
        return _day(y, mo, d, shown)
    if m := _US.fullmatch(part):
        mo, d = int(m.group(1)), int(m.group(2))
        year = m.group(3)
        if len(year) != 4:
            raise DateTextError(f"\u201c{shown}\u201d: write the year in full (e.g. {mo}/{d}/19{year[-2:]:0>2} "
                                f"or {mo}/{d}/20{year[-2:]:0>2}) \u2014 a short year is not guessed.")
        return _day(int(year), mo, d, shown)
    if _SHORT_YEAR_ISO.fullmatch(part):
        raise DateTextError(f"\u201c{shown}\u201d: write the year in full, with four digits "
                            f"(e.g. 2026-12-02).")
    raise DateTextError(f"\u201c{shown}\u201d is not a date this field can read; type e.g. {DATE_EXAMPLE}.")


def _read_time(part: str, shown: str) -> _Time:
    if m := _TIME_24.fullmatch(part):
        h, mi = int(m.group(1)), int(m.group(2))
        seconds = m.group(3)
        if seconds is not None and int(seconds) != 0:
            raise DateTextError(f"\u201c{shown}\u201d: give the time to the minute (e.g. {h:02d}:{mi:02d}).")
        if h > 23 or mi > 59:
            raise DateTextError(f"\u201c{shown}\u201d: {h}:{mi:02d} is not a time of day "
                                f"(00:00 to 23:59, or e.g. 2:05 pm).")
        return _Time(h, mi)
    if m := _TIME_12.fullmatch(part):
        h = int(m.group(1))
        mi = int(m.group(2)) if m.group(2) is not None else 0
        pm = m.group(3).startswith("p")
        if not 1 <= h <= 12 or mi > 59:
            raise DateTextError(f"\u201c{shown}\u201d: {m.group(0)} is not a 12-hour time (1:00 to 12:59 "
                                f"with am or pm, or 24-hour time such as 14:05 without am/pm).")
        return _Time(h % 12 + (12 if pm else 0), mi)
    raise DateTextError(f"\u201c{shown}\u201d: \u201c{part}\u201d is not a time this field can read; "
                        f"type e.g. 14:05 or 2:05 pm.")


def _split(text: str) -> tuple[str, str | None]:
    m = _SPLIT.fullmatch(text)
    if m is None:  # pragma: no cover - the pattern matches any non-empty text without newlines
        return text, None
    rest = m.group(2)
    return m.group(1), (rest.strip() or None) if rest is not None else None


def parse_date(text: str, *, today: dt.date) -> dt.date | None:
    """A typed date; None when blank. Raises :class:`DateTextError` for anything it cannot read
    exactly (including a date with a time: this field has none)."""
    shown = " ".join(text.split())
    norm = _normal(text)
    if not norm:
        return None
    if norm == "now":
        return today
    date_part, time_part = _split(norm)
    day = _read_date(date_part, shown, today)
    if time_part is not None:
        raise DateTextError(f"\u201c{shown}\u201d: this field takes a date only ({written(day)}); "
                            f"leave out the time.")
    return day


def parse_datetime(text: str, *, now: dt.datetime) -> dt.datetime | None:
    """A typed date and time (naive, as typed: the clinic's wall time); None when blank.
    ``now`` is the wall time "now" stands for (truncated to the minute). Raises
    :class:`DateTextError` for anything it cannot read exactly (including a date without a time)."""
    shown = " ".join(text.split())
    norm = _normal(text)
    if not norm:
        return None
    if norm == "now":
        return now.replace(second=0, microsecond=0, tzinfo=None)
    date_part, time_part = _split(norm)
    day = _read_date(date_part, shown, now.date())
    if time_part is None:
        raise DateTextError(f"\u201c{shown}\u201d: {written(day)} \u2014 at what time? Add it, "
                            f"e.g. {date_text(day)} 14:05.")
    t = _read_time(time_part, shown)
    return dt.datetime(day.year, day.month, day.day, t.hour, t.minute)
