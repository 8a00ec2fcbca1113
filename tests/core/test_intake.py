"""The intake assessment service: drafts, holders, conflicts, signing, addenda, roles."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import assessment as rules
from clinic_desktop.core import units
from clinic_desktop.core.errors import ConflictError, PermissionDenied, ValidationError
from clinic_desktop.core.services import audit, episodes, intake, patients
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import NOW, PHQ9_NO_RISK, complete_draft, sign_intake, use_vitals_units


@pytest.fixture
def patient(db, nurse):
    return patients.register(db, nurse, patients.PatientInput(
        mrn="I-1", given_name="Rowan", family_name="Intake", date_of_birth=dt.date(1990, 4, 5), sex="unknown"))


def test_start_opens_an_episode_with_a_draft_and_reuses_it(db, nurse, patient):
    first = intake.start(db, nurse, patient.id)
    assert first.status == "draft" and first.data == {} and not first.held_by_other
    assert episodes.current_episode(db, nurse, patient.id).stage == "assessment"
    again = intake.start(db, nurse, patient.id)
    assert again.id == first.id


def test_draft_is_saved_and_offered_back_after_a_crash(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, {"identity": {"consent_to_treatment": True}})
    # The workstation dies here; later the patient is opened again.
    back = intake.open_assessment(db, nurse, a.episode_id)
    assert back.data == {"identity": {"consent_to_treatment": True}}
    assert back.draft_saved_at == saved.saved_at and back.draft_saved_by_name == nurse.full_name


def test_second_workstation_sees_who_holds_the_draft_and_cannot_overwrite(db, admin, nurse, patient):
    other = make_user(db, admin, "nurse", "nurse2")
    a = intake.start(db, nurse, patient.id)
    seen_by_other = intake.open_assessment(db, other, a.episode_id)
    assert seen_by_other.held_by_other and seen_by_other.holder_name == nurse.full_name
    intake.save_draft(db, other, a.id, seen_by_other.version, {"social": {"housing": "shelter"}})
    with pytest.raises(ConflictError, match="Test Nurse saved this assessment"):
        intake.save_draft(db, nurse, a.id, a.version, {"social": {"housing": "stable"}})


def test_unknown_sections_are_refused(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    with pytest.raises(ValidationError):
        intake.save_draft(db, nurse, a.id, a.version, {"nonsense": {}})


def test_sign_lists_everything_missing(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, {"identity": {"consent_to_treatment": True}})
    with pytest.raises(ValidationError) as info:
        intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "")
    keys = set(info.value.fields)
    assert {"substances.rows", "medical.pregnancy", "medical.allergies", "vitals.pulse", "scores.cows",
            "mental_health.phq9", "mental_health.gad7", "mental_health.asq", "summary.pathway"} <= keys
    assert "identity.consent_to_treatment" not in keys


def test_sign_needs_the_right_password(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, complete_draft())
    with pytest.raises(ValidationError) as info:
        intake.sign(db, nurse, a.id, saved.version, "not my password!", "buprenorphine_induction")
    assert "password" in info.value.fields


def test_sign_locks_records_baselines_and_moves_to_stabilization(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, complete_draft())
    signed = intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction")
    assert signed.signed and signed.signed_by_name == nurse.full_name and signed.pathway == "buprenorphine_induction"
    [row] = episodes.census(db, nurse)
    assert (row.stage, row.last_cows_total, row.last_cows_band) == ("stabilization", 14, "moderate")
    with pytest.raises(ValidationError, match="signed"):
        intake.save_draft(db, nurse, a.id, signed.version, complete_draft())
    actions = [e.action for e in audit.recent(db, make_user(db, make_admin(db), "admin", "admin2"))]
    assert "assessment.signed" in actions and "episode.stage_changed" in actions


def test_baseline_observations_carry_the_time_each_score_was_taken(db, nurse, patient):
    from sqlalchemy import select

    from clinic_desktop.core.models import Observation

    cows_at = NOW - dt.timedelta(hours=2)
    data = complete_draft(scores={"scored_at": {"cows": cows_at.isoformat()}},
                          mental_health={"scored_at": {"phq9": (NOW + dt.timedelta(days=1)).isoformat()}})
    assert rules.scored_at(data, "scores", "cows") == cows_at
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, data)
    intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction", now=NOW)
    with db.read() as session:
        taken = dict(session.execute(select(Observation.instrument_id, Observation.taken_at)).all())
    assert taken["cows"] == cows_at
    assert taken["phq9"] == NOW  # a time in the future is not believed: the signing time
    assert taken["gad7"] == NOW  # no time recorded (a draft from before times were kept)
    from clinic_desktop.core.services import stabilization

    vitals_entries = [e for e in stabilization.flowsheet(db, nurse, a.episode_id) if e.kind == "vitals"]
    assert [e.values for e in vitals_entries] == [data["vitals"]]  # the baseline vitals, for the first holds


def make_admin(db):
    from clinic_desktop.core.services import accounts

    return accounts.authenticate(db, "admin", STRONG_PASSWORD)


def test_future_last_use_is_refused_and_old_one_needs_confirmation(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    future = complete_draft(substances={"rows": [{"substance": "heroin",
                                                  "last_use": (NOW + dt.timedelta(days=1)).isoformat()}]})
    saved = intake.save_draft(db, nurse, a.id, a.version, future)
    with pytest.raises(ValidationError, match="future"):
        intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "methadone")
    old = complete_draft(substances={"rows": [{"substance": "heroin",
                                               "last_use": (NOW - dt.timedelta(days=45)).isoformat()}]})
    saved = intake.save_draft(db, nurse, a.id, saved.version, old)
    with pytest.raises(ValidationError, match="more than 30 days"):
        intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "methadone")
    assert intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "methadone",
                       confirm_old_last_use=True).signed


def test_addendum_corrects_a_signed_assessment_without_editing_it(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    saved = intake.save_draft(db, nurse, a.id, a.version, complete_draft())
    with pytest.raises(ValidationError):
        intake.add_addendum(db, nurse, a.id, "typo", "x")  # not signed yet
    signed = intake.sign(db, nurse, a.id, saved.version, STRONG_PASSWORD, "symptomatic_taper")
    with pytest.raises(ValidationError) as info:
        intake.add_addendum(db, nurse, a.id, " ", "")
    assert set(info.value.fields) == {"reason", "text"}
    intake.add_addendum(db, nurse, a.id, "Allergy reported after signing", "Allergic to penicillin.")
    after = intake.assessment_for_episode(db, nurse, a.episode_id)
    assert after.data == signed.data and [x.reason for x in after.addenda] == ["Allergy reported after signing"]


@pytest.mark.parametrize("role", ["counselor", "viewer"])
def test_only_clinicians_record_or_sign(db, admin, nurse, patient, role):
    someone = make_user(db, admin, role)
    a = intake.start(db, nurse, patient.id)
    with pytest.raises(PermissionDenied):
        intake.start(db, someone, patient.id)
    with pytest.raises(PermissionDenied):
        intake.save_draft(db, someone, a.id, a.version, {})
    with pytest.raises(PermissionDenied):
        intake.sign(db, someone, a.id, a.version, STRONG_PASSWORD, "methadone")
    assert not intake.open_assessment(db, someone, a.episode_id).signed  # may read


def test_risk_flags_gather_every_risk_with_its_basis():
    data = complete_draft(
        substances={"rows": [{"substance": "fentanyl", "last_use": NOW.isoformat()},
                             {"substance": "benzodiazepines", "last_use": NOW.isoformat()},
                             {"substance": "alcohol", "last_use": NOW.isoformat()}],
                    "prior_overdoses": 2},
        medical={"pregnancy": "yes", "seizure_history": True},
        vitals={"pulse": 130},
        mental_health={"phq9": {**PHQ9_NO_RISK, "self_harm": 1}},
    )
    flags = {f.id: f for f in rules.risk_flags(data)}
    assert set(flags) == {"benzodiazepine_co_use", "alcohol_co_use", "prior_overdose", "fentanyl", "pregnancy",
                          "seizures", "safety_alert", "abnormal_vitals"}
    assert "2 prior overdose" in flags["prior_overdose"].basis and "130" in flags["abnormal_vitals"].basis
    assert rules.risk_flags(complete_draft()) == []


@pytest.mark.parametrize(("pregnancy", "flagged"), [("yes", True), ("no", False), ("unknown", False),
                                                    ("not_applicable", False)])
def test_pregnancy_raises_the_medication_for_opioid_use_disorder_guidance(pregnancy, flagged):
    """CLINICAL.md §7: agonist treatment recommended over withdrawal management (ACOG 711), never
    a block — not "the pathway changes" with no guidance."""
    from clinic_desktop.core import protocols

    flags = {f.id: f for f in rules.risk_flags(complete_draft(medical={"pregnancy": pregnancy}))}
    assert ("pregnancy" in flags) is flagged
    if flagged:
        assert "recommended over withdrawal management" in flags["pregnancy"].basis
    prompt = protocols.pregnancy_prompt()
    assert "methadone or buprenorphine" in prompt.text and "obstetric" in prompt.text
    assert "ACOG Committee Opinion 711" in prompt.setting_used and "never blocks" in prompt.text


def test_an_abnormal_temperature_flag_is_said_in_the_clinics_units():
    data = complete_draft(vitals={"temperature_c": 38.5})
    assert [f.basis for f in rules.risk_flags(data, units.US)] == ["Temperature 101.3 °F is high (above 100.4)."]
    assert [f.basis for f in rules.risk_flags(data, units.METRIC)] == ["Temperature 38.5 °C is high (above 38.0)."]
    assert [f.basis for f in rules.risk_flags(data)] == ["Temperature 38.5 °C is high (above 38.0)."]


@pytest.mark.parametrize(("system", "basis"), [(units.US, "Temperature 101.3 °F is high (above 100.4)."),
                                               (units.METRIC, "Temperature 38.5 °C is high (above 38.0).")])
def test_the_signed_summary_keeps_the_flag_in_the_clinics_units(db, admin, nurse, patient, system, basis):
    use_vitals_units(db, admin, system)
    episode_id = sign_intake(db, nurse, patient, vitals={"temperature_c": 38.5})
    summary = intake.assessment_for_episode(db, nurse, episode_id).summary
    assert [f["basis"] for f in summary["flags"] if f["id"] == "abnormal_vitals"] == [basis]


def test_suicide_question_yes_raises_the_safety_alert():
    assert rules.safety_alert(complete_draft(mental_health={"suicide_risk": "yes"}))
    assert not rules.safety_alert(complete_draft())


def test_impossible_vitals_block_signing():
    missing = rules.missing_to_sign(complete_draft(vitals={"pulse": 300}), "methadone", NOW)
    assert [m.key for m in missing] == ["vitals.pulse"] and "300" in missing[0].message


def rows(*uses):
    return {"rows": [{"substance": s, "last_use": (NOW - dt.timedelta(hours=h)).isoformat()} for s, h in uses]}


def readiness(*uses):
    data = complete_draft(substances=rows(*uses))
    return rules.buprenorphine_readiness(data, 14, True, NOW, NOW)


def test_readiness_weighs_every_opioid_not_only_the_latest():
    assert readiness(("heroin", 16)).status == "meets"
    # Fentanyl 20 h ago and heroin 16 h ago: the fentanyl caution, with both starts, not "meets".
    fentanyl = readiness(("heroin", 16), ("fentanyl", 20))
    assert fentanyl.status == "caution" and len(fentanyl.options) == 2
    # Methadone 20 h ago (threshold 36 h) is not hidden by a later heroin use.
    methadone = readiness(("heroin", 16), ("methadone", 20))
    assert methadone.status == "not_yet" and "methadone" in methadone.basis.lower()
    assert readiness(("alcohol", 3)).status != "meets"  # no opioid recorded


def test_patient_facts_are_optional_but_a_bad_one_blocks_signing_next_to_its_field():
    """Weight (with the vitals), hepatic and renal function and QTc: none is needed to sign; a value
    given must be one the medication rules accept (core.facts), reported where it was typed."""
    assert rules.missing_to_sign(complete_draft(), "methadone", NOW) == []
    today = NOW.astimezone().date()
    good = complete_draft(medical={"hepatic": "moderate", "renal": "severe", "egfr": 25, "qtc_ms": 300,
                                   "qtc_on": today.isoformat()}, vitals={"weight_kg": 300})
    assert rules.missing_to_sign(good, "methadone", NOW) == []
    bad = complete_draft(medical={"renal": "normal", "egfr": 55, "qtc_ms": 299,
                                  "qtc_on": (today + dt.timedelta(days=1)).isoformat()},
                         vitals={"weight_kg": 19.9})
    missing = {m.key: m.message for m in rules.missing_to_sign(bad, "methadone", NOW)}
    assert missing == {
        "medical.renal": "An eGFR of 55 is Reduced (eGFR 30\u201389); choose that, or correct the eGFR.",
        "medical.qtc_ms": "QTc 299 ms is outside 300\u2013700 ms.",
        "medical.qtc_on": "The QTc date cannot be in the future.",
        "vitals.weight_kg": "Weight 19.9 kg is outside 20\u2013300 kg.",
    }
    assert rules.section_status(bad, NOW)["medical"] is False
    # An impossible weight is reported once, by the vitals' own range.
    impossible = {m.key: m.message for m in rules.missing_to_sign(
        complete_draft(vitals={"weight_kg": 1}), "methadone", NOW)}
    assert list(impossible) == ["vitals.weight_kg"] and "impossible" in impossible["vitals.weight_kg"]


def test_the_service_keeps_a_draft_to_its_shape(db, nurse, patient):
    a = intake.start(db, nurse, patient.id)
    intake.save_draft(db, nurse, a.id, a.version, {
        "social": {"housing": " shelter ", "favourite_colour": "blue"},
        "substances": {"rows": [{"substance": "heroin", "years_of_use": 300, "notes": "?"}],
                       "prior_overdoses": -1}})
    back = intake.open_assessment(db, nurse, a.episode_id)
    assert back.data == {"social": {"housing": "shelter"},
                         "substances": {"rows": [{"substance": "heroin", "years_of_use": rules.YEARS_MAX}],
                                        "prior_overdoses": None}}
    with pytest.raises(ValidationError) as info:
        intake.save_draft(db, nurse, a.id, back.version, {"scores": {"cows": {"favourite_colour": 1}}})
    assert list(info.value.fields) == ["scores.cows"]
    assert intake.assessment_for_episode(db, nurse, a.episode_id).data == back.data  # nothing saved


def test_two_workstations_opening_one_draft_at_once_both_open_it(any_db_target):
    """Opening a draft marks who holds it (a write): two workstations opening it at the same moment
    (the soak's shared intake, benchmarks/soak.py) each get it, the later one holding it, instead
    of a raw StaleDataError for the one that lost the race."""
    import threading

    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import accounts

    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurses = [make_user(first, admin, "nurse", f"nurse{n}") for n in (1, 2)]
        person = patients.register(first, admin, patients.PatientInput(
            mrn="I-2", given_name="Sasha", family_name="Shared", date_of_birth=dt.date(1985, 2, 3), sex="unknown"))
        a = intake.start(first, admin, person.id)
        barrier = threading.Barrier(2, timeout=30)
        errors: list[BaseException] = []
        opened: list[int] = []

        def open_many(database, nurse):
            try:
                for _ in range(25):
                    barrier.wait()
                    opened.append(intake.open_assessment(database, nurse, a.episode_id).version)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=open_many, args=pair) for pair in zip((first, second), nurses, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert len(opened) == 50 and len(set(opened)) == 50  # each opening its own version: none lost
        final = intake.open_assessment(first, admin, a.episode_id)
        assert final.holder_name in {n.full_name for n in nurses}
    finally:
        first.dispose()
        second.dispose()


def test_closing_a_draft_while_another_workstation_writes_it_waits_instead_of_failing(any_db_target):
    """Closing the intake releases the hold, a versioned write like opening it. While another
    workstation's transaction has the draft (here: its version bumped, not yet committed), the
    release waits for it and then releases, instead of failing with a raw StaleDataError
    ("Something went wrong" as the screen closes) for having read the version before."""
    import threading
    import time

    from sqlalchemy import text

    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import accounts

    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        nurse = make_user(first, admin, "nurse")
        person = patients.register(first, admin, patients.PatientInput(
            mrn="I-3", given_name="Sasha", family_name="Closing", date_of_birth=dt.date(1985, 2, 3), sex="unknown"))
        a = intake.start(first, admin, person.id)
        intake.open_assessment(first, nurse, a.episode_id)  # the nurse holds it
        errors: list[BaseException] = []

        def close_screen():
            try:
                intake.release(second, nurse, a.id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        with first.write() as session:  # the other workstation's transaction, the row written
            session.execute(text("UPDATE assessments SET version = version + 1 WHERE id = :id"), {"id": a.id})
            closing = threading.Thread(target=close_screen)
            closing.start()
            time.sleep(0.5)  # the release has read what it reads by now, and waits to write
        closing.join(30)
        assert not closing.is_alive() and not errors, errors
        assert intake.assessment_for_episode(first, admin, a.episode_id).holder_name is None
    finally:
        first.dispose()
        second.dispose()
