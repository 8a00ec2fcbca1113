"""Staff accounts, from ``accounts.list_users()`` (plain ``UserView``s)."""

from __future__ import annotations

import datetime as dt

from clinic_desktop.core import clock
from clinic_desktop.core.services.accounts import UserView, role_label
from clinic_desktop.gui.models.row_model import RowTableModel

ACTIVE = "Active"
DEACTIVATED = "Deactivated"
NEW_PASSWORD_DUE = "Active, new password due"
NEVER = "never"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_locked(user: UserView, now: dt.datetime | None = None) -> bool:
    """Locked out after too many failed sign-ins, and the lockout has not run out yet."""
    return user.locked_until is not None and user.locked_until > (now or _now())


def status_text(user: UserView, now: dt.datetime | None = None) -> str:
    """"Active", "Active, new password due", "Locked until 09:25" (local time) or "Deactivated"."""
    if not user.active:
        return DEACTIVATED
    if is_locked(user, now):
        return f"Locked until {clock.local_text(user.locked_until)}"
    return NEW_PASSWORD_DUE if user.must_change_password else ACTIVE


def sign_in_text(moment: dt.datetime | None) -> str:
    """An aware UTC time as local "28 Nov 09:10", or "never"."""
    if moment is None:
        return NEVER
    local = clock.local(moment)
    return f"{local.day} {local.strftime('%b %H:%M')}"


class UsersModel(RowTableModel[UserView]):
    """One row per account, deactivated ones muted."""

    COLUMNS = ("Name", "User name", "Role", "Status", "Last sign-in")
    NAME, USERNAME, ROLE, STATUS, LAST_SIGN_IN = range(len(COLUMNS))

    def row_of_user(self, user_id: int) -> int:
        return self.find_row(lambda r: r.id == user_id)

    def muted(self, row: UserView, column: int) -> bool:
        return not row.active or (column == self.LAST_SIGN_IN and row.last_sign_in_at is None)

    def tooltip(self, row: UserView, column: int) -> str | None:
        if column == self.STATUS and row.active and is_locked(row):
            return "Locked after too many failed sign-ins. Unlock lets them sign in again now."
        if column == self.STATUS and not row.active:
            return "Cannot sign in. Reactivate gives the account back with a new password."
        if column == self.STATUS and row.must_change_password:
            return "They choose a new password at their next sign-in."
        if column == self.LAST_SIGN_IN and row.last_sign_in_at is not None:
            return clock.local_text(row.last_sign_in_at, "%Y-%m-%d %H:%M")
        return None

    def display(self, row: UserView, column: int) -> str:
        if column == self.NAME:
            return row.full_name
        if column == self.USERNAME:
            return row.username
        if column == self.ROLE:
            return role_label(row.role)
        if column == self.STATUS:
            return status_text(row)
        if column == self.LAST_SIGN_IN:
            return sign_in_text(row.last_sign_in_at)
        return ""
