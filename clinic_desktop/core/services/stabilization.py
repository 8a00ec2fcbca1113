"""Stabilization (withdrawal management): the flowsheet and what goes around it.

* **Flowsheet** — instrument scores (COWS, SOWS, PHQ-9...) and vitals, newest first. An entry
  taken more than an hour before it is entered needs a back-dating reason. Nothing is edited or
  deleted: a wrong entry is struck through with a reason (``EntryStrike``), and replaced by a
  correction when new scores or values are given.
* **Safety** — a safety alert (PHQ-9 item 9 above 0, a positive ASQ, suicidal
  thoughts as a complication) stands until a safety assessment is recorded after it.
* **Supportive care and complications** — appended ``CareEntry`` rows: the day's checklist is the
  latest entry per item that local day; a complication always says what was done.
* **Handover** — one summary per patient in stabilization or transition.

Every time is stored in UTC; "today" and "that day" are the clinic's local days (``core.clock``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import checkin as checkin_rules
from clinic_desktop.core import clock
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.instruments import asq_positive, get_instrument
from clinic_desktop.core.models import (
    CareEntry,
    CheckIn,
    EntryStrike,
    Episode,
    Observation,
    Patient,
    SafetyAssessment,
    Stage,
    User,
    VitalSigns,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit, episodes
from clinic_desktop.core.vitals import VITAL_IDS, VITALS_BY_ID, check_vitals
from clinic_desktop.core.vocab import OPEN_STAGES

#: Complications shown on the handover.
HANDOVER_WINDOW = dt.timedelta(hours=12)

OBSERVATION, VITALS, CHECKIN = "observation", "vitals", "checkin"
ENTRY_KINDS = (OBSERVATION, VITALS, CHECKIN)
#: Who may record (and correct) each kind of flowsheet entry: a counselor records check-ins too.
ENTRY_PERMISSIONS = {OBSERVATION: "observations.record", VITALS: "observations.record",
                     CHECKIN: "checkins.record"}

SUPPORTIVE, COMPLICATION = "supportive", "complication"
SUPPORTIVE_ITEMS = {
    "hydration": "Hydration",
    "nutrition": "Nutrition",
    "rest_sleep": "Rest and sleep",
    "comfort": "Comfort measures",
    "emotional_support": "Emotional support",
    "education": "Education given",
}
COMPLICATIONS = {
    "dehydration": "Dehydration",
    "persistent_vomiting": "Persistent vomiting",
    "seizure": "Seizure",
    "chest_pain": "Chest pain",
    "suicidal_thoughts": "Suicidal thoughts",
    "wants_to_leave": "Wants to leave against advice",
}
#: Complications that raise the safety alert.
SAFETY_COMPLICATIONS = frozenset({"suicidal_thoughts"})
SAFETY_RISKS = {"low": "Low", "moderate": "Moderate", "high": "High"}


# --------------------------------------------------------------------------------------------
# Views: plain data, never ORM objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationView:
    """What ``record_observation`` returns (kept for its existing callers)."""

    id: int
    episode_id: int
    instrument_id: str
    item_scores: dict[str, int]
    total: int
    band: str | None
    complete: bool
    taken_at: dt.datetime
    recorded_by: int
    reason: str | None = None


@dataclass(frozen=True)
class StrikeView:
    """Why, by whom and when an entry was struck; ``replaced_by_id`` is its correction, if any."""

    reason: str
    by_name: str
    at: dt.datetime
    replaced_by_id: int | None

    @property
    def entered_in_error(self) -> bool:
        return self.replaced_by_id is None


@dataclass(frozen=True)
class FlowsheetEntry:
    """One row of the flowsheet: a score (``kind == "observation"``), a set of vitals or a daily
    check-in (``kind == "checkin"``, :mod:`core.checkin`).

    Score fields (``instrument_id``, ``total``, ``band``, ``complete``, ``item_scores``) are
    ``None`` on vitals and check-ins; ``values`` (the vitals, or the check-in's parts) is ``None``
    on scores; ``self_reported`` says the patient answered it themselves (patient check-in mode). ``warnings`` holds the abnormal-value
    warnings of vitals (empty for scores). ``reason`` is why it was entered late (on a back-dated
    correction: the correction's reason, which is also on the struck entry's ``struck``).
    """

    kind: str
    id: int
    taken_at: dt.datetime
    created_at: dt.datetime
    recorded_by_name: str
    instrument_id: str | None = None
    total: int | None = None
    band: str | None = None
    complete: bool | None = None
    item_scores: dict[str, int] | None = None
    values: dict[str, float | int] | None = None
    warnings: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    struck: StrikeView | None = None
    replaces_id: int | None = None
    self_reported: bool = False


@dataclass(frozen=True)
class SafetyAssessmentView:
    id: int
    episode_id: int
    at: dt.datetime
    risk: str
    actions: str
    recorded_by_name: str


@dataclass(frozen=True)
class SafetyStatus:
    """``active``: the alert raised at ``raised_at`` has no safety assessment at or after it.
    ``imminent``: it is active and the episode's latest ASQ (not struck through) is an acute
    positive — do not leave the patient alone; emergency evaluation now."""

    active: bool
    raised_at: dt.datetime | None
    last_assessment: SafetyAssessmentView | None
    imminent: bool = False


@dataclass(frozen=True)
class CareView:
    """A supportive-care checklist entry or a complication (``note`` is the action taken)."""

    id: int
    episode_id: int
    kind: str
    item: str
    label: str
    done: bool
    note: str
    at: dt.datetime
    recorded_by_name: str
    created_at: dt.datetime

    @property
    def action_taken(self) -> str:
        return self.note


@dataclass(frozen=True)
class HandoverPatient:
    """One patient on the shift handover."""

    episode_id: int
    patient_id: int
    display_name: str
    mrn: str
    stage: str
    pathway: str | None
    last_cows_total: int | None
    last_cows_band: str | None
    last_cows_complete: bool | None
    last_cows_at: dt.datetime | None
    last_vitals: dict[str, float | int] | None
    last_vitals_at: dt.datetime | None
    last_vitals_warnings: dict[str, str]
    next_cows_due: dt.datetime | None
    overdue: bool
    safety_alert: bool
    #: Complications recorded with a time in the past 12 hours, newest first.
    complications: tuple[CareView, ...]
    #: Supportive-care items whose latest entry today says done, in ``SUPPORTIVE_ITEMS`` order.
    supportive_done: tuple[str, ...]
    #: Doses in the past 12 hours; filled from the MAR by the caller.
    doses: tuple[Any, ...] = ()
    #: The flags of the last day's latest check-in ("Craving 9/10"), and when it was taken.
    checkin_flags: tuple[str, ...] = ()
    checkin_at: dt.datetime | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def entry_required_fields(taken_at: dt.datetime | None, now: dt.datetime | None = None, *,
                          correcting: bool = False) -> tuple[str, ...]:
    """What a flowsheet entry (a score, a set of vitals) requires beyond its values: the reason
    when it corrects an entry, or when it was taken (``taken_at``, aware; None: now) more than an
    hour before ``now``. Recording refuses from it; the entry dialogs mark from it."""
    now = now or utcnow()
    late = taken_at is not None and taken_at.tzinfo is not None and now - taken_at > clock.BACKDATE_AFTER
    return ("reason",) if correcting or late else ()


def _entry_time(taken_at: dt.datetime | None, reason: str | None,
                now: dt.datetime) -> tuple[dt.datetime, str | None]:
    """The checked time of an entry and its cleaned reason: no naive or future time, and a reason
    when it was taken more than an hour before now."""
    taken_at = now if taken_at is None else taken_at
    if taken_at.tzinfo is None:
        raise ValidationError({"taken_at": "The time taken needs a time zone."})
    if taken_at > now + clock.FUTURE_TOLERANCE:
        raise ValidationError({"taken_at": "The time taken cannot be in the future."})
    reason = (reason or "").strip() or None
    if "reason" in entry_required_fields(taken_at, now) and reason is None:
        raise ValidationError({"reason": "This was taken more than an hour ago; say why it is being "
                                         "entered late."})
    return taken_at, reason


def _care_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    at = now if at is None else at
    if at.tzinfo is None:
        raise ValidationError({"at": "The time needs a time zone."})
    if at > now + clock.FUTURE_TOLERANCE:
        raise ValidationError({"at": "The time cannot be in the future."})
    return at


def _episode_for_write(session: Session, episode_id: int) -> Episode:
    """The episode, locked for this transaction (PostgreSQL; SQLite writers are serialised
    already), so that raising its safety alert never meets a concurrent version bump."""
    episode = episodes.episode_in(session, episode_id, lock=True)
    if episode.stage == Stage.DISCHARGED.value:
        raise ValidationError("This episode is closed; entries can no longer be added.")
    return episode


def _when(at: dt.datetime) -> str:
    """Local wall-clock text: "14:05" today, "3 Dec 14:05" on another day."""
    local = clock.local(at)
    if local.date() == clock.local(utcnow()).date():
        return local.strftime("%H:%M")
    return f"{local.day} {local.strftime('%b %H:%M')}"


def _clean_vitals(values: Mapping[str, Any]) -> dict[str, float | int]:
    """The vitals to store (those taken, in ``VITAL_IDS`` order); refuses impossible values
    (ValidationError keyed by vital id, with ``check_vitals``' message)."""
    try:
        check = check_vitals(values)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"values": str(exc)}) from None
    if check.errors:
        raise ValidationError(check.errors)
    clean: dict[str, float | int] = {}
    for vid in VITAL_IDS:
        value = values.get(vid)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        clean[vid] = float(value) if isinstance(value, (Decimal, Fraction)) else value
    if not clean:
        raise ValidationError({"values": "Enter at least one vital sign."})
    return clean


