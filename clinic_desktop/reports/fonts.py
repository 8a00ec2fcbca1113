"""The fonts every PDF prints with, so that any patient's name prints (no Qt here).

* Main family: **Noto Sans** Regular and Bold (TrueType outlines) — Latin with every accent,
  Vietnamese, Cyrillic, Greek, and the signs the reports use (°, –, —, ·, …, ₂).
* Fallback: **WenQuanYi Micro Hei** (first face of the TTC) for Chinese, Japanese and Korean.
  ReportLab embeds only TrueType outlines, so the Noto CJK fonts (CFF) cannot be used; Droid Sans
  Fallback has no Hangul. The fallback has no bold: CJK text prints in its regular weight.

Both live in ``resources/fonts/`` with their licences (see the README there) and are embedded
as subsets in every PDF (ReportLab always subsets TrueType fonts).

Usage::

    fonts.register_fonts()                                  # once, before building a story
    style = ParagraphStyle("body", fontName=fonts.MAIN, fontSize=fonts.body_size(large_print))
    Paragraph(fonts.markup_runs(patient_name), style)       # never raw text: it is escaped here
    fonts.draw_string(canvas, x, y, clinic_name, 11, bold=True)   # canvas text, outside a Paragraph

Text is NFC-normalised first, so a name typed with combining accents ("e" + U+0301) prints with
the precomposed glyph. A character neither font has (an emoji, say) prints in the main font as
its empty-box glyph.
"""

from __future__ import annotations

import threading
import unicodedata
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from clinic_desktop import paths

__all__ = [
    "BODY_SIZE",
    "FALLBACK",
    "LARGE_PRINT_SIZE",
    "MAIN",
    "MAIN_BOLD",
    "body_size",
    "covers",
    "draw_string",
    "font_path",
    "font_problems",
    "fonts_dir",
    "markup_runs",
    "register_fonts",
    "runs",
    "string_width",
]

#: ReportLab names: the main family (also the family name for <b>) and the CJK fallback.
MAIN = "NotoSans"
MAIN_BOLD = "NotoSans-Bold"
FALLBACK = "WenQuanYiMicroHei"

#: Body text in points: normal, and large print (patients with low vision).
BODY_SIZE = 10.5
LARGE_PRINT_SIZE = 16.0

_FILES = {MAIN: ("NotoSans-Regular.ttf", 0), MAIN_BOLD: ("NotoSans-Bold.ttf", 0),
          FALLBACK: ("wqy-microhei.ttc", 0)}
_lock = threading.Lock()
_registered = False


def body_size(large_print: bool = False) -> float:
    """The body text size in points."""
    return LARGE_PRINT_SIZE if large_print else BODY_SIZE


def fonts_dir() -> Path:
    """``resources/fonts`` in the source tree, an installed wheel or a PyInstaller bundle."""
    return paths.resource("fonts")


def font_path(name: str) -> Path:
    """The file of one of :data:`MAIN`, :data:`MAIN_BOLD`, :data:`FALLBACK`."""
    return fonts_dir() / _FILES[name][0]


def font_problems() -> tuple[int, list[str]]:
    """For ``clinic-desktop doctor``: how many font files the PDFs need, and what is wrong with
    them (missing, or not a font ReportLab can read: a damaged copy, a Git LFS pointer), one
    sentence each. Nothing is registered."""
    problems = []
    for name, (filename, index) in _FILES.items():
        path = fonts_dir() / filename
        if not path.is_file():
            problems.append(f"{filename} is missing")
            continue
        try:
            TTFont(f"doctor-{name}", str(path), subfontIndex=index)
        except Exception as exc:  # noqa: BLE001 - whatever ReportLab says, the font cannot print
            problems.append(f"{filename} cannot be read ({exc.__class__.__name__})")
    return len(_FILES), problems


def register_fonts() -> None:
    """Register the fonts with ReportLab (safe to call again, and from any thread).

    The main family maps normal/bold (italic falls back to upright: no italic is shipped), so
    ``<b>`` in markup works; the fallback is its own family in every style.
    """
    global _registered
    with _lock:
        if _registered:
            return
        for name, (filename, index) in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / filename), subfontIndex=index))
        pdfmetrics.registerFontFamily(MAIN, normal=MAIN, bold=MAIN_BOLD, italic=MAIN,
                                      boldItalic=MAIN_BOLD)
        pdfmetrics.registerFontFamily(FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK,
                                      boldItalic=FALLBACK)
        _registered = True


def _cmap(font_name: str) -> dict[int, int]:
    register_fonts()
    return pdfmetrics.getFont(font_name).face.charToGlyph


def covers(font_name: str, char: str) -> bool:
    """Whether the font ``font_name`` (one of ours) has a glyph for ``char``, from its cmap."""
    return ord(char) in _cmap(font_name)


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` (NFC) cut into ``(font name, chunk)`` runs: the main face (bold or regular)
    where it has the glyph, else the fallback where that has it, else the main face."""
    main = MAIN_BOLD if bold else MAIN
    main_cmap, fallback_cmap = _cmap(main), _cmap(FALLBACK)

    def font_for(char: str) -> str:
        code = ord(char)
        return FALLBACK if code not in main_cmap and code in fallback_cmap else main

    text = unicodedata.normalize("NFC", text)
    return [(font, "".join(chars)) for font, chars in groupby(text, key=font_for)]


def markup_runs(text: str, bold: bool = False) -> str:
    """``text`` escaped for a ReportLab Paragraph, each run of characters the main face lacks
    wrapped in ``<font name="WenQuanYiMicroHei">``. ``bold`` says which main face the
    Paragraph's style uses (its cmap decides); the main runs are left to the style."""
    return "".join(f'<font name="{FALLBACK}">{escape(chunk)}</font>' if font == FALLBACK
                   else escape(chunk) for font, chunk in runs(text, bold))


def string_width(text: str, size: float, bold: bool = False) -> float:
    """The printed width of ``text`` in points, run by run."""
    return sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs(text, bold))


def draw_string(canv, x: float, y: float, text: str, size: float, bold: bool = False,
                align: str = "left") -> None:
    """Draw one line of ``text`` on a ReportLab canvas run by run (``align``: "left", "right"
    or "centre" about ``x``). The fill colour is the canvas's; its font is left set to the
    last run's (wrap the call in saveState/restoreState as usual)."""
    if align == "right":
        x -= string_width(text, size, bold)
    elif align == "centre":
        x -= string_width(text, size, bold) / 2
    for font, chunk in runs(text, bold):
        canv.setFont(font, size)
        canv.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, font, size)
