"""Help → About: what this is, which versions, where the data and the log file are."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from clinic_desktop import APP_NAME, __version__
from clinic_desktop.gui import resources_rc  # noqa: F401 - registers :/icons and :/styles
from clinic_desktop.gui.forms.ui_about_dialog import Ui_AboutDialog
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.logs import log_file

ENCRYPTED = "encrypted (SQLCipher, AES-256)"
NOT_ENCRYPTED = "not encrypted \u2014 an administrator can encrypt them (Admin \u2192 Encrypt the database\u2026)"
ENCRYPTION_OFF = "Encryption is off (--no-encryption): this clinic encrypts its disks instead"
ON_SERVER = "on the PostgreSQL server, which protects them (Clinic Desktop encrypts only its own SQLite file)"

STATEMENT = ("Clinic Desktop supports clinical decisions; it never makes them. "
             "The clinician decides.")


def records_protection(db, *, encrypt: bool = True) -> str:
    """How the records are protected, for the About box's "Records" line."""
    if db.encrypted:
        return ENCRYPTED
    if not db.is_sqlite:
        return ON_SERVER
    return NOT_ENCRYPTED if encrypt else ENCRYPTION_OFF


class AboutDialog(GeometryDialog):
    """Name, version, Qt/PySide6 versions, the database in use, how its records are protected
    and the log file's path."""

    def __init__(self, db, parent: QWidget | None = None, *, encrypt: bool = True) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.logoLabel.setPixmap(QIcon(":/icons/clinic-desktop.svg").pixmap(64, 64))
        self.ui.titleLabel.setText(APP_NAME)
        self.ui.statementLabel.setText(STATEMENT)
        self.ui.versionValue.setText(__version__)
        self.ui.qtValue.setText(f"Qt {qVersion()} · PySide6 {PySide6.__version__}")
        self.ui.databaseValue.setText(db.display_name)
        self.records_value = QLabel(records_protection(db, encrypt=encrypt), self)
        self.records_value.setAccessibleName("Records")
        self.records_value.setWordWrap(True)
        self.records_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = self.ui.detailsLayout
        below = next(row for row in range(form.rowCount())
                     if (item := form.itemAt(row, QFormLayout.ItemRole.FieldRole)) is not None
                     and item.widget() is self.ui.databaseValue) + 1
        form.insertRow(below, "Records", self.records_value)
        self.ui.logValue.setText(str(log_file()))
