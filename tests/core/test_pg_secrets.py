"""PostgreSQL without secrets in sight (#17 item 2), the parts that need no server: libpq's
password file, sslmode for other machines, the client tools' arguments without the password,
--db with a password refused, and the password asked for when the server wants one."""

from __future__ import annotations

import argparse
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from clinic_desktop import cli
from clinic_desktop.core import pg
from clinic_desktop.core.db import resolve_target
from clinic_desktop.core.services import backup

REPO = Path(__file__).resolve().parents[2]


# --- the password file ---------------------------------------------------------------------------
def test_a_new_password_file_is_private_and_libpq_shaped(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    url = make_url("postgresql+psycopg://nurse@db.clinic.lan:5433/clinic")
    written = pg.save_password(url, "s3cret")
    assert written == tmp_path / "pgpass" == pg.pgpass_path()
    assert written.read_bytes() == b"db.clinic.lan:5433:clinic:nurse:s3cret\n"
    if os.name == "posix":
        assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_colons_and_backslashes_are_escaped_as_libpq_reads_them(tmp_path):
    url = make_url("postgresql+psycopg://we:ird@/clinic:db?host=/run/postgresql")
    path = pg.save_password(url, r"pa:ss\word", tmp_path / "pgpass")
    line = path.read_text().rstrip("\n")
    assert line == r"/run/postgresql:5432:clinic\:db:we:pa\:ss\\word"
    assert pg.split_line(line) == ["/run/postgresql", "5432", "clinic:db", "we", r"pa:ss\word"]


def test_only_the_matching_line_is_replaced_and_the_rest_kept_byte_for_byte(tmp_path):
    path = tmp_path / "pgpass"
    others = (b"# the clinic's servers\r\n"
              b"*:*:*:nurse:wildcard-kept\n"
              b"db.clinic.lan:5432:clinic:nurse:old\n"
              b"db.clinic.lan:5432:other:nurse:kept too\n"
              b"\xff not utf-8 but kept\n"
              b"db.clinic.lan:5432:clinic:nurse:a second copy\n"
              b"last:5432:db:user:no newline")
    path.write_bytes(others)
    pg.save_password(make_url("postgresql://nurse@db.clinic.lan/clinic"), "new", path)
    assert path.read_bytes() == (b"# the clinic's servers\r\n"
                                 b"*:*:*:nurse:wildcard-kept\n"
                                 b"db.clinic.lan:5432:clinic:nurse:new\n"
                                 b"db.clinic.lan:5432:other:nurse:kept too\n"
                                 b"\xff not utf-8 but kept\n"
                                 b"last:5432:db:user:no newline")
    pg.save_password(make_url("postgresql://nurse@elsewhere/clinic"), "added", path)
    assert path.read_bytes().endswith(b"last:5432:db:user:no newline\nelsewhere:5432:clinic:nurse:added\n")


def test_defaults_are_libpqs(tmp_path, monkeypatch):
    monkeypatch.setenv("PGUSER", "osuser")
    assert pg.pgpass_fields(make_url("postgresql+psycopg:///clinic")) == ("localhost", "5432", "clinic", "osuser")
    assert pg.pgpass_fields(make_url("postgresql+psycopg://u@h")) == ("h", "5432", "u", "u")


# --- sslmode -----------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [
    "postgresql://nurse@db.clinic.lan/clinic",
    "postgresql+psycopg://nurse@10.0.0.5:5433/clinic",
    "postgresql+psycopg://nurse@[2001:db8::1]/clinic",
    "postgresql+psycopg://nurse@localhost.evil.example/clinic",
])
def test_a_server_on_another_machine_gets_sslmode_require(target):
    assert resolve_target(target).query["sslmode"] == "require"


@pytest.mark.parametrize("target", [
    "postgresql://nurse@localhost/clinic",
    "postgresql+psycopg://nurse@127.0.0.1:5433/clinic",
    "postgresql+psycopg://nurse@[::1]/clinic",
    "postgresql+psycopg://nurse@/clinic",
    "postgresql+psycopg://nurse@/clinic?host=/var/run/postgresql",
])
def test_a_server_on_this_machine_is_left_as_named(target):
    assert "sslmode" not in resolve_target(target).query


@pytest.mark.parametrize("mode", ["verify-full", "disable", "prefer"])
def test_an_sslmode_the_url_names_is_kept(mode):
    assert resolve_target(f"postgresql://nurse@db.clinic.lan/clinic?sslmode={mode}").query["sslmode"] == mode


