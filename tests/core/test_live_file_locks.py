"""A database this process has open is never opened as a plain file here: closing any descriptor
of a file drops every POSIX lock the process holds on it, SQLite's included. Its WAL then looks
unused, the next other process to close the database checkpoints and deletes the WAL, and what
this process writes afterwards goes into a WAL nobody else reads. Found when a backup inside the
app (the automatic one, every N hours) read the live file's header: the test is that scenario,
for each way the app reads a database it has open."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.services import accounts, backup, vault
from tests.conftest import STRONG_PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("quick_kdf")

COUNT = """
import sys
key = sys.stdin.read().strip()
if key:
    import sqlcipher3 as sqlite
else:
    import sqlite3 as sqlite
conn = sqlite.connect(sys.argv[1])
if key:
    conn.execute(f"PRAGMA key = \\"x'{key}'\\"")
print(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])
conn.close()
"""


def seen_elsewhere(path, key: bytes | None) -> int:
    """What another process sees: it opens the database, counts, and closes it (the last
    connection it holds, so it checkpoints and would remove a WAL it believes unused)."""
    done = subprocess.run([sys.executable, "-c", COUNT, str(path)], input=key.hex() if key else "",
                          capture_output=True, text=True, check=True, timeout=60)
    return int(done.stdout)


def _backup_to_folder(db, path, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir(exist_ok=True)
    backup.backup_to_folder(str(path), usb, 14, key=db.key)


READS = {
    "backup into a folder": _backup_to_folder,
    "backup --out": lambda db, path, tmp_path: backup.backup(str(path), tmp_path / "copy.db", key=db.key),
    "is it encrypted": lambda db, path, tmp_path: dbmod.is_encrypted(path),
    "check the file": lambda db, path, tmp_path: dbmod._check_sqlite_file(path, db.key),
}


@pytest.fixture(params=["plain", "encrypted"])
def live(request, tmp_path):
    """An open database with an administrator (plain or encrypted), and its admin."""
    path = tmp_path / "clinic.db"
    if request.param == "plain":
        db = dbmod.open_database(path)
        admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD,
                                            clinic={"clinic_name": "Test Clinic (invented)",
                                                    "clinic_address": "1 Test Street", "clinic_phone": "555-0100"})
    else:
        db = vault.create_encrypted(str(path)).db
        accounts.create_user_from_console(db, "admin", "Ada Admin", "admin", STRONG_PASSWORD)
        admin = accounts.authenticate(db, "admin", STRONG_PASSWORD)
    yield db, path, admin
    db.dispose()


@pytest.mark.parametrize("read", list(READS), ids=list(READS))
def test_what_this_process_writes_after_reading_its_open_database_is_seen_by_others(live, read, tmp_path):
    db, path, admin = live
    READS[read](db, path, tmp_path)
    before = seen_elsewhere(path, db.key)  # another process opens and closes it
    make_user(db, admin, "nurse")  # this one writes on
    assert seen_elsewhere(path, db.key) > before  # and the others see it
    assert path.with_name(path.name + "-wal").exists()  # the WAL this process writes is the file's


def test_a_file_this_process_does_not_have_open_is_read_as_it_is(tmp_path):
    path = tmp_path / "clinic.db"
    dbmod.open_database(path).dispose()
    assert dbmod._header(path) == dbmod.SQLITE_HEADER and not dbmod._LIVE_FILES
