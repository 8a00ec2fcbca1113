"""The intake assessment as data: its sections, what must be filled in before it is signed,
and the risk flags it raises. Pure: no database, no Qt.

A draft is a dict of sections as the intake screen saves it::

    {"identity": {"consent_to_treatment": True, ...},
     "substances": {"rows": [{"substance": "heroin", "last_use": "2026-11-23T01:10:00+00:00", ...}],
                    "prior_overdoses": 1, "naloxone_at_home": False, ...},
     "medical": {"pregnancy": "no", "seizure_history": False, "allergies": "none known",
                 "hepatic": "mild", "renal": None, "egfr": 55, "qtc_ms": 430, "qtc_on": "2026-12-01", ...},
     "vitals": {"pulse": 96, "systolic": 128, ...},
     "scores": {"cows": {"resting_pulse": 1, ...}, "sows_gossop": {...},
                "scored_at": {"cows": "2026-11-23T09:10+01:00", ...}},
     "mental_health": {"phq9": {...}, "gad7": {...}, "asq": {"wished_dead": 0, ...},
                       "scored_at": {...}},
     "social": {"housing": "...", ...}}

The patient facts the medication rules read (hepatic, renal, eGFR, QTc and its date; the weight is
the vitals' ``weight_kg``) are optional and checked by :mod:`clinic_desktop.core.facts`; signing
copies them into the episode's patient facts record.

``scored_at`` holds when each instrument's items were last changed: the time a score was taken.

The suicide-risk screen is the ASQ (``mental_health.asq``, CLINICAL.md §7). Drafts and signed
intakes from before it hold ``mental_health.suicide_risk`` ("yes"/"no") instead: still read, and a
"yes" still raises the safety alert.

What a draft may hold is :data:`DRAFT_FIELDS`; :func:`normalize_draft` keeps a draft to it (the
intake service calls it on every save), and :func:`complete_section` gives a section with every
field, as a screen shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from clinic_desktop.core import clock, facts, protocols, units, vitals, withdrawal
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.instruments import asq_acute, asq_positive, get_instrument

SECTIONS: tuple[tuple[str, str], ...] = (
    ("identity", "Identity and contacts"),
    ("substances", "Substance use"),
    ("medical", "Medical and psychiatric"),
    ("vitals", "Vitals"),
    ("scores", "Withdrawal scores"),
    ("mental_health", "Mental health and safety"),
    ("social", "Social"),
    ("summary", "Summary"),
)
SECTION_LABELS = dict(SECTIONS)

PATHWAYS: dict[str, str] = {
    "buprenorphine_induction": "Buprenorphine induction",
    "methadone": "Methadone",
    "symptomatic_taper": "Symptomatic / non-opioid taper (lofexidine or clonidine)",
    "naltrexone_after_detox": "Naltrexone after detox",
    "referral_out": "Referral out",
}
PREGNANCY = facts.PREGNANCY_LABELS
REQUIRED_VITALS = ("pulse", "systolic", "diastolic", "respiratory_rate", "temperature_c", "spo2")
OLD_LAST_USE = dt.timedelta(days=30)
#: The withdrawal scales offered beside the baseline COWS ("Also score").
EXTRA_SCORES = ("sows_gossop", "sows_handelsman", "oows", "ciwa_ar")
SOCIAL: tuple[tuple[str, str], ...] = (("housing", "Housing"), ("employment", "Employment"),
                                       ("legal", "Legal"), ("transport", "Transport"),
                                       ("supports", "Supports"))
#: What matters to the patient (#16 item 5), in their own words, asked with the social history:
#: the plan's relapse prevention and "My day" start from it (core.plan.prefill). Never required.
WHAT_MATTERS: tuple[tuple[str, str], ...] = (
    ("reasons", "Reasons for recovery"), ("strengths", "Strengths"),
    ("trusted_people", "People they trust"),
    ("routines", "Routines that help"))
#: What each asks about, shown in its empty field.
WHAT_MATTERS_HINTS = {"reasons": "Why they want to stay well, as they say it",
                      "strengths": "What they are good at, what has helped before",
                      "trusted_people": "Who they would call, and how to reach them",
                      "routines": "Sleep, food, movement, mindfulness, hobbies, structure of the day"}
#: The readiness ruler at intake (#16 item 6; its questions: core.support.RULER), 0–10 each:
#: social field → label.
READINESS: tuple[tuple[str, str], ...] = (
    ("readiness_importance", "Importance (0\u201310)"), ("readiness_confidence", "Confidence (0\u201310)"))
SUICIDE_ANSWERS = ("yes", "no")
YEARS_MAX = 90  # years of use
COUNT_MAX = 200  # prior detox episodes, prior overdoses
#: A date or time before this is not one a draft keeps (not recorded).
EARLIEST = dt.datetime(1900, 1, 1)

# ---- the draft's shape ---------------------------------------------------------------------------
TEXT, FLAG, COUNT, YEARS, CHOICE, DATE, TIME, ITEMS, TIMES, ROWS, RAW, RULER = (
    "text", "flag", "count", "years", "choice", "date", "time", "items", "times", "rows", "raw", "ruler")
_MEDICAL_FACTS = facts.FIELDS[1:]  # the weight is the vitals'

#: Each field of a substance row and its kind.
ROW_FIELDS: dict[str, str] = {"substance": CHOICE, "route": TEXT, "amount": TEXT, "unit": TEXT,
                              "frequency": TEXT, "years_of_use": YEARS, "last_use": TIME}
#: Each section's fields and their kinds: everything a draft may hold. A refused vital or fact
#: (``RAW``) is kept as given, to be named when signing.
DRAFT_FIELDS: dict[str, dict[str, str]] = {
    "identity": {"consent_to_treatment": FLAG},
    "substances": {"rows": ROWS, "prior_detox_episodes": COUNT, "prior_overdoses": COUNT,
                   "last_overdose": DATE, "naloxone_at_home": FLAG},
    "medical": {"conditions": TEXT, "seizure_history": FLAG, "pregnancy": CHOICE, "medications": TEXT,
                "allergies": TEXT, "psychiatric_history": TEXT} | dict.fromkeys(_MEDICAL_FACTS, RAW),
    "vitals": {v.id: RAW for v in vitals.VITALS},
    "scores": {"cows": ITEMS} | dict.fromkeys(EXTRA_SCORES, ITEMS) | {"scored_at": TIMES},
    "mental_health": {"phq9": ITEMS, "gad7": ITEMS, "asq": ITEMS, "suicide_risk": CHOICE,
                      "scored_at": TIMES},
    "social": dict.fromkeys((key for key, _label in (*SOCIAL, *WHAT_MATTERS)), TEXT)
    | dict.fromkeys((key for key, _label in READINESS), RULER),
    "summary": {"pathway": CHOICE},
}
_CHOICES: dict[tuple[str, str], Any] = {
    ("substances", "substance"): withdrawal.SUBSTANCES, ("medical", "pregnancy"): PREGNANCY,
    ("mental_health", "suicide_risk"): SUICIDE_ANSWERS, ("summary", "pathway"): PATHWAYS}


@dataclass(frozen=True)
class Missing:
    """One thing that must be filled in before signing: where it is and what to tell the nurse."""

    section: str
    field: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.section}.{self.field}"


@dataclass(frozen=True)
class Flag:
    id: str
    label: str
    basis: str


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name) or {}
    return value if isinstance(value, Mapping) else {}


def parse_time(value: Any) -> dt.datetime | None:
    """An aware datetime from the ISO text a draft stores (None when empty or unreadable)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else None
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def scored_at(data: Mapping[str, Any], section: str, instrument_id: str) -> dt.datetime | None:
    """When the instrument of ``section`` was scored (its items last changed), if recorded."""
    times = _section(data, section).get("scored_at")
    return parse_time(times.get(instrument_id)) if isinstance(times, Mapping) else None


