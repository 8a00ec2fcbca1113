"""The aftercare plan as data (CLINICAL.md §2 post-detox transition, §4 contacts): its sections,
what the episode already knows to prefill them, and what must be there before it is finalized.
Pure: no database, no Qt.

A plan is a dict of sections, kept as JSON with each finalized version::

    {"medication": {"choice": "buprenorphine", "prescriber": "...", "next": "...", "reason": ""},
     "level": "intensive_outpatient", "therapies": ["cbt"],
     "referrals": [{"entry_id": 7, "reason": "...", "appointment": "2026-12-01T10:00", "share": True}],
     "people": [{"name": "...", "relation": "...", "phone": "..."}],
     "key_worker": {"name": "...", "phone": "...", "focus": ["housing"]},
     "meetings": [entry ids], "relapse": {"triggers": "...", ...},
     "my_day": {"routine": "...", "self_care": "..."},
     "overdose": {"naloxone_kit_given": True, "naloxone_reason": "", "naloxone_shown_patient": True,
                  "naloxone_shown_person": "Ana (sister)", "naloxone_at_home": False},
     "follow_ups": [{"when": "...", "place": "...", "phone": "..."}],
     "safety_plan": {"warning_signs": "...", "coping": "...", "distractions": "...",
                     "people_to_ask": "...", "professionals": "...", "safer_surroundings": "...",
                     "reasons_to_live": "..."}}

``safety_plan`` is the Stanley–Brown safety plan (CLINICAL.md §7), each part a text in the
patient's own words (:data:`SAFETY_PLAN_FIELDS`); an empty dict (the default) or empty parts when
none was made. It is printed with the plan when any part is filled in. When the episode's safety
alert was raised, finalizing needs its warning signs, people to ask for help and making the
surroundings safer (:data:`SAFETY_PLAN_REQUIRED`).

Naloxone (CLINICAL.md §7): ``naloxone_kit_given`` is True (given), False (not given: then
``naloxone_reason`` says why) or None (not answered yet); ``naloxone_shown_patient`` and
``naloxone_shown_person`` (a name, or "") say who was shown how to use it; ``naloxone_at_home``
comes from the intake. Finalizing needs the answer, and the reason when the answer is no.

The crisis lines, the overdose box (page 1) and PAWS education are always printed: they are not
sections one can drop. "Who to call when" (:data:`PRINTED_AFTER`) follows the medication.

The sections, their order and the labels staff read are declared once, in :data:`SECTIONS`; the
printed plan's order (:data:`PRINT_ORDER`, used by ``reports.plan``) and the plan screen's
section list are derived from it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core import clock, protocols, withdrawal
from clinic_desktop.core import directory as directory_rules


@dataclass(frozen=True)
class PlanSection:
    """One section of the plan: its ``name``, the ``label`` staff read (the screen's section
    list), and the ``parts`` of the printed plan it holds, in print order. Each part is also the
    key of the plan dict that holds it, except ``paws`` (fixed text, always printed)."""

    name: str
    label: str
    parts: tuple[str, ...]
    #: Finalizing may find something missing here (the screen marks it complete or not).
    checked: bool = True


#: The plan's sections, in the order the screen lists them and the plan prints them.
SECTIONS: tuple[PlanSection, ...] = (
    PlanSection("medication", "Medication", ("medication",)),
    PlanSection("level", "Level and therapies", ("level", "therapies")),
    PlanSection("referrals", "Referrals", ("referrals",)),
    PlanSection("support", "Support", ("people", "key_worker", "meetings")),
    PlanSection("relapse", "Relapse prevention", ("relapse", "my_day")),
    PlanSection("safety_plan", "Safety plan", ("safety_plan",)),
    PlanSection("overdose", "Naloxone, overdose and PAWS", ("overdose", "paws")),
    PlanSection("follow_ups", "Follow-ups", ("follow_ups",)),
)
#: Printed on every plan around the sections: page 1 opens with the crisis lines, then the
#: overdose box (CLINICAL.md §7; the "overdose" part prints there, not with its section); the
#: signature lines come last.
PRINTED_FIRST = ("crisis", "overdose")
PRINTED_LAST = ("signatures",)
#: Printed right after a section's parts: "Who to call when" follows the medication.
PRINTED_AFTER: dict[str, tuple[str, ...]] = {"medication": ("who_to_call",)}
#: Every part of the printed plan, in print order.
PRINT_ORDER: tuple[str, ...] = (
    *PRINTED_FIRST,
    *(part for s in SECTIONS for part in (*s.parts, *PRINTED_AFTER.get(s.name, ()))
      if part not in PRINTED_FIRST),
    *PRINTED_LAST)
#: A part of the plan (the first part of a key :func:`missing_to_finalize` gives, e.g.
#: "key_worker.name") → the name of the section that holds it.
SECTION_OF: dict[str, str] = {part: s.name for s in SECTIONS for part in s.parts}

MEDICATIONS = ("buprenorphine", "methadone", "naltrexone", "none")
LEVELS = ("residential", "intensive_outpatient", "outpatient", "sober_living")
THERAPIES = ("cbt", "motivational_interviewing", "contingency_management", "family_therapy")
RELAPSE_FIELDS = ("triggers", "warning_signs", "coping", "people_to_call", "reasons")
#: "My day" (#16 item 5), with the relapse plan: the routine that holds the day together and what
#: keeps the patient well (sleep, food, movement, calm, hobbies), in their words. Printed when written.
MY_DAY_FIELDS = ("routine", "self_care")
#: Where a new plan takes what the intake heard matters to the patient (assessment.WHAT_MATTERS):
#: plan part and field ← the intake's social field. Staff edit it on the plan like any text.
FROM_WHAT_MATTERS: tuple[tuple[str, str, str], ...] = (
    ("relapse", "reasons", "reasons"), ("relapse", "people_to_call", "trusted_people"),
    ("relapse", "coping", "strengths"), ("my_day", "routine", "routines"))
#: The Stanley–Brown safety plan's parts, in its order (CLINICAL.md §7): warning signs, coping on
#: my own, people and places that distract, people I can ask for help, professionals and 988,
#: making my surroundings safer, reasons to live.
SAFETY_PLAN_FIELDS = ("warning_signs", "coping", "distractions", "people_to_ask", "professionals",
                      "safer_surroundings", "reasons_to_live")
#: Required before finalizing when the episode's safety alert was raised → the refusal's message.
SAFETY_PLAN_REQUIRED: dict[str, str] = {
    "warning_signs": "Safety plan: write the warning signs with the patient, in their words",
    "people_to_ask": "Safety plan: write the people the patient can ask for help",
    "safer_surroundings": "Safety plan: write how the patient will make their surroundings safer",
}
KEY_WORKER_FOCUS = ("housing", "employment", "benefits")
#: The paper a plan prints on: code → what staff read (the renderer knows their sizes).
PAGE_SIZES: dict[str, str] = {"letter": "US Letter", "a4": "A4"}

#: The national lines every plan prints, crisis lines first (CLINICAL.md §4 ids).
HELPLINES = ("lifeline_988", "samhsa_helpline", "never_use_alone", "poison_control", "crisis_text_line")
#: The pathway chosen at intake → the medicine that usually continues after discharge.
PATHWAY_MEDICATION = {"buprenorphine_induction": "buprenorphine", "methadone": "methadone",
                      "naltrexone_after_detox": "naltrexone"}


def empty_plan() -> dict[str, Any]:
    return {"medication": {"choice": None, "prescriber": "", "next": "", "reason": "",
                           "reconciliation": [], "moud": {"answer": None, "reason": ""}},
            "level": None, "therapies": [], "referrals": [], "people": [],
            "key_worker": {"name": "", "phone": "", "focus": []}, "meetings": [],
            "relapse": {field: "" for field in RELAPSE_FIELDS},
            "my_day": {field: "" for field in MY_DAY_FIELDS},
            "overdose": {"naloxone_kit_given": None, "naloxone_reason": "",
                         "naloxone_shown_patient": False, "naloxone_shown_person": ""},
            "follow_ups": [], "safety_plan": {}}


def prefill(intake_data: Mapping[str, Any], pathway: str | None, *, emergency_contact: Mapping[str, str] | None
            = None, what_matters: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A new plan from what the episode knows: the medicine of the chosen pathway, the patient's
    emergency contact among the people who support them, naloxone already at home, and what
    matters to the patient (:data:`FROM_WHAT_MATTERS`) — ``what_matters`` as the stay last heard
    it (the newest session's answers, core.services.support), else the intake's."""
    plan = empty_plan()
    plan["medication"]["choice"] = PATHWAY_MEDICATION.get(pathway or "")
    contact = dict(emergency_contact or {})
    if contact.get("name"):
        plan["people"].append({"name": contact["name"], "relation": contact.get("relation", ""),
                               "phone": contact.get("phone", "")})
    substances = intake_data.get("substances")
    at_home = isinstance(substances, Mapping) and bool(substances.get("naloxone_at_home"))
    plan["overdose"]["naloxone_at_home"] = at_home
    social = intake_data.get("social")
    heard = dict(social) if isinstance(social, Mapping) else {}
    heard.update({key: text for key, text in (what_matters or {}).items() if str(text).strip()})
    for part, field, source in FROM_WHAT_MATTERS:
        plan[part][field] = str(heard.get(source) or "").strip()
    return plan


