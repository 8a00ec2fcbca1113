"""Migration 0015 keys the audit chain of a database that already has a trail: the events
before keep their SHA-256 hashes, an ``audit.chain_keyed`` event follows them in the same
transaction as the key, and every event after is an HMAC with the new secret."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import text

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.db import open_database
from clinic_desktop.core.models import UTCDateTime
from clinic_desktop.core.services import accounts, audit
from tests.conftest import STRONG_PASSWORD, database_at, user_on_old_schema

EVENTS = sa.table("audit_events", sa.column("seq", sa.Integer), sa.column("at", UTCDateTime()),
                  sa.column("user_id", sa.Integer), sa.column("username", sa.String),
                  sa.column("action", sa.String), sa.column("entity_type", sa.String),
                  sa.column("entity_id", sa.String), sa.column("patient_id", sa.Integer),
                  sa.column("detail", sa.JSON), sa.column("prev_hash", sa.String), sa.column("hash", sa.String))


def _legacy_trail(engine, actions: list[str]) -> None:
    """A trail as schema 0014 wrote it: SHA-256 hashes, no key."""
    prev = audit.GENESIS
    with engine.begin() as conn:
        for seq, action in enumerate(actions, start=1):
            fields = {"seq": seq, "at": dt.datetime.now(dt.UTC), "user_id": None, "username": "(system)",
                      "action": action, "entity_type": None, "entity_id": None, "patient_id": None,
                      "detail": {"n": seq}, "prev_hash": prev}
            prev = audit.canonical_hash(**fields)
            conn.execute(EVENTS.insert().values(**fields, hash=prev))
        conn.execute(text("UPDATE audit_head SET seq = :s, last_hash = :h"), {"s": len(actions), "h": prev})


def test_an_old_trail_is_keyed_where_it_ends(any_db_target):
    _url, engine = database_at(any_db_target, "0014")
    _legacy_trail(engine, [audit.GENESIS_ACTION, "patient.created", "patient.viewed"])
    engine.dispose()

    db = open_database(any_db_target)
    try:
        with db.read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == dbmod.SCHEMA_HEAD
            secret = audit.chain_key(s)
            key, keyed_from = secret.key, secret.keyed_from
            seq = s.execute(text("SELECT seq FROM audit_head")).scalar_one()
            keyed = s.execute(text("SELECT action, detail FROM audit_events WHERE seq = 4")).one()
        assert (keyed_from, seq) == (4, 4) and len(bytes.fromhex(key)) == 32
        assert keyed[0] == audit.KEYED_ACTION
        report = audit.verify_chain(db)
        assert report.intact and report.count == 4

        accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD)
        assert audit.verify_chain(db).intact
        with db.read() as s:
            row = s.execute(text("SELECT * FROM audit_events WHERE seq = 5")).mappings().one()
            fields = {k: row[k] for k in ("seq", "user_id", "username", "action", "entity_type", "entity_id",
                                          "patient_id", "prev_hash")}
            at = s.execute(sa.select(EVENTS.c.at, EVENTS.c.detail).where(EVENTS.c.seq == 5)).one()
        assert row["hash"] == audit.canonical_hash(**fields, at=at[0], detail=at[1], key=key)
        assert row["hash"] != audit.canonical_hash(**fields, at=at[0], detail=at[1])
    finally:
        db.dispose()


def test_a_legacy_event_rehashed_breaks_the_keyed_event_after_it(tmp_path):
    """(SQLite: on PostgreSQL the trigger of 0014 refuses the edit itself.)"""
    any_db_target = str(tmp_path / "clinic.db")
    _url, engine = database_at(any_db_target, "0014")
    _legacy_trail(engine, [audit.GENESIS_ACTION, "patient.created"])
    engine.dispose()
    db = open_database(any_db_target)
    try:
        with db.write() as s:  # event 2 edited and its plain SHA-256 recomputed, as before the key
            row = s.execute(sa.select(EVENTS).where(EVENTS.c.seq == 2)).mappings().one()
            fields = {k: row[k] for k in row if k != "hash"}
            fields["username"] = "someone else"
            s.execute(EVENTS.update().where(EVENTS.c.seq == 2)
                      .values(username="someone else", hash=audit.canonical_hash(**fields)))
        report = audit.verify_chain(db)
        assert not report.intact and report.first_broken_seq == 3
    finally:
        db.dispose()


def test_a_backup_from_before_the_key_restores_and_is_keyed(tmp_path, monkeypatch):
    """A backup an older version made (schema 0014, SHA-256 only) passes restore's checks; the
    restored database is upgraded, keyed, and records its restore."""
    from clinic_desktop.core.services import backup
    from tests.conftest import CLINIC

    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path / "workstation"))
    old_path = tmp_path / "old-backup.db"
    url, engine = database_at(str(old_path), "0014")
    _legacy_trail(engine, [audit.GENESIS_ACTION, "user.created"])
    old = dbmod._database(url, engine, None)
    user_on_old_schema(old, "admin", "admin", "Ada Admin")  # as 0014's users table held it
    assert audit.verify_chain(old).intact
    old.dispose()

    live = tmp_path / "clinic.db"
    current = open_database(live)
    accounts.create_first_admin(current, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    current.dispose()
    backup.restore(str(live), old_path)
    db = open_database(live)
    try:
        report = audit.verify(db)
        assert report.intact, report.problem
        with db.read() as s:
            actions = s.execute(text("SELECT action FROM audit_events ORDER BY seq")).scalars().all()
            assert audit.chain_key(s).keyed_from == actions.index(audit.KEYED_ACTION) + 1
        assert actions[-2:] == [audit.KEYED_ACTION, audit.RESTORED_ACTION]
    finally:
        db.dispose()
