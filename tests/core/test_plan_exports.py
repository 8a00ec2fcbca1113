"""Printing and exporting the aftercare plan: the audited draft preview (watermarked DRAFT),
the referral letter under a consent (42 CFR Part 2), the console export, and the plan settings
(default page size for new plans, the clinic logo)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from clinic_desktop.core.consent import INFORMATION_ITEMS
from clinic_desktop.core.errors import NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.models import Consent
from clinic_desktop.core.services import audit, plans
from clinic_desktop.core.services import settings as settings_service
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import admit_with_signed_intake, complete_plan, local_entry, plan_with_consent
from tests.tools import needs_tools, require_tool

TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC)
needs_pdftotext = needs_tools("pdftotext")


def pdf_text(pdf: bytes, tmp_path: Path, raw: bool = False) -> str:
    require_tool("pdftotext")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", *(["-raw"] if raw else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")


def diagonal(pdf: bytes, tmp_path: Path) -> str:
    """The rotated watermark's letters (pdftotext -raw gives them one a line)."""
    return "".join(line.strip() for line in pdf_text(pdf, tmp_path, raw=True).splitlines()
                   if len(line.strip()) == 1)


@pytest.fixture
def ready(db, admin, counselor):
    """A plan in transition with a complete draft referring to Northside IOP, and a consent."""
    return plan_with_consent(db, admin, counselor)


def events(db, admin, action):
    return [e for e in audit.recent(db, admin) if e.action == action]


@needs_pdftotext
def test_preview_pdf_is_the_draft_watermarked_and_audited(db, admin, counselor, ready, tmp_path):
    pdf = plans.preview_pdf(db, counselor, ready["plan_id"])
    assert pdf.startswith(b"%PDF")
    assert "DRAFT" in diagonal(pdf, tmp_path)
    assert "Northside IOP" in pdf_text(pdf, tmp_path)
    assert plans.document(db, counselor, ready["plan_id"]).draft is True
    [event] = events(db, admin, "plan.draft_printed")
    assert event.username == counselor.username and event.detail["language"] == "en"
    assert "Payday" not in repr(event.detail)
    # A finalized version is not watermarked.
    plans.finalize(db, counselor, ready["plan_id"], ready["saved"].version, STRONG_PASSWORD)
    assert "DRAFT" not in diagonal(plans.version_pdf(db, counselor, ready["plan_id"], 1), tmp_path)


def test_preview_needs_plans_print(db, admin, ready):
    nurse = make_user(db, admin, "nurse", "nurse-x")
    with pytest.raises(PermissionDenied):
        plans.preview_pdf(db, nurse, ready["plan_id"])


@needs_pdftotext
def test_referral_letter_prints_only_the_shared_items_and_is_audited(db, admin, counselor, ready, tmp_path):
    pdf = plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, ["medication", "follow_ups"])
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Northside IOP" in text and "Intensive outpatient, 3 evenings a week" in text
    assert "Dr. Okafor" in text
    assert "Payday" not in text  # relapse not shared
    assert "42 CFR part 2" in text
    [event] = events(db, admin, "plan.letter_exported")
    assert event.detail["consent_id"] == ready["consent"].id
    assert event.detail["directory_entry_id"] == ready["entry"].id
    assert event.detail["shared"] == ["medication", "follow_ups"]
    assert event.patient_id == ready["patient"].id
    assert "Okafor" not in repr(event.detail) and "outpatient" not in repr(event.detail)


