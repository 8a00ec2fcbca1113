"""The stabilization screen driven as a nurse would: open the flowsheet from the census, record a
COWS by keyboard, record vitals, correct an entry, back-date one, clear a safety alert, move to
transition."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QToolButton,
)

from clinic_desktop.core import clock, units
from clinic_desktop.core.permissions import STAFF
from clinic_desktop.core.services import episodes, intake, mar, patients, stabilization
from clinic_desktop.gui import theme
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.models.census_model import local_time_text
from clinic_desktop.gui.models.flowsheet_model import FlowsheetModel
from clinic_desktop.gui.stabilization_screen import StabilizationScreen
from clinic_desktop.gui.widgets.prompt_card import PromptCard
from clinic_desktop.gui.widgets.trend_chart import (
    BAND_COLOURS,
    COLOURS,
    DOSE_COLOUR,
    EDGE_HOURS,
    EDGE_SCORE,
    DoseMark,
    TrendChart,
    TrendPoint,
)
from tests.conftest import make_user
from tests.factories import complete_draft, sign_intake, use_vitals_units
from tests.gui.helpers import (
    STRONG_PASSWORD,
    assert_gated,
    button,
    by_name,
    dialog_of,
    open_dialog,
    open_flowsheet,
    open_mar,
    shown_dialog,
    type_date,
    type_into,
)

COWS_DIGITS = "21122121110"  # total 14 (moderate)


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))


def flowsheet_rows(screen) -> list[list[str]]:
    table = by_name(screen, QTableView, "Flowsheet entries")
    model = table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_record_a_cows_by_keyboard_and_the_chart_updates(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    assert [r[1] for r in flowsheet_rows(screen)][:1] != []  # the intake's baselines are on it
    before = len(screen.chart.series_points("cows"))

    qtbot.mouseClick(button(screen, "Record COWS\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    assert dialog is not None and dialog.windowTitle() == "Record COWS"
    for digit in COWS_DIGITS:
        qtbot.keyClick(QApplication.focusWidget(), digit)
    assert dialog.entry.score().total == 14
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    newest = flowsheet_rows(screen)[0]
    assert newest[1] == "COWS" and newest[2] == "14 moderate" and newest[4] == nurse.full_name
    assert len(screen.chart.series_points("cows")) == before + 1
    assert screen.chart.series_points("cows")[-1][1] == 14
    screen.reject()


def test_the_time_entry_and_who_columns_show_their_whole_text_after_each_refresh(qtbot, window, db, admin, nurse,
                                                                                 patient):
    """Fitted once per refresh (not at every resize), the short columns still never cut their
    text: a longer name recorded later widens "Recorded by" at the next refresh."""
    episode_id = sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    table = by_name(screen, QTableView, "Flowsheet entries")
    model = table.model()

    def fits() -> bool:
        return all(table.fontMetrics().horizontalAdvance(model.index(r, c).data()) < table.columnWidth(c)
                   for c in (FlowsheetModel.TIME, FlowsheetModel.ENTRY, FlowsheetModel.BY)
                   for r in range(model.rowCount()))

    assert model.rowCount() and fits()
    long_name = make_user(db, admin, "nurse", username="nurse2", full_name="Maximiliana Bartholomew-Featherstonehaugh")
    stabilization.record_observation(db, long_name, episode_id, "cows", complete_draft()["scores"]["cows"])
    before = table.columnWidth(FlowsheetModel.BY)
    screen.refresh()
    assert table.columnWidth(FlowsheetModel.BY) > before and fits()
    screen.reject()


def test_vitals_impossible_refused_abnormal_kept_with_a_warning(qtbot, window, db, admin, nurse, patient):
    use_vitals_units(db, admin, units.METRIC)  # typed in °C
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    qtbot.mouseClick(button(screen, "Record vitals\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    type_into(qtbot, by_name(dialog, QLineEdit, "Pulse"), "400")
    assert by_name(dialog, QLabel, "Pulse error").isVisible()
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert open_dialog(screen) is dialog  # refused: nothing saved, the dialog stays
    type_into(qtbot, by_name(dialog, QLineEdit, "Pulse"), "128", replace=True)
    for label, value in (("Systolic BP", "118"), ("Diastolic BP", "76"), ("Respiratory rate", "18"),
                         ("Temperature", "37.0"), ("SpO\u2082", "97")):
        type_into(qtbot, by_name(dialog, QLineEdit, label), value)
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    newest = flowsheet_rows(screen)[0]
    assert newest[1] == "Vitals" and "P 128" in newest[2] and "BP 118/76" in newest[2]
    assert "\u26a0" in newest[3]  # the abnormal pulse is kept with its warning
    screen.reject()


def test_a_back_dated_entry_asks_why(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    qtbot.mouseClick(button(screen, "Record COWS\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    reason = by_name(dialog, QLineEdit, "Reason for entering it late")
    assert not reason.isVisible()
    type_date(qtbot, dialog, "Taken at", clock.now() - dt.timedelta(hours=3))
    assert reason.isVisible()
    dialog.entry.focus_first()
    for digit in COWS_DIGITS:
        qtbot.keyClick(QApplication.focusWidget(), digit)
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert by_name(dialog, QLabel, "Reason for entering it late error").isVisible()
    type_into(qtbot, reason, "Scored during the night, charted at handover")
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert any("Entered late: Scored during the night" in r[3] for r in flowsheet_rows(screen))
    screen.reject()


def test_a_correction_strikes_the_entry_through_with_its_reason(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    table = by_name(screen, QTableView, "Flowsheet entries")
    row = next(n for n, r in enumerate(flowsheet_rows(screen)) if r[1] == "COWS")
    table.selectRow(row)
    qtbot.mouseClick(button(screen, "Correct entry\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    assert dialog.windowTitle() == "Correct COWS" and dialog.entry.score().total == 14
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)  # no reason yet
    assert by_name(dialog, QLabel, "Reason for the correction error").isVisible()
    type_into(qtbot, by_name(dialog, QLineEdit, "Reason for the correction"), "Gooseflesh misread")
    dialog.entry.focus_item("gooseflesh")
    qtbot.keyClick(QApplication.focusWidget(), "3")
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    rows = flowsheet_rows(screen)
    assert any(r[1] == "COWS" and r[2] == "17 moderate" and "Correction" in r[3] for r in rows)
    struck = [r for r in rows if "Struck (corrected)" in r[3]]
    assert len(struck) == 1 and "Gooseflesh misread" in struck[0][3]
    model = table.model()
    struck_row = next(n for n, r in enumerate(rows) if "Struck" in r[3])
    assert model.index(struck_row, 2).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert screen.chart.series_points("cows")[-1][1] == 17  # the chart shows the corrected value only
    screen.reject()


def test_the_safety_alert_stays_until_a_safety_assessment(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient, mental_health={"phq9": {**complete_draft()["mental_health"]["phq9"],
                                                            "self_harm": 1}})
    screen = open_flowsheet(qtbot, window)
    assert by_name(screen, QLabel, "Safety alert").isVisible()
    qtbot.mouseClick(button(screen, "Record safety assessment\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, screen)
    qtbot.mouseClick(by_name(dialog, QRadioButton, "Moderate"), Qt.MouseButton.LeftButton)
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Actions taken"), "1:1 observation; prescriber informed")
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert not by_name(screen, QLabel, "Safety alert").isVisible()
    screen.reject()


def test_supportive_care_ticks_are_kept_and_move_to_transition(qtbot, window, db, nurse, patient, monkeypatch):
    episode_id = sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    screen.tabs.setCurrentWidget(screen.care_page)
    hydration = by_name(screen, QCheckBox, "Hydration")
    hydration.setFocus()
    qtbot.keyClick(hydration, Qt.Key.Key_Space)
    assert hydration.isChecked()
    screen.refresh()
    assert by_name(screen, QCheckBox, "Hydration").isChecked()  # read back from the database

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(screen.moved_to_transition, timeout=3000):
        qtbot.mouseClick(button(screen, "Move to transition\u2026"), Qt.MouseButton.LeftButton)
    assert episodes.current_episode(db, nurse, patient.id).stage == "transition"
    assert episodes.current_episode(db, nurse, patient.id).id == episode_id
    screen.reject()


def test_the_other_pages_are_built_when_first_shown_and_shown_whole_at_once(qtbot, window, db, nurse, patient):
    """The flowsheet opens with its own page alone built (a patient's tab opens fast); Medications,
    Care and Prompts are built as their tab is first shown, with what was recorded meanwhile, and
    are complete and visible the moment the tab is (no turn of the event loop later)."""
    episode_id = sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    pages = (screen.medications_page, screen.care_page, screen.prompts_page)
    assert [page.is_built() for page in pages] == [False, False, False]
    assert not screen.findChildren(QCheckBox) and not screen.findChildren(PromptCard)
    # recorded elsewhere (another workstation) while the page was never shown
    stabilization.record_supportive_care(db, nurse, episode_id, "hydration", True)
    screen.refresh()
    assert not screen.care_page.is_built()  # a refresh reads only what is shown

    screen.tabs.setCurrentWidget(screen.care_page)
    hydration = by_name(screen, QCheckBox, "Hydration")
    assert hydration.isVisible() and hydration.isChecked()
    screen.tabs.setCurrentWidget(screen.prompts_page)
    cards = prompt_cards(screen)
    assert cards and all(card.isVisible() for card in cards)
    assert cards[0].title.text() == "COWS reassessment"
    screen.tabs.setCurrentWidget(screen.medications_page)
    assert button(screen, "Give\u2026").isVisible()
    assert [page.is_built() for page in pages] == [True, True, True]
    screen.reject()


def test_census_highlights_an_overdue_reassessment(qtbot, db, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)
    stabilization.record_observation(db, nurse, episode_id, "cows", complete_draft()["scores"]["cows"],
                                     taken_at=old, reason="entered from the paper chart")
    # the intake's baseline was just recorded, so strike it to leave only the 6 h old COWS
    entries = stabilization.flowsheet(db, nurse, episode_id)
    baseline = next(e for e in entries if e.kind == "observation" and e.instrument_id == "cows" and e.taken_at > old)
    stabilization.correct_entry(db, nurse, "observation", baseline.id, "duplicate of the paper entry")
    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    w.show()
    row = w.census_model.row_of_episode(episode_id)
    census_row = w.census_model.row_at(row)
    assert census_row.overdue
    due_column = w.census_model.NEXT_DUE
    index = w.census_model.index(row, due_column)
    assert "overdue" in index.data().lower()
    assert "overdue" in w.ui.statusbar.findChild(QLabel, "dueSummary").text().lower()
    # on the flowsheet: a red OVERDUE chip beside the line that explains it
    assert w.navigator.flowsheet(patient.id)
    chip = by_name(w, QLabel, "Reassessment overdue")
    assert chip.isVisible() and chip.text() == "OVERDUE" and chip.property("severity") == "alert"
    assert "OVERDUE" not in by_name(w, QLabel, "Reassessment status").text()
    # a COWS now: the chip goes
    stabilization.record_observation(db, nurse, episode_id, "cows", complete_draft()["scores"]["cows"])
    w.workspace.views()[0].refresh()
    assert not chip.isVisible()


def lofexidine(db, prescriber, episode_id, **changes):
    spec = {"drug_id": "lofexidine", "dose": 0.54, "unit": "mg", "route": "oral", "times": ("08:00", "13:00", "18:00", "23:00"),
            "hold_sbp_below": 90, "hold_dbp_below": 50, "hold_hr_below": 50}
    spec.update(changes)
    return mar.create_order(db, prescriber, episode_id, mar.OrderInput(**spec))


def prompt_cards(screen) -> list[PromptCard]:
    """The Prompts tab's cards, top to bottom."""
    box = screen.prompts_view.widget().layout()
    found = [box.itemAt(i).widget() for i in range(box.count())]
    return [w for w in found if isinstance(w, PromptCard)]


def test_the_prompts_tab_shows_a_card_per_prompt_with_its_pill_and_the_basis_folded(qtbot, db, admin, nurse,
                                                                                     patient):
    episode_id = sign_intake(db, nurse, patient)  # COWS 14 and vitals just taken, heroin 16 h ago
    prescriber = make_user(db, admin, "prescriber")
    order = lofexidine(db, prescriber, episode_id)
    screen = open_mar(qtbot, db, nurse, patient)
    screen.tabs.setCurrentWidget(screen.prompts_page)
    assert isinstance(by_name(screen, QScrollArea, "Protocol prompts"), QScrollArea)
    cards = prompt_cards(screen)
    pills = [(c.title.text(), c.pill.text(), c.pill.property("severity")) for c in cards]
    cows = next(e for e in stabilization.flowsheet(db, nurse, episode_id) if e.instrument_id == "cows")
    due = local_time_text(cows.taken_at + dt.timedelta(hours=4))  # every 4 h by default
    assert pills == [
        ("COWS reassessment", f"DUE {due}", "info"),
        ("Buprenorphine induction readiness", "MEETS DEFAULTS", "ok"),
        ("Naltrexone start", "NOT YET", "warning"),
        ("Lofexidine dose: hold parameters", "NO HOLD", "ok"),
    ]
    hold = "Lofexidine dose: hold parameters"
    basis = by_name(screen, QLabel, f"{hold} basis")
    assert not basis.isVisible() and "SBP 128" in basis.text()
    assert not any(by_name(screen, QLabel, f"{c.title.text()} basis").isVisible() for c in cards)
    assert by_name(screen, QLabel, f"{hold} text").isVisible()

    # Tab goes from toggle to toggle, every card's in turn.
    toggles = [by_name(screen, QToolButton, f"{c.title.text()}: show the basis") for c in cards]
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen.window())
    toggles[0].setFocus()
    reached = [QApplication.focusWidget()]
    for _ in toggles[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == toggles
    qtbot.keyClick(toggles[-1], Qt.Key.Key_Space)
    assert basis.isVisible() and toggles[-1].text() == "Hide the basis"

    # Low blood pressure: the same card (its basis still shown) now suggests a hold, in red.
    stabilization.record_vitals(db, nurse, episode_id, {"pulse": 72, "systolic": 84, "diastolic": 52,
                                                         "respiratory_rate": 14, "temperature_c": 36.8,
                                                         "spo2": 97})
    screen.refresh()
    card = prompt_cards(screen)[-1]
    assert card is cards[-1] and basis.isVisible() and "SBP 84" in basis.text()
    assert (card.pill.text(), card.pill.property("severity"), card.severity()) == ("HOLD SUGGESTED", "alert",
                                                                                    "alert")

    # The order stopped: its card goes.
    mar.stop_order(db, prescriber, order.id, order.version)
    screen.refresh()
    assert [c.title.text() for c in prompt_cards(screen)] == [title for title, _, _ in pills[:3]]
    assert not card.isVisible()


def test_a_prescriber_writes_an_order_with_holds_prefilled(qtbot, db, admin, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    prescriber = make_user(db, admin, "prescriber")
    screen = open_mar(qtbot, db, prescriber, patient)
    assert_gated(button(screen, "Give\u2026"), prescriber, "medications.administer")  # giving is the nurse's
    orders_empty, doses_empty = by_name(screen, QLabel, "Orders empty"), by_name(screen, QLabel, "Doses today empty")
    assert orders_empty.isVisible() and orders_empty.text() == "No orders yet \u2014 add one with New order\u2026"
    assert doses_empty.isVisible() and "once an order is written" in doses_empty.text()
    qtbot.mouseClick(button(screen, "New order\u2026"), Qt.MouseButton.LeftButton)
    dialog = open_dialog(screen.mar_panel)
    medication = by_name(dialog, QComboBox, "Medication")
    medication.setCurrentIndex(medication.findData("clonidine"))
    assert by_name(dialog, QSpinBox, "Hold if SBP below").value() == 90  # CLINICAL.md §3 default
    assert by_name(dialog, QSpinBox, "Hold if HR below").value() == 60
    by_name(dialog, QDoubleSpinBox, "Dose").setValue(0.1)
    qtbot.mouseClick(by_name(dialog, QRadioButton, "As needed (PRN)"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(dialog, "Save order"), Qt.MouseButton.LeftButton)
    assert by_name(dialog, QLabel, "Minimum interval error").isVisible()  # PRN needs its interval
    by_name(dialog, QDoubleSpinBox, "Minimum interval").setValue(4)
    with qtbot.waitSignal(screen.mar_panel.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save order"), Qt.MouseButton.LeftButton)
    [order] = mar.orders(db, prescriber, episode_id)
    assert (order.drug_id, order.dose, order.min_interval_hours, order.holds["hold_sbp_below"]) == \
        ("clonidine", 0.1, 4, 90)
    model = by_name(screen, QTableView, "Orders").model()
    assert model.index(0, 0).data().startswith("Clonidine 0.1 mg")
    assert not orders_empty.isVisible()  # shown only while there are none
    screen.reject()


def test_a_nurse_sees_who_writes_the_first_order(qtbot, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = StabilizationScreen(db, nurse, episodes.current_episode(db, nurse, patient.id),
                                 patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    screen.tabs.setCurrentWidget(screen.medications_page)
    assert by_name(screen, QLabel, "Orders empty").text() == \
        "No orders yet \u2014 a prescriber adds one with New order\u2026"
    assert by_name(screen, QLabel, "Doses today empty").isVisible()
    screen.reject()


def test_new_order_refuses_a_tenfold_slip_and_asks_why_for_an_interaction(qtbot, db, admin, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    prescriber = make_user(db, admin, "prescriber")
    lofexidine(db, prescriber, episode_id)
    screen = open_mar(qtbot, db, prescriber, patient)
    qtbot.mouseClick(button(screen, "New order\u2026"), Qt.MouseButton.LeftButton)
    dialog = open_dialog(screen.mar_panel)
    medication = by_name(dialog, QComboBox, "Medication")
    medication.setCurrentIndex(medication.findData("clonidine"))
    qtbot.mouseClick(by_name(dialog, QRadioButton, "As needed (PRN)"), Qt.MouseButton.LeftButton)
    by_name(dialog, QDoubleSpinBox, "Minimum interval").setValue(4)
    dose = by_name(dialog, QDoubleSpinBox, "Dose")
    dose.setValue(1)  # 1 mg of clonidine: ten times the usual dose
    check = by_name(dialog, QLabel, "Check").text()
    assert "Not allowed" in check and "at most 0.2 mg" in check and "local policy" in check
    assert "two alpha-2 agonists" in check and "label" in check
    qtbot.mouseClick(button(dialog, "Save order"), Qt.MouseButton.LeftButton)
    assert "at most 0.2 mg" in dialog.errors.messages["dose"]  # refused next to the dose
    assert len(mar.orders(db, prescriber, episode_id)) == 1

    dose.setValue(0.1)
    reason = by_name(dialog, QLineEdit, "Reason for the warnings")
    assert reason.isVisible() and "Not allowed" not in by_name(dialog, QLabel, "Check").text()
    qtbot.mouseClick(button(dialog, "Save order"), Qt.MouseButton.LeftButton)
    assert "two alpha-2 agonists" in dialog.errors.messages["acknowledgement"]
    assert len(mar.orders(db, prescriber, episode_id)) == 1
    type_into(qtbot, reason, "Lofexidine stops tonight; clonidine for the taper")
    with qtbot.waitSignal(screen.mar_panel.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save order"), Qt.MouseButton.LeftButton)
    clonidine = next(o for o in mar.orders(db, prescriber, episode_id) if o.drug_id == "clonidine")
    [ack] = clonidine.acknowledgements
    assert (ack["rule"], ack["source"], ack["by_name"]) == ("interaction.alpha2_agonist.alpha2_agonist", "label",
                                                             prescriber.full_name)
    assert ack["reason"] == "Lofexidine stops tonight; clonidine for the taper"
    model = by_name(screen, QTableView, "Orders").model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("Clonidine"))
    assert model.index(row, 0).data().endswith("\u26a0")
    assert "Lofexidine stops tonight" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    screen.reject()


def test_give_a_dose_then_a_hold_parameter_asks_for_a_reason(qtbot, window, db, admin, nurse, patient):
    episode_id = sign_intake(db, nurse, patient)
    prescriber = make_user(db, admin, "prescriber")
    order = lofexidine(db, prescriber, episode_id, times=(), min_interval_hours=5)
    screen = open_flowsheet(qtbot, window)
    screen.tabs.setCurrentWidget(screen.medications_page)
    doses = by_name(screen, QTableView, "Doses today")
    doses.selectRow(0)  # the PRN order
    qtbot.mouseClick(button(screen, "Give\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of_panel(qtbot, screen)
    # The intake's vitals were just taken: every rule checked with fresh data, none met.
    assert "Every rule checked with fresh data" in by_name(dialog, QLabel, "Check").text()
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert [a.outcome for a in mar.administrations(db, nurse, episode_id)] == ["given"]
    assert len(screen.chart.series_points("doses")) == 1  # the dose is marked on the chart

    doses.selectRow(0)  # again, within the 5 h between doses: refused, a prescriber may override
    qtbot.mouseClick(button(screen, "Give\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of_panel(qtbot, screen)
    check = by_name(dialog, QLabel, "Check").text()
    assert "at least 5 h between doses" in check and "label" in check
    assert by_name(dialog, QLineEdit, "Prescriber user name").isVisible()
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert dialog.errors.messages  # refused without the override
    override_and_save(qtbot, screen, dialog, prescriber, "Severe withdrawal; seen at bedside")
    second = max(mar.administrations(db, nurse, episode_id), key=lambda a: a.id)
    assert second.override_by_name == prescriber.full_name and "bedside" in second.override_note
    assert len(mar.administrations(db, nurse, episode_id)) == 2

    mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="clonidine", dose=0.1, unit="mg", route="oral", min_interval_hours=4,
        hold_sbp_below=90, hold_hr_below=60, acknowledgement="Lofexidine stops tonight"))
    stabilization.record_vitals(db, nurse, episode_id, {"pulse": 72, "systolic": 84, "diastolic": 52,
                                                        "respiratory_rate": 16, "temperature_c": 36.8, "spo2": 98})
    screen.refresh()
    model = doses.model()
    doses.selectRow(next(r for r in range(model.rowCount()) if model.index(r, 1).data().startswith("Clonidine")))
    qtbot.mouseClick(button(screen, "Give\u2026"), Qt.MouseButton.LeftButton)
    dialog = dialog_of_panel(qtbot, screen)
    assert "SBP 84" in by_name(dialog, QLabel, "Check").text()
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert by_name(dialog, QLabel, "Reason error").isVisible()  # a hold parameter is met: why give?
    assert len(mar.administrations(db, nurse, episode_id)) == 2
    dialog.reject()

    qtbot.mouseClick(button(screen, "Hold\u2026"), Qt.MouseButton.LeftButton)  # hold it instead
    dialog = dialog_of_panel(qtbot, screen)
    reason = by_name(dialog, QComboBox, "Reason")
    reason.setCurrentIndex(reason.findText("Vitals below hold parameters"))
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    held = max(mar.administrations(db, nurse, episode_id), key=lambda a: a.id)
    assert (held.outcome, held.reason, held.dose) == ("held", "Vitals below hold parameters", None)
    texts = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert any(t[1].startswith("Clonidine") and t[2] == "Held" for t in texts)
    assert order.id
    screen.reject()


def test_a_back_dated_dose_too_close_to_a_later_one_is_refused_then_overridden(qtbot, window, db, admin, nurse,
                                                                               patient):
    """The tester's case: a dose charted late is checked against the doses recorded AFTER it too."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)  # a typed time is to the minute
    admitted = now - dt.timedelta(hours=14)
    started = intake.start(db, nurse, patient.id, admitted_at=admitted)
    saved = intake.save_draft(db, nurse, started.id, started.version, complete_draft())
    intake.sign(db, nurse, started.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction", now=admitted)
    episode_id = started.episode_id
    prescriber = make_user(db, admin, "prescriber")
    order = lofexidine(db, prescriber, episode_id, times=(), min_interval_hours=5,
                       start=admitted + dt.timedelta(minutes=30))
    for hours in (12, 2):  # two doses 10 h apart, both charted
        stabilization.record_vitals(db, nurse, episode_id, {"pulse": 80, "systolic": 120, "diastolic": 76},
                                    taken_at=now - dt.timedelta(hours=hours, minutes=10), reason="paper chart")
        mar.record_administration(db, nurse, order.id, "given", at=now - dt.timedelta(hours=hours),
                                  reason="paper MAR")
    stabilization.record_vitals(db, nurse, episode_id, {"pulse": 78, "systolic": 118, "diastolic": 74},
                                taken_at=now - dt.timedelta(hours=5, minutes=10), reason="paper chart")
    screen = open_flowsheet(qtbot, window)
    dialog = give_first_line(qtbot, screen)  # the PRN order
    # The third dose, charted late at 5 h ago: 7 h after the first but 3 h before the second.
    type_date(qtbot, dialog, "Time", now - dt.timedelta(hours=5))
    check = by_name(dialog, QLabel, "Check").text()
    assert "3 h after this one" in check and "label" in check
    type_into(qtbot, by_name(dialog, QComboBox, "Reason").lineEdit(), "Given at 5 h ago, charted late")
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert "3 h after this one" in dialog.errors.messages["at"]  # refused next to the time
    assert len(mar.administrations(db, nurse, episode_id)) == 2  # nothing saved

    override_and_save(qtbot, screen, dialog, prescriber, "Seen at bedside; withdrawal severe")
    third = max(mar.administrations(db, nurse, episode_id), key=lambda a: a.id)
    assert third.override_by_name == prescriber.full_name
    assert third.override_note == "Seen at bedside; withdrawal severe"
    assert third.reason == "Back-dated: Given at 5 h ago, charted late"
    screen.reject()


def test_a_dose_without_fresh_vitals_says_so_and_vitals_are_recorded_in_place(qtbot, window, db, admin, nurse,
                                                                              patient, monkeypatch):
    episode_id = sign_intake(db, nurse, patient)
    prescriber = make_user(db, admin, "prescriber")
    lofexidine(db, prescriber, episode_id, times=(), min_interval_hours=5)
    for entry in stabilization.flowsheet(db, nurse, episode_id):  # the intake's vitals: entered in error
        if entry.kind == "vitals":
            stabilization.correct_entry(db, nurse, "vitals", entry.id, "wrong patient")
    screen = open_flowsheet(qtbot, window)
    dialog = give_first_line(qtbot, screen)
    check = by_name(dialog, QLabel, "Check").text()
    assert "Vitals needed before this dose" in check and "Every rule checked" not in check
    record = button(dialog, "Record vitals\u2026")
    assert record.isVisible()

    def record_in_place(self):  # the vitals dialog, answered as a nurse would
        stabilization.record_vitals(db, nurse, episode_id, {"pulse": 76, "systolic": 122, "diastolic": 78})
        return True

    monkeypatch.setattr("clinic_desktop.gui.entry_dialogs.VitalsDialog.exec", record_in_place)
    qtbot.mouseClick(record, Qt.MouseButton.LeftButton)
    assert "Every rule checked with fresh data" in by_name(dialog, QLabel, "Check").text()
    assert not record.isVisible()
    dialog.reject()
    screen.reject()


def dialog_of_panel(qtbot, screen):
    dialog = open_dialog(screen.mar_panel)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def override_and_save(qtbot, screen, dialog, prescriber, note: str) -> None:
    """A prescriber's override typed into the give dialog, then Save, as a nurse and prescriber would."""
    type_into(qtbot, by_name(dialog, QLineEdit, "Prescriber user name"), prescriber.username)
    type_into(qtbot, by_name(dialog, QLineEdit, "Prescriber password"), STRONG_PASSWORD)
    type_into(qtbot, by_name(dialog, QLineEdit, "Override note"), note)
    with qtbot.waitSignal(screen.changed, timeout=5000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)


def give_first_line(qtbot, screen):
    """The Medications tab, the first line of today's doses selected, Give… clicked: its dialog."""
    screen.tabs.setCurrentWidget(screen.medications_page)
    by_name(screen, QTableView, "Doses today").selectRow(0)
    qtbot.mouseClick(button(screen, "Give\u2026"), Qt.MouseButton.LeftButton)
    return dialog_of_panel(qtbot, screen)


def test_the_shift_handover_prints_from_the_census_and_from_the_patient(qtbot, window, db, admin, nurse, patient):
    sign_intake(db, nurse, patient)
    window.ui.actionHandover.trigger()
    preview = shown_dialog(qtbot, window, "Shift handover", timeout=10000)  # prepared off the GUI thread
    assert preview.page_count() >= 1
    assert preview.pdf.startswith(b"%PDF")
    preview.reject()
    from clinic_desktop.core.services import audit
    printed = [e for e in audit.recent(db, admin) if e.action == "handover.printed"]
    assert [e.username for e in printed] == [nurse.username]  # who printed it, and whose record

    screen = open_flowsheet(qtbot, window)
    qtbot.mouseClick(button(screen, "Handover\u2026"), Qt.MouseButton.LeftButton)
    preview = shown_dialog(qtbot, window, "Shift handover", timeout=10000)
    assert preview.parent() is screen
    preview.reject()
    screen.reject()


ADMITTED = dt.datetime(2026, 3, 7, 20, 0, tzinfo=dt.UTC)  # the invented stay the chart tests draw


def new_chart(qtbot=None) -> TrendChart:
    chart = TrendChart()
    if qtbot is not None:
        qtbot.addWidget(chart)
    return chart


def test_a_point_on_the_chart_edge_is_drawn_whole_and_the_legend_shows_the_dose_triangle(qtbot):
    chart = new_chart(qtbot)
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED, 0)], [DoseMark(ADMITTED, "Clonidine 0.1 mg")])
    (x_min, x_max), (y_min, y_max) = chart.x_range(), chart.y_range()
    assert x_min < 0 < x_max and y_min < 0 < y_max  # the point inside
    assert y_max > 48  # and so is a COWS of 48
    assert chart.x_ticks() == [0, 12, 24] and chart.y_ticks() == [0, 12, 24, 36, 48]  # labels from 0
    bands = [("COWS severe 37\u201348", "band"), ("COWS moderately severe 25\u201336", "band"),  # the shading,
             ("COWS moderate 13\u201324", "band"), ("COWS mild 5\u201312", "band")]  # named
    assert chart.legend_entries() == [("COWS", "circle"), ("Dose given", "triangle"), *bands]
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED, 0)])
    assert chart.legend_entries() == [("COWS", "circle"), *bands]  # no doses, no dose entry


def test_the_chart_hover_names_value_and_time(qtbot):
    chart = new_chart(qtbot)
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED + dt.timedelta(hours=4), 18),
                                TrendPoint("cows", ADMITTED - dt.timedelta(hours=1), 22),  # entered before
                                TrendPoint("sows_gossop", ADMITTED + dt.timedelta(hours=5), 11)],
                     [DoseMark(ADMITTED + dt.timedelta(hours=6), "Lofexidine 0.54 mg")])
    assert chart.series_points("cows") == [(-1.0, 22.0), (4.0, 18.0)]
    assert chart.series_points("sows_gossop") == [(5.0, 11.0)]
    assert chart.series_points("doses") == [(6.0, 0.8)]
    assert chart.x_range()[0] < -1.0  # the axis reaches the early point, drawn whole
    local = (ADMITTED + dt.timedelta(hours=4)).astimezone()
    assert chart.point_text("cows", 3.9) == f"COWS 18 at {local:%d %b %H:%M}"
    assert chart.dose_text(6.1).startswith("Lofexidine 0.54 mg given ")


