"""Medication administration record (MAR) rules (CLINICAL.md §2–§3): orders, due doses, checks.

Pure standard library: no Qt, no database. Usage::

    order = Order(id="o1", drug_id="lofexidine", dose=0.54, unit="mg", route="oral",
                  times=("08:00", "13:00", "18:00", "23:00"), start=admitted_at,
                  **default_holds("lofexidine", settings))
    due_doses(order, administrations, day_start, day_end, clinic_tz, now)   # [DueDose, ...]
    check = check_give(order, administrations, now, 0.54, latest_vitals, tz=clinic_tz)
    check.refusals        # reasons not to give; a prescriber may override if check.can_override
    check.hold_reasons    # hold parameters met: the nurse records a reason to give, or holds

The checks support the nurse and prescriber; they never decide. Every datetime must be
timezone-aware (``ValueError`` otherwise). Reassessment timing is
:func:`clinic_desktop.core.protocols.reassessment_due`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Literal

from .formulary import (
    CLASS_LABELS,
    DRUGS,
    HOLD_PARAMETERS,
    INTERACTIONS,
    OTHER_DRUG_ID,
    Drug,
    Limit,
    PatientFacts,
    drug_classes,
)
from .protocols import ProtocolSettings
from .text import format_number
from .withdrawal import require_aware

__all__ = [
    "DOSE_STATUSES",
    "DOSE_VITALS",
    "DRUGS",
    "OTHER_DRUG_ID",
    "OUTCOMES",
    "SEVERITIES",
    "Administration",
    "Drug",
    "DueDose",
    "Finding",
    "GiveCheck",
    "Order",
    "VitalsSet",
    "check_give",
    "check_order",
    "default_holds",
    "due_doses",
    "heaviest_window",
]


Outcome = Literal["given", "held", "refused"]

#: What can be recorded for a dose.
OUTCOMES: tuple[str, ...] = ("given", "held", "refused")
#: The status of a scheduled dose: a recorded outcome, or how far past its time it is.
DOSE_STATUSES: tuple[str, ...] = (*OUTCOMES, "due", "late", "missed")


def default_holds(
    drug_id: str, settings: ProtocolSettings | None = None
) -> dict[str, int | None]:
    """The hold parameters to prefill on a new order, as :class:`Order` keyword arguments:
    every field of :data:`~clinic_desktop.core.formulary.HOLD_PARAMETERS`, from the clinic's
    settings for the drugs that have holds (lofexidine, clonidine), ``None`` otherwise
    (including ``"other"``). An unknown id raises ``ValueError``.
    """
    s = settings if settings is not None else ProtocolSettings()
    if drug_id != OTHER_DRUG_ID and drug_id not in DRUGS:
        raise ValueError(f"unknown drug {drug_id!r}; known: {', '.join(DRUGS)}, other")
    holds = DRUGS[drug_id].holds if drug_id in DRUGS else {}
    return {h.field: (getattr(s, holds[h.field]) if h.field in holds else None) for h in HOLD_PARAMETERS}


def _require_number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _require_positive(value: object, name: str) -> None:
    if _require_number(value, name) <= 0:
        raise ValueError(f"{name} must be more than 0, got {value!r}")


def _utc(value: datetime, name: str) -> datetime:
    """``value`` in UTC (``ValueError`` if naive): aware datetimes in one zone compare by wall
    time, which is wrong across a DST change.
    """
    return require_aware(value, name).astimezone(UTC)


def _require_text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must not be blank")


def _parse_clock(text: str) -> time:
    """A local "HH:MM" time of day (``ValueError`` otherwise)."""
    if isinstance(text, str) and len(text) == 5 and text[2] == ":":
        hours, minutes = text[:2], text[3:]
        if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
            return time(int(hours), int(minutes))
    raise ValueError(f"a scheduled time must be 'HH:MM' (00:00–23:59), got {text!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """A medication order: scheduled (``times``) or PRN (``min_interval_hours``), not both.

    ``times`` are local "HH:MM" times in the clinic's time zone. ``max_daily_dose`` is in the
    order's ``unit``, over any 24 h. The order is active from ``start`` (inclusive) until
    ``stop`` (exclusive; ``None`` = no stop); both are stored in UTC. A hold parameter
    ``hold_sbp_below=90`` means "hold if SBP < 90". ``drug_name`` is required for
    ``drug_id="other"``.
    """

    id: str
    drug_id: str
    drug_name: str = ""
    dose: float
    unit: str
    route: str
    times: tuple[str, ...] = ()
    min_interval_hours: float | None = None
    max_daily_dose: float | None = None
    start: datetime
    stop: datetime | None = None
    hold_sbp_below: int | None = None
    hold_dbp_below: int | None = None
    hold_hr_below: int | None = None

    def __post_init__(self) -> None:
        _require_text(self.id, "order id")
        if self.drug_id != OTHER_DRUG_ID and self.drug_id not in DRUGS:
            raise ValueError(f"unknown drug {self.drug_id!r}; known: {', '.join(DRUGS)}, other")
        if self.drug_id == OTHER_DRUG_ID:
            _require_text(self.drug_name, "drug_name of an 'other' drug")
        _require_positive(self.dose, "dose")
        _require_text(self.unit, "unit")
        _require_text(self.route, "route")
        if bool(self.times) == (self.min_interval_hours is not None):
            raise ValueError("an order has either times (scheduled) or min_interval_hours (PRN)")
        for text in self.times:
            _parse_clock(text)
        if len(set(self.times)) != len(self.times):
            raise ValueError(f"scheduled times repeat: {self.times!r}")
        if self.min_interval_hours is not None:
            _require_positive(self.min_interval_hours, "min_interval_hours")
        if self.max_daily_dose is not None:
            _require_positive(self.max_daily_dose, "max_daily_dose")
        object.__setattr__(self, "start", _utc(self.start, "start"))
        if self.stop is not None:
            object.__setattr__(self, "stop", _utc(self.stop, "stop"))
            if self.stop <= self.start:
                raise ValueError("stop must be after start")
        for name in (h.field for h in HOLD_PARAMETERS):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValueError(f"{name} must be a whole number ≥ 0 or None, got {value!r}")

    @property
    def is_prn(self) -> bool:
        """True for an as-needed order."""
        return self.min_interval_hours is not None

    @property
    def drug(self) -> Drug | None:
        """The drug, or ``None`` for a free-text ("other") drug."""
        return DRUGS.get(self.drug_id)

    @property
    def name(self) -> str:
        """``drug_name`` if given, else the drug's label."""
        return self.drug_name.strip() or DRUGS[self.drug_id].label

    def active_at(self, moment: datetime) -> bool:
        """True when ``start <= moment < stop``."""
        return self.start <= moment and (self.stop is None or moment < self.stop)


