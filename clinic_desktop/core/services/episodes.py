"""Episodes of care (admission to discharge) and the census of open ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import checkin as checkin_rules
from clinic_desktop.core import clock
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.models import (
    CheckIn,
    EntryStrike,
    Episode,
    Observation,
    Patient,
    SafetyAssessment,
    Stage,
    VitalSigns,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.protocols import ProtocolSettings, reassessment_due
from clinic_desktop.core.services import audit
from clinic_desktop.core.services import settings as settings_service
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
    #: When the next COWS is due (last + the clinic's interval); only in stabilization.
    next_cows_due: dt.datetime | None = None
    overdue: bool = False
    #: A safety alert stands: raised, and no safety assessment recorded since.
    safety_alert: bool = False
    #: The latest check-in of the last day past the clinic's thresholds ("Craving 9/10", ...).
    checkin_flags: tuple[str, ...] = ()


def _view(e: Episode) -> EpisodeView:
    return EpisodeView(e.id, e.patient_id, e.admitted_at, e.stage, e.pathway, e.discharged_at,
                       e.discharge_reason, e.version)


def open_episode(db: Database, user: SignedInUser, patient_id: int,
                 admitted_at: dt.datetime | None = None) -> EpisodeView:
    """Admit a patient: a new episode in stage ``assessment``. One open episode per patient."""
    require(db, user, "episodes.open")
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
    require(db, user, "patients.view")
    with db.read() as session:
        episode = _open_episode(session, patient_id)
        return _view(episode) if episode else None


def change_stage(db: Database, user: SignedInUser, episode_id: int, expected_version: int,
                 stage: str, *, pathway: str | None = None, reason: str | None = None) -> EpisodeView:
    """Move an episode one stage on (assessment → stabilization → transition → discharged)."""
    require(db, user, "episodes.stage")
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


# --- Shared query pieces (also used by services.stabilization) --------------------------------


def episode_in(session: Session, episode_id: int, *, lock: bool = False) -> Episode:
    """The episode, or NotFound; ``lock`` takes its row for this transaction (PostgreSQL; SQLite
    writers are serialised already). Shared by the stay, MAR and plan services."""
    episode = session.get(Episode, episode_id, with_for_update=lock)
    if episode is None:
        raise NotFound("This episode no longer exists.")
    return episode



def not_struck(entry_type: str, entry_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """True for a flowsheet entry that has not been struck through."""
    return ~exists().where(EntryStrike.entry_type == entry_type, EntryStrike.entry_id == entry_id)


def latest_cows_id(episode_id: SQLColumnExpression[int]):
    """Correlated scalar subquery: the id of the episode's latest COWS that is not struck
    (latest taken, then latest entered). Walks the (episode, instrument, taken_at) index."""
    o = aliased(Observation)
    return (select(o.id)
            .where(o.episode_id == episode_id, o.instrument_id == "cows", not_struck("observation", o.id))
            .order_by(o.taken_at.desc(), o.id.desc()).limit(1).scalar_subquery())


def latest_vitals_id(episode_id: SQLColumnExpression[int]):
    """Correlated scalar subquery: the id of the episode's latest set of vitals that is not struck."""
    v = aliased(VitalSigns)
    return (select(v.id).where(v.episode_id == episode_id, not_struck("vitals", v.id))
            .order_by(v.taken_at.desc(), v.id.desc()).limit(1).scalar_subquery())


#: A daily check-in's flags show on the census and the handover for a day after it was taken.
CHECKIN_FLAG_WINDOW = dt.timedelta(hours=24)


def latest_checkin(episode_id: SQLColumnExpression[int], since: dt.datetime, field: str = "values"):
    """Correlated scalar subquery: ``field`` ("values" or "taken_at") of the episode's latest
    check-in taken at or after ``since`` that is not struck (None when there is none)."""
    c = aliased(CheckIn)
    return (select(getattr(c, field))
            .where(c.episode_id == episode_id, c.taken_at >= since, not_struck("checkin", c.id))
            .order_by(c.taken_at.desc(), c.id.desc()).limit(1).scalar_subquery())


