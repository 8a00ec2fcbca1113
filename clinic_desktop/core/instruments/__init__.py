"""Withdrawal instruments and co-occurring screens (CLINICAL.md section 1), as data.

Pure standard library: no Qt, no database. Usage::

    score = get_instrument("cows").score({"resting_pulse": 1, ...})
    score.total, score.band, score.complete, score.missing
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Band, Instrument, Item, Score
from .definitions import INSTRUMENTS

__all__ = [
    "INSTRUMENT_IDS",
    "Band",
    "Instrument",
    "Item",
    "Score",
    "all_instruments",
    "get_instrument",
    "phq9_self_harm_positive",
]

INSTRUMENT_IDS: tuple[str, ...] = tuple(instrument.id for instrument in INSTRUMENTS)
_BY_ID: dict[str, Instrument] = {instrument.id: instrument for instrument in INSTRUMENTS}


def get_instrument(instrument_id: str) -> Instrument:
    """The instrument with this id (``ValueError`` naming an unknown id)."""
    try:
        return _BY_ID[instrument_id]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown instrument {instrument_id!r}; known: {', '.join(INSTRUMENT_IDS)}"
        ) from None


def all_instruments() -> tuple[Instrument, ...]:
    """Every shipped instrument: cows, sows_gossop, sows_handelsman, oows, phq9, gad7, ciwa_ar."""
    return INSTRUMENTS


def phq9_self_harm_positive(items: Mapping[str, int | None] | Score) -> bool:
    """True when PHQ-9 item ``self_harm`` is answered above 0 (a safety alert, CLINICAL.md §3).

    Accepts PHQ-9 answers or a PHQ-9 ``Score``. An unanswered ``self_harm`` is not positive; a
    score that item does not allow raises ``ValueError``.
    """
    answers = items.items if isinstance(items, Score) else items
    value = answers.get("self_harm")
    if value is None:
        return False
    get_instrument("phq9").item("self_harm").anchor(value)  # validates the score
    return value > 0
