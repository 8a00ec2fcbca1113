"""Opening an encrypted SQLite database: creating one, unlocking it at sign-in with a staff
password or the recovery key, and encrypting one that is not.

The key handling itself is :mod:`clinic_desktop.core.keys`; this module ties it to the accounts
(a wrong password counts towards the lockout and reaches the audit trail at the next open) and
to the files (an encrypted copy is checked before it replaces the plain one). PostgreSQL
databases are protected by the server and are opened as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic_desktop.core import db as dbmod
from clinic_desktop.core import keys
from clinic_desktop.core.errors import AuthenticationError, DatabaseProblem
from clinic_desktop.core.models import Role
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, audit

log = logging.getLogger(__name__)


def sqlite_file(target: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file ``target`` names (None for PostgreSQL), without creating any folder."""
    url = dbmod.resolve_target(target, create=False)
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


def is_encrypted(target: str | os.PathLike[str] | None) -> bool:
    path = sqlite_file(target)
    return path is not None and dbmod.is_encrypted(path)


def _opened(target: str | os.PathLike[str] | None, key: bytes, key_file: keys.KeyFile) -> dbmod.Database:
    """Open with the unwrapped key, then carry the failures noted before into the audit trail."""
    db = dbmod.open_database(target, create=False, key=key)
    try:
        failures = key_file.take_failures()
        key_file.lockout = accounts.record_failures_before_open(db, failures)
        key_file.save()
    except BaseException:
        db.dispose()
        raise
    return db


def unlock(target: str | os.PathLike[str] | None, username: str,
           password: str) -> tuple[dbmod.Database, SignedInUser]:
    """Open the database and sign ``username`` in. An encrypted database's key is unwrapped with
    the password first; a wrong one (or an unknown name, or one locked by its failures) raises
    AuthenticationError having taken as long, and is noted for the audit trail."""
    path = sqlite_file(target)
    proven = False
    if path is None or not dbmod.is_encrypted(path):
        db = dbmod.open_database(target, create=False)
    else:
        key_file = keys.KeyFile.load(keys.key_file_for(path))
        key = key_file.unlock(accounts.name_in_key_file(key_file, username), password)
        db = _opened(target, key, key_file)
        proven = True
    try:
        return db, accounts.authenticate(db, username, password, password_proven=proven)
    except BaseException:
        db.dispose()
        raise


def open_with_recovery_key(target: str | os.PathLike[str] | None, recovery_key: str) -> dbmod.Database:
    path = sqlite_file(target)
    if path is None or not dbmod.is_encrypted(path):
        raise DatabaseProblem("This database is not encrypted: it has no recovery key.")
    key_file = keys.KeyFile.load(keys.key_file_for(path))
    db = _opened(target, key_file.unlock_with_recovery(recovery_key), key_file)
    log.info("an encrypted database was opened with its recovery key")
    return db


@dataclass(frozen=True)
class NewKey:
    """An encrypted database just made: open, with the recovery key to show once."""

    db: dbmod.Database
    recovery_key: str


def create_encrypted(target: str | os.PathLike[str] | None) -> NewKey:
    """A new, empty, encrypted database at the SQLite path ``target`` names (which must not
    exist), with its key file. Nobody can open it at the next start until an account is made on it
    (its key is wrapped for that password); the recovery key is returned to be shown once."""
    path = sqlite_file(target)
    if path is None:
        raise DatabaseProblem("Only an SQLite database is encrypted by Clinic Desktop; "
                              "PostgreSQL keeps its data on the server.")
    if path.exists() or keys.key_file_for(path).exists():
        raise DatabaseProblem(f"{path} already exists; it was left untouched.")
    path.parent.mkdir(parents=True, exist_ok=True)
    data_key, recovery_key = keys.new_data_key(), keys.new_recovery_key()
    key_file = keys.KeyFile.new(path, data_key, recovery_key)
    key_file.save()
    try:
        db = dbmod.open_database(target, create=True, key=data_key)
    except BaseException:
        for leftover in (path, keys.key_file_for(path)):
            leftover.unlink(missing_ok=True)
        raise
    log.info("created an encrypted database")
    return NewKey(db, recovery_key)


def new_recovery_key(db: dbmod.Database, actor: SignedInUser) -> str:
    """Replace the recovery key (the old sheet stops working); the new one is shown once."""
    from clinic_desktop.core.permissions import require

    require(db, actor, "users.manage")
    if db.key is None or db.key_file is None:
        raise DatabaseProblem("This database is not encrypted: it has no recovery key.")
    recovery_key = keys.new_recovery_key()
    with db.write() as session:
        audit.append(session, actor, "recovery_key.replaced")
        key_file = keys.KeyFile.load(db.key_file)
        key_file.set_recovery_key(recovery_key, db.key)
        key_file.save()
    return recovery_key


def reset_password(db: dbmod.Database, username: str, new_password: str) -> None:
    """With the recovery key (``db`` opened by :func:`open_with_recovery_key`): set ``username``'s
    password, lift any lock, and wrap the key for it. Audited as the console."""
    name = accounts.normalize_username(username)
    with db.read() as session:
        row = accounts.account_named(session, username)
        if row is None:
            raise AuthenticationError(f"There is no account {name!r} in this database.")
        user_id = row.id
    accounts.reset_password_from_console(db, user_id, new_password)


