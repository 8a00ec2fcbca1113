"""Issue #14 item 7: the app fits a 1366×768 and a 1024×600 screen. Every dialog can shrink to the
screen (less a 40-pixel panel) and opens no larger than it, whatever size it last closed at; long
content scrolls inside the dialog and its last field can be scrolled fully into view; messages
never cover hints; the census's Name column stretches while the others keep their text whole.

The offscreen platform has one screen of a fixed size: the tests give the dialogs a smaller one
through ``dialog_base.screen_area``, the one place a dialog asks how much room it has."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QApplication, QStyle

from clinic_desktop.gui.widgets import dialog_base
from clinic_desktop.gui.widgets.flag_delegate import FLAG_GAP, FLAG_WIDTH
from tests.conftest import make_user
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, type_into, wait_answered
from tests.gui.test_focus_chain import DIALOGS, Clinic

PANEL = 40  # a task bar or a desktop's top panel
SCREENS = {"1024x600": QRect(0, 0, 1024, 600 - PANEL), "1366x768": QRect(0, 0, 1366, 768 - PANEL)}


@pytest.fixture
def clinic(db, admin):
    return Clinic(db, admin)


@pytest.fixture
def screen(monkeypatch):
    """``screen(name_or_rect)`` makes every dialog see that much room on its screen."""
    def use(area: str | QRect) -> QRect:
        rect = SCREENS[area] if isinstance(area, str) else area
        monkeypatch.setattr(dialog_base, "screen_area", lambda _widget: QRect(rect))
        return rect
    return use


@pytest.fixture
def font_size():
    """``font_size(points)``: the application's font at that size (a desktop's 10 or 11 pt is
    larger than the offscreen platform's 9 pt), put back afterwards."""
    before = QApplication.font()

    def use(points: int) -> None:
        if points:
            font = QApplication.font()
            font.setPointSize(points)
            QApplication.setFont(font)
    yield use
    QApplication.setFont(before)


def title_bar() -> int:
    return QApplication.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight)


def first_run(c):
    from clinic_desktop.gui.first_run_dialog import FirstRunDialog

    return FirstRunDialog(c.db)


def shortcuts(c):
    from PySide6.QtWidgets import QWidget

    from clinic_desktop.gui.shortcuts_dialog import ShortcutsDialog

    c.main_window = QWidget()  # kept: the dialog lists its shortcuts and is its child
    return ShortcutsDialog(c.main_window)


EVERY_DIALOG = {**DIALOGS, "first run": first_run, "keyboard shortcuts": shortcuts}


def assert_fits(dialog, area: QRect, where: str) -> None:
    hint = dialog.minimumSizeHint()
    assert hint.width() <= area.width() and hint.height() + title_bar() <= area.height(), (
        f"{where}: cannot shrink below {hint.width()}×{hint.height()} (+{title_bar()} title bar)")
    least = dialog.minimumSize()
    assert least.width() <= area.width() and least.height() + title_bar() <= area.height(), (
        f"{where}: minimum size {least.width()}×{least.height()}")
    frame = dialog.frameGeometry()
    assert frame.width() <= area.width() and frame.height() <= area.height(), (
        f"{where}: opens at {frame.width()}×{frame.height()} (frame and all)")


@pytest.mark.parametrize(("size", "points"), [("1024x600", 11), ("1366x768", 0)],
                         ids=["1024x600 at 11 pt", "1366x768"])
