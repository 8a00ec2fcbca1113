"""Patient search results, from ``patients.search()`` (plain ``PatientSummary``s)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_desktop.core.services.episodes import STAGE_LABELS
from clinic_desktop.core.services.patients import PatientSummary

_Index = QModelIndex | QPersistentModelIndex
MUTED = QColor("#4d6168")
NO_EPISODE = "No open episode"


class SearchResultsModel(QAbstractTableModel):
    """Read-only table of ``PatientSummary``s; the rows are whatever ``set_rows`` was last given."""

    COLUMNS = ("Name", "MRN", "Date of birth", "Age", "Open episode stage")
    NAME, MRN, DATE_OF_BIRTH, AGE, STAGE = range(len(COLUMNS))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PatientSummary] = []

    def set_rows(self, rows: Sequence[PatientSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[PatientSummary]:
        return list(self._rows)

    def row_at(self, row: int) -> PatientSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_patient(self, patient_id: int) -> int:
        return next((n for n, r in enumerate(self._rows) if r.id == patient_id), -1)

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
            if column == self.NAME:
                return row.display_name
            if column == self.MRN:
                return row.mrn
            if column == self.DATE_OF_BIRTH:
                return row.date_of_birth.isoformat()
            if column == self.AGE:
                return str(row.age)
            if column == self.STAGE:
                return STAGE_LABELS.get(row.open_stage, row.open_stage) if row.open_stage else NO_EPISODE
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STAGE and not row.open_stage:
            return MUTED
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None
