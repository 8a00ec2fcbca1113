"""Lists of framed rows a user adds and removes (a plan's referrals, people, follow-ups).

    class PersonRow(RemovableRow): ...          # builds its inputs, value() / set_value()
    people = RowList(box, edited=screen._changed)
    people.add(PersonRow("Remove person", noun="Support person"), {"name": "Lee"}, focus=True)

``RowList.rows`` is the plain list of rows, in order. Adding or removing a row numbers the rows
again (their accessible names), calls ``rows_changed``, then ``edited``; any edit inside a row
calls ``edited``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QPushButton, QWidget


class RemovableRow(QFrame):
    """A framed row with a Remove button. Subclasses build their inputs, connect their edits to
    ``edited``, give ``value``, ``set_value`` and ``first_input``, and register each input with
    :meth:`name_input`, so that a screen reader tells the rows apart: once the list numbers the
    rows, the second person's phone is "Support person 2: phone" and its button "Remove support
    person 2" (``noun`` is "Support person")."""

    removed = Signal(object)  # the row
    edited = Signal()

    def __init__(self, remove_text: str, parent: QWidget | None = None, *, noun: str) -> None:
        super().__init__(parent)
        self.noun = noun
        self.number = 0
        self._inputs: list[tuple[QWidget, str]] = []
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.remove_button = QPushButton(remove_text)
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))

    def name_input(self, widget: QWidget, label: str) -> None:
        """``widget`` (a line edit, a check box, a WhenEdit) is this row's ``label`` input."""
        self._inputs.append((widget, label))
        self._name(widget, label)

    def set_number(self, number: int) -> None:
        """The row is the ``number``-th of its list (from 1): its inputs' names say so."""
        self.number = number
        for widget, label in self._inputs:
            self._name(widget, f"{self.noun} {number}: {label[:1].lower()}{label[1:]}")
        self.remove_button.setAccessibleName(f"Remove {self.noun[:1].lower()}{self.noun[1:]} {number}")

    @staticmethod
    def _name(widget: QWidget, name: str) -> None:
        set_label = getattr(widget, "set_label", None)  # a WhenEdit names its line and its message
        if callable(set_label):
            set_label(name)
        else:
            widget.setAccessibleName(name)

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
        self._renumber()
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
        self._renumber()
        self._edited()

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.set_number(number)
        if self._rows_changed is not None:
            self._rows_changed()
