"""The overdose and crisis sheet every discharge offers (reports.overdose_sheet): the plan's own
page-1 sections, printable with no plan."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from clinic_desktop.reports import document as rd
from clinic_desktop.reports import i18n, plan_pdf
from clinic_desktop.reports import overdose_sheet as sheet
from clinic_desktop.reports import plan as rp
from tests.tools import needs_tools, require_tool

PATIENT = rd.PlanPatient("Rosa Díaz", "5 June 1987", "RR-2041")
CLINIC = {"clinic_name": "Riverbend Recovery Clinic", "clinic_phone": "2175550142"}
GIVEN_AT = dt.datetime(2026, 12, 3, 15, 0)


def build(**overrides) -> rp.PlanDocument:
    kwargs = {"language": "en", "patient": PATIENT, "clinic": CLINIC, "helplines": None, "given_at": GIVEN_AT}
    kwargs.update(overrides)
    return sheet.build_overdose_sheet(**kwargs)


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    require_tool("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def test_the_sheet_is_the_crisis_lines_the_overdose_box_and_who_to_call():
    doc = build()
    assert doc.section_keys == sheet.SHEET_SECTIONS == ("crisis", "overdose", "who_to_call")
    assert doc.title == "Staying alive after you leave" and doc.prepared == "Given to you on December 3, 2026"
    assert doc.version == "" and not doc.draft and doc.one_page
    assert len(doc.section("crisis").entries) == len(rp.DEFAULT_HELPLINES)  # the shipped lines by default
    assert doc.section("who_to_call").entries[0].phone == "(217) 555-0142"  # the clinic, from settings


def test_no_plan_never_says_a_kit_was_given_and_has_no_naltrexone_lines():
    doc = build()
    overdose = doc.section("overdose")
    assert overdose.notes[0].startswith("Get a naloxone kit for free")
    assert not any("naltrexone" in b.lower() for b in overdose.bullets)
    with_plan = build(overdose={"naloxone_kit_given": True, "naloxone_shown_person": "Ana"}, naltrexone=True)
    assert with_plan.section("overdose").notes == (
        "You were given a naloxone kit. Keep it where people can find it. Ana was shown how to use it.",)
    assert i18n.text("en", "overdose_naltrexone_block") in with_plan.section("overdose").bullets


def test_the_sheet_in_spanish_and_an_unknown_language_in_english():
    es = build(language="es")
    assert es.title == "Para cuidar su vida al salir"
    assert [s.heading for s in es.sections] == [
        "Si necesita ayuda ahora mismo", "Cómo evitar una sobredosis", "A quién llamar y cuándo"]
    assert build(language="xx").language == "en"
    with pytest.raises(ValueError):
        build(page_size="legal")


@needs_tools("pdftotext")
def test_the_pdf_opens_with_the_crisis_lines_then_the_overdose_box():
    pdf = plan_pdf.render_plan_pdf(build(naltrexone=True))
    first = pdf_text(pdf, 1)
    assert first.index("If you need help right now") < first.index("Staying safe from overdose")
    whole = pdf_text(pdf)
    for expected in ("You take naltrexone", "Good Samaritan", "Give a second dose", "recovery position",
                     "Who to call when", "If you miss a dose, or withdrawal comes back", "Call 911 right away"):
        assert expected in whole, expected
    assert "Page 1 of 1" in whole  # one page (every variant: test_page_one.py)


@pytest.mark.parametrize(("language", "above", "footer"), [
    ("en", "The other help lines are in the box above.", "This sheet belongs to you."),
    ("es", "Las otras líneas de ayuda están en el cuadro de arriba.", "Esta hoja es suya."),
])
def test_the_sheet_speaks_of_itself_not_of_a_plan_or_its_page_1(language, above, footer):
    doc = build(language=language)
    [crisis_line] = doc.section("who_to_call").entries[1].lines
    assert crisis_line.value.endswith(above) and doc.footer_private.startswith(footer)
    plan_line = rp.who_to_call_section(language, doc.clinic, "US").entries[1].lines[0].value
    assert "1" in plan_line and plan_line != crisis_line.value  # the plan still points to its page 1
