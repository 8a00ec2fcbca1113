"""The aftercare plan the patient takes home (CLINICAL.md §2 post-detox, §4 contacts).

Two steps, as every report here (DESIGN.md convention 12):

* :func:`build_plan_document` turns the plan dict of :mod:`clinic_desktop.core.plan` and the
  contacts it points to into a :class:`PlanDocument`: frozen, plain data whose texts are final —
  fixed text from the catalogue of the patient's language (:mod:`.i18n`, English when there is
  none), names and free text exactly as entered, dates written out in that language. It is
  tested as data.
* :class:`.plan_pdf.PlanRenderer` (or :func:`.plan_pdf.render_plan_pdf`) lays that document
  out with ReportLab platypus on US Letter or A4 and returns the PDF as bytes. It decides
  nothing.

The data shapes and texts the plan shares with the referral letter (:class:`Contact`,
:class:`PlanPatient`, :class:`PlanClinic`, :class:`Section`, dates, phone numbers, the
medication, level, therapies and relapse sections) are in :mod:`.document`.

Usage::

    doc = build_plan_document(
        plan, language="es", patient=PlanPatient("Rosa Díaz", "5 de junio de 1987", "RR-2041"),
        clinic=settings.get_all(db),          # or PlanClinic(name, address, phone, logo_path)
        prepared_by="Dana Ortiz", prepared_at=clock.now(),
        referral_contacts={7: Contact("Northside IOP", "(217) 555-0100", address="...")},
        meeting_contacts={12: Contact("NA Tuesday group", "", hours="Tue 19:00")},
        helplines=[Contact(...) for each id of core.plan.HELPLINES],   # in that order
        version=2, page_size="letter", large_print=False)
    pdf = plan_pdf.render_plan_pdf(doc)

The safety plan (Stanley–Brown, CLINICAL.md §7) prints when any of its parts is filled in, in the
patient's words, with 988 under "professionals"; it is left out of a plan that has none.

What is always printed, whatever the plan dict holds: the crisis lines (first, boxed, on page
1), the overdose box right under them (CLINICAL.md §7: tolerance, never use alone, fentanyl,
mixing, signs and what to do, the naloxone kit given or where to get one; the naltrexone lines
when naltrexone is the medicine), "Who to call when" after the medication, and PAWS. The crisis
lines' numbers come from the directory, as the caller passes them; a line the caller leaves out (``None`` in the
sequence, a missing key in a mapping, or no helplines at all) prints with the number shipped in
:data:`DEFAULT_HELPLINES` (CLINICAL.md §4), so the plan never lacks one. Everything else said
about a national line (name, what it is for, how to reach it, hours, languages) is the
catalogue's, in the plan's language.

Confidentiality: this plan is handed to the patient and is theirs (CLINICAL.md §5): no consent
and no 42 CFR 2.32 notice; each page's footer tells the patient it holds private health
information.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.reports import i18n
from clinic_desktop.reports.document import (
    PAGE_SIZES,
    Contact,
    Entry,
    Line,
    PlanClinic,
    PlanPatient,
    Section,
    format_date,
    format_when,
    free_text,
    group_phone,
    level_section,
    medication_section,
    none_lines,
    relapse_section,
    therapies_section,
)

__all__ = [
    "DEFAULT_HELPLINES",
    "SECTION_ORDER",
    "PlanDocument",
    "build_plan_document",
    "naloxone_lines",
    "overdose_section",
    "who_to_call_section",
]


#: The sections of every plan, in print order: declared once, in core (``core.plan.SECTIONS``).
SECTION_ORDER = plan_rules.PRINT_ORDER


# --------------------------------------------------------------------------------------------
# The plan as plain data
# --------------------------------------------------------------------------------------------



@dataclass(frozen=True)
class PlanDocument:
    """The whole plan, ready to render: every text as printed."""

    language: str
    page_size: str
    large_print: bool
    title: str
    clinic: PlanClinic
    patient: PlanPatient
    #: "Prepared 1 December 2026 by Dana Ortiz".
    prepared: str
    #: "Version 2", or "".
    version: str
    #: Header labels, in the plan's language.
    date_of_birth_label: str
    mrn_label: str
    #: Footer: the private-information line, and "Page {page} of {pages}" to fill in.
    footer_private: str
    page_of: str
    sections: tuple[Section, ...]
    #: Heads the crisis lines' details when the box on page 1 has room only for the numbers
    #: (large print): "More about these help lines".
    crisis_more: str = ""
    #: An unsigned draft (preview): every page carries a large diagonal :attr:`watermark`.
    draft: bool = False
    #: The watermark's word in the plan's language ("DRAFT"); printed only when ``draft``.
    watermark: str = ""
    #: A one-page document (the overdose and crisis sheet): in normal print its sections are
    #: laid out compactly, to fit one page.
    one_page: bool = False

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def page_text(self, page: int, pages: int) -> str:
        return self.page_of.format(page=page, pages=pages)


#: The national lines' numbers as shipped in the directory (CLINICAL.md §4, migrations 0004 and
#: 0008), used for any helpline the caller does not pass (or passes without a number). Only the
#: number prints from here or from the directory: each line's name, what it is for, how to reach
#: it, its hours and its languages print from the catalogue of the plan's language
#: ("helpline_name.<id>", "helpline.<id>", "helpline_how.<id>", "helpline_hours.<id>",
#: "helpline_languages.<id>"), so a Spanish plan never carries the directory's English text. A
#: line with no number (Crisis Text Line) prints its "helpline_number.<id>" text in its place.
DEFAULT_HELPLINES: dict[str, Contact] = {
    "lifeline_988": Contact(
        "988 Suicide & Crisis Lifeline", "988",
        other="call or text 988 (press 2 or text AYUDA for Spanish); chat 988lifeline.org",
        hours="24/7", languages=("en", "es")),
    "samhsa_helpline": Contact(
        "SAMHSA National Helpline", "1-800-662-HELP (4357)",
        other="TTY 1-800-487-4889; text your ZIP code to 435748 (HELP4U, English only); "
              "findtreatment.gov",
        hours="24/7/365", languages=("en", "es")),
    "never_use_alone": Contact("Never Use Alone", "1-800-484-3731", hours="24/7", languages=("en",)),
    "poison_control": Contact("Poison Help", "1-800-222-1222", hours="24/7", languages=("en", "es")),
    "crisis_text_line": Contact(
        "Crisis Text Line", "",
        other="text HOME to 741741; in Spanish text AYUDA to 741741 or WhatsApp 442-AYUDAME",
        hours="24/7", languages=("en", "es")),
}


# --------------------------------------------------------------------------------------------
# Texts: dates, phone numbers, free text
# --------------------------------------------------------------------------------------------




# --------------------------------------------------------------------------------------------
# Building the document
# --------------------------------------------------------------------------------------------


def _patient(patient: PlanPatient | Mapping[str, Any], language: str, region: str) -> PlanPatient:
    if isinstance(patient, PlanPatient):
        return patient
    dob = patient.get("date_of_birth")
    dob_text = format_date(language, dob, region=region) if isinstance(dob, dt.date) else free_text(dob)
    name = patient.get("display_name") or patient.get("name")
    return PlanPatient(name=free_text(name), date_of_birth=dob_text, mrn=free_text(patient.get("mrn")))


def _clinic(clinic: PlanClinic | Mapping[str, Any] | None) -> PlanClinic:
    if isinstance(clinic, PlanClinic):
        return clinic
    clinic = clinic or {}

    def get(key: str) -> str:
        return free_text(clinic.get(key) or clinic.get(f"clinic_{key}"))

    logo = clinic.get("logo_path") or clinic.get("clinic_logo_path") or None
    return PlanClinic(name=get("name"), address=get("address"), phone=get("phone"),
                      logo_path=str(logo) if logo else None)


def _helplines(helplines: Sequence[Contact | None] | Mapping[str, Contact | None] | None
               ) -> list[tuple[str, Contact]]:
    if isinstance(helplines, Mapping):
        given = dict(helplines)
    else:
        listed = list(helplines or [])
        if listed and len(listed) != len(plan_rules.HELPLINES):
            raise ValueError(f"helplines: one Contact (or None) for each of {plan_rules.HELPLINES}, "
                             f"in that order; got {len(listed)}")
        given = dict(zip(plan_rules.HELPLINES, listed, strict=False))
    return [(key, given.get(key) or DEFAULT_HELPLINES[key]) for key in plan_rules.HELPLINES]


def _languages(language: str, codes: Sequence[str]) -> str:
    """"English, Spanish" from ("en", "es"); a code without a name in the catalogue, or a name,
    prints as given."""
    names = []
    for code in codes:
        code = free_text(code)
        if not code:
            continue
        known = i18n.catalogue(language).get(f"lang.{code.lower()}")
        names.append(known or code)
    return ", ".join(names)


def _contact_lines(language: str, contact: Contact) -> list[Line]:
    """The lines under a directory contact. A missing phone number or address is said in words,
    never left out silently: the patient must know to ask (issue #6)."""
    lines = []
    if not free_text(contact.phone):
        lines.append(Line(i18n.text(language, "phone"), i18n.text(language, "contact_no_phone")))
    if free_text(contact.address):
        lines.append(Line(i18n.text(language, "address"), free_text(contact.address)))
    else:
        lines.append(Line(i18n.text(language, "address"), i18n.text(language, "contact_no_address")))
    if free_text(contact.hours):
        lines.append(Line(i18n.text(language, "hours"), free_text(contact.hours)))
    if contact.walk_in:
        lines.append(Line("", i18n.text(language, "referral_walk_in")))
    if languages := _languages(language, contact.languages):
        lines.append(Line(i18n.text(language, "languages"), languages))
    if free_text(contact.other):
        lines.append(Line("", free_text(contact.other)))
    return lines




def _crisis(language: str, helplines, region: str) -> Section:
    """The crisis box: each national line's number from the directory (or the shipped one), and
    everything said about it from the catalogue of ``language`` (see :data:`DEFAULT_HELPLINES`):
    its name, what it is for, how to reach it, then its hours and languages."""
    entries = []
    for key, contact in _helplines(helplines):
        phone = (group_phone(contact.phone, region)
                 or group_phone(DEFAULT_HELPLINES[key].phone, region)
                 or _said(language, f"helpline_number.{key}"))
        lines = [Line("", i18n.text(language, f"helpline.{key}"))]
        if how := _said(language, f"helpline_how.{key}"):
            lines.append(Line("", how))
        small = " · ".join(p for p in (_said(language, f"helpline_hours.{key}"),
                                       _said(language, f"helpline_languages.{key}")) if p)
        if small:
            lines.append(Line("", small))
        entries.append(Entry(name=i18n.text(language, f"helpline_name.{key}"), phone=phone,
                             lines=tuple(lines), key=key))
    return Section("crisis", i18n.text(language, "crisis_heading"), alert=i18n.text(language, "emergency"),
                   paragraphs=(i18n.text(language, "crisis_intro"),), entries=tuple(entries))


def _said(language: str, key: str) -> str:
    """The catalogue's text for ``key`` in ``language``, or "" when no catalogue has one."""
    return i18n.text(language, key) if key in i18n.catalogue(i18n.FALLBACK) else ""




def _referrals(language: str, plan: Mapping[str, Any], contacts: Mapping[Any, Contact],
               region: str) -> Section:
    entries = []
    for referral in plan.get("referrals") or []:
        entry_id = referral.get("entry_id")
        contact = contacts.get(entry_id)
        if contact is None:
            contact = contacts.get(str(entry_id))
        if contact is None:
            raise ValueError(f"referral to directory entry {entry_id!r}: no Contact given for it")
        lines = []
        if reason := free_text(referral.get("reason")):
            lines.append(Line(i18n.text(language, "referral_reason"), reason))
        if appointment := format_when(language, referral.get("appointment"), region=region):
            lines.append(Line(i18n.text(language, "referral_appointment"), appointment))
        lines += _contact_lines(language, contact)
        entries.append(Entry(free_text(contact.name), group_phone(contact.phone, region), tuple(lines)))
    return Section("referrals", i18n.text(language, "referrals_heading"), entries=tuple(entries),
                   paragraphs=() if entries else none_lines(language))


def _people(language: str, plan: Mapping[str, Any], region: str) -> Section:
    entries = []
    for person in plan.get("people") or []:
        name = free_text(person.get("name"))
        if not name:
            continue
        relation = free_text(person.get("relation"))
        entries.append(Entry(name, group_phone(free_text(person.get("phone")), region),
                             (Line("", relation),) if relation else ()))
    return Section("people", i18n.text(language, "support_heading"), entries=tuple(entries),
                   paragraphs=() if entries else none_lines(language))


def _key_worker(language: str, plan: Mapping[str, Any], region: str) -> Section:
    worker = plan.get("key_worker") or {}
    name = free_text(worker.get("name"))
    entries: tuple[Entry, ...] = ()
    if name:
        focus = [i18n.text(language, f"focus.{f}") if f in plan_rules.KEY_WORKER_FOCUS else free_text(f)
                 for f in worker.get("focus") or [] if free_text(f)]
        lines = (Line(i18n.text(language, "key_worker_focus"), ", ".join(focus)),) if focus else ()
        entries = (Entry(name, group_phone(free_text(worker.get("phone")), region), lines),)
    return Section("key_worker", i18n.text(language, "key_worker_heading"), entries=entries,
                   paragraphs=() if entries else none_lines(language),
                   notes=(i18n.text(language, "key_worker_text"),))


def _meetings(language: str, plan: Mapping[str, Any], contacts: Mapping[Any, Contact],
              region: str) -> Section:
    entries = []
    for entry_id in plan.get("meetings") or []:
        if isinstance(entry_id, Mapping):  # {"entry_id": 12, ...} as referrals are kept
            entry_id = entry_id.get("entry_id")
        contact = contacts.get(entry_id)
        if contact is None:
            contact = contacts.get(str(entry_id))
        if contact is None:
            raise ValueError(f"meeting: no Contact given for directory entry {entry_id!r}")
        entries.append(Entry(free_text(contact.name), group_phone(contact.phone, region),
                             tuple(_contact_lines(language, contact))))
    return Section("meetings", i18n.text(language, "meetings_heading"), entries=tuple(entries),
                   paragraphs=() if entries else none_lines(language))




def naloxone_lines(language: str, overdose: Mapping[str, Any] | None) -> tuple[str, ...]:
    """What the plan says of naloxone: a kit given (and who was shown how to use it), or where to
    get one free. Only a kit recorded as given (``naloxone_kit_given`` True) is said to be given;
    unanswered or no prints where to get one."""
    overdose = overdose or {}
    if overdose.get("naloxone_kit_given") is not True:
        return (i18n.text(language, "overdose_naloxone_not_given"),)
    person = free_text(overdose.get("naloxone_shown_person"))
    patient = bool(overdose.get("naloxone_shown_patient"))
    if patient and person:
        shown = i18n.text(language, "overdose_shown_both", name=person)
    elif person:
        shown = i18n.text(language, "overdose_shown_person", name=person)
    elif patient:
        shown = i18n.text(language, "overdose_shown_you")
    else:
        shown = i18n.text(language, "overdose_show_others")
    return (i18n.text(language, "overdose_naloxone_given"), shown)


def overdose_section(language: str, overdose: Mapping[str, Any] | None, *, naltrexone: bool) -> Section:
    """The overdose box of page 1 (CLINICAL.md §7): the advice as bullets (the naltrexone lines
    only when ``naltrexone`` is the plan's medicine), the signs and what to do, and the
    naloxone kit as a note."""
    bullets = [i18n.text(language, key) for key in (
        "overdose_tolerance", "overdose_never_alone", "overdose_fentanyl", "overdose_mixing",
        "overdose_start_low")]
    if naltrexone:
        bullets += [i18n.text(language, "overdose_naltrexone_block"),
                    i18n.text(language, "overdose_naltrexone_after")]
    bullets.append(i18n.text(language, "overdose_good_samaritan"))
    # the steps one under the other: "1. Call 911. 2. Give naloxone. ..." → "1. Call 911.", ...
    steps = re.split(r"(?<=[.?!])\s+(?=\d{1,2}\.\s)", i18n.text(language, "overdose_steps"))
    return Section("overdose", i18n.text(language, "overdose_heading"), bullets=tuple(bullets), lines=(
        Line(i18n.text(language, "overdose_signs_label"), i18n.text(language, "overdose_signs")),
        Line(i18n.text(language, "overdose_steps_label"), ""),
        *(Line("", step) for step in steps),
    ), notes=(" ".join(naloxone_lines(language, overdose)),))


def _overdose(language: str, plan: Mapping[str, Any]) -> Section:
    naltrexone = (plan.get("medication") or {}).get("choice") == "naltrexone"
    return overdose_section(language, plan.get("overdose"), naltrexone=naltrexone)


def who_to_call_section(language: str, clinic: PlanClinic, region: str, *, sheet: bool = False) -> Section:
    """"Who to call when": the clinic for a missed dose or withdrawal coming back, 988 for a
    crisis (the other lines are in the box on page 1 — on the one-page ``sheet``, the box
    above), and the signs that mean 911."""
    clinic_lines = [Line("", i18n.text(language, "who_clinic_when"))]
    phone = group_phone(free_text(clinic.phone), region)
    if not phone:
        clinic_lines.append(Line(i18n.text(language, "phone"), i18n.text(language, "contact_no_phone")))
    return Section("who_to_call", i18n.text(language, "who_to_call_heading"), entries=(
        Entry(free_text(clinic.name) or i18n.text(language, "who_clinic_name"), phone, tuple(clinic_lines)),
        Entry(i18n.text(language, "who_crisis_name"), "988",
              (Line("", i18n.text(language, "sheet_crisis_more" if sheet else "who_crisis_more")),)),
    ), notes=(i18n.text(language, "who_911"),))


def _paws(language: str) -> Section:
    return Section("paws", i18n.text(language, "paws_heading"), paragraphs=(i18n.text(language, "paws_text"),))


def _follow_ups(language: str, plan: Mapping[str, Any], region: str) -> Section:
    entries = []
    for item in plan.get("follow_ups") or []:
        when = format_when(language, item.get("when"), capitalize=True, region=region)
        place = free_text(item.get("place"))
        if not (when or place):
            continue
        lines = (Line(i18n.text(language, "followup_where"), place),) if place else ()
        entries.append(Entry(when or i18n.text(language, "none_recorded"),
                             group_phone(free_text(item.get("phone")), region), lines))
    return Section("follow_ups", i18n.text(language, "followups_heading"), entries=tuple(entries),
                   paragraphs=() if entries else none_lines(language))


def _signatures(language: str, patient: PlanPatient, prepared_by: str) -> Section:
    return Section("signatures", i18n.text(language, "signatures_heading"), lines=(
        Line(i18n.text(language, "signature_patient"), patient.name),
        Line(i18n.text(language, "signature_staff"), prepared_by),
        Line(i18n.text(language, "date"), ""),
    ))


def _my_day(language: str, plan: Mapping[str, Any]) -> Section | None:
    """"My day": the patient's routine and what keeps them well, in their words; ``None`` (not
    printed) when neither is written."""
    day = plan.get("my_day") or {}
    lines = tuple(Line(i18n.text(language, f"my_day.{field}"), free_text(day.get(field)))
                  for field in plan_rules.MY_DAY_FIELDS if free_text(day.get(field)))
    return Section("my_day", i18n.text(language, "my_day_heading"), lines=lines) if lines else None


def _safety_plan(language: str, plan: Mapping[str, Any]) -> Section | None:
    """The Stanley–Brown safety plan in the patient's words, its parts in order; 988 always
    under "professionals". ``None`` (not printed) when no part is filled in."""
    safety = plan.get("safety_plan") or {}
    words = {field: free_text(safety.get(field)) for field in plan_rules.SAFETY_PLAN_FIELDS}
    if not any(words.values()):
        return None
    lines: list[Line] = []
    for field in plan_rules.SAFETY_PLAN_FIELDS:
        value = words[field]
        if field == "professionals":
            value = "\n".join(t for t in (value, i18n.text(language, "safety_plan_988")) if t)
        if value:
            lines.append(Line(i18n.text(language, f"safety_plan.{field}"), value))
    return Section("safety_plan", i18n.text(language, "safety_plan_heading"), lines=tuple(lines),
                   notes=(i18n.text(language, "safety_plan_note"),))


def build_plan_document(
    plan: Mapping[str, Any],
    *,
    language: str,
    patient: PlanPatient | Mapping[str, Any],
    clinic: PlanClinic | Mapping[str, Any] | None,
    prepared_by: str,
    prepared_at: dt.datetime,
    referral_contacts: Mapping[Any, Contact],
    meeting_contacts: Mapping[Any, Contact],
    helplines: Sequence[Contact | None] | Mapping[str, Contact | None],
    version: int | None = None,
    page_size: str = "letter",
    large_print: bool = False,
    phone_region: str = "US",
    draft: bool = False,
) -> PlanDocument:
    """The plan as printed, in ``language`` (an ISO code; English when there is no catalogue).

    ``patient`` and ``clinic`` are the dataclasses, or mappings (``name``/``display_name``,
    ``date_of_birth`` as a date or text, ``mrn``; the clinic settings ``clinic_name``,
    ``clinic_address``, ``clinic_phone``, optionally ``logo_path``). ``referral_contacts`` and
    ``meeting_contacts`` give the directory entry of every ``entry_id`` the plan names (a missing
    one is a ValueError, not a silently shorter plan). ``helplines``: one Contact per id of
    :data:`core.plan.HELPLINES`, in that order (or a mapping by id); see the module doc for what
    prints when one is missing. ``phone_region``, the clinic's region, groups bare digit runs
    ("2175550142") and picks how dates read (Babel's locale "<language>_<region>", es_US).
    ``draft``: an unsigned preview, watermarked "DRAFT" (catalogue ``draft_watermark``) on
    every page.
    """
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    language = language if language in i18n.languages() else i18n.FALLBACK
    who = _patient(patient, language, phone_region)
    by = free_text(prepared_by)
    at = _clinic(clinic)
    builders: dict[str, Callable[[], Section | None]] = {
        "crisis": lambda: _crisis(language, helplines, phone_region),
        "medication": lambda: medication_section(language, plan, region=phone_region),
        "level": lambda: level_section(language, plan),
        "therapies": lambda: therapies_section(language, plan),
        "referrals": lambda: _referrals(language, plan, referral_contacts or {}, phone_region),
        "people": lambda: _people(language, plan, phone_region),
        "key_worker": lambda: _key_worker(language, plan, phone_region),
        "meetings": lambda: _meetings(language, plan, meeting_contacts or {}, phone_region),
        "relapse": lambda: relapse_section(language, plan),
        "my_day": lambda: _my_day(language, plan),
        "safety_plan": lambda: _safety_plan(language, plan),
        "overdose": lambda: _overdose(language, plan),
        "who_to_call": lambda: who_to_call_section(language, at, phone_region),
        "paws": lambda: _paws(language),
        "follow_ups": lambda: _follow_ups(language, plan, phone_region),
        "signatures": lambda: _signatures(language, who, by),
    }
    assert builders.keys() == set(SECTION_ORDER), "a printed part without a builder, or one unlisted"
    # A builder gives None for a part not printed on this plan (a safety plan nobody made).
    sections = tuple(section for key in SECTION_ORDER if (section := builders[key]()) is not None)
    return PlanDocument(
        language=language,
        page_size=page_size,
        large_print=bool(large_print),
        title=i18n.text(language, "plan_title"),
        clinic=at,
        patient=who,
        prepared=i18n.text(language, "prepared", date=format_date(language, prepared_at, region=phone_region),
                           name=by),
        version=i18n.text(language, "version", number=version) if version is not None else "",
        date_of_birth_label=i18n.text(language, "date_of_birth"),
        mrn_label=i18n.text(language, "mrn"),
        footer_private=i18n.text(language, "footer_private"),
        page_of=i18n.catalogue(language).get("page_of") or i18n.catalogue(i18n.FALLBACK)["page_of"],
        sections=sections,
        crisis_more=i18n.text(language, "crisis_more"),
        draft=bool(draft),
        watermark=i18n.text(language, "draft_watermark") if draft else "",
    )
