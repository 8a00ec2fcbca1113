"""Naloxone, overdose and PAWS: the naloxone kit (given or why not, who was shown how to use
it), and the education every plan prints (the overdose box on page 1, PAWS)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from clinic_desktop.gui.plan.section import CHOOSE, Section, text
from clinic_desktop.reports import i18n

#: The answers to "Naloxone kit given": what staff read → the plan's value (None: unanswered).
KIT_ANSWERS: tuple[tuple[str, bool | None], ...] = (
    (CHOOSE, None), ("Yes, a kit was given", True), ("No kit given", False))


class OverdoseSection(Section):
    name = "overdose"

    def build(self, title: str) -> QWidget:
        self._kept: dict[str, Any] = {}  # the loaded overdose part (naloxone at home, from intake)
        page, inner = self.page(title)
        form = self.form()
        self.naloxone_given = QComboBox()
        for label, value in KIT_ANSWERS:
            self.naloxone_given.addItem(label, value)
        self.add_row(form, "Naloxone kit given", self.naloxone_given, "overdose.naloxone_kit_given")
        self.naloxone_reason = QLineEdit()
        self.naloxone_reason.setMaxLength(200)
        self.naloxone_reason.setPlaceholderText("e.g. has two kits at home; declined")
        self.add_row(form, "Why no kit", self.naloxone_reason, "overdose.naloxone_reason")
        self.shown_patient = QCheckBox("The patient was shown how to use it")
        self.shown_patient.setAccessibleName(self.shown_patient.text())  # the screen's rule too
        self.watch(self.shown_patient)
        form.addRow("Naloxone training", self.shown_patient)
        self.shown_person = QLineEdit()
        self.shown_person.setMaxLength(120)
        self.shown_person.setPlaceholderText("Name of a family member or friend, if any")
        self.add_row(form, "Also shown how to use it", self.shown_person, "overdose.naloxone_shown_person")
        self.naloxone_at_home = self.note("")
        form.addRow("", self.naloxone_at_home)
        self.naloxone_given.currentIndexChanged.connect(self._answer_changed)
        inner.addLayout(form)
        fixed = "\n\n".join([
            i18n.text("en", "overdose_tolerance"), i18n.text("en", "overdose_never_alone"),
            i18n.text("en", "overdose_fentanyl"), i18n.text("en", "overdose_mixing"),
            f"{i18n.text('en', 'overdose_steps_label')}: {i18n.text('en', 'overdose_steps')}",
            f"{i18n.text('en', 'paws_heading')}: {i18n.text('en', 'paws_text')}"])
        education = QLabel(fixed)
        education.setAccessibleName("Overdose and PAWS education")
        education.setWordWrap(True)
        education.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(education)
        inner.addWidget(self.note("The overdose box prints on page 1 of every plan, under the crisis "
                                  "lines (with the naltrexone warnings when naltrexone is the "
                                  "medicine); PAWS prints near the end. Neither can be removed."))
        inner.addStretch(1)
        return page

    def _answer_changed(self, *_args: Any) -> None:
        """"Why no kit" is asked only while the answer is no."""
        self.naloxone_reason.setEnabled(self.naloxone_given.currentData() is False)

    def load(self, view) -> None:
        self._kept = dict(view.draft.get("overdose") or {})
        given = self._kept.get("naloxone_kit_given")
        self.naloxone_given.setCurrentIndex(
            next((n for n, (_label, value) in enumerate(KIT_ANSWERS) if value is given), 0))
        self.naloxone_reason.setText(text(self._kept.get("naloxone_reason")))
        self.shown_patient.setChecked(bool(self._kept.get("naloxone_shown_patient")))
        self.shown_person.setText(text(self._kept.get("naloxone_shown_person")))
        self._answer_changed()
        self.naloxone_at_home.setText("Intake: naloxone already at home."
                                      if self._kept.get("naloxone_at_home")
                                      else "Intake: no naloxone at home.")

    def read(self) -> dict[str, Any]:
        given = self.naloxone_given.currentData()
        return {"overdose": {**self._kept, "naloxone_kit_given": given if isinstance(given, bool) else None,
                             "naloxone_reason": self.naloxone_reason.text().strip() if given is False else "",
                             "naloxone_shown_patient": self.shown_patient.isChecked(),
                             "naloxone_shown_person": self.shown_person.text().strip()}}