def test_the_chart_scales_with_the_stay_and_the_instrument():
    chart = new_chart()
    hours = lambda h: ADMITTED + dt.timedelta(hours=h)
    for last, step in ((118, 12), (119, 24)):  # 12 h ticks up to an axis of 120 h, then 24 h
        chart.show_trend(ADMITTED, [TrendPoint("cows", hours(last), 3)])
        assert chart.x_range() == (-EDGE_HOURS, last + 2)
        assert chart.x_ticks()[:2] == [0, step]
    chart.show_trend(ADMITTED, [], now=hours(30))
    assert chart.x_range() == (-EDGE_HOURS, 32)  # up to now and 2 h beyond
    chart.show_trend(ADMITTED, [TrendPoint("sows_handelsman", hours(1), 64)])
    assert chart.y_range() == (-EDGE_SCORE, 64 + EDGE_SCORE)
    assert chart.y_ticks() == [0, 8, 16, 24, 32, 40, 48, 56, 64]
    assert chart.legend_entries()[0] == ("SOWS (Handelsman)", "diamond")
    chart.deleteLater()


def _pixel(image, at):
    from PySide6.QtCore import QPoint

    ratio = image.devicePixelRatio()
    return image.pixelColor(QPoint(round(at.x() * ratio), round(at.y() * ratio))).name()


