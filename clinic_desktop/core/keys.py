"""The key file of an encrypted database: its data key, wrapped once per staff account and once
for the recovery key. No patient data is in it.

The database is encrypted (SQLCipher 4) with a random 256-bit *data key*, applied as a raw key.
That key is never stored in clear: for each person who may open the database it is wrapped with
AES-256-GCM under a key derived from their password with argon2id (a salt of its own per wrap),
and once more under the *recovery key* made when the database was created, which is shown to the
administrator once and kept on paper. The key file sits beside the database as ``<db>.keys``
(mode 0600, written whole through :func:`clinic_desktop.core.files.write_private`) and travels
with every backup.

Wrong passwords typed before the database is open cannot be written into it: they are noted in
the key file (who, when) and carried into the audit trail and the lockout count at the next
successful open (:func:`KeyFile.take_failures`). The lockout rule in force when the database was
last open is kept here too, so a name that failed too often is refused until it runs out.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_desktop.core import clock
from clinic_desktop.core.errors import WRONG_CREDENTIALS, AuthenticationError, DatabaseProblem
from clinic_desktop.core.files import write_private

FORMAT = 1
SUFFIX = ".keys"
DATA_KEY_BYTES = 32
RECOVERY_BYTES = 20  # 160 bits: 32 characters of base32, typed in 8 groups of 4
RECOVERY = "(recovery key)"  # the wrap's name in the file; never a user name (they have no spaces)
#: A failure noted for a name that has no wrap: what was typed is not kept (it may be a password
#: typed into the name field), only its length. Never a user name either.
UNKNOWN = "(unknown name)"
#: argon2id as the accounts' password hashes use it (argon2-cffi's defaults: RFC 9106's second
#: recommendation, 64 MiB), stored with each wrap so that it can be raised later.
KDF = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
MAX_FAILURES_KEPT = 200  # a script hammering a locked workstation cannot grow the file forever


class WrongKey(AuthenticationError):
    """The password or recovery key does not unwrap this database's key (or the name is locked)."""


@dataclass(frozen=True)
class Failure:
    """A wrong password typed before the database was open, waiting to reach the audit trail."""

    username: str
    at: dt.datetime
    #: For UNKNOWN: how many characters the name typed had (the name itself is not kept).
    length: int | None = None


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_recovery_key() -> str:
    """``ABCD-EFGH-…``: 32 base32 letters and digits (no 0, 1, 8 or 9 to misread) in 8 groups."""
    letters = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def normalize_recovery_key(typed: str) -> str:
    """What was typed, as the key was made: case, spaces and dashes do not matter, and the digits
    0, 1 and 8, which base32 never uses, are read as the letters O, I and B."""
    letters = "".join(ch for ch in typed.upper() if ch.isalnum())
    letters = letters.translate(str.maketrans("018", "OIB"))
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not base64 text")
    return base64.b64decode(text, validate=True)


def _derive(secret: str, salt: bytes, kdf: dict[str, int]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(unicodedata.normalize("NFC", secret).encode("utf-8"), salt,
                           time_cost=kdf["time_cost"], memory_cost=kdf["memory_cost"],
                           parallelism=kdf["parallelism"], hash_len=32, type=Type.ID)


def _aad(name: str) -> bytes:
    # The wrap is bound to its name: a wrap copied under another name does not open.
    return f"clinic-desktop key file {FORMAT} | {name}".encode()


def wrap(name: str, secret: str, data_key: bytes) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # imported when a key is used

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(secret, salt, KDF)).encrypt(nonce, data_key, _aad(name))
    return {"kdf": "argon2id", **KDF, "salt": _b64(salt), "nonce": _b64(nonce), "sealed": _b64(sealed)}


