"""The consent form the patient signs (CLINICAL.md §5; 42 CFR 2.31), in their language.

Two steps, as every report here (DESIGN.md convention 12), following :mod:`.letter`:

* :func:`build_consent_form` turns a consent (a recorded :class:`core.services.plans.ConsentView`,
  or what is typed before recording it) into a :class:`ConsentFormDocument`: frozen, plain data
  whose texts are final. It holds the elements 42 CFR 2.31 asks of a written consent: the
  patient's name; who discloses (the clinic); the recipient; the purpose; how much and what kind
  of information (the consent's items, listed, keys of :data:`core.consent.INFORMATION_ITEMS`,
  headed as the letter heads them); that the patient may revoke it and how; when it expires;
  the patient's signature and its date; and that treatment does not depend on signing.
* :class:`ConsentFormRenderer` (or :func:`render_consent_form_pdf`) lays it out in the letter's
  look (a :class:`.plan_pdf.DocumentRenderer`: the same styles, letterhead and "Page X of Y").

Usage::

    doc = build_consent_form(
        patient=PlanPatient("Rosa Díaz", "5 June 1987", "RR-2041"), clinic=PlanClinic(...),
        recipient="Northside IOP", purpose="Arrange intensive outpatient care",
        items=["medication", "follow_ups"], expires_on=dt.date(2027, 12, 1), language="es")
    pdf = render_consent_form_pdf(doc)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.reports import i18n
from clinic_desktop.reports.document import (
    INK,
    PAGE_SIZES,
    Line,
    PlanClinic,
    PlanPatient,
    format_date,
    free_text,
    group_phone,
    markup,
)
from clinic_desktop.reports.letter import ITEM_HEADINGS, NOTICE_SHORT
from clinic_desktop.reports.plan_pdf import DocumentRenderer

__all__ = ["ConsentFormDocument", "ConsentFormRenderer", "build_consent_form", "render_consent_form_pdf"]


@dataclass(frozen=True)
class ConsentFormDocument:
    """The whole form, ready to render: every text as printed."""

    language: str
    page_size: str
    title: str
    clinic: PlanClinic
    patient: PlanPatient
    #: "I, Rosa Díaz, date of birth …, agree that Riverside Detox may share …".
    intro: str
    #: Who shares, who receives, why, until when: "Label: value".
    lines: tuple[Line, ...]
    #: "What information (only these items)" and the items' headings, print order.
    what_heading: str
    items: tuple[str, ...]
    #: The item keys (core.consent.INFORMATION_ITEMS), print order.
    item_keys: tuple[str, ...]
    what_note: str
    #: Revoking (and how), and that treatment does not depend on signing.
    rights: tuple[str, ...]
    #: Under the signature line and the date line.
    signature_label: str
    date_label: str
    #: The recorded signature date, when the consent was recorded ("" on a blank form).
    signed_on: str
    footer_notice: str
    page_of: str
    large_print: bool = False

    @property
    def texts(self) -> tuple[str, ...]:
        """Every text of the form (for tests and searching)."""
        out = [self.title, self.patient.name, self.intro,
               *(p for line in self.lines for p in (line.label, line.value)), self.what_heading,
               *self.items, self.what_note, *self.rights, self.signature_label, self.date_label,
               self.signed_on, self.footer_notice]
        return tuple(t for t in out if t)

    def page_text(self, page: int, pages: int) -> str:
        return self.page_of.format(page=page, pages=pages)


def build_consent_form(
    *,
    patient: PlanPatient,
    clinic: PlanClinic,
    recipient: str,
    purpose: str,
    items: Sequence[str],
    expires_on: dt.date,
    signed_on: dt.date | None = None,
    language: str = "en",
    page_size: str = "letter",
    large_print: bool = False,
    phone_region: str = "US",
) -> ConsentFormDocument:
    """The form for ``patient`` to consent to ``clinic`` sharing ``items`` (keys of
    :data:`core.consent.INFORMATION_ITEMS`, at least one) with ``recipient`` for ``purpose``
    until ``expires_on``, in ``language`` (English when there is no catalogue for it).
    ``signed_on``: the recorded signature date when printing a recorded consent again;
    ``large_print`` as the patient's plan is printed.
    ValidationError for an unknown item or none; ValueError for an unknown page size."""
    keys = consent_rules.ordered(items)
    if not keys:
        raise ValidationError("Tick what information may be shared (at least one item).")
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    language = language if language in i18n.languages() else i18n.FALLBACK
    t = lambda key, **values: i18n.text(language, key, **values)
    clinic_name = free_text(clinic.name)
    phone = group_phone(free_text(clinic.phone), phone_region).replace(" ", "\u00a0")  # kept on one line
    until = format_date(language, expires_on, region=phone_region)
    lines = (
        Line(t("consent_form.from"), ", ".join(p for p in (clinic_name, free_text(clinic.address)) if p)),
        Line(t("consent_form.to"), free_text(recipient)),
        Line(t("consent_form.purpose"), free_text(purpose)),
        Line(t("consent_form.until"), t("consent_form.until_value", date=until)),
    )
    revoke = (t("consent_form.revoke_phone", clinic=clinic_name, phone=phone) if phone
              else t("consent_form.revoke", clinic=clinic_name))
    return ConsentFormDocument(
        language=language,
        page_size=page_size,
        title=t("consent_form.title"),
        clinic=clinic,
        patient=patient,
        intro=t("consent_form.intro", patient=free_text(patient.name), date_of_birth=patient.date_of_birth,
                clinic=clinic_name),
        lines=lines,
        what_heading=t("consent_form.what"),
        items=tuple(t(ITEM_HEADINGS[key]) for key in keys),
        item_keys=keys,
        what_note=t("consent_form.what_note"),
        rights=(revoke, t("consent_form.treatment")),
        signature_label=t("consent_form.signature", patient=free_text(patient.name)),
        date_label=t("consent_form.date"),
        signed_on=format_date(language, signed_on, region=phone_region) if signed_on else "",
        footer_notice=NOTICE_SHORT,
        page_of=i18n.catalogue(language).get("page_of") or i18n.catalogue(i18n.FALLBACK)["page_of"],
        large_print=bool(large_print),
    )


class ConsentFormRenderer(DocumentRenderer[ConsentFormDocument]):
    """Lays out a :class:`ConsentFormDocument`: the clinic's letterhead (from page 2 the
    patient's name and date of birth at its right), the title, the patient's statement,
    who/why/until, the items as bullets, the rights, then the signature and date lines; the
    short 42 CFR notice, the patient's name and "Page X of Y" in the footer."""

    def _on_page(self, canv: pdfcanvas.Canvas, template: BaseDocTemplate) -> None:
        doc = self.doc
        assert doc is not None
        # whose form it is, from page 2 (the signature may be there)
        self._disclosure_furniture(canv, doc.patient.name, doc.patient.date_of_birth, doc.footer_notice,
                                   f"{doc.patient.name} \u2014 {doc.title}")

    def _story(self, doc: ConsentFormDocument) -> list:
        s = self._styles
        story: list = [self._p(doc.title, "title"), Spacer(1, self.body * 0.6),
                       self._p(doc.intro, "body"), Spacer(1, self.body * 0.4)]
        story += [self._line(line) for line in doc.lines]
        story.append(self._p(doc.what_heading, "heading"))
        story += [Paragraph(markup(item), s["bullet"], bulletText="\u2022") for item in doc.items]
        story.append(self._p(doc.what_note, "body"))
        story.append(Spacer(1, self.body * 0.6))
        story += [self._p(text, "body") for text in doc.rights]
        sign_w, gap_w = self.width * 0.6, 24
        date_w = self.width - sign_w - gap_w
        rows = [["", "", self._p(doc.signed_on, "body") if doc.signed_on else ""],
                [self._p(doc.signature_label, "sign_label"), "", self._p(doc.date_label, "sign_label")]]
        style = TableStyle([self._table_font, ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                            ("LINEABOVE", (0, 1), (0, 1), 1, INK), ("LINEABOVE", (2, 1), (2, 1), 1, INK)])
        table = Table(rows, colWidths=[sign_w, gap_w, date_w], rowHeights=[self.body * 3.4, None],
                      style=style)
        story += [Spacer(1, self.body * 1.2), KeepTogether([table])]
        return story


def render_consent_form_pdf(doc: ConsentFormDocument) -> bytes:
    """The consent form as a PDF on the document's page size."""
    return ConsentFormRenderer().render(doc)
