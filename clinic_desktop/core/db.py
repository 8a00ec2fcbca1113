"""Opening, checking, upgrading and using the clinic's database.

``open_database()`` is the one function that opens every database (SQLite file or
PostgreSQL URL). It is called at start-up and by the admin commands, never at import.
It refuses, with a message naming the problem, a file that is not a Clinic Desktop
database, a corrupt one, or one whose schema is newer than this app; it backs up an
older SQLite database beside itself, and pg_dumps an older PostgreSQL one into the data folder's
backups, before upgrading it. PostgreSQL's password and TLS rules are core.pg's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from clinic_desktop import __version__, paths
from clinic_desktop.core import keys as keyfile
from clinic_desktop.core import pg
from clinic_desktop.core.errors import DatabaseProblem

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
#: What _header says an encrypted file this process has open starts with: anything but SQLite's.
ENCRYPTED_HEADER = bytes(len(SQLITE_HEADER))
BUSY_TIMEOUT_MS = 10_000
OUR_TABLES = {"users", "patients", "episodes", "audit_events"}
# The newest migration this app ships (tests check it against migrations/versions). A database
# already at it opens without importing Alembic at all, which keeps start-up fast.
SCHEMA_HEAD = "0016"


def resolve_target(target: str | os.PathLike[str] | None = None, *, create: bool = True) -> URL:
    """``--db`` value, else ``CLINIC_DESKTOP_DB``, else clinic.db in the user data folder (whose
    folder is created unless ``create`` is false). A PostgreSQL server on another machine gets
    ``sslmode=require`` unless the URL names an sslmode (core.pg.with_sslmode)."""
    raw = paths.database_target(target, create=create)
    if "://" in raw:
        url = make_url(raw)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return pg.with_sslmode(url)
    return URL.create("sqlite+pysqlite", database=str(Path(raw).expanduser().resolve()))


def alembic_config():  # -> alembic.config.Config, imported only when needed
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _sqlcipher() -> Any:
    """SQLCipher's DB-API module (the sqlcipher3-wheels package), imported only for an encrypted
    database."""
    from sqlcipher3 import dbapi2

    return dbapi2


#: Pages kept decrypted in memory per connection (negative: KiB). SQLite's page cache holds pages
#: after SQLCipher decrypted them, so a cache that holds the search index spares decrypting it
#: again at every keystroke (the default 2 MB made a search of 100,000 patients 3× slower).
ENCRYPTED_CACHE_KIB = 65536


def _apply_key(conn: Any, key: bytes) -> None:
    # A raw 256-bit key: no passphrase stretching on every connection (the password was stretched
    # once, with argon2id, to unwrap it). Must come before anything reads the file.
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA cache_size = -{ENCRYPTED_CACHE_KIB}")


def connect_file(path: Path, key: bytes | None = None, *, read_only: bool = False,
                 timeout: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """A DB-API connection to the SQLite file ``path``: the standard library's for a plain file,
    SQLCipher's with ``key`` applied for an encrypted one. Read-only never creates or writes."""
    module = _sqlcipher() if key is not None else sqlite3
    target, uri = (f"file:{path}?mode=ro", True) if read_only else (str(path), False)
    conn = module.connect(target, uri=uri, timeout=timeout, check_same_thread=False)
    if key is not None:
        _apply_key(conn, key)
    return conn


# --- never open a file this process has open through SQLite -----------------------------------
# Closing ANY descriptor of a file drops every POSIX lock this process holds on it, SQLite's
# included (fcntl locks belong to the process and the file, not to the descriptor). A database in
# WAL mode whose locks were dropped so looks unused: the next other process to close its
# connection believes itself the last, checkpoints and deletes the WAL, and this process goes on
# writing into a WAL nobody else reads (found when a backup, which read the live file's header,
# ran inside the app). So the header of a file this process has open is never read: it is known.

#: SQLite files this process has open through a Database: (device, inode) → [how many, encrypted].
_LIVE_FILES: dict[tuple[int, int], list[Any]] = {}


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)  # stat opens nothing
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _live(path: Path, encrypted: bool, delta: int) -> None:
    """Note that this process opened (``delta`` 1) or closed (-1) a Database on ``path``."""
    inode = _inode(path)
    if inode is None:
        return
    entry = _LIVE_FILES.setdefault(inode, [0, encrypted])
    entry[0] += delta
    if delta > 0:
        entry[1] = encrypted
    if entry[0] <= 0:
        del _LIVE_FILES[inode]