def checkin_flag_texts(values: dict | None, protocol: ProtocolSettings) -> tuple[str, ...]:
    """What the census and the handover show of a check-in: its flags' texts."""
    return tuple(flag.text for flag in checkin_rules.flags(values, protocol))


def safety_alert_active() -> ColumnElement[bool]:
    """True for an episode whose safety alert stands: raised, and no safety assessment at or after."""
    return Episode.safety_alert_at.is_not(None) & ~exists().where(
        SafetyAssessment.episode_id == Episode.id, SafetyAssessment.at >= Episode.safety_alert_at)


def last_cows(session: Session, ids: list[int | None]) -> dict[int, tuple[int, str | None, bool, dt.datetime]]:
    """``{observation id: (total, band, complete, taken_at)}`` for the ids given (``None`` skipped).

    A second query rather than a join on ``latest_cows_id``: PostgreSQL would run that correlated
    subquery once per observation row, SQLite once per episode."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {oid: (total, band, complete, taken_at) for oid, total, band, complete, taken_at in session.execute(
        select(Observation.id, Observation.total, Observation.band, Observation.complete, Observation.taken_at)
        .where(Observation.id.in_(wanted))).all()}


def cows_schedule(stage: str, last_cows_at: dt.datetime | None, now: dt.datetime,
                  protocol: ProtocolSettings) -> tuple[dt.datetime | None, bool]:
    """``(next_due, overdue)``: repeated COWS are due during stabilization only."""
    if stage != Stage.STABILIZATION.value:
        return None, False
    return reassessment_due(last_cows_at, now, protocol)


def protocol_settings(session: Session) -> ProtocolSettings:
    """The clinic's decision-support thresholds (the COWS interval...)."""
    return ProtocolSettings.from_mapping(settings_service.read_in(session))


def census(db: Database, user: SignedInUser, today: dt.date | None = None,
           now: dt.datetime | None = None) -> list[CensusRow]:
    """Every open episode with its patient, last COWS (struck ones left out), when the next COWS
    is due and whether it is overdue (stabilization only; the clinic's interval), whether a
    safety alert stands, and the flags of the last day's latest check-in. Ordered by name. Three queries, whatever the number of episodes."""
    require(db, user, "patients.view")
    now = now or utcnow()
    today = today or clock.local(now).date()
    with db.read() as session:
        return census_in(session, today, now)


def census_in(session: Session, today: dt.date, now: dt.datetime) -> list[CensusRow]:
    """:func:`census` inside the caller's session (the caller checks the role)."""
    protocol = protocol_settings(session)
    rows = session.execute(
        select(Episode.id, Episode.stage, Episode.admitted_at, Patient.id, Patient.family_name,
               Patient.given_name, Patient.mrn, Patient.date_of_birth, latest_cows_id(Episode.id),
               safety_alert_active(), latest_checkin(Episode.id, now - CHECKIN_FLAG_WINDOW))
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Episode.stage != Stage.DISCHARGED.value)
        .order_by(Patient.search_name, Episode.id)
    ).all()
    cows = last_cows(session, [r[8] for r in rows])
    result = []
    for episode_id, stage, admitted_at, patient_id, family, given, mrn, dob, cows_id, alert_on, checkin in rows:
        total, band, complete, cows_at = cows.get(cows_id, (None, None, None, None))
        next_due, overdue = cows_schedule(stage, cows_at, now, protocol)
        result.append(CensusRow(
            episode_id=episode_id, patient_id=patient_id, display_name=f"{family}, {given}", mrn=mrn,
            age=age_on(dob, today), stage=stage, admitted_at=admitted_at,
            day_of_stay=(today - clock.local(admitted_at).date()).days + 1,
            last_cows_total=total, last_cows_band=band, last_cows_complete=complete,
            last_cows_at=cows_at, next_cows_due=next_due, overdue=overdue, safety_alert=bool(alert_on),
            checkin_flags=checkin_flag_texts(checkin, protocol),
        ))
    return result
