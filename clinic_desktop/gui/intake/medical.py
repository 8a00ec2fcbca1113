"""Medical and psychiatric: conditions, seizures, pregnancy, medications, allergies, psychiatric
history, and the optional patient facts the medication checks read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import facts
from clinic_desktop.gui.intake.section import CHOOSE, IntakeSection
from clinic_desktop.gui.widgets.facts_entry import FactsEntry, fact_text


class MedicalSection(IntakeSection):
    name = "medical"

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        form = self.form()
        self.conditions = self.text_box()
        self.seizures = QCheckBox("Seizure history")
        self.seizures.setAccessibleName("Seizure history")
        self.seizures.toggled.connect(self.changed)
        self.pregnancy = QComboBox()
        self.pregnancy.addItem(CHOOSE, None)
        for key, label in rules.PREGNANCY.items():
            self.pregnancy.addItem(label, key)
        self.medications = self.text_box()
        self.allergies = QLineEdit()
        self.allergies.setPlaceholderText("Required — write \u201cnone known\u201d if there are none")
        self.psych_history = self.text_box()
        self.add_row(form, "Medical conditions", self.conditions)
        form.addRow("", self.seizures)
        self.add_row(form, "Pregnancy status", self.pregnancy, "medical.pregnancy")
        self.add_row(form, "Current medications", self.medications)
        self.add_row(form, "Allergies", self.allergies, "medical.allergies")
        self.add_row(form, "Psychiatric history", self.psych_history)
        inner.addLayout(form)

        rules_box = QGroupBox("For the medication checks")
        box = QVBoxLayout(rules_box)
        hint = QLabel("Optional. Lofexidine’s dose caps follow hepatic and renal function; a long QTc "
                      "warns about or stops methadone. The weight is recorded with the vitals. These can "
                      "be corrected after signing (Patient facts… on the stabilization screen).")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.facts_entry = FactsEntry(weight=False)
        self.facts_entry.edited.connect(self.changed)
        for key, widget in self.facts_entry.inputs.items():
            self.register(f"medical.{key}", widget)
        box.addWidget(hint)
        box.addWidget(self.facts_entry)
        inner.addWidget(rules_box)
        inner.addStretch(1)
        return page

    def load(self, data: Mapping[str, Any]) -> None:
        self.conditions.setPlainText(str(data.get("conditions") or ""))
        self.seizures.setChecked(data.get("seizure_history") is True)
        self.pregnancy.setCurrentIndex(max(self.pregnancy.findData(data.get("pregnancy")), 0))
        self.medications.setPlainText(str(data.get("medications") or ""))
        self.allergies.setText(str(data.get("allergies") or ""))
        self.psych_history.setPlainText(str(data.get("psychiatric_history") or ""))
        self.facts_entry.set_values({key: data.get(key) for key in facts.FIELDS[1:]})

    def read(self) -> dict[str, Any]:
        return {"conditions": self.conditions.toPlainText().strip(),
                "seizure_history": self.seizures.isChecked(),
                "pregnancy": self.pregnancy.currentData(),
                "medications": self.medications.toPlainText().strip(),
                "allergies": self.allergies.text().strip(),
                "psychiatric_history": self.psych_history.toPlainText().strip()} | self.facts_entry.accepted()

    def kept(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """As the page keeps it: a fact its field refuses is left out (as an impossible vital is)."""
        out = rules.complete_section(self.name, data)
        typed = {key: fact_text(out[key]) for key in facts.FIELDS[1:]}
        return out | facts.accepted(typed, self.local_today())[0]
