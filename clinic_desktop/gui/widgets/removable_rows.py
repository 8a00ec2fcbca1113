"""Lists of framed rows a user adds and removes (a plan's referrals, people, follow-ups).

    class PersonRow(RemovableRow): ...          # builds its inputs, value() / set_value()
    people = RowList(box, edited=screen._changed)
    people.add(PersonRow("Remove person"), {"name": "Lee"}, focus=True)

``RowList.rows`` is the plain list of rows, in order. Adding or removing a row calls
``rows_changed`` (renumbering, say), then ``edited``; any edit inside a row calls ``edited``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QPushButton, QWidget


class RemovableRow(QFrame):
    """A framed row with a Remove button. Subclasses build their inputs, connect their edits to
    ``edited`` and give ``value``, ``set_value`` and ``first_input``."""

    removed = Signal(object)  # the row
    edited = Signal()

    def __init__(self, remove_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.remove_button = QPushButton(remove_text)
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))

    def value(self) -> dict[str, Any]:
        raise NotImplementedError

    def set_value(self, data: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def first_input(self) -> QWidget:
        """Where the cursor goes when the row is added by hand."""
        raise NotImplementedError

    def is_blank(self) -> bool:
        return not any(self.value().values())


R = TypeVar("R", bound=RemovableRow)


class RowList(Generic[R]):
    """The rows of one list on a page, shown in ``box``."""

    def __init__(self, box: QBoxLayout, *, edited: Callable[[], None],
                 rows_changed: Callable[[], None] | None = None) -> None:
        self.box = box
        self.rows: list[R] = []
        self._edited = edited
        self._rows_changed = rows_changed

    def add(self, row: R, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> R:
        if data:
            row.set_value(data)
        row.edited.connect(self._edited)
        row.removed.connect(self.remove)
        self.rows.append(row)
        self.box.addWidget(row)
        if self._rows_changed is not None:
            self._rows_changed()
        if focus:
            row.first_input().setFocus()
        self._edited()
        return row

    def remove(self, row: R) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        self.box.removeWidget(row)
        row.deleteLater()
        if self._rows_changed is not None:
            self._rows_changed()
        self._edited()
