"""How a number is written for staff: one formatter for doses, limits and vitals (#13: the five
copies formatted 1234567 as "1.23457e+06" in two places and float noise in others)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic_desktop.core.text import format_number


@pytest.mark.parametrize(("value", "text"), [
    (2.88, "2.88"), (5, "5"), (5.0, "5"), (0.54, "0.54"), (0.025, "0.025"), (1200, "1200"),
    (1200.0, "1200"), (1234567.0, "1234567"), (0.00001, "0.00001"), (Decimal(100), "100"),
    (Decimal("2.880"), "2.88"), (0.1 + 0.2, "0.3"), (0.72 * 4, "2.88"), (None, ""), (0, "0"),
    (37.25, "37.25"),
])
def test_numbers_as_staff_read_them(value, text):
    assert format_number(value) == text
