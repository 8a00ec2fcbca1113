"""The referral directory: who a patient can be referred to, and the national helplines.

Everyone who may open patients reads it (``search``, ``get_entry``, ``export_csv``); only an
administrator changes it ("directory.edit"): ``add_entry``, ``update_entry``,
``deactivate_entry`` / ``reactivate_entry``, ``mark_verified`` and the CSV import
(``check_csv`` then ``import_csv``). Every change is one audit event.

Decisions, for whoever reads the code next:

* The five national contacts of CLINICAL.md §4 are seeded by migration 0004 (0008 corrects
  their languages, hours and notes), so every database has them; their ``key``
  (``samhsa_helpline``...) never changes. They may be edited (a number can change) and
  re-verified, but never deactivated, nor turned into another kind. A plan prints only their
  number from here: the rest comes from the catalogue of its language. ``search``
  always lists them first, whatever the filters, so a plan never lacks the crisis lines;
  ``DirectoryEntryView.national`` tells a screen to show them apart.
* "Deleting" an entry deactivates it; nothing is ever deleted.
* ``phone`` is stored as E.164 when it parses for the clinic's ``phone_region`` (the whole
  number, with its area code); the text as typed is kept in ``phone_display`` and is what is
  shown and exported. A national helpline may have a short code (988) instead.
* A contact is *stale* when it was never verified, or verified ``directory_stale_days`` (a
  clinic setting, 180 by default) or more days ago: "not verified for 180 days" (CLINICAL.md §4).
* Two entries are the same contact when their names fold alike (accents, case and punctuation
  ignored) and they share a phone number, or share an address, or neither has a phone number or
  an address to tell them apart. Only active entries count. ``add_entry`` refuses such a
  duplicate; the CSV check reports it, and the import skips it (it does not block the import).
* The CSV import is all or nothing by default: one refused row and nothing is written.
  It is written in one transaction, with a single "directory.imported" audit event listing the
  new ids (not one event per row).
* The command line (``clinic-desktop import-directory``) acts as the console operator, like
  ``create-user``: the ``*_from_console`` functions skip the role check (whoever can run
  commands against the database file or server already holds it) and are audited as
  "(console)".
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

import phonenumbers
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import clock
from clinic_desktop.core import directory as directory_rules
from clinic_desktop.core import text as text_mod
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.languages import DIRECTORY_LANGUAGES, name_aliases
from clinic_desktop.core.models import DirectoryEntry, User, utcnow
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services import settings as settings_service

NATIONAL = "national_helpline"

#: Kind ids (stored, exported) and what staff read.
KINDS: dict[str, str] = {
    NATIONAL: "National helpline",
    "outpatient_program": "Outpatient program",
    "opioid_treatment_program": "Opioid treatment program (OTP)",
    "buprenorphine_prescriber": "Buprenorphine prescriber",
    directory_rules.OBSTETRIC_CARE: "Prenatal and obstetric care",
    "sober_living": "Sober living",
    "mutual_help_meeting": "Mutual-help meeting (NA, SMART)",
    "counselor": "Counselor",
    "housing_service": "Housing service",
    "employment_service": "Employment service",
    "key_worker": "Key worker",
    "other": "Other",
}

#: The shipped national contacts (CLINICAL.md §4), in the order they are listed.
NATIONAL_KEYS = ("samhsa_helpline", "lifeline_988", "poison_control", "never_use_alone",
                 "crisis_text_line")

#: The CSV columns, in the order they are written (a file may have them in any order).
CSV_COLUMNS = ("name", "kind", "phone", "other_contact", "address", "hours", "languages",
               "walk_in", "payment", "notes", "last_verified")

#: Longest accepted text per field (characters).
LIMITS = {"name": 200, "phone": 60, "other_contact": 300, "address": 1000, "hours": 200,
          "payment": 300, "notes": 4000}

#: Language codes a contact may list, code → name (ISO 639; names from Babel, core.languages).
LANGUAGES: dict[str, str] = DIRECTORY_LANGUAGES
_LANGUAGE_BY_NAME = {text_mod.fold(name): code for name, code in name_aliases().items()}

_WALK_IN = {"yes": True, "y": True, "true": True, "1": True,
            "no": False, "n": False, "false": False, "0": False, "": False}
_PARENTHESES = re.compile(r"\([^)]*\)")
_SHORT_CODE = re.compile(r"\d{3,8}")
BATCH = 100  # rows per flush, progress report and cancel check while importing


# --- plain data in and out -----------------------------------------------------------------------

@dataclass(frozen=True)
class EntryInput:
    """What an entry form (or a CSV row) sends. Strings as typed; the service cleans them."""

    name: str
    kind: str
    phone: str = ""
    other_contact: str = ""
    address: str = ""
    hours: str = ""
    languages: str = ""  # "en, es" (codes or English names, comma-separated)
    walk_in: bool = False
    payment: str = ""
    notes: str = ""
    last_verified: dt.date | None = None


@dataclass(frozen=True)
class DirectoryEntryView:
    id: int
    key: str | None
    name: str
    kind: str
    phone: str | None  # E.164, or a helpline's short code
    phone_display: str | None  # as typed: what to show and print
    other_contact: str | None
    address: str | None
    hours: str | None
    languages: tuple[str, ...]
    walk_in: bool
    payment: str | None
    notes: str | None
    last_verified: dt.date | None
    active: bool
    created_at: dt.datetime
    created_by: int | None
    updated_at: dt.datetime | None
    updated_by: int | None
    version: int

    @property
    def national(self) -> bool:
        """One of the national contacts shipped with the app (CLINICAL.md §4)."""
        return self.key is not None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def language_names(self) -> list[str]:
        return [LANGUAGES.get(code, code) for code in self.languages]

    def days_since_verified(self, today: dt.date) -> int | None:
        return None if self.last_verified is None else (today - self.last_verified).days

    def stale(self, today: dt.date, stale_days: int) -> bool:
        """Needs re-verifying: never verified, or verified ``stale_days`` or more days ago."""
        return directory_rules.is_stale(self.last_verified, today, stale_days)

    def as_input(self) -> EntryInput:
        return EntryInput(
            name=self.name, kind=self.kind, phone=self.phone_display or self.phone or "",
            other_contact=self.other_contact or "", address=self.address or "",
            hours=self.hours or "", languages=",".join(self.languages), walk_in=self.walk_in,
            payment=self.payment or "", notes=self.notes or "", last_verified=self.last_verified,
        )


_VIEW_FIELDS = [f.name for f in dataclasses.fields(DirectoryEntryView)]


def _view(entry: DirectoryEntry) -> DirectoryEntryView:
    values = {name: getattr(entry, name) for name in _VIEW_FIELDS}
    values["languages"] = tuple(entry.languages.split(",")) if entry.languages else ()
    return DirectoryEntryView(**values)


def clinic_today() -> dt.date:
    """Today in the clinic's time zone."""
    return clock.local(clock.now()).date()


