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

log = logging.getLogger(__name__)

SMOKE_TEST_ENV = "CLINIC_DESKTOP_SMOKE_TEST"
SMOKE_TEST_MESSAGE = "sign-in window shown"
SMOKE_TEST_QUIT_MS = 200
APP_ICON = ":/icons/clinic-desktop.svg"
DATABASE_PROBLEM_TITLE = "Clinic Desktop cannot open the database"
#: The first bytes of every plain SQLite file (core.db's SQLITE_HEADER, which this module does not
#: import before the sign-in window is up: core.db brings SQLAlchemy).
SQLITE_MAGIC = b"SQLite format 3\x00"


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


def _open_for_sign_in(db_target: str | None, password: str | None = None) -> tuple[Database | Path, bool]:
    """The worker's part of start-up: the open, checked database and whether anyone can sign in;
    for an encrypted database, its file (it is opened at sign-in, with a password) and True.
    ``password``: a PostgreSQL password staff typed when the server asked for one."""
    from clinic_desktop.core.services import accounts, vault

    if vault.is_encrypted(db_target):
        path = vault.sqlite_file(db_target)
        assert path is not None  # only an SQLite file is encrypted
        return path, True
    db = _open_database(db_target) if password is None else _open_database(db_target, password)
    try:
        return db, accounts.has_users(db)
    except Exception:
        db.dispose()
        raise


def open_while_showing(dialog: QDialog, db_target: str | None, *,
                       interactive: bool = True) -> tuple[Database | Path | None, bool]:
    """Open the database off the GUI thread while ``dialog`` (already on screen) keeps answering;
    (database or None if refused — the reason shown —, whether it has users). An encrypted
    database is not opened: its file is returned instead, for the sign-in to open. A PostgreSQL
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
            opened: tuple[Database | Path, bool] = outcome["opened"]  # type: ignore[assignment]
            if not isinstance(opened[0], Path):  # an encrypted SQLite file is opened at sign-in
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
    decides (a PostgreSQL database is always asked properly; an encrypted one, whose header is
    not SQLite's, is never read here)."""
    raw = paths.database_target(db_target)
    if "://" in raw:
        return False
    path = Path(raw).expanduser()
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:  # an encrypted (or foreign) file is not read as SQLite: the real opening decides
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return False
    except OSError:
        return False
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


def _nothing_at(db_target: str | None) -> Path | None:
    """The SQLite file ``db_target`` names when nothing is there yet (a new database would be
    made), else None (a file is there, or it is PostgreSQL)."""
    from clinic_desktop.core.services import vault

    path = vault.sqlite_file(db_target)
    return path if path is not None and not path.exists() and not path.is_symlink() else None


def _create_encrypted(db_target: str | None, *, interactive: bool) -> tuple[Database, str] | None:
    """A new, empty, encrypted database and its recovery key; None (the reason shown) if refused."""
    from clinic_desktop.core.errors import DatabaseProblem
    from clinic_desktop.core.services import vault

    try:
        made = vault.create_encrypted(db_target)
    except DatabaseProblem as exc:
        _report_database_problem(str(exc), interactive=interactive)
        return None
    except Exception as exc:  # noqa: BLE001 - one clear message for staff; the details go to the log
        log_error(log, "creating the encrypted database failed", exc)
        _report_database_problem(f"The database could not be created: {exc.__class__.__name__}: {exc}",
                                 interactive=interactive)
        return None
    return made.db, made.recovery_key


