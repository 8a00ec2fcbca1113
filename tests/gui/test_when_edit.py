"""The one date field: typing read exactly (ISO or US month/day/year, 24- or 12-hour), a message
under the field that says what was understood, never another date; a blank-allowed field; the
calendar (F4) with or without a time."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.gui.widgets.when_edit import DatePopup, WhenEdit

NOW = dt.datetime(2026, 12, 3, 11, 7)


def shown(qtbot, kind: str, blank: str | None = None) -> tuple[QWidget, WhenEdit, QLineEdit]:
    host = QWidget()
    form = QFormLayout(host)
    field = WhenEdit("Field", kind=kind, blank=blank, now=lambda: NOW)
    after = QLineEdit()
    after.setAccessibleName("After")
    form.addRow("Field", field)
    form.addRow("After", after)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
    return host, field, after


def message(host: QWidget) -> str | None:
    found = [w for w in host.findChildren(QLabel) if w.accessibleName() == "Field error" and w.isVisible()]
    return found[0].text() if found else None


def type_and_leave(qtbot, field: WhenEdit, text: str) -> None:
    field.line.setFocus()
    qtbot.keyClick(field.line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.line, text)
    qtbot.keyClick(field.line, Qt.Key.Key_Tab)


def test_a_us_date_is_read_month_first_and_kept_as_typed(qtbot):
    host, field, after = shown(qtbot, "date")
    type_and_leave(qtbot, field, "11/30/1979")
    assert field.date_value() == dt.date(1979, 11, 30)
    assert field.line.text() == "11/30/1979" and message(host) is None
    assert QApplication.focusWidget() is after


@pytest.mark.parametrize(("typed", "says"), [
    ("11/30/79", "year in full"), ("02/30/2024", "February 2024 has no day 30"), ("13/01/2020", "no month 13")])
def test_a_date_that_cannot_be_read_is_refused_under_the_field(qtbot, typed, says):
    host, field, after = shown(qtbot, "date")
    field.line.setFocus()
    qtbot.keyClicks(field.line, typed)
    assert message(host) is None  # not while typing
    qtbot.keyClick(field.line, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after  # Tab still leaves
    assert says in (message(host) or "")
    assert field.date_value() is None and field.error() == message(host)
    assert field.line.text() == typed and field.line.property("invalid")
    # Corrected: the message goes as soon as the text reads.
    field.line.setFocus()
    qtbot.keyClick(field.line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.line, "1979-11-30")
    assert message(host) is None and field.date_value() == dt.date(1979, 11, 30)


def test_a_blank_date_time_field_takes_typing_and_lets_tab_go(qtbot):
    host, field, after = shown(qtbot, "datetime", blank="until stopped")
    assert field.line.placeholderText() == "until stopped" and field.datetime_value() is None
    field.line.setFocus()
    qtbot.keyClick(field.line, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is after and message(host) is None  # blank is allowed
    type_and_leave(qtbot, field, "12/2/2026 2:05 pm")
    assert field.line.text() == "12/2/2026 2:05 pm"
    assert field.datetime_value() == clock.from_local(dt.datetime(2026, 12, 2, 14, 5))
    type_and_leave(qtbot, field, "2026-12-02")
    assert "at what time" in (message(host) or "") and field.datetime_value() is None


def test_now_keeps_the_exact_time_until_the_text_changes(qtbot):
    _host, field, _after = shown(qtbot, "datetime")
    exact = dt.datetime(2026, 12, 3, 10, 56, 42, tzinfo=dt.UTC)
    field.set_datetime(exact)
    assert field.datetime_value() == exact
    type_and_leave(qtbot, field, field.line.text())  # typed again: what the text says, to the minute
    assert field.datetime_value() == exact.replace(second=0)


def test_the_calendar_of_a_date_field_has_no_time(qtbot):
    _host, field, _after = shown(qtbot, "date")
    field.line.setFocus()
    qtbot.keyClick(field.line, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: bool([d for d in field.findChildren(DatePopup) if d.isVisible()]))
    popup = next(d for d in field.findChildren(DatePopup) if d.isVisible())
    assert not popup.findChild(QTimeEdit).isVisible()
    assert not popup.findChild(QCheckBox).isVisible()
    qtbot.keyClick(popup.calendar, Qt.Key.Key_Return)
    assert field.line.text() == "2026-12-03" and field.date_value() == dt.date(2026, 12, 3)
