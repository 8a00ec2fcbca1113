"""One local time for staff (#13 part 4): every time shown or typed goes through core.clock,
which honours the clinic's zone (``TZ``), never the OS zone of a bare ``astimezone()``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from clinic_desktop.core import clock

UTC = dt.UTC


def test_times_are_shown_in_the_clinics_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/Chicago")
    summer = dt.datetime(2026, 7, 1, 17, 5, tzinfo=UTC)
    assert clock.local_text(summer) == "12:05"
    assert clock.local_text(summer, "%Y-%m-%d %H:%M") == "2026-07-01 12:05"
    assert clock.local_text(None) == ""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert clock.local_text(summer) == "22:35"


def test_a_wall_time_typed_in_a_field_is_read_in_the_clinics_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/Chicago")
    noon = clock.from_local(dt.datetime(2026, 7, 1, 12, 0))
    assert noon == dt.datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    winter = clock.from_local(dt.datetime(2026, 1, 15, 12, 0))  # daylight saving is the zone's
    assert winter == dt.datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    aware = dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert clock.from_local(aware) is aware


def test_no_bare_astimezone_is_left_in_the_app():
    """A bare ``.astimezone()`` uses the OS zone: the second definition of local time."""
    package = Path(__file__).resolve().parents[2] / "clinic_desktop"
    bare = [f"{path.relative_to(package)}:{n}" for path in package.rglob("*.py")
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\.astimezone\(\)", line)]
    assert bare == []
