"""Reading and changing the clinic-wide settings (admin only, audited).

The decision-support thresholds of CLINICAL.md §3 are settings like any other here; build the
prompts' view of them with ``ProtocolSettings.from_mapping(get_all(db))``. Every change is
checked against its range (and, for the protocol thresholds, against the ones it must stay
below or above) and recorded as one "settings.updated" audit event with a before/after diff.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ClinicIdentityMissing, ValidationError
from clinic_desktop.core.models import ClinicSetting, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.settings import (
    CHOICES,
    DECIMAL_PLACES,
    DECIMAL_RANGES,
    DEFAULTS,
    INTEGER_RANGES,
    LABELS,
    LOGO_MAX_BYTES,
    PROTOCOL_KEYS,
    PROTOCOL_ORDER,
)
from clinic_desktop.core.text import read_number


def read_in(session: Session) -> dict[str, Any]:
    values = dict(DEFAULTS)
    for row in session.execute(select(ClinicSetting)).scalars():
        if row.key in values:
            values[row.key] = row.value
    return values


def get_all(db: Database) -> dict[str, Any]:
    with db.read() as session:
        return read_in(session)


def get(db: Database, key: str) -> Any:
    return get_all(db)[key]


MAX_TEXT = 300

#: What every printed plan, letter and handover names the clinic by: none may print without them.
IDENTITY_KEYS: tuple[str, ...] = ("clinic_name", "clinic_address", "clinic_phone")
_IDENTITY_WORDS = {"clinic_name": "name", "clinic_address": "address", "clinic_phone": "phone"}


def identity_missing(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of :data:`IDENTITY_KEYS` that ``values`` (the settings) leave blank."""
    return tuple(key for key in IDENTITY_KEYS if not str(values.get(key) or "").strip())


def require_identity(values: Mapping[str, Any]) -> None:
    """Refuse to print (ClinicIdentityMissing) while the clinic's name, address or phone is blank:
    the message says which, and that an administrator sets them in Clinic settings."""
    missing = identity_missing(values)
    if missing:
        words = [_IDENTITY_WORDS[key] for key in missing]
        listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        raise ClinicIdentityMissing(
            f"Nothing can print until the clinic's {listed} {'is' if len(words) == 1 else 'are'} set: "
            "an administrator sets them in Admin › Clinic settings.")


def require_identity_in(session: Session) -> None:
    """:func:`require_identity` on the settings as read in ``session``."""
    require_identity(read_in(session))


def check_identity(values: Mapping[str, Any]) -> dict[str, str]:
    """Why each of the clinic's name, address and phone given in ``values`` is refused (blank
    or not accepted as a setting), keyed by setting; {} when all three are fine."""
    errors: dict[str, str] = {}
    for key in IDENTITY_KEYS:
        try:
            _clean_identity(key, values.get(key))
        except ValueError as exc:
            errors[key] = str(exc)
    return errors


def _clean_identity(key: str, value: Any) -> str:
    """The clinic's name, address or phone as stored; ValueError when refused or blank (every
    plan, letter and handover prints it)."""
    text = str(_clean(key, value or ""))
    if not text:
        raise ValueError(f"Enter the {LABELS[key].lower()}: every plan, letter and handover prints it.")
    return text


def _clean(key: str, value: Any) -> Any:
    """The stored form of one setting; ValueError with the message for staff if it is refused."""
    if key not in DEFAULTS:
        raise ValueError(f"Unknown setting {key!r}.")
    if key in INTEGER_RANGES:
        low, high = INTEGER_RANGES[key]
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{LABELS[key]} must be a whole number.") from None
        if not low <= number <= high:
            raise ValueError(f"{LABELS[key]} must be between {low} and {high}.")
        return number
    if key in DECIMAL_RANGES:
        return _clean_decimal(key, value)
    if key == "clinic_logo":
        return _clean_logo(value)
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{LABELS[key]} may be at most {MAX_TEXT} characters.")
    if key == "phone_region":
        text = text.upper()
        if phonenumbers.country_code_for_region(text) == 0:
            raise ValueError("Choose a country or region code such as US.")
    if key == "backup.folder" and text and not Path(text).expanduser().is_absolute():
        raise ValueError("Give the backup folder's full path (such as /media/backup/clinic or "
                         "E:\\ClinicBackups), or leave it blank.")
    if key in CHOICES:
        text = text.lower()
        if text not in CHOICES[key]:
            raise ValueError(f"{LABELS[key]}: choose {' or '.join(CHOICES[key].values())}.")
    return text


