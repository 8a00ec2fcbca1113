"""Consistent backups while the app runs, and checked restores that keep the replaced database.

A backup goes wherever ``--out`` says (a USB disk, a share), so each one is also noted in
``backups.json`` in the user data folder: the database it copied (never with a password), the
file and when. :func:`latest_backup` reads that note, and the copies made before an upgrade beside
an SQLite database, for ``clinic-desktop doctor``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from clinic_desktop import paths
from clinic_desktop.core import clock, pg
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.files import fsync_folder
from clinic_desktop.core.services import audit

log = logging.getLogger(__name__)

BACKUP_RECORD = "backups.json"


@dataclass(frozen=True)
class BackupSeen:
    """The newest backup known of a database: its file, when it was made, and how."""

    path: Path
    taken_at: dt.datetime  # aware, UTC
    before_upgrade: bool  # the copy made beside the database before a schema upgrade
    present: bool  # the file is there now (a backup on a removable disk may not be)


def _read_record() -> dict:
    try:
        data = json.loads((paths.user_data_dir(create=False) / BACKUP_RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _note_backup(url: URL, out: Path) -> None:
    """Note the backup just made; a note that cannot be written never fails the backup."""
    record = _read_record()
    record[dbmod.record_key(url)] = {"path": str(out), "taken_at": clock.now().isoformat(timespec="seconds")}
    target = paths.user_data_dir() / BACKUP_RECORD
    try:
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")
        os.replace(partial, target)
    except OSError as exc:
        log.warning("could not note the backup in %s: %s", target, exc.strerror or exc)


def latest_backup(url: URL) -> BackupSeen | None:
    """The newest backup of the database at ``url`` this workstation knows of: the last one
    ``backup`` noted, or a copy made beside an SQLite database before an upgrade."""
    seen: list[BackupSeen] = []
    noted = _read_record().get(dbmod.record_key(url))
    if isinstance(noted, dict):
        try:
            when = dt.datetime.fromisoformat(noted["taken_at"])
            path = Path(noted["path"])
        except (KeyError, TypeError, ValueError):
            pass
        else:
            if when.tzinfo is not None:
                seen.append(BackupSeen(path, when.astimezone(dt.UTC), False, path.is_file()))
    if url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        try:
            copies = list(database.parent.glob(f"{database.stem}.before-*.db"))
        except OSError:
            copies = []
        for copy in copies:
            try:
                mtime = copy.stat().st_mtime
            except OSError:
                continue
            seen.append(BackupSeen(copy, dt.datetime.fromtimestamp(mtime, dt.UTC), True, True))
    return max(seen, key=lambda b: b.taken_at, default=None)


LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _is_live_file(source: Path, out: Path) -> bool:
    """Whether ``out`` is, or resolves to, the database at ``source`` or one of SQLite's files
    beside it (its -wal, -shm or -journal): by name after symlinks, and by inode (a hard link)."""
    live = [source.with_name(source.name + suffix) for suffix in LIVE_SUFFIXES]
    if out in live:
        return True
    for path in live:
        try:
            if os.path.samefile(out, path):
                return True
        except OSError:  # either one missing
            continue
    return False


def _sqlite_backup_to(source: Path, out: Path) -> None:
    """Write the copy into a new private (0600) file beside ``out``, fsync it, then rename it
    over ``out``; anything that fails on the way removes the partial file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")  # O_EXCL, 0600
    except OSError as exc:
        raise DatabaseProblem(f"Cannot write a backup in {out.parent}: {exc.strerror or exc}. "
                              "Choose a folder you can write to.") from None
    os.close(fd)
    tmp = Path(name)
    try:
        dbmod.sqlite_backup(source, tmp)
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, out)  # a half-written backup never carries the final name
    except OSError as exc:
        raise DatabaseProblem(f"The backup to {out} failed: {exc.strerror or exc}. "
                              "Nothing was left there; free some space or choose another place.") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    fsync_folder(out.parent)


def backup(target: str | None, out: Path, *, password: str | None = None) -> Path:
    """Copy the database named by ``target`` to ``out`` (SQLite online backup, or pg_dump into a
    private file; ``password``: a PostgreSQL password staff typed, see core.pg).

    An ``out`` that is, or resolves to, the database or one of its -wal, -shm or -journal files
    is refused before anything is written.
    """
    url = dbmod.resolve_target(target, create=False)
    out = Path(out).expanduser().resolve()
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise DatabaseProblem(f"No database at {source}. Check --db.")
        if _is_live_file(source, out):
            raise DatabaseProblem(f"{out} is one of the live database's own files; "
                                  "choose another file for the backup.")
        dbmod._check_sqlite_file(source)
        _sqlite_backup_to(source, out)
        _note_backup(url, out)
        return out
    # PostgreSQL: pg_dump with the connection in its arguments and the password (typed when asked,
    # or from CLINIC_DESKTOP_DB) only in its environment; else libpq's password file.
    if password is not None:
        url = url.set(password=password)
    pg.dump(url, out)
    _note_backup(url, out)
    return out


