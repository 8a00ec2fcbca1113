"""Registration, search, duplicates, episodes and the census."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from clinic_desktop.core.errors import PermissionDenied, ValidationError
from clinic_desktop.core.services import episodes, patients, stabilization
from tests.conftest import make_user

TODAY = dt.date.today()


def person(**changes):
    base = patients.PatientInput(mrn="C-000100", given_name="Zoë", family_name="Ødegård-Núñez",
                                 date_of_birth=dt.date(2001, 5, 21), sex="female", phone="(555) 010-7777",
                                 preferred_language="es")
    return dataclasses.replace(base, **changes)


def test_register_cleans_and_returns_plain_data(db, nurse):
    view = patients.register(db, nurse, person(mrn=" c-000100 ", phone="555 010 7777"))
    assert view.mrn == "C-000100" and view.phone == "(555) 010-7777" and view.version == 1
    assert view.display_name == "Ødegård-Núñez, Zoë" and view.preferred_language == "es"


@pytest.mark.parametrize("changes, field", [
    ({"mrn": ""}, "mrn"),
    ({"mrn": "has space"}, "mrn"),
    ({"given_name": "  "}, "given_name"),
    ({"family_name": ""}, "family_name"),
    ({"date_of_birth": None}, "date_of_birth"),
    ({"date_of_birth": TODAY + dt.timedelta(days=1)}, "date_of_birth"),
    ({"date_of_birth": dt.date(1890, 1, 1)}, "date_of_birth"),
    ({"sex": ""}, "sex"),
    ({"phone": "call me maybe"}, "phone"),
    ({"phone": "12"}, "phone"),
    ({"emergency_contact_phone": "555-010-1234"}, "emergency_contact_name"),
])
def test_bad_values_are_refused_naming_the_field(db, nurse, changes, field):
    with pytest.raises(ValidationError) as info:
        patients.register(db, nurse, person(**changes))
    assert field in info.value.fields
    assert patients.search(db, nurse, "zoe") == []  # nothing half-saved


def test_mrn_is_unique(db, nurse):
    patients.register(db, nurse, person())
    with pytest.raises(ValidationError, match="belongs to another patient") as info:
        patients.register(db, nurse, person(given_name="Other"))
    assert "mrn" in info.value.fields


@pytest.fixture
def registry(db, nurse):
    rows = [("C-1", "Zoë", "Ødegård-Núñez", dt.date(2001, 5, 21)),
            ("C-2", "Nguyễn Thị", "Ánh", dt.date(1995, 1, 9)),
            ("C-3", "王", "秀英", dt.date(1970, 2, 3)),
            ("C-4", "Jordan", "Nunes", dt.date(1992, 7, 2)),
            ("X-77", "Kim", "Minjun", dt.date(1992, 7, 2))]
    for mrn, given, family, born in rows:
        patients.register(db, nurse, person(mrn=mrn, given_name=given, family_name=family, date_of_birth=born))
    return db


@pytest.mark.parametrize("query, expected", [
    ("nun", ["C-4", "C-1"]),           # partial, accent-insensitive: Nunes, Núñez (sorted by family name)
    ("NÚÑEZ", ["C-1"]),
    ("odegard zoe", ["C-1"]),          # every word must match, any order
    ("anh nguy", ["C-2"]),
    ("秀", ["C-3"]),
    ("c-", ["C-1", "C-2", "C-3", "C-4"]),  # MRN prefix
    ("x-77", ["X-77"]),
    ("1992-07-02", ["C-4", "X-77"]),  # date of birth
    ("07/02/1992", ["C-4", "X-77"]),
    ("zzz", []),
    ("", []),
])
def test_search(registry, nurse, query, expected):
    assert sorted(h.mrn for h in patients.search(registry, nurse, query)) == sorted(expected)


def test_name_hits_sort_by_folded_family_name_and_mrn_hits_by_mrn(registry, nurse):
    assert [h.mrn for h in patients.search(registry, nurse, "n")] == ["C-2", "C-4", "C-1"]  # Ánh, Nunes, Ødegård
    assert [h.mrn for h in patients.search(registry, nurse, "c-")] == ["C-1", "C-2", "C-3", "C-4"]


def test_search_stops_at_the_limit(registry, nurse):
    assert len(patients.search(registry, nurse, "c-", limit=2)) == 2


def test_renamed_patient_is_found_by_the_new_name_only(registry, nurse):
    hit = patients.search(registry, nurse, "jordan")[0]
    view = patients.open_record(registry, nurse, hit.id)
    patients.update(registry, nurse, hit.id, view.version, dataclasses.replace(view.as_input(), given_name="Jo"))
    assert patients.search(registry, nurse, "jordan") == []
    assert [h.mrn for h in patients.search(registry, nurse, "jo nunes")] == ["C-4"]


def test_possible_duplicates_need_same_birth_date_and_similar_name(registry, nurse):
    hits = patients.possible_duplicates(registry, nurse, "Zoe", "Odegard Nunez", dt.date(2001, 5, 21))
    assert [h.mrn for h in hits] == ["C-1"] and hits[0].similarity >= 80
    assert patients.possible_duplicates(registry, nurse, "Zoe", "Odegard Nunez", dt.date(2001, 5, 22)) == []
    assert patients.possible_duplicates(registry, nurse, "Kim", "Minjun", dt.date(1992, 7, 2))[0].mrn == "X-77"
    assert patients.possible_duplicates(registry, nurse, "Someone", "Else", dt.date(1992, 7, 2)) == []


def test_suggested_mrn_is_free(db, nurse):
    first = patients.suggest_mrn(db)
    patients.register(db, nurse, person(mrn=first))
    assert patients.suggest_mrn(db) != first


def test_episode_census_and_stage_moves(db, admin, nurse):
    p = patients.register(db, nurse, person())
    ep = episodes.open_episode(db, nurse, p.id)
    with pytest.raises(ValidationError, match="already has an open episode"):
        episodes.open_episode(db, nurse, p.id)
    stabilization.record_observation(db, nurse, ep.id, "cows", {
        "resting_pulse": 2, "sweating": 2, "restlessness": 3, "pupil_size": 2, "bone_joint_aches": 1,
        "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1, "yawning": 1, "anxiety_irritability": 1,
        "gooseflesh": 3})
    [row] = episodes.census(db, nurse)
    assert (row.mrn, row.stage, row.day_of_stay, row.last_cows_total, row.last_cows_band) == (
        "C-000100", "assessment", 1, 19, "moderate")
    ep = episodes.change_stage(db, nurse, ep.id, ep.version, "stabilization")
    with pytest.raises(ValidationError):
        episodes.change_stage(db, nurse, ep.id, ep.version, "assessment")
    ep = episodes.change_stage(db, nurse, ep.id, ep.version, "transition")
    with pytest.raises(ValidationError, match="discharge reason"):
        episodes.change_stage(db, nurse, ep.id, ep.version, "discharged")
    episodes.change_stage(db, nurse, ep.id, ep.version, "discharged", reason="Completed detox")
    assert episodes.census(db, nurse) == []


def test_incomplete_score_is_stored_as_incomplete(db, nurse):
    ep = episodes.open_episode(db, nurse, patients.register(db, nurse, person()).id)
    obs = stabilization.record_observation(db, nurse, ep.id, "cows", {"resting_pulse": 4})
    assert (obs.total, obs.band, obs.complete) == (4, None, False)
    with pytest.raises(ValidationError, match="resting_pulse"):
        stabilization.record_observation(db, nurse, ep.id, "cows", {"resting_pulse": 3})


def test_counselor_and_viewer_cannot_record_scores(db, admin, nurse):
    ep = episodes.open_episode(db, nurse, patients.register(db, nurse, person()).id)
    for role in ("counselor", "viewer"):
        with pytest.raises(PermissionDenied):
            stabilization.record_observation(db, make_user(db, admin, role), ep.id, "cows", {})


def test_any_registered_says_whether_the_clinic_has_a_patient_yet(db, nurse):
    assert patients.any_registered(db, nurse) is False
    patients.register(db, nurse, person())
    assert patients.any_registered(db, nurse) is True
