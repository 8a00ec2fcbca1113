"""Consistent backups while the app runs, and checked restores that keep the replaced database.

A backup goes wherever ``--out`` says (a USB disk, a share), so each one is also noted in
``backups.json`` in the user data folder: the database it copied (never with a password), the
file and when. :func:`latest_backup` reads that note, and the copies made before an upgrade beside
an SQLite database, for ``clinic-desktop doctor``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from clinic_desktop import paths
from clinic_desktop.core import clock, keys, pg
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import ClinicError, DatabaseProblem
from clinic_desktop.core.files import fsync_folder, write_private
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


def _note_backup(url: URL, out: Path | None, *, verified: bool = False, problem: str = "",
                 when: dt.datetime | None = None) -> None:
    """Note the backup just made; a note that cannot be written never fails the backup.

    Each database's entry keeps ``path`` and ``taken_at`` of the newest backup of any kind (what
    :func:`latest_backup` and ``doctor`` read, as before) and, from :func:`backup_to_folder`,
    ``verified_path`` and ``verified_at`` of the newest copy that passed its check, and ``failed``
    (``at`` and the one-line ``problem``) when the last attempt since then failed (``out`` None).
    Entries written before these keys existed read as having no verified backup."""
    record = _read_record()
    key = dbmod.record_key(url)
    old = record.get(key)
    entry = dict(old) if isinstance(old, dict) else {}
    at = (when or clock.now()).astimezone(dt.UTC).isoformat(timespec="seconds")
    if problem:
        entry["failed"] = {"at": at, "problem": problem}
    else:
        assert out is not None
        entry.update(path=str(out), taken_at=at, verified=verified)
        if verified:
            entry.update(verified_path=str(out), verified_at=at)
            entry.pop("failed", None)
    record[key] = entry
    target = paths.user_data_dir() / BACKUP_RECORD
    try:
        write_private(target, json.dumps(record, indent=1, sort_keys=True).encode("utf-8"))
    except (OSError, ClinicError) as exc:
        log.warning("could not note the backup in %s: %s", target, getattr(exc, "strerror", None) or exc)


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


LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal", keys.SUFFIX)


def _is_live_file(source: Path, out: Path) -> bool:
    """Whether ``out`` is, or resolves to, the database at ``source`` or one of the files beside it
    (SQLite's -wal, -shm or -journal, its key file): by name after symlinks, and by inode (a hard
    link)."""
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


def _sqlite_backup_to(source: Path, out: Path, key: bytes | None = None) -> None:
    """Write the copy into a new private (0600) file beside ``out``, fsync it, then rename it
    over ``out``; anything that fails on the way removes the partial file. An encrypted database
    is copied encrypted (``key``), and its key file beside the copy (``<out>.keys``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")  # O_EXCL, 0600
    except OSError as exc:
        raise DatabaseProblem(f"Cannot write a backup in {out.parent}: {exc.strerror or exc}. "
                              "Choose a folder you can write to.") from None
    os.close(fd)
    tmp = Path(name)
    key_copy = keys.key_file_for(out)
    key_copy_was_there = key_copy.exists()
    try:
        dbmod.sqlite_backup(source, tmp, key)
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        if key is not None:  # the key file first: an encrypted copy without it opens nothing
            write_private(key_copy, keys.key_file_for(source).read_bytes())
        os.replace(tmp, out)  # a half-written backup never carries the final name
    except (OSError, sqlite3.Error, dbmod._database_error(key)) as exc:  # "database or disk is full"
        if key is not None and not key_copy_was_there:
            key_copy.unlink(missing_ok=True)
        raise DatabaseProblem(f"The backup to {out} failed: {_reason(exc)}. "
                              f"Nothing was left there; {_write_advice(exc)}.") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    fsync_folder(out.parent)


def check_out(target: str | None, out: Path) -> Path:
    """``out`` resolved, once it is known not to be the SQLite database's own file or one beside it
    (refused before anything is opened or written), and the database known to be there."""
    url = dbmod.resolve_target(target, create=False)
    out = Path(out).expanduser().resolve()
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if not source.exists():
            raise DatabaseProblem(f"No database at {source}. Check --db.")
        if _is_live_file(source, out):
            raise DatabaseProblem(f"{out} is one of the live database's own files; "
                                  "choose another file for the backup.")
    return out


def backup(target: str | None, out: Path, *, key: bytes | None = None, password: str | None = None) -> Path:
    """Copy the database named by ``target`` to ``out`` (SQLite online backup, or pg_dump into a
    private file; ``password``: a PostgreSQL password staff typed, see core.pg).
    An encrypted database needs its ``key`` (from a signed-in :class:`Database`): the copy is
    encrypted with it and its key file written beside the copy, so that it restores with a staff
    password or the recovery key.

    An ``out`` that is, or resolves to, the database or one of its -wal, -shm, -journal or key
    files is refused before anything is written.
    """
    url = dbmod.resolve_target(target, create=False)
    out = check_out(target, out)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        dbmod._check_sqlite_file(source, key)
        key = key if dbmod.is_encrypted(source) else None
        _sqlite_backup_to(source, out, key)
        write_manifest(out, url, key=key)
        _note_backup(url, out)
        return out
    # PostgreSQL: pg_dump with the connection in its arguments and the password (typed when asked,
    # or from CLINIC_DESKTOP_DB) only in its environment; else libpq's password file.
    if password is not None:
        url = url.set(password=password)
    pg.dump(url, out)
    _note_backup(url, out)
    return out


def check_backup_file(path: Path, *, named: Path | None = None, key: bytes | None = None) -> str:
    """Refuse anything but a sound Clinic Desktop SQLite database this app can open; return its
    schema revision. ``path`` is read in place: :func:`restore` checks a private copy instead,
    and names the file it was copied from (``named``) in its refusals.

    Sound: an SQLite file that passes the full ``PRAGMA integrity_check``; a schema revision this
    app knows, with exactly the tables, indexes, triggers and views its migrations make at that
    revision (an extra trigger is refused by name: it could change what is stored); an intact
    audit trail; at least one active administrator (an empty "hollow" file at the right version
    is not a backup). Each refusal is one line. An encrypted file is read with ``key``."""
    name = named or path
    if not path.is_file():
        raise DatabaseProblem(f"There is no file {name}.")
    try:
        dbmod._check_sqlite_file(path, key)
    except DatabaseProblem as exc:
        raise DatabaseProblem(str(exc).replace(str(path), str(name))) from None
    if not dbmod.is_encrypted(path):
        key = None
    conn = dbmod.connect_file(path, key, read_only=True)
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
    report = audit_of(path, key)
    if not report.intact:
        raise DatabaseProblem(f"{name} has a broken audit trail ({report.problem}); choose another backup.")
    if not admins:
        raise DatabaseProblem(f"{name} has no active administrator (an empty or hollow copy); choose another backup.")
    return revision[0]


def _schema_objects(conn: Any) -> set[tuple[str, str]]:
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


@contextlib.contextmanager
def _reading(path: Path, key: bytes | None = None) -> Iterator[dbmod.Database]:
    """The database file ``path`` opened read-only (with ``key`` if it is encrypted), without the
    app's connection settings (they would turn the file to WAL mode and write -wal and -shm beside
    it): reading a file never changes it."""
    from sqlalchemy import create_engine

    url = URL.create("sqlite+pysqlite", database=str(path))
    engine = create_engine(url, hide_parameters=True, creator=lambda: dbmod.connect_file(path, key, read_only=True),
                           **({"module": dbmod._sqlcipher()} if key is not None else {}))
    database = dbmod._database(url, engine, None, key)
    try:
        yield database
    finally:
        database.dispose()


def audit_of(path: Path, key: bytes | None = None) -> audit.ChainReport:
    """The audit chain of the database file ``path`` (its audit tables are as 0001 made them),
    read with ``key`` if it is encrypted."""
    with _reading(path, key) as database:
        return audit.verify_chain(database)


def _private_copy(source: Path, folder: Path) -> Path:
    """``source`` (and its ``-wal``, which holds its latest commits, and its key file) copied into
    ``folder``, so that checking and reading it never writes beside the source."""
    copy = folder / "restore.db"
    shutil.copyfile(source, copy)
    for suffix in ("-wal", keys.SUFFIX):
        beside = source.with_name(source.name + suffix)
        if beside.is_file():
            shutil.copyfile(beside, folder / f"restore.db{suffix}")
    return copy


#: Given a backup's key file, its data key (a staff password or the recovery key unwraps it).
Unlocker = Callable[[keys.KeyFile], bytes]


def restore(target: str | None, source: Path, *, unlock: Unlocker | None = None,
            password: str | None = None) -> Path | None:
    """Replace the database with ``source`` after checking it; the replaced one is kept beside it.
    An encrypted backup is opened with ``unlock`` and restored with its key file; it replaces a
    plain database, or one encrypted with the same key.

    Returns the path of the kept copy of the replaced database. A PostgreSQL backup (pg_dump) is
    restored only into an empty database, and checked the same way (core.services.pg_backup);
    nothing is replaced then, and None is returned.
    """
    url = dbmod.resolve_target(target)
    if url.get_backend_name() != "sqlite":
        from clinic_desktop.core.services import pg_backup

        pg_backup.restore(url.set(password=password) if password is not None else url, source)
        _record_restore(target, None, password, {"from": Path(source).name, "into": "an empty database"})
        return None
    source = Path(source).expanduser().resolve()
    if not source.is_file():
        raise DatabaseProblem(f"There is no file {source}.")
    current = Path(url.database or "")
    # Checked and read from a private copy: nothing is ever written beside the source, and what
    # was checked is exactly what is restored. The live database is untouched until it passes.
    with tempfile.TemporaryDirectory(prefix="clinic-restore-") as folder:
        copy = _private_copy(source, Path(folder))
        key = None
        if dbmod.is_encrypted(copy):
            if unlock is None:
                raise DatabaseProblem(f"{source} is encrypted: restore it as a staff member (--user NAME) "
                                      "or with the recovery key (--recovery-key-stdin).")
            key = unlock(keys.KeyFile.load(keys.key_file_for(copy)))
        check_backup_file(copy, named=source, key=key)
        live_encrypted = current.exists() and dbmod.is_encrypted(current)
        if live_encrypted and key is None:
            raise DatabaseProblem(f"{source} is not encrypted and {current} is: restore it to another path "
                                  "(--db) and encrypt that (clinic-desktop encrypt). Nothing was replaced.")
        if live_encrypted:
            try:
                dbmod._check_sqlite_file(current, key)
            except DatabaseProblem:
                raise DatabaseProblem(
                    f"{current} is encrypted with another key than {source}: move it away first "
                    "(it was left untouched), then restore.") from None
        replaced_head = _head_of(current, key if live_encrypted else None)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = current.with_name(f"{current.stem}.replaced-{stamp}.db")
        if current.exists() and current.stat().st_size > 0:
            dbmod.sqlite_backup(current, kept, key if live_encrypted else None)
            if live_encrypted:
                write_private(keys.key_file_for(kept), keys.key_file_for(current).read_bytes())
        else:
            kept = current
        if live_encrypted or key is None:
            # Same key (or none): the backup API writes into the live file under SQLite's own
            # locking, WAL included.
            src = dbmod.connect_file(copy, key)
            try:
                dst = dbmod.connect_file(current, key)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        else:
            _put_encrypted_in_place(copy, current, key)
    _record_restore(str(current), key, None, {
        "from": source.name, "kept": None if kept == current else kept.name,
        "replaced_head": None if replaced_head is None else {"sequence": replaced_head[0], "hash": replaced_head[1]}})
    return kept


def _head_of(path: Path, key: bytes | None) -> tuple[int, str] | None:
    """The audit head of the database file about to be replaced, for the restore's event; None when
    there is none or it cannot be read (a damaged database is what a restore is often for)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        with _reading(path, key) as database:
            return audit._head(database)
    except Exception:  # unreadable: the restore goes on, the event says nothing was read
        log.warning("could not read the audit head of the database being replaced", exc_info=True)
        return None


def _record_restore(target: str | None, key: bytes | None, password: str | None, detail: dict) -> None:
    """Open the restored database as the app does (upgrading a backup from an older version) and
    record the restore in its trail, which also sets this workstation's anchor to it."""
    restored = dbmod.open_database(target, create=False, key=key, password=password)
    try:
        audit.record_restore(restored, None, detail)
    finally:
        restored.dispose()


def _put_encrypted_in_place(copy: Path, current: Path, key: bytes) -> None:
    """An encrypted backup replaces a plain database (or takes a missing one's place): written
    whole beside it, then its key file, then renamed over it. The database must not be open."""
    staged = current.with_name(f".{current.name}.restoring")
    try:
        dbmod.sqlite_backup(copy, staged, key)
        write_private(keys.key_file_for(current), keys.key_file_for(copy).read_bytes())
        for suffix in ("-wal", "-shm"):
            current.with_name(current.name + suffix).unlink(missing_ok=True)
        os.replace(staged, current)
    finally:
        staged.unlink(missing_ok=True)
    fsync_folder(current.parent)


# --- backups into a folder, on a schedule, each with a manifest (issue #17 item 4) --------------

#: Our backups in a backup folder: ``clinic-YYYYmmdd-HHMMSS.db``, the time in UTC (so the names
#: sort in the order they were taken, across daylight-saving changes), then ``-2``, ``-3``… when
#: that name is already taken. Only files named so are ever pruned.
FOLDER_BACKUP = re.compile(r"clinic-(\d{8})-(\d{6})(?:-(\d{1,3}))?\.db")
#: Beside every backup: ``<file>.manifest.json``.
MANIFEST_SUFFIX = ".manifest.json"
#: The status bar turns amber when the last verified backup is older than this, red older than
#: RED_AFTER (or when the last attempt failed, or there is none).
AMBER_AFTER = dt.timedelta(hours=24)
RED_AFTER = dt.timedelta(hours=72)
#: After a failed attempt the app waits this long before the next (a drive left out is not
#: tried every minute).
RETRY_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class FolderBackup:
    """A verified backup written by :func:`backup_to_folder`, and the older ones it pruned."""

    path: Path
    manifest: Path
    taken_at: dt.datetime  # aware, UTC
    revision: str
    pruned: tuple[Path, ...]


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or " ".join(str(exc).split()) or type(exc).__name__


def _write_advice(exc: BaseException) -> str:
    """What to do when writing a backup failed with ``exc``."""
    said = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "disk is full" in said:
        return "free some space there (or keep fewer backups) or choose another place"
    if code == errno.EROFS or "read-only" in said or "readonly" in said:
        return "that disk or folder is read-only: make it writable or choose another place"
    if isinstance(exc, PermissionError):
        return "this account may not write there: ask an administrator for access or choose another place"
    return "choose another place"


def _folder_problem(folder: Path, exc: BaseException | None = None) -> DatabaseProblem:
    """One line: why no backup can be written in ``folder`` (``exc``: what writing there raised),
    and what to do."""
    untouched = "The database is untouched."
    if folder.exists() and not folder.is_dir():
        return DatabaseProblem(f"The backup folder {folder} is a file, not a folder: choose a folder "
                               f"in Admin › Clinic settings. {untouched}")
    if not folder.exists():
        return DatabaseProblem(f"The backup folder {folder} is not there: plug in the backup drive or "
                               f"connect the share, or choose another folder. {untouched}")
    if exc is None or isinstance(exc, PermissionError):
        return DatabaseProblem(f"This account may not write in the backup folder {folder}: ask an "
                               f"administrator for access, or choose another folder. {untouched}")
    return DatabaseProblem(f"No backup could be written in {folder}: {_reason(exc)}; {_write_advice(exc)}. "
                           f"{untouched}")


def manifest_path(backup_file: Path) -> Path:
    """The manifest beside ``backup_file``."""
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def _copy_hashing(source: Path, copy: Path) -> tuple[int, str]:
    """Copy ``source`` to ``copy``; the size and SHA-256 of what was read."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, copy.open("wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return size, digest.hexdigest()


@dataclass(frozen=True)
class _CopyFacts:
    size: int
    sha256: str
    revision: str
    head: tuple[int, str] | None
    encrypted: bool


def _read_back(out: Path, *, check: bool, key: bytes | None = None) -> _CopyFacts:
    """Read the backup ``out`` back into a private temporary folder (nothing is written beside
    it, not even a -wal) and take its size, SHA-256, schema revision and audit head from that copy
    (an encrypted one with ``key``, its key file copied beside it); with ``check``, the copy must
    first pass :func:`check_backup_file` (DatabaseProblem if not). What is checked is exactly the
    bytes that lie in ``out``."""
    from sqlalchemy import text

    with tempfile.TemporaryDirectory(prefix="clinic-backup-check-") as folder:
        copy = Path(folder) / "check.db"
        try:
            size, sha256 = _copy_hashing(out, copy)
            if keys.key_file_for(out).is_file():
                shutil.copyfile(keys.key_file_for(out), keys.key_file_for(copy))
        except OSError as exc:
            raise DatabaseProblem(f"The backup {out} could not be read back: {_reason(exc)}.") from None
        key = key if dbmod.is_encrypted(copy) else None
        revision = check_backup_file(copy, named=out, key=key) if check else ""
        with _reading(copy, key) as database:
            head = audit._head(database)
            if not revision:
                with database.read() as session:
                    revision = str(session.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")
    return _CopyFacts(size, sha256, revision, head, key is not None)


def write_manifest(out: Path, url: URL, *, taken_at: dt.datetime | None = None, facts: _CopyFacts | None = None,
                   key: bytes | None = None) -> Path:
    """Write ``<out>.manifest.json`` (0600, whole or not at all) beside the backup ``out`` of the
    database at ``url``: which database (as :func:`record_key` names it), when it was taken (UTC),
    its schema revision, this app's version, the file's size and SHA-256 (of the file as it lies
    there, encrypted or not), whether it is encrypted, and the audit chain's head (sequence and
    hash) in it (read with ``key`` when encrypted) — an anchor verify-audit compares the live trail
    with (:func:`manifest_anchors`). Returns the manifest's path."""
    from clinic_desktop import __version__

    if facts is None:
        facts = _read_back(out, check=False, key=key)
    manifest = {
        "database": dbmod.record_key(url),
        "file": out.name,
        "taken_at": (taken_at or clock.now()).astimezone(dt.UTC).isoformat(timespec="seconds"),
        "schema_revision": facts.revision,
        "app_version": __version__,
        "size_bytes": facts.size,
        "sha256": facts.sha256,
        "encrypted": facts.encrypted,
        "audit_head": None if facts.head is None else {"sequence": facts.head[0], "hash": facts.head[1]},
    }
    target = manifest_path(out)
    try:
        write_private(target, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    except (OSError, ClinicError) as exc:
        raise DatabaseProblem(f"The backup {out} was written but not its manifest: {_reason(exc)}; "
                              f"{_write_advice(exc)}.") from None
    return target


def manifest_anchors(folder: Path, url: URL) -> list[audit.Anchor]:
    """The audit heads the manifests of our backups in ``folder`` recorded for the database at
    ``url`` (a manifest naming another database is not its; one from before manifests named their
    database is taken as this one's, since the folder is this database's), newest first. A
    manifest that cannot be read, or has no head, is no anchor."""
    mine = dbmod.record_key(url)
    found: list[audit.Anchor] = []
    for backup_file in folder_backups(folder):
        manifest = manifest_path(backup_file)
        try:
            data = json.loads(manifest.read_text("utf-8"))
            head = data["audit_head"]
            if data.get("database", mine) != mine or head is None:
                continue
            found.append(audit.Anchor(int(head["sequence"]), str(head["hash"]), str(data["taken_at"]),
                                      f"the backup {backup_file} (its manifest)"))
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("could not read the backup manifest %s", manifest.name)
    return found


def _reserve_name(folder: Path, when: dt.datetime) -> Path:
    """A new, empty, private file named for ``when`` (UTC) in ``folder``, created exclusively, so
    that two backups in one second (or from two processes) never share a name."""
    stem = f"clinic-{when.astimezone(dt.UTC):%Y%m%d-%H%M%S}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for n in range(1, 1000):
        path = folder / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")
        try:
            os.close(os.open(path, flags, 0o600))
        except FileExistsError:
            continue
        except OSError as exc:
            raise _folder_problem(folder, exc) from None
        return path
    raise DatabaseProblem(f"The backup folder {folder} already holds 999 backups named for this second; "
                          "try again in a second.")


def folder_backups(folder: Path) -> list[Path]:
    """Our backups in ``folder`` (regular files named like FOLDER_BACKUP, never a link), newest first."""
    found: list[tuple[tuple[str, str, int], Path]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            match = FOLDER_BACKUP.fullmatch(entry.name)
            if match and entry.is_file(follow_symlinks=False):
                found.append(((match[1], match[2], int(match[3] or 1)), Path(entry.path)))
    return [path for _key, path in sorted(found, reverse=True)]


def _prune(folder: Path, keep: int, newest: Path) -> tuple[Path, ...]:
    """Remove all but ``newest`` and the next ``keep - 1`` newest of our backups (with their
    manifests and key files). A file that cannot be removed is logged and left; pruning never fails a backup."""
    try:
        others = [path for path in folder_backups(folder) if path != newest]
    except OSError as exc:
        log.warning("could not list the backup folder to prune it: %s", _reason(exc))
        return ()
    pruned: list[Path] = []
    for old in others[keep - 1:]:
        try:
            old.unlink()
        except FileNotFoundError:  # pruned by another process meanwhile
            continue
        except OSError as exc:
            log.warning("could not remove the old backup %s: %s", old.name, _reason(exc))
            continue
        for beside in (manifest_path(old), keys.key_file_for(old)):
            try:
                beside.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove %s of an old backup: %s", beside.name, _reason(exc))
        pruned.append(old)
    if pruned:
        fsync_folder(folder)
    return tuple(pruned)


def backup_to_folder(target: str | None, folder: str | os.PathLike[str], keep: int, *,
                     key: bytes | None = None) -> FolderBackup:
    """Back the SQLite database named by ``target`` up into ``folder`` as
    ``clinic-YYYYmmdd-HHMMSS.db`` (UTC), verify the copy, write its manifest, then keep only the
    newest ``keep`` (≥ 1) of our backups there.

    The copy is written like :func:`backup` (private 0600 temporary file, fsync, rename), then read
    back into a private temporary folder and checked there with :func:`check_backup_file` (full
    integrity check, schema, audit chain, an administrator). Every outcome is noted in
    ``backups.json``. A copy that fails its check is **removed** (nothing old is pruned), the
    failure noted with its one-line reason, and DatabaseProblem raised with it. Only after a
    verified copy are older backups pruned: only files named like ours, never the one just
    written. The folder is never created (a drive that is not plugged in must not become a folder
    on the system disk): missing, unwritable or full gives a one-line DatabaseProblem.
    An encrypted database needs its ``key``: the copy is encrypted with it and its key file lies
    beside it (``<file>.keys``, pruned with it), as with :func:`backup`.
    PostgreSQL databases are refused (back them up with ``backup --out``, which runs pg_dump)."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError(f"keep must be a whole number of at least 1, not {keep!r}")
    url = dbmod.resolve_target(target, create=False)
    if url.get_backend_name() != "sqlite":
        raise DatabaseProblem("Backups into a folder are for SQLite databases; back up a PostgreSQL "
                              "database with clinic-desktop backup --out FILE (pg_dump) on the server.")
    source = Path(url.database or "")
    if not source.exists():
        raise DatabaseProblem(f"No database at {source}. Check --db.")
    where = Path(folder).expanduser().resolve()
    taken_at = clock.now()
    key = key if dbmod.is_encrypted(source) else None

    def failed(problem: str, out: Path | None = None) -> DatabaseProblem:
        """Remove the unverified copy (and its manifest), note the failure, and say it."""
        for leftover in (out, manifest_path(out), keys.key_file_for(out)) if out is not None else ():
            try:
                leftover.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove the unverified backup %s: %s", leftover.name, _reason(exc))
        _note_backup(url, None, problem=problem, when=taken_at)
        return DatabaseProblem(problem)

    try:
        if not where.is_dir() or not os.access(where, os.W_OK | os.X_OK):
            raise _folder_problem(where)
        dbmod._check_sqlite_file(source, key)
        out = _reserve_name(where, taken_at)
    except DatabaseProblem as exc:
        raise failed(str(exc)) from None
    try:
        if _is_live_file(source, out):  # never by its name; a folder of links could still be
            raise DatabaseProblem(f"{out} is one of the live database's own files; choose another folder.")
        _sqlite_backup_to(source, out, key)
    except DatabaseProblem as exc:
        raise failed(str(exc), out) from None
    try:
        facts = _read_back(out, check=True, key=key)
    except DatabaseProblem as exc:
        why = str(exc).split("; choose another backup")[0].rstrip(".")
        raise failed(f"The new backup failed its check and was removed: {why}.", out) from None
    try:
        manifest = write_manifest(out, url, taken_at=taken_at, facts=facts)
    except DatabaseProblem as exc:
        raise failed(str(exc).replace(" was written but not", " was removed: it was written but not"),
                     out) from None
    _note_backup(url, out, verified=True, when=taken_at)
    pruned = _prune(where, keep, out)
    log.info("backup written and verified in the backup folder; %d older pruned", len(pruned))
    return FolderBackup(out, manifest, taken_at.astimezone(dt.UTC), facts.revision, pruned)


# --- how old the last verified backup is: the status bar's "Backup: 3 h ago" -------------------

@dataclass(frozen=True)
class _Noted:
    verified_at: dt.datetime | None  # aware, UTC
    verified_path: Path | None
    failed_at: dt.datetime | None  # the last attempt, when it failed after the last verified one
    problem: str


def _aware(text: object) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return when.astimezone(dt.UTC) if when.tzinfo is not None else None


def _noted(url: URL) -> _Noted:
    entry = _read_record().get(dbmod.record_key(url))
    if not isinstance(entry, dict):
        return _Noted(None, None, None, "")
    verified_at = _aware(entry.get("verified_at"))
    path = entry.get("verified_path")
    failed = entry.get("failed")
    failed_at, problem = None, ""
    if isinstance(failed, dict):
        failed_at = _aware(failed.get("at"))
        problem = " ".join(str(failed.get("problem") or "the reason was not recorded").split())
        if failed_at is None or (verified_at is not None and failed_at < verified_at):
            failed_at, problem = None, ""
    return _Noted(verified_at, Path(path) if verified_at and isinstance(path, str) else None, failed_at, problem)


@dataclass(frozen=True)
class BackupStatus:
    """The last verified backup as the status bar shows it."""

    level: str  # "ok", "amber" or "red"
    text: str  # "Backup: 3 h ago"
    detail: str  # the tooltip: where and when, and what failed
    age: dt.timedelta | None  # None: no verified backup, or one stamped in the future (age unknown)
    last_verified: dt.datetime | None
    failed: str  # the last attempt's one-line reason when it failed ("" if not)


def age_text(age: dt.timedelta) -> str:
    """ "just now", "5 min ago", "3 h ago" (under 48 hours), "4 days ago"."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def backup_status(url: URL, now: dt.datetime, *, amber_after: dt.timedelta = AMBER_AFTER,
                  red_after: dt.timedelta = RED_AFTER) -> BackupStatus:
    """How old the last **verified** backup of ``url`` is (one made by :func:`backup_to_folder`,
    in the app or from the command line; an unchecked ``backup --out`` copy does not count), as of
    ``now``.

    - ok: verified at most ``amber_after`` (24 h) ago; amber: older, up to ``red_after`` (72 h)
      inclusive; red: older than that.
    - red when the last attempt failed (whatever the age of the one before), and when there is
      no verified backup at all: a clinic without one is at risk, and saying so is the point.
    - amber, age unknown, when the last one is stamped more than ``clock.FUTURE_TOLERANCE`` in
      the future (one clock or the other is wrong): it must not read as fresh until that time
      comes; the next backup, which such a stamp makes due at once, sets it right. Within the
      tolerance it reads as "just now"."""
    noted = _noted(url)
    where = f" in {noted.verified_path.parent}" if noted.verified_path else ""
    last = ""
    if noted.verified_at is not None:
        last = f"Last verified backup: {clock.local_text(noted.verified_at, '%Y-%m-%d %H:%M')}{where}."
    if noted.failed_at is not None:
        when = clock.local_text(noted.failed_at, "%Y-%m-%d %H:%M")
        detail = f"The backup at {when} failed: {noted.problem} " + (last or "There is no verified backup yet.")
        return BackupStatus("red", "Backup failed", detail.strip(), _age(noted, now), noted.verified_at,
                            noted.problem)
    if noted.verified_at is None:
        return BackupStatus("red", "Backup: none yet",
                            "No verified backup of this database yet: an administrator sets a backup folder in "
                            "Admin › Clinic settings (or schedules clinic-desktop backup --to-folder).",
                            None, None, "")
    age = _age(noted, now)
    if age is None:
        return BackupStatus("amber", "Backup: time unknown",
                            f"{last} That is in the future: this computer's clock (or the one that made it) is "
                            "wrong. Check the clock; the next backup sets this right.", None, noted.verified_at, "")
    level = "red" if age > red_after else "amber" if age > amber_after else "ok"
    return BackupStatus(level, f"Backup: {age_text(age)}", last, age, noted.verified_at, "")


def _age(noted: _Noted, now: dt.datetime) -> dt.timedelta | None:
    """The last verified backup's age; None when there is none or it lies beyond the tolerance
    in the future (a few minutes ahead read as no age at all)."""
    if noted.verified_at is None:
        return None
    age = now - noted.verified_at
    if age < -clock.FUTURE_TOLERANCE:
        return None
    return max(age, dt.timedelta(0))


def backup_due(url: URL, now: dt.datetime, every: dt.timedelta) -> bool:
    """Whether a scheduled backup of ``url`` is due at ``now``: no verified backup yet, the last
    one ``every`` old or older, or stamped in the future (see :func:`backup_status`) — but never
    within RETRY_AFTER of a failed attempt (a drive left out is not tried every minute)."""
    noted = _noted(url)
    if noted.failed_at is not None and dt.timedelta(0) <= now - noted.failed_at < RETRY_AFTER:
        return False
    age = _age(noted, now)
    return age is None or age >= every