# --- validation -----------------------------------------------------------------------------------

def _clean_phone(raw: str, kind: str, region: str) -> tuple[str | None, str | None, str | None]:
    """(stored number, display text, problem) for what was typed."""
    shown = " ".join(raw.split())
    if not shown:
        return None, None, None
    if len(shown) > LIMITS["phone"]:
        return None, None, f"At most {LIMITS['phone']} characters."
    problem = "This is not a phone number."
    # "1-800-662-HELP (4357)": the part in brackets repeats the letters' digits.
    for candidate in dict.fromkeys([shown, _PARENTHESES.sub(" ", shown).strip()]):
        if not candidate:
            continue
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), shown, None
        if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            problem = "Enter the whole number, with its area code."
        elif problem == "This is not a phone number.":
            problem = "This phone number has the wrong number of digits."
    if _SHORT_CODE.fullmatch(shown):
        number = phonenumbers.parse(shown, region)
        if phonenumbers.is_possible_short_number_for_region(number, region):
            if kind == NATIONAL:
                return shown, shown, None
            return None, None, ("Short codes such as 988 are for national helplines only; enter the "
                                "whole number, with its area code.")
    if kind == NATIONAL:
        problem = "This is neither a phone number nor a short code such as 988."
    return None, None, problem


def language_code(value: str) -> str | None:
    """The code for "es", "ES" or "Spanish"; None when it is not a known language."""
    value = value.strip()
    if value.lower() in LANGUAGES:
        return value.lower()
    return _LANGUAGE_BY_NAME.get(text_mod.fold(value))