def _vitals_warnings(values: Mapping[str, Any] | None) -> dict[str, str]:
    """The abnormal-value warnings of stored (already checked) vitals, in ``VITALS`` order.
    Cheaper than ``check_vitals``: the flowsheet computes this for every row."""
    if not values:
        return {}
    warnings = {}
    for vid, value in values.items():
        vital = VITALS_BY_ID.get(vid)
        if vital is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            message = vital.warning(value)
            if message is not None:
                warnings[vid] = message
    return warnings


def _observation_entry(obs: Observation, by_name: str, replaces_id: int | None = None) -> FlowsheetEntry:
    return FlowsheetEntry(OBSERVATION, obs.id, obs.taken_at, obs.created_at, by_name,
                          instrument_id=obs.instrument_id, total=obs.total, band=obs.band,
                          complete=obs.complete, item_scores=dict(obs.item_scores), reason=obs.reason,
                          replaces_id=replaces_id, self_reported=bool(obs.self_reported))


def _clean_checkin(values: Mapping[str, Any]) -> dict[str, Any]:
    """The check-in to store (:func:`core.checkin.check`); ValidationError keyed by part."""
    clean, problems = checkin_rules.check(values)
    if problems:
        raise ValidationError(problems)
    return clean


def _checkin_entry(row: CheckIn, by_name: str, replaces_id: int | None = None) -> FlowsheetEntry:
    return FlowsheetEntry(CHECKIN, row.id, row.taken_at, row.created_at, by_name, values=dict(row.values),
                          reason=row.reason, replaces_id=replaces_id, self_reported=row.self_reported)


