"""Help → Check installation: the lines of ``clinic-desktop doctor`` for this workstation, and a
button that copies them for support.

The checks read the database and the font files, so they run off the GUI thread (gui.operations);
the Qt checks (the plugin this window runs on) are made on the GUI thread first. Like the command, the lines
carry versions, paths, sizes and counts only: never a patient's name or identifiers.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop import doctor
from clinic_desktop.core.doctor import Check, all_passed, report, summary
from clinic_desktop.gui import theme
from clinic_desktop.gui.operations import QueryOp
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.gui.widgets.style import repolish

log = logging.getLogger(__name__)

CHECKING = "Checking this installation\u2026"
COPIED = "Copied. Paste it into your message to support."
INTRO = ("What support needs to know about this workstation: versions, folders and the database. "
         "It names no patient.")


def _installation_checks(db_url: str, qt_checks: list[Check]) -> list[Check]:
    """The checks (the worker thread: no widgets here); a check that broke is itself a finding."""
    try:
        return doctor.installation_checks(db_url, qt=qt_checks)
    except Exception as exc:  # noqa: BLE001 - a check that broke is itself a finding
        log.error("installation check failed: %s", exc.__class__.__name__)
        return [*qt_checks, Check("Installation check", False,
                                  f"stopped by an error ({exc.__class__.__name__})",
                                  "Run clinic-desktop doctor in a terminal.")]


class CheckInstallationDialog(GeometryDialog):
    """One line per check (✓ or ✗, what was found, what to do), a summary, Copy for support."""

    def __init__(self, db, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.checks: list[Check] = []
        self.running = False
        self.setWindowTitle("Check installation")

        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.summary_label = QLabel(CHECKING)
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setAccessibleName("Summary")
        self.summary_label.setProperty("role", "heading")
        self.summary_label.setWordWrap(True)

        self.lines = QListWidget()
        self.lines.setObjectName("checkLines")
        self.lines.setAccessibleName("Installation checks")
        self.lines.setWordWrap(True)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.lines.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.lines.setSpacing(3)

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy for support")
        self.copy_button.setAccessibleName("Copy for support")
        self.copy_button.setToolTip("Copy every line, with the versions, for a message to support")
        self.again_button = QPushButton("Check &again")
        self.again_button.setAccessibleName("Check again")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_report)
        self.again_button.clicked.connect(self.run_checks)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.summary_label)
        layout.addWidget(intro)
        layout.addWidget(self.lines, 1)
        layout.addWidget(buttons)
        self.resize(820, 480)
        self.run_checks()

    def run_checks(self) -> None:
        if self.running:
            return
        self.running = True
        self.summary_label.setText(CHECKING)
        self.summary_label.setProperty("error", False)
        repolish(self.summary_label)
        self.lines.clear()
        qt = doctor.qt_checks(running=True)  # the plugin this window runs on: GUI thread
        url = self.db.url
        QueryOp(parent=self, op=lambda: _installation_checks(url, qt), success=self.show_checks,
                what="installation check") \
            .disabling(self.copy_button, self.again_button).run_in_background()

    def show_checks(self, checks: list[Check]) -> None:
        """The finished checks: one item per line, ✗ lines in red, and the summary above."""
        self.running = False
        self.checks = list(checks)
        self.lines.clear()
        for check in checks:
            item = QListWidgetItem(check.line())
            if not check.ok:
                item.setForeground(QBrush(theme.colour("error")))
            self.lines.addItem(item)
        self.summary_label.setText(summary(checks))
        self.summary_label.setProperty("error", not all_passed(checks))  # red, heading-sized
        repolish(self.summary_label)
        self.copy_button.setFocus()

    def report_text(self) -> str:
        """What Copy puts on the clipboard: the same text as ``clinic-desktop doctor`` prints."""
        return report(self.checks)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())
        self.summary_label.setText(f"{summary(self.checks)} {COPIED}")
