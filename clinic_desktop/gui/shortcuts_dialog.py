"""Help → Keyboard shortcuts: every shortcut of the main window and of each screen open now, read
from their QActions and QShortcuts when the list is opened, so it cannot fall behind the app."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.tables import table_header
from clinic_desktop.gui.workspace import view_title


@dataclass(frozen=True)
class KeyShortcut:
    keys: str  # as the keyboard shows them ("Ctrl+Shift+A")
    action: str  # what they do
    where: str  # the window they work in


def _plain(text: str) -> str:
    """A menu text as read: no mnemonic ampersand, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("\u2026.").strip()


def window_title(window: QWidget) -> str:
    return window.windowTitle().removesuffix(" — Clinic Desktop") or type(window).__name__


def shortcuts_of(window: QWidget, where: str | None = None) -> list[KeyShortcut]:
    """The shortcuts of ``window``'s actions and QShortcuts (not those of windows it opened),
    said to work in ``where`` (the window's title unless given)."""
    where = where or window_title(window)
    found: list[KeyShortcut] = []

    def own(obj) -> bool:  # not a shortcut of a dialog opened from this window
        parent = obj.parent()
        while parent is not None and parent is not window:
            if isinstance(parent, QWidget) and parent.isWindow():
                return False
            parent = parent.parent()
        return True

    def where_of(obj) -> str:  # a screen shown as a view in a patient's tab is named as such
        parent = obj.parent()
        while parent is not None and parent is not window:
            if isinstance(parent, GeometryDialog) and parent.is_embedded():
                return view_title(parent)
            parent = parent.parent()
        return where

    for action in window.findChildren(QAction):
        if not own(action) or not action.isVisible():
            continue
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                found.append(KeyShortcut(sequence.toString(QKeySequence.SequenceFormat.NativeText),
                                         _plain(action.text()), where_of(action)))
    for shortcut in window.findChildren(QShortcut):
        if not own(shortcut) or not shortcut.isEnabled():
            continue
        for sequence in list(shortcut.keys()):  # a QShortcut, not a dict
            if not sequence.isEmpty():
                found.append(KeyShortcut(sequence.toString(QKeySequence.SequenceFormat.NativeText),
                                         shortcut.whatsThis() or "(no description)", where_of(shortcut)))
    return found


def all_shortcuts(main_window: QWidget) -> list[KeyShortcut]:
    """The main window's shortcuts, then those of every other window open now (each once)."""
    windows = [main_window] + [w for w in QApplication.topLevelWidgets()
                               if w is not main_window and w.isVisible()
                               and not isinstance(w, ShortcutsDialog)]
    seen: set[KeyShortcut] = set()
    result: list[KeyShortcut] = []
    for window in windows:
        for shortcut in shortcuts_of(window, "Main window" if window is main_window else None):
            if shortcut not in seen:
                seen.add(shortcut)
                result.append(shortcut)
    return result


class ShortcutsDialog(GeometryDialog):
    """A table of keys, what they do and where."""

    def __init__(self, main_window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else main_window)
        self.setWindowTitle("Keyboard shortcuts — Clinic Desktop")
        self.setAccessibleName("Keyboard shortcuts")
        self.resize(640, 560)
        self.shortcuts = all_shortcuts(main_window)

        note = QLabel("The keys of the main window and of each screen open now. Open a screen "
                      "(an assessment, a flowsheet, a plan) and look again to see its keys as "
                      "well. F1 opens the user manual at the page of the screen you are on.")
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        self.table = QTableWidget(len(self.shortcuts), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does", "Where"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, shortcut in enumerate(self.shortcuts):
            for col, text in enumerate((shortcut.keys, shortcut.action, shortcut.where)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
        header = table_header(self.table)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setCurrentCell(0, 0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.table.setFocus()

    def rows(self) -> list[tuple[str, str, str]]:
        def text(row: int, col: int) -> str:
            item = self.table.item(row, col)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1), text(r, 2)) for r in range(self.table.rowCount())]
