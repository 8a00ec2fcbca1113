"""The census: one row per open episode, from ``episodes.census()`` (plain ``CensusRow``s)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.services.episodes import STAGE_LABELS, CensusRow

_Index = QModelIndex | QPersistentModelIndex
MUTED = QColor("#4d6168")


def local_time_text(moment: dt.datetime | None, today: dt.date | None = None) -> str:
    """An aware UTC time as local wall-clock text: "09:10" today, else "28 Nov 09:10"."""
    if moment is None:
        return ""
    local = moment.astimezone()
    today = today or dt.date.today()
    if local.date() == today:
        return local.strftime("%H:%M")
    return f"{local.day} {local.strftime('%b %H:%M')}"


def cows_text(row: CensusRow, today: dt.date | None = None) -> str:
    """"18 moderate · 09:10", "3 no active withdrawal · 09:10", "incomplete · 09:10" or ""."""
    if row.last_cows_total is None:
        return ""
    when = local_time_text(row.last_cows_at, today)
    if not row.last_cows_complete:
        what = "incomplete"
    else:
        cows = get_instrument("cows")
        labels = {band.id: band.label for band in cows.bands}
        label = labels.get(row.last_cows_band or "", cows.no_band_label)
        what = f"{row.last_cows_total} {label}".strip()
    return f"{what} · {when}" if when else what


class CensusModel(QAbstractTableModel):
    """Read-only table of ``CensusRow``s; the rows are whatever ``set_rows`` was last given."""

    COLUMNS = ("Name", "MRN", "Age", "Stage", "Day of stay", "Last COWS", "Next reassessment due")
    NAME, MRN, AGE, STAGE, DAY, LAST_COWS, NEXT_DUE = range(len(COLUMNS))
    _NUMERIC = {AGE, DAY}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CensusRow] = []

    # --- data in and out ---------------------------------------------------------------
    def set_rows(self, rows: Sequence[CensusRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[CensusRow]:
        return list(self._rows)

    def row_at(self, row: int) -> CensusRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_episode(self, episode_id: int) -> int:
        return next((n for n, r in enumerate(self._rows) if r.episode_id == episode_id), -1)

    def row_of_patient(self, patient_id: int) -> int:
        return next((n for n, r in enumerate(self._rows) if r.patient_id == patient_id), -1)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self._NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.LAST_COWS and (
            row.last_cows_total is None or not row.last_cows_complete
        ):
            return MUTED
        if role == Qt.ItemDataRole.ToolTipRole and column == self.LAST_COWS:
            if row.last_cows_total is None:
                return "No COWS recorded in this episode yet."
            if not row.last_cows_complete:
                return f"Incomplete COWS (partial total {row.last_cows_total}); no severity band."
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    @classmethod
    def _text(cls, row: CensusRow, column: int) -> str:
        if column == cls.NAME:
            return row.display_name
        if column == cls.MRN:
            return row.mrn
        if column == cls.AGE:
            return str(row.age)
        if column == cls.STAGE:
            return STAGE_LABELS.get(row.stage, row.stage)
        if column == cls.DAY:
            return str(row.day_of_stay)
        if column == cls.LAST_COWS:
            return cows_text(row) or "none yet"
        if column == cls.NEXT_DUE:
            return local_time_text(row.next_due_at)
        return ""