def test_referral_letter_refuses_expired_revoked_unknown_and_other_recipients(db, admin, counselor, ready):
    plan_id, consent = ready["plan_id"], ready["consent"]
    later = NOW + dt.timedelta(days=60)
    with pytest.raises(ValidationError, match="expired"):
        plans.referral_letter(db, counselor, plan_id, consent.id, ["medication"], now=later)
    with pytest.raises(ValidationError, match="Unknown information item"):
        plans.referral_letter(db, counselor, plan_id, consent.id, ["diagnosis"])
    # A consent to a place the plan does not refer to.
    other = local_entry(db, admin, "Eastside Housing Program", "housing_service")
    other_consent = plans.record_consent(db, counselor, ready["episode_id"], plans.ConsentInput(
        other.id, "Housing", ("level",), TODAY + dt.timedelta(days=30), TODAY), today=TODAY)
    with pytest.raises(ValidationError, match="no referral to Eastside Housing Program"):
        plans.referral_letter(db, counselor, plan_id, other_consent.id, [])
    # A consent of another episode.
    episode2, _ = admit_with_signed_intake(db, admin, mrn="P-2")
    foreign = plans.record_consent(db, counselor, episode2, plans.ConsentInput(
        ready["entry"].id, "Referral", ("level",), TODAY + dt.timedelta(days=30), TODAY), today=TODAY)
    with pytest.raises(ValidationError, match="another episode"):
        plans.referral_letter(db, counselor, plan_id, foreign.id, [])
    with pytest.raises(NotFound):
        plans.referral_letter(db, counselor, plan_id, 99999, [])
    plans.revoke_consent(db, counselor, consent.id)
    with pytest.raises(ValidationError, match="revoked"):
        plans.referral_letter(db, counselor, plan_id, consent.id, ["medication"])
    assert events(db, admin, "plan.letter_exported") == []


@pytest.mark.parametrize("key", ["level", "therapies", "relapse"])
def test_referral_letter_refuses_an_item_the_consent_does_not_cover(db, admin, counselor, ready, key):
    """The consent covers medication and follow-ups: any other item is refused, named, not audited."""
    label = INFORMATION_ITEMS[key]
    with pytest.raises(ValidationError, match=f"did not consent to share: {label}"):
        plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, ["medication", key])
    assert events(db, admin, "plan.letter_exported") == []


@needs_pdftotext
def test_a_consent_recorded_before_items_shares_only_the_referral(db, admin, counselor, ready, tmp_path):
    """Rows from before migration 0011 (items NULL) cover no item."""
    with db.write() as session:
        row = session.get(Consent, ready["consent"].id)
        row.items, row.information = None, "Everything (typed before itemized consents)"
    [legacy] = plans.consents(db, counselor, ready["episode_id"])
    assert legacy.items is None and not legacy.itemized and legacy.item_labels == ()
    with pytest.raises(ValidationError, match="before itemized consents"):
        plans.referral_letter(db, counselor, ready["plan_id"], legacy.id, ["medication"])
    text = " ".join(pdf_text(plans.referral_letter(db, counselor, ready["plan_id"], legacy.id, []),
                             tmp_path).split())
    assert "Intensive outpatient, 3 evenings a week" in text  # the referral itself
    assert "Dr. Okafor" not in text and "Everything" not in text
    assert "No part of the plan" in text


def test_recording_refuses_unknown_items(db, admin, counselor, ready):
    with pytest.raises(ValidationError) as info:
        plans.record_consent(db, counselor, ready["episode_id"], plans.ConsentInput(
            ready["entry"].id, "Referral", ("medication", "diagnosis"), TODAY + dt.timedelta(days=30),
            TODAY), today=TODAY)
    assert set(info.value.fields) == {"items"} and "diagnosis" in info.value.fields["items"]


def test_referral_letter_falls_back_to_the_latest_version(db, admin, counselor, ready):
    plans.finalize(db, counselor, ready["plan_id"], ready["saved"].version, STRONG_PASSWORD)
    view = plans.open_plan(db, counselor, ready["episode_id"])
    plans.save_draft(db, counselor, view.id, view.version, {**view.draft, "referrals": []})
    pdf = plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, [])
    assert pdf.startswith(b"%PDF")