@dataclass(frozen=True)
class Encrypted:
    """What ``encrypt`` did: the plain copy kept (for the administrator to remove once the
    encrypted database is known good) and the recovery key to show once."""

    plain_copy: Path
    recovery_key: str


def encrypt(target: str | os.PathLike[str] | None, username: str, password: str) -> Encrypted:
    """Encrypt the plain SQLite database ``target`` names: an administrator signs in; the database
    is locked against every other connection (refused, untouched, while Clinic Desktop or another
    program has it open), copied (the plain copy is kept beside it as
    ``<name>.before-encryption-<stamp>.db``, 0600), exported into an encrypted file, checked
    (integrity, the same rows in every table, the audit chain), then put in its place with its key
    file. The administrator's key wrap is made; everyone else gets theirs at their next sign-in on
    the open database (or when an administrator sets their password). Nothing is replaced if any
    step fails."""
    path = sqlite_file(target)
    if path is None:
        raise DatabaseProblem("Only an SQLite database is encrypted by Clinic Desktop; "
                              "PostgreSQL keeps its data on the server.")
    if dbmod.is_encrypted(path):
        raise DatabaseProblem(f"{path} is already encrypted.")
    db, actor = unlock(target, username, password)
    try:
        if actor.role != Role.ADMIN:
            raise AuthenticationError("Only an administrator may encrypt the database.")
        with db.write() as session:
            audit.append(session, actor, "database.encrypted")
    finally:
        db.dispose()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    plain_copy = path.with_name(f"{path.stem}.before-encryption-{stamp}.db")
    data_key, recovery_key = keys.new_data_key(), keys.new_recovery_key()
    staged = path.with_name(f".{path.name}.encrypting")
    lock = _lock_out_everyone(path)
    try:
        counts = _copy_and_export(lock, plain_copy, staged, data_key)
        _check_encrypted(staged, data_key, counts)
        key_file = keys.KeyFile.new(staged, data_key, recovery_key)
        key_file.set_password(actor.username, password, data_key)
        key_file.path = keys.key_file_for(path)
        key_file.save()
        os.replace(staged, path)
    except BaseException:
        for leftover in (staged, keys.key_file_for(staged)):
            leftover.unlink(missing_ok=True)
        if not dbmod.is_encrypted(path):
            keys.key_file_for(path).unlink(missing_ok=True)
        raise
    finally:
        lock.close()
    for suffix in ("-wal", "-shm"):  # the plain file's; the encrypted one makes its own
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    log.info("the database was encrypted; the plain copy was kept beside it")
    return Encrypted(plain_copy, recovery_key)


def _lock_out_everyone(path: Path) -> Any:
    """A connection holding ``path`` exclusively until it is closed (SQLite's exclusive locking
    mode keeps the lock after the transaction): no other process reads or writes it meanwhile, and
    one that has it open now makes this fail, untouched. (Locks are per process: a connection of
    this same process is not kept out — the window closes its own before encrypting.)"""
    lock = dbmod._sqlcipher().connect(str(path), timeout=1, isolation_level=None)
    try:
        lock.execute("PRAGMA locking_mode = EXCLUSIVE")
        # Leaving WAL needs every other connection gone (it also folds the WAL into the file); in
        # exclusive mode the lock of the first write is then held until this connection closes.
        lock.execute("PRAGMA journal_mode = DELETE")
        lock.execute("BEGIN EXCLUSIVE")
        version = lock.execute("PRAGMA user_version").fetchone()[0]
        lock.execute(f"PRAGMA user_version = {int(version)}")
        lock.execute("COMMIT")
    except Exception as exc:  # SQLCipher's OperationalError: locked or busy
        lock.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseProblem(f"{path} is open in Clinic Desktop or another program: close it on every "
                                  "workstation, then encrypt. Nothing was changed.") from None
        raise
    return lock


def _copy_and_export(lock: Any, plain_copy: Path, staged: Path, data_key: bytes) -> dict[str, int]:
    """Through the connection holding the lock: the plain copy (SQLite's backup API), every
    table's row count, and SQLCipher's own export of every table, index and trigger into a new
    encrypted file."""
    copy = dbmod._sqlcipher().connect(str(plain_copy))
    try:
        lock.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        copy.close()
    plain_copy.chmod(0o600)  # every record in clear
    names = [row[0] for row in lock.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    counts = {name: lock.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    staged.unlink(missing_ok=True)
    lock.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{data_key.hex()}'\"", (str(staged),))
    try:
        lock.execute("SELECT sqlcipher_export('encrypted')")
    finally:
        lock.execute("DETACH DATABASE encrypted")
    return counts


def _check_encrypted(out: Path, data_key: bytes, counts: dict[str, int]) -> None:
    """The encrypted copy opens with the key, passes integrity_check, holds as many rows in every
    table as the plain database did, and its audit chain verifies."""
    from clinic_desktop.core.services import backup

    conn = dbmod.connect_file(out, data_key, read_only=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise DatabaseProblem("The encrypted copy failed its integrity check; nothing was replaced.")
        for name, count in counts.items():
            got = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            if got != count:
                raise DatabaseProblem(f"The encrypted copy holds {got} rows of {name}, not {count}; "
                                      "nothing was replaced.")
    finally:
        conn.close()
    report = backup.audit_of(out, data_key)
    if not report.intact:
        raise DatabaseProblem(f"The encrypted copy's audit trail does not verify ({report.problem}); "
                              "nothing was replaced.")