# --- the client tools --------------------------------------------------------------------------
def test_tools_get_the_connection_in_arguments_and_the_password_only_in_their_environment(monkeypatch):
    monkeypatch.setattr(pg.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    url = resolve_target("postgresql+psycopg://nurse:top-secret@db.clinic.lan:5433/cli'nic")
    argv, env = pg.tool_command("pg_dump", url, "--format=custom")
    assert not any("top-secret" in arg for arg in argv)
    assert env["PGPASSWORD"] == "top-secret"
    assert argv[:2] == ["/usr/bin/pg_dump", "--no-password"]
    assert argv[2] == ("--dbname=host='db.clinic.lan' port='5433' user='nurse' dbname='cli\\'nic' "
                       "sslmode='require'")
    _argv, env = pg.tool_command("pg_dump", pg.without_password(url))
    assert env.get("PGPASSWORD") == os.environ.get("PGPASSWORD")  # the password file's turn


def test_backup_runs_pg_dump_without_the_password_in_its_arguments(tmp_path, monkeypatch):
    seen = {}

    def fake_run(argv, **kwargs):
        seen["argv"], seen["env"] = argv, kwargs["env"]
        Path(next(a for a in argv if a.startswith("--file="))[7:]).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(pg.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(pg.subprocess, "run", fake_run)
    monkeypatch.setenv("CLINIC_DESKTOP_DB", "postgresql+psycopg://nurse:env-secret@db.clinic.lan/clinic")
    out = backup.backup(None, tmp_path / "clinic.dump")
    assert out.read_bytes() == b"PGDMP" and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not any("env-secret" in arg for arg in seen["argv"]) and seen["env"]["PGPASSWORD"] == "env-secret"
    backup.backup("postgresql+psycopg://nurse@db.clinic.lan/clinic", tmp_path / "b.dump", password="typed")
    assert not any("typed" in arg for arg in seen["argv"]) and seen["env"]["PGPASSWORD"] == "typed"
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_tool_that_wants_a_password_says_so_without_one(tmp_path, monkeypatch):
    monkeypatch.setattr(pg.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(pg.subprocess, "run", lambda argv, **kw: subprocess.CompletedProcess(
        argv, 1, "", 'pg_dump: error: connection to server at "db" failed: fe_sendauth: no password supplied\n'))
    with pytest.raises(pg.PasswordNeeded) as raised:
        backup.backup("postgresql+psycopg://nurse@db.clinic.lan/clinic", tmp_path / "c.dump")
    assert not raised.value.refused and ".pgpass" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_pg_dump_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(pg.shutil, "which", lambda tool: None)
    with pytest.raises(pg.DatabaseProblem, match="pg_dump is needed") as raised:
        backup.backup("postgresql+psycopg://nurse@db.clinic.lan/clinic", tmp_path / "c.dump")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("said, refused", [
    ("connection failed: fe_sendauth: no password supplied", False),
    ('FATAL:  password authentication failed for user "nurse"', True),
])
def test_libpq_asking_for_a_password_is_recognised(said, refused):
    problem = pg.password_problem(make_url("postgresql+psycopg://nurse:x@h/clinic"), said)
    assert problem is not None and problem.refused is refused and problem.url.password is None
    assert pg.password_problem(make_url("postgresql+psycopg://h/clinic"), "database \"x\" does not exist") is None


# --- --db with a password, and the prompt ------------------------------------------------------
def run_cli(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "clinic_desktop", *args], input=stdin, capture_output=True,
                          text=True, check=False, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"})


@pytest.mark.parametrize("command", [["verify-audit"], ["backup", "--out", "x.dump"], ["doctor"], []],
                         ids=["verify-audit", "backup", "doctor", "the window"])
def test_a_password_in_db_is_refused_before_anything_connects(command):
    result = run_cli("--db", "postgresql+psycopg://nurse:hunter2@127.0.0.1:1/clinic", *command)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "~/.pgpass" in line and "hunter2" not in line and "Nothing was opened" in line


def test_db_without_a_password_is_not_refused_for_it():
    result = run_cli("--db", "postgresql+psycopg://nurse@127.0.0.1:1/clinic", "verify-audit")
    assert result.returncode == 1 and ".pgpass" not in result.stderr and "Traceback" not in result.stderr


def asking(monkeypatch, tries: list[str | None]):
    """cli.run replaced: the server asks for a password until it gets "right"."""
    url = make_url("postgresql+psycopg://nurse@db.clinic.lan/clinic")

    def fake_run(args, password=None):
        tries.append(password)
        if password != "right":
            raise pg.PasswordNeeded(url, refused=password is not None)
        return 0

    monkeypatch.setattr(cli, "run", fake_run)
    return url


def test_the_password_is_read_from_stdin_with_the_flag(monkeypatch):
    tries: list[str | None] = []
    asking(monkeypatch, tries)
    monkeypatch.setattr(sys, "stdin", io.StringIO("right\n"))
    args = argparse.Namespace(db_password_stdin=True)
    assert cli.run_asking_for_password(args) == 0 and tries == [None, "right"]


def test_a_wrong_password_from_stdin_is_refused_in_one_line(monkeypatch):
    tries: list[str | None] = []
    asking(monkeypatch, tries)
    monkeypatch.setattr(sys, "stdin", io.StringIO("wrong\nright\n"))
    with pytest.raises(pg.PasswordNeeded, match="refused the password"):
        cli.run_asking_for_password(argparse.Namespace(db_password_stdin=True))
    assert tries == [None, "wrong"]


def test_at_a_terminal_it_asks_then_offers_to_save(monkeypatch, tmp_path):
    tries: list[str | None] = []
    url = asking(monkeypatch, tries)
    typed = iter(["wrong", "right"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(typed))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    assert cli.run_asking_for_password(argparse.Namespace(db_password_stdin=False)) == 0
    assert tries == [None, "wrong", "right"]
    assert (tmp_path / "pgpass").read_text() == ":".join(pg.pgpass_fields(url)) + ":right\n"


def test_without_a_terminal_or_the_flag_it_says_how(monkeypatch):
    asking(monkeypatch, [])
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(cli.ClinicError, match="--db-password-stdin"):
        cli.run_asking_for_password(argparse.Namespace(db_password_stdin=False))


def test_the_record_key_is_the_same_database_however_the_password_came():
    from clinic_desktop.core.db import record_key

    with_password = resolve_target("postgresql+psycopg://nurse:s3cret@db.clinic.lan/clinic")
    without = resolve_target("postgresql+psycopg://nurse@db.clinic.lan/clinic")
    assert record_key(with_password) == record_key(without) == record_key(without.set(password="typed"))
    assert "s3cret" not in record_key(with_password) and "***" not in record_key(with_password)
