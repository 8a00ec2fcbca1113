"""The shipped fonts: any name prints, in every PDF, embedded as subsets — checked on the rendered
image (poppler's pdftoppm), not only in the extracted text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from reportlab.lib.fonts import tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph

from clinic_desktop import paths
from clinic_desktop.reports import fonts
from clinic_desktop.reports import handover as ho
from tests.tools import needs_tools, require_tool

VIETNAMESE, NORDIC, CHINESE, KOREAN = NAMES = ("Nguyễn Thị Ánh", "Zoë Ødegård-Núñez", "王秀英", "김민준")
FALLBACK_TAG = f'<font name="{fonts.FALLBACK}">'

needs_poppler = needs_tools("pdftoppm", "pdftotext")


def chars(first: int, last: int) -> str:
    """The assigned characters from ``first`` to ``last``."""
    return "".join(c for c in map(chr, range(first, last + 1)) if unicodedata.category(c) != "Cn")


# ---------------------------------------------------------------------------------------------
# The files and the registration
# ---------------------------------------------------------------------------------------------


def test_the_fonts_and_their_licences_are_shipped_in_resources():
    folder = fonts.fonts_dir()
    assert folder == paths.resource("fonts")
    for name in (fonts.MAIN, fonts.MAIN_BOLD, fonts.FALLBACK):
        assert fonts.font_path(name).is_file()
        assert fonts.font_path(name).parent == folder
    assert "SIL OPEN FONT LICENSE" in (folder / "LICENSE-NotoSans.txt").read_text(encoding="utf-8")
    wqy = (folder / "LICENSE-WenQuanYiMicroHei.txt").read_text(encoding="utf-8")
    assert "Apache License" in wqy and "Version 2.0" in wqy
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for file in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "wqy-microhei.ttc"):
        assert file in readme


def test_the_fonts_are_found_in_a_pyinstaller_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.fonts_dir() == tmp_path / "resources" / "fonts"
    assert fonts.font_path(fonts.FALLBACK) == tmp_path / "resources" / "fonts" / "wqy-microhei.ttc"


def test_register_fonts_is_idempotent_and_maps_the_family():
    fonts.register_fonts()
    regular, fallback = pdfmetrics.getFont(fonts.MAIN), pdfmetrics.getFont(fonts.FALLBACK)
    fonts.register_fonts()
    assert pdfmetrics.getFont(fonts.MAIN) is regular and pdfmetrics.getFont(fonts.FALLBACK) is fallback
    assert tt2ps(fonts.MAIN, 1, 0) == fonts.MAIN_BOLD  # <b> in a Paragraph finds the bold face
    assert tt2ps(fonts.MAIN, 0, 1) == fonts.MAIN  # no italic shipped: upright
    assert tt2ps(fonts.FALLBACK, 1, 0) == fonts.FALLBACK  # no bold CJK face: regular


def test_body_sizes_normal_and_large_print():
    assert fonts.body_size() == fonts.body_size(False) == fonts.BODY_SIZE == 10.5
    assert fonts.body_size(True) == fonts.LARGE_PRINT_SIZE >= 16


# ---------------------------------------------------------------------------------------------
# Coverage (from the fonts' cmaps)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_character_of_the_names_is_in_the_main_font_or_the_fallback(name):
    for char in name:
        assert fonts.covers(fonts.MAIN, char) or fonts.covers(fonts.FALLBACK, char), char


def test_latin_names_print_in_the_main_font_cjk_names_in_the_fallback():
    for face in (fonts.MAIN, fonts.MAIN_BOLD):
        assert all(fonts.covers(face, c) for c in VIETNAMESE + NORDIC)
        assert not any(fonts.covers(face, c) for c in CHINESE + KOREAN)
    assert all(fonts.covers(fonts.FALLBACK, c) for c in CHINESE + KOREAN)


def test_the_main_font_covers_latin_vietnamese_and_cyrillic_in_both_weights():
    wanted = (chars(0x20, 0x7E) + chars(0xA0, 0xFF)  # ASCII, Latin-1
              + chars(0x100, 0x17F)  # Latin Extended-A
              + "ƠơƯư" + chars(0x1EA0, 0x1EF9)  # Vietnamese
              + chars(0x400, 0x45F)  # Russian, Ukrainian, Belarusian, Serbian, Macedonian, Bulgarian
              + "°–—·…₂‘’“”•€")  # the reports' own signs
    for face in (fonts.MAIN, fonts.MAIN_BOLD):
        assert [c for c in wanted if not fonts.covers(face, c)] == [], face


def test_the_fallback_covers_han_kana_and_hangul():
    wanted = (chars(0x4E00, 0x9FA5)  # CJK unified ideographs (Unicode 4.1 block)
              + chars(0xAC00, 0xD7A3)  # every Hangul syllable
              + chars(0x3041, 0x3094) + chars(0x30A1, 0x30F6) + "ー・")  # Hiragana, Katakana
    assert [c for c in wanted if not fonts.covers(fonts.FALLBACK, c)] == []


# ---------------------------------------------------------------------------------------------
# Markup, run by run
# ---------------------------------------------------------------------------------------------


def test_markup_runs_wraps_each_run_the_main_font_lacks_not_each_character():
    assert fonts.markup_runs(VIETNAMESE) == VIETNAMESE
    assert fonts.markup_runs(CHINESE) == f"{FALLBACK_TAG}王秀英</font>"
    assert fonts.markup_runs("Kim 김민준 / 王秀英 (Wang)") == (
        f"Kim {FALLBACK_TAG}김민준</font> / {FALLBACK_TAG}王秀英</font> (Wang)")
    # A space is in the main font: a name with one is two runs.
    assert fonts.markup_runs("山田 はなこ") == f"{FALLBACK_TAG}山田</font> {FALLBACK_TAG}はなこ</font>"
    assert fonts.runs("Zoë 王秀英", bold=True) == [(fonts.MAIN_BOLD, "Zoë "), (fonts.FALLBACK, "王秀英")]


def test_markup_runs_escapes_the_text_inside_and_outside_the_runs():
    assert fonts.markup_runs("O'Brien <Tess> & Co") == "O'Brien &lt;Tess&gt; &amp; Co"
    assert fonts.markup_runs("<王&秀>") == f"&lt;{FALLBACK_TAG}王</font>&amp;{FALLBACK_TAG}秀</font>&gt;"
    assert fonts.markup_runs("") == ""


def test_markup_runs_composes_decomposed_accents_and_jamo():
    decomposed = unicodedata.normalize("NFD", VIETNAMESE + " " + NORDIC)
    assert decomposed != VIETNAMESE + " " + NORDIC
    assert fonts.markup_runs(decomposed) == VIETNAMESE + " " + NORDIC
    assert fonts.markup_runs(unicodedata.normalize("NFD", KOREAN)) == f"{FALLBACK_TAG}{KOREAN}</font>"


def test_a_character_neither_font_has_stays_in_the_main_font():
    assert fonts.markup_runs("Ana \U0001F600") == "Ana \U0001F600"


def test_string_width_adds_the_runs():
    fonts.register_fonts()
    text = "Kim 김민준"
    assert fonts.string_width(text, 12) == pytest.approx(
        pdfmetrics.stringWidth("Kim ", fonts.MAIN, 12) + pdfmetrics.stringWidth(KOREAN, fonts.FALLBACK, 12))
    assert fonts.string_width(text, 12, bold=True) > fonts.string_width(text, 12)


# ---------------------------------------------------------------------------------------------
# The PDF: embedded subsets, the text, and the image
# ---------------------------------------------------------------------------------------------


def style(size: float, bold: bool = False) -> ParagraphStyle:
    return ParagraphStyle("name", fontName=fonts.MAIN_BOLD if bold else fonts.MAIN, fontSize=size,
                          leading=size * 1.3)


def pdf_of(pages: list[tuple[str, ParagraphStyle]], width: float = 320) -> bytes:
    """One Paragraph (markup, style) per page, each page just big enough for one line."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    canv = pdfcanvas.Canvas(buffer, initialFontName=fonts.MAIN, invariant=True)
    for markup, para_style in pages:
        height = para_style.leading * 2
        canv.setPageSize((width, height))
        para = Paragraph(markup, para_style)
        para.wrapOn(canv, width - 20, height)
        para.drawOn(canv, 10, para_style.leading * 0.5)
        canv.showPage()
    canv.save()
    return buffer.getvalue()


