"""Support: the people who support the patient, the key worker, mutual-help meetings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.contacts import mark_to_check
from clinic_desktop.gui.plan.rows import PEOPLE_FIELDS, FieldsRow
from clinic_desktop.gui.plan.section import Section, text
from clinic_desktop.gui.widgets.removable_rows import RowList

FOCUS_LABELS = {"housing": "Housing", "employment": "Employment", "benefits": "Benefits"}


class SupportSection(Section):
    name = "support"

    def build(self, title: str) -> QWidget:
        self._kept: dict[str, Any] = {}  # the key worker as loaded, keys not edited here too
        page, inner = self.page(title)
        inner.addWidget(self.heading("People who support the patient"))
        box = QVBoxLayout()
        inner.addLayout(box)
        self.people: RowList[FieldsRow] = RowList(box, edited=self.changed)
        add_person = QPushButton("Add person")
        add_person.clicked.connect(lambda: self.add_person(focus=True))
        inner.addLayout(self.buttons(add_person))
        inner.addWidget(self.heading("Key worker (at least 6 months)"))
        form = self.form()
        self.key_worker_name = QLineEdit()
        self.add_row(form, "Key worker name", self.key_worker_name, "key_worker.name")
        self.key_worker_phone = QLineEdit()
        self.add_row(form, "Key worker phone", self.key_worker_phone, "key_worker.phone")
        focus_row = QHBoxLayout()
        self.key_worker_focus: dict[str, QCheckBox] = {}
        for f in plan_rules.KEY_WORKER_FOCUS:
            focus = QCheckBox(FOCUS_LABELS.get(f, f))
            focus.setAccessibleName(focus.text())
            self.watch(focus)
            self.key_worker_focus[f] = focus
            focus_row.addWidget(focus)
        focus_row.addStretch(1)
        form.addRow("Focus", focus_row)
        inner.addLayout(form)
        inner.addWidget(self.heading("Mutual-help meetings"))
        self.meeting_ids: list[int] = []
        self.meetings = QListWidget()
        self.meetings.setAccessibleName("Meetings")
        self.meetings.setMaximumHeight(110)
        inner.addWidget(self.meetings)
        self.meeting_warning = QLabel()
        self.meeting_warning.setProperty("role", "warning")
        self.meeting_warning.setWordWrap(True)
        self.meeting_warning.setAccessibleName("Meeting warning")
        self.meeting_warning.setVisible(False)
        inner.addWidget(self.meeting_warning)
        self.meetings.currentRowChanged.connect(self._meeting_chosen)
        add_meeting = QPushButton("Add meeting\u2026")
        add_meeting.clicked.connect(lambda: self.screen.pick_entry("meeting"))
        remove_meeting = QPushButton("Remove meeting")
        remove_meeting.clicked.connect(self.remove_meeting)
        inner.addLayout(self.buttons(add_meeting, remove_meeting))
        inner.addStretch(1)
        return page

    # ---- people ------------------------------------------------------------------------------
    @property
    def people_rows(self) -> list[FieldsRow]:
        return self.people.rows

    def add_person(self, data: Mapping[str, Any] | None = None, *,
                   focus: bool = False) -> FieldsRow:
        return self.people.add(FieldsRow(PEOPLE_FIELDS, "Remove person", noun="Support person"), data, focus=focus)

    # ---- meetings ----------------------------------------------------------------------------
    def add_meeting(self, entry_id: int) -> None:
        if entry_id in self.meeting_ids:
            return
        self.meeting_ids.append(entry_id)
        info = self.screen.contacts.get(entry_id)
        item = QListWidgetItem(" \u2014 ".join((info.title, *info.flags)))
        item.setData(Qt.ItemDataRole.UserRole, entry_id)
        mark_to_check(item, info, self.screen.style())
        self.meetings.addItem(item)
        self.meetings.setCurrentItem(item)
        self.changed()

    def _meeting_chosen(self, row: int) -> None:
        """The warning line under the meetings: what to check about the selected one."""
        words = ""
        if 0 <= row < len(self.meeting_ids):
            info = self.screen.contacts.get(self.meeting_ids[row])
            words = f"{info.title}: {' '.join(info.warnings)}" if info.warnings else ""
        self.meeting_warning.setText(words)
        self.meeting_warning.setVisible(bool(words))

    def remove_meeting(self) -> None:
        row = self.meetings.currentRow()
        if row < 0:
            return
        del self.meeting_ids[row]
        self.meetings.takeItem(row)
        self._meeting_chosen(self.meetings.currentRow())
        self.changed()

    # ---- the four ----------------------------------------------------------------------------
    def load(self, view) -> None:
        d = view.draft
        for p in d.get("people") or []:
            self.add_person(p)
        self._kept = dict(d.get("key_worker") or {})
        self.key_worker_name.setText(text(self._kept.get("name")))
        self.key_worker_phone.setText(text(self._kept.get("phone")))
        for f, box in self.key_worker_focus.items():
            box.setChecked(f in (self._kept.get("focus") or []))
        for m in d.get("meetings") or []:
            self.add_meeting(m)

    def read(self) -> dict[str, Any]:
        return {"people": [r.value() for r in self.people_rows if not r.is_blank()],
                "key_worker": {**self._kept, "name": self.key_worker_name.text().strip(),
                               "phone": self.key_worker_phone.text().strip(),
                               "focus": [f for f, box in self.key_worker_focus.items()
                                         if box.isChecked()]},
                "meetings": list(self.meeting_ids)}
