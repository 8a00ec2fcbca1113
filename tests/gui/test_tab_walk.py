"""Tab always moves on: walked by keyboard through every intake section, the New order dialog and
the New patient dialog, no widget keeps the focus after Tab, and the walk goes round the window
(reaching the last inputs, the date fields included). A blank date field ("Not recorded",
"until stopped") takes typing and lets Tab go."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QRadioButton,
    QWidget,
)

from clinic_desktop.core import clock
from clinic_desktop.core.services import patients
from clinic_desktop.gui.patient_dialog import PatientDialog
from tests.conftest import make_user
from tests.factories import sign_intake
from tests.gui.helpers import (
    button,
    by_name,
    go,
    open_dialog,
    open_mar,
    start_assessment,
)

LIMIT = 400  # presses: far more than any window here has inputs


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="T-1", given_name="Tab", family_name="Walker", date_of_birth=dt.date(1985, 7, 8), sex="unknown"))


def _label(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    return f"{type(widget).__name__} {widget.accessibleName() or widget.objectName()!r}"


def tab_round(qtbot, window: QWidget, start: QWidget) -> list[QWidget]:
    """Press Tab from ``start`` until the focus comes back to it; every press must move the focus
    and stay in ``window``'s window (the main window, for a screen in a patient's tab).
    Returns the widgets visited, in order."""
    window = window.window()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    visited: list[QWidget] = []
    current = start
    for _ in range(LIMIT):
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        moved = QApplication.focusWidget()
        assert moved is not None and moved is not current, f"Tab stayed on {_label(current)}"
        assert window.isAncestorOf(moved) or moved is window, f"Tab left the window for {_label(moved)}"
        if moved is start:
            return visited
        visited.append(moved)
        current = moved
    raise AssertionError(f"Tab never came back to {_label(start)}: {[_label(w) for w in visited[-10:]]}")


def names(widgets: list[QWidget]) -> list[str]:
    return [w.accessibleName() for w in widgets]


def reachable_inputs(page: QWidget) -> set[str]:
    """The named inputs on ``page`` a nurse can Tab to (visible, enabled, taking Tab focus; a
    radio group is entered at one button, so radio buttons are left out)."""
    out = set()
    for w in page.findChildren(QWidget):
        if not (w.isVisible() and w.isEnabled() and w.accessibleName()):
            continue
        if isinstance(w, QRadioButton) or w.focusProxy() is not None:
            continue
        if w.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            out.add(w.accessibleName())
    return out


def test_tab_walks_every_intake_section_and_never_sticks(qtbot, window, db, nurse, patient):
    screen = start_assessment(qtbot, window, "T-1")
    sections = by_name(screen, QListWidget, "Sections")
    assert isinstance(sections, QListWidget)
    labels = [sections.item(i).text().split("  ", 1)[-1] for i in range(sections.count())]
    assert len(labels) >= 5
    for label in labels:
        go(screen, label)
        page = screen.pages.currentWidget()
        visited = tab_round(qtbot, screen, sections)
        missing = reachable_inputs(page) - set(names(visited))
        assert not missing, f"{label}: Tab never reached {sorted(missing)}; went {[_label(w) for w in visited]}"
    go(screen, "Substance use")
    visited = names(tab_round(qtbot, screen, sections))
    assert "Last use 1" in visited and "Last overdose date" in visited
    assert {"Last use 1", "Last use 1: now", "Last overdose date", "Naloxone at home"} <= set(visited)

    # The tester's blank "Last use 1": typing goes in as typed and is read; Tab leaves it.
    last_use = by_name(screen, QLineEdit, "Last use 1")
    assert isinstance(last_use, QLineEdit)
    assert last_use.text() == "" and last_use.placeholderText() == "Not recorded"
    when = clock.local(clock.now() - dt.timedelta(hours=3)).replace(tzinfo=None, second=0, microsecond=0)
    last_use.setFocus()
    qtbot.keyClicks(last_use, when.strftime("%Y-%m-%d %H:%M"))
    assert last_use.text() == when.strftime("%Y-%m-%d %H:%M")
    qtbot.keyClick(last_use, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not last_use
    row = screen.draft_data()["substances"]["rows"][0]
    assert row["last_use"] == clock.from_local(when).isoformat(timespec="minutes")
    screen.reject()


def test_tab_walks_the_new_order_dialog_and_a_blank_stop_takes_typing(qtbot, db, admin, nurse, patient):
    sign_intake(db, nurse, patient)
    prescriber = make_user(db, admin, "prescriber")
    screen = open_mar(qtbot, db, prescriber, patient)
    qtbot.mouseClick(button(screen, "New order\u2026"), Qt.MouseButton.LeftButton)
    dialog = open_dialog(screen.mar_panel)
    assert dialog is not None
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    medication = by_name(dialog, QComboBox, "Medication")
    visited = names(tab_round(qtbot, dialog, medication))
    assert visited.index("Instructions") > visited.index("Stop") > visited.index("Start")
    missing = reachable_inputs(dialog) - set(visited) - {"Medication"}
    assert not missing, f"Tab never reached {sorted(missing)}"

    stop = by_name(dialog, QLineEdit, "Stop")
    assert isinstance(stop, QLineEdit)
    assert stop.text() == "" and stop.placeholderText() == "until stopped"
    assert dialog.stop_time() is None
    stop.setFocus()
    qtbot.keyClicks(stop, "12/2/2036 2:05 pm")
    assert stop.text() == "12/2/2036 2:05 pm"
    qtbot.keyClick(stop, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not stop
    assert dialog.stop_time() == clock.from_local(dt.datetime(2036, 12, 2, 14, 5))
    dialog.reject()


def test_tab_walks_the_new_patient_dialog(qtbot, db, nurse):
    dialog = PatientDialog(db, nurse)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    mrn = by_name(dialog, QLineEdit, "MRN")
    visited = names(tab_round(qtbot, dialog, mrn))
    assert visited.index("Emergency contact phone") > visited.index("Sex") > visited.index("Date of birth")
    missing = reachable_inputs(dialog) - set(visited) - {"MRN"}
    assert not missing, f"Tab never reached {sorted(missing)}"
