"""Sign-in that neither leaks nor stumbles (#18): user names normalized and checked character by
character; one answer and the same work for an unknown name, a wrong password and a locked
account; an unknown name audited only as a keyed hash and its length; failures counted in the
database, so that two workstations signing in as one person never fail and every wrong password
counts, the lock falling at exactly the threshold."""

from __future__ import annotations

import hashlib
import hmac
import statistics
import threading
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import select

from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import AccountLocked, AuthenticationError, ValidationError
from clinic_desktop.core.models import AuditEvent, User
from clinic_desktop.core.services import accounts, audit
from clinic_desktop.core.services import settings as settings_service
from tests.conftest import CLINIC, STRONG_PASSWORD, make_user

ISSUE_MESSAGE = "Wrong user name or password, or the account is locked — ask an administrator."
WRONG = "not the password at all"


def events(db, action: str | None = None) -> list[SimpleNamespace]:
    """The audit events (of ``action``), oldest first, as plain values."""
    columns = [c.key for c in AuditEvent.__table__.columns]
    with db.read() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return [SimpleNamespace(**{c: getattr(e, c) for c in columns})
                for e in session.execute(query).scalars()]


def account(db, username: str) -> SimpleNamespace:
    columns = [c.key for c in User.__table__.columns]
    with db.read() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        return SimpleNamespace(**{c: getattr(user, c) for c in columns})


def insert_account(db, username: str, role: str = "nurse") -> int:
    """An account stored as an older release stored it, behind the services' back (its name need
    not pass today's checks)."""
    with db.write() as session:
        session.add(User(username=username, full_name="Old Account", role=role,
                         password_hash=PasswordHasher().hash(STRONG_PASSWORD)))
        session.flush()
        return session.execute(select(User.id).where(User.username == username)).scalar_one()


# -- user names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, message", [
    ("adm\u200bin\u202e",  # the tester's: created as an administrator before
     "User names cannot contain U+200B (ZERO WIDTH SPACE) or U+202E (RIGHT-TO-LEFT OVERRIDE)."),
    ("\u200badmin", "User names cannot contain U+200B (ZERO WIDTH SPACE)."),  # not trimmed away
    ("nurse\u2066", "User names cannot contain U+2066 (LEFT-TO-RIGHT ISOLATE)."),
    ("nu\u200frse", "User names cannot contain U+200F (RIGHT-TO-LEFT MARK)."),
    ("nu\u200drse", "User names cannot contain U+200D (ZERO WIDTH JOINER)."),
    ("nu\u00adrse", "User names cannot contain U+00AD (SOFT HYPHEN)."),
    ("nu\ufeffrse", "User names cannot contain U+FEFF (ZERO WIDTH NO-BREAK SPACE)."),
    ("nu\x07rse", "User names cannot contain U+0007 (a control character)."),
    ("nu\x00rse", "User names cannot contain U+0000 (a control character)."),
    ("nu\ue000rse", "User names cannot contain U+E000 (a private-use character)."),
    ("nu\ud800rse", "User names cannot contain U+D800 (a surrogate)."),
    ("nu\u0378rse", "User names cannot contain U+0378 (an unassigned character)."),
    ("a\u200bb\u200cc\u200dd\u2060e",  # at most three named
     ("User names cannot contain U+200B (ZERO WIDTH SPACE) or U+200C (ZERO WIDTH NON-JOINER) or "
      "U+200D (ZERO WIDTH JOINER).")),
    ("nurse one", "User names cannot contain spaces."),
    ("nurse\tone", "User names cannot contain spaces."),
    ("nurse\u00a0one", "User names cannot contain spaces."),
    ("nurse\u3000one", "User names cannot contain spaces."),
    ("nurse\u2028one", "User names cannot contain spaces."),
    ("nurse\u2029one", "User names cannot contain spaces."),
    ("   ", "Enter a user name."),
])
def test_a_new_user_name_with_a_refused_character_says_which(typed, message):
    assert accounts.username_problem(typed) == message


