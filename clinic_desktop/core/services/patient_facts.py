"""The patient facts the medication rules need (CLINICAL.md §6): weight, hepatic impairment, renal
function (category and eGFR) and the latest QTc with its date — kept per episode, copied from the
intake when it is signed and editable later (audited) — plus allergies, pregnancy and co-use of
benzodiazepines or alcohol as recorded at intake.

Usage::

    view = patient_facts.get(db, user, episode_id)               # FactsView (plain data)
    view = patient_facts.update(db, user, episode_id, view.version,
                                {"weight_kg": 72.5, "qtc_ms": 452, "qtc_on": "2026-12-02"})

    with db.read() as session:                                   # inside another service
        facts = patient_facts.facts_in(session, episode_id)      # core.formulary.PatientFacts

Until an episode has a stored record (its intake not signed yet, or signed before the record
existed) its facts are read from the intake; ``FactsView.version`` is then 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core import clock, facts
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.formulary import PatientFacts, renal_category
from clinic_desktop.core.models import Assessment, Episode, PatientFactsRecord, User, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit

__all__ = ["FactsView", "facts_in", "get", "intake_data_in", "record_from_intake", "update"]

#: The audit event of every change to an episode's stored facts (detail: the changed fields).
CHANGED = "patient_facts.changed"


@dataclass(frozen=True)
class FactsView:
    """An episode's facts as shown and edited: ``None`` = not recorded. ``version`` is what
    :func:`update` expects back (0: nothing stored yet, the intake's values are shown)."""

    episode_id: int
    weight_kg: float | None
    hepatic: str | None
    renal: str | None
    egfr: float | None
    qtc_ms: int | None
    qtc_on: dt.date | None
    pregnancy: str | None
    version: int
    updated_at: dt.datetime | None
    updated_by_name: str | None

    @property
    def renal_category(self) -> str | None:
        """The recorded category, else the one the eGFR falls in."""
        return self.renal if self.renal is not None else renal_category(self.egfr)

    @property
    def summary(self) -> str:
        """"Weight 70 kg · Hepatic: none · Renal: reduced (eGFR 55) · QTc 430 ms on 2026-12-01"."""
        return facts.summary_line(self)

    def values(self) -> dict[str, Any]:
        """The editable facts, keyed as :func:`update` takes them."""
        return {key: getattr(self, key) for key in facts.RECORD_FIELDS}


def intake_data_in(session: Session, episode_id: int) -> dict[str, Any]:
    """The data of the episode's intake assessment, signed or still a draft ({} when none)."""
    row = session.execute(select(Assessment).where(Assessment.episode_id == episode_id)).scalar_one_or_none()
    return dict(row.data or {}) if row is not None else {}


def _record(session: Session, episode_id: int) -> PatientFactsRecord | None:
    return session.execute(
        select(PatientFactsRecord).where(PatientFactsRecord.episode_id == episode_id)).scalar_one_or_none()


def _intake_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The facts an intake records, each kept only if accepted (a draft may hold anything)."""
    raw = facts.from_intake(data)
    errors = facts.check(raw, clock.local(clock.now()).date())
    kept = {key: (None if key in errors else value) for key, value in raw.items()}
    if "qtc_ms" in errors or "qtc_on" in errors:  # a pair: both or neither
        kept["qtc_ms"] = kept["qtc_on"] = None
    if "renal" in errors:
        kept["renal"] = None
    return facts.clean(kept, dt.date.max)


def _stored_values(row: PatientFactsRecord) -> dict[str, Any]:
    return {key: getattr(row, key) for key in facts.RECORD_FIELDS}


def _current(session: Session, episode_id: int) -> tuple[PatientFactsRecord | None, dict[str, Any]]:
    """The stored record (if any) and the facts in force: the record's, else the intake's."""
    row = _record(session, episode_id)
    if row is not None:
        return row, _stored_values(row)
    return None, _intake_values(intake_data_in(session, episode_id))


def facts_in(session: Session, episode_id: int) -> PatientFacts:
    """What the rules know of the episode's patient, inside the caller's unit of work: the stored
    facts (else the intake's), with allergies and co-use from the intake."""
    data = intake_data_in(session, episode_id)
    medical: Mapping[str, Any] = data["medical"] if isinstance(data.get("medical"), dict) else {}
    used = {row["substance"] for row in intake_rules.substance_rows(data)}
    row = _record(session, episode_id)
    values = _stored_values(row) if row is not None else _intake_values(data)
    qtc_on = values["qtc_on"]
    return PatientFacts(
        weight_kg=values["weight_kg"],
        hepatic=values["hepatic"],
        renal=values["renal"],
        egfr=values["egfr"],
        qtc_ms=values["qtc_ms"],
        qtc_on=qtc_on.isoformat() if qtc_on is not None else None,
        pregnant=values["pregnancy"],
        allergies=str(medical.get("allergies") or ""),
        benzodiazepine_use="benzodiazepines" in used,
        alcohol_use="alcohol" in used,
    )


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.full_name if user is not None else None


def _view(session: Session, episode_id: int, row: PatientFactsRecord | None, values: Mapping[str, Any]) -> FactsView:
    return FactsView(
        episode_id=episode_id, **{key: values[key] for key in facts.RECORD_FIELDS},
        version=row.version if row is not None else 0,
        updated_at=(row.updated_at or row.created_at) if row is not None else None,
        updated_by_name=_name(session, row.updated_by or row.created_by) if row is not None else None,
    )


def _episode(session: Session, episode_id: int) -> Episode:
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound("This episode no longer exists.")
    return episode


def get(db: Database, user: SignedInUser, episode_id: int) -> FactsView:
    """The episode's facts as they stand (the intake's until a record is stored)."""
    require(db, user, "patients.view")
    with db.read() as session:
        _episode(session, episode_id)
        row, values = _current(session, episode_id)
        return _view(session, episode_id, row, values)


def _conflict(session: Session, row: PatientFactsRecord | None) -> ConflictError:
    who = _name(session, row.updated_by or row.created_by) if row is not None else None
    when = clock.local(row.updated_at or row.created_at).strftime("%H:%M") if row is not None else None
    saved = f"{who or 'Someone'} saved this patient's facts at {when}" if when else \
        "Someone saved this patient's facts"
    return ConflictError(f"{saved}, after you opened them. Your changes were not saved: close and reopen "
                         "the facts to see the current values, then make them again.")


def _write(session: Session, user: SignedInUser, episode: Episode, row: PatientFactsRecord | None,
           values: Mapping[str, Any], before: Mapping[str, Any], source: str) -> PatientFactsRecord:
    """Store ``values`` (creating the record if need be) and audit what changed."""
    changes = audit.diff(dict(before), dict(values))
    now = utcnow()
    if row is None:
        row = PatientFactsRecord(episode_id=episode.id, created_by=user.id, created_at=now, **values)
        session.add(row)
    elif changes:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at, row.updated_by = now, user.id
    session.flush()
    if changes:
        audit.append(session, user, CHANGED, entity_type="patient_facts", entity_id=row.id,
                     patient_id=episode.patient_id, detail={"changes": changes, "source": source})
    return row


def update(db: Database, user: SignedInUser, episode_id: int, expected_version: int,
           values: Mapping[str, Any]) -> FactsView:
    """Correct the episode's facts. ``values`` maps fields of :data:`core.facts.FIELDS` to their new
    value (``None`` or blank text = not recorded); fields left out keep theirs. Each bad value is
    refused with ValidationError({field: message}); a stale ``expected_version`` (someone saved
    since it was read) with ConflictError. The change is audited (``patient_facts.changed``, the
    fields' old and new values). Before the intake is signed the facts are edited there instead."""
    require(db, user, "facts.edit")
    unknown = sorted(set(values) - set(facts.RECORD_FIELDS))
    if unknown:
        raise ValidationError({key: f"Unknown patient fact {key!r}." for key in unknown})
    try:
        with db.write() as session:
            episode = _episode(session, episode_id)
            assessment = session.execute(
                select(Assessment).where(Assessment.episode_id == episode_id)).scalar_one_or_none()
            if assessment is not None and assessment.status != "signed":
                raise ValidationError("The intake is not signed yet: record these facts in its "
                                      "Medical and Vitals sections.")
            row, before = _current(session, episode_id)
            if (row.version if row is not None else 0) != expected_version:
                raise _conflict(session, row)
            merged = {**before, **values}
            cleaned = facts.clean(merged, clock.local(clock.now()).date())
            row = _write(session, user, episode, row, cleaned, before, "edit")
            return _view(session, episode_id, row, cleaned)
    except (StaleDataError, IntegrityError):
        raise ConflictError("Another workstation saved this patient's facts at the same moment. Your "
                            "changes were not saved: close and reopen the facts, then make them again."
                            ) from None


def record_from_intake(session: Session, user: SignedInUser, episode: Episode, data: Mapping[str, Any],
                       today: dt.date) -> None:
    """Inside the signing of an intake: store the facts it records as the episode's record (checked
    already by ``assessment.missing_to_sign``; a bad one raises ValidationError here too)."""
    cleaned = facts.clean(facts.from_intake(data), today)
    row = _record(session, episode.id)
    before = _stored_values(row) if row is not None else dict.fromkeys(facts.RECORD_FIELDS)
    _write(session, user, episode, row, cleaned, before, "intake")
