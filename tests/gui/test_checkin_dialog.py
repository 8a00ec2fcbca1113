"""The daily check-in on the stabilization screen (#16 item 1), driven by keyboard: the four
scores in at most ten key presses, refusals next to their field, the entry on the flowsheet in
one line, corrected by strike-through; a counselor records and corrects check-ins only."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QTableView

from clinic_desktop.core.services import patients, stabilization
from clinic_desktop.gui.entry_dialogs import CheckInDialog
from tests.conftest import make_user
from tests.factories import sign_intake
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import button, by_name, dialog_of, open_dialog, open_flowsheet, type_into


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="S-1", given_name="Sam", family_name="Steady", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))


def rows(screen) -> list[list[str]]:
    model = by_name(screen, QTableView, "Flowsheet entries").model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def open_checkin(qtbot, screen, *, by_shortcut: bool = True) -> CheckInDialog:
    if by_shortcut:
        qtbot.keyClick(screen, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    else:
        button(screen, "Daily check-in\u2026").click()
    dialog = dialog_of(qtbot, screen)
    assert isinstance(dialog, CheckInDialog) and dialog.windowTitle() == "Daily check-in"
    return dialog


def test_four_scores_by_keyboard_in_at_most_ten_key_presses(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    dialog = open_checkin(qtbot, screen)
    presses = 0
    for key in ("8", "3", "1", "0", "2"):  # craving 8, mood 3, anxiety 10, pain 2: "10" waits for its 0
        qtbot.keyClick(QApplication.focusWidget(), key)
        presses += 1
    assert by_name(dialog, QLineEdit, "Anxiety").text() == "10"
    assert QApplication.focusWidget() is by_name(dialog, QLineEdit, "Sleep last night (hours)")
    with qtbot.waitSignal(screen.changed, timeout=3000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        presses += 1
    assert presses <= 10
    newest = rows(screen)[0]
    assert newest[1] == "Check-in" and newest[2] == "Craving 8/10 · Mood 3/10 · Anxiety 10/10 · Pain 2/10"
    assert newest[4] == nurse.full_name


def test_a_refused_part_is_shown_next_to_it_and_nothing_typed_is_lost(qtbot, window, db, nurse, patient):
    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    dialog = open_checkin(qtbot, screen)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # nothing answered
    assert by_name(dialog, QLabel, "Craving error").isVisible()
    type_into(qtbot, by_name(dialog, QLineEdit, "Sleep last night (hours)"), "7.25")
    button(dialog, "Save").click()
    error = by_name(dialog, QLabel, "Sleep last night (hours) error")
    assert error.isVisible() and "half hours" in error.text() and dialog.isVisible()
    assert by_name(dialog, QLineEdit, "Sleep last night (hours)").text() == "7.25"


def test_a_counselor_records_and_corrects_a_check_in_but_not_a_score(qtbot, db, admin, nurse, patient, monkeypatch):
    sign_intake(db, nurse, patient)
    counselor = make_user(db, admin, "counselor")
    window = shown_main_window(qtbot, db, counselor)
    screen = open_flowsheet(qtbot, window)
    assert not button(screen, "Record COWS\u2026").isEnabled() and button(screen, "Daily check-in\u2026").isEnabled()
    dialog = open_checkin(qtbot, screen, by_shortcut=False)
    for key in ("6", "4"):
        qtbot.keyClick(QApplication.focusWidget(), key)
    with qtbot.waitSignal(screen.changed, timeout=3000):
        button(dialog, "Save").click()
    table = by_name(screen, QTableView, "Flowsheet entries")
    table.selectRow(0)
    button(screen, "Correct entry\u2026").click()
    dialog = dialog_of(qtbot, screen)
    assert isinstance(dialog, CheckInDialog) and dialog.windowTitle() == "Correct check-in"
    assert by_name(dialog, QLineEdit, "Mood").text() == "4"
    type_into(qtbot, by_name(dialog, QLineEdit, "Reason for the correction"), "Mood was 5")
    type_into(qtbot, by_name(dialog, QLineEdit, "Mood"), "5", replace=True)
    with qtbot.waitSignal(screen.changed, timeout=3000):
        button(dialog, "Save").click()
    shown = rows(screen)
    assert shown[0][2] == "Craving 6/10 · Mood 5/10" and any("Struck (corrected)" in r[3] for r in shown)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(title))
    table.selectRow(next(n for n, r in enumerate(rows(screen)) if r[1] == "COWS"))
    button(screen, "Correct entry\u2026").click()
    assert told == ["Not yours to correct"] and open_dialog(screen) is None
    assert [e.values["mood"] for e in stabilization.flowsheet(db, counselor, screen.episode.id)
            if e.kind == "checkin" and e.struck is None] == [5]


def test_the_record_buttons_show_their_whole_text_on_a_1024_pixel_screen(qtbot, window, db, nurse, patient):
    from PySide6.QtWidgets import QPushButton

    sign_intake(db, nurse, patient)
    screen = open_flowsheet(qtbot, window)
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: screen.width() <= 1024, timeout=3000)
    row = [button(screen, text) for text in ("Record COWS\u2026", "Record vitals\u2026", "Daily check-in\u2026",
                                             "Record another score", "Correct entry\u2026")]
    for b in row:
        assert isinstance(b, QPushButton) and b.width() >= b.sizeHint().width(), b.text()
    menu = [a.text() for a in screen.other_scores_menu.actions()]
    assert menu == ["SOWS (Gossop)\u2026", "SOWS (Handelsman)\u2026", "OOWS\u2026", "CIWA-Ar\u2026",
                    "ASQ (suicide risk)\u2026"]


def test_a_flagged_check_in_shows_beside_the_name_on_the_census(qtbot, window, db, nurse, patient):
    from clinic_desktop.gui.models.census_model import CHECKIN, CensusModel

    episode_id = sign_intake(db, nurse, patient)
    stabilization.record_checkin(db, nurse, episode_id, {"craving": 9, "mood": 5})
    window.refresh_census()
    model = window.census_model
    row = model.row_of_episode(episode_id)
    index = model.index(row, CensusModel.NAME)
    assert index.data() == "Steady, Sam  \u2691 Craving 9/10"
    assert "Craving 9/10" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.BackgroundRole) == CHECKIN
