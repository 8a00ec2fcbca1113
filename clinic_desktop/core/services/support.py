"""Support sessions during the stay (issue #16): counseling, group, family, peer and brief
sessions, signed with the author's password when saved and never edited — corrected by
addendum (only by the author or an administrator), like the intake.

* **Who records**: counselors (and administrators) every kind; nurses and prescribers peer
  contacts and brief check-ins (``sessions.record`` / ``sessions.counsel``); a viewer nothing.
* **A group** is recorded once for all its attendees (:func:`record_group`): one
  :class:`SupportGroup` (topic, note) and one session on each attendee's record, all in one
  transaction, each audited under that patient. The shared topic and note may not name an
  attendee, nor an attendee's own line another attendee: a patient's record never shows who
  else was in the room.
* **A family session** names the family member; it is shared under the episode's active
  consent naming that person (42 CFR Part 2, the plan's consents), else recorded *without
  disclosure* — and says so.
* **What matters and readiness**: a session may record what the patient said matters (the
  intake's four questions) and the readiness ruler; :func:`what_matters` gives the newest of
  each for the plan, :func:`readiness` the ruler's trend from the intake on.

Audit events carry the kind, times, approaches and which parts were written — not the words:
what a patient says in counseling stays in their record, not in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.core import clock
from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core import support as rules
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.models import (
    Assessment,
    Consent,
    Episode,
    Patient,
    SupportAddendum,
    SupportGroup,
    SupportSession,
    User,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import accounts, audit, episodes
from clinic_desktop.core.services.intake import AddendumView
from clinic_desktop.core.text import fold
from clinic_desktop.core.vocab import Role, Stage

__all__ = ["PersonConsent", "ReadinessPoint", "SessionView", "add_addendum", "consent_for", "family_consent", "readiness", "record_group",
           "record_session", "sessions", "what_matters", "what_matters_in"]


@dataclass(frozen=True)
class SessionView:
    """A signed session as its patient's record shows it."""

    id: int
    episode_id: int
    kind: str
    started_at: dt.datetime
    duration_min: int
    approaches: tuple[str, ...]
    patient_words: str
    agreed: str
    next_step: str
    what_matters: dict[str, str]
    importance: int | None
    confidence: int | None
    signed_by_id: int
    signed_by_name: str
    signed_at: dt.datetime
    reason: str | None = None
    #: A group session: its topic and the shared note (never another attendee's name).
    group_topic: str | None = None
    group_note: str | None = None
    #: A family session: who took part, and the consent it was shared under (None: no consent,
    #: recorded without disclosure).
    family_member: str | None = None
    consent_id: int | None = None
    addenda: tuple[AddendumView, ...] = ()

    @property
    def kind_label(self) -> str:
        return rules.KINDS.get(self.kind, self.kind)

    @property
    def approach_labels(self) -> tuple[str, ...]:
        return tuple(rules.APPROACHES.get(a, a) for a in self.approaches)

    @property
    def disclosed(self) -> bool:
        """A family session shared with the family member under their consent."""
        return self.consent_id is not None


@dataclass(frozen=True)
class ReadinessPoint:
    """One answer to the readiness ruler: when, the two numbers (either may be missing), where."""

    at: dt.datetime
    importance: int | None
    confidence: int | None
    source: str  # "intake" | a session kind


def _require_kind(db: Database, user: SignedInUser, kind: str) -> None:
    if kind in rules.COUNSELOR_KINDS:
        require(db, user, "sessions.counsel", refusal=f"Only a counselor records a {rules.KINDS[kind].lower()}; "
                                                      "record a peer contact or a brief check-in.")
    else:
        require(db, user, "sessions.record")


def _open_episode(session: Session, episode_id: int) -> Episode:
    """The open episode, locked for this transaction (PostgreSQL; SQLite writers are serialised
    already): a discharge committing meanwhile is waited for, and then refuses the session."""
    episode = episodes.episode_in(session, episode_id, lock=True)
    if episode.stage == Stage.DISCHARGED.value:
        raise ValidationError("This episode is closed; sessions can no longer be added.")
    return episode


