"""Admin → Users…: the administrator adds staff accounts, unlocks one, sets a password."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTableView

from clinic_desktop.core.errors import AccountLocked, AuthenticationError
from clinic_desktop.core.models import Role
from clinic_desktop.core.services import accounts
from clinic_desktop.core.services.accounts import UserView
from clinic_desktop.gui.main_window import MainWindow
from clinic_desktop.gui.models.row_model import MUTED
from clinic_desktop.gui.models.users_model import UsersModel
from clinic_desktop.gui.users_dialog import UsersDialog
from tests.conftest import make_user
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

NEW_PASSWORD = "copper meadow falcon 17"


@pytest.fixture
def dialog(qtbot, db, admin):
    dialog = UsersDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def table_texts(dialog) -> list[list[str]]:
    model = by_name(dialog, QTableView, "Users").model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def row_for(dialog, username: str) -> dict[str, str]:
    model = by_name(dialog, QTableView, "Users").model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    rows = [dict(zip(titles, r, strict=True)) for r in table_texts(dialog)]
    found = [r for r in rows if r["User name"] == username]
    assert found, f"{username!r} not in the Users table"
    return found[0]


def select_user(qtbot, dialog, username: str) -> None:
    table = by_name(dialog, QTableView, "Users")
    row = table.model().row_of_user(next(u.id for u in table.model().rows() if u.username == username))
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.selected_user().username == username


def choose_role(qtbot, dialog, label: str) -> None:
    combo = by_name(dialog, QComboBox, "Role")
    combo.setFocus()
    qtbot.keyClicks(combo, label)
    assert combo.currentText() == label


def fill(qtbot, dialog, *, full_name="Nora Nightingale", username="nora", role="Nurse",
         password=STRONG_PASSWORD, repeat=None) -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "Full name"), full_name)
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username)
    if role:
        choose_role(qtbot, dialog, role)
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), password)
    type_into(qtbot, by_name(dialog, QLineEdit, "Repeat password"), password if repeat is None else repeat)


def lock_out(db, username: str) -> None:
    for _ in range(20):
        try:
            accounts.authenticate(db, username, "not the password at all")
        except AccountLocked:
            return
        except AuthenticationError:
            continue
    raise AssertionError("never locked")


def test_it_lists_the_accounts_and_starts_with_an_empty_form(db, admin, nurse, dialog):
    assert dialog.windowTitle() == "Users — Clinic Desktop"
    assert row_for(dialog, "admin") == {"Name": "Ada Admin", "User name": "admin", "Role": "Administrator",
                                        "Status": "Active", "Last sign-in": "never"}
    assert row_for(dialog, "nurse1")["Role"] == "Nurse"
    role = by_name(dialog, QComboBox, "Role")
    assert role.currentIndex() == -1 and role.placeholderText() == "Choose…"
    assert [role.itemText(i) for i in range(role.count())] == [
        "Administrator", "Nurse", "Counselor", "Prescriber", "Viewer (read only)",
        "Auditor (audit trail only)"]
    assert role.itemData(1) == Role.NURSE.value
    assert by_name(dialog, QLabel, "Password hint").isVisible()
    assert not by_name(dialog, QLabel, "Password feedback").isVisible()
    assert not button(dialog, "Unlock").isEnabled()
    assert not button(dialog, "Set password…").isEnabled()
    assert button(dialog, "Add user").isDefault()


def test_admin_adds_a_nurse_who_can_then_sign_in(qtbot, db, dialog):
    fill(qtbot, dialog, full_name="Nora Nightingale", username="Nora")
    assert by_name(dialog, QLabel, "Password feedback").text() == "✓ Strong enough."
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(dialog, "Add user"))
        wait_answered(qtbot, dialog, "Add user")
    assert row_for(dialog, "nora") == {"Name": "Nora Nightingale", "User name": "nora", "Role": "Nurse",
                                       "Status": "Active", "Last sign-in": "never"}
    assert dialog.selected_user().username == "nora"  # the new user is selected
    assert by_name(dialog, QLabel, "Confirmation").text() == "Added nora (Nurse)."
    # The form is clear, ready for the next person.
    for name in ("Full name", "User name", "Password", "Repeat password"):
        assert by_name(dialog, QLineEdit, name).text() == ""
    assert by_name(dialog, QComboBox, "Role").currentIndex() == -1
    assert not by_name(dialog, QLabel, "Password feedback").isVisible()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "Full name")
    signed_in = accounts.authenticate(db, "nora", STRONG_PASSWORD)
    assert (signed_in.full_name, signed_in.role) == ("Nora Nightingale", Role.NURSE)
    # Typing the next user clears the confirmation.
    type_into(qtbot, by_name(dialog, QLineEdit, "Full name"), "Carl Counsel")
    assert by_name(dialog, QLabel, "Confirmation").text() == ""


def test_short_password_is_refused_next_to_the_field_and_nothing_typed_is_lost(qtbot, db, admin, dialog):
    fill(qtbot, dialog, password="too short")
    assert by_name(dialog, QLabel, "Password feedback").text() == "9 of at least 12 characters so far."
    click(qtbot, button(dialog, "Add user"))
    wait_answered(qtbot, dialog, "Add user")
    error = by_name(dialog, QLabel, "Password error")
    assert error.isVisible() and "at least 12 characters" in error.text()
    password = by_name(dialog, QLineEdit, "Password")
    assert dialog.focusWidget() is password
    assert password.accessibleDescription() == error.text()
    assert not by_name(dialog, QLabel, "Password feedback").isVisible()  # the refusal says it all
    # Nothing added, nothing typed lost.
    assert [u.username for u in accounts.list_users(db, admin)] == ["admin"]
    assert by_name(dialog, QLineEdit, "Full name").text() == "Nora Nightingale"
    assert by_name(dialog, QLineEdit, "User name").text() == "nora"
    assert by_name(dialog, QComboBox, "Role").currentText() == "Nurse"
    assert password.text() == "too short"
    assert by_name(dialog, QLineEdit, "Repeat password").text() == "too short"
    # A longer one clears the message and brings the live feedback back.
    type_into(qtbot, password, " but now it is long")
    assert not error.isVisible()
    assert by_name(dialog, QLabel, "Password feedback").text() == "✓ Strong enough."


def test_mismatched_repeat_is_refused_next_to_it(qtbot, db, admin, dialog):
    fill(qtbot, dialog, repeat=STRONG_PASSWORD + "x")
    click(qtbot, button(dialog, "Add user"))
    wait_answered(qtbot, dialog, "Add user")
    error = by_name(dialog, QLabel, "Repeat password error")
    assert error.isVisible() and "not the same" in error.text()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "Repeat password")
    assert [u.username for u in accounts.list_users(db, admin)] == ["admin"]
    assert by_name(dialog, QLineEdit, "Password").text() == STRONG_PASSWORD


def test_taken_user_name_is_refused_next_to_the_field(qtbot, db, admin, nurse, dialog):
    fill(qtbot, dialog, full_name="Nadia Other", username="NURSE1")
    click(qtbot, button(dialog, "Add user"))
    wait_answered(qtbot, dialog, "Add user")
    error = by_name(dialog, QLabel, "User name error")
    assert error.isVisible() and "taken" in error.text()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "User name")
    assert len(accounts.list_users(db, admin)) == 2
    assert by_name(dialog, QLineEdit, "Full name").text() == "Nadia Other"
    assert by_name(dialog, QLabel, "Confirmation").text() == ""


def test_a_user_name_with_a_hidden_character_is_refused_naming_it(qtbot, db, admin, dialog):
    """The tester's name, pasted: an invisible space and a right-to-left override."""
    from PySide6.QtWidgets import QApplication

    fill(qtbot, dialog, username="adm")
    QApplication.clipboard().setText("\u200bin\u202e")
    qtbot.keyClick(by_name(dialog, QLineEdit, "User name"), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert by_name(dialog, QLineEdit, "User name").text() == "adm\u200bin\u202e"
    click(qtbot, button(dialog, "Add user"))
    wait_answered(qtbot, dialog, "Add user")
    error = by_name(dialog, QLabel, "User name error")
    assert error.isVisible()
    assert error.text() == ("User names cannot contain U+200B (ZERO WIDTH SPACE) or "
                            "U+202E (RIGHT-TO-LEFT OVERRIDE).")
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "User name")
    assert [u.username for u in accounts.list_users(db, admin)] == ["admin"]


