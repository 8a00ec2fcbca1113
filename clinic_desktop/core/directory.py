"""The referral directory's pure rules (CLINICAL.md §4): when a contact is *stale*, and what a
counselor must check about a contact before it goes on a plan. No database, no Qt: the directory
service (:mod:`clinic_desktop.core.services.directory`) and the plan screen apply them.

A contact is stale when it was never verified, or verified ``stale_days`` (the clinic setting
``directory_stale_days``) or more days ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = ["OBSTETRIC_CARE", "ContactCheck", "check_contact", "is_stale"]

#: The directory kind of prenatal and obstetric care: a pregnant patient's plan proposes a
#: referral to one (CLINICAL.md §7).
OBSTETRIC_CARE = "obstetric_care"


def is_stale(last_verified: dt.date | None, today: dt.date, stale_days: int) -> bool:
    """Needs re-verifying: never verified, or verified ``stale_days`` or more days ago."""
    return last_verified is None or (today - last_verified).days >= stale_days


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class ContactCheck:
    """A directory contact as a plan screen shows it: its title and, before it goes on a plan,
    what a counselor must check about it: ``flags`` short, for a list ("never verified", "no
    phone on file"); ``warnings`` as sentences, for a referral's row. Both empty: nothing to
    check."""

    title: str
    flags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: The entry's kind (a directory kind id; "" when the entry is gone).
    kind: str = ""

    def tooltip(self) -> str:
        return "\n".join(self.warnings)


def check_contact(entry: Any, today: dt.date, stale_days: int) -> ContactCheck:
    """What to check about ``entry`` (a ``DirectoryEntryView`` or alike: ``name``, ``kind``,
    ``kind_label``, ``active``, ``last_verified``, ``phone``, ``phone_display``, ``address``) on
    ``today``: deactivated, stale, no phone number, no address."""
    flags: list[str] = []
    warnings: list[str] = []
    if not entry.active:
        flags.append("deactivated")
        warnings.append("Deactivated in the directory \u2014 choose another contact.")
    if is_stale(entry.last_verified, today, stale_days):
        if entry.last_verified is None:
            flags.append("never verified")
            warnings.append("Never verified \u2014 check the phone number and address with the "
                            "provider before printing.")
        else:
            flags.append(f"not verified since {entry.last_verified.isoformat()}")
            warnings.append(f"Not verified since {_long_date(entry.last_verified)} \u2014 check "
                            "the phone number with the provider before printing.")
    if not (entry.phone or entry.phone_display):
        flags.append("no phone on file")
        warnings.append("No phone number on file: the plan tells the patient to ask the clinic "
                        "for it.")
    if not (entry.address or "").strip():
        flags.append("no address on file")
        warnings.append("No address on file: the plan tells the patient to call first or ask the "
                        "clinic.")
    return ContactCheck(f"{entry.name} ({entry.kind_label})", tuple(flags), tuple(warnings), entry.kind)
