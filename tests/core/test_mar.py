"""The MAR service: orders, doses given / held / refused, checks and overrides, strikes, the
MAR grid and the census counts — on SQLite and PostgreSQL (``any_db``)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from clinic_desktop.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.medications import default_holds
from clinic_desktop.core.models import AuditEvent, EntryStrike, VitalSigns
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, episodes, mar, patients
from tests.conftest import STRONG_PASSWORD, make_user

ZONE = "America/Chicago"
TZ = ZoneInfo(ZONE)
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def minute(instant: dt.datetime) -> dt.datetime:
    """``instant`` on the minute (a scheduled time's instant)."""
    return instant.replace(second=0, microsecond=0)


def hhmm(instant: dt.datetime) -> str:
    return instant.astimezone(TZ).strftime("%H:%M")


@pytest.fixture(autouse=True)
def clinic_zone(monkeypatch):
    monkeypatch.setenv("TZ", ZONE)


def person(database, admin, role: str, username: str, full_name: str) -> SignedInUser:
    view = accounts.create_user(database, admin, username, full_name, role, STRONG_PASSWORD)
    return SignedInUser(view.id, view.username, view.full_name, view.role)


@pytest.fixture
def staff(any_db):
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD)
    return SimpleNamespace(
        admin=admin,
        nurse=make_user(any_db, admin, "nurse"),
        prescriber=person(any_db, admin, "prescriber", "drlee", "Dr Lee Prescriber"),
        prescriber2=person(any_db, admin, "prescriber", "drkim", "Dr Kim Second"),
        counselor=make_user(any_db, admin, "counselor"),
    )


def admit(database, user, mrn: str, stage: str = "stabilization"):
    patient = patients.register(database, user, patients.PatientInput(
        mrn=mrn, given_name="Robin", family_name="Testcase", date_of_birth=dt.date(1988, 2, 3),
        sex="unknown"))
    episode = episodes.open_episode(database, user, patient.id, admitted_at=utcnow() - 3 * 24 * H)
    if stage != "assessment":
        episode = episodes.change_stage(database, user, episode.id, episode.version, "stabilization",
                                        pathway="symptomatic")
    return episode


@pytest.fixture
def episode(any_db, staff):
    return admit(any_db, staff.nurse, "MAR-1")


def lofexidine(**kw) -> mar.OrderInput:
    fields = dict(drug_id="lofexidine", dose=0.54, unit="mg", route="oral",
                  times=("08:00", "13:00", "18:00", "23:00"), **default_holds("lofexidine"))
    fields.update(kw)
    return mar.OrderInput(**fields)


def prn(drug_id="clonidine", dose=0.1, hours=4.0, **kw) -> mar.OrderInput:
    fields = dict(drug_id=drug_id, dose=dose, unit="mg", route="oral", min_interval_hours=hours,
                  start=utcnow() - 2 * 24 * H, **default_holds(drug_id))
    fields.update(kw)
    return mar.OrderInput(**fields)


def add_vitals(database, episode_id, user, values, taken_at=None):
    with database.write() as session:
        row = VitalSigns(episode_id=episode_id, values=values, taken_at=taken_at or utcnow(),
                         recorded_by=user.id)
        session.add(row)
        session.flush()
        return row.id


NORMAL_VITALS = {"systolic": 120, "diastolic": 78, "pulse": 72}


def fresh_vitals(database, episode_id, user, at=None):
    """A complete, normal set of vitals 5 min before ``at`` (default now): what a nurse takes
    before an alpha-2 agonist dose (lofexidine, clonidine)."""
    return add_vitals(database, episode_id, user, dict(NORMAL_VITALS), (at or utcnow()) - 5 * MIN)


def last_event(database, action: str) -> AuditEvent:
    """The newest audit event of ``action``, detached with its fields loaded."""
    with database.read() as session:
        found = session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.seq.desc())).scalars().first()
        assert found is not None, action
        session.expunge(found)
        return found


