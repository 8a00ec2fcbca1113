"""Who may do what. Checked in the services; the GUI shows what a role may not do greyed out,
with :func:`who_may` as its tooltip. README's roles table is :func:`roles_table`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING

from clinic_desktop.core.errors import AccountChanged, PermissionDenied
from clinic_desktop.core.vocab import Role

if TYPE_CHECKING:
    from sqlalchemy import TextClause
    from sqlalchemy.orm import Session

    from clinic_desktop.core.db import Database

#: Everyone who works with patients: every role but the auditor, who reads only the audit trail.
STAFF = frozenset(Role) - {Role.AUDITOR}
CLINICAL = frozenset({Role.ADMIN, Role.NURSE, Role.PRESCRIBER})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "users.manage": frozenset({Role.ADMIN}),
    "settings.edit": frozenset({Role.ADMIN}),
    "directory.edit": frozenset({Role.ADMIN}),
    "audit.verify": frozenset({Role.ADMIN}),
    # Reading the audit trail (Admin → Audit log…, audit-report): who did what, when. The
    # auditor (a privacy officer) may do this and nothing else.
    "audit.read": frozenset({Role.ADMIN, Role.AUDITOR}),
    "patients.view": STAFF,
    "patients.edit": frozenset({Role.ADMIN, Role.NURSE, Role.PRESCRIBER, Role.COUNSELOR}),
    "episodes.open": CLINICAL,
    "episodes.stage": frozenset({Role.ADMIN, Role.NURSE, Role.PRESCRIBER, Role.COUNSELOR}),
    "observations.record": CLINICAL,
    "safety.assess": CLINICAL,
    # Supportive care and complications: counselors give emotional support and education, and
    # anyone on the team may escalate a complication.
    "care.record": CLINICAL | {Role.COUNSELOR},
    # The daily check-in (craving, mood, sleep...): nurses and counselors ask it every day.
    "checkins.record": CLINICAL | {Role.COUNSELOR},
    # Support sessions (#16): nurses and prescribers record peer contacts and brief check-ins;
    # counseling, group and family sessions are the counselors' (sessions.counsel).
    "sessions.record": CLINICAL | {Role.COUNSELOR},
    "sessions.counsel": frozenset({Role.COUNSELOR, Role.ADMIN}),
    "assessments.record": CLINICAL,
    # Weight, hepatic and renal function, QTc after the intake is signed (CLINICAL.md §6).
    "facts.edit": frozenset({Role.NURSE, Role.PRESCRIBER}),
    "medications.order": frozenset({Role.PRESCRIBER}),
    "medications.administer": frozenset({Role.NURSE}),
    "plans.edit": frozenset({Role.COUNSELOR, Role.PRESCRIBER, Role.ADMIN}),
    "plans.print": frozenset({Role.COUNSELOR, Role.PRESCRIBER, Role.ADMIN}),
    # Discharge medication reconciliation on the plan (continue, change or stop each active
    # order): orders are the prescriber's, and a nurse may reconcile them too.
    "plans.reconcile": frozenset({Role.NURSE, Role.PRESCRIBER}),
}

#: What each permission lets a person do, as it reads after "may": "Only prescribers may write
#: medication orders." Also the README's roles table, in this order.
PERMISSION_LABELS: dict[str, str] = {
    "patients.view": "see patients' records",
    "patients.edit": "register patients and correct their details",
    "episodes.open": "open episodes",
    "assessments.record": "record intake assessments",
    "observations.record": "record withdrawal scores and vitals",
    "safety.assess": "record safety assessments",
    "checkins.record": "record daily check-ins",
    "care.record": "record supportive care and complications",
    "sessions.record": "record peer contacts and brief check-ins",
    "sessions.counsel": "record counseling, group and family sessions",
    "facts.edit": "correct weight, liver and kidney function and QTc after intake",
    "medications.order": "write medication orders",
    "medications.administer": "give or hold doses",
    "plans.edit": "write aftercare plans",
    "plans.print": "print aftercare plans",
    "plans.reconcile": "reconcile discharge medications",
    "episodes.stage": "move episodes to transition and discharge",
    "users.manage": "manage staff accounts",
    "settings.edit": "change clinic and protocol settings",
    "directory.edit": "edit the referral directory",
    "audit.verify": "verify the audit trail",
    "audit.read": "read the audit trail",
}

ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.NURSE: "Nurse",
    Role.COUNSELOR: "Counselor",
    Role.PRESCRIBER: "Prescriber",
    Role.VIEWER: "Viewer (read only)",
    Role.AUDITOR: "Auditor (audit trail only)",
}


@dataclass(frozen=True)
class SignedInUser:
    """The person at the keyboard, as the services see them. Plain data, never an ORM object."""

    id: int
    username: str
    full_name: str
    role: Role
    #: An administrator asked them to choose a new password: the window asks for one before
    #: it opens (the admin commands are not held up by it).
    must_change_password: bool = False

    #: The role the database held when :func:`require` last re-read the account, where it
    #: differs from ``role`` (None: the same). :meth:`can` asks both.
    held: Role | None = field(default=None, compare=False)

    def can(self, permission: str) -> bool:
        allowed = PERMISSIONS[permission]
        return self.role in allowed and (self.held is None or self.held in allowed)


@cache
def _account_query() -> TextClause:
    # Made at the first call, not at import: the GUI loads this module without SQLAlchemy.
    from sqlalchemy import text

    return text("SELECT active, role FROM users WHERE id = :id")


def _account(where: Database | Session, user_id: int) -> tuple[bool, Role] | None:
    """(active, role) of the account as the database holds it now; None: there is no such account."""
    from sqlalchemy.orm import Session

    if isinstance(where, Session):
        row = where.execute(_account_query(), {"id": user_id}).first()
    else:
        with where.read() as session:
            row = session.execute(_account_query(), {"id": user_id}).first()
    return None if row is None else (bool(row[0]), Role(row[1]))


def _refused(role: Role, permission: str, refusal: str | None) -> PermissionDenied:
    return PermissionDenied(refusal or f"Your role ({ROLE_LABELS[role]}) may not do this ({permission}).")


def require(where: Database | Session, user: SignedInUser | None, permission: str, *alternatives: str,
            refusal: str | None = None) -> SignedInUser:
    """Refuse unless ``user`` may do ``permission`` (or any of ``alternatives``), both with the
    role their session holds and with the account as ``where`` (a database: in a read
    transaction of its own; a session: in its transaction) holds it now.

    PermissionDenied (``refusal``, or a sentence naming the role) when nobody is signed in or the
    session's role may not; AccountChanged when the account was deactivated since, or its role
    changed to one that may not. Returns the user as they stand: :meth:`SignedInUser.can` then
    answers for the role read as well."""
    if user is None:
        raise PermissionDenied("Sign in first.")
    needs = (permission, *alternatives)
    if not any(user.role in PERMISSIONS[p] for p in needs):
        raise _refused(user.role, permission, refusal)
    found = _account(where, user.id)
    if found is None or not found[0]:
        raise AccountChanged.deactivated_account()
    role = found[1]
    if role == user.role:
        return user if user.held is None else replace(user, held=None)
    acting = replace(user, held=role)
    if not any(acting.can(p) for p in needs):
        raise AccountChanged.role_changed(role, ROLE_LABELS[role].split(" (")[0])
    return acting


def _plural(role: Role) -> str:
    """The role's label without its note, lower case, plural: "Viewer (read only)" → "viewers"."""
    return ROLE_LABELS[role].split(" (")[0].lower() + "s"


def _series(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def who_may(permission: str, *others: str, doing: str | None = None) -> str:
    """One line for a greyed-out action's tooltip, e.g. "Only prescribers may write medication orders.".

    An action that any of several permissions allows names what it does: ``who_may(
    "medications.administer", "medications.order", doing="strike a dose entry")``."""
    roles = [role for role in Role if any(role in PERMISSIONS[p] for p in (permission, *others))]
    label = doing or PERMISSION_LABELS[permission]
    if not roles:
        return f"No one may {label}."
    return f"Only {_series([_plural(role) for role in roles])} may {label}."


def roles_table() -> str:
    """README's "Roles" table (Markdown), one row per role, its permissions in a fixed order.

    A test checks README.md holds exactly this, so the table and the checks cannot drift.
    """
    rows = ["| role | may |", "|---|---|"]
    for role in Role:
        may = [label for permission, label in PERMISSION_LABELS.items() if role in PERMISSIONS[permission]]
        rows.append(f"| `{role.value}` | {'; '.join(may) if may else 'nothing'} |")
    return "\n".join(rows) + "\n"
