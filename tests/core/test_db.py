"""Opening databases: pragmas, refusing what is not ours, backing up before an upgrade,
refusing a newer schema. Every refusal leaves the file byte-for-byte untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from clinic_desktop import paths
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.db import open_database, resolve_target
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.services import accounts, patients
from tests.conftest import STRONG_PASSWORD


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_sqlite_database_is_durable(sqlite_path):
    db = open_database(sqlite_path)
    try:
        with db.read() as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.backup_made is None
        assert db.display_name == str(sqlite_path)
    finally:
        db.dispose()
    open_database(sqlite_path).dispose()  # reopening an up-to-date database changes nothing


def test_target_from_argument_environment_and_default(monkeypatch, tmp_path):
    monkeypatch.delenv("CLINIC_DESKTOP_DB", raising=False)
    assert resolve_target(None).database == str(paths.default_database_path())
    monkeypatch.setenv("CLINIC_DESKTOP_DB", str(tmp_path / "env.db"))
    assert resolve_target(None).database == str(tmp_path / "env.db")
    assert resolve_target(tmp_path / "arg.db").database == str(tmp_path / "arg.db")
    url = resolve_target("postgresql://nurse:secret@db.clinic.lan/clinic")
    assert url.drivername == "postgresql+psycopg" and url.database == "clinic"


def test_display_name_never_shows_a_password():
    url = resolve_target("postgresql+psycopg://u:topsecret@10.0.0.5:5433/clinic")
    fake = dbmod.Database(url, None, None, None)  # type: ignore[arg-type]
    assert "topsecret" not in fake.display_name
    assert "clinic" in fake.display_name


@pytest.mark.parametrize(
    "content, message",
    [
        (b"name,dob\nsomeone,2000-01-01\n" * 50, "not a Clinic Desktop database"),
        (b"SQLite format 3\x00" + b"\xde\xad" * 4000, "damaged"),
    ],
    ids=["csv-file", "corrupt-sqlite"],
)
def test_foreign_or_corrupt_file_is_refused_untouched(tmp_path, content, message):
    path = tmp_path / "clinic.db"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(DatabaseProblem, match=message):
        open_database(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.db"]


def test_other_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "recipes.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipes (name) VALUES ('soup')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseProblem, match="not a Clinic Desktop database"):
        open_database(path)
    assert digest(path) == before


def test_truncated_database_is_refused_untouched(sqlite_path):
    db = open_database(sqlite_path)
    accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)
    db.dispose()
    data = sqlite_path.read_bytes()
    sqlite_path.write_bytes(data[: len(data) // 2])
    before = digest(sqlite_path)
    with pytest.raises(DatabaseProblem):
        open_database(sqlite_path)
    assert digest(sqlite_path) == before


def test_schema_head_constant_is_the_newest_shipped_migration():
    assert dbmod.SCHEMA_HEAD == dbmod.head_revision()


def ship(monkeypatch, migrations: Path, head: str) -> None:
    """Pretend this app shipped ``migrations`` with ``head`` as its newest revision."""
    monkeypatch.setattr(paths, "migrations_dir", lambda: migrations)
    monkeypatch.setattr(dbmod, "SCHEMA_HEAD", head)


@pytest.fixture
def future_migrations(tmp_path, monkeypatch):
    """A copy of the shipped migrations plus one newer revision, as a later release would ship."""
    target = tmp_path / "migrations"
    shutil.copytree(paths.migrations_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    head = dbmod.head_revision()
    (target / "versions" / "9999_future.py").write_text(
        f'''"""A future schema change."""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("future_things", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("future_things")
'''
    )
    return target


def test_older_database_is_backed_up_then_upgraded(sqlite_path, future_migrations, monkeypatch):
    db = open_database(sqlite_path)
    admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)
    patients.register(db, admin, patients.PatientInput(
        mrn="T-1", given_name="Test", family_name="Person", date_of_birth=dt.date(1990, 1, 1), sex="unknown"))
    db.dispose()
    shipped_head = dbmod.head_revision()

    ship(monkeypatch, future_migrations, "9999")
    upgraded = open_database(sqlite_path)
    try:
        assert upgraded.backup_made is not None and upgraded.backup_made.parent == sqlite_path.parent
        assert "before-9999" in upgraded.backup_made.name
        with upgraded.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
            assert s.execute(text("SELECT count(*) FROM future_things")).scalar() == 0
            assert s.execute(text("SELECT mrn FROM patients")).scalar() == "T-1"
    finally:
        upgraded.dispose()
    backup = sqlite3.connect(upgraded.backup_made)
    try:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == shipped_head
        assert backup.execute("SELECT mrn FROM patients").fetchone()[0] == "T-1"
    finally:
        backup.close()


def test_newer_database_is_refused_naming_both_versions(sqlite_path, future_migrations, monkeypatch):
    real, real_head = paths.migrations_dir(), dbmod.SCHEMA_HEAD
    ship(monkeypatch, future_migrations, "9999")
    open_database(sqlite_path).dispose()
    ship(monkeypatch, real, real_head)
    before = digest(sqlite_path)
    with pytest.raises(DatabaseProblem) as info:
        open_database(sqlite_path)
    message = str(info.value)
    assert "9999" in message and dbmod.head_revision() in message and "newer" in message
    assert digest(sqlite_path) == before


def test_every_past_schema_version_upgrades_to_head(tmp_path):
    """Each shipped revision, as a stored database with data in it, upgrades to head."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    cfg = dbmod.alembic_config()
    revisions = [r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()]
    assert dbmod.head_revision() in revisions
    for rev in revisions:
        path = tmp_path / f"at-{rev}.db"
        engine = create_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, rev)
        engine.dispose()
        db = open_database(path)
        try:
            with db.read() as s:
                assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == dbmod.head_revision()
        finally:
            db.dispose()


