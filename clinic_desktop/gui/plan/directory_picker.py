"""Add referral… / Add meeting…: choose one directory entry from a search, each contact that
needs checking flagged (:func:`clinic_desktop.core.directory.check_contact`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import directory as directory_rules
from clinic_desktop.core.directory import ContactCheck
from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import directory
from clinic_desktop.gui.plan.contacts import mark_to_check, stale_days
from clinic_desktop.gui.plan.rows import labelled
from clinic_desktop.gui.widgets.dialog_base import error_line
from clinic_desktop.gui.widgets.empty_note import EmptyNote


def empty_directory_text(search: str) -> str:
    """What the picker's empty list means: nothing matches the search, or the clinic has not added
    its local programs and contacts yet (the national help lines are on every plan already)."""
    where = ("An administrator adds the clinic's programs, prescribers, meetings and services in "
             "View \u2192 Referral directory\u2026")
    if search.strip():
        return f"Nothing in the directory matches \u201c{search.strip()}\u201d. Check the spelling. {where}."
    return (f"No local programs or contacts in the directory yet. {where}. The national help lines "
            "are printed on every plan without being added here.")


class DirectoryPicker(QDialog):
    """Choose one directory entry (a referral or a meeting) from a search."""

    chosen = Signal(object)  # DirectoryEntryView

    def __init__(self, db, user: SignedInUser, title: str, parent: QWidget | None = None, *,
                 kind: str | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        #: Only entries of this directory kind (an obstetric referral's picker), or any.
        self.kind = kind
        self.today = directory.clinic_today()
        self.stale_days = stale_days(db)
        self.setWindowTitle(title)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, address or notes")
        self.results = QListWidget()
        self.results.setAccessibleName("Directory entries")
        self.results.setWordWrap(True)
        self.check_line = QLabel()
        self.check_line.setProperty("role", "warning")
        self.check_line.setWordWrap(True)
        self.check_line.setAccessibleName("Check before adding")
        self.check_line.setVisible(False)
        self.results.currentItemChanged.connect(lambda *_a: self._entry_chosen())
        #: What an empty list means, and who fills the directory.
        self.empty = EmptyNote(self.results.model(), "", "Directory entries empty", self)
        self.error = error_line()
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.results.itemActivated.connect(lambda _item: self.choose())
        form = QHBoxLayout()
        form.addWidget(labelled("Search", self.search))
        form.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.check_line)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.resize(720, 460)
        self.refresh()

    def refresh(self) -> None:
        self.results.clear()
        try:
            found = directory.search(self.db, self.user, self.search.text(), kind=self.kind,
                                     include_national=False)
        except ClinicError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        for entry in found:
            info = self.contact(entry)
            phone = entry.phone_display or entry.phone or ""
            parts = [entry.name, entry.kind_label, phone, *info.flags]
            item = QListWidgetItem(" \u2014 ".join(p for p in parts if p))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            mark_to_check(item, info, self.style())
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.add_button.setEnabled(bool(self.results.count()))
        self.empty.setText(empty_directory_text(self.search.text()))

    def contact(self, entry: directory.DirectoryEntryView) -> ContactCheck:
        return directory_rules.check_contact(entry, self.today, self.stale_days)

    def _entry_chosen(self) -> None:
        """The warning line under the list: what to check about the highlighted entry."""
        item = self.results.currentItem()
        info = self.contact(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        self.check_line.setText(info.tooltip() if info is not None else "")
        self.check_line.setVisible(bool(info and info.warnings))

    def choose(self) -> None:
        item = self.results.currentItem()
        if item is None:
            self.error.setText("Choose an entry from the list.")
            self.error.setVisible(True)
            return
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
