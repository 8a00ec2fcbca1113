"""The aftercare plan laid out as a PDF (DESIGN.md convention 12: the renderer).

:class:`PlanRenderer` (or :func:`render_plan_pdf`) takes the :class:`.plan.PlanDocument` that
:func:`.plan.build_plan_document` made and lays it out with ReportLab platypus on US Letter or
A4, returning the PDF as bytes. Every text is final in the document: the renderer decides
nothing but where things go. What the plan shares with the referral letter (:mod:`.letter`),
for the same look, is :class:`DocumentRenderer`, generic over the document it lays out: the
sizes, styles, page templates and the parts of the page furniture, reading of the document
only what :class:`.document.RenderedDocument` names. Each renderer subclasses it for its own
document (``DocumentRenderer[PlanDocument]``, ``DocumentRenderer[LetterDocument]``).

Usage::

    pdf = render_plan_pdf(build_plan_document(plan, ...))

Fonts: every text, fixed or free, goes through :func:`fonts.markup_runs` (Paragraphs) or
:func:`fonts.draw_string` (page furniture), so any name prints, and the fonts are embedded as
subsets. Body text is :func:`fonts.body_size` (10.5 pt, 16 pt in large print); the page-1
boxes in normal print :data:`BOX_SIZE` (9 pt; never under :data:`BOX_LEAST`).
"""

from __future__ import annotations

import io
import math
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Generic, TypeVar

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from clinic_desktop.reports import fonts, page
from clinic_desktop.reports.document import (
    ACCENT,
    CRISIS_BG,
    INK,
    MUTED,
    NOTE_BG,
    PAGE_SIZES,
    RED,
    RULE,
    WATERMARK,
    WATERMARK_ALPHA,
    Entry,
    Line,
    RenderedDocument,
    Section,
    markup,
)
from clinic_desktop.reports.plan import PlanDocument

__all__ = ["DocT", "DocumentRenderer", "PlanRenderer", "render_plan_pdf"]

#: The page-1 boxes' text size in normal print (the body is :func:`fonts.body_size`), and the
#: least any of their texts prints at (issue #15: nothing under 9 pt in normal print).
BOX_SIZE = 9.0
BOX_LEAST = 9.0
#: The margins (sides; top and bottom) of a one-page sheet (:attr:`.plan.PlanDocument.one_page`)
#: in normal print.
SHEET_MARGIN_X = 0.6 * inch
SHEET_MARGIN_Y = 0.45 * inch
#: The fewest lines of body text the last page of a plan or sheet holds (a shorter remainder
#: moves whole with what comes before it: :meth:`PlanRenderer._bind_tail`).
FEWEST_LINES = 4

#: The document a :class:`DocumentRenderer` lays out.
DocT = TypeVar("DocT", bound=RenderedDocument)