@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_the_chart_paints_its_points_doses_and_bands_where_they_are(qtbot, theme_name):
    chart = new_chart(qtbot)
    chart.setPalette(theme.palette(theme_name))
    chart.resize(600, 240)
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED + dt.timedelta(hours=10), 20),
                                TrendPoint("sows_gossop", ADMITTED + dt.timedelta(hours=14), 30)],
                     [DoseMark(ADMITTED + dt.timedelta(hours=6), "Lofexidine 0.54 mg")])
    image = chart.grab().toImage()
    assert _pixel(image, chart.position_of(10, 20)) == COLOURS["cows"]
    assert _pixel(image, chart.position_of(14, 30)) == COLOURS["sows_gossop"]
    assert _pixel(image, chart.position_of(6, 0.8)) == DOSE_COLOUR
    assert _pixel(image, chart.position_of(20, 42)) == BAND_COLOURS["severe"]  # nothing drawn there
    assert _pixel(image, chart.position_of(20, 8)) == BAND_COLOURS["mild"]
    assert _pixel(image, chart.position_of(10, 8)) != COLOURS["cows"]  # no point there
    assert _pixel(image, chart.rect().bottomRight()) == theme.PALETTES[theme_name]["base"].lower()
    chart.resize(900, 320)  # the points move with the size
    image = chart.grab().toImage()
    assert _pixel(image, chart.position_of(10, 20)) == COLOURS["cows"]


