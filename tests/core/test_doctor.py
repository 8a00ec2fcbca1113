"""`clinic-desktop doctor`'s checks without Qt: each passing, and each failing as it does on a
real workstation (an unwritable log folder, a bad database path, an unreachable PostgreSQL, a
data folder other accounts can read). The report never carries a patient's name or identifiers."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import sys
from pathlib import Path

import pytest

from clinic_desktop.core import db as dbmod
from clinic_desktop.core import doctor
from clinic_desktop.core.doctor import Check
from clinic_desktop.core.services import backup, demo
from tests.conftest import database_at


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """A private data folder of this test's own (backups are noted there)."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(folder))
    return folder


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the report's lines ----------------------------------------------------------------------
def test_a_line_has_its_mark_what_was_found_and_what_to_do():
    assert Check("Python", True, "3.12.1").line() == "✓ Python: 3.12.1"
    failed = Check("Log folder", False, "/x is not writable", "Fix it.")
    assert failed.line() == "✗ Log folder: /x is not writable → Fix it."
    assert failed.line(ascii_only=True) == "[FAIL] Log folder: /x is not writable -> Fix it."


def test_the_report_ends_with_a_summary_counting_failures():
    checks = [Check("A", True, "fine"), Check("B", False, "broken", "mend")]
    text = doctor.report(checks)
    assert text.splitlines()[0].startswith("Clinic Desktop ")
    assert text.splitlines()[-1] == "1 of 2 checks failed: see the ✗ lines for what to do."
    assert doctor.report(checks[:1]).splitlines()[-1] == "All 1 checks passed."
    assert not doctor.all_passed(checks) and doctor.all_passed(checks[:1])
    assert "✓" not in doctor.report(checks, ascii_only=True)


# --- Python ----------------------------------------------------------------------------------
def test_python_too_old_is_a_failure_naming_the_minimum():
    assert doctor.check_python().ok
    old = doctor.check_python((3, 10, 4), "/usr/bin/python3")
    assert not old.ok and "3.10.4" in old.detail and "3.11" in old.fix


# --- log folder ------------------------------------------------------------------------------
def test_log_folder_writable_or_to_be_created(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    assert doctor.check_log_folder(logs).ok
    assert list(logs.iterdir()) == []  # the probe file is gone
    later = doctor.check_log_folder(tmp_path / "not" / "yet")
    assert later.ok and "can be created" in later.detail
    assert not (tmp_path / "not").exists()  # the doctor only looks


def test_unwritable_log_folder_fails_with_what_to_do(tmp_path):
    in_the_way = tmp_path / "state"
    in_the_way.write_text("a file where the log folder's parent should be")
    check = doctor.check_log_folder(in_the_way / "logs")
    assert not check.ok and "not writable" in check.detail and "write access" in check.fix


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_read_only_log_folder_fails(tmp_path):
    if os.geteuid() == 0:
        # Root writes through any mode; no one, root included, creates a file in /proc/self.
        assert not doctor.check_log_folder(Path("/proc/self")).ok
        return
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o500)
    try:
        assert not doctor.check_log_folder(logs).ok
    finally:
        logs.chmod(0o700)


# --- folder permissions ----------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize(("mode", "who"), [(0o750, "group"), (0o705, "others"), (0o755, "group and others")])
def test_a_data_folder_other_accounts_can_open_fails(tmp_path, mode, who):
    folder = tmp_path / "clinic data"
    folder.mkdir()
    folder.chmod(mode)
    check = doctor.check_private_folder("Data folder", folder)
    assert not check.ok
    assert f"open to {who} (mode {mode:o})" in check.detail
    assert check.fix == f"chmod 700 '{folder}'"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_private_data_folder_passes(data_dir):
    check = doctor.check_private_folder("Data folder", data_dir)
    assert check.ok and "mode 700" in check.detail


def test_a_database_in_its_own_folder_has_that_folder_checked_too(tmp_path, data_dir):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    checks = by_name(doctor.check_folders(str(shared / "clinic.db")))
    assert checks["Data folder"].ok
    if os.name == "posix":
        assert not checks["Database folder"].ok


def test_the_data_folder_is_created_private(tmp_path, monkeypatch):
    from clinic_desktop import paths

    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path / "fresh"))
    paths.user_log_dir()  # the log folder inside it is often made first
    if os.name == "posix":
        assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700
    assert doctor.check_private_folder("Data folder", tmp_path / "fresh").ok


