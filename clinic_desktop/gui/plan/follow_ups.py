"""Follow-ups: the appointments after discharge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from clinic_desktop.gui.plan.rows import FOLLOW_UP_FIELDS, FieldsRow
from clinic_desktop.gui.plan.section import Section
from clinic_desktop.gui.widgets.removable_rows import RowList


class FollowUpsSection(Section):
    name = "follow_ups"

    def build(self, title: str) -> QWidget:
        page, inner = self.page(title)
        box = QVBoxLayout()
        inner.addLayout(box)
        self.list: RowList[FieldsRow] = RowList(box, edited=self.changed)
        add = QPushButton("Add follow-up")
        add.clicked.connect(lambda: self.add(focus=True))
        self.name_field("follow_ups", add)
        inner.addLayout(self.buttons(add))
        inner.addStretch(1)
        return page

    @property
    def rows(self) -> list[FieldsRow]:
        return self.list.rows

    def add(self, data: Mapping[str, Any] | None = None, *, focus: bool = False) -> FieldsRow:
        row = FieldsRow(FOLLOW_UP_FIELDS, "Remove follow-up", noun="Follow-up", dates=("when",))
        return self.list.add(row, data, focus=focus)

    def load(self, view) -> None:
        for f in view.draft.get("follow_ups") or []:
            self.add(f)

    def read(self) -> dict[str, Any]:
        return {"follow_ups": [r.value() for r in self.rows if not r.is_blank()]}
