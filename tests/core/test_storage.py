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
from clinic_desktop.core.services import accounts, audit, episodes, mar, patients
from tests.conftest import STRONG_PASSWORD, make_user

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


# A child process that writes until it is killed, printing "kind:id" only after each commit
# returned. argv: database, nurse id, episode id, then the writer's own.
WRITER_SETUP = r"""
import os
import sys
from clinic_desktop.core.db import open_database
from clinic_desktop.core.models import Role
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import mar, stabilization
key = bytes.fromhex(os.environ["CLINIC_TEST_KEY"]) if os.environ.get("CLINIC_TEST_KEY") else None
db = open_database(sys.argv[1], key=key)  # an encrypted database's key from the environment, never argv
user = SignedInUser(int(sys.argv[2]), "nurse1", "Test Nurse", Role.NURSE)
episode_id = int(sys.argv[3])
items = {"resting_pulse": 1, "sweating": 2, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
         "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
         "gooseflesh": 3}
print("ready", flush=True)
"""

WRITER = WRITER_SETUP + r"""
while True:
    obs = stabilization.record_observation(db, user, episode_id, "cows", items)
    print(f"observation:{obs.id}", flush=True)
"""

# Scores, vitals and doses in turn (argv[4]: a PRN order). Doses go given, held, refused: a
# given dose comes every ninth write, far more than the order's minimum interval apart.
STABILIZATION_WRITER = WRITER_SETUP + r"""
order_id = int(sys.argv[4])
vitals = {"pulse": 88, "systolic": 124, "diastolic": 78, "respiratory_rate": 16, "spo2": 97}
doses = [("given", ""), ("held", "Sedation"), ("refused", "")]
n = 0
while True:
    if n % 3 == 0:
        kind, entry = "observation", stabilization.record_observation(db, user, episode_id, "cows", items)
    elif n % 3 == 1:
        kind, entry = "vitals", stabilization.record_vitals(db, user, episode_id, vitals)
    else:
        outcome, reason = doses[n // 3 % 3]
        kind, entry = "administration", mar.record_administration(db, user, order_id, outcome, reason=reason)
    print(f"{kind}:{entry.id}", flush=True)
    n += 1
"""

TABLES = {"observation": "observations", "vitals": "vital_signs", "administration": "medication_administrations"}


def _staffed_episode(target: str, key: bytes | None = None):
    """A new clinic at ``target``: (admin, nurse view, episode view), the episode in stabilization."""
    db = open_database(target, key=key)
    try:
        admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse = accounts.create_user(db, admin, "nurse1", "Test Nurse", "nurse", STRONG_PASSWORD)
        person = patients.register(db, admin, _patient())
        episode = episodes.open_episode(db, admin, person.id)
        episode = episodes.change_stage(db, admin, episode.id, episode.version, "stabilization",
                                        pathway="symptomatic")
        return admin, nurse, episode
    finally:
        db.dispose()


def _kill_while_writing(script: str, args: list, at_least: int,
                        key: bytes | None = None) -> list[tuple[str, int]]:
    """Run a writer, SIGKILL it (mid-write: it never stops) once it has printed ``at_least``
    commits; those commits as (kind, id). ``key``: an encrypted database's."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLINIC_TEST_KEY": key.hex() if key else ""}
    child = subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    committed: list[tuple[str, int]] = []
    try:
        assert child.stdout is not None
        if child.stdout.readline().strip() == "ready":
            deadline = time.monotonic() + 60
            while len(committed) < at_least and time.monotonic() < deadline:
                line = child.stdout.readline()
                if not line:
                    break
                kind, _, entry_id = line.strip().partition(":")
                committed.append((kind, int(entry_id)))
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    if len(committed) < at_least:
        errors = child.stderr.read() if child.stderr else ""
        pytest.fail(f"the writer did not get going ({len(committed)} commits):\n{errors}")
    return committed


def _assert_all_stored_and_intact(target: str, committed: list[tuple[str, int]],
                                  key: bytes | None = None) -> None:
    """Every committed entry is in its table, SQLite's integrity check passes and the audit
    chain is intact, with at least one event per entry."""
    db = open_database(target, key=key)
    try:
        with db.read() as s:
            for kind, table in TABLES.items():
                printed = {entry_id for k, entry_id in committed if k == kind}
                stored = {row[0] for row in s.execute(text(f"SELECT id FROM {table}"))}
                assert printed <= stored, f"committed {kind} entries lost: {sorted(printed - stored)}"
            if db.is_sqlite:
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        report = audit.verify_chain(db)
        assert report.intact, report.problem
        assert report.count >= len(committed)
    finally:
        db.dispose()


def test_sigkill_while_writing_loses_nothing_committed(any_db_target):
    _admin, nurse, episode = _staffed_episode(any_db_target)
    committed = _kill_while_writing(WRITER, [any_db_target, nurse.id, episode.id], at_least=40)
    assert {kind for kind, _ in committed} == {"observation"}
    _assert_all_stored_and_intact(any_db_target, committed)


def test_sigkill_while_recording_scores_vitals_and_doses_loses_nothing_committed(any_db_target):
    admin, nurse, episode = _staffed_episode(any_db_target)
    db = open_database(any_db_target)
    try:
        prescriber = make_user(db, admin, "prescriber")
        # A free-text drug: no label limits (ibuprofen's 4 h and 3.2 g a day would refuse the
        # writer's stream of doses), so every dose is recorded until the kill.
        order = mar.create_order(db, prescriber, episode.id, mar.OrderInput(
            drug_id="other", drug_name="Multivitamin", dose=1, unit="tablet", route="oral",
            min_interval_hours=1e-6))
    finally:
        db.dispose()
    committed = _kill_while_writing(STABILIZATION_WRITER, [any_db_target, nurse.id, episode.id, order.id],
                                    at_least=60)
    assert {kind for kind, _ in committed} == set(TABLES)
    _assert_all_stored_and_intact(any_db_target, committed)


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
