"""The intake screen's sections, one small class each (``section.IntakeSection``: build / load /
read / validate), in the core's section order. The shell is ``gui.intake_screen.IntakeScreen``."""

from __future__ import annotations

from clinic_desktop.gui.intake.identity import IdentitySection
from clinic_desktop.gui.intake.medical import MedicalSection
from clinic_desktop.gui.intake.mental_health import MentalHealthSection
from clinic_desktop.gui.intake.scores import ScoresSection
from clinic_desktop.gui.intake.section import IntakeSection
from clinic_desktop.gui.intake.social import SocialSection
from clinic_desktop.gui.intake.substances import SubstanceRow, SubstancesSection
from clinic_desktop.gui.intake.summary import SummarySection
from clinic_desktop.gui.intake.vitals import VitalsSection

#: Every section class, in the order of ``core.assessment.SECTIONS``.
SECTION_CLASSES: tuple[type[IntakeSection], ...] = (
    IdentitySection, SubstancesSection, MedicalSection, VitalsSection, ScoresSection,
    MentalHealthSection, SocialSection, SummarySection)

__all__ = [
    "SECTION_CLASSES",
    "IdentitySection",
    "IntakeSection",
    "MedicalSection",
    "MentalHealthSection",
    "ScoresSection",
    "SocialSection",
    "SubstanceRow",
    "SubstancesSection",
    "SummarySection",
    "VitalsSection",
]