def test_a_role_must_be_chosen(qtbot, db, admin, dialog):
    fill(qtbot, dialog, role=None)
    click(qtbot, button(dialog, "Add user"))
    wait_answered(qtbot, dialog, "Add user")
    error = by_name(dialog, QLabel, "Role error")
    assert error.isVisible() and error.text() == "Choose a role."
    choose_role(qtbot, dialog, "Counselor")
    assert not error.isVisible()
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(dialog, "Add user"))
        wait_answered(qtbot, dialog, "Add user")
    assert row_for(dialog, "nora")["Role"] == "Counselor"


def test_a_locked_user_shows_locked_until_and_unlock_lets_them_sign_in(qtbot, db, admin, nurse):
    lock_out(db, "nurse1")
    dialog = UsersDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    status = row_for(dialog, "nurse1")["Status"]
    assert status.startswith("Locked until ")
    until = next(u for u in accounts.list_users(db, admin) if u.username == "nurse1").locked_until
    assert status == f"Locked until {until.astimezone().strftime('%H:%M')}"
    select_user(qtbot, dialog, "admin")
    assert not button(dialog, "Unlock").isEnabled()
    select_user(qtbot, dialog, "nurse1")
    unlock = button(dialog, "Unlock")
    assert unlock.isEnabled()
    with qtbot.waitSignal(dialog.users_changed, timeout=3000):
        click(qtbot, unlock)
    assert row_for(dialog, "nurse1")["Status"] == "Active"
    assert dialog.selected_user().username == "nurse1"
    assert not unlock.isEnabled()
    assert by_name(dialog, QLabel, "Message").text() == "Unlocked nurse1; they can sign in again."
    assert accounts.authenticate(db, "nurse1", STRONG_PASSWORD).id == nurse.id


