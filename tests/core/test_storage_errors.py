"""Errors that tell the truth (#17 item 10): a healthy database on a read-only disk, in a folder
this account may not write, on a full disk or locked by another program is never called damaged
— that advice ("restore it from a backup") would throw recent records away. Each gets its own
one-line message and what to do, and the file is left byte for byte as it was."""

from __future__ import annotations

import errno
import hashlib
import sqlite3
from pathlib import Path

import pytest

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.db import open_database, storage_problem
from clinic_desktop.core.errors import DatabaseProblem
from tests.conftest import STRONG_PASSWORD


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def healthy(tmp_path) -> Path:
    """A healthy clinic database (WAL mode, one administrator), closed."""
    from clinic_desktop.core.services import accounts

    path = tmp_path / "clinic.db"
    database = open_database(path)
    accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD)
    database.dispose()
    return path


def refused(path: Path, monkeypatch, said: str, **conditions) -> str:
    """open_database on ``path`` when SQLite says ``said`` (and the file system is as
    ``conditions`` say): the one-line message; the files are unchanged."""
    before = {p.name: digest(p) for p in path.parent.iterdir()}

    def connect(*_args, **_kwargs):
        raise sqlite3.OperationalError(said)

    monkeypatch.setattr(dbmod.sqlite3, "connect", connect)
    if "read_only" in conditions:
        monkeypatch.setattr(dbmod, "_read_only_filesystem", lambda _folder: conditions["read_only"])
    if "writable" in conditions:
        real = dbmod.os.access
        monkeypatch.setattr(dbmod.os, "access", lambda p, m: conditions["writable"] and real(p, m))
    with pytest.raises(DatabaseProblem) as info:
        open_database(path)
    monkeypatch.undo()
    assert {p.name: digest(p) for p in path.parent.iterdir()} == before
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_read_only_disk_is_not_damage(healthy, monkeypatch):
    message = refused(healthy, monkeypatch, "unable to open database file", read_only=True)
    assert "read-only disk or folder" in message and "damaged" not in message and "backup" not in message
    message = refused(healthy, monkeypatch, "attempt to write a readonly database")
    assert "read-only disk or folder" in message


def test_a_folder_this_account_may_not_write_is_not_damage(healthy, monkeypatch):
    message = refused(healthy, monkeypatch, "unable to open database file", read_only=False, writable=False)
    assert "may not read and write" in message and "ask an administrator" in message
    assert "damaged" not in message


def test_a_full_disk_is_not_damage(healthy, monkeypatch):
    message = refused(healthy, monkeypatch, "database or disk is full")
    assert "is full: free some space" in message and "damaged" not in message


def test_only_what_sqlite_calls_damaged_is_damaged(healthy, monkeypatch):
    for said in ("database disk image is malformed", "file is not a database"):
        message = refused(healthy, monkeypatch, said)
        assert "is damaged" in message and "restore it from a backup" in message


def test_a_database_locked_by_another_program_says_so(healthy, monkeypatch):
    message = refused(healthy, monkeypatch, "database is locked")
    assert "locked by another program" in message and "close it and try again" in message
    assert "damaged" not in message


def test_the_os_errors_are_read_too(tmp_path):
    path = tmp_path / "clinic.db"
    assert "is full" in str(storage_problem(path, OSError(errno.ENOSPC, "No space left on device")))
    assert "read-only disk" in str(storage_problem(path, OSError(errno.EROFS, "Read-only file system")))
    assert "may not read and write the file" in str(storage_problem(path, PermissionError(13, "Permission denied")))