def check_backup_file(path: Path, *, named: Path | None = None) -> str:
    """Refuse anything but a sound Clinic Desktop SQLite database this app can open; return its
    schema revision. ``path`` is read in place: :func:`restore` checks a private copy instead,
    and names the file it was copied from (``named``) in its refusals.

    Sound: an SQLite file that passes the full ``PRAGMA integrity_check``; a schema revision this
    app knows, with exactly the tables, indexes, triggers and views its migrations make at that
    revision (an extra trigger is refused by name: it could change what is stored); an intact
    audit trail; at least one active administrator (an empty "hollow" file at the right version
    is not a backup). Each refusal is one line."""
    name = named or path
    if not path.is_file():
        raise DatabaseProblem(f"There is no file {name}.")
    try:
        dbmod._check_sqlite_file(path)
    except DatabaseProblem as exc:
        raise DatabaseProblem(str(exc).replace(str(path), str(name))) from None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not dbmod.OUR_TABLES <= tables or "alembic_version" not in tables:
            raise DatabaseProblem(f"{name} is not a Clinic Desktop database.")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        objects = _schema_objects(conn)
        admins = conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active").fetchone()[0]
    finally:
        conn.close()
    if not integrity or integrity[0] != "ok":
        raise DatabaseProblem(f"{name} failed its integrity check ({integrity[0] if integrity else 'no answer'}); "
                              "choose another backup.")
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(dbmod.alembic_config()).walk_revisions()}
    if not revision or revision[0] not in known:
        raise DatabaseProblem(f"{name} was written by a newer Clinic Desktop; install it to restore this file.")
    expected = expected_schema(revision[0])
    extra, missing = sorted(objects - expected), sorted(expected - objects)
    if extra or missing:
        what = [f"an extra {kind} {name!r}" for kind, name in extra] + [f"no {kind} {name!r}" for kind, name in missing]
        raise DatabaseProblem(f"{name} is not as Clinic Desktop made it: it has {', '.join(what)}; "
                              "choose another backup.")
    report = _audit_of(path)
    if not report.intact:
        raise DatabaseProblem(f"{name} has a broken audit trail ({report.problem}); choose another backup.")
    if not admins:
        raise DatabaseProblem(f"{name} has no active administrator (an empty or hollow copy); choose another backup.")
    return revision[0]


def _schema_objects(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """The file's own schema objects: (type, name) of every table, index, trigger and view."""
    return {(kind, name) for kind, name in
            conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


@functools.cache
def expected_schema(revision: str) -> frozenset[tuple[str, str]]:
    """The schema objects the app's migrations make at ``revision`` (on a scratch database)."""
    from alembic import command

    with tempfile.TemporaryDirectory(prefix="clinic-schema-") as scratch:
        engine = dbmod.create_engine_for(URL.create("sqlite+pysqlite", database=str(Path(scratch) / "schema.db")))
        try:
            cfg = dbmod.alembic_config()
            with engine.begin() as connection:
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
        finally:
            engine.dispose()
        made = sqlite3.connect(Path(scratch) / "schema.db")
        try:
            return frozenset(_schema_objects(made))
        finally:
            made.close()


def _audit_of(path: Path) -> audit.ChainReport:
    """The audit chain of the database file ``path`` (its audit tables are as 0001 made them)."""
    url = URL.create("sqlite+pysqlite", database=str(path))
    engine = dbmod.create_engine_for(url)
    try:
        return audit.verify_chain(dbmod._database(url, engine, None))
    finally:
        engine.dispose()


def _private_copy(source: Path, folder: Path) -> Path:
    """``source`` (and its ``-wal``, which holds its latest commits) copied into ``folder``, so
    that checking and reading it never writes beside the source."""
    copy = folder / "restore.db"
    shutil.copyfile(source, copy)
    wal = source.with_name(source.name + "-wal")
    if wal.is_file():
        shutil.copyfile(wal, folder / "restore.db-wal")
    return copy


def restore(target: str | None, source: Path, *, password: str | None = None) -> Path | None:
    """Replace the database with ``source`` after checking it; the replaced one is kept beside it.

    Returns the path of the kept copy of the replaced database. A PostgreSQL backup (pg_dump) is
    restored only into an empty database, and checked the same way (core.services.pg_backup);
    nothing is replaced then, and None is returned.
    """
    url = dbmod.resolve_target(target)
    if url.get_backend_name() != "sqlite":
        from clinic_desktop.core.services import pg_backup

        pg_backup.restore(url.set(password=password) if password is not None else url, source)
        return None
    source = Path(source).expanduser().resolve()
    if not source.is_file():
        raise DatabaseProblem(f"There is no file {source}.")
    current = Path(url.database or "")
    # Checked and read from a private copy: nothing is ever written beside the source, and what
    # was checked is exactly what is restored. The live database is untouched until it passes.
    with tempfile.TemporaryDirectory(prefix="clinic-restore-") as folder:
        copy = _private_copy(source, Path(folder))
        check_backup_file(copy, named=source)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = current.with_name(f"{current.stem}.replaced-{stamp}.db")
        if current.exists() and current.stat().st_size > 0:
            dbmod.sqlite_backup(current, kept)
        else:
            kept = current
        # The backup API writes into the live file under SQLite's own locking, WAL included.
        src = sqlite3.connect(str(copy))
        try:
            dst = sqlite3.connect(str(current), timeout=dbmod.BUSY_TIMEOUT_MS / 1000)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    return kept