def family_consent(session: Session, episode_id: int, person: str, today: dt.date, *,
                   lock: bool = False) -> Consent | None:
    """The episode's consent naming ``person`` (a consent to a person, not a provider; the name
    accent- and case-blind) that is active ``today``: signed, not revoked, not expired. ``lock``
    takes the rows for this transaction (PostgreSQL): a revocation committing meanwhile is
    waited for and seen."""
    wanted = fold(person)
    if not wanted:
        return None
    query = (select(Consent).where(Consent.episode_id == episode_id, Consent.directory_entry_id.is_(None),
                                   Consent.revoked_at.is_(None))
             .order_by(Consent.signed_on.desc(), Consent.id.desc()))
    rows = session.execute(query.with_for_update() if lock else query).scalars()
    for consent in rows:
        if (fold(consent.recipient_name) == wanted and consent.signed_on <= today
                and not consent_rules.expired(consent.expires_on, today)):
            return consent
    return None


@dataclass(frozen=True)
class PersonConsent:
    """The active consent naming a family member, as a session form shows it."""

    id: int
    recipient_name: str
    relationship: str | None
    expires_on: dt.date


def consent_for(db: Database, user: SignedInUser, episode_id: int, person: str,
                today: dt.date | None = None) -> PersonConsent | None:
    """:func:`family_consent` for a screen (the session form's live line): the episode's active
    consent naming ``person`` today, or None."""
    require(db, user, "patients.view")
    today = today or clock.local(utcnow()).date()
    with db.read() as session:
        episodes.episode_in(session, episode_id)
        consent = family_consent(session, episode_id, person, today)
        if consent is None:
            return None
        return PersonConsent(consent.id, consent.recipient_name, consent.recipient_relationship,
                             consent.expires_on)


def _written(clean: Mapping[str, Any]) -> list[str]:
    """The parts a session wrote (for the audit trail: which, never what)."""
    parts = [key for key in rules.TEXT_FIELDS if clean.get(key)]
    parts += [f"what_matters.{key}" for key in clean.get("what_matters") or {}]
    parts += [key for key in rules.RULER if clean.get(key) is not None]
    return parts


def record_session(db: Database, user: SignedInUser, episode_id: int, data: rules.SessionInput, password: str,
                   now: dt.datetime | None = None) -> SessionView:
    """Sign and store one session (:func:`core.support.check`) after the author re-enters their
    password. A family session is shared under the active consent naming the family member, or
    recorded without disclosure (``consent_id`` None). Audited as ``session.recorded``."""
    _require_kind(db, user, data.kind)
    now = now or utcnow()
    clean = rules.check(data, now)
    accounts.confirm_password(db, user, password)
    with db.write() as session:
        episode = _open_episode(session, episode_id)
        consent = None
        if clean["kind"] == rules.FAMILY:
            consent = family_consent(session, episode.id, clean["family_member"], clock.local(now).date(),
                                     lock=True)
        row = SupportSession(
            episode_id=episode.id, kind=clean["kind"], started_at=clean["started_at"],
            duration_min=clean["duration_min"], approaches=clean["approaches"],
            patient_words=clean["patient_words"], agreed=clean["agreed"], next_step=clean["next_step"],
            what_matters=clean["what_matters"], importance=clean["importance"], confidence=clean["confidence"],
            family_member=clean["family_member"], consent_id=consent.id if consent is not None else None,
            reason=clean["reason"], signed_by=user.id, signed_at=now)
        session.add(row)
        session.flush()
        detail: dict[str, Any] = {"kind": row.kind, "started_at": row.started_at,
                                  "duration_min": row.duration_min, "approaches": row.approaches,
                                  "parts": _written(clean)}
        if row.kind == rules.FAMILY:
            detail["consent_id"] = row.consent_id
            detail["disclosed"] = row.consent_id is not None
        if row.reason:
            detail["late"] = True
        audit.append(session, user, "session.recorded", entity_type="support_session", entity_id=row.id,
                     patient_id=episode.patient_id, detail=detail)
        return _view(row, user.full_name, None)


def _quoted(words: Sequence[str]) -> str:
    return " and ".join(f"\u201c{w}\u201d" for w in words)


