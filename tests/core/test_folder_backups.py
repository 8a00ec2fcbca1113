"""Backups into a folder that rotate themselves, verified, each with a manifest; and the age the
status bar shows (issue #17, item 4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_desktop import __version__
from clinic_desktop.core import clock
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem, ValidationError
from clinic_desktop.core.services import audit, backup
from clinic_desktop.core.services import settings as settings_service
from tests.core.test_database_on_purpose import PASSWORD
from tests.core.test_encryption_commands import encrypted, made  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 1, 9, 30, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


def cli(*args, input: str | None = None):
    return subprocess.run([sys.executable, "-m", "clinic_desktop", *map(str, args)], capture_output=True,
                          check=False, text=True, cwd=REPO, timeout=120, input=input,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


class Clock:
    """clock.now as the test sets it; each call moves it on by ``step``."""

    def __init__(self, start: dt.datetime, step: dt.timedelta = dt.timedelta(0)) -> None:
        self.at, self.step = start, step

    def __call__(self) -> dt.datetime:
        at = self.at
        self.at += self.step
        return at


@pytest.fixture
def ticking(monkeypatch):
    """clock.now starting at T0, a minute later at each call."""
    fake = Clock(T0, dt.timedelta(minutes=1))
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def usb(tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture
def url(sqlite_path):
    return dbmod.resolve_target(str(sqlite_path))


def ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if backup.FOLDER_BACKUP.fullmatch(p.name))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- writing, verifying, the manifest ------------------------------------------------------------

def test_a_folder_backup_is_named_for_its_utc_time_private_verified_and_has_a_manifest(
        db, admin, sqlite_path, usb, ticking, url):
    done = backup.backup_to_folder(str(sqlite_path), usb, 14)
    assert done.path == usb / "clinic-20260301-093000.db" and done.taken_at == T0
    assert done.pruned == () and done.revision == dbmod.head_revision()
    assert listing(usb) == ["clinic-20260301-093000.db", "clinic-20260301-093000.db.manifest.json"]
    for path in (done.path, done.manifest):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    manifest = json.loads(done.manifest.read_text("utf-8"))
    data = done.path.read_bytes()
    (usb.parent / "check.db").write_bytes(data)
    assert backup.check_backup_file(usb.parent / "check.db") == done.revision
    head = audit._head(db)
    assert head is not None
    assert manifest == {
        "database": str(sqlite_path.resolve()),
        "file": "clinic-20260301-093000.db",
        "taken_at": "2026-03-01T09:30:00+00:00",
        "schema_revision": dbmod.head_revision(),
        "app_version": __version__,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "encrypted": False,
        "audit_head": {"sequence": head[0], "hash": head[1]},
    }
    seen = backup.latest_backup(url)
    assert seen is not None and seen.path == done.path and seen.taken_at == T0


def test_checking_the_copy_writes_nothing_beside_it_and_leaves_its_bytes_as_they_were(
        db, admin, sqlite_path, usb):
    done = backup.backup_to_folder(str(sqlite_path), usb, 14)
    manifest = json.loads(done.manifest.read_text("utf-8"))
    assert hashlib.sha256(done.path.read_bytes()).hexdigest() == manifest["sha256"]
    assert len(listing(usb)) == 2  # no -wal, -shm or partial file


def test_two_backups_in_one_second_get_two_names(db, admin, sqlite_path, usb, monkeypatch):
    monkeypatch.setattr(clock, "now", Clock(T0))  # the clock stands still
    first = backup.backup_to_folder(str(sqlite_path), usb, 14)
    second = backup.backup_to_folder(str(sqlite_path), usb, 14)
    assert (first.path.name, second.path.name) == ("clinic-20260301-093000.db", "clinic-20260301-093000-2.db")
    assert backup.folder_backups(usb) == [second.path, first.path]  # "-2" is the newer


def test_a_manual_backup_gets_a_manifest_too(db, admin, sqlite_path, tmp_path):
    out = backup.backup(str(sqlite_path), tmp_path / "copy.db")
    manifest = json.loads(backup.manifest_path(out).read_text("utf-8"))
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["file"] == "copy.db" and manifest["schema_revision"] == dbmod.head_revision()
    assert stat.S_IMODE(backup.manifest_path(out).stat().st_mode) == 0o600


# --- keeping the newest K -------------------------------------------------------------------------

@pytest.mark.parametrize("keep", [0, -1, True, 2.0])
def test_keep_below_one_or_not_a_whole_number_is_refused_before_anything_is_written(
        db, admin, sqlite_path, usb, keep):
    with pytest.raises(ValueError, match="at least 1"):
        backup.backup_to_folder(str(sqlite_path), usb, keep)
    assert listing(usb) == []


@pytest.mark.parametrize(("keep", "runs", "left"), [
    (1, 3, 1),  # the least: only the one just written
    (2, 3, 2),
    (3, 3, 3),  # exactly as many as there are: nothing pruned
    (3, 4, 3),  # one more than K: the oldest goes
    (4, 3, 3),  # more than there are
])
def test_only_the_newest_k_backups_are_kept_with_their_manifests(
        db, admin, sqlite_path, usb, ticking, keep, runs, left):
    done = [backup.backup_to_folder(str(sqlite_path), usb, keep) for _ in range(runs)]
    expected = [m.path.name for m in done[-left:]]
    assert ours(usb) == sorted(expected)
    assert listing(usb) == sorted(expected + [f"{name}.manifest.json" for name in expected])
    assert [p.name for m in done for p in m.pruned] == [m.path.name for m in done[:runs - left]]


def test_pruning_never_touches_a_file_not_named_like_ours(db, admin, sqlite_path, usb, tmp_path, ticking):
    elsewhere = tmp_path / "elsewhere.db"
    elsewhere.write_bytes(b"not ours")
    foreign = ["notes.txt", "clinic.db", "clinic-2020.db", "clinic-20200101-000000.db.failed",
               "clinic-20200101-000000.sqlite", "Clinic-20200101-000000.db", "xclinic-20200101-000000.db",
               "clinic-20200101-000000.db.manifest.json"]
    for name in foreign:
        (usb / name).write_text("keep me")
    (usb / "clinic-20000101-000000.db").symlink_to(elsewhere)  # named like ours, but a link
    (usb / "clinic-20000102-000000.db").mkdir()  # named like ours, but a folder
    old = usb / "clinic-20000103-000000.db"
    old.write_text("an old backup of ours")
    backup.manifest_path(old).write_text("{}")
    done = backup.backup_to_folder(str(sqlite_path), usb, 1)
    assert done.pruned == (old,)
    assert not old.exists() and not backup.manifest_path(old).exists()
    for name in foreign:
        assert (usb / name).read_text() == "keep me"
    assert (usb / "clinic-20000101-000000.db").is_symlink() and elsewhere.read_bytes() == b"not ours"
    assert (usb / "clinic-20000102-000000.db").is_dir()


def test_the_backup_just_written_is_never_pruned_even_when_the_clock_went_back(
        db, admin, sqlite_path, usb, ticking):
    later = [usb / "clinic-20300101-000000.db", usb / "clinic-20300102-000000.db"]
    for path in later:
        path.write_text("stamped by a clock running ahead")
    done = backup.backup_to_folder(str(sqlite_path), usb, 2)
    assert done.path.exists() and done.pruned == (later[0],)
    assert ours(usb) == sorted([done.path.name, later[1].name])


# --- failures ------------------------------------------------------------------------------------

def break_the_audit_trail(sqlite_path: Path) -> None:
    conn = sqlite3.connect(sqlite_path)
    with conn:
        conn.execute("UPDATE audit_events SET action = 'tampered' WHERE seq = 1")
    conn.close()


def test_a_copy_that_fails_its_check_is_removed_prunes_nothing_and_is_noted(
        db, admin, sqlite_path, usb, ticking, url):
    kept = [backup.backup_to_folder(str(sqlite_path), usb, 1).path]
    before = {p.name: p.read_bytes() for p in usb.iterdir()}
    break_the_audit_trail(sqlite_path)
    with pytest.raises(DatabaseProblem, match="failed its check and was removed: .*broken audit trail") as refused:
        backup.backup_to_folder(str(sqlite_path), usb, 1)
    assert "\n" not in str(refused.value) and "choose another backup" not in str(refused.value)
    assert {p.name: p.read_bytes() for p in usb.iterdir()} == before  # the old one kept, nothing new
    status = backup.backup_status(url, clock.now())
    assert status.level == "red" and status.failed == str(refused.value)
    assert status.last_verified is not None and str(kept[0].parent) in status.detail
    seen = backup.latest_backup(url)
    assert seen is not None and seen.path == kept[0]  # the failure did not replace the last good one


def test_a_missing_backup_folder_is_one_line_and_never_created(db, admin, sqlite_path, tmp_path, url):
    gone = tmp_path / "unplugged" / "clinic"
    with pytest.raises(DatabaseProblem, match="is not there: plug in the backup drive") as refused:
        backup.backup_to_folder(str(sqlite_path), gone, 14)
    assert "\n" not in str(refused.value) and not gone.parent.exists()
    assert backup.backup_status(url, clock.now()).level == "red"


def test_a_file_given_as_the_folder_is_refused(db, admin, sqlite_path, tmp_path):
    file = tmp_path / "afile"
    file.write_text("x")
    with pytest.raises(DatabaseProblem, match="is a file, not a folder"):
        backup.backup_to_folder(str(sqlite_path), file, 14)
    assert file.read_text() == "x"


def test_a_folder_this_account_may_not_write_is_refused(db, admin, sqlite_path, usb, monkeypatch):
    real = os.access
    monkeypatch.setattr(backup.os, "access", lambda path, mode: False if Path(path) == usb else real(path, mode))
    with pytest.raises(DatabaseProblem, match="may not write in the backup folder"):
        backup.backup_to_folder(str(sqlite_path), usb, 14)
    assert listing(usb) == []


def test_a_folder_that_refuses_the_new_file_is_one_line(db, admin, sqlite_path, usb, monkeypatch):
    real = os.open

    def refuse(path, flags, mode=0o777):
        if Path(path).parent == usb:
            raise PermissionError(13, "Permission denied")
        return real(path, flags, mode)

    monkeypatch.setattr(backup.os, "open", refuse)
    with pytest.raises(DatabaseProblem, match="may not write in the backup folder") as refused:
        backup.backup_to_folder(str(sqlite_path), usb, 14)
    assert "\n" not in str(refused.value) and listing(usb) == []


def test_a_full_disk_leaves_nothing_and_prunes_nothing(db, admin, sqlite_path, usb, ticking, monkeypatch):
    old = backup.backup_to_folder(str(sqlite_path), usb, 1)
    before = listing(usb)

    def disk_full(source, destination, key=None):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dbmod, "sqlite_backup", disk_full)
    with pytest.raises(DatabaseProblem, match="free some space there") as refused:
        backup.backup_to_folder(str(sqlite_path), usb, 1)
    assert "\n" not in str(refused.value)
    assert listing(usb) == before and old.path.exists()


def test_postgresql_is_refused_in_one_line():
    with pytest.raises(DatabaseProblem, match="for SQLite databases; back up a PostgreSQL"):
        backup.backup_to_folder("postgresql+psycopg://clinic@localhost/clinic", "/nowhere", 14)


# --- the status bar's age -------------------------------------------------------------------------

def noted_at(url, when: dt.datetime, path: Path | None = None) -> None:
    backup._note_backup(url, path or Path("/media/backup/clinic-x.db"), verified=True, when=when)


@pytest.mark.parametrize(("age", "level", "text"), [
    (dt.timedelta(0), "ok", "Backup: just now"),
    (59 * S, "ok", "Backup: just now"),
    (3 * H, "ok", "Backup: 3 h ago"),
    (24 * H - S, "ok", "Backup: 23 h ago"),
    (24 * H, "ok", "Backup: 24 h ago"),  # amber only *after* 24 h
    (24 * H + S, "amber", "Backup: 24 h ago"),
    (72 * H - S, "amber", "Backup: 2 days ago"),
    (72 * H, "amber", "Backup: 3 days ago"),
    (72 * H + S, "red", "Backup: 3 days ago"),
    (-clock.FUTURE_TOLERANCE, "ok", "Backup: just now"),  # a clock a little ahead
    (-clock.FUTURE_TOLERANCE - S, "amber", "Backup: time unknown"),  # stamped in the future
    (-400 * 24 * H, "amber", "Backup: time unknown"),
])
def test_the_status_at_each_boundary(db, url, age, level, text):
    noted_at(url, T0)
    status = backup.backup_status(url, T0 + age)
    assert (status.level, status.text) == (level, text)
    assert "Last verified backup" in status.detail and "/media/backup" in status.detail
    if level == "amber" and text.endswith("unknown"):
        assert status.age is None and "clock" in status.detail


def test_no_verified_backup_is_red_and_says_what_to_do(db, url):
    status = backup.backup_status(url, T0)
    assert (status.level, status.text, status.age) == ("red", "Backup: none yet", None)
    assert "Admin › Clinic settings" in status.detail


def test_an_unchecked_manual_backup_does_not_count(db, admin, sqlite_path, tmp_path, url):
    backup.backup(str(sqlite_path), tmp_path / "manual.db")
    assert backup.backup_status(url, clock.now()).text == "Backup: none yet"


def test_an_entry_from_before_verification_reads_as_none_verified(db, url, monkeypatch, tmp_path):
    record = tmp_path / "data" / backup.BACKUP_RECORD
    record.parent.mkdir()
    record.write_text(json.dumps({dbmod.record_key(url): {"path": "/x.db", "taken_at": T0.isoformat()}}))
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(record.parent))
    assert backup.backup_status(url, T0).level == "red"
    seen = backup.latest_backup(url)
    assert seen is not None and seen.taken_at == T0  # still read for doctor


def test_a_failure_is_red_whatever_the_age_and_a_verified_backup_clears_it(db, url):
    noted_at(url, T0)
    backup._note_backup(url, None, problem="The backup folder /media/x is not there.", when=T0 + H)
    status = backup.backup_status(url, T0 + 2 * H)
    assert (status.level, status.text) == ("red", "Backup failed")
    assert "is not there" in status.detail and "Last verified backup" in status.detail
    noted_at(url, T0 + 3 * H)
    assert backup.backup_status(url, T0 + 3 * H).level == "ok"


@pytest.mark.parametrize(("age", "due"), [
    (24 * H - S, False), (24 * H, True), (24 * H + S, True),
    (-clock.FUTURE_TOLERANCE, False), (-clock.FUTURE_TOLERANCE - S, True),
])
def test_a_backup_is_due_once_every_hours_have_passed_or_the_stamp_is_in_the_future(db, url, age, due):
    noted_at(url, T0)
    assert backup.backup_due(url, T0 + age, 24 * H) is due


def test_with_no_backup_one_is_due_and_after_a_failure_the_next_waits(db, url):
    assert backup.backup_due(url, T0, 24 * H)
    backup._note_backup(url, None, problem="full", when=T0)
    assert not backup.backup_due(url, T0 + backup.RETRY_AFTER - S, 24 * H)
    assert backup.backup_due(url, T0 + backup.RETRY_AFTER, 24 * H)


# --- the settings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "low", "high"), [("backup.every_hours", 1, 168), ("backup.keep", 1, 365)])
def test_the_backup_numbers_are_taken_at_their_limits_and_refused_beyond(db, admin, key, low, high):
    for good in (low, low + 1, high - 1, high):
        assert settings_service.update(db, admin, {key: good})[key] == good
    for bad in (low - 1, high + 1):
        with pytest.raises(ValidationError) as refused:
            settings_service.update(db, admin, {key: bad})
        assert f"between {low} and {high}" in refused.value.fields[key]


def test_the_backup_folder_is_blank_by_default_and_must_be_a_full_path(db, admin):
    assert settings_service.get_all(db)["backup.folder"] == ""
    assert settings_service.get_all(db)["backup.every_hours"] == 24
    assert settings_service.get_all(db)["backup.keep"] == 14
    with pytest.raises(ValidationError) as refused:
        settings_service.update(db, admin, {"backup.folder": "backups"})
    assert "full path" in refused.value.fields["backup.folder"]
    assert settings_service.update(db, admin, {"backup.folder": " /media/backup/clinic "})[
        "backup.folder"] == "/media/backup/clinic"
    assert settings_service.update(db, admin, {"backup.folder": ""})["backup.folder"] == ""


# --- the command ----------------------------------------------------------------------------------

def test_the_command_backs_up_into_a_folder_and_says_what_it_pruned(db, admin, sqlite_path, usb):
    first = cli("--db", sqlite_path, "backup", "--to-folder", usb, "--keep", "1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Backed up to {usb}/clinic-") and "(verified;" in first.stdout
    old = ours(usb)
    (usb / old[0]).rename(usb / "clinic-20000101-000000.db")  # as if made long ago
    second = cli("--db", sqlite_path, "backup", "--to-folder", usb, "--keep", "1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == f"Removed the older backup {usb / 'clinic-20000101-000000.db'}"
    assert len(ours(usb)) == 1


def test_the_command_fails_in_one_line_and_refuses_bad_arguments(db, admin, sqlite_path, usb, tmp_path):
    missing = cli("--db", sqlite_path, "backup", "--to-folder", tmp_path / "nothere")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "is not there" in missing.stderr
    for args in (["--to-folder", usb, "--out", tmp_path / "x.db"], ["--to-folder", usb, "--keep", "0"],
                 ["--to-folder", usb, "--keep", "366"], ["--to-folder", usb, "--keep", "two"], []):
        result = cli("--db", sqlite_path, "backup", *args)
        assert result.returncode == 2, args
    with_out = cli("--db", sqlite_path, "backup", "--out", tmp_path / "x.db", "--keep", "3")
    assert with_out.returncode == 1 and "--keep goes with --to-folder" in with_out.stderr
    assert listing(usb) == [] and not (tmp_path / "x.db").exists()


def test_an_encrypted_database_is_backed_up_encrypted_with_its_key_file_and_pruned_with_it(
        encrypted, tmp_path):  # noqa: F811 - the fixture
    path, _recovery = encrypted
    usb = tmp_path / "usb"
    usb.mkdir()
    run = ["--db", path, "backup", "--to-folder", usb, "--keep", "1", "--user", "admin", "--user-password-stdin"]
    first = cli(*run, input=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    assert "(verified; encrypted, its key file beside it;" in first.stdout
    [name] = ours(usb)
    assert listing(usb) == sorted([name, f"{name}.keys", f"{name}.manifest.json"])
    data = (usb / name).read_bytes()
    assert b"DEMO-0001" not in data and b"SQLite format 3" not in data
    manifest = json.loads((usb / f"{name}.manifest.json").read_text("utf-8"))
    assert manifest["encrypted"] is True and manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["audit_head"]["sequence"] > 1
    (usb / name).rename(usb / "clinic-20000101-000000.db")
    (usb / f"{name}.keys").rename(usb / "clinic-20000101-000000.db.keys")
    (usb / f"{name}.manifest.json").rename(usb / "clinic-20000101-000000.db.manifest.json")
    second = cli(*run, input=PASSWORD + "\n")
    assert second.returncode == 0, second.stderr
    [newer] = ours(usb)
    assert listing(usb) == sorted([newer, f"{newer}.keys", f"{newer}.manifest.json"])
    without = cli("--db", path, "backup", "--to-folder", usb)
    assert without.returncode != 0 and "--user NAME" in without.stderr
