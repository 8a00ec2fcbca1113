"""The page machinery every report renderer here shares (DESIGN.md convention 12).

What the aftercare plan (:mod:`.plan`, and the referral letter that reuses its renderer) and
the shift handover (:mod:`.handover`) do alike, in one place; what each draws on its pages
(header, footer, the page number's text, font and place) stays with its renderer.

* :func:`new_document`: the ``BaseDocTemplate`` with the shipped fonts registered, our font as
  the initial one (no unembedded Helvetica in the file) and "Clinic Desktop" as creator.
* :func:`page_template`: one page template, one body frame filling the template's margins (no
  padding), and the renderer's ``on_page`` furniture hook.
* :func:`numbered_canvas`: a canvas class that holds its pages until the end, then calls
  ``draw_number(canvas, page, total)`` on each, for "Page X of Y".
* :func:`fit`: a text shortened with "…" to fit a width (page furniture is drawn, not flowed).
* :data:`TABLE_FONT`: the FONT command every table carries.
* :func:`footer_line`: the rule above the bottom margin and a muted line of text under it, and
  the ink, muted and rule colours of the one-table reports (recovery sheet, audit report).

Usage, in a renderer's ``render``::

    template = page.new_document(buffer, pagesize=..., leftMargin=..., rightMargin=...,
                                 topMargin=..., bottomMargin=..., title=..., author=...)
    template.addPageTemplates([page.page_template(template, "plan", self._on_page)])
    template.build(story, canvasmaker=page.numbered_canvas(self._page_number))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from clinic_desktop.reports import fonts

__all__ = ["CREATOR", "INK", "MUTED", "RULE", "TABLE_FONT", "fit", "footer_line", "new_document", "numbered_canvas",
           "page_template"]

#: The PDF's creator.
CREATOR = "Clinic Desktop"
#: Table cells set a font even when empty: ours, so no unembedded Helvetica is referenced.
TABLE_FONT = ("FONT", (0, 0), (-1, -1), fonts.MAIN)
#: Text, secondary text and rules.
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#4A4A4A")
RULE = colors.HexColor("#9AA5B1")


def new_document(buffer: BinaryIO, **options: Any) -> BaseDocTemplate:
    """A ``BaseDocTemplate`` writing to ``buffer``, the shipped fonts registered. ``options`` are
    ReportLab's (pagesize, the four margins, title, author, subject, lang…); unless given,
    ``creator`` is :data:`CREATOR` and the initial font is :data:`fonts.MAIN`."""
    fonts.register_fonts()
    options.setdefault("creator", CREATOR)
    options.setdefault("initialFontName", fonts.MAIN)  # no unembedded Helvetica in the file
    return BaseDocTemplate(buffer, **options)


def page_template(template: BaseDocTemplate, template_id: str,
                  on_page: Callable[[pdfcanvas.Canvas, BaseDocTemplate], None]) -> PageTemplate:
    """One page template: a single frame (id "body") that fills ``template``'s margins with no
    padding, and ``on_page(canvas, template)`` drawing each page's furniture."""
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height,
                  id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    return PageTemplate(id=template_id, frames=[frame], onPage=on_page)


def numbered_canvas(draw_number: Callable[[pdfcanvas.Canvas, int, int], None]
                    ) -> type[pdfcanvas.Canvas]:
    """A canvas class (for ``build(canvasmaker=...)``) that holds its pages until the end, then
    calls ``draw_number(canvas, page, total)`` on each page before writing it: two passes, so
    every page can say "Page X of Y"."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                draw_number(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """``text`` shortened with "…" to fit ``width`` points at ``size`` (as
    :func:`fonts.string_width` measures it); unchanged when it fits."""
    if fonts.string_width(text, size, bold) <= width:
        return text
    while text and fonts.string_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def footer_line(canv: pdfcanvas.Canvas, page_width: float, margin: float, text: str, size: float,
                rise: float) -> None:
    """A thin rule ``rise`` points above the bottom margin, across the page between the side
    margins, and ``text`` (muted, ``size`` points) on the margin under it."""
    canv.saveState()
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(margin, margin + rise, page_width - margin, margin + rise)
    canv.setFillColor(MUTED)
    fonts.draw_string(canv, margin, margin, text, size)
    canv.restoreState()
