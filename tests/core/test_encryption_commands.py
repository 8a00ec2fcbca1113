"""The admin commands on an encrypted database: made encrypted by create-user, opened with --user or
the recovery key, backed up encrypted with its key file, restored, reset, and `encrypt`. Each
refusal leaves every file byte for byte as it was. Invented people only."""

from __future__ import annotations

import re
import stat

import pytest

from clinic_desktop.core import db as dbmod
from clinic_desktop.core import keys
from clinic_desktop.core.services import backup, vault
from tests.core.test_database_on_purpose import PASSWORD, cli, one_line_refusal, tree

NURSE_PASSWORD = "amber meadow kettle 77"


def recovery_key_of(stdout: str) -> str:
    found = re.search(r"RECOVERY KEY: ([A-Z2-7-]{39})", stdout)
    assert found, stdout
    return found.group(1)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """An encrypted database made by create-user, with demo patients: (folder, recovery key)."""
    folder = tmp_path_factory.mktemp("encrypted")
    db = folder / "clinic.db"
    result = cli("--db", db, "create-user", "--username", "admin", "--role", "admin", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "shown only once" in result.stdout and "locked away" in result.stdout
    assert result.stdout.count("RECOVERY KEY") == 1
    seeded = cli("--db", db, "demo", "--user", "admin", "--user-password-stdin", stdin=PASSWORD + "\n")
    assert seeded.returncode == 0, seeded.stderr
    return folder, recovery_key_of(result.stdout)


@pytest.fixture
def encrypted(made, tmp_path):
    """A fresh copy of the made database for one test: (database path, recovery key)."""
    folder, recovery = made
    for name in ("clinic.db", "clinic.db.keys"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
        (tmp_path / name).chmod(0o600)
    return tmp_path / "clinic.db", recovery


def test_create_user_on_a_new_path_makes_an_encrypted_database(encrypted):
    path, _ = encrypted
    assert dbmod.is_encrypted(path)
    assert stat.S_IMODE(path.with_name("clinic.db.keys").stat().st_mode) == 0o600
    assert b"DEMO-0001" not in path.read_bytes()


def test_no_encryption_makes_a_plain_database(tmp_path):
    db = tmp_path / "plain.db"
    result = cli("--db", db, "--no-encryption", "create-user", "--username", "admin", "--role", "admin",
                 "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "RECOVERY KEY" not in result.stdout
    assert not dbmod.is_encrypted(db) and not (tmp_path / "plain.db.keys").exists()


def test_a_refused_password_makes_no_database(tmp_path):
    result = cli("--db", tmp_path / "new.db", "create-user", "--username", "admin", "--role", "admin",
                 "--password-stdin", stdin="short\n")
    one_line_refusal(result, "at least 12 characters")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["verify-audit"], ["demo"], ["backup", "--out", "copy.db"],
                                     ["export-directory", "out.csv"]])
def test_without_credentials_an_encrypted_database_is_refused_in_one_line(encrypted, command):
    path, _ = encrypted
    before = tree(path.parent)
    result = cli("--db", path, *[str(path.parent / c) if c.endswith((".db", ".csv")) else c for c in command])
    one_line_refusal(result, "--user NAME")
    assert tree(path.parent) == before


def test_a_wrong_password_opens_nothing_and_is_audited_at_the_next_open(encrypted):
    path, _ = encrypted
    db_before = path.read_bytes()
    result = cli("--db", path, "verify-audit", "--user", "admin", "--user-password-stdin", stdin="not it at all\n")
    one_line_refusal(result, "Wrong user name or password")
    assert path.read_bytes() == db_before
    ok = cli("--db", path, "verify-audit", "--user", "admin", "--user-password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0 and "intact" in ok.stdout


def test_backup_is_encrypted_with_its_key_file_and_restores_with_the_recovery_key(encrypted, tmp_path):
    path, recovery = encrypted
    out = tmp_path / "copies" / "monday.db"
    result = cli("--db", path, "backup", "--out", out, "--user", "admin", "--user-password-stdin",
                 stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    kf = out.with_name("monday.db.keys")
    assert stat.S_IMODE(out.stat().st_mode) == stat.S_IMODE(kf.stat().st_mode) == 0o600
    for blob in (out.read_bytes(), kf.read_bytes()):
        assert b"DEMO-0001" not in blob and b"SQLite format 3" not in blob
    before = tree(tmp_path / "copies")
    restored = cli("--db", path, "restore", "--from", out, "--recovery-key-stdin", stdin=recovery.lower() + "\n")
    assert restored.returncode == 0, restored.stderr
    assert tree(tmp_path / "copies") == before  # nothing written beside the backup
    ok = cli("--db", path, "verify-audit", "--user", "admin", "--user-password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr


def test_backup_refuses_the_key_file_as_its_target(encrypted):
    path, _ = encrypted
    before = tree(path.parent)
    result = cli("--db", path, "backup", "--out", path.with_name("clinic.db.keys"), "--user", "admin",
                 "--user-password-stdin", stdin=PASSWORD + "\n")
    one_line_refusal(result, "live database's own files")
    assert tree(path.parent) == before


def test_an_encrypted_backup_without_or_with_a_wrong_key_restores_nothing(encrypted, tmp_path):
    path, _ = encrypted
    out = tmp_path / "b.db"
    assert cli("--db", path, "backup", "--out", out, "--user", "admin", "--user-password-stdin",
               stdin=PASSWORD + "\n").returncode == 0
    before = tree(path.parent)
    one_line_refusal(cli("--db", path, "restore", "--from", out), "is encrypted")
    one_line_refusal(cli("--db", path, "restore", "--from", out, "--recovery-key-stdin",
                         stdin=keys.new_recovery_key() + "\n"), "recovery key does not open")
    assert tree(path.parent) == before


def test_reset_password_with_the_recovery_key(encrypted):
    path, recovery = encrypted
    wrong = cli("--db", path, "reset-password", "--username", "admin", "--recovery-key-stdin", "--password-stdin",
                stdin=keys.new_recovery_key() + "\nfresh orchard ladder 9\n")
    one_line_refusal(wrong, "recovery key does not open")
    needs = cli("--db", path, "reset-password", "--username", "admin", "--password-stdin",
                stdin="fresh orchard ladder 9\n")
    one_line_refusal(needs, "--recovery-key-stdin")
    done = cli("--db", path, "reset-password", "--username", "admin", "--recovery-key-stdin", "--password-stdin",
               stdin=f"{recovery}\nfresh orchard ladder 9\n")
    assert done.returncode == 0, done.stderr
    assert cli("--db", path, "verify-audit", "--user", "admin", "--user-password-stdin",
               stdin="fresh orchard ladder 9\n").returncode == 0
    one_line_refusal(cli("--db", path, "verify-audit", "--user", "admin", "--user-password-stdin",
                         stdin=PASSWORD + "\n"), "Wrong user name or password")


def test_a_new_account_made_as_an_administrator_opens_the_database(encrypted):
    path, _ = encrypted
    made = cli("--db", path, "create-user", "--username", "nurse", "--role", "nurse", "--user", "admin",
               "--user-password-stdin", "--password-stdin", stdin=f"{PASSWORD}\n{NURSE_PASSWORD}\n")
    assert made.returncode == 0, made.stderr
    assert "RECOVERY KEY" not in made.stdout
    db, nurse = vault.unlock(str(path), "nurse", NURSE_PASSWORD)
    db.dispose()
    assert nurse.username == "nurse"


def test_encrypt_command_turns_a_plain_database_into_an_encrypted_one(tmp_path):
    db = tmp_path / "clinic.db"
    assert cli("--db", db, "--no-encryption", "create-user", "--username", "admin", "--role", "admin",
               "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    assert cli("--db", db, "demo").returncode == 0
    one_line_refusal(cli("--db", db, "encrypt"), "--user NAME")
    result = cli("--db", db, "encrypt", "--user", "admin", "--user-password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    recovery_key_of(result.stdout)
    assert dbmod.is_encrypted(db) and b"DEMO-0001" not in db.read_bytes()
    kept = list(tmp_path.glob("clinic.before-encryption-*.db"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    ok = cli("--db", db, "verify-audit", "--user", "admin", "--user-password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0 and "intact" in ok.stdout


# -- restore between plain and encrypted (core, quick) ----------------------------------------------

def _encrypted_with_admin(path):
    from clinic_desktop.core.services import accounts

    made = vault.create_encrypted(str(path))
    accounts.create_user_from_console(made.db, "admin", "Avery Admin", "admin", PASSWORD)
    made.db.dispose()
    return made.recovery_key


def test_a_plain_backup_never_replaces_an_encrypted_database(tmp_path, quick_kdf):
    from clinic_desktop.core.services import accounts

    plain = tmp_path / "plain.db"
    db = dbmod.open_database(str(plain))
    accounts.create_user_from_console(db, "admin", "Avery Admin", "admin", PASSWORD)
    db.dispose()
    live = tmp_path / "live" / "clinic.db"
    live.parent.mkdir()
    _encrypted_with_admin(live)
    before = tree(live.parent)
    with pytest.raises(Exception, match="is not encrypted and"):
        backup.restore(str(live), plain)
    assert tree(live.parent) == before


def test_a_backup_of_another_encrypted_database_never_replaces_this_one(tmp_path, quick_kdf):
    other, live = tmp_path / "other.db", tmp_path / "live" / "clinic.db"
    live.parent.mkdir()
    other_key = _encrypted_with_admin(other)
    _encrypted_with_admin(live)
    before = tree(live.parent)
    with pytest.raises(Exception, match="encrypted with another key"):
        backup.restore(str(live), other, unlock=lambda kf: kf.unlock_with_recovery(other_key))
    assert tree(live.parent) == before


def test_an_encrypted_backup_takes_the_place_of_a_plain_database_with_its_key_file(tmp_path, quick_kdf):
    from clinic_desktop.core.services import accounts

    source = tmp_path / "enc.db"
    recovery = _encrypted_with_admin(source)
    live = tmp_path / "live" / "clinic.db"
    live.parent.mkdir()
    db = dbmod.open_database(str(live))
    accounts.create_user_from_console(db, "admin", "Avery Admin", "admin", PASSWORD)
    db.dispose()
    kept = backup.restore(str(live), source, unlock=lambda kf: kf.unlock_with_recovery(recovery))
    assert dbmod.is_encrypted(live) and not dbmod.is_encrypted(kept)
    vault.unlock(str(live), "admin", PASSWORD)[0].dispose()


def test_deactivate_user_and_reactivate_user_take_the_key_away_and_give_it_back(encrypted):
    path, _ = encrypted
    assert cli("--db", path, "create-user", "--username", "nurse", "--role", "nurse", "--user", "admin",
               "--user-password-stdin", "--password-stdin",
               stdin=f"{PASSWORD}\n{NURSE_PASSWORD}\n").returncode == 0
    last = cli("--db", path, "deactivate-user", "--username", "admin", "--user", "admin", "--user-password-stdin",
               stdin=f"{PASSWORD}\n")
    one_line_refusal(last, "last active administrator")
    gone = cli("--db", path, "deactivate-user", "--username", "nurse", "--user", "admin", "--user-password-stdin",
               stdin=f"{PASSWORD}\n")
    assert gone.returncode == 0, gone.stderr
    assert "can no longer sign in or open the encrypted database" in gone.stdout
    assert not keys.KeyFile.load(keys.key_file_for(path)).has("nurse")
    one_line_refusal(cli("--db", path, "verify-audit", "--user", "nurse", "--user-password-stdin",
                         stdin=NURSE_PASSWORD + "\n"), "Wrong user name or password")
    weak = cli("--db", path, "reactivate-user", "--username", "nurse", "--user", "admin", "--user-password-stdin",
               "--password-stdin", stdin=f"{PASSWORD}\nshort\n")
    one_line_refusal(weak, "at least 12 characters")
    back = cli("--db", path, "reactivate-user", "--username", "nurse", "--user", "admin", "--user-password-stdin",
               "--password-stdin", stdin=f"{PASSWORD}\nfresh orchard ladder 9\n")
    assert back.returncode == 0, back.stderr
    assert "Reactivated 'nurse'" in back.stdout and "fresh orchard" not in back.stdout
    # The commands are not held up by "must change password"; the window asks for it.
    assert cli("--db", path, "verify-audit", "--user", "nurse", "--user-password-stdin",
               stdin="fresh orchard ladder 9\n").returncode == 0
    db, nurse = vault.unlock(str(path), "nurse", "fresh orchard ladder 9")
    db.dispose()
    assert nurse.must_change_password
