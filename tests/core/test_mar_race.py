"""Two workstations racing for the last allowed dose (CLINICAL.md §6: "the time that counts is
the dose's own time, never the order in which workstations committed").

Two separate processes — each its own interpreter and its own ``open_database`` — on a SQLite
file and on PostgreSQL, meet at a barrier and give the same dose at the same moment, 50 rounds:
every round exactly one is recorded and the other is refused. And a dose recorded with no time
of its own is timed once the episode's orders are locked, never before a dose committed while it
waited."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from types import SimpleNamespace

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, episodes, mar, patients
from tests.conftest import STRONG_PASSWORD, make_user

ROUNDS = 50
H = dt.timedelta(hours=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _race_worker(target: str, nurse: tuple, order_id: int, times: list[dt.datetime], barrier, results) -> None:
    """One workstation: its own process and database connection; at each round it waits at
    the barrier with the other, then gives the round's dose."""
    from clinic_desktop.core.db import open_database

    database = open_database(target, upgrade=False)
    user = SignedInUser(*nurse)
    try:
        for number, at in enumerate(times):
            barrier.wait(timeout=60)
            try:
                view = mar.record_administration(database, user, order_id, "given", at=at,
                                                 reason="race test: charted from the paper MAR")
                results.put((number, "given", view.id))
            except ValidationError as exc:
                results.put((number, "refused", dict(exc.fields)))
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                results.put((number, "error", repr(exc)))
    finally:
        database.dispose()


def _setup(database):
    admin = accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD)
    nurse = make_user(database, admin, "nurse")
    prescriber = make_user(database, admin, "prescriber")
    patient = patients.register(database, nurse, patients.PatientInput(
        mrn="RACE-1", given_name="Robin", family_name="Race", date_of_birth=dt.date(1988, 2, 3), sex="unknown"))
    episode = episodes.open_episode(database, nurse, patient.id, admitted_at=utcnow() - 3 * 24 * H)
    episode = episodes.change_stage(database, nurse, episode.id, episode.version, "stabilization",
                                    pathway="symptomatic")
    return SimpleNamespace(nurse=nurse, prescriber=prescriber, episode=episode)


def test_two_processes_race_for_the_last_allowed_dose_50_rounds(any_db_target):
    from clinic_desktop.core.db import open_database

    database = open_database(any_db_target)
    try:
        people = _setup(database)
        # As needed, at least 1 h apart: each round's dose is 1 h after the last round's, so each
        # round has exactly one dose left — whichever workstation gets there first.
        order = mar.create_order(database, people.prescriber, people.episode.id, mar.OrderInput(
            drug_id="ondansetron", dose=4, unit="mg", route="oral", min_interval_hours=1,
            start=utcnow() - (ROUNDS + 5) * H))
        first = (utcnow() - (ROUNDS + 2) * H).replace(microsecond=0)
        times = [first + n * H for n in range(ROUNDS)]
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(2)
        results = ctx.Queue()
        nurse = (people.nurse.id, people.nurse.username, people.nurse.full_name, people.nurse.role)
        workers = [ctx.Process(target=_race_worker, args=(any_db_target, nurse, order.id, times, barrier, results))
                   for _ in range(2)]
        started = time.monotonic()
        for w in workers:
            w.start()
        outcomes = [results.get(timeout=120) for _ in range(2 * ROUNDS)]
        for w in workers:
            w.join(30)
            assert w.exitcode == 0
        elapsed = time.monotonic() - started
        errors = [o for o in outcomes if o[1] == "error"]
        assert errors == []
        for number in range(ROUNDS):
            kinds = sorted(kind for n, kind, _ in outcomes if n == number)
            assert kinds == ["given", "refused"], (number, outcomes)
        refusals = [detail for _, kind, detail in outcomes if kind == "refused"]
        assert all("at least 1 h between doses" in detail["at"] for detail in refusals), refusals[:3]
        # The record holds one dose a round, each at its own time.
        given = [a for a in mar.administrations(database, people.nurse, people.episode.id) if not a.struck]
        assert sorted(a.at for a in given) == times
        assert elapsed < 60, elapsed
    finally:
        database.dispose()


def test_a_dose_with_no_time_is_timed_after_the_lock(any_db, monkeypatch):
    people = _setup(any_db)
    # Two drugs with nothing between them, so both doses are given: only their times matter.
    first = mar.create_order(any_db, people.prescriber, people.episode.id, mar.OrderInput(
        drug_id="acetaminophen", dose=650, unit="mg", route="oral", min_interval_hours=6))
    second = mar.create_order(any_db, people.prescriber, people.episode.id, mar.OrderInput(
        drug_id="loperamide", dose=2, unit="mg", route="oral", min_interval_hours=2))
    real = mar.latest_vitals
    inside = threading.Event()

    def slow_vitals(session, episode_id, at=None):
        # The first workstation has taken the lock and its time; it pauses before committing.
        if not inside.is_set():
            inside.set()
            time.sleep(0.8)
        return real(session, episode_id, at)

    monkeypatch.setattr(mar, "latest_vitals", slow_vitals)
    recorded: dict[str, object] = {}

    def give(name, order_id):
        try:
            recorded[name] = mar.record_administration(any_db, people.nurse, order_id, "given")
            recorded[name + "_returned"] = utcnow()
        except Exception as exc:  # noqa: BLE001 - reported below
            recorded[name] = exc

    one = threading.Thread(target=give, args=("one", first.id))
    one.start()
    assert inside.wait(5)
    asked = utcnow()  # the second workstation asks while the first holds the lock
    two = threading.Thread(target=give, args=("two", second.id))
    two.start()
    one.join(20)
    two.join(20)
    a, b = recorded["one"], recorded["two"]
    assert isinstance(a, mar.AdministrationView) and isinstance(b, mar.AdministrationView), recorded
    assert a.at < asked
    # The waiting dose is timed when it got the lock — after the first committed — not when asked.
    assert b.at - asked >= dt.timedelta(seconds=0.5), (asked, b.at)
    assert b.at > a.at + dt.timedelta(seconds=0.7)
    assert [x.id for x in sorted(mar.administrations(any_db, people.nurse, people.episode.id),
                                 key=lambda x: x.at)] == [a.id, b.id]


def test_the_race_worker_reports_refusals_in_one_process(tmp_path):
    """The worker itself, run inline: a dose at a time already taken is refused by field."""
    from clinic_desktop.core.db import open_database

    target = str(tmp_path / "inline.db")
    database = open_database(target)
    people = _setup(database)
    order = mar.create_order(database, people.prescriber, people.episode.id, mar.OrderInput(
        drug_id="ondansetron", dose=4, unit="mg", route="oral", min_interval_hours=1,
        start=utcnow() - 2 * 24 * H))
    database.dispose()
    at = (utcnow() - 10 * H).replace(microsecond=0)
    rounds = 3
    out: list = []

    class Inline:
        def put(self, item):
            out.append(item)

    class NoBarrier:
        def wait(self, timeout=None):
            return 0

    nurse = (people.nurse.id, people.nurse.username, people.nurse.full_name, people.nurse.role)
    _race_worker(target, nurse, order.id, [at] * rounds, NoBarrier(), Inline())
    assert [kind for _, kind, _ in out] == ["given"] + ["refused"] * (rounds - 1)