def _clean_languages(raw: str) -> tuple[str | None, str | None]:
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;/]", raw):
        if not part.strip():
            continue
        code = language_code(part)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    if unknown:
        listed = ", ".join(f"“{u}”" for u in unknown)
        return None, (f"Unknown language {listed}: use ISO 639 codes separated by commas, "
                      "such as en, es, zh.")
    listed = ",".join(codes)
    if len(listed) > 200:
        return None, "Too many languages: list at most the 50 most useful."
    return listed or None, None


def _check(data: EntryInput, region: str, today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned fields and the problems, each keyed by field name (= CSV column)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def opt(name: str, value: str, multiline: bool = False) -> None:
        if multiline:  # keep the line breaks, whichever system typed them
            value = "\n".join(line.rstrip() for line in value.strip().splitlines())
        else:
            value = " ".join(value.split())
        if len(value) > LIMITS[name]:
            errors[name] = f"At most {LIMITS[name]} characters."
        clean[name] = value or None

    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Enter the name."
    elif len(name) > LIMITS["name"]:
        errors["name"] = f"At most {LIMITS['name']} characters."
    clean["name"] = name
    kind = data.kind.strip().lower()
    if not kind:
        errors["kind"] = "Choose the kind of entry."
    elif kind not in KINDS:
        errors["kind"] = (f"“{data.kind.strip()}” is not a kind of entry; use one of: "
                          f"{', '.join(KINDS)}.")
    clean["kind"] = kind
    phone, shown, problem = _clean_phone(data.phone, kind, region)
    if problem:
        errors["phone"] = problem
    clean["phone"], clean["phone_display"] = phone, shown
    opt("other_contact", data.other_contact)
    opt("address", data.address, multiline=True)
    opt("hours", data.hours)
    languages, problem = _clean_languages(data.languages)
    if problem:
        errors["languages"] = problem
    clean["languages"] = languages
    clean["walk_in"] = bool(data.walk_in)
    opt("payment", data.payment)
    opt("notes", data.notes, multiline=True)
    if data.last_verified is not None and data.last_verified > today:
        errors["last_verified"] = "The last verified date cannot be in the future."
    clean["last_verified"] = data.last_verified
    if "phone" not in errors and not (data.phone.strip() or clean["other_contact"] or clean["address"]):
        errors["phone"] = ("Give at least one way to reach them: a phone number, another contact "
                           "(text, TTY, web) or an address.")
    return clean, errors


def validate(data: EntryInput, region: str = "US", today: dt.date | None = None) -> dict[str, Any]:
    """Check an entry; raise ValidationError naming each bad field, else return clean values."""
    clean, errors = _check(data, region, today or clinic_today())
    if errors:
        raise ValidationError(errors)
    return clean


def _search_fields(fields: dict[str, Any]) -> dict[str, str]:
    words = " ".join(v for v in (fields["name"], fields.get("notes"), fields.get("address")) if v)
    return {"search_name": text_mod.fold(fields["name"]), "search_text": text_mod.fold(words)}


# --- duplicates -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Known:
    ref: str  # how to name the other one: “Name” or "line 7"
    phone: str | None
    address: str  # folded, "" when none


class _DuplicateIndex:
    """Entries by folded name, to find the one a new entry would duplicate."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[_Known]] = {}

    def add(self, search_name: str, phone: str | None, address: str | None, ref: str) -> None:
        self._by_name.setdefault(search_name, []).append(
            _Known(ref, phone, text_mod.fold(address or "")))

    def find(self, search_name: str, phone: str | None, address: str | None) -> tuple[str, str] | None:
        """(the other one, why they are the same) or None."""
        folded = text_mod.fold(address or "")
        for known in self._by_name.get(search_name, ()):
            if phone and known.phone == phone:
                return known.ref, "same name and phone number"
            if folded and known.address == folded:
                return known.ref, "same name and address"
            if not (phone or folded or known.phone or known.address):
                return known.ref, "same name, and neither has a phone number or address"
        return None


def _database_index(session: Session, names: Iterable[str] | None = None,
                    exclude_id: int | None = None) -> _DuplicateIndex:
    index = _DuplicateIndex()
    q = select(DirectoryEntry.id, DirectoryEntry.name, DirectoryEntry.search_name,
               DirectoryEntry.phone, DirectoryEntry.address).where(DirectoryEntry.active.is_(True))
    names = None if names is None else list(names)
    if names is not None and len(names) <= 500:  # else read them all: fewer bound parameters
        q = q.where(DirectoryEntry.search_name.in_(names))
    for entry_id, name, search_name, phone, address in session.execute(q):
        if entry_id != exclude_id:
            index.add(search_name, phone, address, f"“{name}”")
    return index


def _refuse_duplicate(session: Session, fields: dict[str, Any], exclude_id: int | None = None) -> None:
    search_name = text_mod.fold(fields["name"])
    hit = _database_index(session, [search_name], exclude_id).find(
        search_name, fields["phone"], fields["address"])
    if hit:
        ref, why = hit
        raise ValidationError({"name": f"This contact is already in the directory as {ref} ({why})."})


# --- reading --------------------------------------------------------------------------------------

def stale_days(db: Database) -> int:
    """The clinic's ``directory_stale_days`` setting."""
    return int(settings_service.get(db, "directory_stale_days"))


def get_entry(db: Database, user: SignedInUser, entry_id: int) -> DirectoryEntryView:
    require(db, user, "patients.view")
    with db.read() as session:
        entry = session.get(DirectoryEntry, entry_id)
        if entry is None:
            raise NotFound("This directory entry no longer exists.")
        return _view(entry)


_NATIONAL_ORDER = {key: n for n, key in enumerate(NATIONAL_KEYS)}


def _listing_order(entry: DirectoryEntry) -> tuple[int, str, int]:
    """The national contacts first, in CLINICAL.md's order; then by name."""
    if entry.key is not None:
        return (0, f"{_NATIONAL_ORDER.get(entry.key, len(_NATIONAL_ORDER)):04d}", entry.id)
    return (1, entry.search_name, entry.id)


def search(db: Database, user: SignedInUser, text: str = "", kind: str | None = None,
           language: str | None = None, walk_in: bool | None = None,
           include_inactive: bool = False, include_national: bool = True) -> list[DirectoryEntryView]:
    """Directory entries matching every word of ``text`` (in the name, notes or address; accents
    and case ignored) and each filter given, sorted by name — after the national helplines,
    which are always listed first whatever the filters (``include_national=False`` leaves them
    out). ``language`` is a code or an English name ("es", "Spanish")."""
    require(db, user, "patients.view")
    q = select(DirectoryEntry).where(DirectoryEntry.key.is_(None))
    if not include_inactive:
        q = q.where(DirectoryEntry.active.is_(True))
    for word in dict.fromkeys(text_mod.tokens(text)):
        q = q.where(DirectoryEntry.search_text.contains(word, autoescape=True))
    if kind:
        if kind not in KINDS:
            raise ValidationError({"kind": "Choose a kind of entry."})
        q = q.where(DirectoryEntry.kind == kind)
    if language:
        code = language_code(language)
        if code is None:
            raise ValidationError({"languages": f"Unknown language “{language}”."})
        listed = literal(",") + func.coalesce(DirectoryEntry.languages, "") + literal(",")
        q = q.where(listed.contains(f",{code},", autoescape=True))
    if walk_in is not None:
        q = q.where(DirectoryEntry.walk_in.is_(walk_in))
    q = q.order_by(DirectoryEntry.search_name, DirectoryEntry.id)
    with db.read() as session:
        found = []
        if include_national:
            found = sorted(session.execute(
                select(DirectoryEntry).where(DirectoryEntry.key.is_not(None))).scalars(),
                key=_listing_order)
        found.extend(session.execute(q).scalars())
        return [_view(e) for e in found]


# --- changing -------------------------------------------------------------------------------------

def _region(session: Session) -> str:
    return settings_service.read_in(session)["phone_region"]


def add_entry(db: Database, user: SignedInUser, data: EntryInput,
              today: dt.date | None = None) -> DirectoryEntryView:
    """Add a local contact (admin only). A duplicate of an active entry is refused."""
    require(db, user, "directory.edit")
    with db.write() as session:
        fields = validate(data, _region(session), today)
        _refuse_duplicate(session, fields)
        entry = DirectoryEntry(**fields, **_search_fields(fields), created_by=user.id)
        session.add(entry)
        session.flush()
        audit.append(session, user, "directory.added", entity_type="directory_entry",
                     entity_id=entry.id, detail={"changes": audit.diff({}, fields)})
        return _view(entry)


def _get_for_change(session: Session, entry_id: int) -> DirectoryEntry:
    entry = session.get(DirectoryEntry, entry_id)
    if entry is None:
        raise NotFound("This directory entry no longer exists.")
    return entry


def _conflict(session: Session, entry: DirectoryEntry) -> ConflictError:
    who = session.get(User, entry.updated_by) if entry.updated_by else None
    when = (clock.local(entry.updated_at).strftime("%H:%M on %d %b %Y") if entry.updated_at
            else "just now")
    name = who.full_name if who else "Someone else"
    return ConflictError(
        f"{name} changed this directory entry at {when}, after you opened it. Your changes were "
        "not saved: reopen the entry to see the current version, then make them again."
    )


_STALE_RACE = ConflictError(
    "Someone else saved this directory entry while you were editing it. Your changes were not "
    "saved: reopen the entry to see the current version, then make them again."
)


def update_entry(db: Database, user: SignedInUser, entry_id: int, expected_version: int,
                 data: EntryInput, today: dt.date | None = None) -> DirectoryEntryView:
    """Correct an entry (admin only). A stale ``expected_version`` is refused with ConflictError
    naming who changed it and when."""
    require(db, user, "directory.edit")
    try:
        with db.write() as session:
            fields = validate(data, _region(session), today)
            entry = _get_for_change(session, entry_id)
            if entry.version != expected_version:
                raise _conflict(session, entry)
            if entry.key is not None and fields["kind"] != NATIONAL:
                raise ValidationError({"kind": "The national helplines shipped with Clinic Desktop "
                                                "stay national helplines."})
            if entry.active:
                _refuse_duplicate(session, fields, exclude_id=entry.id)
            before = {k: getattr(entry, k) for k in fields}
            changes = audit.diff(before, fields)
            if not changes:
                return _view(entry)
            for key, value in {**fields, **_search_fields(fields)}.items():
                setattr(entry, key, value)
            entry.updated_at = utcnow()
            entry.updated_by = user.id
            session.flush()  # the versioned UPDATE: refused here if another workstation won
            audit.append(session, user, "directory.updated", entity_type="directory_entry",
                         entity_id=entry.id, detail={"changes": changes})
            return _view(entry)
    except StaleDataError:
        raise _STALE_RACE from None


def _set_active(db: Database, user: SignedInUser, entry_id: int, active: bool) -> DirectoryEntryView:
    require(db, user, "directory.edit")
    try:
        with db.write() as session:
            entry = _get_for_change(session, entry_id)
            if entry.active == active:
                return _view(entry)
            if not active and entry.key is not None:
                raise ValidationError(
                    f"{entry.name} is one of the national helplines shipped with Clinic Desktop "
                    "and cannot be removed; edit it if its details changed.")
            if active:
                _refuse_duplicate(session, {"name": entry.name, "phone": entry.phone,
                                            "address": entry.address}, exclude_id=entry.id)
            entry.active = active
            entry.updated_at = utcnow()
            entry.updated_by = user.id
            session.flush()
            audit.append(session, user, "directory.reactivated" if active else "directory.deactivated",
                         entity_type="directory_entry", entity_id=entry.id,
                         detail={"name": entry.name})
            return _view(entry)
    except StaleDataError:
        raise _STALE_RACE from None


def deactivate_entry(db: Database, user: SignedInUser, entry_id: int) -> DirectoryEntryView:
    """"Delete" an entry (admin only): it leaves searches and exports but is kept. The shipped
    national helplines are refused."""
    return _set_active(db, user, entry_id, False)


def reactivate_entry(db: Database, user: SignedInUser, entry_id: int) -> DirectoryEntryView:
    """Undo a deactivation (admin only); refused if an active entry now duplicates it."""
    return _set_active(db, user, entry_id, True)


def mark_verified(db: Database, user: SignedInUser, entry_id: int,
                  today: dt.date | None = None) -> DirectoryEntryView:
    """Record that someone checked the contact's details today (admin only)."""
    require(db, user, "directory.edit")
    today = today or clinic_today()
    try:
        with db.write() as session:
            entry = _get_for_change(session, entry_id)
            before = entry.last_verified
            entry.last_verified = today
            entry.updated_at = utcnow()
            entry.updated_by = user.id
            session.flush()
            audit.append(session, user, "directory.verified", entity_type="directory_entry",
                         entity_id=entry.id, detail={"changes": audit.diff(
                             {"last_verified": before}, {"last_verified": today})})
            return _view(entry)
    except StaleDataError:
        raise _STALE_RACE from None


# --- CSV ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    """One data row of a CSV file as checked: ``line`` as in the file (the header is line 1)."""

    line: int
    status: str  # "ok" | "refused" | "duplicate"
    messages: tuple[str, ...]
    name: str

    def describe(self) -> str:
        """"line 4: refused: phone: This is not a phone number." (one line, for a report)."""
        what = "; ".join(self.messages)
        label = f" ({self.name})" if self.name else ""
        return f"line {self.line}{label}: {self.status}" + (f": {what}" if what else "")


@dataclass
class ImportReport:
    """Every row of a file, checked: what ``import_csv`` will do with it."""

    rows: list[RowResult]
    source: str | None = None
    _valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list, repr=False, compare=False)

    @property
    def total(self) -> int:
        return len(self.rows)

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def ok(self) -> int:
        return self._count("ok")

    @property
    def refused(self) -> int:
        return self._count("refused")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def problems(self) -> list[RowResult]:
        """The rows that will not be imported, in file order."""
        return [r for r in self.rows if r.status != "ok"]


