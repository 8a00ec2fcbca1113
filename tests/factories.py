"""Data the tests build again and again, and the records they set up with it: a complete intake,
the instrument answers, admitted patients, a finished aftercare plan. No Qt here, so core,
report and GUI tests all share one copy instead of importing from each other's test modules."""

from __future__ import annotations

import datetime as dt

from clinic_desktop.core import units
from clinic_desktop.core.services import (
    directory,
    episodes,
    intake,
    patients,
    plans,
    settings,
    stabilization,
)
from tests.conftest import STRONG_PASSWORD, make_user

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)

# --- Instrument answers -----------------------------------------------------------------------

COWS_14 = {"resting_pulse": 2, "sweating": 1, "restlessness": 1, "pupil_size": 2, "bone_joint_aches": 2,
           "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
           "gooseflesh": 0}
PHQ9_NO_RISK = {k: 1 for k in ("interest", "depressed", "sleep", "tired", "appetite", "failure",
                               "concentration", "psychomotor")} | {"self_harm": 0}
#: ASQ answers: four "no"s (negative; question 5 not asked), a positive screen, an acute positive.
ASQ_NO = {"wished_dead": 0, "better_off_dead": 0, "thoughts_past_week": 0, "tried_before": 0}
ASQ_POSITIVE = dict(ASQ_NO, tried_before=1, thoughts_now=0)
ASQ_ACUTE = dict(ASQ_NO, wished_dead=1, thoughts_now=1)
GAD7 = {k: 1 for k in ("nervous", "uncontrolled_worry", "worry_too_much", "trouble_relaxing", "restless",
                       "irritable", "afraid")}


# --- Clinic settings --------------------------------------------------------------------------


def use_vitals_units(db, admin, system: str) -> None:
    """The clinic types temperature and weight in ``system``'s units (``units.METRIC``: °C and
    kg; ``units.US``: °F and lb) whatever its region (the shipped region, US, means °F and lb)."""
    settings.update(db, admin, {units.SETTING: system})


# --- Intake -----------------------------------------------------------------------------------


def complete_draft(**overrides) -> dict:
    """An intake draft with every section filled, ready to sign; ``overrides`` merge into sections."""
    data = {
        "identity": {"consent_to_treatment": True},
        "substances": {"rows": [{"substance": "heroin", "route": "injected",
                                 "last_use": (NOW - dt.timedelta(hours=16)).isoformat()}],
                       "prior_overdoses": 0, "naloxone_at_home": False},
        "medical": {"pregnancy": "not_applicable", "seizure_history": False, "allergies": "none known"},
        "vitals": {"pulse": 96, "systolic": 128, "diastolic": 82, "respiratory_rate": 16,
                   "temperature_c": 37.1, "spo2": 98, "weight_kg": 70},
        "scores": {"cows": dict(COWS_14)},
        "mental_health": {"phq9": dict(PHQ9_NO_RISK), "gad7": dict(GAD7), "asq": dict(ASQ_NO)},
        "social": {"housing": "stable"},
    }
    for section, values in overrides.items():
        data[section] = {**data.get(section, {}), **values}
    return data


