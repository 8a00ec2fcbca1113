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