def _vitals_entry(row: VitalSigns, by_name: str, replaces_id: int | None = None) -> FlowsheetEntry:
    return FlowsheetEntry(VITALS, row.id, row.taken_at, row.created_at, by_name, values=dict(row.values),
                          warnings=_vitals_warnings(row.values), reason=row.reason, replaces_id=replaces_id)


# --------------------------------------------------------------------------------------------
# Safety alert (raised here and by intake.sign)
# --------------------------------------------------------------------------------------------


def raise_safety_alert(session: Session, episode: Episode, at: dt.datetime) -> None:
    """Raise the episode's safety alert at ``at`` (inside the caller's transaction). It stands
    until a safety assessment is recorded at or after the latest time it was raised."""
    if episode.safety_alert_at is None or episode.safety_alert_at < at:
        episode.safety_alert_at = at


def _raises_alert(instrument_id: str, items: Mapping[str, Any]) -> bool:
    """PHQ-9 item 9 above 0, or a positive ASQ (CLINICAL.md §3, §7)."""
    if instrument_id == "asq":
        return asq_positive(items)
    value = items.get("self_harm")
    return instrument_id == "phq9" and isinstance(value, int) and value > 0


# --------------------------------------------------------------------------------------------
# Recording scores and vitals
# --------------------------------------------------------------------------------------------


def _add_observation(session: Session, user: SignedInUser, episode: Episode, instrument_id: str,
                     items: Mapping[str, int | None], taken_at: dt.datetime, reason: str | None,
                     now: dt.datetime, replaces_id: int | None = None, *,
                     self_reported: bool = False) -> Observation:
    try:
        instrument = get_instrument(instrument_id)
        result = instrument.score(items)
    except ValueError as exc:
        raise ValidationError({"items": str(exc)}) from None
    scores = dict(result.items)
    obs = Observation(episode_id=episode.id, instrument_id=instrument.id, item_scores=scores,
                      total=result.total, band=result.band, complete=result.complete,
                      taken_at=taken_at, recorded_by=user.id, created_at=now, reason=reason,
                      self_reported=self_reported)
    session.add(obs)
    alert = _raises_alert(instrument.id, scores)
    if alert:
        raise_safety_alert(session, episode, now)
    session.flush()
    detail: dict[str, Any] = {"instrument": instrument.id, "total": result.total, "band": result.band,
                              "complete": result.complete, "taken_at": taken_at}
    if reason:
        detail["reason"] = reason
    if replaces_id is not None:
        detail["replaces"] = replaces_id
    if alert:
        detail["safety_alert"] = True
    if self_reported:
        detail["self_reported"] = True
    audit.append(session, user, "observation.recorded", entity_type="observation", entity_id=obs.id,
                 patient_id=episode.patient_id, detail=detail)
    return obs


def _add_vitals(session: Session, user: SignedInUser, episode: Episode, values: dict[str, float | int],
                taken_at: dt.datetime, reason: str | None, now: dt.datetime,
                replaces_id: int | None = None) -> VitalSigns:
    row = VitalSigns(episode_id=episode.id, values=values, taken_at=taken_at, recorded_by=user.id,
                     created_at=now, reason=reason)
    session.add(row)
    session.flush()
    detail: dict[str, Any] = {"values": values, "taken_at": taken_at}
    if reason:
        detail["reason"] = reason
    if replaces_id is not None:
        detail["replaces"] = replaces_id
    audit.append(session, user, "vitals.recorded", entity_type="vitals", entity_id=row.id,
                 patient_id=episode.patient_id, detail=detail)
    return row


def _add_checkin(session: Session, user: SignedInUser, episode: Episode, values: dict[str, Any],
                 taken_at: dt.datetime, reason: str | None, now: dt.datetime, *, self_reported: bool = False,
                 replaces_id: int | None = None) -> CheckIn:
    row = CheckIn(episode_id=episode.id, values=values, self_reported=self_reported, taken_at=taken_at,
                  recorded_by=user.id, created_at=now, reason=reason)
    session.add(row)
    session.flush()
    detail: dict[str, Any] = {"parts": sorted(values), "taken_at": taken_at, "self_reported": self_reported}
    if reason:
        detail["reason"] = reason
    if replaces_id is not None:
        detail["replaces"] = replaces_id
    audit.append(session, user, "checkin.recorded", entity_type=CHECKIN, entity_id=row.id,
                 patient_id=episode.patient_id, detail=detail)
    return row


def _write_conflict() -> ConflictError:
    return ConflictError("This episode was changed on another workstation at the same moment; "
                         "try again.")


