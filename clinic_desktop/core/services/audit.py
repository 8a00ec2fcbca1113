"""The audit trail: append-only and hash-chained.

Every event stores the SHA-256 of its own canonical content together with the hash of
the event before it, and a gap-free sequence number; ``verify_chain`` recomputes it all,
so an edited, inserted or deleted row is detected. Appends are serialised by updating
the single ``audit_head`` row first (a row lock on PostgreSQL, the write lock on SQLite).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clinic_desktop.core.db import Database
from clinic_desktop.core.models import AuditEvent, AuditHead, utcnow
from clinic_desktop.core.permissions import SignedInUser, require

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field diff for an audit event: {field: [old, new]} for each changed field."""
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


class _HashedFields(TypedDict):
    """What :func:`canonical_hash` covers: an event's columns but its own hash."""

    seq: int
    at: dt.datetime
    user_id: int | None
    username: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    patient_id: int | None
    detail: dict[str, Any] | None
    prev_hash: str


def canonical_hash(
    *,
    seq: int,
    at: dt.datetime,
    user_id: int | None,
    username: str | None,
    action: str,
    entity_type: str | None,
    entity_id: str | None,
    patient_id: int | None,
    detail: dict[str, Any] | None,
    prev_hash: str,
) -> str:
    content = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "user_id": user_id,
        "username": username,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "patient_id": patient_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def append(
    session: Session,
    user: SignedInUser | None,
    action: str,
    *,
    entity_type: str | None = None,
    entity_id: Any = None,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits with the change it records)."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one()
    at = utcnow()
    fields: _HashedFields = {
        "seq": head.seq,
        "at": at,
        "user_id": user.id if user else None,
        "username": user.username if user else username,
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "patient_id": patient_id,
        "detail": _jsonable(detail) if detail is not None else None,
        "prev_hash": head.last_hash,
    }
    event = AuditEvent(**fields, hash=canonical_hash(**fields))
    session.add(event)
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    count: int
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(db: Database, user: SignedInUser | None = None, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order. ``user`` may be None for the admin command line."""
    if user is not None:
        require(user, "audit.verify")
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    with db.read() as session:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
        if head is None:
            return ChainReport(False, 0, None, "the audit chain head is missing")
        last_seq = 0
        while True:
            rows = session.execute(
                select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
            ).scalars().all()
            if not rows:
                break
            for ev in rows:
                if ev.seq != expected_seq:
                    return ChainReport(False, count, expected_seq, f"event {expected_seq} is missing")
                if ev.prev_hash != expected_prev:
                    return ChainReport(False, count, ev.seq, f"event {ev.seq} does not follow event {ev.seq - 1}")
                recomputed = canonical_hash(
                    seq=ev.seq, at=ev.at, user_id=ev.user_id, username=ev.username,
                    action=ev.action, entity_type=ev.entity_type, entity_id=ev.entity_id,
                    patient_id=ev.patient_id, detail=ev.detail, prev_hash=ev.prev_hash,
                )
                if recomputed != ev.hash:
                    return ChainReport(False, count, ev.seq, f"event {ev.seq} was altered")
                expected_prev = ev.hash
                expected_seq += 1
                count += 1
                last_seq = ev.seq
            session.expunge_all()
        if head.seq != count or head.last_hash != expected_prev:
            return ChainReport(False, count, count + 1, f"events after {count} were removed")
    return ChainReport(True, count)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: dt.datetime
    username: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    patient_id: int | None
    detail: dict[str, Any] | None


def recent(db: Database, user: SignedInUser, *, limit: int = 200, patient_id: int | None = None) -> list[AuditEntry]:
    require(user, "audit.verify")
    with db.read() as session:
        q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if patient_id is not None:
            q = q.where(AuditEvent.patient_id == patient_id)
        return [
            AuditEntry(e.seq, e.at, e.username, e.action, e.entity_type, e.entity_id, e.patient_id, e.detail)
            for e in session.execute(q).scalars()
        ]
