"""The Help menu: the user manual (F1, with context help and search), the keyboard shortcuts read
from the windows, About Qt and the log folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QTableView,
    QTextBrowser,
)

from clinic_desktop.gui.manual_dialog import (
    CONTEXT_PAGES,
    ManualDialog,
    manual_dir,
    manual_pages,
)
from clinic_desktop.gui.shortcuts_dialog import ShortcutsDialog
from clinic_desktop.logs import log_file
from tests.gui.helpers import dialog_named, named

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shown_manual(qtbot) -> ManualDialog:
    qtbot.waitUntil(lambda: any(isinstance(w, ManualDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    manual = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ManualDialog) and w.isVisible())
    qtbot.addWidget(manual)
    return manual


def press_f1(qtbot, window) -> None:
    """F1 with the keyboard in ``window`` (a window, or a view in a patient's tab)."""
    window.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window.window())
    if not window.isWindow():
        window.setFocus()
        assert window.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is window
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)


def test_every_page_loads_with_its_title_and_every_image_it_shows(qtbot):
    pages = manual_pages()
    assert len(pages) >= 9
    for page in pages:
        assert page.title and len(page.text.split()) > 60, page.path.name
        for image in page.images:
            assert (manual_dir() / image).is_file(), f"{page.path.name}: {image} is missing"
    assert set(CONTEXT_PAGES.values()) <= {p.id for p in pages}
    assert sum(len(p.images) for p in pages[1:]) >= len(pages) - 1  # every screen page shows its screen


def test_the_shipped_screenshots_are_the_ones_in_docs_and_the_bundle_is_small():
    """resources/manual/images/ holds copies of docs/screenshots (make screenshots refreshes both)."""
    images = sorted((manual_dir() / "images").iterdir())
    for image in images:
        assert image.read_bytes() == (SCREENSHOTS / image.name).read_bytes(), f"{image.name} is stale"
    assert sum(i.stat().st_size for i in images) < 4_000_000
    used = {Path(i).name for p in manual_pages() for i in p.images}
    assert {i.name for i in images} == used, "an image no page shows, or one not copied"


def test_the_manual_shows_each_page_with_its_images_loaded(qtbot):
    manual = ManualDialog()
    qtbot.addWidget(manual)
    manual.show()
    pages = named(manual, QListWidget, "Pages")
    browser = named(manual, QTextBrowser, "Manual page")
    for row, page in enumerate(manual_pages()):
        pages.setCurrentRow(row)
        assert manual.current_page() == page.id
        assert page.title in browser.toPlainText()
        for image in page.images:
            assert not browser.document().resource(3, QUrl(image)) is None  # 3: ImageResource


def test_f1_in_the_main_window_opens_the_manual_at_the_census(qtbot, demo_window):
    press_f1(qtbot, demo_window)
    manual = shown_manual(qtbot)
    assert manual.current_page() == "census"
    assert "Searching" in named(manual, QTextBrowser, "Manual page").toPlainText()


def test_f1_on_a_screen_opens_its_page(qtbot, demo_window):
    demo_window.ui.actionUsers.trigger()
    users = next(w for w in QApplication.topLevelWidgets()
                 if type(w).__name__ == "UsersDialog" and w.isVisible())
    press_f1(qtbot, users)
    manual = shown_manual(qtbot)
    assert manual.current_page() == "administration"
    assert manual.parentWidget() is users  # usable although the users dialog is modal


def test_f1_on_the_flowsheet_in_its_tab_opens_the_stabilization_page(qtbot, demo_window):
    census = named(demo_window, QTableView, "Census")
    row = next(n for n, r in enumerate(demo_window.census_model.rows()) if r.stage == "stabilization")
    census.selectRow(row)
    demo_window.ui.actionOpenFlowsheet.trigger()
    screen = dialog_named(demo_window, "Stabilization")
    assert screen is not None
    qtbot.waitExposed(screen)
    press_f1(qtbot, screen)
    manual = shown_manual(qtbot)
    assert manual.current_page() == "stabilization"
    assert manual.parentWidget() is demo_window
    demo_window.workspace.show_census()  # back on the census tab, F1 opens the census page
    press_f1(qtbot, demo_window)
    assert shown_manual(qtbot).current_page() == "census"


