"""Relapse prevention: the patient's plan, in their own words, and "My day" (their routine and
what keeps them well). A new plan starts from what the intake heard matters to the patient."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.gui.plan.section import Section, text
from clinic_desktop.reports import i18n

#: Each field's label: the English plan's own words.
LABELS = {f: i18n.text("en", f"relapse.{f}") for f in plan_rules.RELAPSE_FIELDS}
#: "My day"'s labels, the printed words' parenthesis (the examples) shown in the empty field
#: instead, so the label column stays as narrow as the relapse plan's.
def _label_and_hint(words: str) -> tuple[str, str]:
    """"What keeps me well (sleep, food…)" → ("What keeps me well", "Sleep, food…")."""
    label, _, hint = words.partition(" (")
    hint = hint.rstrip(")")
    return label, hint[:1].upper() + hint[1:]


MY_DAY = {f: _label_and_hint(i18n.text("en", f"my_day.{f}")) for f in plan_rules.MY_DAY_FIELDS}


class RelapseSection(Section):
    name = "relapse"

    def build(self, title: str) -> QWidget:
        page, inner = self.page(title)
        inner.addWidget(self.note("Write these with the patient, in their own words. Finalizing needs "
                                  "at least one (the first is marked required until one is written)."))
        form = self.form()
        self.boxes: dict[str, QPlainTextEdit] = {}
        for f in plan_rules.RELAPSE_FIELDS:
            box = self.text_box(72)
            self.add_row(form, LABELS[f], box, f"relapse.{f}")
            self.boxes[f] = box
        # "My day" in the same form: its fields line up with the relapse plan's.
        form.addRow(self.heading(i18n.text("en", "my_day_heading")))
        form.addRow(self.note("Printed when written: the day's routine and self-care, in the patient's words."))
        self.day_boxes: dict[str, QPlainTextEdit] = {}
        for f in plan_rules.MY_DAY_FIELDS:
            label, hint = MY_DAY[f]
            box = self.text_box(56)
            box.setPlaceholderText(hint)
            self.add_row(form, label, box, f"my_day.{f}")
            self.day_boxes[f] = box
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def load(self, view) -> None:
        relapse = view.draft.get("relapse") or {}
        for f, box in self.boxes.items():
            box.setPlainText(text(relapse.get(f)))
        day = view.draft.get("my_day") or {}
        for f, box in self.day_boxes.items():
            box.setPlainText(text(day.get(f)))

    def read(self) -> dict[str, Any]:
        return {"relapse": {f: box.toPlainText().strip() for f, box in self.boxes.items()},
                "my_day": {f: box.toPlainText().strip() for f, box in self.day_boxes.items()}}
