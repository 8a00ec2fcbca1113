"""Discharge…, from the plan's Print and finalize section."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_desktop.core.services import plans
from clinic_desktop.gui.widgets.dialog_base import AsksBeforeDiscarding, OneFieldDialog


class DischargeDialog(AsksBeforeDiscarding, OneFieldDialog):
    """Discharge…: the reason is required; ``submitted`` carries it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Discharge the patient",
                         "Discharging closes the episode; the plan then no longer changes (its "
                         "finalized versions still print). A finalized plan is not required.",
                         "Discharge reason", "Discharge", error_name="Discharge error",
                         max_length=plans.MAX_DISCHARGE_REASON, width=460, parent=parent)