# --- the database ----------------------------------------------------------------------------
def test_a_good_database_reports_schema_size_counts_and_encryption(db, admin):
    demo.seed(db)
    checks = by_name(doctor.check_database(str(db.sqlite_path)))
    assert all(c.ok for c in checks.values()), checks
    database = checks["Database"].detail
    assert str(db.sqlite_path) in database and "SQLite" in database
    assert f"{len(demo.DEMO_PATIENTS)} patients" in database and "user account" in database
    assert checks["Database schema"].detail == f"{dbmod.SCHEMA_HEAD} (current)"
    assert checks["Encryption"].detail.startswith("not encrypted")
    assert checks["Last backup"].detail == "none made from this workstation"
    assert "clinic-desktop backup" in checks["Last backup"].fix


def test_an_encrypted_database_is_reported_without_its_key(tmp_path, quick_kdf):
    from clinic_desktop.core.services import accounts, vault

    path = tmp_path / "clinic.db"
    made = vault.create_encrypted(str(path))
    accounts.create_user_from_console(made.db, "amy", "Amy Admin", "admin", "violet harbor lantern 42")
    demo.seed(made.db)
    made.db.dispose()
    checks = by_name(doctor.check_database(str(path)))
    assert checks["Database"].ok and "encrypted" in checks["Database"].detail
    assert checks["Encryption"].ok
    assert "SQLCipher" in checks["Encryption"].detail and "account(s) and the recovery key" in checks["Encryption"].detail
    assert "DEMO" not in doctor.report(list(checks.values()))


def test_the_report_never_names_a_patient(db, admin):
    from sqlalchemy import text

    demo.seed(db)
    with db.read() as s:
        rows = s.execute(text("SELECT mrn, given_name, family_name, date_of_birth FROM patients")).all()
    assert rows
    report = doctor.report(doctor.run_checks(str(db.sqlite_path)))
    for row in rows:
        for identifier in row:
            assert str(identifier) not in report


def test_a_missing_database_fails_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere" / "clinic.db"
    [check] = doctor.check_database(str(missing))
    assert not check.ok and f"no database at {missing}" in check.detail and "--db" in check.fix
    assert not missing.parent.exists()


def test_a_folder_given_as_the_database_fails(tmp_path):
    [check] = doctor.check_database(str(tmp_path))
    assert not check.ok and "is not a file" in check.detail


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_not_a_clinic_database_fails(tmp_path, content):
    bad = tmp_path / "clinic.db"
    bad.write_bytes(content)
    [check] = doctor.check_database(str(bad))
    assert not check.ok and str(bad) in check.detail and "restore" in check.fix
    assert bad.read_bytes() == content  # untouched


def test_an_empty_database_file_passes_as_new(tmp_path):
    new = tmp_path / "clinic.db"
    new.touch()
    [check] = doctor.check_database(str(new))
    assert check.ok and "first start" in check.detail


def _at_revision(path: Path, revision: str) -> None:
    database_at(path, revision)[1].dispose()


def test_an_older_schema_passes_saying_the_next_start_upgrades_it(tmp_path):
    path = tmp_path / "old.db"
    _at_revision(path, "0005")
    checks = by_name(doctor.check_database(str(path)))
    assert checks["Database schema"].ok
    assert checks["Database schema"].detail.startswith(f"0005; the next start upgrades it to {dbmod.SCHEMA_HEAD}")
    with sqlite3.connect(path) as conn:  # and the doctor did not upgrade it
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005"


def test_a_newer_schema_fails(tmp_path):
    path = tmp_path / "new.db"
    _at_revision(path, "head")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    check = by_name(doctor.check_database(str(path)))["Database schema"]
    assert not check.ok and "9999" in check.detail and "newer" in check.fix


def test_an_unknown_kind_of_database_fails():
    [check] = doctor.check_database("mysql://someone@server/clinic")
    assert not check.ok and "not supported" in check.detail


# --- PostgreSQL ------------------------------------------------------------------------------
def test_an_unreachable_postgresql_server_fails_without_showing_the_password():
    url = f"postgresql+psycopg://clinic:s3cret-pw@127.0.0.1:{closed_port()}/clinic"
    checks = doctor.check_database(url)
    assert [c.name for c in checks] == ["PostgreSQL server"]
    [check] = checks
    assert not check.ok and "cannot be reached" in check.detail and "clinic on clinic@127.0.0.1:" in check.detail
    assert "pg_hba.conf" in check.fix
    assert "s3cret-pw" not in check.line()