def test_database_errors_never_quote_patient_values(db, admin):
    from sqlalchemy.exc import IntegrityError

    from clinic_desktop.core.models import Patient

    with pytest.raises(IntegrityError) as info, db.write() as s:
        for _ in range(2):
            s.add(Patient(mrn="DUP-1", given_name="Secretname", family_name="Hidden",
                          date_of_birth=dt.date(1990, 1, 1), sex="unknown", search_name="x",
                          created_by=admin.id))
            s.flush()
    assert "Secretname" not in str(info.value) and "DUP-1" not in str(info.value)


def test_a_0006_database_upgrades_to_patient_facts_keeping_the_intakes_facts(any_db_target):
    """Schema 0007 adds the patient facts record. An episode signed at 0006 has none: its facts are
    read from the intake until someone edits them, and the first edit stores them."""
    from clinic_desktop.core.services import episodes, intake, patient_facts
    from tests.conftest import database_at, user_on_old_schema
    from tests.factories import complete_draft

    url, engine = database_at(any_db_target, "0006")
    old = dbmod._database(url, engine, None)
    # Users as 0006 stored them (today's account service writes columns it does not have).
    nurse = user_on_old_schema(old, "nurse")
    patient = patients.register(old, nurse, patients.PatientInput(
        mrn="M-6", given_name="Mig", family_name="Ration", date_of_birth=dt.date(1980, 1, 2), sex="unknown"))
    started = intake.start(old, nurse, patient.id)
    intake.save_draft(old, nurse, started.id, started.version, complete_draft(
        medical={"hepatic": "moderate", "qtc_ms": 470, "qtc_on": "2026-11-30"}))
    with old.write() as s:  # signed as 0006 signed it: no patient facts record
        s.execute(text("UPDATE assessments SET status = 'signed'"))
        s.execute(text("UPDATE episodes SET stage = 'stabilization'"))
    old.dispose()

    db = open_database(any_db_target)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == dbmod.SCHEMA_HEAD
            assert s.execute(text("SELECT count(*) FROM patient_facts")).scalar() == 0
        episode = episodes.current_episode(db, nurse, patient.id)
        view = patient_facts.get(db, nurse, episode.id)
        assert (view.version, view.weight_kg, view.hepatic, view.qtc_ms, view.qtc_on) == (
            0, 70.0, "moderate", 470, dt.date(2026, 11, 30))
        saved = patient_facts.update(db, nurse, episode.id, 0, {"hepatic": "severe"})
        assert (saved.version, saved.hepatic, saved.qtc_ms) == (1, "severe", 470)
    finally:
        db.dispose()


def test_a_pooled_connection_made_on_one_thread_serves_a_unit_of_work_on_another(db, admin):
    """The GUI runs services on worker threads (gui.operations): the pool may hand a connection
    the GUI thread made to a worker, and back."""
    import threading

    with db.read() as session:
        session.execute(text("SELECT 1"))
    seen: list[object] = []

    def worker() -> None:
        try:
            seen.append(accounts.authenticate(db, "admin", STRONG_PASSWORD).id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            seen.append(exc)

    for _ in range(3):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(30)
    with db.read() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
    assert seen == [admin.id] * 3
