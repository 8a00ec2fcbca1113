"""A tab page built the first time it is shown: a screen opens with only what is on view built.

A screen with several tabs (the flowsheet's Medications, Care and Prompts) pays for the pages
nobody has looked at yet when it opens: their widgets are made, styled and laid out, and their
data read, before the first one is painted. ``LazyPage(build)`` stands in the tab instead and calls
``build(page)`` just before the page first becomes visible (or when :meth:`LazyPage.ensure_built`
is called: code that needs what is in it), so switching to the tab shows it complete, in the same
turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    """A page whose contents ``build(page)`` adds to ``page.column`` (a margin-less column) the
    first time it is shown; ``build`` returns the page's main widget, kept as ``content``."""

    def __init__(self, build: Callable[[LazyPage], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build: Callable[[LazyPage], QWidget] | None = build
        self.content: QWidget | None = None
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        return self._build is None

    def ensure_built(self) -> QWidget:
        """Build the page now if it is not yet built; its ``content``."""
        if self._build is not None:
            build, self._build = self._build, None
            self.content = build(self)
        assert self.content is not None
        return self.content

    def setVisible(self, visible: bool) -> None:
        # Built before it shows, not in its show event: what it adds then shows with it at once
        # (a child added to a page already visible would show a turn of the event loop later).
        if visible:
            self.ensure_built()
        super().setVisible(visible)
