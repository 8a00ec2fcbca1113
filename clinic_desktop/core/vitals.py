"""Vitals validation (CLINICAL.md §3): reject impossible values, warn on abnormal ones.

Pure standard library: no Qt, no database. Usage::

    check = check_vitals({"pulse": 130, "systolic": 118, "diastolic": 76})
    check.ok          # True: nothing impossible, the values can be saved
    check.warnings    # {"pulse": "Pulse 130 /min is high (above 120)."}

A missing value (``None`` or an absent key) is allowed: not every vital is taken every time.
The accepted range is inclusive at both ends; warnings are strict (``<`` and ``>``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TypeGuard

__all__ = [
    "VITALS",
    "VITALS_BY_ID",
    "VITAL_IDS",
    "VitalRange",
    "VitalsCheck",
    "check_vitals",
    "format_vital",
]

_NUMBER_TYPES = (int, float, Decimal, Fraction)


def _is_number(value: object) -> TypeGuard[float | Decimal | Fraction]:
    """A finite real number; ``bool``, strings, NaN and infinities are not."""
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        return False
    try:
        return math.isfinite(value)
    except (TypeError, ValueError, OverflowError):
        return False


def format_vital(value: float | Decimal | Fraction, decimals: int = 0) -> str:
    """``value`` with at least ``decimals`` decimal places, and more if that would round it.

    ``format_vital(38.0, 1) == "38.0"``, ``format_vital(72, 0) == "72"``,
    ``format_vital(49.6, 0) == "49.6"`` (never "50": a shown value must not cross a threshold).
    """
    text = f"{float(value):.{decimals}f}"
    if float(text) == float(value):
        return text
    return str(value) if isinstance(value, Decimal) else repr(float(value))


@dataclass(frozen=True, slots=True)
class VitalRange:
    """One vital sign: the accepted (possible) range and the abnormal thresholds.

    ``low``..``high`` is inclusive; a value outside it is impossible (refused). A value strictly
    below ``warn_below`` or strictly above ``warn_above`` is abnormal (saved, with a warning).
    ``decimals`` is how many decimal places an entry field offers and values are shown with.
    """

    id: str
    label: str
    unit: str
    low: float
    high: float
    warn_below: float | None
    warn_above: float | None
    decimals: int

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"vital {self.id!r}: low must be below high")
        for bound in (self.warn_below, self.warn_above):
            if bound is not None and not self.low <= bound <= self.high:
                raise ValueError(f"vital {self.id!r}: warning {bound} outside {self.range_text}")

    def fmt(self, value: float | Decimal | Fraction) -> str:
        """``value`` as shown to staff, with this vital's decimals."""
        return format_vital(value, self.decimals)

    @property
    def range_text(self) -> str:
        """The accepted range, e.g. ``"20–250"`` or ``"30.0–43.0"``."""
        return f"{self.fmt(self.low)}–{self.fmt(self.high)}"

    def _with_unit(self, value: float | Decimal | Fraction) -> str:
        return f"{self.label} {self.fmt(value)} {self.unit}"

    def error(self, value: object) -> str | None:
        """Why ``value`` is refused (not a number, or impossible), or ``None`` if accepted.

        ``None`` and an empty string (not taken) are accepted.
        """
        value = _given(value)
        if value is None:
            return None
        if not _is_number(value):
            return f"{self.label} must be a number (got {value!r})."
        if not self.low <= value <= self.high:
            return self.impossible_text(value)
        return None

    def warning(self, value: float | Decimal | Fraction) -> str | None:
        """The abnormal-value warning for an accepted ``value``, or ``None``."""
        if self.warn_below is not None and value < self.warn_below:
            return self.low_text(value)
        if self.warn_above is not None and value > self.warn_above:
            return self.high_text(value)
        return None

    # The messages alone (the verdict is the caller's): "Temperature 101.3 °F is high (above
    # 100.4)." for a value typed in another unit than the one checked (core.units).
    def impossible_text(self, value: float | Decimal | Fraction) -> str:
        return f"{self._with_unit(value)} is impossible; enter {self.range_text}."

    def low_text(self, value: float | Decimal | Fraction) -> str:
        return f"{self._with_unit(value)} is low (below {self.fmt(self.warn_below or 0)})."

    def high_text(self, value: float | Decimal | Fraction) -> str:
        return f"{self._with_unit(value)} is high (above {self.fmt(self.warn_above or 0)})."


