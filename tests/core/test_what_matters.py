"""What matters to the patient, from day one (#16 item 5): the intake's social section keeps the
patient's reasons for recovery, strengths, people they trust and routines that help, in their
words, never required; a new plan starts its relapse prevention and "My day" from them (editable);
the printed plan has "My day" in both languages when it is written."""

from __future__ import annotations

import pytest

from clinic_desktop.core import assessment
from clinic_desktop.core import plan as rules
from clinic_desktop.core.services import plans
from clinic_desktop.reports import i18n
from clinic_desktop.reports import plan as rp
from tests.factories import admit_with_signed_intake, complete_draft
from tests.reports.test_plan_report import build

SAID = {"reasons": "My daughter. Getting my job back.", "strengths": "I keep going; I cook well.",
        "trusted_people": "My sister Ana, (217) 555-0142", "routines": "Walk the dog at 7; lunch at noon; bed by 11."}


def test_what_matters_is_kept_with_the_social_history_and_never_required():
    data = complete_draft(social={"reasons": "  My daughter.  "})
    assert assessment.complete_section("social", data["social"])["reasons"] == "My daughter."
    assert [key for key, _ in assessment.WHAT_MATTERS] == ["reasons", "strengths", "trusted_people", "routines"]
    assert not [m for m in assessment.section_missing("social", complete_draft(social={}), None)
                if m.key.split(".")[-1] in SAID]


def test_a_new_plan_starts_from_what_matters():
    plan = rules.prefill({"social": SAID}, "buprenorphine_induction")
    assert plan["relapse"]["reasons"] == SAID["reasons"]
    assert plan["relapse"]["people_to_call"] == SAID["trusted_people"]
    assert plan["relapse"]["coping"] == SAID["strengths"]
    assert plan["my_day"] == {"routine": SAID["routines"], "self_care": ""}
    empty = rules.prefill({}, None)
    assert empty["my_day"] == {"routine": "", "self_care": ""} and empty["relapse"]["reasons"] == ""


def test_the_plan_opened_after_the_intake_is_prefilled_and_stays_editable(db, admin):
    episode_id, _ = admit_with_signed_intake(db, admin, intake_data=complete_draft(social=SAID))
    view = plans.open_plan(db, admin, episode_id)
    assert view.draft["relapse"]["reasons"] == SAID["reasons"] and view.draft["my_day"]["routine"] == SAID["routines"]
    changed = {**view.draft, "my_day": {"routine": "Walk at 8", "self_care": "Music"}}
    plans.save_draft(db, admin, view.id, view.version, changed)
    assert plans.open_plan(db, admin, episode_id).draft["my_day"] == {"routine": "Walk at 8", "self_care": "Music"}


@pytest.mark.parametrize(("language", "heading", "routine"), [
    ("en", "My day", "My daily routine"), ("es", "Mi día", "Mi rutina de cada día")])
def test_my_day_prints_after_the_relapse_plan_when_written(language, heading, routine):
    from tests.reports.test_plan_report import PLAN

    doc = build(plan={**PLAN, "my_day": {"routine": "Walk at 8", "self_care": ""}}, language=language)
    keys = doc.section_keys
    assert keys.index("my_day") == keys.index("relapse") + 1
    section = doc.section("my_day")
    assert section.heading == heading and [(line.label, line.value) for line in section.lines] == [
        (routine, "Walk at 8")]  # only what is written
    assert i18n.text(language, "my_day.self_care")  # both parts have words in both languages
    assert "my_day" not in build(plan={**PLAN, "my_day": {"routine": " ", "self_care": ""}}).section_keys
    assert "my_day" in rp.SECTION_ORDER
