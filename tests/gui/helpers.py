"""Finding and driving widgets as a nurse (or a screen reader) sees them: by accessible name."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QWidget,
)

from clinic_desktop.core import datetext
from clinic_desktop.core.services import intake
from clinic_desktop.gui.widgets.local_time import wall_time
from tests.conftest import STRONG_PASSWORD  # noqa: F401 - re-exported for the GUI tests

if TYPE_CHECKING:
    from clinic_desktop.gui.intake_screen import IntakeScreen
    from clinic_desktop.gui.main_window import MainWindow
    from clinic_desktop.gui.stabilization_screen import StabilizationScreen


def by_name(root: QWidget, qt_class: type[QWidget], accessible_name: str) -> QWidget:
    """The one ``qt_class`` widget under ``root`` whose accessible name is ``accessible_name``."""
    found = [w for w in root.findChildren(qt_class) if w.accessibleName() == accessible_name]
    assert len(found) == 1, f"{len(found)} {qt_class.__name__} named {accessible_name!r}"
    return found[0]


def named(root: QWidget, qt_class: type[QWidget], accessible_name: str) -> QWidget:
    """The first ``qt_class`` widget under ``root`` with that accessible name (several may share it,
    as a menu action's tool button and the action's other views do)."""
    found = [w for w in root.findChildren(qt_class) if w.accessibleName() == accessible_name]
    assert found, f"no {qt_class.__name__} named {accessible_name!r}"
    return found[0]


def window_name(window: QWidget) -> str:
    """What a screen reader calls a window: its accessible name, else its title without the
    app's name ("Users — Clinic Desktop" is "Users")."""
    return window.accessibleName() or window.windowTitle().removesuffix(" — Clinic Desktop")


def dialog_named(root: QWidget, name: str) -> QDialog | None:
    """The dialog shown over ``root`` that a screen reader calls ``name`` (or "``name`` — ...":
    "Stabilization" finds "Stabilization — Sam Example"), or None (also once it is closed)."""
    found = [d for d in root.findChildren(QDialog) if d.isVisible()
             and (window_name(d) == name or window_name(d).startswith(f"{name} \u2014 "))]
    assert len(found) <= 1, f"{len(found)} dialogs named {name!r}"
    return found[0] if found else None


def shown_dialog(qtbot, root: QWidget, name: str, timeout: int = 5000) -> QDialog:
    """The dialog named ``name`` over ``root``, once it is shown (within ``timeout`` ms: longer
    for one prepared off the GUI thread)."""
    qtbot.waitUntil(lambda: dialog_named(root, name) is not None, timeout=timeout)
    dialog = dialog_named(root, name)
    assert dialog is not None
    return dialog


def button(root: QWidget, text: str) -> QAbstractButton:
    """The one button under ``root`` named or labelled ``text`` (mnemonic ampersands ignored)."""
    found = [b for b in root.findChildren(QAbstractButton)
             if (b.accessibleName() or b.text().replace("&", "")) == text]
    assert len(found) == 1, f"{len(found)} buttons labelled {text!r}"
    return found[0]


def assert_gated(target, user, permission: str, ready: bool = True) -> None:
    """An action a role may not take is shown greyed out, its tooltip naming who may (README
    "Roles"): ``target`` (a QAction or a widget) is not hidden, usable iff ``user`` may and
    ``ready`` (the rest of its rule, e.g. a selection), and says who may when the role may not."""
    from PySide6.QtGui import QAction

    from clinic_desktop.core.permissions import who_may

    may = user.can(permission)
    assert target.isVisible() if isinstance(target, QAction) else not target.isHidden()
    assert target.isEnabled() == (may and ready), (user.role, permission, ready)
    assert (who_may(permission) in target.toolTip()) == (not may), target.toolTip()
    if isinstance(target, QAction) and not may:
        assert target.statusTip() == who_may(permission)


def type_into(qtbot, widget: QWidget, text: str, *, replace: bool = False) -> None:
    """Focus ``widget`` and type ``text``, as a person would; ``replace`` selects what is there
    first (Ctrl+A) so the typing replaces it."""
    widget.setFocus()
    if replace:
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for number, part in enumerate(text.split("\n")):
        if number:  # QTest cannot type "\n" as text: press Enter
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClicks(widget, part)


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# --- The intake screen --------------------------------------------------------------------------


