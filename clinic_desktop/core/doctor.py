"""Is this workstation fit to run the clinic? The checks of ``clinic-desktop doctor`` and
Help → Check installation that need no Qt.

Each check returns a :class:`Check`: what was looked at, whether it passed, what was found and
what to do. ``clinic_desktop.doctor`` adds the checks that need Qt or the PDF fonts and runs them
all in the order support reads them.

Support starts from this output, so a check reports versions, paths, sizes and counts only:
never a patient's name or identifiers, never a database password. The checks only look: they
open the database read-only and change nothing (the log folder check writes and removes one
empty temporary file).
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from clinic_desktop import __version__, paths
from clinic_desktop.core import clock
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem

#: The oldest Python the app runs on (``requires-python`` in pyproject.toml says the same).
MINIMUM_PYTHON = (3, 11)
#: How long a PostgreSQL server may take to answer before it counts as unreachable.
PG_TIMEOUT_S = 5

OK_MARK, FAIL_MARK, FIX_ARROW = "✓", "✗", "→"
ASCII_MARKS = {OK_MARK: "[ok]", FAIL_MARK: "[FAIL]", FIX_ARROW: "->"}


@dataclass(frozen=True)
class Check:
    """One line of the report. ``fix`` says what to do about a failure, or gives advice on a pass."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self, *, ascii_only: bool = False) -> str:
        mark = OK_MARK if self.ok else FAIL_MARK
        text = f"{mark} {self.name}: {self.detail}"
        if self.fix:
            text = f"{text} {FIX_ARROW} {self.fix}"
        if ascii_only:
            for sign, plain in ASCII_MARKS.items():
                text = text.replace(sign, plain)
        return text


def header() -> str:
    import platform

    system = platform.platform()
    if platform.machine() and platform.machine() not in system:
        system = f"{system} ({platform.machine()})"
    return f"Clinic Desktop {__version__} on {system}"


def summary(checks: Sequence[Check]) -> str:
    failed = sum(not c.ok for c in checks)
    if not failed:
        return f"All {len(checks)} checks passed."
    return f"{failed} of {len(checks)} checks failed: see the {FAIL_MARK} lines for what to do."


def report(checks: Sequence[Check], *, ascii_only: bool = False) -> str:
    """The whole report as printed and copied for support: header, one line per check, summary."""
    lines = [header(), *(c.line(ascii_only=ascii_only) for c in checks), summary(checks)]
    text = "\n".join(lines)
    if ascii_only:
        for sign, plain in ASCII_MARKS.items():
            text = text.replace(sign, plain)
    return text


def all_passed(checks: Iterable[Check]) -> bool:
    return all(c.ok for c in checks)


# --- the checks ------------------------------------------------------------------------------
def check_python(version: Sequence[int] | None = None, executable: str | None = None) -> Check:
    version = tuple(version if version is not None else sys.version_info[:3])
    shown = ".".join(map(str, version))
    where = executable if executable is not None else sys.executable
    if version[:2] < MINIMUM_PYTHON:
        need = ".".join(map(str, MINIMUM_PYTHON))
        return Check("Python", False, f"{shown} ({where})", f"Install Python {need} or newer and reinstall "
                     "Clinic Desktop with it (make install).")
    return Check("Python", True, f"{shown} ({where})")


