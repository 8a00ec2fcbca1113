"""Start-up: the first-run or sign-in window, a refused database, and the smoke test CI runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox

from clinic_desktop import app
from clinic_desktop.gui.first_run_dialog import FirstRunDialog
from clinic_desktop.gui.login_dialog import LoginDialog
from tests.conftest import STRONG_PASSWORD


def child_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CLINIC_DESKTOP_DB", app.SMOKE_TEST_ENV)}
    env.update(QT_QPA_PLATFORM="offscreen", CLINIC_DESKTOP_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_an_empty_database_starts_with_the_first_run_dialog(qtbot, db):
    dialog = app.sign_in_dialog_for(db)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, FirstRunDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert app.signed_in_user_of(dialog) is None


def test_a_database_with_users_starts_with_sign_in(qtbot, db, admin):
    dialog = app.sign_in_dialog_for(db)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, LoginDialog)


def test_the_main_window_is_built_for_the_signed_in_user(qtbot, db, admin):
    from clinic_desktop.gui.workstation import Workstation

    window = Workstation(db).open_for(admin)  # as run_gui opens it after the sign-in
    qtbot.addWidget(window)
    assert window.user is admin and window.db is db


def test_a_file_that_is_not_a_clinic_database_is_refused_untouched(tmp_path, monkeypatch):
    garbage = tmp_path / "clinic.db"
    content = b"this is a shopping list, not a database\x00\xff" * 20
    garbage.write_bytes(content)
    before = garbage.stat().st_mtime_ns
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text)))

    assert app.open_database_or_report(str(garbage)) is None

    assert len(shown) == 1
    title, text = shown[0]
    assert title == app.DATABASE_PROBLEM_TITLE
    assert "not a Clinic Desktop database" in text and "Traceback" not in text
    assert garbage.read_bytes() == content and garbage.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.db"]  # no journal, no backup


def test_style_sheet_and_icons_are_compiled_in():
    app.load_resources()
    qss = app.style_sheet()
    assert "#b00020" in qss and ":focus" in qss
    for name in ("clinic-desktop", "search", "new-patient", "open-episode", "lock", "about"):
        assert not QIcon(f":/icons/{name}.svg").isNull(), name


def test_smoke_test_start_shows_the_first_run_window_and_exits_0(tmp_path):
    # The default database is made on first start, as always; only an explicit --db is asked about.
    result = subprocess.run(
        [sys.executable, "-m", "clinic_desktop"],
        env=child_env(tmp_path, **{app.SMOKE_TEST_ENV: "1"}), capture_output=True, check=False, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "sign-in window shown" in result.stdout
    # It was made (encrypted) for the first-run window; closed before an administrator was
    # created, it is not kept: nobody could ever open it.
    assert not (tmp_path / "data" / "clinic.db").exists()


def test_smoke_test_start_with_a_db_naming_nothing_creates_nothing(tmp_path):
    missing = tmp_path / "typo" / "new.db"
    result = subprocess.run(
        [sys.executable, "-m", "clinic_desktop", "--db", str(missing)],
        env=child_env(tmp_path, **{app.SMOKE_TEST_ENV: "1"}), capture_output=True, check=False, text=True, timeout=60,
    )
    assert result.returncode != 0 and f"No database at {missing}" in result.stderr
    assert "sign-in window shown" not in result.stdout
    assert not missing.parent.exists()


def test_a_db_naming_nothing_is_created_only_when_staff_say_yes(tmp_path, monkeypatch):
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(parent, title, text, *args):
        asked.append(text)
        return answer

    monkeypatch.setattr(app.QMessageBox, "question", question)
    monkeypatch.setattr(app, "_ask", lambda dialog, smoke_test: dialog.deleteLater())
    new = tmp_path / "folder" / "new.db"
    assert app.sign_in(str(new)) == (None, None)
    assert asked and asked[0].startswith(f"Create a new clinic database at {new}?")
    assert not new.parent.exists()  # declined: neither the file nor its folder

    answer = QMessageBox.StandardButton.Yes
    db, user = app.sign_in(str(new), encrypt=False)  # plain: kept though nobody was created
    try:
        assert db is not None and user is None and new.is_file()
    finally:
        db.dispose()
    asked.clear()
    app.sign_in(str(new), encrypt=False)[0].dispose()  # there now: opened without asking
    assert asked == []


def test_an_existing_or_default_database_is_never_asked_about(tmp_path, sqlite_path, db, admin):
    assert app.new_database_path(None) is None
    assert app.new_database_path(str(sqlite_path)) is None
    assert app.new_database_path("postgresql+psycopg://u@127.0.0.1/clinic") is None
    assert app.new_database_path(str(tmp_path / "nothing.db")) == tmp_path / "nothing.db"


def test_a_zero_byte_database_is_refused_at_start_and_left_empty(tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(app, "show_database_problem", lambda message, parent=None: shown.append(message))
    empty = tmp_path / "clinic.db"
    empty.write_bytes(b"")
    assert app.sign_in(str(empty)) == (None, None)
    assert shown and "is not a Clinic Desktop database" in shown[0]
    assert empty.read_bytes() == b"" and sorted(tmp_path.iterdir()) == [empty]


def test_smoke_test_start_with_users_shows_sign_in_without_heavy_modules(tmp_path):
    db_path = tmp_path / "clinic.db"
    env = child_env(tmp_path)
    subprocess.run([sys.executable, "-m", "clinic_desktop", "--db", str(db_path), "--no-encryption", "create-user",
                    "--username", "admin", "--role", "admin", "--password-stdin"],
                   input=STRONG_PASSWORD + "\n", env=env, check=True, capture_output=True, text=True, timeout=60)
    script = textwrap.dedent(f"""
        import sys
        from clinic_desktop.app import run_gui
        status = run_gui({str(db_path)!r})
        loaded = sorted(m for m in sys.modules if m.startswith(("PySide6.QtPdf",
                        "clinic_desktop.gui.main_window", "reportlab")))
        print("heavy:", loaded)
        sys.exit(status)
    """)
    result = subprocess.run([sys.executable, "-c", script], env={**env, app.SMOKE_TEST_ENV: "1"},
                            capture_output=True, check=False, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "sign-in window shown" in result.stdout
    assert "heavy: []" in result.stdout


def test_a_refused_database_exits_1_with_one_clear_line(tmp_path):
    garbage = tmp_path / "clinic.db"
    garbage.write_bytes(b"\x00garbage\x01" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "clinic_desktop", "--db", str(garbage)],
        env=child_env(tmp_path, **{app.SMOKE_TEST_ENV: "1"}), capture_output=True, check=False, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "not a Clinic Desktop database" in result.stderr and "Traceback" not in result.stderr
    assert garbage.read_bytes() == b"\x00garbage\x01" * 100


@pytest.mark.parametrize("value, expected", [("1", True), ("", False), ("0", False)])
def test_smoke_test_switch(monkeypatch, value, expected):
    monkeypatch.setenv(app.SMOKE_TEST_ENV, value)
    assert app.smoke_test_requested() is expected


def test_an_unexpected_error_is_logged_without_its_message_and_told_to_staff(monkeypatch, tmp_path):
    from clinic_desktop import logs

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    log_path = logs.setup_logging()
    typed = {"name": "Secretname Hidden", "mrn": "SECRET-77"}  # as if quoted from a form
    try:
        raise ValueError(f"{typed['name']}, MRN {typed['mrn']}")
    except ValueError as exc:
        app.report_unexpected_error(ValueError, exc, exc.__traceback__)
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "unexpected error: ValueError" in text and "test_app_start.py" in text
    assert "Secretname" not in text and "SECRET-77" not in text
    assert shown and "Everything already saved is safe" in shown[0][1]


def test_first_run_is_recognised_without_opening_the_database(tmp_path, db, admin, sqlite_path):
    assert app.looks_like_first_run(str(tmp_path / "missing.db"))
    (tmp_path / "empty.db").write_bytes(b"")
    assert app.looks_like_first_run(str(tmp_path / "empty.db"))
    assert not app.looks_like_first_run(str(sqlite_path))  # has the admin
    (tmp_path / "junk.db").write_bytes(b"junk" * 100)
    assert not app.looks_like_first_run(str(tmp_path / "junk.db"))  # unsure: the real opening decides
    assert not app.looks_like_first_run("postgresql+psycopg://u@127.0.0.1/clinic")


def test_sign_in_waits_for_the_database_but_is_shown_before_it(qtbot, db, admin):
    dialog = LoginDialog(None)
    qtbot.addWidget(dialog)
    assert not dialog.sign_in_button.isEnabled()
    assert "Opening the database" in dialog.ui.databaseLabel.text()
    dialog.set_database(db)
    assert dialog.sign_in_button.isEnabled() and str(db.display_name) in dialog.ui.databaseLabel.text()


def test_the_sign_in_window_is_on_screen_before_the_database_opens(qtbot, monkeypatch, sqlite_path, db, admin):
    steps = []
    real_show, real_open = app._show_now, app._open_database

    def showing(dialog, smoke_test):
        real_show(dialog, smoke_test)
        steps.append(("shown", dialog.isVisible()))

    def watching_open(target):  # off the GUI thread, once the window is up
        steps.append(("opening", threading.current_thread() is threading.main_thread()))
        time.sleep(1.0)  # a slow server
        return real_open(target)

    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    monkeypatch.setattr(app, "_show_now", showing)
    monkeypatch.setattr(app, "_open_database", watching_open)
    monkeypatch.setattr(LoginDialog, "exec", lambda self: self.done(0) or 0)  # then cancel
    opened, user = app.sign_in(str(sqlite_path))
    timer.stop()
    try:
        assert steps == [("shown", True), ("opening", False)] and user is None and opened is not None
        assert len(ticks) >= 10  # the window kept answering while the database opened
    finally:
        opened.dispose()


def test_closing_the_sign_in_window_while_the_database_opens_quits(qtbot, monkeypatch, sqlite_path, db,
                                                                  admin):
    real_open = app._open_database

    def slow_open(target):
        time.sleep(0.5)
        return real_open(target)

    def show_then_close(dialog, smoke_test):
        dialog.show()
        QTimer.singleShot(50, dialog.reject)  # the nurse closes it meanwhile

    monkeypatch.setattr(app, "_open_database", slow_open)
    monkeypatch.setattr(app, "_show_now", show_then_close)
    monkeypatch.setattr(LoginDialog, "exec", lambda self: pytest.fail("asked again after closing"))
    opened, user = app.sign_in(str(sqlite_path))
    try:
        assert opened is not None and user is None
    finally:
        opened.dispose()
