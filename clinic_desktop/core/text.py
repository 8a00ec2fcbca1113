"""Text for search and for staff: name folding for search and duplicate detection (accent-
and case-insensitive), the one way a number is written (:func:`format_number`) and read from
what was typed (:func:`read_number`)."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

# Letters that NFKD does not split into a base letter and a mark.
_EXTRA = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                        "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "ı": "i"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """'Zoë Ødegård-Núñez' → 'zoe odegard nunez'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


def tokens(text: str) -> list[str]:
    return [t[:64] for t in fold(text).split()]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def format_number(value: float | Decimal | None) -> str:
    """A number (a dose, a limit, a vital sign) as staff read it: 2.88, 5, 0.54, 1200 — no float
    noise (a float is read to 6 decimal places), no trailing zeros, never an exponent;
    None → ""."""
    if value is None:
        return ""
    exact = value if isinstance(value, Decimal) else Decimal(repr(round(float(value), 6)))
    return format(exact.normalize(), "f")


def read_whole(value: Any, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` from a number or typed text (" 7 ", 7, 7.0);
    ``ValueError`` for anything else (a bool, 7.5, "7.0", other text, out of range). The
    caller words the message."""
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"not a whole number: {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{number} is not from {low} to {high}")
    return number


def read_number(value: Any) -> float:
    """A finite number from a number or typed text ("6.5", "6,5", " 7 "); ``ValueError`` for
    anything else (a bool, blank or other text, NaN, an infinity). The caller words the message."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number
