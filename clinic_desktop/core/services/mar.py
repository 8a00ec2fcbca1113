"""Medication orders and the medication administration record (MAR).

A prescriber writes, changes and stops orders; a nurse records each dose given, held or
refused; a nurse or prescriber strikes an entry made in error (it is never edited or deleted).
The rules themselves (due doses, give checks) are pure and live in
:mod:`clinic_desktop.core.medications`; this module stores, locks, audits and explains.

Usage::

    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="lofexidine", dose=0.54, unit="mg", route="oral",
        times=("08:00", "13:00", "18:00", "23:00"), **default_holds("lofexidine")))
    check = mar.check_dose(db, nurse, order.id, now, 0.54)       # GiveCheck, before saving
    mar.record_administration(db, nurse, order.id, "given", scheduled_for=dose.scheduled_for)
    rows = mar.mar(db, nurse, episode_id, day_start, day_end, now) # the MAR grid
    counts = mar.due_summary(db, nurse, now)                        # the census status bar

Times are stored in UTC; scheduled times are local "HH:MM" in :func:`clock.local_zone`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import clock, protocols
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import (
    AuthenticationError,
    ConflictError,
    NotFound,
    ValidationError,
)
from clinic_desktop.core.formulary import DRUGS, HOLD_PARAMETERS, OTHER_DRUG_ID
from clinic_desktop.core.medications import (
    DOSE_VITALS,
    OUTCOMES,
    Administration,
    DueDose,
    Finding,
    GiveCheck,
    Order,
    Outcome,
    VitalsSet,
    check_give,
    check_order,
    due_doses,
)
from clinic_desktop.core.models import (
    EntryStrike,
    Episode,
    MedicationAdministration,
    MedicationOrder,
    Stage,
    User,
    VitalSigns,
    utcnow,
)
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser, require
from clinic_desktop.core.services import accounts, audit, episodes, patient_facts
from clinic_desktop.core.text import format_number
from clinic_desktop.core.vitals import VITALS_BY_ID
from clinic_desktop.core.vocab import OPEN_STAGES

__all__ = [
    "EARLY_WINDOW",
    "HOLD_REASONS",
    "AdministrationView",
    "DueCounts",
    "MarRow",
    "OrderInput",
    "OrderView",
    "Override",
    "administrations",
    "change_order",
    "check_dose",
    "check_new_order",
    "create_order",
    "due_summary",
    "latest_vitals",
    "mar",
    "naltrexone_prompt",
    "orders",
    "record_administration",
    "stop_order",
    "strike_administration",
]

log = logging.getLogger(__name__)

#: Reasons offered when a dose is held (free text is accepted too).
HOLD_REASONS: tuple[str, ...] = (
    "Vitals below hold parameters",
    "Sedation",
    "Patient refused",
    "Not available",
    "Other",
)
#: A scheduled dose may be given from this long before its time (a prescriber may override).
EARLY_WINDOW = dt.timedelta(hours=1)
#: The census counts doses due over the past day and the next hour (UPCOMING).
SUMMARY_PAST = dt.timedelta(hours=24)
#: A scheduled dose further ahead than this is not "due" yet (the census, the MAR panel).
UPCOMING = dt.timedelta(hours=1)

STRIKE_TYPE = "administration"
VITALS_STRIKE_TYPE = "vitals"
_HOLD_FIELDS = tuple((h.field, h.vital, h.short) for h in HOLD_PARAMETERS)
_MAX_LENGTHS = {"drug_name": 120, "unit": 20, "route": 40}
_REFUSED_DEFAULT_REASON = "Patient refused"


# --------------------------------------------------------------------------------------------
# Plain data in and out
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderInput:
    """What the order form sends. A scheduled order has ``times`` (local "HH:MM"); an
    as-needed (PRN) order has ``min_interval_hours`` instead. ``start=None`` means now (on
    :func:`change_order`: keep the order's start). Dose and maxima are in ``unit``."""

    drug_id: str
    drug_name: str = ""
    dose: float = 0.0
    unit: str = "mg"
    route: str = ""
    times: Sequence[str] = ()
    min_interval_hours: float | None = None
    max_daily_dose: float | None = None
    hold_sbp_below: int | None = None
    hold_dbp_below: int | None = None
    hold_hr_below: int | None = None
    start: dt.datetime | None = None
    stop: dt.datetime | None = None
    instructions: str = ""
    #: The prescriber's documented reason for the warnings the order check shows.
    acknowledgement: str = ""


@dataclass(frozen=True)
class OrderView:
    """One order as the screens show it. ``holds`` are :class:`core.medications.Order` keyword
    arguments (``hold_sbp_below``, ``hold_dbp_below``, ``hold_hr_below``), like
    :func:`core.medications.default_holds`."""

    id: int
    episode_id: int
    drug_id: str
    name: str
    dose: float
    unit: str
    route: str
    times: tuple[str, ...]
    min_interval_hours: float | None
    max_daily_dose: float | None
    holds: dict[str, int | None]
    start: dt.datetime
    stop: dt.datetime | None
    instructions: str
    ordered_by_name: str
    version: int
    drug_name: str = ""
    ordered_at: dt.datetime | None = None
    changed_by_name: str | None = None
    changed_at: dt.datetime | None = None
    #: Warnings acknowledged at order time: {rule, text, source, citation, reason, by, at}.
    acknowledgements: tuple[dict[str, Any], ...] = ()

    @property
    def is_prn(self) -> bool:
        return self.min_interval_hours is not None

    @property
    def cancelled(self) -> bool:
        """Stopped before it started: it was never active."""
        return self.stop is not None and self.stop <= self.start

    def active(self, now: dt.datetime) -> bool:
        """True when ``start <= now < stop``."""
        return self.start <= now and (self.stop is None or now < self.stop)

    @property
    def schedule_text(self) -> str:
        """"08:00, 13:00, 18:00" or "As needed, at least 4 h apart"."""
        if self.is_prn:
            return f"As needed, at least {format_number(self.min_interval_hours)} h apart"
        return ", ".join(self.times)

    @property
    def holds_text(self) -> str:
        """"Hold if SBP < 90, DBP < 50, HR < 50", or "" when the order has no hold parameters."""
        parts = [f"{label} < {self.holds[name]}" for name, _, label in _HOLD_FIELDS
                 if self.holds.get(name) is not None]
        return f"Hold if {', '.join(parts)}" if parts else ""

    def to_rule(self) -> Order:
        """The order as :class:`core.medications.Order` (id = ``str(self.id)``). A cancelled
        order (stopped before it started) cannot be one: ``ValueError``."""
        if self.cancelled:
            raise ValueError(f"order {self.id} was cancelled before it started")
        return Order(id=str(self.id), drug_id=self.drug_id, drug_name=self.drug_name, dose=self.dose,
                     unit=self.unit, route=self.route, times=self.times,
                     min_interval_hours=self.min_interval_hours, max_daily_dose=self.max_daily_dose,
                     start=self.start, stop=self.stop, **self.holds)

    def as_input(self) -> OrderInput:
        """The order as the form edits it (for :func:`change_order`)."""
        return OrderInput(drug_id=self.drug_id, drug_name=self.drug_name, dose=self.dose, unit=self.unit,
                          route=self.route, times=self.times, min_interval_hours=self.min_interval_hours,
                          max_daily_dose=self.max_daily_dose, start=self.start, stop=self.stop,
                          instructions=self.instructions, hold_sbp_below=self.holds.get("hold_sbp_below"),
                          hold_dbp_below=self.holds.get("hold_dbp_below"),
                          hold_hr_below=self.holds.get("hold_hr_below"))


@dataclass(frozen=True)
class AdministrationView:
    """One MAR entry. A struck entry is kept and shown struck through (``struck``)."""

    id: int
    order_id: int
    outcome: str
    at: dt.datetime
    dose: float | None
    reason: str
    scheduled_for: dt.datetime | None
    override_note: str
    override_by_name: str | None
    recorded_by_name: str
    struck: bool
    strike_reason: str | None
    episode_id: int | None = None
    recorded_at: dt.datetime | None = None
    struck_by_name: str | None = None
    struck_at: dt.datetime | None = None

    @property
    def back_dated(self) -> bool:
        return self.reason.startswith("Back-dated: ")

    @property
    def overridden(self) -> bool:
        return self.override_by_name is not None

    def to_rule(self) -> Administration:
        return Administration(order_id=str(self.order_id), outcome=_outcome(self.outcome),
                              at=self.at, dose=self.dose, reason=self.reason or self.outcome,
                              by=self.recorded_by_name or "?", scheduled_for=self.scheduled_for,
                              override_note=self.override_note)


@dataclass(frozen=True)
class Override:
    """A prescriber's override of a refused dose: their own user name and password, and why."""

    username: str
    password: str
    note: str


@dataclass(frozen=True)
class MarRow:
    """One order on the MAR over a window.

    ``doses``: the scheduled doses in the window with their status (given, held, refused, due,
    late, missed; struck entries do not count). ``prn_given``: for a PRN order, every entry in
    the window (any outcome, struck ones included and marked). ``next_prn_at``: for an active
    PRN order, when the minimum interval next allows a dose, if that is after ``now``.
    ``administrations``: every entry of this order in the window, struck ones included — a
    scheduled order's entries not linked to a shown dose are there too (see :meth:`unscheduled`).
    """

    order: OrderView
    doses: list[DueDose]
    prn_given: list[AdministrationView]
    next_prn_at: dt.datetime | None
    administrations: list[AdministrationView] = field(default_factory=list)

    def record_for(self, dose: DueDose) -> AdministrationView | None:
        """The (unstruck) entry recorded for a scheduled dose, e.g. to strike it."""
        found = [a for a in self.administrations
                 if not a.struck and a.scheduled_for == dose.scheduled_for]
        return max(found, key=lambda a: (a.at, a.id)) if found else None

    @property
    def unscheduled(self) -> list[AdministrationView]:
        """Entries of a scheduled order that belong to no scheduled dose shown."""
        shown = {d.scheduled_for for d in self.doses}
        return [a for a in self.administrations if a.scheduled_for not in shown]


@dataclass(frozen=True)
class DueCounts:
    """Scheduled doses of one episode not yet recorded: due (within the next hour or less than
    an hour past), late (1–4 h past) and missed (more than 4 h past, over the past day)."""

    due: int = 0
    late: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.due + self.late + self.missed


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _when(instant: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """"14:05" today (local), else "2026-03-09 14:05"."""
    if instant is None:
        return "an unknown time"
    tz = clock.local_zone()
    local = instant.astimezone(tz)
    today = (now or utcnow()).astimezone(tz).date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all()
    return {uid: name for uid, name in rows}


def _number(value: object) -> float | None:
    """A finite number from a form (int, float or numeric text), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _whole(value: object) -> int | None:
    number = _number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _normal_time(text: object) -> str | None:
    """"8:00" → "08:00"; None when it is not a time of day."""
    if not isinstance(text, str):
        return None
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2 or not 1 <= len(parts[0]) <= 2:
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def _aware(value: dt.datetime | None, name: str, label: str, errors: dict[str, str]) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        errors[name] = f"The {label} needs a date, a time and a time zone."
        return None
    return value.astimezone(dt.UTC)


def _cancelled(row: MedicationOrder) -> bool:
    return row.stop_at is not None and row.stop_at <= row.start_at


def _holds(row: MedicationOrder) -> dict[str, int | None]:
    """The order's hold parameters, keyed by :data:`core.formulary.HOLD_PARAMETERS` fields."""
    return {h.field: getattr(row, h.field) for h in HOLD_PARAMETERS}


def _rule(row: MedicationOrder) -> Order:
    return Order(id=str(row.id), drug_id=row.drug_id, drug_name=row.drug_name or "", dose=row.dose,
                 unit=row.unit, route=row.route, times=tuple(row.times or ()),
                 min_interval_hours=row.min_interval_hours, max_daily_dose=row.max_daily_dose,
                 start=row.start_at, stop=row.stop_at, **_holds(row))


def _order_name(row: MedicationOrder) -> str:
    drug = DRUGS.get(row.drug_id)
    return (row.drug_name or "").strip() or (drug.label if drug else row.drug_id)


def _order_view(row: MedicationOrder, names: Mapping[int, str]) -> OrderView:
    return OrderView(
        id=row.id, episode_id=row.episode_id, drug_id=row.drug_id, name=_order_name(row), dose=row.dose,
        unit=row.unit, route=row.route, times=tuple(row.times or ()),
        min_interval_hours=row.min_interval_hours, max_daily_dose=row.max_daily_dose,
        holds=_holds(row),
        start=row.start_at, stop=row.stop_at, instructions=row.instructions or "",
        ordered_by_name=names.get(row.ordered_by, ""), version=row.version,
        drug_name=row.drug_name or "", ordered_at=row.created_at,
        changed_by_name=names.get(row.updated_by) if row.updated_by is not None else None,
        changed_at=row.updated_at, acknowledgements=tuple(row.acknowledgements or ()),
    )


def _admin_view(row: MedicationAdministration, strike: EntryStrike | None,
                names: Mapping[int, str]) -> AdministrationView:
    return AdministrationView(
        id=row.id, order_id=row.order_id, outcome=row.outcome, at=row.at, dose=row.dose,
        reason=row.reason or "", scheduled_for=row.scheduled_for, override_note=row.override_note or "",
        override_by_name=names.get(row.override_by, "?") if row.override_by is not None else None,
        recorded_by_name=names.get(row.recorded_by, ""), struck=strike is not None,
        strike_reason=strike.reason if strike is not None else None, episode_id=row.episode_id,
        recorded_at=row.created_at,
        struck_by_name=names.get(strike.struck_by) if strike is not None else None,
        struck_at=strike.struck_at if strike is not None else None,
    )


def _outcome(stored: str) -> Outcome:
    """A stored outcome as the rules' type: the column is text, and Administration itself
    refuses anything but :data:`core.medications.OUTCOMES`."""
    return cast(Outcome, stored)


def _core_admin(row: MedicationAdministration) -> Administration:
    return Administration(order_id=str(row.order_id), outcome=_outcome(row.outcome),
                          at=row.at, dose=row.dose if row.outcome == "given" else None,
                          reason=row.reason or row.outcome, by=str(row.recorded_by),
                          scheduled_for=row.scheduled_for, override_note=row.override_note or "")


def _strike_join():
    return and_(EntryStrike.entry_type == STRIKE_TYPE, EntryStrike.entry_id == MedicationAdministration.id)


def _order_row(session: Session, order_id: int) -> MedicationOrder:
    row = session.get(MedicationOrder, order_id)
    if row is None:
        raise NotFound("This medication order no longer exists.")
    return row


def _episode_admins(session: Session, episode_id: int) -> list[tuple[MedicationAdministration, EntryStrike | None]]:
    return list(session.execute(
        select(MedicationAdministration, EntryStrike)
        .outerjoin(EntryStrike, _strike_join())
        .where(MedicationAdministration.episode_id == episode_id)
        .order_by(MedicationAdministration.at, MedicationAdministration.id)
    ).all())


# --------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------

#: What any order requires before it is saved: each field → the refusal's message while it is
#: empty. :func:`order_required_fields` adds the conditional ones; the order dialog marks them.
ORDER_REQUIRED: dict[str, str] = {
    "drug_id": "Choose a drug from the list, or Other and type its name.",
    "dose": "Enter a dose more than 0.",
    "unit": "Enter the unit of the dose (for example mg).",
    "route": "Choose the route (for example oral).",
}
#: Required only in some orders → the refusal's message while empty (see order_required_fields).
ORDER_REQUIRED_IF: dict[str, str] = {
    "drug_name": "Type the name of the drug.",
    "times": ("Give the scheduled times (for example 08:00, 20:00), or a minimum interval for an "
              "as-needed (PRN) order."),
    "min_interval_hours": "Enter the minimum hours between as-needed doses, more than 0.",
}


def _given(value: object) -> bool:
    return value is not None and value != ""


def _time_texts(spec: OrderInput) -> list[str]:
    raw = [spec.times] if isinstance(spec.times, str) else list(spec.times or ())
    return [text for text in raw if not (isinstance(text, str) and not text.strip())]


def order_required_fields(spec: OrderInput) -> tuple[str, ...]:
    """The fields ``spec`` must fill in, in the order form's order: the :data:`ORDER_REQUIRED`
    ones; the drug's name when it is Other; the minimum interval of an as-needed order (one
    that gives it), else the scheduled times."""
    other = (spec.drug_id or "").strip() == OTHER_DRUG_ID
    schedule = "min_interval_hours" if _given(spec.min_interval_hours) else "times"
    return ("drug_id", *(("drug_name",) if other else ()), "dose", "unit", "route", schedule)


def _order_field_empty(spec: OrderInput, field: str) -> bool:
    if field == "drug_id":
        drug_id = (spec.drug_id or "").strip()
        return drug_id not in DRUGS and drug_id != OTHER_DRUG_ID
    if field == "times":
        return not _time_texts(spec)
    if field in ("dose", "min_interval_hours"):
        number = _number(getattr(spec, field))
        return number is None or number <= 0
    return not str(getattr(spec, field) or "").strip()


def _validate_order(spec: OrderInput, now: dt.datetime, *, default_start: dt.datetime,
                    admitted_at: dt.datetime | None) -> dict[str, Any]:
    """The columns of a valid order, or ValidationError with a message per field."""
    messages = ORDER_REQUIRED | ORDER_REQUIRED_IF
    errors: dict[str, str] = {field: messages[field] for field in order_required_fields(spec)
                              if _order_field_empty(spec, field)}
    drug_id = (spec.drug_id or "").strip()
    drug = DRUGS.get(drug_id)
    drug_name = (spec.drug_name or "").strip()
    if len(drug_name) > _MAX_LENGTHS["drug_name"]:
        errors["drug_name"] = f"The drug name may be at most {_MAX_LENGTHS['drug_name']} characters."
    label = drug_name or (drug.label if drug else "this drug")

    unit = (spec.unit or "").strip()
    if len(unit) > _MAX_LENGTHS["unit"]:
        errors["unit"] = f"The unit may be at most {_MAX_LENGTHS['unit']} characters."
    elif unit and drug is not None and unit != drug.default_unit:
        # Limits are checked in the drug's unit: an order in tablets would escape them.
        errors["unit"] = f"{drug.label} is ordered in {drug.default_unit}."
    route = (spec.route or "").strip()
    if len(route) > _MAX_LENGTHS["route"]:
        errors["route"] = f"The route may be at most {_MAX_LENGTHS['route']} characters."

    dose = None if "dose" in errors else _number(spec.dose)

    times: list[str] = []
    for text in _time_texts(spec):
        clean = _normal_time(text)
        if clean is None:
            errors["times"] = (f"Write each time as HH:MM on the 24-hour clock, for example 08:00 or 20:00 "
                               f"(not {text!r}).")
            break
        if clean in times:
            errors["times"] = f"{clean} is listed twice."
            break
        times.append(clean)
    times.sort()

    interval = None if "min_interval_hours" in errors else _number(spec.min_interval_hours)
    if "times" not in errors and "min_interval_hours" not in errors and times and interval is not None:
        errors["times"] = ("Give either scheduled times or a minimum interval for an as-needed (PRN) "
                           "order, not both.")

    max_daily: float | None = None
    if spec.max_daily_dose is not None and spec.max_daily_dose != "":
        max_daily = _number(spec.max_daily_dose)
        if max_daily is None or max_daily <= 0:
            errors["max_daily_dose"] = "Enter the maximum in 24 hours, more than 0, or leave it empty."
            max_daily = None
        elif dose is not None and max_daily < dose:
            errors["max_daily_dose"] = (f"The maximum in 24 hours ({format_number(max_daily)} {unit}) is less than "
                                        f"one dose ({format_number(dose)} {unit}).")
    if dose is not None and times and "times" not in errors:
        # Any 24 h window holds exactly one dose of each scheduled time.
        per_day = Decimal(repr(dose)) * len(times)
        count = f"{len(times)} dose{'s' if len(times) > 1 else ''} a day of {format_number(dose)} {unit} is {format_number(per_day)} {unit}"
        if max_daily is not None and "max_daily_dose" not in errors and per_day > Decimal(repr(max_daily)):
            errors["max_daily_dose"] = f"{count}, above this order's maximum of {format_number(max_daily)} {unit} in 24 hours."

    holds: dict[str, int | None] = {}
    for name, vital_id, short in _HOLD_FIELDS:
        raw = getattr(spec, name)
        if raw is None or raw == "":
            holds[name] = None
            continue
        vital = VITALS_BY_ID[vital_id]
        value = _whole(raw)
        if value is None or not vital.low <= value <= vital.high:
            errors[name] = (f"Hold if {short} below: enter a whole number from {vital.fmt(vital.low)} to "
                            f"{vital.fmt(vital.high)}, or leave it empty.")
        holds[name] = value

    start = _aware(spec.start, "start", "start", errors) if spec.start is not None else default_start
    stop = _aware(spec.stop, "stop", "stop", errors)
    if start is not None and stop is not None and stop <= start:
        errors["stop"] = f"The stop time must be after the start ({_when(start, now)})."
    if start is not None and admitted_at is not None and start < admitted_at:
        errors["start"] = f"The order cannot start before the patient was admitted ({_when(admitted_at, now)})."

    instructions = (spec.instructions or "").strip()
    if errors:
        raise ValidationError(errors)
    assert dose is not None and start is not None  # each is None only with its error, raised above

    columns: dict[str, Any] = dict(
        drug_id=drug_id, drug_name=drug_name, dose=dose, unit=unit, route=route, times=times,
        min_interval_hours=interval, max_daily_dose=max_daily, start_at=start, stop_at=stop,
        instructions=instructions, **holds,
    )
    try:  # the rules' own check, as a net under the one above
        Order(id="new", drug_id=drug_id, drug_name=drug_name, dose=dose, unit=unit, route=route,
              times=tuple(times), min_interval_hours=interval, max_daily_dose=max_daily, start=start,
              stop=stop, **holds)
    except ValueError as exc:
        raise ValidationError({"": f"The order for {label} cannot be saved: {exc}."}) from None
    return columns


def _audit_fields(columns: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in columns.items()}


def _row_columns(row: MedicationOrder) -> dict[str, Any]:
    return dict(drug_id=row.drug_id, drug_name=row.drug_name or "", dose=row.dose, unit=row.unit,
                route=row.route, times=list(row.times or ()), min_interval_hours=row.min_interval_hours,
                max_daily_dose=row.max_daily_dose, start_at=row.start_at, stop_at=row.stop_at,
                instructions=row.instructions or "", **_holds(row))


def _conflict(session: Session, row: MedicationOrder) -> ConflictError:
    who_id = row.updated_by if row.updated_by is not None else row.ordered_by
    when = row.updated_at if row.updated_at is not None else row.created_at
    who = _names(session, [who_id]).get(who_id, "Someone")
    return ConflictError(f"{who} changed this order at {_when(when)} on another workstation. Reopen it to "
                         "see their change; nothing was saved here.")


def _columns_rule(columns: Mapping[str, Any], order_id: str) -> Order:
    return Order(id=order_id, drug_id=columns["drug_id"], drug_name=columns["drug_name"], dose=columns["dose"],
                 unit=columns["unit"], route=columns["route"], times=tuple(columns["times"]),
                 min_interval_hours=columns["min_interval_hours"], max_daily_dose=columns["max_daily_dose"],
                 start=columns["start_at"], stop=columns["stop_at"],
                 **{h.field: columns[h.field] for h in HOLD_PARAMETERS})


def _order_findings(session: Session, episode_id: int, candidate: Order, now: dt.datetime) -> list[Finding]:
    """The order-time checks of ``candidate`` against the episode's other orders that are
    active at any time while it is, its doses, the patient's facts and the clinic's settings."""
    rows = session.execute(select(MedicationOrder).where(MedicationOrder.episode_id == episode_id)).scalars().all()
    episode_orders = [_rule(r) for r in rows if str(r.id) != candidate.id and not _cancelled(r)]
    others = [o for o in episode_orders
              if (candidate.stop is None or o.start < candidate.stop)
              and (o.stop is None or o.stop > max(candidate.start, now))]
    admins = [_core_admin(a) for a, struck in _episode_admins(session, episode_id) if struck is None]
    window = (naltrexone_prompt_in(session, episode_id, now)
              if "opioid_antagonist" in (candidate.drug.classes if candidate.drug else ()) else None)
    return check_order(candidate, others, admins, facts=patient_facts.facts_in(session, episode_id),
                       settings=episodes.protocol_settings(session), naltrexone_window=window,
                       past_orders=[o for o in episode_orders if o not in others])


def _acknowledge(findings: Sequence[Finding], reason: str, user: SignedInUser, now: dt.datetime,
                 already: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The acknowledgements to store for ``findings``: a hard one refuses the order (next to
    its field); a warning not acknowledged before on this order needs the prescriber's reason."""
    hard: dict[str, list[str]] = {}
    for f in findings:
        if f.severity == "hard":
            hard.setdefault(f.field, []).append(f.line)
    if hard:
        raise ValidationError({k: "; ".join(v) + ". The order cannot be saved." for k, v in hard.items()})
    seen = {(a.get("rule"), a.get("text")) for a in already}
    new = [f for f in findings if f.severity == "reason" and (f.rule, f.text) not in seen]
    reason = (reason or "").strip()
    if new and not reason:
        lines = "; ".join(f.line for f in new)
        raise ValidationError({"acknowledgement": f"Document why the order is written despite: {lines}."})
    return [{"rule": f.rule, "text": f.text, "source": f.source, "citation": f.citation, "reason": reason,
             "by": user.id, "by_name": user.full_name, "at": now.isoformat()} for f in new]


def check_new_order(db: Database, user: SignedInUser, episode_id: int, spec: OrderInput, *,
                    order_id: int | None = None) -> list[Finding]:
    """What writing (or, with ``order_id``, changing) this order would be told, nothing saved:
    the order-time checks of :func:`core.medications.check_order`. An order the form itself
    refuses raises ValidationError as :func:`create_order` would."""
    require(db, user, "patients.view")
    now = utcnow()
    with db.read() as session:
        episode = episodes.episode_in(session, episode_id)
        default_start = now
        if order_id is not None:
            default_start = _order_row(session, order_id).start_at
        columns = _validate_order(spec, now, default_start=default_start, admitted_at=episode.admitted_at)
        candidate = _columns_rule(columns, str(order_id) if order_id is not None else "new")
        return _order_findings(session, episode_id, candidate, now)


def create_order(db: Database, user: SignedInUser, episode_id: int, spec: OrderInput) -> OrderView:
    """Write a new order (prescriber). The episode must be open (not discharged)."""
    require(db, user, "medications.order")
    now = utcnow()
    with db.write() as session:
        # The episode's row is locked so that two prescribers cannot both write a duplicate order.
        episode = episodes.episode_in(session, episode_id, lock=True)
        if episode.stage == Stage.DISCHARGED.value:
            raise ValidationError("This episode is closed; orders can no longer be written.")
        columns = _validate_order(spec, now, default_start=now, admitted_at=episode.admitted_at)
        findings = _order_findings(session, episode.id, _columns_rule(columns, "new"), now)
        acknowledged = _acknowledge(findings, spec.acknowledgement, user, now)
        row = MedicationOrder(episode_id=episode.id, ordered_by=user.id, created_at=now,
                              acknowledgements=acknowledged, **columns)
        session.add(row)
        session.flush()
        detail = {"episode_id": episode.id, **_audit_fields(columns)}
        if acknowledged:
            detail["acknowledged"] = [{k: a[k] for k in ("rule", "text", "source", "reason")} for a in acknowledged]
        audit.append(session, user, "order.created", entity_type="medication_order", entity_id=row.id,
                     patient_id=episode.patient_id, detail=detail)
        return _order_view(row, {user.id: user.full_name})


def change_order(db: Database, user: SignedInUser, order_id: int, expected_version: int,
                 spec: OrderInput) -> OrderView:
    """Change an active order (prescriber). ``spec.start=None`` keeps the start. The drug cannot
    change (stop the order and write a new one); a stopped order cannot be changed; the start
    cannot move after, nor the stop before, a dose already recorded. A stale version (changed
    on another workstation since it was opened) is refused with ConflictError."""
    require(db, user, "medications.order")
    now = utcnow()
    try:
        with db.write() as session:
            row = _order_row(session, order_id)
            if row.version != expected_version:
                raise _conflict(session, row)
            episode = episodes.episode_in(session, row.episode_id, lock=True)
            if episode.stage == Stage.DISCHARGED.value:
                raise ValidationError("This episode is closed; orders can no longer be changed.")
            if row.stop_at is not None and row.stop_at <= now:
                raise ValidationError(f"This order was stopped at {_when(row.stop_at, now)}; write a new order "
                                      "instead.")
            columns = _validate_order(spec, now, default_start=row.start_at, admitted_at=episode.admitted_at)
            if (columns["drug_id"], columns["drug_name"]) != (row.drug_id, row.drug_name or ""):
                raise ValidationError({"drug_id": "The drug of an order cannot change: stop this order and "
                                                  "write a new one."})
            _check_against_record(session, row, columns["start_at"], columns["stop_at"])
            findings = _order_findings(session, row.episode_id, _columns_rule(columns, str(row.id)), now)
            acknowledged = _acknowledge(findings, spec.acknowledgement, user, now, row.acknowledgements or ())
            before = _row_columns(row)
            for key, value in columns.items():
                setattr(row, key, value)
            changes = audit.diff(_audit_fields(before), _audit_fields(columns))
            if not changes:
                return _order_view(row, _names(session, [row.ordered_by, row.updated_by]))
            if acknowledged:
                row.acknowledgements = [*(row.acknowledgements or ()), *acknowledged]
            row.updated_at = now
            row.updated_by = user.id
            session.flush()
            detail: dict[str, Any] = {"changes": changes}
            if acknowledged:
                detail["acknowledged"] = [{k: a[k] for k in ("rule", "text", "source", "reason")}
                                          for a in acknowledged]
            audit.append(session, user, "order.changed", entity_type="medication_order", entity_id=row.id,
                         patient_id=episode.patient_id, detail=detail)
            return _order_view(row, _names(session, [row.ordered_by, row.updated_by]))
    except StaleDataError:
        raise ConflictError("Another workstation changed this order at the same moment. Reopen it; nothing "
                            "was saved here.") from None


def _check_against_record(session: Session, row: MedicationOrder, start: dt.datetime,
                          stop: dt.datetime | None) -> None:
    """The start cannot move after, nor the stop before, an unstruck dose already recorded."""
    times = session.execute(
        select(MedicationAdministration.at)
        .outerjoin(EntryStrike, _strike_join())
        .where(MedicationAdministration.order_id == row.id, EntryStrike.id.is_(None))
    ).scalars().all()
    if not times:
        return
    first, last = min(times), max(times)
    if start > first:
        raise ValidationError({"start": f"A dose of this order is recorded at {_when(first)}; the order "
                                        "cannot start after it."})
    if stop is not None and stop <= last:
        raise ValidationError({"stop": f"A dose of this order is recorded at {_when(last)}; the order cannot "
                                       "stop before it."})


def stop_order(db: Database, user: SignedInUser, order_id: int, expected_version: int,
               at: dt.datetime | None = None) -> OrderView:
    """Stop an order (prescriber) at ``at`` (default now; a later time schedules the stop).
    Stopping an order before its start cancels it (it was never active)."""
    require(db, user, "medications.order")
    now = utcnow()
    errors: dict[str, str] = {}
    at = _aware(at, "at", "stop time", errors) if at is not None else now
    if errors:
        raise ValidationError(errors)
    assert at is not None
    try:
        with db.write() as session:
            row = _order_row(session, order_id)
            if row.version != expected_version:
                raise _conflict(session, row)
            episode = episodes.episode_in(session, row.episode_id)
            if row.stop_at is not None and row.stop_at <= max(now, at):
                raise ValidationError(f"This order already stops at {_when(row.stop_at, now)}.")
            stop = max(at, row.start_at)  # before its start: cancelled, stop == start
            last = session.execute(
                select(MedicationAdministration.at).outerjoin(EntryStrike, _strike_join())
                .where(MedicationAdministration.order_id == row.id, EntryStrike.id.is_(None))
                .order_by(MedicationAdministration.at.desc())
            ).scalars().first()
            if last is not None and stop <= last:
                raise ValidationError({"at": f"A dose of this order is recorded at {_when(last, now)}; "
                                             "stop it after that."})
            before = row.stop_at
            row.stop_at = stop
            row.updated_at = now
            row.updated_by = user.id
            session.flush()
            audit.append(session, user, "order.stopped", entity_type="medication_order", entity_id=row.id,
                         patient_id=episode.patient_id,
                         detail={"drug_id": row.drug_id, "changes": audit.diff({"stop_at": before},
                                                                               {"stop_at": stop}),
                                 "cancelled": stop <= row.start_at})
            return _order_view(row, _names(session, [row.ordered_by, row.updated_by]))
    except StaleDataError:
        raise ConflictError("Another workstation changed this order at the same moment. Reopen it; nothing "
                            "was saved here.") from None


def orders(db: Database, user: SignedInUser, episode_id: int) -> list[OrderView]:
    """Every order of the episode, stopped ones included, oldest first."""
    require(db, user, "patients.view")
    with db.read() as session:
        return orders_in(session, episode_id)


def orders_in(session: Session, episode_id: int) -> list[OrderView]:
    """:func:`orders` inside the caller's session (the caller checks the role)."""
    episodes.episode_in(session, episode_id)
    rows = session.execute(
        select(MedicationOrder).where(MedicationOrder.episode_id == episode_id)
        .order_by(MedicationOrder.start_at, MedicationOrder.id)
    ).scalars().all()
    names = _names(session, [r.ordered_by for r in rows] + [r.updated_by for r in rows])
    return [_order_view(r, names) for r in rows]


def administrations(db: Database, user: SignedInUser, episode_id: int) -> list[AdministrationView]:
    """Every MAR entry of the episode in time order, struck ones included (and marked)."""
    require(db, user, "patients.view")
    with db.read() as session:
        return administrations_in(session, episode_id)


def administrations_in(session: Session, episode_id: int) -> list[AdministrationView]:
    """:func:`administrations` inside the caller's session (the caller checks the role)."""
    episodes.episode_in(session, episode_id)
    return _admin_views(session, _episode_admins(session, episode_id))


@dataclass(frozen=True)
class GivenDose:
    """A dose given (not struck), for the trend chart: when, and "Lofexidine 0.54 mg"."""

    at: dt.datetime
    text: str


def given_doses(db: Database, user: SignedInUser, episode_id: int) -> list[GivenDose]:
    """Every dose given in the episode and not struck, oldest first, in one light query."""
    require(db, user, "patients.view")
    with db.read() as session:
        rows = session.execute(
            select(MedicationAdministration.at, MedicationAdministration.dose, MedicationOrder.drug_id,
                   MedicationOrder.drug_name, MedicationOrder.unit)
            .join(MedicationOrder, MedicationOrder.id == MedicationAdministration.order_id)
            .outerjoin(EntryStrike, and_(EntryStrike.entry_type == STRIKE_TYPE,
                                         EntryStrike.entry_id == MedicationAdministration.id))
            .where(MedicationAdministration.episode_id == episode_id, MedicationAdministration.outcome == "given",
                   EntryStrike.id.is_(None))
            .order_by(MedicationAdministration.at, MedicationAdministration.id)).all()
    out = []
    for at, dose, drug_id, drug_name, unit in rows:
        drug = DRUGS.get(drug_id)
        name = (drug_name or "").strip() or (drug.label if drug else drug_id)
        out.append(GivenDose(at, f"{name} {format_number(dose)} {unit}"))
    return out


def _admin_views(session: Session, pairs: Sequence[tuple[MedicationAdministration, EntryStrike | None]]
                 ) -> list[AdministrationView]:
    ids: list[int | None] = []
    for a, s in pairs:
        ids += [a.recorded_by, a.override_by, s.struck_by if s is not None else None]
    names = _names(session, ids)
    return [_admin_view(a, s, names) for a, s in pairs]


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def _vitals_statement(by: bool):
    query = (
        select(VitalSigns.taken_at, VitalSigns.values)
        .outerjoin(EntryStrike, and_(EntryStrike.entry_type == VITALS_STRIKE_TYPE,
                                     EntryStrike.entry_id == VitalSigns.id))
        .where(VitalSigns.episode_id == bindparam("episode_id"), EntryStrike.id.is_(None))
        .order_by(VitalSigns.taken_at.desc(), VitalSigns.id.desc())
    )
    # A set timed a moment ahead of the dose (workstation clocks) still counts.
    return query.where(VitalSigns.taken_at <= bindparam("by")) if by else query


_LATEST_VITALS, _LATEST_VITALS_BY = _vitals_statement(False), _vitals_statement(True)


def latest_vitals(session: Session, episode_id: int, at: dt.datetime | None = None) -> VitalsSet | None:
    """The newest complete set of vitals on the episode's flowsheet — one set that has blood
    pressure and pulse (:data:`core.medications.DOSE_VITALS`), never values stitched from
    different sets — struck sets left out; when ``at`` is given, only sets taken by then (give
    or take the 5 minutes workstation clocks may differ). ``None`` when there is none."""
    query = _LATEST_VITALS if at is None else _LATEST_VITALS_BY
    params = {"episode_id": episode_id} if at is None else {"episode_id": episode_id, "by": at + clock.FUTURE_TOLERANCE}
    # The newest sets first, a few at a time: the answer is nearly always among them.
    for taken_at, values in session.execute(query.execution_options(yield_per=8), params):
        numbers = {key: value for key, value in (values or {}).items()
                   if not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)}
        if all(key in numbers for key in DOSE_VITALS):
            return VitalsSet(taken_at, numbers)
    return None


def last_doses_in(session: Session, episode_id: int) -> dict[int, dt.datetime]:
    """Order id → the time of its last dose given in the episode and not struck (orders with no
    dose given are absent): what discharge reconciliation prints as "last dose here"."""
    rows = session.execute(
        select(MedicationAdministration.order_id, func.max(MedicationAdministration.at))
        .outerjoin(EntryStrike, _strike_join())
        .where(MedicationAdministration.episode_id == episode_id, MedicationAdministration.outcome == "given",
               EntryStrike.id.is_(None))
        .group_by(MedicationAdministration.order_id)).all()
    return {order_id: at for order_id, at in rows}


def opioid_doses_in(session: Session, episode_id: int) -> list[tuple[dt.datetime, str]]:
    """``(time, drug id)`` of every methadone or buprenorphine dose given in the episode and
    not struck — opioid exposure for the naltrexone window."""
    rows = session.execute(
        select(MedicationAdministration.at, MedicationOrder.drug_id)
        .join(MedicationOrder, MedicationOrder.id == MedicationAdministration.order_id)
        .outerjoin(EntryStrike, _strike_join())
        .where(MedicationAdministration.episode_id == episode_id, MedicationAdministration.outcome == "given",
               MedicationOrder.drug_id.in_(tuple(plan_rules.MAR_OPIOIDS)), EntryStrike.id.is_(None))
    ).all()
    return [(at, drug_id) for at, drug_id in rows]


def naltrexone_prompt_in(session: Session, episode_id: int, now: dt.datetime, **kwargs: Any) -> protocols.Prompt:
    """The naltrexone window of the episode, from the most restrictive of every opioid use at
    intake and every methadone or buprenorphine dose given here."""
    return plan_rules.naltrexone_prompt(patient_facts.intake_data_in(session, episode_id), now,
                                        episodes.protocol_settings(session),
                                        mar_doses=opioid_doses_in(session, episode_id), **kwargs)


def naltrexone_prompt(db: Database, user: SignedInUser, episode_id: int, now: dt.datetime, *,
                      opening: bool = False, **kwargs: Any) -> protocols.Prompt:
    """:func:`naltrexone_prompt_in` in its own unit of work (``format_time`` may be given).
    ``opening``: the Prompts page's first load (this is the one read it makes of its own),
    audited as "prompts.opened"; a refresh is not."""
    require(db, user, "patients.view")
    with audit.reading(db, user, "prompts.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        return naltrexone_prompt_in(session, episode_id, now, **kwargs)


def _history_statements():
    """The two reads of :func:`_dose_history`, built once (building a statement costs more than
    running it): the entries near a time, and each order's first dose given."""
    m = MedicationAdministration
    columns = (m.id, m.order_id, m.outcome, m.at, m.dose, m.scheduled_for, m.recorded_by, EntryStrike.id)
    episode: BindParameter[int] = bindparam("episode_id")
    low: BindParameter[dt.datetime] = bindparam("low")
    high: BindParameter[dt.datetime] = bindparam("high")
    near = (select(*columns).outerjoin(EntryStrike, _strike_join())
            .where(m.episode_id == episode, m.at > low, m.at < high))
    unstruck_given = and_(m.episode_id == episode, m.outcome == "given", EntryStrike.id.is_(None))
    first = (select(m.order_id, func.min(m.at).label("first_at")).outerjoin(EntryStrike, _strike_join())
             .where(unstruck_given).group_by(m.order_id).subquery())
    firsts = (select(*columns).outerjoin(EntryStrike, _strike_join())
              .join(first, and_(first.c.order_id == m.order_id, first.c.first_at == m.at)).where(unstruck_given))
    return near, firsts


_HISTORY = _history_statements()
#: The longest minimum interval a local-policy setting may give (clonidine, up to 12 h).
_POLICY_INTERVAL_MAX = dt.timedelta(hours=12)


def _dose_history(session: Session, episode_id: int, at: dt.datetime, orders: Sequence[MedicationOrder]
                  ) -> tuple[list[Administration], list[Administration]]:
    """The episode's entries that can bear on a dose at ``at`` — ``(recorded, struck)`` — read
    as plain columns: every entry within 24 h, or the longest minimum interval if longer, on
    either side of ``at`` (the rolling windows and intervals reach no further), and each
    order's first dose given (the first-day totals count from it)."""
    reach = max([dt.timedelta(hours=24), _POLICY_INTERVAL_MAX,
                 *(dt.timedelta(hours=o.min_interval_hours) for o in orders if o.min_interval_hours),
                 *(dt.timedelta(hours=d.min_interval.value) for d in DRUGS.values() if d.min_interval is not None)])
    reach += dt.timedelta(minutes=1)
    near, firsts = _HISTORY
    rows = [*session.execute(near, {"episode_id": episode_id, "low": at - reach, "high": at + reach}),
            *session.execute(firsts, {"episode_id": episode_id})]
    recorded: list[Administration] = []
    struck: list[Administration] = []
    seen: set[int] = set()
    for entry_id, order_id, outcome, when, dose, scheduled, by, strike_id in rows:
        if entry_id in seen:
            continue
        seen.add(entry_id)
        (recorded if strike_id is None else struck).append(Administration(
            order_id=str(order_id), outcome=outcome, at=when, dose=dose if outcome == "given" else None,
            reason=outcome, by=str(by), scheduled_for=scheduled))
    return recorded, struck


def _evaluate(session: Session, row: MedicationOrder, episode_rows: Sequence[MedicationOrder], at: dt.datetime,
              dose: float, scheduled_for: dt.datetime | None, tz: dt.tzinfo
              ) -> tuple[GiveCheck, dict[str, list[str]]]:
    """The give check for ``row`` (one of ``episode_rows``, the episode's orders) over the doses
    of the episode before and after ``at``, the latest complete vitals, the patient's facts and the clinic's settings, with the service's
    own rules added: not above the ordered dose, a scheduled dose not given early. Returns the
    check and its refusals by field."""
    name = _order_name(row)
    if _cancelled(row):
        finding = Finding("order.active", "hard", f"The order for {name} was cancelled before it started", "order",
                          field="at", overridable=False)
        return GiveCheck((finding,)), {"at": [finding.line]}
    others = [_rule(o) for o in episode_rows if o.id != row.id and not _cancelled(o)]
    recorded, struck = _dose_history(session, row.episode_id, at, episode_rows)
    core = check_give(_rule(row), recorded, at, dose, latest_vitals(session, row.episode_id, at), tz=tz,
                      other_orders=others, struck=struck, facts=patient_facts.facts_in(session, row.episode_id),
                      settings=episodes.protocol_settings(session))
    findings = list(core.findings)
    if dose > row.dose:
        findings.append(Finding("order.dose", "hard", f"Dose {format_number(dose)} {row.unit} is more than the ordered "
                                f"{format_number(row.dose)} {row.unit}; ask the prescriber to change the order", "order",
                                overridable=False))
    if scheduled_for is not None and at < scheduled_for - EARLY_WINDOW:
        findings.append(Finding("order.early", "hard", f"The {_when(scheduled_for, at)} dose of {name} may be "
                                f"given from {_when(scheduled_for - EARLY_WINDOW, at)} (1 h before its time)",
                                "order", field="at"))
    by_field: dict[str, list[str]] = {}
    for f in findings:
        if f.severity == "hard":
            by_field.setdefault(f.field, []).append(f.line)
    return GiveCheck(tuple(findings), core.passed), by_field


def check_dose(db: Database, user: SignedInUser, order_id: int, at: dt.datetime, dose: float, *,
               scheduled_for: dt.datetime | None = None) -> GiveCheck:
    """What would stop, or hold, giving ``dose`` of the order at ``at`` (nothing is saved):
    the core give check over every dose of the episode (before and after ``at``), the latest
    complete vitals and the patient's facts, plus a dose above the ordered one and a scheduled
    dose more than 1 h early. Recording the dose runs the same check again, inside its
    transaction with the orders locked."""
    require(db, user, "patients.view")
    errors: dict[str, str] = {}
    at_utc = _aware(at, "at", "time given", errors)
    scheduled_utc = _aware(scheduled_for, "scheduled_for", "scheduled time", errors)
    number = _number(dose)
    if number is None:
        errors["dose"] = "Enter the dose as a number."
    if errors:
        raise ValidationError(errors)
    assert at_utc is not None and number is not None
    with db.read() as session:
        row, episode_orders = _episode_orders(session, order_id)
        check, _ = _evaluate(session, row, episode_orders, at_utc, number, scheduled_utc, clock.local_zone())
        return check


def _reason_message(hold_reasons: Sequence[str], warnings: Sequence[str]) -> str:
    """What the nurse is asked before giving: hold parameters met, vitals needed, warnings."""
    parts = []
    if hold_reasons:
        met = ", ".join(r.replace(" below hold parameter ", " below ") for r in hold_reasons)
        plural = "s" if len(hold_reasons) > 1 else ""
        parts.append(f"Hold parameter{plural} met: {met}")
    parts += warnings
    return "; ".join(parts) + " — say why it is given anyway, or hold the dose."


def _is_scheduled_instant(rule: Order, instant: dt.datetime, tz: dt.tzinfo) -> bool:
    doses = due_doses(rule, (), instant, instant + dt.timedelta(microseconds=1), tz, instant)
    return any(d.scheduled_for == instant for d in doses)


# --------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------

def _episode_orders(session: Session, order_id: int, *, lock: bool = False
                    ) -> tuple[MedicationOrder, list[MedicationOrder]]:
    """The order and every order of its episode, in one read. ``lock`` takes them all (in id
    order, so two workstations cannot deadlock): a dose of any of them changes the daily total
    of the others. PostgreSQL takes row locks; SQLite ignores FOR UPDATE, its writers already
    queue on BEGIN IMMEDIATE."""
    episode = select(MedicationOrder.episode_id).where(MedicationOrder.id == order_id).scalar_subquery()
    query = select(MedicationOrder).where(MedicationOrder.episode_id == episode).order_by(MedicationOrder.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    rows = list(session.execute(query).scalars())
    row = next((r for r in rows if r.id == order_id), None)
    if row is None:
        raise NotFound("This medication order no longer exists.")
    return row, rows


def administration_required_fields(outcome: str, at: dt.datetime | None,
                                   now: dt.datetime | None = None) -> tuple[str, ...]:
    """What recording a dose requires as typed (before its check, whose findings may ask for a
    reason too): the reason of a held dose, or of one recorded more than an hour after its time
    ``at`` (aware; None: now). Recording refuses from it; the dose dialog marks from it."""
    now = now or utcnow()
    late = at is not None and at.tzinfo is not None and at < now - clock.BACKDATE_AFTER
    return ("reason",) if outcome == "held" or late else ()


def record_administration(db: Database, user: SignedInUser, order_id: int, outcome: str, *,
                          at: dt.datetime | None = None, dose: float | None = None, reason: str = "",
                          scheduled_for: dt.datetime | None = None,
                          override: Override | None = None) -> AdministrationView:
    """Record a dose given, held or refused (nurse).

    given: ``dose`` defaults to the ordered dose. The give check runs inside the transaction
    with the episode's orders locked, so two workstations cannot both give past a limit. A
    refusal is a ValidationError on "dose" or "at" unless a prescriber ``override`` is given
    and every refusal may be overridden (minimum interval, daily maximum, early scheduled dose):
    their own user name and password and a note. A hold parameter met, or a dose below the
    ordered one, needs a ``reason``.
    held: ``reason`` required (one of :data:`HOLD_REASONS`, or free text). refused: no dose;
    the reason defaults to "Patient refused".
    ``at`` more than 1 h ago needs a reason (stored as "Back-dated: ..."); more than 5 min
    ahead is refused. ``scheduled_for`` links the entry to a scheduled dose: it must be one of
    the order's times, not already recorded (strike the earlier entry to correct it).
    """
    require(db, user, "medications.administer")
    now = utcnow()
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Record the dose as given, held or refused."})
    # No time given: the dose's time is taken once the orders are locked, so a dose that waited
    # for another workstation's is never timed before it.
    at_utc = _aware(at, "at", "time", errors) if at is not None else None
    scheduled_utc = _aware(scheduled_for, "scheduled_for", "scheduled time", errors)
    reason = (reason or "").strip()
    given_dose: float | None = None
    if outcome != "given":
        if dose is not None:
            errors["dose"] = f"A {outcome} dose records no dose given; leave the dose empty."
    elif dose is not None:
        given_dose = _number(dose)
        if given_dose is None or given_dose <= 0:
            errors["dose"] = "Enter the dose given, more than 0."
    if at_utc is not None and at_utc > now + clock.FUTURE_TOLERANCE:
        errors["at"] = "The time cannot be in the future; record the dose when it is given."
    back_dated = at is not None and at_utc is not None and at_utc < now - clock.BACKDATE_AFTER
    if "reason" in administration_required_fields(outcome, at_utc, now) and not reason:
        if outcome == "held":
            errors["reason"] = ("Say why the dose is held (for example: "
                                f"{HOLD_REASONS[0]}, {HOLD_REASONS[1]}).")
        else:
            errors["reason"] = (f"This dose is recorded more than 1 hour after its time "
                                f"({_when(at_utc, now)}); say why it is recorded late.")
    if override is not None and not (override.note or "").strip():
        errors["override_note"] = "The prescriber must say why the dose is given anyway."
    if errors:
        raise ValidationError(errors)
    if outcome == "refused" and not reason:
        reason = _REFUSED_DEFAULT_REASON

    signer: SignedInUser | None = None
    if override is not None:
        # Before the write transaction: signing in writes (and audits) in its own transaction.
        try:
            signer = accounts.authenticate(db, override.username, override.password)
        except AuthenticationError as exc:
            raise ValidationError({"override_password": f"Override not accepted: {exc}"}) from None
        if not signer.can("medications.order"):
            raise ValidationError({"override_username": f"{signer.full_name} is a {ROLE_LABELS[signer.role]}; "
                                                         "only a prescriber may override."})

    tz = clock.local_zone()
    try:
        with db.write() as session:
            row, episode_orders = _episode_orders(session, order_id, lock=True)
            if at_utc is None:
                at_utc = utcnow()
            assert at_utc is not None
            episode = episodes.episode_in(session, row.episode_id)
            if episode.stage == Stage.DISCHARGED.value:
                raise ValidationError("This episode is closed; doses can no longer be recorded.")
            name = _order_name(row)
            if outcome == "given" and given_dose is None:
                given_dose = row.dose
            if scheduled_utc is not None:
                if row.min_interval_hours is not None:
                    raise ValidationError({"scheduled_for": f"{name} is ordered as needed (PRN); it has no "
                                                            "scheduled times."})
                if _cancelled(row) or not _is_scheduled_instant(_rule(row), scheduled_utc, tz):
                    raise ValidationError({"scheduled_for": f"{_when(scheduled_utc, now)} is not a scheduled "
                                                            f"time of this order for {name}."})
                already = session.execute(
                    select(MedicationAdministration).outerjoin(EntryStrike, _strike_join())
                    .where(MedicationAdministration.order_id == row.id,
                           MedicationAdministration.scheduled_for == scheduled_utc,
                           EntryStrike.id.is_(None))
                    .order_by(MedicationAdministration.at.desc())
                ).scalars().first()
                if already is not None:
                    who = _names(session, [already.recorded_by]).get(already.recorded_by, "someone")
                    raise ValidationError({"scheduled_for": (
                        f"The {_when(scheduled_utc, now)} dose of {name} is already recorded as "
                        f"{already.outcome} (by {who}, {_when(already.at, now)}). To correct it, strike that "
                        "entry first.")})

            hold_reasons: list[str] = []
            warnings: list[str] = []
            overridden: list[str] = []
            if outcome == "given":
                assert given_dose is not None
                check, by_field = _evaluate(session, row, episode_orders, at_utc, given_dose, scheduled_utc, tz)
                if check.refusals:
                    if signer is None:
                        tail = " A prescriber may override." if check.can_override else ""
                        raise ValidationError({k: "; ".join(v) + "." + tail for k, v in by_field.items()})
                    if not check.can_override:
                        raise ValidationError({k: "; ".join(v) + ". This cannot be overridden."
                                               for k, v in by_field.items()})
                    overridden = list(check.refusals)
                else:
                    signer = None  # nothing to override
                hold_reasons = [f.text for f in check.findings if f.severity == "hold"]
                warnings = [f.line for f in check.findings if f.severity == "reason"]
                if (hold_reasons or warnings) and not reason:
                    raise ValidationError({"reason": _reason_message(hold_reasons, warnings)})
                if given_dose < row.dose and not reason:
                    raise ValidationError({"reason": f"The order is for {format_number(row.dose)} {row.unit}; say why "
                                                     f"{format_number(given_dose)} {row.unit} is given."})
            else:
                signer = None
                when = scheduled_utc or at_utc
                if _cancelled(row) or when < row.start_at or (row.stop_at is not None and when >= row.stop_at):
                    raise ValidationError({"at": f"The order for {name} is not active at {_when(when, now)}."})

            stored_reason = f"Back-dated: {reason}" if back_dated else reason
            entry = MedicationAdministration(
                order_id=row.id, episode_id=row.episode_id, outcome=outcome, at=at_utc,
                dose=given_dose if outcome == "given" else None, reason=stored_reason,
                scheduled_for=scheduled_utc,
                override_note=(override.note.strip() if signer is not None and override is not None else ""),
                override_by=signer.id if signer is not None else None, recorded_by=user.id, created_at=now)
            session.add(entry)
            session.flush()
            detail: dict[str, Any] = {"order_id": row.id, "drug_id": row.drug_id, "outcome": outcome,
                                      "dose": entry.dose, "unit": row.unit, "at": at_utc,
                                      "scheduled_for": scheduled_utc, "back_dated": back_dated}
            if hold_reasons:
                detail["hold_parameters_met"] = hold_reasons
            if warnings:
                detail["warnings"] = warnings
            if signer is not None:
                detail["override_by"] = signer.id
                detail["overridden"] = overridden
            audit.append(session, user, f"medication.{outcome}", entity_type="medication_administration",
                         entity_id=entry.id, patient_id=episode.patient_id, detail=detail)
            names = {user.id: user.full_name}
            if signer is not None:
                names[signer.id] = signer.full_name
            return _admin_view(entry, None, names)
    except StaleDataError:
        raise ConflictError("This order was changed on another workstation at the same moment. Reopen the "
                            "MAR; nothing was saved.") from None


def strike_administration(db: Database, user: SignedInUser, administration_id: int,
                          reason: str) -> AdministrationView:
    """Strike a MAR entry made in error (nurse or prescriber): it stays on the record, struck
    through, with who, when and why; the dose it recorded no longer counts."""
    require(db, user, "medications.administer", "medications.order")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this entry is struck (for example: entered in error)."})
    with db.write() as session:
        entry = session.get(MedicationAdministration, administration_id)
        if entry is None:
            raise NotFound("This MAR entry no longer exists.")
        existing = session.execute(
            select(EntryStrike).where(EntryStrike.entry_type == STRIKE_TYPE,
                                      EntryStrike.entry_id == entry.id)
        ).scalar_one_or_none()
        if existing is not None:
            who = _names(session, [existing.struck_by]).get(existing.struck_by, "someone")
            raise ValidationError(f"This entry is already struck (by {who} at {_when(existing.struck_at)}: "
                                  f"{existing.reason}).")
        strike = EntryStrike(entry_type=STRIKE_TYPE, entry_id=entry.id, reason=reason, struck_by=user.id,
                             struck_at=utcnow())
        session.add(strike)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError("This entry is already struck (on another workstation just now).") from None
        order = session.get(MedicationOrder, entry.order_id)
        episode = session.get(Episode, entry.episode_id)
        audit.append(session, user, "medication.struck", entity_type="medication_administration",
                     entity_id=entry.id, patient_id=episode.patient_id if episode else None,
                     detail={"order_id": entry.order_id, "drug_id": order.drug_id if order else None,
                             "outcome": entry.outcome, "dose": entry.dose, "at": entry.at})
        return _admin_views(session, [(entry, strike)])[0]


# --------------------------------------------------------------------------------------------
# The MAR and the census
# --------------------------------------------------------------------------------------------

def mar(db: Database, user: SignedInUser, episode_id: int, start: dt.datetime, end: dt.datetime,
        now: dt.datetime, *, opening: bool = False) -> list[MarRow]:
    """The MAR of an episode over ``[start, end)``: one row per order active in the window
    (scheduled orders first, then PRN, each by start). Struck entries do not count towards a
    dose's status but are listed in the row's ``administrations`` (and ``prn_given``).
    ``opening``: the Medications page's first load, audited as "mar.opened"; a refresh is not."""
    require(db, user, "patients.view")
    errors: dict[str, str] = {}
    start_utc = _aware(start, "start", "start", errors)
    end_utc = _aware(end, "end", "end", errors)
    now_utc = _aware(now, "now", "current time", errors)
    if errors:
        raise ValidationError(errors)
    assert start_utc is not None and end_utc is not None and now_utc is not None
    if end_utc < start_utc:
        raise ValidationError({"end": "The end of the period must not be before its start."})
    with audit.reading(db, user, "mar.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        return mar_in(session, episode_id, start_utc, end_utc, now_utc)


def mar_in(session: Session, episode_id: int, start_utc: dt.datetime, end_utc: dt.datetime,
           now_utc: dt.datetime) -> list[MarRow]:
    """:func:`mar` inside the caller's session, over checked aware times (the caller checks the
    role)."""
    tz = clock.local_zone()
    episodes.episode_in(session, episode_id)
    order_rows = session.execute(
        select(MedicationOrder).where(
            MedicationOrder.episode_id == episode_id, MedicationOrder.start_at < end_utc,
            or_(MedicationOrder.stop_at.is_(None), MedicationOrder.stop_at > start_utc))
        .order_by(MedicationOrder.start_at, MedicationOrder.id)
    ).scalars().all()
    order_rows = [r for r in order_rows if not _cancelled(r)]
    pairs = _episode_admins(session, episode_id)
    names = _names(session, [r.ordered_by for r in order_rows] + [r.updated_by for r in order_rows])
    views = _admin_views(session, pairs)
    view_by_id = {v.id: v for v in views}
    unstruck = [a for a, s in pairs if s is None]
    rows: list[MarRow] = []
    for row in order_rows:
        order_view = _order_view(row, names)
        rule = _rule(row)
        own = [a for a in unstruck if a.order_id == row.id]
        in_window = [view_by_id[a.id] for a, _ in pairs if a.order_id == row.id and (
            start_utc <= a.at < end_utc
            or (a.scheduled_for is not None and start_utc <= a.scheduled_for < end_utc))]
        doses: list[DueDose] = []
        prn: list[AdministrationView] = []
        next_prn: dt.datetime | None = None
        if rule.is_prn:
            prn = list(in_window)
            given = [a.at for a in own if a.outcome == "given" and a.at <= now_utc]
            if given and rule.active_at(now_utc):
                allowed = max(given) + dt.timedelta(hours=rule.min_interval_hours or 0)
                next_prn = allowed if allowed > now_utc else None
        else:
            doses = due_doses(rule, [_core_admin(a) for a in own], start_utc, end_utc, tz, now_utc)
        rows.append(MarRow(order_view, doses, prn, next_prn, in_window))
    rows.sort(key=lambda r: (r.order.is_prn, r.order.start, r.order.id))
    return rows


def due_summary(db: Database, user: SignedInUser, now: dt.datetime | None = None) -> dict[int, DueCounts]:
    """For each open episode in stabilization or transition, its scheduled doses not yet
    recorded from 24 h ago to 1 h ahead: due, late and missed. Three queries (orders,
    administrations, strikes), whatever the census size."""
    require(db, user, "patients.view")
    errors: dict[str, str] = {}
    now_utc = _aware(now, "now", "current time", errors) if now is not None else utcnow()
    if errors:
        raise ValidationError(errors)
    assert now_utc is not None
    window_start, window_end = now_utc - SUMMARY_PAST, now_utc + UPCOMING
    tz = clock.local_zone()
    open_episode = and_(Episode.id == MedicationAdministration.episode_id, Episode.stage.in_(OPEN_STAGES))
    in_window = and_(MedicationAdministration.scheduled_for >= window_start,
                     MedicationAdministration.scheduled_for < window_end)
    with db.read() as session:
        order_rows = session.execute(
            select(Episode.id, MedicationOrder)
            .outerjoin(MedicationOrder, and_(
                MedicationOrder.episode_id == Episode.id,
                MedicationOrder.start_at < window_end,
                MedicationOrder.min_interval_hours.is_(None),
                or_(MedicationOrder.stop_at.is_(None), MedicationOrder.stop_at > window_start)))
            .where(Episode.stage.in_(OPEN_STAGES))
        ).all()
        admin_rows = session.execute(
            select(MedicationAdministration.id, MedicationAdministration.order_id,
                   MedicationAdministration.outcome, MedicationAdministration.at,
                   MedicationAdministration.dose, MedicationAdministration.scheduled_for)
            .join(Episode, open_episode).where(in_window)
        ).all()
        struck = set(session.execute(
            select(EntryStrike.entry_id).where(
                EntryStrike.entry_type == STRIKE_TYPE,
                EntryStrike.entry_id.in_(
                    select(MedicationAdministration.id).join(Episode, open_episode).where(in_window)))
        ).scalars())
        plans: list[tuple[int, Order | None]] = []
        for episode_id, row in order_rows:
            if row is None or _cancelled(row):
                plans.append((episode_id, None))
                continue
            try:
                plans.append((episode_id, _rule(row)))
            except ValueError:  # a row the rules refuse must not break the census
                log.warning("medication order %s is not valid; left out of the due summary", row.id)
                plans.append((episode_id, None))
    recorded: dict[str, list[Administration]] = {}
    for admin_id, order_id, outcome, at, dose, scheduled in admin_rows:
        if admin_id in struck:
            continue
        # Only the outcome and the scheduled time matter to a dose's status here.
        recorded.setdefault(str(order_id), []).append(Administration(
            order_id=str(order_id), outcome=_outcome(outcome), at=at,
            dose=(dose or 1.0) if outcome == "given" else None, reason=outcome, by="-",
            scheduled_for=scheduled))
    counts: dict[int, dict[str, int]] = {}
    for episode_id, rule in plans:
        tally = counts.setdefault(episode_id, {"due": 0, "late": 0, "missed": 0})
        if rule is None:
            continue
        for due in due_doses(rule, recorded.get(rule.id, ()), window_start, window_end, tz, now_utc):
            if due.status in tally:
                tally[due.status] += 1
    return {episode_id: DueCounts(**tally) for episode_id, tally in counts.items()}