def audit_actions(database) -> list[str]:
    with database.read() as session:
        return list(session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


# ---------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------

def test_only_a_prescriber_orders_and_only_a_nurse_gives(any_db, staff, episode):
    with pytest.raises(PermissionDenied):
        mar.create_order(any_db, staff.nurse, episode.id, lofexidine())
    with pytest.raises(PermissionDenied):
        mar.create_order(any_db, staff.admin, episode.id, lofexidine())
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    with pytest.raises(PermissionDenied):
        mar.record_administration(any_db, staff.prescriber, order.id, "given")
    with pytest.raises(PermissionDenied):
        mar.record_administration(any_db, staff.admin, order.id, "given")
    with pytest.raises(PermissionDenied):
        mar.change_order(any_db, staff.nurse, order.id, order.version, prn(dose=0.2))
    with pytest.raises(PermissionDenied):
        mar.stop_order(any_db, staff.nurse, order.id, order.version)
    fresh_vitals(any_db, episode.id, staff.nurse)
    given = mar.record_administration(any_db, staff.nurse, order.id, "given")
    with pytest.raises(PermissionDenied):
        mar.strike_administration(any_db, staff.counselor, given.id, "entered in error")
    # Any clinical reader may read the MAR.
    assert [o.id for o in mar.orders(any_db, staff.counselor, episode.id)] == [order.id]
    assert [a.id for a in mar.administrations(any_db, staff.counselor, episode.id)] == [given.id]


# ---------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------

def test_create_order_returns_a_view_that_round_trips_to_the_rules(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id,
                             lofexidine(times=("23:00", "8:00", "13:00", "18:00"), instructions="with food"))
    assert order.name == "Lofexidine" and order.times == ("08:00", "13:00", "18:00", "23:00")
    assert order.holds == {"hold_sbp_below": 90, "hold_dbp_below": 50, "hold_hr_below": 50}
    assert order.holds_text == "Hold if SBP < 90, DBP < 50, HR < 50"
    assert order.ordered_by_name == "Dr Lee Prescriber" and order.version == 1
    assert order.active(utcnow()) and not order.is_prn
    rule = order.to_rule()
    assert rule.id == str(order.id) and rule.dose == 0.54 and rule.hold_sbp_below == 90
    assert mar.orders(any_db, staff.nurse, episode.id) == [order]
    assert "order.created" in audit_actions(any_db)

    other = mar.create_order(any_db, staff.prescriber, episode.id,
                             mar.OrderInput(drug_id="other", drug_name="Dicyclomine", dose=20, unit="mg",
                                            route="oral", min_interval_hours=6))
    assert other.name == "Dicyclomine" and other.is_prn
    assert other.schedule_text == "As needed, at least 6 h apart"


INVALID_ORDERS = [  # (what the form sends, the field the message is next to, words in it)
    (lofexidine(drug_id="aspirin"), "drug_id", "Choose a drug"),
    (mar.OrderInput(drug_id="other", dose=1, unit="mg", route="oral", times=("08:00",)), "drug_name",
     "Type the name"),
    (lofexidine(dose=0), "dose", "more than 0"),
    (lofexidine(dose=0.8), "dose", "Lofexidine: a single dose is at most 0.72 mg (entered 0.8 mg"),
    (lofexidine(dose=0.72, times=("06:00", "10:00", "14:00", "18:00", "22:00")), "dose",
     "5 doses a day of 0.72 mg is 3.6 mg, above the maximum of 2.88 mg in 24 h \u2014 label"),
    (lofexidine(times=("08:00", "12:00")), "times",
     "at least 5 h between doses (08:00 and 12:00 are 4 h apart) \u2014 label"),
    (prn(drug_id="lofexidine", dose=0.54, hours=1), "min_interval_hours",
     "Lofexidine: at least 5 h between doses (ordered every 1 h) \u2014 label"),
    (prn(dose=1), "dose", "Clonidine: a single dose is at most 0.2 mg (entered 1 mg; a unit or decimal slip?)"),
    (mar.OrderInput(drug_id="methadone", dose=300, unit="mg", route="oral", times=("08:00",)), "dose",
     "Methadone: a single dose is at most 200 mg (entered 300 mg"),
    (lofexidine(unit="tablets"), "unit", "Lofexidine is ordered in mg"),
    (lofexidine(route=" "), "route", "Choose the route"),
    (lofexidine(times=("8am",)), "times", "HH:MM"),
    (lofexidine(times=("08:00", "8:00")), "times", "08:00 is listed twice"),
    (lofexidine(min_interval_hours=4), "times", "not both"),
    (lofexidine(times=()), "times", "Give the scheduled times"),
    (prn(hours=0), "min_interval_hours", "more than 0"),
    (lofexidine(max_daily_dose=1.0), "max_daily_dose", "above this order's maximum of 1 mg"),
    (prn(max_daily_dose=0.05), "max_daily_dose", "less than one dose"),
    (lofexidine(hold_sbp_below=900), "hold_sbp_below", "from 50 to 260"),
    (lofexidine(start=utcnow(), stop=utcnow() - H), "stop", "after the start"),
    (lofexidine(start=utcnow() - 10 * 24 * H), "start", "before the patient was admitted"),
    (lofexidine(start=dt.datetime(2030, 1, 1)), "start", "time zone"),
]


def test_order_validation_is_per_field_in_plain_english(any_db, staff, episode):
    for spec, field, words in INVALID_ORDERS:
        with pytest.raises(ValidationError) as caught:
            mar.create_order(any_db, staff.prescriber, episode.id, spec)
        assert words in caught.value.fields.get(field, ""), (spec, caught.value.fields)
    assert mar.orders(any_db, staff.nurse, episode.id) == []


def test_orders_are_refused_on_a_discharged_episode(any_db, staff, episode):
    closed = episodes.change_stage(any_db, staff.nurse, episode.id, episode.version, "transition")
    episodes.change_stage(any_db, staff.nurse, closed.id, closed.version, "discharged", reason="completed")
    with pytest.raises(ValidationError, match="episode is closed"):
        mar.create_order(any_db, staff.prescriber, episode.id, lofexidine())
    with pytest.raises(NotFound):
        mar.create_order(any_db, staff.prescriber, 987654, lofexidine())


def test_a_stale_change_is_refused_naming_who_changed_it(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    # Two workstations opened the order at version 1; the second saves first.
    changed = mar.change_order(any_db, staff.prescriber2, order.id, order.version, prn(dose=0.2))
    assert changed.version == 2 and changed.dose == 0.2 and changed.changed_by_name == "Dr Kim Second"
    with pytest.raises(ConflictError) as caught:
        mar.change_order(any_db, staff.prescriber, order.id, order.version, prn(dose=0.15))
    message = str(caught.value)
    assert "Dr Kim Second changed this order at" in message and "nothing was saved" in message
    assert mar.orders(any_db, staff.nurse, episode.id)[0].dose == 0.2
    with pytest.raises(ConflictError, match="Dr Kim Second"):
        mar.stop_order(any_db, staff.prescriber, order.id, order.version)
    with pytest.raises(ValidationError, match="stop this order and write a new one"):
        mar.change_order(any_db, staff.prescriber, order.id, changed.version, prn(drug_id="lofexidine",
                                                                                  dose=0.54))
    with pytest.raises(ValidationError) as caught:
        mar.change_order(any_db, staff.prescriber, order.id, changed.version, prn(dose=-1))
    assert "dose" in caught.value.fields
    event_ = last_event(any_db, "order.changed")
    assert event_.detail["changes"]["dose"] == [0.1, 0.2]


def test_stop_order_ends_it_and_a_stopped_order_takes_no_doses(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    fresh_vitals(any_db, episode.id, staff.nurse, utcnow() - 30 * MIN)
    mar.record_administration(any_db, staff.nurse, order.id, "given", at=utcnow() - 30 * MIN)
    with pytest.raises(ValidationError) as caught:  # the record cannot be made to contradict itself
        mar.stop_order(any_db, staff.prescriber, order.id, order.version, at=utcnow() - H)
    assert "stop it after that" in caught.value.fields["at"]
    with pytest.raises(ValidationError) as caught:
        mar.change_order(any_db, staff.prescriber, order.id, order.version, prn(start=utcnow() - 10 * MIN))
    assert "cannot start after it" in caught.value.fields["start"]
    stopped = mar.stop_order(any_db, staff.prescriber, order.id, order.version)
    assert not stopped.active(utcnow() + MIN) and stopped.stop is not None
    with pytest.raises(ValidationError, match="stopped"):
        mar.change_order(any_db, staff.prescriber, order.id, stopped.version, prn(dose=0.2))
    with pytest.raises(ValidationError, match="already stops"):
        mar.stop_order(any_db, staff.prescriber, order.id, stopped.version)
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", at=utcnow() + MIN)
    assert "stopped at" in caught.value.fields["at"]
    assert "order.stopped" in audit_actions(any_db)


def test_stopping_an_order_before_it_starts_cancels_it(any_db, staff, episode):
    later = mar.create_order(any_db, staff.prescriber, episode.id, prn(start=utcnow() + 5 * H))
    cancelled = mar.stop_order(any_db, staff.prescriber, later.id, later.version)
    assert cancelled.cancelled and not cancelled.active(utcnow() + 6 * H)
    with pytest.raises(ValueError):
        cancelled.to_rule()
    assert mar.mar(any_db, staff.nurse, episode.id, utcnow(), utcnow() + 24 * H, utcnow()) == []
    check = mar.check_dose(any_db, staff.nurse, later.id, utcnow() + 6 * H, 0.1)
    assert not check.ok and not check.can_override


# ---------------------------------------------------------------------------------------------
# Giving, holding, refusing
# ---------------------------------------------------------------------------------------------

def test_given_dose_defaults_to_the_ordered_dose_and_is_audited_without_names(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    fresh_vitals(any_db, episode.id, staff.nurse)
    given = mar.record_administration(any_db, staff.nurse, order.id, "given")
    assert (given.outcome, given.dose, given.recorded_by_name, given.struck) == ("given", 0.1,
                                                                                 "Test Nurse", False)
    event_ = last_event(any_db, "medication.given")
    assert event_.detail["drug_id"] == "clonidine" and event_.detail["dose"] == 0.1
    assert event_.patient_id == episode.patient_id
    assert "Robin" not in str(event_.detail) and "Testcase" not in str(event_.detail)


def test_held_needs_a_reason_and_refused_records_no_dose(any_db, staff, episode):
    due = minute(utcnow() - 10 * MIN)
    order = mar.create_order(any_db, staff.prescriber, episode.id,
                             lofexidine(times=(hhmm(due),), start=utcnow() - 24 * H))
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "held", scheduled_for=due)
    assert "Say why the dose is held" in caught.value.fields["reason"]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "refused", dose=0.54, scheduled_for=due)
    assert "records no dose" in caught.value.fields["dose"]
    held = mar.record_administration(any_db, staff.nurse, order.id, "held", reason=mar.HOLD_REASONS[1],
                                     scheduled_for=due)
    assert (held.outcome, held.dose, held.reason, held.scheduled_for) == ("held", None, "Sedation", due)
    # The same scheduled dose cannot be recorded twice; strike the first entry to correct it.
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "refused", scheduled_for=due)
    assert "already recorded as held" in caught.value.fields["scheduled_for"]
    mar.strike_administration(any_db, staff.nurse, held.id, "wrong patient's dose")
    refused = mar.record_administration(any_db, staff.nurse, order.id, "refused", scheduled_for=due)
    assert (refused.outcome, refused.dose, refused.reason) == ("refused", None, "Patient refused")
    actions = audit_actions(any_db)
    assert "medication.held" in actions and "medication.refused" in actions
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", scheduled_for=due + 7 * MIN)
    assert "not a scheduled time" in caught.value.fields["scheduled_for"]
    with pytest.raises(ValidationError):
        mar.record_administration(any_db, staff.nurse, order.id, "forgotten")


def test_a_hold_parameter_met_needs_a_reason_to_give(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id,
                             prn(drug_id="lofexidine", dose=0.54, hours=5))
    add_vitals(any_db, episode.id, staff.nurse, {"systolic": 84, "diastolic": 60, "pulse": 72},
               utcnow() - 30 * MIN)
    # A later set without a blood pressure does not hide the low one.
    add_vitals(any_db, episode.id, staff.nurse, {"temperature_c": 37.0}, utcnow() - 10 * MIN)
    check = mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.54)
    assert check.ok and check.hold_reasons == ["SBP 84 below hold parameter 90"]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given")
    assert caught.value.fields["reason"] == ("Hold parameter met: SBP 84 below 90 — say why it is given "
                                             "anyway, or hold the dose.")
    given = mar.record_administration(any_db, staff.nurse, order.id, "given",
                                      reason="BP rechecked 96/62 standing; prescriber aware")
    assert given.reason.startswith("BP rechecked")