class DocumentRenderer(ABC, Generic[DocT]):
    """What the plan's and the referral letter's renderers share, for a document of type
    ``DocT``: the sizes, the stylesheet, the page templates, :meth:`render`, and the page
    furniture's parts (the letterhead, the lines at the top right, the rules, "Page X of Y").
    A subclass draws its pages' header and footer (:meth:`_on_page`) and lays out its story
    (:meth:`_story`); it reads of ``doc`` only what :class:`RenderedDocument` names."""

    margin_x = 0.75 * inch
    margin_y = 0.55 * inch
    font, bold = fonts.MAIN, fonts.MAIN_BOLD
    _table_font = page.TABLE_FONT

    def __init__(self) -> None:
        self.doc: DocT | None = None

    # -- sizes -----------------------------------------------------------------------------------

    def _sizes(self, large: bool) -> None:
        body = fonts.body_size(large)
        self.body = body
        self.leading = round(body * 1.38, 1)
        self.small = 9.0 if not large else 14.0  # page furniture: large print's name and page numbers too
        self.phone_size = round(body * 1.5, 1)  # 15.75 / 24
        self.header_height = 3 * (self.small + 3) + 8
        self.header_gap = body * 1.2  # between the header's rule and the text
        self.footer_height = 2 * (self.small + 3) + 6

    # -- the document ----------------------------------------------------------------------------

    def render(self, doc: DocT) -> bytes:
        self.doc = doc
        self._sizes(doc.large_print)
        self.pagesize = PAGE_SIZES[doc.page_size]
        buffer = io.BytesIO()
        template = page.new_document(
            buffer, pagesize=self.pagesize, leftMargin=self.margin_x, rightMargin=self.margin_x,
            topMargin=self.margin_y + self.header_height + self.header_gap,
            bottomMargin=self.margin_y + self.footer_height + self.body * 0.6,
            title=doc.title, author=doc.clinic.name or page.CREATOR, subject=doc.title,
            lang=doc.language,
        )
        self.width = template.width
        self.frame_height = template.height
        template.addPageTemplates(self._page_templates(template))
        self._styles = self._stylesheet()
        template.build(self._story(doc), canvasmaker=page.numbered_canvas(self._page_number))
        return buffer.getvalue()

    def _stylesheet(self) -> dict[str, ParagraphStyle]:
        body, leading = self.body, self.leading
        large = self.doc is not None and self.doc.large_print
        base = ParagraphStyle("body", fontName=self.font, fontSize=body, leading=leading,
                              textColor=INK, alignment=TA_LEFT, bulletFontName=self.font,
                              bulletFontSize=body, spaceAfter=body * 0.35,
                              # large print: a paragraph never leaves one line alone at the
                              # top or the foot of a page
                              allowWidows=0 if large else 1, allowOrphans=0)
        bold = ParagraphStyle("bold", parent=base, fontName=self.bold)
        title = min(body * 2, 26)
        return {
            "body": base,
            "bold": bold,
            "title": ParagraphStyle("title", parent=bold, fontSize=title, leading=title * 1.2,
                                    textColor=ACCENT, spaceAfter=body * 0.2),
            "meta": ParagraphStyle("meta", parent=base, textColor=MUTED, spaceAfter=body * 0.9),
            # a one-page sheet's title and date, closer together
            "title_sheet": ParagraphStyle("title_sheet", parent=bold, fontSize=body * 1.7,
                                          leading=round(body * 1.7 * 1.2, 1), textColor=ACCENT,
                                          spaceAfter=1),
            "meta_sheet": ParagraphStyle("meta_sheet", parent=base, textColor=MUTED,
                                         spaceAfter=body * 0.2),
            "heading": ParagraphStyle("heading", parent=bold, fontSize=body * 1.45,
                                      leading=body * 1.8, textColor=ACCENT, spaceBefore=body * 1.3,
                                      spaceAfter=body * 0.5),
            "crisis_heading": ParagraphStyle("crisis_heading", parent=bold, fontSize=body * 1.45,
                                             leading=body * 1.8, textColor=RED),
            "alert": ParagraphStyle("alert", parent=bold, fontSize=body * 1.75,
                                    leading=body * 2.15, textColor=RED),
            "name": ParagraphStyle("name", parent=bold, fontSize=body * 1.1, leading=leading * 1.1,
                                   spaceAfter=1),
            "phone": ParagraphStyle("phone", parent=bold, fontSize=self.phone_size,
                                    leading=self.phone_size * 1.2, spaceAfter=body * 0.2),
            "detail": ParagraphStyle("detail", parent=base, spaceAfter=body * 0.15),
            "entry_detail": ParagraphStyle("entry_detail", parent=base, leftIndent=body,
                                           spaceAfter=body * 0.15),
            "muted": ParagraphStyle("muted", parent=base, textColor=MUTED, spaceAfter=0),
            "bullet": ParagraphStyle("bullet", parent=base, leftIndent=body * 1.5,
                                     bulletIndent=body * 0.3),
            "label": ParagraphStyle("label", parent=bold, spaceAfter=body * 0.1),
            "words": ParagraphStyle("words", parent=base, leftIndent=body * 1.2,
                                    spaceAfter=body * 0.6),
            "note": ParagraphStyle("note", parent=bold, spaceAfter=0),
            "sign_label": ParagraphStyle("sign_label", parent=base, textColor=MUTED, spaceAfter=0),
            "sign_name": ParagraphStyle("sign_name", parent=bold, spaceAfter=0),
            **self._box_styles(base),
        }

    def _box_styles(self, base: ParagraphStyle) -> dict[str, ParagraphStyle]:
        """The page-1 boxes' type (crisis lines, overdose): in normal print smaller than the
        body so that both boxes and the start of the medicines fit on page 1, never under
        :data:`BOX_LEAST` pt; in large print the body's own sizes."""
        large = self.doc is not None and self.doc.large_print
        body = self.body if large else BOX_SIZE
        small = body if large else max(BOX_LEAST, body - 0.5)
        bold = ParagraphStyle("box_bold", parent=base, fontName=self.bold, fontSize=body,
                              leading=round(body * 1.17, 1), spaceAfter=0)
        text = ParagraphStyle("box_text", parent=bold, fontName=self.font)
        return {
            "box_text": text,
            "box_bold": bold,
            "box_muted": ParagraphStyle("box_muted", parent=text, fontSize=small,
                                        leading=round(small * 1.17, 1), textColor=MUTED),
            "box_name": ParagraphStyle("box_name", parent=bold, fontSize=body + 0.5,
                                       leading=round((body + 0.5) * 1.2, 1), spaceAfter=1),
            "box_phone": ParagraphStyle("box_phone", parent=bold, fontSize=body * 1.4,
                                        leading=round(body * 1.4 * 1.15, 1), spaceAfter=1),
            "box_heading": ParagraphStyle("box_heading", parent=bold, fontSize=body * 1.4,
                                          leading=round(body * 1.4 * 1.2, 1), textColor=RED,
                                          spaceAfter=1),
            "box_title": ParagraphStyle("box_title", parent=bold, fontSize=body * 1.4,
                                        leading=round(body * 1.4 * 1.2, 1), textColor=ACCENT,
                                        spaceAfter=1),
            "box_alert": ParagraphStyle("box_alert", parent=bold, fontSize=body * 1.7,
                                        leading=round(body * 1.7 * 1.2, 1), textColor=RED,
                                        spaceAfter=2),
            "box_bullet": ParagraphStyle("box_bullet", parent=text, leftIndent=body * 1.1,
                                         bulletIndent=body * 0.1, bulletFontSize=body,
                                         spaceAfter=body * 0.12),
        }

    def _page_templates(self, template: BaseDocTemplate) -> list[PageTemplate]:
        return [page.page_template(template, "plan", self._on_page)]

    _fit = staticmethod(page.fit)

    @classmethod
    def _fit_size(cls, text: str, size: float, width: float, bold: bool = False
                  ) -> tuple[str, float, bool]:
        """``text`` in type down to 80 % of ``size`` to fit ``width``; shortened with "…" only
        when that is not enough. Returns (text, size, bold) ready to draw."""
        smallest = size * 0.8
        while size > smallest and fonts.string_width(text, size, bold) > width:
            size = max(smallest, size - 0.5)
        return cls._fit(text, size, width, bold), size, bold

    def _logo(self) -> ImageReader | None:
        """The clinic's logo from its bytes (the database's), else from ``logo_path``."""
        data = self.doc.clinic.logo if self.doc else None
        path = self.doc.clinic.logo_path if self.doc else None
        if not data and (not path or not Path(path).is_file()):
            return None
        try:
            return ImageReader(io.BytesIO(data)) if data else ImageReader(str(path))
        except Exception:  # noqa: BLE001 - an unreadable logo never stops the plan printing
            return None

    @abstractmethod
    def _on_page(self, canv: pdfcanvas.Canvas, template: BaseDocTemplate) -> None:
        """The header and footer of every page (the page numbers are drawn once the count is
        known, by :meth:`_page_number`)."""

    def _header_right(self, canv: pdfcanvas.Canvas, lines: list[tuple[str, float, bool]]) -> float:
        """``lines`` ((text, size, bold), as :meth:`_fit_size` gives them) right-aligned at the
        top right of the page, one under the other; returns the widest one's width."""
        right = self.pagesize[0] - self.margin_x
        step = self.small + 3
        y = self.pagesize[1] - self.margin_y - (self.small + 1.5)
        for text, text_size, bold in lines:
            fonts.draw_string(canv, right, y, text, text_size, bold=bold, align="right")
            y -= step
        return max(fonts.string_width(t, s, b) for t, s, b in lines)

    def _disclosure_furniture(self, canv: pdfcanvas.Canvas, name: str, second: str, notice: str,
                              footer: str) -> None:
        """The page furniture of the letter and the consent form: the letterhead, and from page 2
        (their first page names the patient in its text) whose document it is, ``name`` in bold
        and ``second`` under it, at the top right in up to half the width; in the footer the short
        42 CFR 2.32 ``notice`` in bold and ``footer`` under it (the page number goes on the right)."""
        left, right = self.margin_x, self.pagesize[0] - self.margin_x
        size, step = self.small, self.small + 3
        canv.saveState()
        canv.setFillColor(INK)
        beside = 0.0
        if canv.getPageNumber() > 1:
            most = (right - left) * 0.5
            beside = self._header_right(canv, [self._fit_size(name, size, most, True),
                                               self._fit_size(second, size, most)])
        self._letterhead(canv, beside)
        self._rules(canv)
        bottom = self.margin_y
        fonts.draw_string(canv, left, bottom + step, self._fit(notice, size, right - left, True), size, bold=True)
        canv.setFillColor(MUTED)
        fonts.draw_string(canv, left, bottom, self._fit(footer, size, (right - left) * 0.6), size)
        canv.restoreState()

    def _letterhead(self, canv: pdfcanvas.Canvas, beside: float) -> None:
        """At the top left: the clinic's logo, name, phone and address, the texts giving way
        (smaller, then "…") to ``beside`` points at the right (what :meth:`_header_right` drew)."""
        doc = self.doc
        assert doc is not None
        width, height = self.pagesize
        left, right = self.margin_x, width - self.margin_x
        top = height - self.margin_y
        size, step = self.small, self.small + 3
        name_size = size + 1.5
        x = left
        logo = self._logo()
        if logo is not None:
            iw, ih = logo.getSize()
            box = self.header_height - 8
            scale = min(box / ih, (box * 1.6) / iw) if iw and ih else 0
            if scale:
                canv.drawImage(logo, left, top - ih * scale, iw * scale, ih * scale, mask="auto")
                x = left + iw * scale + 8
        room = right - x - beside - 16
        y = top - name_size
        for text, text_size, bold in ((doc.clinic.name, name_size, True),
                                      (doc.clinic.phone, size, False),
                                      (doc.clinic.address, size, False)):
            if text and room > 40:
                text, text_size, bold = self._fit_size(text, text_size, room, bold)
                fonts.draw_string(canv, x, y, text, text_size, bold=bold)
            y -= step

    def _rules(self, canv: pdfcanvas.Canvas) -> None:
        """The rules under the header and over the footer."""
        left, right = self.margin_x, self.pagesize[0] - self.margin_x
        rule_y = self.pagesize[1] - self.margin_y - self.header_height + 4
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.line(left, rule_y, right, rule_y)
        bottom = self.margin_y
        canv.line(left, bottom + self.footer_height - 4, right, bottom + self.footer_height - 4)

    def _page_number(self, canv: pdfcanvas.Canvas, page: int, total: int) -> None:
        assert self.doc is not None
        canv.saveState()
        canv.setFillColor(INK)
        fonts.draw_string(canv, self.pagesize[0] - self.margin_x, self.margin_y,
                          self.doc.page_text(page, total), self.small, bold=True, align="right")
        canv.restoreState()

    # -- the story -------------------------------------------------------------------------------

    def _p(self, text: str, style: str, **extra: Any) -> Paragraph:
        para_style = self._styles[style]
        return Paragraph(markup(text, para_style.fontName == self.bold), para_style, **extra)

    def _line(self, line: Line, style: str = "detail") -> Paragraph:
        """"Label: value", the label in bold."""
        para_style = self._styles[style]
        value = markup(line.value, para_style.fontName == self.bold)
        if not line.label:
            return Paragraph(value, para_style)
        label = markup(f"{line.label}:", bold=True)
        return Paragraph(f"<b>{label}</b> {value}", para_style)

    @abstractmethod
    def _story(self, doc: DocT) -> list:
        """The document's flowables, in order."""