def test_the_testers_name_is_not_created_as_an_administrator(db):
    with pytest.raises(ValidationError) as refused:
        accounts.create_first_admin(db, "adm\u200bin\u202e", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    assert refused.value.fields == {"username": "User names cannot contain U+200B (ZERO WIDTH SPACE) "
                                                "or U+202E (RIGHT-TO-LEFT OVERRIDE)."}
    assert not accounts.has_users(db)


@pytest.mark.parametrize("length, ok", [(63, True), (64, True), (65, False)])
def test_a_user_name_has_at_most_64_characters(length, ok):
    problem = accounts.username_problem("n" * length)
    assert (problem is None) is ok
    if not ok:
        assert problem == "A user name has at most 64 characters."


def test_the_length_is_the_normalized_names():
    assert accounts.normalize_username("\ufb01" * 32) == "fi" * 32  # the ligature becomes two letters
    assert accounts.username_problem("\ufb01" * 32) is None
    assert accounts.username_problem("\ufb01" * 33) == "A user name has at most 64 characters."


@pytest.mark.parametrize("typed, stored", [
    ("  Admin  ", "admin"),
    ("ＡＤＭＩＮ", "admin"),            # full-width, as an Asian keyboard's wide mode types it
    ("\ufb01ona", "fiona"),             # a ligature
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),              # case-folded, not only lower-cased
    ("\u212bngstrom", "\u00e5ngstrom"),  # ANGSTROM SIGN becomes the letter
    ("e\u0301mile", "\u00e9mile"),      # composed
    ("\u3000admin\u3000", "admin"),     # an ideographic space is trimmed as a space is
])
def test_user_names_are_nfkc_normalized_case_folded_and_trimmed(typed, stored):
    assert accounts.normalize_username(typed) == stored
    assert accounts.username_problem(typed) is None


def test_a_name_that_normalizes_to_a_taken_one_is_taken(db, admin):
    with pytest.raises(ValidationError) as taken:
        accounts.create_user(db, admin, "ＡＤＭＩＮ", "Someone Else", "nurse", STRONG_PASSWORD)
    assert taken.value.fields == {"username": "The user name 'admin' is taken."}
    made = accounts.create_user(db, admin, "\ufb01ona", "Fiona Nurse", "nurse", STRONG_PASSWORD)
    assert made.username == "fiona"
    assert accounts.authenticate(db, "FIONA", STRONG_PASSWORD).id == made.id
    assert accounts.authenticate(db, "\ufb01ona", STRONG_PASSWORD).id == made.id


def test_accounts_whose_names_are_now_refused_still_sign_in(db, admin):
    """Nobody is locked out by the new rule: names stored before it (trimmed and case-folded only)
    sign in as they did; only new names are checked."""
    odd = insert_account(db, "old\u200bnurse")
    wide = insert_account(db, "ｊｏｅ")  # full-width: not NFKC, stored as it was typed (folded)
    assert accounts.authenticate(db, "Old\u200bNurse", STRONG_PASSWORD).id == odd
    assert accounts.authenticate(db, " ｊｏｅ ", STRONG_PASSWORD).id == wide
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "oldnurse", STRONG_PASSWORD)  # the name it has, not a look-alike
    # The administrator's commands find them by the same name.
    view = accounts.deactivate_from_console(db, "ｊｏｅ")
    assert view.id == wide and not view.active


# -- one answer, the same work --------------------------------------------------------------------

def test_unknown_name_wrong_password_inactive_and_locked_all_say_the_same(db, admin):
    assert accounts.WRONG_CREDENTIALS == ISSUE_MESSAGE
    nurse = make_user(db, admin, "nurse")
    gone = make_user(db, admin, "counselor")
    accounts.deactivate(db, admin, gone.id)
    answers = {}
    for what, name, password in [("unknown", "nobody", STRONG_PASSWORD), ("wrong", "nurse1", WRONG),
                                 ("inactive", gone.username, STRONG_PASSWORD)]:
        with pytest.raises(AuthenticationError) as refused:
            accounts.authenticate(db, name, password)
        answers[what] = str(refused.value)
    settings_service.update(db, admin, {"lockout_attempts": 3})
    with pytest.raises(AuthenticationError):  # the second; the third locks
        accounts.authenticate(db, "nurse1", WRONG)
    for what, password in [("locking", WRONG), ("locked, wrong", WRONG), ("locked, right", STRONG_PASSWORD)]:
        with pytest.raises(AccountLocked) as locked:
            accounts.authenticate(db, "nurse1", password)
        answers[what] = str(locked.value)
    assert set(answers.values()) == {ISSUE_MESSAGE}, answers
    # The administrator still sees the lock: in the Users list and in the trail.
    view = next(u for u in accounts.list_users(db, admin) if u.id == nurse.id)
    assert view.locked_until is not None
    assert [e.action for e in events(db)][-3:] == ["account.locked", "sign_in.refused_locked",
                                                  "sign_in.refused_locked"]
    assert events(db, "sign_in.refused_locked")[-1].detail == {"until": view.locked_until.isoformat()}


def lock_out(db, admin, username: str) -> None:
    """Lock ``username`` with the fewest wrong passwords the settings allow (3)."""
    settings_service.update(db, admin, {"lockout_attempts": 3})
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(db, username, WRONG)
    with pytest.raises(AccountLocked):
        accounts.authenticate(db, username, WRONG)


