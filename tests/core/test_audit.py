"""The audit trail is append-only and hash-chained: tampering of any kind is detected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update

from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import audit, patients


@pytest.fixture
def busy_db(db, admin):
    for n in range(5):
        p = patients.register(db, admin, patients.PatientInput(
            mrn=f"A-{n}", given_name=f"Given{n}", family_name="Audit", date_of_birth=dt.date(1980, 1, n + 1),
            sex="unknown"))
        patients.open_record(db, admin, p.id)
    return db


def test_every_write_and_every_opening_is_recorded_with_a_diff(busy_db, admin):
    p = patients.search(busy_db, admin, "given2")[0]
    view = patients.open_record(busy_db, admin, p.id)
    import dataclasses

    patients.update(busy_db, admin, p.id, view.version, dataclasses.replace(view.as_input(), pronouns="they/them"))
    entries = audit.recent(busy_db, admin, patient_id=p.id)
    assert [e.action for e in entries][:3] == ["patient.updated", "patient.opened", "patient.opened"]
    assert entries[0].detail == {"changes": {"pronouns": [None, "they/them"]}}
    assert entries[0].username == "admin"


def test_intact_chain_verifies(busy_db):
    report = audit.verify_chain(busy_db)
    # the database's creation, the first start (admin, clinic details), then 10
    assert report.intact and report.count == 1 + 2 + 10


def test_edited_event_is_detected(busy_db):
    with busy_db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(username="mallory"))
    report = audit.verify_chain(busy_db)
    assert not report.intact and report.first_broken_seq == 4 and "altered" in report.problem


def test_deleted_event_in_the_middle_is_detected(busy_db):
    with busy_db.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 6))
    report = audit.verify_chain(busy_db)
    assert not report.intact and report.first_broken_seq == 6


def test_deleted_last_events_are_detected(busy_db):
    with busy_db.write() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 10))
    report = audit.verify_chain(busy_db)
    assert not report.intact and "removed" in report.problem


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link(busy_db):
    with busy_db.write() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.seq == 3)).scalar_one()
        ev.detail = {"forged": True}
        ev.hash = audit.canonical_hash(seq=ev.seq, at=ev.at, user_id=ev.user_id, username=ev.username,
                                       action=ev.action, entity_type=ev.entity_type, entity_id=ev.entity_id,
                                       patient_id=ev.patient_id, detail=ev.detail, prev_hash=ev.prev_hash)
    report = audit.verify_chain(busy_db)
    assert not report.intact and report.first_broken_seq == 4


def test_failed_transaction_leaves_no_audit_event(db, admin):
    before = audit.verify_chain(db).count
    with pytest.raises(RuntimeError), db.write() as s:
        audit.append(s, admin, "something.done")
        raise RuntimeError("crash before commit")
    assert audit.verify_chain(db).count == before
    with db.read() as s:
        assert s.execute(text("SELECT seq FROM audit_head")).scalar() == before