def name_pages(*, bold: bool = False) -> list[tuple[str, ParagraphStyle]]:
    return [(fonts.markup_runs(name, bold), style(fonts.body_size(large), bold))
            for large in (False, True) for name in NAMES]


def png_pages(pdf: bytes, dpi: int = 100) -> list[Image.Image]:
    """The pages as greyscale images (``pdftoppm -r dpi -png``)."""
    require_tool("pdftoppm")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "names.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(Path(folder) / "page")],
                       check=True, capture_output=True)
        files = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [Image.open(f).convert("L") for f in files]


def ink(image: Image.Image) -> int:
    """Pixels darker than mid-grey."""
    return sum(image.point(lambda v: 255 if v < 128 else 0).histogram()[255:])


def inked(image: Image.Image) -> Image.Image:
    """The image cropped to its ink, as black and white."""
    bw = image.point(lambda v: 0 if v < 128 else 255)
    box = ImageChops.invert(bw).getbbox()
    assert box is not None, "a blank page"
    return bw.crop(box)


def pdf_text(pdf: bytes) -> str:
    require_tool("pdftotext")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "names.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def assert_only_embedded_subsets(pdf: bytes, families: set[str]) -> None:
    """Every font of the PDF is a TrueType subset embedded in the file (/FontFile2, ABCDEF+ tag);
    ``families`` are the PostScript names found."""
    base_fonts = set(re.findall(rb"/BaseFont /([^\s/>\]]+)", pdf))
    assert base_fonts, "no fonts in the PDF"
    assert all(re.fullmatch(rb"[A-Z]{6}\+\S+", name) for name in base_fonts), base_fonts
    assert {name.split(b"+", 1)[1].decode() for name in base_fonts} == families
    assert b"/Type1" not in pdf and b"Helvetica" not in pdf  # no standard, unembedded font
    assert pdf.count(b"/FontFile2") >= len(families)
    require_tool("pdffonts")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fonts.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True,
                                 text=True).stdout.splitlines()[2:]
    assert listing and all(re.search(r"TrueType\s+\S+\s+yes\s+yes\s+yes", row) for row in listing), listing


