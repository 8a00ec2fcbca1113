"""What page 1 of a printed plan holds, and how the overdose and crisis sheet and large print
break into pages (issue #15 items 3, 4 and 9; CLINICAL.md §7).

* Page 1 of every normal-print plan — English and Spanish, Letter and A4, the demo plan and a
  plan with naltrexone, many medicines and long texts — holds, in this order, the crisis lines
  box, the whole overdose box, then the medicines' heading and the first medicine.
* The overdose and crisis sheet is one page in English and Spanish, with and without the
  naltrexone lines, with a kit given or where to get one, on Letter and A4.
* Large print: no page holds only a few lines (:data:`FEWEST_LINES`), and no page ends with a
  heading whose first content is on the next page.

The text of a page is read with pdftotext. The boxes print in two columns, which pdftotext may
interleave line by line; so a text is found on page 1 when it is whole either in the page's
text or in the text of the page's left or right half (a full-width text is whole in the first,
a text in a column in the second). A text printed on another page is found in none of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess

import pytest
from sqlalchemy import select

from clinic_desktop.core.models import Episode, Patient
from clinic_desktop.reports import document as rd
from clinic_desktop.reports import i18n, plan_pdf
from clinic_desktop.reports import overdose_sheet as sheet
from clinic_desktop.reports import plan as rp
from tests.tools import needs_tools, require_tool

pytestmark = needs_tools("pdftotext")

#: Large print: the fewest lines of body text a page may hold (a page of the plan's own text,
#: between its header and footer). Fewer is a page a patient turns to for almost nothing.
FEWEST_LINES = 4


# ---------------------------------------------------------------------------------------------
# Reading the PDF
# ---------------------------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def pdftotext(pdf: bytes, page: int, crop: tuple[float, float, float, float] | None = None) -> str:
    """Page ``page``'s text; ``crop`` (x, y, width, height in points from the top left) reads
    only that part of the page."""
    require_tool("pdftotext")
    args = ["pdftotext", "-f", str(page), "-l", str(page)]
    if crop is not None:
        x, y, w, h = crop
        args += ["-r", "72", "-x", str(int(x)), "-y", str(int(y)), "-W", str(int(w)), "-H", str(int(h))]
    return subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


class Page:
    """One page's text, whole and by halves (see the module doc)."""

    def __init__(self, pdf: bytes, number: int, size: tuple[float, float]):
        width, height = size
        self.whole = flat(pdftotext(pdf, number))
        self.halves = [flat(pdftotext(pdf, number, (0, 0, width / 2, height))),
                       flat(pdftotext(pdf, number, (width / 2, 0, width / 2, height)))]

    def has(self, text: str) -> bool:
        text = flat(text)
        return text in self.whole or any(text in half for half in self.halves)