def test_set_password(qtbot, db, admin, nurse, dialog):
    select_user(qtbot, dialog, "nurse1")
    click(qtbot, button(dialog, "Set password…"))
    prompt = shown_dialog(qtbot, dialog, "Set password")
    new, repeat = by_name(prompt, QLineEdit, "New password"), by_name(prompt, QLineEdit, "Repeat password")
    assert prompt.focusWidget() is new
    # A short one is refused inside the prompt; a mismatch too.
    type_into(qtbot, new, "short one")
    assert by_name(prompt, QLabel, "Password feedback").text() == "9 of at least 12 characters so far."
    type_into(qtbot, repeat, "short one")
    click(qtbot, button(prompt, "Set password"))
    wait_answered(qtbot, prompt, "Set password")
    assert "at least 12 characters" in by_name(prompt, QLabel, "New password error").text()
    assert prompt.isVisible()
    type_into(qtbot, new, NEW_PASSWORD, replace=True)
    type_into(qtbot, repeat, NEW_PASSWORD + "!", replace=True)
    click(qtbot, button(prompt, "Set password"))
    wait_answered(qtbot, prompt, "Set password")
    assert "not the same" in by_name(prompt, QLabel, "Repeat password error").text()
    assert prompt.isVisible()
    type_into(qtbot, repeat, NEW_PASSWORD, replace=True)
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(prompt, "Set password"))
        wait_answered(qtbot, prompt, "Set password")
    qtbot.waitUntil(lambda: dialog_named(dialog, "Set password") is None)
    assert by_name(dialog, QLabel, "Message").text() == (
        "New password set for nurse1; they choose their own at their next sign-in.")
    assert row_for(dialog, "nurse1")["Status"] == "Active, new password due"
    signed_in = accounts.authenticate(db, "nurse1", NEW_PASSWORD)
    assert signed_in.id == nurse.id and signed_in.must_change_password
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nurse1", STRONG_PASSWORD)


def test_cancelling_set_password_changes_nothing(qtbot, db, admin, nurse, dialog):
    select_user(qtbot, dialog, "nurse1")
    click(qtbot, button(dialog, "Set password…"))
    prompt = shown_dialog(qtbot, dialog, "Set password")
    type_into(qtbot, by_name(prompt, QLineEdit, "New password"), NEW_PASSWORD)
    click(qtbot, button(prompt, "Cancel"))
    qtbot.waitUntil(lambda: dialog_named(dialog, "Set password") is None)
    assert accounts.authenticate(db, "nurse1", STRONG_PASSWORD).id == nurse.id


