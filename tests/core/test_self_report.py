"""Patient check-in mode (#16 item 7), the core: what the patient answered is saved in one
transaction by the staff member who handed over, marked self-reported on the flowsheet, audited
like staff entries; a PHQ-9 self-harm answer above 0 raises the safety alert; the patient's words
exist for every item in English and Spanish."""

from __future__ import annotations

import pytest

from clinic_desktop.core import checkin, self_report
from clinic_desktop.core.errors import PermissionDenied, ValidationError
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.services import audit, stabilization
from tests.conftest import make_user
from tests.factories import admit_without_intake

PHQ9 = {"interest": 1, "depressed": 2, "sleep": 1, "tired": 2, "appetite": 0, "failure": 1,
        "concentration": 0, "psychomotor": 0, "self_harm": 0}
GAD7 = {"nervous": 2, "uncontrolled_worry": 1, "worry_too_much": 1, "trouble_relaxing": 2, "restless": 1,
        "irritable": 0, "afraid": 0}
CHECKIN = {"craving": 7, "mood": 4, "sleep_hours": 5.0, "appetite": "reduced"}


@pytest.fixture
def episode(db, nurse):
    return admit_without_intake(db, nurse)


def flowsheet(db, user, episode) -> list[stabilization.FlowsheetEntry]:
    return stabilization.flowsheet(db, user, episode.id)


def test_the_check_in_and_both_instruments_are_saved_self_reported(db, nurse, episode):
    saved = stabilization.record_self_report(db, nurse, episode.id, CHECKIN, {"phq9": PHQ9, "gad7": GAD7})
    assert [(e.kind, e.instrument_id) for e in saved] == [("checkin", None), ("observation", "phq9"),
                                                          ("observation", "gad7")]
    entries = flowsheet(db, nurse, episode)
    assert len(entries) == 3 and all(e.self_reported for e in entries)
    assert all(e.recorded_by_name == nurse.full_name for e in entries)
    [phq] = [e for e in entries if e.instrument_id == "phq9"]
    assert phq.total == 7 and phq.complete and phq.band == "mild" and phq.item_scores == PHQ9
    [answers] = [e for e in entries if e.kind == "checkin"]
    assert answers.values == CHECKIN


def test_staff_entries_stay_not_self_reported(db, nurse, episode):
    stabilization.record_observation(db, nurse, episode.id, "phq9", PHQ9)
    [entry] = flowsheet(db, nurse, episode)
    assert not entry.self_reported


def test_a_partial_instrument_is_saved_incomplete_and_an_unanswered_one_not_at_all(db, nurse, episode):
    saved = stabilization.record_self_report(db, nurse, episode.id, {},
                                             {"phq9": {"interest": 2, "depressed": None}, "gad7": {"nervous": None}})
    [only] = saved
    assert only.instrument_id == "phq9" and not only.complete and only.total == 2 and only.self_reported
    assert [e.instrument_id for e in flowsheet(db, nurse, episode)] == ["phq9"]


def test_nothing_answered_is_refused(db, nurse, episode):
    with pytest.raises(ValidationError) as info:
        stabilization.record_self_report(db, nurse, episode.id, {"craving": None, "mood": ""},
                                         {"phq9": {"interest": None}, "gad7": {}})
    assert set(info.value.fields) == {"values"}
    assert flowsheet(db, nurse, episode) == []


def test_all_or_nothing_in_one_transaction(db, nurse, episode):
    # The check-in and the PHQ-9 are fine; the GAD-7 has an impossible score: nothing is saved.
    with pytest.raises(ValidationError):
        stabilization.record_self_report(db, nurse, episode.id, CHECKIN,
                                         {"phq9": PHQ9, "gad7": {**GAD7, "afraid": 4}})
    assert flowsheet(db, nurse, episode) == []
    with pytest.raises(ValidationError):
        stabilization.record_self_report(db, nurse, episode.id, {**CHECKIN, "craving": 11}, {"phq9": PHQ9})
    assert flowsheet(db, nurse, episode) == []


def test_only_the_self_report_instruments(db, nurse, episode):
    with pytest.raises(ValidationError):
        stabilization.record_self_report(db, nurse, episode.id, {}, {"cows": {"yawning": 1}})


@pytest.mark.parametrize(("self_harm", "alert"), [(0, False), (1, True), (3, True)])
def test_the_self_harm_item_raises_the_safety_alert_above_zero(db, nurse, episode, self_harm, alert):
    stabilization.record_self_report(db, nurse, episode.id, {}, {"phq9": {**PHQ9, "self_harm": self_harm}})
    assert stabilization.safety_alert_active(db, nurse, episode.id) is alert


def test_the_self_harm_item_alone_raises_the_alert(db, nurse, episode):
    stabilization.record_self_report(db, nurse, episode.id, {}, {"phq9": {"self_harm": 1}})
    assert stabilization.safety_alert_active(db, nurse, episode.id)


