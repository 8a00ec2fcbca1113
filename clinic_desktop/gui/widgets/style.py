"""Two small things every screen needs, written once: re-applying the style sheet after a
dynamic property changed (``repolish``), and the busy cursor around a short call on the GUI
thread (``busy_cursor``; longer work goes off the thread, as the PDF preview does)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet to ``widget`` after a property its rules read (``role``,
    ``invalid``…) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The wait cursor for the duration of the block, restored however it ends."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
