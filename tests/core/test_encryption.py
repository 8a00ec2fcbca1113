"""The encrypted database (SQLCipher) and its key file: the key wrapped per account and for the
recovery key, what a wrong password does before the database can be opened, and `encrypt` of a
plain database. Invented people only."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_desktop.core import db as dbmod
from clinic_desktop.core import keys
from clinic_desktop.core.errors import AccountLocked, AuthenticationError, DatabaseProblem
from clinic_desktop.core.models import AuditEvent, User
from clinic_desktop.core.services import accounts, audit, demo, vault
from tests.conftest import STRONG_PASSWORD, encrypted_clinic

NURSE_PASSWORD = "amber meadow kettle 77"
T0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


pytestmark = pytest.mark.usefixtures("quick_kdf")


@pytest.fixture
def encrypted(tmp_path):
    """An encrypted database with an administrator and a nurse, closed; (path, recovery key)."""
    path = tmp_path / "clinic.db"
    return path, encrypted_clinic(path, ("admin", "Avery Admin", "admin", STRONG_PASSWORD),
                                  ("nurse", "Noor Nurse", "nurse", NURSE_PASSWORD))


def events(db, action: str) -> list[tuple[str | None, dict]]:
    """(user name, detail) of each ``action`` event, oldest first."""
    with db.read() as session:
        return [(e.username, e.detail or {}) for e in session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).scalars()]


# -- the key file --------------------------------------------------------------------------------

def test_a_wrap_opens_with_its_secret_only_and_only_under_its_own_name():
    key = keys.new_data_key()
    entry = keys.wrap("nurse", NURSE_PASSWORD, key)
    assert keys.unwrap("nurse", entry, NURSE_PASSWORD) == key
    assert keys.unwrap("nurse", entry, NURSE_PASSWORD + "x") is None
    assert keys.unwrap("admin", entry, NURSE_PASSWORD) is None  # copied under another name
    assert key.hex() not in str(entry) and NURSE_PASSWORD not in str(entry)


def test_a_damaged_wrap_is_named_not_mistaken_for_a_wrong_password():
    entry = keys.wrap("nurse", NURSE_PASSWORD, keys.new_data_key())
    entry["salt"] = "not base64!"
    with pytest.raises(DatabaseProblem, match="entry for nurse is damaged"):
        keys.unwrap("nurse", entry, NURSE_PASSWORD)


def test_the_recovery_key_reads_as_typed_whatever_the_case_spaces_or_look_alike_digits():
    made = keys.new_recovery_key()
    assert len(made) == 8 * 4 + 7 and all(len(group) == 4 for group in made.split("-"))
    sloppy = made.lower().replace("-", " ").replace("o", "0").replace("i", "1").replace("b", "8")
    assert keys.normalize_recovery_key(sloppy) == made


def _keyfile_with(failures: list[dt.datetime], attempts=5, minutes=15) -> keys.KeyFile:
    kf = keys.KeyFile(Path("unused.keys"), lockout=(attempts, minutes))
    kf.failures = [keys.Failure("nurse", at) for at in failures]
    return kf


@pytest.mark.parametrize(("failures", "locked"), [(3, False), (4, False), (5, True), (6, True)])
def test_a_run_of_failures_locks_the_name_at_the_lockout_count(failures, locked):
    kf = _keyfile_with([T0 + dt.timedelta(seconds=i) for i in range(failures)])
    assert (kf.locked_until("nurse", now=T0 + dt.timedelta(minutes=1)) is not None) is locked
    assert kf.locked_until("admin", now=T0 + dt.timedelta(minutes=1)) is None  # only that name


@pytest.mark.parametrize(("after", "locked"), [(dt.timedelta(minutes=15, seconds=-1), True),
                                               (dt.timedelta(minutes=15), False),
                                               (dt.timedelta(minutes=15, seconds=1), False)])
def test_the_lock_lasts_its_minutes_from_the_last_failure(after, locked):
    last = T0 + dt.timedelta(seconds=4)
    kf = _keyfile_with([T0 + dt.timedelta(seconds=i) for i in range(5)])
    assert (kf.locked_until("nurse", now=last + after) is not None) is locked


def test_after_a_lock_ends_the_count_starts_again():
    first_run = [T0 + dt.timedelta(seconds=i) for i in range(5)]
    later = T0 + dt.timedelta(hours=1)
    kf = _keyfile_with([*first_run, later])
    assert kf.locked_until("nurse", now=later) is None
    kf = _keyfile_with([*first_run, *(later + dt.timedelta(seconds=i) for i in range(5))])
    assert kf.locked_until("nurse", now=later + dt.timedelta(minutes=1)) is not None


def test_a_clock_set_back_keeps_the_lock_it_made():
    """Failures stamped in the future (a clock later set back) still keep the name out."""
    kf = _keyfile_with([T0 + dt.timedelta(seconds=i) for i in range(5)])
    assert kf.locked_until("nurse", now=T0 - dt.timedelta(hours=2)) is not None


# -- an encrypted database -------------------------------------------------------------------------

def test_nothing_readable_is_in_the_database_its_wal_or_the_key_file(encrypted):
    path, _ = encrypted
    db, _ = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        demo.seed(db)
        with db.engine.connect() as conn:  # keep the WAL: its pages are what a thief finds too
            files = [p for p in path.parent.iterdir() if p.name.startswith(path.name) and p.suffix != ".keys"]
            assert any(p.name.endswith("-wal") for p in files)
            blob = b"".join(p.read_bytes() for p in files)
            del conn
    finally:
        db.dispose()
    for secret in (b"DEMO-0001", b"Dana", b"Noor Nurse", b"nurse", b"SQLite format 3"):
        assert secret not in blob, secret
    kf = path.with_name(path.name + ".keys")
    assert stat.S_IMODE(kf.stat().st_mode) == 0o600
    # The key file names the accounts (their user names), nothing of a patient or a person's name.
    for secret in (b"DEMO-0001", b"Dana", b"Noor Nurse", STRONG_PASSWORD.encode()):
        assert secret not in kf.read_bytes(), secret


def test_without_a_key_or_with_another_databases_key_nothing_opens(encrypted, tmp_path):
    path, _ = encrypted
    with pytest.raises(dbmod.NeedsKey, match="is encrypted"):
        dbmod.open_database(str(path), create=False)
    with pytest.raises(dbmod.KeyMismatch, match="does not open"):
        dbmod.open_database(str(path), create=False, key=keys.new_data_key())
    before = path.read_bytes()
    with pytest.raises(AuthenticationError):
        vault.unlock(str(path), "admin", "not the password at all")
    assert path.read_bytes() == before


def test_a_wrong_password_is_noted_then_audited_and_counted_at_the_next_open(encrypted):
    path, _ = encrypted
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong user name or password"):
            vault.unlock(str(path), "Nurse ", "not the nurse's password")
    with pytest.raises(AuthenticationError):
        vault.unlock(str(path), "nobody", "whatever it was")
    assert len(keys.KeyFile.load(path.with_name(path.name + ".keys")).failures) == 3
    assert "nobody" not in path.with_name(path.name + ".keys").read_text(encoding="utf-8")
    db, _ = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        failed = events(db, "sign_in.failed")
        assert [name for name, _ in failed] == ["nurse", "nurse", accounts.UNKNOWN_NAME]
        assert all("before the database was opened" in detail["reason"] for _, detail in failed)
        assert failed[-1][1]["name_length"] == len("nobody")  # never the name typed
        with db.read() as session:
            nurse = session.execute(select(User).where(User.username == "nurse")).scalar_one()
            assert nurse.failed_attempts == 2
        assert audit.verify_chain(db).intact
    finally:
        db.dispose()
    assert keys.KeyFile.load(path.with_name(path.name + ".keys")).failures == []


def test_failures_before_the_open_lock_the_account_as_sign_ins_do(encrypted):
    path, _ = encrypted
    for _ in range(5):  # the default lockout: 5 attempts
        with pytest.raises(AuthenticationError):
            vault.unlock(str(path), "nurse", "not the nurse's password")
    with pytest.raises(AuthenticationError):  # the right password, but the name is locked
        vault.unlock(str(path), "nurse", NURSE_PASSWORD)
    db, _ = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        assert len(events(db, "account.locked")) == 1
        with pytest.raises(AccountLocked):
            accounts.authenticate(db, "nurse", NURSE_PASSWORD)
    finally:
        db.dispose()


def test_new_and_changed_passwords_are_wrapped_and_an_old_one_stops_opening(encrypted):
    path, _ = encrypted
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        accounts.create_user(db, admin, "counsel", "Cam Counselor", "counselor", "quiet river stones 5")
        nurse_id = next(u.id for u in accounts.list_users(db, admin) if u.username == "nurse")
        accounts.change_password(db, admin, nurse_id, "fresh orchard ladder 9")
    finally:
        db.dispose()
    for name, password in (("counsel", "quiet river stones 5"), ("nurse", "fresh orchard ladder 9")):
        db, user = vault.unlock(str(path), name, password)
        assert user.username == name
        db.dispose()
    with pytest.raises(AuthenticationError):
        vault.unlock(str(path), "nurse", NURSE_PASSWORD)


def test_a_password_that_cannot_be_wrapped_is_not_changed(encrypted, monkeypatch):
    path, _ = encrypted
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        nurse_id = next(u.id for u in accounts.list_users(db, admin) if u.username == "nurse")

        def refuse(self):
            raise DatabaseProblem("Cannot write the key file: disk full.")

        monkeypatch.setattr(keys.KeyFile, "save", refuse)
        with pytest.raises(DatabaseProblem):
            accounts.change_password(db, admin, nurse_id, "fresh orchard ladder 9")
        monkeypatch.undo()
        assert accounts.authenticate(db, "nurse", NURSE_PASSWORD).username == "nurse"
    finally:
        db.dispose()


def test_the_recovery_key_opens_it_and_resets_a_lost_password(encrypted):
    path, recovery = encrypted
    with pytest.raises(AuthenticationError, match="recovery key does not open"):
        vault.open_with_recovery_key(str(path), keys.new_recovery_key())
    db = vault.open_with_recovery_key(str(path), recovery.lower())
    try:
        vault.reset_password(db, "admin", "brand new harbor words 3")
        assert len(events(db, "recovery_key.refused")) == 1
        assert events(db, "user.password_reset")[0][0] == "(console)"
    finally:
        db.dispose()
    db, admin = vault.unlock(str(path), "admin", "brand new harbor words 3")
    db.dispose()
    assert admin.username == "admin"


def test_a_new_recovery_key_replaces_the_old_one(encrypted):
    path, old = encrypted
    db, admin = vault.unlock(str(path), "admin", STRONG_PASSWORD)
    try:
        new = vault.new_recovery_key(db, admin)
    finally:
        db.dispose()
    with pytest.raises(AuthenticationError):
        vault.open_with_recovery_key(str(path), old)
    vault.open_with_recovery_key(str(path), new).dispose()


# -- encrypting a plain database ------------------------------------------------------------------

@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "clinic.db"
    db = dbmod.open_database(str(path))
    try:
        accounts.create_user_from_console(db, "admin", "Avery Admin", "admin", STRONG_PASSWORD)
        accounts.create_user_from_console(db, "nurse", "Noor Nurse", "nurse", NURSE_PASSWORD)
        demo.seed(db)
    finally:
        db.dispose()
    return path


def row_counts(db) -> dict[str, int]:
    from sqlalchemy import inspect, text

    with db.engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in inspect(conn).get_table_names()}


def test_encrypt_keeps_every_record_and_the_plain_copy(plain):
    db = dbmod.open_database(str(plain), create=False)
    counts = row_counts(db)
    db.dispose()
    done = vault.encrypt(str(plain), "admin", STRONG_PASSWORD)
    assert dbmod.is_encrypted(plain) and done.plain_copy.is_file()
    assert stat.S_IMODE(done.plain_copy.stat().st_mode) == 0o600
    assert not plain.with_name("clinic.db-wal").exists()  # never the plain WAL beside the encrypted file
    assert b"DEMO-0001" not in plain.read_bytes()
    db, _ = vault.unlock(str(plain), "admin", STRONG_PASSWORD)
    try:
        after = row_counts(db)
        assert after["patients"] == counts["patients"] > 0
        # encrypt's sign-in and its database.encrypted, then this sign-in
        assert after["audit_events"] == counts["audit_events"] + 3
        assert audit.verify_chain(db).intact
        # The nurse has no wrap yet: signing in on the open database makes it.
        assert not keys.KeyFile.load(db.key_file).has("nurse")
        accounts.authenticate(db, "nurse", NURSE_PASSWORD)
    finally:
        db.dispose()
    vault.unlock(str(plain), "nurse", NURSE_PASSWORD)[0].dispose()
    vault.open_with_recovery_key(str(plain), done.recovery_key).dispose()


def test_encrypt_is_for_an_administrator_of_a_plain_database_only(plain):
    before = plain.read_bytes()
    with pytest.raises(AuthenticationError, match="Only an administrator"):
        vault.encrypt(str(plain), "nurse", NURSE_PASSWORD)
    with pytest.raises(AuthenticationError):
        vault.encrypt(str(plain), "admin", "not the password at all")
    assert not dbmod.is_encrypted(plain)
    assert not plain.with_name(plain.name + ".keys").exists()
    vault.encrypt(str(plain), "admin", STRONG_PASSWORD)
    assert plain.read_bytes() != before
    with pytest.raises(DatabaseProblem, match="already encrypted"):
        vault.encrypt(str(plain), "admin", STRONG_PASSWORD)


HOLDER = """
import sys, time
from clinic_desktop.core.db import open_database
from sqlalchemy import text
db = open_database(sys.argv[1], create=False)
with db.read() as s:
    s.execute(text("SELECT count(*) FROM patients")).scalar_one()
