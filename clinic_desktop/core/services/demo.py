"""Invented demo patients (MRNs DEMO-0001…) in every stage. Idempotent. No real person's data.

DEMO-0001 goes on to transition with a signed intake and a complete, finalized aftercare plan
(version 1): a referral to an invented program in the directory with the patient's consent,
people, a key worker, relapse warning signs and a follow-up visit. The demo accounts are
disabled; to sign the intake and the plan they get a random password for the moment of
signing only, and are disabled again straight after.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import select

from clinic_desktop.core import clock
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.db import Database
from clinic_desktop.core.formulary import DRUGS
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
    mar,
    patients,
    plans,
    stabilization,
    support,
)
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.support import GroupInput, SessionInput

DEMO_USERNAME = "demo.nurse"
DEMO_COUNSELOR = "demo.counselor"
DEMO_PRESCRIBER = "demo.prescriber"
DEMO_PLAN_MRN = "DEMO-0001"
#: The invented program DEMO-0001 is referred to (a 555 number: never a real line).
DEMO_PROGRAM = "Lakeside Recovery IOP (demo, invented)"
#: The clinic's name, address and phone the demo fills in where they are blank (nothing prints
#: without them); a clinic's own are never replaced.
DEMO_CLINIC = {"clinic_name": "Lakeside Recovery Clinic (demo, invented)",
               "clinic_address": "100 Lakeside Ave, Springfield (invented)",
               "clinic_phone": "(555) 010-0001"}

#: COWS items (CLINICAL.md §1) by total. The resting-pulse item of each goes with the pulse
#: recorded beside it (:data:`PULSE_FOR_ITEM`): a demo never shows a score its vitals contradict.
_COWS_18 = {"resting_pulse": 2, "sweating": 2, "restlessness": 3, "pupil_size": 2, "bone_joint_aches": 1,
            "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 0, "yawning": 1, "anxiety_irritability": 1,
            "gooseflesh": 3}
_COWS_11 = {"resting_pulse": 1, "sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 2,
            "runny_nose_tearing": 1, "gi_upset": 1, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
            "gooseflesh": 0}
_COWS_9 = {"resting_pulse": 1, "sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
           "runny_nose_tearing": 1, "gi_upset": 1, "tremor": 0, "yawning": 1, "anxiety_irritability": 1,
           "gooseflesh": 0}
_COWS_5 = {"resting_pulse": 0, "sweating": 0, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
           "runny_nose_tearing": 0, "gi_upset": 0, "tremor": 0, "yawning": 1, "anxiety_irritability": 1,
           "gooseflesh": 0}
_COWS_2 = {"resting_pulse": 0, "sweating": 0, "restlessness": 0, "pupil_size": 0, "bone_joint_aches": 1,
           "runny_nose_tearing": 0, "gi_upset": 0, "tremor": 0, "yawning": 0, "anxiety_irritability": 1,
           "gooseflesh": 0}
_MILD, _MODERATE = _COWS_9, _COWS_18  # the names the intake draft uses
#: The pulse recorded with a COWS whose resting-pulse item is the key (inside the item's band:
#: 0 ≤80, 1 81–100, 2 101–120, 4 >120).
PULSE_FOR_ITEM = {0: 74, 1: 92, 2: 108, 4: 126}


class DemoDose(NamedTuple):
    """A PRN order of a demo course and the doses given on it (hours after admission)."""

    drug_id: str
    dose: float
    route: str
    min_interval_hours: float
    max_daily_dose: float
    start_hours: float
    given_hours: tuple[float, ...]
    #: Hours after admission the order stops (None: still active).
    stop_hours: float | None = None


class DemoPatient(NamedTuple):
    """One invented patient and the story of their stay: admitted ``admitted_hours_ago``, the
    COWS scores taken (hours after admission, items; vitals taken with each), the orders and
    doses given, and the stage reached."""

    given: str
    family: str
    born: dt.date
    sex: str
    language: str
    stage: Stage | None
    admitted_hours_ago: float = 0
    cows: tuple[tuple[float, dict[str, int]], ...] = ()
    courses: tuple[DemoDose, ...] = ()
    #: The craving the first daily check-in reports (8 or more: flagged on the census).
    first_craving: int = 7


#: Buprenorphine induction: 4 mg sublingual as needed every 2 h up to 16 mg in 24 h.
def _bup_induction(start: float, given: tuple[float, ...], stop: float | None = None) -> DemoDose:
    return DemoDose("buprenorphine", 4, "sublingual", 2, 16, start, given, stop)


#: Clonidine 0.1 mg by mouth as needed every 6 h (symptomatic withdrawal management).
def _clonidine(start: float, given: tuple[float, ...], stop: float | None = None) -> DemoDose:
    return DemoDose("clonidine", 0.1, "oral", 6, 0.8, start, given, stop)


DEMO_PATIENTS = [
    # DEMO-0001 is admitted for buprenorphine induction; seed_plan signs their intake, gives the
    # induction doses and a daily dose, and moves them on to transition with a finalized plan.
    DemoPatient("Alex", "Rivera", dt.date(1988, 3, 14), "male", "en", Stage.ASSESSMENT, 74,
                cows=((4, _COWS_11), (26, _COWS_5), (50, _COWS_2), (70, _COWS_2)),
                courses=(_bup_induction(1, (1, 3, 5), stop=24),)),
    # Moderate withdrawal on the first day: induction started an hour after the first COWS.
    DemoPatient("Jordan", "Smith", dt.date(1992, 7, 2), "female", "en", Stage.STABILIZATION, 6,
                cows=((0.5, _COWS_18), (3.5, _COWS_11)), courses=(_bup_induction(1, (1.25,)),)),
    DemoPatient("María José", "Núñez Ortega", dt.date(1979, 11, 30), "female", "es", Stage.STABILIZATION, 30,
                cows=((0.5, _COWS_11), (8, _COWS_9), (26, _COWS_9)), courses=(_clonidine(1, (1.5, 8.5, 26.5)),)),
    # Five days of symptomatic management, withdrawal settled: the plan is being written.
    DemoPatient("Nguyễn Thị", "Ánh", dt.date(1995, 1, 9), "female", "en", Stage.TRANSITION, 122,
                cows=((0.5, _COWS_9), (24, _COWS_9), (48, _COWS_5), (96, _COWS_2), (118, _COWS_2)),
                courses=(_clonidine(1, (1.5, 24.5, 30.5, 48.5), stop=72),)),
    DemoPatient("Zoë", "Ødegård-Núñez", dt.date(2001, 5, 21), "female", "en", Stage.ASSESSMENT, 1),
    # Completed withdrawal management: seven days, the last COWS 2, discharged today.
    DemoPatient("Sam", "Okafor", dt.date(1984, 9, 17), "male", "en", Stage.DISCHARGED, 170,
                cows=((0.5, _COWS_11), (24, _COWS_9), (72, _COWS_5), (144, _COWS_2)),
                courses=(_clonidine(1, (1.5, 8, 24.5, 48, 72.5), stop=120),)),
    DemoPatient("Chris", "Walker", dt.date(1990, 12, 5), "unknown", "en", None),
    # A strong craving at this morning's check-in: flagged on the census and the handover.
    DemoPatient("Dana", "Kowalski", dt.date(1975, 4, 28), "female", "en", Stage.STABILIZATION, 20,
                cows=((0.5, _COWS_9), (8, _COWS_5), (18, _COWS_5)), courses=(_clonidine(1, (1.25,)),),
                first_craving=9),
]
#: Hours before admission DEMO-0001 last used (the intake's substance row).
LAST_USE_BEFORE_ADMISSION_H = 14
#: The reason recorded on every back-dated demo entry.
_DEMO_REASON = "Demo data (invented)"


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
        was_active = row.active
        row.password_hash, row.active = _hasher.hash(password), True
    try:
        yield password
    finally:
        with db.write() as session:
            row = session.get(User, user.id)
            assert row is not None
            row.password_hash, row.active = "!disabled", was_active


@contextlib.contextmanager
def _acting(db: Database, *users: SignedInUser) -> Iterator[None]:
    """The disabled demo accounts active while the demo acts for them through the services, which
    re-read the account at every call (core.permissions); still without a password, so nobody can
    sign in as them. As they were again after (nested uses keep them active until the outer ends)."""
    with db.write() as session:
        rows = [session.get(User, u.id) for u in users]
        before = {row.id: row.active for row in rows if row is not None}
        for row in rows:
            if row is not None:
                row.active = True
    try:
        yield
    finally:
        with db.write() as session:
            for user_id, was_active in before.items():
                row = session.get(User, user_id)
                if row is not None:
                    row.active = was_active


_INTAKE: dict[str, Any] = {
    "identity": {"consent_to_treatment": True},
    "medical": {"pregnancy": "not_applicable", "seizure_history": False, "allergies": "none known"},
    "vitals": {"pulse": 96, "systolic": 128, "diastolic": 82, "respiratory_rate": 16,
               "temperature_c": 37.1, "spo2": 98, "weight_kg": 70},
    "mental_health": {"phq9": {k: 1 for k in ("interest", "depressed", "sleep", "tired", "appetite", "failure",
                                               "concentration", "psychomotor")} | {"self_harm": 0},
                      "gad7": {k: 1 for k in ("nervous", "uncontrolled_worry", "worry_too_much",
                                              "trouble_relaxing", "restless", "irritable", "afraid")},
                      "asq": {"wished_dead": 0, "better_off_dead": 0, "thoughts_past_week": 0,
                              "tried_before": 0}},
    "social": {"housing": "stable",
               # What matters to the patient, in their words (invented): the plan starts from it.
               "reasons": "To be there for my kids (demo)", "strengths": "I finish what I start; I like to cook (demo)",
               "trusted_people": "My brother Jamie (demo)",
               "routines": "Up at 7, walk before work, dinner with family, bed by 11 (demo)"},
}


def _intake_data(admitted: dt.datetime) -> dict:
    """DEMO-0001's intake: heroin last smoked 14 h before admission, moderate withdrawal (COWS
    18) with the pulse its resting-pulse item says, an ECG the day before admission (the
    patient facts the medication checks read)."""
    medical = {**_INTAKE["medical"], "hepatic": "none", "renal": "normal", "qtc_ms": 428,
               "qtc_on": (admitted - dt.timedelta(days=1)).date().isoformat()}
    vitals = {**_INTAKE["vitals"], "pulse": PULSE_FOR_ITEM[_COWS_18["resting_pulse"]]}
    last_use = admitted - dt.timedelta(hours=LAST_USE_BEFORE_ADMISSION_H)
    return {**_INTAKE, "medical": medical, "vitals": vitals,
            "substances": {"rows": [{"substance": "heroin", "route": "smoked", "last_use": last_use.isoformat()}],
                           "prior_overdoses": 0, "naloxone_at_home": True},
            "scores": {"cows": dict(_COWS_18)}}


def _record_cows(db: Database, nurse: SignedInUser, episode_id: int, at: dt.datetime,
                 items: dict[str, int]) -> None:
    """A COWS and, just before it, the vitals its resting-pulse item was scored from."""
    _record_vitals(db, nurse, episode_id, at - dt.timedelta(minutes=2), PULSE_FOR_ITEM[items["resting_pulse"]])
    stabilization.record_observation(db, nurse, episode_id, "cows", items, taken_at=at, reason=_DEMO_REASON)


def _record_vitals(db: Database, nurse: SignedInUser, episode_id: int, at: dt.datetime, pulse: int) -> None:
    stabilization.record_vitals(db, nurse, episode_id, {**_INTAKE["vitals"], "pulse": pulse}, taken_at=at,
                                reason=_DEMO_REASON)


def _give_course(db: Database, nurse: SignedInUser, prescriber: SignedInUser, episode_id: int,
                 admitted: dt.datetime, course: DemoDose, pulse_at: Callable[[dt.datetime], int]) -> None:
    """Write ``course``'s order (as the demo prescriber) and give its doses (as the demo nurse),
    each after a set of vitals, through the same checks as any dose."""
    def at(hours: float) -> dt.datetime:
        return admitted + dt.timedelta(hours=hours)

    drug = DRUGS[course.drug_id]
    order = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id=course.drug_id, dose=course.dose, unit=drug.default_unit, route=course.route,
        min_interval_hours=course.min_interval_hours, max_daily_dose=course.max_daily_dose,
        start=at(course.start_hours), stop=at(course.stop_hours) if course.stop_hours is not None else None,
        acknowledgement=_DEMO_REASON))
    for hours in course.given_hours:
        _record_vitals(db, nurse, episode_id, at(hours) - dt.timedelta(minutes=5), pulse_at(at(hours)))
        mar.record_administration(db, nurse, order.id, "given", at=at(hours), reason=_DEMO_REASON)


def _tell_story(db: Database, nurse: SignedInUser, prescriber: SignedInUser, episode_id: int,
                admitted: dt.datetime, story: DemoPatient) -> None:
    """Record the patient's COWS scores (each with its vitals) and their medication courses."""
    scores = [(admitted + dt.timedelta(hours=h), items) for h, items in story.cows]
    for at, items in scores:
        _record_cows(db, nurse, episode_id, at, items)

    def pulse_at(instant: dt.datetime) -> int:  # as the last COWS before it found it
        items = [i for t, i in scores if t <= instant] or [_COWS_9]
        return PULSE_FOR_ITEM[items[-1]["resting_pulse"]]

    for course in story.courses:
        _give_course(db, nurse, prescriber, episode_id, admitted, course, pulse_at)


