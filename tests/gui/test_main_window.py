"""The main window, driven like a nurse would: search box, census, New patient, Open episode."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)

from clinic_desktop.core.permissions import STAFF
from clinic_desktop.core.services import episodes, patients
from clinic_desktop.core.vocab import Role
from clinic_desktop.gui.main_window import GEOMETRY_KEY, MainWindow
from clinic_desktop.gui.widgets.flag_delegate import FLAG
from tests.conftest import make_user
from tests.factories import admit_without_intake
from tests.gui.helpers import assert_gated, button, dialog_named, named, shown_dialog


def table_texts(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def column(table: QTableView, title: str) -> int:
    model = table.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def row_for(table: QTableView, name: str) -> list[str]:
    rows = [r for r in table_texts(table) if r[0] == name]
    assert rows, f"{name!r} not in {table.accessibleName()}: {[r[0] for r in table_texts(table)]}"
    return rows[0]


def tool_button(window: MainWindow, text: str) -> QAbstractButton:
    return named(window.ui.toolBar, QAbstractButton, text)


@pytest.fixture
def window(demo_window):
    return demo_window


def search(qtbot, window: MainWindow, text: str) -> QTableView:
    box = named(window, QLineEdit, "Search patients")
    box.clear()
    with qtbot.waitSignal(window.search_completed, timeout=3000):
        qtbot.keyClicks(box, text)
    results = named(window, QTableView, "Search results")
    assert results.isVisible()
    return results


def test_census_shows_open_episodes_with_stage_and_last_cows(window):
    census = named(window, QTableView, "Census")
    assert census.isVisible()
    names = [r[0] for r in table_texts(census)]
    assert len(names) == 6  # the discharged and the never-admitted demo patients are not on it
    assert "Okafor, Sam" not in names and "Walker, Chris" not in names
    stage, cows = column(census, "Stage"), column(census, "Last COWS")
    smith = row_for(census, "Smith, Jordan")
    assert smith[stage] == "Stabilization"
    assert smith[cows].startswith("11 mild · ")  # 18 moderate before the first buprenorphine dose
    assert row_for(census, "Núñez Ortega, María José")[cows].startswith("9 mild · ")
    # this morning's check-in craving of 9 is flagged beside the name (#16)
    assert row_for(census, "Kowalski, Dana  \u2691 Craving 9/10")
    zoe = row_for(census, "Ødegård-Núñez, Zoë")
    assert zoe[stage] == "Assessment" and zoe[cows] == "none yet"
    assert row_for(census, "Rivera, Alex")[stage] == "Transition"  # DEMO-0001, with a finalized plan
    assert row_for(census, "Ánh, Nguyễn Thị")[stage] == "Transition"
    assert window.ui.censusSummary.text() == "6 open episodes"


def test_a_nurse_deactivated_meanwhile_sees_why_above_the_census_without_a_message_box(qtbot, db, admin, nurse,
                                                                                      monkeypatch):
    """#18 item 3: the census refreshes whenever another workstation records something; once an
    administrator has deactivated the nurse, each refresh is refused, said once in place (no box
    per refresh) and the rows shown stay. Reactivated, F5 shows the census again."""
    from clinic_desktop.core.services import accounts

    boxes = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: boxes.append(text))
    patient = patients.register(db, nurse, patients.PatientInput(
        mrn="T-2", given_name="Ines", family_name="Kept", date_of_birth=dt.date(1990, 1, 1), sex="female"))
    episodes.open_episode(db, nurse, patient.id)
    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    w.show()
    census = named(w, QTableView, "Census")
    accounts.deactivate(db, admin, nurse.id)
    w.ui.actionRefreshCensus.trigger()
    assert w.ui.censusSummary.text().startswith(
        "The census could not be refreshed: Your account was deactivated by an administrator")
    assert boxes == []
    assert row_for(census, "Kept, Ines")  # still shown
    accounts.reactivate(db, admin, nurse.id, "copper meadow falcon 17")
    w.ui.actionRefreshCensus.trigger()
    assert w.ui.censusSummary.text() == "1 open episode"


def test_census_marks_an_incomplete_cows(qtbot, db, admin, nurse):
    from clinic_desktop.core.services import stabilization

    patient = patients.register(db, nurse, patients.PatientInput(
        mrn="T-1", given_name="Ines", family_name="Partial", date_of_birth=__import__("datetime").date(1990, 1, 1),
        sex="female"))
    episode = episodes.open_episode(db, nurse, patient.id)
    stabilization.record_observation(db, nurse, episode.id, "cows", {"resting_pulse": 2})
    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    census = named(w, QTableView, "Census")
    assert row_for(census, "Partial, Ines")[column(census, "Last COWS")].startswith("incomplete · ")


@pytest.mark.parametrize("typed, expected", [
    ("nunez", {"Núñez Ortega, María José", "Ødegård-Núñez, Zoë"}),
    ("NUÑ", {"Núñez Ortega, María José", "Ødegård-Núñez, Zoë"}),
    ("demo-000", {"Rivera, Alex", "Smith, Jordan", "Núñez Ortega, María José", "Ánh, Nguyễn Thị",
                  "Ødegård-Núñez, Zoë", "Okafor, Sam", "Walker, Chris", "Kowalski, Dana"}),
    ("demo-0007", {"Walker, Chris"}),
    ("1979-11-30", {"Núñez Ortega, María José"}),
])
def test_search_as_you_type(qtbot, window, typed, expected):
    results = search(qtbot, window, typed)
    assert {r[0] for r in table_texts(results)} == expected
    assert not named(window, QTableView, "Census").isVisible()


def test_search_results_show_birth_date_age_and_stage(qtbot, window):
    results = search(qtbot, window, "walker")
    row = row_for(results, "Walker, Chris")
    assert row[column(results, "MRN")] == "DEMO-0007"
    assert row[column(results, "Date of birth")] == "1990-12-05"
    assert row[column(results, "Open episode stage")] == "No open episode"
    results = search(qtbot, window, "smith")
    assert row_for(results, "Smith, Jordan")[column(results, "Open episode stage")] == "Stabilization"


def test_clearing_the_search_shows_the_census_again(qtbot, window):
    search(qtbot, window, "nunez")
    box = named(window, QLineEdit, "Search patients")
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: named(window, QTableView, "Census").isVisible())
    assert not named(window, QTableView, "Search results").isVisible()


def test_typing_is_debounced_into_one_search(qtbot, window):
    searches = []
    window.search_completed.connect(searches.append)
    with qtbot.waitSignal(window.search_completed, timeout=3000):
        qtbot.keyClicks(named(window, QLineEdit, "Search patients"), "kowalski")
    qtbot.wait(300)
    assert searches == [1]


def test_no_match_says_so(qtbot, window):
    results = search(qtbot, window, "zzzz")
    assert table_texts(results) == []
    assert window.ui.searchSummary.text().startswith("No patient matches")


def test_new_patient_from_the_main_window(qtbot, window, db, admin):
    qtbot.mouseClick(tool_button(window, "New patient"), Qt.MouseButton.LeftButton)
    dialog = dialog_named(window, "Patient registration")
    assert dialog is not None and dialog.isVisible()
    named(dialog, QLineEdit, "MRN").clear()
    qtbot.keyClicks(named(dialog, QLineEdit, "MRN"), "C-777001")
    qtbot.keyClicks(named(dialog, QLineEdit, "Given name"), "Tomasz")
    qtbot.keyClicks(named(dialog, QLineEdit, "Family name"), "Kowalczyk")
    qtbot.keyClicks(named(dialog, QLineEdit, "Date of birth"), "1983-06-15")
    sex = named(dialog, QWidget, "Sex")
    sex.setCurrentIndex(sex.findData("male"))
    with qtbot.waitSignal(dialog.patient_saved, timeout=5000):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog_named(window, "Patient registration") is None)
    results = named(window, QTableView, "Search results")
    assert results.isVisible()
    row = row_for(results, "Kowalczyk, Tomasz")
    assert row[column(results, "Date of birth")] == "1983-06-15"
    assert window.selected_row().mrn == "C-777001"
    assert [p.mrn for p in patients.search(db, admin, "kowalczyk")] == ["C-777001"]


def test_open_episode_puts_the_patient_on_the_census_in_assessment(qtbot, window):
    results = search(qtbot, window, "walker")
    results.selectRow(0)
    button = tool_button(window, "Open episode")
    assert button.isEnabled()
    with qtbot.waitSignal(window.episode_opened, timeout=3000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    census = named(window, QTableView, "Census")
    assert census.isVisible()
    row = row_for(census, "Walker, Chris")
    assert row[column(census, "Stage")] == "Assessment"
    assert row[column(census, "Day of stay")] == "1"
    assert window.selected_row().display_name == "Walker, Chris"


def test_open_episode_is_offered_only_without_an_open_episode(qtbot, window):
    results = search(qtbot, window, "smith")
    results.selectRow(0)
    assert not window.ui.actionOpenEpisode.isEnabled()
    named(window, QTableView, "Search results")
    search(qtbot, window, "walker")
    assert window.ui.actionOpenEpisode.isEnabled()


def test_open_episode_error_shows_the_service_message(qtbot, window, db, admin, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    results = search(qtbot, window, "walker")
    results.selectRow(0)
    walker = window.selected_row()
    episodes.open_episode(db, admin, walker.id)  # meanwhile, at another workstation
    window.ui.actionOpenEpisode.trigger()
    assert shown == ["This patient already has an open episode; open it from the census."]
    assert "Walker, Chris" in [r[0] for r in table_texts(named(window, QTableView, "Census"))]


def test_enter_opens_the_patient_record(qtbot, window, db):
    search(qtbot, window, "walker")  # not admitted: Enter opens the record (in a stay, the flowsheet)
    box = named(window, QLineEdit, "Search patients")
    with qtbot.waitSignal(window.patient_opened, timeout=3000) as opened:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    dialog = dialog_named(window, "Patient registration")
    assert dialog is not None and dialog.isVisible()
    assert named(dialog, QLineEdit, "Given name").text() == "Chris"
    with db.read() as session:
        from sqlalchemy import select

        from clinic_desktop.core.models import AuditEvent

        actions = session.execute(select(AuditEvent.action).where(
            AuditEvent.patient_id == opened.args[0])).scalars().all()
    assert "patient.opened" in actions
    dialog.reject()


def double_click_row_in_stage(qtbot, window, stage: str, signal) -> None:
    census = named(window, QTableView, "Census")
    row = next(n for n, r in enumerate(window.census_model.rows()) if r.stage == stage)
    rect = census.visualRect(census.model().index(row, 0))
    qtbot.mouseClick(census.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(signal, timeout=3000):
        qtbot.mouseDClick(census.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_double_click_on_a_census_row_opens_the_patient(qtbot, window):
    double_click_row_in_stage(qtbot, window, "assessment", window.patient_opened)
    dialog_named(window, "Patient registration").reject()


def test_double_click_on_a_patient_in_stabilization_opens_the_flowsheet(qtbot, window):
    double_click_row_in_stage(qtbot, window, "stabilization", window.episode_opened)
    screen = dialog_named(window, "Stabilization")
    assert screen is not None and screen.windowTitle().startswith("Stabilization \u2014 ")
    screen.reject()


def test_a_viewer_sees_new_patient_and_open_episode_greyed_out_saying_who_may(qtbot, db, admin):
    viewer = make_user(db, admin, "viewer")
    w = MainWindow(db, viewer)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert_gated(w.ui.actionNewPatient, viewer, "patients.edit")
    assert_gated(w.ui.actionOpenEpisode, viewer, "episodes.open")
    visible = {b.text(): b for b in w.ui.toolBar.findChildren(QAbstractButton) if b.isVisible()}
    assert not visible["New patient"].isEnabled()
    assert visible["New patient"].toolTip() == "Only administrators, nurses, counselors and prescribers may " \
        "register patients and correct their details."
    assert "Open patient" in visible  # what a viewer may do is there as before


@pytest.mark.parametrize("role", sorted(STAFF), ids=lambda role: role.value)
def test_every_role_sees_every_patient_action_usable_only_if_it_may(qtbot, db, admin, role):
    """The Patient menu and toolbar, a patient in transition selected: each action is there,
    usable iff the role may (and the selection allows it), else saying who may. (The auditor's
    window has no Patient menu at all: MainWindow.audit_only.)"""
    admit_without_intake(db, admin, stage="transition")
    user = make_user(db, admin, role.value, username=f"{role.value}_x")
    w = MainWindow(db, user)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.ui.censusTable.selectRow(0)
    assert w.selected_row() is not None
    ui = w.ui
    assert_gated(ui.actionNewPatient, user, "patients.edit")
    assert_gated(ui.actionOpenEpisode, user, "episodes.open", ready=False)  # the patient has one open
    assert_gated(ui.actionStartAssessment, user, "assessments.record", ready=False)  # past assessment
    assert_gated(ui.actionAftercarePlan, user, "plans.edit")
    assert_gated(ui.actionDischarge, user, "episodes.stage")
    assert_gated(w.actionGroupSession, user, "sessions.counsel")
    assert ui.menuPatient.toolTipsVisible()
    admin_menu = ui.menuAdmin.menuAction().isVisible()
    assert admin_menu == (role == Role.ADMIN)  # hidden, not greyed out, from those who are not admins


def test_a_nurse_sees_new_patient_and_open_episode(qtbot, window, db, nurse):
    w = MainWindow(db, nurse)
    qtbot.addWidget(w)
    assert w.ui.actionNewPatient.isVisible() and w.ui.actionOpenEpisode.isVisible()


def test_status_bar_names_the_user_and_the_database_is_in_about(qtbot, window, db):
    assert window.user_label.text() == "Signed in as Ada Admin (Administrator)"
    shown = [label.text() + label.toolTip() for label in window.statusBar().findChildren(QLabel)]
    assert not [text for text in shown if db.display_name in text or "Database" in text], shown
    window.ui.actionAbout.trigger()
    about = shown_dialog(qtbot, window, "About Clinic Desktop")
    assert about.ui.databaseValue.text() == db.display_name
    about.reject()


def test_shortcuts(window):
    ui = window.ui
    assert ui.actionNewPatient.shortcut().toString() == "Ctrl+N"
    assert ui.actionOpenEpisode.shortcut().toString() == "Ctrl+E"
    assert ui.actionLockScreen.shortcut().toString() == "Ctrl+L"
    assert ui.actionRefreshCensus.shortcut().toString() == "F5"
    assert ui.actionFocusSearch.shortcut().toString() == "Ctrl+F"
    assert ui.actionQuit.shortcut().toString() == "Ctrl+Q"


def test_geometry_is_saved_and_restored(qtbot, window, db, admin):
    window.resize(760, 520)  # the offscreen test screen is 800×600
    window.close()
    assert QSettings().value(GEOMETRY_KEY) is not None
    again = MainWindow(db, admin)
    qtbot.addWidget(again)
    assert again.size() == QSize(760, 520)


def test_first_start_fits_a_1366x768_screen(window):
    available = QGuiApplication.primaryScreen().availableGeometry()
    assert window.width() <= max(1366, available.width())
    assert window.height() <= max(768, available.height())
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768


# --- the census by keyboard, its flags when selected, its empty state ---------------------------


def keyboard_to(qtbot, window: MainWindow) -> None:
    """The window has the keyboard, the cursor in the search box (as at start-up)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.focus_search()


