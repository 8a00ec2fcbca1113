"""Sign-in, and the same dialog as the screen lock (where another person may switch user)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from clinic_desktop.core.errors import AuthenticationError
from clinic_desktop.gui.forms.ui_login_dialog import Ui_LoginDialog
from clinic_desktop.gui.operations import Operation, QueryOp, error_message
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

if TYPE_CHECKING:  # the services (and SQLAlchemy) load while the window is already on screen
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser

LOCKED_TITLE = "Screen locked — Clinic Desktop"
SIGN_IN = "Sign in"
SWITCH_USER = "Switch user"
SIGN_OUT = "Sign out"


class LoginDialog(GeometryDialog):
    """Asks for a user name and password and signs the person in through ``accounts.authenticate``.

    With ``locked_user`` it is the screen lock. That person's password unlocks (Sign in); another
    person types their own user name and password there to switch user (the accept button then
    reads "Switch user", and ``switch_check``, if given, says first why the locked person cannot be
    signed out: refused before any password is checked). Cancel becomes **Sign out**
    (``sign_out_requested``); Escape and the window's close button do nothing, so the lock never
    opens by accident. On success ``signed_in_user`` holds the :class:`SignedInUser` (the locked
    person, or the one switching in), ``signed_in`` is emitted with it and the dialog is accepted. The password is checked off the GUI thread
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

    GROW_TO_FIT = True  # the lock's message wraps over several lines
    signed_in = Signal(object)  # SignedInUser
    sign_out_requested = Signal()  # the lock's Sign out: the locked person is signed out

    def __init__(self, db: Database | None, parent: QWidget | None = None, *,
                 locked_user: SignedInUser | None = None,
                 switch_check: Callable[[], str | None] | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_LoginDialog()
        self.ui.setupUi(self)
        self._db = db
        self.locked_user = locked_user
        self._switch_check = switch_check
        self.sign_out_button: QPushButton | None = None
        self.signed_in_user: SignedInUser | None = None
        #: The encrypted database Sign in opens (``set_encrypted``), and once it has, the database.
        self._encrypted_target: str | None = None
        self.database: Database | None = None
        self.new_password_dialog: QDialog | None = None  # open while a new password is chosen
        self._operation: Operation | None = None  # the password being checked
        self._typed = ""  # the password being checked, for the new-password step; then cleared

        self.sign_in_button = self.ui.buttonBox.addButton(
            SIGN_IN, QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setAccessibleName(SIGN_IN)
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
                f"Signed in: {locked_user.full_name}. Type your password to continue; nothing you "
                f"typed is lost.\n\nSomeone else? Type your own user name and password to switch "
                f"user: {locked_user.full_name}'s drafts are saved and their patients closed first."
            )
            self.ui.lockMessageLabel.setVisible(True)
            self.ui.userNameEdit.setText(locked_user.username)
            self.ui.userNameEdit.textChanged.connect(self._name_changed)
            self.ui.buttonBox.removeButton(self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel))
            self.sign_out_button = self.ui.buttonBox.addButton(SIGN_OUT, QDialogButtonBox.ButtonRole.ActionRole)
            self.sign_out_button.setAccessibleName(SIGN_OUT)
            self.sign_out_button.setAutoDefault(False)
            self.sign_out_button.setToolTip(f"Save {locked_user.full_name}'s drafts, close their patients "
                                            "and show the sign-in window for anyone")
            self.sign_out_button.clicked.connect(self._sign_out_clicked)
            self.ui.passwordEdit.setFocus()
        else:
            self.ui.userNameEdit.setFocus()

    def restore_geometry(self) -> bool:
        """Opens at its own size, never a remembered one: the sign-in window and the lock (with
        its longer message) are one class, and one's size would leave a gap in the other."""
        return False

    def save_geometry(self) -> None:
        return

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

        if self._operation is not None:
            return  # already checking; Enter can still arrive
        if self.is_switching() and self._switch_check is not None:
            # Refused before authenticate(): the locked person's work cannot be put away now.
            problem = self._switch_check()
            if problem:
                self._refuse(problem, clear_password=True)
                return
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
        typed, self._typed = self._typed, ""
        fresh = self.locked_user is None or user.id != self.locked_user.id  # not the lock's own person
        if user.must_change_password and fresh:
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

    def reject(self) -> None:
        if self.locked_user is not None:
            return  # the lock: Escape and the close button leave it as it is; Sign out is a button
        super().reject()

    def done(self, result: int) -> None:
        self._operation = None  # a sign-in still being checked no longer counts
        super().done(result)

    def _name_changed(self, _text: str) -> None:
        """The lock's accept button says what it will do: Sign in (the locked person) or Switch user."""
        label = SWITCH_USER if self.is_switching() else SIGN_IN
        self.sign_in_button.setText(label)
        self.sign_in_button.setAccessibleName(label)

    def _sign_out_clicked(self) -> None:
        if self._operation is not None:
            return  # a password is being checked: its answer comes first
        self.ui.errorLabel.setVisible(False)
        self.sign_out_requested.emit()

    # -- helpers ------------------------------------------------------------------------------

    def is_switching(self) -> bool:
        """On the lock: whether the user name typed is someone else's than the locked person's."""
        if self.locked_user is None:
            return False
        from clinic_desktop.core.services import accounts

        typed = accounts.normalize_username(self.ui.userNameEdit.text())
        return bool(typed) and typed != accounts.normalize_username(self.locked_user.username)

    def show_problem(self, message: str) -> None:
        """Say why (the lock could not sign its person out), in the dialog's error line."""
        self._refuse(message)

    def _refuse(self, message: str, *, focus: QWidget | None = None,
                clear_password: bool = True) -> None:
        self.ui.errorLabel.setText(message)
        self.ui.errorLabel.setVisible(True)
        if clear_password:
            self.ui.passwordEdit.clear()
        target = focus or self.ui.passwordEdit
        target.setFocus(Qt.FocusReason.OtherFocusReason)
