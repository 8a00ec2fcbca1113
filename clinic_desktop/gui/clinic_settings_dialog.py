"""The administrator's clinic-wide settings: clinic details, sign-in lockout, screen lock, the
aftercare plan's paper size and logo, and when a directory contact is flagged as not verified.
The decision-support thresholds (the COWS interval among them) are the protocol settings
dialog's, edited there only.

Layout lives in ``ui/clinic_settings_dialog.ui``; this module is the controller. Labels, shipped
defaults and ranges come from ``clinic_desktop.core.settings``; **Save** sends only the changed
keys to ``clinic_desktop.core.services.settings.update``, which checks the role, validates and
audits the change. Only setting keys are logged, never their values.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from clinic_desktop.core.errors import ClinicError
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import settings
from clinic_desktop.core.settings import CHOICES, DEFAULTS, INTEGER_RANGES, LABELS, LOGO_SUFFIXES
from clinic_desktop.gui.forms.ui_clinic_settings_dialog import Ui_ClinicSettingsDialog
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog, with_mnemonic
from clinic_desktop.gui.widgets.field_errors import FieldErrors

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

log = logging.getLogger(__name__)

#: The regions offered for phone numbers typed without a country code (code, name).
PHONE_REGIONS: tuple[tuple[str, str], ...] = (
    ("US", "United States"),
    ("CA", "Canada"),
    ("MX", "Mexico"),
    ("PR", "Puerto Rico"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
)
#: The keyboard mnemonic of each field's label: "&" goes before this part of the label.
MNEMONICS = {
    "clinic_name": "name",
    "clinic_address": "address",
    "clinic_phone": "phone",
    "phone_region": "gion",
    "lockout_attempts": "Failed",
    "lockout_minutes": "Minutes",
    "idle_lock_minutes": "idle",
    "plan_page_size": "ze",
    "clinic_logo": "logo",
    "directory_stale_days": "Days",
}


def default_text(key: str) -> str:
    """What a field shows beside it in grey: "default 5 (allowed 3–20)", "default US",
    "default blank"."""
    value = DEFAULTS[key]
    if key in CHOICES:
        return f"default {CHOICES[key][value]}"
    if key in INTEGER_RANGES:
        low, high = INTEGER_RANGES[key]
        return f"default {value} (allowed {low}–{high})"
    return f"default {value}" if value != "" else "default blank"


class ClinicSettingsDialog(GeometryDialog):
    """Every clinic-wide setting with its shipped default beside it. **Restore defaults** fills the
    fields with the defaults (nothing is saved until **Save**). After a successful save,
    ``settings_saved`` carries all the settings as now stored, and the dialog accepts."""

    GROW_TO_FIT = True

    settings_saved = Signal(dict)

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ClinicSettingsDialog()
        self.ui.setupUi(self)
        self._db = db
        self._user = user
        self._stored: dict[str, Any] = dict(DEFAULTS)
        ui = self.ui

        #: Each setting's input, in layout order (FieldErrors focuses the first bad one).
        self.inputs: dict[str, QWidget] = {
            "clinic_name": ui.clinicNameEdit,
            "clinic_address": ui.clinicAddressEdit,
            "clinic_phone": ui.clinicPhoneEdit,
            "phone_region": ui.phoneRegionCombo,
            "lockout_attempts": ui.lockoutAttemptsSpin,
            "lockout_minutes": ui.lockoutMinutesSpin,
            "idle_lock_minutes": ui.idleLockMinutesSpin,
            "plan_page_size": ui.planPageSizeCombo,
            "clinic_logo": ui.clinicLogoEdit,
            "directory_stale_days": ui.directoryStaleDaysSpin,
        }
        # Each input's label and grey default share its name: clinicNameEdit, clinicNameLabel,
        # clinicNameDefault.
        stems = {key: re.sub(r"(Edit|Combo|Spin)$", "", w.objectName())
                 for key, w in self.inputs.items()}
        labels: dict[str, QLabel] = {key: getattr(ui, f"{stem}Label") for key, stem in stems.items()}
        defaults: dict[str, QLabel] = {key: getattr(ui, f"{stem}Default")
                                       for key, stem in stems.items()}
        for key, widget in self.inputs.items():
            labels[key].setText(with_mnemonic(LABELS[key], MNEMONICS[key]))
            widget.setAccessibleName(LABELS[key])
            defaults[key].setText(default_text(key))
            defaults[key].setAccessibleName(f"{LABELS[key]} default")
            if isinstance(widget, QSpinBox):
                widget.setRange(*INTEGER_RANGES[key])
        for code, name in PHONE_REGIONS:
            ui.phoneRegionCombo.addItem(f"{name} ({code})", code)
        for code, name in CHOICES["plan_page_size"].items():
            ui.planPageSizeCombo.addItem(name, code)
        ui.clinicLogoBrowseButton.clicked.connect(self.browse_logo)
        self._align_labels(list(labels.values()))

        buttons = ui.buttonBox
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        self.save_button.setDefault(True)
        self.restore_button = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.restore_button.setText("&Restore defaults")
        self.restore_button.setToolTip("Fill every field with the shipped default; nothing is "
                                       "saved until you choose Save")
        self.restore_button.setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_defaults)

        self.errors = FieldErrors(self.inputs, general=ui.errorLabel)
        self.load()
        ui.clinicNameEdit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_to_screen()
        super().showEvent(event)

    def _fit_to_screen(self) -> None:
        """Every group without scrolling when the screen is tall enough; on a 1366×768 screen
        the groups scroll and the buttons stay in view."""
        scroll = self.ui.settingsScroll
        panel = self.ui.settingsPanel.sizeHint().height()
        others = self.layout().totalSizeHint().height() - scroll.sizeHint().height()
        screen = self.screen().availableGeometry().height() if self.screen() else panel + others
        room = screen - others - 60  # the window's title bar and frame
        scroll.setMinimumHeight(max(160, min(panel, room)))
        if panel > room:  # the scroll bar takes its width from the groups, not from their fields
            bar = scroll.verticalScrollBar().sizeHint().width()
            scroll.setMinimumWidth(self.ui.settingsPanel.minimumSizeHint().width() + bar)

    @staticmethod
    def _align_labels(labels: list[QLabel]) -> None:
        """One label column across the three groups, so the fields line up."""
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    # --- the values in the fields --------------------------------------------------------------
    def load(self) -> None:
        """Fill the fields with the settings as stored now."""
        try:
            stored = settings.get_all(self._db)
        except ClinicError as exc:
            self.save_button.setEnabled(False)
            self.errors.show({"": f"The settings could not be loaded: {exc}"})
            return
        self._stored = dict(stored)
        self.set_values(stored)

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            widget = self.inputs.get(key)
            if isinstance(widget, QSpinBox):
                try:
                    widget.setValue(int(value))
                except (TypeError, ValueError):
                    widget.setValue(int(DEFAULTS[key]))
            elif isinstance(widget, QComboBox):
                code = str(value or DEFAULTS[key]).strip()
                code = code.lower() if key in CHOICES else code.upper()
                index = widget.findData(code)
                if index < 0:  # set elsewhere (the command line) to a region not in the short list
                    widget.addItem(code, code)
                    index = widget.count() - 1
                widget.setCurrentIndex(index)
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value or ""))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))

    def values(self) -> dict[str, Any]:
        """What the fields hold now (text trimmed, as the service will store it)."""
        result: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QSpinBox):
                result[key] = widget.value()
            elif isinstance(widget, QComboBox):
                result[key] = widget.currentData() or ""
            elif isinstance(widget, QPlainTextEdit):
                result[key] = widget.toPlainText().strip()
            elif isinstance(widget, QLineEdit):
                result[key] = widget.text().strip()
        return result

    def changes(self) -> dict[str, Any]:
        """Only the settings whose field differs from what is stored."""
        changed = {}
        for key, value in self.values().items():
            stored = self._stored.get(key)
            if isinstance(value, int):
                try:
                    same = int(stored) == value
                except (TypeError, ValueError):
                    same = False
            else:
                same = str(stored if stored is not None else "").strip() == value
            if not same:
                changed[key] = value
        return changed

    # --- buttons -------------------------------------------------------------------------------
    def restore_defaults(self) -> None:
        """Fill the fields with the shipped defaults; nothing is saved until Save."""
        self.errors.clear()
        self.set_values(DEFAULTS)
        self.ui.clinicNameEdit.setFocus()

    def browse_logo(self) -> None:
        """Browse…: choose the logo image on this workstation."""
        current = self.ui.clinicLogoEdit.text().strip()
        patterns = " ".join(f"*{suffix}" for suffix in LOGO_SUFFIXES)
        path, _filter = QFileDialog.getOpenFileName(
            self, "Clinic logo", str(Path(current).parent) if current else "",
            f"Images ({patterns})")
        if path:
            self.ui.clinicLogoEdit.setText(path)
            self.ui.clinicLogoEdit.setFocus()

    def save(self) -> None:
        self.errors.clear()
        changes = self.changes()
        if not changes:
            self.accept()
            return
        logo = changes.get("clinic_logo")
        if logo and not Path(logo).is_file():  # plans would print without it
            self.errors.show({"clinic_logo": "There is no such file on this workstation."})
            self.grow_to_fit()
            return
        ok, saved = self.errors.attempt(lambda: settings.update(self._db, self._user, changes))
        if not ok:
            self.grow_to_fit()
            return
        log.info("clinic settings saved: %s", ", ".join(sorted(changes)))
        self._stored = dict(saved)
        self.settings_saved.emit(dict(saved))
        self.accept()
