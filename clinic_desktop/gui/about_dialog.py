"""Help → About: what this is, which versions, where the data and the log file are."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget

from clinic_desktop import APP_NAME, __version__
from clinic_desktop.gui import resources_rc  # noqa: F401 - registers :/icons and :/styles
from clinic_desktop.gui.forms.ui_about_dialog import Ui_AboutDialog
from clinic_desktop.gui.widgets.dialog_base import GeometryDialog
from clinic_desktop.logs import log_file

STATEMENT = ("Clinic Desktop supports clinical decisions; it never makes them. "
             "The clinician decides.")


class AboutDialog(GeometryDialog):
    """Name, version, Qt/PySide6 versions, the database in use and the log file's path."""

    def __init__(self, db, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.logoLabel.setPixmap(QIcon(":/icons/clinic-desktop.svg").pixmap(64, 64))
        self.ui.titleLabel.setText(APP_NAME)
        self.ui.statementLabel.setText(STATEMENT)
        self.ui.versionValue.setText(__version__)
        self.ui.qtValue.setText(f"Qt {qVersion()} · PySide6 {PySide6.__version__}")
        self.ui.databaseValue.setText(db.display_name)
        self.ui.logValue.setText(str(log_file()))