def selected_rows(table: QTableView) -> list[int]:
    return [i.row() for i in table.selectionModel().selectedRows()]


def test_the_first_down_from_the_search_box_selects_the_first_row_and_enter_opens_it(qtbot, window):
    keyboard_to(qtbot, window)
    census = named(window, QTableView, "Census")
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Down)  # through the focus widget, as typed
    assert QApplication.focusWidget() is census and selected_rows(census) == [0]
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Down)
    assert selected_rows(census) == [1]
    assert window.census_model.row_at(1).stage == "stabilization"
    with qtbot.waitSignal(window.episode_opened, timeout=3000):  # Enter opens the patient
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_Return)
    screen = dialog_named(window, "Stabilization")
    assert screen is not None and window.census_model.row_at(1).display_name in screen.windowTitle()
    screen.reject()


def test_tab_from_the_search_box_selects_the_first_row_so_down_goes_to_the_second(qtbot, window):
    keyboard_to(qtbot, window)
    census = named(window, QTableView, "Census")
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is census and selected_rows(census) == [0]
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Down)
    assert selected_rows(census) == [1]


def test_down_while_a_search_is_still_being_typed_selects_its_first_result(qtbot, window):
    keyboard_to(qtbot, window)
    qtbot.keyClicks(window.ui.searchEdit, "smith")
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Down)  # before the debounce ran the search
    results = named(window, QTableView, "Search results")
    assert window.showing_search() and QApplication.focusWidget() is results
    assert selected_rows(results) == [0]


