"""Sign-in, and the same dialog as the idle screen lock."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from clinic_desktop.core.errors import AuthenticationError
from clinic_desktop.gui import theme
from clinic_desktop.gui.forms.ui_login_dialog import Ui_LoginDialog
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

if TYPE_CHECKING:  # the services (and SQLAlchemy) load while the window is already on screen
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser

LOCKED_TITLE = "Screen locked — Clinic Desktop"


class LoginDialog(GeometryDialog):
    """Asks for a user name and password and signs the person in through ``accounts.authenticate``.

    With ``locked_user`` it is the screen lock: the user name is fixed and only that person can
    continue. On success ``signed_in_user`` holds the :class:`SignedInUser`, ``signed_in`` is
    emitted with it and the dialog is accepted. The password is checked off the GUI thread
    (``gui.operations``), Sign in off meanwhile. Wrong passwords and locked accounts are shown
    inside the dialog (accessible name "Sign-in error").

    On an encrypted database (:meth:`set_encrypted`) there is no database until someone signs
    in: Sign in runs ``vault.unlock`` (the password unwraps the database's key, then signs in as
    above) and ``database`` holds the database it opened.

    When an administrator asked for a new password (``SignedInUser.must_change_password``), the
    sign-in ends only once the person has chosen one (:class:`ChangePasswordDialog`, the password
    just typed counting as the current one); cancelled, nobody is signed in. The screen lock does
    not ask: the person is signed in already.
    """

    NEW_PASSWORD_NEEDED = ("Choose a new password to sign in: an administrator asked for one. "
                           "Sign in again to choose it.")

    signed_in = Signal(object)  # SignedInUser

    def __init__(self, db: Database | None, parent: QWidget | None = None, *,
                 locked_user: SignedInUser | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_LoginDialog()
        self.ui.setupUi(self)
        self._db = db
        self.locked_user = locked_user
        self.signed_in_user: SignedInUser | None = None
        #: The encrypted database Sign in opens (``set_encrypted``), and once it has, the database.
        self._encrypted_target: str | None = None
        self.database: Database | None = None
        self.new_password_dialog: QDialog | None = None  # open while a new password is chosen
        self._operation: Operation | None = None  # the password being checked
        self._typed = ""  # the password being checked, for the new-password step; then cleared

        self.sign_in_button = self.ui.buttonBox.addButton(
            "Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setDefault(True)
        self.ui.buttonBox.accepted.connect(self._sign_in)
        self.ui.buttonBox.rejected.connect(self.reject)
        if db is None:  # shown at start-up before the database is open; set_database() follows
            self.sign_in_button.setEnabled(False)
            self.ui.databaseLabel.setText("Opening the database…")
        else:
            self.set_database(db)

        if locked_user is not None:
            self.setWindowTitle(LOCKED_TITLE)
            self.setAccessibleName("Screen locked")
            self.ui.titleLabel.setText("Screen locked")
            self.ui.lockMessageLabel.setText(
                f"Locked after inactivity. Sign in again as {locked_user.full_name} to continue; "
                "nothing you typed is lost."
            )
            self.ui.lockMessageLabel.setVisible(True)
            self.ui.userNameEdit.setText(locked_user.username)
            self.ui.userNameEdit.setReadOnly(True)
            self.ui.userNameEdit.setStyleSheet(f"background: {theme.css('disabled_bg')};")  # looks fixed, as it is
            self.ui.userNameEdit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.ui.passwordEdit.setFocus()
        else:
            self.ui.userNameEdit.setFocus()

    def set_database(self, db: Database) -> None:
        """The database to sign in to; Sign in is enabled from now on."""
        self._db = db
        self.ui.databaseLabel.setText(f"Database: {db.display_name}")
        self.sign_in_button.setEnabled(True)

    def set_encrypted(self, target: str | None, path: Path) -> None:
        """The database at ``path`` (named ``target`` as given at start-up) is encrypted: Sign in
        opens it with the name and password typed. Sign in is enabled from now on."""
        self._encrypted_target = target
        self.ui.databaseLabel.setText(f"Database: {path} (encrypted)")
        self.sign_in_button.setEnabled(True)

    # -- slots --------------------------------------------------------------------------------

    def _sign_in(self) -> None:
        username = self.ui.userNameEdit.text()
        password = self.ui.passwordEdit.text()
        if not username.strip():
            self._refuse("Enter your user name.", focus=self.ui.userNameEdit, clear_password=False)
            return
        if not password:
            self._refuse("Enter your password.", focus=self.ui.passwordEdit, clear_password=False)
            return
        if self._db is None and not self.sign_in_button.isEnabled():
            return  # Sign in is disabled until the database is open; Enter can still arrive
        from clinic_desktop.core.services import accounts

        normalize = accounts.normalize_username
        if self.locked_user is not None and normalize(username) != normalize(self.locked_user.username):
            # Refused before authenticate(): nobody else's failure count or audit trail changes.
            self._refuse(self._only_locked_user_message())
            return
        if self._operation is not None:
            return  # already checking; Enter can still arrive
        self._typed = password
        db = self._db
        if db is None:
            self._unlock(username, password)
            return

        # The password check (argon2) and the database run off the GUI thread. A refusal
        # (AccountLocked is an AuthenticationError too) is shown in the dialog.
        self._operation = (
            QueryOp(parent=self, op=lambda: accounts.authenticate(db, username, password),
                    success=self._authenticated, what="sign-in")
            .failure(self._refused)
            .disabling(self.sign_in_button)
            .run_in_background())

    def _unlock(self, username: str, password: str) -> None:
        """Open the encrypted database with the password and sign in, off the GUI thread."""
        from clinic_desktop.core.services import vault

        target = self._encrypted_target

        def unlocked(opened: tuple[Database, SignedInUser]) -> None:
            db, user = opened
            if self._operation is None:  # the dialog was closed while the key was unwrapped
                db.dispose()
                return
            self.database = db
            self._authenticated(user)

        self._operation = (
            QueryOp(parent=self, op=lambda: vault.unlock(target, username, password),
                    success=unlocked, what="sign-in")
            .failure(self._refused)
            .disabling(self.sign_in_button)
            .run_in_background())

    def _refused(self, exc: BaseException) -> None:
        if self._operation is None:
            return  # the dialog was closed while the password was checked
        self._operation = None
        self._typed = ""
        self._refuse(str(exc) if isinstance(exc, AuthenticationError) else error_message(exc))

    def _authenticated(self, user: SignedInUser) -> None:
        if self._operation is None:
            return  # the dialog was closed while the password was checked
        self._operation = None
        if self.locked_user is not None and user.id != self.locked_user.id:
            self._typed = ""
            self._refuse(self._only_locked_user_message())
            return
        typed, self._typed = self._typed, ""
        if user.must_change_password and self.locked_user is None:
            self._choose_new_password(user, typed)
            return
        self._signed_in(user)

    def _choose_new_password(self, user: SignedInUser, typed: str) -> None:
        from clinic_desktop.gui.change_password_dialog import ChangePasswordDialog

        db = self._db if self._db is not None else self.database
        assert db is not None
        dialog = ChangePasswordDialog(db, user, self, current_password=typed)
        self.new_password_dialog = dialog

        def finished(_result: int) -> None:
            self.new_password_dialog = None
            changed = dialog.changed_user
            dialog.deleteLater()
            if changed is not None:
                self._signed_in(changed)
                return
            if self._db is None and self.database is not None:  # encrypted: closed again
                self.database.dispose()
                self.database = None
            self._refuse(self.NEW_PASSWORD_NEEDED)

        dialog.finished.connect(finished)
        dialog.open()

    def _signed_in(self, user: SignedInUser) -> None:
        self.signed_in_user = user
        self.ui.passwordEdit.clear()
        self.ui.errorLabel.setVisible(False)
        self.signed_in.emit(user)
        self.accept()

    def done(self, result: int) -> None:
        self._operation = None  # a sign-in still being checked no longer counts
        super().done(result)

    # -- helpers ------------------------------------------------------------------------------

    def _only_locked_user_message(self) -> str:
        assert self.locked_user is not None
        return (f"This screen was locked by {self.locked_user.full_name}; only they can unlock it. "
                "Nothing was changed.")

    def _refuse(self, message: str, *, focus: QWidget | None = None,
                clear_password: bool = True) -> None:
        self.ui.errorLabel.setText(message)
        self.ui.errorLabel.setVisible(True)
        if clear_password:
            self.ui.passwordEdit.clear()
        target = focus or self.ui.passwordEdit
        target.setFocus(Qt.FocusReason.OtherFocusReason)
