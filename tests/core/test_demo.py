"""The demo is what trainees and screenshots show: each invented patient must be a story a
clinician would accept (issue #15). These tests read the seeded database itself, not the demo's
tables, so a demo that records something incoherent fails here whatever its tables say."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic_desktop.core import clock
from clinic_desktop.core import support as support_rules
from clinic_desktop.core.models import (
    AftercarePlan,
    Assessment,
    CheckIn,
    Episode,
    MedicationAdministration,
    MedicationOrder,
    Observation,
    Patient,
    PlanVersion,
    SupportGroup,
    SupportSession,
    User,
    VitalSigns,
    utcnow,
)
from clinic_desktop.core.services import demo
from clinic_desktop.core.vocab import Stage


def cows_pulse_item(pulse: float) -> int:
    """The COWS resting-pulse item for a pulse (Wesson & Ling 2003, CLINICAL.md §1): an oracle
    written from the instrument, independent of the demo's table."""
    if pulse <= 80:
        return 0
    if pulse <= 100:
        return 1
    if pulse <= 120:
        return 2
    return 4


@pytest.mark.parametrize(("pulse", "item"), [(80, 0), (81, 1), (100, 1), (101, 2), (120, 2), (121, 4)])
def test_the_oracle_follows_the_instruments_bands(pulse, item):
    assert cows_pulse_item(pulse) == item


@pytest.mark.parametrize(("item", "pulse"), sorted(demo.PULSE_FOR_ITEM.items()))
def test_each_pulse_the_demo_records_scores_its_item(item, pulse):
    assert cows_pulse_item(pulse) == item


@pytest.fixture
def seeded(db):
    before = utcnow()
    demo.seed(db)
    return db, before, utcnow()


def _aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def test_nobody_uses_after_admission_and_every_entry_falls_inside_the_stay(seeded):
    db, _, after = seeded
    with db.read() as session:
        for episode in session.execute(select(Episode)).scalars():
            admitted = _aware(episode.admitted_at)
            for a in session.execute(select(Assessment).where(Assessment.episode_id == episode.id)).scalars():
                for row in (a.data.get("substances") or {}).get("rows") or []:
                    assert dt.datetime.fromisoformat(row["last_use"]) < admitted, row
            times = [o.taken_at for o in session.execute(
                select(Observation).where(Observation.episode_id == episode.id)).scalars()]
            times += [v.taken_at for v in session.execute(
                select(VitalSigns).where(VitalSigns.episode_id == episode.id)).scalars()]
            times += [m.at for m in session.execute(select(MedicationAdministration).where(
                MedicationAdministration.episode_id == episode.id)).scalars()]
            times += [c.taken_at for c in session.execute(
                select(CheckIn).where(CheckIn.episode_id == episode.id)).scalars()]
            times += [s.started_at for s in session.execute(
                select(SupportSession).where(SupportSession.episode_id == episode.id)).scalars()]
            end = _aware(episode.discharged_at) if episode.discharged_at else after
            assert all(admitted <= _aware(t) <= end for t in times), episode.id


def test_every_cows_pulse_item_matches_the_pulse_recorded_with_it(seeded):
    db, *_ = seeded
    checked = 0
    with db.read() as session:
        for obs in session.execute(select(Observation).where(Observation.instrument_id == "cows")).scalars():
            vitals = session.execute(
                select(VitalSigns).where(VitalSigns.episode_id == obs.episode_id,
                                         VitalSigns.taken_at <= obs.taken_at,
                                         VitalSigns.taken_at >= obs.taken_at - dt.timedelta(minutes=30))
                .order_by(VitalSigns.taken_at.desc())).scalars().first()
            assert vitals is not None, f"COWS {obs.id} has no pulse taken with it"
            assert obs.item_scores["resting_pulse"] == cows_pulse_item(vitals.values["pulse"]), obs.id
            checked += 1
    assert checked >= 15


def test_everyone_past_assessment_has_vitals_orders_and_doses_given_after_their_start(seeded):
    db, *_ = seeded
    with db.read() as session:
        episodes = session.execute(select(Episode).where(Episode.stage != Stage.ASSESSMENT.value)).scalars().all()
        assert len(episodes) >= 5
        for episode in episodes:
            assert session.execute(select(VitalSigns.id).where(VitalSigns.episode_id == episode.id)).first()
            orders = session.execute(select(MedicationOrder).where(
                MedicationOrder.episode_id == episode.id)).scalars().all()
            assert orders, f"episode {episode.id} in {episode.stage} has no orders"
            for order in orders:
                doses = session.execute(select(MedicationAdministration).where(
                    MedicationAdministration.order_id == order.id)).scalars().all()
                assert all(_aware(d.at) >= _aware(order.start_at) for d in doses)
            if episode.pathway == "buprenorphine_induction":
                first_cows = min(o.taken_at for o in session.execute(select(Observation).where(
                    Observation.episode_id == episode.id, Observation.instrument_id == "cows")).scalars())
                given = [d.at for o in orders if o.drug_id == "buprenorphine" for d in session.execute(
                    select(MedicationAdministration).where(MedicationAdministration.order_id == o.id,
                                                           MedicationAdministration.outcome == "given")).scalars()]
                assert given and min(given) > first_cows  # induction follows a withdrawal score


