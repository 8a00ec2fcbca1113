"""Episodes of care (admission to discharge) and the census of open ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.models import Episode, Observation, Patient, Stage, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services.patients import age_on

STAGE_LABELS = {
    Stage.ASSESSMENT.value: "Assessment",
    Stage.STABILIZATION.value: "Stabilization",
    Stage.TRANSITION.value: "Transition",
    Stage.DISCHARGED.value: "Discharged",
}
NEXT_STAGE = {
    Stage.ASSESSMENT.value: Stage.STABILIZATION.value,
    Stage.STABILIZATION.value: Stage.TRANSITION.value,
    Stage.TRANSITION.value: Stage.DISCHARGED.value,
}


@dataclass(frozen=True)
class EpisodeView:
    id: int
    patient_id: int
    admitted_at: dt.datetime
    stage: str
    pathway: str | None
    discharged_at: dt.datetime | None
    discharge_reason: str | None
    version: int


@dataclass(frozen=True)
class CensusRow:
    """One open episode as the census shows it."""

    episode_id: int
    patient_id: int
    display_name: str
    mrn: str
    age: int
    stage: str
    admitted_at: dt.datetime
    day_of_stay: int
    last_cows_total: int | None
    last_cows_band: str | None
    last_cows_complete: bool | None
    last_cows_at: dt.datetime | None
    next_due_at: dt.datetime | None = None  # filled by the stabilization work


def _view(e: Episode) -> EpisodeView:
    return EpisodeView(e.id, e.patient_id, e.admitted_at, e.stage, e.pathway, e.discharged_at,
                       e.discharge_reason, e.version)


def open_episode(db: Database, user: SignedInUser, patient_id: int,
                 admitted_at: dt.datetime | None = None) -> EpisodeView:
    """Admit a patient: a new episode in stage ``assessment``. One open episode per patient."""
    require(user, "episodes.open")
    with db.write() as session:
        if session.get(Patient, patient_id) is None:
            raise NotFound("This patient no longer exists.")
        if _open_episode(session, patient_id) is not None:
            raise ValidationError("This patient already has an open episode; open it from the census.")
        episode = Episode(patient_id=patient_id, admitted_at=admitted_at or utcnow(),
                          stage=Stage.ASSESSMENT.value, created_by=user.id)
        session.add(episode)
        session.flush()
        audit.append(session, user, "episode.opened", entity_type="episode", entity_id=episode.id,
                     patient_id=patient_id, detail={"admitted_at": episode.admitted_at})
        return _view(episode)


def _open_episode(session: Session, patient_id: int) -> Episode | None:
    return session.execute(
        select(Episode).where(Episode.patient_id == patient_id, Episode.stage != Stage.DISCHARGED.value)
    ).scalar_one_or_none()


def current_episode(db: Database, user: SignedInUser, patient_id: int) -> EpisodeView | None:
    require(user, "patients.view")
    with db.read() as session:
        episode = _open_episode(session, patient_id)
        return _view(episode) if episode else None


def change_stage(db: Database, user: SignedInUser, episode_id: int, expected_version: int,
                 stage: str, *, pathway: str | None = None, reason: str | None = None) -> EpisodeView:
    """Move an episode one stage on (assessment → stabilization → transition → discharged)."""
    require(user, "episodes.stage")
    try:
        with db.write() as session:
            episode = session.get(Episode, episode_id)
            if episode is None:
                raise NotFound("This episode no longer exists.")
            if episode.version != expected_version:
                raise ConflictError("This episode was changed on another workstation; reopen it first.")
            if NEXT_STAGE.get(episode.stage) != stage:
                raise ValidationError({"stage": f"An episode in {STAGE_LABELS[episode.stage]} cannot move "
                                                f"to {STAGE_LABELS.get(stage, stage)}."})
            if stage == Stage.DISCHARGED.value and not (reason or "").strip():
                raise ValidationError({"discharge_reason": "Enter the discharge reason."})
            before = {"stage": episode.stage, "pathway": episode.pathway}
            episode.stage = stage
            if pathway is not None:
                episode.pathway = pathway
            if stage == Stage.DISCHARGED.value:
                episode.discharged_at = utcnow()
                episode.discharge_reason = (reason or "").strip()
            episode.updated_at = utcnow()
            episode.updated_by = user.id
            session.flush()
            audit.append(session, user, "episode.stage_changed", entity_type="episode",
                         entity_id=episode.id, patient_id=episode.patient_id,
                         detail={"changes": audit.diff(before, {"stage": episode.stage,
                                                                "pathway": episode.pathway})})
            return _view(episode)
    except StaleDataError:
        raise ConflictError("This episode was changed on another workstation; reopen it first.") from None


def census(db: Database, user: SignedInUser, today: dt.date | None = None) -> list[CensusRow]:
    """Every open episode with its patient and last COWS, ordered by name."""
    require(user, "patients.view")
    today = today or dt.date.today()
    with db.read() as session:
        last_cows = (
            select(Observation.episode_id, func.max(Observation.taken_at).label("taken_at"))
            .where(Observation.instrument_id == "cows")
            .group_by(Observation.episode_id)
            .subquery()
        )
        rows = session.execute(
            select(Episode, Patient, Observation)
            .join(Patient, Patient.id == Episode.patient_id)
            .outerjoin(last_cows, last_cows.c.episode_id == Episode.id)
            .outerjoin(
                Observation,
                (Observation.episode_id == Episode.id)
                & (Observation.instrument_id == "cows")
                & (Observation.taken_at == last_cows.c.taken_at),
            )
            .where(Episode.stage != Stage.DISCHARGED.value)
            .order_by(Patient.search_name, Episode.id)
        ).all()
        result: dict[int, CensusRow] = {}
        for episode, patient, obs in rows:
            if episode.id in result:  # two COWS at the very same instant: keep the first
                continue
            admitted_local = episode.admitted_at.astimezone().date()
            result[episode.id] = CensusRow(
                episode_id=episode.id, patient_id=patient.id,
                display_name=f"{patient.family_name}, {patient.given_name}", mrn=patient.mrn,
                age=age_on(patient.date_of_birth, today), stage=episode.stage,
                admitted_at=episode.admitted_at, day_of_stay=(today - admitted_local).days + 1,
                last_cows_total=obs.total if obs else None, last_cows_band=obs.band if obs else None,
                last_cows_complete=obs.complete if obs else None, last_cows_at=obs.taken_at if obs else None,
            )
        return list(result.values())
