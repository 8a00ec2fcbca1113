"""The printable shift handover: one block per patient in stabilization or transition.

A leaf, as every report here (DESIGN.md convention 12): document data in, bytes out.

* :class:`HandoverReport` is the document: frozen, plain data whose texts are final. The
  service :mod:`clinic_desktop.core.services.handover` builds it in one read
  (``build_handover``) and prints it with its audit (``print_handover``).
* :class:`HandoverRenderer` (or :func:`render_handover_pdf`) lays that data out with ReportLab
  platypus and returns the PDF as bytes. It computes nothing clinical and reads no database.

Confidentiality: the handover is an internal clinical document passed between the clinic's own
staff at a change of shift, not a disclosure to another provider or anyone outside the clinic.
The 42 CFR 2.32 redisclosure notice (CLINICAL.md §5) is therefore not printed; every page
carries :data:`CONFIDENTIALITY_NOTICE` instead. A handover sent outside the clinic would need the
patient's written consent and that notice, which this document does not provide.

Fonts: the shipped fonts of :mod:`clinic_desktop.reports.fonts` (Noto Sans, with WenQuanYi Micro
Hei for Chinese, Japanese and Korean run by run), embedded as subsets, so any name prints. Every
text goes through :func:`fonts.markup_runs` (Paragraphs) or :func:`fonts.draw_string` (the page
furniture). The "₂" of "SpO₂" is drawn as a subscript 2, so the PDF's text reads "SpO2".
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from clinic_desktop.reports import fonts, page

__all__ = [
    "CONFIDENTIALITY_NOTICE",
    "AlertLine",
    "DoseLine",
    "HandoverRenderer",
    "HandoverReport",
    "HandoverSection",
    "render_handover_pdf",
]

#: Printed at the foot of every page.
CONFIDENTIALITY_NOTICE = "Contains patient health information. Handle and dispose of as confidential."
TITLE = "Shift handover"


# --------------------------------------------------------------------------------------------
# The report as plain data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseLine:
    """One MAR entry of the past 12 hours (struck entries are never on the handover).

    ``time`` is local ("09:00", "yesterday 21:00"); ``text`` is the rest of the line
    ("Lofexidine 0.54 mg given (by Test Nurse)"); :attr:`line` is both.
    """

    at: dt.datetime
    time: str
    drug: str
    outcome: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.time} {self.text}"


@dataclass(frozen=True)
class AlertLine:
    """An open alert. ``urgent`` ones (the safety alert, an overdue reassessment) print in bold
    red; ``kind`` is "safety", "overdue", "checkin" (a check-in past the clinic's thresholds) or
    "complication"."""

    kind: str
    text: str
    urgent: bool


@dataclass(frozen=True)
class HandoverSection:
    """One patient's block on the handover; every text is as printed."""

    episode_id: int
    name: str
    mrn: str
    #: Printed under the name: "Allergies: penicillin (rash)", "No known allergies" or
    #: "Allergies not recorded" — never one for another.
    allergies: str
    #: The risk flags recorded ("Benzodiazepine co-use", "Prior overdose (2)"), in print order.
    risk_flags: tuple[str, ...]
    #: What prints after "Risk flags:": the flags joined, "None recorded" or "Not recorded (no intake)".
    risks_text: str
    stage: str
    pathway: str
    day_of_stay: int | None
    last_cows: str
    next_cows: str
    overdue: bool
    last_vitals: str
    vitals_warnings: tuple[str, ...]
    #: Oldest first: the shift read as a timeline.
    doses: tuple[DoseLine, ...]
    #: The safety alert, then an overdue reassessment, then complications oldest first.
    alerts: tuple[AlertLine, ...]
    supportive_done: tuple[str, ...]
    safety_alert: bool
    #: Scheduled doses of the past 12 hours with no entry at all: late (1–4 h past) or missed
    #: (more than 4 h past), oldest first; ``outcome`` is "late" or "missed".
    not_recorded: tuple[DoseLine, ...] = ()

    @property
    def timeline(self) -> tuple[DoseLine, ...]:
        """The MAR entries and the scheduled doses not recorded, in time order (as printed)."""
        return tuple(sorted((*self.doses, *self.not_recorded), key=lambda d: d.at))

    @property
    def day_text(self) -> str:
        return f"Day {self.day_of_stay}" if self.day_of_stay is not None else ""

    @property
    def supportive_text(self) -> str:
        return ", ".join(self.supportive_done) if self.supportive_done else "None recorded today"

    @property
    def dose_lines(self) -> tuple[str, ...]:
        """Every dose line as printed: :attr:`timeline`."""
        return tuple(d.line for d in self.timeline)

    @property
    def alert_lines(self) -> tuple[str, ...]:
        return tuple(a.text for a in self.alerts)


@dataclass(frozen=True)
class HandoverReport:
    """The whole handover, ready to render."""

    title: str
    clinic_name: str
    clinic_contact: str
    prepared_at: str
    prepared_by: str
    #: "Doses and complications since yesterday 19:45 (past 12 h)".
    window_text: str
    #: "Whole census: 3 patients" or "Selected patients: 1".
    scope_text: str
    patients: tuple[HandoverSection, ...]
    notice: str = CONFIDENTIALITY_NOTICE


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_RED = colors.HexColor("#B00020")
_INK = colors.HexColor("#1A1A1A")
_MUTED = colors.HexColor("#555555")
_RULE = colors.HexColor("#9AA5B1")
_BAND = colors.HexColor("#E4EAF1")
_ALERT_BG = colors.HexColor("#FDECEE")


def _markup(text: str, bold: bool = False) -> str:
    """``text`` escaped for a Paragraph, CJK runs in the fallback font, "₂" as a subscript 2."""
    return fonts.markup_runs(text, bold).replace("₂", "<sub>2</sub>")


class HandoverRenderer:
    """Lays out a :class:`HandoverReport` on US Letter, landscape: the header (title,
    "CONFIDENTIAL", clinic, prepared at/by) and the footer (confidentiality line, "Page X of Y")
    on every page, then one block per patient kept on one page where it fits."""

    pagesize = landscape(letter)
    margin = 0.5 * inch
    header_height = 0.72 * inch
    footer_height = 0.4 * inch
    font, bold = fonts.MAIN, fonts.MAIN_BOLD
    _table_font = page.TABLE_FONT

    @property
    def frame_height(self) -> float:
        """The height of the page's body frame (between header and footer)."""
        return self.pagesize[1] - 2 * self.margin - self.header_height - self.footer_height

    def render(self, report: HandoverReport) -> bytes:
        buffer = io.BytesIO()
        doc = page.new_document(
            buffer, pagesize=self.pagesize, leftMargin=self.margin, rightMargin=self.margin,
            topMargin=self.margin + self.header_height, bottomMargin=self.margin + self.footer_height,
            title=f"{report.title} — {report.clinic_name}" if report.clinic_name else report.title,
            author=report.clinic_name or page.CREATOR, subject="Shift handover (confidential)",
        )
        doc.addPageTemplates(self._page_templates(doc, report))
        self._styles = self._stylesheet()
        doc.build(self._story(report), canvasmaker=page.numbered_canvas(self._page_number))
        return buffer.getvalue()

    # -- styles and pages ---------------------------------------------------------------------

    def _stylesheet(self) -> dict[str, ParagraphStyle]:
        base = ParagraphStyle("body", fontName=self.font, fontSize=9, leading=11.5, textColor=_INK,
                              alignment=TA_LEFT)
        return {
            "body": base,
            "label": ParagraphStyle("label", parent=base, fontName=self.bold, textColor=_MUTED, fontSize=8,
                                    leading=11.5),
            "name": ParagraphStyle("name", parent=base, fontName=self.bold, fontSize=11.5, leading=14),
            "meta_right": ParagraphStyle("meta_right", parent=base, fontSize=9, leading=14,
                                         alignment=TA_RIGHT),
            "heading": ParagraphStyle("heading", parent=base, fontName=self.bold, fontSize=8.5,
                                      textColor=_MUTED, spaceAfter=2),
            "urgent": ParagraphStyle("urgent", parent=base, fontName=self.bold, textColor=_RED),
            "alert": base,
            "warning": ParagraphStyle("warning", parent=base, fontName=self.bold),
            "dose": ParagraphStyle("dose", parent=base, leftIndent=0),
            "muted": ParagraphStyle("muted", parent=base, textColor=_MUTED),
            "scope": ParagraphStyle("scope", parent=base, textColor=_MUTED, spaceAfter=6),
        }

    def _page_templates(self, doc: BaseDocTemplate, report: HandoverReport) -> list[PageTemplate]:
        return [page.page_template(doc, "handover", lambda canv, d: self._on_page(canv, d, report))]

    _fit = staticmethod(page.fit)

    def _on_page(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate, report: HandoverReport) -> None:
        """The furniture of every page: header, rule, footer (the page numbers are drawn by the
        canvas once the page count is known)."""
        width, height = self.pagesize
        left, right = self.margin, width - self.margin
        top = height - self.margin
        canv.saveState()
        title = f"{report.title} — CONFIDENTIAL"
        canv.setFillColor(_INK)
        fonts.draw_string(canv, left, top - 14, title, 14, bold=True)
        room = right - left - fonts.string_width(title, 14, bold=True) - 24
        if report.clinic_name:
            name = self._fit(report.clinic_name, 11, room, bold=True)
            fonts.draw_string(canv, right, top - 13, name, 11, bold=True, align="right")
        if report.clinic_contact:
            canv.setFillColor(_MUTED)
            contact = self._fit(report.clinic_contact, 8, room)
            fonts.draw_string(canv, right, top - 25, contact, 8, align="right")
        canv.setFillColor(_INK)
        line = f"Prepared {report.prepared_at} by {report.prepared_by} · {report.window_text}"
        fonts.draw_string(canv, left, top - 38, self._fit(line, 8.5, right - left), 8.5)
        canv.setStrokeColor(_RULE)
        canv.setLineWidth(0.8)
        canv.line(left, top - 45, right, top - 45)
        # Footer
        bottom = self.margin
        canv.line(left, bottom + 16, right, bottom + 16)
        canv.setFillColor(_INK)
        fonts.draw_string(canv, left, bottom + 4, report.notice, 8, bold=True)
        canv.restoreState()

    def _page_number(self, canv: pdfcanvas.Canvas, page: int, total: int) -> None:
        canv.saveState()
        canv.setFont(self.bold, 8.5)
        canv.setFillColor(_INK)
        canv.drawRightString(self.pagesize[0] - self.margin, self.margin + 4, f"Page {page} of {total}")
        canv.restoreState()

    # -- the story -----------------------------------------------------------------------------

    def _story(self, report: HandoverReport) -> list:
        s = self._styles
        story: list = [Paragraph(_markup(report.scope_text), s["scope"])]
        if not report.patients:
            story.append(Paragraph("No patients in stabilization or transition.", s["body"]))
            return story
        for n, section in enumerate(report.patients):
            if n:  # between blocks only: a trailing space could spill onto an empty last page
                story.append(Spacer(1, 10))
            block = self._block(section)
            height = sum(f.wrap(self.pagesize[0] - 2 * self.margin, self.frame_height)[1] for f in block)
            if height <= self.frame_height:
                story.append(KeepTogether(block))
            else:  # longer than a page: start it here unless the page is nearly full, and let it run on
                story += [CondPageBreak(2 * inch), *block]
        return story

    def _p(self, text: str, style: str) -> Paragraph:
        para_style = self._styles[style]
        return Paragraph(_markup(text, para_style.fontName == self.bold), para_style)

    def _block(self, sec: HandoverSection) -> list:
        """One patient: a single table — the name band (repeated at the top of every page the
        block runs onto), the open alerts, then the facts on the left and the doses on the right.
        """
        width = self.pagesize[0] - 2 * self.margin
        left_w, label_w, time_w = width * 0.5, 1.35 * inch, 1.15 * inch
        cols = [label_w, left_w - label_w, time_w, width - left_w - time_w]
        rows: list[list] = [[self._head(sec, width), "", "", ""], [self._safety_line(sec), "", "", ""]]
        style: list[tuple] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"), self._table_font,
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("SPAN", (0, 0), (-1, 0)), ("RIGHTPADDING", (0, 0), (-1, 0), 0),
            ("TOPPADDING", (0, 0), (-1, 0), 0), ("BOTTOMPADDING", (0, 0), (-1, 0), 0),
            # Allergies and risk flags, right under the name.
            ("SPAN", (0, 1), (-1, 1)), ("LEFTPADDING", (0, 1), (-1, 1), 6),
            ("TOPPADDING", (0, 1), (-1, 1), 4), ("BOTTOMPADDING", (0, 1), (-1, 1), 3),
            ("LINEBELOW", (0, 1), (-1, 1), 0.5, _RULE),
        ]
        if sec.alerts:
            first = len(rows)
            rows.append([self._p("Open alerts", "heading"), "", "", ""])
            rows += [[self._p(a.text, "urgent" if a.urgent else "alert"), "", "", ""] for a in sec.alerts]
            end = len(rows) - 1
            style += [*(("SPAN", (0, r), (-1, r)) for r in range(first, end + 1)),
                      ("BACKGROUND", (0, first), (-1, end), _ALERT_BG),
                      ("LEFTPADDING", (0, first), (-1, end), 6),
                      ("TOPPADDING", (0, first), (-1, first), 4), ("BOTTOMPADDING", (0, end), (-1, end), 4),
                      ("LINEBEFORE", (0, first), (0, end), 2.5, _RED)]

        first = len(rows)
        side = self._side_by_side(sec, left_w, width)
        if side.wrap(width, self.frame_height)[1] <= self.frame_height * 0.75:
            rows.append([side, "", "", ""])
            style.append(("SPAN", (0, first), (-1, first)))
        else:  # a very long list of doses: rows that split across pages
            facts, doses = self._facts(sec), self._doses(sec)
            for i in range(max(len(facts), len(doses) + 1)):
                label, value = facts[i] if i < len(facts) else ("", "")
                time, dose = (self._p("Doses in the past 12 h", "heading"), "") if i == 0 else (
                    doses[i - 1] if i - 1 < len(doses) else ("", ""))
                rows.append([self._p(label, "label") if label else "", value, time, dose])
            style += [("SPAN", (2, first), (3, first)),
                      ("LEFTPADDING", (0, first), (0, -1), 6), ("LEFTPADDING", (2, first), (2, -1), 8),
                      ("TOPPADDING", (0, first), (-1, first), 5), ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
                      ("LINEBEFORE", (2, first), (2, -1), 0.5, _RULE)]
            if not sec.timeline:
                style.append(("SPAN", (2, first + 1), (3, first + 1)))
        style.append(("LINEBELOW", (0, -1), (-1, -1), 0.8, _RULE))
        return [Table(rows, colWidths=cols, style=TableStyle(style), repeatRows=1)]

    def _head(self, sec: HandoverSection, width: float) -> Table:
        stage = " · ".join(part for part in (sec.stage, sec.pathway, sec.day_text) if part)
        name = _markup(sec.name, bold=True)
        title = Paragraph(f"{name}&nbsp;&nbsp;&nbsp;<font size='9' name='{self.font}'>"
                          f"MRN {_markup(sec.mrn)}</font>", self._styles["name"])
        return Table([[title, self._p(stage, "meta_right")]], colWidths=[width * 0.55, width * 0.45],
                     style=TableStyle([
                         ("BACKGROUND", (0, 0), (-1, -1), _BAND), self._table_font,
                         ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                         ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                     ]))

    def _safety_line(self, sec: HandoverSection) -> Paragraph:
        """"Allergies: penicillin · Risk flags: Benzodiazepine co-use · Prior overdose (1)": what
        is recorded in bold red, "Allergies not recorded" in bold, "No known allergies" and "None
        recorded" plain."""
        red = _RED.hexval().replace("0x", "#")

        def text(value: str, bold: bool, colour: str | None = None) -> str:
            marked = _markup(value, bold)
            if bold:
                marked = f"<font name='{self.bold}'>{marked}</font>"
            return f"<font color='{colour}'>{marked}</font>" if colour else marked

        recorded = sec.allergies.startswith("Allergies: ")
        allergies = text(sec.allergies, sec.allergies != "No known allergies", red if recorded else None)
        risks = text(sec.risks_text, bool(sec.risk_flags), red if sec.risk_flags else None)
        return Paragraph(f"{allergies}&nbsp;&nbsp;·&nbsp;&nbsp;{text('Risk flags:', True)} {risks}",
                         self._styles["body"])

    def _facts(self, sec: HandoverSection) -> list[tuple[str, Paragraph]]:
        return [
            ("Last COWS", self._p(sec.last_cows, "body")),
            ("Next COWS due", self._p(sec.next_cows, "urgent" if sec.overdue else "body")),
            ("Last vitals", self._p(sec.last_vitals, "body")),
            *(("", self._p(warning, "warning")) for warning in sec.vitals_warnings),
            ("Supportive care today", self._p(sec.supportive_text, "body")),
        ]

    def _doses(self, sec: HandoverSection) -> list[tuple[Paragraph, Paragraph | str]]:
        """Given doses in plain text, held, refused and late ones in bold, missed ones in bold red."""
        look = {"given": "body", "missed": "urgent"}
        return [(self._p(d.time, "body"), self._p(d.text, look.get(d.outcome, "warning")))
                for d in sec.timeline] or [(self._p("None recorded", "muted"), "")]

    def _side_by_side(self, sec: HandoverSection, left_w: float, width: float) -> Table:
        """Facts and doses in two independent columns (so a long dose line does not stretch the
        facts beside it); used whenever it fits comfortably on a page."""
        label_w, time_w = 1.35 * inch, 1.15 * inch
        pad = [("VALIGN", (0, 0), (-1, -1), "TOP"), self._table_font,
               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
               ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        none_span = [] if sec.timeline else [("SPAN", (0, 1), (1, 1))]
        fact_rows = [[self._p(label, "label") if label else "", value] for label, value in self._facts(sec)]
        facts = Table(fact_rows,
                      colWidths=[label_w, left_w - label_w - 12], style=TableStyle(pad))
        doses = Table([[self._p("Doses in the past 12 h", "heading"), ""], *self._doses(sec)],
                      colWidths=[time_w, width - left_w - time_w - 14],
                      style=TableStyle([*pad, ("SPAN", (0, 0), (1, 0)), *none_span]))
        return Table([[facts, doses]], colWidths=[left_w, width - left_w], style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), self._table_font,
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (1, 0), (1, 0), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LINEBEFORE", (1, 0), (1, 0), 0.5, _RULE),
        ]))


def render_handover_pdf(report: HandoverReport) -> bytes:
    """The handover as a PDF (US Letter, landscape)."""
    return HandoverRenderer().render(report)
