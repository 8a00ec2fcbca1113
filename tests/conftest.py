"""Test set-up shared by every test.

* Qt runs offscreen (set before anything imports Qt) and QSettings go to a throw-away folder.
* User data (default database, logs) goes to a per-session temporary folder.
* ``db`` is a fresh, migrated SQLite database per test; ``any_db`` runs a test on SQLite and
  on PostgreSQL: a fresh database per test on the server named by CLINIC_TEST_PG, or else on a
  throw-away server this session starts itself (tests/pg_server.py) and stops at the end.
* Whatever a test needs that is missing (a PostgreSQL server, a tool marked with
  ``tests.tools.needs_tools``) skips it with the command that would bring it, and fails it under
  CI=true.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_session_dir = tempfile.mkdtemp(prefix="clinic-desktop-tests-")
atexit.register(shutil.rmtree, _session_dir, ignore_errors=True)  # logs and backups.json of the run
os.environ["CLINIC_DESKTOP_DATA_DIR"] = _session_dir
os.environ.pop("CLINIC_DESKTOP_DB", None)

import pytest

from tests.tools import require_tool, unavailable

PG_URL_ENV = "CLINIC_TEST_PG"
STRONG_PASSWORD = "violet harbor lantern 42"
#: The clinic's name, address and phone as the first start records them (nothing prints without).
CLINIC = {"clinic_name": "Test Clinic (invented)", "clinic_address": "1 Test Street, Springfield",
          "clinic_phone": "(555) 010-0100"}


def pytest_collection_modifyitems(config, items):
    """The bundle's tests (``-m bundle``) check a built bundle: without one named by
    CLINIC_DESKTOP_BUNDLE they are left out (deselected, not skipped), so ``make test`` never
    measures a stale dist/ and CI's "nothing skipped" holds; ``make check-bundle`` runs them."""
    if os.environ.get("CLINIC_DESKTOP_BUNDLE"):
        return
    kept = [item for item in items if item.get_closest_marker("bundle") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs_tools"):
        require_tool(*mark.args)


def _answers(url) -> str | None:
    """None if the PostgreSQL server at ``url`` accepts a connection, else why not."""
    import psycopg

    try:
        with psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.database or "postgres", connect_timeout=3,
        ):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of this session (a SQLAlchemy URL): CLINIC_TEST_PG's if set, else
    a throw-away one started on the first test that needs it and stopped when the session ends."""
    from sqlalchemy.engine import make_url

    from tests.pg_server import OWN_SERVER, StartError, ThrowawayPostgres

    if os.environ.get(PG_URL_ENV):
        url = make_url(os.environ[PG_URL_ENV])
        problem = _answers(url)
        if problem:
            unavailable(f"no PostgreSQL server at {PG_URL_ENV} ({problem})",
                        f"`unset {PG_URL_ENV}` (the tests then start their own server)")
        yield url
        return
    server = ThrowawayPostgres()
    try:
        url = make_url(server.start())
    except StartError as exc:
        unavailable(f"could not start a throw-away PostgreSQL server: {exc.reason}", exc.fix)
    try:
        problem = _answers(url)
        if problem:
            unavailable(f"the throw-away PostgreSQL server does not answer ({problem})",
                        OWN_SERVER)
        yield url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for this test (dropped afterwards)."""
    from pytest_postgresql.janitor import DatabaseJanitor

    name = f"clinic_test_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=pg_server.username or "postgres", host=pg_server.host or "127.0.0.1",
        port=pg_server.port or 5432, dbname=name, password=pg_server.password,
    )
    with janitor:
        yield str(pg_server.set(database=name).render_as_string(hide_password=False))


@pytest.fixture
def sqlite_path(tmp_path):
    return tmp_path / "clinic.db"


@pytest.fixture
def db(sqlite_path):
    from clinic_desktop.core.db import open_database

    database = open_database(sqlite_path)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_target(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "clinic.db")
    return request.getfixturevalue("pg_url")


