"""The consent form the patient signs (CLINICAL.md §5, 42 CFR 2.31): every required element,
only the consent's items, in the patient's language."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from clinic_desktop.core.consent import INFORMATION_ITEMS
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.reports import consent_form as cf
from clinic_desktop.reports import i18n
from clinic_desktop.reports.document import PlanClinic, PlanPatient
from clinic_desktop.reports.letter import ITEM_HEADINGS
from tests.tools import needs_tools, require_tool

needs_poppler = needs_tools("pdftotext")

PATIENT = PlanPatient("Rosa Díaz", "June 5, 1987", "RR-2041")
CLINIC = PlanClinic("Riverside Detox", "12 River Rd, Springfield IL", "2175550199")


def build(**overrides) -> cf.ConsentFormDocument:
    args = {"patient": PATIENT, "clinic": CLINIC, "recipient": "Northside IOP",
            "purpose": "Arrange intensive outpatient care", "items": ["follow_ups", "medication"],
            "expires_on": dt.date(2027, 12, 1)}
    args.update(overrides)
    return cf.build_consent_form(**args)


def pdf_text(pdf: bytes, tmp_path) -> str:
    require_tool("pdftotext")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_the_form_has_every_42_cfr_2_31_element():
    doc = build()
    lines = {line.label: line.value for line in doc.lines}
    assert "Rosa Díaz" in doc.intro and "Riverside Detox" in doc.intro  # the patient; who discloses
    assert lines["Who shares it"] == "Riverside Detox, 12 River Rd, Springfield IL"
    assert lines["Who receives it"] == "Northside IOP"
    assert lines["Why (the purpose)"] == "Arrange intensive outpatient care"
    assert lines["This consent ends"] == "on December 1, 2027, unless I cancel it before then"
    assert doc.items == ("Medication for opioid use disorder", "Follow-up appointments")  # print order
    revoke, treatment = doc.rights
    assert "cancel (revoke) this consent at any time" in revoke and "(217)\u00a0555-0199" in revoke
    assert treatment.startswith("My treatment does not depend on signing this form")
    assert doc.signature_label == "Signature of Rosa Díaz" and doc.date_label == "Date"
    assert doc.signed_on == ""
    assert build(signed_on=dt.date(2026, 12, 1)).signed_on == "December 1, 2026"


@pytest.mark.parametrize("key", list(INFORMATION_ITEMS))
def test_only_the_consent_s_items_are_listed(key):
    others = [k for k in INFORMATION_ITEMS if k != key]
    doc = build(items=others)
    heading = i18n.text("en", ITEM_HEADINGS[key])
    assert heading not in doc.items and heading not in " ".join(doc.texts)
    assert build(items=[key]).items == (heading,)


def test_no_item_or_an_unknown_one_is_refused():
    with pytest.raises(ValidationError, match="at least one"):
        build(items=[])
    with pytest.raises(ValidationError, match="Unknown"):
        build(items=["diagnosis"])


def test_without_a_clinic_phone_revoking_is_by_telling_staff():
    doc = build(clinic=PlanClinic("Riverside Detox"))
    assert doc.rights[0].startswith("I may cancel (revoke) this consent at any time by telling the staff at "
                                    "Riverside Detox.")


def test_spanish_form_has_no_english_catalogue_sentence():
    doc = build(language="es")
    assert doc.title == "Consentimiento para compartir mi información"
    assert doc.items == ("Medicamento para el trastorno por consumo de opioides", "Citas de seguimiento")
    assert {line.label: line.value for line in doc.lines}["Este consentimiento termina"].startswith(
        "el 1 de diciembre de 2027")
    english = {v for k, v in i18n.catalogue("en").items() if k.startswith("consent_form.")}
    assert not english & set(doc.texts)
    assert doc.rights[1].startswith("Mi tratamiento no depende")


@needs_poppler
def test_the_pdf_prints_each_element(tmp_path):
    text = pdf_text(cf.render_consent_form_pdf(build()), tmp_path)
    for part in ("Consent to share my information", "Northside IOP", "Arrange intensive outpatient care",
                 "Medication for opioid use disorder", "Follow-up appointments", "December 1, 2027",
                 "revoke", "My treatment does not depend on signing", "Signature of Rosa Díaz",
                 "42 CFR part 2", "Page 1 of 1"):
        assert part in text, part
    assert "Relapse-prevention plan" not in text


@needs_poppler
def test_large_print_as_the_patient_s_plan(tmp_path):
    doc = build(large_print=True)
    assert doc.large_print
    text = pdf_text(cf.render_consent_form_pdf(doc), tmp_path)
    assert "Signature of Rosa Díaz" in text and "My treatment does not depend on signing" in text


@needs_poppler
def test_a_form_on_two_pages_names_the_patient_on_each(tmp_path):
    require_tool("pdftotext")
    path = tmp_path / "long.pdf"
    path.write_bytes(cf.render_consent_form_pdf(build(items=list(INFORMATION_ITEMS), large_print=True)))
    pages = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout.rstrip("\f").split("\f")
    assert len(pages) == 2
    for page in pages:
        assert "Rosa Díaz" in page and "42 CFR part 2" in page
    assert "June 5, 1987" in pages[1]