#: MAR drugs that count as opioid exposure for the naltrexone window (drug id → substance id).
MAR_OPIOIDS: dict[str, str] = {"methadone": "methadone", "buprenorphine": "buprenorphine"}


def opioid_exposures(intake_data: Mapping[str, Any],
                     mar_doses: Iterable[tuple[dt.datetime, str]] = ()) -> list[tuple[dt.datetime | None, str, str]]:
    """Every opioid exposure: each opioid use recorded at intake (its time may be missing) and
    each methadone or buprenorphine dose given on the MAR (``(time, drug id)``), as
    ``(time, substance id, where)`` for :func:`protocols.naltrexone_window_from`."""
    out: list[tuple[dt.datetime | None, str, str]] = [
        (intake_rules.parse_time(r.get("last_use")), r["substance"], "use recorded at intake")
        for r in intake_rules.substance_rows(intake_data)
        if (info := withdrawal.SUBSTANCES.get(r["substance"])) is not None and info.is_opioid]
    out += [(at, MAR_OPIOIDS[drug_id], "dose given here") for at, drug_id in mar_doses if drug_id in MAR_OPIOIDS]
    return out


def naltrexone_prompt(intake_data: Mapping[str, Any], now: dt.datetime,
                      settings: protocols.ProtocolSettings | None = None, *,
                      mar_doses: Iterable[tuple[dt.datetime, str]] = (), **kwargs: Any) -> protocols.Prompt:
    """Whether the opioid-free window before naltrexone is met, counted from the most
    restrictive opioid exposure (intake uses and methadone/buprenorphine doses given), with its
    basis."""
    return protocols.naltrexone_window_from(opioid_exposures(intake_data, mar_doses), now, settings, **kwargs)


