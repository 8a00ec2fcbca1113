"""One workstation, several people in an hour: the main window of whoever is signed in, and the
sign-in window between two of them.

File → Sign out and the lock screen's Sign out put the person's work away (``MainWindow.sign_out``:
drafts saved, patients closed, audited) and show the sign-in window, where anyone may sign in; the
database stays open (an encrypted one too: its key is already in memory, and the next person's
password is checked by ``accounts.authenticate`` as at any sign-in). Another person signing in on
the lock screen (Switch user) gets their main window at once, the first person signed out before.
Cancel on that sign-in window quits, as at start-up. Nothing patient-identifying is logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clinic_desktop.core.permissions import SignedInUser

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database
    from clinic_desktop.gui.login_dialog import LoginDialog
    from clinic_desktop.gui.main_window import MainWindow

log = logging.getLogger(__name__)


class Workstation(QObject):
    """Opens the main window for each person in turn on the one open ``db``."""

    window_opened = Signal(object)  # the MainWindow just shown
    sign_in_shown = Signal(object)  # the LoginDialog shown after a sign-out
    closed = Signal()  # the sign-in window after a sign-out was cancelled: the app quits

    def __init__(self, db: Database, *, encrypt: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.encrypt = encrypt
        #: The main window of the person signed in; None while the sign-in window waits.
        self.window: MainWindow | None = None
        #: The sign-in window shown after a sign-out, while it waits.
        self.sign_in_dialog: LoginDialog | None = None

    def open_for(self, user: SignedInUser) -> MainWindow:
        """The main window for ``user`` (signed in already), shown."""
        from clinic_desktop.gui.main_window import MainWindow

        window = MainWindow(self.db, user, encrypt=self.encrypt)
        window.signed_out.connect(lambda next_user, old=window: self._signed_out(old, next_user))
        self.window = window
        window.show_as_left()
        self.window_opened.emit(window)
        return window

    def _signed_out(self, old: MainWindow, next_user: SignedInUser | None) -> None:
        """``old``'s person signed out (it closes once this returns, and is deleted): the window
        of the person switching in, else the sign-in window, is shown first (the app would quit
        with its last window)."""
        if self.window is old:
            self.window = None
        if next_user is not None:
            log.info("switched user on the lock screen: user id %s signed in", next_user.id)
            self.open_for(next_user)
        else:
            self._ask_who()
        old.deleteLater()

    def _ask_who(self) -> None:
        from clinic_desktop.gui.login_dialog import LoginDialog

        dialog = LoginDialog(self.db)
        self.sign_in_dialog = dialog
        # The next window opens as the password is accepted, before this one hides: the app would
        # quit with its last window.
        dialog.signed_in.connect(lambda user: self._signed_in(dialog, user))
        dialog.rejected.connect(lambda: self._cancelled(dialog))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.sign_in_shown.emit(dialog)

    def _signed_in(self, dialog: LoginDialog, user: SignedInUser) -> None:
        if self.sign_in_dialog is dialog:
            self.sign_in_dialog = None
        log.info("signed in: user id %s", user.id)
        self.open_for(user)
        dialog.finished.connect(dialog.deleteLater)

    def _cancelled(self, dialog: LoginDialog) -> None:
        if self.sign_in_dialog is dialog:
            self.sign_in_dialog = None
        dialog.deleteLater()
        log.info("sign-in cancelled after a sign-out; quitting")
        self.closed.emit()
