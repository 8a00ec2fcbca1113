"""Recording the daily check-in (#16 item 1): nurses, counselors and prescribers record it on the
flowsheet (each part optional, one needed), back-dated with a reason like any entry, corrected by
strike-through, audited without the answers; two workstations both keep theirs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import PermissionDenied, ValidationError
from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import accounts, audit, stabilization
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import admit_without_intake

CHECKIN = {"craving": 6, "mood": 4, "anxiety": 5, "pain": 2, "sleep_hours": "5.5", "sleep_quality": "poor"}


@pytest.fixture
def episode(db, nurse):
    return admit_without_intake(db, nurse)


def ago(**kwargs) -> dt.datetime:
    return utcnow() - dt.timedelta(**kwargs)


@pytest.mark.parametrize("role", ["nurse", "counselor", "prescriber", "admin"])
def test_the_care_team_records_a_check_in_on_the_flowsheet(db, admin, episode, role):
    user = admin if role == "admin" else make_user(db, admin, role, f"{role}-checkin")
    saved = stabilization.record_checkin(db, user, episode.id, CHECKIN)
    assert saved.kind == stabilization.CHECKIN and saved.values == {**CHECKIN, "sleep_hours": 5.5}
    assert not saved.self_reported
    [entry] = [e for e in stabilization.flowsheet(db, user, episode.id) if e.kind == stabilization.CHECKIN]
    assert entry.id == saved.id and entry.values == saved.values and entry.recorded_by_name == user.full_name


def test_a_viewer_records_nothing(db, admin, episode):
    viewer = make_user(db, admin, "viewer")
    with pytest.raises(PermissionDenied):
        stabilization.record_checkin(db, viewer, episode.id, CHECKIN)


def test_refused_parts_are_named_and_nothing_is_saved(db, nurse, episode):
    with pytest.raises(ValidationError) as info:
        stabilization.record_checkin(db, nurse, episode.id, {"craving": 11, "mood": 2.5, "sleep_quality": "ok"})
    assert set(info.value.fields) == {"craving", "mood", "sleep_quality"}
    with pytest.raises(ValidationError) as info:
        stabilization.record_checkin(db, nurse, episode.id, {"craving": ""})
    assert set(info.value.fields) == {"values"}
    assert not [e for e in stabilization.flowsheet(db, nurse, episode.id) if e.kind == stabilization.CHECKIN]


def test_back_dating_at_just_below_and_just_above_an_hour(db, nurse, episode):
    assert stabilization.record_checkin(db, nurse, episode.id, CHECKIN, taken_at=ago(minutes=59)).reason is None
    with pytest.raises(ValidationError) as info:
        stabilization.record_checkin(db, nurse, episode.id, CHECKIN, taken_at=ago(minutes=61))
    assert set(info.value.fields) == {"reason"}
    late = stabilization.record_checkin(db, nurse, episode.id, CHECKIN, taken_at=ago(minutes=61),
                                        reason="Asked at breakfast, entered now")
    assert late.reason == "Asked at breakfast, entered now"
    with pytest.raises(ValidationError):
        stabilization.record_checkin(db, nurse, episode.id, CHECKIN, taken_at=utcnow() + dt.timedelta(hours=1))


def test_audited_with_the_parts_answered_never_the_answers(db, admin, nurse, episode):
    saved = stabilization.record_checkin(db, nurse, episode.id, {"craving": 9, "mood": 1}, self_reported=True)
    [event] = [e for e in audit.recent(db, admin) if e.action == "checkin.recorded"]
    assert event.entity_id == str(saved.id) and event.detail["parts"] == ["craving", "mood"]
    assert event.detail["self_reported"] is True and "9" not in str(event.detail.get("parts"))
    assert "values" not in event.detail and saved.self_reported


def test_a_counselor_corrects_a_check_in_and_the_original_stays_struck(db, admin, nurse, episode):
    counselor = make_user(db, admin, "counselor")
    first = stabilization.record_checkin(db, nurse, episode.id, CHECKIN)
    fixed = stabilization.correct_entry(db, counselor, stabilization.CHECKIN, first.id, "Mood was 6, not 4",
                                        values={**CHECKIN, "mood": 6})
    assert fixed is not None and fixed.values["mood"] == 6 and fixed.replaces_id == first.id
    entries = {e.id: e for e in stabilization.flowsheet(db, nurse, episode.id) if e.kind == stabilization.CHECKIN}
    assert entries[first.id].struck is not None and entries[first.id].struck.replaced_by_id == fixed.id
    assert entries[fixed.id].taken_at == first.taken_at  # the original's time
    with pytest.raises(ValidationError, match="already corrected"):
        stabilization.correct_entry(db, nurse, stabilization.CHECKIN, first.id, "again")
    with pytest.raises(ValidationError):
        stabilization.correct_entry(db, nurse, stabilization.CHECKIN, fixed.id, "wrong", items={"craving": 1})
    # A counselor may not correct scores or vitals.
    vitals = stabilization.record_vitals(db, nurse, episode.id, {"pulse": 80})
    with pytest.raises(PermissionDenied):
        stabilization.correct_entry(db, counselor, stabilization.VITALS, vitals.id, "no")


def test_entered_in_error_strikes_it_without_a_replacement(db, nurse, episode):
    first = stabilization.record_checkin(db, nurse, episode.id, CHECKIN)
    assert stabilization.correct_entry(db, nurse, stabilization.CHECKIN, first.id, "Wrong patient") is None
    [entry] = [e for e in stabilization.flowsheet(db, nurse, episode.id) if e.kind == stabilization.CHECKIN]
    assert entry.struck is not None and entry.struck.entered_in_error


def test_two_workstations_recording_check_ins_at_once_both_keep_theirs(any_db_target):
    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse, counselor = make_user(first, admin, "nurse"), make_user(first, admin, "counselor")
        episode = admit_without_intake(first, nurse)
        errors: list[BaseException] = []

        def record(db, user, craving):
            try:
                stabilization.record_checkin(db, user, episode.id, {"craving": craving})
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=record, args=(first, nurse, 3)),
                   threading.Thread(target=record, args=(second, counselor, 7))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        found = sorted(e.values["craving"] for e in stabilization.flowsheet(first, nurse, episode.id)
                       if e.kind == stabilization.CHECKIN)
        assert found == [3, 7]
    finally:
        first.dispose()
        second.dispose()


# --- Flags on the census and the handover ---------------------------------------------------------


def census_flags(db, user, now=None):
    from clinic_desktop.core.services import episodes

    [row] = episodes.census(db, user, now=now)
    return row.checkin_flags


@pytest.mark.parametrize(("values", "flags"), [
    ({"craving": 7, "anxiety": 7, "mood": 3}, ()),
    ({"craving": 8}, ("Craving 8/10",)),
    ({"anxiety": 8, "mood": 2}, ("Anxiety 8/10", "Mood 2/10")),
])
def test_the_latest_check_in_past_the_thresholds_shows_on_the_census_and_the_handover(db, nurse, episode,
                                                                                       values, flags):
    from clinic_desktop.core.services import handover

    stabilization.record_checkin(db, nurse, episode.id, values)
    assert census_flags(db, nurse) == flags
    [patient] = stabilization.handover(db, nurse, utcnow())
    assert patient.checkin_flags == flags
    [section] = handover.build_handover(db, nurse, utcnow()).patients
    lines = [a.text for a in section.alerts if a.kind == "checkin"]
    assert [line.split(" ", 1)[1] for line in lines] == ([f"Check-in: {' · '.join(flags)}"] if flags else [])


def test_only_the_latest_live_check_in_of_the_last_day_counts(db, admin, nurse, episode):
    high = stabilization.record_checkin(db, nurse, episode.id, {"craving": 9}, taken_at=ago(minutes=30))
    assert census_flags(db, nurse) == ("Craving 9/10",)
    stabilization.record_checkin(db, nurse, episode.id, {"craving": 4})  # later and lower: no flag
    assert census_flags(db, nurse) == ()
    later = max(e.id for e in stabilization.flowsheet(db, nurse, episode.id) if e.kind == stabilization.CHECKIN)
    stabilization.correct_entry(db, nurse, stabilization.CHECKIN, later, "Wrong patient")
    assert census_flags(db, nurse) == ("Craving 9/10",)  # the struck one no longer counts
    taken = next(e.taken_at for e in stabilization.flowsheet(db, nurse, episode.id) if e.id == high.id
                 and e.kind == stabilization.CHECKIN)
    window = dt.timedelta(hours=24)
    assert census_flags(db, nurse, now=taken + window) == ("Craving 9/10",)  # a day after: still shown
    assert census_flags(db, nurse, now=taken + window + dt.timedelta(minutes=1)) == ()
    assert census_flags(db, nurse, now=taken + window - dt.timedelta(minutes=1)) == ("Craving 9/10",)


def test_the_clinics_thresholds_decide(db, admin, nurse, episode):
    from clinic_desktop.core.services import settings

    stabilization.record_checkin(db, nurse, episode.id, {"craving": 6})
    assert census_flags(db, nurse) == ()
    settings.update(db, admin, {"checkin_craving_flag": 6})
    assert census_flags(db, nurse) == ("Craving 6/10",)
