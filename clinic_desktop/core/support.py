"""Emotional support during the stay (issue #16): what a support session is and what makes one
complete. Pure: no Qt, no database; :mod:`core.services.support` stores and signs them.

A session is individual counseling, a group, a family session, peer recovery support or a brief
check-in: when it started and how long it lasted, the approaches used, what the patient said they
want (in their words), what was agreed, the next step — and, when it came up, what matters to the
patient (:data:`WHAT_MATTERS`, the intake's same four questions) and the readiness ruler
(:data:`RULER`, 0–10 each).

    check(SessionInput(kind="brief", started_at=t, duration_min=10, agreed="Walk after lunch"), now)
        -> the cleaned session (a dict), or ValidationError naming each field
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinic_desktop.core import clock
from clinic_desktop.core.assessment import WHAT_MATTERS
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.text import fold, read_whole

__all__ = ["APPROACHES", "BRIEF", "COUNSELOR_KINDS", "FAMILY", "GROUP", "INDIVIDUAL", "KINDS", "LATE_ENTRY", "PEER", "RULER", "RULER_RANGE",
           "GroupInput", "SessionInput", "check", "check_group", "named", "ruler"]

INDIVIDUAL, GROUP, FAMILY, PEER, BRIEF = "individual", "group", "family", "peer", "brief"
#: Kinds of session → what staff read.
KINDS: dict[str, str] = {
    INDIVIDUAL: "Individual counseling",
    GROUP: "Group session",
    FAMILY: "Family session",
    PEER: "Peer recovery support",
    BRIEF: "Brief check-in",
}
#: The kinds only counselors (and administrators) record; nurses and prescribers record peer
#: contacts and brief check-ins.
COUNSELOR_KINDS = frozenset({INDIVIDUAL, GROUP, FAMILY})
#: Approaches → what staff read.
APPROACHES: dict[str, str] = {
    "motivational_interviewing": "Motivational interviewing",
    "cbt": "Cognitive-behavioral therapy (CBT)",
    "psychoeducation": "Psychoeducation",
    "mindfulness": "Mindfulness or relaxation",
    "relapse_prevention": "Relapse prevention",
    "other": "Other",
}
#: The readiness ruler's two questions (asked at intake and at any session), 0–10 each.
RULER: dict[str, str] = {
    "importance": "How important is it to you to stop using?",
    "confidence": "How confident are you that you can?",
}
RULER_RANGE = (0, 10)
#: What the patient said matters, in their words: the intake's questions (assessment.WHAT_MATTERS).
WHAT_MATTERS_IDS = tuple(key for key, _label in WHAT_MATTERS)
#: Longest session, in minutes (a day's programme).
DURATION_RANGE = (1, 480)
#: A session that started longer ago than this is entered late: say why.
LATE_ENTRY = dt.timedelta(hours=24)
#: Longest text per field (characters).
TEXT_LIMIT = 4000
TEXT_FIELDS: dict[str, str] = {
    "patient_words": "What the patient said they want",
    "agreed": "What was agreed",
    "next_step": "Next step",
}


@dataclass(frozen=True)
class SessionInput:
    """A session as the form sends it (texts as typed)."""

    kind: str
    started_at: dt.datetime | None
    duration_min: int | None
    approaches: Sequence[str] = ()
    patient_words: str = ""
    agreed: str = ""
    next_step: str = ""
    what_matters: Mapping[str, str] = field(default_factory=dict)
    importance: int | None = None
    confidence: int | None = None
    #: A family session: the family member who took part (their name as the consent names them).
    family_member: str = ""
    #: Why it is entered late (started more than :data:`LATE_ENTRY` ago).
    reason: str = ""


@dataclass(frozen=True)
class GroupInput:
    """One group session for many patients: the shared topic and note, and a short line per
    attendee (episode id → text) if wanted."""

    topic: str
    started_at: dt.datetime | None
    duration_min: int | None
    approaches: Sequence[str] = ()
    note: str = ""
    lines: Mapping[int, str] = field(default_factory=dict)
    reason: str = ""


def ruler(key: str, value: Any) -> int | None:
    """A readiness answer: None when not asked, else a whole number 0–10 (ValueError otherwise)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    low, high = RULER_RANGE
    try:
        return read_whole(value, low, high)
    except ValueError:
        raise ValueError(f"{RULER[key]} A whole number from {low} to {high}.") from None


def _text(value: Any, label: str, errors: dict[str, str], key: str) -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_LIMIT:
        errors[key] = f"{label}: at most {TEXT_LIMIT} characters."
    return text


def _when(started_at: dt.datetime | None, duration: int | None, reason: str, now: dt.datetime,
          errors: dict[str, str]) -> tuple[dt.datetime | None, int | None, str | None]:
    """The checked start, duration and late-entry reason (errors keyed by field)."""
    low, high = DURATION_RANGE
    if duration is None or isinstance(duration, bool) or not isinstance(duration, int):
        errors["duration_min"] = f"Enter how long it lasted, in minutes ({low}–{high})."
    elif not low <= duration <= high:
        errors["duration_min"] = f"The length is {low} to {high} minutes."
    reason_text = reason.strip() or None
    if started_at is None:
        errors["started_at"] = "Enter when it started."
    elif started_at.tzinfo is None:
        errors["started_at"] = "The start needs a time zone."
    elif started_at > now + clock.FUTURE_TOLERANCE:
        errors["started_at"] = "The start cannot be in the future."
    elif now - started_at > LATE_ENTRY and reason_text is None:
        errors["reason"] = "This started more than 24 hours ago; say why it is being entered late."
    return started_at, duration, reason_text