def check_log_folder(folder: Path | None = None) -> Check:
    """The log folder exists (or can be made) and this account can write in it."""
    name = "Log folder"
    folder = folder if folder is not None else paths.user_log_dir(create=False)
    fix = (f"Give this account write access to {folder}, or set CLINIC_DESKTOP_DATA_DIR to a "
           "writable folder.")
    # A folder not made yet: the app makes it at its first start, in the nearest one there.
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "a file is in the way", str(existing))
        with tempfile.TemporaryFile(dir=existing, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(name, False, f"{folder} is not writable ({exc.strerror or exc.__class__.__name__})", fix)
    if existing != folder:
        return Check(name, True, f"{folder} can be created (the first start makes it)")
    from clinic_desktop.logs import LOG_FILE_NAME

    log_file = folder / LOG_FILE_NAME
    if log_file.exists() and not os.access(log_file, os.W_OK):
        return Check(name, False, f"{log_file} is not writable", fix)
    return Check(name, True, f"{folder} is writable")


def check_private_folder(name: str, folder: Path) -> Check:
    """On POSIX, the folder holding health records lets no other account in (mode 700)."""
    if os.name != "posix":
        return Check(name, True, f"{folder} (access is set by the folder's Windows permissions; not checked)")
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError as exc:
        return Check(name, False, f"{folder} cannot be looked at ({exc.strerror or exc.__class__.__name__})",
                     f"Check that {folder} exists and this account can open it.")
    if mode & 0o077:
        who = " and ".join(w for w, bits in (("group", 0o070), ("others", 0o007)) if mode & bits)
        return Check(name, False,
                     f"{folder} is open to {who} (mode {mode:03o}); it holds health records",
                     f"chmod 700 {shlex.quote(str(folder))}")
    return Check(name, True, f"{folder} is private to this account (mode {mode:03o})")


def _size(n_bytes: int) -> str:
    size = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _schema_check(current: str | None, tables: set[str]) -> Check:
    name = "Database schema"
    if current == dbmod.SCHEMA_HEAD:
        return Check(name, True, f"{current} (current)")
    if current is None:
        if tables - {"alembic_version"}:
            return Check(name, False, "the database holds tables but is not a Clinic Desktop database",
                         "Give the clinic's database with --db or CLINIC_DESKTOP_DB.")
        return Check(name, True, f"none yet: the first start creates it ({dbmod.SCHEMA_HEAD})")
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(dbmod.alembic_config()).walk_revisions()}
    if current in known:
        return Check(name, True, f"{current}; the next start upgrades it to {dbmod.SCHEMA_HEAD}, "
                     "after a backup beside it")
    return Check(name, False, f"{current}, written by a newer Clinic Desktop (this is {__version__}, "
                 f"schema {dbmod.SCHEMA_HEAD})", "Install the newer Clinic Desktop that wrote it.")


def _counts(execute, tables: set[str]) -> str:
    """``N patients, N user accounts`` (numbers only: no identifiers leave the database)."""
    return ", ".join(_plural(int(execute(f"SELECT count(*) FROM {table}")), word)
                     for table, word in (("patients", "patient"), ("users", "user account"))
                     if table in tables)


def _sqlite_checks(path: Path) -> list[Check]:
    name = "Database"
    where = "Give the clinic's database file with --db or CLINIC_DESKTOP_DB."
    if not path.exists():
        return [Check(name, False, f"no database at {path}",
                      "Start Clinic Desktop once to create it, or " + where[0].lower() + where[1:])]
    if not path.is_file():
        return [Check(name, False, f"{path} is not a file", where)]
    if not os.access(path, os.R_OK | os.W_OK):
        return [Check(name, False, f"{path} cannot be read and written by this account",
                      f"Give this account read and write access to {path}.")]
    size = path.stat().st_size
    if size == 0:
        return [Check(name, True, f"{path} (SQLite, empty: the first start sets it up)")]
    if dbmod.is_encrypted(path):
        return _encrypted_checks(path, size)
    try:
        dbmod._check_sqlite_file(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            current = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                current = row[0] if row else None
            counts = _counts(lambda sql: conn.execute(sql).fetchone()[0], tables)
        finally:
            conn.close()
    except DatabaseProblem as exc:
        return [Check(name, False, str(exc).split(". ")[0],
                      "Restore the last good backup: clinic-desktop restore --from FILE.")]
    except sqlite3.Error as exc:
        return [Check(name, False, f"{path} cannot be read ({exc.__class__.__name__}: {exc})",
                      "Restore the last good backup: clinic-desktop restore --from FILE.")]
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        size += wal.stat().st_size
    detail = ", ".join(p for p in ("SQLite", _size(size), counts) if p)
    return [Check(name, True, f"{path} ({detail})"), _schema_check(current, tables),
            Check("Encryption", True, "not encrypted",
                  "An administrator can encrypt it (clinic-desktop encrypt --user NAME), unless the "
                  "disk itself is encrypted (BitLocker, FileVault, LUKS).")]


def _encrypted_checks(path: Path, size: int) -> list[Check]:
    """An encrypted database is not read without a key: its size and its key file are checked."""
    from clinic_desktop.core import keys

    key_path = keys.key_file_for(path)
    try:
        key_file = keys.KeyFile.load(key_path)
    except DatabaseProblem as exc:
        return [Check("Database", False, str(exc), "Restore the key file from the backup it came with.")]
    accounts = sum(1 for name in key_file.wraps if key_file.has(name))
    recovery = keys.RECOVERY in key_file.wraps
    waiting = f"; {len(key_file.failures)} failed sign-ins wait for the audit trail" if key_file.failures else ""
    return [Check("Database", True, f"{path} (SQLite, {_size(size)}, encrypted: not read without a key)"),
            Check("Encryption", recovery,
                  f"SQLCipher 4 (AES-256); key file {key_path.name} opens with {accounts} "
                  f"account(s){' and the recovery key' if recovery else ', without a recovery key'}{waiting}",
                  "" if recovery else "Sign in as an administrator and make a new recovery key.")]


def _pg_where(url: URL) -> str:
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"{url.database} on {user}{host}{port}"


def _postgres_checks(url: URL) -> list[Check]:
    name = "PostgreSQL server"
    where = _pg_where(url)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return [Check(name, False, "the PostgreSQL driver (psycopg) is not installed",
                      "pip install 'psycopg[binary]' in Clinic Desktop's environment.")]
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url, hide_parameters=True, connect_args={"connect_timeout": PG_TIMEOUT_S})
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0
            tables = set(inspect(conn).get_table_names())
            current = None
            if "alembic_version" in tables:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = _counts(lambda sql: conn.execute(text(sql)).scalar(), tables)
            ssl = conn.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
            conn.rollback()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return [Check(name, False, f"{where} cannot be reached ({reason[0] if reason else exc.__class__.__name__})",
                      "Check that the server is running and lets this workstation in (host, port, "
                      "pg_hba.conf, firewall), and the URL given with --db or CLINIC_DESKTOP_DB.")]
    finally:
        engine.dispose()
    detail = ", ".join(p for p in (_size(int(size)), counts) if p)
    return [Check(name, True, f"{where} answers (PostgreSQL {str(version).split()[0]})"),
            Check("Database", True, f"{url.database} (PostgreSQL, {detail})"),
            _schema_check(current, tables),
            Check("Encryption", True,
                  f"not encrypted by Clinic Desktop; the connection {'uses' if ssl else 'does not use'} SSL",
                  "" if ssl else "Use sslmode=require in the URL when the server is not on this computer.")]


