"""Encrypt… (the main window's "This database is not encrypted" notice, and Admin → Encrypt the
database…): says what will happen and asks for the administrator's own password.

The password is checked here, as a signature is (``accounts.confirm_password``: audited, counted
towards the lockout), off the GUI thread; once it is right the dialog is accepted and
``password`` holds it for the encryption itself, which runs after the main window has closed
(``app.run_gui``): ``vault.encrypt`` signs in again with it and wraps the new key for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.field_errors import FieldErrors

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser

TITLE = "Encrypt the database"
EXPLANATION = (
    "Encrypting protects the records if this computer, its disk or a copy of the database is lost "
    "or stolen: without a staff password or the recovery key nobody can read them.\n\n"
    "Clinic Desktop will close the open records (drafts are saved), make a backup, encrypt the "
    "database and check it, then ask everyone to sign in again. A plain copy is kept beside the "
    "database until you delete it. You will then be shown a recovery key to print and keep "
    "locked away.\n\n"
    "Other staff keep their passwords; each can open the encrypted database once they have signed "
    "in to it while it is open (an administrator can also set their password in Users).")


class EncryptDialog(GeometryDialog):
    """Accepted once ``user`` typed their own password (``password``); Cancel changes nothing."""

    GROW_TO_FIT = True

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{TITLE} \u2014 Clinic Desktop")
        self._db, self._user = db, user
        self.password = ""

        explanation = QLabel(EXPLANATION, self)
        explanation.setWordWrap(True)
        explanation.setAccessibleName("What happens")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Your password")
        form = QFormLayout()
        form.addRow(f"Your password ({user.username})", self.password_edit)
        self.error_label = QLabel(self)
        self.error_label.setProperty("role", "error")
        self.error_label.setAccessibleName("Error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.errors = FieldErrors({"password": self.password_edit}, general=self.error_label)

        self.buttons = QDialogButtonBox(self)
        self.encrypt_button = self.buttons.addButton("Encrypt", QDialogButtonBox.ButtonRole.AcceptRole)
        self.encrypt_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, 360)
        self.password_edit.setFocus()

    def _check(self) -> None:
        from clinic_desktop.core.services import accounts

        self.errors.clear()
        password = self.password_edit.text()
        if not password:
            self.errors.show({"password": "Enter your password."})
            return
        db, user = self._db, self._user

        def confirmed(_signer: SignedInUser) -> None:
            self.password = password
            self.accept()

        def refused() -> None:
            self.password_edit.clear()

        self.errors.attempt_in_background(
            self, lambda: accounts.confirm_password(db, user, password), confirmed, refused=refused,
            disabling=[self.encrypt_button], what="encryption password")  # a refusal shows under the field
