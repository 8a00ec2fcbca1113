"""The first start on an empty database: create the administrator account and record the
clinic's name, address and phone (nothing prints without them), in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialogButtonBox, QWidget

from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts
from clinic_desktop.gui.forms.ui_first_run_dialog import Ui_FirstRunDialog
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors
from clinic_desktop.gui.widgets.password_feedback import MISMATCH, show_password_feedback

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database


class FirstRunDialog(AsksBeforeDiscarding, GeometryDialog):
    """Shown while the database has no users. On success ``created_user`` is the new
    administrator, already signed in, and the dialog is accepted.

    A refusal under a field, or the live advice under the password, takes its own row: the
    dialog grows taller to give it the room (``GROW_TO_FIT``) rather than squeeze it over the
    hints."""

    GROW_TO_FIT = True

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_FirstRunDialog()
        self.ui.setupUi(self)
        self._db = db
        self.created_user: SignedInUser | None = None

        self.create_button = self.ui.buttonBox.addButton(
            "Create administrator", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        self.ui.buttonBox.accepted.connect(self._create)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.databaseLabel.setText(f"Database: {db.display_name}")

        self.errors: FieldErrors = FieldErrors({
            "full_name": self.ui.fullNameEdit,
            "username": self.ui.userNameEdit,
            "password": self.ui.passwordEdit,
            "repeat_password": self.ui.repeatPasswordEdit,
            "clinic_name": self.ui.clinicNameEdit,
            "clinic_address": self.ui.clinicAddressEdit,
            "clinic_phone": self.ui.clinicPhoneEdit,
        }, general=self.ui.errorLabel)
        self.ui.passwordEdit.textChanged.connect(self._update_feedback)
        # Again once FieldErrors has cleared a refusal on the same keystroke (a shown refusal
        # hides the feedback).
        self.ui.passwordEdit.textEdited.connect(self._update_feedback)
        self.ui.userNameEdit.textChanged.connect(self._update_feedback)
        self._update_feedback()
        self.ui.fullNameEdit.setFocus()

    def _update_feedback(self) -> None:
        """Live advice under the password, from the same rule the service applies."""
        show_password_feedback(self.ui.passwordFeedbackLabel, self.ui.formLayout, self.errors,
                               self.ui.passwordEdit.text(), self.ui.userNameEdit.text())
        self._make_room()

    def _make_room(self) -> None:
        """Taller if the messages now shown need it (a refusal, the live advice)."""
        if self.isVisible():
            self.grow_to_fit()

    def _create(self) -> None:
        self.errors.clear()
        password = self.ui.passwordEdit.text()
        if password != self.ui.repeatPasswordEdit.text():
            self.errors.show({"repeat_password": MISMATCH})
            self._make_room()
            return
        db, username, full_name = self._db, self.ui.userNameEdit.text(), self.ui.fullNameEdit.text()
        clinic = {"clinic_name": self.ui.clinicNameEdit.text(),
                  "clinic_address": self.ui.clinicAddressEdit.toPlainText(),
                  "clinic_phone": self.ui.clinicPhoneEdit.text()}
        self.errors.attempt_in_background(
            self, lambda: accounts.create_first_admin(db, username, full_name, password, clinic=clinic),
            self._created, refused=self._update_feedback, disabling=[self.create_button],
            what="first administrator")

    def _created(self, user: SignedInUser) -> None:
        self.created_user = user
        self.accept()
