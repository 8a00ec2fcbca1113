"""Small things every screen needs, written once: re-applying the style sheet after a
dynamic property changed (``repolish``), marking the one button a screen leads to as primary
(``make_primary``), and the busy cursor around a short call on the GUI
thread (``busy_cursor``, or its two halves ``set_busy_cursor``/``restore_cursor`` for work that
ends later; longer work goes off the thread through ``gui.operations``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

#: The dynamic property app.qss reads to fill a button with the accent colour.
PRIMARY_ROLE = "primary"


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet to ``widget`` after a property its rules read (``role``,
    ``invalid``…) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def make_primary(button: QAbstractButton) -> None:
    """Style ``button`` as the primary one (filled with the accent, white text): the step its
    screen or dialog leads to, such as Sign… or Finalize…."""
    button.setProperty("role", PRIMARY_ROLE)
    repolish(button)


def is_primary(button: QAbstractButton) -> bool:
    return button.property("role") == PRIMARY_ROLE


def set_busy_cursor() -> None:
    """The wait cursor over the whole application until :func:`restore_cursor` (once each)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)


def restore_cursor() -> None:
    """Undo one :func:`set_busy_cursor`."""
    QApplication.restoreOverrideCursor()


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The wait cursor for the duration of the block, restored however it ends."""
    set_busy_cursor()
    try:
        yield
    finally:
        restore_cursor()
