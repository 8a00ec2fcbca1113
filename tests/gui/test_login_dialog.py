"""Signing in, the lockout after repeated wrong passwords, and the idle screen lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from clinic_desktop.core.services import accounts
from clinic_desktop.gui.login_dialog import LOCKED_TITLE, LoginDialog
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, type_into


@pytest.fixture
def open_login(qtbot, db):
    def make(**kwargs) -> LoginDialog:
        dialog = LoginDialog(db, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def sign_in(qtbot, dialog: LoginDialog, username: str | None, password: str) -> None:
    if username is not None:
        type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username, replace=True)
    password_edit = by_name(dialog, QLineEdit, "Password")
    type_into(qtbot, password_edit, password, replace=True)
    qtbot.keyClick(password_edit, Qt.Key.Key_Return)  # Enter presses the default "Sign in"
    # The password is checked off the GUI thread, Sign in off meanwhile.
    qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=10000)  # "Sign in" or "Switch user"


def test_form_shows_the_database_and_hides_the_password(open_login, db, admin):
    dialog = open_login()
    assert dialog.windowTitle() == "Sign in — Clinic Desktop"
    assert by_name(dialog, QLineEdit, "Password").echoMode() == QLineEdit.EchoMode.Password
    assert db.display_name in by_name(dialog, QLabel, "Database").text()
    assert button(dialog, "Sign in").isDefault()
    assert not by_name(dialog, QLabel, "Sign-in error").isVisible()


def test_wrong_then_right_password(qtbot, open_login, admin):
    dialog = open_login()
    error = by_name(dialog, QLabel, "Sign-in error")
    password = by_name(dialog, QLineEdit, "Password")

    sign_in(qtbot, dialog, "admin", "not the password at all")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == accounts.WRONG_CREDENTIALS
    assert password.text() == ""  # cleared for the next try ...
    assert by_name(dialog, QLineEdit, "User name").text() == "admin"  # ... the user name is kept
    assert dialog.focusWidget() is password
    assert dialog.isVisible() and dialog.signed_in_user is None

    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as signal:
        sign_in(qtbot, dialog, None, STRONG_PASSWORD)
    assert signal.args[0] == admin
    assert dialog.signed_in_user == admin
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_cancel_signs_nobody_in(qtbot, open_login, admin):
    dialog = open_login()
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), "admin")
    with qtbot.assertNotEmitted(dialog.signed_in):
        click(qtbot, button(dialog, "Cancel"))
    assert dialog.result() == LoginDialog.DialogCode.Rejected
    assert dialog.signed_in_user is None


def test_five_wrong_passwords_lock_the_account(qtbot, open_login, admin):
    dialog = open_login()
    error = by_name(dialog, QLabel, "Sign-in error")
    for attempt in range(4):
        sign_in(qtbot, dialog, "admin", f"wrong password number {attempt}")
        assert error.text() == accounts.WRONG_CREDENTIALS
    sign_in(qtbot, dialog, "admin", "wrong password number 5")
    # The same words as any refusal (nothing tells the person at the keyboard that this name
    # exists and is locked), which say the account may be locked and who can help.
    assert error.text() == accounts.WRONG_CREDENTIALS
    assert "locked" in error.text() and "administrator" in error.text()

    with qtbot.assertNotEmitted(dialog.signed_in):
        sign_in(qtbot, dialog, "admin", STRONG_PASSWORD)  # the right password, while locked
    assert error.text() == accounts.WRONG_CREDENTIALS
    assert dialog.isVisible() and dialog.signed_in_user is None


def test_an_unknown_name_is_answered_as_a_locked_account_is_and_not_kept(qtbot, db, open_login, admin):
    """A password typed into the name field: refused in the same words, and what was typed is not
    in the audit trail (only a keyed hash of it and its length)."""
    from clinic_desktop.core.services import audit

    dialog = open_login()
    sign_in(qtbot, dialog, "Violet-Harbor-Lantern-42", "whatever it was")
    error = by_name(dialog, QLabel, "Sign-in error")
    assert error.text() == accounts.WRONG_CREDENTIALS
    assert by_name(dialog, QLineEdit, "User name").text() == "Violet-Harbor-Lantern-42"  # kept to correct
    [event] = [e for e in audit.recent(db, admin, limit=5) if e.action == "sign_in.failed"]
    assert event.username == accounts.UNKNOWN_NAME
    assert event.detail is not None and event.detail["name_length"] == len("Violet-Harbor-Lantern-42")
    assert "violet" not in repr(event).lower()


def test_lock_mode_names_the_user_and_offers_switch_user_and_sign_out(qtbot, open_login, admin, nurse):
    dialog = open_login(locked_user=admin)
    assert dialog.windowTitle() == LOCKED_TITLE == "Screen locked — Clinic Desktop"
    message = by_name(dialog, QLabel, "Lock message")
    assert message.isVisible()
    assert message.text().startswith("Signed in: Ada Admin. Type your password to continue; nothing "
                                     "you typed is lost.")
    assert "Someone else? Type your own user name and password to switch user" in message.text()
    user_name = by_name(dialog, QLineEdit, "User name")
    assert user_name.text() == "admin" and not user_name.isReadOnly()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "Password")
    assert button(dialog, "Sign in").isDefault()
    assert [b.text() for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"] == []
    type_into(qtbot, user_name, nurse.username, replace=True)
    assert button(dialog, "Switch user").isDefault()  # the accept button says what it will do
    type_into(qtbot, user_name, "ADMIN", replace=True)
    assert button(dialog, "Sign in")
    with qtbot.waitSignal(dialog.sign_out_requested, timeout=1000):
        click(qtbot, button(dialog, "Sign out"))
    assert dialog.isVisible()  # the main window signs out; the dialog itself never does
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape leaves the lock as it is
    assert dialog.isVisible() and dialog.result() == 0


def test_lock_mode_switches_to_another_person_with_their_password(qtbot, db, open_login, admin, nurse):
    dialog = open_login(locked_user=admin, switch_check=lambda: None)
    sign_in(qtbot, dialog, nurse.username, "a wrong guess here")
    error = by_name(dialog, QLabel, "Sign-in error")
    assert error.text() == accounts.WRONG_CREDENTIALS and dialog.signed_in_user is None
    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as signal:
        sign_in(qtbot, dialog, nurse.username, STRONG_PASSWORD)
    assert signal.args[0].id == nurse.id and dialog.signed_in_user.id == nurse.id
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_lock_mode_refuses_a_switch_before_authenticating_when_the_work_cannot_be_kept(
        qtbot, db, open_login, admin, nurse):
    why = "Not signed out: Ada Admin's draft of the assessment could not be saved (disk full)."
    dialog = open_login(locked_user=admin, switch_check=lambda: why)
    with qtbot.assertNotEmitted(dialog.signed_in):
        sign_in(qtbot, dialog, nurse.username, STRONG_PASSWORD)  # the nurse's real password
    error = by_name(dialog, QLabel, "Sign-in error")
    assert error.isVisible() and error.text() == why
    assert dialog.signed_in_user is None and dialog.isVisible()
    # Never sent to authenticate(): the nurse's account was not signed in.
    nurse_account = next(u for u in accounts.list_users(db, admin) if u.id == nurse.id)
    assert nurse_account.last_sign_in_at is None


def test_lock_mode_accepts_the_same_user(qtbot, open_login, admin):
    dialog = open_login(locked_user=admin)
    sign_in(qtbot, dialog, None, "a wrong guess here")
    assert by_name(dialog, QLabel, "Sign-in error").text() == accounts.WRONG_CREDENTIALS
    with qtbot.waitSignal(dialog.signed_in, timeout=5000) as signal:
        sign_in(qtbot, dialog, None, STRONG_PASSWORD)
    assert signal.args[0].id == admin.id
    assert dialog.result() == LoginDialog.DialogCode.Accepted
