"""The demo plan printed in Spanish says nothing in English (issue #15 item 7): every English
catalogue sentence that has a Spanish one of its own is scanned for, in the document's data and
in the PDF's text; and the help lines' corrected hours and languages (CLINICAL.md §4) print in
both languages."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest
from sqlalchemy import select

from clinic_desktop.core.models import Episode, Patient
from clinic_desktop.core.services import demo, plans
from clinic_desktop.reports import i18n, plan_pdf
from tests.conftest import make_user
from tests.tools import needs_tools, require_tool

#: Longer than this, a catalogue text is a sentence a reader would notice in the wrong language
#: (shorter ones are words such as "Phone" or "Hours").
LONGER_THAN = 12


def english_only_texts() -> list[str]:
    """Every English catalogue text (each literal run between ``{placeholders}``) longer than
    :data:`LONGER_THAN` characters whose Spanish text differs: what a Spanish plan must not hold."""
    en, es = i18n.catalogue("en"), i18n.catalogue("es")
    assert en.keys() == es.keys()
    found = set()
    for key, text in en.items():
        if es[key] == text:
            continue  # the same in both (a name such as "Never Use Alone")
        for part in re.split(r"\{[^}]*\}", text):
            if len(part.strip()) > LONGER_THAN:
                found.add(" ".join(part.split()))
    return sorted(found)


def flat(text: str) -> str:
    return " ".join(text.split())


def document_texts(doc) -> str:
    """Every text of the plan as data: its own fields, then each section's."""
    own = [doc.title, doc.prepared, doc.version, doc.date_of_birth_label, doc.mrn_label,
           doc.footer_private, doc.page_of, doc.crisis_more, doc.patient.date_of_birth]
    return flat(" ".join([*own, *(t for section in doc.sections for t in section.texts)]))


@pytest.fixture
def demo_plan(db, admin):
    """DEMO-0001's plan (the demo's finalized one) and a counselor who may print it."""
    demo.seed(db)
    counselor = make_user(db, admin, "counselor")
    with db.read() as s:
        episode_id = s.execute(select(Episode.id).join(Patient, Patient.id == Episode.patient_id)
                               .where(Patient.mrn == "DEMO-0001")).scalar_one()
    return counselor, plans.open_plan(db, counselor, episode_id)


def document_in(db, counselor, view, language: str):
    """The plan as it prints in ``language``, and its PDF (without the draft watermark, whose
    letters would otherwise fall between the words pdftotext reads)."""
    saved = plans.save_draft(db, counselor, view.id, view.version, dict(view.draft), language=language)
    doc = plans.document(db, counselor, view.id)
    pdf = plan_pdf.render_plan_pdf(dataclasses.replace(doc, draft=False, watermark=""))
    return doc, pdf, saved


def pdf_text(pdf: bytes, tmp_path) -> str:
    require_tool("pdftotext")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return flat(run.stdout.decode("utf-8"))


@needs_tools("pdftotext")
def test_the_spanish_demo_plan_holds_no_english_sentence(db, admin, demo_plan, tmp_path):
    counselor, view = demo_plan
    english = english_only_texts()
    assert len(english) > 50  # the scan reads the whole catalogue, not a handful of keys

    es_doc, es_pdf, _ = document_in(db, counselor, view, "es")
    assert es_doc.language == "es"
    data = document_texts(es_doc)
    printed = pdf_text(es_pdf, tmp_path)
    for text in english:
        assert text not in data, text
        assert text not in printed, text

    # The scan can fail: the same plan in English holds many of those sentences.
    en_view = plans.open_plan(db, counselor, view.episode_id)
    _, en_pdf, _ = document_in(db, counselor, en_view, "en")
    en_printed = pdf_text(en_pdf, tmp_path)
    assert sum(text in en_printed for text in english) > 20
    for key in ("helpline_how.lifeline_988", "helpline_how.crisis_text_line", "paws_text"):
        assert i18n.text("en", key) in en_printed
        assert i18n.text("es", key) in printed


@needs_tools("pdftotext")
def test_the_corrected_hours_and_languages_print_in_both_languages(db, admin, demo_plan, tmp_path):
    counselor, view = demo_plan
    expected = {
        "en": ["Poison Help", "24/7 · English, Spanish; interpreters for 161 languages",
               "Text HOME to 741741", "In Spanish: text AYUDA to 741741 or WhatsApp 442-AYUDAME.",
               "Never Use Alone", "24/7 · English",
               "988 Suicide & Crisis Lifeline", "24/7 · English and Spanish (press 2 or text AYUDA)",
               "post-acute withdrawal symptoms"],
        "es": ["24 horas, todos los días · Inglés y español; intérpretes en 161 idiomas",
               "Envíe AYUDA al 741741 o por WhatsApp al 442-AYUDAME.",
               "988 Línea de Prevención del Suicidio y Crisis",
               "Llame o envíe un mensaje de texto al 988 (marque 2 para español).",
               "24 horas, todos los días · Inglés",
               "síntomas de abstinencia post-aguda"],
    }
    for language in ("es", "en"):
        current = plans.open_plan(db, counselor, view.episode_id)
        doc, pdf, _ = document_in(db, counselor, current, language)
        data = document_texts(doc)
        printed = pdf_text(pdf, tmp_path)
        for text in expected[language]:
            assert text in data, (language, text)
            assert flat(text) in printed, (language, text)
