"""Identity and contacts: the consent to treatment, and the registration as the patient record
holds it (read-only here; Edit registration… opens the patient dialog)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from clinic_desktop.core.services import patients
from clinic_desktop.gui.intake.section import NOT_RECORDED, IntakeSection

REGISTRATION = (("Name", "Date of birth", "Sex", "Gender identity", "Pronouns", "Preferred language"),
                ("Phone", "Address", "Emergency contact name", "Emergency contact relation",
                 "Emergency contact phone"))


class IdentitySection(IntakeSection):
    name = "identity"

    def build(self) -> QWidget:
        page, inner, _ = self.page()
        form = self.form()
        self.consent = QCheckBox("Consent to treatment recorded")
        self.consent.setAccessibleName("Consent to treatment recorded")
        self.consent.toggled.connect(self.changed)
        self.register("identity.consent_to_treatment", self.consent)
        form.addRow("", self.consent)
        inner.addLayout(form)

        registration = QGroupBox("Registration")
        registration.setObjectName("registration")
        columns = QHBoxLayout(registration)
        columns.setSpacing(24)
        self.identity_fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        for group in REGISTRATION:
            column = self.form()
            for label in group:
                edit: QPlainTextEdit | QLineEdit
                if label == "Address":  # as registered, line by line
                    edit = QPlainTextEdit()
                    edit.setTabChangesFocus(True)
                    margins = int(edit.document().documentMargin() * 2) + 2 * edit.frameWidth() + 22
                    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + margins)
                else:
                    edit = QLineEdit()
                edit.setReadOnly(True)
                edit.setAccessibleName(label)
                caption = QLabel(label)
                caption.setBuddy(edit)
                column.addRow(caption, edit)
                self.identity_fields[label] = edit
            columns.addLayout(column, 1)
        inner.addWidget(registration)

        can_edit = self.screen.user.can("patients.edit")
        self.edit_registration_button = QPushButton("Edit registration\u2026")
        self.edit_registration_button.setAccessibleName("Edit registration\u2026")
        self.edit_registration_button.setToolTip("Correct the name, contacts or other details on the "
                                                 "patient record")
        self.edit_registration_button.clicked.connect(self.screen.edit_registration)
        self.edit_registration_button.setVisible(can_edit)
        hint = QLabel("Confirm these with the patient; correct them with Edit registration\u2026 "
                      "(they are kept on the patient record, not in the assessment)." if can_edit else
                      "Confirm these with the patient. They are kept on the patient record; your role "
                      "cannot change them.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.edit_registration_button, 0, Qt.AlignmentFlag.AlignTop)
        actions.addWidget(hint, 1)
        inner.addLayout(actions)
        inner.addStretch(1)
        self.show_patient(self.screen.patient)
        return page

    def show_patient(self, p) -> None:
        """The registration fields from the patient record."""
        language = patients.LANGUAGES.get(p.preferred_language, p.preferred_language or "\u2014")
        values = {"Name": p.display_name, "Date of birth": f"{p.date_of_birth.isoformat()} (age {p.age})",
                  "Sex": patients.SEXES.get(p.sex, p.sex), "Gender identity": p.gender_identity,
                  "Pronouns": p.pronouns, "Preferred language": language, "Phone": p.phone,
                  "Address": p.address, "Emergency contact name": p.emergency_contact_name,
                  "Emergency contact relation": p.emergency_contact_relation,
                  "Emergency contact phone": p.emergency_contact_phone}
        for label, edit in self.identity_fields.items():
            value = values.get(label) or ""
            edit.setPlaceholderText("" if value else NOT_RECORDED)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
                edit.setCursorPosition(0)

    def load(self, data: Mapping[str, Any]) -> None:
        self.consent.setChecked(data.get("consent_to_treatment") is True)

    def read(self) -> dict[str, Any]:
        return {"consent_to_treatment": self.consent.isChecked()}

    def set_read_only(self) -> None:
        self.edit_registration_button.setVisible(False)
