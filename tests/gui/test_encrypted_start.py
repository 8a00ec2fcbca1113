"""The window side of the encrypted database: signing in to one, the first start making one, the
recovery key shown once, and the About box's "Records" line. Invented people only."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton
from sqlalchemy import select

from clinic_desktop import app
from clinic_desktop.core import db as dbmod
from clinic_desktop.core import keys
from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import accounts, vault
from clinic_desktop.gui import recovery_key_dialog
from clinic_desktop.gui.first_run_dialog import FirstRunDialog
from clinic_desktop.gui.login_dialog import LoginDialog
from clinic_desktop.gui.recovery_key_dialog import CONFIRM, WARNING, RecoveryKeyDialog
from clinic_desktop.reports.recovery_sheet import RecoverySheet
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, type_into
from tests.gui.test_app_start import child_env
from tests.gui.test_first_run_dialog import fill

pytestmark = pytest.mark.usefixtures("quick_kdf")


@pytest.fixture
def encrypted(tmp_path):
    """An encrypted database with an administrator, closed: its path."""
    path = tmp_path / "encrypted.db"
    made = vault.create_encrypted(str(path))
    try:
        accounts.create_user_from_console(made.db, "admin", "Avery Admin", "admin", STRONG_PASSWORD)
    finally:
        made.db.dispose()
    return path


@pytest.fixture
def create_when_asked(monkeypatch):
    """Staff say Yes to "Create a new clinic database at …?" (an explicit --db naming nothing)."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(app.QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)


