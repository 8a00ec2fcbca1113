"""An appointment's "when": a date and time picked from a calendar or typed, kept as ISO text, or
any words the counselor types instead ("as agreed", "call Monday to book").

    when = WhenEdit("Appointment", past_is_error=True)
    when.set_value("2026-12-01T10:00")   # shown as "2026-12-01 10:00"
    when.value()                         # "2026-12-01T10:00"; free text comes back as typed
    when.edited.connect(...)

The line edit (``when.line``, accessible name = the label) takes typing as it always did; the
calendar button in it, F4 or Alt+Down open ``DatePopup`` (a month calendar, a time, "Time not known
yet"), which fills the line with the chosen date. Typed dates ("2026-12-01 10:00",
"2026-12-01T10:00", "2026-12-01") are stored as ISO ("2026-12-01T10:00"), which the plan prints
written out; anything else is stored exactly as typed. Nothing typed is ever replaced, except by a
date the user picks.

With ``past_is_error`` a date already gone shows a red message under the field (FieldErrors'
conventions: ``role="error"``, "<label> error", ``invalid`` on the input); the text stays.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTime, Signal
from PySide6.QtGui import QAction, QIcon, QKeyEvent
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

from clinic_desktop.gui import resources_rc  # noqa: F401 - registers :/icons
from clinic_desktop.gui.widgets.dialog_base import DialogSlot
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.local_time import python_date

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
DEFAULT_TIME = QTime(9, 0)


def parse_when(text: str) -> dt.datetime | dt.date | None:
    """ISO date ("2026-12-01") or date and time ("2026-12-01T10:00", "2026-12-01 10:00", seconds
    ignored) as a date or a naive datetime; None for anything else (free text, a wrong date)."""
    text = text.strip()
    try:
        if m := _DATE_TIME.fullmatch(text):
            y, mo, d, h, mi = (int(g) for g in m.groups())
            return dt.datetime(y, mo, d, h, mi)
        if m := _DATE.fullmatch(text):
            return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
    return None


def iso_when(when: dt.datetime | dt.date) -> str:
    """The stored form: "2026-12-01T10:00" or "2026-12-01"."""
    if isinstance(when, dt.datetime):
        return when.strftime("%Y-%m-%dT%H:%M")
    return when.isoformat()


def shown_when(when: dt.datetime | dt.date) -> str:
    """What the line edit shows: "2026-12-01 10:00" or "2026-12-01"."""
    return iso_when(when).replace("T", " ")


def _written(when: dt.datetime | dt.date) -> str:
    day = when.date() if isinstance(when, dt.datetime) else when
    out = f"{day.day} {day:%B %Y}"
    return f"{out}, {when:%H:%M}" if isinstance(when, dt.datetime) else out


class DatePopup(QDialog):
    """Choose a day on a month calendar and a time (or "Time not known yet"), by keyboard or mouse:
    arrows move the day, Page Up/Down the month, Tab goes to the time, Enter uses the date, Esc
    cancels. ``picked`` carries the date or datetime."""

    picked = Signal(object)  # dt.date | dt.datetime

    def __init__(self, label: str, when: dt.datetime | dt.date | None, parent: QWidget | None = None) -> None:
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
            self.calendar.setSelectedDate(QDate.currentDate())
            self.time.setTime(DEFAULT_TIME)
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
    """A date and time (ISO text) or free words, with a calendar; see the module's docstring."""

    edited = Signal()

    def __init__(self, label: str, *, past_is_error: bool = False, placeholder: str | None = None,
                 now: Callable[[], dt.datetime] = dt.datetime.now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.past_is_error = past_is_error
        self._now = now
        self._popups = DialogSlot()  # the calendar, when open
        self.line = QLineEdit()
        self.line.setAccessibleName(label)
        self.line.setPlaceholderText(placeholder or "e.g. 2026-12-01 10:00, or as agreed")
        self.line.setToolTip("Type a date (YYYY-MM-DD HH:MM) or words such as \u201cas agreed\u201d; "
                             "F4 opens a calendar")
        self.calendar_action = QAction(QIcon(":/icons/calendar.svg"), "Choose a date (F4)", self)
        self.calendar_action.setToolTip("Choose a date (F4)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.line.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        self.setFocusProxy(self.line)
        self.errors = FieldErrors({"when": self.line}, clear_on_edit=False)
        self.line.installEventFilter(self)
        self.line.textChanged.connect(self._text_changed)

    # ---- value -----------------------------------------------------------------------------
    def text(self) -> str:
        return self.line.text()

    def when(self) -> dt.datetime | dt.date | None:
        """The date or date and time typed or picked; None for free text or nothing."""
        return parse_when(self.line.text())

    def value(self) -> str:
        """What to store: ISO text for a date, anything else as typed (stripped)."""
        when = self.when()
        return iso_when(when) if when is not None else self.line.text().strip()

    def set_value(self, value: object) -> None:
        text = "" if value is None else str(value)
        when = parse_when(text)
        self.line.setText(shown_when(when) if when is not None else text)
        self.check()

    def is_past(self) -> bool:
        when = self.when()
        if when is None:
            return False
        now = self._now()
        return when < now if isinstance(when, dt.datetime) else when < now.date()

    def check(self) -> str | None:
        """Show (or clear) the field's message; returns it."""
        message = None
        when = self.when()
        if self.past_is_error and when is not None and self.is_past():
            message = f"{_written(when)} is in the past \u2014 check the date with the patient."
        if message:
            self.errors.set_error("when", message)
        else:
            self.errors.clear("when")
        return message

    def _text_changed(self, _text: str) -> None:
        self.check()
        self.edited.emit()

    # ---- calendar --------------------------------------------------------------------------
    def open_calendar(self) -> None:
        if self._popups.dialog is not None:
            return
        popup = DatePopup(self.label, self.when(), self)
        popup.picked.connect(self._picked)
        self._popups.open(popup, finished=lambda: self.line.setFocus(Qt.FocusReason.PopupFocusReason))
        popup.calendar.setFocus()

    def _picked(self, when: dt.datetime | dt.date) -> None:
        self.line.setText(shown_when(when))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier):
                self.open_calendar()
                return True
        return super().eventFilter(watched, event)
