"""The administrator's clinic-wide settings: clinic details, the vitals units (°F and lb or °C and
kg, by default from the phone region), sign-in lockout, screen lock, the aftercare plan's paper
size and logo, when a directory contact is flagged as not verified, and the automatic backups
(a folder, every so many hours, how many are kept; :mod:`clinic_desktop.gui.backup_scheduler`). The logo is kept in the
database (its image, not a path): Browse… reads and checks the file, the preview shows it with
its size, Remove takes it off.
The decision-support thresholds (the COWS interval among them) are the protocol settings
dialog's, edited there only.

Layout lives in ``ui/clinic_settings_dialog.ui``; this module is the controller. Labels, shipped
defaults and ranges come from ``clinic_desktop.core.settings``; **Save** sends only the changed
keys to ``clinic_desktop.core.services.settings.update``, which checks the role, validates and
audits the change. Only setting keys are logged, never their values.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QLabel, QSpinBox, QWidget

from clinic_desktop.core import units
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.settings import (
    CHOICES,
    DEFAULTS,
    INTEGER_RANGES,
    LABELS,
    LOGO_MAX_BYTES,
    LOGO_SUFFIXES,
)
from clinic_desktop.gui.forms.ui_clinic_settings_dialog import Ui_ClinicSettingsDialog
from clinic_desktop.gui.widgets import dialog_base
from clinic_desktop.gui.widgets.dialog_base import with_mnemonic
from clinic_desktop.gui.widgets.settings_page import (
    SettingsDialog,
    label_column_width,
    lay_out_group,
    lay_out_spin_box,
)

if TYPE_CHECKING:
    from clinic_desktop.core.db import Database

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
    units.SETTING: "Vitals",
    "lockout_attempts": "Failed",
    "lockout_minutes": "Minutes",
    "idle_lock_minutes": "idle",
    "plan_page_size": "ze",
    "clinic_logo": "logo",
    "directory_stale_days": "Days",
    "backup.folder": "kup",
    "backup.every_hours": "Hours",
    "backup.keep": "oldest",
}


def default_text(key: str) -> str:
    """What a field shows beside it in grey: "default 5 (allowed 3–20)", "default US",
    "default blank"; the clinic's name, address and phone have none: "required"."""
    if key in settings_service.IDENTITY_KEYS:
        return "required: printed on every plan"
    value = DEFAULTS[key]
    if key in CHOICES:
        return f"default {CHOICES[key][value]}"
    if key in INTEGER_RANGES:
        low, high = INTEGER_RANGES[key]
        return f"default {value} (allowed {low}–{high})"
    return f"default {value}" if value != "" else "default blank"


