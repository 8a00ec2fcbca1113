"""The patient facts the medication rules read (CLINICAL.md §6) as entered by staff: weight,
hepatic impairment, renal function (category and eGFR), the latest QTc and its date — how each
is named, the values accepted, and the one line that shows them. Pure: no database, no Qt.

They are recorded at intake (weight with the vitals; the rest in the medical section) and kept,
editable, in the episode's patient facts record (``core.services.patient_facts``)::

    errors = check({"weight_kg": 15, "qtc_ms": 430, "qtc_on": "2026-12-01"}, today)
    # {"weight_kg": "Weight 15 kg is outside 20–300 kg."}
    clean(values, today)          # the values as stored (raises ValidationError when any is bad)
    summary_line(facts)           # "Weight 70 kg · Hepatic: none · Renal: reduced (eGFR 55) · QTc …"

A value left empty (``None`` or blank text) means "not recorded" and is always accepted: none of
these is required. Numbers may be given as typed ("72,5"); ranges are inclusive at both ends.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.formulary import HEPATIC, RENAL, renal_category
from clinic_desktop.core.vitals import format_vital

__all__ = [
    "EGFR",
    "FIELDS",
    "HEPATIC_LABELS",
    "LABELS",
    "PREGNANCY_LABELS",
    "QTC_MS",
    "RECORD_FIELDS",
    "RENAL_LABELS",
    "WEIGHT_KG",
    "NumberRange",
    "accepted",
    "check",
    "clean",
    "from_intake",
    "kg_from_lb",
    "summary_line",
]

#: The facts the intake's medical section and vitals add for the rules, in the order a form shows them.
FIELDS: tuple[str, ...] = ("weight_kg", "hepatic", "renal", "egfr", "qtc_ms", "qtc_on")
#: Pregnancy status: asked by the intake's own field, kept and corrected with the other facts.
PREGNANCY_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "unknown": "Unknown", "not_applicable": "Not applicable"}
#: Everything the patient facts record keeps and the dialog corrects.
RECORD_FIELDS: tuple[str, ...] = (*FIELDS, "pregnancy")

#: How a form labels each fact (the input's accessible name, too).
LABELS: dict[str, str] = {
    "weight_kg": "Weight",
    "hepatic": "Hepatic impairment",
    "renal": "Renal function",
    "egfr": "eGFR",
    "qtc_ms": "Latest QTc",
    "qtc_on": "QTc date",
    "pregnancy": "Pregnancy status",
}

#: Hepatic impairment choices (keys: :data:`formulary.HEPATIC`), Child-Pugh score in brackets.
HEPATIC_LABELS: dict[str, str] = dict(zip(HEPATIC, (
    "None", "Mild (Child-Pugh 5\u20136)", "Moderate (Child-Pugh 7\u20139)", "Severe (Child-Pugh > 9)"), strict=True))
#: Renal function choices (keys: :data:`formulary.RENAL`).
RENAL_LABELS: dict[str, str] = dict(zip(RENAL, (
    "Normal", "Reduced (eGFR 30\u201389)", "Severe (eGFR < 30, end-stage or dialysis)"), strict=True))

LB_PER_KG = 2.20462262185
#: Decimal places a weight is kept with: those of a weight typed in lb and stored in kg
#: (``core.units.CANONICAL_PLACES``), so it shows in lb as typed. Other decimal facts keep one.
WEIGHT_PLACES = 3
DATE_FORMAT_HINT = "YYYY-MM-DD"


@dataclass(frozen=True, slots=True)
class NumberRange:
    """A numeric fact: its label, unit, accepted range (inclusive) and whether it is whole."""

    label: str
    unit: str
    low: float
    high: float
    whole: bool = False

    @property
    def range_text(self) -> str:
        return f"{format_vital(self.low)}\u2013{format_vital(self.high)} {self.unit}"

    def error(self, value: Any) -> str | None:
        """Why ``value`` (a number, or text as typed) is refused, or None (empty is accepted)."""
        if _empty(value):
            return None
        value = _number(value)
        if not _is_number(value):
            return f"{self.label} must be a number in {self.unit}."
        if self.whole and float(value) != int(value):
            return f"{self.label} must be a whole number of {self.unit}."
        if not self.low <= value <= self.high:
            return f"{self.label} {format_vital(value)} {self.unit} is outside {self.range_text}."
        return None


WEIGHT_KG = NumberRange("Weight", "kg", 20, 300)
EGFR = NumberRange("eGFR", "mL/min/1.73 m\u00b2", 0, 200)
QTC_MS = NumberRange("QTc", "ms", 300, 700, whole=True)
RANGES: dict[str, NumberRange] = {"weight_kg": WEIGHT_KG, "egfr": EGFR, "qtc_ms": QTC_MS}

# Most severe last: a recorded renal category may be worse than its eGFR says (dialysis), never milder.
_RENAL_ORDER = {key: n for n, key in enumerate(RENAL)}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any) -> Any:
    """A number typed as text ("72.5", "72,5") as a float; anything else as it is."""
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return value
    return value


def _places(key: str) -> int:
    return WEIGHT_PLACES if key == "weight_kg" else 1


def kg_from_lb(lb: float) -> float:
    """Pounds → kilograms, to 0.1 kg."""
    return round(lb / LB_PER_KG, 1)


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``date`` or ISO text ("2026-12-01"); None when empty or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def check(values: Mapping[str, Any], today: dt.date) -> dict[str, str]:
    """Why each given fact is refused, keyed by field (empty when all are accepted).

    Only the keys present are checked, except the pairs: a QTc needs its date and a date its QTc,
    and a recorded renal category may not be milder than the eGFR's. Unknown keys are refused.
    """
    errors: dict[str, str] = {}
    for key in values:
        if key not in RECORD_FIELDS:
            errors[key] = f"Unknown patient fact {key!r}."
    pregnancy = values.get("pregnancy")
    if not _empty(pregnancy) and pregnancy not in PREGNANCY_LABELS:
        errors["pregnancy"] = "Choose the pregnancy status from the list."
    for key, rng in RANGES.items():
        if key in values and (message := rng.error(values[key])) is not None:
            errors[key] = message
    hepatic = values.get("hepatic")
    if not _empty(hepatic) and hepatic not in HEPATIC:
        errors["hepatic"] = "Choose the hepatic impairment from the list."
    renal = values.get("renal")
    if not _empty(renal) and renal not in RENAL:
        errors["renal"] = "Choose the renal function from the list."
    qtc_on = values.get("qtc_on")
    when = parse_date(qtc_on)
    if not _empty(qtc_on):
        if when is None:
            errors["qtc_on"] = f"Enter the QTc date as {DATE_FORMAT_HINT}."
        elif when > today:
            errors["qtc_on"] = "The QTc date cannot be in the future."
    qtc = values.get("qtc_ms")
    if "qtc_ms" not in errors and "qtc_on" not in errors:
        if not _empty(qtc) and _empty(qtc_on):
            errors["qtc_on"] = "Enter the date of this QTc."
        elif _empty(qtc) and not _empty(qtc_on):
            errors["qtc_ms"] = "Enter the QTc of this date, or clear the date."
    egfr = _number(values.get("egfr"))
    if renal in RENAL and "egfr" not in errors and isinstance(egfr, (int, float)) and _is_number(egfr):
        by_egfr = renal_category(egfr)
        assert by_egfr is not None
        if _RENAL_ORDER[renal] < _RENAL_ORDER[by_egfr]:
            errors["renal"] = (f"An eGFR of {format_vital(egfr)} is {RENAL_LABELS[by_egfr]}; choose that, "
                               "or correct the eGFR.")
    return {key: errors[key] for key in (*RECORD_FIELDS, *errors) if key in errors}


def clean(values: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The facts as stored: numbers as numbers (QTc whole), categories as their keys, the QTc date
    as a ``date``, empty ones ``None``. Raises ValidationError({field: message}) if any is bad."""
    errors = check(values, today)
    if errors:
        raise ValidationError(errors)
    out: dict[str, Any] = {}
    for key in values:
        value = values[key]
        if _empty(value):
            out[key] = None
        elif key in RANGES:
            number = _number(value)
            out[key] = int(number) if RANGES[key].whole else round(float(number), _places(key))
        elif key == "qtc_on":
            out[key] = parse_date(value)
        else:
            out[key] = value
    return out