@dataclass(frozen=True, slots=True, kw_only=True)
class Administration:
    """One recorded dose: given (with the ``dose`` given, in the order's unit), held or refused
    (with a ``reason``, no dose). ``scheduled_for`` links it to a :class:`DueDose`;
    ``override_note`` is the prescriber's note when a refusal was overridden. ``at`` and
    ``scheduled_for`` are stored in UTC.
    """

    order_id: str
    outcome: Outcome
    at: datetime
    dose: float | None = None
    reason: str = ""
    by: str
    scheduled_for: datetime | None = None
    override_note: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}; known: {', '.join(OUTCOMES)}")
        object.__setattr__(self, "at", _utc(self.at, "at"))
        if self.scheduled_for is not None:
            object.__setattr__(self, "scheduled_for", _utc(self.scheduled_for, "scheduled_for"))
        _require_text(self.by, "by")
        if self.outcome == "given":
            _require_positive(self.dose, "dose given")
        else:
            if self.dose is not None:
                raise ValueError(f"a {self.outcome} dose records no dose given")
            _require_text(self.reason, f"the reason a dose was {self.outcome}")


@dataclass(frozen=True, slots=True)
class DueDose:
    """A scheduled dose (``scheduled_for`` in UTC) and its status (:data:`DOSE_STATUSES`), with
    the administration recorded for it, if any.
    """

    order_id: str
    scheduled_for: datetime
    status: str
    administration: Administration | None


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    """The local clock reading (naive) at ``instant`` in ``tz``."""
    return instant.astimezone(UTC).astimezone(tz).replace(tzinfo=None)  # via UTC: same-zone astimezone is a no-op


def _local_instant(day: date, clock: time, tz: tzinfo) -> datetime:
    """The UTC instant the clock in ``tz`` reads ``clock`` on ``day``.

    A time read twice (fall back) is its first occurrence; a time never read (spring forward)
    is the first instant after it, the end of the gap (02:30 → 03:00).
    """
    wall = datetime.combine(day, clock)
    first = wall.replace(tzinfo=tz, fold=0)
    if _wall(first, tz) == wall:
        return first.astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1)
    instant = min(first.astimezone(UTC), second.astimezone(UTC))  # before the gap
    while _wall(instant, tz) < wall:
        instant += timedelta(minutes=1)
    return instant