def test_plan_page_size_setting_is_the_default_of_new_plans(db, admin, counselor):
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"plan_page_size": "legal"})
    assert "plan_page_size" in info.value.fields
    assert settings_service.get(db, "plan_page_size") == "letter"
    settings_service.update(db, admin, {"plan_page_size": "A4"})
    assert settings_service.get(db, "plan_page_size") == "a4"
    episode_id, _ = admit_with_signed_intake(db, admin)
    assert plans.open_plan(db, counselor, episode_id).page_size == "a4"


def test_clinic_logo_setting_reaches_the_plan(db, admin, counselor, ready, tmp_path):
    # A path is no longer a logo: the image itself is stored (see test_clinic_logo).
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"clinic_logo": str(tmp_path / "logo.png")})
    assert "clinic_logo" in info.value.fields
    assert plans.document(db, counselor, ready["plan_id"]).clinic.logo is None
    import io

    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (120, 60), (31, 78, 121)).save(logo, "PNG")
    settings_service.update(db, admin, {"clinic_logo": logo.getvalue(), "clinic_name": "Riverside Detox"})
    doc = plans.document(db, counselor, ready["plan_id"])
    assert doc.clinic.logo == logo.getvalue() and doc.clinic.name == "Riverside Detox"
    assert b"/Subtype /Image" in plans.preview_pdf(db, counselor, ready["plan_id"])


def test_console_export_stored_version_or_watermarked_render(db, admin, counselor, ready, tmp_path):
    mrn = ready["patient"].mrn
    with pytest.raises(NotFound, match="No patient has record number"):
        plans.export_plan_from_console(db, "NOPE-1")
    draft = plans.export_plan_from_console(db, mrn)
    assert draft.version is None and draft.pdf.startswith(b"%PDF")
    plans.finalize(db, counselor, ready["plan_id"], ready["saved"].version, STRONG_PASSWORD)
    stored = plans.export_plan_from_console(db, mrn)
    assert stored.version == 1 and stored.pdf == plans.version_pdf(db, counselor, ready["plan_id"], 1)
    assert plans.export_plan_from_console(db, mrn, language="en", large_print=False).version == 1
    spanish = plans.export_plan_from_console(db, mrn, language="es")
    assert spanish.version is None and spanish.language == "es"
    large = plans.export_plan_from_console(db, mrn, large_print=True)
    assert large.version is None and large.large_print
    console = [e for e in audit.recent(db, admin) if e.username == "(console)"]
    assert {e.action for e in console} == {"plan.printed", "plan.draft_printed"}
    assert "BORRADOR" in diagonal(spanish.pdf, tmp_path)


def test_console_export_without_a_plan(db, admin):
    _, patient = admit_with_signed_intake(db, admin, mrn="P-9")
    with pytest.raises(NotFound, match="has no aftercare plan"):
        plans.export_plan_from_console(db, patient.mrn)


@pytest.fixture
def spanish(db, admin, counselor):
    """A Spanish-speaking patient's complete plan, in Spanish."""
    episode_id, patient = admit_with_signed_intake(db, admin, mrn="P-ES", language="es")
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    assert view.language == "es"
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    return {"patient": patient, "plan_id": view.id, "saved": saved, "draft": view.draft, "entry": entry}


