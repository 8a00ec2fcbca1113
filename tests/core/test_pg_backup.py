"""PostgreSQL backups and restores with no password in sight (#17 items 2 and 6), on the
throw-away server: pg_dump before a schema upgrade, the append-only audit table, and restore into
an empty database only, checked as an SQLite restore is (an extra trigger refused by name; the
target left empty again when refused)."""

from __future__ import annotations

import stat
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from clinic_desktop import paths
from clinic_desktop.core import db as dbmod
from clinic_desktop.core import pg
from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.services import accounts, audit, backup, demo, pg_backup
from tests.conftest import CLINIC, STRONG_PASSWORD, database_at

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_pg(pg_server):
    """Another fresh, empty database on the server (a restore's target)."""
    from pytest_postgresql.janitor import DatabaseJanitor

    name = f"clinic_target_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(user=pg_server.username or "postgres", host=pg_server.host or "127.0.0.1",
                              port=pg_server.port or 5432, dbname=name, password=pg_server.password)
    with janitor:
        yield str(pg_server.set(database=name).render_as_string(hide_password=False))


@pytest.fixture
def clinic(pg_url):
    """A PostgreSQL clinic database with an administrator and the demo patients."""
    database = open_database(pg_url)
    try:
        accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
        demo.seed(database)
    finally:
        database.dispose()
    return pg_url


def objects_in(target: str) -> set:
    engine = create_engine(dbmod.resolve_target(target))
    try:
        with engine.connect() as conn:
            return pg_backup.schema_objects(conn)
    finally:
        engine.dispose()


def execute(target: str, sql: str) -> None:
    engine = create_engine(dbmod.resolve_target(target))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.mark.parametrize("sql", ["UPDATE audit_events SET username = 'mallory' WHERE seq = 1",
                                 "DELETE FROM audit_events WHERE seq = 1",
                                 "TRUNCATE audit_events"])
def test_the_server_refuses_to_change_or_remove_audit_events(clinic, sql):
    with pytest.raises(DBAPIError, match="append-only"):
        execute(clinic, sql)
    database = open_database(clinic)
    try:
        assert audit.verify_chain(database).intact
    finally:
        database.dispose()


def test_a_round_trip_restores_into_an_empty_database_and_checks_it(clinic, empty_pg, tmp_path):
    out = backup.backup(clinic, tmp_path / "clinic.dump")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert backup.restore(empty_pg, out) is None
    assert objects_in(empty_pg) == objects_in(clinic)
    restored = open_database(empty_pg)
    try:
        report = audit.verify_chain(restored)
        assert report.intact and report.count > 2
        with restored.read() as s:
            assert s.execute(text("SELECT count(*) FROM patients")).scalar() > 0
    finally:
        restored.dispose()


def test_the_tools_get_no_password_in_their_arguments(clinic, empty_pg, tmp_path, monkeypatch):
    """The test server trusts every connection, so a password given is ignored by it but must
    still never reach an argument list: only PGPASSWORD in the child's environment."""
    ran: list[tuple[list[str], dict]] = []
    real_run = subprocess.run

    def watching(argv, **kwargs):
        ran.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(pg.subprocess, "run", watching)
    secret = "pw-" + uuid.uuid4().hex
    out = backup.backup(clinic, tmp_path / "clinic.dump", password=secret)
    backup.restore(empty_pg, out, password=secret)
    tools = [(argv, env) for argv, env in ran if "--dbname" in " ".join(argv)]
    assert {argv[0].rsplit("/", 1)[-1] for argv, _ in tools} == {"pg_dump", "pg_restore"}
    for argv, env in tools:
        assert not any(secret in arg for arg in argv), argv
        assert env["PGPASSWORD"] == secret