def unwrap(name: str, entry: dict[str, Any], secret: str) -> bytes | None:
    """The data key, or None when ``secret`` is not the one it was wrapped with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        kdf = {key: int(entry[key]) for key in KDF}
        salt, nonce, sealed = _unb64(entry["salt"]), _unb64(entry["nonce"]), _unb64(entry["sealed"])
        if entry.get("kdf") != "argon2id" or not 1 <= kdf["time_cost"] <= 64 \
                or not 8 <= kdf["memory_cost"] <= 4 * 1024 * 1024 or not 1 <= kdf["parallelism"] <= 64:
            raise ValueError("unknown key derivation")
    except (KeyError, TypeError, ValueError) as exc:
        raise DatabaseProblem(f"The key file's entry for {name} is damaged ({exc}); "
                              "open the database with another account or the recovery key.") from None
    try:
        return AESGCM(_derive(secret, salt, kdf)).decrypt(nonce, sealed, _aad(name))
    except InvalidTag:
        return None


@dataclass
class KeyFile:
    """The key file's contents; :meth:`save` writes them back whole."""

    path: Path
    wraps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    lockout: tuple[int, int] = (5, 15)  # attempts, minutes: as the clinic's settings were last seen

    @classmethod
    def new(cls, database: Path, data_key: bytes, recovery_key: str) -> KeyFile:
        keys = cls(key_file_for(database))
        keys.wraps[RECOVERY] = wrap(RECOVERY, normalize_recovery_key(recovery_key), data_key)
        return keys

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            data = json.loads(path.read_text("utf-8"))
        except OSError as exc:
            raise DatabaseProblem(f"Cannot read the key file {path}: {exc.strerror or exc}.") from None
        except ValueError:
            raise DatabaseProblem(f"The key file {path} is damaged (not JSON); restore it from the "
                                  "backup it came with.") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("wraps"), dict):
            raise DatabaseProblem(f"{path} is not a Clinic Desktop key file this version can read.")
        failures = []
        for item in data.get("failures", []):
            try:
                at = dt.datetime.fromisoformat(item["at"])
                length = item.get("length")
                failures.append(Failure(str(item["username"])[:64], at,
                                        int(length) if length is not None else None))
            except (KeyError, TypeError, ValueError):
                continue
        lockout = data.get("lockout", [5, 15])
        return cls(path, dict(data["wraps"]), failures,
                   (int(lockout[0]), int(lockout[1])) if isinstance(lockout, list) and len(lockout) == 2 else (5, 15))

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "about": "Clinic Desktop key file: the database's key, wrapped for each account. "
                     "Keep it with the database; it holds no patient data.",
            "wraps": self.wraps,
            "failures": [{"username": f.username, "at": f.at.isoformat(timespec="seconds"),
                          **({"length": f.length} if f.length is not None else {})}
                         for f in self.failures[-MAX_FAILURES_KEPT:]],
            "lockout": list(self.lockout),
        }
        try:
            write_private(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
        except OSError as exc:
            raise DatabaseProblem(f"Cannot write the key file {self.path}: {exc.strerror or exc}.") from None

    def has(self, username: str) -> bool:
        return username in self.wraps and username != RECOVERY

    def set_password(self, username: str, password: str, data_key: bytes) -> None:
        """(Re)wrap the data key for ``username``; the caller saves."""
        self.wraps[username] = wrap(username, password, data_key)

    def set_recovery_key(self, recovery_key: str, data_key: bytes) -> None:
        self.wraps[RECOVERY] = wrap(RECOVERY, normalize_recovery_key(recovery_key), data_key)

    def remove(self, username: str) -> None:
        """Drop ``username``'s wrap (a deactivated account): their password no longer opens the
        database. Never the recovery key's. The caller saves."""
        if username != RECOVERY:
            self.wraps.pop(username, None)

    def locked_until(self, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
        """Until when ``username`` is kept out by the failures noted here, as the database's own
        lockout counts them (a run of ``attempts`` failures locks for ``minutes``, and the count
        starts again after a lock); None when they are not."""
        now = now or clock.now()
        attempts, minutes = self.lockout
        count, until = 0, None
        for failure in self.failures:
            if failure.username != username or (until is not None and failure.at < until):
                continue
            count += 1
            if count >= attempts:
                until, count = failure.at + dt.timedelta(minutes=minutes), 0
        return until if until is not None and until > now else None

    def unlock(self, username: str, password: str) -> bytes:
        """The data key for ``username``'s ``password``. A wrong password (or an unknown name, noted
        only by its length) is noted for the audit trail and raises WrongKey; so does a name locked
        by its failures here, with the same message.
        The argon2 work is done in every case, so no answer comes sooner than another."""
        entry = self.wraps.get(username) if self.has(username) else None
        if entry is None:
            _waste(password)
        key = unwrap(username, entry, password) if entry is not None else None
        if key is None or self.locked_until(username) is not None:
            if key is None:
                self.failures.append(Failure(username[:64], clock.now()) if entry is not None
                                     else Failure(UNKNOWN, clock.now(), len(username)))
                self.save()
            raise WrongKey(WRONG_CREDENTIALS)
        return key

    def unlock_with_recovery(self, recovery_key: str) -> bytes:
        key = unwrap(RECOVERY, self.wraps.get(RECOVERY, {}), normalize_recovery_key(recovery_key)) \
            if RECOVERY in self.wraps else None
        if key is None:
            self.failures.append(Failure(RECOVERY, clock.now()))
            self.save()
            raise WrongKey("That recovery key does not open this database. Check each group of four.")
        return key

    def take_failures(self) -> list[Failure]:
        """The failures waiting for the audit trail; the caller writes them there, then saves."""
        taken, self.failures = self.failures, []
        return taken


_WASTE_ENTRY: dict[str, Any] | None = None


def _waste(password: str) -> None:
    """The same argon2 work as a real unwrap, for a name that has no wrap (timing)."""
    global _WASTE_ENTRY
    if _WASTE_ENTRY is None:
        _WASTE_ENTRY = wrap("(none)", os.urandom(16).hex(), bytes(DATA_KEY_BYTES))
    unwrap("(none)", _WASTE_ENTRY, password)
