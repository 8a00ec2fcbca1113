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
     "overdose": {"naloxone_kit_given": True}, "follow_ups": [{"when": "...", "place": "...", "phone": "..."}],
     "safety_plan": {"warning_signs": "...", "coping": "...", "distractions": "...",
                     "people_to_ask": "...", "professionals": "...", "safer_surroundings": "...",
                     "reasons_to_live": "..."}}

``safety_plan`` is the Stanley–Brown safety plan (CLINICAL.md §7), each part a text in the
patient's own words (:data:`SAFETY_PLAN_FIELDS`); an empty dict (the default) or empty parts when
none was made. It is printed with the plan when any part is filled in. When the episode's safety
alert was raised, finalizing needs its warning signs, people to ask for help and making the
surroundings safer (:data:`SAFETY_PLAN_REQUIRED`).

Overdose prevention and PAWS education are always printed: they are not sections one can drop.

The sections, their order and the labels staff read are declared once, in :data:`SECTIONS`; the
printed plan's order (:data:`PRINT_ORDER`, used by ``reports.plan``) and the plan screen's
section list are derived from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core import protocols, withdrawal


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
    PlanSection("relapse", "Relapse prevention", ("relapse",)),
    PlanSection("safety_plan", "Safety plan", ("safety_plan",)),
    PlanSection("overdose", "Overdose and PAWS", ("overdose", "paws"), checked=False),
    PlanSection("follow_ups", "Follow-ups", ("follow_ups",)),
)
#: Printed on every plan around the sections: the crisis lines first, the signature lines last.
PRINTED_FIRST = ("crisis",)
PRINTED_LAST = ("signatures",)
#: Every part of the printed plan, in print order.
PRINT_ORDER: tuple[str, ...] = (*PRINTED_FIRST, *(part for s in SECTIONS for part in s.parts),
                                *PRINTED_LAST)
#: A part of the plan (the first part of a key :func:`missing_to_finalize` gives, e.g.
#: "key_worker.name") → the name of the section that holds it.
SECTION_OF: dict[str, str] = {part: s.name for s in SECTIONS for part in s.parts}

MEDICATIONS = ("buprenorphine", "methadone", "naltrexone", "none")
LEVELS = ("residential", "intensive_outpatient", "outpatient", "sober_living")
THERAPIES = ("cbt", "motivational_interviewing", "contingency_management", "family_therapy")
RELAPSE_FIELDS = ("triggers", "warning_signs", "coping", "people_to_call", "reasons")
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
    return {"medication": {"choice": None, "prescriber": "", "next": "", "reason": ""},
            "level": None, "therapies": [], "referrals": [], "people": [],
            "key_worker": {"name": "", "phone": "", "focus": []}, "meetings": [],
            "relapse": {field: "" for field in RELAPSE_FIELDS},
            "overdose": {"naloxone_kit_given": False}, "follow_ups": [], "safety_plan": {}}


def prefill(intake_data: Mapping[str, Any], pathway: str | None, *, emergency_contact: Mapping[str, str] | None
            = None) -> dict[str, Any]:
    """A new plan from what the episode knows: the medicine of the chosen pathway, the patient's
    emergency contact among the people who support them, naloxone already at home."""
    plan = empty_plan()
    plan["medication"]["choice"] = PATHWAY_MEDICATION.get(pathway or "")
    contact = dict(emergency_contact or {})
    if contact.get("name"):
        plan["people"].append({"name": contact["name"], "relation": contact.get("relation", ""),
                               "phone": contact.get("phone", "")})
    substances = intake_data.get("substances")
    at_home = isinstance(substances, Mapping) and bool(substances.get("naloxone_at_home"))
    plan["overdose"]["naloxone_at_home"] = at_home
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


#: Required before the plan is finalized, whatever else it holds ("section.field" keys as
#: :func:`missing_to_finalize` names them) → the refusal's message.
REQUIRED: dict[str, str] = {
    "medication.choice": "Choose the medicine that continues after discharge (or none).",
    "level": "Choose the level of aftercare.",
    "key_worker.name": "Name the key worker (at least 6 months: housing, employment, benefits).",
    "follow_ups": "Add at least one follow-up appointment.",
}
#: Required only while every part of the relapse-prevention plan is empty (any one part will do).
RELAPSE_KEY = "relapse.triggers"


def _text_of(plan: Mapping[str, Any], part: str, field: str) -> str:
    return str((plan.get(part) or {}).get(field) or "").strip()


def _early_naltrexone(plan: Mapping[str, Any], naltrexone: protocols.Prompt | None) -> bool:
    return ((plan.get("medication") or {}).get("choice") == "naltrexone" and naltrexone is not None
            and naltrexone.status != "meets")


def required_fields(plan: Mapping[str, Any], naltrexone: protocols.Prompt | None = None,
                    safety_alert: bool = False) -> tuple[str, ...]:
    """The fields that must be filled in before the plan is finalized, in screen order: the
    :data:`REQUIRED` ones; the reason for naltrexone chosen before its opioid-free window is met;
    each referral's reason; the relapse plan's first part while every part is empty; when the
    episode's safety alert was raised (``safety_alert``), the safety plan's
    :data:`SAFETY_PLAN_REQUIRED` parts. The refusal (:func:`missing_to_finalize`) and the plan
    screen's required marks both come from here."""
    out = ["medication.choice"]
    if _early_naltrexone(plan, naltrexone):
        out.append("medication.reason")
    out.append("level")
    out += [f"referrals.{n}.reason" for n in range(1, len(plan.get("referrals") or []) + 1)]
    out.append("key_worker.name")
    if not any(_text_of(plan, "relapse", field) for field in RELAPSE_FIELDS):
        out.append(RELAPSE_KEY)
    if safety_alert:
        out += [f"safety_plan.{field}" for field in SAFETY_PLAN_REQUIRED]
    out.append("follow_ups")
    return tuple(out)


_FILLED: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "medication.choice": lambda plan: (plan.get("medication") or {}).get("choice") in MEDICATIONS,
    "level": lambda plan: plan.get("level") in LEVELS,
    "key_worker.name": lambda plan: bool(_text_of(plan, "key_worker", "name")),
    "follow_ups": lambda plan: bool(plan.get("follow_ups")),
}


def _gap(plan: Mapping[str, Any], key: str, naltrexone: protocols.Prompt | None) -> str | None:
    """The refusal's message for required field ``key`` while it is not filled in, else None."""
    if key in REQUIRED:
        return None if _FILLED[key](plan) else REQUIRED[key]
    if key == "medication.reason" and naltrexone is not None:
        if _text_of(plan, "medication", "reason"):
            return None
        return f"Naltrexone: {naltrexone.text} Record why it is chosen now (basis: {naltrexone.basis})."
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
                        safety_alert: bool = False) -> dict[str, str]:
    """What must be filled in before the counselor signs the plan ("section.field": message):
    each of :func:`required_fields` still empty. Naltrexone before its opioid-free window is met
    needs the clinician's reason (the prompt decides nothing). ``safety_alert``: the episode's
    safety alert was raised (at any time): the safety plan's key parts are then required."""
    return {key: message for key in required_fields(plan, naltrexone, safety_alert)
            if (message := _gap(plan, key, naltrexone)) is not None}
