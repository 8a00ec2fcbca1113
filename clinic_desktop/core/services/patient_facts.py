"""The patient facts the medication rules need (CLINICAL.md §6): allergies, pregnancy and
co-use of benzodiazepines or alcohol as recorded at intake.

Usage::

    with db.read() as session:
        facts = patient_facts.facts_in(session, episode_id)   # core.formulary.PatientFacts
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.core import assessment as intake_rules
from clinic_desktop.core.formulary import PatientFacts
from clinic_desktop.core.models import Assessment

__all__ = ["facts_in", "intake_data_in"]


def intake_data_in(session: Session, episode_id: int) -> dict[str, Any]:
    """The data of the episode's intake assessment, signed or still a draft ({} when none)."""
    row = session.execute(select(Assessment).where(Assessment.episode_id == episode_id)).scalar_one_or_none()
    return dict(row.data or {}) if row is not None else {}


def facts_in(session: Session, episode_id: int) -> PatientFacts:
    """What the rules know of the episode's patient, inside the caller's unit of work."""
    data = intake_data_in(session, episode_id)
    medical = data.get("medical") if isinstance(data.get("medical"), dict) else {}
    used = {row["substance"] for row in intake_rules.substance_rows(data)}
    pregnancy = medical.get("pregnancy")
    return PatientFacts(
        pregnant=pregnancy if isinstance(pregnancy, str) else None,
        allergies=str(medical.get("allergies") or ""),
        benzodiazepine_use="benzodiazepines" in used,
        alcohol_use="alcohol" in used,
    )
