"""A pregnant patient's plan proposes a referral to prenatal and obstetric care (#15 item 11,
CLINICAL.md §7): recommended until one of the plan's referrals is of that kind, never required to
finalize (pregnancy is never a block)."""

from __future__ import annotations

import pytest

from clinic_desktop.core import assessment, directory
from clinic_desktop.core import plan as rules
from clinic_desktop.core.services import directory as directory_service
from clinic_desktop.core.services import patient_facts, plans
from tests.conftest import make_user
from tests.factories import admit_with_signed_intake, complete_draft, local_entry


@pytest.mark.parametrize(("answer", "pregnant"), [("yes", True), ("no", False), ("unknown", False),
                                                  ("not_applicable", False), (None, False)])
def test_only_a_recorded_pregnancy_counts(answer, pregnant):
    assert assessment.pregnant({"medical": {"pregnancy": answer}}) is pregnant
    assert assessment.pregnant({}) is False


def test_the_obstetric_referral_is_recommended_until_a_referral_is_of_that_kind():
    assert set(rules.recommended(True, [])) == {rules.OBSTETRIC_REFERRAL}
    assert rules.OBSTETRIC_REFERRAL in rules.recommended(True, ["outpatient_program", "sober_living"])
    assert rules.recommended(True, ["outpatient_program", directory.OBSTETRIC_CARE]) == {}
    assert rules.recommended(False, []) == {}
    assert "finalizing does not need it" in rules.recommended(True, [])[rules.OBSTETRIC_REFERRAL]


def test_the_directory_knows_the_kind_and_a_contact_check_carries_it(db, admin):
    assert directory.OBSTETRIC_CARE in directory_service.KINDS
    entry = local_entry(db, admin, "Lakeview Prenatal (invented)", kind=directory.OBSTETRIC_CARE)
    check = directory.check_contact(entry, directory_service.clinic_today(), 180)
    assert check.kind == directory.OBSTETRIC_CARE and "Prenatal and obstetric care" in check.title


def test_the_plan_view_says_pregnant_from_the_signed_intake_and_finalizing_never_needs_the_referral(db, admin):
    pregnant_episode, _ = admit_with_signed_intake(
        db, admin, mrn="P-9", intake_data=complete_draft(medical={"pregnancy": "yes"}))
    other_episode, _ = admit_with_signed_intake(db, admin, mrn="P-10")
    view = plans.open_plan(db, admin, pregnant_episode)
    assert view.pregnant is True and plans.open_plan(db, admin, other_episode).pregnant is False
    assert not any(key.startswith(rules.OBSTETRIC_REFERRAL) for key in view.missing)


def test_a_pregnancy_found_during_the_stay_counts_and_a_corrected_one_stops_counting(db, admin):
    episode_id, _ = admit_with_signed_intake(db, admin, intake_data=complete_draft(medical={"pregnancy": "yes"}))
    prescriber = make_user(db, admin, "prescriber")
    patient_facts.update(db, prescriber, episode_id, patient_facts.get(db, prescriber, episode_id).version,
                         {"pregnancy": "no"})
    assert plans.open_plan(db, admin, episode_id).pregnant is False
    other, _ = admit_with_signed_intake(db, admin, mrn="P-11")
    patient_facts.update(db, prescriber, other, patient_facts.get(db, prescriber, other).version,
                         {"pregnancy": "yes"})
    assert plans.open_plan(db, admin, other).pregnant is True
