"""An audit trail nobody can quietly rewrite (#17 item 7, the anchor): a trail recomputed from
scratch, rewound or wiped verifies on its own, so each workstation keeps the head it last saw
and ``verify`` checks the trail against it, naming the anchor that disagrees. The anchor only
moves forward along the same chain; an empty trail on a database with users is broken."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import select, text

from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import audit
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def own_anchors(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path / "workstation"))


def events(db) -> int:
    with db.read() as s:
        return len(s.execute(select(AuditEvent.seq)).all())


def rewind(db, keep: int) -> None:
    """Delete the events after ``keep`` and move the head back onto event ``keep``."""
    with db.write() as s:
        last = s.execute(text("SELECT hash FROM audit_events WHERE seq = :k"), {"k": keep}).scalar_one()
        s.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": keep})
        s.execute(text("UPDATE audit_head SET seq = :k, last_hash = :h"), {"k": keep, "h": last})


def recompute(db, seq: int, username: str) -> None:
    """Edit event ``seq`` and recompute every hash after it, and the head: a chain that verifies."""
    with db.write() as s:
        key = audit.chain_key(s).key  # whoever opened the file has it
        rows = s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        prev = audit.GENESIS
        for ev in rows:
            if ev.seq == seq:
                ev.username = username
            ev.prev_hash = prev
            ev.hash = audit.canonical_hash(seq=ev.seq, at=ev.at, user_id=ev.user_id, username=ev.username,
                                           action=ev.action, entity_type=ev.entity_type, entity_id=ev.entity_id,
                                           patient_id=ev.patient_id, detail=ev.detail, prev_hash=prev, key=key)
            prev = ev.hash
        s.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def test_the_anchor_moves_forward_and_is_private(db, admin):
    assert audit.verify(db).intact
    anchor = audit.read_anchor(db)
    assert anchor is not None and anchor.seq == events(db)
    assert stat.S_IMODE(audit.anchor_file().stat().st_mode) == 0o600
    make_user(db, admin, "nurse")
    audit.keep_anchor(db)
    assert audit.read_anchor(db).seq == events(db) > anchor.seq
    assert audit.verify(db).intact


def test_a_rewound_trail_is_broken_behind_the_anchor(db, admin):
    make_user(db, admin, "nurse")
    make_user(db, admin, "counselor")
    audit.keep_anchor(db)
    seen = events(db)
    rewind(db, seen - 2)
    assert audit.verify_chain(db).intact  # on its own it verifies
    report = audit.verify(db)
    assert not report.intact and "rewound" in report.problem and str(audit.anchor_file()) in report.problem
    assert f"saw event {seen}" in report.problem


def test_a_recomputed_trail_is_broken_behind_the_anchor(db, admin):
    make_user(db, admin, "nurse")
    audit.keep_anchor(db)
    recompute(db, 1, "someone else")
    assert audit.verify_chain(db).intact
    report = audit.verify(db)
    assert not report.intact and "rewritten" in report.problem
    # and the anchor is never moved onto the rewritten trail
    before = audit.read_anchor(db)
    audit.keep_anchor(db)
    assert audit.read_anchor(db) == before


def test_a_wiped_trail_is_broken_even_without_an_anchor(db, admin):
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events"))
        s.execute(text("UPDATE audit_head SET seq = 0, last_hash = :g"), {"g": audit.GENESIS})
    report = audit.verify_chain(db)
    assert not report.intact and "wiped" in report.problem


def test_a_new_database_starts_its_trail_with_its_creation(tmp_path):
    from clinic_desktop.core.db import open_database

    database = open_database(tmp_path / "new.db")
    try:
        assert audit.verify(database).intact and audit.verify(database).count == 1
        with database.read() as s:
            first = s.execute(text("SELECT action, username FROM audit_events WHERE seq = 1")).one()
        assert tuple(first) == (audit.GENESIS_ACTION, "(system)")
    finally:
        database.dispose()


def test_a_trail_wiped_on_a_database_without_users_is_broken(tmp_path):
    from clinic_desktop.core.db import open_database

    database = open_database(tmp_path / "new.db")
    try:
        with database.write() as s:
            s.execute(text("DELETE FROM audit_events"))
            s.execute(text("UPDATE audit_head SET seq = 0, last_hash = :g"), {"g": audit.GENESIS})
        report = audit.verify_chain(database)
        assert not report.intact and "empty" in report.problem
    finally:
        database.dispose()


def test_a_trail_rebuilt_without_its_genesis_first_is_broken(db, admin):
    """Events recomputed into a fresh chain that no longer starts with the creation event."""
    with db.write() as s:
        s.execute(text("UPDATE audit_events SET action = 'user.created' WHERE seq = 1"))
        s.execute(text("UPDATE audit_events SET action = :g WHERE seq = 2"), {"g": audit.GENESIS_ACTION})
    recompute(db, 0, "")  # every hash recomputed: the chain itself verifies
    rebuilt = audit.verify_chain(db)
    # Event 1 is where the chain was keyed, and is no longer the database's creation.
    assert not rebuilt.intact and "event 1, which is not where it was keyed" in rebuilt.problem
