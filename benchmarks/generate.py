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
                rows.append({"id": n + 1, "mrn": f"B-{n + 1:07d}", "given_name": given, "family_name": family,
                             "date_of_birth": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000)),
                             "sex": rng.choice(["female", "male", "unknown"]), "preferred_language": "en",
                             "search_name": folded, "created_at": now, "created_by": owner_id, "version": 1})
                tokens.extend({"patient_id": n + 1, "token": t} for t in sorted(set(text.tokens(folded))))
            session.execute(insert(Patient), rows)
            session.execute(insert(PatientNameToken), tokens)
        session.execute(insert(Episode), [
            {"patient_id": pid, "admitted_at": now - dt.timedelta(hours=pid % 90), "stage": "stabilization",
             "created_at": now, "created_by": owner_id, "version": 1}
            for pid in range(1, min(open_episodes, count) + 1)
        ])


COWS_ITEMS = {"resting_pulse": 1, "sweating": 2, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
              "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
              "gooseflesh": 3}

#: Orders of an invented stay: (drug, dose, route, scheduled local times or None for PRN, PRN interval h).
SCHEDULED_ORDERS = (("lofexidine", 0.54, "oral", ("08:00", "13:00", "18:00", "23:00"), None),
                    ("buprenorphine", 8.0, "sublingual", ("08:00", "20:00"), None),
                    ("trazodone", 50.0, "oral", ("22:00",), None))
PRN_ORDERS = (("loperamide", 2.0, "oral", (), 2.0), ("ibuprofen", 400.0, "oral", (), 6.0),
              ("acetaminophen", 650.0, "oral", (), 4.0), ("hydroxyzine", 25.0, "oral", (), 6.0),
              ("clonidine", 0.1, "oral", (), 4.0))


def _spread(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    """``count`` times evenly from ``start`` to ``end``."""
    if count <= 0:
        return []
    step = (end - start) / max(count - 1, 1)
    return [start + step * n for n in range(count)]


def _scores(instrument_id: str, rng: random.Random) -> tuple[dict[str, int], int, str | None]:
    from clinic_desktop.core.instruments import get_instrument

    instrument = get_instrument(instrument_id)
    result = instrument.score({item.id: rng.choice(sorted(item.allowed_scores)[:3]) for item in instrument.items})
    return dict(result.items), result.total, result.band


def add_stay(session, episode_id: int, admitted: dt.datetime, now: dt.datetime, *, nurse_id: int,
             prescriber_id: int, observations: int, vitals: int, orders: tuple = (), doses: int = 0,
             checkins: int = 0, rng: random.Random | None = None) -> None:
    """Fill an episode in stabilization (inside ``session``'s transaction, core inserts):

    * ``observations`` scores spread from admission to now, every sixth a SOWS (Gossop), the rest COWS;
    * ``vitals`` sets spread the same way, and ``checkins`` daily check-ins;
    * ``orders`` (from ``SCHEDULED_ORDERS`` / ``PRN_ORDERS``), started at admission, and about
      ``doses`` administrations: the scheduled doses more than 90 minutes old (so the newest
      ones are still due; one in fifteen left unrecorded, missed), then PRN doses at random times to make up the count. One in ten is
      held or refused.
    """
    from sqlalchemy import insert

    from clinic_desktop.core import clock
    from clinic_desktop.core.medications import default_holds
    from clinic_desktop.core.models import (
        CheckIn,
        MedicationAdministration,
        MedicationOrder,
        Observation,
        VitalSigns,
    )

    rng = rng or random.Random(episode_id)
    begin, end = admitted + dt.timedelta(minutes=30), now - dt.timedelta(minutes=10)
    templates = {iid: [_scores(iid, rng) for _ in range(12)] for iid in ("cows", "sows_gossop")}
    if observations:
        session.execute(insert(Observation), [
            {"episode_id": episode_id, "instrument_id": iid, "item_scores": items, "total": total, "band": band,
             "complete": True, "taken_at": at, "recorded_by": nurse_id, "created_at": at, "version": 1}
            for n, at in enumerate(_spread(begin, end, observations))
            for iid in ["sows_gossop" if n % 6 == 5 else "cows"]
            for items, total, band in [rng.choice(templates[iid])]])
    if vitals:
        session.execute(insert(VitalSigns), [
            {"episode_id": episode_id, "taken_at": at, "recorded_by": nurse_id, "created_at": at, "version": 1,
             "values": {"pulse": rng.randint(60, 125), "systolic": rng.randint(95, 150),
                        "diastolic": rng.randint(55, 95), "respiratory_rate": rng.randint(12, 22),
                        "temperature_c": round(rng.uniform(36.2, 38.1), 1), "spo2": rng.randint(93, 100)}}
            for at in _spread(begin, end, vitals)])
    if checkins:
        session.execute(insert(CheckIn), [
            {"episode_id": episode_id, "taken_at": at, "recorded_by": nurse_id, "created_at": at, "version": 1,
             "self_reported": False,
             "values": {"craving": rng.randint(0, 10), "mood": rng.randint(0, 10), "anxiety": rng.randint(0, 10),
                        "pain": rng.randint(0, 10), "sleep_hours": rng.choice((3.5, 5, 6.5, 8)),
                        "sleep_quality": rng.choice(("good", "fair", "poor"))}}
            for at in _spread(begin, end, checkins)])
    if not orders:
        return
    rows = [MedicationOrder(episode_id=episode_id, drug_id=drug, drug_name="", dose=dose, unit="mg", route=route,
                            times=list(times), min_interval_hours=interval, start_at=admitted,
                            instructions="", ordered_by=prescriber_id, created_at=admitted,
                            **default_holds(drug))
            for drug, dose, route, times, interval in orders]
    session.add_all(rows)
    session.flush()
    tz = clock.local_zone()
    given: list[tuple[int, float, dt.datetime, dt.datetime | None]] = []
    for row in rows:
        day = clock.local(admitted).date()
        while row.times and day <= clock.local(now).date():
            for text_time in row.times:
                hours, minutes = map(int, text_time.split(":"))
                at = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=tz).astimezone(dt.UTC)
                # One in fifteen never recorded (missed), and none of the last 90 minutes (due).
                if admitted <= at < now - dt.timedelta(minutes=90) and rng.random() >= 1 / 15:
                    given.append((row.id, row.dose, at, at))
            day += dt.timedelta(days=1)
    prn = [row for row in rows if not row.times]
    span = (end - begin).total_seconds()
    for _ in range(max(0, doses - len(given)) if prn else 0):
        row = rng.choice(prn)
        given.append((row.id, row.dose, begin + dt.timedelta(seconds=rng.uniform(0, span)), None))
    records = []
    for order_id, dose, at, scheduled in given:
        outcome = rng.choices(("given", "held", "refused"), (18, 1, 1))[0]
        records.append({
            "order_id": order_id, "episode_id": episode_id, "outcome": outcome, "at": at,
            "dose": dose if outcome == "given" else None,
            "reason": {"given": "", "held": "Sedation", "refused": "Patient refused"}[outcome],
            "scheduled_for": scheduled, "override_note": "", "recorded_by": nurse_id, "created_at": at, "version": 1})
    if records:
        session.execute(insert(MedicationAdministration), records)
