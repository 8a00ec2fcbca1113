"""Errors that services raise. Each carries a message fit to show to staff as it is."""

from __future__ import annotations

from clinic_desktop.core.vocab import Role


class ClinicError(Exception):
    """Base of every error a service raises on purpose."""


class ValidationError(ClinicError):
    """Bad input. ``fields`` maps a field name to the message shown next to that field."""

    def __init__(self, fields: dict[str, str] | str):
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields = dict(fields)
        super().__init__("; ".join(m for m in self.fields.values()))


class ClinicIdentityMissing(ValidationError):
    """Something would print while the clinic's name, address or phone is not set."""


class PermissionDenied(ClinicError):
    """The signed-in role may not do this."""


class AccountChanged(PermissionDenied):
    """The account acting was deactivated, or its role changed to one that may not do this, since
    it signed in (on this workstation or another): nothing was done. ``deactivated``: the account
    was deactivated; ``role``: the new role (None when deactivated)."""

    def __init__(self, message: str, *, deactivated: bool, role: Role | None = None) -> None:
        super().__init__(message)
        self.deactivated = deactivated
        self.role = role

    @classmethod
    def deactivated_account(cls) -> AccountChanged:
        return cls("Your account was deactivated by an administrator, so this was not done. What you typed is "
                   "still on screen; ask an administrator to reactivate your account, then sign in again.",
                   deactivated=True)

    @classmethod
    def role_changed(cls, role: Role, label: str) -> AccountChanged:
        article = "an" if label[:1].lower() in "aeiou" else "a"
        return cls(f"Your role changed to {label}: this is not something {article} {label} may do. What you "
                   f"typed is still on screen; sign in again to work as {article} {label}.",
                   deactivated=False, role=role)


class NotFound(ClinicError):
    pass


class ConflictError(ClinicError):
    """A stale edit: someone else saved this record after it was opened here."""


#: The one answer to a refused sign-in, whatever the reason: an unknown name, a wrong password, an
#: inactive or a locked account (who is locked is shown to administrators, in the Users list).
WRONG_CREDENTIALS = "Wrong user name or password, or the account is locked — ask an administrator."


class AuthenticationError(ClinicError):
    """Wrong user name or password (deliberately does not say which)."""


class AccountLocked(AuthenticationError):
    """Refused because the account is locked. Its message is :data:`WRONG_CREDENTIALS`, as every
    refusal's (the person at the keyboard is not told); ``until`` is for the caller's records."""

    def __init__(self, message: str, until):
        super().__init__(message)
        self.until = until


class DatabaseProblem(ClinicError):
    """The database cannot be opened as it is: not ours, corrupt, or newer than this app."""
