"""Storage behaviour that must hold on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from clinic_desktop.core.db import head_revision, open_database
from clinic_desktop.core.errors import ConflictError
from clinic_desktop.core.models import Base
from clinic_desktop.core.services import accounts, audit, episodes, patients
from tests.conftest import STRONG_PASSWORD

REPO = Path(__file__).resolve().parents[2]


def _patient(mrn="C-000001", given="Robin", family="Testperson"):
    return patients.PatientInput(mrn=mrn, given_name=given, family_name=family,
                                 date_of_birth=dt.date(1987, 6, 5), sex="unknown", phone="555-010-2000")


def test_empty_database_migrates_to_head_matching_the_models(any_db):
    with any_db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_second_workstation_gets_a_conflict_instead_of_overwriting(any_db_target):
    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse_view = accounts.create_user(first, admin, "nurse.b", "Bea Nurse", "nurse", STRONG_PASSWORD)
        nurse = accounts.authenticate(second, nurse_view.username, STRONG_PASSWORD)
        created = patients.register(first, admin, _patient())

        # Both workstations open version 1; the first saves, then the second tries.
        seen_here = patients.open_record(first, admin, created.id)
        seen_there = patients.open_record(second, nurse, created.id)
        patients.update(first, admin, created.id, seen_here.version,
                        dataclass_replace(seen_here.as_input(), phone="555-010-3000"))
        with pytest.raises(ConflictError, match="Ada Admin changed this patient's record"):
            patients.update(second, nurse, created.id, seen_there.version,
                            dataclass_replace(seen_there.as_input(), family_name="Overwritten"))
        final = patients.open_record(second, nurse, created.id)
        assert final.family_name == "Testperson" and final.phone.endswith("010-3000") and final.version == 2
    finally:
        first.dispose()
        second.dispose()


def dataclass_replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


WRITER = r"""
import datetime as dt, sys
from clinic_desktop.core.db import open_database
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.models import Role
from clinic_desktop.core.services import stabilization
db = open_database(sys.argv[1])
user = SignedInUser(int(sys.argv[2]), "nurse1", "Test Nurse", Role.NURSE)
items = {"resting_pulse": 1, "sweating": 2, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
         "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
         "gooseflesh": 3}
print("ready", flush=True)
while True:
    obs = stabilization.record_observation(db, user, int(sys.argv[3]), "cows", items)
    print(obs.id, flush=True)  # printed only after the commit returned
"""


def test_sigkill_while_writing_loses_nothing_committed(any_db_target, tmp_path):
    db = open_database(any_db_target)
    admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)
    nurse = accounts.create_user(db, admin, "nurse1", "Test Nurse", "nurse", STRONG_PASSWORD)
    person = patients.register(db, admin, _patient())
    episode = episodes.open_episode(db, admin, person.id)
    db.dispose()

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, any_db_target, str(nurse.id), str(episode.id)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    committed: list[int] = []
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
        deadline = time.monotonic() + 60
        while len(committed) < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            committed.append(int(line))
        child.send_signal(signal.SIGKILL)  # mid-write: it never stops writing
    finally:
        child.kill()
        child.wait(timeout=30)
    assert len(committed) >= 40, "the writer did not get going"

    db = open_database(any_db_target)
    try:
        with db.read() as s:
            stored = {row[0] for row in s.execute(text("SELECT id FROM observations"))}
            if db.is_sqlite:
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert set(committed) <= stored
        report = audit.verify_chain(db)
        assert report.intact, report.problem
        assert report.count >= len(committed)
    finally:
        db.dispose()


def test_audit_appends_from_two_workstations_keep_one_chain(any_db_target):
    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        created = patients.register(first, admin, _patient())
        import threading

        errors: list[BaseException] = []

        def open_many(db):
            try:
                for _ in range(15):
                    patients.open_record(db, admin, created.id)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=open_many, args=(d,)) for d in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        report = audit.verify_chain(first)
        assert report.intact and report.count == 2 + 30
    finally:
        first.dispose()
        second.dispose()
