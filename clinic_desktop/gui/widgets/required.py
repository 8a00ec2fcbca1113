"""Required fields, marked from the core's rule: `` *`` after the field's caption and "Required"
in its accessible description, so the mark and the refusal to save, sign or finalize never
disagree (the forms pass the core's required keys, never a list of their own).

    marks = RequiredMarks({"medical.allergies": allergies_edit, ...}.get)
    marks.update(rules.REQUIRED)        # or the keys a ``required_fields(data)`` gives now
    marks.unplaced                      # keys of the rule with no widget to mark (tests: none)
    layout.addWidget(legend())          # "* required", on each form that has marks

The caption is the QLabel whose buddy is the field (or an input inside it, as a date field's line
edit); a group box is its own caption; an instrument's title; a check box or button its own text.
Marking is idempotent, and unmarking takes off only what marking added, so a form may mark again
after every change (a conditional requirement comes and goes with the answers it depends on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

MARK = " *"
REQUIRED = "Required"
LEGEND = "* required"


def legend() -> QLabel:
    """The "* required" line of a form that marks required fields."""
    label = QLabel(LEGEND)
    label.setProperty("role", "hint")
    label.setAccessibleName("Required fields")
    return label


def _labels(field: QWidget) -> QLabel | None:
    """The QLabel whose buddy is ``field`` or an input inside it, among the widgets around it."""
    holder = field.parentWidget()
    for _level in range(3):  # the field's own parent; a row widget or two around it
        if holder is None:
            return None
        for label in holder.findChildren(QLabel):
            buddy = label.buddy()
            if buddy is not None and (buddy is field or field.isAncestorOf(buddy)):
                return label
        holder = holder.parentWidget()
    return None


def caption_of(field: QWidget) -> QWidget | None:
    """The widget whose text names ``field`` on screen (where the mark goes), if it has one."""
    label = _labels(field)
    if label is not None:
        return label
    title = getattr(field, "title_label", None)  # an instrument's entry
    if isinstance(title, QLabel):
        return title
    if isinstance(field, (QGroupBox, QAbstractButton)):
        return field
    return None


def _text(caption: QWidget) -> str:
    if isinstance(caption, QGroupBox):
        return caption.title()
    if isinstance(caption, (QLabel, QAbstractButton)):
        return caption.text()
    return ""


def _set_text(caption: QWidget, text: str) -> None:
    if isinstance(caption, QGroupBox):
        caption.setTitle(text)
    elif isinstance(caption, (QLabel, QAbstractButton)):
        caption.setText(text)


def _described(field: QWidget, caption: QWidget) -> QWidget:
    """The widget a screen reader names: the caption's buddy (a date field's line edit), else the
    field."""
    buddy = caption.buddy() if isinstance(caption, QLabel) else None
    return buddy if buddy is not None else field


def with_required(description: str) -> str:
    """``description`` saying "Required" first (once)."""
    if description == REQUIRED or description.startswith(f"{REQUIRED}. "):
        return description
    return f"{REQUIRED}. {description}" if description else REQUIRED


def without_required(description: str) -> str:
    if description == REQUIRED:
        return ""
    return description.removeprefix(f"{REQUIRED}. ")


def set_required(field: QWidget, required: bool = True, caption: QWidget | None = None) -> bool:
    """Mark ``field`` required (or take the mark off): `` *`` after its caption, "Required" at
    the start of its accessible description (any description it had kept after it). False when
    it has no caption to mark."""
    caption = caption if caption is not None else caption_of(field)
    if caption is None:
        return False
    text = _text(caption)
    if isinstance(caption, QAbstractButton) and not caption.accessibleName():
        caption.setAccessibleName(text.replace("&", ""))  # named as before, without the mark
    if required and not text.endswith(MARK):
        _set_text(caption, text + MARK)
    elif not required and text.endswith(MARK):
        _set_text(caption, text.removesuffix(MARK))
    named = _described(field, caption)
    description = named.accessibleDescription()
    changed = with_required(description) if required else without_required(description)
    if changed != description:
        named.setAccessibleDescription(changed)
    named.setProperty("required", required)
    return True


class RequiredMarks:
    """The required marks of one form: ``widget_for(key)`` is the input of a core key (None if
    the form has none); :meth:`update` marks the keys given and unmarks those marked before."""

    def __init__(self, widget_for: Callable[[str], QWidget | None]) -> None:
        self._widget_for = widget_for
        self._marked: dict[str, QWidget] = {}
        #: Keys of the last update with no widget or no caption to mark (a form that misses one
        #: of the core's required fields: the tests hold this empty).
        self.unplaced: list[str] = []

    def update(self, keys: Iterable[str]) -> None:
        wanted: dict[str, QWidget] = {}
        self.unplaced = []
        for key in keys:
            widget = self._widget_for(key)
            if widget is None or not set_required(widget):
                self.unplaced.append(key)
            else:
                wanted[key] = widget
        for key, widget in self._marked.items():
            gone = not shiboken6.isValid(widget)  # a removed row's input
            if not gone and wanted.get(key) is not widget and widget not in wanted.values():
                set_required(widget, False)
        self._marked = wanted

    @property
    def marked(self) -> dict[str, QWidget]:
        return dict(self._marked)
