"""Invented demo patients (MRNs DEMO-0001…) in every stage. Idempotent. No real person's data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic_desktop.core.db import Database
from clinic_desktop.core.models import Patient, Role, Stage, User, utcnow
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import episodes, patients, stabilization

DEMO_USERNAME = "demo.nurse"

# (given, family, date of birth, sex, language, stage or None, COWS items or None)
_MILD = {"resting_pulse": 1, "sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
         "runny_nose_tearing": 1, "gi_upset": 1, "tremor": 0, "yawning": 1, "anxiety_irritability": 1,
         "gooseflesh": 0}
_MODERATE = {**_MILD, "resting_pulse": 2, "sweating": 2, "restlessness": 3, "pupil_size": 2,
             "gi_upset": 2, "gooseflesh": 3}
DEMO_PATIENTS = [
    ("Alex", "Rivera", dt.date(1988, 3, 14), "male", "en", Stage.ASSESSMENT, None),
    ("Jordan", "Smith", dt.date(1992, 7, 2), "female", "en", Stage.STABILIZATION, _MODERATE),
    ("María José", "Núñez Ortega", dt.date(1979, 11, 30), "female", "es", Stage.STABILIZATION, _MILD),
    ("Nguyễn Thị", "Ánh", dt.date(1995, 1, 9), "female", "en", Stage.TRANSITION, _MILD),
    ("Zoë", "Ødegård-Núñez", dt.date(2001, 5, 21), "female", "en", Stage.ASSESSMENT, None),
    ("Sam", "Okafor", dt.date(1984, 9, 17), "male", "en", Stage.DISCHARGED, _MILD),
    ("Chris", "Walker", dt.date(1990, 12, 5), "unknown", "en", None, None),
    ("Dana", "Kowalski", dt.date(1975, 4, 28), "female", "en", Stage.STABILIZATION, _MILD),
]


def _demo_user(db: Database) -> SignedInUser:
    """A disabled account (it cannot sign in) that owns the demo records."""
    with db.write() as session:
        user = session.execute(select(User).where(User.username == DEMO_USERNAME)).scalar_one_or_none()
        if user is None:
            user = User(username=DEMO_USERNAME, full_name="Demo Nurse (invented)", role=Role.NURSE.value,
                        password_hash="!disabled", active=False)
            session.add(user)
            session.flush()
        return SignedInUser(user.id, user.username, user.full_name, Role.NURSE)


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
    return added
