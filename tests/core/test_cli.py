"""`clinic-desktop [--db DB] <command>` as an administrator uses it, in a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import stat
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
        check=False, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=120,
    )


def created(path: Path) -> Path:
    """A new, empty Clinic Desktop database at ``path``: the commands but create-user never make one."""
    from clinic_desktop.core.db import open_database

    open_database(path).dispose()
    return path


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
    ok = cli("--db", db, "--no-encryption", "create-user", "--username", "amy", "--role", "admin", "--password-stdin",
             stdin=PASSWORD + "\n")
    assert ok.returncode == 0 and "admin account 'amy'" in ok.stdout
    assert_clean_error(cli("--db", db, "create-user", "--username", "amy", "--role", "nurse",
                           "--password-stdin", stdin=PASSWORD), code=2)
    assert_clean_error(cli("--db", db, "create-user", "--username", "bo", "--role", "nurse",
                           "--password-stdin", stdin="short\n"), code=2)


def test_demo_is_idempotent_and_invented(tmp_path):
    db = tmp_path / "d.db"
    first = cli("--db", created(db), "demo")
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
    assert cli("--db", db, "--no-encryption", "create-user", "--username", "amy", "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n").returncode == 0  # a restorable database has an administrator
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
    assert cli("--db", created(db), "demo").returncode == 0
    bogus.write_text("not a database")
    before = db.read_bytes()
    assert_clean_error(cli("--db", db, "restore", "--from", bogus))
    assert db.read_bytes() == before
    assert_clean_error(cli("--db", db, "restore", "--from", tmp_path / "missing.db"))


def test_verify_audit_names_the_first_broken_event(tmp_path):
    db = tmp_path / "a.db"
    assert cli("--db", created(db), "demo").returncode == 0
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
    assert cli("--db", created(db), "demo", env=env).returncode == 0
    assert cli("--db", db, "backup", "--out", tmp_path / "b.db", env=env).returncode == 0
    assert cli("--db", created(tmp_path / "junk.db"), "demo", env=env).returncode == 0
    log = (home / "logs" / "clinic-desktop.log").read_text(encoding="utf-8")
    for given, family, born, *_ in demo.DEMO_PATIENTS:
        for secret in (given, family, born.isoformat()):
            assert secret not in log
    assert "DEMO-" not in log


@pytest.mark.parametrize("args", [["frobnicate"], ["create-user", "--role", "nurse"]])
def test_usage_errors_exit_non_zero(args):
    result = cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


DIRECTORY_HEADER = "name,kind,phone,other_contact,address,hours,languages,walk_in,payment,notes,last_verified"


def directory_rows(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name, kind, phone, active, created_by FROM directory_entries "
                            "WHERE key IS NULL ORDER BY name").fetchall()
    finally:
        conn.close()


def test_export_directory_writes_every_active_entry(tmp_path):
    db, out = created(tmp_path / "x.db"), tmp_path / "directory.csv"
    result = cli("--db", db, "export-directory", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Exported 5 directory entries to {out}"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == DIRECTORY_HEADER and len(lines) == 6
    assert lines[1].startswith("SAMHSA National Helpline,national_helpline,1-800-662-HELP (4357),")
    assert not list(tmp_path.glob(".*partial"))
    assert_clean_error(cli("--db", db, "export-directory", tmp_path / "no" / "such" / "dir.csv"), code=1)


def _bytes_and_mode(*paths: Path) -> list[tuple[bytes | None, int]]:
    return [(p.read_bytes() if stat.S_ISREG(os.lstat(p).st_mode) else None, os.lstat(p).st_mode)
            for p in paths]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds and modes")
def test_exports_write_only_regular_files_for_their_owner(tmp_path):
    """A symlink, a folder or a FIFO at --out / FILE is refused in one line and left as it was;
    what is written is 0600 (issue #17 item 8)."""
    db = tmp_path / "x.db"
    assert cli("--db", db, "--no-encryption", "create-user", "--username", "amy", "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n").returncode == 0
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"not to be overwritten")
    precious.chmod(0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(precious)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    before = _bytes_and_mode(precious, link, folder, fifo)
    for target, kind in [(link, "a symbolic link"), (folder, "a folder"), (fifo, "a pipe (FIFO)")]:
        refused = cli("--db", db, "export-directory", target)
        assert_clean_error(refused, code=1)
        assert f"{target} is {kind}, not a regular file" in refused.stderr
    refused = cli("--db", db, "export-plan", "--patient", "DEMO-0001", "--out", link)
    assert_clean_error(refused, code=1)
    assert "is a symbolic link, not a regular file" in refused.stderr
    assert _bytes_and_mode(precious, link, folder, fifo) == before
    assert os.readlink(link) == str(precious) and list(folder.iterdir()) == []
    conn = sqlite3.connect(db)
    exports = conn.execute("SELECT count(*) FROM audit_events WHERE action = 'directory.exported'").fetchone()[0]
    conn.close()
    assert exports == 0  # refused before anything was exported

    out = tmp_path / "directory.csv"
    assert cli("--db", db, "export-directory", out).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "directory.csv", "fifo.csv", "folder.csv", "link.csv", "precious.txt", "x.db"]


