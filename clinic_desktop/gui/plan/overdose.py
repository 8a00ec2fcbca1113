"""Overdose and PAWS: the naloxone kit, and the education every plan prints."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from clinic_desktop.gui.plan.section import Section
from clinic_desktop.reports import i18n


class OverdoseSection(Section):
    name = "overdose"

    def build(self, title: str) -> QWidget:
        self._kept: dict[str, Any] = {}  # the loaded overdose part (naloxone at home, from intake)
        page, inner = self.page(title)
        self.naloxone_given = QCheckBox("Naloxone kit given")
        self.naloxone_given.setAccessibleName(self.naloxone_given.text())
        self.watch(self.naloxone_given, "overdose.naloxone_kit_given")
        inner.addWidget(self.naloxone_given)
        self.naloxone_at_home = self.note("")
        inner.addWidget(self.naloxone_at_home)
        fixed = "\n\n".join([
            i18n.text("en", "overdose_tolerance"), i18n.text("en", "overdose_never_alone"),
            i18n.text("en", "overdose_what_to_do"),
            f"{i18n.text('en', 'paws_heading')}: {i18n.text('en', 'paws_text')}"])
        education = QLabel(fixed)
        education.setAccessibleName("Overdose and PAWS education")
        education.setWordWrap(True)
        education.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(education)
        inner.addWidget(self.note("This education always prints on the plan; it cannot be "
                                  "removed."))
        inner.addStretch(1)
        return page

    def load(self, view) -> None:
        self._kept = dict(view.draft.get("overdose") or {})
        self.naloxone_given.setChecked(bool(self._kept.get("naloxone_kit_given")))
        self.naloxone_at_home.setText("Intake: naloxone already at home."
                                      if self._kept.get("naloxone_at_home")
                                      else "Intake: no naloxone at home.")

    def read(self) -> dict[str, Any]:
        return {"overdose": {**self._kept, "naloxone_kit_given": self.naloxone_given.isChecked()}}