# --- Discharge medication reconciliation (CLINICAL.md §7) -------------------------------------
#
# ``plan["medication"]["reconciliation"]`` holds one row per active order of the episode::
#
#     {"order_id": 12, "name": "Buprenorphine", "drug_id": "buprenorphine",
#      "decision": "continue" | "change" | "stop" | None,
#      "dose": "8 mg", "route": "sublingual", "frequency": "once a day",
#      "leave": "supply" | "prescription" | None, "supply_days": 3,
#      "pharmacy": "...", "pharmacy_phone": "...", "next": "2026-12-05T09:00", "gap_reason": ""}
#
# and ``plan["medication"]["moud"]`` whether medication for opioid use disorder was offered:
# ``{"answer": "accepted" | "declined" | None, "reason": "the patient's reason when declined"}``.
# The last dose given here is never typed: it comes from the MAR (:class:`ActiveOrder`) and
# :func:`with_last_doses` writes it into the copy of the plan a document is printed from.

DECISIONS = ("continue", "change", "stop")
#: The decisions after which the patient goes on taking the medicine (the row needs its details).
TAKEN_ON = ("continue", "change")
LEAVE_KINDS = ("supply", "prescription")
MOUD_ANSWERS = ("accepted", "declined")
#: Medications for opioid use disorder: a gap in their supply before the next dose is flagged.
MOUD_DRUGS = ("buprenorphine", "methadone", "naltrexone")
#: The row fields required while the medicine is continued or changed, with their wording.
ROW_DETAILS = (("dose", "the dose"), ("route", "the route"), ("frequency", "how often"))
#: The key a reconciliation row's field has in :func:`missing_to_finalize` (``order_id``, field).
ROW_KEY = "medication.orders.{}.{}"
#: Where a printed row's last dose here is put (by :func:`with_last_doses`, never typed).
LAST_DOSE = "last_dose_here"


