"""`clinic-desktop [--db DB] <command>` as an administrator uses it, in a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_desktop import __version__
from clinic_desktop.core.services import demo

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "violet harbor lantern 42"


def cli(*args, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "clinic_desktop", *map(str, args)], input=stdin, capture_output=True,
        text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=120,
    )


def assert_clean_error(result, code=None):
    assert result.returncode != 0 if code is None else result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clinic-desktop:"), result.stderr
    assert "Traceback" not in result.stderr


def test_version():
    result = cli("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_create_user_from_stdin_and_refusals(tmp_path):
    db = tmp_path / "c.db"
    ok = cli("--db", db, "create-user", "--username", "amy", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0 and "admin account 'amy'" in ok.stdout
    assert_clean_error(cli("--db", db, "create-user", "--username", "amy", "--role", "nurse",
                           "--password-stdin", stdin=PASSWORD), code=2)
    assert_clean_error(cli("--db", db, "create-user", "--username", "bo", "--role", "nurse",
                           "--password-stdin", stdin="short\n"), code=2)


def test_demo_is_idempotent_and_invented(tmp_path):
    db = tmp_path / "d.db"
    first = cli("--db", db, "demo")
    assert first.returncode == 0 and f"Added {len(demo.DEMO_PATIENTS)} demo patients" in first.stdout
    assert cli("--db", db, "demo").stdout.strip() == "The demo patients are already there."
    conn = sqlite3.connect(db)
    mrns = [r[0] for r in conn.execute("SELECT mrn FROM patients ORDER BY mrn")]
    stages = {r[0] for r in conn.execute("SELECT stage FROM episodes")}
    conn.close()
    assert mrns == [f"DEMO-{n:04d}" for n in range(1, len(demo.DEMO_PATIENTS) + 1)]
    assert stages == {"assessment", "stabilization", "transition", "discharged"}


def test_backup_restore_round_trip_keeps_the_replaced_database(tmp_path):
    db, copy = tmp_path / "live.db", tmp_path / "backup.db"
    assert cli("--db", db, "demo").returncode == 0
    assert cli("--db", db, "backup", "--out", copy).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM patient_name_tokens")
    conn.execute("UPDATE patients SET given_name = 'Changed'")
    conn.commit()
    conn.close()
    result = cli("--db", db, "restore", "--from", copy)
    assert result.returncode == 0, result.stderr
    kept = next(tmp_path.glob("live.replaced-*.db"))
    assert {r[0] for r in sqlite3.connect(kept).execute("SELECT given_name FROM patients")} == {"Changed"}
    assert "Changed" not in {r[0] for r in sqlite3.connect(db).execute("SELECT given_name FROM patients")}
    assert cli("--db", db, "verify-audit").returncode == 0


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    db, bogus = tmp_path / "live.db", tmp_path / "bogus.db"
    assert cli("--db", db, "demo").returncode == 0
    bogus.write_text("not a database")
    before = db.read_bytes()
    assert_clean_error(cli("--db", db, "restore", "--from", bogus))
    assert db.read_bytes() == before
    assert_clean_error(cli("--db", db, "restore", "--from", tmp_path / "missing.db"))


def test_verify_audit_names_the_first_broken_event(tmp_path):
    db = tmp_path / "a.db"
    assert cli("--db", db, "demo").returncode == 0
    ok = cli("--db", db, "verify-audit")
    assert ok.returncode == 0 and "intact" in ok.stdout
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 7")
    conn.commit()
    conn.close()
    broken = cli("--db", db, "verify-audit")
    assert broken.returncode == 3 and "event 7" in broken.stderr and "Traceback" not in broken.stderr


def test_database_problems_are_one_line(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 100)
    assert_clean_error(cli("--db", junk, "verify-audit"))
    assert_clean_error(cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "verify-audit"))


def test_logs_never_carry_patient_identifiers(tmp_path):
    home = tmp_path / "home"
    db = tmp_path / "l.db"
    env = {"CLINIC_DESKTOP_DATA_DIR": str(home)}
    assert cli("--db", db, "demo", env=env).returncode == 0
    assert cli("--db", db, "backup", "--out", tmp_path / "b.db", env=env).returncode == 0
    assert cli("--db", tmp_path / "junk.db", "demo", env=env).returncode == 0
    log = (home / "logs" / "clinic-desktop.log").read_text(encoding="utf-8")
    for given, family, born, *_ in demo.DEMO_PATIENTS:
        for secret in (given, family, born.isoformat()):
            assert secret not in log
    assert "DEMO-" not in log


@pytest.mark.parametrize("args", [["frobnicate"], ["create-user", "--role", "nurse"]])
def test_usage_errors_exit_non_zero(args):
    result = cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