def test_the_model_says_disabled_and_mutes_it():
    now = dt.datetime.now(dt.UTC)
    model = UsersModel()
    model.set_rows([
        UserView(1, "gone", "Gale Gone", Role.COUNSELOR, False, now + dt.timedelta(minutes=5), None, 1),
        UserView(2, "seen", "Sam Seen", Role.VIEWER, True, now - dt.timedelta(minutes=5),
                 dt.datetime(2024, 11, 28, 9, 10, tzinfo=dt.UTC), 1),
    ])
    gone = [model.index(0, c).data() for c in range(model.columnCount())]
    assert gone == ["Gale Gone", "gone", "Counselor", "Deactivated", "never"]
    assert model.index(0, UsersModel.NAME).data(Qt.ItemDataRole.ForegroundRole) == MUTED
    seen = [model.index(1, c).data() for c in range(model.columnCount())]
    local = dt.datetime(2024, 11, 28, 9, 10, tzinfo=dt.UTC).astimezone()
    assert seen[:4] == ["Sam Seen", "seen", "Viewer (read only)", "Active"]  # the lockout ran out
    assert seen[4] == f"{local.day} {local.strftime('%b %H:%M')}"
    assert model.index(1, UsersModel.NAME).data(Qt.ItemDataRole.ForegroundRole) is None


def test_admin_opens_users_from_the_admin_menu(qtbot, db, admin):
    window = MainWindow(db, admin)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.ui.menuAdmin.menuAction().isVisible()
    assert window.ui.actionUsers.shortcut().toString() == "Ctrl+Shift+U"
    assert window.ui.actionUsers in window.ui.menuAdmin.actions()
    window.ui.actionUsers.trigger()  # offscreen Qt has no active window to take the shortcut
    users = shown_dialog(qtbot, window, "Users")
    assert row_for(users, "admin")["Role"] == "Administrator"
    click(qtbot, button(users, "Close"))
    qtbot.waitUntil(lambda: dialog_named(window, "Users") is None)


def test_a_nurse_has_no_admin_menu(qtbot, db, admin):
    nurse = make_user(db, admin, "nurse", "nina")
    window = MainWindow(db, nurse)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    visible_menus = [a.text().replace("&", "") for a in window.menuBar().actions() if a.isVisible()]
    assert "Admin" not in visible_menus and "Help" in visible_menus
    assert not window.ui.actionUsers.isVisible()
    window.ui.actionUsers.trigger()  # even triggered (its shortcut is off while hidden), nothing opens
    assert dialog_named(window, "Users") is None


# --- the account's lifecycle (#18): deactivate, reactivate, role, new password ------------------

ROW_BUTTONS = ("Unlock", "Set password…", "Deactivate…", "Reactivate…", "Change role…", "Require new password")


def enabled_buttons(dialog) -> set[str]:
    return {text for text in ROW_BUTTONS if button(dialog, text).isEnabled()}


def test_the_row_buttons_follow_the_selection_and_say_what_they_do(qtbot, db, admin, nurse, dialog):
    assert enabled_buttons(dialog) == set()
    select_user(qtbot, dialog, "nurse1")
    assert enabled_buttons(dialog) == {"Set password…", "Deactivate…", "Change role…", "Require new password"}
    select_user(qtbot, dialog, "admin")  # one's own account is not deactivated from here
    assert enabled_buttons(dialog) == {"Set password…", "Change role…", "Require new password"}
    for text in ROW_BUTTONS:
        assert button(dialog, text).toolTip()
        assert button(dialog, text).focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable by Tab
    accounts.deactivate(db, admin, nurse.id)
    dialog.refresh()
    select_user(qtbot, dialog, "nurse1")
    assert row_for(dialog, "nurse1")["Status"] == "Deactivated"
    assert enabled_buttons(dialog) == {"Reactivate…", "Change role…"}


def test_deactivate_asks_first_then_the_account_cannot_sign_in(qtbot, db, admin, nurse, dialog):
    select_user(qtbot, dialog, "nurse1")
    click(qtbot, button(dialog, "Deactivate…"))
    box = shown_dialog(qtbot, dialog, "Deactivate account")
    assert "Test Nurse (nurse1)" in box.text()
    click(qtbot, button(box, "Cancel"))  # the safe answer changes nothing
    qtbot.waitUntil(lambda: dialog_named(dialog, "Deactivate account") is None)
    assert row_for(dialog, "nurse1")["Status"] == "Active"
    click(qtbot, button(dialog, "Deactivate…"))
    box = shown_dialog(qtbot, dialog, "Deactivate account")
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(box, "Yes, deactivate"))
    assert row_for(dialog, "nurse1")["Status"] == "Deactivated"
    assert by_name(dialog, QLabel, "Message").text() == "Deactivated nurse1: they can no longer sign in."
    assert dialog.selected_user().username == "nurse1"
    assert not button(dialog, "Deactivate…").isEnabled() and button(dialog, "Reactivate…").isEnabled()
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        accounts.authenticate(db, "nurse1", STRONG_PASSWORD)


