"""The patient banner at the top of every screen of one patient: name, age, MRN, language,
allergies and risk flags. The safety alert, when raised, is a red bar right under it."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from clinic_desktop.core.assessment import Flag
from clinic_desktop.core.protocols import IMMINENT_RISK_TEXT
from clinic_desktop.core.services import patients
from clinic_desktop.gui import theme

SAFETY_ALERT_TEXT = ("Safety alert: PHQ-9 item 9 above 0 or a positive suicide screen (ASQ) \u2014 "
                     "a safety assessment is needed now.")
#: The bar's text after an acute positive ASQ ("yes" to question 5).
IMMINENT_ALERT_TEXT = f"Safety alert \u2014 acute positive ASQ: {IMMINENT_RISK_TEXT}"


def safety_alert_text(imminent: bool) -> str:
    """The safety bar's text: imminent risk after an acute positive ASQ, else the alert."""
    return IMMINENT_ALERT_TEXT if imminent else SAFETY_ALERT_TEXT


class PatientBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientBanner")
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setProperty("role", "heading")
        self.name.setAccessibleName("Patient")
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setAccessibleName("Patient details")
        self.allergies = QLabel()
        self.allergies.setAccessibleName("Allergies")
        self.flags = QLabel()
        self.flags.setAccessibleName("Risk flags")
        self.flags.setWordWrap(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setHorizontalSpacing(16)
        layout.setVerticalSpacing(2)
        layout.addWidget(self.name, 0, 0)
        layout.addWidget(self.details, 0, 1)
        layout.addWidget(self.allergies, 0, 2, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.flags, 1, 0, 1, 3)
        layout.setColumnStretch(1, 1)

    def add_line(self, widget: QWidget) -> None:
        """``widget`` as a line of its own under the risk flags (the flowsheet's patient facts)."""
        layout = self.layout()
        assert isinstance(layout, QGridLayout)
        layout.addWidget(widget, layout.rowCount(), 0, 1, 3)

    def show_patient(self, p) -> None:
        """Name, age, MRN and language of a ``patients.PatientRecord``."""
        language = patients.LANGUAGES.get(p.preferred_language, p.preferred_language or "\u2014")
        self.name.setText(p.display_name)
        self.details.setText(f"Age {p.age} \u00b7 MRN {p.mrn} \u00b7 Language {language}")
        self.details.setToolTip(f"Phone {p.phone}" if p.phone else "")

    def show_allergies(self, allergies: str) -> None:
        self.allergies.setText(
            f"<b>Allergies:</b> {html.escape(allergies)}" if allergies
            else f"<b>Allergies:</b> <span style='color:{theme.css('error')}'>not recorded</span>")

    def show_flags(self, flags: Sequence[Flag]) -> None:
        self.flags.setText(
            "<b>Risk flags:</b> " + " · ".join(html.escape(f.label) for f in flags) if flags
            else f"<span style='color:{theme.css('muted')}'>No risk flags</span>")
        self.flags.setToolTip("\n".join(f"{f.label}: {f.basis}" for f in flags))


def safety_bar(parent: QWidget | None = None) -> QLabel:
    """The red safety-alert bar (hidden until the alert is raised)."""
    bar = QLabel(SAFETY_ALERT_TEXT, parent)
    bar.setObjectName("safetyAlert")
    bar.setAccessibleName("Safety alert")
    bar.setWordWrap(True)
    bar.setVisible(False)
    return bar
