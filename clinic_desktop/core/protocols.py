"""Decision support (CLINICAL.md §3): prompts that say what they are based on, never decide.

Pure standard library: no Qt, no database. Every prompt is a :class:`Prompt` with the facts it
used (``basis``), the thresholds and where they come from (``setting_used``) and the text for
staff. The clinician can always proceed; a prompt never blocks anything. Usage::

    settings = ProtocolSettings.from_mapping(clinic_settings)   # unknown keys are ignored
    prompt = buprenorphine_readiness(14, True, cows_at, last_use, "heroin", now, settings)
    prompt.status    # "meets" | "not_yet" | "caution" | "info"
    prompt.basis     # "COWS 14 at 2024-05-02T09:10+00:00; 16 h since heroin"

Every datetime must be timezone-aware (``ValueError`` otherwise). Times in ``basis`` and
``text`` are ISO 8601 to the minute unless the caller passes ``format_time``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from .text import format_number
from .withdrawal import Substance, format_hours, get_substance, hours_since, require_aware

__all__ = [
    "ALPHA2_HOLDS",
    "FENTANYL_OPTIONS",
    "HOLD_PARAMETERS",
    "IMMINENT_RISK_TEXT",
    "PROMPT_STATUSES",
    "HoldParameter",
    "Prompt",
    "ProtocolSettings",
    "TimeFormatter",
    "alpha2_hold",
    "buprenorphine_readiness",
    "naltrexone_window",
    "naltrexone_window_from",
    "overdose_risk_after_detox",
    "pregnancy_prompt",
    "reassessment_due",
    "safety_alert",
]

TimeFormatter = Callable[[datetime], str]

#: Every status a prompt can have.
PROMPT_STATUSES: frozenset[str] = frozenset(
    {"meets", "not_yet", "caution", "info", "hold_suggested", "no_hold"}
)

#: The two buprenorphine starts the clinic allows after fentanyl, always shown together.
FENTANYL_OPTIONS: tuple[str, str] = (
    "a low-dose (micro-) start over several days",
    "a standard/high-dose start",
)

DEFAULT_SOURCE = "local policy default"
CLINIC_SOURCE = "clinic setting"


@dataclass(frozen=True, slots=True)
class Prompt:
    """One decision-support prompt.

    ``status`` is one of :data:`PROMPT_STATUSES`; ``basis`` lists the facts used (with their
    times); ``setting_used`` the thresholds and their source; ``text`` what staff read.
    ``options`` lists choices the clinic allows when there is more than one (fentanyl).
    """

    id: str
    status: str
    title: str
    basis: str
    setting_used: str
    text: str
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in PROMPT_STATUSES:
            raise ValueError(f"prompt {self.id!r}: unknown status {self.status!r}")


@dataclass(frozen=True, slots=True)
class ProtocolSettings:
    """The configurable thresholds of CLINICAL.md §3 with their shipped defaults.

    A value equal to its shipped default is shown as the "local policy default"; any other value
    as a "clinic setting". Values are whole numbers, but for the fields declared ``float``
    (doses that need a decimal, such as 0.5 mg or 12.5 mg).
    """

    bup_min_cows: int = 8
    bup_min_hours_short_acting: int = 12
    bup_min_hours_extended: int = 24
    #: CLINICAL.md gives 36–72 h after methadone (longer from higher doses); 36 is the minimum.
    bup_min_hours_methadone: int = 36
    #: CLINICAL.md gives 7–10 opioid-free days after a short-acting opioid; 7 is the minimum.
    naltrexone_opioid_free_days_short: int = 7
    #: "up to 14 days" after methadone or buprenorphine.
    naltrexone_opioid_free_days_long: int = 14
    lofexidine_hold_sbp: int = 90
    lofexidine_hold_dbp: int = 50
    lofexidine_hold_hr: int = 50
    clonidine_hold_sbp: int = 90
    clonidine_hold_hr: int = 60
    cows_interval_hours: int = 4
    #: Clonidine for withdrawal is off-label: its limits are all local policy (CLINICAL.md §6),
    #: kept in micrograms so that every setting is a whole number.
    clonidine_max_single_mcg: int = 200
    clonidine_max_daily_mcg: int = 1200
    clonidine_min_interval_hours: int = 4
    #: Blood pressure and pulse taken at most this long before an alpha-2 agonist dose.
    alpha2_vitals_minutes: int = 60
    #: Methadone and the baseline QTc: warn above the first, stop above the second.
    methadone_qtc_warn_ms: int = 450
    methadone_qtc_stop_ms: int = 500
    #: Buprenorphine: a first-day total above this warns (day-1 totals are usually 8–16 mg).
    bup_day1_warn_mg: int = 16
    #: The usual single-dose range of each drug where it is local policy (CLINICAL.md §6): above
    #: the highest an order or a dose is refused (a tenfold slip), below the lowest it needs a
    #: reason. The label's own limits (lofexidine, the adjuncts' maxima) are not settings.
    buprenorphine_min_single_mg: float = 0.5
    methadone_min_single_mg: float = 1.0
    methadone_max_single_mg: int = 200
    clonidine_min_single_mcg: int = 25
    naltrexone_min_single_mg: float = 12.5
    ondansetron_min_single_mg: float = 1.0
    loperamide_min_single_mg: float = 1.0
    ibuprofen_min_single_mg: int = 100
    acetaminophen_min_single_mg: int = 80
    hydroxyzine_min_single_mg: int = 10
    methocarbamol_min_single_mg: int = 250
    trazodone_min_single_mg: float = 12.5
    trazodone_max_single_mg: int = 300
    #: The daily check-in (core.checkin): a craving or an anxiety at or above these, or a mood at
    #: or below, shows on the census and the handover. Local policy, 0–10 like the scales.
    checkin_craving_flag: int = 8
    checkin_anxiety_flag: int = 8
    checkin_mood_flag: int = 2

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in self.decimal_names():
                if (isinstance(value, bool) or not isinstance(value, (int, float))
                        or not math.isfinite(value) or value < 0):
                    raise ValueError(f"{f.name} must be a number ≥ 0, got {value!r}")
                object.__setattr__(self, f.name, float(value))
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{f.name} must be a whole number ≥ 0, got {value!r}")
        if self.bup_min_cows > 48:
            raise ValueError(
                f"bup_min_cows must be within the COWS range 0–48, got {self.bup_min_cows}"
            )
        if self.cows_interval_hours < 1:
            raise ValueError("cows_interval_hours must be at least 1")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The setting keys, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    @functools.cache
    def decimal_names(cls) -> frozenset[str]:
        """The settings that take a decimal (declared ``float``)."""
        return frozenset(f.name for f in dataclasses.fields(cls) if f.type in (float, "float"))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> ProtocolSettings:
        """Defaults overridden by the known keys of ``values`` (other keys are ignored).

        A ``None`` value keeps the default. Accepts the clinic settings mapping as it is.
        """
        if not values:
            return cls()
        known = set(cls.field_names())
        overrides = {k: v for k, v in values.items() if k in known and v is not None}
        return cls(**overrides)

    def is_default(self, name: str) -> bool:
        """True when setting ``name`` has its shipped default value."""
        return getattr(self, name) == getattr(_DEFAULTS, name)

    def source(self, name: str) -> str:
        """"local policy default" or "clinic setting" for setting ``name``."""
        return DEFAULT_SOURCE if self.is_default(name) else CLINIC_SOURCE


_DEFAULTS = ProtocolSettings()


def _join_or(texts: list[str]) -> str:
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} or {texts[-1]}"


def _sourced(settings: ProtocolSettings, parts: list[tuple[str, str]], joiner: str) -> str:
    """Join rule texts, each tagged with the source of its setting (once if all agree).

    ``joiner`` is a separator, or ``"or"`` for "a, b or c".
    """
    def join(texts: list[str]) -> str:
        return _join_or(texts) if joiner == "or" else joiner.join(texts)

    sources = {settings.source(name) for _, name in parts}
    if len(sources) == 1:
        return f"{join([text for text, _ in parts])} ({sources.pop()})"
    return join([f"{text} ({settings.source(name)})" for text, name in parts])


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def _aware_or_none(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else require_aware(value, name)


def _fmt_days(hours: float) -> str:
    return format_hours(hours / 24.0)


# How a prompt names the last opioid ("16 h since heroin") and the rule it uses.
_NOUN = {
    "heroin": "heroin",
    "fentanyl": "fentanyl",
    "prescription": "a prescription opioid",
    "methadone": "methadone",
    "buprenorphine": "buprenorphine",
}
_BUP_RULE = {
    "short": ("bup_min_hours_short_acting", "a short-acting opioid"),
    "extended": ("bup_min_hours_extended", "an extended-release opioid"),
    "methadone": ("bup_min_hours_methadone", "methadone"),
}

_PROCEED = "The clinician may proceed, recording the reason."


def _noun(substance: Substance) -> str:
    return _NOUN.get(substance.id, substance.label.lower())


# --------------------------------------------------------------------------------------------
# Buprenorphine induction readiness
# --------------------------------------------------------------------------------------------

_BUP_ID = "buprenorphine_readiness"
_BUP_TITLE = "Buprenorphine induction readiness"


def _fentanyl_text() -> str:
    return (
        "Fentanyl was used: precipitated withdrawal is more likely, even after longer gaps "
        "than the defaults. The clinic allows two approaches, and the prescriber chooses: "
        f"{FENTANYL_OPTIONS[0]}, or {FENTANYL_OPTIONS[1]}."
    )


def buprenorphine_readiness(
    cows_total: int | None,
    cows_complete: bool,
    cows_at: datetime | None,
    last_use: datetime | None,
    substance_id: str | None,
    now: datetime,
    settings: ProtocolSettings | None = None,
    *,
    format_time: TimeFormatter | None = None,
) -> Prompt:
    """Whether the buprenorphine readiness defaults are met (CLINICAL.md §3).

    Defaults: COWS ≥ 8 **and** ≥ 12 h since a short-acting opioid (heroin, fentanyl), ≥ 24 h
    since an extended-release one (a prescription opioid is checked against this), ≥ 36 h
    since methadone (36–72 h, longer from higher doses). Status:

    * ``"not_yet"`` — a threshold is not reached ("risk of precipitated withdrawal"), or a fact
      is missing: no COWS, an incomplete COWS, no COWS time, a COWS taken before the last use,
      no time of last use, no opioid type, or a time of last use in the future;
    * ``"caution"`` — the defaults are met but the last use was fentanyl (both starts the clinic
      allows are shown), or the COWS is older than the reassessment interval;
    * ``"meets"`` — the defaults are met;
    * ``"info"`` — the last substance is buprenorphine or not an opioid (the rule does not apply).

    After fentanyl the text always presents both options, whatever the status.
    """
    s = settings if settings is not None else ProtocolSettings()
    fmt = format_time or _iso
    require_aware(now, "now")
    _aware_or_none(cows_at, "cows_at")
    _aware_or_none(last_use, "last_use")
    substance = get_substance(substance_id) if substance_id is not None else None

    if substance is not None and substance.acting in (None, "buprenorphine"):
        why = (
            "the last substance is buprenorphine"
            if substance.acting == "buprenorphine"
            else f"{substance.label} is not an opioid"
        )
        return Prompt(
            _BUP_ID,
            "info",
            _BUP_TITLE,
            f"Last substance: {substance.label}",
            "Readiness defaults apply after a full-agonist opioid (heroin, fentanyl, "
            "prescription opioid, methadone)",
            f"The readiness defaults do not apply: {why}. Record the last full-agonist opioid "
            "use, if any, to check readiness. The prescriber decides.",
        )

    basis: list[str] = []
    not_met: list[str] = []
    notes: list[str] = []

    # The COWS.
    at = f" at {fmt(cows_at)}" if cows_at is not None else ""
    if cows_total is None:
        basis.append("No COWS recorded")
        not_met.append("a complete COWS (none recorded)")
    elif not cows_complete:
        basis.append(f"COWS incomplete (partial total {cows_total}{at})")
        not_met.append("a complete COWS (this one is incomplete)")
    else:
        basis.append(f"COWS {cows_total}{at}")
        if cows_total < s.bup_min_cows:
            not_met.append(f"COWS {cows_total} (needs ≥ {s.bup_min_cows})")
        if cows_at is None:
            basis[-1] += " (time not recorded)"
            not_met.append("the time of the COWS")
    stale = False
    if cows_total is not None and cows_at is not None:
        if last_use is not None and cows_at < last_use:
            not_met.append(
                f"a COWS taken after the last use (COWS at {fmt(cows_at)}, "
                f"last use at {fmt(last_use)})"
            )
        elif now - cows_at > timedelta(hours=s.cows_interval_hours):
            stale = True
            notes.append(
                f"The COWS at {fmt(cows_at)} is older than the reassessment interval "
                f"({s.cows_interval_hours} h): repeat it before deciding."
            )

    # The time since last use.
    if substance is None:
        rule_parts = [(f"COWS ≥ {s.bup_min_cows}", "bup_min_cows")] + [
            (f"≥ {getattr(s, name)} h since {noun}", name) for name, noun in _BUP_RULE.values()
        ]
        setting_used = _sourced(s, rule_parts, ", ")
        not_met.append("the opioid type")
        if last_use is None:
            basis.append("time of last use not recorded")
            not_met.append("the time of last use")
        elif last_use > now:
            basis.append(f"last use at {fmt(last_use)} is in the future")
            not_met.append("a time of last use that is not in the future (check the entry)")
        else:
            hours = hours_since(last_use, now)
            basis.append(f"{format_hours(hours)} h since last use (opioid type not recorded)")
    else:
        hours_name, rule_noun = _BUP_RULE[substance.acting]  # type: ignore[index]
        min_hours = getattr(s, hours_name)
        setting_used = _sourced(
            s,
            [(f"COWS ≥ {s.bup_min_cows}", "bup_min_cows"),
             (f"≥ {min_hours} h since {rule_noun}", hours_name)],
            " and ",
        )
        if last_use is None:
            basis.append(f"time of last {_noun(substance)} use not recorded")
            not_met.append("the time of last use")
        elif last_use > now:
            basis.append(f"last {_noun(substance)} use at {fmt(last_use)} is in the future")
            not_met.append("a time of last use that is not in the future (check the entry)")
        else:
            hours = hours_since(last_use, now)
            basis.append(f"{format_hours(hours)} h since {_noun(substance)}")
            if hours < min_hours:
                not_met.append(
                    f"{format_hours(hours)} h since {_noun(substance)} (needs ≥ {min_hours} h)"
                )
        if substance.acting == "methadone":
            notes.append(
                "After methadone the reference range is 36–72 h, longer from higher methadone "
                f"doses; the {s.source(hours_name)} here is {min_hours} h."
            )
        elif substance.acting == "extended":
            notes.append(
                f"A prescription opioid is checked against the extended-release default "
                f"(≥ {min_hours} h); if only an immediate-release product was taken, the "
                f"short-acting default (≥ {s.bup_min_hours_short_acting} h) may apply."
            )

    fentanyl = substance is not None and substance.id == "fentanyl"
    if not_met:
        status = "not_yet"
        head = (
            "Not yet at the buprenorphine readiness defaults: risk of precipitated withdrawal. "
            f"Not met: {'; '.join(not_met)}."
        )
    elif fentanyl or stale:
        status = "caution"
        head = "Meets the buprenorphine readiness defaults, with caution."
    else:
        status = "meets"
        head = "Meets the buprenorphine readiness defaults. The prescriber decides the start."
    parts = [head]
    if fentanyl:
        parts.append(_fentanyl_text())
    parts.extend(notes)
    if status != "meets":
        parts.append(_PROCEED)
    return Prompt(
        _BUP_ID,
        status,
        _BUP_TITLE,
        "; ".join(basis),
        setting_used,
        " ".join(parts),
        FENTANYL_OPTIONS if fentanyl else (),
    )


# --------------------------------------------------------------------------------------------
# Naltrexone window
# --------------------------------------------------------------------------------------------

_NTX_ID = "naltrexone_window"
_NTX_TITLE = "Naltrexone start"
_NTX_CONFIRM = "Confirm opioid-free by history, urine test and/or naloxone challenge."


def _ntx_rule(s: ProtocolSettings, name: str, after: str, reference: str) -> str:
    return f"≥ {getattr(s, name)} opioid-free days after {after} ({s.source(name)}; {reference})"


def naltrexone_window(
    last_opioid_use: datetime | None,
    substance_id: str | None,
    now: datetime,
    settings: ProtocolSettings | None = None,
    *,
    format_time: TimeFormatter | None = None,
) -> Prompt:
    """Whether the opioid-free period before naltrexone has passed (CLINICAL.md §3).

    Default: 7 days (of the reference's 7–10) after a short-acting opioid — heroin, fentanyl
    and prescription opioids — and 14 days ("up to 14") after methadone or buprenorphine.
    ``"meets"`` once that many days have passed (inclusive), ``"not_yet"`` before (with the
    earliest default start), ``"info"`` when the opioid type is missing or not an opioid.
    The text always asks to confirm by history, urine test and/or naloxone challenge.
    """
    s = settings if settings is not None else ProtocolSettings()
    fmt = format_time or _iso
    require_aware(now, "now")
    _aware_or_none(last_opioid_use, "last_opioid_use")
    substance = get_substance(substance_id) if substance_id is not None else None
    short_rule = _ntx_rule(
        s, "naltrexone_opioid_free_days_short", "a short-acting opioid", "reference 7–10 days"
    )
    long_rule = _ntx_rule(
        s, "naltrexone_opioid_free_days_long", "methadone or buprenorphine",
        "reference: up to 14 days",
    )

    if substance is None or substance.acting is None:
        if substance is None:
            basis = "Opioid type not recorded"
            why = "Record the last opioid and its type"
        else:
            basis = f"Last substance: {substance.label} (not an opioid)"
            why = "Record the last opioid use, if any"
        if last_opioid_use is not None:
            basis += f"; last use at {fmt(last_opioid_use)}"
        return Prompt(
            _NTX_ID,
            "info",
            _NTX_TITLE,
            basis,
            f"{short_rule}; {long_rule}",
            f"{why}: the opioid-free period depends on it. {_NTX_CONFIRM}",
        )

    if substance.acting in ("methadone", "buprenorphine"):
        name, rule = "naltrexone_opioid_free_days_long", long_rule
    else:
        name, rule = "naltrexone_opioid_free_days_short", short_rule
    days = getattr(s, name)
    setting_used = rule
    notes: list[str] = []
    if substance.acting == "extended":
        notes.append(
            "An extended-release prescription opioid may need a longer opioid-free period."
        )

    if last_opioid_use is None:
        status = "not_yet"
        basis = f"Time of last {_noun(substance)} use not recorded"
        head = f"Record the time of last opioid use: naltrexone needs {days} opioid-free days."
    elif last_opioid_use > now:
        status = "not_yet"
        basis = f"Last {_noun(substance)} use at {fmt(last_opioid_use)} is in the future"
        head = "Check the time of last use: it is in the future."
    else:
        hours = hours_since(last_opioid_use, now)
        earliest = last_opioid_use + timedelta(days=days)
        basis = (
            f"{_fmt_days(hours)} days since {_noun(substance)} "
            f"(last use at {fmt(last_opioid_use)})"
        )
        if hours >= days * 24:
            status = "meets"
            head = f"Meets the naltrexone opioid-free default ({days} days)."
        else:
            status = "not_yet"
            head = (
                f"Not yet: {_fmt_days(hours)} of {days} opioid-free days; risk of precipitated "
                f"withdrawal. Earliest start at this default: {fmt(earliest)}."
            )
    parts = [head, *notes, _NTX_CONFIRM]
    if status != "meets":
        parts.append(_PROCEED)
    return Prompt(_NTX_ID, status, _NTX_TITLE, basis, setting_used, " ".join(parts))


def _ntx_earliest(when: datetime | None, substance_id: str, s: ProtocolSettings) -> datetime | None:
    """When naltrexone may start after this exposure; ``None`` = unknown (no time recorded)."""
    if when is None:
        return None
    acting = get_substance(substance_id).acting
    days: int = (s.naltrexone_opioid_free_days_long if acting in ("methadone", "buprenorphine")
            else s.naltrexone_opioid_free_days_short)
    return when + timedelta(days=days)


def naltrexone_window_from(
    exposures: Iterable[tuple[datetime | None, str, str]],
    now: datetime,
    settings: ProtocolSettings | None = None,
    *,
    format_time: TimeFormatter | None = None,
) -> Prompt:
    """The naltrexone window counted from the **most restrictive** of every opioid exposure
    (CLINICAL.md §6): each use recorded at intake and each methadone or buprenorphine dose
    given here, as ``(time, substance id, where)`` — ``where`` says which record it is
    ("use recorded at intake", "dose given here"). The exposure whose window ends last decides;
    an opioid recorded without a time decides first (the window cannot be known). Non-opioids
    are left out; with no opioid exposure at all this is :func:`naltrexone_window` of nothing.
    """
    s = settings if settings is not None else ProtocolSettings()
    opioids = [(t, sid, where) for t, sid, where in exposures if get_substance(sid).acting is not None]
    if not opioids:
        return naltrexone_window(None, None, now, s, format_time=format_time)
    undated = [e for e in opioids if e[0] is None]
    if undated:
        chosen = undated[0]
    else:
        chosen = max(opioids, key=lambda e: (_ntx_earliest(e[0], e[1], s), e[0]))
    when, substance_id, where = chosen
    prompt = naltrexone_window(when, substance_id, now, s, format_time=format_time)
    if where == "dose given here":  # a dose on the MAR, not a use the patient reported
        prompt = dataclasses.replace(prompt, basis=prompt.basis.replace("(last use at ", "(at "))
    if len(opioids) > 1:
        basis = f"{prompt.basis}, {where}: the most restrictive of {len(opioids)} opioid exposures"
        prompt = dataclasses.replace(prompt, basis=basis)
    return prompt


# --------------------------------------------------------------------------------------------
# Lofexidine / clonidine holds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldParameter:
    """A hold parameter of an order: "hold if ``short`` < n". ``field`` is the order's column
    and keyword (``hold_sbp_below``), ``vital`` the :mod:`clinic_desktop.core.vitals` id."""

    field: str
    vital: str
    short: str
    label: str


#: The one declared list of hold parameters: the order's fields, the vital each reads.
HOLD_PARAMETERS: tuple[HoldParameter, ...] = (
    HoldParameter("hold_sbp_below", "systolic", "SBP", "Hold if SBP below"),
    HoldParameter("hold_dbp_below", "diastolic", "DBP", "Hold if DBP below"),
    HoldParameter("hold_hr_below", "pulse", "HR", "Hold if HR below"),
)
#: The alpha-2 agonists that have hold parameters.
Alpha2Drug = Literal["lofexidine", "clonidine"]
#: The alpha-2 agonists' hold parameters: order field → the ProtocolSettings field of its default.
ALPHA2_HOLDS: dict[Alpha2Drug, dict[str, str]] = {
    "lofexidine": {"hold_sbp_below": "lofexidine_hold_sbp", "hold_dbp_below": "lofexidine_hold_dbp",
                   "hold_hr_below": "lofexidine_hold_hr"},
    "clonidine": {"hold_sbp_below": "clonidine_hold_sbp", "hold_hr_below": "clonidine_hold_hr"},
}

_LOFEXIDINE_LABEL = (
    "The lofexidine label sets no numbers for holds (it says to reduce, delay or skip a dose for "
    "significant hypotension or bradycardia)."
)
_LOFEXIDINE_DEFAULTS = (
    f"The local policy default (SBP < {_DEFAULTS.lofexidine_hold_sbp}, DBP < "
    f"{_DEFAULTS.lofexidine_hold_dbp} or HR < {_DEFAULTS.lofexidine_hold_hr}) is the pivotal "
    "trial's criteria"
)


def _check_vital(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return value


def alpha2_hold(
    drug: Alpha2Drug,
    sbp: float | None,
    dbp: float | None,
    hr: float | None,
    settings: ProtocolSettings | None = None,
    *,
    taken_at: datetime | None = None,
    now: datetime | None = None,
    format_time: TimeFormatter | None = None,
) -> Prompt:
    """Whether the hold parameters of an alpha-2 agonist dose are met (CLINICAL.md §3).

    With ``taken_at`` (when the set was taken) and ``now``, a set older than
    ``alpha2_vitals_minutes`` (local policy, default 60) is not used: the prompt says "Vitals
    needed before the next dose" (status ``"info"``), whatever the values.

    Defaults (local policy): lofexidine — hold if SBP < 90, DBP < 50 or HR < 50; clonidine —
    hold if SBP < 90 or HR < 60 (DBP is not used). Comparisons are strict. Status
    ``"hold_suggested"`` when any parameter is met (even if another vital is missing), ``"info"``
    asking for the missing vitals when none is met but one is missing, else ``"no_hold"``.
    """
    s = settings if settings is not None else ProtocolSettings()
    values = {
        "SBP": _check_vital("sbp", sbp),
        "DBP": _check_vital("dbp", dbp),
        "HR": _check_vital("hr", hr),
    }
    if drug not in ALPHA2_HOLDS:
        raise ValueError(f"unknown drug {drug!r}; known: {', '.join(ALPHA2_HOLDS)}")
    rules = [(h.short, ALPHA2_HOLDS[drug][h.field]) for h in HOLD_PARAMETERS if h.field in ALPHA2_HOLDS[drug]]
    title = f"{drug.capitalize()} dose: hold parameters"

    rule_texts = [(f"{vital} < {getattr(s, name)}", name) for vital, name in rules]
    setting_used = "Hold if " + _sourced(s, rule_texts, "or")
    lofexidine_note = ""
    if drug == "lofexidine":
        if all(s.is_default(name) for _, name in rules):
            setting_used += "; the pivotal trial's criteria (the label sets no numbers)"
            lofexidine_note = f"{_LOFEXIDINE_LABEL} {_LOFEXIDINE_DEFAULTS}."
        else:
            setting_used += "; the label sets no numbers"
            lofexidine_note = (
                f"{_LOFEXIDINE_LABEL} {_LOFEXIDINE_DEFAULTS}; this clinic has set its own."
            )

    basis = "; ".join(
        f"{vital} {format_number(v)}" if v is not None else f"{vital} not recorded"
        for vital, v in values.items()
        if v is not None or vital in {r[0] for r in rules}
    )
    if taken_at is not None:
        basis += f" (taken at {(format_time or _iso)(taken_at)})"
        if now is not None and now - taken_at > timedelta(minutes=s.alpha2_vitals_minutes):
            text = (f"Vitals needed before the next dose: this set is {format_hours(hours_since(taken_at, now))} h "
                    f"old; {s.source('alpha2_vitals_minutes')}: blood pressure and pulse within "
                    f"{s.alpha2_vitals_minutes} min before each dose.")
            return Prompt(f"{drug}_hold", "info", title, basis, setting_used, text)
    met = [
        f"{vital} {format_number(values[vital])} (< {getattr(s, name)})"
        for vital, name in rules
        if values[vital] is not None and values[vital] < getattr(s, name)
    ]
    missing = [vital for vital, _ in rules if values[vital] is None]
    if met:
        status = "hold_suggested"
        head = f"Hold suggested: {', '.join(met)}."
        if missing:
            head += f" Also take {', '.join(missing)}."
        head += " The nurse or prescriber decides; record the dose as held with a reason, or given."
    elif missing:
        status = "info"
        head = f"Take {', '.join(missing)} before the dose to check the hold parameters."
    else:
        status = "no_hold"
        head = "No hold parameter met. Give as ordered, using clinical judgement."
    text = f"{head} {lofexidine_note}" if lofexidine_note else head
    return Prompt(f"{drug}_hold", status, title, basis, setting_used, text)


# --------------------------------------------------------------------------------------------
# Reassessment, overdose risk, safety
# --------------------------------------------------------------------------------------------


def reassessment_due(
    last_cows_at: datetime | None,
    now: datetime,
    settings: ProtocolSettings | None = None,
) -> tuple[datetime | None, bool]:
    """``(next_due, overdue)``: the next COWS is due at last + interval; overdue once ``now`` is
    strictly after it. Without a previous COWS: ``(None, False)`` (no schedule to be late on).
    """
    s = settings if settings is not None else ProtocolSettings()
    require_aware(now, "now")
    if last_cows_at is None:
        return None, False
    require_aware(last_cows_at, "last_cows_at")
    due = last_cows_at + timedelta(hours=s.cows_interval_hours)
    return due, now > due


def overdose_risk_after_detox() -> Prompt:
    """The overdose-risk education that goes on every plan after a completed or interrupted
    detox (CLINICAL.md §2, §3); it cannot be removed.
    """
    return Prompt(
        "overdose_risk_after_detox",
        "info",
        "Overdose risk after detox",
        "Any completed or interrupted detox",
        "Always shown; cannot be removed from the plan",
        "Tolerance falls within days of detox: a former dose can kill. Naloxone kit and "
        "training on the plan. Never use alone.",
    )


#: What a pregnant patient's pathway says (CLINICAL.md §7).
PREGNANCY_TEXT = ("In pregnancy, medication for opioid use disorder (methadone or buprenorphine) is "
                  "recommended over withdrawal management: offer it, and refer to obstetric care. "
                  "This never blocks a pathway; the clinician decides with the patient.")
PREGNANCY_BASIS = "ACOG Committee Opinion 711 (2017); SAMHSA clinical guidance for pregnant women (2018)"


def pregnancy_prompt() -> Prompt:
    """The prompt shown where a pregnant patient's pathway is chosen, and on their plan."""
    return Prompt("pregnancy", "caution", "Pregnancy: medication for opioid use disorder", "Pregnancy recorded",
                  PREGNANCY_BASIS, PREGNANCY_TEXT)


#: What an acute positive ASQ ("yes" to question 5) tells staff (CLINICAL.md §7).
IMMINENT_RISK_TEXT = "imminent risk: do not leave the patient alone; emergency evaluation now."


def safety_alert(phq9_self_harm: int | None, suicide_question_yes: bool | None,
                 asq_positive: bool = False) -> bool:
    """True when PHQ-9 ``self_harm`` > 0, the ASQ is positive (CLINICAL.md §7), or the old
    suicide question (intakes before the ASQ) was answered "yes" (CLINICAL.md §3): alert until a
    safety assessment is saved. ``None`` means not asked.
    """
    if phq9_self_harm is not None and (
        isinstance(phq9_self_harm, bool)
        or not isinstance(phq9_self_harm, int)
        or phq9_self_harm not in (0, 1, 2, 3)
    ):
        raise ValueError(f"PHQ-9 self_harm must be 0–3, got {phq9_self_harm!r}")
    if suicide_question_yes is not None and not isinstance(suicide_question_yes, bool):
        raise ValueError(f"suicide question answer must be True, False or None, got "
                         f"{suicide_question_yes!r}")
    if not isinstance(asq_positive, bool):
        raise TypeError(f"ASQ positive must be True or False, got {asq_positive!r}")
    return bool(phq9_self_harm) or suicide_question_yes is True or asq_positive
