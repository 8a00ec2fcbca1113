"""Mental health and safety: the suicide-risk question, PHQ-9 and GAD-7."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QButtonGroup, QGroupBox, QHBoxLayout, QRadioButton, QWidget

from clinic_desktop.gui.intake.section import ScoredSection
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry


class MentalHealthSection(ScoredSection):
    name = "mental_health"

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        question = QGroupBox("Thoughts of suicide or self-harm now?")
        question.setAccessibleName("Thoughts of suicide or self-harm now?")
        self.suicide_yes = QRadioButton("Yes")
        self.suicide_no = QRadioButton("No")
        self.suicide_yes.setAccessibleName("Yes")
        self.suicide_no.setAccessibleName("No")
        self.suicide_group = QButtonGroup(self.screen)
        self.suicide_group.addButton(self.suicide_yes)
        self.suicide_group.addButton(self.suicide_no)
        self.suicide_group.buttonToggled.connect(lambda *_: self.changed())
        row = QHBoxLayout(question)
        row.addWidget(self.suicide_yes)
        row.addWidget(self.suicide_no)
        row.addStretch(1)
        self.register("mental_health.suicide_risk", self.suicide_yes)
        self.suicide_question = question
        self.phq9_entry = InstrumentEntry("phq9")
        self.phq9_entry.setAccessibleName("PHQ-9")
        self.gad7_entry = InstrumentEntry("gad7")
        self.gad7_entry.setAccessibleName("GAD-7")
        for iid, entry in (("phq9", self.phq9_entry), ("gad7", self.gad7_entry)):
            entry.score_changed.connect(lambda _score, iid=iid: self.scored(iid))
            self.register(f"mental_health.{iid}", entry)
        inner.addWidget(question)
        inner.addWidget(self.phq9_entry)
        inner.addWidget(self.gad7_entry)
        inner.addStretch(1)
        return page

    def required_widget(self, key: str) -> QWidget | None:
        """The suicide-risk question is its group box (go_to still goes to Yes)."""
        return self.suicide_question if key == "mental_health.suicide_risk" else super().required_widget(key)

    def load(self, data: Mapping[str, Any]) -> None:
        self.keep_times(data)
        self.phq9_entry.set_items(data.get("phq9") or {})
        self.gad7_entry.set_items(data.get("gad7") or {})
        answer = data.get("suicide_risk")
        self.suicide_group.setExclusive(False)
        self.suicide_yes.setChecked(answer == "yes")
        self.suicide_no.setChecked(answer == "no")
        self.suicide_group.setExclusive(True)

    def read(self) -> dict[str, Any]:
        suicide = "yes" if self.suicide_yes.isChecked() else "no" if self.suicide_no.isChecked() else None
        scores = {"phq9": self.phq9_entry.items(), "gad7": self.gad7_entry.items()}
        return scores | {"suicide_risk": suicide, "scored_at": self.times_scored(scores)}