@pytest.mark.parametrize("height", [140, 320])
def test_the_chart_legend_names_the_shading_whole_even_at_its_smallest(qtbot, height):
    """Every band's swatch and the dose's triangle are painted in the legend beside the plot, at
    the chart's minimum height (a 1024×600 screen) as on a large one."""
    from PySide6.QtCore import QPointF


    chart = new_chart(qtbot)
    chart.resize(700, height)
    assert chart.minimumHeight() == 140
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED + dt.timedelta(hours=4), 18)],
                     [DoseMark(ADMITTED + dt.timedelta(hours=6), "Lofexidine 0.54 mg")])
    image = chart.grab().toImage()
    swatch_x = chart.position_of(chart.x_range()[1], 0).x() + 18 + 12  # the legend's samples
    column = {_pixel(image, QPointF(swatch_x, y)) for y in range(image.height())}
    assert set(BAND_COLOURS.values()) | {DOSE_COLOUR} <= column


def test_hovering_a_point_or_a_dose_shows_its_tooltip(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QToolTip


    chart = new_chart(qtbot)
    chart.resize(600, 240)
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED + dt.timedelta(hours=4), 18)],
                     [DoseMark(ADMITTED + dt.timedelta(hours=6), "Lofexidine 0.54 mg")])
    chart.show()
    qtbot.waitExposed(chart)
    local = (ADMITTED + dt.timedelta(hours=4)).astimezone()
    point = chart.position_of(4, 18).toPoint()
    QTest.mouseMove(chart, point + QPoint(5, 3))  # near enough
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == f"COWS 18 at {local:%d %b %H:%M}")
    QTest.mouseMove(chart, chart.position_of(6, 0.8).toPoint())
    qtbot.waitUntil(lambda: QToolTip.text().startswith("Lofexidine 0.54 mg given "))
    QTest.mouseMove(chart, point + QPoint(0, 12))  # too far from either
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    assert chart.hover_text(chart.position_of(4, 18) + QPoint(6, 5).toPointF()) != ""  # 7.8 px away
    assert chart.hover_text(chart.position_of(4, 18) + QPoint(6, 6).toPointF()) == ""  # 8.5 px away