def due_doses(
    order: Order,
    administrations: Iterable[Administration],
    start: datetime,
    end: datetime,
    tz: tzinfo,
    now: datetime,
    *,
    late_after: timedelta = timedelta(minutes=60),
    missed_after: timedelta = timedelta(hours=4),
) -> list[DueDose]:
    """The scheduled doses of ``order`` in ``[start, end)`` while the order is active, in time
    order (a PRN order has none).

    Times are the order's local "HH:MM" in ``tz``, returned in UTC. On DST days a time the
    clock shows twice is its first occurrence, and a time it skips is the end of the gap
    (02:30 → 03:00), once; two times falling on the same instant give one dose.

    Status: the outcome of the last administration of this order recorded for that
    ``scheduled_for``; else ``"missed"`` more than ``missed_after`` after its time, ``"late"``
    more than ``late_after`` after it, else ``"due"`` (including doses still to come).
    """
    start, end, now = _utc(start, "start"), _utc(end, "end"), _utc(now, "now")
    if end < start:
        raise ValueError("end must not be before start")
    clocks = [_parse_clock(text) for text in order.times]
    recorded: dict[datetime, Administration] = {}
    for a in sorted(administrations, key=lambda a: a.at):
        if a.order_id == order.id and a.scheduled_for is not None:
            recorded[a.scheduled_for] = a

    instants: set[datetime] = set()
    day, last_day = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last_day:
        for clock in clocks:
            instant = _local_instant(day, clock, tz)
            if start <= instant < end and order.active_at(instant):
                instants.add(instant)
        day += timedelta(days=1)

    doses = []
    status: str
    for instant in sorted(instants):
        administration = recorded.get(instant)
        if administration is not None:
            status = administration.outcome
        elif now - instant > missed_after:
            status = "missed"
        elif now - instant > late_after:
            status = "late"
        else:
            status = "due"
        doses.append(DueDose(order.id, instant, status, administration))
    return doses


