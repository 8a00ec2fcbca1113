"""The audit chain is keyed (issue #17 item 7): each event's hash becomes an HMAC-SHA256 with a
random 256-bit secret that only the unlocked database yields (the ``audit.chain`` row of
``clinic_settings``, which the settings service never reads; on an encrypted database it is
encrypted with everything else), so an event cannot be forged, or the
chain recomputed after an edit, by someone who has the file but cannot open it.

Its ``keyed_from`` is the sequence of the first keyed event: events before it (written
before this version) keep their SHA-256 hashes. On a new database it is 1, the genesis event; on
an upgraded one with events it is the ``audit.chain_keyed`` event this migration appends, in the
same transaction as the key. A chain whose ``keyed_from`` names any other kind of event, or none,
is broken. (The event is written here with ``canonical_hash``, which can never change anyway:
every chain ever written depends on it; the table is spelled out, not the ORM's model, so a
later change to the model cannot break this step.)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 09:00:00
"""

import datetime as dt
import secrets

import sqlalchemy as sa
from alembic import op

from clinic_desktop.core.models import UTCDateTime
from clinic_desktop.core.services.audit import (
    CHAIN_SETTING,
    KEYED_ACTION,
    _HashedFields,
    canonical_hash,
)

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = sa.table('audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                    sa.column('last_hash', sa.String))
    settings = sa.table('clinic_settings', sa.column('key', sa.String), sa.column('value', sa.JSON),
                        sa.column('updated_at', UTCDateTime()), sa.column('version', sa.Integer))
    bind = op.get_bind()
    row = bind.execute(sa.select(head.c.seq, head.c.last_hash).where(head.c.id == 1).with_for_update()).first()
    if row is None:  # no head row: nothing to key (verify_chain reports the missing head)
        return
    key = secrets.token_hex(32)
    seq, last_hash = int(row[0]), str(row[1])
    now = dt.datetime.now(dt.UTC)
    bind.execute(settings.insert().values(key=CHAIN_SETTING, value={"key": key, "keyed_from": seq + 1},
                                          updated_at=now, version=1))
    if seq == 0:  # a new database: its genesis event, written next, is the first keyed one
        return
    events = sa.table('audit_events', sa.column('seq', sa.Integer), sa.column('at', UTCDateTime()),
                      sa.column('user_id', sa.Integer), sa.column('username', sa.String),
                      sa.column('action', sa.String), sa.column('entity_type', sa.String),
                      sa.column('entity_id', sa.String), sa.column('patient_id', sa.Integer),
                      sa.column('detail', sa.JSON), sa.column('prev_hash', sa.String),
                      sa.column('hash', sa.String))
    fields: _HashedFields = {"seq": seq + 1, "at": now, "user_id": None, "username": "(system)",
                             "action": KEYED_ACTION, "entity_type": None, "entity_id": None, "patient_id": None,
                             "detail": {"schema": revision, "unkeyed_events": seq}, "prev_hash": last_hash}
    event_hash = canonical_hash(**fields, key=key)
    bind.execute(events.insert().values(**fields, hash=event_hash))
    bind.execute(head.update().where(head.c.id == 1).values(seq=seq + 1, last_hash=event_hash))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM clinic_settings WHERE key = :k").bindparams(k=CHAIN_SETTING))
