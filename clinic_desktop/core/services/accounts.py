"""User accounts: argon2id passwords, sign-in with lockout, roles. Every attempt is audited."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop import paths
from clinic_desktop.core import clock, keys
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import (
    AccountLocked,
    AuthenticationError,
    PermissionDenied,
    ValidationError,
)
from clinic_desktop.core.models import Role, User, utcnow
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services import settings as settings_service

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
WRONG_CREDENTIALS = "Wrong user name or password."

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both paths take the same time.
    Made on first use: hashing at import would slow every start-up by a fifth of a second."""
    return _hasher.hash("not a real password, only for timing")


@functools.cache
def _common_passwords() -> frozenset[str]:
    text = paths.core_data("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is refused, or None. Length and a common-password list; no composition rules."""
    normal = unicodedata.normalize("NFC", password)
    if len(normal) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few unrelated words work well)."
    if len(normal) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    folded = normal.casefold()
    if folded in _common_passwords() or len(set(folded)) <= 2:
        return "This password is too common; choose something less guessable."
    if username and username.casefold() in folded and len(folded) - len(username) < 8:
        return "The password must not be built from the user name."
    return None


def normalize_username(username: str) -> str:
    return username.strip().casefold()


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    locked_until: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    version: int
    must_change_password: bool = False


def _view(user: User) -> UserView:
    return UserView(
        user.id, user.username, user.full_name, Role(user.role), user.active,
        user.locked_until, user.last_sign_in_at, user.version, user.must_change_password,
    )


def _signed_in(user: User) -> SignedInUser:
    return SignedInUser(user.id, user.username, user.full_name, Role(user.role),
                        must_change_password=user.must_change_password)


def _keep_key_for(db: Database, username: str, password: str, *, only_if_missing: bool = False) -> None:
    """On an encrypted database, wrap its key for ``username``'s ``password`` in the key file, so
    that they can open it at the next start. Called inside the unit of work that stores the
    password: a key file that cannot be written rolls the change back."""
    if db.key is None or db.key_file is None:
        return
    key_file = keys.KeyFile.load(db.key_file)
    if only_if_missing and key_file.has(username):
        return
    key_file.set_password(username, password, db.key)
    key_file.save()


def _drop_key_for(db: Database, username: str) -> bool:
    """On an encrypted database, remove ``username``'s wrap from the key file (a deactivated
    account's password no longer opens it). Called last inside the unit of work that deactivates
    them: a key file that cannot be written rolls the change back. Whether there was a key file."""
    if db.key is None or db.key_file is None:
        return False
    key_file = keys.KeyFile.load(db.key_file)
    key_file.remove(username)
    key_file.save()
    return True


def has_users(db: Database) -> bool:
    with db.read() as session:
        return session.execute(select(func.count(User.id)).where(User.active)).scalar_one() > 0


def _validate_new_user(session: Session, username: str, full_name: str, role: str, password: str) -> dict:
    errors: dict[str, str] = {}
    name = normalize_username(username)
    if not name:
        errors["username"] = "Enter a user name."
    elif len(name) > 64 or any(ch.isspace() for ch in name):
        errors["username"] = "A user name has no spaces and at most 64 characters."
    elif session.execute(select(User.id).where(User.username == name)).first():
        errors["username"] = f"The user name {name!r} is taken."
    if not full_name.strip():
        errors["full_name"] = "Enter the person's full name."
    if role not in {r.value for r in Role}:
        errors["role"] = "Choose a role."
    problem = password_problem(password, name)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    return {"username": name, "full_name": full_name.strip(), "role": role}


