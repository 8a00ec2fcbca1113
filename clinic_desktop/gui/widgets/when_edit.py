"""The app's one date / date-and-time field: a line edit that takes typing (read by
:mod:`clinic_desktop.core.datetext`, never guessed), a calendar (the button in it, F4 or Alt+Down),
and its message right under it.

Three kinds:

* ``kind="date"`` — a date (``date_value()``: ``dt.date | None``): ``1979-11-30``, ``11/30/1979``,
  ``today``. Date of birth, consent dates, "last verified".
* ``kind="datetime"`` — a date and time of day (``datetime_value()``: aware, through the clinic's
  clock, or None): ``2026-12-02 10:56``, ``12/2/2026 2:05 pm``, ``now``. Last use, order start.
* ``kind="free"`` (the plan's appointments) — a date, a date and time, or any words the counselor
  types instead ("as agreed"); ``value()`` is ISO text for a date, else the words as typed.

    dob = WhenEdit("Date of birth", kind="date")
    stop = WhenEdit("Stop", kind="datetime", blank="until stopped")
    stop.datetime_value()  # None while blank; aware datetime once "2026-12-02 10:56" is typed
    stop.error()           # None, or why the text cannot be read ("02/30/2026: February ... no day 30")

The line edit (``when.line``) carries the accessible name (the label). With ``blank`` the empty
field means "not recorded" and shows ``blank`` as its placeholder; it takes typing like any line
edit and Tab always leaves it. Text that cannot be read is never replaced or turned into another
date: the message (FieldErrors' conventions: ``role="error"``, "<label> error", ``invalid`` on the
input) says what was understood, shown when the field is left (or ``check()``), cleared on typing;
the value reads as None and ``error()`` returns the message, so a Save refuses it. The only text
the field writes is a date the user picks on the calendar, ``set_*`` from the record, or "Now".

With ``past_is_error`` a date already gone shows a message under the field too; the text stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTime, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import clock, datetext
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.gui import resources_rc, theme  # noqa: F401 - registers :/icons
from clinic_desktop.gui.widgets.dialog_base import DialogSlot
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.local_time import from_wall, python_date, wall_now, wall_time

DEFAULT_TIME = QTime(9, 0)
KINDS = ("free", "date", "datetime")
_PLACEHOLDERS = {"free": "e.g. 2026-12-01 10:00, or as agreed",
                 "date": "e.g. 2026-12-02 or 12/02/2026",
                 "datetime": "e.g. 2026-12-02 14:05 or 12/2/2026 2:05 pm"}
_TIPS = {"free": "Type a date (2026-12-01 10:00 or 12/01/2026 10:00 am) or words such as "
                 "\u201cas agreed\u201d; F4 opens a calendar",
         "date": "Type a date: 2026-12-02, 12/02/2026 (month first) or \u201ctoday\u201d; F4 opens a calendar",
         "datetime": "Type a date and time: 2026-12-02 14:05, 12/2/2026 2:05 pm or \u201cnow\u201d; "
                     "F4 opens a calendar"}


def parse_when(text: str, now: dt.datetime | None = None) -> dt.datetime | dt.date | None:
    """A free field's date ("2026-12-01", "12/01/2026") or date and time ("2026-12-01 10:00",
    "12/1/2026 10:00 am", stored "2026-12-01T10:00:00") as a date or a naive datetime; None for
    anything else (words, a date that cannot be read exactly). Words such as "today" stay words."""
    text = text.strip()
    if not text[:1].isdigit():
        return None
    now = now or wall_now()
    for read in (lambda: datetext.parse_datetime(text, now=now), lambda: datetext.parse_date(text, today=now.date())):
        try:
            return read()
        except datetext.DateTextError:
            continue
    return None


def iso_when(when: dt.datetime | dt.date) -> str:
    """The stored form: "2026-12-01T10:00" or "2026-12-01"."""
    if isinstance(when, dt.datetime):
        return when.strftime("%Y-%m-%dT%H:%M")
    return when.isoformat()


def shown_when(when: dt.datetime | dt.date) -> str:
    """What the line edit shows: "2026-12-01 10:00" or "2026-12-01"."""
    if isinstance(when, dt.datetime):
        return datetext.datetime_text(when)
    return datetext.date_text(when)


class DatePopup(QDialog):
    """Choose a day on a month calendar and a time (or "Time not known yet"), by keyboard or mouse:
    arrows move the day, Page Up/Down the month, Tab goes to the time, Enter uses the date, Esc
    cancels. ``picked`` carries the date or datetime. ``kind`` as WhenEdit's: "date" has no time,
    "datetime" always one, "free" a time or "Time not known yet"."""

    picked = Signal(object)  # dt.date | dt.datetime

    def __init__(self, label: str, when: dt.datetime | dt.date | None, parent: QWidget | None = None,
                 *, kind: str = "free", today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{label} \u2014 choose a date")
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Date")
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Sunday)
        self.calendar.setMinimumSize(400, 260)  # room for the day names and six weeks
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time")
        self.no_time = QCheckBox("Time not known yet")
        self.no_time.setAccessibleName(self.no_time.text())
        self.no_time.toggled.connect(lambda on: self.time.setEnabled(not on))
        if isinstance(when, dt.datetime):
            self.calendar.setSelectedDate(QDate(when.year, when.month, when.day))
            self.time.setTime(QTime(when.hour, when.minute))
        elif isinstance(when, dt.date):
            self.calendar.setSelectedDate(QDate(when.year, when.month, when.day))
            self.time.setTime(DEFAULT_TIME)
            self.no_time.setChecked(True)
        else:
            day = today or wall_now().date()  # the clinic's today (core.clock), not the OS zone's
            self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
            self.time.setTime(DEFAULT_TIME)
        if kind == "date":
            self.no_time.setChecked(True)
        elif kind == "datetime":
            self.no_time.setChecked(False)
        buttons = QDialogButtonBox()
        self.use_button = buttons.addButton("Use this date", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.calendar.activated.connect(lambda _d: self.accept())  # Enter or a double-click on a day
        time_row = QHBoxLayout()
        caption = QLabel("Time")
        caption.setBuddy(self.time)
        time_row.addWidget(caption)
        time_row.addWidget(self.time)
        time_row.addWidget(self.no_time)
        time_row.addStretch(1)
        if kind == "date":
            caption.hide()
            self.time.hide()
        if kind != "free":
            self.no_time.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addLayout(time_row)
        layout.addWidget(buttons)
        self.calendar.setFocus()

    def value(self) -> dt.datetime | dt.date:
        day = python_date(self.calendar.selectedDate())
        if self.no_time.isChecked():
            return day
        t = self.time.time()
        return dt.datetime(day.year, day.month, day.day, t.hour(), t.minute())

    def accept(self) -> None:
        self.picked.emit(self.value())
        super().accept()


class WhenEdit(QWidget):
    """A date, a date and time, or (``kind="free"``) a date or free words, typed or picked on a
    calendar; see the module's docstring."""

    edited = Signal()

    def __init__(self, label: str | QWidget | None = None, *, kind: str = "free", blank: str | None = None,
                 past_is_error: bool = False, placeholder: str | None = None,
                 now: Callable[[], dt.datetime] | None = None, parent: QWidget | None = None) -> None:
        if isinstance(label, QWidget):  # made by a Designer form: WhenEdit(parent), set up later
            parent, label = label, None
        super().__init__(parent)
        self.label = ""
        self.kind = "free"
        self.blank: str | None = None
        self.past_is_error = past_is_error
        self._refusal: str | None = None
        #: The exact time "Now" or the record put in the field (seconds and all), with the text
        #: shown for it: read back until the user types in the field, as a QDateTimeEdit would.
        self._exact: tuple[str, dt.datetime] | None = None
        self._now = now or wall_now
        self._popups = DialogSlot()  # the calendar, when open
        self.line = QLineEdit()
        self.calendar_action = QAction(theme.icon("calendar"), "Choose a date (F4)", self)
        self.calendar_action.setToolTip("Choose a date (F4)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.line.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        self.setFocusProxy(self.line)
        self.errors = FieldErrors({"when": self.line}, clear_on_edit=False)
        #: A form's FieldErrors shows its messages for this field here too (one message line).
        self.own_errors = self.errors
        self.line.installEventFilter(self)
        self.line.textChanged.connect(self._text_changed)
        self.line.textEdited.connect(self._typed)
        self.line.editingFinished.connect(self.check)
        self.set_kind(kind, blank=blank, placeholder=placeholder)
        self.set_label(label or "")

    def set_label(self, label: str) -> None:
        """The field's name: the line edit's accessible name and the calendar's title."""
        self.label = label
        self.line.setAccessibleName(label)
        shown = self.errors.label("when")
        if shown is not None:
            shown.setAccessibleName(f"{label} error")

    def set_kind(self, kind: str, *, blank: str | None = None, placeholder: str | None = None) -> None:
        """What the field takes ("free", "date", "datetime"); ``blank``: the empty field is allowed
        and means "not recorded", shown as this placeholder."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        self.kind, self.blank = kind, blank
        self.line.setPlaceholderText(placeholder or blank or _PLACEHOLDERS[kind])
        self.line.setToolTip(_TIPS[kind] + (f"; leave it empty for \u201c{blank}\u201d" if blank else ""))

    # ---- value -----------------------------------------------------------------------------
    def text(self) -> str:
        return self.line.text()

    def is_blank(self) -> bool:
        return not self.line.text().strip()

    def _read(self) -> dt.datetime | dt.date | None:
        """The typed value (naive wall time for a date-time); raises DateTextError."""
        text = self.line.text()
        now = self._now()
        if self.kind == "date":
            return datetext.parse_date(text, today=now.date())
        if self.kind == "datetime":
            return datetext.parse_datetime(text, now=now)
        return parse_when(text, now)

    def error(self) -> str | None:
        """Why the text cannot be read (None when it can, or is blank)."""
        try:
            self._read()
        except datetext.DateTextError as exc:
            return str(exc)
        return None

    def read_date(self, key: str, *, required: str | None = None) -> dt.date | None:
        """The date for a service call: raises ValidationError({key: why}) when the text cannot
        be read, or (with ``required``, the message) when it is blank."""
        self._raise_unreadable(key, required)
        return self.date_value()

    def read_datetime(self, key: str, *, required: str | None = None) -> dt.datetime | None:
        """The aware date and time for a service call; raises as ``read_date``."""
        self._raise_unreadable(key, required)
        return self.datetime_value()

    def _raise_unreadable(self, key: str, required: str | None) -> None:
        message = self.error() or (required if required and self.is_blank() else None)
        if message:
            raise ValidationError({key: message})

    def when(self) -> dt.datetime | dt.date | None:
        """The date (or naive wall date and time) typed or picked; None for blank, words, or text
        that cannot be read."""
        try:
            return self._read()
        except datetext.DateTextError:
            return None

    def date_value(self) -> dt.date | None:
        """The date (a date-time field: its day); None when blank or unreadable (see ``error``)."""
        when = self.when()
        return when.date() if isinstance(when, dt.datetime) else when

    def datetime_value(self) -> dt.datetime | None:
        """The date and time as an aware time (the clinic's clock); None when blank or unreadable."""
        when = self.when()
        if not isinstance(when, dt.datetime):
            return None
        if self._exact is not None and self._exact[0] == self.line.text():
            return self._exact[1]
        return from_wall(when)

    def set_date(self, day: dt.date | None) -> None:
        self.line.setText(datetext.date_text(day) if day is not None else "")
        self.check()

    def set_datetime(self, when: dt.datetime | None) -> None:
        """Show an aware time in the clinic's wall time, to the minute (None: blank);
        ``datetime_value()`` gives it back exactly until the text is changed."""
        text = datetext.datetime_text(wall_time(when)) if when is not None else ""
        self._exact = (text, when) if when is not None else None
        self.line.setText(text)
        self.check()

    def set_now(self) -> None:
        if self.kind == "date":
            self.set_date(self._now().date())
        elif self._now is wall_now:
            self.set_datetime(clock.now())
        else:
            self.set_datetime(from_wall(self._now()))

    def value(self) -> str:
        """A free field's stored text: ISO for a date, anything else as typed (stripped)."""
        when = self.when()
        return iso_when(when) if when is not None else self.line.text().strip()

    def set_value(self, value: object) -> None:
        text = "" if value is None else str(value)
        when = parse_when(text, self._now())
        self.line.setText(shown_when(when) if when is not None else text)
        self.check()

    def is_past(self) -> bool:
        when = self.when()
        if when is None:
            return False
        now = self._now()
        return when < now if isinstance(when, dt.datetime) else when < now.date()

    def refuse(self, message: str | None) -> None:
        """A readable value the form still refuses (a last use in the future): shown under the
        field like a reading error, until ``refuse(None)``."""
        if message != self._refusal:
            self._refusal = message
            self.check()

    def check(self) -> str | None:
        """Show (or clear) the field's message; returns it."""
        message = (self.error() if self.kind != "free" else None) or self._refusal
        when = self.when()
        if message is None and self.past_is_error and when is not None and self.is_past():
            message = f"{datetext.written(when)} is in the past \u2014 check the date with the patient."
        if message:
            self.errors.set_error("when", message)
        else:
            self.errors.clear("when")
        return message

    def _typed(self, _text: str) -> None:
        self._exact = None  # typed: the value is what the text says
        # While typing, an unfinished date is not yet an error: the message waits for the field to
        # be left (editingFinished), but one already shown goes as soon as the text reads.
        if self.errors.message("when") is not None and (self.kind == "free" or self.error() is None):
            self.check()

    def _text_changed(self, _text: str) -> None:
        if self.kind == "free":
            self.check()
        self.edited.emit()

    # ---- calendar --------------------------------------------------------------------------
    def open_calendar(self) -> None:
        if self._popups.dialog is not None:
            return
        popup = DatePopup(self.label, self.when(), self, kind=self.kind, today=self._now().date())
        popup.picked.connect(self._picked)
        self._popups.open(popup, finished=lambda: self.line.setFocus(Qt.FocusReason.PopupFocusReason))
        popup.calendar.setFocus()

    def _picked(self, when: dt.datetime | dt.date) -> None:
        self.line.setText(shown_when(when))
        self.check()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier):
                self.open_calendar()
                return True
        return super().eventFilter(watched, event)
