"""One section of the intake screen: its page, and the way between that page and the section's
part of the draft (whose shape and rules live in ``clinic_desktop.core.assessment``).

    build()            the page (built when the section is first shown)
    load(data)         fill the page from the draft's section
    read()             the page's values, in the draft's shape
    kept(data)         what ``read()`` would give after ``load(data)``: the section's draft while
                       its page is not built yet (tests hold the two equal)
    validate(data, now)  what the core says this section still lacks before signing

Hooks the screen calls: ``refresh(data, now)`` after each change, ``set_read_only()`` once the
assessment is signed, ``field_for(key)`` to go to a "section.field" key, ``mark_required()`` to
mark the fields the core requires before signing (``core.assessment.required_fields``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock
from clinic_desktop.gui.widgets.required import RequiredMarks, legend

if TYPE_CHECKING:
    from clinic_desktop.gui.intake_screen import IntakeScreen

CHOOSE = "Choose\u2026"
NOT_RECORDED = "Not recorded"


def spin(label: str, maximum: int) -> QSpinBox:
    """A count that may be left empty: the minimum (-1) shows "Not recorded"."""
    box = QSpinBox()
    box.setRange(-1, maximum)
    box.setValue(-1)
    box.setSpecialValueText(NOT_RECORDED)
    box.setAccessibleName(label)
    return box


def spin_value(box: QSpinBox) -> int | None:
    return None if box.value() < 0 else box.value()


class IntakeSection:
    """Base of the intake's sections: ``name`` is the core's section name."""

    name: ClassVar[str]

    def __init__(self, screen: IntakeScreen) -> None:
        self.screen = screen
        self.label = rules.SECTION_LABELS[self.name]
        #: The core's fields always required in this section ("section.field").
        self.required = tuple(k for k in rules.REQUIRED if k.split(".")[0] == self.name)
        self.required_marks = RequiredMarks(self.required_widget)

    # ---- the four steps ----------------------------------------------------------------------
    def build(self) -> QWidget:
        raise NotImplementedError

    def load(self, data: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def read(self) -> dict[str, Any]:
        raise NotImplementedError

    def kept(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return rules.complete_section(self.name, data)

    def validate(self, data: Mapping[str, Any], now: dt.datetime) -> list[rules.Missing]:
        return rules.section_missing(self.name, data, now)

    # ---- hooks -------------------------------------------------------------------------------
    def refresh(self, data: Mapping[str, Any], now: dt.datetime) -> None:
        """After each change (the page is built)."""

    def set_read_only(self) -> None:
        """The assessment is signed (the page is built; its content is already disabled)."""

    def field_for(self, key: str) -> QWidget | None:
        return self.screen._fields.get(key)

    def required_widget(self, key: str) -> QWidget | None:
        """The input whose caption gets the required mark of ``key`` (where go_to goes, unless a
        section says otherwise)."""
        return self.field_for(key)

    def mark_required(self, data: Mapping[str, Any]) -> None:
        """Mark this page's fields the core requires with the draft ``data`` as it is (again
        after each change: a requirement may come or go, an input may reset its description)."""
        self.required_marks.update(k for k in rules.required_fields(data) if k.split(".")[0] == self.name)

    # ---- through the screen -----------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self.screen._loading

    @property
    def read_only(self) -> bool:
        return self.screen._read_only

    def changed(self, *_args) -> None:
        self.screen._changed()

    def page(self, *, scroll: bool = True) -> tuple[QWidget, QVBoxLayout, QVBoxLayout]:
        """The page, with the "* required" legend on top if the core requires something here."""
        page, inner, outer = self.screen._page(self.label, scroll=scroll)
        if self.required:
            outer.insertWidget(1, legend())
        return page, inner, outer

    def form(self) -> QFormLayout:
        return self.screen._form()

    def add_row(self, form: QFormLayout, label: str, widget: QWidget,
                key: str | None = None) -> None:
        self.screen._add_row(form, label, widget, key)

    def text_box(self) -> QPlainTextEdit:
        return self.screen._text_box()

    def keep_enabled(self, page: QWidget) -> None:
        """The page's content stays enabled once signed (it disables its own inputs)."""
        content = page.findChild(QWidget, "sectionContent")
        assert content is not None, "a section page has its content box"
        self.screen._contents.remove(content)

    def register(self, key: str, widget: QWidget) -> None:
        """``widget`` is where go_to(``key``) goes."""
        self.screen._fields[key] = widget

    def now(self) -> dt.datetime:
        return self.screen._now()

    def local_today(self) -> dt.date:
        return clock.local(self.now()).date()


class ScoredSection(IntakeSection):
    """A section of instruments: it keeps when each one's items last changed (``scored_at``)."""

    def __init__(self, screen: IntakeScreen) -> None:
        super().__init__(screen)
        self._scored_at: dict[str, str] = {}  # instrument id → when its items last changed

    def scored(self, iid: str) -> None:
        """An instrument's items changed: that is when its score was taken."""
        if not self.loading:
            self._scored_at[iid] = clock.local(self.now()).isoformat(timespec="minutes")
        self.changed()

    def times_scored(self, answered: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
        return {iid: self._scored_at[iid] for iid, items in answered.items()
                if items and iid in self._scored_at}

    def keep_times(self, data: Mapping[str, Any]) -> None:
        self._scored_at.update(rules.scored_times(data.get("scored_at"), data))