def sign_intake(db, nurse, patient, **overrides) -> int:
    """Start, save and sign a complete intake (``overrides`` as for ``complete_draft``) for a
    registered patient, pathway buprenorphine induction: the episode id, now in stabilization."""
    started = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, started.id, started.version, complete_draft(**overrides))
    intake.sign(db, nurse, started.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction")
    return started.episode_id


# --- Admission ----------------------------------------------------------------------------------


def admit_without_intake(db, user, mrn="S-1", given="Sam", family="Stable", stage="stabilization"):
    """A registered patient with an open episode moved straight on to ``stage`` by stage changes
    alone, no intake assessment recorded: the EpisodeView."""
    p = patients.register(db, user, patients.PatientInput(
        mrn=mrn, given_name=given, family_name=family, date_of_birth=dt.date(1985, 3, 4), sex="unknown"))
    ep = episodes.open_episode(db, user, p.id)
    order = ["stabilization", "transition"]
    for next_stage in order[: order.index(stage) + 1] if stage in order else []:
        ep = episodes.change_stage(db, user, ep.id, ep.version, next_stage)
    return ep


def admit_with_signed_intake(database, admin, *, mrn="P-1", language="en", transition=True,
                             pathway="buprenorphine_induction", intake_data=None):
    """A patient (with an emergency contact) whose intake a new nurse signed; their episode moved
    on to transition unless told not to. Returns (episode id, patient view)."""
    nurse = make_user(database, admin, "nurse", f"nurse-{mrn}")
    patient = patients.register(database, nurse, patients.PatientInput(
        mrn=mrn, given_name="Rosa", family_name="Díaz", date_of_birth=dt.date(1987, 6, 5), sex="female",
        preferred_language=language, emergency_contact_name="Lee Díaz", emergency_contact_relation="sister",
        emergency_contact_phone="217-555-0142"))
    a = intake.start(database, nurse, patient.id)
    saved = intake.save_draft(database, nurse, a.id, a.version,
                              intake_data or complete_draft(substances={"naloxone_at_home": True}))
    intake.sign(database, nurse, a.id, saved.version, STRONG_PASSWORD, pathway)
    if transition:
        stabilization.move_to_transition(database, nurse, a.episode_id)
    return a.episode_id, patient


# --- Aftercare plan -----------------------------------------------------------------------------


def local_entry(database, admin, name="Northside IOP", kind="outpatient_program"):
    """A local resource directory entry, to refer to from a plan."""
    return directory.add_entry(database, admin, directory.EntryInput(
        name=name, kind=kind, phone="217-555-0100", address="12 Main St", languages="en,es"))


def complete_plan(draft: dict, referral_id: int, meeting_id: int | None = None) -> dict:
    """``draft`` (an opened plan's prefilled draft) with every section a finalize needs filled."""
    plan = {**draft}
    plan["medication"] = {**plan["medication"], "prescriber": "Dr. Okafor", "next": "2026-12-02T09:00",
                          "moud": {"answer": "accepted", "reason": ""}}
    plan["level"] = "intensive_outpatient"
    plan["therapies"] = ["cbt"]
    plan["referrals"] = [{"entry_id": referral_id, "reason": "Intensive outpatient, 3 evenings a week",
                          "appointment": "2026-12-01T10:00", "share": True}]
    plan["meetings"] = [meeting_id] if meeting_id else []
    plan["key_worker"] = {"name": "Sam Ortiz", "phone": "217-555-0199", "focus": ["housing"]}
    plan["relapse"] = {**plan["relapse"], "triggers": "Payday, old friends from the block"}
    plan["overdose"] = {**plan["overdose"], "naloxone_kit_given": True, "naloxone_shown_patient": True}
    plan["follow_ups"] = [{"when": "2026-12-08T14:00", "place": "Clinic", "phone": "217-555-0100"}]
    return plan


def plan_with_consent(database, admin, counselor) -> dict:
    """A plan in transition with a complete draft referring to Northside IOP (saved by
    ``counselor``), and the patient's consent, valid 30 days, to share its medication and
    follow-ups with that program: the episode id, patient, entry, plan id, saved draft and
    consent."""
    today = dt.date.today()
    episode_id, patient = admit_with_signed_intake(database, admin)
    entry = local_entry(database, admin)
    view = plans.open_plan(database, counselor, episode_id)
    saved = plans.save_draft(database, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    consent = plans.record_consent(database, counselor, episode_id, plans.ConsentInput(
        entry.id, "Arrange intensive outpatient care", ("medication", "follow_ups"),
        today + dt.timedelta(days=30), today), today=today)
    return {"episode_id": episode_id, "patient": patient, "entry": entry, "plan_id": view.id, "saved": saved,
            "consent": consent}