@pytest.mark.parametrize("name", list(EVERY_DIALOG))
def test_every_dialog_fits_the_screen(qtbot, clinic, screen, font_size, name, size, points):
    font_size(points)  # the small screen with a desktop's larger font: the harder case
    area = screen(size)
    dialog = EVERY_DIALOG[name](clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert_fits(dialog, area, f"{name} at {size}")
    dialog.done(0)


# --- GeometryDialog: the size it opens at, clamped to the screen ----------------------------------


def saved_about_geometry(qtbot, db, screen, area: QRect, width: int, height: int) -> int:
    """An About dialog closed at ``width``×``height`` on ``area``, its geometry saved: how much
    taller its frame is than it (the title bar)."""
    from clinic_desktop.gui.about_dialog import AboutDialog

    screen(area)
    dialog = AboutDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.resize(width, height)
    dialog.move(area.topLeft())
    frame = dialog.frameGeometry().height() - dialog.height()
    dialog.done(0)
    saved = QSettings().value(AboutDialog.geometry_key())
    assert isinstance(saved, QByteArray) and not saved.isEmpty()
    return frame


def shown_about(qtbot, db):
    from clinic_desktop.gui.about_dialog import AboutDialog

    dialog = AboutDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_size_saved_on_a_larger_screen_opens_clamped_to_a_smaller_one(qtbot, db, screen):
    saved_about_geometry(qtbot, db, screen, QRect(0, 0, 800, 800), 780, 760)
    area = screen(QRect(0, 0, 700, 500))
    dialog = shown_about(qtbot, db)
    assert dialog.frameGeometry().height() == 500 and dialog.width() <= 700
    assert area.contains(dialog.frameGeometry())


def test_a_saved_size_that_fits_is_kept(qtbot, db, screen):
    frame = saved_about_geometry(qtbot, db, screen, QRect(0, 0, 800, 800), 640, 420)
    screen(QRect(0, 0, 800, 420 + frame))  # just room for it, title bar and all
    dialog = shown_about(qtbot, db)
    assert (dialog.width(), dialog.height()) == (640, 420)


def test_a_saved_size_one_pixel_too_tall_loses_that_pixel(qtbot, db, screen):
    frame = saved_about_geometry(qtbot, db, screen, QRect(0, 0, 800, 800), 640, 421)
    screen(QRect(0, 0, 800, 420 + frame))
    dialog = shown_about(qtbot, db)
    assert (dialog.width(), dialog.height()) == (640, 420)


def test_a_default_size_larger_than_the_screen_is_clamped(qtbot, screen):
    from clinic_desktop.gui.manual_dialog import ManualDialog

    area = screen("1024x600")
    dialog = ManualDialog()  # opens at 1000×720 by default
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() == 1000 and dialog.frameGeometry().height() == area.height()
    assert area.contains(dialog.frameGeometry())


def test_a_dialog_placed_off_the_screen_is_moved_onto_it(qtbot, db, screen):
    area = screen(QRect(0, 0, 1024, 560))
    dialog = shown_about(qtbot, db)
    dialog.move(900, 500)
    dialog.fit_on_screen()
    assert area.contains(dialog.frameGeometry())


# --- the first-run dialog: a refusal takes its own room ---------------------------------------------


def shown_labels(dialog, wanted) -> list:
    from PySide6.QtWidgets import QLabel

    return [label for label in dialog.findChildren(QLabel)
            if label.isVisible() and label.text() and wanted(label)]


def in_dialog(widget, dialog) -> QRect:
    return QRect(widget.mapTo(dialog, widget.rect().topLeft()), widget.size())


def is_error(label) -> bool:
    return label.property("role") == "error" or label.accessibleName().endswith("rror")


def is_hint(label) -> bool:
    return not is_error(label) and (
        label.property("role") in ("hint", "muted") or label.accessibleName().endswith(("hint", "feedback")))


def assert_nothing_overlaps(dialog) -> None:
    errors, hints = shown_labels(dialog, is_error), shown_labels(dialog, is_hint)
    assert errors, "no refusal shown"
    assert hints, "no hint shown"
    for error in errors:
        for hint in hints:
            assert not in_dialog(error, dialog).intersects(in_dialog(hint, dialog)), (
                f"{error.accessibleName()!r} {in_dialog(error, dialog)} covers "
                f"{hint.accessibleName()!r} {in_dialog(hint, dialog)}")
    # and every label is as tall as its wrapped text needs
    for label in errors + hints:
        needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        assert label.height() >= needed, f"{label.accessibleName()!r} cut: {label.height()} < {needed}"


@pytest.mark.parametrize("size", list(SCREENS))
@pytest.mark.parametrize(("password", "repeat"), [
    ("too short", "too short"),  # refused by the service, beside the hint and the live feedback
    (STRONG_PASSWORD, "violet harbor lantern 24"),  # refused at once: not the same
])
@pytest.mark.parametrize("small", [False, True], ids=["default size", "shrunk"])
def test_first_run_refusals_do_not_cover_its_hints(qtbot, db, screen, size, password, repeat, small):
    from PySide6.QtWidgets import QLineEdit

    from clinic_desktop.gui.first_run_dialog import FirstRunDialog

    screen(size)
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    if small:  # as small as it goes (a user shrank it; a larger font has the same effect)
        dialog.resize(dialog.minimumSizeHint())
    type_into(qtbot, by_name(dialog, QLineEdit, "Full name"), "Ada Admin")
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), "ada lovelace")  # refused too
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), password)
    type_into(qtbot, by_name(dialog, QLineEdit, "Repeat password"), repeat)
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    qtbot.wait(50)  # the layout settles
    assert dialog.isVisible()
    assert_nothing_overlaps(dialog)
    assert_fits(dialog, SCREENS[size], f"first run after a refusal at {size}")


