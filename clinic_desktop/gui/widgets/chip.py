"""A status chip: a short word in a coloured pill (OVERDUE, DRAFT, SIGNED) beside the line that
explains it, instead of a whole paragraph turned red. Hidden while it has nothing to say.

    chip = Chip("Reassessment overdue")     # its accessible name
    chip.show_state("OVERDUE", "alert")     # "alert" (red), "warning" (amber), "ok" (teal), "info"
    chip.show_state("")                     # hidden
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from clinic_desktop.gui.widgets.style import repolish

SEVERITIES = ("alert", "warning", "ok", "info")


class Chip(QLabel):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "chip")
        self.setAccessibleName(accessible_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setVisible(False)

    def show_state(self, text: str, severity: str = "info") -> None:
        """Show ``text`` (empty: hide the chip) coloured for ``severity``."""
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        self.setText(text)
        self.setVisible(bool(text))
        if self.property("severity") != severity:
            self.setProperty("severity", severity)
            repolish(self)

    def severity(self) -> str:
        return str(self.property("severity") or "")