print("open", flush=True)
time.sleep(60)
"""


def test_encrypt_is_refused_while_another_process_has_the_database_open(plain):
    """Another workstation's app would go on writing to the plain file."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(plain)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(repo)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseProblem, match="is open in Clinic Desktop or another program"):
            vault.encrypt(str(plain), "admin", STRONG_PASSWORD)
    finally:
        holder.kill()
        holder.wait()
    assert not dbmod.is_encrypted(plain)
    assert not plain.with_name(plain.name + ".keys").exists()
    vault.encrypt(str(plain), "admin", STRONG_PASSWORD)  # once it is closed


def test_a_failed_check_of_the_encrypted_copy_replaces_nothing(plain, monkeypatch):
    def short(out, key, counts):
        raise DatabaseProblem("The encrypted copy holds 0 rows of patients, not 4; nothing was replaced.")

    monkeypatch.setattr(vault, "_check_encrypted", short)
    with pytest.raises(DatabaseProblem, match="nothing was replaced"):
        vault.encrypt(str(plain), "admin", STRONG_PASSWORD)
    assert not dbmod.is_encrypted(plain)
    assert sorted(p.name for p in plain.parent.iterdir() if "encrypting" in p.name or p.suffix == ".keys") == []
    db, _ = vault.unlock(str(plain), "admin", STRONG_PASSWORD)
    db.dispose()
