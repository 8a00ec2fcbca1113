"""The clinic's vitals units: temperature in °F or °C, weight in lb or kg (issue #14).

Vitals are stored in one canonical unit, °C and kg, whatever the clinic types (CLINICAL.md §3's
ranges are in those units). This module turns what a nurse types in the clinic's units into the
stored value and back, shows a stored value "in both" ("98.6 °F (37.0 °C)"), and checks typed
vitals with :func:`clinic_desktop.core.vitals.check_vitals` on the stored value, so the verdict
is the same whichever unit was typed, with messages that name the unit typed.

Pure standard library: no Qt, no database. Usage::

    system = clinic_system(settings.get_all(db))      # "us" or "metric"
    to_canonical("temperature_c", 98.6, "us")          # 37.0
    entry_text("temperature_c", 37.0, "us")            # "98.6"
    both_text("weight_kg", 69.853, "us")               # "154.0 lb (69.9 kg)"

Conversions are exact (``Decimal``): a typed °F or lb value is stored to ``CANONICAL_PLACES``
decimal places, fine enough that converting back at the entry's precision gives the typed text
again, and that no value typed at the entry's precision lands on the other side of a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
)
from fractions import Fraction
from typing import Any

from clinic_desktop.core.facts import WEIGHT_KG
from clinic_desktop.core.vitals import (
    VITALS_BY_ID,
    VitalRange,
    VitalsCheck,
    check_vitals,
    format_vital,
)

__all__ = [
    "AUTO",
    "CANONICAL_PLACES",
    "CHOICES",
    "FAHRENHEIT_REGIONS",
    "METRIC",
    "SETTING",
    "US",
    "both_text",
    "check",
    "clinic_system",
    "display_range",
    "entry_text",
    "from_canonical",
    "resolve",
    "system_for_region",
    "to_canonical",
    "unit",
    "warnings_text",
    "weight_fact_error",
]

#: The clinic setting, and its values: follow the clinic's region, or one of the two systems.
SETTING = "vitals_units"
AUTO, US, METRIC = "auto", "us", "metric"
CHOICES: dict[str, str] = {
    AUTO: "From the phone region",
    US: "\u00b0F and lb",
    METRIC: "\u00b0C and kg",
}

#: Regions whose clinics take temperatures in °F and weigh in lb: the United States and its
#: territories. Kept short on purpose: a region not listed defaults to °C and kg, and a clinic
#: anywhere can choose either system.
FAHRENHEIT_REGIONS: frozenset[str] = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})

#: Decimal places a value typed in °F or lb is stored with (°C or kg).
CANONICAL_PLACES = 3

_KG_PER_LB = Decimal("0.45359237")  # exact, by definition
#: The canonical vital → (its unit in the US system, the canonical unit).
_CONVERTED: dict[str, tuple[str, str]] = {"temperature_c": ("\u00b0F", "\u00b0C"), "weight_kg": ("lb", "kg")}


# --------------------------------------------------------------------------------------------
# The clinic's system
# --------------------------------------------------------------------------------------------


def system_for_region(region: str | None) -> str:
    """The default system of a region code: ``US`` for the °F regions, else ``METRIC``."""
    return US if str(region or "").strip().upper() in FAHRENHEIT_REGIONS else METRIC


def resolve(setting: Any, region: str | None) -> str:
    """The system a stored setting means: ``US`` or ``METRIC`` as chosen; ``AUTO`` (or anything
    else) follows ``region``, so changing the region changes the default."""
    value = str(setting or "").strip().lower()
    return value if value in (US, METRIC) else system_for_region(region)


def clinic_system(settings: Mapping[str, Any]) -> str:
    """The clinic's system from its settings (``services.settings.get_all``)."""
    return resolve(settings.get(SETTING), settings.get("phone_region"))


def unit(vid: str, system: str) -> str:
    """The unit a vital is typed and shown in first: "°F", "lb", "°C", "/min"…"""
    if vid in _CONVERTED:
        return _CONVERTED[vid][0] if system == US else _CONVERTED[vid][1]
    return VITALS_BY_ID[vid].unit


