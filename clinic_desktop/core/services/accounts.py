"""User accounts: argon2id passwords, sign-in with lockout, roles. Every attempt is audited."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, Row, Table, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from clinic_desktop import paths
from clinic_desktop.core import keys
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import (
    WRONG_CREDENTIALS,
    AccountLocked,
    AuthenticationError,
    ValidationError,
)
from clinic_desktop.core.models import Role, User, UTCDateTime, utcnow
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services import settings as settings_service

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MAX_USERNAME_LENGTH = 64

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

#: Verified against when the user name is unknown or the account inactive, so that every refusal
#: takes as long as a wrong password. Made once, with _hasher's parameters, so that start-up does
#: not pay for a hash; :func:`_dummy_hash` makes a new one should the library's defaults change.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$4AkcZCHj35v/QkROdbK2MA$"
               "QqRuaNloFvsP4vfniy4UWMY7AxezCoVu1l08YILIDt8")

#: The event's ``username`` when the name typed is no account's: what was typed is not kept (it
#: may be a password typed into the wrong field), only a keyed hash of it and its length.
UNKNOWN_NAME = keys.UNKNOWN
#: The hash of an unknown name is keyed with the audit chain's secret; a database older than the
#: keyed chain (schema 0015) has none, and uses this constant instead (a hash then still tells
#: repeated attempts with one name apart, without the name).
_UNKEYED_NAME_SECRET = b"clinic-desktop: unknown user names of a database without an audit key"
_NAME_DOMAIN = b"unknown-username:"


@functools.cache
def _dummy_hash() -> str:
    if _hasher.check_needs_rehash(_DUMMY_HASH):
        return _hasher.hash("not a real password, only for timing")
    return _DUMMY_HASH


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
    """A user name as it is stored and compared: Unicode NFKC (full-width letters, ligatures and
    the like become their plain form), case-folded, trimmed."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold()).strip()


def username_candidates(typed: str) -> tuple[str, ...]:
    """The stored names ``typed`` may mean, the closest first: as an account made before user
    names were NFKC-normalized holds it (only trimmed and case-folded; such an account keeps
    signing in as it did), then as :func:`normalize_username` makes it."""
    old, new = typed.strip().casefold(), normalize_username(typed)
    return (old,) if old == new else (old, new)


def name_in_key_file(key_file: keys.KeyFile, typed: str) -> str:
    """The name ``typed`` has in an encrypted database's key file (see :func:`username_candidates`)."""
    candidates = username_candidates(typed)
    return next((name for name in candidates if key_file.has(name)), candidates[-1])


#: Refused in a new user name, with the spaces: controls, format characters (zero-width ones,
#: the direction marks, embeddings, overrides and isolates), private-use and surrogate code
#: points, line and paragraph separators, and code points this Python's Unicode leaves unassigned.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Cn"})
_CATEGORY_WORDS = {"Cc": "a control character", "Co": "a private-use character",
                   "Cs": "a surrogate", "Cn": "an unassigned character"}


def describe_character(ch: str) -> str:
    """``U+200B (ZERO WIDTH SPACE)``: a character as staff can look it up."""
    name = unicodedata.name(ch, "") or _CATEGORY_WORDS.get(unicodedata.category(ch), "no name")
    return f"U+{ord(ch):04X} ({name})"


def username_problem(username: str) -> str | None:
    """Why a new user name is refused (naming the character), or None. Checks what was typed
    (trimmed) and its normalized form; the length is the normalized form's."""
    name = normalize_username(username)
    if not name:
        return "Enter a user name."
    refused: list[str] = []
    for ch in username.strip() + name:
        if ch.isspace() or unicodedata.category(ch) == "Zs":
            return "User names cannot contain spaces."
        if unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in refused:
            refused.append(ch)
    if refused:
        return f"User names cannot contain {' or '.join(describe_character(ch) for ch in refused[:3])}."
    if len(name) > MAX_USERNAME_LENGTH:
        return f"A user name has at most {MAX_USERNAME_LENGTH} characters."
    return None


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