def test_the_overdue_flag_stays_visible_on_the_selected_row(qtbot, window):
    census = named(window, QTableView, "Census")
    model = window.census_model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).overdue)
    census.selectRow(row)
    qtbot.waitUntil(lambda: selected_rows(census) == [row])
    image = census.viewport().grab().toImage()
    cell = census.visualRect(model.index(row, model.NEXT_DUE))
    assert image.pixelColor(cell.left() + 2, cell.center().y()) == FLAG  # the bar, over the highlight
    plain = census.visualRect(model.index(row, model.MRN))
    assert image.pixelColor(plain.left() + 2, plain.center().y()) != FLAG  # only on the flagged cell


def test_an_empty_census_says_what_it_means_and_the_next_step(qtbot, db, admin):
    w = MainWindow(db, admin)
    qtbot.addWidget(w)
    new_patient = w.ui.actionNewPatient.shortcut().toString()
    assert w.ui.censusSummary.text() == f"No patients yet \u2014 add one with New patient\u2026 ({new_patient})."
    assert new_patient == "Ctrl+N"
    patients.register(db, admin, patients.PatientInput(
        mrn="E-1", given_name="Eli", family_name="Empty", date_of_birth=dt.date(1980, 1, 2), sex="unknown"))
    w.refresh_census()
    assert w.ui.censusSummary.text() == (
        "No open episodes. Find a patient above, then choose Open episode (Ctrl+E).")


def test_a_flagged_cell_is_sized_with_room_for_its_bar(qtbot):
    """A column sized to its contents keeps a flagged cell's whole text beside the bar (the
    census cut "01:54 — overdue" to "01:54 — over…" at 1024 px)."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from clinic_desktop.gui.widgets.flag_delegate import FLAG_GAP, FLAG_WIDTH, FlagDelegate

    model = QStandardItemModel(1, 2)
    model.setItem(0, 0, QStandardItem("01:54 \u2014 overdue"))
    flagged = QStandardItem("01:54 \u2014 overdue")
    flagged.setBackground(QColor("#fbdcdc"))
    model.setItem(0, 1, flagged)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setItemDelegate(FlagDelegate(table))
    assert table.sizeHintForColumn(1) == table.sizeHintForColumn(0) + FLAG_WIDTH + FLAG_GAP
