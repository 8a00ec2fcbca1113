"""Safety plan (Stanley–Brown, CLINICAL.md §7): written with the patient, in their own words,
and printed with the aftercare plan. After the episode's safety alert, finalizing needs its
warning signs, people to ask for help and making the surroundings safer."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.section import Section, text
from clinic_desktop.gui.widgets.style import repolish
from clinic_desktop.reports import i18n

#: Each part's label: the English plan's own words.
LABELS = {f: i18n.text("en", f"safety_plan.{f}") for f in plan_rules.SAFETY_PLAN_FIELDS}

ALERT_NOTE = ("The safety alert was raised in this episode: finalizing needs the warning signs, the "
              "people the patient can ask for help and how they will make their surroundings safer.")
PLAIN_NOTE = ("For a patient at risk of suicide (a positive ASQ or PHQ-9 item 9). Printed with the "
              "plan when any part is written; 988 is always printed under the professionals.")


class SafetyPlanSection(Section):
    name = "safety_plan"

    def build(self, title: str) -> QWidget:
        page, inner = self.page(title)
        inner.addWidget(self.note("Write these with the patient, in their own words, in this order: "
                                  "each step is for when the one before has not helped."))
        self.alert_note = QLabel()
        self.alert_note.setWordWrap(True)
        self.alert_note.setAccessibleName("Safety plan note")
        inner.addWidget(self.alert_note)
        form = self.form()
        self.boxes: dict[str, QPlainTextEdit] = {}
        for f in plan_rules.SAFETY_PLAN_FIELDS:
            box = self.text_box(64)
            self.add_row(form, LABELS[f], box, f"safety_plan.{f}")
            self.boxes[f] = box
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def load(self, view) -> None:
        alert = bool(view.safety_alert_raised)
        self.alert_note.setText(ALERT_NOTE if alert else PLAIN_NOTE)
        self.alert_note.setProperty("role", "warning" if alert else "muted")
        repolish(self.alert_note)
        safety = view.draft.get("safety_plan") or {}
        for f, box in self.boxes.items():
            box.setPlainText(text(safety.get(f)))

    def read(self) -> dict[str, Any]:
        words = {f: box.toPlainText().strip() for f, box in self.boxes.items()}
        # A plan with no safety plan keeps the empty dict it started with.
        return {"safety_plan": words if any(words.values()) else {}}