@dataclass(frozen=True)
class ImportResult:
    imported: int
    refused: int
    duplicates: int
    total: int
    cancelled: bool = False
    #: Nothing was imported because rows were refused (the default, all-or-nothing import).
    blocked: bool = False
    #: Rows that became duplicates between the check and the import (someone added the same
    #: contact meanwhile); skipped like the others.
    late_duplicates: tuple[RowResult, ...] = ()

    @property
    def message(self) -> str:
        if self.cancelled:
            return "Import cancelled: nothing was imported."
        if self.blocked:
            verb = "was" if self.refused == 1 else "were"
            return (f"Nothing was imported: {self.refused} of the {self.total} rows {verb} "
                    "refused. Correct them and import again, or import only the valid rows.")
        parts = [f"Imported {self.imported} of {self.total} entries."]
        if self.duplicates:
            parts.append(f"{self.duplicates} already in the directory (skipped).")
        if self.refused:
            parts.append(f"{self.refused} refused.")
        return " ".join(parts)


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): the export puts a ' before
# it, the import takes that ' off again. A cell that is already ' (one or more) before such a
# character gets one more on the way out, so that every text comes back exactly as it was.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_out(text: str) -> str:
    """``text`` as written to the CSV: prefixed with ' when a spreadsheet would run it."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def csv_cell_in(cell: str) -> str:
    """A CSV cell as read: the export's ' taken off (only before a formula's first character)."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_START) else cell


def _read_text(stream: IO[Any]) -> str:
    data = stream.read()
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = bytes(data)[:exc.start].count(b"\n") + 1
            raise ValidationError(f"The file is not UTF-8 text (line {line} is not); save it as "
                                  "“CSV UTF-8” and try again.") from None
    return data.removeprefix("\ufeff")


def _parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    raw = raw.strip()
    if not raw:
        return None, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw), None
        except ValueError:
            return None, f"“{raw}” is not a real date."
    return None, f"“{raw}” is not a date written YYYY-MM-DD (such as 2026-03-31)."


