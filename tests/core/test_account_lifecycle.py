"""Staff change (issue #18 item 2): deactivate and reactivate an account, change its role, ask for
a new password at the next sign-in, change one's own password; never without an active
administrator; every change audited with who made it; on an encrypted database a deactivated
account's key wrap goes. Invented people only."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from clinic_desktop.core import keys
from clinic_desktop.core.errors import (
    AuthenticationError,
    DatabaseProblem,
    PermissionDenied,
    ValidationError,
)
from clinic_desktop.core.models import AuditEvent, Role, User
from clinic_desktop.core.services import accounts, vault
from tests.conftest import CLINIC, STRONG_PASSWORD, encrypted_clinic, make_user

NEW_PASSWORD = "copper meadow falcon 17"
OWN_PASSWORD = "quiet lantern orchard 58"


def events(db, action: str) -> list[AuditEvent]:
    with db.read() as session:
        found = list(session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                     .order_by(AuditEvent.seq)).scalars())
        session.expunge_all()
        return found


def view_of(db, admin, username: str) -> accounts.UserView:
    return next(u for u in accounts.list_users(db, admin) if u.username == username)


# -- deactivate ----------------------------------------------------------------------------------

def test_a_deactivated_account_is_refused_as_a_wrong_password_and_keeps_its_history(db, admin, nurse):
    view = accounts.deactivate(db, admin, nurse.id)
    assert not view.active
    with pytest.raises(AuthenticationError) as refused:
        accounts.authenticate(db, "nurse1", STRONG_PASSWORD)
    assert str(refused.value) == accounts.WRONG_CREDENTIALS
    with pytest.raises(AuthenticationError) as wrong:
        accounts.authenticate(db, "nurse1", "not the password at all")
    assert str(wrong.value) == str(refused.value)  # nothing tells a deactivated name apart
    [failed, _wrong] = events(db, "sign_in.failed")
    assert failed.username == "nurse1" and failed.detail == {"reason": "inactive account"}
    # The account, its name and its history stay.
    assert view_of(db, admin, "nurse1").full_name == "Test Nurse"
    [created] = [e for e in events(db, "user.created") if e.entity_id == str(nurse.id)]
    assert created.detail["username"] == "nurse1"
    [deactivated] = events(db, "user.deactivated")
    assert (deactivated.user_id, deactivated.username, deactivated.entity_id) == (admin.id, "admin", str(nurse.id))
    assert deactivated.detail == {"username": "nurse1", "role": "nurse", "key_wrap_removed": False}
    with pytest.raises(ValidationError, match="already deactivated"):
        accounts.deactivate(db, admin, nurse.id)


def test_a_deactivated_account_gets_no_password_and_no_password_change(db, admin, nurse):
    accounts.deactivate(db, admin, nurse.id)
    with pytest.raises(ValidationError, match="reactivate"):
        accounts.change_password(db, admin, nurse.id, NEW_PASSWORD)
    with pytest.raises(ValidationError, match="reactivate"):
        accounts.require_password_change(db, admin, nurse.id)
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nurse1", NEW_PASSWORD)


def test_nobody_deactivates_their_own_account(db, admin):
    second = make_user(db, admin, "admin", "second")
    with pytest.raises(ValidationError, match="your own account"):
        accounts.deactivate(db, second, second.id)
    assert view_of(db, admin, "second").active


@pytest.mark.parametrize("role", ["nurse", "counselor", "prescriber", "viewer"])
def test_only_administrators_change_accounts(db, admin, role):
    someone = make_user(db, admin, role)
    other = make_user(db, admin, "nurse", "other")
    for call in (lambda: accounts.deactivate(db, someone, other.id),
                 lambda: accounts.reactivate(db, someone, other.id, NEW_PASSWORD),
                 lambda: accounts.change_role(db, someone, other.id, "admin"),
                 lambda: accounts.require_password_change(db, someone, other.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert view_of(db, admin, "other").role == Role.NURSE


def test_a_deactivated_or_demoted_administrators_open_session_no_longer_manages_accounts(db, admin, nurse):
    second = make_user(db, admin, "admin", "second")
    accounts.deactivate(db, admin, second.id)
    with pytest.raises(PermissionDenied, match="sign in again"):
        accounts.deactivate(db, second, nurse.id)  # their window was still open
    third = make_user(db, admin, "admin", "third")
    accounts.change_role(db, admin, third.id, "nurse")
    with pytest.raises(PermissionDenied, match="sign in again"):
        accounts.require_password_change(db, third, nurse.id)
    assert view_of(db, admin, "nurse1").active


# -- the last active administrator -----------------------------------------------------------------

@pytest.mark.parametrize(("active_admins", "allowed"), [(1, False), (2, True), (3, True)])
def test_the_last_active_administrator_is_never_deactivated(db, admin, active_admins, allowed):
    others = [make_user(db, admin, "admin", f"admin{n}") for n in range(2, active_admins + 1)]
    target = others[0] if others else admin
    actor = admin if others else None  # alone, only the console could try (not oneself)
    if allowed:
        assert not accounts.deactivate(db, actor, target.id).active
    else:
        with pytest.raises(ValidationError, match="last active administrator"):
            accounts.deactivate_from_console(db, target.username)
        assert view_of(db, admin, target.username).active
        assert events(db, "user.deactivated") == []


@pytest.mark.parametrize(("active_admins", "allowed"), [(1, False), (2, True)])
def test_the_last_active_administrator_is_never_demoted(db, admin, active_admins, allowed):
    if active_admins == 2:
        make_user(db, admin, "admin", "second")
    if allowed:
        assert accounts.change_role(db, admin, admin.id, "prescriber").role == Role.PRESCRIBER
    else:
        with pytest.raises(ValidationError) as refused:
            accounts.change_role(db, admin, admin.id, "prescriber")
        assert "last active administrator" in refused.value.fields["role"]
        assert view_of(db, admin, "admin").role == Role.ADMIN


def test_a_deactivated_administrator_does_not_count(db, admin):
    second = make_user(db, admin, "admin", "second")
    third = make_user(db, admin, "admin", "third")
    accounts.deactivate(db, admin, third.id)
    accounts.deactivate(db, admin, second.id)  # two were active: allowed
    with pytest.raises(ValidationError, match="last active administrator"):
        accounts.change_role(db, admin, admin.id, "nurse")
    with pytest.raises(ValidationError, match="last active administrator"):
        accounts.deactivate_from_console(db, "admin")
    # A deactivated administrator is demoted freely: they do not count.
    assert accounts.change_role(db, admin, second.id, "viewer").role == Role.VIEWER
    # Reactivated, they count again.
    accounts.reactivate(db, admin, third.id, NEW_PASSWORD)
    assert accounts.change_role(db, admin, admin.id, "prescriber").role == Role.PRESCRIBER


@pytest.fixture
def two_admins(any_db):
    first = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    second = make_user(any_db, first, "admin", "second")
    return any_db, first, second


@pytest.mark.parametrize("how", ["deactivate", "demote"])
def test_two_administrators_removing_each_other_at_once_leave_one(two_admins, monkeypatch, how):
    """Both check "another active administrator is left" at the same moment: without the rows
    locked, both would see two and both go. With them, the second waits for the first, then
    sees one and is refused."""
    db, first, second = two_admins
    # Each waits, once it has counted the administrators and changed its row but before writing
    # it, for the other to get as far (at most 2 s: a second that waits for the first's lock,
    # as it must, never comes).
    counted = threading.Barrier(2, timeout=2)
    real_flush = accounts.Session.flush

    def slow_flush(self, *args, **kwargs):
        if any(isinstance(row, User) for row in self.dirty):
            try:
                counted.wait()
            except threading.BrokenBarrierError:
                pass
        return real_flush(self, *args, **kwargs)

    monkeypatch.setattr(accounts.Session, "flush", slow_flush)
    outcomes: dict[str, object] = {}

    def remove(name, actor, target) -> None:
        try:
            if how == "deactivate":
                outcomes[name] = accounts.deactivate(db, actor, target.id)
            else:
                outcomes[name] = accounts.change_role(db, actor, target.id, "nurse")
        except Exception as exc:  # noqa: BLE001 - the refusal is the result looked at
            outcomes[name] = exc

    threads = [threading.Thread(target=remove, args=("first", first, second)),
               threading.Thread(target=remove, args=("second", second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.undo()
    refused = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError | PermissionDenied)
    # Asked as the one who is left (the other is refused from their next action on).
    winner = first if outcomes["first"] is not refused[0] else second
    left = [u for u in accounts.list_users(db, winner) if u.active and u.role == Role.ADMIN]
    assert [u.id for u in left] == [winner.id]


# -- reactivate, role, must change password -------------------------------------------------------

def test_reactivation_needs_a_new_password_that_must_be_changed_at_sign_in(db, admin, nurse):
    accounts.deactivate(db, admin, nurse.id)
    with pytest.raises(ValidationError) as weak:
        accounts.reactivate(db, admin, nurse.id, "too short")
    assert set(weak.value.fields) == {"password"}
    assert not view_of(db, admin, "nurse1").active
    view = accounts.reactivate(db, admin, nurse.id, NEW_PASSWORD)
    assert view.active and view.must_change_password
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nurse1", STRONG_PASSWORD)  # the old password is gone
    signed_in = accounts.authenticate(db, "nurse1", NEW_PASSWORD)
    assert signed_in.must_change_password
    [event] = events(db, "user.reactivated")
    assert (event.user_id, event.entity_id) == (admin.id, str(nurse.id))
    assert event.detail == {"username": "nurse1", "role": "nurse", "must_change_password": True}
    assert NEW_PASSWORD not in str(event.detail)
    with pytest.raises(ValidationError, match="active already"):
        accounts.reactivate(db, admin, nurse.id, NEW_PASSWORD)
    # They choose their own: asked no more.
    changed = accounts.change_own_password(db, signed_in, NEW_PASSWORD, OWN_PASSWORD)
    assert not changed.must_change_password
    assert not accounts.authenticate(db, "nurse1", OWN_PASSWORD).must_change_password


def test_a_role_change_is_audited_and_takes_effect_at_the_next_sign_in(db, admin, nurse):
    assert not nurse.can("medications.order")
    view = accounts.change_role(db, admin, nurse.id, Role.PRESCRIBER)
    assert view.role == Role.PRESCRIBER
    assert not nurse.can("medications.order")  # the session they have keeps its role
    again = accounts.authenticate(db, "nurse1", STRONG_PASSWORD)
    assert again.role == Role.PRESCRIBER and again.can("medications.order")
    [event] = events(db, "user.role_changed")
    assert event.user_id == admin.id and event.detail == {"username": "nurse1", "from": "nurse", "to": "prescriber"}
    with pytest.raises(ValidationError) as same:
        accounts.change_role(db, admin, nurse.id, "prescriber")
    assert "already" in same.value.fields["role"]
    with pytest.raises(ValidationError) as unknown:
        accounts.change_role(db, admin, nurse.id, "wizard")
    assert unknown.value.fields == {"role": "Choose a role."}


def test_a_password_set_by_an_administrator_must_be_changed_but_ones_own_need_not(db, admin, nurse):
    accounts.change_password(db, admin, nurse.id, NEW_PASSWORD)
    assert accounts.authenticate(db, "nurse1", NEW_PASSWORD).must_change_password
    [event] = events(db, "user.password_changed")
    assert event.user_id == admin.id and event.detail == {"must_change_password": True}
    accounts.change_password(db, admin, admin.id, OWN_PASSWORD)
    assert not accounts.authenticate(db, "admin", OWN_PASSWORD).must_change_password


def test_require_new_password_asks_at_the_next_sign_in_once(db, admin, nurse):
    assert not accounts.authenticate(db, "nurse1", STRONG_PASSWORD).must_change_password
    assert accounts.require_password_change(db, admin, nurse.id).must_change_password
    assert accounts.require_password_change(db, admin, nurse.id).must_change_password  # again: nothing new
    [event] = events(db, "user.password_change_required")
    assert (event.user_id, event.entity_id, event.detail) == (admin.id, str(nurse.id), {"username": "nurse1"})
    signed_in = accounts.authenticate(db, "nurse1", STRONG_PASSWORD)
    assert signed_in.must_change_password  # the password still works: only the window asks
    accounts.change_own_password(db, signed_in, STRONG_PASSWORD, OWN_PASSWORD)
    assert not view_of(db, admin, "nurse1").must_change_password


def test_changing_ones_own_password_checks_the_current_one_as_a_sign_in(db, admin, nurse):
    with pytest.raises(ValidationError) as wrong:
        accounts.change_own_password(db, nurse, "not the password at all", OWN_PASSWORD)
    assert wrong.value.fields == {"current_password": accounts.WRONG_OWN_PASSWORD}
    [failed] = events(db, "sign_in.failed")
    assert failed.detail == {"reason": "wrong password", "attempt": 1}  # counted towards the lockout
    with pytest.raises(ValidationError) as same:
        accounts.change_own_password(db, nurse, STRONG_PASSWORD, STRONG_PASSWORD)
    assert set(same.value.fields) == {"password"} and "different" in same.value.fields["password"]
    with pytest.raises(ValidationError) as weak:
        accounts.change_own_password(db, nurse, STRONG_PASSWORD, "short")
    assert set(weak.value.fields) == {"password"}
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nurse1", OWN_PASSWORD)  # nothing changed so far
    accounts.change_own_password(db, nurse, STRONG_PASSWORD, OWN_PASSWORD)
    assert accounts.authenticate(db, "nurse1", OWN_PASSWORD).id == nurse.id
    [changed] = events(db, "user.password_changed")[-1:]
    assert changed.user_id == nurse.id and changed.detail == {"own": True}


# -- an encrypted database --------------------------------------------------------------------------

NURSE_PASSWORD = "amber meadow kettle 77"


@pytest.fixture
def encrypted(tmp_path, quick_kdf):
    path = tmp_path / "clinic.db"
    encrypted_clinic(path, ("admin", "Avery Admin", "admin", STRONG_PASSWORD),
                     ("nurse", "Noor Nurse", "nurse", NURSE_PASSWORD))
    return path


def test_deactivating_removes_the_key_wrap_and_reactivating_restores_it(encrypted):
    path = encrypted
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        nurse_id = view_of(db, admin, "nurse").id
        accounts.deactivate(db, admin, nurse_id)
        assert not keys.KeyFile.load(keys.key_file_for(path)).has("nurse")
        assert keys.KeyFile.load(keys.key_file_for(path)).has("admin")
        assert events(db, "user.deactivated")[0].detail["key_wrap_removed"] is True
    finally:
        db.dispose()
    with pytest.raises(AuthenticationError):
        vault.unlock(str(path), "nurse", NURSE_PASSWORD)  # their password no longer opens it
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        # The refused attempt reached the audit trail at this open: without its wrap the name is
        # no account's to the key file, which keeps only its length (it may have been a password).
        assert any(e.username == accounts.UNKNOWN_NAME and e.detail["name_length"] == len("nurse")
                   for e in events(db, "sign_in.failed"))
        accounts.reactivate(db, admin, nurse_id, NEW_PASSWORD)
    finally:
        db.dispose()
    with pytest.raises(AuthenticationError):
        vault.unlock(str(path), "nurse", NURSE_PASSWORD)
    db, nurse = vault.unlock(str(path), "nurse", NEW_PASSWORD)
    db.dispose()
    assert nurse.username == "nurse" and nurse.must_change_password


def test_a_key_file_that_cannot_be_written_leaves_the_account_active(encrypted, monkeypatch):
    path = encrypted
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        nurse_id = view_of(db, admin, "nurse").id

        def refuse(self):
            raise DatabaseProblem("Cannot write the key file: disk full.")

        monkeypatch.setattr(keys.KeyFile, "save", refuse)
        with pytest.raises(DatabaseProblem, match="key file"):
            accounts.deactivate(db, admin, nurse_id)
        monkeypatch.undo()
        assert view_of(db, admin, "nurse").active
        assert events(db, "user.deactivated") == []
        assert accounts.authenticate(db, "nurse", NURSE_PASSWORD).username == "nurse"
    finally:
        db.dispose()
    db, nurse = vault.unlock(str(path), "nurse", NURSE_PASSWORD)  # the wrap is still there
    db.dispose()
    assert nurse.username == "nurse"


def test_the_recovery_key_wrap_is_never_removed(tmp_path):
    kf = keys.KeyFile(tmp_path / "x.keys", wraps={keys.RECOVERY: {"sealed": "x"}, "nurse": {"sealed": "y"}})
    kf.remove(keys.RECOVERY)
    kf.remove("nurse")
    kf.remove("nobody")
    assert set(kf.wraps) == {keys.RECOVERY}