def database_at(target, revision: str):
    """The database at ``target`` (a path or a URL, as ``any_db_target`` gives) migrated only up
    to ``revision``, as an older release left it: its URL and an engine on it (the caller
    disposes of it, or hands it to ``db._database``)."""
    from alembic import command
    from sqlalchemy import create_engine

    from clinic_desktop.core import db as dbmod

    url = dbmod.resolve_target(target)
    cfg = dbmod.alembic_config()
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return url, engine


@pytest.fixture
def any_db(any_db_target):
    from clinic_desktop.core.db import open_database

    database = open_database(any_db_target)
    yield database
    database.dispose()


@pytest.fixture
def admin(db):
    from clinic_desktop.core.services import accounts

    return accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)


def first_admin_without_clinic(database):
    """The first administrator of a database whose clinic details were never filled in (made from
    the console): every setting at its shipped default. For the tests of the settings themselves
    (``admin`` overridden in their module); nothing prints from such a database."""
    from clinic_desktop.core.services import accounts

    return accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD)


def blank_clinic_setting(database, key: str) -> None:
    """Blank one of the clinic's name, address and phone behind the services' back, as a database
    an older version left without it: Clinic settings refuses to blank them."""
    from clinic_desktop.core.models import ClinicSetting

    with database.write() as session:
        row = session.get(ClinicSetting, key)
        assert row is not None
        row.value = ""


def make_user(database, actor, role: str, username: str | None = None, full_name: str | None = None):
    """Create a user of ``role`` (named "Test Role" unless ``full_name``) and return them as signed in."""
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.core.services import accounts

    view = accounts.create_user(database, actor, username or f"{role}1", full_name or f"Test {role.title()}",
                                role, STRONG_PASSWORD)
    return SignedInUser(view.id, view.username, view.full_name, view.role)


def encrypted_clinic(path, *people: tuple[str, str, str, str]):
    """A new encrypted database at ``path`` holding ``people`` (user name, full name, role,
    password), closed again: its recovery key."""
    from clinic_desktop.core.services import accounts, vault

    made = vault.create_encrypted(str(path))
    try:
        for username, full_name, role, password in people:
            accounts.create_user_from_console(made.db, username, full_name, role, password)
    finally:
        made.db.dispose()
    return made.recovery_key


def user_on_old_schema(database, role: str, username: str | None = None, full_name: str | None = None):
    """A user of ``role`` (password STRONG_PASSWORD) on a database migrated only to an older
    revision (``database_at``), written as those revisions' ``users`` table holds it: today's
    ``accounts.create_user`` would write columns it does not have yet. Returned as signed in."""
    import datetime as dt

    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from clinic_desktop.core.models import UTCDateTime
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.core.vocab import Role

    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("full_name", sa.String), sa.column("role", sa.String),
                     sa.column("password_hash", sa.String), sa.column("active", sa.Boolean),
                     sa.column("failed_attempts", sa.Integer), sa.column("created_at", UTCDateTime()),
                     sa.column("version", sa.Integer))
    username = username or f"{role}1"
    full_name = full_name or f"Test {role.title()}"
    with database.write() as session:
        user_id = session.execute(users.insert().values(
            username=username, full_name=full_name, role=role, password_hash=PasswordHasher().hash(STRONG_PASSWORD),
            active=True, failed_attempts=0, created_at=dt.datetime.now(dt.UTC), version=1,
        ).returning(users.c.id)).scalar_one()
    return SignedInUser(user_id, username, full_name, Role(role))


@pytest.fixture
def nurse(db, admin):
    return make_user(db, admin, "nurse")


@pytest.fixture
def counselor(db, admin):
    return make_user(db, admin, "counselor")


@pytest.fixture
def quick_kdf(monkeypatch):
    """Cheap argon2 for the key wraps a test makes (each wrap keeps its own parameters, so the
    database opens the same way): a wrap at the real cost takes a seventh of a second."""
    from clinic_desktop.core import keys

    monkeypatch.setattr(keys, "KDF", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
