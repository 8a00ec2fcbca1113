"""Stabilization: flowsheet entries (back-dating, vitals, corrections), the safety alert,
supportive care and complications, the handover and the move to transition."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import (
    accounts,
    audit,
    episodes,
    handover,
    intake,
    patients,
    settings,
    stabilization,
)
from clinic_desktop.core.vitals import check_vitals
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import COWS_14, PHQ9_NO_RISK, admit_without_intake, complete_draft

COWS_5 = dict(COWS_14, resting_pulse=0, pupil_size=0, bone_joint_aches=0, gi_upset=0, tremor=0)
VITALS_OK = {"pulse": 88, "systolic": 124, "diastolic": 80, "respiratory_rate": 16, "temperature_c": 37.0,
             "spo2": 98}
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def episode(db, nurse):
    return admit_without_intake(db, nurse)


@pytest.fixture
def clinic(any_db):
    """An administrator and a nurse on SQLite and on PostgreSQL: (db, admin, nurse)."""
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD)
    return any_db, admin, make_user(any_db, admin, "nurse")


def ago(**kwargs) -> dt.datetime:
    return utcnow() - dt.timedelta(**kwargs)


# --- Back-dating ----------------------------------------------------------------------------


def test_an_entry_taken_59_minutes_ago_needs_no_reason(db, nurse, episode):
    obs = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=ago(minutes=59))
    vit = stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=ago(minutes=59))
    assert obs.reason is None and vit.reason is None


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_entry_taken_61_minutes_ago_needs_a_reason(db, nurse, episode, reason):
    with pytest.raises(ValidationError) as info:
        stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=ago(minutes=61),
                                         reason=reason)
    assert set(info.value.fields) == {"reason"} and "more than an hour ago" in info.value.fields["reason"]
    with pytest.raises(ValidationError) as info:
        stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=ago(minutes=61), reason=reason)
    assert set(info.value.fields) == {"reason"}
    assert stabilization.flowsheet(db, nurse, episode.id) == []


def test_the_back_dating_reason_is_stored_and_shown(db, nurse, episode):
    stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=ago(minutes=61),
                                     reason="  Power cut; written on paper  ")
    stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=ago(hours=3), reason="Paper chart")
    obs, vit = stabilization.flowsheet(db, nurse, episode.id)
    assert (obs.kind, obs.reason) == ("observation", "Power cut; written on paper")
    assert (vit.kind, vit.reason) == ("vitals", "Paper chart")


def test_future_and_naive_times_are_refused(db, nurse, episode):
    with pytest.raises(ValidationError, match="future"):
        stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=utcnow() + dt.timedelta(minutes=10))
    with pytest.raises(ValidationError, match="time zone"):
        stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=dt.datetime.now())


def test_a_closed_episode_takes_no_entries(db, nurse):
    ep = admit_without_intake(db, nurse, stage="transition")
    ep = episodes.change_stage(db, nurse, ep.id, ep.version, "discharged", reason="Completed")
    with pytest.raises(ValidationError, match="closed"):
        stabilization.record_vitals(db, nurse, ep.id, VITALS_OK)
    with pytest.raises(NotFound):
        stabilization.record_vitals(db, nurse, 9999, VITALS_OK)


# --- Vitals ---------------------------------------------------------------------------------


def test_impossible_vitals_are_refused_with_check_vitals_messages(db, nurse, episode):
    bad = dict(VITALS_OK, pulse=300, diastolic=130, systolic=120)
    with pytest.raises(ValidationError) as info:
        stabilization.record_vitals(db, nurse, episode.id, bad)
    assert info.value.fields == check_vitals(bad).errors
    assert set(info.value.fields) == {"pulse", "diastolic"}
    assert stabilization.flowsheet(db, nurse, episode.id) == []


@pytest.mark.parametrize("values", [{}, {"pulse": None, "spo2": ""}, {"heart_rate": 80}])
def test_empty_or_unknown_vitals_are_refused(db, nurse, episode, values):
    with pytest.raises(ValidationError) as info:
        stabilization.record_vitals(db, nurse, episode.id, values)
    assert "values" in info.value.fields


def test_abnormal_vitals_are_saved_with_their_warnings(db, admin, nurse, episode):
    entry = stabilization.record_vitals(db, nurse, episode.id,
                                        dict(VITALS_OK, pulse=130, spo2=90, temperature_c=None, weight_kg=""))
    assert entry.kind == "vitals" and entry.recorded_by_name == nurse.full_name
    assert entry.values == {"pulse": 130, "systolic": 124, "diastolic": 80, "respiratory_rate": 16, "spo2": 90}
    assert set(entry.warnings) == {"pulse", "spo2"} and "high" in entry.warnings["pulse"]
    [shown] = stabilization.flowsheet(db, nurse, episode.id)
    assert shown == entry
    [event_] = [e for e in audit.recent(db, admin) if e.action == "vitals.recorded"]
    assert event_.entity_id == str(entry.id) and event_.detail["values"]["pulse"] == 130


# --- Flowsheet and corrections --------------------------------------------------------------


def test_flowsheet_is_newest_first_by_time_taken_then_id(db, nurse, episode):
    t = ago(minutes=30).replace(microsecond=0)
    a = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=t)
    b = stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=t - dt.timedelta(minutes=20))
    c = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_5, taken_at=t)  # same instant
    d = stabilization.record_vitals(db, nurse, episode.id, VITALS_OK, taken_at=t + dt.timedelta(minutes=5))
    sheet = stabilization.flowsheet(db, nurse, episode.id)
    assert [(e.kind, e.id) for e in sheet] == [("vitals", d.id), ("observation", c.id), ("observation", a.id),
                                               ("vitals", b.id)]
    cows = sheet[2]
    assert (cows.instrument_id, cows.total, cows.band, cows.complete, cows.item_scores) == (
        "cows", 14, "moderate", True, COWS_14)
    assert cows.values is None and cows.warnings == {} and cows.struck is None and cows.replaces_id is None


def test_correcting_a_score_strikes_it_and_links_the_replacement(db, admin, nurse, episode):
    taken = ago(hours=2)
    original = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14, taken_at=taken,
                                                reason="Late entry")
    fixed = stabilization.correct_entry(db, admin, "observation", original.id, "Wrong pupil score",
                                        items=dict(COWS_14, pupil_size=0))
    assert (fixed.instrument_id, fixed.total, fixed.taken_at, fixed.replaces_id) == (
        "cows", 12, original.taken_at, original.id)
    assert fixed.reason == "Wrong pupil score" and fixed.recorded_by_name == admin.full_name
    new, old = stabilization.flowsheet(db, nurse, episode.id)
    assert new == fixed
    assert old.id == original.id and old.total == 14
    assert (old.struck.reason, old.struck.by_name, old.struck.replaced_by_id) == (
        "Wrong pupil score", admin.full_name, fixed.id)
    assert not old.struck.entered_in_error
    [row] = episodes.census(db, nurse)
    assert (row.last_cows_total, row.last_cows_at) == (12, original.taken_at)
    actions = [e.action for e in audit.recent(db, admin)]
    assert actions[:2] == ["entry.struck", "observation.recorded"]


def test_correcting_vitals_at_another_time(db, nurse, episode):
    original = stabilization.record_vitals(db, nurse, episode.id, VITALS_OK)
    when = ago(minutes=10)
    fixed = stabilization.correct_entry(db, nurse, "vitals", original.id, "Typed 18 for 81",
                                        values=dict(VITALS_OK, pulse=140), taken_at=when)
    assert fixed.taken_at == when and fixed.values["pulse"] == 140 and "pulse" in fixed.warnings
    assert fixed.reason is None  # not entered late; the reason is on the strike
    with pytest.raises(ValidationError) as info:
        stabilization.correct_entry(db, nurse, "vitals", fixed.id, "again", values={"pulse": 400})
    assert set(info.value.fields) == {"pulse"}


def test_entered_in_error_strikes_without_replacement(db, nurse, episode):
    obs = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14)
    assert stabilization.correct_entry(db, nurse, "observation", obs.id, "Wrong patient") is None
    [struck] = stabilization.flowsheet(db, nurse, episode.id)
    assert struck.struck.entered_in_error and struck.struck.reason == "Wrong patient"
    [row] = episodes.census(db, nurse)
    assert row.last_cows_total is None and row.next_cows_due is None  # a struck COWS does not count


@pytest.mark.parametrize("kwargs, field", [
    ({"reason": "  "}, "reason"),
    ({"reason": "x", "values": {"pulse": 80}}, "values"),
    ({"reason": "x", "taken_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}, "taken_at"),
    ({"reason": "x", "items": {"resting_pulse": 9}}, "items"),
])
def test_correction_needs_a_reason_and_matching_content(db, nurse, episode, kwargs, field):
    obs = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14)
    reason = kwargs.pop("reason")
    with pytest.raises(ValidationError) as info:
        stabilization.correct_entry(db, nurse, "observation", obs.id, reason, **kwargs)
    assert field in info.value.fields
    [entry] = stabilization.flowsheet(db, nurse, episode.id)
    assert entry.struck is None


def test_correcting_an_unknown_entry(db, nurse, episode):
    with pytest.raises(NotFound):
        stabilization.correct_entry(db, nurse, "vitals", 12345, "why")
    with pytest.raises(ValidationError):
        stabilization.correct_entry(db, nurse, "administration", 1, "why")


def test_a_second_strike_is_refused_naming_the_first(clinic):
    db, admin, nurse = clinic
    ep = admit_without_intake(db, nurse)
    obs = stabilization.record_observation(db, nurse, ep.id, "cows", COWS_14)
    stabilization.correct_entry(db, admin, "observation", obs.id, "Wrong patient")
    with pytest.raises(ValidationError, match=r"^This entry was already corrected by Ada Admin at \d\d:\d\d\.$"):
        stabilization.correct_entry(db, nurse, "observation", obs.id, "Typo", items=COWS_5)
    sheet = stabilization.flowsheet(db, nurse, ep.id)
    assert len(sheet) == 1 and sheet[0].struck.by_name == "Ada Admin"  # the replacement was rolled back


def test_a_simultaneous_second_strike_hits_the_unique_constraint_and_is_refused(clinic, monkeypatch):
    """Both workstations checked before either committed: the database's unique constraint
    refuses the second, and the IntegrityError becomes the same message."""
    db, admin, nurse = clinic
    ep = admit_without_intake(db, nurse)
    vit = stabilization.record_vitals(db, nurse, ep.id, VITALS_OK)
    stabilization.correct_entry(db, admin, "vitals", vit.id, "Wrong patient")
    real = stabilization._strike_of
    calls = []

    def not_seen_yet(session, kind, entry_id):
        calls.append(entry_id)
        return None if len(calls) == 1 else real(session, kind, entry_id)

    monkeypatch.setattr(stabilization, "_strike_of", not_seen_yet)
    with pytest.raises(ValidationError, match="already corrected by Ada Admin"):
        stabilization.correct_entry(db, nurse, "vitals", vit.id, "Typo", values=dict(VITALS_OK, pulse=90))
    assert len(stabilization.flowsheet(db, nurse, ep.id)) == 1


def test_two_workstations_striking_at_once_one_wins(any_db_target):
    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse = make_user(first, admin, "nurse")
        ep = admit_without_intake(first, nurse)
        obs = stabilization.record_observation(first, nurse, ep.id, "cows", COWS_14)
        results: list[object] = []
        barrier = threading.Barrier(2)

        def strike(db, user):
            barrier.wait()
            try:
                results.append(stabilization.correct_entry(db, user, "observation", obs.id, "Error",
                                                           items=COWS_5))
            except ValidationError as exc:
                results.append(exc)

        threads = [threading.Thread(target=strike, args=args) for args in ((first, admin), (second, nurse))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(type(r).__name__ for r in results) == ["FlowsheetEntry", "ValidationError"]
        sheet = stabilization.flowsheet(first, nurse, ep.id)
        assert len(sheet) == 2 and sum(e.struck is not None for e in sheet) == 1
    finally:
        first.dispose()
        second.dispose()


def test_two_workstations_recording_on_one_patient_both_keep_their_entries(any_db_target):
    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse = make_user(first, admin, "nurse")
        ep = admit_without_intake(first, nurse)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def record(db, user, n):
            barrier.wait()
            try:
                for _ in range(n):
                    stabilization.record_observation(db, user, ep.id, "cows", COWS_14)
                    stabilization.record_vitals(db, user, ep.id, VITALS_OK)
                    stabilization.record_supportive_care(db, user, ep.id, "hydration")
                    stabilization.record_complication(db, user, ep.id, "suicidal_thoughts", "Stayed with patient")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=record, args=(first, admin, 5)),
                   threading.Thread(target=record, args=(second, nurse, 5))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        sheet = stabilization.flowsheet(first, nurse, ep.id)
        by = {name: sum(e.recorded_by_name == name for e in sheet) for name in ("Ada Admin", "Test Nurse")}
        assert by == {"Ada Admin": 10, "Test Nurse": 10}
        assert len(stabilization.complications(second, nurse, ep.id)) == 10
        assert stabilization.safety_alert_active(second, nurse, ep.id)
        assert audit.verify_chain(first, admin).intact
    finally:
        first.dispose()
        second.dispose()


def test_flowsheet_reads_each_table_once(db, nurse, episode):
    for n in range(5):
        obs = stabilization.record_observation(db, nurse, episode.id, "cows", COWS_14)
        vit = stabilization.record_vitals(db, nurse, episode.id, VITALS_OK)
        if n % 2:
            stabilization.correct_entry(db, nurse, "observation", obs.id, "x", items=COWS_5)
            stabilization.correct_entry(db, nurse, "vitals", vit.id, "x")
        stabilization.record_checkin(db, nurse, episode.id, {"craving": n})
    statements = []
    listener = lambda *args: statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        sheet = stabilization.flowsheet(db, nurse, episode.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(sheet) == 17 and sum(e.struck is not None for e in sheet) == 4
    # The nurse's account (re-read, core.permissions), the episode, then scores, vitals and check-ins.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5


# --- Safety ---------------------------------------------------------------------------------


def sign(db, user, patient_id, **mental_health):
    a = intake.start(db, user, patient_id)
    saved = intake.save_draft(db, user, a.id, a.version, complete_draft(mental_health=mental_health))
    intake.sign(db, user, a.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction")
    return episodes.current_episode(db, user, patient_id)


def register(db, user, mrn="S-9", family="Safety"):
    return patients.register(db, user, patients.PatientInput(
        mrn=mrn, given_name="Alex", family_name=family, date_of_birth=dt.date(1990, 1, 2), sex="unknown"))


def test_signing_with_phq9_item_9_above_0_raises_the_safety_alert(clinic):
    db, _, nurse = clinic
    ep = sign(db, nurse, register(db, nurse).id, phq9=dict(PHQ9_NO_RISK, self_harm=1), suicide_risk="no")
    status = stabilization.safety_status(db, nurse, ep.id)
    assert status.active and status.raised_at is not None and status.last_assessment is None
    [row] = episodes.census(db, nurse)
    assert row.safety_alert


def test_signing_with_yes_to_the_suicide_question_raises_it_and_no_risk_does_not(db, nurse):
    risky = sign(db, nurse, register(db, nurse, "S-1").id, suicide_risk="yes")
    calm = sign(db, nurse, register(db, nurse, "S-2", "Calm").id)
    assert stabilization.safety_alert_active(db, nurse, risky.id)
    assert not stabilization.safety_alert_active(db, nurse, calm.id)
    assert {r.mrn: r.safety_alert for r in episodes.census(db, nurse)} == {"S-1": True, "S-2": False}


def test_a_safety_assessment_after_the_alert_clears_it_until_the_next_one(clinic):
    db, admin, nurse = clinic
    ep = sign(db, nurse, register(db, nurse).id, suicide_risk="yes")
    view = stabilization.record_safety_assessment(db, nurse, ep.id, "moderate", " Room near the station ")
    assert (view.risk, view.actions, view.recorded_by_name) == ("moderate", "Room near the station", "Test Nurse")
    status = stabilization.safety_status(db, nurse, ep.id)
    assert not status.active and status.last_assessment == view
    assert not episodes.census(db, nurse)[0].safety_alert

    other = stabilization.record_complication(db, nurse, ep.id, "chest_pain", "ECG, prescriber called")
    assert other.label == "Chest pain" and not stabilization.safety_alert_active(db, nurse, ep.id)
    stabilization.record_complication(db, nurse, ep.id, "suicidal_thoughts", "1:1 observation",
                                      at=ago(hours=2))  # seen earlier, reported now: still raises
    assert stabilization.safety_alert_active(db, nurse, ep.id)
    assert episodes.census(db, nurse)[0].safety_alert
    stabilization.record_safety_assessment(db, admin, ep.id, "high", "Crisis team called")
    assert not stabilization.safety_alert_active(db, nurse, ep.id)


def test_a_phq9_with_self_harm_recorded_during_the_stay_raises_the_alert(db, nurse, episode):
    stabilization.record_observation(db, nurse, episode.id, "phq9", PHQ9_NO_RISK)
    assert not stabilization.safety_alert_active(db, nurse, episode.id)
    stabilization.record_observation(db, nurse, episode.id, "phq9", dict(PHQ9_NO_RISK, self_harm=2))
    assert stabilization.safety_alert_active(db, nurse, episode.id)


def test_safety_assessment_needs_a_risk_and_actions_and_a_clinician(db, admin, nurse, episode):
    with pytest.raises(ValidationError) as info:
        stabilization.record_safety_assessment(db, nurse, episode.id, "none", "  ")
    assert set(info.value.fields) == {"risk", "actions"}
    for role in ("counselor", "viewer"):
        with pytest.raises(PermissionDenied):
            stabilization.record_safety_assessment(db, make_user(db, admin, role), episode.id, "low", "Talked")


# --- Supportive care and complications ------------------------------------------------------


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


@pytest.mark.parametrize("day, before, first, last, after", [
    # an ordinary day
    (dt.date(2024, 2, 20), local(2024, 2, 19, 23, 59), local(2024, 2, 20, 0, 0), local(2024, 2, 20, 23, 59),
     local(2024, 2, 21, 0, 0)),
    # spring forward: 23 hours (02:00 does not exist)
    (dt.date(2024, 3, 10), local(2024, 3, 9, 23, 59), local(2024, 3, 10, 0, 0), local(2024, 3, 10, 23, 59),
     local(2024, 3, 11, 0, 0)),
    # fall back: 25 hours (01:00–02:00 happens twice)
    (dt.date(2024, 11, 3), local(2024, 11, 2, 23, 59), local(2024, 11, 3, 0, 0), local(2024, 11, 3, 23, 59),
     local(2024, 11, 4, 0, 0)),
])
def test_the_days_checklist_follows_the_clinics_local_day(db, nurse, episode, monkeypatch,
                                                          day, before, first, last, after):
    monkeypatch.setenv("TZ", "America/Chicago")
    stabilization.record_supportive_care(db, nurse, episode.id, "hydration", at=before)
    stabilization.record_supportive_care(db, nurse, episode.id, "nutrition", at=first)
    stabilization.record_supportive_care(db, nurse, episode.id, "rest_sleep", at=last)
    stabilization.record_supportive_care(db, nurse, episode.id, "comfort", at=after)
    checklist = stabilization.supportive_care_for_day(db, nurse, episode.id, day)
    assert list(checklist) == list(stabilization.SUPPORTIVE_ITEMS)
    assert {item for item, view in checklist.items() if view} == {"nutrition", "rest_sleep"}
    assert checklist["nutrition"].at == first and checklist["nutrition"].label == "Nutrition"


def test_the_latest_entry_of_the_day_wins_and_both_workstations_keep_theirs(db, admin, nurse, episode,
                                                                             monkeypatch):
    monkeypatch.setenv("TZ", "America/Chicago")
    other = make_user(db, admin, "counselor", "counselor1")
    # 01:30 CDT then 01:10 CST: the second happens later although its wall clock is earlier.
    first = dt.datetime(2024, 11, 3, 1, 30, tzinfo=CHICAGO)
    second = dt.datetime(2024, 11, 3, 1, 10, fold=1, tzinfo=CHICAGO)
    assert second.astimezone(dt.UTC) > first.astimezone(dt.UTC)
    stabilization.record_supportive_care(db, nurse, episode.id, "emotional_support", at=second, done=False,
                                         note="Asleep; try later")
    stabilization.record_supportive_care(db, other, episode.id, "emotional_support", at=first, note="Talked")
    stabilization.record_supportive_care(db, other, episode.id, "education", at=first, note=" PAWS leaflet ")
    checklist = stabilization.supportive_care_for_day(db, nurse, episode.id, dt.date(2024, 11, 3))
    latest = checklist["emotional_support"]
    assert (latest.done, latest.note, latest.recorded_by_name) == (False, "Asleep; try later", nurse.full_name)
    assert checklist["education"].note == "PAWS leaflet" and checklist["education"].kind == "supportive"


def test_care_entries_are_checked(db, admin, nurse, episode):
    with pytest.raises(ValidationError) as info:
        stabilization.record_supportive_care(db, nurse, episode.id, "yoga")
    assert "item" in info.value.fields
    with pytest.raises(ValidationError) as info:
        stabilization.record_complication(db, nurse, episode.id, "headache", "")
    assert set(info.value.fields) == {"item", "action_taken"}
    with pytest.raises(ValidationError, match="future"):
        stabilization.record_supportive_care(db, nurse, episode.id, "hydration",
                                             at=utcnow() + dt.timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        stabilization.record_complication(db, make_user(db, admin, "viewer"), episode.id, "seizure", "Called 911")
    counselor = make_user(db, admin, "counselor")
    stabilization.record_complication(db, counselor, episode.id, "wants_to_leave", "Talked; staying tonight")
    with pytest.raises(PermissionDenied):
        stabilization.record_vitals(db, counselor, episode.id, VITALS_OK)


def test_complications_newest_first_with_the_action_taken(db, admin, nurse, episode):
    stabilization.record_complication(db, nurse, episode.id, "dehydration", "Oral fluids", at=ago(hours=3))
    stabilization.record_complication(db, nurse, episode.id, "seizure", "Called 911; recovery position",
                                      at=ago(minutes=5))
    latest, earlier = stabilization.complications(db, nurse, episode.id)
    assert (latest.item, latest.label, latest.action_taken) == ("seizure", "Seizure", "Called 911; recovery position")
    assert earlier.item == "dehydration"
    assert [c.item for c in stabilization.complications(db, nurse, episode.id, since=ago(hours=1))] == ["seizure"]
    [event_] = [e for e in audit.recent(db, admin) if e.action == "complication.recorded" and
                e.detail["item"] == "seizure"]
    assert event_.detail["safety_alert"] is False


# --- Handover and transition ----------------------------------------------------------------


def test_handover_summarises_each_patient_in_stabilization_or_transition(db, admin, nurse, monkeypatch):
    monkeypatch.setenv("TZ", "America/Chicago")
    settings.update(db, admin, {"cows_interval_hours": 2})
    a = admit_without_intake(db, nurse, "H-1", family="Alpha")
    b = admit_without_intake(db, nurse, "H-2", family="Bravo", stage="transition")
    admit_without_intake(db, nurse, "H-3", family="Charlie", stage="assessment")
    cows_at = ago(minutes=50)
    stabilization.record_observation(db, nurse, a.id, "cows", COWS_5, taken_at=cows_at - dt.timedelta(minutes=5))
    stabilization.record_observation(db, nurse, a.id, "cows", COWS_14, taken_at=cows_at)
    vit = stabilization.record_vitals(db, nurse, a.id, dict(VITALS_OK, pulse=45), taken_at=ago(minutes=30))
    stabilization.record_complication(db, nurse, a.id, "persistent_vomiting", "Ondansetron", at=ago(hours=13))
    stabilization.record_complication(db, nurse, a.id, "suicidal_thoughts", "1:1", at=ago(hours=1))
    stabilization.record_supportive_care(db, nurse, a.id, "hydration")
    stabilization.record_supportive_care(db, nurse, a.id, "nutrition")
    stabilization.record_supportive_care(db, nurse, a.id, "nutrition", done=False, note="Refused lunch")
    now = utcnow()

    alpha, bravo = stabilization.handover(db, nurse, now)
    assert (alpha.display_name, alpha.mrn, alpha.stage, alpha.pathway) == ("Alpha, Sam", "H-1", "stabilization", None)
    assert (alpha.last_cows_total, alpha.last_cows_band, alpha.last_cows_at) == (14, "moderate", cows_at)
    assert (alpha.next_cows_due, alpha.overdue) == (cows_at + dt.timedelta(hours=2), False)
    assert alpha.last_vitals == vit.values and alpha.last_vitals_at == vit.taken_at
    assert set(alpha.last_vitals_warnings) == {"pulse"}
    assert alpha.safety_alert
    assert [c.item for c in alpha.complications] == ["suicidal_thoughts"]  # the other is 13 h old
    assert alpha.supportive_done == ("hydration",) and alpha.doses == ()
    assert (bravo.stage, bravo.last_cows_total, bravo.last_vitals, bravo.next_cows_due, bravo.overdue,
            bravo.safety_alert, bravo.complications, bravo.supportive_done) == (
        "transition", None, None, None, False, False, (), ())
    later = stabilization.handover(db, nurse, now + dt.timedelta(hours=2), episode_ids=[a.id])
    assert [(p.mrn, p.overdue) for p in later] == [("H-1", True)]
    assert [p.mrn for p in stabilization.handover(db, nurse, now, episode_ids=[b.id])] == ["H-2"]
    assert stabilization.handover(db, nurse, now, episode_ids=[]) == []


def test_a_printed_handover_is_audited_once_per_patient_without_clinical_text(db, admin, nurse):
    a = admit_without_intake(db, nurse, "H-1", family="Alpha")
    b = admit_without_intake(db, nurse, "H-2", family="Bravo", stage="transition")
    handover.handover_printed(db, nurse, [b.id, a.id, a.id], pdf_bytes=2048)
    printed = [e for e in audit.recent(db, admin) if e.action == "handover.printed"]
    assert sorted((e.entity_type, e.entity_id, e.patient_id) for e in printed) == sorted(
        ("episode", str(x.id), x.patient_id) for x in (a, b))
    assert all(e.username == nurse.username and e.detail == {"patients": 2, "bytes": 2048}
               for e in printed)


def test_move_to_transition(db, admin, nurse, episode):
    moved = stabilization.move_to_transition(db, nurse, episode.id)
    assert moved.stage == "transition"
    assert "episode.stage_changed" in [e.action for e in audit.recent(db, admin, limit=1)]
    with pytest.raises(ValidationError, match="cannot move"):
        stabilization.move_to_transition(db, nurse, episode.id)
    other = admit_without_intake(db, nurse, "T-2", family="Other")
    with pytest.raises(ConflictError):
        stabilization.move_to_transition(db, nurse, other.id, expected_version=other.version - 1)
    with pytest.raises(PermissionDenied):
        stabilization.move_to_transition(db, make_user(db, admin, "viewer"), other.id)
    with pytest.raises(ValidationError, match="Assessment cannot move to Transition"):
        stabilization.move_to_transition(
            db, nurse, admit_without_intake(db, nurse, "T-3", stage="assessment").id)