@pytest.mark.parametrize("role", ["nurse", "counselor", "prescriber", "admin"])
def test_the_care_team_hands_over(db, admin, episode, role):
    user = admin if role == "admin" else make_user(db, admin, role, f"{role}-hands-over")
    saved = stabilization.record_self_report(db, user, episode.id, {"mood": 5}, {"phq9": PHQ9})
    assert len(saved) == 2


def test_a_viewer_cannot(db, admin, episode):
    viewer = make_user(db, admin, "viewer")
    with pytest.raises(PermissionDenied):
        stabilization.record_self_report(db, viewer, episode.id, CHECKIN, {"phq9": PHQ9})
    assert flowsheet(db, admin, episode) == []


def test_audited_like_staff_entries_marked_self_reported_never_the_answers(db, admin, nurse, episode):
    saved = stabilization.record_self_report(db, nurse, episode.id, CHECKIN,
                                             {"phq9": {**PHQ9, "self_harm": 2}, "gad7": GAD7})
    events = [e for e in audit.recent(db, admin) if e.action in ("checkin.recorded", "observation.recorded")]
    assert sorted(e.entity_id for e in events) == sorted(str(e.id) for e in saved)
    assert all(e.username == nurse.username and e.patient_id == episode.patient_id for e in events)
    [answers] = [e for e in events if e.action == "checkin.recorded"]
    assert answers.detail["self_reported"] is True and answers.detail["parts"] == sorted(CHECKIN)
    assert "values" not in answers.detail
    for event in (e for e in events if e.action == "observation.recorded"):
        assert event.detail["self_reported"] is True
        assert "items" not in event.detail and "item_scores" not in event.detail
        assert "self_harm" not in str(event.detail)
    [phq] = [e for e in events if e.detail.get("instrument") == "phq9"]
    assert phq.detail["safety_alert"] is True


# --------------------------------------------------------------------------------------------
# The patient's words
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", self_report.LANGUAGES)
def test_every_item_of_both_instruments_has_its_words(language):
    asked = self_report.questions(language)
    for instrument_id in self_report.INSTRUMENTS:
        items = [q for q in asked if q.section == instrument_id]
        assert [q.part for q in items] == list(get_instrument(instrument_id).item_ids)
        assert all(q.text.strip() and q.stem.strip() and len(q.options) == 4 for q in items)
        assert [value for value, _ in items[0].options] == [0, 1, 2, 3]
    parts = [q.part for q in asked if q.section == "checkin"]
    assert parts == list(checkin.FIELD_IDS)
    for q in asked:
        if q.kind == self_report.CHOICE:
            assert [code for code, _ in q.options] == list(checkin.CHOICES[q.part][1])
        if q.kind == self_report.SCALE:
            assert [v for v, _ in q.options] == list(range(11)) and q.low.startswith("0") and q.high.startswith("10")


def test_english_and_spanish_differ_on_every_page():
    english, spanish = self_report.questions("en"), self_report.questions("es")
    assert [q.key for q in english] == [q.key for q in spanish]
    for en, es in zip(english, spanish, strict=True):
        assert en.text != es.text, en.key


def test_the_published_wording():
    en = {q.key: q for q in self_report.questions("en")}
    es = {q.key: q for q in self_report.questions("es")}
    assert en["phq9.interest"].text == "Little interest or pleasure in doing things"
    assert es["phq9.interest"].text == "Poco interés o placer en hacer cosas"
    assert es["phq9.self_harm"].text == ("Pensamientos de que estaría mejor muerto(a) o de lastimarse de "
                                         "alguna manera")
    assert es["phq9.interest"].stem == ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias "
                                        "debido a los siguientes problemas?")
    assert es["phq9.interest"].options[0][1] == "Ningún día"
    assert es["gad7.nervous"].options[0][1] == "Nunca"
    assert es["gad7.afraid"].text == "Ha tenido miedo de que algo terrible fuera a pasar"
    assert en["checkin.craving"].text == "How strong is your craving right now?"
    assert en["checkin.craving"].low == "0 = no craving" and en["checkin.craving"].high == "10 = the strongest craving"


@pytest.mark.parametrize(("code", "language"), [("es", "es"), ("en", "en"), ("ES ", "es"), ("fr", "en"),
                                                ("", "en"), (None, "en")])
def test_other_languages_get_english(code, language):
    assert self_report.language_for(code) == language


def test_only_the_sections_asked():
    asked = self_report.questions("en", ("checkin",))
    assert {q.section for q in asked} == {"checkin"}
    with pytest.raises(ValueError):
        self_report.questions("en", ("cows",))


def test_the_frame_words_in_both_languages():
    assert self_report.text("en", "progress", n=3, total=20) == "3 of 20"
    assert self_report.text("es", "progress", n=3, total=20) == "3 de 20"
    assert self_report.text("es", "thanks").startswith("Gracias")
    assert self_report.text("en", "thanks") == "Thank you \u2014 please hand the computer back to the staff."