def _check_ins(db: Database, nurse: SignedInUser, episode_id: int, admitted: dt.datetime,
               now: dt.datetime, craving: int = 7) -> None:
    """A daily check-in from 10 hours after admission, as a settling stay reports it: craving
    (``craving`` the first day) and anxiety easing, mood and sleep coming back (invented)."""
    day = 0
    while (at := admitted + dt.timedelta(hours=10 + 24 * day)) < now - dt.timedelta(minutes=30):
        stabilization.record_checkin(db, nurse, episode_id, {
            "craving": max(2, craving - 2 * day), "mood": min(7, 3 + day), "anxiety": max(2, 7 - day), "pain": max(1, 5 - day),
            "sleep_hours": min(7.5, 3.5 + day), "sleep_quality": ("poor", "fair", "good")[min(day, 2)],
            "appetite": ("reduced", "normal")[min(day, 1)], "fluids": "enough"}, taken_at=at, reason=_DEMO_REASON)
        day += 1


def _sessions(db: Database, counselor: SignedInUser, episode_id: int, admitted: dt.datetime,
              now: dt.datetime, *, what_matters: dict[str, str] | None = None) -> None:
    """A first counseling session 20 hours after admission (when the stay is that long), with the
    readiness ruler and, for DEMO-0001, what matters as the patient said it then (invented)."""
    at = admitted + dt.timedelta(hours=20)
    if at > now - dt.timedelta(hours=1):
        return
    with _signing_password(db, counselor) as password:
        support.record_session(db, counselor, episode_id, SessionInput(
            "individual", at, 45, ("motivational_interviewing",),
            patient_words="I want to get through this week and stay on the medicine (demo)",
            agreed="Try the evening group; write down cravings and what helped (demo)",
            next_step="Review the craving notes at the next session (demo)",
            what_matters=what_matters or {}, importance=9, confidence=5,
            reason=_DEMO_REASON if now - at > dt.timedelta(hours=24) else ""), password, now=now)