class PlanRenderer(DocumentRenderer[PlanDocument]):
    """Lays out a :class:`PlanDocument`: on every page a header (clinic, patient name, date of
    birth, record number) and a footer (private-information line, version, "Page X of Y");
    page 1 opens with the title, the boxed crisis lines and the overdose box — in normal print
    both in two columns in the boxes' smaller type (:data:`BOX_SIZE`), so that page 1 holds them
    whole and the start of the medicines; then each section under a plain heading; signature
    lines at the end. Phone numbers print large and bold. A one-page document (the overdose
    sheet) draws "Who to call when" as a box too, on slightly narrower margins."""

    def render(self, doc: PlanDocument) -> bytes:
        # A one-page sheet in normal print takes a little more of the paper.
        sheet = doc.one_page and not doc.large_print
        self.margin_x = SHEET_MARGIN_X if sheet else type(self).margin_x
        self.margin_y = SHEET_MARGIN_Y if sheet else type(self).margin_y
        return super().render(doc)

    def _sizes(self, large: bool) -> None:
        super()._sizes(large)
        if self.doc is not None and self.doc.one_page and not large:
            self.header_gap = self.body * 0.7

    # -- the page furniture ----------------------------------------------------------------------

    def _on_page(self, canv: pdfcanvas.Canvas, template: BaseDocTemplate) -> None:
        """Header and footer of every page (the page numbers are drawn once the count is known)."""
        doc = self.doc
        assert doc is not None
        left, right = self.margin_x, self.pagesize[0] - self.margin_x
        size, step = self.small, self.small + 3
        canv.saveState()
        canv.setFillColor(INK)
        # Right: whose plan it is, in up to 75 % of the width (smaller type before any "…");
        # the clinic, on the left, gives way.
        name_size = size + 1.5
        most = (right - left) * 0.75
        patient_width = self._header_right(canv, [
            self._fit_size(doc.patient.name, name_size, most, True),
            self._fit_size(f"{doc.date_of_birth_label}: {doc.patient.date_of_birth}", size, most),
            self._fit_size(f"{doc.mrn_label}: {doc.patient.mrn}", size, most),
        ])
        self._letterhead(canv, patient_width)
        self._rules(canv)
        # Footer: the private line, then the version (the page number goes on the right).
        bottom = self.margin_y
        canv.setFillColor(INK)
        fonts.draw_string(canv, left, bottom + step, self._fit(doc.footer_private, size, right - left),
                          size)
        if doc.version:
            canv.setFillColor(MUTED)
            fonts.draw_string(canv, left, bottom, doc.version, size)
        canv.restoreState()

    def _page_number(self, canv: pdfcanvas.Canvas, page: int, total: int) -> None:
        super()._page_number(canv, page, total)
        self._watermark(canv)

    def _watermark(self, canv: pdfcanvas.Canvas) -> None:
        """A draft's word ("DRAFT"), large and diagonal across the page, drawn last — over the
        boxes' coloured backgrounds, which hid it — in a translucent grey the text reads
        through."""
        doc = self.doc
        if doc is None or not doc.draft:
            return
        word = doc.watermark or "DRAFT"
        width, height = self.pagesize
        angle = math.degrees(math.atan2(height, width))
        diagonal = math.hypot(width, height)
        size = 160.0
        text_width = fonts.string_width(word, size, True)
        if text_width > diagonal * 0.7:
            size *= diagonal * 0.7 / text_width
        canv.saveState()
        canv.setFillColor(WATERMARK)
        canv.setFillAlpha(WATERMARK_ALPHA)
        canv.translate(width / 2, height / 2)
        canv.rotate(angle)
        fonts.draw_string(canv, 0, -size * 0.35, word, size, bold=True, align="centre")
        canv.restoreState()

    # -- the story -------------------------------------------------------------------------------

    def _story(self, doc: PlanDocument) -> list:
        if doc.one_page and not doc.large_print:  # a one-page sheet: a smaller title
            head = [self._p(doc.title, "title_sheet")]
            if doc.prepared:
                head.append(self._p(doc.prepared, "meta_sheet"))
        else:
            head = [self._p(doc.title, "title")]
            if doc.prepared:  # the version is in every page's footer
                head.append(self._p(doc.prepared, "meta"))
        keys = doc.section_keys
        # The crisis lines' details that did not fit their box follow "Who to call when" (the
        # page that names the other lines), else the overdose box, else the crisis box: never
        # between page 1's boxes and the medicines.
        anchor = next(k for k in ("who_to_call", "overdose", "crisis") if k in keys)
        overdose = (self._overdose_box(doc.section("overdose"))
                    if "overdose" in keys else None)
        story: list = []
        more: list = []
        for section in doc.sections:
            if section.key == "crisis":
                box, *more = self._crisis(section, head, overdose)
                story += [*head, box]
            elif section.key == "overdose":
                assert overdose is not None
                if doc.large_print:  # the box (which may go on over the next page) starts with
                    # its heading and at least two parts under it, else on the next page
                    overdose.wrap(self.width, self.frame_height)
                    story.append(CondPageBreak(overdose.getSpaceBefore() + sum(overdose._rowHeights[:3]) + 1))
                story.append(overdose)
            elif section.key == "signatures":
                story.append(self._signatures(section))
            else:
                story += self._part(section)
            if section.key == anchor:
                story += more
                more = []
        return self._bind_tail(story, signed=doc.section_keys[-1:] == ("signatures",))

    def _bind_tail(self, story: list, *, signed: bool = False) -> list:
        """The story with its last flowables kept together until they make
        :data:`FEWEST_LINES` lines of body text, so that the last page never holds only a
        few lines: a short remainder moves whole with what comes before it. ``signed``: the
        story ends with the signature lines, which count for nothing — they never stand
        alone on the last page. Not when that would keep together more than half a page."""
        least = FEWEST_LINES * self.leading
        tail: list = []
        height = 0.0
        content = 0.0  # of it, what is not the signatures
        while story and content < least:
            tail.insert(0, story.pop())
            height += self._height(tail[:1])
            if not (signed and len(tail) == 1):
                content += self._height(tail[:1])
        if len(tail) > 1 and height <= self.frame_height * 0.5:
            return [*story, KeepTogether([g for f in tail
                                          for g in (f._content if isinstance(f, KeepTogether) else [f])])]
        return [*story, *tail]

    def _height(self, flowables: list) -> float:
        """How tall ``flowables`` are one under the other (KeepTogethers opened; the spaces
        before and after each counted)."""
        total = 0.0
        for f in flowables:
            if isinstance(f, KeepTogether):
                total += self._height(list(f._content))
                continue
            total += f.wrap(self.width, self.frame_height)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        return total

    def _page_one_rest(self) -> float:
        """What page 1 must hold under its boxes: the medicines' heading and first medicine on a
        plan; on the overdose sheet (no medicines) every other section."""
        doc = self.doc
        assert doc is not None
        if "medication" in doc.section_keys:
            first = self._section(doc.section("medication"))
            return self._height(first[:1])
        after = doc.section_keys[doc.section_keys.index("overdose") + 1:] if "overdose" in doc.section_keys else ()
        return sum(self._height(self._part(doc.section(k))) for k in after if k != "signatures")

    def _part(self, section: Section) -> list:
        """A section's flowables: :meth:`_section`, but on the overdose sheet (one page: no
        medicines) in normal print "Who to call when" is a compact box (:meth:`_who_box`)."""
        doc = self.doc
        if section.key == "who_to_call" and doc is not None and doc.one_page and not doc.large_print:
            return [self._who_box(section)]
        return self._section(section)

    def _who_box(self, section: Section) -> Table:
        """"Who to call when" in the boxes' type: the heading across, then the entries side by
        side (name, number, what they are for), then the notes (when to call 911) across."""
        parts = [[self._p(entry.name, "box_name"),
                  *([self._p(entry.phone, "box_phone")] if entry.phone else []),
                  *(self._line(line, "box_text") for line in entry.lines)] for entry in section.entries]
        foot = [self._p(note, "box_bold") for note in section.notes]
        box = self._columns(parts, ACCENT, NOTE_BG, head=[self._p(section.heading, "box_title")],
                            foot=foot or None)
        box.spaceBefore = self.body * 0.45
        return box

    def _phone_col(self) -> float:
        return self.width * 0.42

    def _fits_beside(self, entry: Entry, width: float) -> bool:
        """Whether the entry's name and number fit on one line at large-print sizes."""
        phone_w = fonts.string_width(entry.phone, self.phone_size, bold=True) + 2
        name_w = fonts.string_width(entry.name, self._styles["name"].fontSize, bold=True)
        return name_w + phone_w + 16 <= width

    def _name_and_phone(self, entry: Entry, width: float | None = None,
                        beside: bool | None = None) -> list:
        """The entry's name and its phone number. Normal print: side by side, the numbers in
        one column down the page. Large print: the number at the right of the name when
        ``beside`` (by default: when both fit on the line), else on its own line under it."""
        width = self.width if width is None else width
        name_style = self._styles["name"]
        large = bool(self.doc and self.doc.large_print)
        name = self._p(entry.name, "name") if entry.name else Spacer(1, 0)
        if large and not entry.phone:
            return [name]
        phone = self._p(entry.phone, "phone") if entry.phone else ""
        if large:
            if beside is None:
                beside = self._fits_beside(entry, width)
            if not beside:
                return [name, phone]
            phone_w = fonts.string_width(entry.phone, self.phone_size, bold=True) + 2
        else:
            phone_w = self._phone_col()
        return [Table([[name, phone]], colWidths=[width - phone_w, phone_w],
                      style=TableStyle([
                          ("VALIGN", (0, 0), (-1, -1), "TOP"), self._table_font,
                          ("LEFTPADDING", (0, 0), (-1, -1), 0),
                          ("RIGHTPADDING", (0, 0), (0, 0), 10), ("RIGHTPADDING", (1, 0), (1, 0), 0),
                          ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                          # the name sits on the digits' baseline
                          ("TOPPADDING", (0, 0), (0, 0),
                           max(0.0, self.phone_size * 1.2 - name_style.leading) * 0.75),
                      ]))]

    def _entry(self, entry: Entry, beside: bool | None = None) -> list:
        """An entry's flowables (kept together by the caller)."""
        parts = self._name_and_phone(entry, beside=beside)
        parts += [self._line(line, "entry_detail") for line in entry.lines]
        parts.append(Spacer(1, self.body * 0.7))
        return parts

    def _section(self, section: Section) -> list:
        """The heading, then the section's parts in groups that stay on one page each (an
        entry, a label with the patient's words); the heading stays with the first group.
        KeepTogethers are never nested: ReportLab then always starts a new page."""
        s = self._styles
        groups: list[list] = []
        if section.alert:
            groups.append([self._p(section.alert, "alert")])
        groups += [[self._p(text, "bold" if section.key in ("medication", "level") else "body")]
                   for text in section.paragraphs]
        groups += [[Paragraph(markup(b), s["bullet"], bulletText="•")] for b in section.bullets]
        groups += [[self._p(line.label, "label"), self._p(line.value, "words")]
                   for line in section.lines]
        # Large print: numbers beside the names only when they all fit (one look per section).
        beside = all(self._fits_beside(e, self.width) for e in section.entries if e.phone)
        entries = [self._entry(entry, beside) for entry in section.entries]
        if section.key == "medication" and entries and not section.paragraphs:
            # The first medicine's details may go on over the page: its name and first line stay
            # with the heading under the boxes of page 1, each further line may follow overleaf.
            # Never one line alone overleaf: the last two lines (and the space after) go together.
            head = len(self._name_and_phone(section.entries[0], beside=beside)) + 1
            rest = entries[0][head:]
            if len(rest) >= 3:
                entries[0:1] = [entries[0][:head], *([f] for f in rest[:-3]), rest[-3:]]
        groups += entries
        if section.notes:  # the note stays with what it is about
            if groups:
                groups[-1] = [*groups[-1], Spacer(1, self.body * 0.4), self._notes(section.notes)]
            else:
                groups.append([self._notes(section.notes)])
        heading = self._p(section.heading, "heading")
        if not groups:
            return [heading]
        flat = [heading, *(f for g in groups for f in g)]
        height = sum(f.wrap(self.width, self.frame_height)[1] + f.getSpaceBefore()
                     + f.getSpaceAfter() for f in flat)
        # A short section of text is never split; a list of people or places may break
        # between two of them (less white space at the foot of the page). The medicines start
        # on page 1, under the boxes: their heading and first medicine at least.
        if section.key != "medication" and height <= self.frame_height * (0.15 if section.entries else 0.4):
            return [KeepTogether(flat)]
        first, *others = groups
        return [KeepTogether([heading, *first]), *(KeepTogether(g) if len(g) > 1 else g[0]
                                                   for g in others)]

    def _notes(self, notes: tuple[str, ...]) -> Table:
        rows = [[self._p(n, "note")] for n in notes]
        return Table(rows, colWidths=[self.width], style=TableStyle([
            self._table_font, ("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
            ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
            ("TOPPADDING", (0, 0), (-1, -1), self.body * 0.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.body * 0.5),
        ]))

    def _crisis(self, section: Section, head: list, overdose: Table | None) -> list:
        """The crisis lines in one red-bordered box on page 1, then (the caller places them) the
        lines that did not fit it. The box keeps every line of every helpline when page 1 still
        holds, under the ``head`` (title), the box, the ``overdose`` box and the start of the
        medicines (:meth:`_page_one_rest`); else each line's name, number and first lines —
        what it is for — and, in large print if that is still too tall, the name and number.
        The lines left out follow under their own heading ("More about these help lines")."""
        large = bool(self.doc and self.doc.large_print)
        room = self.frame_height - self._height(head)
        if not large:  # the overdose box and the start of the medicines on page 1 too
            room -= (self._height([overdose]) if overdose is not None else 0) + self._page_one_rest()
        for keep in (None, 2, 1, 0):  # how many of each helpline's lines stay in the box
            box = self._crisis_box(section, keep)
            more = self._crisis_more(section, keep)
            need = box.wrap(self.width, self.frame_height)[1]
            if not large and self.doc is not None and self.doc.one_page:
                need += self._height(more)  # the sheet: its one page holds those lines too
            if need <= room or (keep == 1 and not large):
                break
        return [box, *more]

    def _crisis_more(self, section: Section, keep: int | None) -> list:
        """The helplines' lines from ``keep`` on (none when None), under the heading "More about
        these help lines", each helpline kept together and the heading with the first."""
        if keep is None:
            return []
        groups = [[self._p(entry.name, "name"), *(self._line(line) for line in entry.lines[keep:]),
                   Spacer(1, self.body * 0.5)] for entry in section.entries if entry.lines[keep:]]
        if not groups:
            return []
        heading = self._p(self.doc.crisis_more if self.doc else "", "heading")
        return [KeepTogether([heading, *groups[0]]), *(KeepTogether(g) for g in groups[1:])]

    def _crisis_box(self, section: Section, keep: int | None) -> Table:
        """The crisis box: in normal print :meth:`_crisis_grid`; in large print the heading,
        "Emergency: call 911" and the intro, then one row per helpline: its name and its number
        (at the right of the name when both fit, else under it), then its first ``keep`` lines
        (all when None)."""
        large = bool(self.doc and self.doc.large_print)
        if not large:
            return self._crisis_grid(section, keep)
        phone_w = self._phone_col()
        rows: list[list] = [
            [[self._p(section.heading, "crisis_heading"), self._p(section.alert, "alert"),
              *(self._p(p, "body") for p in section.paragraphs)], ""],
        ]
        for entry in section.entries:
            lines = entry.lines if keep is None else entry.lines[:keep]
            texts = [self._line(line, "detail" if n == 0 else "muted") for n, line in enumerate(lines)]
            if large:
                rows.append([[*self._name_and_phone(entry, self.width - 24), *texts], ""])
            else:
                phone = self._p(entry.phone, "phone") if entry.phone else ""
                rows.append([[self._p(entry.name, "name"), *texts], phone])
        style: list[tuple[Any, ...]] = [
            self._table_font, ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 2, RED), ("BACKGROUND", (0, 0), (-1, -1), CRISIS_BG),
            ("SPAN", (0, 0), (-1, 0)),
            ("LEFTPADDING", (0, 0), (-1, -1), 12), ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ("TOPPADDING", (0, 0), (-1, -1), self.body * 0.55),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.body * 0.3),
            ("TOPPADDING", (0, 0), (-1, 0), self.body * 0.8),
            ("LINEBELOW", (0, 0), (-1, -2), 0.6, colors.HexColor("#E3B5B5")),
        ]
        if large:
            style += [("SPAN", (0, r), (-1, r)) for r in range(1, len(rows))]
        return Table(rows, colWidths=[self.width - phone_w, phone_w], style=TableStyle(style),
                     repeatRows=1)

    def _crisis_grid(self, section: Section, keep: int | None) -> Table:
        """The crisis box in normal print: two columns read down the left, then the right
        (:meth:`_columns`). First the heading, "Emergency: call 911" and the intro; then each
        helpline under a thin rule: its name, its number large and bold, what it is for, and its
        other lines (how to reach it, hours, languages) run together in grey — its first
        ``keep`` lines (all when None)."""
        parts: list[list] = [[self._p(section.heading, "box_heading"), self._p(section.alert, "box_alert"),
                              *(self._p(p, "box_text") for p in section.paragraphs)]]
        for entry in section.entries:
            lines = entry.lines if keep is None else entry.lines[:keep]
            rest = ""
            for line in lines[1:]:  # run together: after a full stop a space, else a dot
                if not line.label:
                    rest += ("" if not rest else " " if rest[-1] in ".!?" else " · ") + line.value
            parts.append([self._p(entry.name, "box_name"),
                          *([self._p(entry.phone, "box_phone")] if entry.phone else []),
                          *(self._line(line, "box_text") for line in lines[:1]),
                          *([self._p(rest, "box_muted")] if rest else []),
                          *(self._line(line, "box_muted") for line in lines[1:] if line.label)])
        return self._columns(parts, RED, CRISIS_BG, rule=True)

    def _columns(self, parts: list[list], edge: colors.Color, background: colors.Color, *,
                 head: list | None = None, foot: list | None = None, rule: bool = False) -> Table:
        """A box of two columns: ``parts`` (each a list of flowables, never split) shared out
        in order — down the left, then the right — so that the columns are as even as they can
        be; ``head`` across the box above them; ``foot`` across the box under a rule, or as
        the right column's last part when that makes the box shorter; with ``rule``, a thin rule
        between the parts in a column. Never split over two pages."""
        if foot:
            across = self._columns_table(parts, edge, background, head, foot, rule)
            beside = self._columns_table([*parts, [Spacer(1, self.body * 0.3), *foot]], edge,
                                         background, head, None, rule)
            return min((across, beside), key=lambda t: t.wrap(self.width, self.frame_height)[1])
        return self._columns_table(parts, edge, background, head, None, rule)

    def _columns_table(self, parts: list[list], edge: colors.Color, background: colors.Color,
                       head: list | None, foot: list | None, rule: bool) -> Table:
        """:meth:`_columns`' box with the foot, if any, across."""
        left_pad, right_pad = 10, 8
        col = self.width / 2
        inner_w = col - left_pad - right_pad
        gap = self.body * 0.35
        inner = colors.HexColor("#E3B5B5")

        def height(part: list) -> float:
            return sum(f.wrap(inner_w, self.frame_height)[1] + f.getSpaceAfter() for f in part)

        heights = [height(part) + (2 * gap if rule else 0) for part in parts]
        split = min(range(1, len(parts)) or [len(parts)],
                    key=lambda k: max(sum(heights[:k]), sum(heights[k:])))

        def column(chosen: list[list]) -> list:
            out: list = []
            for n, part in enumerate(chosen):
                if n and rule:
                    out.append(HRFlowable(width="100%", thickness=0.6, color=inner,
                                          spaceBefore=gap, spaceAfter=gap))
                out += part
            return out

        pad = self.body * 0.4
        rows: list[list] = [[column(parts[:split]), column(parts[split:])]]
        style: list[tuple[Any, ...]] = [
            self._table_font, ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 2 if edge == RED else 1.2, edge),
            ("BACKGROUND", (0, 0), (-1, -1), background),
            ("LEFTPADDING", (0, 0), (-1, -1), left_pad), ("RIGHTPADDING", (0, 0), (-1, -1), right_pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ]
        if head:
            rows.insert(0, [head, ""])
            style += [("SPAN", (0, 0), (-1, 0)), ("BOTTOMPADDING", (0, 0), (-1, 0), pad * 0.3),
                      ("TOPPADDING", (0, 1), (-1, 1), 0)]
        else:
            style.append(("LINEAFTER", (0, 0), (0, 0), 0.6, inner))
        if foot:
            rows.append([foot, ""])
            style += [("SPAN", (0, -1), (-1, -1)),
                      ("LINEABOVE", (0, -1), (-1, -1), 0.6, inner if edge == RED else RULE)]
        return Table(rows, colWidths=[col, col], style=TableStyle(style))

    def _overdose_box(self, section: Section) -> Table:
        """The overdose box under the crisis lines on page 1 (see :meth:`_overdose_rows`; large
        print). In normal print: the heading across the box, then the advice and the signs and
        steps in two columns read down the left then the right — the parts, whole, shared out
        so that the columns are as even as they can be — then the naloxone kit across the box
        under a rule; never split over two pages."""
        if self.doc is not None and self.doc.large_print:
            return self._overdose_rows(section)
        s = self._styles
        parts: list[list] = [[Paragraph(markup(b), s["box_bullet"], bulletText="\u2022")]
                             for b in section.bullets]
        for line in section.lines:  # a labelled line starts a part; the steps stay with their label
            para = self._line(line, "box_bold" if line.label and not line.value else "box_text")
            if line.label or not parts:
                parts.append([para])
            else:
                parts[-1].append(para)
        foot = [self._p(note, "box_bold") for note in section.notes]
        box = self._columns(parts, RED, CRISIS_BG, head=[self._p(section.heading, "box_heading")],
                            foot=foot or None)
        box.spaceBefore = self.body * 0.45
        return box

    def _overdose_rows(self, section: Section) -> Table:
        """The overdose box in large print, boxed like the crisis lines: its heading, the
        advice as bullets, the signs and the steps of what to do, then the naloxone kit. One
        row a part (the steps one row together, the naloxone kit with them), so that a box too
        tall for the rest of the page goes on over the next one, the heading repeated."""
        s = self._styles
        rows: list[list] = [[self._p(section.heading, "crisis_heading")]]
        rows += [[Paragraph(markup(b), s["bullet"], bulletText="\u2022")] for b in section.bullets]
        # A labelled line starts a row; the unlabelled lines under it (the steps of what to do)
        # stay in its row, so that the steps never break across two pages.
        for line in section.lines:
            para = self._line(line, "label" if line.label and not line.value else "detail")
            if line.label or len(rows) == 1:
                rows.append([[para]])
            else:
                rows[-1][0].append(para)
        if section.notes:  # the naloxone kit, set apart under a rule, in the last part's row:
            # a page never holds only the note (and the repeated heading)
            last = rows[-1][0] if isinstance(rows[-1][0], list) else [rows[-1][0]]
            rows[-1] = [[*last, HRFlowable(width="100%", thickness=0.6, color=colors.HexColor("#E3B5B5"),
                                           spaceBefore=self.body * 0.4, spaceAfter=self.body * 0.5),
                         *(self._p(note, "note") for note in section.notes)]]
        style: list[tuple[Any, ...]] = [
            self._table_font, ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (-1, -1), 2, RED), ("BACKGROUND", (0, 0), (-1, -1), CRISIS_BG),
            ("LEFTPADDING", (0, 0), (-1, -1), 12), ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, 0), self.body * 0.8),
            ("BOTTOMPADDING", (0, 0), (-1, 0), self.body * 0.4),
            ("BOTTOMPADDING", (0, -1), (-1, -1), self.body * 0.6),
        ]
        return Table(rows, colWidths=[self.width], style=TableStyle(style), repeatRows=1,
                     spaceBefore=self.body * 0.8)

    def _signatures(self, section: Section) -> KeepTogether:
        """Two lines to sign on (patient, staff) with a date line beside each; under each line
        what it is for and whose it is."""
        patient, staff, date = section.lines
        date_w = self.width * 0.3
        gap_w = 24
        sign_w = self.width - date_w - gap_w

        def label(line: Line) -> list[Paragraph]:
            return [self._p(line.label, "sign_label"),
                    *([self._p(line.value, "sign_name")] if line.value else [])]

        rows = [["", "", ""], [label(patient), "", label(date)],
                ["", "", ""], [label(staff), "", label(date)]]
        space = self.body * 3.4
        style: list[tuple[Any, ...]] = [
            self._table_font, ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]
        style += [("LINEABOVE", (col, row), (col, row), 1, INK) for row in (1, 3) for col in (0, 2)]
        table = Table(rows, colWidths=[sign_w, gap_w, date_w],
                      rowHeights=[space, None, space, None], style=TableStyle(style))
        return KeepTogether([self._p(section.heading, "heading"), table])


def render_plan_pdf(doc: PlanDocument) -> bytes:
    """The plan as a PDF on the document's page size."""
    return PlanRenderer().render(doc)
