"""Files only their owner can read (#17 item 3): whatever a Clinic Desktop process writes — the
database and its WAL and SHM, the logs, a backup, a directory export, a printed plan — is 0600,
and the folders it makes are 0700, even when started with the usual umask of 022."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_desktop.paths import PRIVATE_UMASK

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "violet harbor lantern 42"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def cli(data: Path, *args: object, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clinic_desktop", *map(str, args)], input=stdin, capture_output=True, text=True,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "CLINIC_DESKTOP_DATA_DIR": str(data)},
        preexec_fn=lambda: os.umask(0o022), timeout=180, check=False)  # the usual umask, as a login gives


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_everything_the_app_writes_is_its_users_alone(tmp_path):
    assert PRIVATE_UMASK == 0o077
    data, out = tmp_path / "new" / "data", tmp_path / "out"
    out.mkdir(mode=0o755)
    out.chmod(0o755)  # a shared folder the user picked: what is written in it is still private
    signed = ("--user", "amy", "--user-password-stdin")  # the database is encrypted: a key file too
    steps = [("create-user", "--username", "amy", "--role", "admin", "--password-stdin"), ("demo", *signed),
             ("backup", "--out", out / "backup.db", *signed), ("export-directory", out / "directory.csv", *signed),
             ("export-plan", "--patient", "DEMO-0001", "--out", out / "plan.pdf", *signed)]
    for step in steps:
        result = cli(data, *step, stdin=PASSWORD + "\n")
        assert result.returncode == 0, (step, result.stderr)
    folders = [data, *[p for p in data.rglob("*") if p.is_dir()]]
    files = [p for p in data.rglob("*") if p.is_file()] + [out / "backup.db", out / "backup.db.keys",
                                                            out / "directory.csv", out / "plan.pdf"]
    assert data / "clinic.db" in files and data / "clinic.db.keys" in files, files
    assert any(p.suffix == ".log" or "log" in p.name for p in files), files
    assert {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}
    assert {str(p): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
