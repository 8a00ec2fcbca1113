"""The first start: creating the administrator account on an empty database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

from clinic_desktop.core.models import Role
from clinic_desktop.core.services import accounts
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.gui.first_run_dialog import FirstRunDialog
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, type_into, wait_answered


@pytest.fixture
def dialog(qtbot, db):
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot, dialog, *, full_name="Ada Admin", username="ada", password=STRONG_PASSWORD,
         repeat=None, clinic="Riverbend Clinic", address="12 Mill Road\nSpringfield",
         phone="(217) 555-0142") -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "Full name"), full_name)
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username)
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), password)
    repeat = password if repeat is None else repeat
    type_into(qtbot, by_name(dialog, QLineEdit, "Repeat password"), repeat)
    type_into(qtbot, by_name(dialog, QLineEdit, "Clinic name"), clinic)
    type_into(qtbot, by_name(dialog, QPlainTextEdit, "Clinic address"), address)
    type_into(qtbot, by_name(dialog, QLineEdit, "Clinic phone"), phone)


def test_it_explains_the_step_and_the_password_rule(dialog):
    assert dialog.findChild(QLabel, "titleLabel").text() == "Create the administrator account"
    hint = by_name(dialog, QLabel, "Password hint")
    assert hint.text() == "At least 12 characters; a few unrelated words work well."
    assert hint.isVisible()
    assert button(dialog, "Create administrator").isDefault()


def test_creating_the_administrator(qtbot, db, dialog):
    fill(qtbot, dialog)
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    user = dialog.created_user
    assert (user.username, user.full_name, user.role) == ("ada", "Ada Admin", Role.ADMIN)
    assert accounts.has_users(db)
    assert accounts.authenticate(db, "ada", STRONG_PASSWORD).id == user.id
    # The clinic as typed, saved with the account.
    values = settings_service.get_all(db)
    assert (values["clinic_name"], values["clinic_address"], values["clinic_phone"]) == (
        "Riverbend Clinic", "12 Mill Road\nSpringfield", "(217) 555-0142")


def test_the_clinic_fields_follow_the_password_in_the_tab_order(qtbot, dialog):
    repeat = by_name(dialog, QLineEdit, "Repeat password")
    repeat.setFocus()
    order = []
    for _ in range(3):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        order.append(dialog.focusWidget().accessibleName())
    assert order == ["Clinic name", "Clinic address", "Clinic phone"]


@pytest.mark.parametrize(("blank", "field_type"), [("clinic", QLineEdit), ("address", QPlainTextEdit),
                                                   ("phone", QLineEdit)])
def test_a_blank_clinic_field_is_refused_next_to_it(qtbot, db, dialog, blank, field_type):
    name = {"clinic": "Clinic name", "address": "Clinic address", "phone": "Clinic phone"}[blank]
    fill(qtbot, dialog, **{blank: " "})
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    error = by_name(dialog, QLabel, f"{name} error")
    assert error.isVisible() and error.text() == f"Enter the {name.lower()}: every plan, letter and handover prints it."
    assert dialog.focusWidget() is by_name(dialog, field_type, name)
    assert not accounts.has_users(db) and dialog.created_user is None
    assert settings_service.get_all(db)["clinic_name"] == ""
    # Typing into it clears the message.
    type_into(qtbot, by_name(dialog, field_type, name), "x")
    assert not error.isVisible()


def test_live_feedback_under_the_password(qtbot, dialog):
    feedback = by_name(dialog, QLabel, "Password feedback")
    assert not feedback.isVisible()
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), "short")
    assert feedback.isVisible()
    assert feedback.text() == "5 of at least 12 characters so far."
    type_into(qtbot, by_name(dialog, QLineEdit, "Password"), " and sweet enough")
    assert feedback.text() == "✓ Strong enough."


def test_too_short_password_is_refused_next_to_the_field(qtbot, db, dialog):
    fill(qtbot, dialog, password="too short")
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    error = by_name(dialog, QLabel, "Password error")
    assert error.isVisible()
    assert "at least 12 characters" in error.text()
    password = by_name(dialog, QLineEdit, "Password")
    assert dialog.focusWidget() is password
    assert password.accessibleDescription() == error.text()  # read out with the field
    # Nothing created, nothing typed lost.
    assert not accounts.has_users(db)
    assert dialog.isVisible() and dialog.created_user is None
    assert by_name(dialog, QLineEdit, "Full name").text() == "Ada Admin"
    assert by_name(dialog, QLineEdit, "User name").text() == "ada"
    # Typing a better one clears the message.
    type_into(qtbot, password, " but now it is long")
    assert not error.isVisible()
    assert by_name(dialog, QLabel, "Password feedback").text() == "✓ Strong enough."
    assert by_name(dialog, QLabel, "Password feedback").isVisible()


def test_mismatched_repeat_is_refused_next_to_the_repeat_field(qtbot, db, dialog):
    fill(qtbot, dialog, repeat="violet harbor lantern 24")
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    error = by_name(dialog, QLabel, "Repeat password error")
    assert error.isVisible()
    assert "not the same" in error.text()
    assert dialog.focusWidget() is by_name(dialog, QLineEdit, "Repeat password")
    assert not accounts.has_users(db)
    assert dialog.created_user is None


def test_a_bad_user_name_is_refused_next_to_the_field(qtbot, db, dialog):
    fill(qtbot, dialog, username="ada lovelace")
    click(qtbot, button(dialog, "Create administrator"))
    wait_answered(qtbot, dialog, "Create administrator")
    error = by_name(dialog, QLabel, "User name error")
    assert error.isVisible() and error.text() == "User names cannot contain spaces."
    assert not accounts.has_users(db)