def test_struck_vitals_do_not_trigger_a_hold(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    good_at = utcnow() - 40 * MIN
    add_vitals(any_db, episode.id, staff.nurse, {"systolic": 120, "diastolic": 80, "pulse": 80}, good_at)
    wrong = add_vitals(any_db, episode.id, staff.nurse, {"systolic": 70, "diastolic": 40, "pulse": 40},
                       utcnow() - 5 * MIN)
    assert mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.1).hold_reasons == [
        "SBP 70 below hold parameter 90", "HR 40 below hold parameter 60"]
    with any_db.write() as session:
        session.add(EntryStrike(entry_type="vitals", entry_id=wrong, reason="other patient's vitals",
                                struck_by=staff.nurse.id))
    with any_db.read() as session:
        latest = mar.latest_vitals(session, episode.id)
    assert latest is not None and dict(latest.values) == {"systolic": 120, "diastolic": 80, "pulse": 80}
    assert latest.taken_at == good_at
    assert mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.1).hold_reasons == []


def test_a_dose_below_the_order_needs_a_reason_and_above_it_is_refused(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn(dose=0.2))
    fresh_vitals(any_db, episode.id, staff.nurse)
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", dose=0.3)
    assert "more than the ordered 0.2 mg" in caught.value.fields["dose"]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", dose=0.1)
    assert "say why 0.1 mg is given" in caught.value.fields["reason"]
    given = mar.record_administration(any_db, staff.nurse, order.id, "given", dose=0.1, reason="taper")
    assert given.dose == 0.1


