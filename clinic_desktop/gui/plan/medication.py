"""Medication: the medicine that continues after discharge, with the naltrexone prompt."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.section import CHOOSE, Section, text
from clinic_desktop.gui.widgets.style import repolish
from clinic_desktop.gui.widgets.when_edit import WhenEdit
from clinic_desktop.reports import i18n


class MedicationSection(Section):
    name = "medication"

    def build(self, title: str) -> QWidget:
        self._kept: dict[str, Any] = {}  # as loaded, with keys this section does not edit
        page, inner = self.page(title)
        form = self.form()
        self.medication = QComboBox()
        self.medication.addItem(CHOOSE, None)
        for m in plan_rules.MEDICATIONS:
            self.medication.addItem(i18n.text("en", f"medication.{m}"), m)
        self.add_row(form, "Medicine after discharge", self.medication, "medication.choice")
        self.naltrexone_prompt = QLabel()
        self.naltrexone_prompt.setAccessibleName("Naltrexone prompt")
        self.naltrexone_prompt.setWordWrap(True)
        self.naltrexone_prompt.setVisible(False)
        form.addRow("", self.naltrexone_prompt)
        self.prescriber = QLineEdit()
        self.add_row(form, "Prescriber or program", self.prescriber, "medication.prescriber")
        self.next_dose = WhenEdit("Next dose or appointment", past_is_error=True,
                                  placeholder="e.g. 2026-12-02 09:00, or daily at the OTP")
        self.add_row(form, "Next dose or appointment", self.next_dose, "medication.next")
        self.reason = self.text_box()
        self.add_row(form, "Reason", self.reason, "medication.reason")
        form.addRow("", self.note("Why this medicine now \u2014 required when the naltrexone "
                                  "prompt says the opioid-free window is not met."))
        self.medication.currentIndexChanged.connect(self.update_prompt)
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def update_prompt(self, *_args: Any) -> None:
        """The naltrexone prompt, shown while naltrexone is chosen."""
        prompt = self.screen.view.naltrexone
        shown = self.medication.currentData() == "naltrexone"
        self.naltrexone_prompt.setVisible(shown)
        if shown:
            needed = prompt.status != "meets"
            self.naltrexone_prompt.setProperty("role", "warning" if needed else "")
            self.naltrexone_prompt.setText(f"{prompt.title}: {prompt.text}\nBasis: {prompt.basis}."
                                           + ("\nRecord the reason below." if needed else ""))
            repolish(self.naltrexone_prompt)

    def load(self, view) -> None:
        self._kept = dict(view.draft.get("medication") or {})
        self.medication.setCurrentIndex(max(0, self.medication.findData(self._kept.get("choice"))))
        self.prescriber.setText(text(self._kept.get("prescriber")))
        self.next_dose.set_value(self._kept.get("next"))
        self.reason.setPlainText(text(self._kept.get("reason")))
        self.update_prompt()

    def read(self) -> dict[str, Any]:
        return {"medication": {**self._kept, "choice": self.medication.currentData(),
                               "prescriber": self.prescriber.text().strip(),
                               "next": self.next_dose.value(),
                               "reason": self.reason.toPlainText().strip()}}
