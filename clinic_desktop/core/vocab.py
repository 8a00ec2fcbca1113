"""The words the whole app shares, without the ORM: staff roles, episode stages and which stages
are open on the flowsheet. The GUI reads these (a permission, a stage label) without loading
``core.models``; the models use them for their columns."""

from __future__ import annotations

import enum

__all__ = ["OPEN_STAGES", "Role", "Stage"]


class Role(str, enum.Enum):
    ADMIN = "admin"
    NURSE = "nurse"
    COUNSELOR = "counselor"
    PRESCRIBER = "prescriber"
    VIEWER = "viewer"
    #: A privacy officer: reads the audit trail (and a patient's accounting of disclosures), nothing clinical.
    AUDITOR = "auditor"


class Stage(str, enum.Enum):
    ASSESSMENT = "assessment"
    STABILIZATION = "stabilization"
    TRANSITION = "transition"
    DISCHARGED = "discharged"


#: The stages of an episode on the flowsheet, the MAR's due summary and the shift handover.
OPEN_STAGES: tuple[str, ...] = (Stage.STABILIZATION.value, Stage.TRANSITION.value)


#: Audit events that record a person reading a patient's record (once per opening of a view, never
#: per refresh) or searching for patients: the audit log's "Records read", and changes nobody
#: else needs to hear of (``core.live``).
READ_EVENTS: tuple[str, ...] = (
    "patient.opened", "patient.searched", "assessment.opened", "flowsheet.opened", "mar.opened", "care.opened",
    "prompts.opened", "support.opened", "consents.opened", "plan.opened", "plan_document.opened",
    "handover.viewed")
#: Audit events that take a record out of the app (prints and exports), which change no record.
OUTPUT_EVENTS: tuple[str, ...] = (
    "plan.letter_exported", "plan.printed", "plan.draft_printed", "consent.form_printed",
    "discharge.sheet_printed", "handover.printed", "directory.exported")
#: Audit events of the audit trail being read.
TRAIL_READ_EVENTS: tuple[str, ...] = ("audit.log_searched", "audit.disclosures_reported")