class ClinicSettingsDialog(SettingsDialog):
    """Every clinic-wide setting with its shipped default beside it. **Restore defaults** fills the
    fields with the defaults (nothing is saved until **Save**). After a successful save,
    ``settings_saved`` carries all the settings as now stored, and the dialog accepts."""

    SAVED_LOG = "clinic settings saved: %s"
    #: The clinic's own details have no default: Restore defaults leaves them as they are.
    KEPT_ON_RESTORE = settings_service.IDENTITY_KEYS

    def __init__(self, db: Database, user: SignedInUser, parent: QWidget | None = None) -> None:
        super().__init__(db, user, parent)
        self.ui = Ui_ClinicSettingsDialog()
        self.ui.setupUi(self)
        ui = self.ui

        self.inputs.update({
            "clinic_name": ui.clinicNameEdit,
            "clinic_address": ui.clinicAddressEdit,
            "clinic_phone": ui.clinicPhoneEdit,
            "phone_region": ui.phoneRegionCombo,
            units.SETTING: ui.vitalsUnitsCombo,
            "lockout_attempts": ui.lockoutAttemptsSpin,
            "lockout_minutes": ui.lockoutMinutesSpin,
            "idle_lock_minutes": ui.idleLockMinutesSpin,
            "plan_page_size": ui.planPageSizeCombo,
            "clinic_logo": ui.clinicLogoInfo,
            "directory_stale_days": ui.directoryStaleDaysSpin,
            "backup.folder": ui.backupFolderEdit,
            "backup.every_hours": ui.backupEveryHoursSpin,
            "backup.keep": ui.backupKeepSpin,
        })
        # Each input's label and grey default share its name: clinicNameEdit, clinicNameLabel,
        # clinicNameDefault.
        stems = {key: re.sub(r"(Edit|Combo|Spin|Info)$", "", w.objectName())
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
        for code, name in CHOICES[units.SETTING].items():
            ui.vitalsUnitsCombo.addItem(name, code)
        ui.phoneRegionCombo.currentIndexChanged.connect(self._show_region_units)
        self._logo = ""  # the stored form: base64 of the image, "" = none
        ui.clinicLogoBrowseButton.clicked.connect(self.browse_logo)
        ui.clinicLogoRemoveButton.clicked.connect(self.remove_logo)
        ui.backupFolderBrowseButton.clicked.connect(self.browse_backup_folder)
        ui.backupFolderEdit.setPlaceholderText("/media/backup/clinic or E:\\ClinicBackups")
        # The protocol settings' layout: one label column across the groups (the fields line
        # up), the spin boxes one width with their numbers right-aligned.
        width = label_column_width(list(labels.values()))
        for box, form in ((ui.clinicGroup, ui.clinicForm), (ui.signInGroup, ui.signInForm),
                          (ui.plansGroup, ui.plansForm), (ui.backupGroup, ui.backupForm)):
            lay_out_group(box, box.title(), form, label_width=width)
        for widget in self.inputs.values():
            if isinstance(widget, QSpinBox):
                lay_out_spin_box(widget)

        self.setup_buttons(ui.buttonBox)
        self.setup_errors(ui.errorLabel)
        self.load()
        self._show_region_units()
        ui.clinicNameEdit.setFocus()

    def _show_region_units(self, *_args) -> None:
        """The vitals units' "from the phone region" item says what the chosen region means:
        "From the phone region (°F and lb)"."""
        combo = self.ui.vitalsUnitsCombo
        system = units.system_for_region(self.ui.phoneRegionCombo.currentData())
        combo.setItemText(combo.findData(units.AUTO),
                          f"{CHOICES[units.SETTING][units.AUTO]} ({CHOICES[units.SETTING][system]})")

    def fit_to_screen(self) -> None:
        """Every group without scrolling when the screen is tall enough; on a 1366×768 screen
        the groups scroll and the buttons stay in view."""
        scroll, layout = self.ui.settingsScroll, self.layout()
        if layout is None:
            return
        panel = self.ui.settingsPanel.sizeHint().height()
        others = layout.totalSizeHint().height() - scroll.sizeHint().height()
        area = dialog_base.screen_area(self)
        screen = area.height() if area is not None else panel + others
        room = screen - others - 60  # the window's title bar and frame
        scroll.setMinimumHeight(max(160, min(panel, room)))
        self.fit_scroll_across(scroll, area)

    # --- the values in the fields --------------------------------------------------------------
    def choice_code(self, key: str, value: Any) -> str:
        """A page size's code is lower case ("letter"), a phone region's upper case ("US")."""
        code = super().choice_code(key, value)
        return code.lower() if key in CHOICES else code.upper()

    def set_values(self, values: dict[str, Any]) -> None:
        super().set_values(values)
        if "clinic_logo" in values:
            self._show_logo(str(values["clinic_logo"] or ""))

    def values(self) -> dict[str, Any]:
        return {**super().values(), "clinic_logo": self._logo}

    def _show_logo(self, encoded: str) -> None:
        """The logo's preview and "PNG, 120 × 60 px, 14 KB", or "No logo"; Remove only with one."""
        ui = self.ui
        try:
            data = base64.b64decode(encoded, validate=True) if encoded else b""
        except (binascii.Error, ValueError):
            data = b""
        image = QImage.fromData(data) if data else QImage()
        self._logo = encoded if not image.isNull() else ""
        if image.isNull():
            ui.clinicLogoPreview.clear()
            ui.clinicLogoPreview.hide()
            ui.clinicLogoInfo.setText("No logo")
        else:
            kind = "PNG" if data.startswith(b"\x89PNG") else "JPEG"
            pixmap = QPixmap.fromImage(image).scaled(
                160, 40, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            ui.clinicLogoPreview.setPixmap(pixmap)
            ui.clinicLogoPreview.show()
            ui.clinicLogoInfo.setText(
                f"{kind}, {image.width()} \u00d7 {image.height()} px, {max(1, round(len(data) / 1024))} KB")
        if image.isNull() and ui.clinicLogoRemoveButton.hasFocus():
            ui.clinicLogoBrowseButton.setFocus()
        ui.clinicLogoRemoveButton.setEnabled(not image.isNull())

    # --- buttons -------------------------------------------------------------------------------
    def browse_logo(self) -> None:
        """Browse…: choose the logo image; it is read and checked here (a PNG or JPEG, at most
        LOGO_MAX_BYTES, that loads) and kept with the settings when saved."""
        patterns = " ".join(f"*{suffix}" for suffix in LOGO_SUFFIXES)
        path, _filter = QFileDialog.getOpenFileName(self, "Clinic logo", "", f"Images ({patterns})")
        if not path:
            return
        self.errors.clear("clinic_logo")
        try:
            file = Path(path)
            if file.stat().st_size > LOGO_MAX_BYTES:
                problem: str | None = (f"The logo is {file.stat().st_size // 1024} KB; it may be at most "
                                       f"{LOGO_MAX_BYTES // 1024} KB. Save a smaller copy of it.")
            else:
                data = file.read_bytes()
                problem = settings_service.logo_problem(data)
                if problem is None and QImage.fromData(data).isNull():
                    problem = "This image cannot be read: it may be damaged. Choose another file."
        except OSError:
            problem = "This file cannot be read."
        if problem:
            self.errors.show({"clinic_logo": problem})
            self.grow_to_fit()
        else:
            self._show_logo(base64.b64encode(data).decode("ascii"))
        self.ui.clinicLogoBrowseButton.setFocus()

    def browse_backup_folder(self) -> None:
        """Browse…: choose the backup folder (a USB drive or a share); checked when saved."""
        start = self.ui.backupFolderEdit.text().strip()
        path = QFileDialog.getExistingDirectory(self, "Backup folder", start)
        if path:
            self.errors.clear("backup.folder")
            self.ui.backupFolderEdit.setText(str(Path(path)))
        self.ui.backupFolderEdit.setFocus()

    def remove_logo(self) -> None:
        """Remove: no logo on plans and letters once saved."""
        self.errors.clear("clinic_logo")
        self._show_logo("")
