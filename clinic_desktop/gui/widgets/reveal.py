"""Bringing a widget into view inside whatever scroll area holds it."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QWidget


def reveal(widget: QWidget, margin: int = 40) -> None:
    """Scroll the nearest enclosing QScrollArea so that ``widget`` is in view (no-op without one)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 0, margin)
            return
        parent = parent.parentWidget()
