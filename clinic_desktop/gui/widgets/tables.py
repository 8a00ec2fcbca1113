"""What every table of the app shares, set up in one place: its column titles left-aligned and
vertically centred, as the text under them is (Qt centres them unless told), and Tab leaving
the table (the arrows move in it; Qt's default walks Tab cell by cell, a keyboard trap)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView

#: Where every column title sits.
HEADER_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def table_header(table: QTableView) -> QHeaderView:
    """The column header of ``table``, its titles aligned like every table's (and Tab leaving
    the table)."""
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(HEADER_ALIGNMENT)
    return header
