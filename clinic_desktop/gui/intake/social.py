"""Social: housing, employment, legal, transport, supports (free text); then what matters to the
patient, in their own words (reasons for recovery, strengths, people they trust, routines that
help), which the aftercare plan starts from; and the readiness ruler (how important, how
confident, 0–10 each), the first point of its trend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import support
from clinic_desktop.gui.intake.section import IntakeSection, spin, spin_value


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
        # In the same form: the fields line up with the social history's.
        heading = QLabel("What matters to the patient \u2014 in their own words")
        heading.setProperty("role", "heading")
        form.addRow(heading)
        self.matter_boxes: dict[str, QPlainTextEdit] = {}
        for key, label in rules.WHAT_MATTERS:
            box = self.text_box()
            box.setPlaceholderText(rules.WHAT_MATTERS_HINTS[key])
            self.add_row(form, label, box, f"social.{key}")
            self.matter_boxes[key] = box
        ruler = QLabel("Readiness \u2014 ask: \u201c" + " ".join(support.RULER.values()) + "\u201d")
        ruler.setProperty("role", "heading")
        ruler.setWordWrap(True)
        form.addRow(ruler)
        self.ruler_boxes: dict[str, QSpinBox] = {}
        for (key, label), question in zip(rules.READINESS, support.RULER.values(), strict=True):
            answer = spin(label, 10)
            answer.setToolTip(question)
            self.add_row(form, label, answer, f"social.{key}")
            self.ruler_boxes[key] = answer
        inner.addLayout(form)
        inner.addStretch(1)
        return page

    def load(self, data: Mapping[str, Any]) -> None:
        for key, edit in self.social_edits.items():
            edit.setText(str(data.get(key) or ""))
        for key, box in self.matter_boxes.items():
            box.setPlainText(str(data.get(key) or ""))
        for key, spinner in self.ruler_boxes.items():
            value = data.get(key)
            spinner.setValue(value if isinstance(value, int) else -1)

    def read(self) -> dict[str, Any]:
        return {**{k: e.text().strip() for k, e in self.social_edits.items()},
                **{k: b.toPlainText().strip() for k, b in self.matter_boxes.items()},
                **{k: spin_value(b) for k, b in self.ruler_boxes.items()}}
