"""The intake draft's shape (``core.assessment.normalize_draft``): what a draft may hold, as the
intake service keeps it on every save. Pure: no database, no Qt."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import assessment as rules
from clinic_desktop.core.errors import ValidationError
from tests.factories import NOW, complete_draft


def test_a_complete_draft_is_kept_as_it_is():
    data = complete_draft(scores={"scored_at": {"cows": NOW.isoformat()}})
    assert rules.normalize_draft(data) == data
    assert rules.normalize_draft(rules.normalize_draft(data)) == rules.normalize_draft(data)


def test_sections_and_fields_not_given_stay_absent():
    assert rules.normalize_draft({}) == {}
    assert rules.normalize_draft({"identity": {"consent_to_treatment": True}}) == {
        "identity": {"consent_to_treatment": True}}
    rows = rules.normalize_draft({"substances": {"rows": [{"substance": "heroin"}]}})["substances"]["rows"]
    assert rows == [{"substance": "heroin"}]


def test_unknown_sections_are_refused_and_unknown_fields_dropped():
    with pytest.raises(ValidationError, match="Unknown assessment sections: nonsense"):
        rules.normalize_draft({"nonsense": {}})
    with pytest.raises(ValidationError):
        rules.normalize_draft({"social": "shelter"})  # a section is a set of fields
    with pytest.raises(ValidationError):
        rules.normalize_draft(["identity"])
    kept = rules.normalize_draft({"social": {"housing": "shelter", "favourite_colour": "blue"},
                                  "substances": {"rows": [{"substance": "heroin", "colour": "x"}, "junk"],
                                                 "notes": "?"}})
    assert kept == {"social": {"housing": "shelter"}, "substances": {"rows": [{"substance": "heroin"}]}}


def test_each_field_is_kept_in_its_type():
    last_use = (NOW - dt.timedelta(hours=16)).isoformat()
    kept = rules.normalize_draft({
        "identity": {"consent_to_treatment": "yes"},  # only True is a consent
        "substances": {"rows": [{"substance": "unobtainium", "route": " Injected ", "amount": None,
                                 "years_of_use": 300, "last_use": last_use},
                                {"substance": "alcohol", "years_of_use": -1, "last_use": "yesterday"},
                                {"substance": "heroin", "last_use": "2026-11-23T01:10:00"},  # no zone
                                {"substance": "heroin", "last_use": "1850-01-01T00:00:00+00:00"}],
                       "prior_detox_episodes": "3", "prior_overdoses": 250, "last_overdose": "2025-2-3",
                       "naloxone_at_home": 1},
        "medical": {"conditions": " Hepatitis C ", "seizure_history": True, "pregnancy": "maybe",
                    "allergies": 0, "qtc_ms": 999, "renal": "kidneys"},
        "mental_health": {"suicide_risk": "perhaps"},
        "summary": {"pathway": "teleportation"},
    })
    assert kept["identity"] == {"consent_to_treatment": False}
    assert kept["substances"]["rows"] == [
        {"substance": None, "route": "Injected", "amount": "", "years_of_use": rules.YEARS_MAX,
         "last_use": last_use},
        {"substance": "alcohol", "years_of_use": None, "last_use": None},
        {"substance": "heroin", "last_use": None},
        {"substance": "heroin", "last_use": None}]
    subs = kept["substances"]
    assert (subs["prior_detox_episodes"], subs["prior_overdoses"], subs["last_overdose"],
            subs["naloxone_at_home"]) == (None, rules.COUNT_MAX, None, False)
    # A refused fact is kept as given: signing names it next to its field.
    assert kept["medical"] == {"conditions": "Hepatitis C", "seizure_history": True, "pregnancy": None,
                               "allergies": "", "qtc_ms": 999, "renal": "kidneys"}
    assert kept["mental_health"] == {"suicide_risk": None}
    assert kept["summary"] == {"pathway": None}
    assert rules.normalize_draft({"substances": {"last_overdose": "2025-02-03"}}) == {
        "substances": {"last_overdose": "2025-02-03"}}


def test_instrument_answers_and_the_times_they_were_scored():
    kept = rules.normalize_draft({"scores": {"cows": {"resting_pulse": 2, "sweating": None},
                                             "sows_gossop": {},
                                             "scored_at": {"cows": NOW.isoformat(), "sows_gossop": NOW.isoformat(),
                                                           "oows": NOW.isoformat()}},
                                  "mental_health": {"phq9": {"self_harm": 0},
                                                    "scored_at": {"phq9": "yesterday", "gad7": 5}}})
    assert kept["scores"] == {"cows": {"resting_pulse": 2}, "sows_gossop": {},
                              "scored_at": {"cows": NOW.isoformat()}}  # only answered scales have a time
    assert kept["mental_health"] == {"phq9": {"self_harm": 0}, "scored_at": {}}
    with pytest.raises(ValidationError) as info:
        rules.normalize_draft({"scores": {"cows": {"favourite_colour": 1}}})
    assert list(info.value.fields) == ["scores.cows"]
    with pytest.raises(ValidationError):
        rules.normalize_draft({"scores": {"cows": {"resting_pulse": 3}}})  # not a score of that item


def test_vitals_are_kept_as_given_for_signing_to_check():
    kept = rules.normalize_draft({"vitals": {"pulse": 400, "temperature_c": 37.25, "mood": "fine"}})
    assert kept == {"vitals": {"pulse": 400, "temperature_c": 37.25}}
    missing = {m.key for m in rules.missing_to_sign(kept, "methadone", NOW)}
    assert "vitals.pulse" in missing


def test_a_complete_section_has_every_field_a_screen_shows():
    assert rules.complete_section("identity", {}) == {"consent_to_treatment": False}
    subs = rules.complete_section("substances", {"rows": [{"substance": "heroin"}]})
    assert subs == {"rows": [{"substance": "heroin", "route": "", "amount": "", "unit": "", "frequency": "",
                              "years_of_use": None, "last_use": None}],
                    "prior_detox_episodes": None, "prior_overdoses": None, "last_overdose": None,
                    "naloxone_at_home": False}
    assert rules.complete_section("scores", {"ciwa_ar": {}, "oows": {"yawning": 1}}) == {
        "cows": {}, "oows": {"yawning": 1}, "scored_at": {}}  # an extra scale only when answered
    assert rules.complete_section("vitals", {"pulse": 96}) == {"pulse": 96}
    assert set(rules.complete_section("medical", {})) == set(rules.DRAFT_FIELDS["medical"])
    assert rules.complete_section("social", {"housing": " shelter "}) == {
        "housing": "shelter", "employment": "", "legal": "", "transport": "", "supports": "",
        "reasons": "", "strengths": "", "trusted_people": "", "routines": "",  # what matters, never required
        "readiness_importance": None, "readiness_confidence": None}  # the ruler: not asked
    # the ruler keeps 0–10 and drops anything else (never clamped: an 11 is not a 10)
    ruler = {"readiness_importance": 0, "readiness_confidence": 10}
    assert rules.normalize_section("social", ruler) == ruler
    for wrong in (-1, 11, 5.5, "7", True):
        assert rules.normalize_section("social", {"readiness_importance": wrong}) == {"readiness_importance": None}


def test_each_section_says_what_it_still_lacks_and_together_they_are_what_signing_needs():
    data = complete_draft(identity={"consent_to_treatment": False}, social={})
    by_section = [m for name, _label in rules.SECTIONS
                  for m in rules.section_missing(name, data, NOW, pathway=None)]
    assert by_section == rules.missing_to_sign(data, None, NOW)
    assert [m.key for m in rules.section_missing("identity", data, NOW)] == ["identity.consent_to_treatment"]
    assert rules.section_missing("summary", {"summary": {"pathway": "methadone"}}, NOW) == []
    assert rules.section_missing("summary", data, NOW, pathway="methadone") == []
    assert rules.section_status(data, NOW)["identity"] is False