def test_the_census_sorts_by_next_due_with_a_header_click(qtbot, db, nurse, patient, admin):
    now = dt.datetime.now(dt.UTC)
    other = patients.register(db, nurse, patients.PatientInput(
        mrn="S-2", given_name="Abel", family_name="Aaronson", date_of_birth=dt.date(1980, 1, 1), sex="unknown"))
    for person, hours_ago in ((patient, 1), (other, 3)):
        episode_id = sign_intake(db, nurse, person)
        stabilization.record_observation(db, nurse, episode_id, "cows", complete_draft()["scores"]["cows"],
                                         taken_at=now - dt.timedelta(hours=hours_ago), reason="paper chart")
    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    w.show()
    names = lambda: [r.display_name for r in w.census_model.rows()]
    assert names() == ["Aaronson, Abel", "Steady, Sam"]  # by name as it comes
    header = w.ui.censusTable.horizontalHeader()
    due = w.census_model.NEXT_DUE
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().center().__class__(header.sectionViewportPosition(due) + 5, 5))
    rows = w.census_model.rows()
    assert [r.next_cows_due for r in rows] == sorted(r.next_cows_due for r in rows)
    w.refresh_census()  # the sort stays across refreshes
    assert [r.next_cows_due for r in w.census_model.rows()] == sorted(r.next_cows_due for r in rows)


