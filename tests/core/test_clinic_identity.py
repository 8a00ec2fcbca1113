"""The clinic has a name before anything prints (#15 item 6): the first start records the
clinic's name, address and phone with the administrator, in one transaction; every print path
(plan preview, finalize, a finalized version, the console export, the referral letter, the
shift handover) refuses while any of the three is blank, saying an administrator sets them."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import clock
from clinic_desktop.core.errors import ClinicIdentityMissing, ValidationError
from clinic_desktop.core.services import accounts, audit, handover, plans
from clinic_desktop.core.services import settings as settings_service
from tests.conftest import (
    CLINIC,
    STRONG_PASSWORD,
    blank_clinic_setting,
    first_admin_without_clinic,
    make_user,
)
from tests.factories import plan_with_consent

TODAY = dt.date.today()


# --- the first start ---------------------------------------------------------------------------


def test_first_admin_saves_the_clinic_identity_in_the_same_transaction(db):
    admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD,
                                        clinic={**CLINIC, "clinic_name": "  Riverbend Clinic "})
    values = settings_service.get_all(db)
    assert (values["clinic_name"], values["clinic_address"], values["clinic_phone"]) == (
        "Riverbend Clinic", CLINIC["clinic_address"], CLINIC["clinic_phone"])
    [event] = [e for e in audit.recent(db, admin) if e.action == "settings.updated"]
    assert event.username == "admin"
    assert set(event.detail["changes"]) == set(settings_service.IDENTITY_KEYS)


@pytest.mark.parametrize("blank", ["clinic_name", "clinic_address", "clinic_phone"])
def test_first_admin_refuses_a_blank_clinic_field_and_saves_nothing(db, blank):
    with pytest.raises(ValidationError) as info:
        accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD,
                                    clinic={**CLINIC, blank: "   "})
    assert set(info.value.fields) == {blank}
    assert not accounts.has_users(db)
    assert settings_service.get(db, blank) == ""


def test_first_admin_names_account_and_clinic_refusals_together(db):
    with pytest.raises(ValidationError) as info:
        accounts.create_first_admin(db, "", "Ada Admin", STRONG_PASSWORD,
                                    clinic={"clinic_name": "Riverbend", "clinic_address": "", "clinic_phone": ""})
    assert set(info.value.fields) == {"username", "clinic_address", "clinic_phone"}
    assert not accounts.has_users(db)


def test_first_admin_clinic_text_at_and_above_the_length_limit(db):
    longest = "x" * settings_service.MAX_TEXT
    with pytest.raises(ValidationError) as info:
        accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD,
                                    clinic={**CLINIC, "clinic_name": longest + "x"})
    assert set(info.value.fields) == {"clinic_name"}
    accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD, clinic={**CLINIC, "clinic_name": longest})
    assert settings_service.get(db, "clinic_name") == longest


# --- the rule ----------------------------------------------------------------------------------


def test_require_identity_names_what_is_missing_and_where_it_is_set():
    settings_service.require_identity(CLINIC)  # all three: prints
    with pytest.raises(ClinicIdentityMissing) as info:
        settings_service.require_identity({**CLINIC, "clinic_phone": " "})
    assert "clinic's phone is set" in str(info.value) and "Clinic settings" in str(info.value)
    with pytest.raises(ClinicIdentityMissing, match="name, address and phone are set"):
        settings_service.require_identity({})
    assert isinstance(info.value, ValidationError)  # shown like any refusal, next to the action


@pytest.mark.parametrize("key", settings_service.IDENTITY_KEYS)
def test_clinic_settings_refuse_to_blank_the_clinic_identity_and_save_nothing(db, admin, key):
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as info:
            settings_service.update(db, admin, {key: blank, "idle_lock_minutes": 7})
        assert set(info.value.fields) == {key} and "prints it" in info.value.fields[key]
    assert settings_service.get(db, key) == CLINIC[key] and settings_service.get(db, "idle_lock_minutes") == 10
    settings_service.update(db, admin, {key: " x ", "idle_lock_minutes": 7})  # one character is a value
    assert settings_service.get(db, key) == "x"


def test_other_settings_still_save_on_a_database_whose_clinic_was_never_named(db):
    admin = first_admin_without_clinic(db)
    settings_service.update(db, admin, {"idle_lock_minutes": 7})
    assert settings_service.get(db, "idle_lock_minutes") == 7
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"clinic_name": "Riverbend", "clinic_address": "", "clinic_phone": ""})
    assert set(info.value.fields) == {"clinic_address", "clinic_phone"}


# --- every print path --------------------------------------------------------------------------


@pytest.fixture
def finalized(db, admin):
    """A finalized plan (version 1) with a consent to its referral, printed with a clinic."""
    counselor = make_user(db, admin, "counselor")
    ready = plan_with_consent(db, admin, counselor)
    plan_id, episode_id = ready["plan_id"], ready["episode_id"]
    plans.finalize(db, counselor, plan_id, ready["saved"].version, STRONG_PASSWORD)
    draft = plans.open_plan(db, counselor, episode_id)
    changed = plans.save_draft(db, counselor, plan_id, draft.version, {**draft.draft, "level": "outpatient"})
    return {"counselor": counselor, "plan_id": plan_id, "version": changed.version, "consent": ready["consent"],
            "episode_id": episode_id, "mrn": ready["patient"].mrn}


def _print_paths(db, f):
    counselor, plan_id = f["counselor"], f["plan_id"]
    return {
        "preview": lambda: plans.preview_pdf(db, counselor, plan_id),
        "finalize": lambda: plans.finalize(db, counselor, plan_id, f["version"], STRONG_PASSWORD),
        "version": lambda: plans.version_pdf(db, counselor, plan_id, 1),
        "console": lambda: plans.export_plan_from_console(db, f["mrn"]),
        "console draft": lambda: plans.export_plan_from_console(db, f["mrn"], language="es"),
        "letter": lambda: plans.referral_letter(db, counselor, plan_id, f["consent"].id, ["medication"]),
        "handover": lambda: handover.print_handover(db, counselor, clock.now(), [f["episode_id"]]),
    }


PATHS = ["preview", "finalize", "version", "console", "console draft", "letter", "handover"]
PRINT_EVENTS = {"plan.draft_printed", "plan.finalized", "plan.printed", "plan.letter_exported",
                "handover.printed"}


#: Each path with one of the three blanked, in turn (the rule itself is tested for each above).
@pytest.mark.parametrize(("path", "missing"), [
    (path, settings_service.IDENTITY_KEYS[n % 3]) for n, path in enumerate(PATHS)])
def test_every_print_path_is_refused_without_the_clinic_identity(db, admin, finalized, path, missing):
    blank_clinic_setting(db, missing)
    before = [e.seq for e in audit.recent(db, admin) if e.action in PRINT_EVENTS]
    with pytest.raises(ClinicIdentityMissing, match="Clinic settings"):
        _print_paths(db, finalized)[path]()
    after = [e.seq for e in audit.recent(db, admin) if e.action in PRINT_EVENTS]
    assert after == before  # nothing printed, nothing recorded
    assert len(plans.versions(db, finalized["counselor"], finalized["plan_id"])) == 1


@pytest.mark.parametrize("path", PATHS)
def test_every_print_path_prints_with_the_clinic_identity(db, admin, finalized, path):
    result = _print_paths(db, finalized)[path]()
    assert result is not None


def test_the_referral_letter_is_signed_with_the_full_name_and_role(db, admin, finalized, monkeypatch):
    from clinic_desktop.reports import letter as letter_report

    signers, real = [], letter_report.render_letter_pdf

    def keep(doc):
        signers.append(doc.signer)
        return real(doc)

    monkeypatch.setattr(letter_report, "render_letter_pdf", keep)
    plans.referral_letter(db, finalized["counselor"], finalized["plan_id"], finalized["consent"].id, [])
    assert signers == [("Test Counselor", "Counselor", CLINIC["clinic_name"])]
    assert finalized["counselor"].username not in signers[0]
