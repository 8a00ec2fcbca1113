"""File → Change password…: the signed-in person changes their own password, and the same
dialog at sign-in when an administrator asked for a new one.

Built on :class:`~clinic_desktop.gui.users_dialog.SetPasswordDialog` (new password, repeat, live
strength feedback, errors inside the dialog), with the current password above. The current
password is checked by ``accounts.change_own_password`` as a sign-in is (audited, counted towards
the lockout). At sign-in (``current_password`` given) it was just typed: it is not asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_desktop.core.services import accounts
from clinic_desktop.gui.users_dialog import SetPasswordDialog, _password_edit

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser

ENTER_CURRENT = "Enter your current password."


class ChangePasswordDialog(SetPasswordDialog):
    """The signed-in ``user`` chooses a new password. Accepted only once it is stored;
    ``changed_user`` is then the user as signed in now (no new password due)."""

    TITLE = "Change password"
    ACTION = "Change password"

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None, *,
                 current_password: str | None = None) -> None:
        self._current_typed = current_password
        self.current_edit: QLineEdit | None = None
        super().__init__(db, user, user, parent)
        if current_password is not None:
            self.setWindowTitle("Choose a new password — Clinic Desktop")
            self.setAccessibleName("Choose a new password")

    @property
    def changed_user(self) -> SignedInUser | None:
        from clinic_desktop.core.permissions import SignedInUser

        return self.result_value if isinstance(self.result_value, SignedInUser) else None

    def intro(self) -> str:
        if self._current_typed is not None:
            return (f"An administrator asked you, {self.target.full_name}, to choose a new password "
                    "before you continue. Only you should know it.")
        return "Your current password, then the new one twice. Only you should know it."

    def first_rows(self) -> tuple[tuple[str, QLineEdit], ...]:
        if self._current_typed is not None:
            return ()
        self.current_edit = _password_edit("Current password")
        return (("&Current password", self.current_edit),)

    def first_fields(self) -> dict[str, QWidget]:
        return {"current_password": self.current_edit} if self.current_edit is not None else {}

    def missing(self) -> dict[str, str]:
        if self.current_edit is not None and not self.current_edit.text():
            return {"current_password": ENTER_CURRENT}
        return {}

    def service(self, password: str) -> Callable[[], object]:
        db, user = self._db, self._user
        current = self._current_typed if self.current_edit is None else self.current_edit.text()
        assert current is not None
        return lambda: accounts.change_own_password(db, user, current, password)
