"""Live updates between workstations (#18 item 8): on PostgreSQL each committed change is
announced on its kind's channel and heard by another workstation's listener within a second;
a rollback, a read and SQLite announce nothing."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import text

from clinic_desktop.core import live
from clinic_desktop.core.db import open_database
from clinic_desktop.core.services import accounts, audit, patients
from tests.conftest import CLINIC, STRONG_PASSWORD


def _patient(mrn: str = "L-1") -> patients.PatientInput:
    return patients.PatientInput(mrn=mrn, given_name="Lina", family_name="Listener",
                                 date_of_birth=dt.date(1990, 2, 3), sex="female")


@pytest.fixture
def two(pg_url):  # the tests using it run on PostgreSQL (marked below)
    """Two workstations on one server: (writer, reader, the admin)."""
    a, b = open_database(pg_url), open_database(pg_url)
    admin = accounts.create_first_admin(a, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    yield a, b, admin
    a.dispose()
    b.dispose()


@pytest.fixture
def census_listener(two):
    listener = live.Listener(two[1], live.CENSUS)
    yield listener
    listener.close()


@pytest.mark.postgres
def test_a_change_on_one_workstation_is_heard_on_another_within_a_second(two, census_listener):
    a, _b, admin = two
    started = time.perf_counter()
    view = patients.register(a, admin, _patient())
    heard = census_listener.wait(1.0)
    took = time.perf_counter() - started
    assert [(n.action, n.patient_id, n.entity_type) for n in heard] == [("patient.created", view.id, "patient")]
    assert took < 1.0 and heard[0].mine  # the same process here: its own token
    assert census_listener.wait(0.05) == []  # heard once


@pytest.mark.postgres
def test_the_payload_names_no_one(two, census_listener):
    a, _b, admin = two
    patients.register(a, admin, _patient("SECRET-MRN"))
    heard = census_listener.wait(1.0)
    assert heard and all("Lina" not in repr(n) and "SECRET-MRN" not in repr(n) for n in heard)


@pytest.mark.postgres
def test_a_rolled_back_change_and_a_read_announce_nothing(two, census_listener):
    a, _b, admin = two
    view = patients.register(a, admin, _patient())
    assert census_listener.wait(1.0)
    with pytest.raises(RuntimeError), a.write() as session:
        audit.append(session, admin, "episode.opened", entity_type="episode", entity_id=1, patient_id=view.id)
        raise RuntimeError("rolled back")
    patients.open_record(a, admin, view.id)  # patient.opened: a read
    assert census_listener.wait(0.3) == []


@pytest.mark.postgres
def test_a_listener_hears_only_its_kinds(two, census_listener):
    a, b, admin = two
    drafts = live.Listener(b, ["plan"])
    try:
        with a.write() as session:
            audit.append(session, admin, "plan.draft_saved", entity_type="plan", entity_id=7, patient_id=None)
        assert census_listener.wait(0.3) == []
        assert [n.entity_id for n in drafts.wait(1.0)] == ["7"]
    finally:
        drafts.close()


@pytest.mark.postgres
def test_a_lost_connection_is_said_not_hidden(two, census_listener):
    a = two[0]
    with a.write() as session:
        session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"))
    with pytest.raises(live.Lost):
        for _ in range(20):
            census_listener.wait(0.1)


@pytest.mark.parametrize("kind", ["observation", "patient_facts", "a-b"])
def test_channels_are_plain_identifiers(kind):
    name = live.channel(kind)
    assert name.startswith("clinic_") and name.replace("_", "").isalnum()


def test_sqlite_announces_nothing_and_is_not_listened_to(db, admin):
    assert not live.supported(db)
    patients.register(db, admin, _patient())  # no pg_notify on SQLite: nothing raised


def test_every_read_print_and_export_is_quiet_and_every_change_is_announced():
    """Opening, searching, printing or exporting a record changes nothing another workstation
    shows: none of them is announced; every other kind of event the app writes is (an admission,
    "episode.opened", above all)."""
    from clinic_desktop.core.services import audit_log

    reads = set(audit_log.READS) | set(audit_log.DISCLOSURES) | {
        "handover.printed", "directory.exported", "audit.log_searched", "audit.disclosures_reported"}
    assert live.QUIET == reads
    changes = [a for a in audit_log.KINDS if a not in reads]
    assert {"episode.opened", "observation.recorded", "medication.given"} <= set(changes)
    assert [a for a in changes if not live.is_change(a)] == []


def test_the_views_listen_for_kinds_the_app_writes():
    """A kind misspelt in CENSUS, FLOWSHEET or DRAFTS would never be heard."""
    from clinic_desktop.core.services import audit_log

    written = {live.family(action) for action in audit_log.KINDS}
    assert set(live.CENSUS) | set(live.FLOWSHEET) | set(live.DRAFTS) <= written