def _signed_in(user: User | Row) -> SignedInUser:
    """The person as the services see them, from their account: the ORM object or the columns
    sign-in reads (:data:`_SIGN_IN_COLUMNS`)."""
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
    problem = username_problem(username)
    if problem:
        errors["username"] = problem
    elif session.execute(select(User.id).where(User.username.in_(username_candidates(username)))).first():
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
    require(db, actor, "users.manage")
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
    require(db, actor, "users.manage")
    with db.read() as session:
        return [_view(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


#: The accounts' table, for sign-in's single UPDATE statements (Core, not the ORM: no version check).
_USERS = cast(Table, User.__table__)
_SIGN_IN_COLUMNS = (User.id, User.username, User.full_name, User.role, User.password_hash,
                    User.active, User.locked_until, User.must_change_password)


def account_named(session: Session, typed: str) -> Row | None:
    """The account a typed name means (:func:`username_candidates`), as the columns sign-in needs:
    read, never loaded as an ORM object, so that nothing here is flushed through the version
    check."""
    candidates = username_candidates(typed)
    rows = {row.username: row for row in session.execute(
        select(*_SIGN_IN_COLUMNS).where(User.username.in_(candidates)))}
    return next((rows[name] for name in candidates if name in rows), None)


def _unlocked_at(moment: dt.datetime) -> ColumnElement[bool]:
    users = _USERS.c
    return or_(users.locked_until.is_(None), users.locked_until <= moment)


def unknown_name_detail(session: Session, name: str) -> dict[str, object]:
    """What an audit event keeps of a name that is no account's: an HMAC-SHA256 of it keyed with
    the audit chain's secret (the first 16 hex digits: enough to see one name tried again and
    again) and its length. Never the name: it may be a password typed into the wrong field."""
    secret = audit.chain_key(session)
    key = bytes.fromhex(secret.key) if secret is not None else _UNKEYED_NAME_SECRET
    digest = hmac.new(key, _NAME_DOMAIN + name.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return {"name_hmac": digest.hexdigest()[:16], "name_length": len(name)}


def authenticate(db: Database, username: str, password: str, *, password_proven: bool = False) -> SignedInUser:
    """Sign in. Raises AuthenticationError (AccountLocked when the account is locked), always
    with the message :data:`WRONG_CREDENTIALS`, after the same argon2id work whatever the reason
    (an unknown name is verified against a dummy hash; a locked account's password is still
    verified); every outcome is audited, the lock among them, for the administrator.

    The account's row is changed by single UPDATE statements that count in the database (never
    read, add one, write back): two workstations signing in as one person at once both succeed,
    and every wrong password of theirs counts, the one that reaches the lockout threshold locking
    the account and any later one refused as locked. They leave the row's ``version`` alone (an
    administrator's open edit of the account is not made stale by a sign-in).

    ``password_proven``: the password has just unwrapped this account's key of the encrypted
    database (:func:`clinic_desktop.core.services.vault.unlock`), which proves it as well as the
    hash would (the wrap is made in the same transaction as the hash, every time): the second
    argon2id is skipped, everything else (active, locked, audited) is checked as always."""
    now = utcnow()
    failure: AuthenticationError | None = None
    with db.write() as session:
        conf = settings_service.read_in(session)
        row = account_named(session, username)
        if row is None or not row.active:
            if not password_proven:
                _verify(_dummy_hash(), password)
            if row is None:
                audit.append(session, None, "sign_in.failed", username=UNKNOWN_NAME,
                             detail={"reason": "unknown user name",
                                     **unknown_name_detail(session, normalize_username(username))})
            else:
                audit.append(session, None, "sign_in.failed", username=row.username,
                             entity_type="user", entity_id=row.id, detail={"reason": "inactive account"})
            failure = AuthenticationError(WRONG_CREDENTIALS)
        else:
            right = password_proven or _verify(row.password_hash, password)
            if row.locked_until is not None and row.locked_until > now:
                failure = _refused_locked(session, row.id, row.username, row.locked_until)
            elif not right:
                failure = _count_failure(session, row.id, row.username, conf, now, "wrong password")
            else:
                signed = _record_sign_in(db, session, row, password, now)
                if signed is not None:
                    return signed
                failure = _refused_locked(session, row.id, row.username, None)
    # Committed above (the failure count and its audit event), refused here.
    raise failure


def _record_sign_in(db: Database, session: Session, row: Row, password: str,
                    now: dt.datetime) -> SignedInUser | None:
    """The right password: clear the failures and note the sign-in, in one UPDATE that only
    succeeds if the account is still active and unlocked (another workstation may have locked
    it since it was read). None when it did not."""
    users = _USERS.c
    done = session.execute(
        update(_USERS).where(users.id == row.id, users.active, _unlocked_at(now))
        .values(failed_attempts=0, locked_until=None, last_sign_in_at=now)
        .returning(users.id)).first()
    if done is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):  # only if no one changed it meanwhile
        session.execute(update(_USERS)
                        .where(users.id == row.id, users.password_hash == row.password_hash)
                        .values(password_hash=_hasher.hash(password)))
    user = _signed_in(row)
    audit.append(session, user, "sign_in.succeeded", entity_type="user", entity_id=row.id)
    # After `encrypt`, only its administrator holds a wrap: each person who signs in on
    # the open database gets theirs, so that they can open it at the next start.
    _keep_key_for(db, row.username, password, only_if_missing=True)
    return user


def _refused_locked(session: Session, user_id: int, username: str,
                    until: dt.datetime | None) -> AccountLocked:
    """Audit a sign-in refused because the account is locked (``until``: as read, or None to read
    it now); the error says only :data:`WRONG_CREDENTIALS`."""
    if until is None:
        until = session.execute(select(User.locked_until).where(User.id == user_id)).scalar_one()
    audit.append(session, None, "sign_in.refused_locked", username=username,
                 entity_type="user", entity_id=user_id, detail={"until": until})
    return AccountLocked(WRONG_CREDENTIALS, until)


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


def _count_failure(session: Session, user_id: int, username: str, conf: Mapping[str, object],
                   now: dt.datetime, reason: str, at: dt.datetime | None = None) -> AuthenticationError:
    """A wrong password for the account ``user_id``: counted towards the lockout and audited
    (``at``: when it was typed, if not now). One UPDATE adds the failure in the database and, when
    it reaches the lockout threshold, locks the account and starts the count again; it only
    counts while the account is not locked (a lock taken meanwhile by another workstation makes
    it a refusal as locked). Returns the error to raise."""
    when = at or now
    threshold = int(str(conf["lockout_attempts"]))
    until = when + dt.timedelta(minutes=int(str(conf["lockout_minutes"])))
    users = _USERS.c
    reaches = users.failed_attempts + 1 >= threshold
    counted = session.execute(
        update(_USERS).where(users.id == user_id, _unlocked_at(when))
        .values(failed_attempts=case((reaches, 0), else_=users.failed_attempts + 1),
                locked_until=case((reaches, literal(until, UTCDateTime())), else_=users.locked_until))
        .returning(users.failed_attempts)).first()
    if counted is None:
        return _refused_locked(session, user_id, username, None)
    if counted.failed_attempts == 0:  # this one reached the threshold
        audit.append(session, None, "account.locked", username=username, entity_type="user",
                     entity_id=user_id, detail={"until": until, "after_failures": threshold,
                                                "reason": reason})
        return AccountLocked(WRONG_CREDENTIALS, until)
    detail: dict[str, object] = {"reason": reason, "attempt": counted.failed_attempts}
    if at is not None:
        detail["typed_at"] = at
    audit.append(session, None, "sign_in.failed", username=username, entity_type="user",
                 entity_id=user_id, detail=detail)
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
            if failure.username == keys.UNKNOWN:  # only its length was kept
                audit.append(session, None, "sign_in.failed", username=UNKNOWN_NAME,
                             detail={"reason": "unknown user name, before the database was opened",
                                     "name_length": failure.length, "typed_at": failure.at})
                continue
            row = session.execute(select(User.id, User.active)
                                  .where(User.username == failure.username)).first()
            if row is None:  # a name an older key file kept as typed
                audit.append(session, None, "sign_in.failed", username=UNKNOWN_NAME,
                             detail={"reason": "unknown user name, before the database was opened",
                                     **unknown_name_detail(session, failure.username),
                                     "typed_at": failure.at})
            elif not row.active:
                audit.append(session, None, "sign_in.failed", username=failure.username,
                             entity_type="user", entity_id=row.id,
                             detail={"reason": "inactive account, before the database was opened",
                                     "typed_at": failure.at})
            else:
                _count_failure(session, row.id, failure.username, conf, now,
                               "wrong password, before the database was opened", failure.at)
        return int(str(conf["lockout_attempts"])), int(str(conf["lockout_minutes"]))


#: What someone signed in is told when the password they sign with is not theirs. Plainer than
#: the sign-in window's WRONG_CREDENTIALS: they are signed in, their name is not being guessed.
WRONG_OWN_PASSWORD = "Wrong password: type your own password."
#: ... and when that wrong password (or an earlier one) locked their account.
OWN_ACCOUNT_LOCKED = ("Too many wrong passwords: your account is locked. Ask an administrator to unlock it "
                      "(Admin → Users), then sign again.")


def confirm_password(db: Database, user: SignedInUser, password: str) -> SignedInUser:
    """The signed-in ``user`` signs with their own password (an intake, a plan): the password is
    checked as a sign-in is (audited, counted towards the lockout). A wrong password, or another
    person's, is a ValidationError on the "password" field: :data:`WRONG_OWN_PASSWORD`, or
    :data:`OWN_ACCOUNT_LOCKED` once the account is locked."""
    try:
        signer = authenticate(db, user.username, password)
    except AccountLocked:
        raise ValidationError({"password": OWN_ACCOUNT_LOCKED}) from None
    except AuthenticationError:
        raise ValidationError({"password": WRONG_OWN_PASSWORD}) from None
    if signer.id != user.id:
        raise ValidationError({"password": "Sign with your own password."})
    return signer

def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def unlock(db: Database, actor: SignedInUser, user_id: int) -> UserView:
    require(db, actor, "users.manage")
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
        require(db, actor, "users.manage")
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
    must still be an active administrator in the database, not only in their session (re-read
    here, in this unit of work); None is the console."""
    admins = list(session.execute(
        select(User).where(User.role == Role.ADMIN.value, User.active).order_by(User.id)
        .with_for_update()).scalars())
    if actor is not None:
        require(session, actor, "users.manage")
    if user_id is None:
        named = account_named(session, username or "")
        user_id = named.id if named is not None else None
    user = session.execute(select(User).where(User.id == user_id).with_for_update()).scalar_one_or_none() \
        if user_id is not None else None
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
    takes effect at that person's next action, on every workstation (what the new role may not do
    is refused: permissions.require re-reads the account), and its screens at their next sign-in.
    The last active administrator keeps theirs."""
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
