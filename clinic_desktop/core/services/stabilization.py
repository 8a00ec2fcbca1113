"""Withdrawal-scale observations during an episode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import NotFound, ValidationError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.models import Episode, Observation, Stage, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit


@dataclass(frozen=True)
class ObservationView:
    id: int
    episode_id: int
    instrument_id: str
    item_scores: dict[str, int]
    total: int
    band: str | None
    complete: bool
    taken_at: dt.datetime
    recorded_by: int


def record_observation(db: Database, user: SignedInUser, episode_id: int, instrument_id: str,
                       items: Mapping[str, int | None], taken_at: dt.datetime | None = None) -> ObservationView:
    """Score and store one administration of an instrument, with its audit event."""
    require(user, "observations.record")
    try:
        instrument = get_instrument(instrument_id)
        result = instrument.score(items)
    except ValueError as exc:
        raise ValidationError({"items": str(exc)}) from None
    taken_at = taken_at or utcnow()
    if taken_at.tzinfo is None:
        raise ValidationError({"taken_at": "The time taken needs a time zone."})
    if taken_at > utcnow() + dt.timedelta(minutes=5):
        raise ValidationError({"taken_at": "The time taken cannot be in the future."})
    with db.write() as session:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound("This episode no longer exists.")
        if episode.stage == Stage.DISCHARGED.value:
            raise ValidationError("This episode is closed; scores can no longer be added.")
        scores = {k: v for k, v in result.items.items()}
        obs = Observation(episode_id=episode_id, instrument_id=instrument.id, item_scores=scores,
                          total=result.total, band=result.band, complete=result.complete,
                          taken_at=taken_at, recorded_by=user.id)
        session.add(obs)
        session.flush()
        audit.append(session, user, "observation.recorded", entity_type="observation", entity_id=obs.id,
                     patient_id=episode.patient_id,
                     detail={"instrument": instrument.id, "total": result.total, "band": result.band,
                             "complete": result.complete, "taken_at": taken_at})
        return ObservationView(obs.id, obs.episode_id, obs.instrument_id, dict(scores), obs.total,
                               obs.band, obs.complete, obs.taken_at, obs.recorded_by)