def record_observation(db: Database, user: SignedInUser, episode_id: int, instrument_id: str,
                       items: Mapping[str, int | None], taken_at: dt.datetime | None = None,
                       reason: str | None = None) -> ObservationView:
    """Score and store one administration of an instrument, with its audit event.

    Taken more than an hour ago → ``reason`` (why it is entered late) is required. A PHQ-9 with
    item 9 (self-harm) above 0, or a positive ASQ, raises the safety alert.
    """
    require(db, user, "observations.record")
    now = utcnow()
    taken_at, reason = _entry_time(taken_at, reason, now)
    try:
        with db.write() as session:
            episode = _episode_for_write(session, episode_id)
            obs = _add_observation(session, user, episode, instrument_id, items, taken_at, reason, now)
            return ObservationView(obs.id, obs.episode_id, obs.instrument_id, dict(obs.item_scores),
                                   obs.total, obs.band, obs.complete, obs.taken_at, obs.recorded_by,
                                   obs.reason)
    except StaleDataError:
        raise _write_conflict() from None


def record_vitals(db: Database, user: SignedInUser, episode_id: int,
                  values: Mapping[str, float | int | None], taken_at: dt.datetime | None = None,
                  reason: str | None = None) -> FlowsheetEntry:
    """Store one set of vitals. An impossible value is refused (ValidationError keyed by the
    vital's id, with ``check_vitals``' message); an abnormal one is saved and its warning is on
    the returned entry. Same back-dating rule as scores."""
    require(db, user, "observations.record")
    now = utcnow()
    clean = _clean_vitals(values)
    taken_at, reason = _entry_time(taken_at, reason, now)
    with db.write() as session:
        episode = _episode_for_write(session, episode_id)
        row = _add_vitals(session, user, episode, clean, taken_at, reason, now)
        return _vitals_entry(row, user.full_name)


def record_checkin(db: Database, user: SignedInUser, episode_id: int, values: Mapping[str, Any],
                   taken_at: dt.datetime | None = None, reason: str | None = None, *,
                   self_reported: bool = False) -> FlowsheetEntry:
    """Store one daily check-in (:mod:`core.checkin`; nurses, counselors and prescribers). Each
    part is optional but one is needed; a refused part is named (ValidationError keyed by part).
    Same back-dating rule as scores. Audited as ``checkin.recorded`` with the parts answered —
    not their values: how a patient feels stays in the record, not in the audit trail."""
    require(db, user, "checkins.record")
    now = utcnow()
    clean = _clean_checkin(values)
    taken_at, reason = _entry_time(taken_at, reason, now)
    with db.write() as session:
        episode = _episode_for_write(session, episode_id)
        row = _add_checkin(session, user, episode, clean, taken_at, reason, now, self_reported=self_reported)
        return _checkin_entry(row, user.full_name)


#: The instruments a patient answers themselves in patient check-in mode (``core.self_report``).
SELF_REPORT_INSTRUMENTS = ("phq9", "gad7")


def record_self_report(db: Database, user: SignedInUser, episode_id: int,
                       checkin_values: Mapping[str, Any] | None,
                       scores: Mapping[str, Mapping[str, int | None]] | None) -> list[FlowsheetEntry]:
    """What the patient answered in patient check-in mode, saved in one transaction by the staff
    member who handed the workstation over (``checkins.record``: the PHQ-9 and GAD-7 are
    self-report instruments, so a counselor may hand them over too), all marked self-reported.

    ``checkin_values``: the check-in's answered parts (:mod:`core.checkin`); ``scores``: item
    scores by instrument (``"phq9"``, ``"gad7"``), unanswered items absent or ``None`` — a partial
    instrument is saved incomplete. A section with no answer is not saved; nothing answered at
    all is refused (ValidationError on "values"). A PHQ-9 self-harm item above 0 raises the
    safety alert exactly as :func:`record_observation` does. Each entry is audited as the staff
    entry of its kind is (``checkin.recorded``, ``observation.recorded``), marked self-reported.
    Returns the saved entries, the check-in first."""
    require(db, user, "checkins.record")
    checkin_values = {k: v for k, v in (checkin_values or {}).items()
                      if v is not None and not (isinstance(v, str) and not v.strip())}
    answered: dict[str, dict[str, int]] = {}
    for instrument_id, items in (scores or {}).items():
        if instrument_id not in SELF_REPORT_INSTRUMENTS:
            raise ValidationError({"scores": f"{instrument_id!r} is not answered by the patient here."})
        given = {item: value for item, value in (items or {}).items() if value is not None}
        if given:
            answered[instrument_id] = given
    if not checkin_values and not answered:
        raise ValidationError({"values": "Nothing was answered; there is nothing to save."})
    clean = _clean_checkin(checkin_values) if checkin_values else None
    now = utcnow()
    saved: list[FlowsheetEntry] = []
    try:
        with db.write() as session:
            episode = _episode_for_write(session, episode_id)
            if clean:
                row = _add_checkin(session, user, episode, clean, now, None, now, self_reported=True)
                saved.append(_checkin_entry(row, user.full_name))
            for instrument_id in SELF_REPORT_INSTRUMENTS:
                if instrument_id in answered:
                    obs = _add_observation(session, user, episode, instrument_id, answered[instrument_id],
                                           now, None, now, self_reported=True)
                    saved.append(_observation_entry(obs, user.full_name))
            return saved
    except StaleDataError:
        raise _write_conflict() from None


# --------------------------------------------------------------------------------------------
# The flowsheet and corrections
# --------------------------------------------------------------------------------------------


