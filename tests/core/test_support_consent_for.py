"""The session form's live consent line (#16 item 4): ``support.consent_for`` finds the episode's
active consent naming the family member (accent- and case-blind), and nothing for another
person, a revoked consent, one past its last day or one not yet signed."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core.errors import PermissionDenied
from clinic_desktop.core.services import plans, support
from tests.conftest import make_user
from tests.factories import admit_without_intake

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def episode(db, admin):
    return admit_without_intake(db, admin)


def person_consent(db, user, episode_id, name="Rosa Stáble", *, signed_on=TODAY, expires_on=TODAY + dt.timedelta(days=30)):
    return plans.record_consent(db, user, episode_id, plans.ConsentInput(
        None, "Family support during detox", ("relapse",), expires_on, signed_on,
        person_name=name, person_relationship="sister"), today=signed_on)


def test_the_consent_naming_the_person_is_found_whatever_the_case_and_accents(db, counselor, episode):
    consent = person_consent(db, counselor, episode.id)
    found = support.consent_for(db, counselor, episode.id, "  rosa STABLE ", today=TODAY)
    assert found == support.PersonConsent(consent.id, "Rosa Stáble", "sister", TODAY + dt.timedelta(days=30))
    assert support.consent_for(db, counselor, episode.id, "Luis Stable", today=TODAY) is None
    assert support.consent_for(db, counselor, episode.id, "   ", today=TODAY) is None


def test_only_while_it_is_active_its_last_day_included(db, counselor, episode):
    consent = person_consent(db, counselor, episode.id, expires_on=TODAY + dt.timedelta(days=1))
    last_day = TODAY + dt.timedelta(days=1)
    assert support.consent_for(db, counselor, episode.id, "Rosa Stáble", today=last_day).id == consent.id
    assert support.consent_for(db, counselor, episode.id, "Rosa Stáble", today=last_day + dt.timedelta(days=1)) is None
    assert support.consent_for(db, counselor, episode.id, "Rosa Stáble", today=TODAY - dt.timedelta(days=1)) is None
    plans.revoke_consent(db, counselor, consent.id)
    assert support.consent_for(db, counselor, episode.id, "Rosa Stáble", today=TODAY) is None


def test_a_viewer_reads_it_and_another_episodes_consent_does_not_count(db, admin, counselor, episode):
    viewer = make_user(db, admin, "viewer")
    person_consent(db, counselor, episode.id)
    assert support.consent_for(db, viewer, episode.id, "Rosa Stáble", today=TODAY) is not None
    other = admit_without_intake(db, admin, mrn="S-2", given="Gale", family="Other")
    assert support.consent_for(db, counselor, other.id, "Rosa Stáble", today=TODAY) is None  # another episode's


def test_a_user_without_access_reads_nothing(db, admin, episode, monkeypatch):
    from clinic_desktop.core import permissions

    counselor = make_user(db, admin, "counselor")
    monkeypatch.setitem(permissions.PERMISSIONS, "patients.view", frozenset())
    with pytest.raises(PermissionDenied):
        support.consent_for(db, counselor, episode.id, "Rosa", today=TODAY)
