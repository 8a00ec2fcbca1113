"""What the aftercare plan (:mod:`.plan`) and the referral letter (:mod:`.letter`) print alike.

Both documents are plain data first (DESIGN.md convention 12): this module holds that data's
shapes (:class:`Contact`, :class:`PlanPatient`, :class:`PlanClinic`, :class:`Line`,
:class:`Entry`, :class:`Section`, and :class:`RenderedDocument`: what their shared renderer
reads of either document), the texts every section is written with (dates, appointments
and phone numbers in the document's language, free text as entered, "none recorded"), the
sections both print (medication, level of care, therapies, relapse prevention), and the look
their renderers share (the palette and :func:`markup` for a Paragraph).

A section builder takes a ``voice``: the plan speaks to the patient (voice ""), the letter to a
provider (voice "letter.", its catalogue keys "letter." + the plan's); see :func:`said`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter

from clinic_desktop.core import clock
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.reports import fonts, i18n

__all__ = [
    "ACCENT",
    "CRISIS_BG",
    "INK",
    "MUTED",
    "NOTE_BG",
    "PAGE_SIZES",
    "RED",
    "RULE",
    "WATERMARK",
    "WATERMARK_ALPHA",
    "Contact",
    "Entry",
    "Line",
    "PlanClinic",
    "PlanPatient",
    "RenderedDocument",
    "Section",
    "format_date",
    "format_datetime",
    "format_when",
    "free_text",
    "group_phone",
    "level_section",
    "markup",
    "medication_section",
    "none_lines",
    "relapse_section",
    "said",
    "therapies_section",
]

#: The page sizes a plan or a letter prints on (points).
PAGE_SIZES = {"letter": letter, "a4": A4}


# --------------------------------------------------------------------------------------------
# The documents as plain data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """A directory entry or a national helpline, as the caller gives it (``phone`` as it is to
    be read, e.g. the directory's ``phone_display``; ``languages`` codes such as "es" or names)."""

    name: str
    phone: str
    other: str = ""
    address: str = ""
    hours: str = ""
    walk_in: bool = False
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanPatient:
    """Whose plan it is, as printed at the top of every page."""

    name: str
    date_of_birth: str
    mrn: str


@dataclass(frozen=True)
class PlanClinic:
    """The clinic that prepared the plan; its ``logo`` (bytes) is drawn, else ``logo_path`` when
    the file exists."""

    name: str
    address: str = ""
    phone: str = ""
    logo_path: str | None = None
    #: The logo image itself (PNG or JPEG bytes, from the database): drawn in preference to
    #: ``logo_path``.
    logo: bytes | None = None


@dataclass(frozen=True)
class Line:
    """One labelled text: printed "Label: value", or the value alone when ``label`` is empty."""

    label: str
    value: str


@dataclass(frozen=True)
class Entry:
    """A place or a person: a name, a phone number printed large, and the lines under them.
    ``key`` is the helpline id (CLINICAL.md §4) for a crisis line, else ""."""

    name: str
    phone: str = ""
    lines: tuple[Line, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class Section:
    """One section as printed, in this order: ``heading``, ``alert`` (large, in red),
    ``paragraphs``, ``bullets``, ``lines``, ``entries``, ``notes`` (emphasised)."""

    key: str
    heading: str
    alert: str = ""
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    entries: tuple[Entry, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        """Every text of the section, in print order (for tests and searching)."""
        out = [self.heading, self.alert, *self.paragraphs, *self.bullets]
        out += [part for line in self.lines for part in (line.label, line.value)]
        for entry in self.entries:
            out += [entry.name, entry.phone]
            out += [part for line in entry.lines for part in (line.label, line.value)]
        return tuple(t for t in (*out, *self.notes) if t)


class RenderedDocument(Protocol):
    """What :class:`.plan_pdf.DocumentRenderer` (the sizes, page templates and page furniture
    the plan and the letter share) reads of the document it lays out, and nothing more:
    :class:`.plan.PlanDocument` and :class:`.letter.LetterDocument` are both one. Read-only
    (the documents are frozen)."""

    @property
    def language(self) -> str: ...
    @property
    def page_size(self) -> str: ...
    @property
    def large_print(self) -> bool: ...
    @property
    def title(self) -> str: ...
    @property
    def clinic(self) -> PlanClinic: ...

    def page_text(self, page: int, pages: int) -> str:
        """"Page {page} of {pages}", in the document's language."""
        ...


# --------------------------------------------------------------------------------------------
# Texts: dates, phone numbers, free text
# --------------------------------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    """An aware time in the clinic's zone; a naive one is already local."""
    return clock.local(value) if value.tzinfo is not None else value


@cache
def _locale(language: str, region: str) -> Locale:
    """The Babel locale dates print in: the language of the catalogue the document is written
    in (English for a language without one) and the clinic's region ("es" + "US" → es_US); the
    language alone when CLDR does not know that pair."""
    if language not in i18n.languages():
        language = i18n.FALLBACK
    try:
        return Locale.parse(f"{language}_{region}")
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse(language)


def format_date(language: str, value: dt.date, *, weekday: bool = False, region: str = "US") -> str:
    """The date as CLDR writes it in ``language`` for the clinic's ``region`` (Babel): "December 6,
    2026" / "6 de diciembre de 2026"; with ``weekday`` "Sunday, December 6, 2026" / "domingo, 6 de
    diciembre de 2026"."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return babel_dates.format_date(value, "full" if weekday else "long",
                                   locale=_locale(language, region))


#: The day period as the language's own style guide writes it, where CLDR differs: the RAE and
#: Fundéu write "a. m." / "p. m." with a space (CLDR's es-US gives "a.m."); the space inside is
#: non-breaking so a line never ends on "a.".
_DAY_PERIODS = {"es": {"am": "a.\u00a0m.", "pm": "p.\u00a0m."}}


def format_time(language: str, value: dt.time, *, region: str = "US") -> str:
    """A time as the reader reads it: "9:00 AM" (en-US), "9:00 a. m." (es-US)."""
    locale = _locale(language, region)
    text = babel_dates.format_time(value, "short", locale=locale)
    periods = _DAY_PERIODS.get(language, {})
    if periods:
        period = "am" if value.hour < 12 else "pm"
        cldr = str(locale.day_periods["format"]["abbreviated"][period])
        text = text.replace(cldr, periods[period])
    return text


def format_datetime(language: str, value: dt.datetime, *, region: str = "US") -> str:
    """The date with its weekday and the time (local), as CLDR joins them: "Sunday, December 6,
    2026, 9:00 AM" (en-US) / "domingo, 6 de diciembre de 2026, 9:00 a. m." (es-US)."""
    value = _local(value)
    locale = _locale(language, region)
    time = format_time(language, value.time(), region=region)
    glue = str(babel_dates.get_datetime_format("medium", locale=locale))  # "{1}, {0}"
    return glue.format(time, format_date(language, value.date(), weekday=True, region=region))


def format_when(language: str, value: Any, *, capitalize: bool = False, region: str = "US") -> str:
    """An appointment as stored (a date, a datetime, or ISO text such as "2026-12-01T10:00" or
    "2026-12-01") written out in ``language``; any other text prints as entered. ``capitalize``
    gives a written-out date a capital first letter, for a date that starts a line
    ("Martes 1 de diciembre…"); free text is never changed."""
    if value is None:
        return ""
    text = value if isinstance(value, dt.date) else _parse_when(str(value).strip())
    if isinstance(text, dt.datetime):
        out = format_datetime(language, text, region=region)
    elif isinstance(text, dt.date):
        out = format_date(language, text, weekday=True, region=region)
    else:
        return text
    return out[:1].upper() + out[1:] if capitalize else out


def _parse_when(text: str) -> dt.date | dt.datetime | str:
    """ISO date or date-time text as a date or datetime; anything else unchanged."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
                        text):
            return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    return text


def group_phone(text: str, region: str = "US") -> str:
    """A phone number as it is best read aloud: a bare run of digits ("2175550142") is grouped
    the national way ("(217) 555-0142"); anything already written with spaces, dashes, letters
    or words ("1-800-662-HELP (4357)", "988", "text HOME to 741741") prints as entered."""
    text = " ".join(str(text or "").split())
    if not re.fullmatch(r"\+?\d{7,15}", text):
        return text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL
           if phonenumbers.region_code_for_number(number) == region
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, fmt)


def free_text(value: Any) -> str:
    """Free text as entered (only the surrounding blanks dropped); None → ""."""
    return "" if value is None else str(value).strip()


def said(language: str, voice: str, key: str) -> str:
    """The text of ``key`` as ``voice`` says it. The plan speaks to the patient (voice ""); the
    referral letter speaks to a provider (voice "letter.", its keys "letter." + the plan's). A
    text the voice has no words of its own for is the plan's."""
    own = voice + key
    return i18n.text(language, own if voice and own in i18n.catalogue(i18n.FALLBACK) else key)


def none_lines(language: str, voice: str = "") -> tuple[str, ...]:
    """"None recorded", as ``voice`` says it: the paragraphs of a section left empty."""
    return (said(language, voice, "none_recorded"),)


# --------------------------------------------------------------------------------------------
# The sections both documents print
# --------------------------------------------------------------------------------------------


def medication_section(language: str, plan: Mapping[str, Any], voice: str = "", *,
                       region: str = "US") -> Section:
    medication = plan.get("medication") or {}
    choice = medication.get("choice")
    if choice in plan_rules.MEDICATIONS:
        name = said(language, voice, f"medication.{choice}")
    else:
        name = free_text(choice) or said(language, voice, "none_recorded")
    lines = []
    if prescriber := free_text(medication.get("prescriber")):
        lines.append(Line(said(language, voice, "medication_prescriber"), prescriber))
    if following := format_when(language, medication.get("next"), capitalize=True, region=region):
        lines.append(Line(said(language, voice, "medication_next"), following))
    reconciled, stopped = _reconciled(language, medication.get("reconciliation"), voice)
    notes = (said(language, voice, "medication_stop").format(names=", ".join(stopped)),) if stopped else ()
    entries = [entry for _, entry in reconciled]
    chosen = next((n for n, (row, _) in enumerate(reconciled) if choice and row.get("drug_id") == choice), None)
    if chosen is None:
        return Section("medication", said(language, voice, "medication_heading"), paragraphs=(name,),
                       lines=tuple(lines), entries=tuple(entries), notes=notes)
    # The chosen medicine is reconciled: printed once, first, its prescriber with its dose and
    # supply (the plan's next visit when the row has no next dose of its own).
    entry = entries.pop(chosen)
    own_next = bool(format_when(language, reconciled[chosen][0].get("next")))
    merged = Entry(entry.name, lines=(*(lines[:1] if prescriber else ()), *entry.lines,
                                      *(lines[-1:] if following and not own_next else ())))
    return Section("medication", said(language, voice, "medication_heading"),
                   entries=(merged, *entries), notes=notes)


def _leaves_with(language: str, row: Mapping[str, Any], voice: str) -> str:
    """What the patient leaves with: a supply for so many days, or a prescription and its pharmacy."""
    if row.get("leave") == "supply":
        return said(language, voice, "medication_leave_supply").format(days=free_text(row.get("supply_days")))
    if row.get("leave") == "prescription":
        pharmacy = free_text(row.get("pharmacy"))
        if phone := group_phone(free_text(row.get("pharmacy_phone"))):
            pharmacy = f"{pharmacy}, {phone}"
        return said(language, voice, "medication_leave_prescription").format(pharmacy=pharmacy)
    return ""


def _how_often(language: str, text: Any, voice: str) -> str:
    """How often, in the document's language when the row holds the wording the reconciliation
    was prefilled with (:func:`core.plan.schedule_in`): "Una vez al día (9:00 a. m.)"; what
    staff typed instead prints as typed."""
    schedule = plan_rules.schedule_in(text)
    if schedule is None:
        return free_text(text)
    if schedule.as_needed_hours:
        return said(language, voice, "medication_as_needed").format(hours=schedule.as_needed_hours)
    times = ", ".join(format_time(language, t) for t in schedule.times)
    if len(schedule.times) == 1:
        return said(language, voice, "medication_once_a_day").format(times=times)
    return said(language, voice, "medication_times_a_day").format(count=len(schedule.times), times=times)


def _route(language: str, text: Any, voice: str) -> str:
    """A formulary route in the document's words ("Under the tongue"); any other as typed."""
    route = free_text(text)
    return said(language, voice, f"route.{route}") if route in plan_rules.ROUTES else route


def _reconciled(language: str, rows: Any, voice: str
                ) -> tuple[tuple[tuple[Mapping[str, Any], Entry], ...], tuple[str, ...]]:
    """The discharge reconciliation as printed: each medicine to go on taking (continued or
    changed) as its row and an entry with its dose, route, how often, the last dose given
    here (put in by the service from the MAR, :data:`core.plan.LAST_DOSE`), what the patient
    leaves with and the next dose; and the names of those to stop. A plan without
    reconciliation prints none."""
    entries: list[tuple[Mapping[str, Any], Entry]] = []
    stopped: list[str] = []
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, Mapping) or not free_text(row.get("name")):
            continue
        if row.get("decision") == "stop":
            stopped.append(free_text(row.get("name")))
            continue
        if row.get("decision") not in plan_rules.TAKEN_ON:
            continue
        last = row.get(plan_rules.LAST_DOSE)
        values = (("medication_dose", free_text(row.get("dose"))),
                  ("medication_route", _route(language, row.get("route"), voice)),
                  ("medication_frequency", _how_often(language, row.get("frequency"), voice)),
                  ("medication_last_dose", format_when(language, last, capitalize=True)
                   if isinstance(last, dt.datetime) else said(language, voice, "medication_last_dose_none")),
                  ("medication_leave", _leaves_with(language, row, voice)),
                  ("medication_next", format_when(language, row.get("next"), capitalize=True)))
        drug = row.get("drug_id")  # a medicine for opioid use disorder in the document's language
        name = said(language, voice, f"medication.{drug}") if drug in plan_rules.MOUD_DRUGS else free_text(row.get("name"))
        entries.append((row, Entry(name, lines=tuple(Line(said(language, voice, key), value)
                                                     for key, value in values if value))))
    return tuple(entries), tuple(stopped)


def level_section(language: str, plan: Mapping[str, Any], voice: str = "") -> Section:
    level = plan.get("level")
    if level in plan_rules.LEVELS:
        text = said(language, voice, f"level.{level}")
    else:
        text = free_text(level) or said(language, voice, "none_recorded")
    return Section("level", said(language, voice, "level_heading"), paragraphs=(text,))


def therapies_section(language: str, plan: Mapping[str, Any], voice: str = "") -> Section:
    bullets = tuple(said(language, voice, f"therapy.{t}") if t in plan_rules.THERAPIES else free_text(t)
                    for t in plan.get("therapies") or [] if free_text(t))
    return Section("therapies", said(language, voice, "therapies_heading"), bullets=bullets,
                   paragraphs=() if bullets else none_lines(language, voice))


def relapse_section(language: str, plan: Mapping[str, Any], voice: str = "") -> Section:
    relapse = plan.get("relapse") or {}
    lines = tuple(Line(said(language, voice, f"relapse.{field}"), free_text(relapse.get(field)))
                  for field in plan_rules.RELAPSE_FIELDS if free_text(relapse.get(field)))
    note = () if voice else (i18n.text(language, "relapse_note"),)  # words for the patient only
    return Section("relapse", said(language, voice, "relapse_heading"), lines=lines,
                   paragraphs=() if lines else none_lines(language, voice), notes=note)


# --------------------------------------------------------------------------------------------
# The look both renderers share
# --------------------------------------------------------------------------------------------

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#4A4A4A")
ACCENT = colors.HexColor("#1F4E79")  # headings
RULE = colors.HexColor("#9AA5B1")
RED = colors.HexColor("#A3001B")
CRISIS_BG = colors.HexColor("#FFF4F4")
NOTE_BG = colors.HexColor("#EEF3F8")
WATERMARK = colors.HexColor("#8C8C8C")  # a draft's "DRAFT", over the page at WATERMARK_ALPHA
WATERMARK_ALPHA = 0.22


def markup(text: str, bold: bool = False) -> str:
    """``text`` escaped for a Paragraph, CJK runs in the fallback font, line breaks kept."""
    return "<br/>".join(fonts.markup_runs(part, bold) for part in str(text).split("\n"))
