"""The PostgreSQL password, asked for when the server wants one the password file does not hold
(#17 item 2): typed here, never in a URL; ticked, it is saved in libpq's password file once the
connection worked (app.py does the connecting and the saving, core.pg the file)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QVBoxLayout, QWidget

from clinic_desktop.gui.widgets.dialog_base import OneFieldDialog


class DatabasePasswordDialog(OneFieldDialog):
    """Asks the password for ``who`` (the database, user and server in words); ``refused``: the
    server refused the one typed before."""

    def __init__(self, who: str, password_file: str, *, refused: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            "PostgreSQL password",
            f"The database server asks for the password of {who}.",
            "&Password", "Connect", error_name="Password error", password=True, width=480, parent=parent)
        self.password = ""
        self.save_box = QCheckBox(f"&Save it in {password_file} for next time (only this account can read it)")
        self.save_box.setAccessibleName("Save the password for next time")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, self.save_box)  # above the buttons
        self.submitted.connect(self._take)
        if refused:
            self.show_error("The server refused that password: type it again.")

    def _take(self, typed: str) -> None:
        if not typed:
            self.show_error("Type the password, or Cancel.")
            return
        self.password = typed
        self.accept()

    @property
    def save_requested(self) -> bool:
        return self.save_box.isChecked()


def ask_database_password(who: str, password_file: str, *, refused: bool,
                          parent: QWidget | None = None) -> tuple[str, bool] | None:
    """(password, save it) as typed, or None when cancelled."""
    dialog = DatabasePasswordDialog(who, password_file, refused=refused, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password, dialog.save_requested
    finally:
        dialog.deleteLater()