VITALS: tuple[VitalRange, ...] = (
    VitalRange("pulse", "Pulse", "/min", 20, 250, 50, 120, 0),
    VitalRange("systolic", "Systolic BP", "mmHg", 50, 260, 90, 180, 0),
    VitalRange("diastolic", "Diastolic BP", "mmHg", 20, 160, 60, 110, 0),
    VitalRange("respiratory_rate", "Respiratory rate", "/min", 4, 60, 10, 24, 0),
    VitalRange("temperature_c", "Temperature", "°C", 30.0, 43.0, None, 38.0, 1),
    VitalRange("spo2", "SpO₂", "%", 50, 100, 92, None, 0),
    VitalRange("weight_kg", "Weight", "kg", 2, 400, None, None, 1),
)

VITALS_BY_ID: dict[str, VitalRange] = {vital.id: vital for vital in VITALS}
VITAL_IDS: tuple[str, ...] = tuple(vital.id for vital in VITALS)


@dataclass(frozen=True, slots=True)
class VitalsCheck:
    """The result of checking one set of vitals.

    ``errors`` maps a field id to why its value is refused (impossible or not a number);
    ``warnings`` maps a field id to why its accepted value is abnormal. A field with an error
    has no warning. Both are in ``VITALS`` order.
    """

    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing is refused (the vitals can be saved)."""
        return not self.errors

    @property
    def abnormal(self) -> bool:
        """True when any accepted value is abnormal."""
        return bool(self.warnings)


def _given(value: object) -> object:
    """``None`` for a vital not taken: ``None``, or an empty / blank string from a form."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def check_vitals(values: Mapping[str, object]) -> VitalsCheck:
    """Check vitals keyed by field id (``VITAL_IDS``).

    ``None``, an absent key or an empty string means the vital was not taken (allowed).

    Refuses a value that is not a number or lies outside its accepted range, and a diastolic
    pressure that is not lower than the systolic (the error is on ``diastolic``). Warns on an
    accepted value strictly beyond its warning threshold. An unknown field id raises
    ``ValueError`` (a programming error, never a silently dropped vital).
    """
    if not isinstance(values, Mapping):
        raise TypeError(f"vitals must be a mapping, got {type(values).__name__}")
    unknown = [key for key in values if key not in VITALS_BY_ID]
    if unknown:
        raise ValueError(
            f"unknown vital {', '.join(repr(k) for k in unknown)}; known: {', '.join(VITAL_IDS)}"
        )
    errors: dict[str, str] = {}
    for vital in VITALS:
        message = vital.error(_given(values.get(vital.id)))
        if message is not None:
            errors[vital.id] = message
    systolic, diastolic = _given(values.get("systolic")), _given(values.get("diastolic"))
    # Neither in errors: both numbers (error() refuses anything else); _is_number says so to mypy.
    if (
        _is_number(systolic)
        and _is_number(diastolic)
        and "systolic" not in errors
        and "diastolic" not in errors
        and not diastolic < systolic
    ):
        sbp, dbp = VITALS_BY_ID["systolic"], VITALS_BY_ID["diastolic"]
        errors["diastolic"] = (
            f"{dbp._with_unit(diastolic)} must be lower than the systolic "
            f"{sbp.fmt(systolic)} {sbp.unit}; check the order."
        )
    warnings: dict[str, str] = {}
    for vital in VITALS:
        value = _given(values.get(vital.id))
        if vital.id in errors or not _is_number(value):  # not taken (None), or refused above
            continue
        message = vital.warning(value)
        if message is not None:
            warnings[vital.id] = message
    ordered_errors = {vid: errors[vid] for vid in VITAL_IDS if vid in errors}
    return VitalsCheck(errors=ordered_errors, warnings=warnings)
