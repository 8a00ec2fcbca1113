"""The recovery key of an encrypted database, shown once: when the database is made, when it is
encrypted, and when an administrator makes a new one (Admin → New recovery key…).

The key is large, monospaced and selectable; **Print recovery sheet…** prepares the one-page
sheet (:mod:`clinic_desktop.reports.recovery_sheet`) off the GUI thread and opens it in the
app's PDF preview to print (not to save: the key is never kept on a computer in clear).
**Continue** is enabled once "I have printed or written down the recovery key" is ticked;
Escape and the window's close button do nothing, so the key cannot be dismissed unseen.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.gui.widgets.dialog_base import GeometryDialog

if TYPE_CHECKING:  # ReportLab loads when the sheet is made, not with the window
    from clinic_desktop.core.db import Database
    from clinic_desktop.core.permissions import SignedInUser
    from clinic_desktop.gui.pdf_preview import DocumentJob
    from clinic_desktop.reports.recovery_sheet import RecoverySheet

log = logging.getLogger(__name__)

TITLE = "Recovery key"

WARNING = ("Anyone with this key and the database file can read every record. Print it or write it "
           "down, and keep it locked away; it is shown only now.")
CONFIRM = "I have printed or written down the recovery key"
PRINT = "Print recovery sheet\u2026"


def shown_key(recovery_key: str) -> str:
    """The key as the dialog shows it: its groups of four, four to a line."""
    groups = recovery_key.split("-")
    return "\n".join(" ".join(groups[i:i + 4]) for i in range(0, len(groups), 4))


class RecoveryKeyDialog(GeometryDialog):
    """Shows ``sheet.recovery_key``; accepted by Continue once the box is ticked, never rejected."""

    GROW_TO_FIT = True  # the key and the warning are never squeezed

    def __init__(self, sheet: RecoverySheet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self.setWindowTitle(f"{TITLE} \u2014 Clinic Desktop")
        self.setAccessibleName(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self._job: DocumentJob | None = None  # the sheet being prepared

        heading = QLabel("The recovery key of this database", self)
        heading.setProperty("role", "title")
        intro = QLabel(
            "Each staff password opens the encrypted records, and so does this key. If every "
            "administrator's password is lost, it lets an administrator set a new one "
            "(clinic-desktop reset-password). Without a password or this key, nobody can open "
            f"the records.\n\nDatabase: {sheet.database}", self)
        intro.setWordWrap(True)

        self.key_label = QLabel(shown_key(sheet.recovery_key), self)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setAccessibleName("Recovery key")
        self.key_label.setAccessibleDescription(
            "Eight groups of four capital letters and digits; dashes and spaces do not matter.")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        family = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        self.key_label.setStyleSheet(
            f'QLabel#recoveryKey {{ font-family: "{family}", monospace; font-size: 22pt; font-weight: 700;'
            " padding: 14px; border: 1px solid palette(mid); border-radius: 6px; }")

        self.warning_label = QLabel(WARNING, self)
        self.warning_label.setProperty("role", "warning")
        self.warning_label.setAccessibleName("Warning")
        self.warning_label.setWordWrap(True)

        self.print_button = QPushButton(PRINT, self)
        self.print_button.setAccessibleName("Print recovery sheet")
        self.print_button.clicked.connect(self.print_sheet)

        self.confirm_box = QCheckBox(CONFIRM, self)
        self.confirm_box.setAccessibleName(CONFIRM)
        self.buttons = QDialogButtonBox(self)
        self.continue_button = self.buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setAccessibleName("Continue")
        self.continue_button.setEnabled(False)
        self.confirm_box.toggled.connect(self.continue_button.setEnabled)
        self.buttons.accepted.connect(self._continue)

        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.key_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(rule)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.buttons)
        self.resize(660, 480)
        self.key_label.setFocus()

    # -- printing -------------------------------------------------------------------------------

    def print_sheet(self) -> None:
        """The one-page sheet, prepared off the GUI thread, in the PDF preview (Print… there)."""
        from clinic_desktop.gui.pdf_preview import render_then_preview
        from clinic_desktop.reports.recovery_sheet import render_recovery_sheet

        sheet = self.sheet
        job = render_then_preview(lambda: render_recovery_sheet(sheet), "Recovery sheet",
                                  "recovery-sheet.pdf", self,
                                  failure_title="The recovery sheet could not be prepared",
                                  disabling=[self.print_button])
        job.document_ready.connect(self._printable_only)
        self._job = job

    @staticmethod
    def _printable_only(preview) -> None:
        # Saved as a PDF, the key would sit on a disk in clear: the sheet goes to paper only.
        preview.save_button.setVisible(False)

    # -- closing --------------------------------------------------------------------------------

    def _continue(self) -> None:
        if self.confirm_box.isChecked():
            log.info("the recovery key was shown and its keeping confirmed")
            self.accept()

    def reject(self) -> None:
        """Escape does nothing: the key is shown until its keeping is confirmed."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() != self.DialogCode.Accepted:
            event.ignore()
            return
        super().closeEvent(event)


def sheet_values(db: Database) -> dict[str, str]:
    """What the recovery sheet of ``db`` prints besides the key, who saw it and when."""
    from clinic_desktop.core.services import settings
    from clinic_desktop.reports.recovery_sheet import PAGE_SIZES

    values = settings.get_all(db)
    page_size = str(values.get("plan_page_size") or "letter")
    return {"clinic_name": str(values.get("clinic_name") or ""), "database": db.display_name,
            "page_size": page_size if page_size in PAGE_SIZES else "letter"}


def sheet_for(db: Database, user: SignedInUser, recovery_key: str) -> RecoverySheet:
    """What the sheet prints for ``db``'s new ``recovery_key``, shown to ``user`` now."""
    from clinic_desktop.core import clock
    from clinic_desktop.reports.recovery_sheet import RecoverySheet

    return RecoverySheet(recovery_key=recovery_key, username=user.username, made_at=clock.now(),
                         **sheet_values(db))


def show_recovery_key(db: Database, user: SignedInUser, recovery_key: str,
                      parent: QWidget | None = None) -> None:
    """Show the new ``recovery_key`` until its keeping is confirmed (modal)."""
    dialog = RecoveryKeyDialog(sheet_for(db, user, recovery_key), parent)
    dialog.exec()
    dialog.deleteLater()