def flowsheet(db: Database, user: SignedInUser, episode_id: int, *, opening: bool = False
              ) -> list[FlowsheetEntry]:
    """Every score, set of vitals and check-in of the episode, struck ones included, newest
    first (time taken, then id). One query per table. ``opening``: the screen's first load,
    audited as "flowsheet.opened" (:func:`audit.reading`); a refresh is not."""
    require(db, user, "patients.view")
    recorder, striker = aliased(User), aliased(User)
    with audit.reading(db, user, "flowsheet.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        strike_cols = (EntryStrike.entry_id, EntryStrike.reason, striker.full_name, EntryStrike.struck_at,
                       EntryStrike.replaced_by_id)
        observations = session.execute(
            select(Observation.id, Observation.taken_at, Observation.created_at, recorder.full_name,
                   Observation.instrument_id, Observation.total, Observation.band, Observation.complete,
                   Observation.item_scores, Observation.reason, Observation.self_reported, *strike_cols)
            .join(recorder, recorder.id == Observation.recorded_by)
            .outerjoin(EntryStrike, (EntryStrike.entry_type == OBSERVATION)
                       & (EntryStrike.entry_id == Observation.id))
            .outerjoin(striker, striker.id == EntryStrike.struck_by)
            .where(Observation.episode_id == episode_id)
        ).all()
        vitals = session.execute(
            select(VitalSigns.id, VitalSigns.taken_at, VitalSigns.created_at, recorder.full_name,
                   VitalSigns.values, VitalSigns.reason, *strike_cols)
            .join(recorder, recorder.id == VitalSigns.recorded_by)
            .outerjoin(EntryStrike, (EntryStrike.entry_type == VITALS) & (EntryStrike.entry_id == VitalSigns.id))
            .outerjoin(striker, striker.id == EntryStrike.struck_by)
            .where(VitalSigns.episode_id == episode_id)
        ).all()
        checkins = session.execute(
            select(CheckIn.id, CheckIn.taken_at, CheckIn.created_at, recorder.full_name,
                   CheckIn.values, CheckIn.self_reported, CheckIn.reason, *strike_cols)
            .join(recorder, recorder.id == CheckIn.recorded_by)
            .outerjoin(EntryStrike, (EntryStrike.entry_type == CHECKIN) & (EntryStrike.entry_id == CheckIn.id))
            .outerjoin(striker, striker.id == EntryStrike.struck_by)
            .where(CheckIn.episode_id == episode_id)
        ).all()

    def strike_of(struck_id, reason, by_name, at, replaced_by_id) -> StrikeView | None:
        return None if struck_id is None else StrikeView(reason, by_name or "", at, replaced_by_id)

    # A correction is always in the same episode as the entry it replaces.
    replaces = {(OBSERVATION, r[-1]): r[0] for r in observations if r[-1] is not None}
    replaces.update({(VITALS, r[-1]): r[0] for r in vitals if r[-1] is not None})
    replaces.update({(CHECKIN, r[-1]): r[0] for r in checkins if r[-1] is not None})
    entries = [
        FlowsheetEntry(OBSERVATION, oid, taken_at, created_at, by_name or "", instrument_id=instrument_id,
                       total=total, band=band, complete=complete, item_scores=dict(items), reason=reason,
                       struck=strike_of(*strike), replaces_id=replaces.get((OBSERVATION, oid)),
                       self_reported=bool(self_reported))
        for (oid, taken_at, created_at, by_name, instrument_id, total, band, complete, items, reason,
             self_reported, *strike) in observations
    ]
    entries += [
        FlowsheetEntry(VITALS, vid, taken_at, created_at, by_name or "", values=dict(values),
                       warnings=_vitals_warnings(values), reason=reason, struck=strike_of(*strike),
                       replaces_id=replaces.get((VITALS, vid)))
        for (vid, taken_at, created_at, by_name, values, reason, *strike) in vitals
    ]
    entries += [
        FlowsheetEntry(CHECKIN, cid, taken_at, created_at, by_name or "", values=dict(values), reason=reason,
                       struck=strike_of(*strike), replaces_id=replaces.get((CHECKIN, cid)),
                       self_reported=bool(self_reported))
        for (cid, taken_at, created_at, by_name, values, self_reported, reason, *strike) in checkins
    ]
    entries.sort(key=lambda e: (e.taken_at, e.id, e.kind), reverse=True)
    return entries


def _strike_of(session: Session, kind: str, entry_id: int) -> EntryStrike | None:
    return session.execute(
        select(EntryStrike).where(EntryStrike.entry_type == kind, EntryStrike.entry_id == entry_id)
    ).scalar_one_or_none()


def _already_struck(session: Session, strike: EntryStrike) -> ValidationError:
    by = session.get(User, strike.struck_by)
    return ValidationError(f"This entry was already corrected by {by.full_name if by else 'someone'} "
                           f"at {_when(strike.struck_at)}.")


