"""The census: when the next COWS is due, overdue, the safety alert; and that it stays cheap."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import episodes, settings, stabilization
from tests.factories import COWS_14, admit_without_intake


def test_next_cows_is_due_one_interval_after_the_last_and_overdue_just_after(db, nurse):
    ep = admit_without_intake(db, nurse)
    [row] = episodes.census(db, nurse)
    assert (row.last_cows_at, row.next_cows_due, row.overdue) == (None, None, False)  # nothing to be late on
    taken = utcnow() - dt.timedelta(minutes=10)
    stabilization.record_observation(db, nurse, ep.id, "cows", COWS_14, taken_at=taken)
    due = taken + dt.timedelta(hours=4)  # the shipped default interval
    for now, overdue in [(due - dt.timedelta(seconds=1), False), (due, False),
                         (due + dt.timedelta(seconds=1), True)]:
        [row] = episodes.census(db, nurse, now=now)
        assert (row.last_cows_at, row.next_cows_due, row.overdue) == (taken, due, overdue)


def test_the_interval_is_the_clinics_setting(db, admin, nurse):
    ep = admit_without_intake(db, nurse)
    taken = utcnow() - dt.timedelta(minutes=10)
    stabilization.record_observation(db, nurse, ep.id, "cows", COWS_14, taken_at=taken)
    settings.update(db, admin, {"cows_interval_hours": 2})
    [row] = episodes.census(db, nurse, now=taken + dt.timedelta(hours=2, minutes=1))
    assert (row.next_cows_due, row.overdue) == (taken + dt.timedelta(hours=2), True)


@pytest.mark.parametrize("stage", ["assessment", "transition"])
def test_cows_are_only_due_during_stabilization(db, nurse, stage):
    ep = admit_without_intake(db, nurse, stage=stage)
    stabilization.record_observation(db, nurse, ep.id, "cows", COWS_14)
    [row] = episodes.census(db, nurse, now=utcnow() + dt.timedelta(days=1))
    assert row.last_cows_total == 14 and (row.next_cows_due, row.overdue) == (None, False)


def test_census_takes_three_queries_whatever_the_number_of_episodes(db, nurse):
    for n in range(12):
        ep = admit_without_intake(db, nurse, f"Q-{n}", family=f"Family{n:02d}")
        stabilization.record_observation(db, nurse, ep.id, "cows", COWS_14)
        if n % 3 == 0:
            stabilization.record_complication(db, nurse, ep.id, "suicidal_thoughts", "1:1")
    statements = []
    listener = lambda *args: statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = episodes.census(db, nurse)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [r.mrn for r in rows] == [f"Q-{n}" for n in range(12)]
    assert [r.safety_alert for r in rows] == [n % 3 == 0 for n in range(12)]
    assert all(r.last_cows_total == 14 and r.next_cows_due is not None for r in rows)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects[0].startswith("SELECT active, role FROM users")  # the nurse's account, re-read
    assert len(selects) == 1 + 3
