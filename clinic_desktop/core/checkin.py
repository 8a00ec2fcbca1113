"""The daily check-in (issue #16): how the patient feels, in their own numbers — craving, mood,
anxiety and pain 0–10, last night's sleep (hours and quality), appetite and fluids. Every part
is optional, but a check-in holds at least one. Pure: no Qt, no database.

    clean({"craving": 8, "mood": "3", "sleep_hours": "6.5"})
        -> {"craving": 8, "mood": 3, "sleep_hours": 6.5}
    flags({"craving": 8, "mood": 3}, ProtocolSettings())
        -> (Flag("craving", "Craving 8/10"),)

A craving or an anxiety at or above its threshold, or a mood at or below its threshold, is a
flag the census and the handover show (the thresholds are local policy: the protocol settings
``checkin_craving_flag``, ``checkin_anxiety_flag``, ``checkin_mood_flag``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clinic_desktop.core.protocols import ProtocolSettings
from clinic_desktop.core.text import read_number, read_whole

__all__ = ["CHOICES", "FIELDS", "FIELD_IDS", "SCALES", "Flag", "check", "clean", "errors", "flags", "summary"]

#: The 0–10 scales, each with what 0 and 10 mean (read to the patient).
SCALES: dict[str, tuple[str, str, str]] = {
    "craving": ("Craving", "no craving", "the strongest craving"),
    "mood": ("Mood", "the worst mood", "the best mood"),
    "anxiety": ("Anxiety", "calm", "the most anxious"),
    "pain": ("Pain", "no pain", "the worst pain"),
}
SCALE_RANGE = (0, 10)
#: Sleep last night, in hours (half hours allowed).
SLEEP_HOURS = ("sleep_hours", "Sleep last night (hours)", 0.0, 24.0)
#: The parts answered by a choice.
CHOICES: dict[str, tuple[str, dict[str, str]]] = {
    "sleep_quality": ("Sleep quality", {"good": "Good", "fair": "Fair", "poor": "Poor"}),
    "appetite": ("Appetite", {"normal": "Normal", "reduced": "Reduced", "none": "None"}),
    "fluids": ("Fluids", {"enough": "Drinking enough", "too_little": "Drinking too little"}),
}
#: Every part in the order it is asked and shown, with its label.
FIELDS: dict[str, str] = {
    **{key: label for key, (label, _, _) in SCALES.items()},
    SLEEP_HOURS[0]: SLEEP_HOURS[1],
    **{key: label for key, (label, _) in CHOICES.items()},
}
FIELD_IDS: tuple[str, ...] = tuple(FIELDS)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scale(key: str, value: Any) -> int:
    low, high = SCALE_RANGE
    try:
        return read_whole(value, low, high)
    except ValueError:
        raise ValueError(f"{SCALES[key][0]} is a whole number from {low} to {high}.") from None


def _hours(value: Any) -> float:
    _, label, low, high = SLEEP_HOURS
    try:
        number = read_number(value)
    except ValueError:
        raise ValueError(f"{label}: a number of hours from {low:g} to {high:g}.") from None
    if not low <= number <= high or (number * 2) != int(number * 2):
        raise ValueError(f"{label}: a number of hours from {low:g} to {high:g}, in half hours.")
    return number


def _part(key: str, value: Any) -> Any:
    """One answered part as stored (a number or a choice code); ``ValueError`` saying why not."""
    if key in SCALES:
        return _scale(key, value)
    if key == SLEEP_HOURS[0]:
        return _hours(value)
    code = str(value).strip()
    label, options = CHOICES[key]
    if code not in options:
        raise ValueError(f"{label}: choose {', '.join(o.lower() for o in options.values())}.")
    return code


def check(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``values`` read once: (the parts answered as stored, in :data:`FIELD_IDS` order; why each
    refused part is refused, keyed by part). Refused: a scale outside 0–10 or not whole, hours
    outside 0–24 or not in half hours, a choice not offered, a part this check-in does not have,
    or nothing answered at all (key "values")."""
    problems = {key: f"A check-in has no part {key!r}." for key in values if key not in FIELDS}
    out: dict[str, Any] = {}
    answered = False
    for key in FIELD_IDS:
        value = values.get(key)
        if _blank(value):
            continue
        answered = True
        try:
            out[key] = _part(key, value)
        except ValueError as exc:
            problems[key] = str(exc)
    if not answered and not problems:
        problems["values"] = "Answer at least one part of the check-in."
    return out, problems


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """The check-in to store (:func:`check`); ``ValueError`` with the first refusal's message."""
    out, problems = check(values)
    if problems:
        raise ValueError(next(iter(problems.values())))
    return out


def errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Why each part of ``values`` is refused (:func:`check`), keyed by part; {} when all are fine."""
    return check(values)[1]


@dataclass(frozen=True)
class Flag:
    """A check-in value past its threshold: the part and what the census shows ("Craving 8/10")."""

    key: str
    text: str


def flags(values: Mapping[str, Any] | None, settings: ProtocolSettings | None = None) -> tuple[Flag, ...]:
    """The flags of a stored check-in: craving or anxiety at or above, mood at or below, the
    clinic's thresholds (``settings``; the shipped ones when None)."""
    if not values:
        return ()
    settings = settings or ProtocolSettings()
    rules = (("craving", settings.checkin_craving_flag, True),
             ("anxiety", settings.checkin_anxiety_flag, True),
             ("mood", settings.checkin_mood_flag, False))
    out = []
    for key, threshold, high in rules:
        value = values.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and (
                value >= threshold if high else value <= threshold):
            out.append(Flag(key, f"{SCALES[key][0]} {value}/10"))
    return tuple(out)


def summary(values: Mapping[str, Any] | None) -> str:
    """A stored check-in in one line, in :data:`FIELD_IDS` order: "Craving 6/10 · Mood 4/10 ·
    Pain 2/10 · Sleep 5.5 h (poor) · Appetite reduced"."""
    if not values:
        return ""
    parts: list[str] = []
    for key in FIELD_IDS:
        value = values.get(key)
        if value is None:
            continue
        if key in SCALES:
            parts.append(f"{SCALES[key][0]} {value}/10")
        elif key == SLEEP_HOURS[0]:
            quality = values.get("sleep_quality")
            label = CHOICES["sleep_quality"][1].get(str(quality), "").lower() if quality else ""
            parts.append(f"Sleep {value:g} h" + (f" ({label})" if label else ""))
        elif key == "sleep_quality":
            if values.get(SLEEP_HOURS[0]) is None:
                parts.append(f"Sleep {CHOICES[key][1].get(str(value), str(value)).lower()}")
        else:
            label, options = CHOICES[key]
            shown = options.get(str(value), str(value))
            parts.append(shown if key == "fluids" else f"{label} {shown.lower()}")
    return " \u00b7 ".join(parts)
