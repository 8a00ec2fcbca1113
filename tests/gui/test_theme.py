"""The app's look: the bundled interface font, one accent for selections and primary buttons,
one alignment for every table's column titles."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCalendarWidget,
    QListWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from clinic_desktop import app as clinic_app
from clinic_desktop.core.services import episodes, intake, patients
from clinic_desktop.gui import theme
from clinic_desktop.gui.directory_dialog import DirectoryDialog
from clinic_desktop.gui.intake_screen import IntakeScreen
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.plan_screen import PlanScreen
from clinic_desktop.gui.shortcuts_dialog import ShortcutsDialog
from clinic_desktop.gui.stabilization_screen import StabilizationScreen
from clinic_desktop.gui.users_dialog import UsersDialog
from clinic_desktop.gui.widgets import style
from clinic_desktop.gui.widgets.sign_dialog import SignDialog
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake
from tests.gui.helpers import button, by_name


@pytest.fixture
def styled_app(qapp):
    """The test QApplication set up as the app sets itself up; put back as it was afterwards, so
    the other tests keep their plain look."""
    font, sheet, style = QFont(qapp.font()), qapp.styleSheet(), qapp.style().name()
    palette = qapp.palette()
    yield clinic_app.create_application()
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


def test_the_interface_is_set_in_the_bundled_noto_sans(styled_app):
    assert QApplication.font().family() == theme.UI_FONT_FAMILY == "Noto Sans"
    assert QApplication.font().families()[1] == "WenQuanYi Micro Hei"  # CJK names: the PDFs' fallback
    assert QApplication.font().pointSizeF() == theme.UI_FONT_POINT_SIZE


def test_without_the_font_files_the_system_font_stays(qapp, tmp_path, monkeypatch, caplog):
    before = QFont(qapp.font())
    monkeypatch.setattr(theme.paths, "resource", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(theme, "_loaded_families", None)
    try:
        theme.apply_font(qapp)
        assert QApplication.font().family() == before.family()
        assert "interface font NotoSans-Regular.ttf could not be loaded" in caplog.text
    finally:
        qapp.setFont(before)


# ---- one accent: selections and primary buttons ----------------------------------------------

def selection_colour(qtbot, view: QAbstractItemView, *, active: bool) -> QColor:
    """The colour painted beside the text of the selected first row of ``view``."""
    view.setCurrentIndex(view.model().index(0, 0))
    view.selectionModel().select(view.model().index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    if active:
        view.activateWindow()
        qtbot.waitUntil(view.isActiveWindow)
    else:  # another window has the focus
        other = QWidget()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        qtbot.waitUntil(other.isActiveWindow)
    assert view.isActiveWindow() == active
    rect = view.visualRect(view.model().index(0, 0))
    image = view.viewport().grab().toImage()
    return image.pixelColor(rect.right() - 3, rect.center().y())


@pytest.mark.parametrize("active", [True, False], ids=["active", "inactive"])
def test_lists_and_tables_select_in_the_accent(qtbot, styled_app, active):
    table = QTableWidget(2, 1)
    table.setItem(0, 0, QTableWidgetItem("a"))
    table.setItem(1, 0, QTableWidgetItem("b"))
    listing = QListWidget()
    listing.addItems(["a", "b"])
    for view in (table, listing):
        qtbot.addWidget(view)
        view.resize(240, 120)
        view.show()
        qtbot.waitExposed(view)
        assert selection_colour(qtbot, view, active=active).name() == theme.ACCENT, type(view).__name__
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        assert QApplication.palette().color(group, QPalette.ColorRole.Highlight).name() == theme.ACCENT


def test_sign_on_the_intake_summary_is_primary(qtbot, db, nurse):
    patient = patients.register(db, nurse, patients.PatientInput(
        mrn="T-1", given_name="Tess", family_name="Theme", date_of_birth=dt.date(1990, 4, 5), sex="unknown"))
    started = intake.start(db, nurse, patient.id)
    screen = IntakeScreen(db, nurse, intake.open_assessment(db, nurse, started.episode_id),
                          patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(screen)
    screen.show()
    screen.show_section("summary")
    assert style.is_primary(button(screen, "Sign\u2026"))
    assert not style.is_primary(button(screen, "Go to first"))
    dialog = SignDialog(screen)
    qtbot.addWidget(dialog)
    assert style.is_primary(button(dialog, "Sign")) and not style.is_primary(button(dialog, "Cancel"))
    screen.reject()


def test_finalize_on_the_plan_and_its_dialog_are_primary(qtbot, db, admin):
    episode_id, patient = admit_with_signed_intake(db, admin)
    counselor = make_user(db, admin, "counselor")
    plan = PlanScreen(db, counselor, episode_id, patients.open_record(db, counselor, patient.id))
    qtbot.addWidget(plan)
    plan.show()
    sections = by_name(plan, QListWidget, "Sections")
    labels = [sections.item(i).text().strip().split("  ", 1)[-1] for i in range(sections.count())]
    sections.setCurrentRow(labels.index("Print and finalize"))
    assert style.is_primary(button(plan, "Finalize\u2026"))
    assert not style.is_primary(button(plan, "Preview\u2026"))
    dialog = SignDialog(plan, title="Finalize the aftercare plan", accept_text="Finalize")
    qtbot.addWidget(dialog)
    assert style.is_primary(button(dialog, "Finalize")) and not style.is_primary(button(dialog, "Cancel"))
    plan.reject()


# ---- one header alignment ---------------------------------------------------------------------

def column_headers(root: QWidget) -> dict[str, Qt.AlignmentFlag]:
    """Each table's name (its accessible or object name) → its column titles' alignment, for
    the tables under ``root`` (not the calendars' inner tables)."""
    found = {}
    for table in root.findChildren(QTableView):
        if isinstance(table.parent(), QCalendarWidget) or table.parent().inherits("QCalendarWidget"):
            continue
        found[table.accessibleName() or table.objectName()] = table.horizontalHeader().defaultAlignment()
    return found


def test_every_table_header_is_left_aligned_and_vertically_centred(qtbot, db, admin):
    _episode_id, patient = admit_with_signed_intake(db, admin, transition=False)
    nurse = make_user(db, admin, "nurse")
    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    flowsheet = StabilizationScreen(db, nurse, episodes.current_episode(db, nurse, patient.id),
                                    patients.open_record(db, nurse, patient.id))
    qtbot.addWidget(flowsheet)
    flowsheet.tabs.setCurrentWidget(flowsheet.mar_panel)
    dialogs = [DirectoryDialog(db, admin, window), UsersDialog(db, admin, window), ShortcutsDialog(window)]
    headers: dict[str, Qt.AlignmentFlag] = {}
    for root in (window, flowsheet, *dialogs):
        headers.update(column_headers(root))
    assert {"Census", "Search results", "Flowsheet", "Doses today", "Orders", "Directory", "Users",
            "Keyboard shortcuts"} <= set(headers), sorted(headers)
    assert len(headers) >= 8, sorted(headers)  # and the MAR's tables
    assert set(headers.values()) == {Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter}, headers