@needs_pdftotext
def test_finalizing_stores_the_patients_language_and_english_as_one_version(db, admin, counselor, spanish,
                                                                           tmp_path):
    signed = plans.finalize(db, counselor, spanish["plan_id"], spanish["saved"].version, STRONG_PASSWORD)
    assert signed.languages == ("es", "en")
    es = plans.version_pdf(db, counselor, spanish["plan_id"], 1, "es")
    en = plans.version_pdf(db, counselor, spanish["plan_id"], 1, "en")
    assert es == plans.version_pdf(db, counselor, spanish["plan_id"], 1)  # the patient's copy by default
    assert es != en
    es_text, en_text = pdf_text(es, tmp_path), pdf_text(en, tmp_path)
    assert "Versión 1" in es_text and "Version 1" in en_text
    assert diagonal(es, tmp_path) == "" and diagonal(en, tmp_path) == ""  # never BORRADOR / DRAFT
    # the same bytes every time, and through the console too
    assert plans.version_pdf(db, counselor, spanish["plan_id"], 1, "en") == en
    exported = plans.export_plan_from_console(db, spanish["patient"].mrn, language="en")
    assert (exported.version, exported.pdf) == (1, en)
    with pytest.raises(NotFound, match="not signed in 'fr'.*es, en"):
        plans.version_pdf(db, counselor, spanish["plan_id"], 1, "fr")
    [event] = events(db, admin, "plan.finalized")
    assert event.detail["languages"] == ["es", "en"]
    printed = events(db, admin, "plan.printed")
    assert {e.detail["language"] for e in printed} == {"es", "en"}


def test_an_english_plan_for_a_spanish_speaker_is_signed_in_both(db, admin, counselor, spanish):
    saved = plans.save_draft(db, counselor, spanish["plan_id"], spanish["saved"].version,
                             complete_plan(spanish["draft"], spanish["entry"].id), language="en")
    signed = plans.finalize(db, counselor, spanish["plan_id"], saved.version, STRONG_PASSWORD)
    assert signed.languages == ("en", "es")
    assert plans.versions(db, counselor, spanish["plan_id"])[0].languages == ("en", "es")


def test_an_english_plan_for_an_english_speaker_is_signed_once(db, counselor, ready):
    signed = plans.finalize(db, counselor, ready["plan_id"], ready["saved"].version, STRONG_PASSWORD)
    assert signed.languages == ("en",)


@pytest.mark.parametrize(("language", "preferred", "expected"), [
    ("es", "es", ("es", "en")), ("en", "es", ("en", "es")), ("en", "en", ("en",)), ("en", None, ("en",)),
    ("es", "xx", ("es", "en")),  # a language nothing prints in adds no copy
])
def test_version_languages(language, preferred, expected):
    assert plans.version_languages(language, preferred) == expected


@needs_pdftotext
def test_consent_form_of_a_recorded_consent_or_of_what_is_typed_is_audited(db, admin, counselor, ready, tmp_path):
    text = " ".join(pdf_text(plans.consent_form_pdf(db, counselor, ready["episode_id"],
                                                    consent_id=ready["consent"].id), tmp_path).split())
    assert "Northside IOP" in text and "Arrange intensive outpatient care" in text
    assert "Medication for opioid use disorder" in text and "Follow-up appointments" in text
    assert "Relapse-prevention plan" not in text
    typed = plans.ConsentInput(ready["entry"].id, "Housing help", ("level",), TODAY + dt.timedelta(days=30), None)
    text = " ".join(pdf_text(plans.consent_form_pdf(db, counselor, ready["episode_id"], data=typed, now=NOW),
                             tmp_path).split())
    assert "Level of aftercare" in text and "Medication for opioid use disorder" not in text
    with pytest.raises(ValidationError) as info:
        plans.consent_form_pdf(db, counselor, ready["episode_id"], now=NOW,
                               data=plans.ConsentInput(None, "", (), None, None))
    assert set(info.value.fields) == {"directory_entry_id", "purpose", "items", "expires_on"}
    printed = sorted(events(db, admin, "consent.form_printed"), key=lambda e: e.seq)
    assert [e.detail["consent_id"] for e in printed] == [ready["consent"].id, None]
    assert [e.detail["items"] for e in printed] == [["medication", "follow_ups"], ["level"]]
    assert all(e.patient_id == ready["patient"].id for e in printed)
    assert "Housing" not in repr([e.detail for e in printed])
    nurse = make_user(db, admin, "nurse", "nurse-f")
    with pytest.raises(PermissionDenied):
        plans.consent_form_pdf(db, nurse, ready["episode_id"], consent_id=ready["consent"].id)