def _header(path: Path) -> bytes:
    """The first bytes of the SQLite file ``path`` (OSError if it cannot be read) — for a file
    this process has open, what they are known to be, without opening it (see above)."""
    live = _LIVE_FILES.get(_inode(path) or (-1, -1))
    if live is not None:
        return ENCRYPTED_HEADER if live[1] else SQLITE_HEADER
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER))


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` is an encrypted Clinic Desktop database: a file that does not start as
    SQLite's do, with its key file beside it."""
    try:
        header = _header(path)
    except OSError:
        return False
    return len(header) == len(SQLITE_HEADER) and header != SQLITE_HEADER \
        and keyfile.key_file_for(path).is_file()


class NeedsKey(DatabaseProblem):
    """The SQLite database is encrypted and no key was given: sign in (or use the recovery key)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} is encrypted: open it as a staff member (--user NAME) or with the "
                         "recovery key (--recovery-key-stdin).")


class KeyMismatch(DatabaseProblem):
    """A key was unwrapped but does not open the file: the key file is not this database's."""


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - exercised via engine
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a committed record survives power loss
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Writers take the write lock up front so two writers queue on busy_timeout
        # instead of one failing when it upgrades a read lock.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@dataclass
class Database:
    """An open, checked, up-to-date database: the engine and how to get a unit of work."""

    url: URL
    engine: Engine
    _write_sessions: sessionmaker[Session]
    _read_sessions: sessionmaker[Session]
    backup_made: Path | None = None
    #: The data key of an encrypted SQLite database (None: not encrypted). Never printed.
    key: bytes | None = field(default=None, repr=False)
    #: Noted among the files this process has open (_LIVE_FILES) until disposed of.
    _live: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        path = self.sqlite_path
        if path is not None and path.exists():
            _live(path, self.encrypted, 1)
            self._live = True

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def key_file(self) -> Path | None:
        path = self.sqlite_path
        return keyfile.key_file_for(path) if path is not None and self.key is not None else None

    @property
    def display_name(self) -> str:
        """Where the data is, without any password: for the status bar and the About box."""
        if self.is_sqlite:
            return str(self.sqlite_path)
        host = self.url.host or "localhost"
        port = f":{self.url.port}" if self.url.port else ""
        return f"PostgreSQL {self.url.database} on {host}{port}"

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that writes: commits on success, rolls back on any error."""
        with self._write_sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """One unit of work that only reads."""
        with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        path = self.sqlite_path
        if path is not None and self._live:
            self._live = False
            _live(path, self.encrypted, -1)


#: What SQLite says when the file itself is damaged (and only then is a backup the answer).
_DAMAGED = ("file is not a database", "malformed", "corrupt")


def storage_problem(path: Path, exc: BaseException) -> DatabaseProblem:
    """The true one-line reason ``path`` cannot be used, and what to do: no permission, a read-only
    disk or folder, a full disk, locked by another program — records intact in each — or, only
    when SQLite says so, damaged (restore from a backup). Decided from the error and the file
    system, never guessed as damage: that advice would throw recent records away."""
    said = " ".join(str(exc).split()).lower()
    folder = path.parent
    untouched = "The file was left untouched; no record was lost."
    if any(word in said for word in _DAMAGED):
        return DatabaseProblem(f"{path} is damaged and cannot be opened ({' '.join(str(exc).split())}). The file "
                               "was left untouched; restore it from a backup (clinic-desktop restore --from FILE).")
    if "locked" in said or "busy" in said:
        return DatabaseProblem(f"{path} is locked by another program (another Clinic Desktop, a backup tool or "
                               f"a database viewer): close it and try again. {untouched}")
    if "disk is full" in said or getattr(exc, "errno", None) == errno.ENOSPC or _free_bytes(folder) == 0:
        return DatabaseProblem(f"The disk holding {path} is full: free some space, then start again. {untouched}")
    if "readonly" in said or "read-only" in said or getattr(exc, "errno", None) == errno.EROFS \
            or _read_only_filesystem(folder):
        return DatabaseProblem(f"{path} is on a read-only disk or folder: make it writable (or copy the file "
                               f"to a writable place and open that), then start again. {untouched}")
    if isinstance(exc, PermissionError) or not os.access(path, os.R_OK | os.W_OK) \
            or not os.access(folder, os.W_OK | os.X_OK):
        who = "the file" if not os.access(path, os.R_OK | os.W_OK) else "its folder"
        return DatabaseProblem(f"This account may not read and write {who} ({path if who == 'the file' else folder}): "
                               f"ask an administrator to give it access, then start again. {untouched}")
    return DatabaseProblem(f"Cannot open {path}: {' '.join(str(exc).split())}. {untouched}")


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _read_only_filesystem(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def _check_sqlite_file(path: Path, key: bytes | None = None) -> None:
    """Refuse a file that is not an SQLite database or fails an integrity check; never write to it.
    An encrypted one is read with ``key`` (NeedsKey without it; WrongKey when it does not open)."""
    try:
        header = _header(path)
    except OSError as exc:
        raise storage_problem(path, exc) from exc
    if header != SQLITE_HEADER:
        if not keyfile.key_file_for(path).is_file():
            raise DatabaseProblem(
                f"{path} is not a Clinic Desktop database (it is not an SQLite file, nor an encrypted "
                f"one with its key file {keyfile.key_file_for(path).name} beside it). The file was left untouched."
            )
        if key is None:
            raise NeedsKey(path)
    elif key is not None:
        key = None  # a plain file opens without one
    try:
        conn = connect_file(path, key, read_only=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except (sqlite3.DatabaseError, _database_error(key)) as exc:
        if key is not None and "not a database" in str(exc):  # the first read with a wrong key
            # SQLCipher cannot tell a wrong key from a damaged first page: both are said.
            raise KeyMismatch(f"The key does not open {path}: the key file beside it belongs to another "
                              "database, or the file is damaged. Both were left untouched; if the key file "
                              "is the right one, restore the database from a backup.") from None
        raise storage_problem(path, exc) from exc
    if not result or result[0] != "ok":
        raise DatabaseProblem(
            f"{path} failed its integrity check ({result[0] if result else 'no answer'}). "
            "The file was left untouched; restore it from a backup."
        )
    if tables and not (OUR_TABLES <= tables or "alembic_version" in tables):
        raise DatabaseProblem(
            f"{path} is an SQLite database but not a Clinic Desktop database. "
            "The file was left untouched."
        )


def _database_error(key: bytes | None) -> type[Exception]:
    return _sqlcipher().DatabaseError if key is not None else sqlite3.DatabaseError


def sqlite_backup(source: Path, destination: Path, key: bytes | None = None) -> Path:
    """A consistent copy through SQLite's online backup API (safe while the app is writing); an
    encrypted database is copied encrypted, with the same ``key``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    src = connect_file(source, key, read_only=True)
    try:
        dst = connect_file(destination, key)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    return destination


def _schema_state(engine: Engine) -> tuple[str | None, set[str]]:
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        current = None
        if "alembic_version" in tables:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            if len(versions) > 1:
                raise DatabaseProblem("The database records several schema versions at once; "
                                      "it was left untouched.")
            current = versions[0] if versions else None
    return current, tables


def _upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def create_engine_for(url: URL, key: bytes | None = None) -> Engine:
    # hide_parameters: SQL errors would otherwise quote the values (names, MRNs) into their
    # messages, and from there into the log file.
    if url.get_backend_name() == "sqlite":
        # check_same_thread=False: the GUI runs slow work on worker threads (gui.operations), and the
        # pool hands a connection made on one thread to the next unit of work, on whichever thread.
        # Safe because a connection is only ever used by one unit of work at a time.
        if key is not None:  # SQLCipher's driver, each connection keyed before it reads anything
            path = Path(url.database or "")
            engine = create_engine(url, hide_parameters=True, module=_sqlcipher(),
                                   creator=lambda: connect_file(path, key))
        else:
            engine = create_engine(url, hide_parameters=True,
                                   connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, connect_args={"connect_timeout": 10})


class NoDatabase(DatabaseProblem):
    """``open_database(create=False)`` found no SQLite file at the path: nothing was created."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"No database at {path}. Check the path (--db); nothing was created.")


def open_database(target: str | os.PathLike[str] | None = None, *, upgrade: bool = True,
                  create: bool = True, key: bytes | None = None, password: str | None = None) -> Database:
    """Open, check and upgrade the database named by ``target``; a new SQLite file (and its
    folders) is created only when ``create`` is true, else NoDatabase is raised. A 0-byte file is
    never initialized: it is refused like any file that is not a Clinic Desktop database.

    ``key``: the data key of an encrypted SQLite database (see :mod:`clinic_desktop.core.keys`
    and ``services.vault``, which unwrap it); an encrypted file without it raises NeedsKey. A new
    file with a key is created encrypted (its key file is the caller's to write).
    ``password``: for a PostgreSQL URL, the password staff typed when asked (core.pg.PasswordNeeded
    says when the server wants one); never put in a command line.

    Raises DatabaseProblem with a message for staff when the database cannot be used.
    """
    url = resolve_target(target, create=create)
    if password is not None and pg.is_postgresql(url):
        url = url.set(password=password)
    backup_made: Path | None = None
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if path.exists():
            if path.is_file() and path.stat().st_size == 0:
                raise DatabaseProblem(f"{path} is not a Clinic Desktop database (the file is empty). "
                                      "The file was left untouched.")
            _check_sqlite_file(path, key)
            if not is_encrypted(path):
                key = None
        elif not create:
            raise NoDatabase(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    else:
        key = None
    engine = create_engine_for(url, key)
    try:
        current, tables = _schema_state(engine)
    except OperationalError as exc:
        engine.dispose()
        if url.get_backend_name() == "sqlite":
            raise storage_problem(Path(url.database or ""), exc.orig or exc) from exc
        reason = " ".join(str(exc.orig).split())  # one line, whatever the driver printed
        wanted = pg.password_problem(url, reason)
        if wanted is not None:
            raise wanted from None
        raise DatabaseProblem(f"Cannot open the database {url.render_as_string()}: {reason}") from exc

    if current == SCHEMA_HEAD:
        return _database(url, engine, None, key)

    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    if current is None and tables - {"alembic_version"}:
        engine.dispose()
        raise DatabaseProblem(
            f"{_where(url)} holds tables but is not a Clinic Desktop database. It was left untouched."
        )
    if current is not None and current not in known:
        engine.dispose()
        raise DatabaseProblem(
            f"{_where(url)} was written by a newer Clinic Desktop (database schema {current}); "
            f"this is Clinic Desktop {__version__} (schema {head}). Install the newer version "
            "to open it. The database was left untouched."
        )
    if current != head:
        if not upgrade:
            engine.dispose()
            raise DatabaseProblem(f"{_where(url)} is at schema {current}, not {head}.")
        if current is not None and url.get_backend_name() == "sqlite":
            path = Path(url.database or "")
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_made = sqlite_backup(path, path.with_name(f"{path.stem}.before-{head}-{stamp}.db"), key)
            if key is not None:  # the copy opens as the database does, with the same key file
                shutil.copyfile(keyfile.key_file_for(path), keyfile.key_file_for(backup_made))
            log.info("backed up the database before upgrading it: %s", backup_made)
        elif current is not None:
            backup_made = _dump_before_upgrade(url, engine, current, head)
        try:
            _upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise DatabaseProblem(f"Upgrading {_where(url)} failed: {exc}") from exc
        log.info("database schema upgraded from %s to %s", current, head)

    database = _database(url, engine, backup_made, key)
    if current is None or _trail_is_empty(database):  # new, or made by a version before the genesis
        _genesis(database, head)
    return database


def _trail_is_empty(database: Database) -> bool:
    """Only asked after an upgrade: a database an older version made and nobody ever used (no
    account, no event) gets its genesis event then. A trail wiped on a used database keeps its
    accounts, and stays broken."""
    with database.read() as session:
        return session.execute(text("SELECT 1 FROM audit_events LIMIT 1")).first() is None \
            and session.execute(text("SELECT 1 FROM users LIMIT 1")).first() is None


def _genesis(database: Database, schema: str | None) -> None:
    """The first event of a new database's audit trail: from now on an empty trail, or one that
    does not start with it, is a trail someone wiped or rebuilt (services.audit.verify_chain)."""
    from clinic_desktop.core.services import audit

    with database.write() as session:
        audit.append(session, None, audit.GENESIS_ACTION, username="(system)",
                     detail={"schema": schema, "app_version": __version__, "encrypted": database.encrypted})


def _dump_before_upgrade(url: URL, engine: Engine, current: str, head: str | None) -> Path:
    """pg_dump the PostgreSQL database into a private file in the user data folder's backups
    before its schema is upgraded (as an SQLite database is copied first); if pg_dump is missing
    or fails, the upgrade does not run and the message says why."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = paths.user_data_dir() / "backups"
    out = folder / f"{url.database or 'postgresql'}.before-{head}-{stamp}.dump"
    try:
        pg.dump(url, out)
    except DatabaseProblem as exc:
        engine.dispose()
        if isinstance(exc, pg.PasswordNeeded):
            raise
        raise DatabaseProblem(f"{_where(url)} needs upgrading from schema {current} to {head}, and "
                              "the backup made first failed, so it was not upgraded and was left "
                              f"untouched: {exc}") from None
    log.info("backed up the database before upgrading it: %s", out)
    return out


def _database(url: URL, engine: Engine, backup_made: Path | None, key: bytes | None = None) -> Database:
    writes = engine.execution_options(sqlite_begin="IMMEDIATE")
    return Database(
        url=url,
        engine=engine,
        _write_sessions=sessionmaker(writes, expire_on_commit=False),
        _read_sessions=sessionmaker(engine, expire_on_commit=False),
        backup_made=backup_made,
        key=key,
    )


def record_key(url: URL) -> str:
    """The database as a workstation's notes name it (backups made, the audit anchor): the
    SQLite file, or the PostgreSQL URL without its password — whether it came from the password
    file, a prompt or the environment — and without the sslmode added for another machine (the
    same database either way)."""
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database or "").resolve())
    plain = pg.without_password(url).difference_update_query(["sslmode"])
    return plain.render_as_string(hide_password=True)


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return f"The PostgreSQL database {url.database}"
