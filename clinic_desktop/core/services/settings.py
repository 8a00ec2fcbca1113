"""Reading and changing the clinic-wide settings (admin only, audited)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.models import ClinicSetting, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.settings import DEFAULTS, INTEGER_RANGES, LABELS


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


def _clean(key: str, value: Any) -> Any:
    """The stored form of one setting; ValueError with the message for staff if it is refused."""
    if key not in DEFAULTS:
        raise ValueError(f"Unknown setting {key!r}.")
    if key in INTEGER_RANGES:
        low, high = INTEGER_RANGES[key]
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{LABELS[key]} must be a whole number.") from None
        if not low <= number <= high:
            raise ValueError(f"{LABELS[key]} must be between {low} and {high}.")
        return number
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"{LABELS[key]} may be at most {MAX_TEXT} characters.")
    if key == "phone_region":
        text = text.upper()
        if phonenumbers.country_code_for_region(text) == 0:
            raise ValueError("Choose a country or region code such as US.")
    return text


def update(db: Database, user: SignedInUser, changes: dict[str, Any]) -> dict[str, Any]:
    """Change clinic-wide settings (admin only). Every refused key is named; nothing is saved then."""
    require(user, "settings.edit")
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in changes.items():
        try:
            clean[key] = _clean(key, value)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        before = read_in(session)
        for key, value in clean.items():
            row = session.get(ClinicSetting, key)
            if row is None:
                session.add(ClinicSetting(key=key, value=value, updated_by=user.id))
            elif row.value != value:
                row.value = value
                row.updated_by = user.id
                row.updated_at = utcnow()
        after = {**before, **clean}
        changed = audit.diff(before, after)
        if changed:
            audit.append(session, user, "settings.updated", entity_type="settings", detail={"changes": changed})
        return after