def _header(row: list[str]) -> list[str]:
    """The column of each position ("" for a blank heading, whose values must be blank)."""
    names = [cell.strip().lower().lstrip("\ufeff").strip() for cell in row]
    missing = [c for c in CSV_COLUMNS if c not in names]
    unknown = [c for c in names if c and c not in CSV_COLUMNS]
    repeated = sorted({c for c in names if c and names.count(c) > 1})
    if missing or unknown or repeated:
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(repr(u) for u in unknown)}")
        if repeated:
            problems.append(f"repeated {', '.join(repeated)}")
        raise ValidationError(f"Line 1 must be the header {','.join(CSV_COLUMNS)} "
                              f"({'; '.join(problems)}).")
    return names


def _check_stream(db: Database, stream: IO[Any]) -> ImportReport:
    content = _read_text(stream)
    source = getattr(stream, "name", None)  # a file's path: the audit keeps its name only
    report = ImportReport(rows=[], source=os.path.basename(source) if isinstance(source, str) else None)
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            what = "The file is empty" if first is None else "Line 1 is blank"
            raise ValidationError(f"{what}: line 1 must be the header {','.join(CSV_COLUMNS)}.")
        columns = _header(first)
        rows: list[tuple[int, list[str]]] = []
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                rows.append((start, row))
    except csv.Error as exc:
        raise ValidationError(f"Line {reader.line_num} cannot be read as CSV: {exc}.") from None

    today = clinic_today()
    with db.read() as session:
        region = _region(session)
        inputs: list[tuple[int, list[str], EntryInput | None, list[str]]] = []
        for line, row in rows:
            padded = row + [""] * (len(columns) - len(row))
            extra = [v for c, v in zip(columns + [""] * (len(row) - len(columns)), padded,
                                       strict=True) if not c and v.strip()]
            if extra:
                inputs.append((line, row, None, [
                    (f"This line has more values than the header has columns ({len(row)}, not "
                     f"{len(CSV_COLUMNS)}): a value with a comma in it needs double quotes.")]))
                continue
            cells = {c: csv_cell_in(v) for c, v in zip(columns, padded) if c}
            messages = []
            walk_in = _WALK_IN.get(cells["walk_in"].strip().lower())
            if walk_in is None:
                messages.append(f"walk_in: “{cells['walk_in'].strip()}” is not yes or no.")
            verified, problem = _parse_date(cells["last_verified"])
            if problem:
                messages.append(f"last_verified: {problem}")
            entry = EntryInput(
                name=cells["name"], kind=cells["kind"], phone=cells["phone"],
                other_contact=cells["other_contact"], address=cells["address"],
                hours=cells["hours"], languages=cells["languages"], walk_in=bool(walk_in),
                payment=cells["payment"], notes=cells["notes"], last_verified=verified,
            )
            inputs.append((line, row, entry, messages))
        names = {text_mod.fold(" ".join(d.name.split())) for _, _, d, _ in inputs if d is not None}
        known = _database_index(session, names)

    in_file = _DuplicateIndex()
    at = columns.index("name")
    for line, row, data, messages in inputs:
        name = " ".join((data.name if data else (csv_cell_in(row[at]) if at < len(row) else "")).split())
        if data is None:
            report.rows.append(RowResult(line, "refused", tuple(messages), name))
            continue
        clean, errors = _check(data, region, today)
        messages = [f"{column}: {errors[column]}" for column in CSV_COLUMNS if column in errors] + messages
        if messages:
            report.rows.append(RowResult(line, "refused", tuple(messages), name))
            continue
        search_name = text_mod.fold(clean["name"])
        hit = known.find(search_name, clean["phone"], clean["address"])
        if hit:
            ref, why = hit
            report.rows.append(RowResult(line, "duplicate",
                                         (f"Already in the directory as {ref} ({why}).",), name))
            continue
        hit = in_file.find(search_name, clean["phone"], clean["address"])
        if hit:
            ref, why = hit
            report.rows.append(RowResult(line, "duplicate", (f"Same contact as {ref} ({why}).",), name))
            continue
        in_file.add(search_name, clean["phone"], clean["address"], f"line {line}")
        report.rows.append(RowResult(line, "ok", (), name))
        report._valid.append((line, clean))
    return report


