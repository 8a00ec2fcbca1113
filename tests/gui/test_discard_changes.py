"""Nothing typed is lost by a key: a form dialog with changes asks "Discard changes?" on Escape,
Cancel or the window's close button — "Keep editing" the default (Enter) and the answer to
Escape, "Discard" (Alt+D) closes. A form without changes closes at once."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPlainTextEdit

from clinic_desktop.core.services import patients
from clinic_desktop.gui.directory_dialog import EntryDialog
from clinic_desktop.gui.entry_dialogs import ScoreDialog, VitalsDialog
from clinic_desktop.gui.intake_screen import AddendumDialog
from clinic_desktop.gui.patient_dialog import PatientDialog
from clinic_desktop.gui.patient_facts_dialog import PatientFactsDialog
from clinic_desktop.gui.plan.discharge_dialog import DischargeDialog
from tests.factories import sign_intake
from tests.gui.helpers import button, by_name, click, type_into


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="D-1", given_name="Dana", family_name="Draft", date_of_birth=dt.date(1990, 4, 5), sex="unknown"))


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def question(dialog) -> QMessageBox | None:
    """The "Discard changes?" question shown over ``dialog``, or None."""
    found = [b for b in dialog.findChildren(QMessageBox)
             if b.isVisible() and b.accessibleName() == "Discard changes?"]
    assert len(found) <= 1
    return found[0] if found else None


def asked(qtbot, dialog) -> QMessageBox:
    qtbot.waitUntil(lambda: question(dialog) is not None)
    box = question(dialog)
    assert box is not None
    qtbot.waitExposed(box)
    box.activateWindow()  # a window manager would: the question has the keyboard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box)
    return box


def answer(qtbot, dialog, box: QMessageBox, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(box, key, modifier)
    qtbot.waitUntil(lambda: question(dialog) is None)
    if dialog.isVisible():  # kept editing: the form has the keyboard again
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and QApplication.focusWidget() is not None)


@pytest.fixture
def cows(qtbot, db, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    return shown(qtbot, ScoreDialog(db, nurse, episode_id, "cows"))


def test_escape_on_a_cows_with_four_items_asks_and_keep_editing_keeps_them(qtbot, cows):
    for digit in "2112":
        qtbot.keyClick(QApplication.focusWidget(), digit)
    entered = cows.entry.items()
    assert len(entered) == 4

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    box = asked(qtbot, cows)
    assert box.text() == "Discard changes?"
    assert box.defaultButton() is button(box, "Keep editing")
    answer(qtbot, cows, box, Qt.Key.Key_Return)  # Enter = the default = keep editing
    assert cows.isVisible() and cows.entry.items() == entered

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    answer(qtbot, cows, asked(qtbot, cows), Qt.Key.Key_Escape)  # Escape on the question: keep editing
    assert cows.isVisible() and cows.entry.items() == entered

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    answer(qtbot, cows, asked(qtbot, cows), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Discard
    qtbot.waitUntil(lambda: not cows.isVisible())
    assert cows.result() == cows.DialogCode.Rejected


def test_an_untouched_cows_closes_on_escape_without_a_question(qtbot, cows):
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not cows.isVisible() and question(cows) is None


def test_a_filled_new_patient_asks_on_the_close_button_and_on_cancel(qtbot, db, nurse):
    dialog = shown(qtbot, PatientDialog(db, nurse))
    type_into(qtbot, by_name(dialog, QLineEdit, "Given name"), "Tobias")
    type_into(qtbot, by_name(dialog, QLineEdit, "Family name"), "Wendecker")

    dialog.close()  # the window's close button
    answer(qtbot, dialog, asked(qtbot, dialog), Qt.Key.Key_Return)
    assert dialog.isVisible() and by_name(dialog, QLineEdit, "Family name").text() == "Wendecker"

    click(qtbot, button(dialog, "Cancel"))
    answer(qtbot, dialog, asked(qtbot, dialog), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_an_untouched_new_patient_closes_at_once(qtbot, db, nurse):
    dialog = shown(qtbot, PatientDialog(db, nurse))
    dialog.close()
    assert not dialog.isVisible() and question(dialog) is None


FORMS = {  # the dialog, and the field typed into: its kind, name and text
    "vitals": (lambda db, user, ep: VitalsDialog(db, user, ep), QLineEdit, "Pulse", "88"),
    "patient facts": (lambda db, user, ep: PatientFactsDialog(db, user, ep), QLineEdit, "Weight", "72.5"),
    "directory entry": (lambda db, user, ep: EntryDialog(db, user), QLineEdit, "Name", "Harbor Recovery"),
    "addendum": (lambda db, user, ep: AddendumDialog(), QPlainTextEdit, "Correction", "Pulse 88, not 98"),
    "discharge": (lambda db, user, ep: DischargeDialog(), QLineEdit, "Discharge reason", "Transferred"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_other_forms_ask_before_discarding_and_close_at_once_when_untouched(qtbot, db, nurse, patient, form):
    make, kind, name, text = FORMS[form]
    episode_id = sign_intake(db, nurse, patient)
    untouched = shown(qtbot, make(db, nurse, episode_id))
    by_name(untouched, kind, name).setFocus()
    qtbot.keyClick(by_name(untouched, kind, name), Qt.Key.Key_Escape)
    assert not untouched.isVisible() and question(untouched) is None

    dialog = shown(qtbot, make(db, nurse, episode_id))
    field = by_name(dialog, kind, name)
    type_into(qtbot, field, text, replace=True)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    answer(qtbot, dialog, asked(qtbot, dialog), Qt.Key.Key_Escape)  # keep editing
    assert dialog.isVisible()
    assert (field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()) == text

    qtbot.keyClick(field, Qt.Key.Key_Escape)
    answer(qtbot, dialog, asked(qtbot, dialog), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