class CountingHasher:
    """The accounts' hasher, counting what each sign-in verifies against."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.verified: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self.real.verify(password_hash, password)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def test_every_refusal_does_the_same_argon2_work(db, admin, monkeypatch):
    """An unknown name is verified against a dummy hash of the same cost, a locked account's
    password is verified although the answer is known: one argon2id of the same parameters on
    every path, so that no answer comes sooner than another."""
    make_user(db, admin, "nurse")
    gone = make_user(db, admin, "counselor")
    accounts.deactivate(db, admin, gone.id)
    lock_out(db, admin, "admin")
    spy = CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", spy)
    params = PasswordHasher().hash("x").split("$")[3]  # m=…,t=…,p=…
    for name, password in [("nobody", WRONG), (gone.username, STRONG_PASSWORD), ("nurse1", WRONG),
                           ("admin", WRONG), ("admin", STRONG_PASSWORD), ("nurse1", STRONG_PASSWORD)]:
        spy.verified.clear()
        try:
            accounts.authenticate(db, name, password)
        except AuthenticationError:
            pass
        assert len(spy.verified) == 1, name
        assert spy.verified[0].split("$")[3] == params, name


def test_the_dummy_hash_has_the_hashers_parameters():
    assert not accounts._hasher.check_needs_rehash(accounts._DUMMY_HASH)
    assert accounts._dummy_hash() == accounts._DUMMY_HASH


def test_unknown_and_locked_take_as_long_as_a_wrong_password(db, admin):
    """The tester's stopwatch: a locked account answered at once, an unknown name after the hash.
    Now each median lies within a factor of two of a wrong password's."""
    make_user(db, admin, "nurse")
    lock_out(db, admin, "admin")
    settings_service.update(db, admin, {"lockout_attempts": 20})  # the nurse's wrong ones lock nothing
    accounts.authenticate(db, "nurse1", STRONG_PASSWORD)  # warm up

    # Interleaved, round by round, so that a busy machine slows every kind of refusal alike.
    took: dict[str, list[float]] = {"nurse1": [], "nobody": [], "admin": []}
    for _ in range(7):
        for name, times in took.items():
            start = time.perf_counter()
            with pytest.raises(AuthenticationError):
                accounts.authenticate(db, name, WRONG)
            times.append(time.perf_counter() - start)
    wrong = statistics.median(took["nurse1"])
    for name in ("nobody", "admin"):
        assert wrong / 2 < statistics.median(took[name]) < wrong * 2, name


# -- what an unknown name leaves in the trail -----------------------------------------------------

def test_an_unknown_name_is_audited_only_as_a_keyed_hash_and_its_length(db, admin):
    """A password typed into the name field must not land in the trail."""
    typed = "Violet-Harbor-Lantern-42"
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            accounts.authenticate(db, typed, "whatever it was")
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "someone-else", "whatever it was")
    first, again, other = events(db, "sign_in.failed")
    assert first.username == again.username == other.username == accounts.UNKNOWN_NAME == "(unknown name)"
    assert first.user_id is None and first.entity_id is None
    assert set(first.detail) == {"reason", "name_hmac", "name_length"}
    assert first.detail["name_length"] == len(typed)
    assert first.detail["name_hmac"] == again.detail["name_hmac"] != other.detail["name_hmac"]
    with db.read() as session:
        secret = audit.chain_key(session)
        assert secret is not None
        rows = session.execute(sa.text("SELECT * FROM audit_events")).all()
    expected = hmac.new(bytes.fromhex(secret.key), b"unknown-username:" + typed.lower().encode(),
                        hashlib.sha256).hexdigest()[:16]
    assert first.detail["name_hmac"] == expected
    assert typed.lower() not in repr(rows) and typed not in repr(rows)
    assert audit.verify_chain(db).intact


def test_without_an_audit_key_an_unknown_name_is_hashed_with_a_named_constant(db, admin, monkeypatch):
    monkeypatch.setattr(audit, "chain_key", lambda session: None)
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "nobody", "whatever it was")
    [event] = events(db, "sign_in.failed")
    expected = hmac.new(accounts._UNKEYED_NAME_SECRET, b"unknown-username:nobody", hashlib.sha256)
    assert event.detail["name_hmac"] == expected.hexdigest()[:16]
    assert "nobody" not in repr(event.detail)


def test_signing_in_leaves_the_accounts_version_alone(db, admin):
    """An administrator's open edit of the account is not made stale by its sign-ins."""
    before = account(db, "admin").version
    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, "admin", WRONG)
    accounts.authenticate(db, "admin", STRONG_PASSWORD)
    after = account(db, "admin")
    assert after.version == before and after.failed_attempts == 0 and after.last_sign_in_at is not None


# -- two workstations -----------------------------------------------------------------------------

@pytest.fixture
def two_workstations(any_db, any_db_target):
    """The clinic's database opened twice, as two workstations have it."""
    accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    other = dbmod.open_database(any_db_target)
    yield any_db, other
    other.dispose()