def _approaches(values: Iterable[str], errors: dict[str, str]) -> list[str]:
    given = [str(v) for v in values]
    unknown = [v for v in given if v not in APPROACHES]
    if unknown:
        errors["approaches"] = f"Unknown approach(es): {', '.join(unknown)}."
    return [key for key in APPROACHES if key in given]


def check(data: SessionInput, now: dt.datetime) -> dict[str, Any]:
    """The session cleaned for storing (texts stripped, approaches in order, what matters kept
    to its four questions, empty ones dropped), or ValidationError keyed by field: a known kind
    (a group is recorded with :func:`check_group`), a start not in the future (a reason when
    late), 1–480 minutes, known approaches, the ruler 0–10, a family member for a family
    session, and something written (what the patient said, what was agreed, the next step, what
    matters or the ruler)."""
    errors: dict[str, str] = {}
    if data.kind not in KINDS:
        errors["kind"] = "Choose the kind of session."
    elif data.kind == GROUP:
        errors["kind"] = "Record a group session for all its attendees at once (Group session…)."
    started_at, duration, reason = _when(data.started_at, data.duration_min, data.reason, now, errors)
    approaches = _approaches(data.approaches, errors)
    texts = {key: _text(getattr(data, key), label, errors, key) for key, label in TEXT_FIELDS.items()}
    unknown = set(data.what_matters) - set(WHAT_MATTERS_IDS)
    if unknown:
        errors["what_matters"] = f"Unknown question(s): {', '.join(sorted(unknown))}."
    labels = dict(WHAT_MATTERS)
    matters = {key: _text(data.what_matters.get(key), labels[key], errors, f"what_matters.{key}")
               for key in WHAT_MATTERS_IDS}
    matters = {key: text for key, text in matters.items() if text}
    ruled: dict[str, int | None] = {}
    for key in RULER:
        try:
            ruled[key] = ruler(key, getattr(data, key))
        except ValueError as exc:
            errors[key] = str(exc)
    member = _text(data.family_member, "Family member", errors, "family_member")
    if data.kind == FAMILY and not member:
        errors["family_member"] = "Name the family member who took part."
    if len(member) > 200:
        errors["family_member"] = "Family member: at most 200 characters."
    if not errors and not (any(texts.values()) or matters or any(v is not None for v in ruled.values())):
        errors["patient_words"] = ("Write what the patient said, what was agreed or the next step "
                                   "(or what matters to them).")
    if errors:
        raise ValidationError(errors)
    return {"kind": data.kind, "started_at": started_at, "duration_min": duration, "approaches": approaches,
            **texts, "what_matters": matters, **ruled,
            "family_member": member if data.kind == FAMILY else None, "reason": reason}


def check_group(data: GroupInput, attendees: Sequence[int], now: dt.datetime) -> dict[str, Any]:
    """A group session cleaned for storing, or ValidationError keyed by field: at least one
    attendee (each once), a topic, the start and length as :func:`check`, known approaches, and
    a line only for an attendee."""
    errors: dict[str, str] = {}
    if not attendees:
        errors["attendees"] = "Tick at least one patient who attended."
    elif len(set(attendees)) != len(attendees):
        errors["attendees"] = "A patient is ticked twice."
    topic = _text(data.topic, "Topic", errors, "topic")
    if not topic:
        errors["topic"] = "Write the group's topic."
    elif len(topic) > 200:
        errors["topic"] = "Topic: at most 200 characters."
    note = _text(data.note, "Group note", errors, "note")
    started_at, duration, reason = _when(data.started_at, data.duration_min, data.reason, now, errors)
    approaches = _approaches(data.approaches, errors)
    lines = {int(k): _text(v, "Line", errors, f"lines.{k}") for k, v in data.lines.items()}
    strangers = set(lines) - set(attendees)
    if strangers:
        errors["lines"] = "A line was written for a patient who is not ticked as attending."
    if errors:
        raise ValidationError(errors)
    return {"topic": topic, "note": note, "started_at": started_at, "duration_min": duration,
            "approaches": approaches, "reason": reason,
            "lines": {k: v for k, v in lines.items() if v}}


def named(text: str, names: Iterable[str], not_names: Iterable[str] = ()) -> list[str]:
    """The ``names`` (given or family names) that ``text`` contains as whole words, accent- and
    case-blind, in their order, except those staff confirmed are not used as a name here
    (``not_names``): a group's shared note must not name an attendee."""
    words = f" {fold(text)} "
    skip = {fold(word) for word in not_names}
    out: list[str] = []
    for name in names:
        folded = fold(name)
        if (len(folded) >= 2 and folded not in skip and name not in out
                and re.search(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])", words)):
            out.append(name)
    return out
