"""A table cell's warning colour that survives selection: the selected row is painted in the
highlight colour, which hid the overdue and safety-alert backgrounds exactly on the row the nurse
is looking at. ``FlagDelegate`` draws a solid bar at the left edge of every cell that has a
background colour (``BackgroundRole``), selected or not."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

FLAG = QColor("#b3261e")  # the alert red: strong enough on the pale pink and on the highlight
FLAG_WIDTH = 5
FLAG_GAP = 2  # white beside the bar on a selected row, so it stands out of the highlight


class FlagDelegate(QStyledItemDelegate):
    """Paints the cell as usual; when the model gives the cell a background colour, with a
    ``FLAG`` bar at its left edge and the cell's own painting beside it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if background is None:
            super().paint(painter, option, index)
            return
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        bar = QRect(rect.left(), rect.top(), FLAG_WIDTH, rect.height())
        gap = QRect(bar.right() + 1, rect.top(), FLAG_GAP, rect.height())
        painter.save()
        painter.fillRect(gap, QColor("white") if selected else QColor(background))
        painter.fillRect(bar, FLAG)
        painter.restore()
        cell = QStyleOptionViewItem(option)
        cell.rect = rect.adjusted(FLAG_WIDTH + FLAG_GAP, 0, 0, 0)  # the text beside the bar, not under it
        super().paint(painter, cell, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The cell's own size, and room for the bar when it has one: a column sized to its
        contents never cuts a flagged cell's text ("01:54 — overdue")."""
        size = super().sizeHint(option, index)
        if index.data(Qt.ItemDataRole.BackgroundRole) is not None:
            size.setWidth(size.width() + FLAG_WIDTH + FLAG_GAP)
        return size
