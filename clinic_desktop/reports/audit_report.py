"""An audit report: the audit log as filtered, or one patient's accounting of disclosures, as a
table on landscape pages ("Page X of Y", the confidentiality line on each).

A leaf, as every report here (DESIGN.md convention 12): :class:`AuditReport` (plain data, every
text final) in, PDF bytes out::

    pdf = render_audit_report(AuditReport(title=..., facts=[...], columns=[...], rows=[...]))
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, LongTable, Paragraph, Spacer, TableStyle

from clinic_desktop.reports import document, fonts, page

__all__ = ["CONFIDENTIAL", "AuditReport", "render_audit_report"]

#: On every page: what the report holds, and that it is not to be passed on.
CONFIDENTIAL = ("Confidential: from the audit trail of a substance use disorder treatment program. "
                "Not to be passed on.")

_INK, _MUTED = page.INK, page.MUTED
_HEAD = colors.HexColor("#E4E9EE")
_STRIPE = colors.HexColor("#F6F8FA")
PAGE_SIZES = document.PAGE_SIZES


@dataclass(frozen=True)
class AuditReport:
    title: str  # "Audit log", "Accounting of disclosures"
    clinic_name: str
    facts: list[tuple[str, str]]  # ("Patient", "M-1 — Rivera, Ana"), ("Made", "2026-12-04 09:30 by admin")…
    columns: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative column widths (default: equal)
    empty: str = "No events."
    page_size: str = "letter"


class AuditReportRenderer:
    margin = 0.6 * inch
    font, bold = fonts.MAIN, fonts.MAIN_BOLD

    def render(self, report: AuditReport) -> bytes:
        if report.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {report.page_size!r}")
        self.pagesize = landscape(PAGE_SIZES[report.page_size])
        buffer = io.BytesIO()
        doc = page.new_document(buffer, pagesize=self.pagesize, leftMargin=self.margin, rightMargin=self.margin,
                                topMargin=self.margin, bottomMargin=self.margin + 0.25 * inch,
                                title=f"{report.title} — {report.clinic_name}" if report.clinic_name else report.title,
                                author=report.clinic_name or page.CREATOR, subject=report.title)
        doc.addPageTemplates([page.page_template(doc, "audit", self._on_page)])
        base = ParagraphStyle("body", fontName=self.font, fontSize=8, leading=10, textColor=_INK)
        self._styles = {
            "body": base,
            "head": ParagraphStyle("head", parent=base, fontName=self.bold),
            "title": ParagraphStyle("title", parent=base, fontName=self.bold, fontSize=16, leading=20, spaceAfter=2),
            "clinic": ParagraphStyle("clinic", parent=base, fontSize=10, leading=13, spaceAfter=6),
            "fact": ParagraphStyle("fact", parent=base, fontSize=9, leading=12),
        }
        doc.build(self._story(report, doc.width), canvasmaker=page.numbered_canvas(self._page_number))
        return buffer.getvalue()

    def _p(self, text: str, style: str) -> Paragraph:
        bold = self._styles[style].fontName == self.bold
        return Paragraph(fonts.markup_runs(text, bold=bold), self._styles[style])

    def _on_page(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        width, _height = self.pagesize
        page.footer_line(canv, width, self.margin, page.fit(CONFIDENTIAL, 7.5, width * 0.7), 7.5, 0.18 * inch)

    def _page_number(self, canv: pdfcanvas.Canvas, number: int, total: int) -> None:
        canv.saveState()
        canv.setFillColor(_INK)
        fonts.draw_string(canv, self.pagesize[0] - self.margin - fonts.string_width(f"Page {number} of {total}", 8),
                          self.margin, f"Page {number} of {total}", 8)
        canv.restoreState()

    def _story(self, report: AuditReport, width: float) -> list[Flowable]:
        story: list[Flowable] = [self._p(report.title, "title")]
        if report.clinic_name:
            story.append(self._p(report.clinic_name, "clinic"))
        story += [self._p(f"{label}: {value}", "fact") for label, value in report.facts]
        story.append(Spacer(1, 8))
        if not report.rows:
            story.append(self._p(report.empty, "fact"))
            return story
        weights = report.widths or [1.0] * len(report.columns)
        total = sum(weights)
        table = LongTable([[self._p(c, "head") for c in report.columns]]
                          + [[self._p(cell, "body") for cell in row] for row in report.rows],
                          colWidths=[width * w / total for w in weights], repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            page.TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), _HEAD), ("LINEBELOW", (0, 0), (-1, 0), 0.6, _INK),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _STRIPE]),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        story.append(table)
        return story


def render_audit_report(report: AuditReport) -> bytes:
    return AuditReportRenderer().render(report)
