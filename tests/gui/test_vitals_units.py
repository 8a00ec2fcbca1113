"""Vitals units driven as a nurse would (issue #14): a US clinic types °F and lb, the database
keeps °C and kg, and the flowsheet shows both, the clinic's unit first; the administrator
chooses the units in Clinic settings, by default from the phone region."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTableView, QTextBrowser

from clinic_desktop.core import units
from clinic_desktop.core.services import intake, patients, settings, stabilization
from clinic_desktop.core.settings import LABELS
from clinic_desktop.gui.clinic_settings_dialog import ClinicSettingsDialog
from clinic_desktop.gui.intake_screen import IntakeScreen
from tests.factories import sign_intake, use_vitals_units
from tests.gui.helpers import (
    button,
    by_name,
    dialog_of,
    go,
    open_dialog,
    open_flowsheet,
    saved_data,
    shown_error,
    type_into,
)

UNITS = LABELS[units.SETTING]


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))


def flowsheet_rows(screen) -> list[list[str]]:
    model = by_name(screen, QTableView, "Flowsheet entries").model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def label_for(root, edit: QLineEdit) -> str:
    return next(label.text() for label in root.findChildren(QLabel) if label.buddy() is edit)


def newest_vitals(db, nurse, episode_id) -> dict:
    return next(e for e in stabilization.flowsheet(db, nurse, episode_id) if e.kind == "vitals").values


def test_a_us_clinic_records_vitals_in_fahrenheit_and_pounds(qtbot, window, db, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)  # the shipped region, US: °F and lb
    screen = open_flowsheet(qtbot, window)
    qtbot.mouseClick(button(screen, "Record vitals\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    temperature, weight = by_name(dialog, QLineEdit, "Temperature"), by_name(dialog, QLineEdit, "Weight")
    assert label_for(dialog, temperature) == "Temperature (\u00b0F)"
    assert label_for(dialog, weight) == "Weight (lb)"
    assert "\u00b0F" in temperature.toolTip() and "lb" in weight.toolTip()

    # The limits typed in °F, said in °F: the fever threshold is 100.4 °F (38.0 °C).
    type_into(qtbot, temperature, "100.4")
    assert not by_name(dialog, QLabel, "Temperature warning").isVisible()
    type_into(qtbot, temperature, "100.5", replace=True)
    assert by_name(dialog, QLabel, "Temperature warning").text() == (
        "\u26a0 Temperature 100.5 \u00b0F is high (above 100.4).")
    type_into(qtbot, temperature, "109.5", replace=True)
    assert shown_error(dialog, "Temperature") == "Temperature 109.5 \u00b0F is impossible; enter 86.0\u2013109.4."
    type_into(qtbot, weight, "4.4")
    assert shown_error(dialog, "Weight") == "Weight 4.4 lb is impossible; enter 4.5\u2013881.8."
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert open_dialog(screen) is dialog  # refused: nothing saved

    for name, value in (("Pulse", "88"), ("Systolic BP", "124"), ("Diastolic BP", "80"),
                        ("Temperature", "98.6"), ("Weight", "154")):
        type_into(qtbot, by_name(dialog, QLineEdit, name), value, replace=True)
    assert shown_error(dialog, "Temperature") is None and shown_error(dialog, "Weight") is None
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)

    stored = newest_vitals(db, nurse, episode_id)
    assert (stored["temperature_c"], stored["weight_kg"]) == (37.0, 69.853)  # °C and kg
    newest = flowsheet_rows(screen)[0]
    assert newest[2] == "P 88 \u00b7 BP 124/80 \u00b7 T 98.6 \u00b0F (37.0 \u00b0C) \u00b7 Wt 154.0 lb (69.9 kg)"

    # Correcting it shows what was typed, in °F and lb.
    by_name(screen, QTableView, "Flowsheet entries").selectRow(0)
    qtbot.mouseClick(button(screen, "Correct entry\u2026"), Qt.MouseButton.LeftButton)
    correcting = dialog_of(qtbot, screen)
    assert by_name(correcting, QLineEdit, "Temperature").text() == "98.6"
    assert by_name(correcting, QLineEdit, "Weight").text() == "154.0"
    correcting.reject()
    screen.reject()


def test_a_fever_typed_in_fahrenheit_is_warned_about_on_the_flowsheet_in_fahrenheit(qtbot, window, db, nurse,
                                                                                     patient):
    episode_id = sign_intake(db, nurse, patient)
    stabilization.record_vitals(db, nurse, episode_id, {"temperature_c": units.to_canonical(
        "temperature_c", 101.3, units.US)})
    screen = open_flowsheet(qtbot, window)
    newest = flowsheet_rows(screen)[0]
    assert newest[2] == "T 101.3 \u00b0F (38.5 \u00b0C)"
    assert newest[3] == "\u26a0 Temperature 101.3 \u00b0F is high (above 100.4)."
    screen.reject()


def test_a_metric_clinic_sees_celsius_first(qtbot, window, db, admin, nurse, patient):
    use_vitals_units(db, admin, units.METRIC)
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    baseline = next(r for r in flowsheet_rows(screen) if r[1] == "Vitals")
    assert "T 37.1 \u00b0C (98.8 \u00b0F)" in baseline[2] and "Wt 70.0 kg (154.3 lb)" in baseline[2]
    screen.reject()


def test_the_intake_takes_fahrenheit_and_pounds_and_keeps_celsius_and_kilograms(qtbot, db, nurse, patient):
    started = intake.start(db, nurse, patient.id)
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id), patient)
    qtbot.addWidget(screen)
    screen.show()
    go(screen, "Vitals")
    temperature, weight = by_name(screen, QLineEdit, "Temperature"), by_name(screen, QLineEdit, "Weight")
    # the unit in the label (the temperature is also marked required: " *")
    assert label_for(screen, temperature) == "Temperature (\u00b0F) *" and label_for(screen, weight) == "Weight (lb)"
    type_into(qtbot, weight, "44")  # 19.96 kg: below what the medication rules accept, said in lb
    assert shown_error(screen, "Weight") == "Weight 44 lb is outside 44.1\u2013661.3 lb."
    type_into(qtbot, weight, "154.4", replace=True)
    assert shown_error(screen, "Weight") is None
    type_into(qtbot, temperature, "98.6")
    assert screen.save_now()
    vitals = saved_data(db, nurse, screen)["vitals"]
    assert (vitals["temperature_c"], vitals["weight_kg"]) == (37.0, 70.035)
    assert screen.sections["vitals"].kept(vitals) == screen.sections["vitals"].read()
    screen.reject()

    again = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id), patient)
    qtbot.addWidget(again)
    again.show()
    go(again, "Vitals")
    assert by_name(again, QLineEdit, "Temperature").text() == "98.6"
    assert by_name(again, QLineEdit, "Weight").text() == "154.4"
    type_into(qtbot, by_name(again, QLineEdit, "Temperature"), "100.5", replace=True)  # a fever: flagged in °F
    go(again, "Summary")
    summary = by_name(again, QTextBrowser, "Summary").toPlainText()
    assert "100.5 \u00b0F (38.1 \u00b0C)" in summary and "154.4 lb (70.0 kg)" in summary
    assert "Temperature 100.5 \u00b0F is high (above 100.4)." in summary
    again.reject()


def open_settings(qtbot, db, admin) -> ClinicSettingsDialog:
    dialog = ClinicSettingsDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_administrator_chooses_the_units_by_default_from_the_region(qtbot, db, admin):
    dialog = open_settings(qtbot, db, admin)
    combo = by_name(dialog, QComboBox, UNITS)
    assert combo.currentData() == units.AUTO
    assert combo.currentText() == "From the phone region (\u00b0F and lb)"
    assert by_name(dialog, QLabel, f"{UNITS} default").text() == "default From the phone region"
    region = by_name(dialog, QComboBox, LABELS["phone_region"])
    region.setCurrentIndex(region.findData("CA"))
    assert combo.currentText() == "From the phone region (\u00b0C and kg)"
    combo.setCurrentIndex(combo.findData(units.US))
    with qtbot.waitSignal(dialog.settings_saved, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    stored = settings.get_all(db)
    assert (stored["phone_region"], stored[units.SETTING]) == ("CA", "us")
    assert units.clinic_system(stored) == units.US

    again = open_settings(qtbot, db, admin)
    assert by_name(again, QComboBox, UNITS).currentData() == units.US
    qtbot.mouseClick(button(again, "Restore defaults"), Qt.MouseButton.LeftButton)
    assert by_name(again, QComboBox, UNITS).currentData() == units.AUTO
    again.reject()