def create_first_admin(db: Database, username: str, full_name: str, password: str,
                       clinic: Mapping[str, str] | None = None) -> SignedInUser:
    """The first start: only allowed while the database has no users at all.

    ``clinic``: the clinic's ``clinic_name``, ``clinic_address`` and ``clinic_phone`` (the first
    start asks for all three, so nothing prints with a blank header), saved in the same
    transaction; each blank or refused one is a ValidationError keyed by its setting, together
    with the account's own refusals. Left out (None) only by the console and tests: printing
    is then refused until an administrator fills them in Clinic settings."""
    with db.write() as session:
        if session.execute(select(func.count(User.id))).scalar_one() > 0:
            raise ValidationError({"username": "An administrator already exists; sign in instead."})
        clinic_errors = settings_service.check_identity(clinic) if clinic is not None else {}
        try:
            fields = _validate_new_user(session, username, full_name, Role.ADMIN.value, password)
        except ValidationError as exc:
            raise ValidationError({**exc.fields, **clinic_errors}) from None
        if clinic_errors:
            raise ValidationError(clinic_errors)
        user = User(**fields, password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
        audit.append(session, _signed_in(user), "user.created", entity_type="user", entity_id=user.id,
                     detail={"role": user.role, "first_administrator": True})
        _keep_key_for(db, user.username, password)
        if clinic is not None:
            settings_service.store_identity_in(session, _signed_in(user), clinic)
        return _signed_in(user)


def create_user(db: Database, actor: SignedInUser, username: str, full_name: str, role: str | Role,
                password: str) -> UserView:
    require(actor, "users.manage")
    role = role.value if isinstance(role, Role) else role
    with db.write() as session:
        fields = _validate_new_user(session, username, full_name, role, password)
        user = User(**fields, password_hash=_hasher.hash(password), created_by=actor.id)
        session.add(user)
        session.flush()
        audit.append(session, actor, "user.created", entity_type="user", entity_id=user.id,
                     detail={"username": user.username, "role": user.role})
        _keep_key_for(db, user.username, password)
        return _view(user)


def list_users(db: Database, actor: SignedInUser) -> list[UserView]:
    require(actor, "users.manage")
    with db.read() as session:
        return [_view(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def authenticate(db: Database, username: str, password: str, *, password_proven: bool = False) -> SignedInUser:
    """Sign in. Raises AuthenticationError (or AccountLocked); every outcome is audited.

    ``password_proven``: the password has just unwrapped this account's key of the encrypted
    database (:func:`clinic_desktop.core.services.vault.unlock`), which proves it as well as the
    hash would (the wrap is made in the same transaction as the hash, every time): the second
    argon2id is skipped, everything else (active, locked, audited) is checked as always."""
    name = normalize_username(username)
    now = utcnow()
    failure: AuthenticationError | None = None
    with db.write() as session:
        conf = settings_service.read_in(session)
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is None or not user.active:
            _verify(_dummy_hash(), password)
            audit.append(session, None, "sign_in.failed", username=name[:64],
                         detail={"reason": "unknown or inactive user"})
            failure = AuthenticationError(WRONG_CREDENTIALS)
        elif user.locked_until is not None and user.locked_until > now:
            audit.append(session, None, "sign_in.refused_locked", username=user.username,
                         entity_type="user", entity_id=user.id)
            failure = _locked_error(user.locked_until)
        elif not password_proven and not _verify(user.password_hash, password):
            failure = _count_failure(session, user, conf, now, "wrong password")
        else:
            user.failed_attempts = 0
            user.locked_until = None
            user.last_sign_in_at = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            audit.append(session, _signed_in(user), "sign_in.succeeded", entity_type="user", entity_id=user.id)
            # After `encrypt`, only its administrator holds a wrap: each person who signs in on
            # the open database gets theirs, so that they can open it at the next start.
            _keep_key_for(db, user.username, password, only_if_missing=True)
            return _signed_in(user)
    # Committed above (the failure count and its audit event), refused here.
    raise failure



#: How a person signed out (the ``how`` of a ``sign_out`` event).
SIGN_OUT_WAYS = ("menu", "lock screen", "switch user")


def sign_out(db: Database, user: SignedInUser, how: str = "menu") -> None:
    """``user`` signed out of this workstation (File → Sign out, the lock screen's Sign out, or
    another person switching user there): audited as ``sign_out``. Their drafts were saved by the
    screens before; nothing else changes."""
    if how not in SIGN_OUT_WAYS:
        raise ValueError(f"unknown way to sign out: {how!r}")
    with db.write() as session:
        audit.append(session, user, "sign_out", entity_type="user", entity_id=user.id, detail={"how": how})


def _count_failure(session: Session, user: User, conf: Mapping[str, object], now: dt.datetime,
                   reason: str, at: dt.datetime | None = None) -> AuthenticationError:
    """A wrong password for ``user``: counted towards the lockout and audited (``at``: when it was
    typed, if not now). Returns the error to raise."""
    user.failed_attempts += 1
    detail: dict[str, object] = {"reason": reason, "attempt": user.failed_attempts}
    if at is not None:
        detail["typed_at"] = at
    if user.failed_attempts >= int(str(conf["lockout_attempts"])):
        user.locked_until = (at or now) + dt.timedelta(minutes=int(str(conf["lockout_minutes"])))
        user.failed_attempts = 0
        audit.append(session, None, "account.locked", username=user.username, entity_type="user",
                     entity_id=user.id, detail={"until": user.locked_until,
                                                "after_failures": conf["lockout_attempts"]})
        return _locked_error(user.locked_until)
    audit.append(session, None, "sign_in.failed", username=user.username, entity_type="user",
                 entity_id=user.id, detail=detail)
    return AuthenticationError(WRONG_CREDENTIALS)


def record_failures_before_open(db: Database, failures: list[keys.Failure]) -> tuple[int, int]:
    """The wrong passwords typed at the start of an encrypted database, before it could be opened
    (noted in its key file): each is audited, and counted towards its account's lockout as a
    sign-in's is. Returns (the lockout attempts, its minutes) now in force, for the key file."""
    now = utcnow()
    with db.write() as session:
        conf = settings_service.read_in(session)
        for failure in failures:
            if failure.username == keys.RECOVERY:
                audit.append(session, None, "recovery_key.refused", username="(console)",
                             detail={"typed_at": failure.at})
                continue
            user = session.execute(select(User).where(User.username == failure.username)).scalar_one_or_none()
            if user is None or not user.active:
                audit.append(session, None, "sign_in.failed", username=failure.username[:64],
                             detail={"reason": "unknown or inactive user, before the database was opened",
                                     "typed_at": failure.at})
            else:
                _count_failure(session, user, conf, now, "wrong password, before the database was opened",
                               failure.at)
        return int(str(conf["lockout_attempts"])), int(str(conf["lockout_minutes"]))


def confirm_password(db: Database, user: SignedInUser, password: str) -> SignedInUser:
    """The signed-in ``user`` signs with their own password (an intake, a plan): the password is
    checked as a sign-in is (audited, counted towards the lockout). A wrong password, or another
    person's, is a ValidationError on the "password" field, with the message staff see."""
    try:
        signer = authenticate(db, user.username, password)
    except AuthenticationError as exc:
        raise ValidationError({"password": str(exc)}) from None
    if signer.id != user.id:
        raise ValidationError({"password": "Sign with your own password."})
    return signer

def _locked_error(until: dt.datetime) -> AccountLocked:
    local = clock.local_text(until)
    return AccountLocked(
        f"This account is locked after too many failed sign-ins. Try again after {local}, "
        "or ask an administrator to unlock it.",
        until,
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def unlock(db: Database, actor: SignedInUser, user_id: int) -> UserView:
    require(actor, "users.manage")
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ValidationError({"user": "No such user."})
        user.locked_until = None
        user.failed_attempts = 0
        audit.append(session, actor, "account.unlocked", entity_type="user", entity_id=user.id)
        return _view(user)


def _set_password(db: Database, session: Session, user_id: int, new_password: str) -> User:
    """Check and store ``user_id``'s new password inside the caller's unit of work, and wrap an
    encrypted database's key for it (a key file that cannot be written rolls it all back)."""
    user = session.get(User, user_id)
    if user is None:
        raise ValidationError({"user": "No such user."})
    if not user.active:  # a password would wrap the key again for an account that may not open it
        raise ValidationError({"user": f"{user.username} is deactivated: reactivate the account, "
                                       "which gives it a new password."})
    problem = password_problem(new_password, user.username)
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = _hasher.hash(new_password)
    _keep_key_for(db, user.username, new_password)
    return user


def change_password(db: Database, actor: SignedInUser, user_id: int, new_password: str) -> None:
    """An administrator sets anyone's password: someone else's must be changed at their next
    sign-in (only they should know their password); their own is theirs. A user changing their
    own password with the current one: :func:`change_own_password`."""
    if actor.id != user_id:
        require(actor, "users.manage")
    with db.write() as session:
        user = _set_password(db, session, user_id, new_password)
        user.must_change_password = actor.id != user_id
        audit.append(session, actor, "user.password_changed", entity_type="user", entity_id=user.id,
                     detail={"must_change_password": True} if user.must_change_password else None)


def change_own_password(db: Database, user: SignedInUser, current_password: str,
                        new_password: str) -> SignedInUser:
    """File → Change password…, and the new password asked for at sign-in: the signed-in ``user``
    gives the current password (checked as a sign-in is: audited, counted towards the lockout; a
    wrong one is a ValidationError on "current_password") and a new one, which must differ. Clears
    "must change password". Returns the user as signed in now."""
    problem = password_problem(new_password, user.username)
    if problem:
        raise ValidationError({"password": problem})
    if unicodedata.normalize("NFC", new_password) == unicodedata.normalize("NFC", current_password):
        raise ValidationError({"password": "Choose a password different from the current one."})
    try:
        confirm_password(db, user, current_password)
    except ValidationError as exc:
        raise ValidationError({"current_password": exc.fields["password"]}) from None
    with db.write() as session:
        row = _set_password(db, session, user.id, new_password)
        row.must_change_password = False
        audit.append(session, _signed_in(row), "user.password_changed", entity_type="user",
                     entity_id=row.id, detail={"own": True})
        return _signed_in(row)


# --- the account's lifecycle: deactivate, reactivate, role, "must change password" --------------

def _last_admin_message(user: User) -> str:
    return (f"{user.username} is the last active administrator: make another account an "
            "administrator first, so someone can still manage the clinic's accounts.")


def _lifecycle(session: Session, actor: SignedInUser | None, user_id: int | None = None,
               username: str | None = None) -> tuple[User, list[User]]:
    """The account to change, and every active administrator, their rows locked until the unit
    of work ends (PostgreSQL: SELECT … FOR UPDATE, always in the same order, so two
    administrators deactivating each other at once are taken one after the other and the second
    sees the first's change; SQLite's write transactions are one at a time already). ``actor``
    must still be an active administrator in the database, not only in their session; None is
    the console."""
    admins = list(session.execute(
        select(User).where(User.role == Role.ADMIN.value, User.active).order_by(User.id)
        .with_for_update()).scalars())
    if actor is not None:
        require(actor, "users.manage")
        if not any(a.id == actor.id for a in admins):
            raise PermissionDenied("Your account may no longer manage users: sign in again.")
    query = select(User).where(User.id == user_id) if user_id is not None \
        else select(User).where(User.username == normalize_username(username or ""))
    user = session.execute(query.with_for_update()).scalar_one_or_none()
    if user is None:
        raise ValidationError({"user": "No such user."})
    return user, admins


def _audit_as(session: Session, actor: SignedInUser | None, action: str, user: User,
              detail: dict[str, object]) -> None:
    if actor is None:
        audit.append(session, None, action, username="(console)", entity_type="user",
                     entity_id=user.id, detail=detail)
    else:
        audit.append(session, actor, action, entity_type="user", entity_id=user.id, detail=detail)


def _deactivate(db: Database, actor: SignedInUser | None, *, user_id: int | None = None,
                username: str | None = None) -> UserView:
    with db.write() as session:
        user, admins = _lifecycle(session, actor, user_id, username)
        if not user.active:
            raise ValidationError({"user": f"{user.username} is already deactivated."})
        if actor is not None and user.id == actor.id:
            raise ValidationError({"user": "You cannot deactivate your own account: "
                                           "ask another administrator."})
        if user in admins and len(admins) <= 1:
            raise ValidationError({"user": _last_admin_message(user)})
        user.active = False
        user.must_change_password = False
        session.flush()
        _audit_as(session, actor, "user.deactivated", user,
                  {"username": user.username, "role": user.role,
                   "key_wrap_removed": db.key is not None and db.key_file is not None})
        _drop_key_for(db, user.username)  # last: a key file that cannot be written undoes it all
        return _view(user)


def deactivate(db: Database, actor: SignedInUser, user_id: int) -> UserView:
    """An administrator deactivates an account (someone left): it can no longer sign in (refused
    as a wrong password is), keeps its history, and on an encrypted database its password no
    longer opens it (its key wrap is removed, in the same unit of work). Not one's own account,
    and never the last active administrator."""
    return _deactivate(db, actor, user_id=user_id)


def deactivate_from_console(db: Database, username: str) -> UserView:
    """``clinic-desktop deactivate-user``: as :func:`deactivate`, audited as the console."""
    return _deactivate(db, None, username=username)


def _reactivate(db: Database, actor: SignedInUser | None, new_password: str, *,
                user_id: int | None = None, username: str | None = None) -> UserView:
    with db.write() as session:
        user, _admins = _lifecycle(session, actor, user_id, username)
        if user.active:
            raise ValidationError({"user": f"{user.username} is active already."})
        problem = password_problem(new_password, user.username)
        if problem:
            raise ValidationError({"password": problem})
        user.active = True
        user.password_hash = _hasher.hash(new_password)
        user.must_change_password = True
        user.failed_attempts = 0
        user.locked_until = None
        session.flush()
        _audit_as(session, actor, "user.reactivated", user,
                  {"username": user.username, "role": user.role, "must_change_password": True})
        _keep_key_for(db, user.username, new_password)  # last, as in _deactivate
        return _view(user)


def reactivate(db: Database, actor: SignedInUser, user_id: int, new_password: str) -> UserView:
    """An administrator reactivates an account with a new password (which wraps an encrypted
    database's key for it again), to be changed at its next sign-in."""
    return _reactivate(db, actor, new_password, user_id=user_id)


def reactivate_from_console(db: Database, username: str, new_password: str) -> UserView:
    """``clinic-desktop reactivate-user``: as :func:`reactivate`, audited as the console."""
    return _reactivate(db, None, new_password, username=username)


def change_role(db: Database, actor: SignedInUser, user_id: int, role: str | Role) -> UserView:
    """An administrator gives an account another role, audited with the old and the new one. It
    takes effect at that person's next sign-in. The last active administrator keeps theirs."""
    role = role.value if isinstance(role, Role) else role
    if role not in {r.value for r in Role}:
        raise ValidationError({"role": "Choose a role."})
    with db.write() as session:
        user, admins = _lifecycle(session, actor, user_id)
        old = user.role
        if role == old:
            raise ValidationError({"role": f"{user.username} is already {role_label(old)}."})
        if user in admins and role != Role.ADMIN.value and len(admins) <= 1:
            raise ValidationError({"role": _last_admin_message(user)})
        user.role = role
        session.flush()
        audit.append(session, actor, "user.role_changed", entity_type="user", entity_id=user.id,
                     detail={"username": user.username, "from": old, "to": role})
        return _view(user)


def require_password_change(db: Database, actor: SignedInUser, user_id: int) -> UserView:
    """An administrator asks an account to choose a new password at its next sign-in (the window
    asks before it opens; the admin commands are not held up). Asked already: nothing changes."""
    with db.write() as session:
        user, _admins = _lifecycle(session, actor, user_id)
        if not user.active:
            raise ValidationError({"user": f"{user.username} is deactivated: reactivate the account, "
                                           "which gives it a new password."})
        if not user.must_change_password:
            user.must_change_password = True
            session.flush()
            audit.append(session, actor, "user.password_change_required", entity_type="user",
                         entity_id=user.id, detail={"username": user.username})
        return _view(user)


def reset_password_from_console(db: Database, user_id: int, new_password: str) -> None:
    """``clinic-desktop reset-password`` with the recovery key, when every administrator's password
    is lost: set the password, lift any lock; audited as the console."""
    with db.write() as session:
        user = _set_password(db, session, user_id, new_password)
        user.locked_until = None
        user.failed_attempts = 0
        audit.append(session, None, "user.password_reset", username="(console)", entity_type="user",
                     entity_id=user.id, detail={"with": "recovery key"})


def role_label(role: Role | str) -> str:
    return ROLE_LABELS[Role(role)]


def create_user_from_console(db: Database, username: str, full_name: str, role: str,
                             password: str) -> UserView:
    """``clinic-desktop create-user``: whoever runs the admin command on the machine holding the
    database acts as its operator; the event is audited as the console."""
    with db.write() as session:
        fields = _validate_new_user(session, username, full_name or username, role, password)
        user = User(**fields, password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
        audit.append(session, None, "user.created", username="(console)", entity_type="user",
                     entity_id=user.id, detail={"username": user.username, "role": user.role})
        _keep_key_for(db, user.username, password)
        return _view(user)