def body_lines(pdf: bytes, number: int, doc: rp.PlanDocument) -> list[str]:
    """The non-empty lines of page ``number`` between its header and its footer."""
    renderer = plan_pdf.PlanRenderer()
    renderer.doc = doc
    renderer._sizes(doc.large_print)
    width, height = rd.PAGE_SIZES[doc.page_size]
    top = renderer.margin_y + renderer.header_height
    bottom = height - renderer.margin_y - renderer.footer_height + 4
    text = pdftotext(pdf, number, (0, top, width, bottom - top))
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# The plans
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory):
    """DEMO-0001's plan as the demo seeds it (a database of this module's own), and a counselor
    who may print it: ``document(language, page_size, large_print)`` gives the document."""
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import accounts, demo, plans
    from tests.conftest import CLINIC, STRONG_PASSWORD, make_user

    db = open_database(tmp_path_factory.mktemp("demo") / "clinic.db")
    admin = accounts.create_first_admin(db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    demo.seed(db)
    counselor = make_user(db, admin, "counselor")
    with db.read() as s:
        episode_id = s.execute(select(Episode.id).join(Patient, Patient.id == Episode.patient_id)
                               .where(Patient.mrn == "DEMO-0001")).scalar_one()

    def document(language: str, page_size: str = "letter", large_print: bool = False) -> rp.PlanDocument:
        view = plans.open_plan(db, counselor, episode_id)
        plans.save_draft(db, counselor, view.id, view.version, dict(view.draft), language=language,
                         page_size=page_size, large_print=large_print)
        doc = plans.document(db, counselor, view.id)
        return dataclasses.replace(doc, draft=False, watermark="")  # no letters between the words

    yield document
    db.dispose()


#: Naltrexone (its two lines in the overdose box), a kit given and shown to someone with a long
#: name, three medicines to go on with, long free text everywhere.
LONG_PLAN = {
    "medication": {
        "choice": "naltrexone", "prescriber": "Dr. Maximiliano Fernández-Castellanos de la Vega",
        "next": "2026-12-07T10:00",
        "reconciliation": [
            {"name": f"Medicine number {n} with a very long name, extended release", "drug_id": None,
             "decision": "continue", "dose": "380 mg", "route": "intramuscular injection",
             "frequency": "every four weeks, in the clinic, on a weekday morning",
             "leave": "prescription", "pharmacy": "Springfield Community Pharmacy and Wellness Center",
             "pharmacy_phone": "2175550199", "next": "2026-12-28T09:30"}
            for n in (1, 2, 3)],
    },
    "level": "intensive_outpatient",
    "therapies": ["cbt", "contingency_management"],
    "overdose": {"naloxone_kit_given": True,
                 "naloxone_shown_person": "María de los Ángeles Rodríguez-Santamaría",
                 "naloxone_shown_patient": True},
}
LONG_CLINIC = rd.PlanClinic("Riverbend Recovery and Community Wellness Clinic of Greater Springfield",
                            "1200 North Grand Avenue East, Building C, Suite 400, Springfield, IL 62702",
                            "(217) 555-0142")


def long_plan(language: str, page_size: str = "letter", large_print: bool = False) -> rp.PlanDocument:
    return rp.build_plan_document(
        LONG_PLAN, language=language,
        patient=rd.PlanPatient("Rosa María Delgado de la Fuente y Quiñones", "5 June 1987", "RR-2041"),
        clinic=LONG_CLINIC, prepared_by="Dana Ortiz-Whitfield", prepared_at=dt.datetime(2026, 12, 3, 15),
        referral_contacts={}, meeting_contacts={}, helplines=None, version=3, page_size=page_size,
        large_print=large_print)


VARIANTS = [(language, size) for language in ("en", "es") for size in ("letter", "a4")]


# ---------------------------------------------------------------------------------------------
# Page 1 of a plan
# ---------------------------------------------------------------------------------------------


def assert_page_one(doc: rp.PlanDocument) -> None:
    pdf = plan_pdf.render_plan_pdf(doc)
    first = Page(pdf, 1, rd.PAGE_SIZES[doc.page_size])
    crisis, overdose, medication = (doc.section(k) for k in ("crisis", "overdose", "medication"))
    # the crisis box: heading, 911, every line's name and number, what each is for
    for text in (crisis.heading, crisis.alert, *crisis.paragraphs):
        assert first.has(text), text
    for entry in crisis.entries:
        assert first.has(entry.name) and first.has(entry.phone) and first.has(entry.lines[0].value), entry
    # the whole overdose box: every bullet, the signs, every step, the naloxone kit
    for text in overdose.texts:
        assert first.has(text), text
    # the medicines' heading and the first medicine
    assert first.has(medication.heading)
    if medication.paragraphs:
        assert first.has(medication.paragraphs[0])
    else:  # the chosen medicine, reconciled: its name and first line
        assert first.has(medication.entries[0].name) and first.has(medication.entries[0].lines[0].value)
    # in this order
    whole = first.whole
    assert whole.index(flat(crisis.heading)) < whole.index(flat(overdose.heading)) \
        < whole.index(flat(medication.heading))


@pytest.mark.parametrize(("language", "page_size"), VARIANTS)
def test_page_one_of_the_demo_plan_holds_both_boxes_and_the_first_medicine(demo_plan, language, page_size):
    assert_page_one(demo_plan(language, page_size))


@pytest.mark.parametrize(("language", "page_size"), VARIANTS)
def test_page_one_of_a_long_naltrexone_plan_holds_both_boxes_and_the_first_medicine(language, page_size):
    doc = long_plan(language, page_size)
    assert i18n.text(language, "overdose_naltrexone_block") in doc.section("overdose").bullets
    assert_page_one(doc)


def test_the_check_can_fail_large_print_moves_the_overdose_box_off_page_one():
    """The same check on large print, whose crisis box fills page 1: it fails."""
    with pytest.raises(AssertionError):
        assert_page_one(long_plan("en", large_print=True))


def test_every_helpline_detail_still_prints_somewhere(demo_plan):
    """What the crisis box cannot hold follows "Who to call when": nothing is lost."""
    for language in ("en", "es"):
        doc = demo_plan(language)
        pdf = plan_pdf.render_plan_pdf(doc)
        pages = [Page(pdf, n, rd.PAGE_SIZES[doc.page_size]) for n in range(1, page_count(pdf) + 1)]
        for entry in doc.section("crisis").entries:
            for line in entry.lines:
                assert any(p.has(line.value) for p in pages), line


# ---------------------------------------------------------------------------------------------
# The overdose and crisis sheet
# ---------------------------------------------------------------------------------------------


SHEET_PATIENT = rd.PlanPatient("María de los Ángeles Rodríguez-Santamaría", "5 June 1987", "RR-2041")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("naltrexone", [False, True])
@pytest.mark.parametrize("kit", [False, True])
@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_the_sheet_is_one_page_with_everything_on_it(language, naltrexone, kit, page_size):
    overdose = ({"naloxone_kit_given": True, "naloxone_shown_patient": True,
                 "naloxone_shown_person": "María de los Ángeles Rodríguez-Santamaría"} if kit else None)
    doc = sheet.build_overdose_sheet(
        language=language, patient=SHEET_PATIENT, clinic=LONG_CLINIC, helplines=None,
        given_at=dt.datetime(2026, 12, 3, 15), overdose=overdose, naltrexone=naltrexone, page_size=page_size)
    pdf = plan_pdf.render_plan_pdf(doc)
    assert page_count(pdf) == 1
    page = Page(pdf, 1, rd.PAGE_SIZES[page_size])
    for section in doc.sections:  # every text of the sheet is on its one page
        for text in section.texts:
            assert page.has(text), text
    naloxone = doc.section("overdose").notes[0]
    assert naloxone.startswith(i18n.text(language, "overdose_naloxone_given" if kit else "overdose_naloxone_not_given"))
    assert (i18n.text(language, "overdose_naltrexone_block") in doc.section("overdose").bullets) is naltrexone


# ---------------------------------------------------------------------------------------------
# Large print
# ---------------------------------------------------------------------------------------------


def headings(doc: rp.PlanDocument) -> set[str]:
    return {flat(s.heading) for s in doc.sections} | {flat(doc.crisis_more)}


def assert_no_lonely_pages(doc: rp.PlanDocument, pdf: bytes | None = None) -> int:
    """No page of ``doc`` (rendered, unless ``pdf`` is given) holds fewer than
    :data:`FEWEST_LINES` lines of text, and none ends with a heading; returns the page count."""
    pdf = plan_pdf.render_plan_pdf(doc) if pdf is None else pdf
    pages = page_count(pdf)
    names = headings(doc)
    for number in range(1, pages + 1):
        lines = body_lines(pdf, number, doc)
        if pages > 1:
            assert len(lines) >= FEWEST_LINES, (number, lines)
        assert flat(lines[-1]) not in names, (number, lines[-1])
    return pages


@pytest.mark.parametrize("language", ["en", "es"])
def test_large_print_demo_plan_has_no_page_of_a_few_lines_or_a_lonely_heading(demo_plan, language):
    doc = demo_plan(language, large_print=True)
    assert doc.large_print
    assert assert_no_lonely_pages(doc) > 1


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("naltrexone", [False, True])
def test_large_print_sheet_has_no_page_of_a_few_lines(language, naltrexone):
    doc = sheet.build_overdose_sheet(
        language=language, patient=SHEET_PATIENT, clinic=LONG_CLINIC, helplines=None,
        given_at=dt.datetime(2026, 12, 3, 15), naltrexone=naltrexone, large_print=True)
    assert_no_lonely_pages(doc)


def test_the_lonely_page_check_can_fail():
    """A page of a few lines, and a page ending with a heading, are both caught (pages drawn
    by hand where the body text goes)."""
    from reportlab.pdfgen import canvas

    doc = long_plan("en", large_print=True)
    renderer = plan_pdf.PlanRenderer()
    renderer.doc = doc
    renderer._sizes(True)
    width, height = rd.PAGE_SIZES[doc.page_size]
    top = height - renderer.margin_y - renderer.header_height - 30

    def drawn(pages: list[list[str]]) -> bytes:
        buffer = io.BytesIO()
        canv = canvas.Canvas(buffer, pagesize=(width, height))
        for lines in pages:
            for n, line in enumerate(lines):
                canv.drawString(72, top - n * 20, line)
            canv.showPage()
        canv.save()
        return buffer.getvalue()

    full = [f"line {n}" for n in range(20)]
    assert assert_no_lonely_pages(doc, drawn([full, full])) == 2  # the check passes good pages
    # at the limit, and just under it
    assert assert_no_lonely_pages(doc, drawn([full, full[:FEWEST_LINES]])) == 2
    with pytest.raises(AssertionError):
        assert_no_lonely_pages(doc, drawn([full, full[:FEWEST_LINES - 1]]))
    with pytest.raises(AssertionError):
        assert_no_lonely_pages(doc, drawn([[*full, doc.section("medication").heading], full]))


def overdose_start(doc: rp.PlanDocument) -> tuple[int, list[str]]:
    """The page where the overdose box starts, and that page's lines from its heading on."""
    pdf = plan_pdf.render_plan_pdf(doc)
    heading = flat(doc.section("overdose").heading)
    for number in range(1, page_count(pdf) + 1):
        lines = [flat(line) for line in body_lines(pdf, number, doc)]
        if heading in lines:
            return number, lines[lines.index(heading):]
    raise AssertionError("no overdose box")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("naltrexone", [False, True])
def test_large_print_overdose_box_starts_with_its_heading_and_a_few_lines(language, naltrexone):
    """The box may go on over the next page, but never starts at a page's foot with its heading
    and one bullet (as the Spanish sheet's did): at least FEWEST_LINES lines under the heading."""
    doc = sheet.build_overdose_sheet(
        language=language, patient=SHEET_PATIENT, clinic=LONG_CLINIC, helplines=None,
        given_at=dt.datetime(2026, 12, 3, 15), naltrexone=naltrexone, large_print=True)
    _, lines = overdose_start(doc)
    assert len(lines) > FEWEST_LINES, lines
    # in normal print the whole box is on page 1
    number, lines = overdose_start(dataclasses.replace(doc, large_print=False))
    assert number == 1 and flat(doc.section("overdose").notes[0]).split()[0] in " ".join(lines)


def test_a_crisis_box_too_tall_for_page_one_keeps_what_each_line_is_for_and_the_rest_follows():
    """A long first medicine (free text) leaves less room: the box keeps each line's name,
    number and what it is for, and their other lines follow "Who to call when" — page 1 still
    holds both boxes and the medicine, and nothing is lost."""
    choice = "Un medicamento elegido con quien lo receta, escrito con muchas palabras. " * 9
    plan = {**LONG_PLAN, "medication": {**LONG_PLAN["medication"], "choice": choice}}
    doc = rp.build_plan_document(
        plan, language="es", patient=SHEET_PATIENT, clinic=LONG_CLINIC, prepared_by="Dana Ortiz",
        prepared_at=dt.datetime(2026, 12, 3, 15), referral_contacts={}, meeting_contacts={},
        helplines=None)
    assert_page_one(doc)
    pdf = plan_pdf.render_plan_pdf(doc)
    first = Page(pdf, 1, rd.PAGE_SIZES["letter"])
    crisis = doc.section("crisis")
    how = i18n.text("es", "helpline_how.samhsa_helpline")
    assert not first.has(how)  # left out of the box…
    text = flat(" ".join(pdftotext(pdf, n) for n in range(1, page_count(pdf) + 1)))
    who, more = text.index(doc.section("who_to_call").heading), text.index(doc.crisis_more)
    assert who < more < text.index(how)  # …and printed after "Who to call when"
    for entry in crisis.entries:
        for line in entry.lines:
            assert flat(line.value) in text, line


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("large_print", [False, True])
def test_the_signatures_never_stand_alone_on_the_last_page(demo_plan, language, large_print):
    """The signature lines move with the section before them: a last page of only "Signatures"
    reads as a form torn from another plan (the English demo plan's did)."""
    doc = demo_plan(language, large_print=large_print)
    pdf = plan_pdf.render_plan_pdf(doc)
    last = [flat(line) for line in body_lines(pdf, page_count(pdf), doc)]
    signatures = flat(doc.section("signatures").heading)
    assert signatures in last, last
    others = headings(doc) - {signatures}
    assert any(line in others for line in last[:last.index(signatures)]), last
