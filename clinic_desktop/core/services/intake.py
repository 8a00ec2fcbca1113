"""The intake assessment: start, draft as it is typed, sign (locks it and moves the episode to
stabilization), and correct a signed one only by addendum."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import clock, units
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.models import (
    Assessment,
    AssessmentAddendum,
    Episode,
    Observation,
    Stage,
    User,
    VitalSigns,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import accounts, audit, episodes, patient_facts, stabilization
from clinic_desktop.core.services import settings as settings_service

DRAFT, SIGNED = "draft", "signed"
# Instruments whose baseline is written to the flowsheet when the assessment is signed.
BASELINE_SCORES = (("scores", "cows"), ("scores", "sows_gossop"), ("scores", "sows_handelsman"),
                   ("scores", "oows"), ("scores", "ciwa_ar"), ("mental_health", "phq9"),
                   ("mental_health", "gad7"), ("mental_health", "asq"))


@dataclass(frozen=True)
class AddendumView:
    id: int
    reason: str
    text: str
    created_at: dt.datetime
    created_by_name: str


@dataclass(frozen=True)
class AssessmentView:
    id: int
    episode_id: int
    patient_id: int
    status: str
    data: dict[str, Any]
    version: int
    draft_saved_at: dt.datetime | None
    draft_saved_by_name: str | None
    holder_name: str | None
    holder_workstation: str | None
    held_since: dt.datetime | None
    held_by_other: bool
    pathway: str | None
    summary: dict[str, Any] | None
    signed_at: dt.datetime | None
    signed_by_name: str | None
    addenda: tuple[AddendumView, ...] = ()

    @property
    def signed(self) -> bool:
        return self.status == SIGNED


@dataclass(frozen=True)
class DraftSaved:
    version: int
    saved_at: dt.datetime


def workstation_name() -> str:
    return socket.gethostname()[:120] or "this workstation"


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.full_name if user else None


def _view(session: Session, a: Assessment, viewer: SignedInUser) -> AssessmentView:
    episode = session.get(Episode, a.episode_id)
    assert episode is not None
    addenda = session.execute(
        select(AssessmentAddendum).where(AssessmentAddendum.assessment_id == a.id)
        .order_by(AssessmentAddendum.created_at, AssessmentAddendum.id)
    ).scalars()
    return AssessmentView(
        id=a.id, episode_id=a.episode_id, patient_id=episode.patient_id, status=a.status,
        data=dict(a.data or {}), version=a.version, draft_saved_at=a.draft_saved_at,
        draft_saved_by_name=_name(session, a.draft_saved_by), holder_name=_name(session, a.holder_id),
        holder_workstation=a.holder_workstation, held_since=a.held_since,
        held_by_other=a.holder_id is not None and (a.holder_id != viewer.id
                                                   or a.holder_workstation != workstation_name()),
        pathway=a.pathway, summary=a.summary, signed_at=a.signed_at,
        signed_by_name=_name(session, a.signed_by),
        addenda=tuple(AddendumView(x.id, x.reason, x.text, x.created_at, _name(session, x.created_by) or "")
                      for x in addenda),
    )


def _load(session: Session, assessment_id: int, *, lock: bool = False) -> Assessment:
    """The assessment; ``lock``: its row locked until the unit of work ends (PostgreSQL's SELECT …
    FOR UPDATE), so the version read is the one written (SQLite's writers queue already)."""
    found = (session.execute(select(Assessment).where(Assessment.id == assessment_id).with_for_update())
             .scalar_one_or_none() if lock else session.get(Assessment, assessment_id))
    if found is None:
        raise NotFound("This assessment no longer exists.")
    return found


def start(db: Database, user: SignedInUser, patient_id: int, admitted_at: dt.datetime | None = None
          ) -> AssessmentView:
    """Start assessment: open an episode in stage assessment (or reuse the open one) with a draft."""
    require(db, user, "assessments.record")
    current = episodes.current_episode(db, user, patient_id)
    if current is None:
        current = episodes.open_episode(db, user, patient_id, admitted_at=admitted_at)
    elif current.stage != Stage.ASSESSMENT.value:
        raise ValidationError("This patient's episode is past assessment; a signed assessment is "
                              "corrected by an addendum.")
    with db.write() as session:
        existing = session.execute(
            select(Assessment).where(Assessment.episode_id == current.id)).scalar_one_or_none()
        if existing is None:
            existing = Assessment(episode_id=current.id, status=DRAFT, data={}, created_by=user.id)
            session.add(existing)
            session.flush()
            audit.append(session, user, "assessment.started", entity_type="assessment",
                         entity_id=existing.id, patient_id=patient_id)
    return open_assessment(db, user, current.id)


def open_assessment(db: Database, user: SignedInUser, episode_id: int) -> AssessmentView:
    """Open an episode's assessment (audited). A draft opened by a clinician is marked as held by
    them here, so a second workstation sees who has it; the view says who held it before."""
    user = require(db, user, "patients.view")
    with db.write() as session:
        # Locked (PostgreSQL; SQLite's writers queue already): marking the holder bumps the
        # version, and two workstations opening the draft at the same moment would otherwise
        # both update the version they read, the later failing with StaleDataError.
        a = session.execute(select(Assessment).where(Assessment.episode_id == episode_id).with_for_update()
                            ).scalar_one_or_none()
        if a is None:
            raise NotFound("This episode has no assessment yet.")
        view = _view(session, a, user)  # as it was: who held it before this opening
        if a.status == DRAFT and user.can("assessments.record"):
            a.holder_id, a.holder_workstation, a.held_since = user.id, workstation_name(), utcnow()
        audit.append(session, user, "assessment.opened", entity_type="assessment", entity_id=a.id,
                     patient_id=view.patient_id)
        session.flush()
        return dataclasses.replace(view, version=a.version)


def save_draft(db: Database, user: SignedInUser, assessment_id: int, expected_version: int,
               data: Mapping[str, Any]) -> DraftSaved:
    """Save what has been typed so far (called on every change, debounced). Completeness is not
    checked here, but the draft is kept to its shape (``assessment.normalize_draft``: an unknown
    section or instrument item refused, unknown fields dropped, each field in its type); a stale
    version (another workstation saved since) is refused."""
    require(db, user, "assessments.record")
    data = rules.normalize_draft(data)
    try:
        with db.write() as session:
            a = _load(session, assessment_id)
            if a.status != DRAFT:
                raise ValidationError("This assessment is signed; correct it with an addendum.")
            if a.version != expected_version:
                who = _name(session, a.draft_saved_by) or "Someone"
                when = clock.local_text(a.draft_saved_at) or "just now"
                raise ConflictError(f"{who} saved this assessment at {when} on another workstation. "
                                    "Reopen it to see their changes; what you typed is still on your screen.")
            before = a.data or {}
            changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
            a.data = dict(data)
            a.draft_saved_at = utcnow()
            a.draft_saved_by = user.id
            session.flush()
            episode = session.get(Episode, a.episode_id)
            audit.append(session, user, "assessment.draft_saved", entity_type="assessment", entity_id=a.id,
                         patient_id=episode.patient_id if episode else None,
                         detail={"sections_changed": changed})
            return DraftSaved(a.version, a.draft_saved_at)
    except StaleDataError:
        raise ConflictError("Another workstation saved this assessment at the same moment. Reopen it; "
                            "what you typed is still on your screen.") from None


def release(db: Database, user: SignedInUser, assessment_id: int) -> None:
    """The screen was closed: the draft is no longer held by this workstation. Its row locked
    first, as :func:`open_assessment` locks it, so a release never fails on another workstation's
    write of the same draft. Not refused for an account deactivated meanwhile: closing the screen
    must still let go of the draft."""
    with db.write() as session:
        a = _load(session, assessment_id, lock=True)
        if a.holder_id == user.id and a.holder_workstation == workstation_name():
            a.holder_id = a.holder_workstation = a.held_since = None


def sign(db: Database, user: SignedInUser, assessment_id: int, expected_version: int, password: str,
         pathway: str, *, confirm_old_last_use: bool = False, now: dt.datetime | None = None) -> AssessmentView:
    """Sign: the clinician re-enters their password; what is missing is listed (keys
    "section.field"); then the assessment locks, baseline scores go on the flowsheet, the
    episode moves to stabilization with the chosen pathway, the patient facts it records (weight,
    hepatic and renal function, QTc) are stored as the episode's, and, when PHQ-9 item 9 is above 0
    or the ASQ is positive (or an old draft's suicide question was answered "yes"), its safety
    alert is raised — all in one transaction."""
    require(db, user, "assessments.record")
    now = now or utcnow()
    accounts.confirm_password(db, user, password)
    try:
        with db.write() as session:
            a = _load(session, assessment_id)
            if a.status != DRAFT:
                raise ValidationError("This assessment is already signed; correct it with an addendum.")
            if a.version != expected_version:
                raise ConflictError("This assessment was saved on another workstation since you opened "
                                    "it. Reopen it before signing.")
            data = a.data or {}
            missing = rules.missing_to_sign(data, pathway, now)
            if missing:
                raise ValidationError({m.key: m.message for m in missing})
            old = rules.old_last_uses(data, now)
            if old and not confirm_old_last_use:
                raise ValidationError({f"substances.rows.{n}.last_use":
                                       f"Substance {n}: the last use is more than 30 days ago. Confirm it "
                                       "is right, then sign again." for n in old})
            episode = session.get(Episode, a.episode_id)
            assert episode is not None
            flags = rules.risk_flags(data, units.clinic_system(settings_service.read_in(session)))
            for section, instrument_id in BASELINE_SCORES:
                items = (data.get(section) or {}).get(instrument_id) or {}
                if not items:
                    continue
                score = get_instrument(instrument_id).score(items)
                taken_at = rules.scored_at(data, section, instrument_id)
                session.add(Observation(episode_id=episode.id, instrument_id=instrument_id,
                                        item_scores=dict(score.items), total=score.total, band=score.band,
                                        complete=score.complete, recorded_by=user.id,
                                        taken_at=taken_at if taken_at is not None and taken_at <= now else now))
            baseline_vitals = {k: v for k, v in (data.get("vitals") or {}).items()
                               if isinstance(v, (int, float)) and not isinstance(v, bool)}
            if baseline_vitals:  # the hold parameters of the first doses read these
                session.add(VitalSigns(episode_id=episode.id, values=baseline_vitals, taken_at=now,
                                       recorded_by=user.id))
            a.status = SIGNED
            a.pathway = pathway
            a.signed_at = now
            a.signed_by = user.id
            a.holder_id = a.holder_workstation = a.held_since = None
            a.summary = {"flags": [{"id": f.id, "label": f.label, "basis": f.basis} for f in flags],
                         "pathway": pathway}
            before = {"stage": episode.stage, "pathway": episode.pathway}
            episode.stage = Stage.STABILIZATION.value
            episode.pathway = pathway
            episode.updated_at = now
            episode.updated_by = user.id
            if rules.safety_alert(data):
                stabilization.raise_safety_alert(session, episode, now)
            # The weight, hepatic and renal function and QTc become the episode's patient facts.
            patient_facts.record_from_intake(session, user, episode, data, clock.local(now).date())
            session.flush()
            audit.append(session, user, "assessment.signed", entity_type="assessment", entity_id=a.id,
                         patient_id=episode.patient_id,
                         detail={"pathway": pathway, "flags": [f.id for f in flags]})
            audit.append(session, user, "episode.stage_changed", entity_type="episode", entity_id=episode.id,
                         patient_id=episode.patient_id,
                         detail={"changes": audit.diff(before, {"stage": episode.stage, "pathway": pathway})})
            return _view(session, a, user)
    except StaleDataError:
        raise ConflictError("This assessment or its episode was changed on another workstation; "
                            "reopen it before signing.") from None


def add_addendum(db: Database, user: SignedInUser, assessment_id: int, reason: str, text: str) -> AddendumView:
    """Correct a signed assessment: who, when, why. The signed record itself never changes."""
    require(db, user, "assessments.record")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the assessment is being corrected."
    if not text.strip():
        errors["text"] = "Write the correction."
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        a = _load(session, assessment_id)
        if a.status != SIGNED:
            raise ValidationError("Only a signed assessment takes an addendum; edit the draft instead.")
        addendum = AssessmentAddendum(assessment_id=a.id, reason=reason.strip(), text=text.strip(),
                                      created_by=user.id)
        session.add(addendum)
        session.flush()
        episode = session.get(Episode, a.episode_id)
        audit.append(session, user, "assessment.addendum", entity_type="assessment", entity_id=a.id,
                     patient_id=episode.patient_id if episode else None,
                     detail={"reason": addendum.reason, "text": addendum.text})
        return AddendumView(addendum.id, addendum.reason, addendum.text, addendum.created_at, user.full_name)


def assessment_for_episode(db: Database, user: SignedInUser, episode_id: int) -> AssessmentView | None:
    """Read without marking anything (census, summaries)."""
    require(db, user, "patients.view")
    with db.read() as session:
        a = session.execute(select(Assessment).where(Assessment.episode_id == episode_id)).scalar_one_or_none()
        return _view(session, a, user) if a else None
