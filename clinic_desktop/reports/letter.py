"""A referral letter to a provider (CLINICAL.md §5: 42 CFR Part 2).

Two steps, as every report here (DESIGN.md convention 12), following :mod:`.plan`:

* :func:`build_referral_letter` turns the plan dict, the patient's signed consent for the
  recipient and the referral to it into a :class:`LetterDocument`: frozen, plain data whose
  texts are final. It refuses (core's ``ValidationError``, by the rule of
  :func:`core.consent.check_letter`) a consent that is revoked, expired on ``today`` or made
  out to another recipient. The letter holds the referral itself (reason and appointment)
  and, of the plan, **only** the items in ``shared`` (keys of
  :data:`core.consent.INFORMATION_ITEMS`), each of which the consent must cover (its ``items``;
  refused otherwise, by :func:`core.consent.check_covered`); nothing else of the plan is read.
  The consent's scope prints from its items, never from free text.
* :class:`LetterRenderer` (or :func:`render_letter_pdf`) lays it out, in the look of
  :class:`.plan_pdf.PlanRenderer`: both are :class:`.plan_pdf.DocumentRenderer`, the letter's
  for a :class:`LetterDocument` (the same styles, letterhead, helpers and "Page X of Y").

Usage::

    doc = build_referral_letter(
        plan=plan_view.draft, consent=consent_view, referral=plan_view.draft["referrals"][0],
        recipient=Contact("Northside IOP", "(217) 555-0100", address="..."),
        patient=PlanPatient("Rosa Díaz", "5 June 1987", "RR-2041"),
        clinic=PlanClinic("Riverside Detox", "...", "(217) 555-0199"),
        prepared_by="Dana Ortiz, LCSW", prepared_at=clock.now(), today=clock.now().date(),
        shared=["medication", "follow_ups"])
    pdf = render_letter_pdf(doc)

Every page's footer carries the short 42 CFR 2.32 notice (:data:`NOTICE_SHORT`); the full
notice (:data:`NOTICE_2_32`) is printed once, boxed, at the end; and the consent's scope (what,
to whom, for what purpose, until when, signed when, revocable) is boxed before the signature,
as the 2024 rule asks. The notices are regulatory text and always print in English, verbatim.
Provider letters are in English by default; ``language`` picks another catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic_desktop.core import consent as consent_rules
from clinic_desktop.reports import i18n
from clinic_desktop.reports.document import (
    ACCENT,
    INK,
    NOTE_BG,
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
    markup,
    medication_section,
    none_lines,
    relapse_section,
    therapies_section,
)
from clinic_desktop.reports.plan_pdf import DocumentRenderer

__all__ = [
    "NOTICE_2_32",
    "NOTICE_2_32_PARTS",
    "NOTICE_SHORT",
    "LetterDocument",
    "LetterRenderer",
    "build_referral_letter",
    "render_letter_pdf",
]

#: The letter's catalogue keys: "letter." + the plan's key (the same sections, said to a provider).
VOICE = "letter."

#: Each information item's heading (catalogue key), in the letter and in its consent scope.
ITEM_HEADINGS: dict[str, str] = {"medication": "letter.medication_heading", "level": "letter.level_heading",
                                 "therapies": "letter.therapies_heading",
                                 "follow_ups": "letter.followups_heading", "relapse": "letter.relapse_heading"}

#: The notice of 42 CFR 2.32 (as revised in 2024), verbatim (CLINICAL.md §5), in its printed
#: paragraphs; :data:`NOTICE_2_32` is the whole text.
NOTICE_2_32_PARTS: tuple[str, ...] = (
    ("This record which has been disclosed to you is protected by Federal confidentiality rules "
     "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
     "that describes the information contained in this record, in any civil, criminal, "
     "administrative, or legislative proceedings by any Federal, State, or local authority, against "
     "the patient, unless authorized by the consent of the patient, except as provided at 42 CFR "
     "2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, "
     "the Federal rules prohibit you from making any other use or disclosure of this record unless "
     "at least one of the following applies:"),
    ("(i) Further use or disclosure is expressly permitted by the written consent of the individual "
     "whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2."),
    ("(ii) You are a covered entity or business associate and have received the record for "
     "treatment, payment, or health care operations, or"),
    ("(iii) You have received the record from a covered entity or business associate as permitted "
     "by 45 CFR part 164, subparts A and E."),
    ("A general authorization for the release of medical or other information is NOT sufficient to "
     "meet the required elements of written consent to further use or redisclose the record (see "
     "42 CFR 2.31)."),
)
NOTICE_2_32 = " ".join(NOTICE_2_32_PARTS)
#: The short form of the notice, in every page's footer.
NOTICE_SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


@dataclass(frozen=True)
class LetterDocument:
    """The whole letter, ready to render: every text as printed."""

    language: str
    page_size: str
    title: str
    clinic: PlanClinic
    patient: PlanPatient
    #: "1 December 2026".
    date: str
    #: The recipient's name, address and phone, one line each.
    recipient: tuple[str, ...]
    #: "Re: Rosa Díaz, date of birth 5 June 1987".
    subject: str
    greeting: str
    #: Before the referral.
    intro: tuple[str, ...]
    #: The referral itself: its reason and appointment (always printed).
    referral: Section
    #: "With the patient's written consent…" or "The patient has not consented…".
    shared_intro: str
    #: The plan items the patient consented to share, keys of core.consent.INFORMATION_ITEMS, print order.
    shared: tuple[Section, ...]
    #: The consent's scope: heading, its lines, and the revocation sentence.
    consent_heading: str
    consent_lines: tuple[Line, ...]
    consent_note: str
    closing: tuple[str, ...]
    sign_off: str
    #: Under the signature line: who prepared the letter (full name), their role, and the clinic.
    signer: tuple[str, ...]
    notice_heading: str
    notice: tuple[str, ...]
    footer_notice: str
    page_of: str
    large_print: bool = False

    @property
    def shared_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.shared)

    @property
    def texts(self) -> tuple[str, ...]:
        """Every text of the letter (for tests and searching)."""
        out = [self.title, self.date, *self.recipient, self.subject, self.greeting, *self.intro,
               *self.referral.texts, self.shared_intro, *(t for s in self.shared for t in s.texts),
               self.consent_heading, *(p for line in self.consent_lines for p in (line.label, line.value)),
               self.consent_note, *self.closing, self.sign_off, *self.signer, self.notice_heading,
               *self.notice, self.footer_notice]
        return tuple(t for t in out if t)

    def page_text(self, page: int, pages: int) -> str:
        return self.page_of.format(page=page, pages=pages)


# --------------------------------------------------------------------------------------------
# Building the document
# --------------------------------------------------------------------------------------------


def _follow_ups(language: str, plan: Mapping[str, Any], region: str) -> Section:
    entries = []
    for item in plan.get("follow_ups") or []:
        when = format_when(language, item.get("when"), capitalize=True, region=region)
        place = free_text(item.get("place"))
        if not (when or place):
            continue
        lines = [Line(i18n.text(language, "followup_where"), place)] if place else []
        if phone := group_phone(free_text(item.get("phone")), region):
            lines.append(Line(i18n.text(language, "phone"), phone))
        entries.append(Entry(when or none_lines(language, VOICE)[0], lines=tuple(lines)))
    return Section("follow_ups", i18n.text(language, "letter.followups_heading"), entries=tuple(entries),
                   paragraphs=() if entries else none_lines(language, VOICE))


def build_referral_letter(
    *,
    plan: Mapping[str, Any],
    consent: Any,
    referral: Mapping[str, Any],
    recipient: Contact,
    patient: PlanPatient,
    clinic: PlanClinic,
    prepared_by: str,
    prepared_at: dt.datetime,
    today: dt.date,
    prepared_role: str = "",
    shared: Sequence[str] = (),
    language: str = "en",
    page_size: str = "letter",
    phone_region: str = "US",
) -> LetterDocument:
    """The letter to ``recipient`` about ``referral`` (the plan's referral dict for it), sent
    under ``consent`` (a :class:`core.services.plans.ConsentView` or alike).

    ``prepared_by``: the staff member's full name, signed above ``prepared_role`` (a role key,
    "counselor", said in the letter's language) and the clinic's name.
    ``shared``: the keys of :data:`core.consent.INFORMATION_ITEMS` to share, each covered by
    the consent's ``items``; only those are read from ``plan``. Raises core's ValidationError
    when the consent is revoked, expired on ``today`` or for another recipient, for an unknown
    item or one the consent does not cover (:mod:`core.consent`); ValueError for a page size
    other than :data:`.document.PAGE_SIZES`.
    """
    consent_rules.check_items(shared)
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    consent_rules.check_letter(consent, today=today, entry_id=referral.get("entry_id"),
                               recipient_name=recipient.name)
    consent_rules.check_covered(consent, shared)
    language = language if language in i18n.languages() else i18n.FALLBACK
    t = lambda key, **values: i18n.text(language, key, **values)

    builders = {"medication": lambda: medication_section(language, plan, VOICE, region=phone_region),
                "level": lambda: level_section(language, plan, VOICE),
                "therapies": lambda: therapies_section(language, plan, VOICE),
                "follow_ups": lambda: _follow_ups(language, plan, phone_region),
                "relapse": lambda: relapse_section(language, plan, VOICE)}
    sections = tuple(builders[key]() for key in consent_rules.INFORMATION_ITEMS if key in shared)

    referral_lines = (
        Line(t("letter.reason"), free_text(referral.get("reason")) or none_lines(language, VOICE)[0]),
        Line(t("letter.appointment"),
             format_when(language, referral.get("appointment"), capitalize=True, region=phone_region)
             or t("letter.no_appointment")),
    )
    recipient_lines = tuple(p for p in (free_text(recipient.name), free_text(recipient.address),
                                        group_phone(recipient.phone, phone_region)) if p)
    included = [t("letter.referral_heading")] + [s.heading for s in sections]
    agreed = [t(ITEM_HEADINGS[key]) for key in consent_rules.covered(consent)]
    consent_lines = (
        Line(t("letter.consent_what"), "; ".join(agreed) if agreed else t("letter.consent_no_items")),
        Line(t("letter.consent_included"), "; ".join(included)),
        Line(t("letter.consent_to"), free_text(consent.recipient_name)),
        Line(t("letter.consent_purpose"), free_text(consent.purpose)),
        Line(t("letter.consent_until"), format_date(language, consent.expires_on, region=phone_region)),
        Line(t("letter.consent_signed"), format_date(language, consent.signed_on, region=phone_region)),
    )
    by = free_text(prepared_by)
    role = t(f"letter.role.{prepared_role}") if prepared_role else ""
    clinic_name = free_text(clinic.name)
    phone = free_text(clinic.phone)
    return LetterDocument(
        language=language,
        page_size=page_size,
        title=t("letter.title"),
        clinic=clinic,
        patient=patient,
        date=format_date(language, prepared_at, region=phone_region),
        recipient=recipient_lines,
        subject=t("letter.re", name=patient.name, date_of_birth=patient.date_of_birth),
        greeting=t("letter.greeting"),
        intro=(t("letter.intro", patient=patient.name, recipient=free_text(recipient.name), clinic=clinic_name)
               if clinic_name else
               t("letter.intro_no_clinic", patient=patient.name, recipient=free_text(recipient.name)),),
        referral=Section("referral", t("letter.referral_heading"), lines=referral_lines),
        shared_intro=t("letter.shared_intro") if sections else t("letter.nothing_shared"),
        shared=sections,
        consent_heading=t("letter.consent_heading"),
        consent_lines=tuple(line for line in consent_lines if line.value),
        consent_note=t("letter.consent_revoke"),
        closing=(t("letter.questions_phone", phone=phone) if phone else t("letter.questions"),),
        sign_off=t("letter.sign_off"),
        signer=tuple(p for p in (by, role, clinic_name) if p),
        notice_heading=t("letter.notice_heading"),
        notice=NOTICE_2_32_PARTS,
        footer_notice=NOTICE_SHORT,
        page_of=i18n.catalogue(language).get("page_of") or i18n.catalogue(i18n.FALLBACK)["page_of"],
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


class LetterRenderer(DocumentRenderer[LetterDocument]):
    """Lays out a :class:`LetterDocument` in the plan's look: the clinic's letterhead on every
    page (from page 2 the patient's name and date of birth at its right), the short 42 CFR
    notice and "Page X of Y" in every footer; then date, recipient, "Re:", the body, the
    referral, the shared sections, the boxed consent scope, the signature and the full notice,
    boxed, at the end."""

    def _stylesheet(self) -> dict[str, ParagraphStyle]:
        styles = super()._stylesheet()
        body = self.body
        styles["heading"].fontSize = body * 1.15
        styles["heading"].leading = body * 1.5
        styles["heading"].spaceBefore = body * 0.9
        styles["heading"].spaceAfter = body * 0.3
        styles["subject"] = type(styles["bold"])("subject", parent=styles["bold"],
                                                  spaceBefore=body * 1.2, spaceAfter=body * 0.9)
        styles["para"] = type(styles["body"])("para", parent=styles["body"], spaceAfter=body * 0.7)
        styles["box_heading"] = type(styles["bold"])("box_heading", parent=styles["bold"],
                                                      textColor=ACCENT, spaceAfter=body * 0.3)
        styles["notice"] = type(styles["body"])("notice", parent=styles["body"],
                                                 fontSize=body * 0.86, leading=body * 1.18,
                                                 spaceAfter=body * 0.3)
        styles["notice_item"] = type(styles["notice"])("notice_item", parent=styles["notice"],
                                                        leftIndent=body * 1.4)
        return styles

    def _on_page(self, canv: pdfcanvas.Canvas, template: BaseDocTemplate) -> None:
        doc = self.doc
        assert doc is not None
        # From page 2, whose letter it is; the short 42 CFR 2.32 notice in the footer.
        self._disclosure_furniture(canv, doc.patient.name, doc.subject.split(", ", 1)[-1], doc.footer_notice,
                                   doc.title)

    def _box(self, flowables: list, *, border: Color | None = None) -> Table:
        """One boxed cell: the consent scope (accent bar, tinted) or the notice (ruled box)."""
        style: list[tuple[Any, ...]] = [self._table_font, ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                 ("TOPPADDING", (0, 0), (-1, -1), self.body * 0.6),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), self.body * 0.4)]
        if border is None:
            style += [("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
                      ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT)]
        else:
            style += [("BOX", (0, 0), (-1, -1), 1, border)]
        return Table([[flowables]], colWidths=[self.width], style=TableStyle(style))

    def _story(self, doc: LetterDocument) -> list:
        story: list = [self._p(doc.date, "meta")]
        story += [self._p(line, "name" if n == 0 else "body") for n, line in enumerate(doc.recipient)]
        story += [self._p(doc.subject, "subject"), self._p(doc.greeting, "para")]
        story += [self._p(text, "para") for text in doc.intro]
        story += self._section(doc.referral)
        story.append(Spacer(1, self.body * 0.6))
        story.append(self._p(doc.shared_intro, "para"))
        for section in doc.shared:
            story += self._section(section)
        scope = [self._p(doc.consent_heading, "box_heading"),
                 *(self._line(line) for line in doc.consent_lines),
                 self._p(doc.consent_note, "muted")]
        story += [Spacer(1, self.body), KeepTogether([self._box(scope)]), Spacer(1, self.body)]
        story += [self._p(text, "para") for text in doc.closing]
        signature = [self._p(doc.sign_off, "para"), Spacer(1, self.body * 3.2),
                     Table([[""]], colWidths=[self.width * 0.45], rowHeights=[4],
                           style=TableStyle([self._table_font,
                                             ("LINEABOVE", (0, 0), (-1, -1), 1, INK)]),
                           hAlign="LEFT")]
        signature += [self._p(text, "sign_name" if n == 0 else "sign_label")
                      for n, text in enumerate(doc.signer)]
        story.append(KeepTogether(signature))
        notice = [self._p(doc.notice_heading, "box_heading")]
        notice += [self._p(text, "notice_item" if text.startswith("(") else "notice")
                   for text in doc.notice]
        story += [Spacer(1, self.body * 1.5), KeepTogether([self._box(notice, border=INK)])]
        return story

    def _section(self, section: Section) -> list:
        """A heading, then the section's paragraphs, bullets, "Label: value" lines, entries
        (a name in bold, its lines indented) and notes, kept on one page when short."""
        s = self._styles
        flat: list = [self._p(section.heading, "heading")]
        flat += [self._p(text, "bold" if section.key in ("medication", "level") else "body")
                 for text in section.paragraphs]
        flat += [Paragraph(markup(b), s["bullet"], bulletText="•") for b in section.bullets]
        flat += [self._line(line) for line in section.lines]
        for entry in section.entries:
            flat += [self._p(entry.name, "bold"),
                     *(self._line(line, "entry_detail") for line in entry.lines)]
        flat += [self._p(note, "bold") for note in section.notes]  # e.g. the medicines stopped
        height = sum(f.wrap(self.width, self.frame_height)[1] + f.getSpaceBefore()
                     + f.getSpaceAfter() for f in flat)
        if height <= self.frame_height * 0.4:
            return [KeepTogether(flat)]
        return [KeepTogether(flat[:2]), *flat[2:]]


def render_letter_pdf(doc: LetterDocument) -> bytes:
    """The letter as a PDF on the document's page size."""
    return LetterRenderer().render(doc)

