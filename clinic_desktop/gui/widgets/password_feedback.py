"""Live advice under a new password, from the same rule the accounts service applies."""

from __future__ import annotations

import unicodedata

from clinic_desktop.core.services import accounts

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