@pytest.fixture
def cheap_hashes(monkeypatch):
    """argon2 at its cheapest for the accounts made and checked (the race is in the database)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.mark.parametrize("threshold", [3, 5])
def test_wrong_passwords_over_two_workstations_lock_at_exactly_the_threshold(two_workstations, threshold):
    first, second = two_workstations
    admin = accounts.authenticate(first, "admin", STRONG_PASSWORD)
    settings_service.update(first, admin, {"lockout_attempts": threshold})
    nurse = make_user(first, admin, "nurse")
    stations = [first, second]
    for attempt in range(1, threshold):  # N - 1: not locked
        with pytest.raises(AuthenticationError) as refused:
            accounts.authenticate(stations[attempt % 2], "nurse1", WRONG)
        assert not isinstance(refused.value, AccountLocked)
        assert account(first, "nurse1").failed_attempts == attempt
    assert account(first, "nurse1").locked_until is None
    with pytest.raises(AccountLocked):  # N: locked
        accounts.authenticate(stations[threshold % 2], "nurse1", WRONG)
    assert account(second, "nurse1").locked_until is not None
    for station in stations:  # N + 1 and on: refused, the right password too
        with pytest.raises(AccountLocked) as refused:
            accounts.authenticate(station, "nurse1", STRONG_PASSWORD)
        assert str(refused.value) == ISSUE_MESSAGE
    assert [e.detail["attempt"] for e in events(first, "sign_in.failed")] == list(range(1, threshold))
    assert len(events(first, "account.locked")) == 1
    assert len(events(first, "sign_in.refused_locked")) == 2
    accounts.unlock(first, admin, nurse.id)
    assert accounts.authenticate(second, "nurse1", STRONG_PASSWORD).id == nurse.id


def run_together(stations, work, rounds: int) -> list[BaseException]:
    """``work(station)`` on every station at once (a barrier before each round), ``rounds`` times;
    every exception raised but AuthenticationError."""
    barrier = threading.Barrier(len(stations), timeout=30)
    problems: list[BaseException] = []

    def run(station) -> None:
        for _ in range(rounds):
            barrier.wait()
            try:
                work(station)
            except AuthenticationError:
                pass
            except BaseException as exc:  # noqa: BLE001 - the failure is the result looked at
                problems.append(exc)

    threads = [threading.Thread(target=run, args=(station,)) for station in stations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert not any(thread.is_alive() for thread in threads)
    return problems


@pytest.mark.postgres
@pytest.mark.parametrize("any_db_target", ["postgresql"], indirect=True)
def test_one_person_signing_in_on_two_workstations_at_once_never_fails(two_workstations, cheap_hashes):
    """The tester's StaleDataError ("Something went wrong") in 20 of 40: 100 rounds, 0 failures."""
    first, second = two_workstations
    admin = accounts.authenticate(first, "admin", STRONG_PASSWORD)
    nurse = make_user(first, admin, "nurse")
    signed: list[int] = []

    def sign_in(station) -> None:
        signed.append(accounts.authenticate(station, "nurse1", STRONG_PASSWORD).id)

    assert run_together([first, second], sign_in, 100) == []
    assert signed == [nurse.id] * 200
    assert len([e for e in events(first, "sign_in.succeeded") if e.user_id == nurse.id]) == 200


@pytest.mark.parametrize("per_station", [3, 4])
def test_wrong_passwords_at_once_on_two_workstations_each_count(two_workstations, cheap_hashes, per_station):
    """Six wrong passwords at once, three on each workstation, lock a threshold of six at the
    sixth; eight lock it there too, the last two refused as locked. Every one is audited."""
    first, second = two_workstations
    admin = accounts.authenticate(first, "admin", STRONG_PASSWORD)
    settings_service.update(first, admin, {"lockout_attempts": 6})
    make_user(first, admin, "nurse")
    assert run_together([first, second], lambda station: accounts.authenticate(station, "nurse1", WRONG),
                        per_station) == []
    assert sorted(e.detail["attempt"] for e in events(first, "sign_in.failed")) == [1, 2, 3, 4, 5]
    assert len(events(first, "account.locked")) == 1
    assert len(events(first, "sign_in.refused_locked")) == 2 * per_station - 6
    assert account(first, "nurse1").locked_until is not None
    assert audit.verify_chain(first).intact


def test_an_old_accounts_key_wrap_is_found_by_the_name_it_was_made_with():
    class Wraps:
        def __init__(self, *names: str) -> None:
            self.names = names

        def has(self, name: str) -> bool:
            return name in self.names

    assert accounts.name_in_key_file(Wraps("ｊｏｅ"), " ＪＯＥ ") == "ｊｏｅ"  # made before NFKC
    assert accounts.name_in_key_file(Wraps("joe"), " ＪＯＥ ") == "joe"
    assert accounts.name_in_key_file(Wraps(), " ＪＯＥ ") == "joe"  # none: as names are made now
