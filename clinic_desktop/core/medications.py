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
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Literal

from .protocols import ProtocolSettings
from .withdrawal import require_aware

__all__ = [
    "DOSE_STATUSES",
    "DRUGS",
    "OTHER_DRUG_ID",
    "OUTCOMES",
    "Administration",
    "Drug",
    "DueDose",
    "GiveCheck",
    "Order",
    "check_give",
    "default_holds",
    "due_doses",
]

UTC = timezone.utc

Outcome = Literal["given", "held", "refused"]

#: What can be recorded for a dose.
OUTCOMES: tuple[str, ...] = ("given", "held", "refused")
#: The status of a scheduled dose: a recorded outcome, or how far past its time it is.
DOSE_STATUSES: tuple[str, ...] = (*OUTCOMES, "due", "late", "missed")
#: The drug id of a free-text drug (its name is ``Order.drug_name``).
OTHER_DRUG_ID = "other"


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug offered on the order form.

    ``routes`` are the routes offered; ``max_daily_mg`` and ``max_single_mg`` are the limits
    CLINICAL.md gives (``None`` where it gives none); ``hold_drug`` names the hold parameters
    of :func:`default_holds` (``"lofexidine"``, ``"clonidine"`` or ``None``).
    """

    id: str
    label: str
    default_unit: str
    routes: tuple[str, ...]
    max_daily_mg: float | None
    max_single_mg: float | None
    hold_drug: Literal["lofexidine", "clonidine"] | None


DRUGS: dict[str, Drug] = {
    d.id: d
    for d in (
        Drug("buprenorphine", "Buprenorphine", "mg", ("sublingual", "buccal"), None, None, None),
        Drug("methadone", "Methadone", "mg", ("oral",), None, None, None),
        Drug("lofexidine", "Lofexidine", "mg", ("oral",), 2.88, 0.72, "lofexidine"),
        Drug("clonidine", "Clonidine", "mg", ("oral",), None, None, "clonidine"),
        Drug("naltrexone", "Naltrexone", "mg", ("oral", "intramuscular"), None, None, None),
        Drug(
            "ondansetron", "Ondansetron", "mg", ("oral", "intravenous", "intramuscular"),
            None, None, None,
        ),
        Drug("loperamide", "Loperamide", "mg", ("oral",), None, None, None),
        Drug("ibuprofen", "Ibuprofen", "mg", ("oral",), None, None, None),
        Drug("acetaminophen", "Acetaminophen", "mg", ("oral", "rectal"), None, None, None),
        Drug("hydroxyzine", "Hydroxyzine", "mg", ("oral", "intramuscular"), None, None, None),
        Drug("trazodone", "Trazodone", "mg", ("oral",), None, None, None),
    )
}


def default_holds(
    drug_id: str, settings: ProtocolSettings | None = None
) -> dict[str, int | None]:
    """The hold parameters to prefill on a new order, as :class:`Order` keyword arguments.

    From the clinic's lofexidine / clonidine settings (clonidine has no DBP hold); all ``None``
    for other drugs, including ``"other"``. An unknown id raises ``ValueError``.
    """
    s = settings if settings is not None else ProtocolSettings()
    if drug_id != OTHER_DRUG_ID and drug_id not in DRUGS:
        raise ValueError(f"unknown drug {drug_id!r}; known: {', '.join(DRUGS)}, other")
    hold_drug = DRUGS[drug_id].hold_drug if drug_id in DRUGS else None
    if hold_drug == "lofexidine":
        return {
            "hold_sbp_below": s.lofexidine_hold_sbp,
            "hold_dbp_below": s.lofexidine_hold_dbp,
            "hold_hr_below": s.lofexidine_hold_hr,
        }
    if hold_drug == "clonidine":
        return {
            "hold_sbp_below": s.clonidine_hold_sbp,
            "hold_dbp_below": None,
            "hold_hr_below": s.clonidine_hold_hr,
        }
    return {"hold_sbp_below": None, "hold_dbp_below": None, "hold_hr_below": None}


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
        for name in ("hold_sbp_below", "hold_dbp_below", "hold_hr_below"):
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


@dataclass(frozen=True, slots=True)
class GiveCheck:
    """What :func:`check_give` found.

    ``refusals`` are reasons not to give, each with its numbers; ``can_override`` is True when
    there are refusals and a prescriber may override all of them with a note (minimum interval,
    daily maximum). ``hold_reasons`` are hold parameters met: not a refusal, the nurse records
    a reason to give, or holds the dose.
    """

    refusals: list[str]
    hold_reasons: list[str]
    can_override: bool

    @property
    def ok(self) -> bool:
        """True when nothing is refused (hold reasons may still be asked for)."""
        return not self.refusals


def _dec(value: float) -> Decimal:
    """``value`` as the decimal it was typed as (0.72, not 0.7199999…), for exact sums."""
    return Decimal(repr(float(value)))


def _num(value: float | Decimal) -> str:
    """A number for staff: 2.88, 5, 0.54 (no float noise, no trailing zeros)."""
    exact = value if isinstance(value, Decimal) else _dec(value)
    return format(exact.normalize(), "f")


def _clock_text(instant: datetime, tz: tzinfo, today: datetime) -> str:
    """"14:30" on the local day of ``today``, else "2026-03-09 14:30"."""
    local = instant.astimezone(tz)
    same_day = local.date() == today.astimezone(tz).date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


# Vital id (core.vitals) → how a hold reason names it, and the order's hold parameter.
_HOLD_VITALS = (
    ("systolic", "SBP", "hold_sbp_below"),
    ("diastolic", "DBP", "hold_dbp_below"),
    ("pulse", "HR", "hold_hr_below"),
)


def check_give(
    order: Order,
    administrations: Iterable[Administration],
    at: datetime,
    dose: float,
    latest_vitals: Mapping[str, float | None] | None,
    *,
    tz: tzinfo,
    other_orders: Iterable[Order] = (),
) -> GiveCheck:
    """Check giving ``dose`` (in the order's unit) of ``order`` at ``at``.

    Refused: a dose ≤ 0; ``at`` outside the order's start/stop; a single dose above the
    drug's ``max_single_mg``; a PRN dose sooner than ``min_interval_hours`` after the last
    dose of this order given at or before ``at`` (exactly at the interval is allowed); a dose
    taking the total given above the order's ``max_daily_dose`` or the drug's ``max_daily_mg``.
    The daily total is rolling: doses given in the 24 h before ``at`` — after ``at`` − 24 h, up
    to ``at`` — plus this one; reaching the maximum exactly is allowed. The drug maximum counts
    doses of every order of the same drug in mg (this one and ``other_orders``); drug limits
    apply only to orders in mg. Only the interval and daily maxima can be overridden.

    Hold reasons: each hold parameter met by ``latest_vitals`` (vital ids of
    :mod:`clinic_desktop.core.vitals`: ``systolic``, ``diastolic``, ``pulse``; strict ``<``).
    Times in the text are local to ``tz``.
    """
    at = _utc(at, "at")
    _require_number(dose, "dose")
    name, unit, drug = order.name, order.unit, order.drug
    found: list[tuple[str, bool]] = []  # (refusal, a prescriber may override it)

    def clock(instant: datetime) -> str:
        return _clock_text(instant, tz, at)

    if dose <= 0:
        found.append((f"Dose must be more than 0 {unit} (entered {_num(dose)} {unit})", False))
    if at < order.start:
        found.append((f"The order for {name} starts at {clock(order.start)}", False))
    elif order.stop is not None and at >= order.stop:
        found.append((f"The order for {name} stopped at {clock(order.stop)}", False))
    in_mg = unit == "mg"
    if in_mg and drug is not None and drug.max_single_mg is not None and dose > drug.max_single_mg:
        found.append((
            f"Dose {_num(dose)} mg is above the maximum single dose of {name} "
            f"({_num(drug.max_single_mg)} mg)",
            False,
        ))

    given = [a for a in administrations if a.outcome == "given" and a.at <= at]
    this_order = [a for a in given if a.order_id == order.id]
    hours = order.min_interval_hours
    if hours is not None and this_order:
        last = max(a.at for a in this_order)
        allowed_from = last + timedelta(hours=hours)
        if at < allowed_from:
            found.append((
                f"Next PRN dose of {name} allowed from {clock(allowed_from)} "
                f"(minimum interval {_num(hours)} h since {clock(last)})",
                True,
            ))

    window_start = at - timedelta(hours=24)

    def check_daily(doses: list[Administration], limit: float, limit_text: str) -> None:
        before = sum(
            (_dec(a.dose) for a in doses if a.at > window_start),  # type: ignore[arg-type]
            Decimal(0),
        )
        total = before + _dec(dose)
        if total > _dec(limit):
            found.append((
                f"{_num(before)} {unit} of {name} given in the 24 h before {clock(at)} + this "
                f"{_num(dose)} {unit} = {_num(total)} {unit}, above {limit_text}",
                True,
            ))

    if order.max_daily_dose is not None:
        check_daily(
            this_order,
            order.max_daily_dose,
            f"the order's maximum of {_num(order.max_daily_dose)} {unit} in 24 h",
        )
    if in_mg and drug is not None and drug.max_daily_mg is not None:
        same_drug = {order.id} | {
            o.id for o in other_orders if o.drug_id == order.drug_id and o.unit == "mg"
        }
        check_daily(
            [a for a in given if a.order_id in same_drug],
            drug.max_daily_mg,
            f"the maximum daily dose of {name} ({_num(drug.max_daily_mg)} mg)",
        )

    hold_reasons = []
    for vital_id, label, parameter in _HOLD_VITALS:
        threshold = getattr(order, parameter)
        value = (latest_vitals or {}).get(vital_id)
        if threshold is None or value is None:
            continue
        if _require_number(value, vital_id) < threshold:
            hold_reasons.append(f"{label} {_num(value)} below hold parameter {threshold}")

    refusals = [text for text, _ in found]
    can_override = bool(found) and all(overridable for _, overridable in found)
    return GiveCheck(refusals, hold_reasons, can_override)
