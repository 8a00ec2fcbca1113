"""The page machinery the renderers share: the document template, the body frame, the two-pass
"Page X of Y" canvas and shortening a text to fit."""

from __future__ import annotations

import io
import re

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph, Spacer

from clinic_desktop.reports import fonts, page


def test_new_document_registers_our_fonts_and_starts_in_them():
    template = page.new_document(io.BytesIO(), pagesize=(400, 300), leftMargin=20, rightMargin=30,
                                 topMargin=40, bottomMargin=50, title="T", author="A")
    assert fonts.MAIN in pdfmetrics.getRegisteredFontNames()
    assert template.creator == page.CREATOR
    assert template.initialFontName == fonts.MAIN
    assert (template.width, template.height) == (400 - 20 - 30, 300 - 40 - 50)
    other = page.new_document(io.BytesIO(), creator="Someone")
    assert other.creator == "Someone"


def test_the_page_template_has_one_unpadded_frame_filling_the_margins():
    template = page.new_document(io.BytesIO(), pagesize=(400, 300), leftMargin=20, rightMargin=30,
                                 topMargin=40, bottomMargin=50)
    calls = []
    pt = page.page_template(template, "plan", lambda canv, doc: calls.append(canv.getPageNumber()))
    assert pt.id == "plan"
    (frame,) = pt.frames
    assert frame.id == "body"
    assert (frame._x1, frame._y1, frame._width, frame._height) == (20, 50, 350, 210)
    assert (frame._leftPadding, frame._rightPadding, frame._topPadding, frame._bottomPadding) == (0,) * 4
    template.addPageTemplates([pt])
    template.build([Spacer(1, 10)])
    assert calls == [1]  # the furniture hook runs on every page


def test_the_numbered_canvas_numbers_every_page_once_the_total_is_known():
    buffer = io.BytesIO()
    template = page.new_document(buffer, pagesize=(400, 300))
    template.addPageTemplates([page.page_template(template, "p", lambda canv, doc: None)])
    seen: list[tuple[int, int]] = []

    def draw_number(canv, number, total):
        seen.append((number, total))
        canv.setFont(fonts.MAIN, 8)
        canv.drawString(10, 10, f"Page {number} of {total}")

    style = ParagraphStyle("body", fontName=fonts.MAIN)
    story = [Paragraph("one", style), PageBreak(), Paragraph("two", style), PageBreak(),
             Paragraph("three", style)]
    template.build(story, canvasmaker=page.numbered_canvas(draw_number))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(re.findall(rb"/Type /Page\b(?!s)", buffer.getvalue())) == 3


def test_fit_keeps_a_short_text_and_shortens_a_long_one_with_an_ellipsis():
    fonts.register_fonts()
    assert page.fit("Riverbend", 10, 200) == "Riverbend"
    long = "A Very Long Clinic Name " * 8
    short = page.fit(long, 10, 120, bold=True)
    assert short.endswith("…") and long.startswith(short[:-1])
    assert fonts.string_width(short, 10, True) <= 120
    assert page.fit(long, 10, 1) == "…"


def test_the_renderer_knows_the_size_of_every_paper_a_plan_may_print_on():
    """The codes and labels are core's (settings, plan screen, service); the points are the
    renderer's: the two must name the same papers."""
    from clinic_desktop.core import plan as plan_rules
    from clinic_desktop.core.settings import CHOICES
    from clinic_desktop.reports.document import PAGE_SIZES

    assert set(PAGE_SIZES) == set(plan_rules.PAGE_SIZES) == set(CHOICES["plan_page_size"])