def substance_rows(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows = _section(data, "substances").get("rows") or []
    return [r for r in rows if isinstance(r, Mapping) and r.get("substance")]


# ---- keeping a draft to its shape ----------------------------------------------------------------
def _text(value: Any) -> str:
    return str(value or "").strip()


def _count(value: Any, maximum: int) -> int | None:
    """A count: None when not recorded, else at most ``maximum``."""
    return min(value, maximum) if isinstance(value, int) and value >= 0 else None


def _time(value: Any) -> str | None:
    """An aware time as ISO text (as given when it is text); None when unreadable or too early."""
    when = parse_time(value)
    if when is None or clock.local(when).replace(tzinfo=None) <= EARLIEST:
        return None
    return value if isinstance(value, str) else when.isoformat()


def _date(value: Any) -> str | None:
    """A date as ISO text ("2025-02-03"); None when unreadable or too early."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        when: dt.date | None = value
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" \
            and value.replace("-", "").isdigit():
        try:
            when = dt.date.fromisoformat(value)
        except ValueError:
            when = None
    else:
        when = None
    return when.isoformat() if when is not None and when > EARLIEST.date() else None


def _items(section: str, instrument_id: str, value: Any) -> dict[str, int]:
    """An instrument's answered items; an unknown item or score is refused."""
    mapping = value if isinstance(value, Mapping) else {}
    try:
        get_instrument(instrument_id).score(mapping)
    except (TypeError, ValueError) as exc:
        raise ValidationError({f"{section}.{instrument_id}": str(exc)}) from None
    return {k: v for k, v in mapping.items() if v is not None}


def scored_times(value: Any, answered: Mapping[str, Any]) -> dict[str, str]:
    """``scored_at`` kept: the readable times of the instruments with answers in ``answered``."""
    if not isinstance(value, Mapping):
        return {}
    return {iid: t for iid, t in value.items()
            if answered.get(iid) and isinstance(t, str) and parse_time(t) is not None}


def _field(section: str, key: str, kind: str, value: Any) -> Any:
    if kind == TEXT:
        return _text(value)
    if kind == FLAG:
        return value is True
    if kind == COUNT:
        return _count(value, COUNT_MAX)
    if kind == YEARS:
        return _count(value, YEARS_MAX)
    if kind == RULER:  # 0–10, or not recorded (never clamped: 11 is not a 10)
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10 else None
    if kind == CHOICE:
        return value if isinstance(value, str) and value in _CHOICES[(section, key)] else None
    if kind == DATE:
        return _date(value)
    if kind == TIME:
        return _time(value)
    if kind == ITEMS:
        return _items(section, key, value)
    if kind == ROWS:
        rows = value if isinstance(value, (list, tuple)) else []
        return [normalize_row(row) for row in rows if isinstance(row, Mapping)]
    return value  # RAW and VITAL: checked when signing


def _kept(section: str, fields: Mapping[str, str], value: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: _field(section, key, kind, value[key]) for key, kind in fields.items()
           if key in value and kind != TIMES}
    for key, kind in fields.items():
        if kind == TIMES and key in value:
            out[key] = scored_times(value[key], out)
    return out


def normalize_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A substance row kept to :data:`ROW_FIELDS` (fields not given stay absent)."""
    return _kept("substances", ROW_FIELDS, row)


def normalize_section(name: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """Section ``name`` kept to :data:`DRAFT_FIELDS`: unknown fields dropped, each given field in
    its type (text stripped, a flag True or False, a count clamped, a choice one of its keys or None,
    a time aware ISO text or None, an instrument's answered items, ``scored_at`` only for
    instruments with answers); fields not given stay absent. An unknown instrument item is
    refused (ValidationError)."""
    return _kept(name, DRAFT_FIELDS[name], value)


def normalize_draft(data: Any) -> dict[str, Any]:
    """What a draft may hold, as the intake service saves it: each section kept to its shape
    (:func:`normalize_section`); an unknown section, or one that is not a set of fields, refused."""
    if not isinstance(data, Mapping):
        raise ValidationError("An assessment draft is a set of sections.")
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({"": f"Unknown assessment sections: {', '.join(sorted(map(str, unknown)))}."})
    out: dict[str, Any] = {}
    for name, value in data.items():
        if not isinstance(value, Mapping):
            raise ValidationError({name: f"{SECTION_LABELS[name]}: not a set of fields."})
        out[name] = normalize_section(name, value)
    return out


_EMPTY: dict[str, Any] = {TEXT: "", FLAG: False, COUNT: None, RULER: None, YEARS: None, CHOICE: None, DATE: None,
                          TIME: None, RAW: None}


def complete_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A substance row with every field (empty where not given)."""
    return {key: _EMPTY[kind] for key, kind in ROW_FIELDS.items()} | normalize_row(row)


def complete_section(name: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """Section ``name`` with every field a screen shows (empty where not given): every row
    complete, the baseline instruments' items (``{}`` when none), an extra scale only when
    answered, a vital only when given."""
    kept = normalize_section(name, value)
    out: dict[str, Any] = {}
    for key, kind in DRAFT_FIELDS[name].items():
        if kind == ROWS:
            out[key] = [complete_row(row) for row in kept.get(key, [])]
        elif kind in (ITEMS, TIMES):
            if key in EXTRA_SCORES:
                if kept.get(key):
                    out[key] = kept[key]
            else:
                out[key] = kept.get(key, {})
        elif name == "vitals":
            if key in kept:
                out[key] = kept[key]
        else:
            out[key] = kept.get(key, _EMPTY[kind])
    return out


def _consent(data: Mapping[str, Any]) -> str | None:
    if _section(data, "identity").get("consent_to_treatment") is not True:
        return "Record the consent to treatment."
    return None


def _substances(data: Mapping[str, Any]) -> str | None:
    return None if substance_rows(data) else "Add at least one substance."


def pregnant(data: Mapping[str, Any]) -> bool:
    """The intake ``data`` records a pregnancy ("yes"; not "unknown" or "not applicable")."""
    return _section(data, "medical").get("pregnancy") == "yes"


def _pregnancy(data: Mapping[str, Any]) -> str | None:
    if _section(data, "medical").get("pregnancy") not in PREGNANCY:
        return "Record the pregnancy status (or not applicable)."
    return None


def _allergies(data: Mapping[str, Any]) -> str | None:
    if not str(_section(data, "medical").get("allergies") or "").strip():
        return "Record allergies (or \u201cnone known\u201d)."
    return None


def _vital(vid: str) -> Callable[[Mapping[str, Any]], str | None]:
    def check(data: Mapping[str, Any]) -> str | None:
        if _section(data, "vitals").get(vid) in (None, ""):
            return f"Enter the {vitals.VITALS_BY_ID[vid].label.lower()}."
        return None
    return check


def _complete(section: str, instrument_id: str, title: str = "") -> Callable[[Mapping[str, Any]], str | None]:
    def check(data: Mapping[str, Any]) -> str | None:
        instrument = get_instrument(instrument_id)
        score = instrument.score(_section(_section(data, section), instrument_id))
        if not score.complete:
            return f"Complete the {title or instrument.short_title} ({len(score.missing)} items missing)."
        return None
    return check


def _pathway(data: Mapping[str, Any]) -> str | None:
    return None if _section(data, "summary").get("pathway") in PATHWAYS else "Choose the pathway."


#: What must be filled in before signing: "section.field" → its check (the refusal's message while
#: it is not filled in, else None), in screen order. Declared once: signing is refused from it
#: (:func:`section_missing`) and the intake screen marks these fields required from it.
REQUIRED_CHECKS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "identity.consent_to_treatment": _consent,
    "substances.rows": _substances,
    "medical.pregnancy": _pregnancy,
    "medical.allergies": _allergies,
    **{f"vitals.{vid}": _vital(vid) for vid in REQUIRED_VITALS},
    "scores.cows": _complete("scores", "cows", "baseline COWS"),
    "mental_health.phq9": _complete("mental_health", "phq9"),
    "mental_health.gad7": _complete("mental_health", "gad7"),
    "mental_health.asq": _complete("mental_health", "asq"),
    "summary.pathway": _pathway,
}
#: The fields required before signing ("section.field"), in screen order.
REQUIRED: tuple[str, ...] = tuple(REQUIRED_CHECKS)
#: Also required: the time of last use of each substance row with a substance chosen (blank rows
#: are not kept), as "substances.rows.<n>.last_use" (see :func:`required_fields`).
ROW_LAST_USE = "substances.rows.{n}.last_use"


def required_fields(data: Mapping[str, Any]) -> tuple[str, ...]:
    """What must be filled in before signing, in screen order ("section.field"): the
    :data:`REQUIRED` fields and the last use of each substance row with a substance chosen.
    Signing is refused from it and the intake screen marks the fields it names required."""
    at = REQUIRED.index("substances.rows") + 1
    rows = tuple(ROW_LAST_USE.format(n=n) for n in range(1, len(substance_rows(data)) + 1))
    return REQUIRED[:at] + rows + REQUIRED[at:]


def _check(key: str, data: Mapping[str, Any]) -> str | None:
    """The refusal's message while the required field ``key`` is not filled in, else None."""
    if key in REQUIRED_CHECKS:
        return REQUIRED_CHECKS[key](data)
    n = int(key.split(".")[2])  # substances.rows.<n>.last_use
    if parse_time(substance_rows(data)[n - 1].get("last_use")) is None:
        return f"Substance {n}: enter the time of last use."
    return None


def _unfilled(name: str, data: Mapping[str, Any], skip: Collection[str] = ()) -> list[Missing]:
    """The required fields of section ``name`` still empty (except the fields in ``skip``)."""
    out: list[Missing] = []
    for key in required_fields(data):
        section, field = key.split(".", 1)
        if section == name and field not in skip and (message := _check(key, data)) is not None:
            out.append(Missing(section, field, message))
    return out


def _missing_identity(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    return _unfilled("identity", data)


def _missing_substances(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    out = _unfilled("substances", data)
    for n, row in enumerate(substance_rows(data), start=1):
        if row["substance"] not in withdrawal.SUBSTANCES:
            out.append(Missing("substances", f"rows.{n}.substance", f"Substance {n}: choose a substance."))
        when = parse_time(row.get("last_use"))
        if when is not None and when > now:
            out.append(Missing("substances", f"rows.{n}.last_use",
                               f"Substance {n}: the last use cannot be in the future."))
    return out


def _missing_medical(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    out = _unfilled("medical", data)
    facts_errors = fact_errors(data, now)
    for key in facts.FIELDS[1:]:
        if key in facts_errors:
            out.append(Missing("medical", key, facts_errors[key]))
    return out


def _missing_vitals(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    out: list[Missing] = []
    values = _section(data, "vitals")
    check = vitals.check_vitals({k: values.get(k) for k in (v.id for v in vitals.VITALS)})
    for key, message in check.errors.items():
        out.append(Missing("vitals", key, message))
    out += _unfilled("vitals", data, skip=check.errors)
    facts_errors = fact_errors(data, now)
    if "weight_kg" in facts_errors and "weight_kg" not in check.errors:
        out.append(Missing("vitals", "weight_kg", facts_errors["weight_kg"]))
    return out


def _missing_scores(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    return _unfilled("scores", data)


def _missing_mental_health(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    return _unfilled("mental_health", data)


def _missing_social(data: Mapping[str, Any], now: dt.datetime) -> list[Missing]:
    return []


_MISSING_IN = {"identity": _missing_identity, "substances": _missing_substances, "medical": _missing_medical,
               "vitals": _missing_vitals, "scores": _missing_scores, "mental_health": _missing_mental_health,
               "social": _missing_social}
_FROM_DRAFT = object()


def section_missing(name: str, data: Mapping[str, Any], now: dt.datetime,
                    pathway: Any = _FROM_DRAFT) -> list[Missing]:
    """What section ``name`` still lacks (or has wrong) before signing, in screen order. The
    summary's pathway is the draft's unless ``pathway`` is given."""
    if name == "summary":
        if pathway is not _FROM_DRAFT:
            data = {**data, "summary": {**_section(data, "summary"), "pathway": pathway}}
        return _unfilled("summary", data)
    return _MISSING_IN[name](data, now)


def missing_to_sign(data: Mapping[str, Any], pathway: str | None, now: dt.datetime) -> list[Missing]:
    """Everything still missing or wrong, in screen order (empty when it can be signed)."""
    return [m for name, _label in SECTIONS for m in section_missing(name, data, now, pathway)]


def fact_errors(data: Mapping[str, Any], now: dt.datetime) -> dict[str, str]:
    """What is wrong with the patient facts this draft records (:mod:`core.facts`): none is
    required, but a value given must be accepted — the weight (with the vitals) within the range
    the medication rules take, a QTc with its date, and so on. Keyed by the facts' field names."""
    return facts.check(facts.from_intake(data), now.astimezone(clock.local_zone()).date())


def old_last_uses(data: Mapping[str, Any], now: dt.datetime) -> list[int]:
    """Substance rows (1-based) whose last use is more than 30 days ago: ask the nurse to confirm."""
    return [n for n, row in enumerate(substance_rows(data), start=1)
            if (when := parse_time(row.get("last_use"))) is not None and now - when > OLD_LAST_USE]


def _asq(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return _section(_section(data, "mental_health"), "asq")


def safety_alert(data: Mapping[str, Any]) -> bool:
    """PHQ-9 item 9 above 0, a positive ASQ, or "yes" to an old draft's suicide question."""
    mental = _section(data, "mental_health")
    phq9 = _section(mental, "phq9")
    answer = mental.get("suicide_risk")
    return protocols.safety_alert(phq9.get("self_harm"), None if answer is None else answer == "yes",
                                  asq_positive(_asq(data)))


def imminent_risk(data: Mapping[str, Any]) -> bool:
    """An acute positive ASQ ("yes" to question 5): imminent risk."""
    return asq_acute(_asq(data))


def risk_flags(data: Mapping[str, Any], system: str = units.METRIC) -> list[Flag]:
    """The risk flags of CLINICAL.md §2–3 that this assessment raises, each with its basis (an
    abnormal temperature or weight said in the clinic's ``system`` of units)."""
    flags: list[Flag] = []
    used = {row["substance"] for row in substance_rows(data)}
    if "benzodiazepines" in used:
        flags.append(Flag("benzodiazepine_co_use", "Benzodiazepine co-use",
                          "Benzodiazepines recorded: overdose and seizure risk."))
    if "alcohol" in used:
        flags.append(Flag("alcohol_co_use", "Alcohol co-use",
                          "Alcohol recorded: overdose and seizure risk; offer CIWA-Ar."))
    substances = _section(data, "substances")
    overdoses = substances.get("prior_overdoses")
    if isinstance(overdoses, int) and overdoses > 0:
        flags.append(Flag("prior_overdose", "Prior overdose", f"{overdoses} prior overdose{'s' if overdoses != 1 else ''} recorded."))
    if "fentanyl" in used:
        flags.append(Flag("fentanyl", "Fentanyl use",
                          "Fentanyl recorded: precipitated withdrawal is more likely at induction."))
    medical = _section(data, "medical")
    if pregnant(data):
        flags.append(Flag("pregnancy", "Pregnant", "Pregnancy recorded: medication for opioid use disorder is "
                          "recommended over withdrawal management (ACOG 711); never a block."))
    if medical.get("seizure_history") is True:
        flags.append(Flag("seizures", "Seizure history", "Seizure history recorded."))
    if imminent_risk(data):
        flags.append(Flag("safety_alert", "Safety alert: imminent risk",
                          f"Acute positive ASQ (\u201cyes\u201d to thoughts of killing themselves "
                          f"right now): {protocols.IMMINENT_RISK_TEXT}"))
    elif safety_alert(data):
        flags.append(Flag("safety_alert", "Safety alert",
                          "PHQ-9 item 9 above 0 or a positive suicide screen (ASQ): "
                          "a safety assessment is needed."))
    warnings = units.warnings_text({k: _section(data, "vitals").get(k) for k in (v.id for v in vitals.VITALS)},
                                   system)
    if warnings:
        flags.append(Flag("abnormal_vitals", "Abnormal vitals", " ".join(warnings.values())))
    return flags


def section_status(data: Mapping[str, Any], now: dt.datetime) -> dict[str, bool]:
    """Done (True) or incomplete (False) for each section, for the side list's marks."""
    return {name: not section_missing(name, data, now) for name, _label in SECTIONS if name != "summary"}


# Most restrictive first: one opioid not yet past its threshold outweighs any other that is.
_READINESS_ORDER = {"not_yet": 0, "caution": 1, "info": 2, "meets": 3}


def buprenorphine_readiness(data: Mapping[str, Any], cows_total: int | None, cows_complete: bool,
                            cows_at: dt.datetime | None, now: dt.datetime,
                            settings: protocols.ProtocolSettings | None = None, *,
                            format_time: Any = None) -> protocols.Prompt:
    """Buprenorphine readiness weighed over EVERY opioid recorded, not only the latest use: each
    must be past its own threshold (methadone, extended-release and short-acting differ), and any
    fentanyl use brings the fentanyl caution with both start options. The most restrictive
    prompt is returned, so a later heroin use never hides an earlier methadone or fentanyl one."""
    prompts = [
        protocols.buprenorphine_readiness(cows_total, cows_complete, cows_at, parse_time(row.get("last_use")),
                                          row["substance"], now, settings, format_time=format_time)
        for row in substance_rows(data)
        if (info := withdrawal.SUBSTANCES.get(row["substance"])) is not None and info.is_opioid
    ]
    if not prompts:
        return protocols.buprenorphine_readiness(cows_total, cows_complete, cows_at, None, None, now, settings,
                                                 format_time=format_time)
    return min(prompts, key=lambda p: _READINESS_ORDER.get(p.status, 2))