def check_csv(db: Database, user: SignedInUser, stream: IO[Any]) -> ImportReport:
    """Check every row of a directory CSV (text or binary stream, UTF-8, a BOM tolerated) before
    anything is imported: one RowResult per data row. A file that cannot be read at all (not
    UTF-8, no proper header) raises ValidationError with one line saying why."""
    require(db, user, "directory.edit")
    return _check_stream(db, stream)


def check_csv_from_console(db: Database, stream: IO[Any]) -> ImportReport:
    """``check_csv`` for ``clinic-desktop import-directory`` (the console operator)."""
    return _check_stream(db, stream)


class _Counts(TypedDict):
    """The checked file's counts, passed on to :class:`ImportResult`."""

    refused: int
    duplicates: int
    total: int


class _Cancelled(Exception):
    pass


def _import(db: Database, user: SignedInUser | None, report: ImportReport, only_valid: bool,
            progress: Callable[[int, int], None] | None,
            cancelled: Callable[[], bool] | None) -> ImportResult:
    counts: _Counts = {"refused": report.refused, "duplicates": report.duplicates, "total": report.total}
    if report.refused and not only_valid:
        return ImportResult(imported=0, blocked=True, **counts)
    todo = report._valid
    if not todo:
        return ImportResult(imported=0, **counts)
    late: list[RowResult] = []
    try:
        with db.write() as session:
            known = _database_index(session, {text_mod.fold(f["name"]) for _, f in todo})
            created: list[DirectoryEntry] = []
            now = utcnow()
            for start in range(0, len(todo), BATCH):
                if cancelled is not None and cancelled():
                    raise _Cancelled
                batch = []
                for line, fields in todo[start:start + BATCH]:
                    search = _search_fields(fields)
                    hit = known.find(search["search_name"], fields["phone"], fields["address"])
                    if hit:
                        late.append(RowResult(line, "duplicate",
                                              (f"Already in the directory as {hit[0]} ({hit[1]}).",),
                                              fields["name"]))
                        continue
                    batch.append(DirectoryEntry(**fields, **search, created_at=now,
                                                created_by=user.id if user else None))
                session.add_all(batch)
                session.flush()
                created.extend(batch)
                if progress is not None:
                    progress(min(start + BATCH, len(todo)), len(todo))
            if cancelled is not None and cancelled():
                raise _Cancelled
            if created:
                audit.append(session, user, "directory.imported", entity_type="directory_entry",
                             username=None if user else "(console)",
                             detail={"source": report.source, "imported": len(created),
                                     "refused": report.refused,
                                     "duplicates": report.duplicates + len(late),
                                     "only_valid": only_valid, "ids": [e.id for e in created]})
            imported = len(created)
    except _Cancelled:
        return ImportResult(imported=0, cancelled=True, **counts)
    counts["duplicates"] += len(late)
    return ImportResult(imported=imported, late_duplicates=tuple(late), **counts)


