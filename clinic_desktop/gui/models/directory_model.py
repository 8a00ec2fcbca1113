"""The referral directory, from ``directory.search()`` (plain ``DirectoryEntryView``s), and the
row-by-row report of a CSV file checked before import (``RowResult``s)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from clinic_desktop.core.services.directory import DirectoryEntryView, RowResult, clinic_today
from clinic_desktop.gui.models.row_model import RowTableModel

#: A contact not verified for too long: its "Last verified" cell.
STALE = QColor("#fde9da")
#: A refused row of an import report.
REFUSED = QColor("#fbdcdc")
NEVER = "never"
DEFAULT_STALE_DAYS = 180


def stale_text(days: int | None, stale_days: int) -> str:
    """The tooltip of a stale contact's Last verified cell."""
    if days is None:
        return f"Never verified (the clinic checks every {stale_days} days)"
    return f"Not verified in {days} days (the clinic checks every {stale_days})"


class DirectoryModel(RowTableModel[DirectoryEntryView]):
    """One row per contact, in the order ``search`` gives them (national helplines first).
    Inactive contacts are muted; a stale one's Last verified cell is highlighted."""

    COLUMNS = ("Name", "Kind", "Phone", "Languages", "Walk-in", "Last verified")
    NAME, KIND, PHONE, LANGUAGES, WALK_IN, VERIFIED = range(len(COLUMNS))

    def __init__(self, parent=None, stale_days: int = DEFAULT_STALE_DAYS,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.stale_days = stale_days
        self._today = today

    @property
    def today(self) -> dt.date:
        return self._today or clinic_today()

    def set_today(self, today: dt.date | None) -> None:
        """Pin "today" (None: the clinic's today, asked at each look)."""
        self._today = today

    def row_of_entry(self, entry_id: int) -> int:
        return self.find_row(lambda r: r.id == entry_id)

    def is_stale(self, row: DirectoryEntryView) -> bool:
        return row.stale(self.today, self.stale_days)

    def display(self, row: DirectoryEntryView, column: int) -> str:
        if column == self.NAME:
            return row.name if row.active else f"{row.name} (inactive)"
        if column == self.KIND:
            return row.kind_label
        if column == self.PHONE:
            return row.phone_display or row.phone or row.other_contact or ""
        if column == self.LANGUAGES:
            return ", ".join(row.language_names)
        if column == self.WALK_IN:
            return "Yes" if row.walk_in else "No"
        if column == self.VERIFIED:
            return row.last_verified.isoformat() if row.last_verified else NEVER
        return ""

    def sort_key(self, row: DirectoryEntryView, column: int):
        if column == self.VERIFIED:
            return row.last_verified.isoformat() if row.last_verified else None
        if column == self.NAME:
            return row.name.casefold()
        return super().sort_key(row, column)

    def muted(self, row: DirectoryEntryView, column: int) -> bool:
        return not row.active or (column == self.WALK_IN and not row.walk_in)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == self.NAME
                and self._rows[index.row()].national):
            font = QFont()
            font.setBold(True)  # the national helplines, shown apart
            return font
        return super().data(index, role)

    def background(self, row: DirectoryEntryView, column: int) -> QColor | None:
        if column == self.VERIFIED and row.active and self.is_stale(row):
            return STALE
        return None

    def tooltip(self, row: DirectoryEntryView, column: int) -> str | None:
        if column == self.VERIFIED and row.active and self.is_stale(row):
            return stale_text(row.days_since_verified(self.today), self.stale_days)
        if column == self.NAME and row.national:
            return "A national helpline shipped with Clinic Desktop: always listed first"
        if column == self.NAME and not row.active:
            return "Deactivated: left out of searches, plans and exports"
        if column == self.LANGUAGES and row.languages:
            return ", ".join(row.language_names)
        if column == self.PHONE and row.phone_display and row.other_contact:
            return f"Also: {row.other_contact}"
        return None


class ImportReportModel(RowTableModel[RowResult]):
    """One row per data row of the checked file; refused rows highlighted."""

    COLUMNS = ("Line", "Name", "Status", "Messages")
    LINE, NAME, STATUS, MESSAGES = range(len(COLUMNS))
    NUMERIC = frozenset({LINE})
    STATUS_TEXT: ClassVar[dict[str, str]] = {"ok": "OK", "refused": "Refused", "duplicate": "Duplicate (skipped)"}

    def display(self, row: RowResult, column: int) -> str:
        if column == self.LINE:
            return str(row.line)
        if column == self.NAME:
            return row.name
        if column == self.STATUS:
            return self.STATUS_TEXT.get(row.status, row.status)
        if column == self.MESSAGES:
            return " ".join(row.messages)
        return ""

    def sort_key(self, row: RowResult, column: int):
        if column == self.LINE:
            return row.line
        return super().sort_key(row, column)

    def muted(self, row: RowResult, column: int) -> bool:
        return row.status == "duplicate"

    def background(self, row: RowResult, column: int) -> QColor | None:
        if row.status == "refused" and column in (self.STATUS, self.MESSAGES):
            return REFUSED
        return None

    def tooltip(self, row: RowResult, column: int) -> str | None:
        if column == self.MESSAGES and row.messages:
            return "\n".join(row.messages)
        return None
