"""Consistent backups while the app runs, and checked restores that keep the replaced database."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem


def backup(target: str | None, out: Path) -> Path:
    """Copy the database named by ``target`` to ``out`` (SQLite online backup, or pg_dump)."""
    url = dbmod.resolve_target(target)
    out = Path(out).expanduser().resolve()
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise DatabaseProblem(f"There is no database at {source}.")
        if source == out:
            raise DatabaseProblem("The backup file must not be the database itself.")
        dbmod._check_sqlite_file(source)
        tmp = out.with_name(out.name + ".partial")
        tmp.unlink(missing_ok=True)
        dbmod.sqlite_backup(source, tmp)
        tmp.replace(out)  # a half-written backup never carries the final name
        return out
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise DatabaseProblem("pg_dump is needed to back up a PostgreSQL database; install postgresql-client.")
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    proc = subprocess.run([pg_dump, "--format=custom", f"--file={out}", plain],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DatabaseProblem(f"pg_dump failed: {proc.stderr.strip()}")
    return out


def check_backup_file(path: Path) -> str:
    """Refuse anything but a readable Clinic Desktop SQLite database this app can open; return its schema."""
    if not path.is_file():
        raise DatabaseProblem(f"There is no file {path}.")
    dbmod._check_sqlite_file(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not dbmod.OUR_TABLES <= tables or "alembic_version" not in tables:
            raise DatabaseProblem(f"{path} is not a Clinic Desktop database.")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(dbmod.alembic_config()).walk_revisions()}
    if not revision or revision[0] not in known:
        raise DatabaseProblem(f"{path} was written by a newer Clinic Desktop; install it to restore this file.")
    return revision[0]


def restore(target: str | None, source: Path) -> Path:
    """Replace the database with ``source`` after checking it; the replaced one is kept beside it.

    Returns the path of the kept copy of the replaced database.
    """
    url = dbmod.resolve_target(target)
    if url.get_backend_name() != "sqlite":
        raise DatabaseProblem("Restore PostgreSQL databases with pg_restore on the server.")
    source = Path(source).expanduser().resolve()
    check_backup_file(source)
    current = Path(url.database or "")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = current.with_name(f"{current.stem}.replaced-{stamp}.db")
    if current.exists() and current.stat().st_size > 0:
        dbmod.sqlite_backup(current, kept)
    else:
        kept = current
    # The backup API writes into the live file under SQLite's own locking, WAL included.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(current), timeout=dbmod.BUSY_TIMEOUT_MS / 1000)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return kept