@pytest.mark.postgres
def test_a_reachable_postgresql_database_is_checked_like_a_file(pg_url):
    from clinic_desktop.core.db import open_database

    database = open_database(pg_url)
    try:
        demo.seed(database)
    finally:
        database.dispose()
    checks = by_name(doctor.check_database(pg_url))
    assert all(c.ok for c in checks.values()), checks
    assert checks["PostgreSQL server"].detail.split(" answers ")[1].startswith("(PostgreSQL ")
    assert "PostgreSQL" in checks["Database"].detail and "patients" in checks["Database"].detail
    assert checks["Database schema"].detail == f"{dbmod.SCHEMA_HEAD} (current)"
    assert "SSL" in checks["Encryption"].detail


# --- backups ---------------------------------------------------------------------------------
def test_the_last_backup_made_is_reported_with_its_age(db, tmp_path):
    out = tmp_path / "usb" / "clinic-copy.db"
    out.parent.mkdir()
    backup.backup(str(db.sqlite_path), out)
    check = by_name(doctor.check_database(str(db.sqlite_path)))["Last backup"]
    assert check.ok and "(today)" in check.detail and str(out) in check.detail and check.fix == ""
    out.unlink()  # the USB disk taken away
    check = by_name(doctor.check_database(str(db.sqlite_path)))["Last backup"]
    assert "not there now" in check.detail


def test_a_copy_made_before_an_upgrade_counts_as_a_backup(db):
    copy = db.sqlite_path.with_name(f"{db.sqlite_path.stem}.before-0007-20261101-101010.db")
    dbmod.sqlite_backup(db.sqlite_path, copy)
    week_ago = (dt.datetime.now() - dt.timedelta(days=7)).timestamp()
    os.utime(copy, (week_ago, week_ago))
    seen = backup.latest_backup(db.url)
    assert seen is not None and seen.path == copy and seen.before_upgrade
    check = by_name(doctor.check_database(str(db.sqlite_path)))["Last backup"]
    assert "(7 days ago) before a schema upgrade" in check.detail and "clinic-desktop backup" in check.fix


def test_a_backup_of_another_database_does_not_count(db, tmp_path):
    other = tmp_path / "other.db"
    dbmod.sqlite_backup(db.sqlite_path, other)
    backup.backup(str(other), tmp_path / "other-copy.db")
    assert backup.latest_backup(db.url) is None


# --- all of them -----------------------------------------------------------------------------
def test_run_checks_puts_the_environment_after_python(db):
    qt = Check("Qt", True, "Qt 6")
    names = [c.name for c in doctor.run_checks(str(db.sqlite_path), environment=[qt])]
    assert names[:2] == ["Python", "Qt"]
    assert names[2:] == ["Database", "Database schema", "Encryption", "Last backup", "Log folder",
                         "Data folder", "Database folder"]


# --- the checks clinic_desktop.doctor adds (fonts; how the Qt plugin is tried) ----------------
def test_the_pdf_fonts_pass_and_a_missing_or_damaged_one_fails(tmp_path, monkeypatch):
    from clinic_desktop import doctor as full
    from clinic_desktop.reports import fonts

    check = full.check_fonts()
    assert check.ok and check.detail.startswith("3 fonts readable in ")
    broken = tmp_path / "fonts"
    broken.mkdir()
    for name in (fonts.MAIN, fonts.MAIN_BOLD):
        (broken / fonts.font_path(name).name).write_bytes(fonts.font_path(name).read_bytes())
    (broken / fonts.font_path(fonts.MAIN_BOLD).name).write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n")  # an LFS pointer
    monkeypatch.setattr(fonts, "fonts_dir", lambda: broken)
    check = full.check_fonts()
    assert not check.ok
    assert "NotoSans-Bold.ttf cannot be read" in check.detail and "wqy-microhei.ttc is missing" in check.detail
    assert "Reinstall" in check.fix


def test_the_plugin_probe_runs_this_program_again(monkeypatch):
    from clinic_desktop import doctor as full

    assert full.probe_command()[1:] == ["-m", "clinic_desktop", "doctor", full.PROBE_ARG]
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # the PyInstaller bundle
    assert full.probe_command() == [sys.executable, "doctor", full.PROBE_ARG]
