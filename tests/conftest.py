"""Test set-up shared by every test.

* Qt runs offscreen (set before anything imports Qt) and QSettings go to a throw-away folder.
* User data (default database, logs) goes to a per-session temporary folder.
* ``db`` is a fresh, migrated SQLite database per test; ``any_db`` runs a test on SQLite and
  on PostgreSQL (a fresh database per test on the server named by CLINIC_TEST_PG, which
  .ci/run starts; without a server the PostgreSQL run is skipped, or fails under CI=true).
"""

from __future__ import annotations

import os
import tempfile
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_session_dir = tempfile.mkdtemp(prefix="clinic-desktop-tests-")
os.environ["CLINIC_DESKTOP_DATA_DIR"] = _session_dir
os.environ.pop("CLINIC_DESKTOP_DB", None)

import pytest  # noqa: E402

PG_URL_ENV = "CLINIC_TEST_PG"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STRONG_PASSWORD = "violet harbor lantern 42"


def _pg_server_url():
    from sqlalchemy.engine import make_url

    return make_url(os.environ.get(PG_URL_ENV, DEFAULT_PG))


def _pg_unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"no PostgreSQL server ({reason}); set {PG_URL_ENV}")


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for this test (dropped afterwards)."""
    from pytest_postgresql.janitor import DatabaseJanitor

    server = _pg_server_url()
    try:
        import psycopg

        with psycopg.connect(
            host=server.host, port=server.port or 5432, user=server.username,
            password=server.password, dbname=server.database or "postgres", connect_timeout=3,
        ):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        _pg_unavailable(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
    name = f"clinic_test_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=server.username or "postgres", host=server.host or "127.0.0.1",
        port=server.port or 5432, dbname=name, password=server.password,
    )
    with janitor:
        yield str(server.set(database=name).render_as_string(hide_password=False))


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


@pytest.fixture
def any_db(any_db_target):
    from clinic_desktop.core.db import open_database

    database = open_database(any_db_target)
    yield database
    database.dispose()


@pytest.fixture
def admin(db):
    from clinic_desktop.core.services import accounts

    return accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)


def make_user(database, actor, role: str, username: str | None = None):
    """Create a user of ``role`` and return them as signed in."""
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.core.services import accounts

    view = accounts.create_user(database, actor, username or f"{role}1", f"Test {role.title()}",
                                role, STRONG_PASSWORD)
    return SignedInUser(view.id, view.username, view.full_name, view.role)


@pytest.fixture
def nurse(db, admin):
    return make_user(db, admin, "nurse")
