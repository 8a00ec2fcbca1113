"""What a medication check found, for the Give/Hold/Refuse and New order dialogs.

Each rule that fired is one line with its source ("Lofexidine: at least 5 h between doses … —
label (lofexidine label (Lucemyra), §2)"), coloured by what it asks for; the rules checked that
did not fire are folded behind a button; the green line shows only when every rule was checked
with fresh data and none fired. The findings are ``core.medications.Finding`` values: plain data
from the service, never computed here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from clinic_desktop.core.medications import Finding
from clinic_desktop.gui import theme

#: How each severity is introduced, and its colour (text on the dialog's light background).
SEVERITY_STYLE: dict[str, tuple[str, str]] = {
    "hard": ("Not allowed", "error"),
    "reason": ("Needs a reason", "amber_ink"),
    "hold": ("Hold parameter met", "amber_ink"),
    "info": ("Note", "muted"),
}
ALL_CLEAR = "Every rule checked with fresh data: no limit, hold parameter or warning met."


def finding_html(finding: Finding) -> str:
    heading, colour = SEVERITY_STYLE.get(finding.severity, ("", "muted"))
    return (f"<p style='color:{theme.css(colour)}'><b>{html.escape(heading)}:</b> "
            f"{html.escape(finding.line)}</p>")


class FindingsView(QWidget):
    """The fired findings (accessible name "Check"), and the passed ones folded away."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fired = QLabel()
        self.fired.setWordWrap(True)
        self.fired.setAccessibleName("Check")
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Rules that passed")
        self.passed = QLabel()
        self.passed.setWordWrap(True)
        self.passed.setProperty("role", "muted")
        self.passed.setAccessibleName("Passed checks")
        self.passed.setVisible(False)
        self.toggle.toggled.connect(self._toggled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fired)
        layout.addWidget(self.toggle)
        layout.addWidget(self.passed)
        self._passed: tuple[str, ...] = ()
        self.show_findings((), ())

    def _toggled(self, shown: bool) -> None:
        self.passed.setVisible(shown)
        self._label_toggle()

    def _label_toggle(self) -> None:
        count = len(self._passed)
        arrow = "\u25be" if self.toggle.isChecked() else "\u25b8"
        self.toggle.setText(f"{arrow} {count} rule{'s' if count != 1 else ''} checked and passed")
        self.toggle.setVisible(count > 0)

    def show_findings(self, findings: Sequence[Finding], passed: Sequence[str], *, clear_text: str = ALL_CLEAR,
                      checked: bool = True) -> None:
        """Show what fired; ``clear_text`` in green when nothing did (and ``checked``)."""
        self._passed = tuple(passed)
        if findings:
            self.fired.setText("".join(finding_html(f) for f in findings))
        elif checked:
            self.fired.setText(f"<p style='color:{theme.css('ok_ink')}'>{html.escape(clear_text)}</p>")
        else:
            self.fired.setText("")
        self.passed.setText("<br>".join(html.escape(p) for p in self._passed))
        self._label_toggle()

    def show_message(self, text: str) -> None:
        """A message instead of findings (the check could not run: a field is not valid yet)."""
        self._passed = ()
        self.fired.setText(f"<p style='color:{theme.css('muted')}'>{html.escape(text)}</p>")
        self.passed.setText("")
        self._label_toggle()

    def text(self) -> str:
        """The fired lines as shown (rich text), for tests and screen readers."""
        return self.fired.text()
