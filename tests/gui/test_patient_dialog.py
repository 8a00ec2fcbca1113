"""Registering and correcting patients in the patient dialog, driven by keyboard and mouse.

Every patient here is invented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from clinic_desktop.core.services import patients
from clinic_desktop.gui.patient_dialog import CONFIRM_GUARD_MS, PatientDialog
from tests.gui.helpers import button, by_name, click, type_into

EXISTING = patients.PatientInput(
    mrn="C-900001", given_name="Marisol", family_name="Quintero-Vale",
    date_of_birth=dt.date(1984, 5, 6), sex="female", phone="(555) 201-3344",
)

LOOKALIKE = {"given": "Marisol", "family": "Quintero Vale", "born": "1984-05-06", "sex": "F"}


@pytest.fixture
def open_dialog(qtbot, db, nurse):
    def make(patient=None) -> PatientDialog:
        dialog = PatientDialog(db, nurse, patient=patient)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def line(dialog: QWidget, name: str) -> QLineEdit:
    return by_name(dialog, QLineEdit, name)


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an item by typing its first letters, as on a keyboard."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)


def fill_required(qtbot, dialog, *, given="Tobias", family="Wendecker", born="1979-11-23",
                  sex="Ma"):
    type_into(qtbot, line(dialog, "Given name"), given)
    type_into(qtbot, line(dialog, "Family name"), family)
    if born:
        type_into(qtbot, line(dialog, "Date of birth"), born)
    if sex:
        choose(qtbot, by_name(dialog, QComboBox, "Sex"), sex)


def error_label(dialog, field: str) -> QLabel:
    return by_name(dialog, QLabel, f"{field} error")


def test_every_input_is_named_after_its_label(open_dialog):
    dialog = open_dialog()
    named = {}
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = label_item.widget() if label_item else None
            if isinstance(label, QLabel) and label.buddy() is not None:
                named[label.text().replace("*", "").strip()] = label.buddy().accessibleName()
    assert named == {name: name for name in [
        "MRN", "Given name", "Family name", "Date of birth", "Sex", "Gender identity", "Pronouns",
        "Preferred language", "Phone", "Address", "Emergency contact name", "Relation",
        "Emergency contact phone"]}
    required = [lab.text() for lab in dialog.findChildren(QLabel) if lab.text().endswith("*")]
    assert required == ["MRN *", "Given name *", "Family name *", "Date of birth *", "Sex *"]
    assert by_name(dialog, QLabel, "Required fields").text() == "* required"


def test_new_patient_starts_with_a_suggested_mrn_and_a_blank_date_of_birth(open_dialog, db):
    dialog = open_dialog()
    assert dialog.windowTitle() == "New patient"
    assert line(dialog, "MRN").text() == patients.suggest_mrn(db) == "C-000001"
    born = line(dialog, "Date of birth")
    assert born.text() == "" and "11/30/1979" in born.placeholderText()
    assert dialog.date_of_birth() is None
    assert by_name(dialog, QComboBox, "Sex").currentIndex() == -1  # chosen, never a silent default
    assert by_name(dialog, QComboBox, "Preferred language").currentData() == "en"
    assert button(dialog, "Save").isDefault()


def test_registering_a_patient_by_keyboard(qtbot, db, nurse, open_dialog):
    dialog = open_dialog()
    fill_required(qtbot, dialog)
    type_into(qtbot, line(dialog, "Pronouns"), "he/him")
    choose(qtbot, by_name(dialog, QComboBox, "Preferred language"), "Sp")
    type_into(qtbot, line(dialog, "Phone"), "555 201 7788")
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Address"), "12 Alder Row\nSpringfield")
    type_into(qtbot, line(dialog, "Emergency contact name"), "Greta Wendecker")
    type_into(qtbot, line(dialog, "Relation"), "sister")
    phone = line(dialog, "Emergency contact phone")
    type_into(qtbot, phone, "555-201-9911")

    with qtbot.waitSignal(dialog.patient_saved, timeout=5000) as saved:
        qtbot.keyClick(phone, Qt.Key.Key_Return)  # Enter = Save
    assert dialog.result() == PatientDialog.DialogCode.Accepted
    view = dialog.saved_patient
    assert saved.args == [view.id]
    assert (view.mrn, view.given_name, view.family_name) == ("C-000001", "Tobias", "Wendecker")
    assert view.date_of_birth == dt.date(1979, 11, 23)
    assert (view.sex, view.preferred_language) == ("male", "es")
    assert view.pronouns == "he/him" and view.phone == "(555) 201-7788"
    assert view.address == "12 Alder Row\nSpringfield"
    assert view.emergency_contact_name == "Greta Wendecker"
    assert view.emergency_contact_relation == "sister"
    hits = patients.search(db, nurse, "wendecker")
    assert [(h.id, h.mrn) for h in hits] == [(view.id, "C-000001")]


def test_escape_cancels_without_saving(qtbot, db, nurse, open_dialog):
    dialog = open_dialog()
    fill_required(qtbot, dialog)
    with qtbot.assertNotEmitted(dialog.patient_saved):
        qtbot.keyClick(line(dialog, "Family name"), Qt.Key.Key_Escape)
    assert dialog.result() == PatientDialog.DialogCode.Rejected
    assert patients.search(db, nurse, "wendecker") == []


def test_a_missing_required_field_is_shown_next_to_it_and_nothing_is_lost(qtbot, db, nurse,
                                                                           open_dialog):
    dialog = open_dialog()
    fill_required(qtbot, dialog, family="")
    type_into(qtbot, line(dialog, "Phone"), "555 201 7788")
    with qtbot.assertNotEmitted(dialog.patient_saved):
        click(qtbot, button(dialog, "Save"))

    error = error_label(dialog, "Family name")
    assert error.isVisible() and error.text() == "Enter the family name."
    family = line(dialog, "Family name")
    assert dialog.focusWidget() is family
    assert family.accessibleDescription() == "Enter the family name."
    # The row under the field: the message sits right below the family name.
    def top(widget):
        return widget.mapTo(dialog, widget.rect().topLeft()).y()

    assert 0 < top(error) - top(family) < 60
    assert dialog.isVisible()
    assert line(dialog, "Given name").text() == "Tobias"
    assert dialog.date_of_birth() == dt.date(1979, 11, 23)
    assert by_name(dialog, QComboBox, "Sex").currentData() == "male"
    assert line(dialog, "Phone").text() == "555 201 7788"
    assert patients.search(db, nurse, "tobias") == []

    type_into(qtbot, family, "Wendecker")  # typing clears the message; now it saves
    assert not error.isVisible()
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))


def test_a_missing_date_of_birth_and_sex_are_refused(qtbot, open_dialog):
    dialog = open_dialog()
    fill_required(qtbot, dialog, born="", sex="")
    click(qtbot, button(dialog, "Save"))
    assert error_label(dialog, "Date of birth").text() == "Enter the date of birth."
    assert "Choose the sex" in error_label(dialog, "Sex").text()
    assert dialog.focusWidget() is line(dialog, "Date of birth")  # the first bad one


def test_a_bad_phone_number_is_refused(qtbot, db, nurse, open_dialog):
    dialog = open_dialog()
    fill_required(qtbot, dialog)
    type_into(qtbot, line(dialog, "Phone"), "12")
    with qtbot.assertNotEmitted(dialog.patient_saved):
        click(qtbot, button(dialog, "Save"))
    error = error_label(dialog, "Phone")
    assert error.isVisible() and "number of digits" in error.text()
    assert line(dialog, "Phone").text() == "12"
    assert patients.search(db, nurse, "wendecker") == []


def test_possible_duplicate_is_shown_and_needs_save_anyway(qtbot, db, nurse, open_dialog):
    first = patients.register(db, nurse, EXISTING)
    dialog = open_dialog()
    panel = by_name(dialog, QFrame, "Possible duplicate")
    fill_required(qtbot, dialog, **LOOKALIKE)

    qtbot.waitUntil(panel.isVisible, timeout=3000)  # live, shortly after the typing stops
    matches = by_name(dialog, QLabel, "Possible duplicate matches").text()
    assert matches == "Quintero-Vale, Marisol — MRN C-900001, born 1984-05-06 (100% similar)"

    save = button(dialog, "Save")
    with qtbot.assertNotEmitted(dialog.patient_saved):
        click(qtbot, save)  # the first press only asks
        assert save.text() == "Save anyway"
        click(qtbot, save)  # a double click is not a decision
    assert dialog.isVisible()
    assert [p.id for p in patients.possible_duplicates(db, nurse, "Marisol", "Quintero Vale",
                                                       dt.date(1984, 5, 6))] == [first.id]

    qtbot.wait(CONFIRM_GUARD_MS + 100)
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000):
        click(qtbot, save)  # the deliberate second press
    assert dialog.saved_patient.id != first.id
    assert len(patients.search(db, nurse, "1984-05-06")) == 2


def test_changing_the_name_after_the_warning_asks_again(qtbot, db, nurse, open_dialog):
    patients.register(db, nurse, EXISTING)
    dialog = open_dialog()
    fill_required(qtbot, dialog, **LOOKALIKE)
    save = button(dialog, "Save")
    click(qtbot, save)
    assert save.text() == "Save anyway"
    type_into(qtbot, line(dialog, "Given name"), "a")
    assert save.text() == "Save"


def test_no_warning_for_a_different_date_of_birth(qtbot, db, nurse, open_dialog):
    patients.register(db, nurse, EXISTING)
    dialog = open_dialog()
    fill_required(qtbot, dialog, **{**LOOKALIKE, "born": "1984-05-07"})
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000):
        click(qtbot, button(dialog, "Save"))
    assert not by_name(dialog, QFrame, "Possible duplicate").isVisible()


def test_correcting_a_patient(qtbot, db, nurse, open_dialog):
    view = patients.register(db, nurse, EXISTING)
    dialog = open_dialog(view)
    assert dialog.windowTitle() == "Edit patient — Quintero-Vale, Marisol"
    assert line(dialog, "MRN").text() == "C-900001"
    assert dialog.date_of_birth() == dt.date(1984, 5, 6)
    assert by_name(dialog, QComboBox, "Sex").currentData() == "female"
    type_into(qtbot, line(dialog, "Pronouns"), "she/her")
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000) as saved:
        click(qtbot, button(dialog, "Save"))
    assert saved.args == [view.id]
    again = patients.open_record(db, nurse, view.id)
    assert again.pronouns == "she/her" and again.version == view.version + 1


def test_editing_a_stale_version_shows_the_conflict_and_keeps_the_typing(qtbot, db, admin, nurse,
                                                                          open_dialog):
    view = patients.register(db, nurse, EXISTING)
    dialog = open_dialog(view)
    # Meanwhile, another workstation corrects the phone number.
    corrected = dataclasses.replace(view.as_input(), phone="555-201-0000")
    other = patients.update(db, admin, view.id, view.version, corrected)

    type_into(qtbot, line(dialog, "Pronouns"), "she/her")
    with qtbot.assertNotEmitted(dialog.patient_saved):
        click(qtbot, button(dialog, "Save"))
    banner = by_name(dialog, QLabel, "Save error")
    assert banner.isVisible()
    assert "Ada Admin changed this patient's record" in banner.text()
    assert "not saved" in banner.text()
    assert dialog.isVisible() and dialog.saved_patient is None
    assert line(dialog, "Pronouns").text() == "she/her"
    stored = patients.open_record(db, nurse, view.id)
    assert stored.version == other.version
    assert (stored.phone, stored.pronouns) == ("(555) 201-0000", None)


def test_dialog_geometry_is_remembered(qtbot, open_dialog):
    dialog = open_dialog()
    dialog.resize(610, 660)
    qtbot.keyClick(line(dialog, "Given name"), Qt.Key.Key_Escape)
    assert PatientDialog.geometry_key() == "geometry/PatientDialog"
    again = open_dialog()
    assert (again.width(), again.height()) == (610, 660)


def test_typing_a_date_with_dashes_or_the_us_way(qtbot, open_dialog):
    dialog = open_dialog()
    born = line(dialog, "Date of birth")
    type_into(qtbot, born, "1984-05-06")
    assert dialog.date_of_birth() == dt.date(1984, 5, 6)
    type_into(qtbot, born, "11/30/1979", replace=True)  # how US staff write it: month first
    assert dialog.date_of_birth() == dt.date(1979, 11, 30)
    assert born.text() == "11/30/1979"  # what was typed stays as typed
    qtbot.keyClick(born, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(born, Qt.Key.Key_Delete)  # select all and delete: back to "not entered"
    assert dialog.date_of_birth() is None and born.text() == ""


@pytest.mark.parametrize(("typed", "says"), [
    ("11/30/79", "write the year in full"),
    ("02/30/1980", "February 1980 has no day 30"),
    ("13/01/1980", "no month 13"),
    ("19790102", "not a date"),
])
def test_a_date_of_birth_that_cannot_be_read_is_refused_never_guessed(qtbot, db, nurse, open_dialog,
                                                                     typed, says):
    dialog = open_dialog()
    fill_required(qtbot, dialog, born=typed)
    born = line(dialog, "Date of birth")
    assert dialog.date_of_birth() is None  # not some other date
    click(qtbot, button(dialog, "Save"))
    assert says in error_label(dialog, "Date of birth").text()
    assert f"\u201c{typed}\u201d" in error_label(dialog, "Date of birth").text()  # what it read
    assert born.text() == typed  # the text is kept for correcting
    assert dialog.isVisible() and dialog.focusWidget() is born
    assert patients.search(db, nurse, "Wendecker") == []


def test_tab_walks_the_fields_in_layout_order(qtbot, open_dialog):
    dialog = open_dialog()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    line(dialog, "MRN").setFocus()
    seen = []
    for _ in range(13):
        widget = dialog.focusWidget()
        seen.append(widget.accessibleName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert seen == [
        "MRN", "Given name", "Family name", "Date of birth", "Sex", "Gender identity", "Pronouns",
        "Preferred language", "Phone", "Address", "Emergency contact name", "Relation",
        "Emergency contact phone"]
    assert dialog.focusWidget() is button(dialog, "Save")