def test_typing_searches_every_page_and_enter_finds_the_next(qtbot):
    manual = ManualDialog(page="census")
    qtbot.addWidget(manual)
    manual.show()
    pages = named(manual, QListWidget, "Pages")
    # typing on the page list goes to the search box
    pages.setFocus()
    qtbot.keyClicks(pages, "naltrexone")
    search = named(manual, QLineEdit, "Search the manual")
    assert search.text() == "naltrexone"
    shown = [pages.item(r).text() for r in range(pages.count()) if not pages.item(r).isHidden()]
    assert shown == ["Stabilization", "The aftercare plan", "Administration"]
    assert manual.current_page() == "stabilization"  # the census page does not mention it
    browser = named(manual, QTextBrowser, "Manual page")
    assert browser.extraSelections()
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert browser.textCursor().selectedText().casefold() == "naltrexone"
    for _ in range(6):  # on through the last mention to the next page
        qtbot.keyClick(search, Qt.Key.Key_Return)
        if manual.current_page() == "aftercare-plan":
            break
    assert manual.current_page() == "aftercare-plan"
    assert browser.textCursor().selectedText().casefold() == "naltrexone"
    search.clear()
    assert all(not pages.item(r).isHidden() for r in range(pages.count()))


def test_a_link_to_another_page_selects_it_in_the_list(qtbot):
    manual = ManualDialog()
    qtbot.addWidget(manual)
    browser = named(manual, QTextBrowser, "Manual page")
    browser.setSource(QUrl.fromLocalFile(str(manual_dir() / "08-directory.md")))
    assert manual.current_page() == "directory"


def test_the_keyboard_shortcuts_list_every_shortcut_of_the_main_window(qtbot, demo_window):
    demo_window.ui.actionKeyboardShortcuts.trigger()
    dialog = next(w for w in demo_window.findChildren(ShortcutsDialog) if w.isVisible())
    rows = dialog.rows()
    with_keys = [a for a in demo_window.findChildren(QAction)
                 if a.isVisible() and not a.shortcut().isEmpty()]
    assert len(with_keys) >= 10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(r[0] == keys and r[1] in action.text().replace("&", "") for r in rows), keys
    assert ("F1", "User manual", "Main window") in rows


def test_the_keyboard_shortcuts_list_those_of_an_open_screen(qtbot, demo_window):
    demo_window.ui.actionDirectory.trigger()
    demo_window.ui.actionKeyboardShortcuts.trigger()
    dialog = next(w for w in demo_window.findChildren(ShortcutsDialog) if w.isVisible())
    assert ("F1", "User manual at this screen's page", "Referral directory") in dialog.rows()


def test_about_qt_and_the_log_folder(qtbot, demo_window, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "aboutQt", lambda parent, title="": asked.append(title))
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    demo_window.ui.actionAboutQt.trigger()
    assert asked == ["About Qt"]
    demo_window.ui.actionOpenLogFolder.trigger()
    assert [Path(u.toLocalFile()) for u in opened] == [log_file().parent]


@pytest.mark.parametrize("name", ["actionUserManual", "actionKeyboardShortcuts",
                                  "actionOpenLogFolder", "actionAboutQt"])
def test_the_help_menu_holds_the_new_entries(demo_window, name):
    assert getattr(demo_window.ui, name) in demo_window.ui.menuHelp.actions()


def test_each_window_with_a_page_is_a_window_of_the_app():
    """CONTEXT_PAGES names classes by their names: each must still exist under that name."""
    import importlib
    import pkgutil

    import clinic_desktop.gui

    classes: set[str] = set()
    for module in pkgutil.walk_packages(clinic_desktop.gui.__path__, "clinic_desktop.gui."):
        if ".forms" in module.name or module.name.endswith("icon_set"):
            continue
        classes |= set(vars(importlib.import_module(module.name)))
    assert set(CONTEXT_PAGES) <= classes
