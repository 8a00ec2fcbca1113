"""The soak: many workstations on one PostgreSQL server for minutes, then proof that nothing was
lost, no dose limit was passed and the audit chain holds.

    make soak                     (20 workstations for 10 minutes)
    make soak SOAK_MINUTES=2      (what CI runs)
    .venv/bin/python benchmarks/soak.py [--workers 20] [--minutes 10] [--think 1.0]

A throw-away PostgreSQL server is started for the run (tests/pg_server.py: initdb in a temporary
folder, 127.0.0.1 on a free port) and removed at the end. The parent creates the clinic (an
administrator, 2,000 invented patients in the background, one staff account per workstation:
nurses, prescribers, counselors, all invented), gives each workstation its own patients and
shares a few between them, then starts one process per workstation (multiprocessing, spawn),
each with its own ``open_database(url)``. Each signs in, refreshes the census, searches,
records COWS, vitals and check-ins, checks and gives doses, saves intake and plan drafts and
prints a plan, through the services exactly as the screens call them, pausing ``--think``
seconds (on average) between actions as a person at a keyboard would.

Several nurses give the same shared orders' doses at once (a PRN order whose 24 h maximum and
minimum interval the run reaches, and acetaminophen, once in 4 h), and several staff save the
same shared drafts: a dose the limits refuse and a draft saved over a newer version (refused as
a conflict) are expected refusals, counted apart. Anything else raised is an error.

Each workstation reports what it believes was committed; the parent then checks that each is in
the database (0 lost writes), recomputes every order's doses (no 24 h window above its maximum,
no two doses closer than its minimum interval: 0 limits passed), verifies the audit chain, and
prints p50/p95 of every action. Must hold: 0 errors, 0 lost writes, 0 limits passed, the chain
intact, p95 of a save ≤ 25 ms and of a census refresh ≤ 100 ms. The exit status is 1 when any of
them fails, 2 when no server could be started.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import multiprocessing
import os
import queue
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

PASSWORD = "violet harbor lantern 42"  # of every invented soak account
CLINIC = {"clinic_name": "Soak Test Clinic (invented)", "clinic_address": "1 Soak Street, Springfield",
          "clinic_phone": "(555) 010-0199"}
#: Invented patients in the background (search and census have something to wade through).
BACKGROUND_PATIENTS = 2000
BACKGROUND_EPISODES = 40
#: Patients in stabilization every nurse gives doses to, and the shared drafts.
SHARED_STABILIZATION = 2
#: The shared PRN order's maximum in 24 h, in doses: reached within the run (see race_interval).
RACE_MAX_DOSES = 6

#: Goals (milliseconds) for the p95 of these figures.
SAVE_GOAL_MS = 25
CENSUS_GOAL_MS = 100

#: The actions that are saves: what the p95 save goal is about.
SAVES = ("save COWS", "save vitals", "save check-in", "give a dose", "hold a dose", "save intake draft",
         "save plan draft")

COWS_ITEMS = {"resting_pulse": 1, "sweating": 2, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1,
              "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
              "gooseflesh": 3}
VITALS = {"pulse": 88, "systolic": 124, "diastolic": 78, "respiratory_rate": 16, "spo2": 97}
CHECKIN = {"craving": 6, "mood": 4, "anxiety": 5, "pain": 2, "sleep_hours": "5.5", "sleep_quality": "poor"}
SEARCHES = ("n", "ngu", "nguyen", "smi", "smith", "müller", "soak", "soak tester", "S-0", "B-00012", "kim",
            "rivera a")

NURSES = ("Nora Quillfeather", "Ines Marlowe", "Tomasz Wrenfield", "Ada Okonkwo-Lind", "Priya Holloway",
          "Lena Fairbourne", "Marek Solberg", "Yuki Brannock", "Femi Ashdown", "Clara Venn", "Rosa Lindqvist",
          "Omar Tessaly", "Hana Corriveau", "Jonas Pellham", "Mei Ardent", "Sven Halloran")
PRESCRIBERS = ("Dr. Amara Quenby", "Dr. Felix Ormond", "Dr. Selin Varga", "Dr. Kwame Idris")
COUNSELORS = ("Dana Whitlock", "Luis Morrow", "Aiyana Brook", "Greta Palmquist", "Tariq Selwyn", "June Harrow",
              "Noor Castellan", "Ivo Renner")


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


# --------------------------------------------------------------------------------------------
# What a workstation is given, and what it reports
# --------------------------------------------------------------------------------------------

@dataclass
class Station:
    """One workstation: its account, its own patients' ids and the shared ones."""

    index: int
    role: str
    username: str
    full_name: str
    url: str
    think: float
    #: Episodes in stabilization it records on (its own first), and the orders it gives from.
    episodes: list[int] = field(default_factory=list)
    own_order: int | None = None
    shared_orders: list[int] = field(default_factory=list)
    #: Intake drafts (assessment ids; its own first) and plans (plan ids; its own first).
    intakes: list[int] = field(default_factory=list)
    plans: list[int] = field(default_factory=list)
    patient_ids: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    """What a workstation reports: the time of each action (ms), what it believes it committed,
    the refusals it expected and the errors it did not."""

    index: int
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: (kind, id): observation, vitals, checkin, administration.
    committed: list[tuple[str, int]] = field(default_factory=list)
    #: (kind, draft id, version returned, marker saved): intake, plan.
    drafts: list[tuple[str, int, int, str]] = field(default_factory=list)
    refusals: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The workstation (a spawned process)