# --- nothing cut at a scroll area's edge ------------------------------------------------------------


def the_scroll_area(dialog, name: str):
    from PySide6.QtWidgets import QScrollArea

    return by_name(dialog, QScrollArea, name)


def lowest_widget(contents):
    """The shown widget inside ``contents`` that reaches lowest (its last input, or a message
    under it)."""
    from PySide6.QtWidgets import QWidget

    shown = [w for w in contents.findChildren(QWidget) if w.isVisibleTo(contents) and w.height() > 0]
    return max(shown, key=lambda w: w.mapTo(contents, w.rect().bottomLeft()).y())


def assert_bottom_reachable(qtbot, dialog, area_name: str, where: str) -> None:
    scroll = the_scroll_area(dialog, area_name)
    contents = scroll.widget()
    bar = scroll.verticalScrollBar()
    qtbot.wait(50)  # wrapped labels settle their height first
    bar.setValue(bar.maximum())
    qtbot.wait(20)
    bar.setValue(bar.maximum())  # as far down as a user can scroll
    viewport = scroll.viewport()
    last = lowest_widget(contents)
    where_last = QRect(last.mapTo(viewport, last.rect().topLeft()), last.size())
    assert viewport.rect().contains(where_last), (
        f"{where}: {type(last).__name__} {last.accessibleName() or last.objectName()!r} at "
        f"{where_last} is cut by the viewport {viewport.rect()}")
    # and its text whole: as tall as its contents need
    assert last.height() >= last.minimumSizeHint().height(), f"{where}: the last widget is squeezed"


SCROLLING = {
    "new patient": "Patient details",
    "clinic settings": "Clinic settings",
    "directory entry": "Entry details",
}


@pytest.mark.parametrize(("size", "points"), [("1024x600", 11), ("1366x768", 0)],
                         ids=["1024x600 at 11 pt", "1366x768"])
@pytest.mark.parametrize("name", list(SCROLLING))
@pytest.mark.parametrize("small", [False, True], ids=["opened", "shrunk"])
def test_the_last_field_scrolls_fully_into_view(qtbot, clinic, screen, font_size, name, size, points, small):
    font_size(points)
    area = screen(size)
    dialog = DIALOGS[name](clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    if small:
        dialog.resize(dialog.minimumSize())
    assert_fits(dialog, area, f"{name} at {size}")
    assert_bottom_reachable(qtbot, dialog, SCROLLING[name], f"{name} at {size}")


# --- the census at 1024×600 -------------------------------------------------------------------------


def census_widths(qtbot, window, width: int, height: int) -> tuple:
    from PySide6.QtWidgets import QTableView

    window.resize(width, height)
    qtbot.wait(50)
    table = by_name(window, QTableView, "Census")
    header = table.horizontalHeader()
    model = table.model()
    names = [model.headerData(c, header.orientation()) for c in range(model.columnCount())]
    return table, header, names


@pytest.mark.parametrize("points", [0, 11], ids=["platform font", "11 pt"])
@pytest.mark.parametrize(("width", "height"), [(1024, 600 - PANEL), (1366, 768 - PANEL)])
def test_the_census_names_stretch_and_the_other_columns_keep_their_text(
        qtbot, demo_window, font_size, width, height, points):
    font_size(points)
    table, header, names = census_widths(qtbot, demo_window, width, height)
    assert demo_window.width() <= width, f"the main window cannot shrink to {width}: {demo_window.width()}"
    sections = {name: header.sectionSize(column) for column, name in enumerate(names)}
    name_column = names.index("Name")
    # The names take the room left: every name whole (a last COWS of "no active withdrawal" from
    # yesterday may be wider than any name, and must stay whole too). A check-in flag after a
    # name ("  ⚑ Craving 9/10") may be shortened on a small screen, never the name or its ⚑ (the
    # whole flag is in the tooltip and on the handover).
    model, fm = table.model(), table.fontMetrics()
    texts = [str(model.index(r, name_column).data()) for r in range(model.rowCount())]
    flagged = [t.split("  \u2691")[0] + "  \u2691 C\u2026" for t in texts if "\u2691" in t]
    assert flagged, "the demo census shows a check-in flag"
    room = FLAG_WIDTH + FLAG_GAP + 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1) + 4
    needed = max([fm.horizontalAdvance(t) + room for t in flagged]
                 + [table.sizeHintForIndex(model.index(r, name_column)).width()
                    for r in range(model.rowCount()) if "\u2691" not in texts[r]])
    assert sections["Name"] >= needed, f"a name is cut: {sections}, needs {needed}"
    for column, name in enumerate(names):
        if column == name_column:
            continue
        needed = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        assert header.sectionSize(column) >= needed, (
            f"{name!r} is {header.sectionSize(column)} wide, its text needs {needed}")
    # every column in view: no sideways scrolling to reach the last one
    assert header.length() <= table.viewport().width()


