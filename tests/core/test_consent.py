"""When a referral letter may go out under a consent (CLINICAL.md §5, 42 CFR Part 2): pure
rules, no database (core/consent.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from clinic_desktop.core import consent
from clinic_desktop.core.errors import ValidationError

TODAY = dt.date(2026, 11, 28)


def signed(**overrides):
    values = {"revoked_at": None, "expires_on": dt.date(2027, 5, 28), "directory_entry_id": 7,
              "recipient_name": "Northside IOP"}
    values.update(overrides)
    return SimpleNamespace(**values)


def test_a_consent_is_valid_through_its_last_day():
    assert not consent.expired(dt.date(2026, 11, 28), TODAY)
    assert consent.expired(dt.date(2026, 11, 27), TODAY)
    assert consent.expired(None, TODAY)
    consent.check_letter(signed(expires_on=TODAY), today=TODAY, entry_id=7, recipient_name="")


def test_revoked_expired_and_other_recipient_are_refused_with_the_message_staff_see():
    with pytest.raises(ValidationError, match="^The patient has revoked this consent: no letter"):
        consent.check_letter(signed(revoked_at=dt.datetime(2026, 11, 1)), today=TODAY, entry_id=7,
                             recipient_name="Northside IOP")
    with pytest.raises(ValidationError, match="^This consent expired on 2026-11-27: ask the patient"):
        consent.check_letter(signed(expires_on=dt.date(2026, 11, 27)), today=TODAY, entry_id=7,
                             recipient_name="Northside IOP")
    with pytest.raises(ValidationError, match="^This consent is for 'Northside IOP', not for 'Hope House'"):
        consent.check_letter(signed(), today=TODAY, entry_id=8, recipient_name="Hope House")


def test_a_referral_without_a_directory_entry_is_matched_by_name():
    consent.check_letter(signed(), today=TODAY, entry_id=None, recipient_name="  northside iop ")
    with pytest.raises(ValidationError, match="not for"):
        consent.check_letter(signed(), today=TODAY, entry_id=None, recipient_name="Hope House")


def test_a_consent_to_a_person_never_serves_a_letter_to_a_provider():
    # a consent without a directory entry names a person (a family member, #16)
    for entry_id in (8, None):
        with pytest.raises(ValidationError, match="a person, not a provider"):
            consent.check_letter(signed(directory_entry_id=None), today=TODAY, entry_id=entry_id,
                                 recipient_name="Northside IOP")


def test_a_revoked_flag_is_read_before_revoked_at():
    with pytest.raises(ValidationError, match="revoked"):
        consent.check_letter(SimpleNamespace(revoked=True, expires_on=None), today=TODAY, entry_id=None,
                             recipient_name="")


def test_only_known_information_items():
    consent.check_items(list(consent.INFORMATION_ITEMS))
    with pytest.raises(ValidationError) as refused:
        consent.check_items(["medication", "people"])
    assert str(refused.value) == ("Unknown information item(s) ['people']; choose from "
                                  "['medication', 'level', 'therapies', 'follow_ups', 'relapse'].")


@pytest.mark.parametrize("key", list(consent.INFORMATION_ITEMS))
def test_a_letter_may_share_an_item_only_when_the_consent_covers_it(key):
    others = [k for k in consent.INFORMATION_ITEMS if k != key]
    consent.check_covered(signed(items=[key]), [key])
    consent.check_covered(signed(items=others), others)
    with pytest.raises(ValidationError) as refused:
        consent.check_covered(signed(items=others), [*others, key])
    assert str(refused.value) == (f"The patient did not consent to share: {consent.INFORMATION_ITEMS[key]}. "
                                  "Leave it out, or record a new consent that covers it.")


def test_the_refusal_names_every_uncovered_item_in_print_order():
    with pytest.raises(ValidationError, match="share: Counseling approaches, Relapse-prevention plan. "
                                              "Leave them out"):
        consent.check_covered(signed(items=["level"]), ["relapse", "level", "therapies"])
    with pytest.raises(ValidationError, match="Unknown"):
        consent.check_covered(signed(items=["level"]), ["diagnosis"])


def test_a_consent_recorded_before_items_covers_none():
    legacy = signed(items=None)
    assert consent.covered(legacy) == () and consent.covered(signed(items=[])) == ()
    consent.check_covered(legacy, [])
    with pytest.raises(ValidationError, match="before itemized consents.*Record a new consent"):
        consent.check_covered(legacy, ["follow_ups"])


def test_items_are_kept_in_print_order_and_labelled():
    assert consent.ordered(["relapse", "medication", "relapse"]) == ("medication", "relapse")
    assert consent.labels(["follow_ups", "level"]) == ("Level of aftercare", "Follow-up appointments")
    assert consent.covered(signed(items=["relapse", "gone", "medication"])) == ("medication", "relapse")
