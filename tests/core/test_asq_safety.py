"""The ASQ raises the safety alert: at intake (signing) and as a flowsheet entry; an acute
positive says "imminent risk". Old intakes' single suicide question still counts."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import assessment as rules
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import episodes, handover, intake, patients, stabilization
from tests.conftest import STRONG_PASSWORD
from tests.factories import (
    ASQ_ACUTE,
    ASQ_NO,
    ASQ_POSITIVE,
    admit_without_intake,
    complete_draft,
)


def register(db, user, mrn):
    return patients.register(db, user, patients.PatientInput(
        mrn=mrn, given_name="Alex", family_name="Safety", date_of_birth=dt.date(1990, 1, 2), sex="unknown"))


def sign(db, user, mrn, **mental_health):
    patient = register(db, user, mrn)
    a = intake.start(db, user, patient.id)
    saved = intake.save_draft(db, user, a.id, a.version, complete_draft(mental_health=mental_health))
    intake.sign(db, user, a.id, saved.version, STRONG_PASSWORD, "buprenorphine_induction")
    return episodes.current_episode(db, user, patient.id)


# --- intake rules ---------------------------------------------------------------------------------


def test_the_asq_must_be_complete_to_sign() -> None:
    def refused(asq: dict) -> list[str]:
        draft = complete_draft()
        draft["mental_health"]["asq"] = asq
        return [m.message for m in rules.section_missing("mental_health", draft, rules.clock.now())]

    assert refused(dict(ASQ_NO)) == []  # four "no"s: question 5 is not asked
    assert refused({k: 0 for k in list(ASQ_NO)[:3]}) == ["Complete the ASQ (1 items missing)."]
    assert refused(dict(ASQ_NO, wished_dead=1)) == ["Complete the ASQ (1 items missing)."]  # now ask 5
    assert refused(dict(ASQ_POSITIVE)) == [] and refused(dict(ASQ_ACUTE)) == []


@pytest.mark.parametrize(("asq", "alert", "imminent"), [
    (ASQ_NO, False, False), (ASQ_POSITIVE, True, False), (ASQ_ACUTE, True, True),
    (dict(ASQ_NO, better_off_dead=1), True, False),  # positive before question 5 is answered
])
def test_a_positive_asq_raises_the_safety_alert_and_an_acute_one_says_imminent_risk(
        asq: dict, alert: bool, imminent: bool) -> None:
    draft = complete_draft(mental_health={"asq": asq})
    assert rules.safety_alert(draft) is alert
    assert rules.imminent_risk(draft) is imminent
    flags = {f.id: f for f in rules.risk_flags(draft)}
    assert ("safety_alert" in flags) is alert
    if imminent:
        assert "imminent risk: do not leave the patient alone; emergency evaluation now" \
            in flags["safety_alert"].basis
        assert "imminent" in flags["safety_alert"].label
    elif alert:
        assert "imminent" not in flags["safety_alert"].basis


def test_an_old_draft_with_yes_to_the_single_question_still_raises_the_alert() -> None:
    old = complete_draft()
    del old["mental_health"]["asq"]
    old["mental_health"]["suicide_risk"] = "yes"
    assert rules.safety_alert(old)
    old["mental_health"]["suicide_risk"] = "no"
    assert not rules.safety_alert(old)


def test_an_answer_to_question_5_after_four_nos_is_refused_when_saving(db, nurse) -> None:
    a = intake.start(db, nurse, register(db, nurse, "A-0").id)
    with pytest.raises(ValidationError) as info:
        intake.save_draft(db, nurse, a.id, a.version,
                          complete_draft(mental_health={"asq": dict(ASQ_NO, thoughts_now=0)}))
    assert "mental_health.asq" in info.value.fields


# --- signing --------------------------------------------------------------------------------------


def test_signing_with_a_positive_asq_raises_the_alert_and_puts_the_asq_on_the_flowsheet(db, nurse) -> None:
    positive = sign(db, nurse, "A-1", asq=dict(ASQ_POSITIVE))
    acute = sign(db, nurse, "A-2", asq=dict(ASQ_ACUTE))
    calm = sign(db, nurse, "A-3")
    status = stabilization.safety_status(db, nurse, positive.id)
    assert status.active and not status.imminent
    status = stabilization.safety_status(db, nurse, acute.id)
    assert status.active and status.imminent
    assert not stabilization.safety_alert_active(db, nurse, calm.id)
    [asq] = [e for e in stabilization.flowsheet(db, nurse, acute.id) if e.instrument_id == "asq"]
    assert asq.band == "acute" and asq.complete


# --- the flowsheet --------------------------------------------------------------------------------


@pytest.mark.parametrize(("asq", "alert"), [(ASQ_NO, False), (ASQ_POSITIVE, True), (ASQ_ACUTE, True)])
def test_an_asq_on_the_flowsheet_raises_the_alert_when_positive(db, nurse, asq: dict, alert: bool) -> None:
    ep = admit_without_intake(db, nurse)
    assert not stabilization.safety_alert_active(db, nurse, ep.id)
    obs = stabilization.record_observation(db, nurse, ep.id, "asq", asq)
    assert obs.complete
    status = stabilization.safety_status(db, nurse, ep.id)
    assert status.active is alert
    assert status.imminent is (asq is ASQ_ACUTE)


def test_imminent_risk_follows_the_latest_asq_and_ends_with_the_safety_assessment(db, nurse) -> None:
    ep = admit_without_intake(db, nurse)
    acute = stabilization.record_observation(db, nurse, ep.id, "asq", ASQ_ACUTE)
    assert stabilization.safety_status(db, nurse, ep.id).imminent
    # Struck through as entered in error: the alert stands (raised), but not as imminent risk.
    stabilization.correct_entry(db, nurse, "observation", acute.id, "wrong patient")
    status = stabilization.safety_status(db, nurse, ep.id)
    assert status.active and not status.imminent
    stabilization.record_observation(db, nurse, ep.id, "asq", ASQ_ACUTE)
    assert stabilization.safety_status(db, nurse, ep.id).imminent
    stabilization.record_safety_assessment(db, nurse, ep.id, "high", "1:1 observation; psychiatry now")
    status = stabilization.safety_status(db, nurse, ep.id)
    assert not status.active and not status.imminent


def test_an_answer_to_question_5_after_four_nos_is_refused_on_the_flowsheet(db, nurse) -> None:
    ep = admit_without_intake(db, nurse)
    with pytest.raises(ValidationError):
        stabilization.record_observation(db, nurse, ep.id, "asq", dict(ASQ_NO, thoughts_now=1))


def test_the_handover_says_imminent_risk_after_an_acute_asq(db, nurse) -> None:
    acute = admit_without_intake(db, nurse)
    stabilization.record_observation(db, nurse, acute.id, "asq", ASQ_ACUTE)
    (patient,) = handover.build_handover(db, nurse, utcnow(), episode_ids=[acute.id]).patients
    [line] = [a.text for a in patient.alerts if a.kind == "safety"]
    assert "acute positive ASQ, imminent risk: do not leave the patient alone; emergency evaluation now" in line
    positive = admit_without_intake(db, nurse, mrn="S-2", family="Second")
    stabilization.record_observation(db, nurse, positive.id, "asq", ASQ_POSITIVE)
    (patient,) = handover.build_handover(db, nurse, utcnow(), episode_ids=[positive.id]).patients
    [line] = [a.text for a in patient.alerts if a.kind == "safety"]
    assert line.startswith("SAFETY ALERT") and "imminent" not in line