def go(screen: IntakeScreen, section_label: str) -> None:
    """Show the intake section listed as ``section_label``."""
    sections = by_name(screen, QListWidget, "Sections")
    rows = [sections.item(i).text().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(rows.index(section_label))


def saved_data(db, nurse, screen: IntakeScreen) -> dict:
    """What the database holds for the screen's assessment: its autosaved (or signed) data."""
    return intake.assessment_for_episode(db, nurse, screen.assessment.episode_id).data


# --- The stabilization screen -------------------------------------------------------------------


def open_flowsheet(qtbot, window: MainWindow) -> StabilizationScreen:
    """Find patient S-1 from the main window and open their flowsheet from the toolbar."""
    from clinic_desktop.gui.stabilization_screen import StabilizationScreen  # imported late

    window.search_for("S-1")
    qtbot.mouseClick(named(window.ui.toolBar, QAbstractButton, "Flowsheet"), Qt.MouseButton.LeftButton)
    screen = dialog_named(window, "Stabilization")
    assert isinstance(screen, StabilizationScreen)
    qtbot.waitExposed(screen)
    return screen


def open_dialog(root: QWidget) -> QDialog | None:
    """The one dialog shown over ``root`` (the record, facts or order dialog a screen opened), or
    None."""
    found = [d for d in root.findChildren(QDialog) if d.isVisible()]
    assert len(found) <= 1, f"{len(found)} dialogs shown over {root.objectName() or root}"
    return found[0] if found else None


def dialog_of(qtbot, screen):
    """The dialog the screen has open, once it has the keyboard."""
    dialog = open_dialog(screen)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def wait_answered(qtbot, dialog, text: str, timeout: int = 10000) -> None:
    """After ``text`` (Sign, Finalize) was clicked in ``dialog``: wait until the work that runs off
    the GUI thread has answered (the dialog closed, or its button back on with the refusal)."""
    screen = dialog.parentWidget()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible()
                    or button(dialog, text).isEnabled(), timeout=timeout)
    closed = not shiboken6.isValid(dialog) or not dialog.isVisible()
    if closed and screen is not None:
        # Closed outside an input event, the offscreen platform activates no window (a window
        # manager would activate the screen under it): do what it would.
        screen.activateWindow()
        qtbot.waitUntil(screen.isActiveWindow, timeout=timeout)


def type_date(qtbot, root: QWidget, name: str, when: dt.date | dt.datetime | None) -> QLineEdit:
    """Type ``when`` into the date field named ``name`` as a nurse would (replacing what is there):
    a date as 2026-12-02, an aware time as the clinic's wall time 2026-12-02 14:05, None as
    nothing (a blank field); then leave the field (editingFinished)."""
    line = by_name(root, QLineEdit, name)
    assert isinstance(line, QLineEdit)
    if when is None:
        text = ""
    elif isinstance(when, dt.datetime):
        text = datetext.datetime_text(wall_time(when))
    else:
        text = datetext.date_text(when)
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(line, text)
    else:
        qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, Qt.Key.Key_Tab)  # leave it: a message, if any, shows now
    return line


def shown_error(root: QWidget, name: str) -> str | None:
    """The text of the visible message labelled "``name`` error" (None when none is shown)."""
    found = [w for w in root.findChildren(QLabel) if w.accessibleName() == f"{name} error" and w.isVisible()]
    assert len(found) <= 1
    return found[0].text() if found else None


def start_assessment(qtbot, window: MainWindow, search: str) -> IntakeScreen:
    """Patient → Start assessment for the patient ``search`` finds: the intake screen, active."""
    from clinic_desktop.gui.intake_screen import IntakeScreen

    window.search_for(search)
    qtbot.mouseClick(named(window.ui.toolBar, QAbstractButton, "Start assessment"),
                     Qt.MouseButton.LeftButton)
    screen = dialog_named(window, "Assessment")
    assert isinstance(screen, IntakeScreen)
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen.window())
    return screen


def open_mar(qtbot, db, user, patient) -> StabilizationScreen:
    """The patient's stabilization screen, shown at its Medications tab, as ``user``."""
    from clinic_desktop.core.services import episodes, patients
    from clinic_desktop.gui.stabilization_screen import StabilizationScreen

    screen = StabilizationScreen(db, user, episodes.current_episode(db, user, patient.id),
                                 patients.open_record(db, user, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    screen.tabs.setCurrentWidget(screen.medications_page)
    return screen


def open_plan_screen(qtbot, db, user, episode_id: int, patient):
    """The aftercare plan screen of ``episode_id`` (``patient``'s), as ``user``, shown and exposed."""
    from clinic_desktop.core.services import patients
    from clinic_desktop.gui.plan_screen import PlanScreen

    screen = PlanScreen(db, user, episode_id, patients.open_record(db, user, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    return screen