def test_back_dated_doses_need_a_reason_and_future_ones_are_refused(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    two_hours_ago = utcnow() - 2 * H
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", at=two_hours_ago)
    assert "recorded late" in caught.value.fields["reason"]
    late = mar.record_administration(any_db, staff.nurse, order.id, "given", at=two_hours_ago,
                                     reason="charted after the emergency on the unit")
    assert late.reason == "Back-dated: charted after the emergency on the unit" and late.back_dated
    assert late.at == two_hours_ago
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", at=utcnow() + 10 * MIN)
    assert "future" in caught.value.fields["at"]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", at=dt.datetime(2026, 1, 1, 8))
    assert "time zone" in caught.value.fields["at"]


# ---------------------------------------------------------------------------------------------
# Limits and the prescriber override
# ---------------------------------------------------------------------------------------------

def test_min_interval_refusal_and_prescriber_override(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn(hours=4))
    fresh_vitals(any_db, episode.id, staff.nurse, utcnow() - 30 * MIN)
    mar.record_administration(any_db, staff.nurse, order.id, "given", at=utcnow() - 30 * MIN)
    fresh_vitals(any_db, episode.id, staff.nurse)
    check = mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.1)
    assert not check.ok and check.can_override
    assert check.refusals[0].startswith("Clonidine: the order allows at least 4 h between doses; a dose is "
                                        "recorded at ")
    assert check.refusals[1].endswith("\u2014 local policy (clonidine for withdrawal is off-label: local policy "
                                      "default (every 4\u20136 h))")
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given")
    assert "at least 4 h between doses" in caught.value.fields["at"]
    assert "A prescriber may override" in caught.value.fields["at"]

    note = "Severe withdrawal, COWS 18; extra dose approved"
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given",
                                  override=mar.Override("drlee", STRONG_PASSWORD, "  "))
    assert "override_note" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given",
                                  override=mar.Override("drlee", "not the password at all", note))
    assert "Wrong user name or password" in caught.value.fields["override_password"]
    with pytest.raises(ValidationError) as caught:  # a nurse cannot override, not even herself
        mar.record_administration(any_db, staff.nurse, order.id, "given",
                                  override=mar.Override("nurse1", STRONG_PASSWORD, note))
    assert "only a prescriber may override" in caught.value.fields["override_username"]

    given = mar.record_administration(any_db, staff.nurse, order.id, "given",
                                      override=mar.Override("drlee", STRONG_PASSWORD, note))
    assert given.override_by_name == "Dr Lee Prescriber" and given.override_note == note
    assert given.recorded_by_name == "Test Nurse" and given.overridden
    event_ = last_event(any_db, "medication.given")
    assert event_.detail["override_by"] == staff.prescriber.id and event_.detail["overridden"]


