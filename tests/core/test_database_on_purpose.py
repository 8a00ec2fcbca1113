"""A database is created only on purpose (issue #17, item 9): a --db naming nothing opens nothing,
and a 0-byte file is never silently initialized."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import DatabaseProblem

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "violet harbor lantern 42"


def cli(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "clinic_desktop", *map(str, args)], input=stdin,
                          capture_output=True, check=False, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def tree(folder: Path) -> dict[Path, tuple[bytes, int] | None]:
    """Every file and folder under ``folder``, with each file's bytes and mode."""
    return {p: ((p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def one_line_refusal(result, text: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("command", [
    ["verify-audit"],
    ["demo"],
    ["backup", "--out", "{tmp}/copy.db"],
    ["export-directory", "{tmp}/directory.csv"],
    ["import-directory", "{tmp}/directory.csv"],
    ["export-plan", "--patient", "P-1", "--out", "{tmp}/plan.pdf"],
])
def test_admin_commands_on_a_missing_database_create_nothing(tmp_path, command):
    missing = tmp_path / "typo" / "clinc.db"
    before = tree(tmp_path)
    result = cli("--db", missing, *(arg.format(tmp=tmp_path) for arg in command))
    one_line_refusal(result, f"No database at {missing}")
    assert tree(tmp_path) == before  # not the file, not its folder, not the output


def test_verify_audit_on_a_missing_file_in_an_existing_folder(tmp_path):
    result = cli("--db", tmp_path / "missing.db", "verify-audit")
    one_line_refusal(result, f"No database at {tmp_path / 'missing.db'}")
    assert "intact" not in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["verify-audit"], ["demo"],
                                     ["create-user", "--username", "amy", "--role", "admin",
                                      "--password-stdin"]])
def test_a_zero_byte_file_is_refused_and_left_as_it_was(tmp_path, command):
    empty = tmp_path / "clinic.db"
    empty.write_bytes(b"")
    empty.chmod(0o640)
    before = tree(tmp_path)
    result = cli("--db", empty, *command, stdin=PASSWORD + "\n")
    one_line_refusal(result, "is not a Clinic Desktop database")
    assert tree(tmp_path) == before  # still 0 bytes, same mode, no -wal/-shm/-journal beside it


def test_create_user_on_a_new_path_creates_the_database(tmp_path):
    new = tmp_path / "new folder" / "clinic.db"
    result = cli("--db", new, "create-user", "--username", "amy", "--role", "admin", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert dbmod.is_encrypted(new)  # encrypted by default (tests/core/test_encryption_commands.py)
    assert cli("--db", new, "verify-audit", "--user", "amy", "--user-password-stdin",
               stdin=PASSWORD + "\n").returncode == 0


def test_open_database_without_create_opens_nothing(tmp_path):
    missing = tmp_path / "a" / "b" / "clinic.db"
    with pytest.raises(dbmod.NoDatabase, match="No database at"):
        dbmod.open_database(missing, create=False)
    assert list(tmp_path.iterdir()) == []
    made = dbmod.open_database(tmp_path / "made.db")  # creating is still the default
    made.dispose()
    again = dbmod.open_database(tmp_path / "made.db", create=False)  # an existing one opens
    again.dispose()


def test_open_database_never_initializes_a_zero_byte_file(tmp_path):
    empty = tmp_path / "clinic.db"
    empty.write_bytes(b"")
    with pytest.raises(DatabaseProblem, match="not a Clinic Desktop database"):
        dbmod.open_database(empty)
    assert empty.read_bytes() == b"" and sorted(tmp_path.iterdir()) == [empty]
