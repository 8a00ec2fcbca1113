"""Invented demo patients (MRNs DEMO-0001…) in every stage. Idempotent. No real person's data.

DEMO-0001 goes on to transition with a signed intake and a complete, finalized aftercare plan
(version 1): a referral to an invented program in the directory with the patient's consent,
people, a key worker, relapse warning signs and a follow-up visit. The demo accounts are
disabled; to sign the intake and the plan they get a random password for the moment of
signing only, and are disabled again straight after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from clinic_desktop.core import clock
from clinic_desktop.core.db import Database
from clinic_desktop.core.models import (
    AftercarePlan,
    Assessment,
    Consent,
    DirectoryEntry,
    Episode,
    Patient,
    PlanVersion,
    Role,
    Stage,
    User,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import (
    audit,
    directory,
    episodes,
    intake,
    patients,
    plans,
    stabilization,
)
from clinic_desktop.core.services import settings as settings_service

DEMO_USERNAME = "demo.nurse"
DEMO_COUNSELOR = "demo.counselor"
DEMO_PLAN_MRN = "DEMO-0001"
#: The invented program DEMO-0001 is referred to (a 555 number: never a real line).
DEMO_PROGRAM = "Lakeside Recovery IOP (demo, invented)"
#: The clinic's name, address and phone the demo fills in where they are blank (nothing prints
#: without them); a clinic's own are never replaced.
DEMO_CLINIC = {"clinic_name": "Lakeside Recovery Clinic (demo, invented)",
               "clinic_address": "100 Lakeside Ave, Springfield (invented)",
               "clinic_phone": "(555) 010-0001"}

# (given, family, date of birth, sex, language, stage or None, COWS items or None)
_MILD = {"resting_pulse": 1, "sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
         "runny_nose_tearing": 1, "gi_upset": 1, "tremor": 0, "yawning": 1, "anxiety_irritability": 1,
         "gooseflesh": 0}
_MODERATE = {**_MILD, "resting_pulse": 2, "sweating": 2, "restlessness": 3, "pupil_size": 2,
             "gi_upset": 2, "gooseflesh": 3}
DEMO_PATIENTS = [
    # DEMO-0001 then moves on to transition with a finalized aftercare plan (seed_plan).
    ("Alex", "Rivera", dt.date(1988, 3, 14), "male", "en", Stage.ASSESSMENT, None),
    ("Jordan", "Smith", dt.date(1992, 7, 2), "female", "en", Stage.STABILIZATION, _MODERATE),
    ("María José", "Núñez Ortega", dt.date(1979, 11, 30), "female", "es", Stage.STABILIZATION, _MILD),
    ("Nguyễn Thị", "Ánh", dt.date(1995, 1, 9), "female", "en", Stage.TRANSITION, _MILD),
    ("Zoë", "Ødegård-Núñez", dt.date(2001, 5, 21), "female", "en", Stage.ASSESSMENT, None),
    ("Sam", "Okafor", dt.date(1984, 9, 17), "male", "en", Stage.DISCHARGED, _MILD),
    ("Chris", "Walker", dt.date(1990, 12, 5), "unknown", "en", None, None),
    ("Dana", "Kowalski", dt.date(1975, 4, 28), "female", "en", Stage.STABILIZATION, _MILD),
]


def _demo_user(db: Database, username: str = DEMO_USERNAME, full_name: str = "Demo Nurse (invented)",
               role: Role = Role.NURSE) -> SignedInUser:
    """A disabled account (it cannot sign in) that owns the demo records."""
    with db.write() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            user = User(username=username, full_name=full_name, role=role.value,
                        password_hash="!disabled", active=False)
            session.add(user)
            session.flush()
        return SignedInUser(user.id, user.username, user.full_name, role)


@contextlib.contextmanager
def _signing_password(db: Database, user: SignedInUser) -> Iterator[str]:
    """A random password on the disabled demo account while it signs; disabled again after."""
    from clinic_desktop.core.services.accounts import _hasher

    password = secrets.token_urlsafe(24)
    with db.write() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.password_hash, row.active = _hasher.hash(password), True
    try:
        yield password
    finally:
        with db.write() as session:
            row = session.get(User, user.id)
            assert row is not None
            row.password_hash, row.active = "!disabled", False


_INTAKE: dict[str, Any] = {
    "identity": {"consent_to_treatment": True},
    "medical": {"pregnancy": "not_applicable", "seizure_history": False, "allergies": "none known"},
    "vitals": {"pulse": 96, "systolic": 128, "diastolic": 82, "respiratory_rate": 16,
               "temperature_c": 37.1, "spo2": 98, "weight_kg": 70},
    "mental_health": {"phq9": {k: 1 for k in ("interest", "depressed", "sleep", "tired", "appetite", "failure",
                                               "concentration", "psychomotor")} | {"self_harm": 0},
                      "gad7": {k: 1 for k in ("nervous", "uncontrolled_worry", "worry_too_much",
                                              "trouble_relaxing", "restless", "irritable", "afraid")},
                      "suicide_risk": "no"},
    "social": {"housing": "stable"},
}


def _intake_data(now: dt.datetime) -> dict:
    # The patient facts the medication checks read: an ECG the day before admission.
    medical = {**_INTAKE["medical"], "hepatic": "none", "renal": "normal", "qtc_ms": 428,
               "qtc_on": (now - dt.timedelta(days=1)).date().isoformat()}
    return {**_INTAKE, "medical": medical,
            "substances": {"rows": [{"substance": "heroin", "route": "smoked",
                                     "last_use": (now - dt.timedelta(hours=16)).isoformat()}],
                           "prior_overdoses": 0, "naloxone_at_home": True},
            "scores": {"cows": dict(_MODERATE)}}


def _demo_clinic(db: Database, user: SignedInUser) -> None:
    """Fill the clinic's blank name, address or phone with :data:`DEMO_CLINIC` (audited), so the
    demo plan can print on a database where no one has set them yet."""
    with db.write() as session:
        current = settings_service.read_in(session)
        missing = settings_service.identity_missing(current)
        if missing:
            settings_service.store_identity_in(
                session, user, {**{k: current[k] for k in settings_service.IDENTITY_KEYS},
                                **{k: DEMO_CLINIC[k] for k in missing}})


def _demo_program(db: Database, user: SignedInUser) -> int:
    """The invented program in the directory (added as the demo account: adding entries is
    otherwise an administrator's)."""
    with db.write() as session:
        found = session.execute(select(DirectoryEntry.id).where(DirectoryEntry.name == DEMO_PROGRAM)).first()
        if found:
            return found[0]
        fields = directory.validate(directory.EntryInput(
            name=DEMO_PROGRAM, kind="outpatient_program", phone="(555) 010-0200",
            address="200 Lakeside Ave (invented)", hours="Mon-Fri 8:00-18:00", languages="en,es",
            last_verified=directory.clinic_today()),  # a checked contact, as a plan's should be
            directory._region(session), None)
        entry = DirectoryEntry(**fields, **directory._search_fields(fields), created_by=user.id)
        session.add(entry)
        session.flush()
        audit.append(session, user, "directory.added", entity_type="directory_entry", entity_id=entry.id,
                     detail={"demo": True})
        return entry.id


def seed_plan(db: Database, nurse: SignedInUser, now: dt.datetime | None = None) -> bool:
    """Give DEMO-0001 a finalized aftercare plan (moving its episode on to transition first).
    Returns whether anything was done: nothing when the plan has a version already, or when
    DEMO-0001 is missing or discharged."""
    now = now or utcnow()
    with db.read() as session:
        patient = session.execute(select(Patient).where(Patient.mrn == DEMO_PLAN_MRN)).scalar_one_or_none()
        if patient is None:
            return False
        patient_id = patient.id
        episode = session.execute(select(Episode).where(Episode.patient_id == patient_id,
                                                        Episode.stage != Stage.DISCHARGED.value)
                                  .order_by(Episode.admitted_at.desc())).scalars().first()
        episode_id = episode.id if episode is not None else None
        if episode_id is not None:
            finalized = session.execute(
                select(PlanVersion.id).join(AftercarePlan, AftercarePlan.id == PlanVersion.plan_id)
                .where(AftercarePlan.episode_id == episode_id)).first()
            if finalized:
                return False
    counselor = _demo_user(db, DEMO_COUNSELOR, "Demo Counselor (invented)", Role.COUNSELOR)
    # The intake, signed by the demo nurse (the episode moves on to stabilization).
    with db.read() as session:
        signed = episode_id is not None and session.execute(
            select(Assessment.id).where(Assessment.episode_id == episode_id,
                                        Assessment.status == "signed")).first() is not None
    if not signed:
        a = intake.start(db, nurse, patient_id)
        saved = intake.save_draft(db, nurse, a.id, a.version, _intake_data(now))
        with _signing_password(db, nurse) as password:
            intake.sign(db, nurse, a.id, saved.version, password, "buprenorphine_induction", now=now)
    current = episodes.current_episode(db, nurse, patient_id)
    assert current is not None
    if current.stage == Stage.STABILIZATION.value:
        stabilization.move_to_transition(db, nurse, current.id)
    entry_id = _demo_program(db, counselor)
    view = plans.open_plan(db, counselor, current.id, now=now)
    today = clock.local(now).date()
    draft = {**view.draft}
    draft["medication"] = {**(draft.get("medication") or {}), "choice": "buprenorphine",
                           "prescriber": "Dr. Demo Prescriber (invented)",
                           "next": (today + dt.timedelta(days=3)).isoformat() + "T09:00"}
    draft["level"] = "intensive_outpatient"
    draft["therapies"] = ["cbt"]
    draft["referrals"] = [{"entry_id": entry_id, "reason": "Intensive outpatient, three evenings a week",
                           "appointment": (today + dt.timedelta(days=2)).isoformat() + "T10:00",
                           "share": True}]
    draft["people"] = [{"name": "Jamie Rivera (invented)", "relation": "brother", "phone": "(555) 010-0301"}]
    draft["key_worker"] = {"name": "Pat Demo (invented)", "phone": "(555) 010-0302", "focus": ["housing"]}
    draft["relapse"] = {**(draft.get("relapse") or {}), "triggers": "Paydays; old friends downtown (demo)"}
    draft["follow_ups"] = [{"when": (today + dt.timedelta(days=7)).isoformat() + "T14:00",
                            "place": "Clinic (demo)", "phone": "(555) 010-0001"}]
    saved_plan = plans.save_draft(db, counselor, view.id, view.version, draft)
    with db.read() as session:
        has_consent = session.execute(select(Consent.id).where(Consent.episode_id == current.id,
                                                               Consent.directory_entry_id == entry_id)).first()
    if not has_consent:
        plans.record_consent(db, counselor, current.id, plans.ConsentInput(
            entry_id, "Arrange intensive outpatient care after detox (demo)",
            "Current medication and dose, follow-up visits (demo)", today + dt.timedelta(days=365), today),
            today=today)
    _demo_clinic(db, counselor)
    with _signing_password(db, counselor) as password:
        plans.finalize(db, counselor, view.id, saved_plan.version, password, now=now)
    return True


def seed(db: Database) -> int:
    """Add the demo patients that are not there yet; return how many were added."""
    nurse = _demo_user(db)
    # The demo account records as a nurse and moves stages as one; no admin rights needed.
    added = 0
    now = utcnow()
    for n, (given, family, born, sex, lang, stage, cows) in enumerate(DEMO_PATIENTS, start=1):
        mrn = f"DEMO-{n:04d}"
        with db.read() as session:
            if session.execute(select(Patient.id).where(Patient.mrn == mrn)).first():
                continue
        p = patients.register(db, nurse, patients.PatientInput(
            mrn=mrn, given_name=given, family_name=family, date_of_birth=born, sex=sex,
            preferred_language=lang, phone=f"(555) 010-{n:04d}",
        ))
        added += 1
        if stage is None:
            continue
        ep = episodes.open_episode(db, nurse, p.id, admitted_at=now - dt.timedelta(days=n % 4, hours=n))
        if cows:
            stabilization.record_observation(db, nurse, ep.id, "cows", cows,
                                             taken_at=now - dt.timedelta(hours=n),
                                             reason="Demo data (invented)")
        order = [Stage.STABILIZATION, Stage.TRANSITION, Stage.DISCHARGED]
        for next_stage in order[: order.index(stage) + 1] if stage != Stage.ASSESSMENT else []:
            ep = episodes.change_stage(db, nurse, ep.id, ep.version, next_stage.value,
                                       reason="Completed detox (demo)" if next_stage == Stage.DISCHARGED else None)
    seed_plan(db, nurse, now)
    return added