def import_csv(db: Database, user: SignedInUser, report: ImportReport, only_valid: bool = False,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Import a checked file (admin only) in one transaction.

    All or nothing by default: if any row was refused, nothing is imported (``blocked``). With
    ``only_valid`` the valid rows are imported and the refused ones left out. Duplicates are
    always skipped. Every ~100 rows ``progress(done, total)`` is called and ``cancelled()``
    asked; a cancel rolls everything back (``ImportResult.cancelled``)."""
    require(db, user, "directory.edit")
    return _import(db, user, report, only_valid, progress, cancelled)


def import_csv_from_console(db: Database, report: ImportReport, only_valid: bool = False,
                            progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """``import_csv`` for ``clinic-desktop import-directory``: audited as "(console)"."""
    return _import(db, None, report, only_valid, progress, None)


def _export(db: Database, user: SignedInUser | None, stream: IO[Any]) -> int:
    with db.read() as session:
        entries = sorted(
            session.execute(select(DirectoryEntry).where(DirectoryEntry.active.is_(True))).scalars(),
            key=_listing_order)
        rows = [[
            e.name, e.kind, e.phone_display or e.phone or "", e.other_contact or "",
            e.address or "", e.hours or "", e.languages or "", "yes" if e.walk_in else "no",
            e.payment or "", e.notes or "", e.last_verified.isoformat() if e.last_verified else "",
        ] for e in entries]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([[csv_cell_out(cell) for cell in row] for row in rows])
    if isinstance(stream, io.TextIOBase):
        stream.write(buffer.getvalue())
    else:  # bytes: UTF-8 with a BOM, so that Excel shows accented letters right
        stream.write(buffer.getvalue().encode("utf-8-sig"))
    with db.write() as session:
        audit.append(session, user, "directory.exported", entity_type="directory_entry",
                     username=None if user else "(console)", detail={"exported": len(rows)})
    return len(rows)


def export_csv(db: Database, user: SignedInUser, stream: IO[Any]) -> int:
    """Write every active entry as CSV (the import's columns) and return how many. A binary
    stream gets UTF-8 with a byte-order mark; a text stream gets text in its own encoding."""
    require(db, user, "patients.view")
    return _export(db, user, stream)


def export_csv_from_console(db: Database, stream: IO[Any]) -> int:
    """``export_csv`` for ``clinic-desktop export-directory``: audited as "(console)"."""
    return _export(db, None, stream)