def record_group(db: Database, user: SignedInUser, episode_ids: Sequence[int], data: rules.GroupInput,
                 password: str, now: dt.datetime | None = None, *, not_names: Sequence[str] = ()
                 ) -> list[SessionView]:
    """One group session for all its attendees (their open episodes), after the author re-enters
    their password: one group row and a session on each attendee's record, in ONE transaction
    (all or none), each audited as ``session.recorded`` under that patient. The topic and note
    must not name any attendee, nor an attendee's line another attendee (ValidationError keyed
    by the field, quoting the word) — unless staff confirmed the word is not used as a name
    there (``not_names``: "hope" in a group about hope, with an attendee called Hope)."""
    _require_kind(db, user, rules.GROUP)
    now = now or utcnow()
    clean = rules.check_group(data, episode_ids, now)
    accounts.confirm_password(db, user, password)
    with db.write() as session:
        rows = session.execute(select(Episode.id, Episode.stage, Episode.patient_id, Patient.given_name,
                                      Patient.family_name)
                               .join(Patient, Patient.id == Episode.patient_id)
                               .where(Episode.id.in_(episode_ids))
                               .order_by(Episode.id)  # one lock order for every writer
                               .with_for_update(of=Episode)).all()
        found = {r.id: r for r in rows}
        missing = [e for e in episode_ids if e not in found]
        if missing:
            raise NotFound("A ticked patient's episode no longer exists; reopen the group session.")
        if any(found[e].stage == Stage.DISCHARGED.value for e in episode_ids):
            raise ValidationError({"attendees": "A ticked patient was discharged; untick them."})
        names = {e: (found[e].given_name, found[e].family_name) for e in episode_ids}
        everyone = [n for pair in names.values() for n in pair]
        errors: dict[str, str] = {}
        for key, label in (("topic", "The topic"), ("note", "The group note")):
            named = rules.named(clean[key], everyone, not_names)
            if named:
                errors[key] = (f"{label} contains {_quoted(named)}, an attendee's name; every attendee's "
                               "record shows it. Remove it, or confirm it is not a name here.")
        for episode_id, line in clean["lines"].items():
            others = [n for e, pair in names.items() if e != episode_id for n in pair]
            named = rules.named(line, others, not_names)
            if named:
                errors[f"lines.{episode_id}"] = (f"This line contains {_quoted(named)}, another attendee's "
                                                 "name. Remove it, or confirm it is not a name here.")
        if errors:
            raise ValidationError(errors)
        group = SupportGroup(topic=clean["topic"], note=clean["note"], started_at=clean["started_at"],
                             duration_min=clean["duration_min"], approaches=clean["approaches"],
                             created_by=user.id, created_at=now)
        session.add(group)
        session.flush()
        out = []
        for episode_id in episode_ids:
            row = SupportSession(
                episode_id=episode_id, kind=rules.GROUP, started_at=group.started_at,
                duration_min=group.duration_min, approaches=list(group.approaches),
                patient_words=clean["lines"].get(episode_id, ""), agreed="", next_step="",
                what_matters={}, group_id=group.id, reason=clean["reason"], signed_by=user.id, signed_at=now)
            session.add(row)
            out.append(row)
        session.flush()
        for row in out:
            audit.append(session, user, "session.recorded", entity_type="support_session", entity_id=row.id,
                         patient_id=found[row.episode_id].patient_id,
                         detail={"kind": rules.GROUP, "group_id": group.id, "started_at": row.started_at,
                                 "duration_min": row.duration_min, "approaches": row.approaches,
                                 "parts": ["patient_words"] if row.patient_words else []})
        return [_view(row, user.full_name, group) for row in out]


def add_addendum(db: Database, user: SignedInUser, session_id: int, reason: str, text: str,
                 now: dt.datetime | None = None) -> AddendumView:
    """Correct a signed session: why and what. Only its author or an administrator; the
    session itself never changes. Audited as ``session.addendum`` (without the words)."""
    require(db, user, "sessions.record")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the session is being corrected."
    if not text.strip():
        errors["text"] = "Write the correction."
    if len(text.strip()) > rules.TEXT_LIMIT:
        errors["text"] = f"At most {rules.TEXT_LIMIT} characters."
    if errors:
        raise ValidationError(errors)
    now = now or utcnow()
    with db.write() as session:
        row = session.get(SupportSession, session_id)
        if row is None:
            raise NotFound("This session no longer exists.")
        if row.signed_by != user.id and user.role != Role.ADMIN:
            raise PermissionDenied("Only the session's author or an administrator adds an addendum.")
        episode = episodes.episode_in(session, row.episode_id)
        addendum = SupportAddendum(session_id=row.id, reason=reason.strip(), text=text.strip(),
                                   created_by=user.id, created_at=now)
        session.add(addendum)
        session.flush()
        audit.append(session, user, "session.addendum", entity_type="support_session", entity_id=row.id,
                     patient_id=episode.patient_id, detail={"addendum_id": addendum.id})
        return AddendumView(addendum.id, addendum.reason, addendum.text, addendum.created_at, user.full_name)


