"""Withdrawal instruments and co-occurring screens (CLINICAL.md section 1), as data.

Pure standard library: no Qt, no database. Usage::

    score = get_instrument("cows").score({"resting_pulse": 1, ...})
    score.total, score.band, score.complete, score.missing
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Band, Instrument, Item, Score
from .definitions import ASQ_SCREEN_ITEMS, INSTRUMENTS

__all__ = [
    "ASQ_SCREEN_ITEMS",
    "INSTRUMENT_IDS",
    "Band",
    "Instrument",
    "Item",
    "Score",
    "all_instruments",
    "asq_acute",
    "asq_positive",
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
    """Every shipped instrument: cows, sows_gossop, sows_handelsman, oows, phq9, gad7, ciwa_ar,
    asq."""
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


def asq_positive(items: Mapping[str, int | None] | Score) -> bool:
    """True for a positive ASQ (a "yes" to any of items 1-4, acute or not): a safety alert
    (CLINICAL.md §7). Accepts ASQ answers or an ASQ ``Score``; an incomplete ASQ is positive
    as soon as one of items 1-4 is "yes". Answers the ASQ does not allow raise ``ValueError``."""
    answers = items.items if isinstance(items, Score) else items
    get_instrument("asq").score(answers)  # validates
    return any(answers.get(item_id) == 1 for item_id in ASQ_SCREEN_ITEMS)


def asq_acute(items: Mapping[str, int | None] | Score) -> bool:
    """True for an acute positive ASQ ("yes" to item 5, asked after a "yes" to 1-4): imminent
    risk — do not leave the patient alone; emergency evaluation now."""
    answers = items.items if isinstance(items, Score) else items
    get_instrument("asq").score(answers)  # validates (item 5 is refused unless asked)
    return answers.get("thoughts_now") == 1