@dataclass(frozen=True)
class ActiveOrder:
    """An order active at discharge, as the MAR has it: what its reconciliation row is
    prefilled from (``dose`` "8 mg", ``route``, ``frequency`` "08:00, 20:00") and
    ``last_dose``, the last dose given here (not struck), None when none was given."""

    order_id: int
    drug_id: str
    name: str
    dose: str = ""
    route: str = ""
    frequency: str = ""
    last_dose: dt.datetime | None = None

    @property
    def moud(self) -> bool:
        return self.drug_id in MOUD_DRUGS


#: The routes of the formulary a printed plan writes in plain words of its language; any other
#: route prints as typed.
ROUTES = ("sublingual", "buccal", "oral", "intramuscular", "intravenous", "rectal")
_TIMES = r"[0-2][0-9]:[0-5][0-9](?:, [0-2][0-9]:[0-5][0-9])*"
_DAILY = re.compile(rf"(?:Once|([1-9][0-9]?) times) a day \(({_TIMES})\)", re.ASCII)
_AS_NEEDED = re.compile(r"As needed, at least ([0-9]+(?:\.[0-9]+)?) h apart", re.ASCII)


def how_often(times: Sequence[str]) -> str:
    """How often a scheduled medicine is taken, as its reconciliation row is prefilled from the
    order: "Once a day (09:00)", "3 times a day (08:00, 14:00, 20:00)". :func:`schedule_in`
    reads it back, so the printed plan writes it in its own language."""
    count = "Once" if len(times) == 1 else f"{len(times)} times"
    return f"{count} a day ({', '.join(times)})"


@dataclass(frozen=True)
class Schedule:
    """A prefilled "how often" read back: the ``times`` of a day, or ``as_needed_hours`` (the
    least hours between doses, as written) for a medicine taken only when needed."""

    times: tuple[dt.time, ...] = ()
    as_needed_hours: str = ""


def schedule_in(text: Any) -> Schedule | None:
    """The schedule in a "how often" exactly as :func:`how_often` (or the MAR's as-needed
    wording, "As needed, at least 4 h apart") wrote it; None for anything staff typed instead
    (which prints as typed) or a count that does not match its times."""
    text = str(text or "").strip()
    if daily := _DAILY.fullmatch(text):
        try:
            times = tuple(dt.time.fromisoformat(t) for t in daily.group(2).split(", "))
        except ValueError:
            return None
        return Schedule(times=times) if len(times) == int(daily.group(1) or 1) else None
    if as_needed := _AS_NEEDED.fullmatch(text):
        return Schedule(as_needed_hours=as_needed.group(1))
    return None