def test_the_names_pdf_embeds_every_font_as_a_subset():
    pdf = pdf_of(name_pages() + name_pages(bold=True))
    assert_only_embedded_subsets(pdf, {"NotoSans-Regular", "NotoSans-Bold", "WenQuanYiMicroHei-0"})
    # Subsets, not whole fonts: far smaller than the 5 MB collection and the 0.5 MB faces.
    assert len(pdf) < 120_000


@needs_poppler
def test_the_names_round_trip_through_the_pdf_text():
    text = pdf_text(pdf_of(name_pages() + name_pages(bold=True)))
    lines = [line for line in text.splitlines() if line.strip() and line != "\f"]
    assert [line.strip("\f") for line in lines] == list(NAMES) * 4


@needs_poppler
def test_every_name_prints_with_ink_in_proportion_to_its_letters():
    pages = name_pages() + name_pages(bold=True)
    images = png_pages(pdf_of(pages))
    assert len(images) == len(pages)
    for (markup, para_style), image in zip(pages, images, strict=True):
        name = re.sub(r"<[^>]+>", "", markup)
        letters = sum(not c.isspace() for c in name)
        # At 100 dpi these names leave 25-60 dark pixels a letter at 10.5 pt, 64-150 at 16 pt
        # (a missing glyph leaves none): half of that is the floor.
        per_letter = 12 if para_style.fontSize < 16 else 30
        assert ink(image) >= per_letter * letters, (name, para_style.fontSize, ink(image))
    # Large print is larger: (16 / 10.5)² ≈ 2.3 times the ink of the same name.
    n = len(NAMES)
    for first in (0, 2 * n):  # regular, then bold: n names normal, then the n names large
        for normal, large in zip(images[first:first + n], images[first + n:first + 2 * n], strict=True):
            assert ink(large) > 1.8 * ink(normal)