def _group(db: Database, counselor: SignedInUser, episode_ids: list[int], now: dt.datetime) -> None:
    """This afternoon's group, for the patients in the building (invented; names no one)."""
    if not episode_ids:
        return
    with _signing_password(db, counselor) as password:
        support.record_group(db, counselor, episode_ids, GroupInput(
            "Sleep and cravings in the first week (demo)", now - dt.timedelta(hours=2), 60,
            ("psychoeducation", "mindfulness"),
            note="Sleep routines; urge surfing practised together; the evening wind-down (demo)."), password, now=now)


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


def _weekday(day: dt.date) -> dt.date:
    """``day``, or the Monday after it when it falls on a weekend (the demo program's hours are
    Mon–Fri)."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


#: DEMO-0001's daily dose once induction is done: buprenorphine 16 mg sublingual at 09:00.
DAILY_BUPRENORPHINE = mar.OrderInput(drug_id="buprenorphine", dose=16, unit="mg", route="sublingual",
                                     times=("09:00",), max_daily_dose=16, acknowledgement=_DEMO_REASON)


def _induction(db: Database, nurse: SignedInUser, prescriber: SignedInUser, episode_id: int,
               admitted: dt.datetime, now: dt.datetime) -> None:
    """DEMO-0001's stay: the induction doses and scores of :data:`DEMO_PATIENTS`, then the daily
    dose from the day after admission, each scheduled dose given at its time."""
    _tell_story(db, nurse, prescriber, episode_id, admitted, DEMO_PATIENTS[0])
    start = admitted + dt.timedelta(hours=24)
    order = mar.create_order(db, prescriber, episode_id, dataclasses.replace(DAILY_BUPRENORPHINE, start=start))
    for row in mar.mar(db, nurse, episode_id, start, now, now):
        for due in row.doses if row.order.id == order.id else []:
            if due.scheduled_for <= now and due.administration is None:
                _record_vitals(db, nurse, episode_id, due.scheduled_for - dt.timedelta(minutes=5),
                               PULSE_FOR_ITEM[0])
                mar.record_administration(db, nurse, order.id, "given", at=due.scheduled_for,
                                          scheduled_for=due.scheduled_for, reason=_DEMO_REASON)


def seed_plan(db: Database, nurse: SignedInUser, now: dt.datetime | None = None) -> bool:
    """Give DEMO-0001 a finalized aftercare plan (moving its episode on to transition first).
    Returns whether anything was done: nothing when the plan has a version already, or when
    DEMO-0001 is missing or discharged."""
    counselor = _demo_user(db, DEMO_COUNSELOR, "Demo Counselor (invented)", Role.COUNSELOR)
    prescriber = _demo_user(db, DEMO_PRESCRIBER, "Dr. Demo Prescriber (invented)", Role.PRESCRIBER)
    with _acting(db, nurse, counselor, prescriber):
        return _seed_plan(db, nurse, counselor, prescriber, now)


def _seed_plan(db: Database, nurse: SignedInUser, counselor: SignedInUser, prescriber: SignedInUser,
               now: dt.datetime | None) -> bool:
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
    if episode_id is None:
        episode_id = episodes.open_episode(db, nurse, patient_id, admitted_at=now - dt.timedelta(
            hours=DEMO_PATIENTS[0].admitted_hours_ago)).id
    with db.read() as session:
        found = session.get(Episode, episode_id)
        assert found is not None
        admitted = found.admitted_at
    # The intake, signed by the demo nurse (the episode moves on to stabilization).
    with db.read() as session:
        signed = session.execute(select(Assessment.id).where(Assessment.episode_id == episode_id,
                                                             Assessment.status == "signed")).first() is not None
    if not signed:
        a = intake.start(db, nurse, patient_id)
        saved = intake.save_draft(db, nurse, a.id, a.version, _intake_data(admitted))
        with _signing_password(db, nurse) as password:
            # Signed half an hour after admission: its COWS and vitals are the first on the flowsheet.
            intake.sign(db, nurse, a.id, saved.version, password, "buprenorphine_induction",
                        now=admitted + dt.timedelta(hours=0.5))
    current = episodes.current_episode(db, nurse, patient_id)
    assert current is not None
    if current.stage == Stage.STABILIZATION.value:
        _induction(db, nurse, prescriber, current.id, admitted, now)
        _check_ins(db, nurse, current.id, admitted, now)
        # What matters, as the patient said it in counseling: the plan starts from the newest.
        _sessions(db, counselor, current.id, admitted, now, what_matters={
            "reasons": "To be there for my kids, and to keep my job at the bakery (demo)"})
        stabilization.move_to_transition(db, nurse, current.id)
    entry_id = _demo_program(db, counselor)
    view = plans.open_plan(db, counselor, current.id, now=now)
    today = clock.local(now).date()
    draft = {**view.draft}
    draft["medication"] = {**(draft.get("medication") or {}), "choice": "buprenorphine",
                           "prescriber": "Dr. Demo Prescriber (invented)",
                           "next": _weekday(today + dt.timedelta(days=2)).isoformat() + "T10:00",
                           "moud": {"answer": "accepted", "reason": ""}}
    draft["level"] = "intensive_outpatient"
    draft["therapies"] = ["cbt"]
    draft["referrals"] = [{"entry_id": entry_id, "reason": "Intensive outpatient, three evenings a week",
                           "appointment": _weekday(today + dt.timedelta(days=2)).isoformat() + "T10:00",
                           "share": True}]
    draft["people"] = [{"name": "Jamie Rivera (invented)", "relation": "brother", "phone": "(555) 010-0301"}]
    draft["key_worker"] = {"name": "Pat Demo (invented)", "phone": "(555) 010-0302", "focus": ["housing"]}
    draft["relapse"] = {**(draft.get("relapse") or {}), "triggers": "Paydays; old friends downtown (demo)"}
    draft["overdose"] = {**(draft.get("overdose") or {}), "naloxone_kit_given": True,
                         "naloxone_shown_patient": True, "naloxone_shown_person": "Jamie Rivera (invented)"}
    draft["follow_ups"] = [{"when": _weekday(today + dt.timedelta(days=7)).isoformat() + "T14:00",
                            "place": "Clinic (demo)", "phone": "(555) 010-0001"}]
    saved_plan = plans.save_draft(db, counselor, view.id, view.version, draft)
    if view.orders:  # the demo nurse reconciles the active orders (comfort medicines stop here)
        rows = [{**row, "decision": "stop"} if not order.moud else
                {**row, "decision": "continue", "leave": "prescription",
                 "pharmacy": "Main Street Pharmacy (invented)", "pharmacy_phone": "(555) 010-0303",
                 "next": draft["medication"]["next"]}
                for order, row in zip(view.orders, plan_rules.reconciliation_rows(draft, view.orders), strict=True)]
        draft["medication"] = {**draft["medication"], "reconciliation": rows}
        saved_plan = plans.save_draft(db, nurse, view.id, saved_plan.version, draft)
    with db.read() as session:
        has_consent = session.execute(select(Consent.id).where(Consent.episode_id == current.id,
                                                               Consent.directory_entry_id == entry_id)).first()
    if not has_consent:
        plans.record_consent(db, counselor, current.id, plans.ConsentInput(
            entry_id, "Arrange intensive outpatient care after detox (demo)",
            ("medication", "follow_ups"), today + dt.timedelta(days=365), today),
            today=today)
    _demo_clinic(db, counselor)
    with _signing_password(db, counselor) as password:
        plans.finalize(db, counselor, view.id, saved_plan.version, password, now=now)
    return True


def seed(db: Database) -> int:
    """Add the demo patients that are not there yet; return how many were added."""
    nurse = _demo_user(db)
    prescriber = _demo_user(db, DEMO_PRESCRIBER, "Dr. Demo Prescriber (invented)", Role.PRESCRIBER)
    counselor = _demo_user(db, DEMO_COUNSELOR, "Demo Counselor (invented)", Role.COUNSELOR)
    with _acting(db, nurse, prescriber, counselor):
        return _seed(db, nurse, prescriber, counselor)


def _seed(db: Database, nurse: SignedInUser, prescriber: SignedInUser, counselor: SignedInUser) -> int:
    # The demo account records as a nurse and moves stages as one; no admin rights needed.
    added = 0
    now = utcnow()
    in_group: list[int] = []
    for n, story in enumerate(DEMO_PATIENTS, start=1):
        mrn = f"DEMO-{n:04d}"
        with db.read() as session:
            if session.execute(select(Patient.id).where(Patient.mrn == mrn)).first():
                continue
        p = patients.register(db, nurse, patients.PatientInput(
            mrn=mrn, given_name=story.given, family_name=story.family, date_of_birth=story.born, sex=story.sex,
            preferred_language=story.language, phone=f"(555) 010-{n:04d}",
        ))
        added += 1
        if story.stage is None:
            continue
        admitted = now - dt.timedelta(hours=story.admitted_hours_ago)
        ep = episodes.open_episode(db, nurse, p.id, admitted_at=admitted)
        if story.stage == Stage.ASSESSMENT:
            continue
        ep = episodes.change_stage(db, nurse, ep.id, ep.version, Stage.STABILIZATION.value)
        _tell_story(db, nurse, prescriber, ep.id, admitted, story)
        _check_ins(db, nurse, ep.id, admitted, now, story.first_craving)
        _sessions(db, counselor, ep.id, admitted, now)
        if story.stage in (Stage.STABILIZATION, Stage.TRANSITION) and story.admitted_hours_ago > 3:
            in_group.append(ep.id)
        order = [Stage.TRANSITION, Stage.DISCHARGED]
        for next_stage in order[: order.index(story.stage) + 1] if story.stage in order else []:
            ep = episodes.current_episode(db, nurse, p.id) or ep
            ep = episodes.change_stage(db, nurse, ep.id, ep.version, next_stage.value, reason=(
                "Completed withdrawal management (demo)" if next_stage == Stage.DISCHARGED else None))
    _group(db, counselor, in_group, now)
    seed_plan(db, nurse, now)
    return added