def _converted(vid: str, system: str) -> bool:
    return system == US and vid in _CONVERTED


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    """A finite number as an exact ``Decimal`` (a float by its shortest text: 98.6 → "98.6")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Fraction):
        number = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        return None
    return number if number.is_finite() else None


def _round(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``value`` to ``places`` decimals; one too large to hold them (a slip far outside any
    range, such as 1e30) as it is."""
    try:
        return value.quantize(Decimal(1).scaleb(-places), rounding)
    except InvalidOperation:
        return value


def _to_canonical_exact(vid: str, value: Decimal) -> Decimal:
    if vid == "temperature_c":
        return (value - 32) * 5 / 9
    return value * _KG_PER_LB


def _from_canonical_exact(vid: str, value: Decimal) -> Decimal:
    if vid == "temperature_c":
        return value * 9 / 5 + 32
    return value / _KG_PER_LB


def to_canonical(vid: str, value: Any, system: str) -> Any:
    """What is stored for ``value`` typed in the clinic's unit (°C, kg), to ``CANONICAL_PLACES``.

    Anything that is not a number (``None``, text a nurse typed) and every vital typed in its
    canonical unit come back as they are: the check refuses what it must.
    """
    if not _converted(vid, system):
        return value
    number = _decimal(value)
    if number is None:
        return value
    return float(_round(_to_canonical_exact(vid, number), CANONICAL_PLACES, ROUND_HALF_EVEN))


def from_canonical(vid: str, value: float, system: str) -> float:
    """A stored value in the clinic's unit, unrounded."""
    number = _decimal(value)
    if not _converted(vid, system) or number is None:
        return float(value)
    return float(_from_canonical_exact(vid, number))


def entry_text(vid: str, value: Any, system: str) -> str:
    """A stored value as its entry field shows it, in the clinic's unit.

    In °F or lb: the fewest decimals (at least the vital's) whose text is stored as ``value``
    again, so a value typed as "98.6" shows "98.6", and re-saving a loaded form changes nothing.
    ``None`` is ""; text is shown as it is.
    """
    if value is None or value == "":
        return ""
    vital = VITALS_BY_ID[vid]
    number = _decimal(value)
    if number is None:
        return str(value)
    if not _converted(vid, system):
        return vital.fmt(value)
    exact = _from_canonical_exact(vid, number)
    text = ""
    for places in range(vital.decimals, CANONICAL_PLACES + 2):
        rounded = _round(exact, places)
        text = format(rounded, "f")
        if to_canonical(vid, rounded, system) == float(value):
            break
    return text


def _verdict(vital: VitalRange, value: Decimal) -> tuple[bool, int]:
    """(accepted, -1 low / 0 normal / 1 high) of a canonical value."""
    accepted = vital.low <= value <= vital.high
    if vital.warn_below is not None and value < Decimal(repr(vital.warn_below)):
        return accepted, -1
    if vital.warn_above is not None and value > Decimal(repr(vital.warn_above)):
        return accepted, 1
    return accepted, 0


def _rounded_text(vid: str, value: float, in_us: bool) -> str:
    """A stored value in °F/lb (``in_us``) or °C/kg, at the vital's decimals, or more where
    rounding would move it across a limit (it must never look normal when it is not)."""
    vital = VITALS_BY_ID[vid]
    canonical = _decimal(value)
    assert canonical is not None
    exact = _from_canonical_exact(vid, canonical) if in_us else canonical
    verdict = _verdict(vital, canonical)
    text = ""
    for places in range(vital.decimals, CANONICAL_PLACES + 2):
        rounded = _round(exact, places)
        text = format(rounded, "f")
        back = _to_canonical_exact(vid, rounded) if in_us else rounded
        if _verdict(vital, back) == verdict:
            break
    return text


def both_text(vid: str, value: float, system: str) -> str:
    """A stored temperature or weight in both units, the clinic's first: "98.6 °F (37.0 °C)",
    "70.0 kg (154.3 lb)". Each at the vital's decimals, or more where rounding would move it
    across a limit; a metric clinic's own value is shown as stored ("38.02 °C"), as everywhere.
    Other vitals: the value and its unit."""
    if vid not in _CONVERTED:
        return f"{VITALS_BY_ID[vid].fmt(value)} {unit(vid, system)}"
    if system == US:
        first, second = _rounded_text(vid, value, True), _rounded_text(vid, value, False)
    else:
        first, second = VITALS_BY_ID[vid].fmt(value), _rounded_text(vid, value, True)
    other = METRIC if system == US else US
    return f"{first} {unit(vid, system)} ({second} {unit(vid, other)})"