def accepted(values: Mapping[str, Any], today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """What a form keeps of the facts typed, as a draft stores them (plain JSON), and every error
    to show: a value refused on its own (out of range, not a number, a future date) is left out,
    as an impossible vital is; one that only lacks its pair (a QTc without its date) is kept."""
    errors = check(values, today)
    kept: dict[str, Any] = {}
    for key in values:
        value = values[key]
        if _empty(value) or key not in RECORD_FIELDS or key in check({key: value}, today):
            kept[key] = None
        elif key in RANGES:
            number = _number(value)
            kept[key] = int(number) if RANGES[key].whole else round(float(number), _places(key))
        elif key == "qtc_on":
            when = parse_date(value)
            kept[key] = when.isoformat() if when is not None else None
        else:
            kept[key] = value
    return kept, errors


def from_intake(data: Mapping[str, Any]) -> dict[str, Any]:
    """The facts an intake draft records (:data:`RECORD_FIELDS`): the weight from its vitals, the
    rest from its medical section (raw, as saved; :func:`check` them before use)."""
    def section(name: str) -> Mapping[str, Any]:
        value = data.get(name)
        return value if isinstance(value, Mapping) else {}

    medical, vitals = section("medical"), section("vitals")
    return {"weight_kg": vitals.get("weight_kg"), **{key: medical.get(key) for key in RECORD_FIELDS[1:]}}


class _Facts(Protocol):
    @property
    def weight_kg(self) -> float | None: ...
    @property
    def hepatic(self) -> str | None: ...
    @property
    def renal(self) -> str | None: ...
    @property
    def egfr(self) -> float | None: ...
    @property
    def qtc_ms(self) -> int | None: ...
    @property
    def qtc_on(self) -> Any: ...


def summary_line(facts: _Facts, weight_text: Callable[[float], str] | None = None) -> str:
    """One line for a screen's header: "Weight 70 kg · Hepatic: none · Renal: reduced (eGFR 55) ·
    QTc 430 ms on 2026-12-01" (each fact not recorded says so). ``weight_text`` says the weight
    (kg) otherwise: in the clinic's units, ``core.units.both_text``."""
    weight, egfr_value = facts.weight_kg, facts.egfr
    if weight is None:
        said = "Weight not recorded"
    else:
        said = f"Weight {weight_text(weight) if weight_text is not None else f'{format_vital(weight)} kg'}"
    parts = [said,
             f"Hepatic: {facts.hepatic or 'not recorded'}"]
    renal = facts.renal if facts.renal is not None else renal_category(egfr_value)
    egfr = f" (eGFR {format_vital(egfr_value)})" if egfr_value is not None else ""
    parts.append(f"Renal: {renal or 'not recorded'}{egfr}")
    if facts.qtc_ms is None:
        parts.append("QTc not recorded")
    else:
        when = parse_date(facts.qtc_on)
        parts.append(f"QTc {facts.qtc_ms} ms " + (f"on {when.isoformat()}" if when else "(date not recorded)"))
    if getattr(facts, "pregnancy", None) == "yes":
        parts.append("Pregnant")
    return " \u00b7 ".join(parts)