def test_a_completed_detox_lasted_days_and_ended_settled(seeded):
    db, *_ = seeded
    with db.read() as session:
        done = session.execute(select(Episode).where(Episode.stage == Stage.DISCHARGED.value)).scalars().all()
        assert done
        for episode in done:
            assert _aware(episode.discharged_at) - _aware(episode.admitted_at) >= dt.timedelta(days=5)
            last = session.execute(select(Observation).where(
                Observation.episode_id == episode.id, Observation.instrument_id == "cows")
                .order_by(Observation.taken_at.desc())).scalars().first()
            assert last is not None and last.total < 5


def test_the_plans_appointments_fall_on_weekdays_inside_the_programs_hours(seeded):
    db, *_ = seeded
    with db.read() as session:
        data = session.execute(select(PlanVersion.data).join(AftercarePlan)).scalars().one()
    times = [r["appointment"] for r in data["referrals"]] + [f["when"] for f in data["follow_ups"]]
    times.append(data["medication"]["next"])
    for text in times:
        when = dt.datetime.fromisoformat(text)
        assert when.weekday() < 5, text
        assert 8 <= when.hour < 18, text
    assert clock.local(utcnow()).date() < dt.datetime.fromisoformat(data["referrals"][0]["appointment"]).date()


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 12, 4), dt.date(2026, 12, 4)),   # Friday stays
    (dt.date(2026, 12, 5), dt.date(2026, 12, 7)),   # Saturday → Monday
    (dt.date(2026, 12, 6), dt.date(2026, 12, 7)),   # Sunday → Monday
    (dt.date(2026, 12, 7), dt.date(2026, 12, 7)),   # Monday stays
])
def test_weekend_appointments_move_to_monday(day, expected):
    assert demo._weekday(day) == expected


def test_demo_0001_leaves_with_its_dose_a_prescription_and_a_naloxone_kit(seeded):
    db, *_ = seeded
    with db.read() as session:
        data = session.execute(select(PlanVersion.data).join(AftercarePlan)).scalars().one()
    (row,) = [r for r in data["medication"]["reconciliation"] if r["decision"] in ("continue", "change")]
    assert (row["drug_id"], row["dose"], row["route"], row["frequency"]) == (
        "buprenorphine", "16 mg", "sublingual", "Once a day (09:00)")
    assert row["leave"] == "prescription" and row["pharmacy"] and row["pharmacy_phone"]
    assert data["medication"]["moud"]["answer"] == "accepted"
    assert data["overdose"]["naloxone_kit_given"] is True


def test_the_stay_has_check_ins_sessions_and_a_group_that_names_no_one(seeded):
    db, *_ = seeded
    with db.read() as session:
        assert session.execute(select(CheckIn)).first() is not None
        [group] = session.execute(select(SupportGroup)).scalars().all()
        attendees = session.execute(select(SupportSession.episode_id).where(SupportSession.group_id == group.id)
                                    ).scalars().all()
        assert len(attendees) >= 3
        names = [n for p in session.execute(select(Patient)).scalars() for n in (p.given_name, p.family_name)]
        assert not support_rules.named(f"{group.topic} {group.note}", names)
        plan = session.execute(select(PlanVersion.data).join(AftercarePlan)).scalars().one()
    # DEMO-0001's plan starts from what the patient said in counseling, newer than the intake
    assert plan["relapse"]["reasons"] == "To be there for my kids, and to keep my job at the bakery (demo)"


def test_the_demo_accounts_stay_disabled_after_acting_through_the_services(seeded):
    """The services re-read the account they act for (core.permissions): the demo accounts are
    active only while the demo records, and disabled (no password) again after."""
    db = seeded[0]
    with db.read() as session:
        demo_users = session.execute(select(User).where(User.username.in_(
            [demo.DEMO_USERNAME, demo.DEMO_PRESCRIBER, demo.DEMO_COUNSELOR]))).scalars().all()
        assert len(demo_users) == 3
        assert all(not u.active and u.password_hash == "!disabled" for u in demo_users)