# --------------------------------------------------------------------------------------------
# Checking what is typed
# --------------------------------------------------------------------------------------------


def _places(value: Decimal, places: int, rounding: str) -> float:
    return float(_round(value, places, rounding))


def display_range(vid: str, system: str) -> VitalRange:
    """The vital's range in the clinic's unit, for messages: the accepted range is the lowest and
    highest value accepted when typed at the vital's decimals (4.5–881.8 lb for 2–400 kg)."""
    vital = VITALS_BY_ID[vid]
    if not _converted(vid, system):
        return vital

    def limit(bound: float | None, rounding: str) -> float | None:
        if bound is None:
            return None
        exact = _from_canonical_exact(vid, Decimal(repr(bound)))
        return _places(exact, vital.decimals, rounding)

    low, high = limit(vital.low, ROUND_CEILING), limit(vital.high, ROUND_FLOOR)
    assert low is not None and high is not None
    return VitalRange(vid, vital.label, unit(vid, system), low, high,
                      limit(vital.warn_below, ROUND_HALF_UP), limit(vital.warn_above, ROUND_HALF_UP),
                      vital.decimals)


def _in_words(result: VitalsCheck, stored: Mapping[str, Any], shown: Mapping[str, Any],
              system: str) -> VitalsCheck:
    """``result`` (the verdict on ``stored``) with the messages of the temperature and weight
    said with ``shown``, the values in the clinic's unit."""
    errors, warnings = dict(result.errors), dict(result.warnings)
    for vid, value in shown.items():
        if not _converted(vid, system) or _decimal(value) is None:
            continue
        words = display_range(vid, system)
        if vid in errors:
            errors[vid] = words.impossible_text(value)
        if vid in warnings:
            below = _verdict(VITALS_BY_ID[vid], Decimal(repr(stored[vid])))[1] < 0
            warnings[vid] = words.low_text(value) if below else words.high_text(value)
    return VitalsCheck(errors=errors, warnings=warnings)


def check(typed: Mapping[str, Any], system: str) -> tuple[dict[str, Any], VitalsCheck]:
    """Vitals as typed in the clinic's units → (the values to store, canonical; the check).

    The verdict is :func:`check_vitals`' on the values to store; a temperature or weight typed
    in °F or lb is refused or warned about in the words of its own unit.
    """
    stored = {vid: to_canonical(vid, value, system) for vid, value in typed.items()}
    return stored, _in_words(check_vitals(stored), stored, typed, system)


def warnings_text(values: Mapping[str, Any] | None, system: str) -> dict[str, str]:
    """The abnormal-value warnings of stored (already accepted) vitals, in the clinic's unit as
    the entry said them, in ``VITALS`` order."""
    if not values:
        return {}
    stored = {vid: value for vid, value in values.items() if vid in VITALS_BY_ID
              and isinstance(value, (int, float)) and not isinstance(value, bool)}
    shown = {vid: float(entry_text(vid, value, system)) for vid, value in stored.items()
             if _converted(vid, system)}
    return dict(_in_words(check_vitals(stored), stored, shown, system).warnings)


def weight_fact_error(typed: Any, system: str) -> str | None:
    """Why a weight typed in the clinic's unit is not one the medication rules accept
    (``core.facts.WEIGHT_KG``, checked on the kg stored), in the unit typed; None if it is."""
    kg = to_canonical("weight_kg", typed, system)
    error = WEIGHT_KG.error(kg)
    if error is None or not _converted("weight_kg", system) or _decimal(typed) is None:
        return error
    low = _places(_from_canonical_exact("weight_kg", Decimal(WEIGHT_KG.low)), 1, ROUND_CEILING)
    high = _places(_from_canonical_exact("weight_kg", Decimal(WEIGHT_KG.high)), 1, ROUND_FLOOR)
    return (f"{WEIGHT_KG.label} {format_vital(typed)} lb is outside "
            f"{format_vital(low, 1)}\u2013{format_vital(high, 1)} lb.")
