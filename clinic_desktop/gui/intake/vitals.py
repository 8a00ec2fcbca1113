"""Vitals: one field per vital; an impossible value refused next to its field, an abnormal one
kept with a warning; the weight must also be one the medication rules accept. Temperature and
weight are typed in the clinic's units (°F and lb, or °C and kg); the draft keeps °C and kg."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import units, vitals
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.gui.intake.section import IntakeSection
from clinic_desktop.gui.widgets.vitals_entry import VitalsEntry, accepted_vitals, number, vital_text


class VitalsSection(IntakeSection):
    name = "vitals"

    @cached_property
    def system(self) -> str:
        """The clinic's units, read once (before the page is built, ``kept`` needs them too)."""
        return units.clinic_system(clinic_settings.get_all(self.screen.db))

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        self.vitals_entry = VitalsEntry(optional=tuple(v.id for v in vitals.VITALS
                                                       if v.id not in rules.REQUIRED_VITALS),
                                        also_check=self._weight_for_the_rules, system=self.system)
        self.vitals_entry.edited.connect(self.changed)
        for vid, edit in self.vitals_entry.edits.items():
            self.register(f"vitals.{vid}", edit)
        inner.addWidget(self.vitals_entry)
        hint = QLabel("An impossible value is refused (not saved); an abnormal one is kept with a warning. "
                      "Weight is optional.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        inner.addWidget(hint)
        inner.addStretch(1)
        return page

    def _weight_for_the_rules(self, kept: Mapping[str, Any]) -> dict[str, str]:
        """The weight is also a patient fact: it must be one the medication rules accept (checked
        on the kg kept, said in the unit typed)."""
        if kept.get("weight_kg") is None:
            return {}
        error = units.weight_fact_error(number(self.vitals_entry.edits["weight_kg"].text()), self.system)
        return {"weight_kg": error} if error else {}

    def load(self, data: Mapping[str, Any]) -> None:
        self.vitals_entry.set_values(data)

    def read(self) -> dict[str, Any]:
        return self.vitals_entry.values()

    def kept(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """As the page keeps it: a refused value is left out."""
        given = rules.complete_section(self.name, data)
        return accepted_vitals({v.id: vital_text(v.id, given.get(v.id), self.system) for v in vitals.VITALS},
                               self.system)[0]
