"""The shared dialog base: a dialog that comes back where and how large the user left it."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QWidget


class GeometryDialog(QDialog):
    """A QDialog that restores its geometry from QSettings when first shown and saves it whenever
    it closes (accept, reject, Esc or the window's close button).

    The key is ``geometry/<ClassName>``, so every dialog class remembers its own size and place.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._geometry_restored = False

    @classmethod
    def geometry_key(cls) -> str:
        return f"geometry/{cls.__name__}"

    def restore_geometry(self) -> bool:
        """Apply the saved geometry, if any; returns whether there was one."""
        saved = QSettings().value(self.geometry_key())
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            return bool(self.restoreGeometry(saved))
        return False

    def save_geometry(self) -> None:
        settings = QSettings()
        settings.setValue(self.geometry_key(), self.saveGeometry())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if not self._geometry_restored:
            self._geometry_restored = True
            self.restore_geometry()
        super().showEvent(event)

    def done(self, result: int) -> None:
        # accept() and reject() (and so Esc) all end here.
        if self.isVisible():
            self.save_geometry()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.isVisible():
            self.save_geometry()
        super().closeEvent(event)
