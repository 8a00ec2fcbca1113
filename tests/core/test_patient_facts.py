"""The patient facts service: signing the intake stores its facts, a nurse or prescriber edits
them later (validated per field, refused when stale, audited with the changed fields), and the
medication rules read the stored facts — on SQLite and PostgreSQL (``any_db``)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clinic_desktop.core.errors import ConflictError, PermissionDenied, ValidationError
from clinic_desktop.core.models import AuditEvent, PatientFactsRecord
from clinic_desktop.core.services import (
    accounts,
    audit,
    episodes,
    intake,
    mar,
    patient_facts,
    patients,
)
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import complete_draft

FACTS = {"hepatic": "mild", "renal": "reduced", "egfr": 55, "qtc_ms": 430,
         "qtc_on": (dt.date.today() - dt.timedelta(days=2)).isoformat()}


@pytest.fixture
def staff(any_db):
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD)
    return SimpleNamespace(admin=admin, nurse=make_user(any_db, admin, "nurse"),
                           prescriber=make_user(any_db, admin, "prescriber"),
                           counselor=make_user(any_db, admin, "counselor"),
                           viewer=make_user(any_db, admin, "viewer"))


def register(database, user, mrn="F-1"):
    return patients.register(database, user, patients.PatientInput(
        mrn=mrn, given_name="Quinn", family_name="Factual", date_of_birth=dt.date(1985, 6, 7), sex="unknown"))


def draft(database, user, **medical):
    """An intake started with a complete draft saved (facts in ``medical``); not signed."""
    started = intake.start(database, user, register(database, user).id)
    saved = intake.save_draft(database, user, started.id, started.version,
                              complete_draft(medical=medical, substances={"rows": [
                                  {"substance": "heroin", "last_use": (dt.datetime.now(dt.UTC)
                                                                       - dt.timedelta(hours=16)).isoformat()},
                                  {"substance": "benzodiazepines", "last_use": (
                                      dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)).isoformat()}]}))
    return started, saved


def signed(database, user, **medical) -> int:
    started, saved = draft(database, user, **medical)
    intake.sign(database, user, started.id, saved.version, STRONG_PASSWORD, "methadone")
    return started.episode_id


def events(database, action=patient_facts.CHANGED) -> list[SimpleNamespace]:
    with database.read() as s:
        return [SimpleNamespace(username=e.username, entity_type=e.entity_type, detail=e.detail)
                for e in s.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)).scalars()]


def test_signing_the_intake_stores_its_facts_in_the_same_unit_of_work(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    view = patient_facts.get(any_db, staff.counselor, episode_id)
    assert view.values() == {"weight_kg": 70.0, "hepatic": "mild", "renal": "reduced", "egfr": 55.0, "qtc_ms": 430,
                             "qtc_on": dt.date.fromisoformat(FACTS["qtc_on"]), "pregnancy": "not_applicable"}
    assert view.version == 1 and view.updated_by_name == staff.nurse.full_name and view.updated_at is not None
    [event] = events(any_db)
    assert event.detail["source"] == "intake"
    assert event.detail["changes"]["qtc_ms"] == [None, 430]
    assert event.detail["changes"]["weight_kg"] == [None, 70.0]
    assert audit.verify_chain(any_db).intact


def test_an_intake_without_facts_still_gets_a_record_to_edit(any_db, staff):
    episode_id = signed(any_db, staff.nurse)
    view = patient_facts.get(any_db, staff.nurse, episode_id)
    assert view.version == 1 and view.hepatic is None and view.qtc_ms is None and view.weight_kg == 70.0


def test_a_bad_fact_in_the_draft_stops_the_signing_and_nothing_is_stored(any_db, staff):
    started, saved = draft(any_db, staff.nurse, qtc_ms=800, qtc_on=FACTS["qtc_on"])
    with pytest.raises(ValidationError) as info:
        intake.sign(any_db, staff.nurse, started.id, saved.version, STRONG_PASSWORD, "methadone")
    assert info.value.fields == {"medical.qtc_ms": "QTc 800 ms is outside 300\u2013700 ms."}
    with any_db.read() as s:
        assert s.execute(select(PatientFactsRecord)).first() is None


def test_before_signing_the_facts_are_the_drafts_and_are_edited_there(any_db, staff):
    started, _saved = draft(any_db, staff.nurse, hepatic="severe")
    view = patient_facts.get(any_db, staff.nurse, started.episode_id)
    assert view.version == 0 and view.hepatic == "severe" and view.updated_by_name is None
    with pytest.raises(ValidationError, match="not signed yet"):
        patient_facts.update(any_db, staff.nurse, started.episode_id, 0, {"hepatic": "mild"})


def test_a_nurse_edits_the_facts_and_the_change_is_audited_without_names(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    before = patient_facts.get(any_db, staff.nurse, episode_id)
    after = patient_facts.update(any_db, staff.nurse, episode_id, before.version,
                                 {"weight_kg": "72.5", "qtc_ms": 452, "qtc_on": dt.date.today().isoformat(),
                                  "renal": None, "egfr": None})
    assert after.version == before.version + 1
    assert (after.weight_kg, after.qtc_ms, after.qtc_on, after.renal, after.egfr, after.hepatic) == (
        72.5, 452, dt.date.today(), None, None, "mild")
    assert patient_facts.get(any_db, staff.nurse, episode_id) == after
    event = events(any_db)[-1]
    assert event.username == staff.nurse.username and event.entity_type == "patient_facts"
    assert event.detail == {"source": "edit", "changes": {
        "weight_kg": [70.0, 72.5], "qtc_ms": [430, 452], "qtc_on": [FACTS["qtc_on"], dt.date.today().isoformat()],
        "renal": ["reduced", None], "egfr": [55.0, None]}}
    text = json.dumps(event.detail)
    assert "Quinn" not in text and "Factual" not in text and "F-1" not in text
    assert audit.verify_chain(any_db).intact


def test_saving_the_same_values_changes_nothing(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    before = patient_facts.get(any_db, staff.nurse, episode_id)
    again = patient_facts.update(any_db, staff.prescriber, episode_id, before.version, before.values())
    assert again == before and len(events(any_db)) == 1


def test_each_bad_value_is_refused_next_to_its_field_and_nothing_is_saved(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    before = patient_facts.get(any_db, staff.nurse, episode_id)
    with pytest.raises(ValidationError) as info:
        patient_facts.update(any_db, staff.nurse, episode_id, before.version, {
            "weight_kg": 19.9, "egfr": 200.1, "qtc_ms": 701, "hepatic": "awful",
            "qtc_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()})
    assert set(info.value.fields) == {"weight_kg", "egfr", "qtc_ms", "hepatic", "qtc_on"}
    with pytest.raises(ValidationError) as info:
        patient_facts.update(any_db, staff.nurse, episode_id, before.version, {"height_cm": 180})
    assert set(info.value.fields) == {"height_cm"}
    with pytest.raises(ValidationError) as info:  # checked with the values it would keep
        patient_facts.update(any_db, staff.nurse, episode_id, before.version, {"renal": "normal"})
    assert set(info.value.fields) == {"renal"}
    assert patient_facts.get(any_db, staff.nurse, episode_id) == before


def test_a_stale_version_is_a_conflict(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    opened = patient_facts.get(any_db, staff.nurse, episode_id)
    patient_facts.update(any_db, staff.prescriber, episode_id, opened.version, {"qtc_ms": 470})
    with pytest.raises(ConflictError, match="Test Prescriber saved this patient's facts"):
        patient_facts.update(any_db, staff.nurse, episode_id, opened.version, {"weight_kg": 80})
    assert patient_facts.get(any_db, staff.nurse, episode_id).weight_kg == 70.0


def test_an_episode_without_an_intake_gets_its_record_on_the_first_save(any_db, staff):
    patient = register(any_db, staff.nurse, "F-2")
    episode = episodes.open_episode(any_db, staff.nurse, patient.id)
    view = patient_facts.get(any_db, staff.nurse, episode.id)
    assert view.version == 0 and view.values() == dict.fromkeys(view.values())
    saved = patient_facts.update(any_db, staff.nurse, episode.id, 0, {"weight_kg": 64})
    assert saved.version == 1 and saved.weight_kg == 64.0
    with pytest.raises(ConflictError):  # a second workstation that also saw "nothing stored"
        patient_facts.update(any_db, staff.prescriber, episode.id, 0, {"weight_kg": 66})


@pytest.mark.parametrize("role", ["admin", "counselor", "viewer"])
def test_only_a_nurse_or_a_prescriber_edits_them(any_db, staff, role):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    with pytest.raises(PermissionDenied):
        patient_facts.update(any_db, getattr(staff, role), episode_id, 1, {"weight_kg": 80})
    assert patient_facts.get(any_db, getattr(staff, role), episode_id).weight_kg == 70.0


def test_the_rules_read_the_stored_facts_and_the_rest_from_the_intake(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    with any_db.read() as s:
        first = patient_facts.facts_in(s, episode_id)
    assert (first.weight_kg, first.hepatic, first.renal, first.egfr, first.qtc_ms, first.qtc_on) == (
        70.0, "mild", "reduced", 55.0, 430, FACTS["qtc_on"])
    patient_facts.update(any_db, staff.nurse, episode_id, 1, {"hepatic": "severe", "qtc_ms": None,
                                                              "qtc_on": None, "weight_kg": None})
    with any_db.read() as s:
        merged = patient_facts.facts_in(s, episode_id)
    # The stored record wins, cleared values included; the intake's draft still says otherwise.
    assert (merged.weight_kg, merged.hepatic, merged.qtc_ms, merged.qtc_on) == (None, "severe", None, None)
    assert (merged.allergies, merged.pregnant, merged.benzodiazepine_use, merged.alcohol_use) == (
        "none known", "not_applicable", True, False)


def test_a_qtc_entered_later_stops_a_methadone_order(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    order = mar.OrderInput(drug_id="methadone", dose=20, unit="mg", route="oral", times=("08:00",))
    before = {f.rule for f in mar.check_new_order(any_db, staff.prescriber, episode_id, order)}
    assert not {"methadone.qtc_stop", "methadone.qtc_warn"} & before
    patient_facts.update(any_db, staff.nurse, episode_id, 1, {"qtc_ms": 512, "qtc_on": dt.date.today()})
    after = {f.rule for f in mar.check_new_order(any_db, staff.prescriber, episode_id, order)}
    assert "methadone.qtc_stop" in after


def test_a_pregnancy_found_during_the_stay_is_recorded_and_reaches_the_order_check(any_db, staff):
    episode_id = signed(any_db, staff.nurse, **FACTS)
    view = patient_facts.get(any_db, staff.nurse, episode_id)
    updated = patient_facts.update(any_db, staff.nurse, episode_id, view.version, {"pregnancy": "yes"})
    assert updated.pregnancy == "yes" and updated.summary.endswith("Pregnant")
    with any_db.read() as session:
        assert patient_facts.facts_in(session, episode_id).pregnant == "yes"
    [event] = [e for e in events(any_db) if e.detail.get("source") == "edit"]
    assert event.detail["changes"]["pregnancy"] == ["not_applicable", "yes"]
    with pytest.raises(ValidationError) as info:
        patient_facts.update(any_db, staff.nurse, episode_id, updated.version, {"pregnancy": "perhaps"})
    assert "pregnancy" in info.value.fields
    findings = mar.check_new_order(any_db, staff.nurse, episode_id, mar.OrderInput(
        drug_id="methadone", dose=20, unit="mg", route="oral", times=("08:00",)))
    [note] = [f for f in findings if f.rule == "pregnancy"]
    assert note.severity == "info" and "pregnant" in note.text
