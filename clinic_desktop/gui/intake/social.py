"""Social: housing, employment, legal, transport, supports (free text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_desktop.core import assessment as rules
from clinic_desktop.gui.intake.section import IntakeSection


class SocialSection(IntakeSection):
    name = "social"

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        form = self.form()
        self.social_edits: dict[str, QLineEdit] = {}
        for key, label in rules.SOCIAL:
            edit = QLineEdit()
            self.add_row(form, label, edit, f"social.{key}")
            self.social_edits[key] = edit
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def load(self, data: Mapping[str, Any]) -> None:
        for key, edit in self.social_edits.items():
            edit.setText(str(data.get(key) or ""))

    def read(self) -> dict[str, Any]:
        return {k: e.text().strip() for k, e in self.social_edits.items()}