def correct_entry(db: Database, user: SignedInUser, kind: str, entry_id: int, reason: str, *,
                  items: Mapping[str, int | None] | None = None,
                  values: Mapping[str, Any] | None = None,
                  taken_at: dt.datetime | None = None) -> FlowsheetEntry | None:
    """Strike a flowsheet entry through with a reason and, given new ``items`` (a score) or
    ``values`` (vitals, or a check-in's parts), record the correction in the same episode — same
    instrument, taken at ``taken_at`` or the original's time — linked by ``replaced_by_id``.
    Given neither, the entry was entered in error: it is struck only and ``None`` is returned.

    An entry is struck once; a second attempt is refused, naming who struck it and when. Who
    may correct is who may record that kind (:data:`ENTRY_PERMISSIONS`).
    """
    if kind not in ENTRY_KINDS:
        raise ValidationError({"kind": "Only scores, vitals and check-ins are corrected here."})
    require(db, user, ENTRY_PERMISSIONS[kind])
    reason = (reason or "").strip()
    if "reason" in entry_required_fields(None, correcting=True) and not reason:
        raise ValidationError({"reason": "Say why this entry is being corrected."})
    if kind == OBSERVATION and values is not None:
        raise ValidationError({"values": "A score is corrected with item scores, not vitals."})
    if kind in (VITALS, CHECKIN) and items is not None:
        raise ValidationError({"items": "Vitals and check-ins are corrected with their values, not item scores."})
    replacing = items is not None or values is not None
    if taken_at is not None and not replacing:
        raise ValidationError({"taken_at": "To change the time, enter the corrected entry."})
    clean_values = (None if values is None
                    else _clean_checkin(values) if kind == CHECKIN else _clean_vitals(values))
    now = utcnow()
    try:
        with db.write() as session:
            original: Observation | VitalSigns | CheckIn | None = (
                session.get(Observation, entry_id) if kind == OBSERVATION
                else session.get(VitalSigns, entry_id) if kind == VITALS
                else session.get(CheckIn, entry_id))
            if original is None:
                raise NotFound("This entry no longer exists.")
            episode = _episode_for_write(session, original.episode_id)
            existing = _strike_of(session, kind, entry_id)
            if existing is not None:
                raise _already_struck(session, existing)
            replacement: FlowsheetEntry | None = None
            if replacing:
                when, _ = _entry_time(taken_at or original.taken_at, reason, now)
                # The correction's reason doubles as the back-dating reason when it is needed.
                late = reason if now - when > clock.BACKDATE_AFTER else None
                if isinstance(original, Observation):
                    obs = _add_observation(session, user, episode, original.instrument_id, items or {},
                                           when, late, now, replaces_id=entry_id)
                    replacement = _observation_entry(obs, user.full_name, replaces_id=entry_id)
                elif isinstance(original, CheckIn):
                    answers = _add_checkin(session, user, episode, clean_values or {}, when, late, now,
                                           replaces_id=entry_id)
                    replacement = _checkin_entry(answers, user.full_name, replaces_id=entry_id)
                else:
                    row = _add_vitals(session, user, episode, clean_values or {}, when, late, now,
                                      replaces_id=entry_id)
                    replacement = _vitals_entry(row, user.full_name, replaces_id=entry_id)
            session.add(EntryStrike(entry_type=kind, entry_id=entry_id, reason=reason,
                                    replaced_by_id=replacement.id if replacement else None,
                                    struck_by=user.id, struck_at=now))
            session.flush()
            audit.append(session, user, "entry.struck", entity_type=kind, entity_id=entry_id,
                         patient_id=episode.patient_id,
                         detail={"reason": reason, "replaced_by": replacement.id if replacement else None})
            return replacement
    except IntegrityError:
        # Two workstations struck it at the same moment (the unique constraint caught the second).
        with db.read() as session:
            existing = _strike_of(session, kind, entry_id)
            if existing is not None:
                raise _already_struck(session, existing) from None
        raise
    except StaleDataError:
        raise _write_conflict() from None


# --------------------------------------------------------------------------------------------
# Safety assessment
# --------------------------------------------------------------------------------------------


def record_safety_assessment(db: Database, user: SignedInUser, episode_id: int, risk: str,
                             actions: str) -> SafetyAssessmentView:
    """A clinician's safety assessment, timed now: it ends the safety alert raised before it."""
    require(db, user, "safety.assess")
    errors = {}
    if risk not in SAFETY_RISKS:
        errors["risk"] = "Choose the risk: low, moderate or high."
    actions = (actions or "").strip()
    if not actions:
        errors["actions"] = "Say what was done to keep the patient safe."
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    with db.write() as session:
        episode = _episode_for_write(session, episode_id)
        row = SafetyAssessment(episode_id=episode.id, at=now, risk=risk, actions=actions,
                               recorded_by=user.id, created_at=now)
        session.add(row)
        session.flush()
        audit.append(session, user, "safety.assessed", entity_type="safety_assessment", entity_id=row.id,
                     patient_id=episode.patient_id,
                     detail={"risk": risk, "alert_raised_at": episode.safety_alert_at})
        return SafetyAssessmentView(row.id, row.episode_id, row.at, row.risk, row.actions, user.full_name)


def safety_status(db: Database, user: SignedInUser, episode_id: int) -> SafetyStatus:
    """Whether the safety alert stands, when it was raised and the latest safety assessment."""
    require(db, user, "patients.view")
    with db.read() as session:
        return safety_status_in(session, episode_id)


