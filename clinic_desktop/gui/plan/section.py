"""One section of the plan screen: ``build`` its page, ``load`` the plan into it, ``read`` its
part of the draft back, ``validate``: what finalizing still misses here.

A section builds its page with the shell's page parts (heading, form rows whose label is the
input's accessible name, change tracking for autosave) through the few methods below, so it
never reaches into the shell otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.widgets.required import legend

if TYPE_CHECKING:
    from clinic_desktop.core.services.plans import PlanView
    from clinic_desktop.gui.plan_screen import PlanScreen

#: The first entry of a choice nobody has made yet.
CHOOSE = "Choose\u2026"


def text(value: Any) -> str:
    return "" if value is None else str(value)


class Section:
    """A section of the plan screen; ``name`` is its name in :data:`core.plan.SECTIONS` (or
    the screen's own ``consent`` and ``finalize``)."""

    name: ClassVar[str]

    def __init__(self, screen: PlanScreen) -> None:
        self.screen = screen
        #: The "* required" line of a section finalizing checks (shown while something is marked).
        self.legend: QLabel | None = None

    # ---- the four ------------------------------------------------------------------------
    def build(self, title: str) -> QWidget:
        """The page, headed ``title``."""
        raise NotImplementedError

    def load(self, view: PlanView) -> None:
        """Show the plan ``view`` (its draft, settings, versions, consents)."""

    def read(self) -> dict[str, Any]:
        """This section's keys of the draft, as typed."""
        return {}

    def validate(self, missing: Mapping[str, str]) -> dict[str, str]:
        """The items of ``missing`` (:func:`core.plan.missing_to_finalize`) that are this
        section's to fill in."""
        return {key: message for key, message in missing.items()
                if plan_rules.SECTION_OF.get(key.split(".")[0]) == self.name}

    def field_for(self, key: str) -> QWidget | None:
        """The input of a missing item's ``key`` (where go_to puts the cursor)."""
        return self.screen._fields.get(key)

    # ---- page parts, from the shell ----------------------------------------------------------
    def page(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        page, inner, outer = self.screen._page(title)
        if any(s.name == self.name and s.checked for s in plan_rules.SECTIONS):
            self.legend = legend()
            outer.insertWidget(1, self.legend)
        return page, inner

    def form(self) -> QFormLayout:
        return self.screen._form()

    def add_row(self, form: QFormLayout, label: str, widget: QWidget,
                key: str | None = None) -> None:
        """A labelled row (the label is the input's accessible name); ``key`` names it for go_to."""
        self.screen._add_row(form, label, widget, key)

    def watch(self, widget: QWidget, key: str | None = None) -> None:
        """Any edit of ``widget`` is a change (autosave); ``key`` names it for go_to."""
        self.screen._watch(widget)
        if key:
            self.name_field(key, widget)

    def name_field(self, key: str, widget: QWidget) -> None:
        """``widget`` is where go_to puts the cursor for a missing ``key``."""
        self.screen._fields[key] = widget

    def forget_field(self, key: str) -> None:
        """``key`` no longer has an input (its row is gone)."""
        self.screen._fields.pop(key, None)

    def text_box(self, height: int = 64) -> QPlainTextEdit:
        return self.screen._text_box(height)

    def changed(self, *_args: Any) -> None:
        """Something was edited (autosave, what is missing)."""
        self.screen._changed()

    @staticmethod
    def note(words: str) -> QLabel:
        label = QLabel(words)
        label.setWordWrap(True)
        label.setProperty("role", "muted")
        return label

    @staticmethod
    def buttons(*left: QWidget, right: QWidget | None = None) -> QHBoxLayout:
        """A row of buttons kept to the left (and one to the far right, if given)."""
        row = QHBoxLayout()
        for widget in left:
            row.addWidget(widget)
        row.addStretch(1)
        if right is not None:
            row.addWidget(right)
        return row

    @staticmethod
    def heading(words: str) -> QLabel:
        label = QLabel(words)
        label.setProperty("role", "heading")
        return label
