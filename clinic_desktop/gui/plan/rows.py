"""The removable rows of the plan's lists: a person or a follow-up (:class:`FieldsRow`), a
referral (:class:`ReferralRow`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from clinic_desktop.core.directory import ContactCheck
from clinic_desktop.gui.plan.section import text
from clinic_desktop.gui.widgets.removable_rows import RemovableRow
from clinic_desktop.gui.widgets.when_edit import WhenEdit

PEOPLE_FIELDS = (("name", "Name"), ("relation", "Relation"), ("phone", "Phone"))
FOLLOW_UP_FIELDS = (("when", "When"), ("place", "Place"), ("phone", "Phone"))


def labelled(label: str, widget: QWidget) -> QLabel:
    """The caption of ``widget``, whose accessible name it becomes."""
    widget.setAccessibleName(label)
    caption = QLabel(label)
    caption.setBuddy(widget)
    return caption


class FieldsRow(RemovableRow):
    """One removable row of line edits (a person, a follow-up); the keys in ``dates`` get a
    WhenEdit (``edits[key]`` is still its line edit, ``dates[key]`` the WhenEdit)."""

    def __init__(self, fields: tuple[tuple[str, str], ...], remove_text: str,
                 parent: QWidget | None = None, *, noun: str, dates: tuple[str, ...] = ()) -> None:
        super().__init__(remove_text, parent, noun=noun)
        self.edits: dict[str, QLineEdit] = {}
        self.dates: dict[str, WhenEdit] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        top = Qt.AlignmentFlag.AlignTop
        for key, label in fields:
            widget: QWidget
            if key in dates:
                when = WhenEdit(label, past_is_error=True)
                when.edited.connect(self.edited)
                self.dates[key] = when
                edit, widget = when.line, when
            else:
                edit = widget = QLineEdit()
                edit.textChanged.connect(self.edited)
            caption = labelled(label, edit)
            self.name_input(widget, label)
            caption.setMinimumHeight(edit.sizeHint().height())
            layout.addWidget(caption, 0, top)
            layout.addWidget(widget, 1, top)
            self.edits[key] = edit
        layout.addWidget(self.remove_button, 0, top)

    def first_input(self) -> QWidget:
        return next(iter(self.edits.values()))

    def value(self) -> dict[str, str]:
        return {k: self.dates[k].value() if k in self.dates else e.text().strip()
                for k, e in self.edits.items()}

    def set_value(self, data: Mapping[str, Any]) -> None:
        for k, e in self.edits.items():
            if k in self.dates:
                self.dates[k].set_value(data.get(k))
            else:
                e.setText(text(data.get(k)))


class ReferralRow(RemovableRow):
    """A chosen directory entry: why, the appointment, whether the patient agrees to share."""

    def __init__(self, entry_id: int, contact: ContactCheck, parent: QWidget | None = None) -> None:
        super().__init__("Remove referral", parent, noun="Referral")
        self.entry_id = entry_id
        self.title = contact.title
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.warning = QLabel(contact.tooltip())
        self.warning.setProperty("role", "warning")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Contact warning")
        self.warning.setVisible(bool(contact.warnings))
        self.reason = QLineEdit()
        self.appointment = WhenEdit("Appointment", past_is_error=True)
        self.share = QCheckBox("Patient consents to share")
        self.name_input(self.reason, "Reason")
        self.name_input(self.appointment, "Appointment")
        self.name_input(self.share, self.share.text())
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.heading, 0, 0, 1, 3)
        grid.addWidget(self.remove_button, 0, 3)
        grid.addWidget(self.warning, 1, 0, 1, 4)
        grid.addWidget(labelled("Reason", self.reason), 2, 0)
        grid.addWidget(self.reason, 2, 1, 1, 3)
        caption = QLabel("Appointment")
        caption.setBuddy(self.appointment.line)
        for aligned in (caption, self.share):  # level with the field, above its error message
            aligned.setMinimumHeight(self.appointment.line.sizeHint().height())
        grid.addWidget(caption, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.appointment, 3, 1)
        grid.addWidget(self.share, 3, 2, 1, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.reason.textChanged.connect(self.edited)
        self.appointment.edited.connect(self.edited)
        self.share.toggled.connect(self.edited)

    def first_input(self) -> QWidget:
        return self.reason

    def set_number(self, number: int) -> None:
        super().set_number(number)
        self.heading.setText(f"Referral {number}: {self.title}")

    def value(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "reason": self.reason.text().strip(),
                "appointment": self.appointment.value(), "share": self.share.isChecked()}

    def set_value(self, data: Mapping[str, Any]) -> None:
        self.reason.setText(text(data.get("reason")))
        self.appointment.set_value(data.get("appointment"))
        self.share.setChecked(bool(data.get("share")))
