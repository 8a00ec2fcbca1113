"""The clinic's clock: times are stored in UTC and shown, and scheduled, in local time.

Schedules ("08:00, 14:00, 20:00") need the local zone's daylight-saving rules, not just today's
offset, so the zone is an IANA zone: the workstation's (via tzlocal, also on Windows), or the
``TZ`` environment variable when set — tests and benchmarks pin it that way.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: An entry (a score, vitals, a dose) timed further in the past than this is back-dated: it needs
#: a reason and is marked as entered late.
BACKDATE_AFTER = dt.timedelta(hours=1)
#: Workstation clocks differ a little: a time this far ahead of now is still accepted.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def local_zone() -> dt.tzinfo:
    """The clinic's time zone (the workstation's); UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        import tzlocal

        return tzlocal.get_localzone()
    except Exception:  # noqa: BLE001 - an unknown zone must never stop the app
        return dt.UTC


def now() -> dt.datetime:
    """Now, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def local(when: dt.datetime) -> dt.datetime:
    """``when`` (aware) in the clinic's local time."""
    return when.astimezone(local_zone())


def local_text(when: dt.datetime | None, fmt: str = "%H:%M") -> str:
    """``when`` (aware) as staff read it, in the clinic's local time ("" for None): the one way a
    time is shown (never the OS zone of a bare ``astimezone()``, which ignores ``TZ`` once set)."""
    return local(when).strftime(fmt) if when is not None else ""


def from_local(wall: dt.datetime) -> dt.datetime:
    """A wall-clock time as a date-time field holds it (naive, the clinic's local time) as an
    aware time; an aware one is returned as it is."""
    return wall if wall.tzinfo is not None else wall.replace(tzinfo=local_zone())