def test_an_asq_recorded_on_the_flowsheet_raises_the_alert_and_an_acute_one_says_imminent_risk(
        qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)  # ASQ all "no" at intake: no alert
    screen = open_flowsheet(qtbot, window)
    alert = by_name(screen, QLabel, "Safety alert")
    assert not alert.isVisible()
    [asq] = [a for a in screen.other_scores_menu.actions() if a.text() == "ASQ (suicide risk)\u2026"]
    asq.trigger()
    dialog = dialog_of(qtbot, screen)
    for digit in "00101":  # a "yes" to question 3 asks question 5: "yes", acute positive
        qtbot.keyClick(QApplication.focusWidget(), digit)
    assert dialog.entry.score().band == "acute"
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    newest = flowsheet_rows(screen)[0]
    assert newest[1] == "ASQ" and newest[2].startswith("acute positive: imminent risk")
    assert alert.isVisible()
    assert "do not leave the patient alone; emergency evaluation now" in alert.text()
    screen.reject()


def test_the_check_ins_are_a_second_panel_on_the_same_time_axis(qtbot):
    from clinic_desktop.gui.widgets.trend_chart import CHECKIN_COLOURS, CheckInPoint

    chart = new_chart(qtbot)
    chart.resize(700, 300)
    hours = lambda h: ADMITTED + dt.timedelta(hours=h)
    chart.show_trend(ADMITTED, [TrendPoint("cows", hours(4), 18)])
    assert chart.checkin_position_of(4, 5) is None  # no check-ins: no panel, the scores as before
    alone = chart.position_of(4, 18)
    chart.show_trend(ADMITTED, [TrendPoint("cows", hours(4), 18)],
                     checkins=[CheckInPoint("craving", hours(30), 8), CheckInPoint("mood", hours(30), 3),
                               CheckInPoint("craving", hours(6), 9), CheckInPoint("pain", hours(6), 2)])
    assert chart.series_points("craving") == [(6.0, 9.0), (30.0, 8.0)] and chart.series_points("mood") == [(30.0, 3.0)]
    assert chart.series_points("pain") == []  # pain is listed on the flowsheet, not drawn
    assert chart.x_range()[1] >= 32  # the axis reaches the last check-in
    assert chart.legend_entries()[-1] == ("Craving \u00b7 Mood", "checkins")  # one row: fits a small screen
    # Same time axis: a check-in at 6 h sits straight under the scores' 6 h; the scores' plot is shorter.
    under = chart.checkin_position_of(6, 9)
    assert under is not None and abs(under.x() - chart.position_of(6, 18).x()) < 0.5
    assert under.y() > chart.position_of(4, 0).y() and chart.position_of(4, 18).y() != alone.y()
    image = chart.grab().toImage()
    assert _pixel(image, under) == CHECKIN_COLOURS["craving"]
    assert _pixel(image, chart.checkin_position_of(30, 3)) == CHECKIN_COLOURS["mood"]
    assert _pixel(image, chart.position_of(4, 18)) == COLOURS["cows"]
    assert chart.hover_text(under).startswith("Craving 9/10 at ")