def _view(row: SupportSession, author: str, group: SupportGroup | None,
          addenda: tuple[AddendumView, ...] = ()) -> SessionView:
    return SessionView(
        id=row.id, episode_id=row.episode_id, kind=row.kind, started_at=row.started_at,
        duration_min=row.duration_min, approaches=tuple(row.approaches or ()), patient_words=row.patient_words,
        agreed=row.agreed, next_step=row.next_step, what_matters=dict(row.what_matters or {}),
        importance=row.importance, confidence=row.confidence, signed_by_id=row.signed_by,
        signed_by_name=author, signed_at=row.signed_at, reason=row.reason,
        group_topic=group.topic if group is not None else None,
        group_note=group.note if group is not None else None,
        family_member=row.family_member, consent_id=row.consent_id, addenda=addenda)


def sessions(db: Database, user: SignedInUser, episode_id: int, *, opening: bool = False
             ) -> list[SessionView]:
    """The episode's sessions, newest first (started, then entered), each with its addenda and,
    for a group, the group's topic and note. Three queries. ``opening``: the Support page's
    first load, audited as "support.opened"; a refresh is not."""
    require(db, user, "patients.view")
    with audit.reading(db, user, "support.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        rows = session.execute(select(SupportSession, User.full_name, SupportGroup)
                               .join(User, User.id == SupportSession.signed_by)
                               .outerjoin(SupportGroup, SupportGroup.id == SupportSession.group_id)
                               .where(SupportSession.episode_id == episode_id)
                               .order_by(SupportSession.started_at.desc(), SupportSession.id.desc())).all()
        ids = [r[0].id for r in rows]
        addenda: dict[int, list[AddendumView]] = {}
        if ids:
            for a, name in session.execute(select(SupportAddendum, User.full_name)
                                           .join(User, User.id == SupportAddendum.created_by)
                                           .where(SupportAddendum.session_id.in_(ids))
                                           .order_by(SupportAddendum.created_at, SupportAddendum.id)).all():
                addenda.setdefault(a.session_id, []).append(
                    AddendumView(a.id, a.reason, a.text, a.created_at, name))
        return [_view(row, name, group, tuple(addenda.get(row.id, ()))) for row, name, group in rows]


def _signed_intake(session: Session, episode_id: int) -> Assessment | None:
    return session.execute(select(Assessment).where(Assessment.episode_id == episode_id,
                                                    Assessment.status == "signed")).scalar_one_or_none()


def _social(intake: Assessment | None) -> dict[str, Any]:
    social = (intake.data or {}).get("social") if intake is not None else None
    return dict(social) if isinstance(social, dict) else {}


def what_matters_in(session: Session, episode_id: int) -> dict[str, str]:
    """What the patient said matters: each of the four questions from the latest session that
    answered it, else the signed intake's social history."""
    social = _social(_signed_intake(session, episode_id))
    out = {key: str(social.get(key) or "").strip() for key in rules.WHAT_MATTERS_IDS}
    rows = session.execute(select(SupportSession.what_matters)
                           .where(SupportSession.episode_id == episode_id)
                           .order_by(SupportSession.started_at, SupportSession.id)).scalars()
    for matters in rows:
        for key, text in (matters or {}).items():
            if key in out and str(text).strip():
                out[key] = str(text).strip()
    return out


def what_matters(db: Database, user: SignedInUser, episode_id: int) -> dict[str, str]:
    """:func:`what_matters_in`, for a screen."""
    require(db, user, "patients.view")
    with db.read() as session:
        episodes.episode_in(session, episode_id)
        return what_matters_in(session, episode_id)


def readiness(db: Database, user: SignedInUser, episode_id: int) -> list[ReadinessPoint]:
    """The readiness ruler over the stay, oldest first: the signed intake's answers (at its
    signing) and each session's."""
    require(db, user, "patients.view")
    with db.read() as session:
        episodes.episode_in(session, episode_id)
        out: list[ReadinessPoint] = []
        intake = _signed_intake(session, episode_id)
        social = _social(intake)
        first = {key: social.get(f"readiness_{key}") for key in rules.RULER}
        if intake is not None and intake.signed_at is not None and any(v is not None for v in first.values()):
            out.append(ReadinessPoint(intake.signed_at, first["importance"], first["confidence"], "intake"))
        rows = session.execute(select(SupportSession.started_at, SupportSession.importance,
                                      SupportSession.confidence, SupportSession.kind)
                               .where(SupportSession.episode_id == episode_id,
                                      (SupportSession.importance.is_not(None))
                                      | (SupportSession.confidence.is_not(None)))
                               .order_by(SupportSession.started_at, SupportSession.id)).all()
        out += [ReadinessPoint(at, imp, conf, kind) for at, imp, conf, kind in rows]
        return sorted(out, key=lambda p: p.at)