def _rows_by_order(plan: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    rows = (plan.get("medication") or {}).get("reconciliation") or []
    return {row["order_id"]: row for row in rows
            if isinstance(row, Mapping) and isinstance(row.get("order_id"), int)}


def reconciliation_rows(plan: Mapping[str, Any], orders: Iterable[ActiveOrder]) -> list[dict[str, Any]]:
    """One row per active order, in the orders' order: the plan's row for it if there is one,
    its empty fields prefilled from the order (dose, route, how often), so staff usually only
    confirm. Rows of orders no longer active are left out."""
    saved = _rows_by_order(plan)
    out = []
    for order in orders:
        row: dict[str, Any] = {"decision": None, "leave": None, "supply_days": None, "pharmacy": "",
                               "pharmacy_phone": "", "next": "", "gap_reason": "",
                               **saved.get(order.order_id, {})}
        row.update(order_id=order.order_id, name=order.name, drug_id=order.drug_id)
        for field in ("dose", "route", "frequency"):
            if not str(row.get(field) or "").strip():
                row[field] = getattr(order, field)
        row.pop(LAST_DOSE, None)
        out.append(row)
    return out


def with_last_doses(plan: Mapping[str, Any], last_doses: Mapping[int, dt.datetime | None]) -> dict[str, Any]:
    """A copy of ``plan`` whose reconciliation rows carry the last dose given here of their
    order (``last_doses``: order id → time, from the MAR), replacing anything the row held."""
    medication = dict(plan.get("medication") or {})
    rows = medication.get("reconciliation")
    if not isinstance(rows, list):
        return dict(plan)
    medication["reconciliation"] = [
        {**row, LAST_DOSE: last_doses.get(row["order_id"]) if isinstance(row.get("order_id"), int) else None}
        if isinstance(row, Mapping) else row
        for row in rows]
    return {**plan, "medication": medication}


def _when(text: Any, *, end_of_day: bool) -> dt.datetime | None:
    """A next dose or appointment as stored ("2026-12-05T09:00" local, or a date) as an aware
    time; a date alone is its last minute when ``end_of_day`` (the safe side for a gap);
    free text → None."""
    text = str(text or "").strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            wall = dt.datetime.combine(day, dt.time(23, 59) if end_of_day else dt.time(0, 0))
        else:
            wall = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return clock.from_local(wall)


def supply_end(last_dose: dt.datetime, supply_days: int) -> dt.datetime:
    """When a supply of ``supply_days`` days, taken from the last dose given here, runs out."""
    return last_dose + dt.timedelta(days=supply_days)


def supply_gap(last_dose: dt.datetime, supply_days: int, next_dose: dt.datetime) -> dt.timedelta | None:
    """How long the patient would be without the medicine: the time from the end of the supply
    to the next dose or appointment when the supply ends first, else None (ending exactly at
    the next dose is no gap)."""
    end = supply_end(last_dose, supply_days)
    return next_dose - end if next_dose > end else None


def _days(value: Any) -> int | None:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days > 0 else None


def _gap_message(order: ActiveOrder, row: Mapping[str, Any], now: dt.datetime | None) -> str | None:
    """Why a medication for opioid use disorder might leave the patient without it: the supply
    ends before the next dose or appointment, or that cannot be checked. None when there is no
    gap (or the row is not a supply of such a medicine)."""
    if not order.moud or row.get("decision") not in TAKEN_ON or row.get("leave") != "supply":
        return None
    days = _days(row.get("supply_days"))
    start = order.last_dose or now
    if days is None or start is None:
        return None  # the supply itself is missing (its own message), or nothing to count from
    following = _when(row.get("next"), end_of_day=True)
    if following is None:
        return (f"{order.name}: give the date and time of the next dose or appointment, so a gap "
                "in this medicine can be checked, or record why there is no risk of a gap.")
    gap = supply_gap(start, days, following)
    if gap is None:
        return None
    minutes = int(gap.total_seconds() // 60)
    length = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{max(minutes, 1)} min"
    ends = clock.local_text(supply_end(start, days), "%Y-%m-%d %H:%M")
    return (f"{order.name}: the supply ends {ends}, {length} before the next dose or appointment. "
            "Give more days, an earlier appointment, or record why the gap is safe.")


def _row_gaps(order: ActiveOrder, row: Mapping[str, Any], now: dt.datetime | None) -> dict[str, str]:
    """The reconciliation row of ``order``: each required field → its message while empty
    ("" once filled), in screen order."""
    key = ROW_KEY.format
    name = order.name
    decision = row.get("decision")
    out = {key(order.order_id, "decision"):
           "" if decision in DECISIONS else f"{name}: choose continue, change or stop."}
    if decision not in TAKEN_ON:
        return out
    for field, words in ROW_DETAILS:
        out[key(order.order_id, field)] = "" if str(row.get(field) or "").strip() else f"{name}: enter {words}."
    leave = row.get("leave")
    out[key(order.order_id, "leave")] = ("" if leave in LEAVE_KINDS else
                                         f"{name}: say what the patient leaves with (a supply or a prescription).")
    if leave == "supply":
        out[key(order.order_id, "supply_days")] = ("" if _days(row.get("supply_days")) else
                                                   f"{name}: enter how many days the supply lasts.")
    elif leave == "prescription":
        out[key(order.order_id, "pharmacy")] = ("" if str(row.get("pharmacy") or "").strip() else
                                                f"{name}: name the pharmacy that fills the prescription.")
    gap = _gap_message(order, row, now)
    if gap is not None:
        out[key(order.order_id, "gap_reason")] = "" if str(row.get("gap_reason") or "").strip() else gap
    return out


def reconciliation_missing(rows: Iterable[Mapping[str, Any]], orders: Iterable[ActiveOrder],
                           now: dt.datetime | None) -> dict[str, str]:
    """What the reconciliation ``rows`` still miss for ``orders`` (:data:`ROW_KEY` → message, in
    screen order): the rows alone, as Discharge… checks them (MOUD offered is the plan's)."""
    by_order = {row["order_id"]: row for row in rows
                if isinstance(row, Mapping) and isinstance(row.get("order_id"), int)}
    return {key: message for order in orders
            for key, message in _row_gaps(order, by_order.get(order.order_id, {}), now).items() if message}


def _reconciliation_gaps(plan: Mapping[str, Any], orders: Iterable[ActiveOrder],
                         now: dt.datetime | None) -> dict[str, str]:
    """Every required field of the reconciliation and MOUD offered → its message ("" filled)."""
    medication = plan.get("medication") or {}
    moud = medication.get("moud") or {}
    answer = moud.get("answer") if isinstance(moud, Mapping) else None
    out = {"medication.moud": "" if answer in MOUD_ANSWERS else
           "Record whether medication for opioid use disorder was offered and accepted, or declined."}
    if answer == "declined":
        out["medication.moud_reason"] = ("" if str(moud.get("reason") or "").strip() else
                                         "Medication for opioid use disorder declined: record the patient's reason.")
    rows = _rows_by_order(plan)
    for order in orders:
        out.update(_row_gaps(order, rows.get(order.order_id, {}), now))
    return out


#: Required before the plan is finalized, whatever else it holds ("section.field" keys as
#: :func:`missing_to_finalize` names them) → the refusal's message.
REQUIRED: dict[str, str] = {
    "medication.choice": "Choose the medicine that continues after discharge (or none).",
    "level": "Choose the level of aftercare.",
    "key_worker.name": "Name the key worker (at least 6 months: housing, employment, benefits).",
    "overdose.naloxone_kit_given": "Say whether a naloxone kit was given.",
    "follow_ups": "Add at least one follow-up appointment.",
}
#: Required only while the answer is "no kit given": why not.
NALOXONE_REASON_KEY = "overdose.naloxone_reason"
#: Required only while every part of the relapse-prevention plan is empty (any one part will do).
RELAPSE_KEY = "relapse.triggers"


def _text_of(plan: Mapping[str, Any], part: str, field: str) -> str:
    return str((plan.get(part) or {}).get(field) or "").strip()


def _early_naltrexone(plan: Mapping[str, Any], naltrexone: protocols.Prompt | None) -> bool:
    return ((plan.get("medication") or {}).get("choice") == "naltrexone" and naltrexone is not None
            and naltrexone.status != "meets")


#: What finalizing recommends but never requires, keyed like :func:`missing_to_finalize`.
OBSTETRIC_REFERRAL = "referrals.obstetric"


def recommended(pregnant: bool, referral_kinds: Iterable[str]) -> dict[str, str]:
    """What the plan should still have but finalizing never requires (CLINICAL.md §7: pregnancy
    is never a block): a pregnant patient's referral to prenatal and obstetric care, until one
    of the plan's referrals (``referral_kinds``: their directory kinds) is of that kind."""
    if pregnant and directory_rules.OBSTETRIC_CARE not in set(referral_kinds):
        return {OBSTETRIC_REFERRAL: "Pregnancy recorded: a referral to prenatal and obstetric care is "
                                    "recommended (finalizing does not need it)."}
    return {}


def required_fields(plan: Mapping[str, Any], naltrexone: protocols.Prompt | None = None,
                    safety_alert: bool = False, *, orders: Iterable[ActiveOrder] = (),
                    now: dt.datetime | None = None) -> tuple[str, ...]:
    """The fields that must be filled in before the plan is finalized, in screen order: the
    :data:`REQUIRED` ones; the reason for naltrexone chosen before its opioid-free window is met;
    whether medication for opioid use disorder was offered (and the patient's reason when
    declined); the reconciliation of each active order (``orders``; ``now`` counts a supply of
    a medicine not yet given here); each referral's reason; the relapse plan's first part while
    every part is empty; when the episode's safety alert was raised (``safety_alert``), the
    safety plan's :data:`SAFETY_PLAN_REQUIRED` parts; why no naloxone kit was given, when none
    was. The refusal (:func:`missing_to_finalize`) and the plan screen's required marks both come
    from here."""
    out = ["medication.choice"]
    if _early_naltrexone(plan, naltrexone):
        out.append("medication.reason")
    out += list(_reconciliation_gaps(plan, orders, now))
    out.append("level")
    out += [f"referrals.{n}.reason" for n in range(1, len(plan.get("referrals") or []) + 1)]
    out.append("key_worker.name")
    if not any(_text_of(plan, "relapse", field) for field in RELAPSE_FIELDS):
        out.append(RELAPSE_KEY)
    if safety_alert:
        out += [f"safety_plan.{field}" for field in SAFETY_PLAN_REQUIRED]
    out.append("overdose.naloxone_kit_given")
    if (plan.get("overdose") or {}).get("naloxone_kit_given") is False:
        out.append(NALOXONE_REASON_KEY)
    out.append("follow_ups")
    return tuple(out)


_FILLED: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "medication.choice": lambda plan: (plan.get("medication") or {}).get("choice") in MEDICATIONS,
    "level": lambda plan: plan.get("level") in LEVELS,
    "key_worker.name": lambda plan: bool(_text_of(plan, "key_worker", "name")),
    "overdose.naloxone_kit_given": lambda plan: isinstance(
        (plan.get("overdose") or {}).get("naloxone_kit_given"), bool),
    "follow_ups": lambda plan: bool(plan.get("follow_ups")),
}


def _gap(plan: Mapping[str, Any], key: str, naltrexone: protocols.Prompt | None,
         reconciliation: Mapping[str, str]) -> str | None:
    """The refusal's message for required field ``key`` while it is not filled in, else None
    (``reconciliation``: :func:`_reconciliation_gaps`)."""
    if key in reconciliation:
        return reconciliation[key] or None
    if key in REQUIRED:
        return None if _FILLED[key](plan) else REQUIRED[key]
    if key == "medication.reason" and naltrexone is not None:
        if _text_of(plan, "medication", "reason"):
            return None
        return f"Naltrexone: {naltrexone.text} Record why it is chosen now (basis: {naltrexone.basis})."
    if key == NALOXONE_REASON_KEY:  # required only while no kit was given
        if _text_of(plan, "overdose", "naloxone_reason"):
            return None
        return "No naloxone kit given: record why not."
    if key == RELAPSE_KEY:  # required only while the relapse plan is empty
        return "Write the relapse-prevention plan with the patient, in their words."
    if key.startswith("safety_plan."):  # required only after the safety alert was raised
        field = key.split(".", 1)[1]
        if _text_of(plan, "safety_plan", field):
            return None
        return f"{SAFETY_PLAN_REQUIRED[field]} (the safety alert was raised in this episode)."
    n = int(key.split(".")[1])  # referrals.<n>.reason
    if str((plan.get("referrals") or [])[n - 1].get("reason") or "").strip():
        return None
    return f"Referral {n}: say why the patient is referred there."


def missing_to_finalize(plan: Mapping[str, Any], naltrexone: protocols.Prompt | None = None,
                        safety_alert: bool = False, *, orders: Iterable[ActiveOrder] = (),
                        now: dt.datetime | None = None) -> dict[str, str]:
    """What must be filled in before the counselor signs the plan ("section.field": message):
    each of :func:`required_fields` still empty. Naltrexone before its opioid-free window is met
    needs the clinician's reason (the prompt decides nothing). ``safety_alert``: the episode's
    safety alert was raised (at any time): the safety plan's key parts are then required. A
    medication for opioid use disorder whose supply ends before the next dose or appointment is
    refused until the supply or the appointment is changed, or the clinician records why the gap
    is safe (``gap_reason``: a gap staff can always resolve, never one that silently prints)."""
    orders = tuple(orders)
    reconciliation = _reconciliation_gaps(plan, orders, now)
    return {key: message for key in required_fields(plan, naltrexone, safety_alert, orders=orders, now=now)
            if (message := _gap(plan, key, naltrexone, reconciliation)) is not None}
