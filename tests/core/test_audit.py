"""The audit trail is append-only and hash-chained: tampering of any kind is detected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update

from clinic_desktop.core.models import AuditEvent, ClinicSetting
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


def _forge_event_3(db, key):
    with db.write() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.seq == 3)).scalar_one()
        ev.detail = {"forged": True}
        ev.hash = audit.canonical_hash(seq=ev.seq, at=ev.at, user_id=ev.user_id, username=ev.username,
                                       action=ev.action, entity_type=ev.entity_type, entity_id=ev.entity_id,
                                       patient_id=ev.patient_id, detail=ev.detail, prev_hash=ev.prev_hash,
                                       key=key)


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link(busy_db):
    """Even someone holding the chain's secret, who recomputes the edited event's own hash,
    breaks the link to the next one."""
    with busy_db.read() as s:
        key = audit.chain_key(s).key
    _forge_event_3(busy_db, key)
    report = audit.verify_chain(busy_db)
    assert not report.intact and report.first_broken_seq == 4


@pytest.mark.parametrize("key", [None, "00" * 32, "ab" * 32], ids=["sha256", "zero key", "another key"])
def test_an_event_hashed_without_the_chain_secret_is_altered(busy_db, key):
    """Without the secret (plain SHA-256, as before the chain was keyed, or a guessed key) a
    forged event fails its own hash."""
    _forge_event_3(busy_db, key)
    report = audit.verify_chain(busy_db)
    assert not report.intact and report.first_broken_seq == 3 and "altered" in report.problem


def test_every_event_of_a_new_database_is_keyed_from_its_genesis(busy_db):
    with busy_db.read() as s:
        key, keyed_from = audit.chain_key(s).key, audit.chain_key(s).keyed_from
        first = s.execute(select(AuditEvent).where(AuditEvent.seq == 1)).scalar_one()
        assert keyed_from == 1 and first.action == audit.GENESIS_ACTION and len(bytes.fromhex(key)) == 32
        assert first.hash == audit.canonical_hash(
            seq=1, at=first.at, user_id=None, username=first.username, action=first.action, entity_type=None,
            entity_id=None, patient_id=None, detail=first.detail, prev_hash=audit.GENESIS, key=key)


@pytest.mark.parametrize("value", [None, {"key": "ab" * 32}, {"keyed_from": 1}, {"key": "not hex", "keyed_from": 1}],
                         ids=["cleared", "no start", "no key", "not a key"])
def test_a_chain_whose_key_was_removed_is_broken(busy_db, value):
    with busy_db.write() as s:
        s.get(ClinicSetting, audit.CHAIN_SETTING).value = value
    report = audit.verify_chain(busy_db)
    assert not report.intact and "key was removed" in report.problem


def test_a_chain_whose_key_row_was_deleted_is_broken(busy_db):
    with busy_db.write() as s:
        s.execute(text("DELETE FROM clinic_settings WHERE key = :k"), {"k": audit.CHAIN_SETTING})
    report = audit.verify_chain(busy_db)
    assert not report.intact and "key was removed" in report.problem


@pytest.mark.parametrize("moved_to", [2, 5, 10_000])
def test_a_chain_whose_key_start_was_moved_is_broken(busy_db, moved_to):
    """Moving where the keyed events start (to pass a plain SHA-256 rewrite of the ones before)
    is detected: the event there is not where the chain was keyed, or there is none."""
    with busy_db.write() as s:
        row = s.get(ClinicSetting, audit.CHAIN_SETTING)
        row.value = {**row.value, "keyed_from": moved_to}
    report = audit.verify_chain(busy_db)
    assert not report.intact


def test_the_chain_secret_is_no_clinic_setting(busy_db, admin):
    """The settings service (the dialog, its audit events) never reads or shows the secret."""
    from clinic_desktop.core.services import settings as settings_service

    with busy_db.read() as s:
        key = audit.chain_key(s).key
    assert audit.CHAIN_SETTING not in settings_service.get_all(busy_db)
    assert key not in repr(settings_service.get_all(busy_db))


def test_failed_transaction_leaves_no_audit_event(db, admin):
    before = audit.verify_chain(db).count
    with pytest.raises(RuntimeError), db.write() as s:
        audit.append(s, admin, "something.done")
        raise RuntimeError("crash before commit")
    assert audit.verify_chain(db).count == before
    with db.read() as s:
        assert s.execute(text("SELECT seq FROM audit_head")).scalar() == before
