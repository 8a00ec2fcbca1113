"""Passwords, sign-in, lockout and roles — all enforced in the services."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from clinic_desktop.core.errors import (
    AccountLocked,
    AuthenticationError,
    PermissionDenied,
    ValidationError,
)
from clinic_desktop.core.models import AuditEvent, User
from clinic_desktop.core.services import accounts, patients
from clinic_desktop.core.services import settings as settings_service
from tests.conftest import STRONG_PASSWORD, make_user


def actions(db):
    with db.read() as s:
        return [e.action for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


@pytest.mark.parametrize("password, ok", [
    ("short pass", False),                      # 10 characters
    ("elevenchars", False),
    ("twelve chars", True),                     # no composition rules
    ("Password1234", False),                    # on the common list, whatever the case
    ("qwertyuiop123", False),
    ("aaaaaaaaaaaaaaaa", False),
    ("ñandú pingüino", True),                   # any letters count
])
def test_password_policy(password, ok):
    assert (accounts.password_problem(password) is None) is ok


def test_first_admin_only_once_and_stored_as_argon2id(db):
    admin = accounts.create_first_admin(db, " Admin ", "Ada Admin", STRONG_PASSWORD)
    assert admin.username == "admin" and admin.role.value == "admin"
    with db.read() as s:
        stored = s.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and STRONG_PASSWORD not in stored
    with pytest.raises(ValidationError):
        accounts.create_first_admin(db, "second", "Someone Else", STRONG_PASSWORD)
    assert accounts.has_users(db)


def test_bad_new_user_names_each_field(db, admin):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, admin, "admin", "", "wizard", "short")
    assert set(info.value.fields) == {"username", "full_name", "role", "password"}


def test_sign_in_right_and_wrong_are_audited(db, admin):
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        accounts.authenticate(db, "admin", "not the password at all")
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        accounts.authenticate(db, "nobody", STRONG_PASSWORD)
    user = accounts.authenticate(db, "ADMIN", STRONG_PASSWORD)
    assert user.id == admin.id
    assert actions(db)[-3:] == ["sign_in.failed", "sign_in.failed", "sign_in.succeeded"]


def test_sign_out_is_audited_as_the_person_with_how(db, admin):
    accounts.sign_out(db, admin, "lock screen")
    with db.read() as s:
        event = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
        assert event is not None
        assert (event.action, event.user_id, event.username) == ("sign_out", admin.id, admin.username)
        assert event.detail == {"how": "lock screen"}
    with pytest.raises(ValueError):
        accounts.sign_out(db, admin, "somehow")
    assert actions(db)[-1] == "sign_out"


def test_five_failures_lock_for_fifteen_minutes(db, admin):
    for _ in range(4):
        with pytest.raises(AuthenticationError) as info:
            accounts.authenticate(db, "admin", "wrong password here")
        assert not isinstance(info.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate(db, "admin", "wrong password here")
    remaining = locked.value.until - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=14) < remaining <= dt.timedelta(minutes=15)
    with pytest.raises(AccountLocked):  # even the right password, while locked
        accounts.authenticate(db, "admin", STRONG_PASSWORD)
    assert "account.locked" in actions(db) and actions(db)[-1] == "sign_in.refused_locked"

    with db.write() as s:  # fifteen minutes later
        s.execute(update(User).values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert accounts.authenticate(db, "admin", STRONG_PASSWORD).id == admin.id


def test_lockout_threshold_is_a_clinic_setting(db, admin):
    settings_service.update(db, admin, {"lockout_attempts": 3})
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(db, "admin", "wrong password here")
    with pytest.raises(AccountLocked):
        accounts.authenticate(db, "admin", "wrong password here")


def test_admin_can_unlock(db, admin):
    nurse = make_user(db, admin, "nurse")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(db, nurse.username, "wrong password here")
    accounts.unlock(db, admin, nurse.id)
    assert accounts.authenticate(db, nurse.username, STRONG_PASSWORD).id == nurse.id


@pytest.mark.parametrize("role", ["nurse", "counselor", "prescriber", "viewer"])
def test_only_admins_manage_users_and_settings(db, admin, role):
    someone = make_user(db, admin, role)
    with pytest.raises(PermissionDenied):
        accounts.create_user(db, someone, "x.y", "X Y", "nurse", STRONG_PASSWORD)
    with pytest.raises(PermissionDenied):
        settings_service.update(db, someone, {"idle_lock_minutes": 5})


def test_viewer_is_read_only(db, admin):
    viewer = make_user(db, admin, "viewer")
    with pytest.raises(PermissionDenied):
        patients.register(db, viewer, patients.PatientInput(
            mrn="V-1", given_name="Read", family_name="Only", date_of_birth=dt.date(1990, 1, 1), sex="unknown"))
    assert patients.search(db, viewer, "read") == []


def test_settings_are_validated_and_audited(db, admin):
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"idle_lock_minutes": 0})
    assert "idle_lock_minutes" in info.value.fields
    settings_service.update(db, admin, {"idle_lock_minutes": "5", "clinic_name": " Riverside Detox "})
    assert settings_service.get(db, "idle_lock_minutes") == 5
    assert settings_service.get(db, "clinic_name") == "Riverside Detox"
    assert actions(db)[-1] == "settings.updated"


def test_every_refused_setting_is_named_and_nothing_is_saved(db, admin):
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"idle_lock_minutes": 500, "phone_region": "ZZ",
                                            "clinic_name": "x" * 301, "lockout_minutes": 30})
    assert set(info.value.fields) == {"idle_lock_minutes", "phone_region", "clinic_name"}
    assert settings_service.get(db, "lockout_minutes") == 15
    settings_service.update(db, admin, {"phone_region": "mx"})
    assert settings_service.get(db, "phone_region") == "MX"


def test_change_password(db, admin):
    nurse = make_user(db, admin, "nurse")
    with pytest.raises(ValidationError):
        accounts.change_password(db, nurse, nurse.id, "password1234")
    accounts.change_password(db, nurse, nurse.id, "another long phrase 7")
    assert accounts.authenticate(db, nurse.username, "another long phrase 7").id == nurse.id
    with pytest.raises(PermissionDenied):
        accounts.change_password(db, nurse, admin.id, "another long phrase 8")


def test_confirm_password_is_how_a_clinician_signs(db, admin):
    """One check for signing an intake or a plan: the signer's own password, audited as a
    sign-in; a wrong one is refused next to the password field."""
    from clinic_desktop.core.errors import ValidationError
    from clinic_desktop.core.services import audit as audit_service

    nurse = make_user(db, admin, "nurse", "nina")
    assert accounts.confirm_password(db, nurse, STRONG_PASSWORD).id == nurse.id
    with pytest.raises(ValidationError) as refused:
        accounts.confirm_password(db, nurse, "not the password at all")
    assert refused.value.fields == {"password": accounts.WRONG_OWN_PASSWORD}
    actions = [e.action for e in audit_service.recent(db, admin, limit=5)]
    assert actions[:2] == ["sign_in.failed", "sign_in.succeeded"]


def test_signing_with_a_wrong_password_says_so_plainly_and_when_it_locked_the_account(db, admin):
    """Signed in, the signer is told what happened to their own account: a wrong password is
    that, at each attempt below the threshold (5); the attempt that reaches it, and every one
    after it (the right password too) while locked, says the account is locked."""
    from clinic_desktop.core.errors import ValidationError

    nurse = make_user(db, admin, "nurse", "nina")
    for attempt in range(1, 5):
        with pytest.raises(ValidationError) as wrong:
            accounts.confirm_password(db, nurse, f"not the password {attempt}")
        assert wrong.value.fields == {"password": accounts.WRONG_OWN_PASSWORD}, attempt
    for password in ("not the password 5", STRONG_PASSWORD):
        with pytest.raises(ValidationError) as locked:
            accounts.confirm_password(db, nurse, password)
        assert locked.value.fields == {"password": accounts.OWN_ACCOUNT_LOCKED}
    accounts.unlock(db, admin, nurse.id)
    assert accounts.confirm_password(db, nurse, STRONG_PASSWORD).id == nurse.id
