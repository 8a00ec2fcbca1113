"""Register a new patient, or correct a registered patient's details."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError, ValidationError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import patients
from clinic_desktop.core.services import settings as clinic_settings
from clinic_desktop.core.services.patients import PatientInput, PatientSummary, PatientView
from clinic_desktop.gui.forms.ui_patient_dialog import Ui_PatientDialog
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.required import MARK, RequiredMarks
from clinic_desktop.gui.widgets.style import busy_cursor

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

DUPLICATE_CHECK_DELAY_MS = 300
#: After the first Save turns into "Save anyway", a second press this soon (a double click, a
#: doubled Enter) is not taken as the nurse's decision.
CONFIRM_GUARD_MS = 600
SAVE = "Save"
SAVE_ANYWAY = "Save anyway"


def duplicate_line(match: PatientSummary) -> str:
    return (f"{match.display_name} — MRN {match.mrn}, born {match.date_of_birth.isoformat()} "
            f"({match.similarity}% similar)")


class PatientDialog(AsksBeforeDiscarding, GeometryDialog):
    """Register a patient (``patient`` None) or correct one (``patient`` given, saved with its
    version so a concurrent edit elsewhere is refused rather than overwritten).

    On success ``saved_patient`` is the :class:`PatientView`, ``patient_saved`` is emitted with
    its id and the dialog is accepted. On any error the dialog stays open with everything typed.
    """

    patient_saved = Signal(int)

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None,
                 patient: PatientView | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PatientDialog()
        self.ui.setupUi(self)
        self._db = db
        self._user = user
        self.patient = patient
        self.saved_patient: PatientView | None = None
        self._duplicates: list[PatientSummary] = []
        self._confirm_pending = False  # Save was pressed with duplicates shown: next press saves

        ui = self.ui
        self.save_button: QPushButton = ui.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        ui.buttonBox.accepted.connect(self._save)
        ui.buttonBox.rejected.connect(self.reject)

        for code, label in patients.SEXES.items():
            ui.sexCombo.addItem(label, code)
        ui.sexCombo.setPlaceholderText("Choose…")
        for code, label in patients.LANGUAGES.items():
            ui.preferredLanguageCombo.addItem(label, code)

        dob = ui.dateOfBirthEdit
        dob.set_kind("date", placeholder="e.g. 11/30/1979")
        dob.set_label("Date of birth")
        ui.dateOfBirthLabel.setBuddy(dob.line)  # the label names the line edit inside

        fields: dict[str, QWidget] = {
            "mrn": ui.mrnEdit,
            "given_name": ui.givenNameEdit,
            "family_name": ui.familyNameEdit,
            "date_of_birth": ui.dateOfBirthEdit,
            "sex": ui.sexCombo,
            "gender_identity": ui.genderIdentityEdit,
            "pronouns": ui.pronounsEdit,
            "preferred_language": ui.preferredLanguageCombo,
            "phone": ui.phoneEdit,
            "address": ui.addressEdit,
            "emergency_contact_name": ui.emergencyContactNameEdit,
            "emergency_contact_relation": ui.emergencyContactRelationEdit,
            "emergency_contact_phone": ui.emergencyContactPhoneEdit,
        }
        # The fields registration requires (core: patients.required_fields), marked as they stand:
        # the emergency contact's name once its phone is typed.
        self.required_marks = RequiredMarks(fields.get)
        self._mark_required()
        ui.emergencyContactPhoneEdit.textChanged.connect(self._mark_required)
        self._align_label_columns()
        self.errors = FieldErrors(fields, general=ui.saveErrorLabel)

        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(DUPLICATE_CHECK_DELAY_MS)
        self._duplicate_timer.timeout.connect(self._check_duplicates)
        self._confirm_clock = QElapsedTimer()

        if patient is None:
            self.setWindowTitle("New patient")
            ui.mrnEdit.setText(patients.suggest_mrn(db))
            ui.sexCombo.setCurrentIndex(-1)
            english = ui.preferredLanguageCombo.findData("en")
            ui.preferredLanguageCombo.setCurrentIndex(max(0, english))
            ui.givenNameEdit.textChanged.connect(self._identity_changed)
            ui.familyNameEdit.textChanged.connect(self._identity_changed)
            dob.edited.connect(self._identity_changed)
            ui.givenNameEdit.setFocus()
        else:
            self.setWindowTitle(f"Edit patient — {patient.display_name}")
            self._fill(patient)
            ui.mrnEdit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_width()
        super().showEvent(event)

    def _fit_width(self) -> None:
        """Never narrower than the fields, room kept for the scroll bar (shrunk, the emergency
        contact was cut at the scroll area's right edge)."""
        scroll = self.ui.scrollArea
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(self.ui.scrollContents.minimumSizeHint().width() + bar)
        self.setMinimumWidth(max(self.minimumWidth(), self.minimumSizeHint().width()))

    def _align_label_columns(self) -> None:
        """The emergency-contact group has its own form layout: one width for both label columns."""
        labels: list[QWidget] = []
        for form in (self.ui.formLayout, self.ui.emergencyContactFormLayout):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = item.widget() if item is not None else None
                if label is not None:
                    labels.append(label)
        for label in labels:
            label.ensurePolished()
        # room for a required mark that comes and goes (the emergency contact's name)
        width = max(label.sizeHint().width() for label in labels) + labels[0].fontMetrics().horizontalAdvance(MARK)
        for label in labels:
            label.setMinimumWidth(width)

    def _mark_required(self) -> None:
        self.required_marks.update(patients.required_fields(self.patient_input()))

    # -- reading and writing the form ---------------------------------------------------------

    def _fill(self, p: PatientView) -> None:
        ui = self.ui
        ui.mrnEdit.setText(p.mrn)
        ui.givenNameEdit.setText(p.given_name)
        ui.familyNameEdit.setText(p.family_name)
        ui.dateOfBirthEdit.set_date(p.date_of_birth)
        ui.sexCombo.setCurrentIndex(ui.sexCombo.findData(p.sex))
        ui.genderIdentityEdit.setText(p.gender_identity or "")
        ui.pronounsEdit.setText(p.pronouns or "")
        language = ui.preferredLanguageCombo.findData(p.preferred_language)
        if language < 0:  # a language this workstation does not list: keep it, do not change it
            ui.preferredLanguageCombo.addItem(p.preferred_language, p.preferred_language)
            language = ui.preferredLanguageCombo.count() - 1
        ui.preferredLanguageCombo.setCurrentIndex(language)
        ui.phoneEdit.setText(p.phone or "")
        ui.addressEdit.setPlainText(p.address or "")
        ui.emergencyContactNameEdit.setText(p.emergency_contact_name or "")
        ui.emergencyContactRelationEdit.setText(p.emergency_contact_relation or "")
        ui.emergencyContactPhoneEdit.setText(p.emergency_contact_phone or "")

    def date_of_birth(self) -> dt.date | None:
        """The date typed; None when blank or when it cannot be read (the field says why)."""
        return self.ui.dateOfBirthEdit.date_value()

    def patient_input(self) -> PatientInput:
        ui = self.ui
        return PatientInput(
            mrn=ui.mrnEdit.text(),
            given_name=ui.givenNameEdit.text(),
            family_name=ui.familyNameEdit.text(),
            date_of_birth=self.date_of_birth(),
            sex=ui.sexCombo.currentData() or "",
            gender_identity=ui.genderIdentityEdit.text(),
            pronouns=ui.pronounsEdit.text(),
            preferred_language=ui.preferredLanguageCombo.currentData() or "",
            phone=ui.phoneEdit.text(),
            address=ui.addressEdit.toPlainText(),
            emergency_contact_name=ui.emergencyContactNameEdit.text(),
            emergency_contact_relation=ui.emergencyContactRelationEdit.text(),
            emergency_contact_phone=ui.emergencyContactPhoneEdit.text(),
        )

    # -- possible duplicates (new patients only) ----------------------------------------------

    def _identity_changed(self) -> None:
        if self._confirm_pending:  # the nurse is changing who this is: ask again on the next Save
            self._set_confirm_pending(False)
        self._duplicate_timer.start()

    def _identity_complete(self) -> bool:
        ui = self.ui
        return bool(ui.givenNameEdit.text().strip() and ui.familyNameEdit.text().strip()
                    and self.date_of_birth() is not None)

    def _find_duplicates(self) -> list[PatientSummary]:
        if self.patient is not None or not self._identity_complete():
            return []
        return patients.possible_duplicates(
            self._db, self._user, self.ui.givenNameEdit.text(), self.ui.familyNameEdit.text(),
            self.date_of_birth())

    def _check_duplicates(self) -> None:
        try:
            self._show_duplicates(self._find_duplicates())
        except ClinicError:
            self._show_duplicates([])  # a check that cannot run must not block registering

    def _show_duplicates(self, matches: list[PatientSummary]) -> None:
        self._duplicates = matches
        ui = self.ui
        if matches:
            ui.duplicateListLabel.setText("\n".join(duplicate_line(m) for m in matches))
            self._update_duplicate_advice()
            ui.duplicatePanel.setAccessibleDescription(
                f"{ui.duplicateListLabel.text()}\n{ui.duplicateAdviceLabel.text()}")
        ui.duplicatePanel.setVisible(bool(matches))

    def _update_duplicate_advice(self) -> None:
        if self._confirm_pending:
            advice = ("Check these records first. If this really is a different person, press "
                      "“Save anyway”; otherwise press Cancel and open the existing record.")
        else:
            advice = "If it is the same person, press Cancel and open the existing record instead."
        self.ui.duplicateAdviceLabel.setText(advice)

    def _set_confirm_pending(self, pending: bool) -> None:
        self._confirm_pending = pending
        self.save_button.setText(SAVE_ANYWAY if pending else SAVE)
        self.save_button.setAccessibleName(SAVE_ANYWAY if pending else SAVE)
        if pending:
            self._confirm_clock.start()
        if self._duplicates:
            self._update_duplicate_advice()

    def done(self, result: int) -> None:
        self._duplicate_timer.stop()  # no lookups for a dialog that has closed
        super().done(result)

    # -- saving -------------------------------------------------------------------------------

    def _save(self) -> None:
        if self._confirm_pending and self._confirm_clock.elapsed() < CONFIRM_GUARD_MS:
            return  # a double click or doubled Enter is not a decision to save anyway
        self.errors.clear()
        data = self.patient_input()
        try:
            with busy_cursor():
                if self.patient is None:
                    if not self._confirm_pending:
                        # Report bad fields before talking about duplicates.
                        patients.validate(data, clinic_settings.get(self._db, "phone_region"))
                        self._duplicate_timer.stop()
                        matches = self._find_duplicates()
                        if matches:
                            self._show_duplicates(matches)
                            self._set_confirm_pending(True)
                            return
                    saved = patients.register(self._db, self._user, data)
                else:
                    saved = patients.update(
                        self._db, self._user, self.patient.id, self.patient.version, data)
        except ValidationError as exc:
            if self._confirm_pending:
                self._set_confirm_pending(False)
            fields = dict(exc.fields)
            if (unread := self.ui.dateOfBirthEdit.error()) is not None:
                fields["date_of_birth"] = unread  # not "enter the date": say why it cannot be read
            self.errors.show(fields)
            return
        except ClinicError as exc:  # ConflictError, PermissionDenied, NotFound
            self.errors.show({"": str(exc)})
            return
        self.saved_patient = saved
        self.patient_saved.emit(saved.id)
        self.accept()
