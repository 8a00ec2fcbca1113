"""Substances recorded at intake and the expected opioid-withdrawal timeline (CLINICAL.md §2).

Pure standard library: no Qt, no database. Usage::

    hours = hours_since(last_use, now)                    # both timezone-aware
    expected_window("heroin").text                        # onset 6–12 h, peak days 1–3, ...
    window_status("heroin", hours)                        # "in the expected onset window"

The timeline is information for staff; it never decides anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "ACUTE_PHASE_DAYS",
    "NON_OPIOID_IDS",
    "OPIOID_IDS",
    "PEAK_DAYS",
    "SUBSTANCES",
    "Acting",
    "Substance",
    "WithdrawalWindow",
    "expected_window",
    "format_hours",
    "get_substance",
    "hours_since",
    "require_aware",
    "window_status",
]

Acting = Literal["short", "extended", "methadone", "buprenorphine"]

#: Withdrawal peaks on days 1–3 and the acute phase resolves in about 3–7 days (CLINICAL.md §2).
PEAK_DAYS: tuple[int, int] = (1, 3)
ACUTE_PHASE_DAYS: tuple[int, int] = (3, 7)


@dataclass(frozen=True, slots=True)
class Substance:
    """A substance that can be recorded at intake.

    ``acting`` says which timeline and readiness rule applies to an opioid: ``"short"``
    (heroin, fentanyl), ``"extended"`` (prescription opioids, which may be extended-release),
    ``"methadone"`` or ``"buprenorphine"``; ``None`` for a non-opioid. ``note`` is shown with
    the substance (e.g. co-use risks).
    """

    id: str
    label: str
    is_opioid: bool
    acting: Acting | None
    note: str = ""

    def __post_init__(self) -> None:
        if self.is_opioid != (self.acting is not None):
            raise ValueError(f"substance {self.id!r}: an opioid needs 'acting', others none")


SUBSTANCES: dict[str, Substance] = {
    s.id: s
    for s in (
        Substance("heroin", "Heroin", True, "short"),
        Substance(
            "fentanyl",
            "Fentanyl or other short-acting opioid",
            True,
            "short",
            "Precipitated withdrawal on starting buprenorphine is more likely, even after "
            "longer gaps.",
        ),
        Substance(
            "prescription",
            "Prescription opioid",
            True,
            "extended",
            "May be immediate- or extended-release: record the product.",
        ),
        Substance("methadone", "Methadone", True, "methadone"),
        Substance("buprenorphine", "Buprenorphine", True, "buprenorphine"),
        Substance(
            "alcohol",
            "Alcohol",
            False,
            None,
            "Co-use raises overdose and seizure risk; assess with CIWA-Ar.",
        ),
        Substance(
            "benzodiazepines",
            "Benzodiazepines",
            False,
            None,
            "Co-use raises overdose and seizure risk.",
        ),
        Substance("stimulants", "Stimulants", False, None),
        Substance("other", "Other", False, None),
    )
}

OPIOID_IDS: tuple[str, ...] = tuple(s.id for s in SUBSTANCES.values() if s.is_opioid)
NON_OPIOID_IDS: tuple[str, ...] = tuple(s.id for s in SUBSTANCES.values() if not s.is_opioid)


def get_substance(substance_id: str) -> Substance:
    """The substance with this id (``ValueError`` naming an unknown id)."""
    try:
        return SUBSTANCES[substance_id]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown substance {substance_id!r}; known: {', '.join(SUBSTANCES)}"
        ) from None


@dataclass(frozen=True, slots=True)
class WithdrawalWindow:
    """When withdrawal is expected to begin after last use, in hours, with text for staff.

    ``onset_low_h`` and ``onset_high_h`` are both ``None`` when the reference gives no number
    (buprenorphine, a non-opioid, an unrecorded substance); ``text`` then says why.
    """

    onset_low_h: float | None
    onset_high_h: float | None
    text: str

    @property
    def known(self) -> bool:
        """True when the window has hours."""
        return self.onset_low_h is not None and self.onset_high_h is not None

    @property
    def onset_text(self) -> str:
        """``"6–12 h"``, or ``""`` when unknown."""
        if not self.known:
            return ""
        low, high = self.onset_low_h, self.onset_high_h
        return f"{format_hours(low)}–{format_hours(high)} h"  # type: ignore[arg-type]


_PEAK_ACUTE = (
    f"peaks on days {PEAK_DAYS[0]}–{PEAK_DAYS[1]}; the acute phase resolves in about "
    f"{ACUTE_PHASE_DAYS[0]}–{ACUTE_PHASE_DAYS[1]} days."
)

_WINDOWS: dict[str, WithdrawalWindow] = {
    "short": WithdrawalWindow(
        6, 12, f"Withdrawal usually begins 6–12 h after the last short-acting opioid, {_PEAK_ACUTE}"
    ),
    "extended": WithdrawalWindow(
        8, 24, f"Withdrawal usually begins 8–24 h after the last prescription opioid, {_PEAK_ACUTE}"
    ),
    "methadone": WithdrawalWindow(
        24,
        48,
        "Withdrawal begins later after methadone than after short-acting opioids "
        "(expected onset 24–48 h is the default used here), and the acute phase can last "
        f"longer than the usual {ACUTE_PHASE_DAYS[0]}–{ACUTE_PHASE_DAYS[1]} days.",
    ),
    "buprenorphine": WithdrawalWindow(
        None, None, "onset varies; longer than short-acting opioids"
    ),
}


def expected_window(substance_id: str | None) -> WithdrawalWindow:
    """The expected withdrawal onset after the last use of ``substance_id``.

    ``None`` (not recorded) and non-opioids give a window without hours; an unknown id raises
    ``ValueError``.
    """
    if substance_id is None:
        return WithdrawalWindow(None, None, "Substance not recorded; no expected onset.")
    substance = get_substance(substance_id)
    if substance.acting is None:
        return WithdrawalWindow(
            None, None, f"{substance.label} is not an opioid: no opioid-withdrawal timeline."
        )
    return _WINDOWS[substance.acting]


def require_aware(value: datetime, name: str) -> datetime:
    """``value`` if it is a timezone-aware datetime, else ``ValueError`` (or ``TypeError``)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got a naive datetime {value!r})")
    return value