def audit_actions(db) -> list[tuple[str, str | None]]:
    with db.read() as session:
        return [(e.action, e.username) for e in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


def drive_sign_in(qtbot, dialog: LoginDialog, username: str, password: str) -> None:
    type_into(qtbot, by_name(dialog, QLineEdit, "User name"), username, replace=True)
    password_edit = by_name(dialog, QLineEdit, "Password")
    type_into(qtbot, password_edit, password, replace=True)
    qtbot.keyClick(password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: button(dialog, "Sign in").isEnabled() or not dialog.isVisible(), timeout=15000)


# --- signing in to an encrypted database --------------------------------------------------------

def test_an_encrypted_file_is_not_read_as_a_first_run(encrypted):
    assert not app.looks_like_first_run(str(encrypted))


def test_signing_in_opens_the_encrypted_database_and_a_wrong_password_is_audited(qtbot, monkeypatch,
                                                                                  encrypted):
    seen = {}

    def answer(dialog, smoke_test):
        qtbot.addWidget(dialog)
        assert isinstance(dialog, LoginDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert button(dialog, "Sign in").isEnabled()
        assert "(encrypted)" in by_name(dialog, QLabel, "Database").text()
        drive_sign_in(qtbot, dialog, "admin", "not the password at all")
        error = by_name(dialog, QLabel, "Sign-in error")
        seen["error"] = error.text()
        seen["kept"] = by_name(dialog, QLineEdit, "User name").text()
        seen["password"] = by_name(dialog, QLineEdit, "Password").text()
        assert dialog.database is None and dialog.isVisible()
        drive_sign_in(qtbot, dialog, "admin", STRONG_PASSWORD)
        qtbot.waitUntil(lambda: dialog.result() == LoginDialog.DialogCode.Accepted, timeout=15000)
        return app.signed_in_user_of(dialog)

    monkeypatch.setattr(app, "_ask", answer)
    db, user = app.sign_in(str(encrypted))
    try:
        assert seen["error"].startswith("Wrong user name or password")
        assert seen["kept"] == "admin" and seen["password"] == ""  # only the password is cleared
        assert db is not None and db.encrypted and user is not None and user.username == "admin"
        actions = audit_actions(db)
        # The wrong password, typed before the database could be opened, reached the audit trail
        # at the open, before the sign-in that followed.
        assert ("sign_in.failed", "admin") in actions
        assert actions.index(("sign_in.failed", "admin")) < actions.index(("sign_in.succeeded", "admin"))
    finally:
        if db is not None:
            db.dispose()


def test_cancelling_the_sign_in_of_an_encrypted_database_opens_nothing(qtbot, monkeypatch, encrypted):
    monkeypatch.setattr(app, "_ask", lambda dialog, smoke_test: dialog.deleteLater())
    assert app.sign_in(str(encrypted)) == (None, None)


def test_smoke_test_on_an_encrypted_database_shows_sign_in_and_exits_0(encrypted, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "clinic_desktop", "--db", str(encrypted)],
        env=child_env(tmp_path, **{app.SMOKE_TEST_ENV: "1"}), capture_output=True, check=False, text=True,
        timeout=60)
    assert result.returncode == 0, result.stderr
    assert "sign-in window shown" in result.stdout


# --- the first start ------------------------------------------------------------------------------

def test_the_first_start_makes_an_encrypted_database_and_shows_its_recovery_key(qtbot, monkeypatch, tmp_path,
                                                                              create_when_asked):
    path = tmp_path / "new" / "clinic.db"
    shown = []

    def answer(dialog, smoke_test):
        qtbot.addWidget(dialog)
        assert isinstance(dialog, FirstRunDialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        fill(qtbot, dialog, username="avery")
        click(qtbot, button(dialog, "Create administrator"))
        qtbot.waitUntil(lambda: dialog.result() == FirstRunDialog.DialogCode.Accepted, timeout=15000)
        return app.signed_in_user_of(dialog)

    monkeypatch.setattr(app, "_ask", answer)
    monkeypatch.setattr(recovery_key_dialog, "show_recovery_key",
                        lambda db, user, key, parent=None: shown.append(recovery_key_dialog.sheet_for(db, user, key)))
    db, user = app.sign_in(str(path))
    try:
        assert db is not None and db.encrypted and user is not None
        assert dbmod.is_encrypted(path) and keys.key_file_for(path).is_file()
        assert len(shown) == 1
        sheet = shown[0]
        assert (sheet.clinic_name, sheet.username, sheet.database) == ("Riverbend Clinic", "avery", str(path))
        recovery_key = sheet.recovery_key
    finally:
        if db is not None:
            db.dispose()
    # The administrator's password opens it at the next start, and so does the key shown.
    again, _who = vault.unlock(str(path), "avery", STRONG_PASSWORD)
    again.dispose()
    vault.open_with_recovery_key(str(path), recovery_key).dispose()
    assert recovery_key not in keys.key_file_for(path).read_text()


def test_a_first_start_cancelled_leaves_no_database_nobody_could_open(qtbot, monkeypatch, tmp_path,
                                                                      create_when_asked):
    path = tmp_path / "clinic.db"
    monkeypatch.setattr(app, "_ask", lambda dialog, smoke_test: dialog.deleteLater())
    monkeypatch.setattr(recovery_key_dialog, "show_recovery_key", lambda *a, **k: pytest.fail("shown"))
    assert app.sign_in(str(path)) == (None, None)
    assert list(tmp_path.iterdir()) == []


def test_without_encryption_the_first_start_makes_a_plain_database(qtbot, monkeypatch, tmp_path,
                                                                   create_when_asked):
    path = tmp_path / "clinic.db"
    monkeypatch.setattr(app, "_ask", lambda dialog, smoke_test: dialog.deleteLater())
    db, user = app.sign_in(str(path), encrypt=False)
    try:
        assert db is not None and not db.encrypted and user is None
        assert not keys.key_file_for(path).exists()
    finally:
        db.dispose()


def test_an_existing_plain_database_is_opened_as_it_is(qtbot, monkeypatch, sqlite_path, db, admin):
    monkeypatch.setattr(app, "_ask", lambda dialog, smoke_test: dialog.deleteLater())
    opened, _user = app.sign_in(str(sqlite_path))
    try:
        assert opened is not None and not opened.encrypted
        assert not keys.key_file_for(sqlite_path).exists()
    finally:
        opened.dispose()


# --- the recovery key dialog ----------------------------------------------------------------------

@pytest.fixture
def key_dialog(qtbot, host):
    import datetime as dt

    sheet = RecoverySheet("Riverbend Clinic", "/srv/clinic/clinic.db", dt.datetime(2026, 12, 4, 9, 5),
                          keys.new_recovery_key(), "avery")
    dialog = RecoveryKeyDialog(sheet, host)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_recovery_key_is_shown_large_selectable_with_its_warning(key_dialog):
    key = by_name(key_dialog, QLabel, "Recovery key")
    assert key.text().split() == key_dialog.sheet.recovery_key.split("-")  # 4 groups a line
    assert keys.normalize_recovery_key(key.text()) == key_dialog.sheet.recovery_key  # as copied
    assert key.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert key.font().pointSizeF() >= 18 or "22pt" in key.styleSheet()
    assert by_name(key_dialog, QLabel, "Warning").text() == WARNING
    assert WARNING.startswith("Anyone with this key and the database file can read every record.")


def test_continue_waits_for_the_box_and_escape_does_nothing(qtbot, key_dialog):
    continue_button = button(key_dialog, "Continue")
    confirm = by_name(key_dialog, QCheckBox, CONFIRM)
    assert not continue_button.isEnabled()
    qtbot.keyClick(key_dialog, Qt.Key.Key_Escape)
    key_dialog.close()
    assert key_dialog.isVisible() and key_dialog.result() != RecoveryKeyDialog.DialogCode.Accepted
    click(qtbot, continue_button)
    assert key_dialog.isVisible()
    confirm.setFocus()
    qtbot.keyClick(confirm, Qt.Key.Key_Space)  # ticked from the keyboard
    assert confirm.isChecked() and continue_button.isEnabled()
    click(qtbot, continue_button)
    assert not key_dialog.isVisible() and key_dialog.result() == RecoveryKeyDialog.DialogCode.Accepted


def test_print_recovery_sheet_opens_the_one_page_sheet_to_print_not_to_save(qtbot, key_dialog):
    from clinic_desktop.gui.pdf_preview import PdfPreview

    click(qtbot, by_name(key_dialog, QPushButton, "Print recovery sheet"))
    qtbot.waitUntil(lambda: any(p.isVisible() for p in key_dialog.findChildren(PdfPreview)), timeout=15000)
    preview = next(p for p in key_dialog.findChildren(PdfPreview) if p.isVisible())
    assert preview.page_count() == 1
    assert preview.print_button.isVisible() and not preview.save_button.isVisible()
    preview.close()


# --- the About box --------------------------------------------------------------------------------

def about_records(qtbot, db, **kwargs) -> str:
    from clinic_desktop.gui.about_dialog import AboutDialog

    dialog = AboutDialog(db, **kwargs)
    qtbot.addWidget(dialog)
    return by_name(dialog, QLabel, "Records").text()


def test_the_about_box_says_how_the_records_are_protected(qtbot, db, encrypted):
    assert about_records(qtbot, db).startswith("not encrypted \u2014 an administrator can encrypt them (Admin")
    assert about_records(qtbot, db, encrypt=False) == (
        "Encryption is off (--no-encryption): this clinic encrypts its disks instead")
    opened, _admin = vault.unlock(str(encrypted), "admin", STRONG_PASSWORD)
    try:
        assert about_records(qtbot, opened) == "encrypted (SQLCipher, AES-256)"
        assert about_records(qtbot, opened, encrypt=False) == "encrypted (SQLCipher, AES-256)"
    finally:
        opened.dispose()
