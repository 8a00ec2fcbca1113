"""The shared base of our read-only tables: a list of plain dataclass rows from a service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from clinic_desktop.gui import theme

Row = TypeVar("Row")
_Index = QModelIndex | QPersistentModelIndex
MUTED = QColor(theme.LIGHT["muted"])  # secondary text (the dark theme's is lighter: theme.colour)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_R = Qt.ItemDataRole
# The roles as plain ints, looked up once: a view asks ``data`` thousands of times as it paints.
DISPLAY, ALIGNMENT, FOREGROUND, TOOLTIP, BACKGROUND, FONT, USER = (int(r) for r in (
    _R.DisplayRole, _R.TextAlignmentRole, _R.ForegroundRole, _R.ToolTipRole, _R.BackgroundRole, _R.FontRole,
    _R.UserRole))
#: What ``CACHE_CELLS`` keeps: the roles worked out from a row by a subclass's methods.
_CACHED = frozenset((DISPLAY, FOREGROUND, TOOLTIP, BACKGROUND, FONT))


class RowTableModel(QAbstractTableModel, Generic[Row]):
    """Rows are whatever ``set_rows`` was last given; views never query the database.

    Subclasses name their ``COLUMNS`` and say what a cell shows in ``display``; they may add
    ``NUMERIC`` columns (right-aligned), ``muted`` cells and ``tooltip``s.
    """

    COLUMNS: tuple[str, ...] = ()
    NUMERIC: frozenset[int] = frozenset()
    #: Keep each cell's text, colours and font from ``set_rows`` to the next: for a model whose
    #: cells depend on the row alone (not on the clock, as the census's "12 min ago" does).
    CACHE_CELLS = False

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None  # kept across set_rows
        self._cells: dict[tuple[int, int, int], Any] = {}  # (id of the row, column, role): value

    # --- data in and out -----------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells.clear()
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, matches: Callable[[Row], bool]) -> int:
        """The index of the first row that ``matches``, or -1."""
        return next((n for n, r in enumerate(self._rows) if matches(r)), -1)

    # --- what subclasses say about a cell --------------------------------------------------
    def display(self, row: Row, column: int) -> str:
        raise NotImplementedError

    def muted(self, row: Row, column: int) -> bool:
        return False

    def tooltip(self, row: Row, column: int) -> str | None:
        return None

    def sort_key(self, row: Row, column: int) -> Any:
        """What a column sorts by (its text unless a subclass says otherwise)."""
        return self.display(row, column)

    def background(self, row: Row, column: int) -> QColor | None:
        """A highlighted cell (an overdue reassessment...)."""
        return None

    def struck(self, row: Row) -> bool:
        """A struck-through row (an entry corrected or entered in error): shown crossed out."""
        return False

    # --- sorting (a header click) -----------------------------------------------------------
    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        def key(row: Row) -> tuple[bool, Any]:
            value = self.sort_key(row, column)
            return (value is None or value == "", value if value is not None else "")

        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._rows[i.row()], i.column()) for i in persistent]
        self._sort_rows(column, order)
        position = {id(r): n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(persistent, [self.index(position[id(r)], c) for r, c in held])
        self.layoutChanged.emit()

    # --- QAbstractTableModel -----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ALIGNMENT:
            return RIGHT if column in self.NUMERIC else None
        if role == USER:
            return row
        if role not in _CACHED:
            return None
        if not self.CACHE_CELLS:
            return self._cell(row, column, role)
        key = (id(row), column, role)
        try:
            return self._cells[key]
        except KeyError:
            value = self._cells[key] = self._cell(row, column, role)
            return value

    def _cell(self, row: Row, column: int, role: int) -> Any:
        """What ``row`` shows in ``column`` for ``role`` (one of the cached roles)."""
        if role == DISPLAY:
            return self.display(row, column)
        if role == FOREGROUND:
            muted = self.muted(row, column)
            if self.background(row, column) is not None:  # a pale warning tint in either theme:
                return QColor(theme.LIGHT["muted" if muted else "ink"])  # the light theme's ink
            return theme.colour("muted") if muted else None
        if role == TOOLTIP:
            return self.tooltip(row, column)
        if role == BACKGROUND:
            return self.background(row, column)
        if self.struck(row):  # the font
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None


def selected_row(table) -> Any:
    """The row (dataclass) selected in a single-selection table of a RowTableModel, or None."""
    rows = table.selectionModel().selectedRows()
    return table.model().row_at(rows[0].row()) if rows else None
