"""Encrypting from the window: the "This database is not encrypted" notice and Encrypt… for an
administrator (not for other staff, not with --no-encryption), the encryption itself after the
window has closed, and Admin → New recovery key… on an encrypted database. Invented people only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QLineEdit, QMessageBox, QPushButton

from clinic_desktop import app
from clinic_desktop.core import db as dbmod
from clinic_desktop.core import keys
from clinic_desktop.core.errors import AuthenticationError
from clinic_desktop.core.services import accounts, vault
from clinic_desktop.gui import recovery_key_dialog
from clinic_desktop.gui.encrypt_dialog import EncryptDialog
from clinic_desktop.gui.main_window import NOT_ENCRYPTED, MainWindow
from clinic_desktop.gui.recovery_key_dialog import RecoveryKeyDialog
from tests.gui.conftest import shown_main_window
from tests.gui.helpers import STRONG_PASSWORD, button, by_name, click, type_into

pytestmark = pytest.mark.usefixtures("quick_kdf")


def notice(window: MainWindow) -> QFrame:
    return by_name(window, QFrame, NOT_ENCRYPTED)


def test_an_administrator_sees_the_notice_and_encrypt(qtbot, db, admin):
    window = shown_main_window(qtbot, db, admin)
    assert notice(window).isVisible()
    assert by_name(window, QPushButton, "Encrypt").isVisible()
    assert window.actionEncrypt.isVisible() and not window.actionNewRecoveryKey.isVisible()


def test_a_nurse_sees_neither(qtbot, db, nurse):
    window = shown_main_window(qtbot, db, nurse)
    assert not notice(window).isVisible()
    assert not window.actionEncrypt.isVisible() and not window.actionNewRecoveryKey.isVisible()


def test_with_no_encryption_nobody_is_offered_it(qtbot, db, admin):
    window = MainWindow(db, admin, encrypt=False)
    qtbot.addWidget(window)
    window.show()
    assert not notice(window).isVisible() and not window.actionEncrypt.isVisible()


# --- the password asked first ----------------------------------------------------------------------

def test_encrypt_asks_for_the_administrators_own_password(qtbot, db, admin):
    dialog = EncryptDialog(db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "plain copy is kept beside the database" in by_name(dialog, QLabel, "What happens").text()
    password = by_name(dialog, QLineEdit, "Your password")
    type_into(qtbot, password, "not the password at all")
    click(qtbot, button(dialog, "Encrypt"))
    qtbot.waitUntil(lambda: by_name(dialog, QLabel, "Your password error").isVisible(), timeout=10000)
    assert dialog.isVisible() and dialog.password == "" and password.text() == ""
    type_into(qtbot, password, STRONG_PASSWORD)
    click(qtbot, button(dialog, "Encrypt"))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == EncryptDialog.DialogCode.Accepted and dialog.password == STRONG_PASSWORD


def test_encrypt_closes_the_window_as_quitting_does_and_asks_run_gui_to_encrypt(qtbot, monkeypatch, db, admin):
    def confirmed(dialog):
        dialog.password = STRONG_PASSWORD
        return EncryptDialog.DialogCode.Accepted

    quits = []
    monkeypatch.setattr(EncryptDialog, "exec", confirmed)
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(1)))
    window = shown_main_window(qtbot, db, admin)
    click(qtbot, by_name(window, QPushButton, "Encrypt"))
    assert window.encryption_request == ("admin", STRONG_PASSWORD)
    assert not window.isVisible() and quits == [1]


def test_a_view_that_keeps_the_window_open_cancels_the_encryption(qtbot, monkeypatch, db, admin):
    monkeypatch.setattr(EncryptDialog, "exec", lambda dialog: EncryptDialog.DialogCode.Accepted)
    window = shown_main_window(qtbot, db, admin)
    monkeypatch.setattr(window.workspace, "close_all", lambda: False)
    window.encrypt_database()
    assert window.isVisible() and window.encryption_request is None


# --- the encryption, once the window has closed ----------------------------------------------------

def test_encrypting_shows_the_recovery_key_and_where_the_plain_copy_is(qtbot, monkeypatch, sqlite_path, db, admin):
    from clinic_desktop.gui.recovery_key_dialog import sheet_values

    values = sheet_values(db)
    db.dispose()
    shown, told = [], []
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda dialog: shown.append(dialog.sheet) or 1)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    app._encrypt(str(sqlite_path), ("admin", STRONG_PASSWORD), values)
    assert dbmod.is_encrypted(sqlite_path)
    assert len(shown) == 1 and shown[0].username == "admin" and shown[0].database == str(sqlite_path)
    assert told and "before-encryption" in told[0] and "delete it" in told[0]
    opened, _user = vault.unlock(str(sqlite_path), "admin", STRONG_PASSWORD)
    opened.dispose()
    vault.open_with_recovery_key(str(sqlite_path), shown[0].recovery_key).dispose()


def test_a_failed_encryption_is_told_and_changes_nothing(qtbot, monkeypatch, sqlite_path, db, admin):
    from clinic_desktop.gui.recovery_key_dialog import sheet_values

    values = sheet_values(db)
    db.dispose()
    before = sorted(p.name for p in sqlite_path.parent.iterdir())
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append((title, text)))
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda dialog: pytest.fail("a key was shown"))
    app._encrypt(str(sqlite_path), ("admin", "the password changed meanwhile"), values)
    assert warned and warned[0][0] == "The database was not encrypted"
    assert "Nothing was changed" in warned[0][1] and "the password changed meanwhile" not in warned[0][1]
    assert not dbmod.is_encrypted(sqlite_path) and not keys.key_file_for(sqlite_path).exists()
    assert sorted(p.name for p in sqlite_path.parent.iterdir()) == before


# --- a new recovery key ----------------------------------------------------------------------------

@pytest.fixture
def encrypted_admin(tmp_path):
    """An encrypted database opened by its administrator: (database, admin, recovery key)."""
    path = tmp_path / "encrypted.db"
    made = vault.create_encrypted(str(path))
    accounts.create_user_from_console(made.db, "avery", "Avery Admin", "admin", STRONG_PASSWORD)
    accounts.create_user_from_console(made.db, "noor", "Noor Nurse", "nurse", STRONG_PASSWORD + " n")
    made.db.dispose()
    db, admin = vault.unlock(str(path), "avery", STRONG_PASSWORD)
    yield db, admin, made.recovery_key
    db.dispose()


def test_an_encrypted_database_shows_no_notice_and_offers_a_new_recovery_key(qtbot, encrypted_admin):
    db, admin, _key = encrypted_admin
    window = shown_main_window(qtbot, db, admin)
    assert not notice(window).isVisible() and not window.actionEncrypt.isVisible()
    assert window.actionNewRecoveryKey.isVisible()


def test_a_nurse_is_not_offered_a_new_recovery_key(qtbot, encrypted_admin):
    db, _admin, _key = encrypted_admin
    nurse = accounts.authenticate(db, "noor", STRONG_PASSWORD + " n")
    window = shown_main_window(qtbot, db, nurse)
    assert not window.actionNewRecoveryKey.isVisible()


def test_new_recovery_key_confirms_then_replaces_the_key_and_shows_it(qtbot, monkeypatch, encrypted_admin):
    db, admin, old_key = encrypted_admin
    asked, shown = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.No)
    monkeypatch.setattr(recovery_key_dialog, "show_recovery_key", lambda db, user, key, parent=None: shown.append(key))
    window = shown_main_window(qtbot, db, admin)
    window.actionNewRecoveryKey.trigger()
    assert asked and "stops working" in asked[0] and shown == []  # No: nothing changed

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    window.actionNewRecoveryKey.trigger()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=10000)
    path = db.sqlite_path
    assert shown[0] != old_key
    with pytest.raises(AuthenticationError):
        vault.open_with_recovery_key(str(path), old_key)
    vault.open_with_recovery_key(str(path), shown[0]).dispose()
