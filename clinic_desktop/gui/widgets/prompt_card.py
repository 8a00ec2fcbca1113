"""A protocol prompt as a card: its title, its status as a coloured pill (a :class:`Chip`), what
staff read, and the basis (the facts used and the setting it used) folded away behind a
"Show the basis" toggle. The stabilization screen's Prompts tab shows one card per prompt; the
intake's buprenorphine readiness panel is one card.

    card = PromptCard("Buprenorphine readiness")   # the name that tells its widgets apart
    card.show_prompt(prompt)                       # a core.protocols.Prompt
    card.show_state("COWS reassessment", "OVERDUE", "alert", text, basis)   # one not from core

The widgets' accessible names start with the card's name: "<name>" (the title), "<name> status"
(the pill), "<name> text", "<name> basis" and "<name>: show the basis" (the toggle).

How a prompt's status (``core.protocols.PROMPT_STATUSES``) shows as a pill (:data:`STATUS_PILLS`):

==================  ==================  =========  ===============================================
status              pill                severity   why
==================  ==================  =========  ===============================================
``meets``           MEETS DEFAULTS      ok         the protocol's defaults are met; staff decide
``caution``         CAUTION             warning    met, but with a caveat to read (fentanyl, stale)
``not_yet``         NOT YET             warning    wait: starting now risks precipitated withdrawal
``hold_suggested``  HOLD SUGGESTED      alert      a vital sign is past a hold parameter
``no_hold``         NO HOLD             ok         no hold parameter is met
``info``            INFO                info       something to know or to record first
==================  ==================  =========  ===============================================

The card's left edge takes the pill's colour (``QFrame#promptCard[severity=...]`` in app.qss).
Decision support only: the pill sums up what the prompt says, the clinician decides.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.core.protocols import Prompt
from clinic_desktop.gui.widgets.chip import Chip
from clinic_desktop.gui.widgets.style import repolish

#: Each prompt status's pill: (text, chip severity). See the module's table.
STATUS_PILLS: dict[str, tuple[str, str]] = {
    "meets": ("MEETS DEFAULTS", "ok"),
    "caution": ("CAUTION", "warning"),
    "not_yet": ("NOT YET", "warning"),
    "hold_suggested": ("HOLD SUGGESTED", "alert"),
    "no_hold": ("NO HOLD", "ok"),
    "info": ("INFO", "info"),
}

SHOW = "Show the basis"
HIDE = "Hide the basis"


def status_pill(status: str) -> tuple[str, str]:
    """The pill (text, severity) of a prompt ``status``; an unknown one shows as information."""
    return STATUS_PILLS.get(status, (status.replace("_", " ").upper(), "info"))


class PromptCard(QFrame):
    """One prompt: title and status pill, its text, and its basis behind a toggle (folded)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName("promptCard")
        self.setAccessibleName(f"{name} card")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.title = QLabel(name)
        self.title.setProperty("role", "heading")
        self.title.setAccessibleName(name)
        self.title.setWordWrap(True)
        self.pill = Chip(f"{name} status", self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(f"{name} text")
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setTextFormat(Qt.TextFormat.PlainText)
        self.basis.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.basis.setProperty("role", "muted")
        self.basis.setAccessibleName(f"{name} basis")
        self.basis.setVisible(False)  # folded away until asked for
        self.basis_button = QToolButton()
        self.basis_button.setText(SHOW)
        self.basis_button.setAccessibleName(f"{name}: show the basis")
        self.basis_button.setCheckable(True)
        self.basis_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.basis_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.basis_button.setArrowType(Qt.ArrowType.RightArrow)
        self.basis_button.toggled.connect(self._show_basis)

        title_row = QHBoxLayout()
        title_row.setSpacing(8)
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.pill, 0, Qt.AlignmentFlag.AlignVCenter)
        title_row.addWidget(self.basis_button, 0, Qt.AlignmentFlag.AlignVCenter)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 8)
        box.setSpacing(4)
        box.addLayout(title_row)
        box.addWidget(self.text)
        box.addWidget(self.basis)
        box.addStretch(1)  # filling a scroll area, the card keeps its lines together at the top

    def show_prompt(self, prompt: Prompt) -> None:
        """Show a core prompt: its title, status pill, text, and "Basis: … . <setting used>."."""
        pill, severity = status_pill(prompt.status)
        self.show_state(prompt.title, pill, severity, prompt.text,
                        f"Basis: {prompt.basis}. {prompt.setting_used}.")

    def show_state(self, title: str, pill: str, severity: str, text: str, basis: str) -> None:
        """Show a prompt given in parts (an empty ``pill`` hides the pill; an empty ``basis``
        hides the toggle)."""
        self.title.setText(title)
        self.pill.show_state(pill, severity)
        self.text.setText(text)
        self.basis.setText(basis)
        self.basis_button.setVisible(bool(basis))
        self.basis.setVisible(bool(basis) and self.basis_button.isChecked())
        if self.property("severity") != severity:
            self.setProperty("severity", severity)
            repolish(self)

    def severity(self) -> str:
        return str(self.property("severity") or "")

    def _show_basis(self, shown: bool) -> None:
        self.basis.setVisible(shown and bool(self.basis.text()))
        self.basis_button.setText(HIDE if shown else SHOW)
        self.basis_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
