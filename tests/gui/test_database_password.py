"""A PostgreSQL server that wants a password the password file does not hold (#17 item 2): the
start asks for it in a small dialog, tries again with it, and saves it in libpq's password file
(0600) only when ticked and only once it worked; Cancel reports why, as any refusal."""

from __future__ import annotations

import stat

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QMessageBox, QPushButton
from sqlalchemy.engine import make_url

from clinic_desktop import app
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.pg import PasswordNeeded
from clinic_desktop.gui.database_password_dialog import DatabasePasswordDialog

URL = "postgresql+psycopg://nurse@db.clinic.lan/clinic"


def named(widget, kind, name):
    found = [w for w in widget.findChildren(kind) if w.accessibleName() == name]
    assert len(found) == 1, name
    return found[0]


def answer_when_shown(qtbot, answers: list[tuple[str, bool] | None], seen: list[str]) -> None:
    """Each time the password dialog shows: type the next answer (tick Save if asked), or Cancel."""
    def act() -> None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, DatabasePasswordDialog) and w.isVisible()]
        if not shown:
            QTimer.singleShot(20, act)
            return
        dialog = shown[0]
        seen.append(dialog.text.text() + " | " + (dialog.error.text() if dialog.error.isVisible() else ""))
        answer = answers.pop(0)
        if answer is None:
            dialog.reject()
            return
        typed, save = answer
        qtbot.keyClicks(named(dialog, QLineEdit, "Password"), typed)
        if save:
            named(dialog, QCheckBox, "Save the password for next time").setChecked(True)
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "Connect").click()
        if answers:
            QTimer.singleShot(20, act)

    QTimer.singleShot(20, act)


@pytest.fixture
def server(monkeypatch, db):
    """app._open_database against a server whose password is "right"; the tries it saw."""
    tries: list[str | None] = []

    def fake_open(target, password=None):
        tries.append(password)
        if password != "right":
            raise PasswordNeeded(dbmod.resolve_target(URL), refused=password is not None)
        db.url = make_url(URL)  # the database opened, as the server names it
        return db

    monkeypatch.setattr(app, "_open_database", fake_open)
    return tries


def test_it_asks_again_after_a_refusal_and_saves_once_it_worked(qtbot, server, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    seen: list[str] = []
    answer_when_shown(qtbot, [("wrong", True), ("right", True)], seen)
    opened = app.open_database_or_report(URL)
    assert opened is not None and server == [None, "wrong", "right"]
    assert "clinic as nurse on db.clinic.lan:5432" in seen[0] and "refused" in seen[1]
    saved = tmp_path / "pgpass"
    assert saved.read_text() == "db.clinic.lan:5432:clinic:nurse:right\n"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_unticked_nothing_is_saved(qtbot, server, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    answer_when_shown(qtbot, [("right", False)], [])
    assert app.open_database_or_report(URL) is not None
    assert not (tmp_path / "pgpass").exists()


def test_cancel_reports_why_in_one_line(qtbot, server, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    answer_when_shown(qtbot, [None], [])
    assert app.open_database_or_report(URL) is None
    [message] = shown
    assert "asks for a password" in message and "~/.pgpass" in message and "\n" not in message


def test_an_empty_password_is_refused_next_to_the_field(qtbot):
    dialog = DatabasePasswordDialog("clinic as nurse on db:5432", "/home/nurse/.pgpass")
    qtbot.addWidget(dialog)
    dialog.show()
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Connect").click()
    assert dialog.isVisible() and dialog.error.isVisible() and "Type the password" in dialog.error.text()
    assert named(dialog, QLineEdit, "Password").echoMode() == QLineEdit.EchoMode.Password


def test_the_sign_in_window_asks_too_while_it_stays_on_screen(qtbot, server, admin):
    from clinic_desktop.gui.login_dialog import LoginDialog

    dialog = LoginDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    answer_when_shown(qtbot, [("right", False)], [])
    opened, has_users = app.open_while_showing(dialog, URL)
    assert opened is not None and has_users and server == [None, "right"]