@pytest.mark.parametrize("height", [140, 320])
def test_with_check_ins_the_legend_still_fits_and_shows_each_series_marker(qtbot, height):
    from PySide6.QtCore import QPointF

    from clinic_desktop.gui.widgets.trend_chart import CHECKIN_COLOURS, CheckInPoint

    chart = new_chart(qtbot)
    chart.resize(700, height)
    at = ADMITTED + dt.timedelta(hours=6)
    chart.show_trend(ADMITTED, [TrendPoint("cows", ADMITTED + dt.timedelta(hours=4), 18)],
                     [DoseMark(at, "Lofexidine 0.54 mg")],
                     checkins=[CheckInPoint(part, at, 5) for part in CHECKIN_COLOURS])
    image = chart.grab().toImage()
    left = chart.position_of(chart.x_range()[1], 0).x() + 18
    seen = {_pixel(image, QPointF(x, y)) for x in range(int(left), chart.width(), 2) for y in range(image.height())}
    assert set(BAND_COLOURS.values()) | {DOSE_COLOUR} | set(CHECKIN_COLOURS.values()) <= seen


def test_the_readiness_ruler_is_a_dashed_trend_beside_the_check_ins(qtbot):
    from clinic_desktop.gui.widgets.trend_chart import CHECKIN_COLOURS, CheckInPoint

    chart = new_chart(qtbot)
    chart.resize(700, 300)
    hours = lambda h: ADMITTED + dt.timedelta(hours=h)
    chart.show_trend(ADMITTED, [TrendPoint("cows", hours(4), 18)],
                     checkins=[CheckInPoint("craving", hours(6), 9), CheckInPoint("importance", hours(1), 9),
                               CheckInPoint("confidence", hours(1), 3), CheckInPoint("confidence", hours(30), 6)])
    assert chart.series_points("importance") == [(1.0, 9.0)]
    assert chart.series_points("confidence") == [(1.0, 3.0), (30.0, 6.0)]
    assert chart.legend_entries()[-2:] == [("Craving", "checkins"), ("Importance \u00b7 Confidence", "checkins")]
    at = chart.checkin_position_of(30, 6)
    assert at is not None and _pixel(chart.grab().toImage(), at) == CHECKIN_COLOURS["confidence"]
    assert chart.hover_text(at).startswith("Confidence 6/10 at ")
    # the ruler alone makes the panel too (asked at intake, before any check-in)
    chart.show_trend(ADMITTED, [], checkins=[CheckInPoint("importance", hours(1), 9)])
    assert chart.legend_entries()[-1] == ("Importance", "checkins")


