"""Data types and scoring rules shared by every rating instrument.

An instrument is plain data (items, allowed scores with anchors, severity bands). Scoring
accepts only the allowed scores of each item and never counts a missing item as 0: a result
with missing items is *incomplete*, keeps the partial total, and has no band.

Two extensions serve screens such as the ASQ: an item may be *asked only when* an earlier item
scored above 0 (``Item.asked_when``; not asked, it is neither missing nor answerable), and an
instrument may choose its band from the answers rather than the total (``Instrument.band_rule``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["RATERS", "Band", "Instrument", "Item", "Rater", "Score"]

Rater = Literal["clinician", "patient", "observer"]
RATERS: frozenset[str] = frozenset({"clinician", "patient", "observer"})


def _is_int(value: object) -> bool:
    """True for a real ``int`` (``bool`` is excluded, floats and strings are not ints)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _format_scores(scores: Iterable[int]) -> str:
    return ", ".join(str(s) for s in sorted(scores))


@dataclass(frozen=True, slots=True)
class Item:
    """One item of an instrument.

    ``options`` are ``(score, anchor)`` pairs in strictly ascending score order; only those
    scores are accepted when scoring. ``asked_when`` names earlier items: when given, this item
    is asked only when one of them scored above 0 (otherwise it is not asked: not missing, and an
    answer to it is refused).
    """

    id: str
    label: str
    options: tuple[tuple[int, str], ...]
    help: str = ""
    asked_when: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.id or not self.id.isidentifier() or self.id != self.id.lower():
            raise ValueError(f"item id must be a lower-case identifier, got {self.id!r}")
        if not self.label:
            raise ValueError(f"item {self.id!r}: label is empty")
        if not self.options:
            raise ValueError(f"item {self.id!r}: no options")
        previous: int | None = None
        for score, anchor in self.options:
            if not _is_int(score) or score < 0:
                raise ValueError(f"item {self.id!r}: score {score!r} is not an int >= 0")
            if previous is not None and score <= previous:
                raise ValueError(f"item {self.id!r}: option scores must be strictly ascending")
            if not anchor:
                raise ValueError(f"item {self.id!r}: score {score} has no anchor text")
            previous = score

    @property
    def allowed_scores(self) -> frozenset[int]:
        """The scores this item accepts."""
        return frozenset(score for score, _ in self.options)

    @property
    def min_score(self) -> int:
        """Lowest allowed score."""
        return self.options[0][0]

    @property
    def max_score(self) -> int:
        """Highest allowed score."""
        return self.options[-1][0]

    def anchor(self, score: int) -> str:
        """Anchor text of an allowed score (``ValueError`` otherwise)."""
        for option_score, text in self.options:
            if _is_int(score) and option_score == score:
                return text
        raise ValueError(
            f"item {self.id!r}: score {score!r} not allowed; "
            f"allowed scores: {_format_scores(self.allowed_scores)}"
        )


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band: totals from ``low`` to ``high``, both inclusive."""

    id: str
    label: str
    low: int
    high: int
    note: str = ""

    def __post_init__(self) -> None:
        if not _is_int(self.low) or not _is_int(self.high) or self.low > self.high:
            raise ValueError(f"band {self.id!r}: invalid range {self.low!r}-{self.high!r}")

    def __contains__(self, total: object) -> bool:
        return _is_int(total) and self.low <= total <= self.high  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Score:
    """The result of scoring one administration.

    ``total`` is the sum of the answered items. ``band`` (a band id) is given only for a
    *complete* score: an incomplete score keeps its partial total but has ``band=None`` and
    ``band_label=None``, and lists its ``missing`` item ids in instrument order. A complete score
    whose total falls in no band (e.g. COWS 0-4) has ``band=None`` and the instrument's
    ``no_band_label`` as ``band_label`` (``None`` if the instrument has none).
    """

    instrument_id: str
    total: int
    band: str | None
    complete: bool
    missing: tuple[str, ...]
    answered: int
    items: dict[str, int] = field(hash=False)
    band_label: str | None = None

    @property
    def status_text(self) -> str:
        """Short text for staff: the band label, or "incomplete: 2 items missing"."""
        if not self.complete:
            n = len(self.missing)
            return f"incomplete: {n} item{'s' if n != 1 else ''} missing"
        return self.band_label or ""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A rating instrument: its items, severity bands and scoring rules."""

    id: str
    title: str
    short_title: str
    citation: str
    rater: Rater
    timeframe: str
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    no_band_label: str = ""
    #: When given, the band of a complete score is the id this returns for the answers (or
    #: None), not the band holding the total; the bands then only name the ids and may overlap.
    band_rule: Callable[[Mapping[str, int]], str | None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.rater not in RATERS:
            raise ValueError(
                f"{self.id}: rater must be one of {sorted(RATERS)}, got {self.rater!r}"
            )
        if not self.items:
            raise ValueError(f"{self.id}: no items")
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: duplicate item ids")
        for index, item in enumerate(self.items):
            for earlier in item.asked_when:
                if earlier not in ids[:index]:
                    raise ValueError(f"{self.id}: item {item.id!r} is asked when {earlier!r}, "
                                     f"which is not an earlier item")
        band_ids = [band.id for band in self.bands]
        if len(set(band_ids)) != len(band_ids):
            raise ValueError(f"{self.id}: duplicate band ids")
        previous: Band | None = None
        for band in sorted(self.bands, key=lambda b: b.low):
            if band.low < self.min_total or band.high > self.max_total:
                raise ValueError(
                    f"{self.id}: band {band.id!r} ({band.low}-{band.high}) lies outside the "
                    f"total range {self.min_total}-{self.max_total}"
                )
            if previous is not None and band.low <= previous.high and self.band_rule is None:
                raise ValueError(f"{self.id}: bands {previous.id!r} and {band.id!r} overlap")
            previous = band

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in instrument order."""
        return tuple(item.id for item in self.items)

    @property
    def min_total(self) -> int:
        """Lowest possible total (sum of the items' lowest scores)."""
        return sum(item.min_score for item in self.items)

    @property
    def max_total(self) -> int:
        """Highest possible total (sum of the items' highest scores)."""
        return sum(item.max_score for item in self.items)

    def item(self, item_id: str) -> Item:
        """The item with this id (``ValueError`` naming an unknown id)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise ValueError(f"{self.id}: unknown item {item_id!r}")

    def band_for(self, total: int) -> Band | None:
        """The band containing ``total``, or ``None`` if no band does.

        Raises ``ValueError`` for a total that is not an int or lies outside
        ``min_total..max_total``.
        """
        if not _is_int(total) or not self.min_total <= total <= self.max_total:
            raise ValueError(
                f"{self.id}: total {total!r} outside {self.min_total}-{self.max_total}"
            )
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None

    def with_bands(self, bands: Iterable[Band], no_band_label: str | None = None) -> Instrument:
        """A copy with other bands, e.g. a clinic's configured CIWA-Ar thresholds."""
        return dataclasses.replace(
            self,
            bands=tuple(bands),
            no_band_label=self.no_band_label if no_band_label is None else no_band_label,
        )

    def asked(self, item_id: str, answers: Mapping[str, int | None]) -> bool:
        """Whether item ``item_id`` is asked given these answers (see ``Item.asked_when``)."""
        item = self.item(item_id)
        if not item.asked_when:
            return True
        return any(isinstance(v := answers.get(earlier), int) and not isinstance(v, bool) and v > 0
                   for earlier in item.asked_when)

    def score(self, answers: Mapping[str, int | None]) -> Score:
        """Score a mapping of item id to score; ``None`` or an absent key means unanswered.

        Raises ``ValueError`` for an unknown item id, for a value that is not one of the
        item's allowed scores (bools, floats and strings are never accepted), or for an answer
        to an item that is not asked. Missing items make the result incomplete
        (``complete=False``, ``band=None``), never a silent 0; an item not asked is not missing.
        """
        if not isinstance(answers, Mapping):
            raise TypeError(f"{self.id}: answers must be a mapping, got {type(answers).__name__}")
        known = set(self.item_ids)
        for key in answers:
            if key not in known:
                raise ValueError(f"{self.id}: unknown item {key!r}")
        given: dict[str, int] = {}
        missing: list[str] = []
        for item in self.items:
            value = answers.get(item.id)
            if not self.asked(item.id, given):
                if value is not None:
                    raise ValueError(f"{self.id}: item {item.id!r} is not asked unless "
                                     f"{' or '.join(item.asked_when)} scores above 0")
                continue
            if value is None:
                missing.append(item.id)
                continue
            if not _is_int(value) or value not in item.allowed_scores:
                raise ValueError(
                    f"{self.id}: item {item.id!r}: score {value!r} not allowed; "
                    f"allowed scores: {_format_scores(item.allowed_scores)}"
                )
            given[item.id] = int(value)
        total = sum(given.values())
        complete = not missing
        if not complete:
            band = None
        elif self.band_rule is not None:
            rule_id = self.band_rule(given)
            band = next((b for b in self.bands if b.id == rule_id), None)
        else:
            band = self.band_for(total)
        if not complete:
            band_label = None
        elif band is not None:
            band_label = band.label
        else:
            band_label = self.no_band_label or None
        return Score(
            instrument_id=self.id,
            total=total,
            band=band.id if band is not None else None,
            complete=complete,
            missing=tuple(missing),
            answered=len(given),
            items=given,
            band_label=band_label,
        )
