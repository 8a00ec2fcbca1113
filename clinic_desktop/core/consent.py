"""Consents to share a patient's information with a provider (CLINICAL.md §5, 42 CFR Part 2).

What a consent can cover (:data:`INFORMATION_ITEMS`) and when a referral letter may go out
under one (:func:`check_letter`). Pure rules: no Qt, no database. The service that writes the
letter (:func:`core.services.plans.referral_letter`) applies them, and so does the letter's
builder (:func:`reports.letter.build_referral_letter`), which never builds a letter a consent
does not allow. Each refusal is a :class:`~clinic_desktop.core.errors.ValidationError` whose
message is shown to staff as it is.

A consent is valid through its ``expires_on`` day (the last day it is valid), until revoked.
It covers exactly the information items it lists (its ``items``, keys of
:data:`INFORMATION_ITEMS`, 42 CFR 2.31 "how much and what kind"); a letter shares none other
(:func:`check_covered`). A consent recorded before consents were itemized (``items`` None)
covers no item: a letter under it carries only the referral itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from clinic_desktop.core.errors import ValidationError

__all__ = ["INFORMATION_ITEMS", "check_covered", "check_items", "check_letter", "covered", "expired", "labels",
           "ordered"]

#: The parts of the aftercare plan a consent can cover, in the order a letter prints them →
#: their label as staff tick it. The English letter heads each section with the same words
#: (catalogue ``letter.<section>_heading``; a test holds the two together).
INFORMATION_ITEMS: dict[str, str] = {
    "medication": "Medication for opioid use disorder",
    "level": "Level of aftercare",
    "therapies": "Counseling approaches",
    "follow_ups": "Follow-up appointments",
    "relapse": "Relapse-prevention plan",
}


def expired(expires_on: dt.date | None, today: dt.date) -> bool:
    """Whether a consent expiring on ``expires_on`` is past it on ``today`` (``expires_on`` is
    the last day it is valid; a consent without one was never valid)."""
    return expires_on is None or today > expires_on


def check_items(shared: Iterable[str]) -> None:
    """ValidationError unless every key of ``shared`` is one of :data:`INFORMATION_ITEMS`."""
    unknown = [key for key in shared if key not in INFORMATION_ITEMS]
    if unknown:
        raise ValidationError(f"Unknown information item(s) {unknown}; choose from "
                              f"{list(INFORMATION_ITEMS)}.")


def ordered(keys: Iterable[str]) -> tuple[str, ...]:
    """``keys`` once each, in :data:`INFORMATION_ITEMS`' order (ValidationError for an unknown key)."""
    keys = [str(key) for key in keys]
    check_items(keys)
    return tuple(key for key in INFORMATION_ITEMS if key in keys)


def labels(keys: Iterable[str]) -> tuple[str, ...]:
    """The staff labels of ``keys``, in :data:`INFORMATION_ITEMS`' order."""
    return tuple(INFORMATION_ITEMS[key] for key in ordered(keys))


def covered(consent: Any) -> tuple[str, ...]:
    """The item keys ``consent`` (its ``items``) covers, in print order; none when it was
    recorded before consents were itemized (``items`` None) or lists keys no longer known."""
    items = getattr(consent, "items", None)
    if not items:
        return ()
    return tuple(key for key in INFORMATION_ITEMS if key in {str(k) for k in items})


def check_covered(consent: Any, shared: Iterable[str]) -> None:
    """ValidationError unless every key of ``shared`` is an item ``consent`` covers
    (:func:`covered`); the message names the uncovered items by their labels."""
    shared = [str(key) for key in shared]
    check_items(shared)
    allowed = set(covered(consent))
    uncovered = [INFORMATION_ITEMS[key] for key in INFORMATION_ITEMS if key in shared and key not in allowed]
    if not uncovered:
        return
    if getattr(consent, "items", None) is None:
        raise ValidationError("This consent was recorded before itemized consents and covers no part of "
                              f"the plan; not covered: {', '.join(uncovered)}. Record a new consent to "
                              "share plan details.")
    them = "it" if len(uncovered) == 1 else "them"
    raise ValidationError(f"The patient did not consent to share: {', '.join(uncovered)}. Leave {them} "
                          f"out, or record a new consent that covers {them}.")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_letter(consent: Any, *, today: dt.date, entry_id: Any, recipient_name: str) -> None:
    """ValidationError unless a letter may go today to the recipient of a referral (its
    directory ``entry_id``, or its ``recipient_name`` when either side has no entry) under
    ``consent`` (a :class:`core.services.plans.ConsentView` or alike: ``revoked`` or
    ``revoked_at``, ``expires_on``, ``directory_entry_id``, ``recipient_name``). Refused: a
    revoked consent, an expired one, one made out to another recipient or to a person (a
    family member) rather than a provider."""
    revoked = getattr(consent, "revoked", None)
    if revoked is None:
        revoked = getattr(consent, "revoked_at", None) is not None
    if revoked:
        raise ValidationError("The patient has revoked this consent: no letter can be sent under it.")
    expires_on = getattr(consent, "expires_on", None)
    if expired(expires_on, today):
        raise ValidationError(f"This consent expired on {expires_on}: ask the patient to sign a new "
                              "one before sending the letter.")
    consent_entry = getattr(consent, "directory_entry_id", None)
    if consent_entry is None:  # a consent to a person (a family member), never to a provider
        raise ValidationError(f"This consent is for {_text(consent.recipient_name)!r}, a person, not a "
                              "provider: the letter cannot be sent under it.")
    if entry_id is not None:
        same = str(consent_entry) == str(entry_id)
    else:
        same = _text(consent.recipient_name).casefold() == _text(recipient_name).casefold()
    if not same:
        raise ValidationError(f"This consent is for {_text(consent.recipient_name)!r}, not for "
                              f"{_text(recipient_name)!r}: the letter cannot be sent under it.")