def test_the_screen_draws_the_intakes_and_the_sessions_readiness(qtbot, window, db, admin, nurse, patient):
    from clinic_desktop.core import support as support_rules
    from clinic_desktop.core.services import support
    from tests.conftest import STRONG_PASSWORD, make_user

    episode_id = sign_intake(db, nurse, patient, social={"readiness_importance": 8, "readiness_confidence": 2})
    counselor = make_user(db, admin, "counselor")
    support.record_session(db, counselor, episode_id, support_rules.SessionInput(
        "brief", dt.datetime.now(dt.UTC), 10, confidence=5), STRONG_PASSWORD)
    screen = open_flowsheet(qtbot, window)
    assert [y for _x, y in screen.chart.series_points("importance")] == [8.0]
    assert [y for _x, y in screen.chart.series_points("confidence")] == [2.0, 5.0]
    screen.reject()


@pytest.mark.parametrize("role", sorted(STAFF), ids=lambda role: role.value)
def test_every_role_sees_every_recording_button_usable_only_if_it_may(qtbot, db, admin, nurse, patient, role):
    """Flowsheet, Care, Medications (an administrator's shows every button, none usable: orders
    are the prescriber's, doses the nurse's): each button there, usable iff the role may."""
    sign_intake(db, nurse, patient, mental_health={"phq9": {**complete_draft()["mental_health"]["phq9"],
                                                            "self_harm": 1}})  # a safety alert
    user = make_user(db, admin, role.value, username=f"{role.value}_x")
    screen = open_mar(qtbot, db, user, patient)
    assert_gated(button(screen, "Record safety assessment\u2026"), user, "safety.assess")
    for text in ("Record COWS\u2026", "Record vitals\u2026", "Record another score"):
        assert_gated(button(screen, text), user, "observations.record")
    for text in ("Daily check-in\u2026", "Hand to patient", "Correct entry\u2026"):
        assert_gated(button(screen, text), user, "checkins.record")
    assert_gated(button(screen, "Move to transition\u2026"), user, "episodes.stage")
    for text in ("New order\u2026", "Change order\u2026", "Stop order"):
        assert_gated(button(screen, text), user, "medications.order")
    for text in ("Give\u2026", "Hold\u2026", "Refused\u2026"):
        assert_gated(button(screen, text), user, "medications.administer")
    strike = button(screen, "Strike entry\u2026")
    may_strike = user.can("medications.administer") or user.can("medications.order")  # as the service
    assert not strike.isHidden() and strike.isEnabled() == may_strike
    assert (strike.toolTip() == "Only nurses and prescribers may strike a dose entry.") == (not may_strike)
    screen.tabs.setCurrentWidget(screen.care_page)
    assert_gated(by_name(screen, QCheckBox, next(iter(stabilization.SUPPORTIVE_ITEMS.values()))), user,
                 "care.record")
    label = next(iter(stabilization.COMPLICATIONS.values()))
    assert_gated(by_name(screen, QPushButton, f"Complication: {label}"), user, "care.record")
