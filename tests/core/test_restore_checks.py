"""Restore accepts only a sound database (#17 item 6): a backup carrying a planted trigger, a
"hollow" file (empty tables at the right version), a tampered audit trail are each refused in one
line, with the live database and everything beside the source byte for byte as they were; a
backup is checked and read from a private copy, so nothing is ever written beside it."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.services import accounts, backup
from tests.conftest import STRONG_PASSWORD
from tests.factories import admit_with_signed_intake


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def clinic(tmp_path):
    """A live database with an administrator and a signed intake, and a good backup of it in
    its own folder: (live path, backup path)."""
    live_dir, backups = tmp_path / "live", tmp_path / "backups"
    live_dir.mkdir()
    backups.mkdir()
    live = live_dir / "clinic.db"
    database = open_database(live)
    admin = accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD)
    admit_with_signed_intake(database, admin)
    database.dispose()
    return live, backup.backup(str(live), backups / "good.db")


def tampered(good: Path, name: str, *sql: str) -> Path:
    path = good.with_name(name)
    shutil.copyfile(good, path)
    conn = sqlite3.connect(path)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


def refused(live: Path, source: Path, *words: str) -> str:
    live_before, source_before = files(live.parent), files(source.parent)
    with pytest.raises(DatabaseProblem) as info:
        backup.restore(str(live), source)
    message = str(info.value)
    assert "\n" not in message and str(source) in message and "clinic-restore-" not in message, message
    for word in words:
        assert word in message, message
    assert files(live.parent) == live_before  # the live database untouched
    assert files(source.parent) == source_before  # nothing written beside the source
    return message


def test_a_good_backup_restores_and_nothing_is_written_beside_it(clinic):
    live, good = clinic
    before = files(good.parent)
    backup.restore(str(live), good)
    assert files(good.parent) == before


def test_a_planted_trigger_is_refused_by_name(clinic):
    live, good = clinic
    planted = tampered(good, "planted.db", "CREATE TRIGGER zero_cows AFTER INSERT ON observations "
                                         "BEGIN UPDATE observations SET total = 0 WHERE id = new.id; END")
    refused(live, planted, "an extra trigger 'zero_cows'", "choose another backup")
    view = tampered(good, "view.db", "CREATE VIEW everyone AS SELECT * FROM patients")
    refused(live, view, "an extra view 'everyone'")
    dropped = tampered(good, "dropped.db", "DROP INDEX ix_observations_episode_taken")
    refused(live, dropped, "no index 'ix_observations_episode_taken'")


def test_a_hollow_file_at_the_right_version_is_refused(clinic, tmp_path):
    live, good = clinic
    hollow = good.with_name("hollow.db")
    open_database(hollow).dispose()  # every table, the right version, nobody in it
    refused(live, hollow, "no active administrator")
    deactivated = tampered(good, "no-admin.db", "UPDATE users SET active = 0 WHERE role = 'admin'")
    refused(live, deactivated, "no active administrator")


def test_a_tampered_audit_trail_is_refused(clinic):
    live, good = clinic
    edited = tampered(good, "edited.db", "UPDATE audit_events SET username = 'someone else' WHERE seq = 2")
    refused(live, edited, "broken audit trail", "event 2 was altered")
    rewound = tampered(good, "rewound.db", "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")
    refused(live, rewound, "broken audit trail")


def test_a_raw_copy_of_a_live_database_restores_with_its_wal_and_writes_nothing_beside_it(clinic, tmp_path):
    live, _good = clinic
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    holder = sqlite3.connect(live)  # the app still running: its last commits are in the WAL
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("UPDATE patients SET given_name = 'Latest'")
    holder.commit()
    for name in (live.name, live.name + "-wal"):
        shutil.copyfile(live.with_name(name), raw_dir / name)
    holder.close()
    before = files(raw_dir)
    target = tmp_path / "elsewhere" / "clinic.db"
    target.parent.mkdir()
    backup.restore(str(target), raw_dir / live.name)
    assert files(raw_dir) == before  # no -shm, no checkpoint into the source
    names = {r[0] for r in sqlite3.connect(target).execute("SELECT given_name FROM patients")}
    assert names == {"Latest"}  # what the WAL held was restored too


def test_checking_a_backup_in_place_changes_nothing(clinic):
    """check_backup_file reads the file as it is: no WAL mode switched on, no -wal or -shm beside it."""
    _live, good = clinic
    before = files(good.parent)
    backup.check_backup_file(good)
    assert files(good.parent) == before
