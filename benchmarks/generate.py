"""Generate a large database of invented patients for the benchmarks (never real people)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert

from clinic_desktop.core import text
from clinic_desktop.core.db import Database
from clinic_desktop.core.models import Episode, Patient, PatientNameToken, utcnow

GIVEN = ["Alex", "Jordan", "María", "José", "Zoë", "Nguyễn", "Thị", "Ánh", "Sam", "Chris", "Dana", "Kim",
         "Minjun", "Ana", "Luis", "Fatima", "Omar", "Aiyana", "Noah", "Liam", "Emma", "Olivia", "Mateo",
         "Sofía", "Ivan", "Olga", "Chen", "Wei", "Priya", "Ravi", "Kofi", "Ama", "Hana", "Yuki", "Lars"]
FAMILY = ["Rivera", "Smith", "Núñez", "Ortega", "Ødegård", "Nguyen", "Tran", "Okafor", "Walker", "Kowalski",
          "Garcia", "Johnson", "Brown", "Lee", "Kim", "Park", "Patel", "Singh", "Müller", "Schmidt", "Rossi",
          "Dubois", "Ivanova", "Petrov", "Wang", "Li", "Zhang", "Mensah", "Haddad", "Cohen", "Yamamoto",
          "Sato", "Andersen", "Jensen", "O'Brien", "Murphy", "Silva", "Santos", "Costa", "Nakamura"]


def populate(db: Database, count: int, owner_id: int, *, open_episodes: int = 60, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    batch = 5000
    with db.write() as session:
        for start in range(0, count, batch):
            rows, tokens = [], []
            for n in range(start, min(start + batch, count)):
                given = f"{rng.choice(GIVEN)}{'' if rng.random() < .7 else ' ' + rng.choice(GIVEN)}"
                family = f"{rng.choice(FAMILY)}{rng.randint(1, 999)}" if rng.random() < .5 else rng.choice(FAMILY)
                folded = text.fold(f"{family} {given}")
                rows.append(dict(id=n + 1, mrn=f"B-{n + 1:07d}", given_name=given, family_name=family,
                                 date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000)),
                                 sex=rng.choice(["female", "male", "unknown"]), preferred_language="en",
                                 search_name=folded, created_at=now, created_by=owner_id, version=1))
                tokens.extend({"patient_id": n + 1, "token": t} for t in sorted(set(text.tokens(folded))))
            session.execute(insert(Patient), rows)
            session.execute(insert(PatientNameToken), tokens)
        session.execute(insert(Episode), [
            dict(patient_id=pid, admitted_at=now - dt.timedelta(hours=pid % 90), stage="stabilization",
                 created_at=now, created_by=owner_id, version=1)
            for pid in range(1, min(open_episodes, count) + 1)
        ])
