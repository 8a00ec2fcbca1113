"""The safety plan (Stanley–Brown, CLINICAL.md §7) printed with the aftercare plan, in the
patient's words, in English and Spanish; left out of a plan that has none."""

from __future__ import annotations

import dataclasses

import pytest

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.reports import i18n, plan_pdf
from clinic_desktop.reports import plan as rp
from tests.reports.test_plan_report import PATIENT, PLAN, build, flat, needs_poppler, page_texts

SAFETY = {
    "warning_signs": "I stop sleeping and stay in my room.",
    "coping": "Walk the dog by the river.",
    "distractions": "Sister's kitchen; the library on 5th.",
    "people_to_ask": "Marcus (217) 555-0177",
    "professionals": "Dr. Okafor (217) 555-0142",
    "safer_surroundings": "My sister keeps my pills.",
    "reasons_to_live": "My daughter, Lucía.",
}
WITH_SAFETY = {**PLAN, "safety_plan": SAFETY}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_safety_plan_prints_after_the_relapse_plan_in_the_patients_words(language: str) -> None:
    doc = build(plan=WITH_SAFETY, language=language)
    # every part, the safety plan in its place ("My day" prints only when written)
    assert doc.section_keys == tuple(key for key in rp.SECTION_ORDER if key != "my_day")
    section = doc.section("safety_plan")
    assert section.heading == i18n.text(language, "safety_plan_heading")
    assert section.heading == {"en": "My safety plan", "es": "Mi plan de seguridad"}[language]
    labels = [line.label for line in section.lines]
    assert labels == [i18n.text(language, f"safety_plan.{f}") for f in plan_rules.SAFETY_PLAN_FIELDS]
    values = {f: line.value for f, line in zip(plan_rules.SAFETY_PLAN_FIELDS, section.lines, strict=True)}
    for field, words in SAFETY.items():
        assert values[field].startswith(words)  # as written, never translated
    # 988 is always under the professionals, in the plan's language.
    assert values["professionals"].endswith(i18n.text(language, "safety_plan_988"))
    assert "988" in values["professionals"]
    assert section.notes == (i18n.text(language, "safety_plan_note"),)


def test_the_spanish_words_are_spanish() -> None:
    section = build(plan=WITH_SAFETY, language="es").section("safety_plan")
    assert section.lines[0].label == "Señales de que una crisis puede estar empezando"
    assert "Llame o envíe un mensaje de texto al 988" in section.lines[4].value


@pytest.mark.parametrize("safety", [None, {}, dict.fromkeys(plan_rules.SAFETY_PLAN_FIELDS, "  ")])
def test_no_safety_plan_is_not_printed(safety) -> None:
    plan = dict(PLAN) if safety is None else {**PLAN, "safety_plan": safety}
    assert "safety_plan" not in build(plan=plan).section_keys


def test_one_part_is_enough_to_print_it_and_empty_parts_are_left_out() -> None:
    section = build(plan={**PLAN, "safety_plan": {"people_to_ask": "Marcus"}}).section("safety_plan")
    assert [line.label for line in section.lines] == [
        "People I can ask for help", "Professionals and services I can call"]
    assert section.lines[1].value == i18n.text("en", "safety_plan_988")  # 988 even when left blank


@needs_poppler
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_printed_pdf_holds_the_safety_plan(language: str, tmp_path) -> None:
    patient = PATIENT if language == "en" else dataclasses.replace(PATIENT, date_of_birth="5 de junio de 1987")
    pdf = plan_pdf.render_plan_pdf(build(plan=WITH_SAFETY, language=language, patient=patient))
    text = flat(" ".join(page_texts(pdf, tmp_path)))
    assert i18n.text(language, "safety_plan_heading") in text
    assert "My sister keeps my pills." in text
    assert i18n.text(language, "safety_plan.safer_surroundings") in text
