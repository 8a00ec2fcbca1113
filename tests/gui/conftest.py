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


def shown_main_window(qtbot, db, user):
    """The main window signed in as ``user``, shown and exposed."""
    from clinic_desktop.gui.main_window import MainWindow

    w = MainWindow(db, user)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def demo_window(qtbot, db, admin):
    """The main window on the demo database, signed in as the administrator, shown."""
    from clinic_desktop.core.services import demo

    demo.seed(db)
    return shown_main_window(qtbot, db, admin)


@pytest.fixture
def window(qtbot, db, nurse, patient):
    """The main window signed in as a nurse, once the module's ``patient`` is registered."""
    return shown_main_window(qtbot, db, nurse)


@pytest.fixture
def host(qtbot):
    """A shown, empty window for a dialog or an operation to belong to."""
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    w.setWindowTitle("Host")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def warnings(monkeypatch):
    """The (title, text) of each warning box that would have been shown."""
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a: shown.append((title, text)))
    return shown
