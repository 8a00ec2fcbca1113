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