def test_a_planted_trigger_is_refused_by_name_and_the_target_left_empty(clinic, empty_pg, tmp_path):
    execute(clinic, """
        CREATE FUNCTION quietly() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER rewrite_doses BEFORE INSERT ON patients FOR EACH ROW EXECUTE FUNCTION quietly();
    """)
    out = backup.backup(clinic, tmp_path / "planted.dump")
    with pytest.raises(DatabaseProblem) as refused:
        backup.restore(empty_pg, out)
    message = str(refused.value)
    assert "\n" not in message and "an extra trigger 'rewrite_doses on patients'" in message
    assert "empty again" in message
    assert objects_in(empty_pg) == set()


def test_a_database_that_is_not_empty_is_refused_untouched(clinic, tmp_path):
    out = backup.backup(clinic, tmp_path / "clinic.dump")
    before = objects_in(clinic)
    with pytest.raises(DatabaseProblem, match="is not empty .* Nothing was changed") as refused:
        backup.restore(clinic, out)
    assert "\n" not in str(refused.value)
    assert objects_in(clinic) == before


def test_a_file_that_is_not_a_pg_dump_is_refused(empty_pg, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a dump at all")
    with pytest.raises(DatabaseProblem, match="not a PostgreSQL backup"):
        backup.restore(empty_pg, junk)
    assert objects_in(empty_pg) == set()


def test_a_hollow_backup_without_an_administrator_is_refused(pg_url, empty_pg, tmp_path):
    open_database(pg_url).dispose()  # the schema, nobody in it
    out = backup.backup(pg_url, tmp_path / "hollow.dump")
    with pytest.raises(DatabaseProblem, match="no active administrator"):
        backup.restore(empty_pg, out)
    assert objects_in(empty_pg) == set()


def test_an_upgrade_is_preceded_by_a_private_pg_dump(pg_url):
    url, engine = database_at(pg_url, "0013")
    engine.dispose()
    database = open_database(pg_url)
    try:
        made = database.backup_made
        assert made is not None and made.parent == paths.user_data_dir() / "backups"
        assert made.name.startswith(f"{url.database}.before-{dbmod.SCHEMA_HEAD}-") and made.stat().st_size > 0
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    finally:
        database.dispose()


def test_without_pg_dump_the_upgrade_does_not_run(pg_url, monkeypatch):
    database_at(pg_url, "0013")[1].dispose()
    monkeypatch.setattr(pg.shutil, "which", lambda tool: None)
    with pytest.raises(DatabaseProblem, match="backup made first failed.*pg_dump is needed") as refused:
        open_database(pg_url)
    assert "\n" not in str(refused.value)
    engine = create_engine(dbmod.resolve_target(pg_url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0013"
    finally:
        engine.dispose()


def test_the_readme_grants_run_the_app_and_keep_the_audit_trail_append_only(pg_url):
    """The app role of the README: the app works as it (first administrator, demo patients,
    edits), and even without the trigger it may not change an audit event."""
    open_database(pg_url).dispose()  # the schema, made by the owner
    owner_url = dbmod.resolve_target(pg_url)
    role = f"clinic_app_{uuid.uuid4().hex[:8]}"
    grants = f"""
        CREATE ROLE {role} LOGIN;
        GRANT CONNECT ON DATABASE "{owner_url.database}" TO {role};
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
    """
    execute(pg_url, grants)
    as_app = owner_url.set(username=role).render_as_string(hide_password=False)
    try:
        database = open_database(as_app)
        try:
            accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
            assert demo.seed(database) > 0
            assert audit.verify_chain(database).intact
        finally:
            database.dispose()
        execute(pg_url, "ALTER TABLE audit_events DISABLE TRIGGER USER")  # only the owner could
        with pytest.raises(DBAPIError, match="permission denied"):
            execute(as_app, "UPDATE audit_events SET username = 'mallory'")
        with pytest.raises(DBAPIError, match="permission denied"):
            execute(as_app, "DELETE FROM audit_events")
    finally:
        execute(pg_url, f'DROP OWNED BY {role}; REVOKE CONNECT ON DATABASE "{owner_url.database}" FROM {role}')
        execute(pg_url, f"DROP ROLE {role}")
