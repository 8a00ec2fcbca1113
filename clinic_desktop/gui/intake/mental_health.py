"""Mental health and safety: the ASQ suicide-risk screen, PHQ-9 and GAD-7."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QWidget

from clinic_desktop.gui.intake.section import ScoredSection
from clinic_desktop.gui.widgets.instrument_entry import InstrumentEntry


class MentalHealthSection(ScoredSection):
    name = "mental_health"

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        # The ASQ (CLINICAL.md §7) replaced a single "thoughts of suicide now?" question: its
        # question 5 is enabled only after a "yes" to 1-4. An old draft's answer to the single
        # question is kept as it was saved (it still raises the safety alert).
        self.asq_entry = InstrumentEntry("asq")
        self.asq_entry.setAccessibleName("ASQ")
        self.phq9_entry = InstrumentEntry("phq9")
        self.phq9_entry.setAccessibleName("PHQ-9")
        self.gad7_entry = InstrumentEntry("gad7")
        self.gad7_entry.setAccessibleName("GAD-7")
        for iid, entry in (("asq", self.asq_entry), ("phq9", self.phq9_entry), ("gad7", self.gad7_entry)):
            entry.score_changed.connect(lambda _score, iid=iid: self.scored(iid))
            self.register(f"mental_health.{iid}", entry)
        inner.addWidget(self.asq_entry)
        inner.addWidget(self.phq9_entry)
        inner.addWidget(self.gad7_entry)
        inner.addStretch(1)
        self._old_suicide_risk: Any = None
        return page

    def load(self, data: Mapping[str, Any]) -> None:
        self.keep_times(data)
        self.asq_entry.set_items(data.get("asq") or {})
        self.phq9_entry.set_items(data.get("phq9") or {})
        self.gad7_entry.set_items(data.get("gad7") or {})
        self._old_suicide_risk = data.get("suicide_risk")

    def read(self) -> dict[str, Any]:
        scores = {"asq": self.asq_entry.items(), "phq9": self.phq9_entry.items(),
                  "gad7": self.gad7_entry.items()}
        return scores | {"suicide_risk": self._old_suicide_risk, "scored_at": self.times_scored(scores)}