Severity = Literal["hard", "reason", "hold", "info"]
#: What a finding asks for: ``hard`` refuses (a prescriber may override it when
#: ``overridable``), ``reason`` and ``hold`` need the clinician's reason, ``info`` is shown.
SEVERITIES: tuple[str, ...] = ("hard", "reason", "hold", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired: ``rule`` is a stable id (``"lofexidine.max_daily"``), ``text`` what
    staff read, ``source`` its kind (``"label"``, ``"regulation"``, ``"local policy"``, or
    ``"order"`` for the order's own limits) with ``citation``; ``field`` is the form field it
    belongs next to."""

    rule: str
    severity: Severity
    text: str
    source: str
    citation: str = ""
    field: str = "dose"
    overridable: bool = True

    @property
    def line(self) -> str:
        """"Lofexidine: 5 h between doses … — label (lofexidine label (Lucemyra), §2)"."""
        cite = f" ({self.citation})" if self.citation else ""
        return f"{self.text} \u2014 {self.source}{cite}"


@dataclass(frozen=True, slots=True)
class VitalsSet:
    """One set of vitals as taken (``values`` keyed by :mod:`clinic_desktop.core.vitals` ids)."""

    taken_at: datetime
    values: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "taken_at", _utc(self.taken_at, "taken_at"))


#: The vitals an alpha-2 agonist dose needs, all from one set (blood pressure and pulse).
DOSE_VITALS: tuple[str, ...] = tuple(h.vital for h in HOLD_PARAMETERS)


@dataclass(frozen=True, slots=True)
class GiveCheck:
    """What :func:`check_give` found: every rule that fired (``findings``) and, as one line
    each, the rules checked that did not (``passed``)."""

    findings: tuple[Finding, ...] = ()
    passed: tuple[str, ...] = ()

    @property
    def refusals(self) -> list[str]:
        """The hard limits met, as lines with their source."""
        return [f.line for f in self.findings if f.severity == "hard"]

    @property
    def hold_reasons(self) -> list[str]:
        """What needs a reason to give: hold parameters met, vitals needed, warnings."""
        return [f.line if f.severity == "reason" else f.text
                for f in self.findings if f.severity in ("hold", "reason")]

    @property
    def can_override(self) -> bool:
        """True when there are hard findings and a prescriber may override every one."""
        hard = [f for f in self.findings if f.severity == "hard"]
        return bool(hard) and all(f.overridable for f in hard)

    @property
    def ok(self) -> bool:
        """True when nothing is refused (reasons may still be asked for)."""
        return not self.refusals

    @property
    def clear(self) -> bool:
        """True only when every rule was checked with fresh data and none fired."""
        return not self.findings


def _dec(value: float) -> Decimal:
    """``value`` as the decimal it was typed as (0.72, not 0.7199999…), for exact sums."""
    return Decimal(repr(float(value)))


def _clock_text(instant: datetime, tz: tzinfo, today: datetime) -> str:
    """"14:30" on the local day of ``today``, else "2026-03-09 14:30"."""
    local = instant.astimezone(tz)
    same_day = local.date() == today.astimezone(tz).date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


def _hours_text(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


DAY = timedelta(hours=24)
Dose = tuple[datetime, Decimal]


def heaviest_window(doses: Iterable[Dose], at: datetime, dose: Decimal) -> tuple[Decimal, datetime, datetime]:
    """The largest total of any rolling 24 h window that holds the new dose at ``at``:
    ``(total, first dose time, last dose time)`` of that window.

    A window is ``[t, t + 24 h)``: two doses share one when they are less than 24 h apart, so a
    back-dated dose counts with the doses recorded after it as well as before. The heaviest
    window holding ``at`` starts at a dose time in ``(at − 24 h, at]``.
    """
    near = sorted([(t, d) for t, d in doses if abs(t - at) < DAY] + [(at, dose)])
    best: tuple[Decimal, datetime, datetime] = (dose, at, at)
    for start, _ in near:
        if start > at:
            break
        if at - start >= DAY:
            continue
        inside = [(t, d) for t, d in near if start <= t < start + DAY]
        total = sum((d for _, d in inside), Decimal(0))
        if total > best[0]:
            best = (total, inside[0][0], inside[-1][0])
    return best


def _nearest(times: Iterable[datetime], at: datetime) -> tuple[datetime | None, datetime | None]:
    """The nearest dose time at or before ``at`` and the nearest after it."""
    before = [t for t in times if t <= at]
    after = [t for t in times if t > at]
    return (max(before) if before else None, min(after) if after else None)


def _facts_caps(drug: Drug, facts: PatientFacts | None) -> list[tuple[str, float, float, str, str]]:
    """The label's impairment caps that apply: (rule, single, daily, what, citation)."""
    if facts is None:
        return []
    caps = []
    if facts.hepatic is not None and facts.hepatic in drug.hepatic:
        single, daily = drug.hepatic[facts.hepatic]
        caps.append(("hepatic", single, daily, f"{facts.hepatic} hepatic impairment", drug.hepatic_citation))
    renal = facts.renal_category
    if renal is not None and renal in drug.renal:
        single, daily = drug.renal[renal]
        what = "eGFR 30–89" if renal == "reduced" else "eGFR < 30, end-stage renal disease or dialysis"
        caps.append(("renal", single, daily, f"renal impairment ({what})", drug.renal_citation))
    return caps


def _limits_met(
    order: Order,
    given: list[Administration],
    orders: Mapping[str, Order],
    at: datetime,
    dose: Decimal,
    facts: PatientFacts | None,
    settings: ProtocolSettings,
    clock,
) -> tuple[list[Finding], list[str]]:
    """The rolling 24 h and minimum-interval rules (both directions of time) over ``given``."""
    found: list[Finding] = []
    passed: list[str] = []
    name, unit, drug = order.name, order.unit, order.drug
    own = [(a.at, _dec(a.dose)) for a in given if a.order_id == order.id]  # type: ignore[arg-type]
    same: list[Dose] = []
    if drug is not None and unit == drug.default_unit:
        ids = {oid for oid, o in orders.items()
               if o.drug is not None and o.drug.ingredient == drug.ingredient and o.unit == unit}
        same = [(a.at, _dec(a.dose)) for a in given if a.order_id in ids]  # type: ignore[arg-type]

    def window(rule: str, doses: list[Dose], limit: float, severity: Severity, source: str,
               citation: str, what: str) -> None:
        total, first, last = heaviest_window(doses, at, dose)
        if total > _dec(limit):
            span = (f"from {clock(first)} to {clock(last)}" if first != last else f"at {clock(at)}")
            found.append(Finding(rule, severity, f"{name}: {format_number(total)} {unit} in 24 h with this dose "
                                 f"({span}), above {what} of {format_number(limit)} {unit}", source, citation))
        else:
            passed.append(f"{name}: {what} of {format_number(limit)} {unit} in any 24 h \u2014 {source}")

    def interval(rule: str, times: list[datetime], hours: float, source: str, citation: str,
                 what: str) -> None:
        before, after = _nearest(times, at)
        gap = timedelta(hours=hours)
        if before is not None and at - before < gap:
            found.append(Finding(rule, "hard", f"{name}: {what} {format_number(hours)} h between doses; a dose is "
                                 f"recorded at {clock(before)}, {_hours_text(at - before)} before this one "
                                 f"(next allowed from {clock(before + gap)})", source, citation, "at"))
        elif after is not None and after - at < gap:
            found.append(Finding(rule, "hard", f"{name}: {what} {format_number(hours)} h between doses; a dose is "
                                 f"recorded at {clock(after)}, {_hours_text(after - at)} after this one",
                                 source, citation, "at"))
        else:
            passed.append(f"{name}: {what} {format_number(hours)} h between doses \u2014 {source}")

    if order.max_daily_dose is not None:
        window("order.max_daily", own, order.max_daily_dose, "hard", "order", "", "the order's maximum")
    if order.min_interval_hours is not None:
        interval("order.min_interval", [t for t, _ in own], order.min_interval_hours, "order", "",
                 "the order allows at least")
    if drug is None or unit != drug.default_unit:
        return found, passed
    if drug.max_daily is not None:
        limit = drug.max_daily
        window(f"{drug.id}.max_daily", same, limit.resolve(settings), "hard", limit.source, limit.cite(settings),
               "the maximum")
    for key, _single, daily, what, citation in _facts_caps(drug, facts):
        window(f"{drug.id}.{key}_daily", same, daily, "hard", "label", citation, f"the dose for {what}")
    if drug.warn_daily is not None:
        limit = drug.warn_daily
        total, _, _ = heaviest_window(same, at, dose)
        if total > _dec(limit.resolve(settings)):
            found.append(Finding(f"{drug.id}.warn_daily", "reason",
                                 f"{name}: {format_number(total)} {unit} in 24 h with this dose, above "
                                 f"{format_number(limit.resolve(settings))} {unit}", limit.source, limit.cite(settings)))
    first = min([t for t, _ in same] + [at])  # the first dose of the drug, this one included
    if drug.first_day_warn is not None:
        limit = drug.first_day_warn
        if at < first + DAY:
            total = sum((d for t, d in same if first <= t < first + DAY), Decimal(0)) + dose
            if total > _dec(limit.resolve(settings)):
                found.append(Finding(f"{drug.id}.first_day", "reason",
                                     f"{name}: {format_number(total)} {unit} on the first day (from {clock(first)}) "
                                     f"with this dose, above {format_number(limit.resolve(settings))} {unit}",
                                     limit.source, limit.cite(settings)))
    if drug.max_days is not None:
        limit = drug.max_days
        days = limit.resolve(settings)
        if at >= first + timedelta(days=days):
            found.append(Finding(f"{drug.id}.max_days", "reason",
                                 f"{name}: more than {format_number(days)} days since the first dose ({clock(first)}); "
                                 "taper and stop", limit.source, limit.cite(settings)))
    if drug.min_interval is not None:
        limit = drug.min_interval
        interval(f"{drug.id}.min_interval", [t for t, _ in same], limit.resolve(settings), limit.source,
                 limit.cite(settings), "at least")
    return found, passed


def check_give(
    order: Order,
    administrations: Iterable[Administration],
    at: datetime,
    dose: float,
    vitals: VitalsSet | None = None,
    *,
    tz: tzinfo,
    other_orders: Iterable[Order] = (),
    struck: Iterable[Administration] = (),
    facts: PatientFacts | None = None,
    settings: ProtocolSettings | None = None,
) -> GiveCheck:
    """Check giving ``dose`` (in the order's unit) of ``order`` at ``at`` — the dose's own time.

    Hard (refused; a prescriber may override those marked overridable):

    - a dose ≤ 0, ``at`` outside the order's start/stop, a single dose above the drug's maximum
      (not overridable); above the label's cap for the patient's hepatic or renal impairment;
    - any rolling 24 h window holding this dose above the order's maximum, the drug's maximum
      (every order of the same ingredient) or the impairment cap — counting the doses recorded
      **before and after** ``at``; reaching a maximum exactly is allowed;
    - the minimum interval (the order's, for PRN, and the drug's) to the nearest dose on **both**
      sides; exactly at the interval is allowed;
    - a dose that passes only because a given dose was struck (entered in error): the struck
      dose freed the room, so a prescriber confirms.

    Reason needed: hold parameters met (strictly below) by ``vitals`` — the latest complete set;
    for a drug that needs vitals before each dose, no set, or one older than the policy window
    (``alpha2_vitals_minutes``), is "Vitals needed before this dose"; a dose below the usual
    range; warnings above a warning total (buprenorphine 24 mg a day, first-day totals).

    ``administrations`` are the recorded entries (struck ones left out; pass them as ``struck``).
    Times in the text are local to ``tz``.
    """
    at = _utc(at, "at")
    _require_number(dose, "dose")
    s = settings if settings is not None else ProtocolSettings()
    name, unit, drug = order.name, order.unit, order.drug
    found: list[Finding] = []
    passed: list[str] = []

    def clock(instant: datetime) -> str:
        return _clock_text(instant, tz, at)

    if dose <= 0:
        found.append(Finding("dose.positive", "hard", f"Dose must be more than 0 {unit} (entered {format_number(dose)} {unit})",
                             "order", overridable=False))
        return GiveCheck(tuple(found), ())
    if at < order.start:
        found.append(Finding("order.active", "hard", f"The order for {name} starts at {clock(order.start)}",
                             "order", field="at", overridable=False))
    elif order.stop is not None and at >= order.stop:
        found.append(Finding("order.active", "hard", f"The order for {name} stopped at {clock(order.stop)}",
                             "order", field="at", overridable=False))

    in_unit = drug is not None and unit == drug.default_unit
    if in_unit and drug is not None:
        if drug.max_single is not None:
            limit = drug.max_single.resolve(s)
            if dose > limit:
                found.append(Finding(f"{drug.id}.max_single", "hard",
                                     f"{name}: {format_number(dose)} {unit} is above the largest single dose "
                                     f"({format_number(limit)} {unit})", drug.max_single.source, drug.max_single.cite(s),
                                     overridable=False))
            else:
                passed.append(f"{name}: single dose at most {format_number(limit)} {unit} \u2014 {drug.max_single.source}")
        for key, single, _daily, what, citation in _facts_caps(drug, facts):
            if dose > single:
                found.append(Finding(f"{drug.id}.{key}_single", "hard",
                                     f"{name}: {format_number(dose)} {unit} is above the single dose for {what} "
                                     f"({format_number(single)} {unit})", "label", citation))
        if drug.min_single is not None and dose < drug.min_single.resolve(s):
            found.append(Finding(f"{drug.id}.min_single", "reason",
                                 f"{name}: {format_number(dose)} {unit} is below the usual range ({drug.usual})",
                                 drug.min_single.source, drug.min_single.cite(s)))

    orders = {order.id: order, **{o.id: o for o in other_orders if o.id != order.id}}
    given = [a for a in administrations if a.outcome == "given"]
    limit_found, limit_passed = _limits_met(order, given, orders, at, _dec(dose), facts, s, clock)
    found += limit_found
    passed += limit_passed
    struck_given = [a for a in struck if a.outcome == "given" and a.dose is not None]
    if struck_given:
        with_struck, _ = _limits_met(order, given + struck_given, orders, at, _dec(dose), facts, s, clock)
        fired = {f.rule for f in limit_found}
        for f in with_struck:
            if f.rule not in fired and f.severity == "hard":
                found.append(Finding(
                    "struck.frees_room", "hard",
                    f"A dose struck as entered in error makes room for this one: {f.text}. A prescriber "
                    "confirms it", f.source, f.citation, f.field))

    found += _vitals_findings(order, vitals, at, s, clock, passed)
    return GiveCheck(tuple(found), tuple(passed))


def _vitals_findings(order: Order, vitals: VitalsSet | None, at: datetime, s: ProtocolSettings, clock,
                     passed: list[str]) -> list[Finding]:
    """Hold parameters on the latest complete set; for an alpha-2 agonist, vitals needed."""
    drug = order.drug
    holds = [(h, getattr(order, h.field)) for h in HOLD_PARAMETERS if getattr(order, h.field) is not None]
    needs_fresh = drug is not None and drug.vitals_before
    if not holds and not needs_fresh:
        return []
    minutes = s.alpha2_vitals_minutes
    policy = f"blood pressure and pulse within {minutes} min before each dose"
    if vitals is None:
        if needs_fresh:
            return [Finding("vitals.needed", "reason",
                            "Vitals needed before this dose: no set with blood pressure and pulse recorded",
                            "local policy", policy)]
        return []
    missing = [h.short for h in HOLD_PARAMETERS if vitals.values.get(h.vital) is None]
    if needs_fresh and missing:
        # Blood pressure and pulse come from one set: a set without them cannot clear the dose.
        return [Finding("vitals.needed", "reason",
                        f"Vitals needed before this dose: the set at {clock(vitals.taken_at)} has no "
                        f"{', '.join(missing)}", "local policy", policy)]
    age = at - vitals.taken_at
    if needs_fresh and age > timedelta(minutes=minutes):
        return [Finding("vitals.needed", "reason",
                        f"Vitals needed before this dose: the last set was taken at {clock(vitals.taken_at)}, "
                        f"{_hours_text(age)} before it", "local policy", policy)]
    found = []
    for hold, threshold in holds:
        value = vitals.values.get(hold.vital)
        if value is not None and _require_number(value, hold.vital) < threshold:
            found.append(Finding(f"hold.{hold.vital}", "hold",
                                 f"{hold.short} {format_number(value)} below hold parameter {threshold}", "order",
                                 f"vitals at {clock(vitals.taken_at)}"))
    if not found:
        passed.append(f"Vitals at {clock(vitals.taken_at)}: no hold parameter met")
    return found


def _scheduled_gaps(times: tuple[str, ...]) -> list[tuple[str, str, timedelta]]:
    """Each scheduled time with the next one (the last wraps to the first, a day later)."""
    clocks = sorted(_parse_clock(t) for t in times)
    minutes = [c.hour * 60 + c.minute for c in clocks]
    out = []
    for i, m in enumerate(minutes):
        nxt = minutes[(i + 1) % len(minutes)] + (24 * 60 if i + 1 == len(minutes) else 0)
        out.append((clocks[i].strftime("%H:%M"), clocks[(i + 1) % len(clocks)].strftime("%H:%M"),
                    timedelta(minutes=nxt - m)))
    return out


def check_order(
    order: Order,
    other_orders: Iterable[Order] = (),
    administrations: Iterable[Administration] = (),
    *,
    facts: PatientFacts | None = None,
    settings: ProtocolSettings | None = None,
    naltrexone_window: object | None = None,
    past_orders: Iterable[Order] = (),
) -> list[Finding]:
    """What a prescriber is told when writing ``order`` (CLINICAL.md §6 "Every order").

    ``hard`` (the order cannot be saved): a dose above the drug's largest single dose (a tenfold
    slip); a PRN interval or scheduled times closer than the drug's minimum interval; a day of
    scheduled doses above the drug's daily maximum; methadone with a QTc above the stop
    threshold. ``reason`` (saved with the prescriber's documented reason): a dose below the usual
    range or above an impairment cap; another active order of the same drug, or of an opioid
    agonist beside another; interactions (:data:`~clinic_desktop.core.formulary.INTERACTIONS`,
    and benzodiazepine or alcohol use recorded at intake with an opioid); naltrexone beside an
    agonist order or before its opioid-free window (``naltrexone_window``: the
    :class:`~clinic_desktop.core.protocols.Prompt`); a match with a recorded allergy; methadone's
    first dose above 30 mg (label) or 50 mg (regulation), first-day or daily totals above the
    warning; QTc above the warning. ``info``: pregnancy recorded.

    ``other_orders``: the episode's other orders active at any time while this one is;
    ``administrations``: the episode's recorded entries (a first dose is one with no dose of
    the drug given before); ``past_orders``: the episode's other orders no longer active (stopped
    before this one starts), whose doses still make this one not the first.
    """
    s = settings if settings is not None else ProtocolSettings()
    drug, name, unit = order.drug, order.name, order.unit
    found: list[Finding] = []
    dose = _dec(order.dose)

    def add(rule: str, severity: Severity, text: str, limit: Limit | None = None, *, source: str = "",
            citation: str = "", field: str = "dose") -> None:
        if limit is not None:
            source, citation = limit.source, limit.cite(s)
        found.append(Finding(rule, severity, text, source, citation, field, overridable=severity != "hard"))

    others = [o for o in other_orders if o.id != order.id]
    per_day = dose * len(order.times) if order.times else None
    if drug is not None and unit == drug.default_unit:
        if drug.max_single is not None and order.dose > drug.max_single.resolve(s):
            add(f"{drug.id}.max_single", "hard",
                f"{name}: a single dose is at most {format_number(drug.max_single.resolve(s))} {unit} (entered "
                f"{format_number(order.dose)} {unit}; a unit or decimal slip?)", drug.max_single)
        elif drug.min_single is not None and order.dose < drug.min_single.resolve(s):
            add(f"{drug.id}.min_single", "reason",
                f"{name}: {format_number(order.dose)} {unit} is below the usual range ({drug.usual})", drug.min_single)
        for key, single, daily, what, citation in _facts_caps(drug, facts):
            if order.dose > single or (per_day is not None and per_day > _dec(daily)):
                add(f"{drug.id}.{key}", "reason",
                    f"{name}: for {what} the label gives at most {format_number(single)} {unit} a dose and "
                    f"{format_number(daily)} {unit} a day", source="label", citation=citation)
        if drug.min_interval is not None:
            hours = drug.min_interval.resolve(s)
            gap = timedelta(hours=hours)
            if order.min_interval_hours is not None and order.min_interval_hours < hours:
                add(f"{drug.id}.min_interval", "hard",
                    f"{name}: at least {format_number(hours)} h between doses (ordered every "
                    f"{format_number(order.min_interval_hours)} h)", drug.min_interval, field="min_interval_hours")
            for first, second, between in (_scheduled_gaps(order.times) if len(order.times) > 1 else ()):
                if between < gap:
                    add(f"{drug.id}.min_interval", "hard",
                        f"{name}: at least {format_number(hours)} h between doses ({first} and {second} are "
                        f"{_hours_text(between)} apart)", drug.min_interval, field="times")
                    break
        if drug.max_daily is not None and per_day is not None and per_day > _dec(drug.max_daily.resolve(s)):
            add(f"{drug.id}.max_daily", "hard",
                f"{name}: {len(order.times)} doses a day of {format_number(order.dose)} {unit} is {format_number(per_day)} {unit}, "
                f"above the maximum of {format_number(drug.max_daily.resolve(s))} {unit} in 24 h", drug.max_daily)
        if (drug.max_daily is not None and order.max_daily_dose is not None
                and order.max_daily_dose > drug.max_daily.resolve(s)):
            add(f"{drug.id}.max_daily", "hard",
                f"{name}: the order's maximum of {format_number(order.max_daily_dose)} {unit} in 24 h is above the "
                f"drug's maximum of {format_number(drug.max_daily.resolve(s))} {unit}", drug.max_daily,
                field="max_daily_dose")
        daily_planned = per_day if per_day is not None else (
            _dec(order.max_daily_dose) if order.max_daily_dose is not None else None)
        if (drug.warn_daily is not None and daily_planned is not None
                and daily_planned > _dec(drug.warn_daily.resolve(s))):
            add(f"{drug.id}.warn_daily", "reason",
                f"{name}: {format_number(daily_planned)} {unit} a day is above {format_number(drug.warn_daily.resolve(s))} {unit}",
                drug.warn_daily)
        known = [order, *others, *past_orders]
        given_before = [a for a in administrations if a.outcome == "given"
                        and (o := _order_for(a, known)) is not None and o.drug is not None
                        and o.drug.ingredient == drug.ingredient]
        first_ever = not given_before
        if first_ever and drug.first_dose_reason is not None and order.dose > drug.first_dose_reason.resolve(s):
            add(f"{drug.id}.first_dose_reason", "reason",
                f"{name}: a first dose of {format_number(order.dose)} {unit} is above "
                f"{format_number(drug.first_dose_reason.resolve(s))} {unit}; document why it is clinically indicated",
                drug.first_dose_reason)
        elif first_ever and drug.first_dose_warn is not None and order.dose > drug.first_dose_warn.resolve(s):
            add(f"{drug.id}.first_dose", "reason",
                f"{name}: a first dose of {format_number(order.dose)} {unit} is above "
                f"{format_number(drug.first_dose_warn.resolve(s))} {unit}; start low, go slow", drug.first_dose_warn)
        if (first_ever and drug.first_day_warn is not None and daily_planned is not None
                and daily_planned > _dec(drug.first_day_warn.resolve(s))):
            add(f"{drug.id}.first_day", "reason",
                f"{name}: {format_number(daily_planned)} {unit} on the first day is above "
                f"{format_number(drug.first_day_warn.resolve(s))} {unit}", drug.first_day_warn)

    classes = drug_classes(order.drug_id, order.drug_name)
    ingredient = drug.ingredient if drug is not None else order.drug_name.strip().lower()
    for other in others:
        other_ingredient = other.drug.ingredient if other.drug is not None else other.drug_name.strip().lower()
        other_classes = drug_classes(other.drug_id, other.drug_name)
        if other_ingredient == ingredient:
            add("duplicate.drug", "reason", f"{name}: another active order of {other.name} "
                f"({format_number(other.dose)} {other.unit}) — a duplicate order", source="local policy",
                citation="no duplicate active order without a reason")
            continue
        if "opioid_agonist" in classes and "opioid_agonist" in other_classes:
            add("duplicate.class", "reason", f"{name} and {other.name}: two opioid agonist orders",
                source="local policy", citation="no duplicate active order of a class without a reason")
        for rule in INTERACTIONS:
            if ((rule.first in classes and rule.second in other_classes)
                    or (rule.second in classes and rule.first in other_classes)):
                add(f"interaction.{rule.first}.{rule.second}", "reason",
                    f"{name} with {other.name}: {rule.text}", source=rule.kind if rule.kind != "policy"
                    else "local policy", citation=rule.citation)
        if "opioid_antagonist" in classes and "opioid_agonist" in other_classes:
            add("naltrexone.agonist", "reason",
                f"{name} while an order for {other.name} (an opioid agonist) is active: it will precipitate "
                "withdrawal", source="label", citation="naltrexone label: contraindicated with opioid agonists")
        if "opioid_agonist" in classes and "opioid_antagonist" in other_classes:
            add("naltrexone.agonist", "reason",
                f"{name} while an order for {other.name} (an opioid antagonist) is active", source="label",
                citation="naltrexone label: contraindicated with opioid agonists")
    if facts is not None and "opioid_agonist" in classes:
        used = [what for what, yes in (("benzodiazepines", facts.benzodiazepine_use),
                                       ("alcohol", facts.alcohol_use)) if yes]
        if used:
            add("interaction.intake_cns", "reason",
                f"{name}: {' and '.join(used)} use recorded at intake — {CLASS_LABELS['cns_depressant']} "
                "with an opioid: profound sedation, respiratory depression, death", source="label",
                citation="FDA boxed warning (opioids with benzodiazepines or other CNS depressants)")
    if "opioid_antagonist" in classes and naltrexone_window is not None:
        status = getattr(naltrexone_window, "status", None)
        if status != "meets":
            add("naltrexone.window", "reason",
                f"{name}: the opioid-free window is not met — {getattr(naltrexone_window, 'basis', '')}",
                source="label", citation=getattr(naltrexone_window, "setting_used", ""))
    if facts is not None and facts.allergies.strip():
        allergies = facts.allergies.lower()
        names = drug.names() if drug is not None else (order.drug_name.strip().lower(),)
        hits = [n for n in names if n and n in allergies]
        if hits:
            add("allergy", "reason", f"{name}: recorded allergies mention \u201c{hits[0]}\u201d "
                f"(\u201c{facts.allergies.strip()}\u201d)", source="patient record",
                citation="allergies recorded at intake", field="drug_id")
    if order.drug_id == "methadone" and facts is not None and facts.qtc_ms is not None:
        stop, warn = s.methadone_qtc_stop_ms, s.methadone_qtc_warn_ms
        when = f" on {facts.qtc_on}" if facts.qtc_on else ""
        # The citation names the threshold in force and whether it is the shipped default.
        if facts.qtc_ms > stop:
            add("methadone.qtc_stop", "hard", f"Methadone: QTc {facts.qtc_ms} ms{when} is above {stop} ms",
                source="local policy",
                citation=f"{s.source('methadone_qtc_stop_ms')}: hard stop above {stop} ms")
        elif facts.qtc_ms > warn:
            add("methadone.qtc_warn", "reason", f"Methadone: QTc {facts.qtc_ms} ms{when} is above {warn} ms",
                source="local policy", citation=f"{s.source('methadone_qtc_warn_ms')}: warn above {warn} ms")
    if facts is not None and facts.pregnant == "yes":
        add("pregnancy", "info", f"{name}: the patient is pregnant — check the label's pregnancy section; "
            "methadone or buprenorphine is recommended over withdrawal management",
            source="guideline", citation="ACOG Committee Opinion 711; SAMHSA 2018")
    return found


def _order_for(administration: Administration, orders: Iterable[Order]) -> Order | None:
    return next((o for o in orders if o.id == administration.order_id), None)
