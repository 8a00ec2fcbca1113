"""The one signing widget: the clinician re-enters their password to sign an assessment or an
aftercare plan (the services check it with ``accounts.confirm_password``)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_desktop.gui.widgets.dialog_base import OneFieldDialog
from clinic_desktop.gui.widgets.style import make_primary


class SignDialog(OneFieldDialog):
    """The clinician re-enters their password to sign (the assessment, or, with other words,
    an aftercare plan); ``submitted`` carries the password."""

    def __init__(self, parent: QWidget | None = None, *, title: str = "Sign the assessment",
                 text: str = ("Signing locks the assessment and moves the episode to stabilization. "
                              "Enter your password to sign."),
                 accept_text: str = "Sign") -> None:
        super().__init__(title, text, "&Password", accept_text, error_name="Password error",
                         password=True, parent=parent)
        self.setObjectName("signDialog")
        make_primary(self.accept_button)  # Sign / Finalize: filled, whichever button has focus