def logo_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be the clinic logo (not PNG or JPEG, too large, or an image that does
    not load), or None."""
    if len(data) > LOGO_MAX_BYTES:
        return (f"The logo is {len(data) // 1024} KB; it may be at most {LOGO_MAX_BYTES // 1024} KB. "
                "Save a smaller copy of it.")
    if not (data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))):
        return "The clinic logo must be a PNG or JPEG image."
    try:
        from PIL import Image  # ReportLab's own image library: what will draw it

        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.width < 1 or image.height < 1:
                raise ValueError
    except Exception:  # noqa: BLE001 - any failure to decode means the file is damaged
        return "This image cannot be read: it may be damaged. Choose another file."
    return None


def _clean_logo(value: Any) -> str:
    """The logo as stored: base64 text of checked PNG or JPEG bytes ("" = none). Takes the bytes
    or the base64 text."""
    if value is None or value == "" or value == b"":
        return ""
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        try:
            data = base64.b64decode(str(value).strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("The clinic logo must be a PNG or JPEG image.") from None
    problem = logo_problem(data)
    if problem:
        raise ValueError(problem)
    return base64.b64encode(data).decode("ascii")


def logo_bytes(values: Mapping[str, Any]) -> bytes | None:
    """The stored logo image (``values``: the settings), or None when there is none."""
    text = str(values.get("clinic_logo") or "").strip()
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _clean_decimal(key: str, value: Any) -> float:
    """A decimal setting as stored: a number within its range, to DECIMAL_PLACES places."""
    low, high = DECIMAL_RANGES[key]
    try:
        number = read_number(value)
    except ValueError:
        raise ValueError(f"{LABELS[key]} must be a number.") from None
    if round(number, DECIMAL_PLACES) != number:
        raise ValueError(f"{LABELS[key]} takes at most {DECIMAL_PLACES} decimal place.")
    if not low <= number <= high:
        raise ValueError(f"{LABELS[key]} must be between {low:g} and {high:g}.")
    return number


def _order_errors(values: dict[str, Any], changed: set[str]) -> dict[str, str]:
    """The cross-field rules of PROTOCOL_ORDER that ``values`` break, keyed by the changed
    setting(s) of each broken rule (a rule that only stored values break is left alone)."""
    errors: dict[str, str] = {}
    for lower, higher, strict, message in PROTOCOL_ORDER:
        if not changed & {lower, higher}:
            continue
        try:
            low, high = float(values[lower]), float(values[higher])
        except (TypeError, ValueError):
            continue
        if low < high or (low == high and not strict):
            continue
        text = message.format(lower=f"{low:g}", higher=f"{high:g}")
        for key in (lower, higher):
            if key in changed:
                errors.setdefault(key, text)
    return errors


def update(db: Database, user: SignedInUser, changes: dict[str, Any]) -> dict[str, Any]:
    """Change clinic-wide settings (admin only). Every refused key is named; nothing is saved then.
    The clinic's name, address and phone, once given, cannot be blanked: nothing would print."""
    require(db, user, "settings.edit")
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in changes.items():
        try:
            clean[key] = _clean_identity(key, value) if key in IDENTITY_KEYS else _clean(key, value)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        before = read_in(session)
        order_errors = _order_errors({**before, **clean}, set(clean))
        if order_errors:
            raise ValidationError(order_errors)
        return _store_in(session, user, before, clean)


def _store_in(session: Session, user: SignedInUser, before: dict[str, Any], clean: dict[str, Any]
              ) -> dict[str, Any]:
    """Write the checked ``clean`` values in ``session`` and audit the diff from ``before``."""
    for key, value in clean.items():
        row = session.get(ClinicSetting, key)
        if row is None:
            session.add(ClinicSetting(key=key, value=value, updated_by=user.id))
        elif row.value != value:
            row.value = value
            row.updated_by = user.id
            row.updated_at = utcnow()
    after = {**before, **clean}
    changed = audit.diff(_for_audit(before), _for_audit(after))
    if changed:
        audit.append(session, user, "settings.updated", entity_type="settings", detail={"changes": changed})
    return after


def _for_audit(values: dict[str, Any]) -> dict[str, Any]:
    """The settings as the audit trail records them: the logo as its size and a fingerprint,
    never the image itself."""
    data = logo_bytes(values)
    if data is None:
        return values
    fingerprint = hashlib.sha256(data).hexdigest()[:16]
    return {**values, "clinic_logo": f"image, {len(data)} bytes, sha256 {fingerprint}"}


def store_identity_in(session: Session, user: SignedInUser, values: Mapping[str, Any]) -> None:
    """The first start: the clinic's name, address and phone saved in the caller's transaction
    (with the administrator it creates), audited as "settings.updated". ValidationError keyed
    by setting when any is blank or refused (check first with :func:`check_identity`)."""
    errors = check_identity(values)
    if errors:
        raise ValidationError(errors)
    clean = {key: _clean_identity(key, values.get(key)) for key in IDENTITY_KEYS}
    _store_in(session, user, read_in(session), clean)


def reset_protocol_defaults(db: Database, user: SignedInUser) -> dict[str, Any]:
    """Put every decision-support threshold back to its shipped default (admin only, audited
    like any change; the clinic's other settings are left alone). Returns all the settings."""
    return update(db, user, {key: DEFAULTS[key] for key in PROTOCOL_KEYS})