def _remove_unused(db: Database) -> None:
    """A database made encrypted at this start whose first administrator was not created: nobody
    could ever open it (its key is wrapped only for the recovery key nobody saw), and it holds
    nothing, so it goes, and the next start begins again."""
    from clinic_desktop.core import keys

    path = db.sqlite_path
    db.dispose()
    if path is None:
        return
    for leftover in (path, keys.key_file_for(path), path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    log.info("the new encrypted database was removed: no administrator was created on it")


def _first_start(db_target: str | None, *, smoke_test: bool,
                 encrypt: bool) -> tuple[Database | None, SignedInUser | None, bool]:
    """The first-run dialog on a database nobody can sign in to yet. Where there is nothing at
    the path, the new database is encrypted (unless ``encrypt`` is off) and, once the first
    administrator is made, its recovery key is shown; cancelled before that, it is removed."""
    interactive = not smoke_test
    recovery_key = None
    if encrypt and _nothing_at(db_target) is not None:
        made = _create_encrypted(db_target, interactive=interactive)
        if made is None:
            return None, None, True
        db, recovery_key = made
    else:
        opened = open_database_or_report(db_target, interactive=interactive)
        if opened is None:
            return None, None, True
        db = opened
    user = _ask(sign_in_dialog_for(db), smoke_test)
    if recovery_key is not None:
        if user is None:
            _remove_unused(db)
            return None, None, False
        from clinic_desktop.gui.recovery_key_dialog import show_recovery_key

        show_recovery_key(db, user, recovery_key)
    return db, user, False


def _sign_in(db_target: str | None, *, smoke_test: bool,
             encrypt: bool) -> tuple[Database | None, SignedInUser | None, bool]:
    """:func:`sign_in`, and whether the database was refused (the reason shown) rather than the
    sign-in cancelled."""
    interactive = not smoke_test
    if not confirm_new_database(db_target, interactive=interactive):
        return None, None, True
    if looks_like_first_run(db_target):
        return _first_start(db_target, smoke_test=smoke_test, encrypt=encrypt)

    from clinic_desktop.gui.login_dialog import LoginDialog

    dialog = LoginDialog(None)
    _show_now(dialog, smoke_test)
    opened, has_users = open_while_showing(dialog, db_target, interactive=interactive)
    if opened is None:
        dialog.close()
        return None, None, True
    db = None if isinstance(opened, Path) else opened
    if dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible():
        log.info("sign-in closed while the database was opened")
        dialog.deleteLater()
        return db, None, False
    if isinstance(opened, Path):  # encrypted: Sign in opens it with the password
        dialog.set_encrypted(db_target, opened)
        user = _ask(dialog, smoke_test)
        return (dialog.database if user is not None else None), user, False
    assert db is not None
    if not has_users:  # e.g. a new PostgreSQL database
        dialog.close()
        return db, _ask(sign_in_dialog_for(db), smoke_test), False
    dialog.set_database(db)
    return db, _ask(dialog, smoke_test), False


def sign_in(db_target: str | None, *, smoke_test: bool = False,
            encrypt: bool = True) -> tuple[Database | None, SignedInUser | None]:
    """Open the database and sign someone in: (database or None if refused, user or None if cancelled).

    On the usual start the sign-in window is shown first and the database (SQLAlchemy, schema
    check) opened off the GUI thread once it is on screen, the window answering meanwhile (closing
    it then quits); its Sign in button is enabled when the database is ready. An encrypted
    database is opened by Sign in itself (the password unwraps its key): until then there is
    none, and a cancelled sign-in gives (None, None).
    A database with nobody to sign in gets the first-run dialog instead; where nothing is at the
    path yet, the new database is encrypted unless ``encrypt`` is off (``--no-encryption``) or it
    is PostgreSQL, and its recovery key is shown once the administrator is made. An explicit
    ``--db`` naming nothing is first confirmed (``confirm_new_database``), declined: (None, None).
    """
    db, user, _refused = _sign_in(db_target, smoke_test=smoke_test, encrypt=encrypt)
    return db, user


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


def _encrypt_while_showing(db_target: str | None, username: str, password: str):
    """``vault.encrypt`` off the GUI thread behind a progress window; the ``Encrypted`` result,
    or None once the reason it failed has been shown (nothing was replaced: vault sees to it)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    from clinic_desktop.core.services import vault
    from clinic_desktop.gui.operations import QueryOp, error_message

    progress = QProgressDialog("Encrypting the database\u2026 This can take a few minutes; keep Clinic "
                               "Desktop open.", "", 0, 0)
    progress.setWindowTitle("Encrypting the database \u2014 Clinic Desktop")
    progress.setAccessibleName("Encrypting the database")
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)
    progress.show()
    loop = QEventLoop()
    outcome: dict[str, object] = {}

    def ended(key: str, value: object) -> None:
        outcome[key] = value
        loop.quit()

    QueryOp(parent=progress, op=lambda: vault.encrypt(db_target, username, password),
            success=lambda value: ended("done", value), what="encrypting the database") \
        .failure(lambda exc: ended("error", exc)).run_in_background()
    if not outcome:
        loop.exec()
    progress.close()
    progress.deleteLater()
    if "done" in outcome:
        return outcome["done"]
    exc = outcome["error"]
    assert isinstance(exc, BaseException)
    from clinic_desktop.core.errors import ClinicError

    if not isinstance(exc, ClinicError):  # the type and place only, never the message
        log_error(log, "encrypting the database failed", exc)
    QMessageBox.warning(None, "The database was not encrypted",
                        f"{error_message(exc)}\n\nNothing was changed: the database is as it was. "
                        "Sign in to carry on.")
    return None


def _encrypt(db_target: str | None, request: tuple[str, str], sheet_values: dict[str, str]) -> None:
    """After the main window closed for Encrypt…: encrypt, then show the recovery key once and
    where the plain copy was kept. On failure the reason is shown and the database is as it was."""
    from clinic_desktop.core import clock
    from clinic_desktop.gui.recovery_key_dialog import RecoveryKeyDialog
    from clinic_desktop.reports.recovery_sheet import RecoverySheet

    username, password = request
    done = _encrypt_while_showing(db_target, username, password)
    if done is None:
        return
    log.info("the database was encrypted from the window")
    sheet = RecoverySheet(recovery_key=done.recovery_key, username=username, made_at=clock.now(), **sheet_values)
    dialog = RecoveryKeyDialog(sheet)
    dialog.exec()
    dialog.deleteLater()
    QMessageBox.information(
        None, "The database is encrypted",
        f"The database is encrypted. A plain (unencrypted) copy was kept as\n{done.plain_copy}\n\n"
        "Anyone can read that copy: delete it once you have signed in to the encrypted database "
        "and checked the records.")


def run_gui(db_target: str | None = None, *, encrypt: bool = True) -> int:
    """Run the application window; returns the process exit status. ``encrypt=False``
    (``--no-encryption``): a new database is made unencrypted and nobody is offered to encrypt
    one (a clinic that encrypts its disks instead). After Encrypt… the database is encrypted
    and the sign-in window comes back, on the encrypted database. Between start and quit, people
    sign out and in on the same open database (``gui.workstation``)."""
    setup_logging()
    sys.excepthook = report_unexpected_error
    app = create_application()
    smoke_test = smoke_test_requested()
    log.info("Clinic Desktop %s starting", __version__)
    while True:
        db, user, refused = _sign_in(db_target, smoke_test=smoke_test, encrypt=encrypt)
        if refused:
            return 1
        if db is None:  # an encrypted database nobody signed in to: it was never opened
            log.info("sign-in cancelled; quitting")
            return 0
        request: tuple[str, str] | None = None
        try:
            if user is None:
                log.info("sign-in cancelled; quitting")
                return 0
            log.info("signed in: user id %s", user.id)
            from clinic_desktop.gui.workstation import Workstation

            # File → Sign out and the lock's Switch user change who is signed in; the database
            # stays open meanwhile. Cancel on the sign-in window after a sign-out quits.
            workstation = Workstation(db, encrypt=encrypt)
            workstation.closed.connect(app.quit)
            workstation.open_for(user)
            status = app.exec()
            window = workstation.window  # whoever was signed in last; None after a sign-out
            if window is not None:
                request, window.encryption_request = window.encryption_request, None
                window.deleteLater()
            if request is not None:
                from clinic_desktop.gui.recovery_key_dialog import sheet_values

                values = sheet_values(db)  # read now: the sheet is made once the database is closed
            workstation.deleteLater()
            if request is None:
                log.info("Clinic Desktop closed")
                return status
        finally:
            from clinic_desktop.core.services import audit

            audit.keep_anchor(db)  # the head this workstation saw, for verify-audit
            db.dispose()
        _encrypt(db_target, request, values)