def test_import_directory_all_or_nothing_then_only_valid(tmp_path):
    db, source = created(tmp_path / "i.db"), tmp_path / "contacts.csv"
    rows = [
        DIRECTORY_HEADER,
        'Hope House,sober_living,217-555-0101,,"3 Hill Rd, Springfield",,en,no,,,2026-01-02',
        "Bad Phone Place,counselor,not a number,,,,en,no,,,",
        "Oak Lodge,sober_living,217-555-0102,,,,en,maybe,,,",
        "Crisis Text Line,national_helpline,,text HOME to 741741,,24/7,en,no,,,",
        "Núñez Counseling,counselor,217-555-0103,,,,\"en,es\",yes,,,",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    refused = cli("--db", db, "import-directory", source)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert lines[0] == "line 3 (Bad Phone Place): refused: phone: This is not a phone number."
    assert lines[1] == "line 4 (Oak Lodge): refused: walk_in: “maybe” is not yes or no."
    assert lines[2].startswith("line 5 (Crisis Text Line): duplicate: Already in the directory")
    assert lines[3] == (f"{source}: Nothing was imported: 2 of the 5 rows were refused. Correct them "
                        "and import again, or import only the valid rows. Use --only-valid to import "
                        "the 2 valid rows.")
    assert directory_rows(db) == []

    partial = cli("--db", db, "import-directory", source, "--only-valid")
    assert partial.returncode == 2
    assert partial.stderr.strip().splitlines()[-1] == (
        f"{source}: Imported 2 of 5 entries. 1 already in the directory (skipped). 2 refused.")
    assert directory_rows(db) == [("Hope House", "sober_living", "+12175550101", 1, None),
                                  ("Núñez Counseling", "counselor", "+12175550103", 1, None)]
    conn = sqlite3.connect(db)
    event = conn.execute("SELECT username, action FROM audit_events ORDER BY seq DESC").fetchone()
    conn.close()
    assert event == ("(console)", "directory.imported")
    assert cli("--db", db, "verify-audit").returncode == 0

    # Once the file is corrected, importing it again adds the rest and exits 0.
    source.write_text("\ufeff" + source.read_text(encoding="utf-8").replace("not a number", "217-555-0104")
                      .replace("maybe", "yes"), encoding="utf-8")
    fixed = cli("--db", db, "import-directory", source)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.strip() == f"{source}: Imported 2 of 5 entries. 3 already in the directory (skipped)."
    assert len(directory_rows(db)) == 4


def test_directory_round_trip_between_databases(tmp_path):
    first, second, out = created(tmp_path / "a.db"), created(tmp_path / "b.db"), tmp_path / "dir.csv"
    out.write_text(DIRECTORY_HEADER + "\nHope House,sober_living,217-555-0101,,,,en,no,,,\n", encoding="utf-8")
    assert cli("--db", first, "import-directory", out).returncode == 0
    assert cli("--db", first, "export-directory", out).returncode == 0
    result = cli("--db", second, "import-directory", out)
    assert result.returncode == 0, result.stderr
    assert "Imported 1 of 6 entries. 5 already in the directory (skipped)." in result.stdout
    assert directory_rows(second) == directory_rows(first)


@pytest.mark.parametrize("content", [None, b"name,kind\nHope,other\n", b"\xff\xfe garbage"])
def test_import_directory_refuses_an_unreadable_file_in_one_line(tmp_path, content):
    source = tmp_path / "contacts.csv"
    if content is not None:
        source.write_bytes(content)
    assert_clean_error(cli("--db", created(tmp_path / "d.db"), "import-directory", source),
                       code=1 if content is None else 2)


def test_demo_gives_demo_0001_a_finalized_plan_and_export_plan_writes_it(tmp_path):
    db = tmp_path / "plan.db"
    assert cli("--db", created(db), "demo").returncode == 0
    conn = sqlite3.connect(db)
    [(stage,)] = conn.execute("SELECT e.stage FROM episodes e JOIN patients p ON p.id = e.patient_id "
                              "WHERE p.mrn = 'DEMO-0001'").fetchall()
    [(stored,)] = conn.execute("SELECT v.pdf FROM plan_versions v JOIN aftercare_plans a ON a.id = v.plan_id "
                               "JOIN episodes e ON e.id = a.episode_id JOIN patients p ON p.id = e.patient_id "
                               "WHERE p.mrn = 'DEMO-0001' AND v.number = 1").fetchall()
    active = conn.execute("SELECT count(*) FROM users WHERE active").fetchone()[0]
    conn.close()
    assert stage == "transition" and active == 0  # the demo accounts stay disabled

    out = tmp_path / "plan.pdf"
    result = cli("--db", db, "export-plan", "--patient", "DEMO-0001", "--out", out)
    assert result.returncode == 0 and "version 1 as finalized" in result.stdout, result.stderr
    assert out.read_bytes() == bytes(stored)
    same = cli("--db", db, "export-plan", "--patient", "DEMO-0001", "--out", out, "--lang", "en")
    assert same.returncode == 0 and out.read_bytes() == bytes(stored)
    regular = cli("--db", db, "export-plan", "--patient", "DEMO-0001", "--out", out, "--no-large-print")
    assert regular.returncode == 0 and out.read_bytes() == bytes(stored)  # the version is regular type
    for extra in (["--lang", "es"], ["--large-print"]):
        other = cli("--db", db, "export-plan", "--patient", "DEMO-0001", "--out", out, *extra)
        assert other.returncode == 0 and "watermarked DRAFT" in other.stdout, other.stderr
        assert out.read_bytes().startswith(b"%PDF") and out.read_bytes() != bytes(stored)

    assert_clean_error(cli("--db", db, "export-plan", "--patient", "NOPE-1", "--out", out), code=1)
    assert_clean_error(cli("--db", db, "export-plan", "--patient", "DEMO-0002", "--out", out), code=1)
    assert_clean_error(cli("--db", db, "export-plan", "--patient", "DEMO-0001",
                           "--out", tmp_path / "missing-dir" / "p.pdf"), code=1)
    conn = sqlite3.connect(db)
    console = [r[0] for r in conn.execute("SELECT action FROM audit_events WHERE username = '(console)'")]
    conn.close()
    assert console.count("plan.printed") == 3 and console.count("plan.draft_printed") == 2
    assert cli("--db", db, "verify-audit").returncode == 0
    assert cli("--db", db, "demo").stdout.strip() == "The demo patients are already there."


def doctor_env(tmp_path, **extra) -> dict:
    data = tmp_path / "data"
    data.mkdir(mode=0o700, exist_ok=True)
    return {"CLINIC_DESKTOP_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen", **extra}


def test_doctor_passes_on_a_good_installation_and_names_no_patient(tmp_path):
    db = tmp_path / "data" / "clinic.db"
    env = doctor_env(tmp_path)
    assert cli("--db", created(db), "demo", env=env).returncode == 0
    assert cli("--db", db, "backup", "--out", tmp_path / "copy.db", env=env).returncode == 0
    result = cli("--db", db, "doctor", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith(f"Clinic Desktop {__version__} on ")
    checks = lines[1:-1]
    assert all(line.startswith("✓ ") for line in checks), result.stdout
    names = [line[2:].split(":")[0] for line in checks]
    assert names == ["Python", "Qt", "Qt platform plugin", "PDF fonts", "Database", "Database schema",
                     "Encryption", "Last backup", "Log folder", "Data folder"]
    assert '"offscreen" loads' in result.stdout and "(today)" in result.stdout
    assert lines[-1] == f"All {len(checks)} checks passed."
    conn = sqlite3.connect(db)
    identifiers = [str(v) for row in conn.execute("SELECT mrn, given_name, family_name, date_of_birth "
                                                  "FROM patients") for v in row]
    conn.close()
    assert identifiers and not [i for i in identifiers if i in result.stdout]


def test_doctor_exits_1_naming_each_failure_and_what_to_do(tmp_path):
    missing = tmp_path / "no-such-folder" / "clinic.db"
    result = cli("--db", missing, "doctor", env=doctor_env(tmp_path, QT_QPA_PLATFORM="no-such-plugin"))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗ ")]
    assert [line[2:].split(":")[0] for line in failed] == ["Qt platform plugin", "Database"]
    assert all(" → " in line for line in failed)
    assert "QT_QPA_PLATFORM=no-such-plugin" in failed[0]
    assert result.stdout.strip().splitlines()[-1] == "2 of 7 checks failed: see the ✗ lines for what to do."
    assert not missing.parent.exists()  # the doctor only looks


def test_doctor_reports_an_unreachable_postgresql_server(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://clinic:hunter2-secret@127.0.0.1:{port}/clinic"
    result = cli("doctor", env=doctor_env(tmp_path, CLINIC_DESKTOP_DB=url))
    assert result.returncode == 1
    assert f"✗ PostgreSQL server: clinic on clinic@127.0.0.1:{port} cannot be reached" in result.stdout
    assert "hunter2-secret" not in result.stdout + result.stderr


def test_doctor_falls_back_to_ascii_marks_on_a_console_without_them(tmp_path):
    result = cli("--db", tmp_path / "none.db", "doctor", env=doctor_env(tmp_path, PYTHONIOENCODING="ascii"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "[ok] Python: " in result.stdout and "[FAIL] Database: no database at" in result.stdout
