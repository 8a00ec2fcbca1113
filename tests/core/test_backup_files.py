"""`backup` never touches the live database's own files, writes a private copy, and leaves nothing
half-written behind (issue #17, item 5)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.models import AuditEvent, Patient
from clinic_desktop.core.services import backup
from tests.factories import admit_without_intake

REPO = Path(__file__).resolve().parents[2]


def snapshot(*paths: Path) -> dict[Path, tuple[bytes, int] | None]:
    """Each file's bytes and mode, or None when it is not there."""
    return {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) if p.exists() else None for p in paths}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "clinic_desktop", *map(str, args)], capture_output=True,
                          check=False, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def counts(database) -> tuple[int, int]:
    with database.read() as s:
        return (s.scalar(select(func.count()).select_from(Patient)),
                s.scalar(select(func.count()).select_from(AuditEvent)))


@pytest.fixture
def busy_db(db, admin, sqlite_path):
    """The app's database open and just written to: its -wal and -shm are there."""
    for n in range(5):
        admit_without_intake(db, admin, mrn=f"B-{n}", given=f"Given{n}")
    assert Path(f"{sqlite_path}-wal").exists() and Path(f"{sqlite_path}-shm").exists()
    return db


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ""])
def test_backup_onto_a_live_file_is_refused_and_changes_nothing(busy_db, sqlite_path, suffix):
    before_counts = counts(busy_db)
    files = [Path(f"{sqlite_path}{s}") for s in ("", "-wal", "-shm", "-journal")]
    before = snapshot(*files)
    listing = sorted(sqlite_path.parent.iterdir())
    result = cli("--db", sqlite_path, "backup", "--out", f"{sqlite_path}{suffix}")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "live database's own files" in result.stderr
    assert snapshot(*files) == before
    assert sorted(sqlite_path.parent.iterdir()) == listing
    assert counts(busy_db) == before_counts and before_counts[0] == 5


def test_a_symlink_or_relative_path_to_the_wal_is_refused(busy_db, sqlite_path, tmp_path, monkeypatch):
    wal = Path(f"{sqlite_path}-wal")
    link = tmp_path / "elsewhere" / "copy.db"
    link.parent.mkdir()
    link.symlink_to(wal)
    hard = tmp_path / "hard.db"
    os.link(sqlite_path, hard)
    before = snapshot(sqlite_path, wal, Path(f"{sqlite_path}-shm"))
    monkeypatch.chdir(tmp_path / "elsewhere")
    for out in (link, Path("copy.db"), Path("..") / f"{sqlite_path.name}-wal", hard):
        with pytest.raises(DatabaseProblem, match="live database's own files"):
            backup.backup(str(sqlite_path), out)
    assert snapshot(sqlite_path, wal, Path(f"{sqlite_path}-shm")) == before
    assert link.is_symlink()


def test_a_good_backup_is_private_and_whole(busy_db, sqlite_path, tmp_path):
    out = tmp_path / "backups" / "copy.db"
    usual = os.umask(0o022)  # the usual umask, under which files were 0644
    try:
        assert backup.backup(str(sqlite_path), out) == out.resolve()
    finally:
        os.umask(usual)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.manifest_path(out).stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.db", "copy.db.manifest.json"]
    copy = dbmod.open_database(out)
    try:
        assert counts(copy) == counts(busy_db)
    finally:
        copy.dispose()


def test_a_backup_replacing_an_older_one_is_private(busy_db, sqlite_path, tmp_path):
    out = tmp_path / "copy.db"
    out.write_bytes(b"last week's")
    out.chmod(0o644)
    backup.backup(str(sqlite_path), out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes().startswith(dbmod.SQLITE_HEADER)


def test_a_backup_failing_midway_leaves_no_partial_file(busy_db, sqlite_path, tmp_path, monkeypatch):
    real = dbmod.sqlite_backup

    def disk_full(source, destination, key=None):
        real(source, destination)  # the whole copy written, then the disk fills
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dbmod, "sqlite_backup", disk_full)
    folder = tmp_path / "usb"
    folder.mkdir()
    older = folder / "copy.db"
    older.write_bytes(b"an older backup")
    before = snapshot(older, sqlite_path)
    with pytest.raises(DatabaseProblem, match="backup to .* failed") as refused:
        backup.backup(str(sqlite_path), older)
    assert "\n" not in str(refused.value)
    assert sorted(folder.iterdir()) == [older]  # no partial file, hidden or not
    assert snapshot(older, sqlite_path) == before


def test_a_backup_that_cannot_start_in_its_folder_leaves_nothing(busy_db, sqlite_path, tmp_path, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backup.tempfile, "mkstemp", no_space)
    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(DatabaseProblem, match="Cannot write a backup in"):
        backup.backup(str(sqlite_path), folder / "copy.db")
    assert list(folder.iterdir()) == []


def test_backup_of_no_database_creates_nothing(tmp_path):
    result = cli("--db", tmp_path / "missing" / "clinic.db", "backup", "--out", tmp_path / "copy.db")
    assert result.returncode != 0 and "No database at" in result.stderr
    assert list(tmp_path.iterdir()) == []