@pytest.mark.parametrize(("size", "points"), [("1024x600", 11), ("1366x768", 0)],
                         ids=["1024x600 at 11 pt", "1366x768"])
@pytest.mark.parametrize(("name", "area_name"), [("clinic settings", "Clinic settings"),
                                                 ("protocol settings", "Protocol settings")])
def test_the_settings_groups_take_the_room_the_dialog_has(qtbot, clinic, screen, font_size, name, area_name,
                                                          size, points):
    """No empty band between the scrolling groups and the buttons while the groups scroll."""
    from PySide6.QtWidgets import QDialogButtonBox

    font_size(points)
    screen(size)
    dialog = DIALOGS[name](clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)
    scroll = the_scroll_area(dialog, area_name)
    buttons = dialog.findChild(QDialogButtonBox)
    gap = buttons.y() - (scroll.y() + scroll.height())
    scrolls = scroll.verticalScrollBar().maximum() > 0
    assert not scrolls or gap <= 2 * dialog.layout().spacing() + 4, (
        f"{name} at {size}: {gap} px empty under the groups while they scroll")


# --- the orders at 1024×600 ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_orders_keep_the_drug_and_its_hold_parameters_whole(qtbot, db, admin, demo_window, font_size,
                                                                  width):
    """In the patient's tab, the Orders table never cuts a drug's name or its hold parameters:
    on a narrow screen it scrolls sideways instead (a desktop's 11 pt)."""
    from PySide6.QtWidgets import QTableView

    from clinic_desktop.core.services import mar

    font_size(11)
    # Jordan Smith, on buprenorphine (the other demo patients in stabilization take clonidine)
    row = next(r for r in demo_window.census_model.rows() if r.mrn == "DEMO-0002")
    prescriber = make_user(db, admin, "prescriber", "dr-long")  # "Prescriber Dr-long": a long name
    mar.create_order(db, prescriber, row.episode_id, mar.OrderInput(
        drug_id="lofexidine", dose=0.54, unit="mg", route="oral", times=("08:00", "13:00", "18:00", "23:00"),
        hold_sbp_below=90, hold_dbp_below=50, hold_hr_below=50, instructions="Taper from day 5"))
    mar.create_order(db, prescriber, row.episode_id, mar.OrderInput(
        drug_id="ondansetron", dose=4, unit="mg", route="oral", min_interval_hours=8, max_daily_dose=16,
        acknowledgement="Baseline ECG normal, QTc 412 ms"))
    demo_window.resize(width, 600 - PANEL)
    assert demo_window.navigator.flowsheet(row.patient_id)
    screen = demo_window.workspace.views()[0]
    screen.tabs.setCurrentWidget(screen.medications_page)
    qtbot.wait(50)
    table = by_name(screen, QTableView, "Orders")
    header = table.horizontalHeader()
    model = table.model()
    names = [model.headerData(c, header.orientation()) for c in range(model.columnCount())]
    for name in ("Medication", "Hold parameters"):
        column = names.index(name)
        needed = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        assert header.sectionSize(column) >= needed, f"{name} cut at {width}: {header.sectionSize(column)} < {needed}"


def test_the_scale_instructions_stay_whole_while_the_items_scroll(qtbot, clinic, screen):
    """Record COWS on a short screen: the first item has the keyboard and the items scroll, but
    the instructions and the keyboard hint sit above the scroll area, never cut at its edge."""
    screen("1024x600")
    dialog = DIALOGS["record COWS"](clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.width(), 460)  # shorter than the items: they scroll
    dialog.entry.setFocus()
    qtbot.wait(50)
    assert dialog.scroll_area.verticalScrollBar().maximum() > 0
    for label in (dialog.entry.instructions_label, dialog.entry.hint_label):
        assert not dialog.scroll_area.isAncestorOf(label)
        assert label.visibleRegion().boundingRect() == label.rect(), label.objectName()
    dialog.done(0)