def test_the_last_administrator_refusal_is_shown_in_the_dialog(qtbot, db, admin, dialog):
    select_user(qtbot, dialog, "admin")
    click(qtbot, button(dialog, "Change role…"))
    prompt = shown_dialog(qtbot, dialog, "Change role")
    role = by_name(prompt, QComboBox, "New role")
    assert role.currentText() == "Administrator" and prompt.focusWidget() is role
    role.setCurrentIndex(role.findText("Prescriber"))
    click(qtbot, button(prompt, "Change role"))
    wait_answered(qtbot, prompt, "Change role")
    error = by_name(prompt, QLabel, "New role error")
    assert error.isVisible() and "last active administrator" in error.text()
    assert prompt.isVisible()
    click(qtbot, button(prompt, "Cancel"))
    assert row_for(dialog, "admin")["Role"] == "Administrator"


def test_change_role_shows_the_new_role(qtbot, db, admin, nurse, dialog):
    select_user(qtbot, dialog, "nurse1")
    click(qtbot, button(dialog, "Change role…"))
    prompt = shown_dialog(qtbot, dialog, "Change role")
    role = by_name(prompt, QComboBox, "New role")
    role.setCurrentIndex(role.findText("Prescriber"))
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(prompt, "Change role"))
        wait_answered(qtbot, prompt, "Change role")
    qtbot.waitUntil(lambda: dialog_named(dialog, "Change role") is None)
    assert row_for(dialog, "nurse1")["Role"] == "Prescriber"
    assert by_name(dialog, QLabel, "Message").text() == (
        "nurse1 is now Prescriber: from their next action, and with its screens from their next sign-in.")
    assert accounts.authenticate(db, "nurse1", STRONG_PASSWORD).role == Role.PRESCRIBER


def test_reactivate_asks_for_a_new_password_to_change_at_sign_in(qtbot, db, admin, nurse, dialog):
    accounts.deactivate(db, admin, nurse.id)
    dialog.refresh()
    select_user(qtbot, dialog, "nurse1")
    click(qtbot, button(dialog, "Reactivate…"))
    prompt = shown_dialog(qtbot, dialog, "Reactivate account")
    new, repeat = by_name(prompt, QLineEdit, "New password"), by_name(prompt, QLineEdit, "Repeat password")
    assert prompt.focusWidget() is new
    type_into(qtbot, new, "short one")
    type_into(qtbot, repeat, "short one")
    click(qtbot, button(prompt, "Reactivate"))
    wait_answered(qtbot, prompt, "Reactivate")
    assert "at least 12 characters" in by_name(prompt, QLabel, "New password error").text()
    assert row_for(dialog, "nurse1")["Status"] == "Deactivated"
    type_into(qtbot, new, NEW_PASSWORD, replace=True)
    type_into(qtbot, repeat, NEW_PASSWORD, replace=True)
    with qtbot.waitSignal(dialog.users_changed, timeout=5000):
        click(qtbot, button(prompt, "Reactivate"))
        wait_answered(qtbot, prompt, "Reactivate")
    assert row_for(dialog, "nurse1")["Status"] == "Active, new password due"
    assert accounts.authenticate(db, "nurse1", NEW_PASSWORD).must_change_password


def test_require_new_password(qtbot, db, admin, nurse, dialog):
    select_user(qtbot, dialog, "nurse1")
    with qtbot.waitSignal(dialog.users_changed, timeout=3000):
        click(qtbot, button(dialog, "Require new password"))
    assert row_for(dialog, "nurse1")["Status"] == "Active, new password due"
    assert by_name(dialog, QLabel, "Message").text() == "nurse1 chooses a new password at their next sign-in."
    assert not button(dialog, "Require new password").isEnabled()  # asked already
    assert accounts.authenticate(db, "nurse1", STRONG_PASSWORD).must_change_password
