"""Start-up: logging → QApplication (style, icons) → open/upgrade the database → sign in → main window.

Start-up is kept fast (goal: a visible sign-in window within 0.6 s of a cold start): only what the
sign-in needs is imported before it is shown. The main window module (and with it search, census
and everything behind them) is imported after sign-in; QtPdf never at start-up.

``CLINIC_DESKTOP_SMOKE_TEST=1``: once the sign-in (or first-run) window is shown, print
"sign-in window shown" and quit with status 0 about 200 ms later (CI's smoke test of the bundle).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

import clinic_desktop.gui  # noqa: F401 - first: its guard must run before anything calls into Qt
from clinic_desktop import APP_NAME, DESKTOP_ID, ORG_NAME, __version__, paths
from clinic_desktop.gui import theme
from clinic_desktop.logs import log_error, log_file, setup_logging

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.core.pg import PasswordNeeded
    from clinic_desktop.gui.main_window import MainWindow

log = logging.getLogger(__name__)

SMOKE_TEST_ENV = "CLINIC_DESKTOP_SMOKE_TEST"
SMOKE_TEST_MESSAGE = "sign-in window shown"
SMOKE_TEST_QUIT_MS = 200
APP_ICON = ":/icons/clinic-desktop.svg"
DATABASE_PROBLEM_TITLE = "Clinic Desktop cannot open the database"


def smoke_test_requested() -> bool:
    return os.environ.get(SMOKE_TEST_ENV, "") not in ("", "0")


def load_resources() -> None:
    """Register the compiled icons and style sheet (``:/icons/...``, ``:/styles/...``); idempotent."""
    import clinic_desktop.gui.resources_rc  # noqa: F401


def style_sheet() -> str:
    """The style sheet of the theme in use (``gui.theme``: light unless the app chose dark)."""
    return theme.style_sheet(theme.current_theme())


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named, styled (``gui.theme``) and with its icon."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    elif not isinstance(app, QApplication):
        raise TypeError(f"the app's windows need a QApplication, not the {type(app).__name__} running")
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_ID)
    theme.apply(app)  # Fusion, the bundled font, the light or dark palette and style sheet
    app.setWindowIcon(QIcon(APP_ICON))
    return app


def show_database_problem(message: str, parent: QWidget | None = None) -> None:
    """Tell staff why the database cannot be used (the service's message, no traceback)."""
    QMessageBox.critical(parent, DATABASE_PROBLEM_TITLE, message)


def _open_database(db_target: str | None, password: str | None = None) -> Database:
    """Open the database, or raise DatabaseProblem with the one line staff read (PasswordNeeded
    when a PostgreSQL server wants a password). Touches no widget, so it may run on a worker
    thread."""
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.errors import DatabaseProblem

    try:
        db = open_database(db_target, password=password)
    except DatabaseProblem:
        raise
    except Exception as exc:  # one clear message for staff; the details go to the log
        log_error(log, "opening the database failed", exc)
        raise DatabaseProblem(f"The database could not be opened: {exc.__class__.__name__}: {exc}") from exc
    if db.backup_made is not None:
        log.info("database upgraded; the previous version was kept as %s", db.backup_made)
    return db


def _report_database_problem(message: str, *, interactive: bool) -> None:
    log.error("database refused: %s", message)
    print(f"clinic-desktop: {message}", file=sys.stderr)
    if interactive:
        show_database_problem(message)


class _Password:
    """The PostgreSQL password typed in this start (none until the server asks for one), and
    whether to save it in libpq's password file once it worked."""

    def __init__(self) -> None:
        self.typed: str | None = None
        self.save = False

    def ask(self, asked: PasswordNeeded, *, interactive: bool, parent: QWidget | None = None) -> bool:
        """Ask staff for the password the server wants; False when they cancel (or cannot be
        asked: the smoke test), the caller then reports ``asked``."""
        from clinic_desktop.core import pg
        from clinic_desktop.gui.database_password_dialog import ask_database_password

        if not interactive:
            return False
        answer = ask_database_password(pg.who(asked.url), str(pg.pgpass_path()),
                                       refused=asked.refused, parent=parent)
        if answer is None:
            return False
        self.typed, self.save = answer
        return True

    def keep(self, db: Database, *, parent: QWidget | None = None) -> None:
        """Once the password worked: save it in the password file if staff ticked it."""
        from clinic_desktop.core import pg
        from clinic_desktop.core.errors import DatabaseProblem

        if self.typed is None or not self.save:
            return
        try:
            pg.save_password(db.url, self.typed)
        except DatabaseProblem as exc:
            QMessageBox.warning(parent, "Password not saved", str(exc))
            return
        log.info("the PostgreSQL password was saved in the password file")


def open_database_or_report(db_target: str | None, *, interactive: bool = True) -> Database | None:
    """Open the database, or show why not and return None. A refused file is never written to.
    A PostgreSQL server that wants a password gets it asked for (a small dialog)."""
    from clinic_desktop.core.errors import DatabaseProblem
    from clinic_desktop.core.pg import PasswordNeeded

    password = _Password()
    while True:
        try:  # called with one argument until a password is typed (as tests replace it)
            db = _open_database(db_target) if password.typed is None else _open_database(db_target, password.typed)
        except DatabaseProblem as exc:
            if isinstance(exc, PasswordNeeded) and password.ask(exc, interactive=interactive):
                continue
            _report_database_problem(str(exc), interactive=interactive)
            return None
        password.keep(db)
        return db


def new_database_path(db_target: str | None) -> Path | None:
    """The SQLite file an explicit ``--db`` names when nothing is there yet; None for the default
    database (made on first start as always), a URL, or a path that exists."""
    if db_target is None or "://" in db_target:
        return None
    path = Path(db_target).expanduser().resolve()
    return None if path.exists() or path.is_symlink() else path


def confirm_new_database(db_target: str | None, *, interactive: bool) -> bool:
    """Whether to go on: an explicit ``--db`` naming nothing is created only when staff say so
    (a mistyped path must not become a new, empty clinic database). The smoke test cannot ask,
    so it refuses."""
    path = new_database_path(db_target)
    if path is None:
        return True
    if not interactive:
        _report_database_problem(f"No database at {path}. Check the path (--db); nothing was created.",
                                 interactive=False)
        return False
    answer = QMessageBox.question(
        None, "New clinic database",
        f"Create a new clinic database at {path}?\n\nThere is no database there yet. If you meant "
        "an existing one, choose No and check the path.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        log.info("a new database was not created (declined)")
        return False
    return True


def _open_for_sign_in(db_target: str | None, password: str | None = None) -> tuple[Database, bool]:
    """The worker's part of start-up: the open, checked database and whether anyone can sign in."""
    from clinic_desktop.core.services import accounts

    db = _open_database(db_target) if password is None else _open_database(db_target, password)
    try:
        return db, accounts.has_users(db)
    except Exception:
        db.dispose()
        raise


def open_while_showing(dialog: QDialog, db_target: str | None, *,
                       interactive: bool = True) -> tuple[Database | None, bool]:
    """Open the database off the GUI thread while ``dialog`` (already on screen) keeps answering;
    (database or None if refused — the reason shown —, whether it has users). A PostgreSQL
    server that wants a password gets it asked for, then the opening runs again."""
    from clinic_desktop.core.errors import DatabaseProblem
    from clinic_desktop.core.pg import PasswordNeeded
    from clinic_desktop.gui.operations import QueryOp

    password = _Password()
    exc: object = None
    while True:
        loop = QEventLoop()
        outcome: dict[str, object] = {}

        def ended(key: str, value: object, loop: QEventLoop = loop, outcome: dict = outcome) -> None:
            outcome[key] = value
            loop.quit()

        typed = password.typed
        QueryOp(parent=dialog, op=lambda typed=typed: _open_for_sign_in(db_target, typed),
                success=lambda value: ended("opened", value), what="opening the database") \
            .failure(lambda exc: ended("error", exc)).run_in_background()
        if not outcome:
            loop.exec()
        if "opened" in outcome:
            opened: tuple[Database, bool] = outcome["opened"]  # type: ignore[assignment]
            password.keep(opened[0], parent=dialog)
            return opened
        exc = outcome["error"]
        if isinstance(exc, PasswordNeeded) and password.ask(exc, interactive=interactive, parent=dialog):
            continue
        break
    if not isinstance(exc, DatabaseProblem):  # has_users failed in a way nobody foresaw
        log_error(log, "opening the database failed", exc)  # type: ignore[arg-type]
        exc = DatabaseProblem(f"The database could not be opened: {exc.__class__.__name__}: {exc}")
    _report_database_problem(str(exc), interactive=interactive)
    return None, False


def sign_in_dialog_for(db: Database, parent: QWidget | None = None) -> QDialog:
    """The first-run dialog (create the first administrator) on a database without users, else sign-in."""
    from clinic_desktop.core.services import accounts

    if not accounts.has_users(db):
        from clinic_desktop.gui.first_run_dialog import FirstRunDialog

        return FirstRunDialog(db, parent)
    from clinic_desktop.gui.login_dialog import LoginDialog

    return LoginDialog(db, parent)


def signed_in_user_of(dialog: QDialog) -> SignedInUser | None:
    """Who the accepted first-run or sign-in dialog signed in (the created admin, or the user)."""
    user = getattr(dialog, "created_user", None)
    if user is None:
        user = getattr(dialog, "signed_in_user", None)
    return user


def looks_like_first_run(db_target: str | None) -> bool:
    """Whether an SQLite database has nobody who could sign in yet: missing, empty, or without an
    active user. A cheap look with the standard library (no SQLAlchemy), so the usual start can
    show the sign-in window before the slow part; when unsure it says False and the real opening
    decides (a PostgreSQL database is always asked properly)."""
    raw = paths.database_target(db_target)
    if "://" in raw:
        return False
    path = Path(raw).expanduser()
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM users WHERE active").fetchone()[0] == 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _show_now(dialog: QDialog, smoke_test: bool) -> None:
    """Put the dialog on screen and let it paint before anything slow runs."""
    dialog.show()
    handle = dialog.windowHandle()
    deadline = time.monotonic() + 0.2
    QApplication.processEvents()
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        QApplication.processEvents()
    if smoke_test:
        print(SMOKE_TEST_MESSAGE, flush=True)
        QTimer.singleShot(SMOKE_TEST_QUIT_MS, dialog.reject)


def _ask(dialog: QDialog, smoke_test: bool) -> SignedInUser | None:
    """Run a first-run or sign-in dialog modally; who it signed in, or None if cancelled."""
    if not dialog.isVisible():
        _show_now(dialog, smoke_test)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    user = signed_in_user_of(dialog) if accepted else None
    dialog.deleteLater()
    return user


def sign_in(db_target: str | None, *, smoke_test: bool = False) -> tuple[Database | None, SignedInUser | None]:
    """Open the database and sign someone in: (database or None if refused, user or None if cancelled).

    On the usual start the sign-in window is shown first and the database (SQLAlchemy, schema
    check) opened off the GUI thread once it is on screen, the window answering meanwhile (closing
    it then quits); its Sign in button is enabled when the database is ready.
    A database with nobody to sign in gets the first-run dialog instead; an explicit ``--db``
    naming nothing is first confirmed (``confirm_new_database``), declined: (None, None).
    """
    interactive = not smoke_test
    if not confirm_new_database(db_target, interactive=interactive):
        return None, None
    if looks_like_first_run(db_target):
        db = open_database_or_report(db_target, interactive=interactive)
        return db, (_ask(sign_in_dialog_for(db), smoke_test) if db is not None else None)

    from clinic_desktop.gui.login_dialog import LoginDialog

    dialog = LoginDialog(None)
    _show_now(dialog, smoke_test)
    db, has_users = open_while_showing(dialog, db_target, interactive=interactive)
    if db is None:
        dialog.close()
        return None, None
    if dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible():
        log.info("sign-in closed while the database was opened")
        dialog.deleteLater()
        return db, None
    if not has_users:  # e.g. a new PostgreSQL database
        dialog.close()
        return db, _ask(sign_in_dialog_for(db), smoke_test)
    dialog.set_database(db)
    return db, _ask(dialog, smoke_test)


def main_window_for(db: Database, user: SignedInUser) -> MainWindow:
    """The main window for a signed-in user (imported only now, after sign-in)."""
    from clinic_desktop.gui.main_window import MainWindow

    return MainWindow(db, user)


def report_unexpected_error(exc_type: type[BaseException], exc: BaseException, tb) -> None:
    """sys.excepthook for the window: an error in a slot is logged (without its message) and told
    to staff, and the app carries on; what was saved is in the database already."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log_error(log, "unexpected error", exc.with_traceback(tb))
    QMessageBox.critical(
        QApplication.activeWindow(), "Something went wrong",
        f"{exc_type.__name__}: {exc}\n\nEverything already saved is safe. If this happens again, "
        f"tell your administrator; the details are in the log file:\n{log_file()}",
    )


def run_gui(db_target: str | None = None) -> int:
    """Run the application window; returns the process exit status."""
    setup_logging()
    sys.excepthook = report_unexpected_error
    app = create_application()
    smoke_test = smoke_test_requested()
    log.info("Clinic Desktop %s starting", __version__)
    db, user = sign_in(db_target, smoke_test=smoke_test)
    if db is None:
        return 1
    try:
        if user is None:
            log.info("sign-in cancelled; quitting")
            return 0
        log.info("signed in: user id %s", user.id)
        window = main_window_for(db, user)
        window.show_as_left()
        status = app.exec()
        log.info("Clinic Desktop closed")
        return status
    finally:
        from clinic_desktop.core.services import audit

        audit.keep_anchor(db)  # the head this workstation saw, for verify-audit
        db.dispose()
