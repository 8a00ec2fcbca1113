"""Discharge… from the main window (Patient menu, any open stage), as the nurse at the station
when a patient leaves: why, the medication reconciliation (the plan's own rows), then the
overdose and crisis sheet; a counselor discharges without the reconciliation step."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton

from clinic_desktop.core.models import AftercarePlan
from clinic_desktop.core.services import audit, episodes, mar
from clinic_desktop.gui.pdf_preview import PdfPreview
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import (
    assert_gated,
    button,
    by_name,
    click,
    shown_dialog,
    type_date,
    type_into,
)


@pytest.fixture
def stabilizing(db, admin):
    """Rosa Díaz (P-1) in stabilization with a buprenorphine order and a dose given now."""
    episode_id, patient = admit_with_signed_intake(db, admin, transition=False)
    prescriber, nurse = make_user(db, admin, "prescriber"), make_user(db, admin, "nurse")
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=8, unit="mg", route="sublingual", min_interval_hours=2))
    mar.record_administration(db, nurse, order.id, "given")
    return episode_id, patient, nurse, order


def start_discharge(qtbot, db, user, patient):
    """The main window as ``user``, the patient found, Patient → Discharge…: (window, dialog)."""
    window = shown_main_window(qtbot, db, user)
    window.search_for(patient.mrn)
    action = window.ui.actionDischarge
    assert action.isVisible() and action.isEnabled()
    assert action.shortcut() == QKeySequence("Ctrl+Shift+X")
    action.trigger()
    return window, shown_dialog(qtbot, window, "Discharge the patient")


def choose(combo: QComboBox, data: str) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_a_nurse_discharges_against_advice_reconciles_and_prints_the_sheet(qtbot, db, admin, stabilizing):
    episode_id, patient, nurse, order = stabilizing
    window, dialog = start_discharge(qtbot, db, nurse, patient)
    assert window.census_model.row_of_patient(patient.id) >= 0
    choose(by_name(dialog, QComboBox, "Why the patient leaves"), "against_medical_advice")
    # the plan's rows: prefilled from the order, nothing decided yet
    decision = by_name(dialog, QComboBox, "Buprenorphine decision")
    assert decision.currentData() is None
    assert by_name(dialog, QLineEdit, "Buprenorphine dose").text() == "8 mg"
    click(qtbot, button(dialog, "Discharge"))  # undecided: not discharged, and it says how to skip
    error = by_name(dialog, QLabel, "Discharge error")
    assert error.isVisible() and "choose continue, change or stop" in error.text()
    assert "Not reconciled now" in error.text()
    assert episodes.current_episode(db, nurse, patient.id) is not None

    choose(decision, "continue")
    choose(by_name(dialog, QComboBox, "Buprenorphine leaves with"), "supply")
    type_into(qtbot, by_name(dialog, QLineEdit, "Buprenorphine supply (days)"), "3")
    next_visit = (dt.datetime.now() + dt.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    type_date(qtbot, dialog, "Buprenorphine next dose or appointment", next_visit.astimezone())
    kind = by_name(dialog, QComboBox, "Why the patient leaves")
    choose(kind, "other")  # without its words: refused before anything is saved
    click(qtbot, button(dialog, "Discharge"))
    assert error.isVisible() and "Enter the discharge reason" in error.text()
    assert "plan.reconciled" not in [e.action for e in audit.recent(db, admin, patient_id=patient.id)]
    choose(kind, "against_medical_advice")
    click(qtbot, button(dialog, "Discharge"))

    offer = shown_dialog(qtbot, window, "Overdose and crisis sheet")
    assert episodes.current_episode(db, nurse, patient.id) is None
    assert window.census_model.row_of_patient(patient.id) < 0  # the census no longer lists them
    assert not [w for w in offer.findChildren(QLabel) if w.accessibleName() == "Discharge note"]
    with db.read() as session:  # saved into the plan created for the patient
        (row,) = session.query(AftercarePlan).filter_by(episode_id=episode_id).one().draft[
            "medication"]["reconciliation"]
    assert (row["order_id"], row["decision"], row["leave"], row["supply_days"]) == (order.id, "continue",
                                                                                 "supply", 3)
    click(qtbot, by_name(offer, QPushButton, "Print the sheet"))
    flow = window.navigator.discharge_flow
    assert flow is not None
    qtbot.waitUntil(lambda: flow.preview is not None, timeout=10000)
    preview = flow.preview
    assert isinstance(preview, PdfPreview) and preview.pdf.startswith(b"%PDF")
    assert preview.suggested_name == "overdose-sheet-P-1.pdf"
    events = audit.recent(db, admin, patient_id=patient.id)
    actions = [e.action for e in events]
    assert {"plan.reconciled", "episode.discharged", "discharge.sheet_printed"} <= set(actions)
    assert actions.index("discharge.sheet_printed") < actions.index("episode.discharged") < actions.index(
        "plan.reconciled")  # newest first: reconciled, then discharged, then printed
    discharged = next(e for e in events if e.action == "episode.discharged")
    assert discharged.detail["kind"] == "against_medical_advice"
    assert next(e for e in events if e.action == "plan.reconciled").detail["complete"] is True
    preview.reject()


def test_a_nurse_may_skip_the_reconciliation_and_the_sheet_offer_says_so(qtbot, db, admin, stabilizing):
    episode_id, patient, nurse, _order = stabilizing
    window, dialog = start_discharge(qtbot, db, nurse, patient)
    choose(by_name(dialog, QComboBox, "Why the patient leaves"), "left_without_notice")
    skip = by_name(dialog, QCheckBox, "Not reconciled now")
    click(qtbot, skip)
    assert skip.isChecked() and not by_name(dialog, QComboBox, "Buprenorphine decision").isEnabled()
    click(qtbot, button(dialog, "Discharge"))
    offer = shown_dialog(qtbot, window, "Overdose and crisis sheet")
    note = by_name(offer, QLabel, "Discharge note")
    assert note.isVisible() and "plan lacks it" in note.text()
    why = by_name(offer, QComboBox, "Why not printed")
    choose(why, "patient_left")
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    qtbot.waitUntil(lambda: not offer.isVisible())
    actions = [e.action for e in audit.recent(db, admin, patient_id=patient.id)]
    assert "discharge.sheet_not_printed" in actions and "plan.reconciled" not in actions
    with db.read() as session:
        assert session.query(AftercarePlan).filter_by(episode_id=episode_id).count() == 0


def test_a_counselor_discharges_without_the_reconciliation_step(qtbot, db, admin, stabilizing):
    _episode_id, patient, _nurse, _order = stabilizing
    counselor = make_user(db, admin, "counselor")
    window, dialog = start_discharge(qtbot, db, counselor, patient)
    assert not [w for w in dialog.findChildren(QComboBox) if w.accessibleName() == "Buprenorphine decision"]
    warning = by_name(dialog, QLabel, "Reconciliation not done")
    assert "prescriber or nurse" in warning.text()
    kind = by_name(dialog, QComboBox, "Why the patient leaves")
    kind.setFocus()
    while kind.currentData() != "completed":  # by keyboard
        qtbot.keyClick(kind, Qt.Key.Key_Down)
    click(qtbot, button(dialog, "Discharge"))
    offer = shown_dialog(qtbot, window, "Overdose and crisis sheet")
    assert "plan lacks it" in by_name(offer, QLabel, "Discharge note").text()
    assert window.census_model.row_of_patient(patient.id) < 0
    choose(by_name(offer, QComboBox, "Why not printed"), "patient_declined")
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    qtbot.waitUntil(lambda: not offer.isVisible())


def test_discharge_is_there_in_every_open_stage_and_greyed_out_for_a_viewer(qtbot, db, admin):
    from tests.factories import admit_without_intake

    nurse = make_user(db, admin, "nurse")
    for n, stage in enumerate(("assessment", "stabilization", "transition")):
        admit_without_intake(db, nurse, mrn=f"S-{n}", stage=stage)
    window = shown_main_window(qtbot, db, nurse)
    for n in range(3):
        window.search_for(f"S-{n}")
        assert window.ui.actionDischarge.isEnabled()
    window.search_for("S-2")
    window.ui.actionDischarge.trigger()
    dialog = shown_dialog(qtbot, window, "Discharge the patient")
    # no orders: nothing to reconcile, nothing said about it
    assert not [w for w in dialog.findChildren(QCheckBox) if w.accessibleName() == "Not reconciled now"]
    dialog.reject()
    viewer = make_user(db, admin, "viewer")
    window = shown_main_window(qtbot, db, viewer)
    window.search_for("S-2")  # a patient with an open episode: still not the viewer's to discharge
    assert_gated(window.ui.actionDischarge, viewer, "episodes.stage")


def test_from_the_plan_screen_the_same_rows_show_what_the_plan_holds(qtbot, db, admin):
    from clinic_desktop.core.services import stabilization
    from tests.gui.helpers import open_plan_screen
    from tests.gui.test_plan_screen import go

    episode_id, patient = admit_with_signed_intake(db, admin, transition=False)
    prescriber, nurse = make_user(db, admin, "prescriber"), make_user(db, admin, "nurse")
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="buprenorphine", dose=8, unit="mg", route="sublingual", min_interval_hours=2))
    mar.record_administration(db, nurse, order.id, "given")
    stabilization.move_to_transition(db, nurse, episode_id)
    screen = open_plan_screen(qtbot, db, prescriber, episode_id, patient)
    go(screen, "Medication")
    choose(by_name(screen, QComboBox, "Buprenorphine decision"), "stop")  # typed on the plan, saved first
    go(screen, "Print and finalize")
    click(qtbot, button(screen, "Discharge\u2026"))
    dialog = screen.discharge_dialog()
    assert dialog is not None
    assert by_name(dialog, QComboBox, "Buprenorphine decision").currentData() == "stop"
    choose(by_name(dialog, QComboBox, "Why the patient leaves"), "transferred")
    with qtbot.waitSignal(screen.discharged):
        click(qtbot, button(dialog, "Discharge"))
    assert screen._read_only  # no autosave of the rows it shows over the ones just saved
    offer = screen.sheet_offer()
    assert offer is not None
    assert not [w for w in offer.findChildren(QLabel) if w.accessibleName() == "Discharge note"]
    reconciled = next(e for e in audit.recent(db, admin) if e.action == "plan.reconciled")
    assert reconciled.detail["decisions"] == {str(order.id): "stop"} and reconciled.detail["stage"] == "transition"
    choose(by_name(offer, QComboBox, "Why not printed"), "cannot_print")
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    qtbot.waitUntil(lambda: not screen.isVisible())


def test_with_the_rows_the_dialog_fits_a_small_screen(qtbot, db, admin, stabilizing, monkeypatch):
    from PySide6.QtCore import QRect

    from clinic_desktop.gui.widgets import dialog_base
    from tests.gui.test_fits_small_screens import SCREENS, assert_fits

    area = SCREENS["1024x600"]
    monkeypatch.setattr(dialog_base, "screen_area", lambda _widget: QRect(area))
    _episode_id, patient, nurse, _order = stabilizing
    _window, dialog = start_discharge(qtbot, db, nurse, patient)
    assert by_name(dialog, QComboBox, "Buprenorphine decision")
    assert_fits(dialog, area, "Discharge with the reconciliation at 1024x600")
    dialog.reject()


def test_ctrl_shift_x_is_discharge_alone_and_works_on_the_patients_tab(qtbot, demo_window):
    from clinic_desktop.gui.shortcuts_dialog import all_shortcuts

    row = next(r for r in demo_window.census_model.rows() if r.stage == "transition")
    demo_window.navigator.flowsheet(row.patient_id)  # the screens' keys are there too
    demo_window.navigator.plan(row.patient_id)
    keys = [s for s in all_shortcuts(demo_window) if s.keys == QKeySequence("Ctrl+Shift+X").toString(
        QKeySequence.SequenceFormat.NativeText)]
    assert [(s.action, s.where) for s in keys] == [("Discharge", "Main window")]
    assert demo_window.ui.actionDischarge.isEnabled()  # on the patient's tab: that patient
    demo_window.activateWindow()
    qtbot.waitUntil(lambda: demo_window.isActiveWindow())
    qtbot.keyClick(demo_window.focusWidget() or demo_window, Qt.Key.Key_X,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = shown_dialog(qtbot, demo_window, "Discharge the patient")
    flow = demo_window.navigator.discharge_flow
    assert flow is not None and flow.episode_id == row.episode_id
    dialog.reject()


def test_rows_reconciled_before_need_nothing_more_at_discharge(qtbot, db, admin, stabilizing):
    from clinic_desktop.core.services import plans

    episode_id, patient, nurse, _order = stabilizing
    (row,) = plans.discharge_reconciliation(db, nurse, episode_id).rows
    plans.reconcile_at_discharge(db, nurse, episode_id, [{**row, "decision": "stop"}], None)
    counselor = make_user(db, admin, "counselor")
    window, dialog = start_discharge(qtbot, db, counselor, patient)
    assert not [w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Reconciliation not done"]
    choose(by_name(dialog, QComboBox, "Why the patient leaves"), "completed")
    click(qtbot, button(dialog, "Discharge"))
    offer = shown_dialog(qtbot, window, "Overdose and crisis sheet")
    assert not [w for w in offer.findChildren(QLabel) if w.accessibleName() == "Discharge note"]
    choose(by_name(offer, QComboBox, "Why not printed"), "patient_declined")
    click(qtbot, by_name(offer, QPushButton, "Record why not"))
    qtbot.waitUntil(lambda: not offer.isVisible())
