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
from clinic_desktop.core.errors import AccountLocked, AuthenticationError, ValidationError
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


def _view(user: User) -> UserView:
    return UserView(
        user.id, user.username, user.full_name, Role(user.role), user.active,
        user.locked_until, user.last_sign_in_at, user.version,
    )


def _signed_in(user: User) -> SignedInUser:
    return SignedInUser(user.id, user.username, user.full_name, Role(user.role))


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
    problem = password_problem(new_password, user.username)
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = _hasher.hash(new_password)
    _keep_key_for(db, user.username, new_password)
    return user


def change_password(db: Database, actor: SignedInUser, user_id: int, new_password: str) -> None:
    """A user changes their own password; an administrator may set anyone's."""
    if actor.id != user_id:
        require(actor, "users.manage")
    with db.write() as session:
        user = _set_password(db, session, user_id, new_password)
        audit.append(session, actor, "user.password_changed", entity_type="user", entity_id=user.id)


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