def hours_since(last_use: datetime, now: datetime) -> float:
    """Hours from ``last_use`` to ``now``; both must be timezone-aware.

    A ``last_use`` after ``now`` raises ``ValueError`` (a time of last use in the future is an
    entry error, never a negative gap).
    """
    require_aware(last_use, "last_use")
    require_aware(now, "now")
    seconds = (now - last_use).total_seconds()
    if seconds < 0:
        raise ValueError("the time of last use is in the future")
    return seconds / 3600.0


def format_hours(hours: float) -> str:
    """Hours for staff, cut (never rounded up) to 0.1 h: ``16`` → "16", ``11.99`` → "11.9".

    Cutting keeps the shown value on the same side of a whole-hour threshold as the real one.
    """
    if not math.isfinite(hours):
        raise ValueError(f"hours must be finite, got {hours!r}")
    if hours < 0:
        return "-" + format_hours(-hours)
    tenths = math.floor(hours * 10)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}" if tenth == 0 else f"{whole}.{tenth}"


def window_status(substance_id: str | None, hours: float) -> str:
    """Where ``hours`` since last use falls in the expected onset window.

    "before expected onset (6–12 h)", "in the expected onset window" (bounds inclusive),
    "past expected onset", or the window's text when the reference gives no hours.
    """
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours):
        raise ValueError(f"hours must be a finite number, got {hours!r}")
    if hours < 0:
        raise ValueError(f"hours since last use cannot be negative, got {hours!r}")
    window = expected_window(substance_id)
    if not window.known:
        return window.text
    if hours < window.onset_low_h:  # type: ignore[operator]
        return f"before expected onset ({window.onset_text})"
    if hours <= window.onset_high_h:  # type: ignore[operator]
        return "in the expected onset window"
    return "past expected onset"