def _backup_check(url: URL) -> Check:
    from clinic_desktop.core.services.backup import latest_backup

    name = "Last backup"
    advice = "clinic-desktop backup --out FILE (on another disk), every day the clinic is open."
    seen = latest_backup(url)
    if seen is None:
        return Check(name, True, "none made from this workstation", advice)
    when = clock.local(seen.taken_at).strftime("%Y-%m-%d %H:%M")
    days = (clock.now() - seen.taken_at) // dt.timedelta(days=1)
    age = "today" if days <= 0 else ("yesterday" if days == 1 else f"{days} days ago")
    how = " before a schema upgrade" if seen.before_upgrade else ""
    there = "" if seen.present else " (not there now: on a removable disk?)"
    return Check(name, True, f"{when} ({age}){how}, {seen.path}{there}", advice if days > 1 else "")


def check_database(target: str | os.PathLike[str] | URL | None = None) -> list[Check]:
    """The database opens (read-only), its schema against this app's, whether it is encrypted,
    its size and counts, and the newest backup known; a PostgreSQL server is reached first."""
    if isinstance(target, URL):
        url = target
    else:
        try:
            url = dbmod.resolve_target(target, create=False)
        except Exception as exc:  # noqa: BLE001 - a malformed URL
            return [Check("Database", False, f"the database given cannot be understood ({exc.__class__.__name__})",
                          "Give a file path or a URL like postgresql+psycopg://user@server/clinic.")]
    if url.get_backend_name() == "sqlite":
        checks = _sqlite_checks(Path(url.database or ""))
    elif url.get_backend_name() == "postgresql":
        checks = _postgres_checks(url)
    else:
        return [Check("Database", False, f"{url.get_backend_name()} databases are not supported",
                      "Use an SQLite file or a PostgreSQL URL (postgresql+psycopg://user@server/clinic).")]
    if all_passed(checks) and any(c.name == "Database schema" for c in checks):
        checks.append(_backup_check(url))
    return checks


def check_folders(target: str | os.PathLike[str] | URL | None = None) -> list[Check]:
    """The data folder (and an SQLite database's own folder, when elsewhere) is private."""
    data = paths.user_data_dir(create=False)
    checks = [check_private_folder("Data folder", data) if data.exists()
              else Check("Data folder", True, f"{data} (not created yet)")]
    try:
        url = target if isinstance(target, URL) else dbmod.resolve_target(target, create=False)
    except Exception:  # noqa: BLE001 - reported by check_database
        return checks
    if url.get_backend_name() == "sqlite" and url.database:
        folder = Path(url.database).parent
        if folder.exists() and folder.resolve() != data.resolve():
            checks.append(check_private_folder("Database folder", folder))
    return checks


def run_checks(target: str | os.PathLike[str] | URL | None = None, *,
               environment: Iterable[Check] = ()) -> list[Check]:
    """Every check, in the order support reads them: Python, then ``environment`` (Qt, fonts:
    checks made outside core), the database, the log folder and the folders' permissions."""
    return [check_python(), *environment, *check_database(target), check_log_folder(),
            *check_folders(target)]
