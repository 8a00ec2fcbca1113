"""Level and therapies: the level of aftercare and the counseling approaches."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.section import CHOOSE, Section
from clinic_desktop.reports import i18n


class LevelSection(Section):
    name = "level"

    def build(self, title: str) -> QWidget:
        page, inner = self.page(title)
        form = self.form()
        self.level = QComboBox()
        self.level.addItem(CHOOSE, None)
        for level in plan_rules.LEVELS:
            self.level.addItem(i18n.text("en", f"level.{level}"), level)
        self.add_row(form, "Level of aftercare", self.level, "level")
        inner.addLayout(form)
        inner.addWidget(self.heading("Therapies"))
        self.therapies: dict[str, QCheckBox] = {}
        for t in plan_rules.THERAPIES:
            box = QCheckBox(i18n.text("en", f"therapy.{t}"))
            box.setAccessibleName(box.text())
            self.watch(box)
            self.therapies[t] = box
            inner.addWidget(box)
        inner.addStretch(1)
        return page

    def load(self, view) -> None:
        self.level.setCurrentIndex(max(0, self.level.findData(view.draft.get("level"))))
        for t, box in self.therapies.items():
            box.setChecked(t in (view.draft.get("therapies") or []))

    def read(self) -> dict[str, Any]:
        return {"level": self.level.currentData(),
                "therapies": [t for t, box in self.therapies.items() if box.isChecked()]}
