"""The audit trail: append-only and hash-chained.

Every event stores the HMAC-SHA256 of its own canonical content together with the hash of
the event before it, and a gap-free sequence number; ``verify_chain`` recomputes it all,
so an edited, inserted or deleted row is detected. The HMAC's key is a random secret kept in
the database itself (the ``audit.chain`` row of ``clinic_settings``, migration 0015, which the
settings service never reads or shows), so only the unlocked database yields it: on an encrypted database, whoever has the file but no password or recovery key can
neither forge an event nor recompute the chain after an edit. (On an unencrypted SQLite file the
secret is as readable as the events; there the anchors below are what catch a recomputed chain.)
Events written before the key came keep their SHA-256 hashes; the first keyed one is the genesis
event or an ``audit.chain_keyed`` event, and a chain that says otherwise is broken. Appends are serialised by updating
the single ``audit_head`` row first (a row lock on PostgreSQL, the write lock on SQLite).

A chain recomputed from scratch, rewound (its last events deleted and the head moved back) or
wiped would verify again on its own. So each workstation keeps an **anchor** — the head it last
saw, per database, in ``audit-anchors.json`` in its data folder (:func:`keep_anchor`: at the end
of every command and when the window closes; it only ever moves forward along the same chain)
— and :func:`verify` also checks the trail against it. An empty trail on a database that has
users is broken too: creating the first account is itself an event. A database made by this
version starts its trail with a genesis event (``database.created``, written when its schema is
made): a trail where that event is not the first was rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from clinic_desktop import paths
from clinic_desktop.core import live
from clinic_desktop.core.db import Database, record_key
from clinic_desktop.core.files import write_private
from clinic_desktop.core.models import AuditEvent, AuditHead, ClinicSetting, Episode, utcnow
from clinic_desktop.core.permissions import SignedInUser, require

GENESIS = "0" * 64
#: The first event of every database made since the genesis event came in (core.db._genesis).
GENESIS_ACTION = "database.created"
#: The first keyed event of a database that had events before its chain was keyed (0015).
KEYED_ACTION = "audit.chain_keyed"
#: A backup replaced the database (or filled an empty PostgreSQL one): recorded in the restored trail.
RESTORED_ACTION = "database.restored"
#: The clinic_settings row holding the chain's secret: {"key": hex, "keyed_from": sequence}.
CHAIN_SETTING = "audit.chain"
#: The anchors this workstation keeps (in its data folder): database → the last head it saw.
ANCHOR_FILE = "audit-anchors.json"

log = logging.getLogger(__name__)


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
    key: str | None = None,
) -> str:
    """The event's hash: HMAC-SHA256 with the chain's ``key`` (hex), or plain SHA-256 for an
    event from before the chain was keyed. It must never change: every chain depends on it."""
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
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if key is None:
        return hashlib.sha256(blob).hexdigest()
    return hmac.new(bytes.fromhex(key), blob, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainKey:
    key: str  # hex, 32 bytes
    keyed_from: int  # the sequence of the first event hashed with it

    def for_event(self, seq: int) -> str | None:
        """The key event ``seq`` is hashed with: none for the events from before the key came."""
        return self.key if seq >= self.keyed_from else None


#: ``keyed_from`` of a chain from before schema 0015: none of its events is keyed.
UNKEYED = 2**62
#: The schema that keyed the chain (migration 0015): from it on, a chain without its key is broken.
KEYED_SCHEMA = "0015"


def _keyed_schema(session: Session) -> bool:
    """Is the database at the schema that keys its chain, or later? (Revisions are numbered.)"""
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return revision is None or str(revision) >= KEYED_SCHEMA


def chain_key(session: Session) -> ChainKey | None:
    """The chain's secret, or None when there is none (a database older than schema 0015, which
    keeps hashing with SHA-256 until it is upgraded — or one whose key was removed)."""
    row = session.get(ClinicSetting, CHAIN_SETTING)
    value: Any = row.value if row is not None else None
    try:
        found = ChainKey(str(value["key"]), int(value["keyed_from"]))
        bytes.fromhex(found.key)
    except (TypeError, KeyError, ValueError):
        return None
    return found


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
    secret = chain_key(session)
    event = AuditEvent(**fields, hash=canonical_hash(**fields, key=secret.for_event(head.seq) if secret else None))
    session.add(event)
    head.last_hash = event.hash
    session.flush()
    live.announce(session, action, entity_type, entity_id, patient_id)  # PostgreSQL: on commit
    return event


@contextlib.contextmanager
def reading(db: Database, user: SignedInUser, action: str, *, opening: bool, episode_id: int) -> Iterator[Session]:
    """The unit of work of a read of one view of an episode's record (the flowsheet, the MAR,
    care, prompts, support sessions, consents). ``opening`` (the screen's first load of that
    view): the read runs in a write and ``action`` (``"flowsheet.opened"``) is appended once it
    has succeeded, in the same transaction — one event, on the episode, under its patient, and
    the view is not shown if its opening cannot be recorded. Not ``opening`` (a refresh, F5, the
    timer, another workstation's change): a plain read, nothing written."""
    if not opening:
        with db.read() as session:
            yield session
        return
    with db.write() as session:
        yield session
        patient_id = session.execute(select(Episode.patient_id).where(Episode.id == episode_id)).scalar()
        append(session, user, action, entity_type="episode", entity_id=episode_id, patient_id=patient_id)


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    count: int
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(db: Database, user: SignedInUser | None = None, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order. ``user`` may be None for the admin command line."""
    if user is not None:
        require(db, user, "audit.verify")
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    with db.read() as session:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
        if head is None:
            return ChainReport(False, 0, None, "the audit chain head is missing")
        secret = chain_key(session)
        if secret is None and _keyed_schema(session):
            return ChainReport(False, 0, None, "the audit chain's key was removed")
        if secret is None:  # a database (a backup) from before the chain was keyed: SHA-256 only
            secret = ChainKey("", UNKEYED)
        keyed_from = secret.keyed_from
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
                    key=secret.for_event(ev.seq),
                )
                if recomputed != ev.hash:
                    return ChainReport(False, count, ev.seq, f"event {ev.seq} was altered")
                if ev.seq == keyed_from and ev.action not in (GENESIS_ACTION, KEYED_ACTION):
                    return ChainReport(False, count, ev.seq, f"the chain says its key starts at event {ev.seq}, "
                                                             "which is not where it was keyed")
                expected_prev = ev.hash
                expected_seq += 1
                count += 1
                last_seq = ev.seq
            session.expunge_all()
        if head.seq != count or head.last_hash != expected_prev:
            return ChainReport(False, count, count + 1, f"events after {count} were removed")
        if count == 0:
            return ChainReport(False, 0, 1, "the trail is empty, but every database's trail starts with "
                                            "its creation: it was wiped")
        if count < keyed_from < UNKEYED:
            return ChainReport(False, count, keyed_from, f"the chain says its key starts at event {keyed_from}, "
                                                         f"but it has {count} events")
        genesis = session.execute(select(AuditEvent.seq).where(AuditEvent.action == GENESIS_ACTION)
                                  .order_by(AuditEvent.seq).limit(1)).scalar_one_or_none()
        if genesis is not None and genesis != 1:
            return ChainReport(False, count, 1, f"the trail's first event is not the database's creation "
                                                f"(that is event {genesis}): the trail was rebuilt")
    return ChainReport(True, count)


# --- anchors: the heads this workstation and the backups' manifests saw ----------------------------

@dataclass(frozen=True)
class Anchor:
    """The head of a database's chain as someone saw it: this workstation (its anchor file) or a
    backup (its manifest)."""

    seq: int
    hash: str
    at: str  # when it was seen, ISO 8601 UTC
    source: str = ""  # who saw it, for the message: "this workstation (…)", "the backup … (its manifest)"

    def seen(self) -> dt.datetime | None:
        try:
            when = dt.datetime.fromisoformat(self.at)
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def anchor_file() -> Path:
    return paths.user_data_dir(create=False) / ANCHOR_FILE


def _anchors() -> dict[str, Any]:
    try:
        data = json.loads(anchor_file().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_anchor(db: Database) -> Anchor | None:
    entry = _anchors().get(record_key(db.url))
    try:
        return Anchor(int(entry["seq"]), str(entry["hash"]), str(entry["at"]),
                      f"this workstation ({anchor_file()})") if entry else None
    except (KeyError, TypeError, ValueError):
        return None


def _head(db: Database) -> tuple[int, str] | None:
    with db.read() as session:
        head = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).first()
    return (int(head[0]), str(head[1])) if head is not None else None


def _last_restore(db: Database) -> tuple[int, dt.datetime] | None:
    """The latest restore recorded in the trail: its event's sequence and when it was."""
    with db.read() as session:
        found = session.execute(select(AuditEvent.seq, AuditEvent.at).where(AuditEvent.action == RESTORED_ACTION)
                                .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (int(found[0]), found[1]) if found is not None else None


def disagreement(db: Database, count: int, anchor: Anchor | None) -> str | None:
    """What disagrees between the trail (``count`` events verified) and ``anchor``: "" when they
    agree, None when there is nothing to compare. An anchor seen before the latest restore, beyond
    the events the restored backup held, saw a trail the restore replaced on purpose: not compared."""
    if anchor is None or anchor.seq == 0:
        return None
    restore = _last_restore(db)
    seen_at = anchor.seen()
    if restore is not None and anchor.seq >= restore[0] and (seen_at is None or seen_at < restore[1]):
        return None
    when = anchor.at[:16].replace("T", " ")
    seen = f"{anchor.source} saw event {anchor.seq} on {when} UTC"
    if count < anchor.seq:
        return f"the trail has {count} events, but {seen}: events were removed or the trail rewound"
    with db.read() as session:
        found = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq)).scalar_one_or_none()
    if found != anchor.hash:
        return f"event {anchor.seq} is not the one {seen}: the trail was rewritten"
    return ""


def anchor_problem(db: Database, count: int) -> str:
    """What disagrees between the trail and this workstation's anchor ("" when nothing)."""
    return disagreement(db, count, read_anchor(db)) or ""


def keep_anchor(db: Database, *, replace: bool = False) -> None:
    """Note the chain's head as this workstation's anchor — only forward along the chain it
    anchored before (a trail that disagrees with the anchor is left for :func:`verify` to
    report, never blessed), unless ``replace``: a restore replaced the trail on purpose.
    Written 0600 and atomically; never fails the caller."""
    try:
        head = _head(db)
        if head is None or (not replace and anchor_problem(db, head[0])):
            return
        anchors = _anchors()
        anchors[record_key(db.url)] = {"seq": head[0], "hash": head[1], "at": utcnow().isoformat()}
        target = anchor_file()
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(target, json.dumps(anchors, indent=1, sort_keys=True).encode("utf-8"))
    except Exception:  # an anchor that cannot be kept never stops the work
        log.warning("could not keep the audit anchor", exc_info=True)


@dataclass(frozen=True)
class Verified(ChainReport):
    """:func:`verify`'s report: the chain's, and how many anchors it was compared with."""

    anchors: int = 0


def verify(db: Database, user: SignedInUser | None = None, *, anchors: Iterable[Anchor] = ()) -> Verified:
    """:func:`verify_chain`, then the trail against this workstation's anchor and ``anchors``
    (the backups' manifests): a trail rewound, recomputed or wiped behind any of them is broken,
    naming the first that disagrees. Intact → this workstation's anchor moves on."""
    report = verify_chain(db, user)
    if not report.intact:
        return Verified(**vars(report))
    compared = 0
    for anchor in (read_anchor(db), *anchors):
        problem = disagreement(db, report.count, anchor)
        if problem:
            return Verified(False, report.count, None, problem, compared)
        compared += problem is not None
    keep_anchor(db)
    return Verified(True, report.count, anchors=compared)


def record_restore(db: Database, user: SignedInUser | None, detail: dict[str, Any]) -> None:
    """The database was just replaced by a backup: the trail says so (the anchors seen before it,
    beyond what the backup held, are no longer compared), and this workstation's anchor is set
    to the restored trail's head."""
    with db.write() as session:
        append(session, user, RESTORED_ACTION, username=None if user else "(console)", detail=detail)
    keep_anchor(db, replace=True)


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
    require(db, user, "audit.verify")
    with db.read() as session:
        q = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if patient_id is not None:
            q = q.where(AuditEvent.patient_id == patient_id)
        return [
            AuditEntry(e.seq, e.at, e.username, e.action, e.entity_type, e.entity_id, e.patient_id, e.detail)
            for e in session.execute(q).scalars()
        ]