def safety_status_in(session: Session, episode_id: int) -> SafetyStatus:
    """:func:`safety_status` inside the caller's session (the caller checks the role)."""
    episode = episodes.episode_in(session, episode_id)
    last = session.execute(
        select(SafetyAssessment, User.full_name).join(User, User.id == SafetyAssessment.recorded_by)
        .where(SafetyAssessment.episode_id == episode_id)
        .order_by(SafetyAssessment.at.desc(), SafetyAssessment.id.desc()).limit(1)
    ).first()
    view = None
    if last is not None:
        a, name = last
        view = SafetyAssessmentView(a.id, a.episode_id, a.at, a.risk, a.actions, name)
    raised = episode.safety_alert_at
    active = raised is not None and (view is None or view.at < raised)
    imminent = False
    if active:
        latest_asq = session.execute(
            select(Observation.band)
            .outerjoin(EntryStrike, (EntryStrike.entry_type == OBSERVATION)
                       & (EntryStrike.entry_id == Observation.id))
            .where(Observation.episode_id == episode_id, Observation.instrument_id == "asq",
                   EntryStrike.entry_id.is_(None))
            .order_by(Observation.taken_at.desc(), Observation.id.desc()).limit(1)
        ).scalar()
        imminent = latest_asq == "acute"
    return SafetyStatus(active, raised, view, imminent)


def safety_alert_active(db: Database, user: SignedInUser, episode_id: int) -> bool:
    """True when a safety alert was raised and no safety assessment was recorded at or after it."""
    return safety_status(db, user, episode_id).active


# --------------------------------------------------------------------------------------------
# Supportive care and complications
# --------------------------------------------------------------------------------------------


def _care_view(row: CareEntry, by_name: str) -> CareView:
    labels = SUPPORTIVE_ITEMS if row.kind == SUPPORTIVE else COMPLICATIONS
    return CareView(row.id, row.episode_id, row.kind, row.item, labels.get(row.item, row.item), row.done,
                    row.note, row.at, by_name, row.created_at)


def _add_care(session: Session, user: SignedInUser, episode: Episode, kind: str, item: str, done: bool,
              note: str, at: dt.datetime, now: dt.datetime) -> CareView:
    row = CareEntry(episode_id=episode.id, kind=kind, item=item, done=done, note=note, at=at,
                    recorded_by=user.id, created_at=now)
    session.add(row)
    session.flush()
    return _care_view(row, user.full_name)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The clinic's local ``day`` as a UTC half-open range (23 or 25 hours on a DST change)."""
    zone = clock.local_zone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def record_supportive_care(db: Database, user: SignedInUser, episode_id: int, item: str, done: bool = True,
                           note: str = "", at: dt.datetime | None = None) -> CareView:
    """Tick (or untick, ``done=False``) a supportive-care item; appended, never edited."""
    require(db, user, "care.record")
    if item not in SUPPORTIVE_ITEMS:
        raise ValidationError({"item": "Choose a supportive-care item from the list."})
    now = utcnow()
    at = _care_time(at, now)
    note = (note or "").strip()
    with db.write() as session:
        episode = _episode_for_write(session, episode_id)
        view = _add_care(session, user, episode, SUPPORTIVE, item, bool(done), note, at, now)
        audit.append(session, user, "care.recorded", entity_type="care_entry", entity_id=view.id,
                     patient_id=episode.patient_id, detail={"item": item, "done": view.done, "at": at})
        return view


def _latest_per_item(rows: Iterable[CareView]) -> dict[str, CareView]:
    latest: dict[str, CareView] = {}
    for view in rows:  # ordered by time, then id: the last one wins
        latest[view.item] = view
    return latest


def supportive_care_for_day(db: Database, user: SignedInUser, episode_id: int,
                            day: dt.date, *, opening: bool = False) -> dict[str, CareView | None]:
    """The checklist of a local day: every item with its latest entry that day (or ``None``).
    ``opening``: the Care page's first load, audited as "care.opened"; a refresh is not."""
    require(db, user, "patients.view")
    start, end = local_day_bounds(day)
    with audit.reading(db, user, "care.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        rows = session.execute(
            select(CareEntry, User.full_name).join(User, User.id == CareEntry.recorded_by)
            .where(CareEntry.episode_id == episode_id, CareEntry.kind == SUPPORTIVE,
                   CareEntry.at >= start, CareEntry.at < end)
            .order_by(CareEntry.at, CareEntry.id)
        ).all()
        latest = _latest_per_item(_care_view(row, name) for row, name in rows)
    return {item: latest.get(item) for item in SUPPORTIVE_ITEMS}


def record_complication(db: Database, user: SignedInUser, episode_id: int, item: str, action_taken: str,
                        at: dt.datetime | None = None) -> CareView:
    """Record a complication escalated and what was done. Suicidal thoughts raise the safety
    alert — timed when recorded, so an assessment made before anyone knew does not clear it."""
    require(db, user, "care.record")
    errors = {}
    if item not in COMPLICATIONS:
        errors["item"] = "Choose a complication from the list."
    action_taken = (action_taken or "").strip()
    if not action_taken:
        errors["action_taken"] = "Say what was done (who was told, what was given or arranged)."
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    at = _care_time(at, now)
    try:
        with db.write() as session:
            episode = _episode_for_write(session, episode_id)
            view = _add_care(session, user, episode, COMPLICATION, item, True, action_taken, at, now)
            alert = item in SAFETY_COMPLICATIONS
            if alert:
                raise_safety_alert(session, episode, now)
                session.flush()
            audit.append(session, user, "complication.recorded", entity_type="care_entry", entity_id=view.id,
                         patient_id=episode.patient_id,
                         detail={"item": item, "action_taken": action_taken, "at": at, "safety_alert": alert})
            return view
    except StaleDataError:
        raise _write_conflict() from None


