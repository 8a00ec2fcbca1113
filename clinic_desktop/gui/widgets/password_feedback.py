"""Live advice under a new password, from the same rule the accounts service applies."""

from __future__ import annotations

import unicodedata

from PySide6.QtWidgets import QFormLayout, QLabel

from clinic_desktop.core.services import accounts
from clinic_desktop.gui.widgets.field_errors import FieldErrors

MISMATCH = "The two passwords are not the same. Type the password again."
GOOD_ENOUGH = "✓ Strong enough."


def password_feedback(password: str, username: str = "") -> str:
    """"" while empty; "7 of at least 12 characters so far."; the service's reason; or GOOD_ENOUGH."""
    if not password:
        return ""
    problem = accounts.password_problem(password, username.strip())
    length = len(unicodedata.normalize("NFC", password))
    if problem and length < accounts.MIN_PASSWORD_LENGTH:
        return f"{length} of at least {accounts.MIN_PASSWORD_LENGTH} characters so far."
    return problem or GOOD_ENOUGH


def show_password_feedback(label: QLabel, form: QFormLayout, errors: FieldErrors, password: str,
                           username: str = "") -> None:
    """Put the live advice in ``label`` (a row of ``form``); the row hides while a refusal of the
    password from the service is shown under the field, which then says it all."""
    message = password_feedback(password, username)
    label.setText(message)
    form.setRowVisible(label, bool(message) and errors.message("password") is None)
