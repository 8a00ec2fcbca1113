"""The safety plan (Stanley–Brown, CLINICAL.md §7) in the aftercare plan: its shape, and
finalizing refused after the episode's safety alert until its key parts are written."""

from __future__ import annotations

import pytest

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services import plans, stabilization
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import (
    ASQ_POSITIVE,
    admit_with_signed_intake,
    complete_draft,
    complete_plan,
    local_entry,
)

KEYS = {"safety_plan.warning_signs", "safety_plan.people_to_ask", "safety_plan.safer_surroundings"}
FILLED = {"warning_signs": "I stop eating", "people_to_ask": "My sister Lee",
          "safer_surroundings": "Lee keeps my pills"}


def finalizable() -> dict:
    """A plan with everything but the safety plan that finalizing needs."""
    plan = plan_rules.empty_plan()
    plan.update(medication={"choice": "none", "prescriber": "", "next": "", "reason": "",
                            "moud": {"answer": "accepted", "reason": ""}},
                level="outpatient", key_worker={"name": "Sam", "phone": "", "focus": []},
                relapse={"triggers": "payday"}, follow_ups=[{"when": "Monday", "place": "Clinic", "phone": ""}],
                overdose={"naloxone_kit_given": True})
    return plan


def test_the_safety_plan_is_an_empty_dict_by_default_with_seven_parts() -> None:
    assert plan_rules.empty_plan()["safety_plan"] == {}
    assert plan_rules.SAFETY_PLAN_FIELDS == ("warning_signs", "coping", "distractions", "people_to_ask",
                                             "professionals", "safer_surroundings", "reasons_to_live")
    assert set(plan_rules.SAFETY_PLAN_REQUIRED) == {k.split(".")[1] for k in KEYS}
    assert plan_rules.SECTION_OF["safety_plan"] == "safety_plan"


def test_without_the_alert_no_part_is_required() -> None:
    assert plan_rules.missing_to_finalize(finalizable()) == {}
    assert not KEYS & set(plan_rules.required_fields(finalizable()))


def test_after_the_alert_the_three_parts_are_required_and_named() -> None:
    missing = plan_rules.missing_to_finalize(finalizable(), safety_alert=True)
    assert set(missing) == KEYS
    assert "warning signs" in missing["safety_plan.warning_signs"]
    assert all("safety alert" in message for message in missing.values())
    assert KEYS <= set(plan_rules.required_fields(finalizable(), safety_alert=True))


@pytest.mark.parametrize("left_out", sorted(FILLED))
def test_each_of_the_three_is_needed_and_blanks_do_not_count(left_out: str) -> None:
    plan = finalizable()
    plan["safety_plan"] = {**FILLED, left_out: ""}
    assert set(plan_rules.missing_to_finalize(plan, safety_alert=True)) == {f"safety_plan.{left_out}"}
    plan["safety_plan"] = {**FILLED, left_out: "   \n "}
    assert set(plan_rules.missing_to_finalize(plan, safety_alert=True)) == {f"safety_plan.{left_out}"}
    plan["safety_plan"] = dict(FILLED)  # exactly the three: enough (the other parts are optional)
    assert plan_rules.missing_to_finalize(plan, safety_alert=True) == {}


# --- the service ----------------------------------------------------------------------------------


def test_finalize_is_refused_after_the_alert_until_the_safety_plan_is_written(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(
        db, admin, intake_data=complete_draft(mental_health={"asq": dict(ASQ_POSITIVE)}))
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    assert view.safety_alert_raised and KEYS <= set(view.missing)
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    with pytest.raises(ValidationError) as info:
        plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert set(info.value.fields) == KEYS
    assert plans.versions(db, counselor, view.id) == []
    draft = complete_plan(view.draft, entry.id) | {"safety_plan": dict(FILLED)}
    saved = plans.save_draft(db, counselor, view.id, saved.version, draft)
    plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    [version] = plans.versions(db, counselor, view.id)
    assert version.number == 1


def test_an_alert_ended_by_a_safety_assessment_still_needs_the_safety_plan(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False,
                                             intake_data=complete_draft(mental_health={"asq": dict(ASQ_POSITIVE)}))
    clinician = make_user(db, admin, "prescriber", "dr-safety")
    stabilization.record_safety_assessment(db, clinician, episode_id, "low", "Safety plan started")
    assert not stabilization.safety_alert_active(db, clinician, episode_id)
    stabilization.move_to_transition(db, clinician, episode_id)
    view = plans.open_plan(db, counselor, episode_id)
    assert view.safety_alert_raised and KEYS <= set(view.missing)


def test_without_the_alert_the_plan_finalizes_with_no_safety_plan(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    assert not view.safety_alert_raised and not KEYS & set(view.missing)
    assert view.draft["safety_plan"] == {}
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert len(plans.versions(db, counselor, view.id)) == 1