@needs_poppler
def test_no_glyph_prints_as_a_blank_or_a_tofu_box():
    """Each character of the names alone on a page at 40 pt leaves ink, and its image is not what
    a character the fonts lack prints as (poppler draws nothing for the missing glyph; a viewer
    that draws the main font's empty box would give the same image for any missing character)."""
    glyphs = sorted({c for name in NAMES for c in name if not c.isspace()})
    big = style(40)
    missing = [(fonts.markup_runs("\ue000"), big), (fonts.markup_runs("\U0001F600"), big)]
    images = png_pages(pdf_of([(fonts.markup_runs(c), big) for c in glyphs] + missing, width=90))
    tofu, tofu_too = (inked(image) if ink(image) else None for image in images[-2:])
    # The method itself: two different missing characters print alike (blank, or the same box).
    assert (tofu is None) == (tofu_too is None)
    assert tofu is None or (tofu.size == tofu_too.size
                            and ImageChops.difference(tofu, tofu_too).getbbox() is None)
    for char, image in zip(glyphs, images, strict=False):
        assert ink(image) >= 25, f"{char!r} printed blank"  # "-", the least, leaves ~56
        if tofu is not None:
            glyph = inked(image)
            same = glyph.size == tofu.size and ImageChops.difference(glyph, tofu).getbbox() is None
            assert not same, f"{char!r} printed as the missing-glyph box"


@needs_poppler
@pytest.mark.parametrize("name", [CHINESE, KOREAN])
def test_cjk_names_print_differently_from_the_main_fonts_boxes(name):
    """Without the fallback the main font prints boxes: the fallback's image differs from it."""
    big = style(fonts.LARGE_PRINT_SIZE)
    with_fallback, boxes = png_pages(pdf_of([(fonts.markup_runs(name), big), (name, big)]))
    assert ImageChops.difference(with_fallback, boxes).getbbox() is not None
    assert ink(with_fallback) >= 30 * len(name) and ink(with_fallback) > ink(boxes)


# ---------------------------------------------------------------------------------------------
# The handover prints them too
# ---------------------------------------------------------------------------------------------


def handover_with(names: tuple[str, ...]) -> ho.HandoverReport:
    at = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
    base = ho.HandoverSection(
        episode_id=0, name="", mrn="", allergies="Allergies: 青霉素", risk_flags=("Prior overdose (1)",),
        risks_text="Prior overdose (1)", stage="Stabilization", pathway="Methadone", day_of_stay=2,
        last_cows="14 moderate at 09:10", next_cows="13:10", overdue=False,
        last_vitals="P 96 · BP 128/82 · SpO₂ 98 % at 09:12", vitals_warnings=(),
        doses=(ho.DoseLine(at, "08:00", "Lofexidine", "held", "Lofexidine held: 头晕 (by 李娜)"),),
        alerts=(), supportive_done=("Hydration",), safety_alert=False)
    sections = tuple(dataclasses.replace(base, episode_id=i, name=name, mrn=f"M-{i}")
                     for i, name in enumerate(names, start=1))
    return ho.HandoverReport(
        title="Shift handover", clinic_name="Riverbend 康复 Clinic", clinic_contact="Hà Nội",
        prepared_at="Mon 9 Mar 2026 07:45 CDT", prepared_by="김민준 (Nurse)",
        window_text="Doses and complications since yesterday 19:45 (past 12 h)",
        scope_text=f"Whole census: {len(names)} patients", patients=sections)


def test_the_handover_embeds_only_the_shipped_fonts_as_subsets():
    pdf = ho.render_handover_pdf(handover_with(NAMES))
    assert_only_embedded_subsets(pdf, {"NotoSans-Regular", "NotoSans-Bold", "WenQuanYiMicroHei-0"})


@needs_poppler
def test_the_handover_prints_every_name_and_the_cjk_furniture():
    text = pdf_text(ho.render_handover_pdf(handover_with(NAMES)))
    for name in NAMES:
        assert name in text
    assert "Riverbend 康复 Clinic" in text and "by 김민준 (Nurse)" in text and "Hà Nội" in text
    assert "Lofexidine held: 头晕 (by 李娜)" in text