def complications(db: Database, user: SignedInUser, episode_id: int,
                  since: dt.datetime | None = None) -> list[CareView]:
    """The episode's complications (from ``since`` if given), newest first."""
    require(db, user, "patients.view")
    with db.read() as session:
        episodes.episode_in(session, episode_id)
        query = (select(CareEntry, User.full_name).join(User, User.id == CareEntry.recorded_by)
                 .where(CareEntry.episode_id == episode_id, CareEntry.kind == COMPLICATION))
        if since is not None:
            query = query.where(CareEntry.at >= since)
        rows = session.execute(query.order_by(CareEntry.at.desc(), CareEntry.id.desc())).all()
        return [_care_view(row, name) for row, name in rows]


# --------------------------------------------------------------------------------------------
# Handover and the move to transition
# --------------------------------------------------------------------------------------------


def handover(db: Database, user: SignedInUser, now: dt.datetime,
             episode_ids: Iterable[int] | None = None) -> list[HandoverPatient]:
    """The shift handover: every episode in stabilization or transition (or those of
    ``episode_ids`` among them), ordered by name. Five queries, whatever the number of patients."""
    require(db, user, "patients.view")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with db.read() as session:
        return handover_in(session, now, episode_ids)


def handover_in(session: Session, now: dt.datetime,
                episode_ids: Iterable[int] | None = None) -> list[HandoverPatient]:
    """:func:`handover` inside the caller's session (the caller checks the role and that ``now``
    is aware)."""
    day_start, day_end = local_day_bounds(clock.local(now).date())
    since = now - HANDOVER_WINDOW
    protocol = episodes.protocol_settings(session)
    query = (
        select(Episode.id, Episode.stage, Episode.pathway, Patient.id, Patient.family_name,
               Patient.given_name, Patient.mrn, episodes.latest_cows_id(Episode.id),
               episodes.latest_vitals_id(Episode.id), episodes.safety_alert_active(),
               episodes.latest_checkin(Episode.id, now - episodes.CHECKIN_FLAG_WINDOW),
               episodes.latest_checkin(Episode.id, now - episodes.CHECKIN_FLAG_WINDOW, "taken_at"))
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Episode.stage.in_(OPEN_STAGES))
        .order_by(Patient.search_name, Episode.id)
    )
    if episode_ids is not None:
        query = query.where(Episode.id.in_(list(episode_ids)))
    rows = session.execute(query).all()
    cows = episodes.last_cows(session, [r[7] for r in rows])
    vitals_ids = [r[8] for r in rows if r[8] is not None]
    vitals = {vid: (values, at) for vid, values, at in session.execute(
        select(VitalSigns.id, VitalSigns.values, VitalSigns.taken_at).where(VitalSigns.id.in_(vitals_ids))
    ).all()} if vitals_ids else {}
    ids = [r[0] for r in rows]
    care = [_care_view(row, name) for row, name in session.execute(
        select(CareEntry, User.full_name).join(User, User.id == CareEntry.recorded_by)
        .where(CareEntry.episode_id.in_(ids),
               ((CareEntry.kind == COMPLICATION) & (CareEntry.at >= since))
               | ((CareEntry.kind == SUPPORTIVE) & (CareEntry.at >= day_start) & (CareEntry.at < day_end)))
        .order_by(CareEntry.at, CareEntry.id)
    ).all()] if ids else []
    complications_of: dict[int, list[CareView]] = {}
    supportive_of: dict[int, list[CareView]] = {}
    for view in care:
        bucket = complications_of if view.kind == COMPLICATION else supportive_of
        bucket.setdefault(view.episode_id, []).append(view)
    result = []
    for (episode_id, stage, pathway, patient_id, family, given, mrn, cows_id, vitals_id, alert, checkin,
         checkin_at) in rows:
        total, band, complete, cows_at = cows.get(cows_id, (None, None, None, None))
        vitals_values, vitals_at = vitals.get(vitals_id, (None, None))
        next_due, overdue = episodes.cows_schedule(stage, cows_at, now, protocol)
        latest = _latest_per_item(supportive_of.get(episode_id, ()))
        result.append(HandoverPatient(
            episode_id=episode_id, patient_id=patient_id, display_name=f"{family}, {given}", mrn=mrn,
            stage=stage, pathway=pathway, last_cows_total=total, last_cows_band=band,
            last_cows_complete=complete, last_cows_at=cows_at,
            last_vitals=dict(vitals_values) if vitals_values is not None else None, last_vitals_at=vitals_at,
            last_vitals_warnings=_vitals_warnings(vitals_values), next_cows_due=next_due, overdue=overdue,
            safety_alert=bool(alert),
            checkin_flags=episodes.checkin_flag_texts(checkin, protocol), checkin_at=checkin_at,
            complications=tuple(reversed(complications_of.get(episode_id, []))),
            supportive_done=tuple(item for item in SUPPORTIVE_ITEMS if item in latest and latest[item].done),
        ))
    return result


def move_to_transition(db: Database, user: SignedInUser, episode_id: int,
                       expected_version: int | None = None) -> episodes.EpisodeView:
    """Stabilization → transition (audited as ``episode.stage_changed``). Without
    ``expected_version`` the episode's current version is used (no stale-view check)."""
    require(db, user, "episodes.stage")
    if expected_version is None:
        with db.read() as session:
            expected_version = episodes.episode_in(session, episode_id).version
    return episodes.change_stage(db, user, episode_id, expected_version, Stage.TRANSITION.value)
