"""File → Change password… for oneself, and the new password asked for at sign-in when an
administrator set one, reactivated the account or required a new one (#18)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from clinic_desktop.core.errors import AuthenticationError
from clinic_desktop.core.services import accounts
from clinic_desktop.gui.login_dialog import LoginDialog
from clinic_desktop.gui.main_window import MainWindow
from tests.gui.helpers import (
    STRONG_PASSWORD,
    button,
    by_name,
    click,
    dialog_named,
    shown_dialog,
    type_into,
    wait_answered,
)

OWN_PASSWORD = "quiet lantern orchard 58"


def sign_in(qtbot, dialog: LoginDialog, username: str, password: str) -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username, replace=True)
    password_edit = by_name(dialog, QLineEdit, "Password")
    type_into(qtbot, password_edit, password, replace=True)
    qtbot.keyClick(password_edit, Qt.Key.Key_Return)


@pytest.fixture
def login(qtbot, db):
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_required_new_password_is_chosen_before_the_sign_in_ends(qtbot, db, admin, nurse, login):
    accounts.require_password_change(db, admin, nurse.id)
    with qtbot.assertNotEmitted(login.signed_in):
        sign_in(qtbot, login, "nurse1", STRONG_PASSWORD)
        prompt = shown_dialog(qtbot, login, "Choose a new password", timeout=10000)
    assert "asked you" in by_name(prompt, QLabel, "About this step").text()
    assert [e.accessibleName() for e in prompt.findChildren(QLineEdit)] == ["New password", "Repeat password"]
    new, repeat = by_name(prompt, QLineEdit, "New password"), by_name(prompt, QLineEdit, "Repeat password")
    type_into(qtbot, new, STRONG_PASSWORD)  # the same one again is refused
    type_into(qtbot, repeat, STRONG_PASSWORD)
    click(qtbot, button(prompt, "Change password"))
    wait_answered(qtbot, prompt, "Change password")
    assert "different" in by_name(prompt, QLabel, "New password error").text()
    type_into(qtbot, new, OWN_PASSWORD, replace=True)
    assert by_name(prompt, QLabel, "Password feedback").text() == "✓ Strong enough."
    type_into(qtbot, repeat, OWN_PASSWORD, replace=True)
    with qtbot.waitSignal(login.signed_in, timeout=10000) as signal:
        click(qtbot, button(prompt, "Change password"))
    user = signal.args[0]
    assert user.id == nurse.id and not user.must_change_password
    assert login.result() == LoginDialog.DialogCode.Accepted
    assert accounts.authenticate(db, "nurse1", OWN_PASSWORD).id == nurse.id
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nurse1", STRONG_PASSWORD)


def test_cancelling_the_new_password_signs_nobody_in(qtbot, db, admin, nurse, login):
    accounts.require_password_change(db, admin, nurse.id)
    sign_in(qtbot, login, "nurse1", STRONG_PASSWORD)
    prompt = shown_dialog(qtbot, login, "Choose a new password", timeout=10000)
    with qtbot.assertNotEmitted(login.signed_in):
        click(qtbot, button(prompt, "Cancel"))
        qtbot.waitUntil(lambda: dialog_named(login, "Choose a new password") is None)
    error = by_name(login, QLabel, "Sign-in error")
    assert error.isVisible() and "Choose a new password to sign in" in error.text()
    assert login.isVisible() and login.signed_in_user is None
    assert by_name(login, QLineEdit, "Password").text() == ""
    assert accounts.authenticate(db, "nurse1", STRONG_PASSWORD).must_change_password  # still asked


def test_a_sign_in_without_a_required_change_goes_straight_through(qtbot, db, admin, nurse, login):
    with qtbot.waitSignal(login.signed_in, timeout=10000):
        sign_in(qtbot, login, "nurse1", STRONG_PASSWORD)
    assert dialog_named(login, "Choose a new password") is None


@pytest.fixture
def window(qtbot, db, nurse):
    window = MainWindow(db, nurse)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_file_change_password_checks_the_current_one(qtbot, db, nurse, window):
    action = window.actionChangePassword
    assert action in window.ui.menuFile.actions() and action.isVisible()
    action.trigger()
    prompt = shown_dialog(qtbot, window, "Change password")
    current = by_name(prompt, QLineEdit, "Current password")
    new, repeat = by_name(prompt, QLineEdit, "New password"), by_name(prompt, QLineEdit, "Repeat password")
    assert prompt.focusWidget() is current and current.echoMode() == QLineEdit.EchoMode.Password
    # Nothing typed in Current: asked for it, nothing checked (no failed sign-in counted).
    type_into(qtbot, new, OWN_PASSWORD)
    type_into(qtbot, repeat, OWN_PASSWORD)
    click(qtbot, button(prompt, "Change password"))
    assert by_name(prompt, QLabel, "Current password error").text() == "Enter your current password."
    type_into(qtbot, current, "not the password at all")
    click(qtbot, button(prompt, "Change password"))
    wait_answered(qtbot, prompt, "Change password")
    assert by_name(prompt, QLabel, "Current password error").text() == accounts.WRONG_OWN_PASSWORD
    assert new.text() == OWN_PASSWORD  # nothing typed is lost
    type_into(qtbot, current, STRONG_PASSWORD, replace=True)
    click(qtbot, button(prompt, "Change password"))
    wait_answered(qtbot, prompt, "Change password")
    qtbot.waitUntil(lambda: dialog_named(window, "Change password") is None)
    assert window.ui.statusbar.currentMessage() == "Your password was changed."
    assert accounts.authenticate(db, "nurse1", OWN_PASSWORD).id == nurse.id
