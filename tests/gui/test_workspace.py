"""One main window with a tab per open patient: the census first, each patient's screens as views
in the patient's tab, Ctrl+Tab / Ctrl+Shift+Tab round the tabs, Ctrl+W closing a patient's tab (its
drafts saved), the window maximized the first time and as it was left afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableView, QTabWidget

from clinic_desktop.core.services import intake, patients
from clinic_desktop.gui.main_window import GEOMETRY_KEY, MainWindow
from clinic_desktop.gui.workspace import CENSUS_INDEX, PatientTab
from tests.gui.helpers import by_name, dialog_named, go, named, start_assessment, type_into
from tests.gui.test_tab_walk import tab_round


def tabs_of(window: MainWindow) -> QTabWidget:
    tabs = by_name(window, QTabWidget, "Open patients")
    assert isinstance(tabs, QTabWidget)
    return tabs


def tab_texts(window: MainWindow) -> list[str]:
    tabs = tabs_of(window)
    return [tabs.tabText(i) for i in range(tabs.count())]


def census_rows(window: MainWindow, stage: str):
    return [(n, r) for n, r in enumerate(window.census_model.rows()) if r.stage == stage]


def open_from_census(qtbot, window: MainWindow, row: int, action=None):
    """Select census row ``row`` and open it (Enter, or ``action``): the view shown."""
    census = named(window, QTableView, "Census")
    window.workspace.show_census()
    census.selectRow(row)
    if action is None:
        census.setFocus()
        qtbot.keyClick(census, Qt.Key.Key_Return)
    else:
        action.trigger()
    tabs = tabs_of(window)
    qtbot.waitUntil(lambda: isinstance(tabs.currentWidget(), PatientTab))
    tab = tabs.currentWidget()
    assert isinstance(tab, PatientTab)
    return tab.views.currentWidget()


def keyboard_in(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_a_patient_opens_as_a_tab_of_the_main_window_not_a_window(qtbot, demo_window):
    window = demo_window
    keyboard_in(qtbot, window)
    windows_before = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    (row, census_row), *_ = census_rows(window, "stabilization")
    view = open_from_census(qtbot, window, row)
    assert type(view).__name__ == "StabilizationScreen"
    assert not view.isWindow() and view.window() is window
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == windows_before
    tabs = tabs_of(window)
    assert tab_texts(window) == ["Census", census_row.display_name]
    assert census_row.mrn in tabs.tabToolTip(1)
    # the banner tells whose tab it is: name, MRN, allergies, risk flags
    assert by_name(view, QLabel, "Patient").text() == census_row.display_name
    assert census_row.mrn in by_name(view, QLabel, "Patient details").text()
    assert "Allergies" in by_name(view, QLabel, "Allergies").text()
    assert by_name(view, QLabel, "Risk flags").isVisible()
    # the keyboard is in the view, and Escape does not throw the tab away
    assert view.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert tabs.count() == 2 and view.isVisible()
    # opening the same patient again raises the tab, no second one
    window.workspace.show_census()
    open_from_census(qtbot, window, row)
    assert tabs.count() == 2 and tabs.currentIndex() == 1


def test_a_screen_is_built_in_its_tab_and_one_that_fails_leaves_no_empty_tab(qtbot, demo_window, monkeypatch):
    """The flowsheet is made inside the patient's tab from its first line (never a window that is
    then moved in: that restyled every widget again); if it cannot be made, the error is shown and
    the tab made for it goes."""
    from clinic_desktop.core.errors import ClinicError
    from clinic_desktop.gui import stabilization_screen
    from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

    window = demo_window
    (row, _census_row), (other, _), *_ = census_rows(window, "stabilization")
    parents = []
    real_init = GeometryDialog.__init__

    def init(self, parent=None):
        parents.append(parent)
        real_init(self, parent)
        assert not self.isWindow()  # a view from its first line, before a child is made

    monkeypatch.setattr(GeometryDialog, "__init__", init)
    view = open_from_census(qtbot, window, row)
    tab = tabs_of(window).currentWidget()
    assert parents == [tab.host] and view.parentWidget() is tab.host

    def fail(*_args, **_kwargs):
        raise ClinicError("the episode was closed on another workstation")

    errors = []
    monkeypatch.setattr(stabilization_screen.StabilizationScreen, "__init__", fail)
    monkeypatch.setattr("clinic_desktop.gui.navigator.QMessageBox.warning", lambda *args: errors.append(args[1:]))
    window.workspace.show_census()
    window.navigator.flowsheet(window.census_model.rows()[other].patient_id)
    assert errors == [("The flowsheet could not be opened", "the episode was closed on another workstation")]
    assert tabs_of(window).count() == 2  # the census and the first patient: no empty tab left


def test_ctrl_tab_goes_round_the_tabs_and_ctrl_w_closes_only_a_patient_tab(qtbot, demo_window):
    window = demo_window
    keyboard_in(qtbot, window)
    (first, a), (second, b), *_ = census_rows(window, "stabilization")
    open_from_census(qtbot, window, first)
    open_from_census(qtbot, window, second)
    tabs = tabs_of(window)
    assert tab_texts(window) == ["Census", a.display_name, b.display_name]
    assert tabs.currentIndex() == 2

    def press(key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
        qtbot.keyClick(QApplication.focusWidget() or window, key, modifiers)

    press(Qt.Key.Key_Tab)
    assert tabs.currentIndex() == CENSUS_INDEX  # round to the census
    press(Qt.Key.Key_Tab)
    assert tabs.currentIndex() == 1
    assert tabs.currentWidget().isAncestorOf(QApplication.focusWidget())  # the keyboard went along
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.currentIndex() == CENSUS_INDEX
    press(Qt.Key.Key_W)  # on the census: nothing closes
    assert tabs.count() == 3
    assert not window.ui.actionCloseTab.isEnabled()
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_W)
    assert tab_texts(window) == ["Census", b.display_name]
    assert dialog_named(window, "Stabilization") is None  # the other flowsheet is on a hidden tab
    press(Qt.Key.Key_0)
    assert tabs.currentIndex() == CENSUS_INDEX
    assert QApplication.focusWidget() is window.ui.searchEdit


def test_a_patients_screens_share_the_tab_and_the_patient_actions_follow_it(qtbot, demo_window):
    window = demo_window
    keyboard_in(qtbot, window)
    (row, census_row), *_ = census_rows(window, "transition")
    flowsheet = open_from_census(qtbot, window, row, window.ui.actionOpenFlowsheet)
    tab = tabs_of(window).currentWidget()
    assert isinstance(tab, PatientTab)
    assert not tab.views.tabBar().isVisible()  # one view: no inner tab bar
    # on the patient's tab, Aftercare plan is this patient's, whatever the census had selected
    window.workspace.show_census()
    named(window, QTableView, "Census").selectRow(0 if row else 1)
    tabs_of(window).setCurrentWidget(tab)
    assert window.ui.actionAftercarePlan.isEnabled()
    window.ui.actionAftercarePlan.trigger()
    plan = tab.views.currentWidget()
    assert type(plan).__name__ == "PlanScreen"
    assert [tab.views.tabText(i) for i in range(tab.views.count())] == ["Stabilization", "Aftercare plan"]
    assert tab.views.tabBar().isVisible()
    assert tab_texts(window).count(census_row.display_name) == 1
    # Tab goes round the whole window, through both tab bars, and never sticks
    visited = tab_round(qtbot, window, tab.views.tabBar())
    assert tabs_of(window).tabBar() in visited
    # closing the plan leaves the flowsheet; closing that closes the tab
    plan.close()
    assert tab.views.count() == 1 and tab.views.currentWidget() is flowsheet
    flowsheet.close()
    qtbot.waitUntil(lambda: tabs_of(window).count() == 1)
    assert tabs_of(window).currentIndex() == CENSUS_INDEX


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="W-1", given_name="Wren", family_name="Workspace", date_of_birth=dt.date(1988, 6, 7),
        sex="unknown"))


def test_ctrl_w_on_an_assessment_saves_what_was_typed(qtbot, db, nurse, patient, window):
    keyboard_in(qtbot, window)
    screen = start_assessment(qtbot, window, patient.mrn)
    assert screen.window() is window
    assert tab_texts(window) == ["Census", "Workspace, Wren"]
    episode_id = screen.assessment.episode_id
    go(screen, "Medical and psychiatric")
    type_into(qtbot, by_name(screen, QLineEdit, "Allergies"), "penicillin")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert tab_texts(window) == ["Census"]
    assert intake.assessment_for_episode(db, nurse, episode_id).data["medical"]["allergies"] == "penicillin"


def test_the_first_start_fills_the_screen_then_the_window_comes_back_as_left(qtbot, db, admin):
    first = MainWindow(db, admin)
    qtbot.addWidget(first)
    first.show_as_left()
    qtbot.waitExposed(first)
    assert first.isMaximized()
    first.showNormal()
    first.resize(760, 520)
    first.close()
    assert QSettings().value(GEOMETRY_KEY) is not None
    again = MainWindow(db, admin)
    qtbot.addWidget(again)
    again.show_as_left()
    qtbot.waitExposed(again)
    assert not again.isMaximized()
    assert again.size() == QSize(760, 520)
