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


def test_read_whole_keeps_whole_numbers_in_range_only():
    from clinic_desktop.core.text import read_whole

    assert [read_whole(v, 0, 10) for v in (0, 10, " 7 ", 7.0)] == [0, 10, 7, 7]
    for wrong in (-1, 11, 7.5, "7.0", "", None, True, "seven"):
        with pytest.raises(ValueError):
            read_whole(wrong, 0, 10)
