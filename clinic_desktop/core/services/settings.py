"""Reading and changing the clinic-wide settings (admin only, audited)."""

from __future__ import annotations

from typing import Any

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


def _validate(key: str, value: Any) -> Any:
    if key not in DEFAULTS:
        raise ValidationError({key: f"Unknown setting {key!r}."})
    if key in INTEGER_RANGES:
        low, high = INTEGER_RANGES[key]
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError({key: f"{LABELS[key]} must be a whole number."}) from None
        if not low <= number <= high:
            raise ValidationError({key: f"{LABELS[key]} must be between {low} and {high}."})
        return number
    return str(value).strip()


def update(db: Database, user: SignedInUser, changes: dict[str, Any]) -> dict[str, Any]:
    require(user, "settings.edit")
    clean = {key: _validate(key, value) for key, value in changes.items()}
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
