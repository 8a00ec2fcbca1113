"""Date-time fields in the clinic's time: the one way an aware time goes into a date field
(:class:`~clinic_desktop.gui.widgets.when_edit.WhenEdit`) and comes back out, through
:mod:`clinic_desktop.core.clock`, so the field and the record agree on the zone, ``TZ`` included."""

from __future__ import annotations

import datetime as dt
from typing import cast

from PySide6.QtCore import QDate

from clinic_desktop.core import clock


# PySide6's stubs say toPython() returns object; it returns a date for a QDate. This says so
# once, for the type checker.
def python_date(value: QDate) -> dt.date:
    """``value.toPython()``: the date it holds."""
    return cast(dt.date, value.toPython())


def wall_time(when: dt.datetime) -> dt.datetime:
    """``when`` (aware) as the clinic's wall time, naive, to the minute: what a date-time field
    shows."""
    return clock.local(when).replace(tzinfo=None, second=0, microsecond=0)


def wall_now() -> dt.datetime:
    """Now, as a date-time field shows it (naive wall time, to the minute)."""
    return wall_time(clock.now())


def from_wall(wall: dt.datetime) -> dt.datetime:
    """What a date-time field holds (the clinic's naive wall time) as an aware time."""
    return clock.from_local(wall)