def test_a_scheduled_dose_more_than_an_hour_early_is_refused_but_may_be_overridden(any_db, staff,
                                                                                   episode):
    later = minute(utcnow() + 3 * H)
    order = mar.create_order(any_db, staff.prescriber, episode.id,
                             lofexidine(times=(hhmm(later),), start=utcnow() - 24 * H))
    check = mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.54, scheduled_for=later)
    assert check.can_override and "(1 h before its time)" in check.refusals[0]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", scheduled_for=later)
    assert "may be given from" in caught.value.fields["at"]
    override = mar.Override("drlee", STRONG_PASSWORD, "patient leaves for court at noon")
    with pytest.raises(ValidationError) as caught:  # an override is not the nurse's vitals
        mar.record_administration(any_db, staff.nurse, order.id, "given", scheduled_for=later,
                                  override=override)
    assert caught.value.fields["reason"].startswith("Vitals needed before this dose")
    fresh_vitals(any_db, episode.id, staff.nurse)
    given = mar.record_administration(
        any_db, staff.nurse, order.id, "given", scheduled_for=later,
        override=mar.Override("drlee", STRONG_PASSWORD, "patient leaves for court at noon"))
    assert given.scheduled_for == later and given.override_note == "patient leaves for court at noon"


def test_what_cannot_be_overridden_is_refused_even_with_a_prescriber(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn(dose=0.1))
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given", dose=0.5,
                                  override=mar.Override("drlee", STRONG_PASSWORD, "please"))
    assert "cannot be overridden" in caught.value.fields["dose"]


def test_daily_maximum_counts_both_lofexidine_orders(any_db, staff, episode):
    first = mar.create_order(any_db, staff.prescriber, episode.id,
                             prn(drug_id="lofexidine", dose=0.72, hours=5))
    second = mar.create_order(any_db, staff.prescriber, episode.id,
                              prn(drug_id="lofexidine", dose=0.72, hours=5,
                                  acknowledgement="second order for the night shift"))
    now = utcnow()
    for order, hours_ago in ((first, 21), (first, 16), (second, 11), (second, 6)):
        mar.record_administration(any_db, staff.nurse, order.id, "given", at=now - hours_ago * H,
                                  reason="charted from the paper record")
    fresh_vitals(any_db, episode.id, staff.nurse)
    check = mar.check_dose(any_db, staff.nurse, first.id, utcnow(), 0.72)
    assert check.can_override and len(check.refusals) == 1
    assert check.refusals[0].startswith("Lofexidine: 3.6 mg in 24 h with this dose (from ")
    assert "above the maximum of 2.88 mg \u2014 label (lofexidine label (Lucemyra), \u00a72)" in check.refusals[0]
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, first.id, "given")
    assert "above the maximum of 2.88 mg" in caught.value.fields["dose"]
    # A struck dose no longer counts, but the room it makes is confirmed by a prescriber.
    entry = next(a for a in mar.administrations(any_db, staff.nurse, episode.id) if a.order_id == second.id)
    mar.strike_administration(any_db, staff.nurse, entry.id, "entered on the wrong order")
    check = mar.check_dose(any_db, staff.nurse, first.id, utcnow(), 0.72)
    assert [f.rule for f in check.findings if f.severity == "hard"] == ["struck.frees_room"]
    assert check.can_override and "makes room for this one" in check.refusals[0]
    given = mar.record_administration(any_db, staff.nurse, first.id, "given",
                                      override=mar.Override("drlee", STRONG_PASSWORD, "struck in error"))
    assert given.overridden