# --------------------------------------------------------------------------------------------

WEIGHTS = {
    "nurse": {"census": 4, "search": 2, "cows": 2, "vitals": 2, "own dose": 1, "shared dose": 3, "intake": 2},
    "prescriber": {"census": 4, "search": 3, "dose check": 3, "intake": 3, "print": 1},
    "counselor": {"census": 4, "search": 2, "checkin": 2, "plan": 3, "print": 1},
}
#: The workstations sign in one after the other over this many seconds at the start.
ARRIVAL_S = 10.0
#: Each workstation signs out and in again about this often (the lock screen, a change of shift).
SIGN_IN_EVERY_S = 60.0


def workstation(station: Station, results: Any, start: Any, deadline: Any) -> None:
    """Open the database, say so on ``results``, wait for ``start``, then work until
    ``deadline`` (a shared time.time() value); put the Outcome on ``results``."""
    outcome = Outcome(station.index)
    try:
        _workstation(station, outcome, results, start, deadline)
    except BaseException:  # noqa: BLE001 - reported, never lost
        outcome.errors.append("the workstation stopped: " + traceback.format_exc(limit=3).strip().splitlines()[-1])
    results.put(outcome)


def _workstation(station: Station, out: Outcome, results: Any, start: Any, shared_deadline: Any) -> None:
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.errors import ConflictError, ValidationError
    from clinic_desktop.core.models import utcnow
    from clinic_desktop.core.services import (
        accounts,
        episodes,
        intake,
        mar,
        patients,
        plans,
        stabilization,
    )

    rng = random.Random(1000 + station.index)
    db = open_database(station.url)
    results.put(("ready", station.index))
    start.wait()
    until = shared_deadline.value
    # Staff arrive over the first ARRIVAL_S seconds (or tenth of the run), not all in one second.
    time.sleep(rng.uniform(0, min(ARRIVAL_S, (until - time.time()) / 10)))
    try:
        def timed(action: str, call, *args, **kwargs):
            begun = time.perf_counter()
            result = call(*args, **kwargs)
            out.times[action].append((time.perf_counter() - begun) * 1000)
            return result

        def sign_in():
            return timed("sign in", accounts.authenticate, db, station.username, PASSWORD)

        user = sign_in()
        signed_in_at = time.time()
        # Each draft as this workstation last saw it: {id: (version, draft)}.
        intakes = {a: timed("open intake", intake.open_assessment, db, user, _episode_of(db, user, a))
                   for a in station.intakes} if station.intakes else {}
        intake_seen = {a: view.version for a, view in intakes.items()}
        plan_views = {p: timed("open plan", plans.open_plan, db, user, _plan_episode(db, p)) for p in station.plans}
        plan_seen = {p: (view.version, view.draft) for p, view in plan_views.items()}
        weights = WEIGHTS[station.role]
        names, chances = list(weights), list(weights.values())
        n = 0
        while time.time() < until:
            time.sleep(rng.uniform(0.5, 1.5) * station.think)
            if time.time() >= until:
                break
            n += 1
            action = rng.choices(names, chances)[0]
            try:
                if time.time() - signed_in_at > SIGN_IN_EVERY_S:
                    timed("sign out", accounts.sign_out, db, user, "lock screen")
                    user = sign_in()
                    signed_in_at = time.time()
                if action == "census":
                    timed("census refresh", episodes.census, db, user)
                elif action == "search":
                    timed("search", patients.search, db, user, rng.choice(SEARCHES))
                elif action == "cows":
                    obs = timed("save COWS", stabilization.record_observation, db, user,
                                rng.choice(station.episodes), "cows", COWS_ITEMS)
                    out.committed.append(("observation", obs.id))
                elif action == "vitals":
                    entry = timed("save vitals", stabilization.record_vitals, db, user,
                                  rng.choice(station.episodes), VITALS)
                    out.committed.append(("vitals", entry.id))
                elif action == "checkin":
                    entry = timed("save check-in", stabilization.record_checkin, db, user,
                                  rng.choice(station.episodes), CHECKIN)
                    out.committed.append(("checkin", entry.id))
                elif action == "own dose":
                    assert station.own_order is not None
                    if rng.random() < 0.2:
                        view = timed("hold a dose", mar.record_administration, db, user, station.own_order,
                                     "held", reason="Sedation")
                    else:
                        timed("check a dose", mar.check_dose, db, user, station.own_order, utcnow(), 1)
                        view = timed("give a dose", mar.record_administration, db, user, station.own_order,
                                     "given", dose=1)
                    out.committed.append(("administration", view.id))
                elif action in ("shared dose", "dose check"):
                    order_id = rng.choice(station.shared_orders)
                    order = _order(db, user, order_id)
                    check = timed("check a dose", mar.check_dose, db, user, order_id, utcnow(), order.dose)
                    if action == "dose check":
                        continue
                    if check.refusals:
                        out.refusals["dose refused by its check (a limit)"] += 1
                        continue
                    time.sleep(rng.uniform(0.2, 1.0) * station.think)  # reads the check, then gives
                    try:
                        view = timed("give a dose", mar.record_administration, db, user, order_id, "given",
                                     dose=order.dose)
                        out.committed.append(("administration", view.id))
                    except ValidationError as exc:
                        if set(exc.fields) - {"dose", "at"}:
                            raise
                        out.refusals["dose refused in its transaction (another gave first)"] += 1
                elif action == "intake":
                    own = rng.random() < 0.5
                    assessment_id = station.intakes[0] if own else rng.choice(station.intakes[1:])
                    marker = f"w{station.index}-{n}"
                    data = {"identity": {"consent_to_treatment": True},
                            "social": {"housing": f"Stable, {marker}", "employment": "Part-time"},
                            "vitals": {"pulse": 90 + n % 20, "systolic": 128, "diastolic": 82}}
                    try:
                        saved = timed("save intake draft", intake.save_draft, db, user, assessment_id,
                                      intake_seen[assessment_id], data)
                        intake_seen[assessment_id] = saved.version
                        out.drafts.append(("intake", assessment_id, saved.version, marker))
                    except ConflictError:
                        if own:
                            raise
                        out.refusals["intake draft refused as stale (another saved first)"] += 1
                        view = timed("open intake", intake.open_assessment, db, user,
                                     _episode_of(db, user, assessment_id))
                        intake_seen[assessment_id] = view.version
                elif action == "plan":
                    own = rng.random() < 0.5
                    plan_id = station.plans[0] if own else rng.choice(station.plans[1:])
                    marker = f"w{station.index}-{n}"
                    version, draft = plan_seen[plan_id]
                    draft = {**draft, "relapse": {**(draft.get("relapse") or {}), "triggers": f"Paydays, {marker}"}}
                    try:
                        saved = timed("save plan draft", plans.save_draft, db, user, plan_id, version, draft)
                        plan_seen[plan_id] = (saved.version, draft)
                        out.drafts.append(("plan", plan_id, saved.version, marker))
                    except ConflictError:
                        if own:
                            raise
                        out.refusals["plan draft refused as stale (another saved first)"] += 1
                        view = timed("open plan", plans.open_plan, db, user, _plan_episode(db, plan_id))
                        plan_seen[plan_id] = (view.version, view.draft)
                elif action == "print":
                    pdf = timed("print a plan (draft PDF)", plans.preview_pdf, db, user, rng.choice(station.plans))
                    assert pdf.startswith(b"%PDF")
            except Exception as exc:  # noqa: BLE001 - anything unexpected is an error shown to a user
                out.errors.append(f"{action}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    finally:
        db.dispose()


_ORDERS: dict[int, Any] = {}
_EPISODES: dict[int, int] = {}


def _order(db, user, order_id: int):
    """The order as the MAR shows it (read once: the orders do not change during the run)."""
    from clinic_desktop.core.services import mar

    if order_id not in _ORDERS:
        from clinic_desktop.core.models import MedicationOrder

        with db.read() as session:
            episode_id = session.get(MedicationOrder, order_id).episode_id
        _ORDERS.update({o.id: o for o in mar.orders(db, user, episode_id)})
    return _ORDERS[order_id]


def _episode_of(db, user, assessment_id: int) -> int:
    from clinic_desktop.core.models import Assessment

    if assessment_id not in _EPISODES:
        with db.read() as session:
            _EPISODES[assessment_id] = session.get(Assessment, assessment_id).episode_id
    return _EPISODES[assessment_id]


def _plan_episode(db, plan_id: int) -> int:
    from clinic_desktop.core.models import AftercarePlan

    with db.read() as session:
        return session.get(AftercarePlan, plan_id).episode_id


# --------------------------------------------------------------------------------------------
# The clinic, made up front by the parent
# --------------------------------------------------------------------------------------------

def roles_for(workers: int) -> list[str]:
    """A clinic's mix: about a tenth prescribers, a quarter counselors, the rest nurses (at least
    two nurses, so that doses race, and one of each other role)."""
    prescribers = max(1, round(workers / 10))
    counselors = max(1, round(workers / 4))
    nurses = max(2, workers - prescribers - counselors)
    roles = ["nurse"] * nurses + ["prescriber"] * prescribers + ["counselor"] * counselors
    return roles[:max(workers, 4)]


def race_interval_hours(minutes: float) -> float:
    """The shared PRN order's minimum interval: a twelfth of the run (at least 5 s), so that its
    maximum of RACE_MAX_DOSES is reached about halfway through."""
    return max(5.0, minutes * 60 / 12) / 3600


def make_clinic(url: str, workers: int, minutes: float, think: float) -> list[Station]:
    from generate import populate
    from sqlalchemy import text

    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.core.services import accounts, episodes, intake, mar, patients, plans

    db = open_database(url)
    try:
        admin = accounts.create_first_admin(db, "admin", "Soak Admin", PASSWORD, clinic=CLINIC)
        populate(db, BACKGROUND_PATIENTS, admin.id, open_episodes=BACKGROUND_EPISODES)
        with db.write() as session:  # populate chose the ids itself: move the sequences past them
            for table in ("patients", "episodes"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
        roles = roles_for(workers)
        names = {"nurse": iter(NURSES), "prescriber": iter(PRESCRIBERS), "counselor": iter(COUNSELORS)}
        stations: list[Station] = []
        signed: dict[str, SignedInUser] = {}
        for index, role in enumerate(roles):
            full_name = next(names[role], f"Soak {role.title()} {index}")
            username = f"{role}{index:02d}"
            view = accounts.create_user(db, admin, username, full_name, role, PASSWORD)
            signed[username] = SignedInUser(view.id, view.username, view.full_name, view.role)
            stations.append(Station(index, role, username, full_name, url, think))
        prescriber = next(signed[s.username] for s in stations if s.role == "prescriber")
        counter = iter(range(1, 10_000))

        def patient(stage: str) -> tuple[int, int]:
            """A new invented patient with an open episode in ``stage``: (patient id, episode id)."""
            n = next(counter)
            p = patients.register(db, admin, patients.PatientInput(
                mrn=f"S-{n:05d}", given_name=random.Random(n).choice(("Robin", "Sam", "Alex", "Jo")),
                family_name=f"Soaktester{n}", date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=97 * n),
                sex="unknown"))
            ep = episodes.open_episode(db, admin, p.id)
            if stage == "assessment":
                return p.id, ep.id
            ep = episodes.change_stage(db, admin, ep.id, ep.version, "stabilization", pathway="symptomatic")
            if stage == "transition":
                ep = episodes.change_stage(db, admin, ep.id, ep.version, "transition")
            return p.id, ep.id

        shared_episodes, shared_orders = [], []
        for _ in range(SHARED_STABILIZATION):
            _pid, ep_id = patient("stabilization")
            shared_episodes.append(ep_id)
            race = mar.create_order(db, prescriber, ep_id, mar.OrderInput(
                drug_id="other", drug_name="Soak race tablet (invented)", dose=1, unit="tablet", route="oral",
                min_interval_hours=race_interval_hours(minutes), max_daily_dose=RACE_MAX_DOSES))
            acetaminophen = mar.create_order(db, prescriber, ep_id, mar.OrderInput(
                drug_id="acetaminophen", dose=1000, unit="mg", route="oral", min_interval_hours=4,
                max_daily_dose=4000))
            shared_orders += [race.id, acetaminophen.id]
        _pid, _episode = patient("assessment")
        shared_intake = intake.start(db, admin, _pid).id
        _pid, shared_plan_episode = patient("transition")
        counselor = next(signed[s.username] for s in stations if s.role == "counselor")
        shared_plan = plans.open_plan(db, counselor, shared_plan_episode).id

        for station in stations:
            user = signed[station.username]
            if station.role == "nurse":
                pid, ep_id = patient("stabilization")
                order = mar.create_order(db, prescriber, ep_id, mar.OrderInput(
                    drug_id="other", drug_name="Multivitamin (invented order)", dose=1, unit="tablet", route="oral",
                    min_interval_hours=1e-6))
                station.episodes = [ep_id, *shared_episodes]
                station.own_order = order.id
                station.shared_orders = list(shared_orders)
                station.patient_ids.append(pid)
            if station.role == "prescriber":
                station.shared_orders = list(shared_orders)
            if station.role in ("nurse", "prescriber"):
                pid, _ep = patient("assessment")
                station.intakes = [intake.start(db, user, pid).id, shared_intake]
            if station.role == "counselor":
                _pid, ep_id = patient("transition")
                station.plans = [plans.open_plan(db, user, ep_id).id, shared_plan]
                station.episodes = list(shared_episodes)  # their check-ins
            if station.role == "prescriber":
                station.plans = [shared_plan]  # printed
    finally:
        db.dispose()
    return stations


# --------------------------------------------------------------------------------------------
# The proof: nothing lost, no limit passed, the chain intact
# --------------------------------------------------------------------------------------------

#: What a workstation commits: (model, audit entity type), by kind.
TABLES = {"observation": ("Observation", "observation"), "vitals": ("VitalSigns", "vitals"),
          "checkin": ("CheckIn", "checkin"), "administration": ("MedicationAdministration", "medication_administration")}


def lost_writes(url: str, outcomes: list[Outcome]) -> list[str]:
    """Every entry a workstation was told was saved, not in its table or without its audit event;
    every draft whose stored text is not the newest save's, or two saves given one version."""
    from sqlalchemy import select, text

    from clinic_desktop.core import models
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.models import AftercarePlan, Assessment

    problems: list[str] = []
    db = open_database(url)
    try:
        with db.read() as session:
            for kind, (model, entity_type) in TABLES.items():
                told = {entry_id for o in outcomes for k, entry_id in o.committed if k == kind}
                stored = set(session.execute(select(getattr(models, model).id)).scalars())
                audited = {int(e) for e in session.execute(
                    text("SELECT entity_id FROM audit_events WHERE entity_type = :t"), {"t": entity_type}).scalars()}
                if told - stored:
                    problems.append(f"{len(told - stored)} {kind} entries saved but missing: {sorted(told - stored)[:10]}")
                if told - audited:
                    problems.append(f"{len(told - audited)} {kind} entries without their audit event")
            saves: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
            for o in outcomes:
                for kind, draft_id, version, marker in o.drafts:
                    saves[(kind, draft_id)].append((version, marker))
            for (kind, draft_id), saved in saves.items():
                versions = [v for v, _m in saved]
                if len(set(versions)) != len(versions):
                    problems.append(f"{kind} draft {draft_id}: two saves were both given version(s) "
                                    f"{sorted(v for v, c in Counter(versions).items() if c > 1)} (one overwrote the other)")
                newest_version, newest = max(saved)
                if kind == "intake":
                    row = session.execute(select(Assessment.version, Assessment.data)
                                          .where(Assessment.id == draft_id)).one()
                    stored_text = ((row.data or {}).get("social") or {}).get("housing", "")
                else:
                    row = session.execute(select(AftercarePlan.version, AftercarePlan.draft)
                                          .where(AftercarePlan.id == draft_id)).one()
                    stored_text = ((row.draft or {}).get("relapse") or {}).get("triggers", "")
                if not stored_text.endswith(f", {newest}"):
                    problems.append(f"{kind} draft {draft_id}: the newest save ({newest}, version {newest_version}) "
                                    f"is not what is stored")
                if row.version < newest_version:
                    problems.append(f"{kind} draft {draft_id}: stored version {row.version} is older than a save's "
                                    f"{newest_version}")
    finally:
        db.dispose()
    return problems


def limits_passed(url: str) -> tuple[list[str], dict[int, int]]:
    """Every order's given doses (not struck), recomputed: any 24 h window above the order's or
    the drug's maximum (the drug's over every order of the ingredient), any two doses closer than
    the order's or the drug's minimum interval. Returns (problems, {order id: doses given})."""
    from sqlalchemy import select

    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.formulary import DRUGS
    from clinic_desktop.core.models import EntryStrike, MedicationAdministration, MedicationOrder
    from clinic_desktop.core.services import episodes

    db = open_database(url)
    problems: list[str] = []
    try:
        with db.read() as session:
            settings = episodes.protocol_settings(session)
            orders = {row.id: row for row in session.execute(select(
                MedicationOrder.id, MedicationOrder.episode_id, MedicationOrder.drug_id, MedicationOrder.drug_name,
                MedicationOrder.unit, MedicationOrder.min_interval_hours, MedicationOrder.max_daily_dose))}
            struck = set(session.execute(select(EntryStrike.entry_id)
                                         .where(EntryStrike.entry_type == "administration")).scalars())
            given: dict[int, list[tuple[dt.datetime, Decimal]]] = defaultdict(list)
            for entry_id, order_id, at, dose in session.execute(
                    select(MedicationAdministration.id, MedicationAdministration.order_id, MedicationAdministration.at,
                           MedicationAdministration.dose).where(MedicationAdministration.outcome == "given")):
                if entry_id not in struck:
                    given[order_id].append((at, Decimal(repr(dose))))
    finally:
        db.dispose()

    def over_24h(doses: list[tuple[dt.datetime, Decimal]], limit: float, what: str) -> None:
        doses = sorted(doses)
        for start, _dose in doses:
            total = sum((d for t, d in doses if start <= t < start + dt.timedelta(hours=24)), Decimal(0))
            if total > Decimal(repr(limit)):
                problems.append(f"{what}: {total} in the 24 h from {start:%H:%M:%S}, above its maximum {limit}")
                return

    by_ingredient: dict[tuple[int, str], list[tuple[dt.datetime, Decimal]]] = defaultdict(list)
    ingredient_limit: dict[tuple[int, str], float] = {}
    for order_id, doses in given.items():
        order = orders[order_id]
        drug = DRUGS.get(order.drug_id)
        in_unit = drug is not None and order.unit == drug.default_unit
        what = f"order {order_id} ({order.drug_name or order.drug_id})"
        intervals = [h for h in (order.min_interval_hours,
                                 drug.min_interval.resolve(settings) if in_unit and drug and drug.min_interval else None)
                     if h]
        if intervals:
            gap_min = dt.timedelta(hours=max(intervals))
            times = sorted(t for t, _d in doses)
            for before, after in itertools.pairwise(times):
                if after - before < gap_min:
                    problems.append(f"{what}: doses at {before:%H:%M:%S.%f} and {after:%H:%M:%S.%f}, "
                                    f"closer than its minimum interval of {max(intervals):g} h")
                    break
        if order.max_daily_dose is not None:
            over_24h(doses, order.max_daily_dose, what)
        if in_unit and drug is not None and drug.max_daily is not None:
            key = (order.episode_id, drug.ingredient or drug.id)
            by_ingredient[key] += doses
            ingredient_limit[key] = drug.max_daily.resolve(settings)
    for key, doses in by_ingredient.items():
        over_24h(doses, ingredient_limit[key], f"{key[1]} in episode {key[0]}")
    return problems, {order_id: len(doses) for order_id, doses in given.items()}


def chain(url: str):
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import audit

    db = open_database(url)
    try:
        return audit.verify(db)
    finally:
        db.dispose()


# --------------------------------------------------------------------------------------------
# The run and its report (in benchmarks/run.py's style)
# --------------------------------------------------------------------------------------------

RESULTS: list[tuple[str, bool]] = []
#: Speed figures against their goals (kept apart: ``--timings-report-only`` prints them, and only
#: what was lost, passed or broken decides the exit status).
TIMINGS: list[tuple[str, bool]] = []


def report(name: str, value: float, unit: str, goal: float) -> None:
    """A figure against its goal (an upper bound), as benchmarks/run.py prints it."""
    ok = value <= goal
    TIMINGS.append((name, ok))
    print(f"{'PASS' if ok else 'MISS'}  {name}: {value:.1f} {unit} (goal ≤ {goal:g} {unit})", flush=True)


def must_hold(name: str, ok: bool, shown: object, goal: str) -> None:
    """A count or a verdict that must hold: ``shown`` against ``goal``."""
    RESULTS.append((name, ok))
    print(f"{'PASS' if ok else 'MISS'}  {name}: {shown} (goal {goal})", flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * .95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=int(env_number("SOAK_WORKERS", 20)),
                        help="workstations, one process each (default 20, or SOAK_WORKERS)")
    parser.add_argument("--minutes", type=float, default=env_number("SOAK_MINUTES", 10),
                        help="how long they work (default 10, or SOAK_MINUTES)")
    parser.add_argument("--timings-report-only", action="store_true",
                        help="print the p95s against their goals but decide the exit status only on "
                             "errors, lost writes, limits passed and the audit chain (CI, on a shared machine)")
    parser.add_argument("--think", type=float, default=env_number("SOAK_THINK", 1.0),
                        help="average seconds between one workstation's actions (default 1.0)")
    args = parser.parse_args()
    if args.workers < 4 or args.minutes <= 0 or args.think < 0:
        parser.error("at least 4 workers (nurses, a prescriber and a counselor), more than 0 minutes")

    from tests.pg_server import StartError, ThrowawayPostgres

    with tempfile.TemporaryDirectory(prefix="clinic-soak-") as tmpdir:
        os.environ["CLINIC_DESKTOP_DATA_DIR"] = tmpdir  # logs and anchors of the run, removed with it
        server = ThrowawayPostgres()
        try:
            url = server.start()
        except StartError as exc:
            print(f"The soak needs a PostgreSQL server: {exc.reason}. {exc.fix}", file=sys.stderr)
            return 2
        try:
            return soak(url, args.workers, args.minutes, args.think, timings_report_only=args.timings_report_only)
        finally:
            server.stop()


def soak(url: str, workers: int, minutes: float, think: float, *, timings_report_only: bool = False) -> int:
    began = time.perf_counter()
    stations = make_clinic(url, workers, minutes, think)
    roles = Counter(s.role for s in stations)
    print(f"      (clinic made in {time.perf_counter() - began:.1f} s: {BACKGROUND_PATIENTS:,} background patients, "
          f"{roles['nurse']} nurses, {roles['prescriber']} prescribers, {roles['counselor']} counselors; "
          f"{os.cpu_count()} cores)", flush=True)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = context.Event()
    deadline = context.Value("d", 0.0)
    processes = [context.Process(target=workstation, args=(station, results, start, deadline), name=station.username)
                 for station in stations]
    for process in processes:
        process.start()
    # Every workstation starts at once, when all of them have opened the database.
    outcomes: list[Outcome] = []
    ready = 0
    give_up = time.time() + 120 + 5 * len(stations)
    while ready + len(outcomes) < len(processes) and time.time() < give_up:
        try:
            message = results.get(timeout=5)
        except queue.Empty:
            continue
        if isinstance(message, Outcome):  # it stopped before it was ready
            outcomes.append(message)
        else:
            ready += 1
    load_before = os.getloadavg()[0]  # what else this machine is doing
    deadline.value = time.time() + minutes * 60
    begun_at = time.time()
    start.set()
    wait_until = deadline.value + 120
    while len(outcomes) < len(processes) and time.time() < wait_until:
        try:
            message = results.get(timeout=5)
        except queue.Empty:
            if all(not p.is_alive() for p in processes) and results.empty():
                break
            continue
        if isinstance(message, Outcome):
            outcomes.append(message)
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    missing_reported = []
    reported = {o.index for o in outcomes}
    for station in stations:
        if station.index not in reported:
            missing_reported.append(f"{station.username} never reported (it crashed or hung)")
    ran_s = max(0.0, min(time.time(), deadline.value) - begun_at)
    print(f"      ({len(stations)} workstations worked for {ran_s / 60:.1f} min, all starting at once; "
          f"think time about {think:g} s between actions; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} at the end)", flush=True)

    times: dict[str, list[float]] = defaultdict(list)
    refusals: Counter = Counter()
    errors: list[str] = list(missing_reported)
    for o in outcomes:
        for action, values in o.times.items():
            times[action] += values
        refusals.update(o.refusals)
        errors += [f"{stations[o.index].username}: {e}" for e in o.errors]

    print("\n      action                               count      p50 ms    p95 ms")
    for action in sorted(times, key=lambda a: -len(times[a])):
        values = times[action]
        print(f"      {action:<36} {len(values):>6} {statistics.median(values):>10.1f} {p95(values):>9.1f}")
    saves = [v for action in SAVES for v in times.get(action, [])]
    print(f"      {'every save (the actions above marked save/give/hold)':<36}\n"
          f"      {'':<36} {len(saves):>6} {statistics.median(saves) if saves else 0:>10.1f} "
          f"{p95(saves) if saves else 0:>9.1f}")
    print("\n      expected refusals (not errors):")
    for what, count in sorted(refusals.items()):
        print(f"        {count:>6}  {what}")
    print()

    lost = lost_writes(url, outcomes)
    limits, given = limits_passed(url)
    verified = chain(url)
    for line in errors[:20]:
        print(f"      error: {line}")
    for line in lost[:20]:
        print(f"      lost: {line}")
    for line in limits[:20]:
        print(f"      limit passed: {line}")
    committed = sum(len(o.committed) + len(o.drafts) for o in outcomes)
    raced = next(s for s in stations if s.role == "nurse").shared_orders
    must_hold("errors shown to a user", not errors, len(errors), "0")
    must_hold(f"writes lost, of {committed:,} the workstations were told were saved", not lost, len(lost), "0")
    must_hold(f"dose limits passed, every order recomputed (the shared orders were given "
              f"{', '.join(str(given.get(o, 0)) for o in raced)} times)", not limits, len(limits), "0")
    must_hold("audit chain", verified.intact,
              f"intact, {verified.count:,} events" if verified.intact else f"BROKEN: {verified.problem}", "intact")
    limit_refusals = sum(c for what, c in refusals.items() if what.startswith("dose refused"))
    must_hold("doses the shared orders' limits refused (they were reached)", limit_refusals > 0, limit_refusals,
              "> 0")
    for what, values, goal in (("a save", saves, SAVE_GOAL_MS),
                               ("a census refresh", times.get("census refresh", []), CENSUS_GOAL_MS)):
        if values:
            report(f"p95 of {what} with {len(stations)} workstations (median {statistics.median(values):.1f} ms, "
                   f"{len(values):,} of them)", p95(values), "ms", goal)
        else:
            must_hold(f"p95 of {what}", False, "none was made", f"≤ {goal} ms")
    missed = [name for name, ok in RESULTS if not ok]
    slow = [name for name, ok in TIMINGS if not ok]
    print(f"\n{len(RESULTS) - len(missed)} of {len(RESULTS)} must-holds met; "
          f"{len(TIMINGS) - len(slow)} of {len(TIMINGS)} speed goals met"
          + (" (reported only: --timings-report-only)" if timings_report_only else "") + ".")
    return 1 if missed or (slow and not timings_report_only) else 0


if __name__ == "__main__":
    sys.exit(main())
