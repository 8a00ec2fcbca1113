"""The patient facts driven as a nurse would: recorded in the intake's medical section (a bad
value refused next to its field), then corrected by keyboard from the stabilization screen
(Patient facts…, Ctrl+Shift+I), with the one-line summary in the screen's header following."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit

from clinic_desktop.core import units
from clinic_desktop.core.services import intake, patient_facts, patients
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.patient_facts_dialog import PatientFactsDialog
from tests.conftest import make_user
from tests.factories import sign_intake, use_vitals_units
from tests.gui.helpers import (
    button,
    by_name,
    dialog_of,
    go,
    open_dialog,
    open_flowsheet,
    saved_data,
    type_into,
)

TODAY = dt.date.today()
QTC_ON = (TODAY - dt.timedelta(days=2)).isoformat()
FACTS = {"hepatic": "mild", "renal": "reduced", "egfr": 55, "qtc_ms": 430, "qtc_on": QTC_ON}


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))


def facts_line(screen) -> str:
    return by_name(screen, QLabel, "Patient facts").text()


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick a choice by keyboard: focus the box and type the start of the choice."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText().startswith(text)


def test_a_nurse_corrects_the_facts_by_keyboard_and_the_line_follows(qtbot, window, db, admin, nurse, patient):
    use_vitals_units(db, admin, units.METRIC)  # the weight typed in kg
    sign_intake(db, nurse, patient, medical=FACTS)
    screen = open_flowsheet(qtbot, window)
    assert facts_line(screen) == ("Weight 70.0 kg (154.3 lb) \u00b7 Hepatic: mild \u00b7 Renal: reduced (eGFR 55) \u00b7 "
                                  f"QTc 430 ms on {QTC_ON}")
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen.window())
    qtbot.keyClick(QApplication.focusWidget() or screen, Qt.Key.Key_I,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = dialog_of(qtbot, screen)
    assert isinstance(dialog, PatientFactsDialog) and dialog.windowTitle() == "Patient facts"
    assert QApplication.focusWidget() is by_name(dialog, QLineEdit, "Weight")
    assert by_name(dialog, QLabel, "Last changed").text().startswith("Last changed ")

    type_into(qtbot, QApplication.focusWidget(), "72.5", replace=True)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # to the unit
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # to hepatic impairment
    assert QApplication.focusWidget() is by_name(dialog, QComboBox, "Hepatic impairment")
    choose(qtbot, by_name(dialog, QComboBox, "Hepatic impairment"), "Moderate")
    choose(qtbot, by_name(dialog, QComboBox, "Renal function"), "Severe")
    type_into(qtbot, by_name(dialog, QLineEdit, "eGFR"), "25", replace=True)
    type_into(qtbot, by_name(dialog, QLineEdit, "Latest QTc"), "452", replace=True)
    us_date = f"{TODAY.month}/{TODAY.day}/{TODAY.year}"  # month first, as US staff write it
    type_into(qtbot, by_name(dialog, QLineEdit, "QTc date"), us_date, replace=True)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # to the pregnancy status, found during the stay
    assert QApplication.focusWidget() is by_name(dialog, QComboBox, "Pregnancy status")
    choose(qtbot, by_name(dialog, QComboBox, "Pregnancy status"), "Yes")
    with qtbot.waitSignal(dialog.saved, timeout=3000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: open_dialog(screen) is None)
    assert facts_line(screen) == ("Weight 72.5 kg (159.8 lb) \u00b7 Hepatic: moderate \u00b7 Renal: severe (eGFR 25) \u00b7 "
                                  f"QTc 452 ms on {TODAY.isoformat()} \u00b7 Pregnant")
    view = patient_facts.get(db, nurse, screen.episode.id)
    assert (view.version, view.weight_kg, view.qtc_ms, view.pregnancy, view.updated_by_name) == (
        2, 72.5, 452, "yes", nurse.full_name)
    screen.reject()


def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_saved(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient, medical=FACTS)
    screen = open_flowsheet(qtbot, window)
    before = facts_line(screen)
    qtbot.mouseClick(button(screen, "Patient facts\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    type_into(qtbot, by_name(dialog, QLineEdit, "Latest QTc"), "750", replace=True)
    error = by_name(dialog, QLabel, "Latest QTc error")
    assert error.isVisible() and error.text() == "QTc 750 ms is outside 300\u2013700 ms."  # as it is typed
    type_into(qtbot, by_name(dialog, QLineEdit, "QTc date"), "2999-01-01", replace=True)
    assert by_name(dialog, QLabel, "QTc date error").text() == "The QTc date cannot be in the future."
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert open_dialog(screen) is dialog and dialog.isVisible()  # refused; the typing is kept
    assert by_name(dialog, QLineEdit, "Latest QTc").text() == "750"
    assert patient_facts.get(db, nurse, screen.episode.id).version == 1
    type_into(qtbot, by_name(dialog, QLineEdit, "Latest QTc"), "480", replace=True)
    assert not error.isVisible()
    dialog.reject()
    assert facts_line(screen) == before
    screen.reject()


def test_weight_in_pounds_is_saved_in_kilograms(qtbot, window, db, admin, nurse, patient):
    use_vitals_units(db, admin, units.METRIC)  # shown in kg until lb is chosen
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    screen.edit_patient_facts()
    dialog = dialog_of(qtbot, screen)
    unit = by_name(dialog, QComboBox, "Weight unit")
    assert unit.currentText() == "kg" and by_name(dialog, QLineEdit, "Weight").text() == "70"
    choose(qtbot, unit, "lb")
    assert by_name(dialog, QLineEdit, "Weight").text() == "154.324"  # exactly the same 70 kg, in pounds
    type_into(qtbot, by_name(dialog, QLineEdit, "Weight"), "154", replace=True)
    assert by_name(dialog, QLabel, "Weight in kg").text() == "= 69.853 kg"
    with qtbot.waitSignal(dialog.saved, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert facts_line(screen).startswith("Weight 69.853 kg (154.0 lb) \u00b7 ")
    screen.reject()


def test_a_us_clinic_sees_and_types_the_weight_in_pounds(qtbot, window, db, nurse, patient):
    episode_id = sign_intake(db, nurse, patient, vitals={"weight_kg": units.to_canonical("weight_kg", 154.4,
                                                                                         units.US)})
    screen = open_flowsheet(qtbot, window)
    screen.edit_patient_facts()
    dialog = dialog_of(qtbot, screen)
    assert by_name(dialog, QComboBox, "Weight unit").currentText() == "lb"
    weight = by_name(dialog, QLineEdit, "Weight")
    assert weight.text() == "154.4"  # as typed at the intake
    type_into(qtbot, weight, "44", replace=True)  # 19.96 kg: refused, in the unit typed
    assert by_name(dialog, QLabel, "Weight error").text() == "Weight 44 lb is outside 44.1\u2013661.3 lb."
    type_into(qtbot, weight, "160.2", replace=True)
    assert not by_name(dialog, QLabel, "Weight error").isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert patient_facts.get(db, nurse, episode_id).weight_kg == 72.665
    assert facts_line(screen).startswith("Weight 160.2 lb (72.7 kg) \u00b7 ")  # the clinic's unit first
    screen.reject()


def test_a_save_from_another_workstation_first_is_a_conflict_with_the_typing_kept(qtbot, window, db, nurse,
                                                                                   patient, admin):
    episode_id = sign_intake(db, nurse, patient, medical=FACTS)
    screen = open_flowsheet(qtbot, window)
    screen.edit_patient_facts()
    dialog = dialog_of(qtbot, screen)
    other = make_user(db, admin, "prescriber", "drother")
    patient_facts.update(db, other, episode_id, 1, {"qtc_ms": 470})
    type_into(qtbot, by_name(dialog, QLineEdit, "Weight"), "80", replace=True)
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    general = by_name(dialog, QLabel, "Error")
    assert general.isVisible() and "saved this patient's facts" in general.text()
    assert by_name(dialog, QLineEdit, "Weight").text() == "80" and dialog.isVisible()
    dialog.reject()
    screen.reject()


def test_a_counselor_sees_the_facts_but_cannot_change_them(qtbot, db, admin, nurse, patient):
    from clinic_desktop.core.services import episodes
    from clinic_desktop.gui.stabilization_screen import StabilizationScreen

    episode_id = sign_intake(db, nurse, patient, medical=FACTS)
    counselor = make_user(db, admin, "counselor")
    screen = StabilizationScreen(db, counselor, episodes.current_episode(db, counselor, patient.id), patient)
    qtbot.addWidget(screen)
    screen.show()
    assert "QTc 430 ms" in facts_line(screen)
    screen.edit_patient_facts()
    dialog = dialog_of(qtbot, screen)
    assert by_name(dialog, QLineEdit, "Weight").isReadOnly()
    assert not by_name(dialog, QComboBox, "Hepatic impairment").isEnabled()
    assert not button(dialog, "Save").isVisible() and button(dialog, "Close").isVisible()
    dialog.reject()
    assert patient_facts.get(db, counselor, episode_id).version == 1
    screen.reject()


def test_the_intake_records_the_facts_and_refuses_a_bad_one_next_to_its_field(qtbot, db, admin, nurse,
                                                                             patient):
    use_vitals_units(db, admin, units.METRIC)  # the weight typed in kg
    started = intake.start(db, nurse, patient.id)
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id), patient)
    qtbot.addWidget(screen)
    screen.show()
    go(screen, "Medical and psychiatric")
    choose(qtbot, by_name(screen, QComboBox, "Hepatic impairment"), "Mild")
    type_into(qtbot, by_name(screen, QLineEdit, "Latest QTc"), "455")
    date_error = by_name(screen, QLabel, "QTc date error")
    assert date_error.isVisible() and date_error.text() == "Enter the date of this QTc."
    type_into(qtbot, by_name(screen, QLineEdit, "QTc date"), QTC_ON)
    assert not date_error.isVisible()
    type_into(qtbot, by_name(screen, QLineEdit, "eGFR"), "250")
    assert by_name(screen, QLabel, "eGFR error").text().startswith("eGFR 250 ")
    go(screen, "Vitals")
    type_into(qtbot, by_name(screen, QLineEdit, "Weight"), "15")
    weight_error = by_name(screen, QLabel, "Weight error")
    assert weight_error.isVisible() and weight_error.text() == "Weight 15 kg is outside 20\u2013300 kg."
    assert screen.save_now()
    medical = saved_data(db, nurse, screen)["medical"]
    assert (medical["hepatic"], medical["qtc_ms"], medical["qtc_on"], medical["egfr"]) == ("mild", 455, QTC_ON,
                                                                                          None)
    assert saved_data(db, nurse, screen)["vitals"]["weight_kg"] == 15  # kept, and named when signing
    assert "vitals.weight_kg" in {m.key for m in rules_missing(screen)}
    screen.reject()


def rules_missing(screen):
    from clinic_desktop.core import assessment as rules

    data = screen.draft_data()
    return rules.missing_to_sign(data, "methadone", dt.datetime.now(dt.UTC))
