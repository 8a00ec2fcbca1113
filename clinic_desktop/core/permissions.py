"""Who may do what. Checked in the services; the GUI only hides what a role cannot do."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_desktop.core.errors import PermissionDenied
from clinic_desktop.core.vocab import Role

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

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def require(user: SignedInUser | None, permission: str) -> SignedInUser:
    if user is None:
        raise PermissionDenied("Sign in first.")
    if not user.can(permission):
        raise PermissionDenied(
            f"Your role ({ROLE_LABELS[user.role]}) may not do this ({permission})."
        )
    return user
