"""GUI test set-up: QSettings in a throw-away folder, so geometry and preferences never leak
between tests or into the developer's own settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("Clinic Desktop Tests")
    QCoreApplication.setApplicationName("clinic-desktop-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture
def demo_window(qtbot, db, admin):
    """The main window on the demo database, signed in as the administrator, shown."""
    from clinic_desktop.core.services import demo
    from clinic_desktop.gui.main_window import MainWindow

    demo.seed(db)
    w = MainWindow(db, admin)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