def test_two_workstations_cannot_both_give_past_the_interval(any_db, staff, episode, monkeypatch):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn(hours=4))
    fresh_vitals(any_db, episode.id, staff.nurse)
    real = mar.latest_vitals
    first_inside = threading.Event()

    def slow_vitals(session, episode_id, at=None):
        # The first workstation pauses inside its transaction, after taking the lock.
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(0.6)
        return real(session, episode_id, at)

    monkeypatch.setattr(mar, "latest_vitals", slow_vitals)
    results: list[object] = []

    def give():
        try:
            results.append(mar.record_administration(any_db, staff.nurse, order.id, "given"))
        except ValidationError as exc:
            results.append(exc)

    one = threading.Thread(target=give)
    one.start()
    assert first_inside.wait(5)
    two = threading.Thread(target=give)
    two.start()
    one.join(20)
    two.join(20)
    given = [r for r in results if isinstance(r, mar.AdministrationView)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(given) == 1 and len(refused) == 1, results
    assert "at least 4 h between doses" in refused[0].fields["at"]


# ---------------------------------------------------------------------------------------------
# Strikes
# ---------------------------------------------------------------------------------------------

def test_strike_keeps_the_entry_marked_and_only_once(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    fresh_vitals(any_db, episode.id, staff.nurse)
    given = mar.record_administration(any_db, staff.nurse, order.id, "given")
    with pytest.raises(ValidationError) as caught:
        mar.strike_administration(any_db, staff.nurse, given.id, "  ")
    assert "reason" in caught.value.fields
    struck = mar.strike_administration(any_db, staff.prescriber, given.id, "documented on the wrong patient")
    assert struck.struck and struck.strike_reason == "documented on the wrong patient"
    assert struck.struck_by_name == "Dr Lee Prescriber"
    with pytest.raises(ValidationError, match="already struck"):
        mar.strike_administration(any_db, staff.nurse, given.id, "again")
    listed = mar.administrations(any_db, staff.nurse, episode.id)
    assert [(a.id, a.struck) for a in listed] == [(given.id, True)]
    assert mar.given_doses(any_db, staff.nurse, episode.id) == []  # the chart leaves it out
    # The struck dose no longer counts, but a dose it makes room for is confirmed by a prescriber.
    check = mar.check_dose(any_db, staff.nurse, order.id, utcnow(), 0.1)
    assert {f.rule for f in check.findings if f.severity == "hard"} == {"struck.frees_room"}
    assert check.can_override
    again = mar.record_administration(any_db, staff.nurse, order.id, "given", dose=0.1,
                                      override=mar.Override("drlee", STRONG_PASSWORD, "first entry was wrong"))
    assert [(d.at, d.text) for d in mar.given_doses(any_db, staff.nurse, episode.id)] == [
        (again.at, "Clonidine 0.1 mg")]
    assert "medication.struck" in audit_actions(any_db)
    with pytest.raises(NotFound):
        mar.strike_administration(any_db, staff.nurse, 987654, "missing")


# ---------------------------------------------------------------------------------------------
# The MAR grid and the census
# ---------------------------------------------------------------------------------------------

def scheduled_day(any_db, staff, episode):
    """An order whose times fall 6 h ago (missed), 2 h ago (late), 20 min ago (given) and in
    30 min (due), started 10 h ago so that no earlier day's doses fall in the last 24 h."""
    now = utcnow()
    slots = {name: minute(now + offset) for name, offset in (
        ("missed", -6 * H), ("late", -2 * H), ("given", -20 * MIN), ("due", 30 * MIN))}
    order = mar.create_order(any_db, staff.prescriber, episode.id, mar.OrderInput(
        drug_id="ondansetron", dose=4, unit="mg", route="oral",
        times=tuple(hhmm(t) for t in slots.values()), start=now - 10 * H))
    given = mar.record_administration(any_db, staff.nurse, order.id, "given", at=slots["given"] + MIN,
                                      scheduled_for=slots["given"])
    return order, slots, given


def test_mar_rows_show_given_late_missed_and_due(any_db, staff, episode):
    order, slots, given = scheduled_day(any_db, staff, episode)
    as_needed = mar.create_order(any_db, staff.prescriber, episode.id, prn(hours=4))
    fresh_vitals(any_db, episode.id, staff.nurse)
    prn_dose = mar.record_administration(any_db, staff.nurse, as_needed.id, "given", at=utcnow() - MIN)
    now = utcnow()
    rows = mar.mar(any_db, staff.nurse, episode.id, now - 7 * H, now + H, now)
    assert [r.order.id for r in rows] == [order.id, as_needed.id]
    scheduled_row, prn_row = rows
    statuses = {d.scheduled_for: d.status for d in scheduled_row.doses}
    assert statuses == {slots["missed"]: "missed", slots["late"]: "late", slots["given"]: "given",
                        slots["due"]: "due"}
    given_dose = next(d for d in scheduled_row.doses if d.status == "given")
    assert scheduled_row.record_for(given_dose).id == given.id
    assert scheduled_row.prn_given == [] and scheduled_row.next_prn_at is None
    assert [a.id for a in prn_row.prn_given] == [prn_dose.id] and prn_row.doses == []
    assert prn_row.next_prn_at == prn_dose.at + 4 * H

    # Striking the given dose puts it back to due (it is 20 min past), struck entry still listed.
    mar.strike_administration(any_db, staff.nurse, given.id, "given to the wrong patient")
    rows = mar.mar(any_db, staff.nurse, episode.id, now - 7 * H, now + H, now)
    assert {d.scheduled_for: d.status for d in rows[0].doses}[slots["given"]] == "due"
    assert [(a.id, a.struck) for a in rows[0].administrations] == [(given.id, True)]


def test_due_summary_counts_each_open_episode_in_three_queries(any_db, staff, episode):
    scheduled_day(any_db, staff, episode)
    quiet = admit(any_db, staff.nurse, "MAR-2")
    in_assessment = admit(any_db, staff.nurse, "MAR-3", stage="assessment")
    mar.create_order(any_db, staff.prescriber, in_assessment.id, lofexidine(start=utcnow() - 24 * H))

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(any_db.engine, "before_cursor_execute", count)
    try:
        summary = mar.due_summary(any_db, staff.nurse, utcnow())
    finally:
        event.remove(any_db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects[0].startswith("SELECT active, role FROM users")  # the nurse's account, re-read
    assert len(selects) == 1 + 3, selects
    assert summary[episode.id] == mar.DueCounts(due=1, late=1, missed=1)
    assert summary[quiet.id] == mar.DueCounts(0, 0, 0)
    assert in_assessment.id not in summary


# ---------------------------------------------------------------------------------------------
# Vitals before an alpha-2 dose: the newest complete set, never stitched
# ---------------------------------------------------------------------------------------------

def vitals_rules(check) -> list[str]:
    return [f.rule for f in check.findings if f.rule.startswith(("vitals.", "hold."))]


def test_vitals_freshness_is_the_newest_complete_set_at_the_doses_time(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn(drug_id="lofexidine", dose=0.54, hours=5))
    base = minute(utcnow() - 3 * H)
    if (base + 61 * MIN).astimezone(TZ).date() != base.astimezone(TZ).date():
        base -= 2 * H  # the set and the dose on one local day: the message shows the bare time
    # None recorded.
    check = mar.check_dose(any_db, staff.nurse, order.id, base, 0.54)
    assert vitals_rules(check) == ["vitals.needed"] and check.ok and not check.clear
    assert check.findings[-1].line.startswith("Vitals needed before this dose: no set with blood pressure and pulse")
    add_vitals(any_db, episode.id, staff.nurse, dict(NORMAL_VITALS), base)
    # Exactly 60 min later it is fresh; 61 min later it is not.
    assert vitals_rules(mar.check_dose(any_db, staff.nurse, order.id, base + 60 * MIN, 0.54)) == []
    stale = mar.check_dose(any_db, staff.nurse, order.id, base + 61 * MIN, 0.54)
    assert vitals_rules(stale) == ["vitals.needed"]
    finding = next(f for f in stale.findings if f.rule == "vitals.needed")
    assert finding.source == "local policy" and "local policy" in finding.line
    assert f"the last set was taken at {hhmm(base)}, 1 h 1 min before it" in finding.text
    # A newer set with only a temperature does not make it fresh: the complete set keeps its time.
    add_vitals(any_db, episode.id, staff.nurse, {"temperature_c": 37.2}, base + 55 * MIN)
    stale = mar.check_dose(any_db, staff.nurse, order.id, base + 61 * MIN, 0.54)
    assert f"taken at {hhmm(base)}, 1 h 1 min before it" in stale.findings[-1].text
    # Nor does a newer set missing the diastolic pressure, with an older complete one beside it.
    add_vitals(any_db, episode.id, staff.nurse, {"systolic": 80, "pulse": 45}, base + 58 * MIN)
    assert vitals_rules(mar.check_dose(any_db, staff.nurse, order.id, base + 60 * MIN, 0.54)) == []
    with any_db.read() as session:
        latest = mar.latest_vitals(session, episode.id, base + 60 * MIN)
    assert latest is not None and latest.taken_at == base and dict(latest.values) == NORMAL_VITALS
    # A set taken after the dose's time (beyond the clocks' 5 minutes) is not "before" it.
    assert vitals_rules(mar.check_dose(any_db, staff.nurse, order.id, base - 6 * MIN, 0.54)) == ["vitals.needed"]
    assert vitals_rules(mar.check_dose(any_db, staff.nurse, order.id, base - 5 * MIN, 0.54)) == []


def test_vitals_needed_asks_the_nurse_for_a_reason_and_it_is_audited(any_db, staff, episode):
    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    add_vitals(any_db, episode.id, staff.nurse, dict(NORMAL_VITALS), utcnow() - 2 * H)
    with pytest.raises(ValidationError) as caught:
        mar.record_administration(any_db, staff.nurse, order.id, "given")
    assert caught.value.fields["reason"].startswith("Vitals needed before this dose: the last set was taken at ")
    assert "local policy (blood pressure and pulse within 60 min before each dose)" in caught.value.fields["reason"]
    mar.record_administration(any_db, staff.nurse, order.id, "given", reason="patient asleep, BP machine broken")
    event_ = last_event(any_db, "medication.given")
    assert event_.detail["warnings"][0].startswith("Vitals needed before this dose")


def test_the_vitals_window_is_the_clinics_setting(any_db, staff, episode):
    from clinic_desktop.core.services import settings as settings_service

    order = mar.create_order(any_db, staff.prescriber, episode.id, prn())
    base = minute(utcnow() - 3 * H)
    add_vitals(any_db, episode.id, staff.nurse, dict(NORMAL_VITALS), base)
    assert vitals_rules(mar.check_dose(any_db, staff.nurse, order.id, base + 45 * MIN, 0.1)) == []
    settings_service.update(any_db, staff.admin, {"alpha2_vitals_minutes": 30})
    check = mar.check_dose(any_db, staff.nurse, order.id, base + 45 * MIN, 0.1)
    assert vitals_rules(check) == ["vitals.needed"] and "within 30 min" in check.findings[-1].line


# ---------------------------------------------------------------------------------------------
# Order-time warnings: acknowledged by the prescriber, stored and audited
# ---------------------------------------------------------------------------------------------

def test_a_warning_at_order_time_needs_the_prescribers_reason_stored_on_the_order(any_db, staff, episode):
    mar.create_order(any_db, staff.prescriber, episode.id, lofexidine())
    second = prn(drug_id="lofexidine", dose=0.54, hours=6)
    findings = mar.check_new_order(any_db, staff.prescriber, episode.id, second)
    assert [(f.rule, f.severity, f.source) for f in findings] == [("duplicate.drug", "reason", "local policy")]
    with pytest.raises(ValidationError) as caught:
        mar.create_order(any_db, staff.prescriber, episode.id, second)
    assert caught.value.fields == {"acknowledgement": (
        "Document why the order is written despite: Lofexidine: another active order of Lofexidine (0.54 mg) "
        "\u2014 a duplicate order \u2014 local policy (no duplicate active order without a reason).")}
    assert len(mar.orders(any_db, staff.nurse, episode.id)) == 1
    before = utcnow()
    why = "PRN for breakthrough symptoms between the scheduled doses"
    order = mar.create_order(any_db, staff.prescriber, episode.id,
                             mar.OrderInput(**{**second.__dict__, "acknowledgement": f"  {why} "}))
    [ack] = order.acknowledgements
    assert {k: ack[k] for k in ("rule", "source", "citation", "reason", "by", "by_name")} == {
        "rule": "duplicate.drug", "source": "local policy", "citation": "no duplicate active order without a reason",
        "reason": why, "by": staff.prescriber.id, "by_name": "Dr Lee Prescriber"}
    assert ack["text"] == findings[0].text
    assert before <= dt.datetime.fromisoformat(ack["at"]) <= utcnow()
    # Stored: read back from the database, and in the audit (rule, text, source, reason).
    stored = next(o for o in mar.orders(any_db, staff.nurse, episode.id) if o.id == order.id)
    assert stored.acknowledgements == order.acknowledgements
    event_ = last_event(any_db, "order.created")
    assert event_.entity_id == str(order.id)
    assert event_.detail["acknowledged"] == [{"rule": "duplicate.drug", "text": findings[0].text,
                                              "source": "local policy", "reason": why}]


def test_a_hard_finding_refuses_the_order_whatever_the_reason(any_db, staff, episode):
    with pytest.raises(ValidationError) as caught:
        mar.create_order(any_db, staff.prescriber, episode.id,
                         prn(drug_id="lofexidine", dose=0.54, hours=1, acknowledgement="I know"))
    assert "Lofexidine: at least 5 h between doses (ordered every 1 h)" in caught.value.fields["min_interval_hours"]
    assert "The order cannot be saved" in caught.value.fields["min_interval_hours"]
    assert mar.orders(any_db, staff.nurse, episode.id) == []


def test_a_change_re_asks_only_for_warnings_not_acknowledged_before(any_db, staff, episode):
    mar.create_order(any_db, staff.prescriber, episode.id, lofexidine())
    spec = prn(drug_id="lofexidine", dose=0.54, hours=6, acknowledgement="PRN between scheduled doses")
    order = mar.create_order(any_db, staff.prescriber, episode.id, spec)
    # The same warning again: no new reason needed.
    plain = mar.OrderInput(**{**spec.__dict__, "acknowledgement": "", "instructions": "with water"})
    changed = mar.change_order(any_db, staff.prescriber, order.id, order.version, plain)
    assert changed.version == order.version + 1 and changed.acknowledgements == order.acknowledgements
    assert "acknowledged" not in last_event(any_db, "order.changed").detail
    # A new warning (a dose below one tablet) is asked for — and only it.
    lower = mar.OrderInput(**{**plain.__dict__, "dose": 0.1})
    with pytest.raises(ValidationError) as caught:
        mar.change_order(any_db, staff.prescriber, order.id, changed.version, lower)
    message = caught.value.fields["acknowledgement"]
    assert "Lofexidine: 0.1 mg is below the usual range" in message and "duplicate" not in message
    why = "half tablets for the taper, crushed"
    again = mar.change_order(any_db, staff.prescriber, order.id, changed.version,
                             mar.OrderInput(**{**lower.__dict__, "acknowledgement": why}))
    assert [a["rule"] for a in again.acknowledgements] == ["duplicate.drug", "lofexidine.min_single"]
    assert again.acknowledgements[1]["reason"] == why and again.acknowledgements[1]["source"] == "label"
    detail = last_event(any_db, "order.changed").detail
    assert [a["rule"] for a in detail["acknowledged"]] == ["lofexidine.min_single"]
    assert detail["changes"]["dose"] == [0.54, 0.1]


def test_a_dose_given_on_a_stopped_order_makes_the_next_order_not_the_first(any_db, staff, episode):
    first = mar.create_order(any_db, staff.prescriber, episode.id, mar.OrderInput(
        drug_id="methadone", dose=20, unit="mg", route="oral", times=("08:00",), start=utcnow() - 48 * H))
    new = mar.OrderInput(drug_id="methadone", dose=35, unit="mg", route="oral", times=("08:00",))
    assert sorted(f.rule for f in mar.check_new_order(any_db, staff.prescriber, episode.id, new)) == [
        "duplicate.drug", "methadone.first_dose"]
    mar.record_administration(any_db, staff.nurse, first.id, "given", at=utcnow() - 40 * H, reason="paper MAR")
    mar.stop_order(any_db, staff.prescriber, first.id, first.version, at=utcnow() - 30 * H)
    # The stopped order is no duplicate, and its dose means 35 mg is no longer a first dose.
    assert mar.check_new_order(any_db, staff.prescriber, episode.id, new) == []
