"""The referral letter to a provider (CLINICAL.md §5, 42 CFR Part 2): refused without a valid
consent for that recipient; only what the patient consented to share, as data and in the PDF;
the consent's scope; the 42 CFR 2.32 notice in full once and the short notice on every page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess

import pytest

from clinic_desktop.core.consent import INFORMATION_ITEMS
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.services.plans import ConsentView
from clinic_desktop.reports import i18n
from clinic_desktop.reports import letter as rl
from clinic_desktop.reports.document import Contact, Line, PlanClinic, PlanPatient
from tests.tools import needs_tools, require_tool

needs_poppler = needs_tools("pdftotext")

VIETNAMESE, CHINESE = "Nguyễn Thị Ánh", "王秀英"

#: CLINICAL.md §5, copied here on its own so that the module's text is checked against it.
FULL_NOTICE = """This record which has been disclosed to you is protected by Federal confidentiality rules
   (42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony
   that describes the information contained in this record, in any civil, criminal,
   administrative, or legislative proceedings by any Federal, State, or local authority, against
   the patient, unless authorized by the consent of the patient, except as provided at 42 CFR
   2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition,
   the Federal rules prohibit you from making any other use or disclosure of this record unless
   at least one of the following applies:
   (i) Further use or disclosure is expressly permitted by the written consent of the individual
   whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.
   (ii) You are a covered entity or business associate and have received the record for
   treatment, payment, or health care operations, or
   (iii) You have received the record from a covered entity or business associate as permitted
   by 45 CFR part 164, subparts A and E.
   A general authorization for the release of medical or other information is NOT sufficient to
   meet the required elements of written consent to further use or redisclose the record (see
   42 CFR 2.31)."""
SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

TRIGGERS = "Payday on Fridays; the <gas station> on 5th & Main."
REASON = "Intensive outpatient group three mornings a week"
PLAN = {
    "medication": {"choice": "buprenorphine", "prescriber": "Dr. Amara Okafor",
                   "next": "2026-12-02T09:30", "reason": ""},
    "level": "intensive_outpatient",
    "therapies": ["cbt", "contingency_management"],
    "referrals": [{"entry_id": 7, "reason": REASON, "appointment": "2026-12-01T10:00",
                   "share": True}],
    "people": [{"name": "Marcus O'Neill", "relation": "NA sponsor", "phone": "(217) 555-0177"}],
    "key_worker": {"name": "Jo Park", "phone": "(217) 555-0142", "focus": ["housing"]},
    "meetings": [12],
    "relapse": {"triggers": TRIGGERS, "warning_signs": "I stop answering my sister's calls.",
                "coping": "", "people_to_call": "", "reasons": "My daughter."},
    "overdose": {"naloxone_kit_given": True},
    "follow_ups": [{"when": "2026-12-08T14:00", "place": "Riverside Clinic, room 4",
                    "phone": "2175550199"}],
}
TODAY = dt.date(2026, 11, 28)
CONSENT = ConsentView(
    id=1, episode_id=3, directory_entry_id=7, recipient_name="Northside IOP",
    purpose="Continuity of care after detox", items=("medication", "follow_ups"),
    expires_on=dt.date(2027, 5, 28), signed_on=dt.date(2026, 11, 27), revoked_at=None,
    revoked_by_name=None, created_at=dt.datetime(2026, 11, 27, 15, 0), created_by_name="Dana Ortiz")
#: A consent covering every information item.
CONSENT_ALL = dataclasses.replace(CONSENT, items=tuple(INFORMATION_ITEMS))
RECIPIENT = Contact("Northside IOP", "2175550100", address="400 N Main St, Springfield IL")
PATIENT = PlanPatient("Rosa Díaz", "5 June 1987", "RR-2041")
CLINIC = PlanClinic("Riverside Detox", "12 River Rd, Springfield IL", "(217) 555-0199")


def build(**overrides) -> rl.LetterDocument:
    args = {"plan": PLAN, "consent": CONSENT, "referral": PLAN["referrals"][0], "recipient": RECIPIENT,
            "patient": PATIENT, "clinic": CLINIC, "prepared_by": "Dana Ortiz, LCSW",
            "prepared_at": dt.datetime(2026, 11, 28, 9, 0), "today": TODAY,
            "shared": ["medication", "follow_ups"]}
    args.update(overrides)
    return rl.build_referral_letter(**args)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    require_tool("pdftotext")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


# -- refusals ----------------------------------------------------------------------------------


def test_a_revoked_consent_is_refused():
    revoked = dataclasses.replace(CONSENT, revoked_at=dt.datetime(2026, 11, 28, 8, 0),
                                  revoked_by_name="Dana Ortiz")
    with pytest.raises(ValidationError, match="revoked"):
        build(consent=revoked)


def test_an_expired_consent_is_refused_but_its_last_day_is_valid():
    with pytest.raises(ValidationError, match="expired"):
        build(today=dt.date(2027, 5, 29))
    assert build(today=dt.date(2027, 5, 28)).shared_keys == ("medication", "follow_ups")


def test_a_consent_for_another_recipient_is_refused():
    with pytest.raises(ValidationError, match="not for"):
        build(referral={"entry_id": 8, "reason": "Housing"},
              recipient=Contact("Hope House", "(217) 555-0111"))


def test_an_unknown_information_item_is_refused():
    with pytest.raises(ValidationError, match="Unknown"):
        build(shared=["medication", "people"])


@pytest.mark.parametrize("key", list(INFORMATION_ITEMS))
def test_every_item_the_consent_does_not_cover_is_refused(key):
    """42 CFR 2.31: the letter shares only what the consent lists. For each item: a consent
    covering all the others refuses it, naming it; a consent covering it includes it."""
    others = tuple(k for k in INFORMATION_ITEMS if k != key)
    without = dataclasses.replace(CONSENT, items=others)
    with pytest.raises(ValidationError) as refused:
        build(consent=without, shared=[key])
    assert INFORMATION_ITEMS[key] in str(refused.value)
    for other in others:
        assert INFORMATION_ITEMS[other] not in str(refused.value)
    with pytest.raises(ValidationError, match="did not consent"):
        build(consent=without, shared=list(INFORMATION_ITEMS))
    heading = i18n.text("en", rl.ITEM_HEADINGS[key])
    shared_all_it_covers = build(consent=without, shared=list(others))
    assert key not in shared_all_it_covers.shared_keys
    assert heading not in " ".join(shared_all_it_covers.texts)
    covering = build(consent=dataclasses.replace(CONSENT, items=(key,)), shared=[key])
    assert covering.shared_keys == (key,) and covering.shared[0].heading == heading


@pytest.mark.parametrize("key", list(INFORMATION_ITEMS))
def test_without_an_item_its_section_heading_is_never_in_the_pdf(key, tmp_path):
    others = tuple(k for k in INFORMATION_ITEMS if k != key)
    doc = build(consent=dataclasses.replace(CONSENT, items=others), shared=list(others))
    text = squash(" ".join(pdf_pages(rl.render_letter_pdf(doc), tmp_path)))
    heading = i18n.text("en", rl.ITEM_HEADINGS[key])
    assert heading not in text
    assert i18n.text("en", rl.ITEM_HEADINGS[others[0]]) in text  # the ones covered do print


def test_a_consent_recorded_before_items_carries_only_the_referral():
    legacy = dataclasses.replace(CONSENT, items=None)
    with pytest.raises(ValidationError, match="before itemized consents") as refused:
        build(consent=legacy, shared=["medication"])
    assert "Medication for opioid use disorder" in str(refused.value)
    doc = build(consent=legacy, shared=[])
    assert doc.shared == () and REASON in doc.texts
    scope = {line.label: line.value for line in doc.consent_lines}
    assert scope["What the patient agreed to share"].startswith("No part of the plan")
    assert scope["Included in this letter"] == "Referral"


def test_the_spanish_scope_names_the_items_in_spanish():
    doc = build(language="es")
    scope = {line.label: line.value for line in doc.consent_lines}
    assert scope["Qué aceptó compartir el paciente"] == (
        "Medicamento para el trastorno por consumo de opioides; Citas de seguimiento")


# -- only what was consented to ----------------------------------------------------------------


def test_only_the_shared_items_are_in_the_data_in_print_order():
    doc = build(shared=["follow_ups", "medication"])
    assert doc.shared_keys == ("medication", "follow_ups")
    texts = " ".join(doc.texts)
    assert "Dr. Amara Okafor" in texts and "Riverside Clinic, room 4" in texts
    for absent in (TRIGGERS, "My daughter.", "Contingency management", "Intensive outpatient program",
                   "Marcus O'Neill", "Jo Park"):
        assert absent not in texts
    # the referral itself always prints
    assert doc.referral.texts == ("Referral", "Reason", REASON, "Appointment",
                                  "Tuesday, December 1, 2026, 10:00\u202fAM")


def test_the_shared_sections_speak_to_a_provider():
    """The plan's section builders in the letter's voice: clinical labels, no words meant for
    the patient, the plan's medicine names where the letter has none of its own."""
    doc = build(consent=CONSENT_ALL, shared=list(INFORMATION_ITEMS))
    by_key = {section.key: section for section in doc.shared}
    medication = by_key["medication"]
    assert medication.heading == "Medication for opioid use disorder"
    assert medication.paragraphs == ("Buprenorphine",)
    assert [line.label for line in medication.lines] == ["Prescriber", "Next dose or visit"]
    assert by_key["level"].heading == "Level of aftercare"
    assert by_key["level"].paragraphs == ("Intensive outpatient program",)
    assert by_key["therapies"].bullets == ("Cognitive behavioral therapy (CBT)", "Contingency management")
    relapse = by_key["relapse"]
    assert relapse.heading == "Relapse-prevention plan" and relapse.notes == ()
    assert relapse.lines[0] == Line("Triggers", TRIGGERS)
    empty = build(plan={**PLAN, "therapies": [], "medication": {"choice": "none"}},
                  consent=CONSENT_ALL, shared=["medication", "therapies"])
    assert [s.paragraphs for s in empty.shared] == [
        ("No medication for opioid use disorder at present",), ("None recorded",)]


def test_nothing_shared_still_gives_the_referral_and_says_so():
    doc = build(shared=[])
    assert doc.shared == ()
    assert "not consented" in doc.shared_intro
    assert REASON in doc.texts


def test_the_consent_scope_says_what_to_whom_why_until_and_signed():
    doc = build()
    scope = {line.label: line.value for line in doc.consent_lines}
    assert doc.consent_heading == "Shared with the patient's written consent"
    assert scope == {
        "What the patient agreed to share": "Medication for opioid use disorder; Follow-up appointments",
        "Included in this letter": "Referral; Medication for opioid use disorder; "
                                   "Follow-up appointments",
        "To whom": "Northside IOP",
        "For what purpose": "Continuity of care after detox",
        "Until": "May 28, 2027",
        "Signed": "November 27, 2026",
    }
    assert "revoke" in doc.consent_note


def test_the_module_notice_is_the_2_32_text_verbatim():
    assert squash(rl.NOTICE_2_32) == squash(FULL_NOTICE)
    assert rl.NOTICE_SHORT == SHORT_NOTICE
    assert set(INFORMATION_ITEMS) == {"medication", "level", "therapies", "follow_ups", "relapse"}


def test_each_item_staff_tick_is_the_heading_the_english_letter_prints():
    """core.consent labels the items for staff; the English letter heads the same sections with
    the same words, so what was ticked is what the provider reads."""
    doc = build(consent=CONSENT_ALL, shared=list(INFORMATION_ITEMS))
    assert doc.shared_keys == tuple(INFORMATION_ITEMS)
    assert [s.heading for s in doc.shared] == list(INFORMATION_ITEMS.values())
    assert doc.shared[0].heading == i18n.text("en", "letter.medication_heading")


def test_spanish_on_request_but_the_notices_stay_verbatim():
    doc = build(language="es")
    assert doc.subject == "Ref.: Rosa Díaz, fecha de nacimiento 5 June 1987"
    assert squash(" ".join(doc.notice)) == squash(FULL_NOTICE)
    assert doc.footer_notice == SHORT_NOTICE


# -- the PDF -----------------------------------------------------------------------------------


@needs_poppler
def test_pdf_has_only_shared_items_the_scope_box_and_the_full_notice(tmp_path):
    pages = pdf_pages(rl.render_letter_pdf(build()), tmp_path)
    text = squash(" ".join(pages))
    assert squash(FULL_NOTICE) in text
    assert text.count(squash(FULL_NOTICE)) == 1
    for present in ("Riverside Detox", "Northside IOP", "400 N Main St, Springfield IL",
                    "Re: Rosa Díaz, date of birth 5 June 1987", REASON, "Dr. Amara Okafor",
                    "Riverside Clinic, room 4", "Shared with the patient's written consent",
                    "Continuity of care after detox", "Until: May 28, 2027",
                    "Signed: November 27, 2026", "Dana Ortiz, LCSW", "Page 1 of"):
        assert present in text, present
    for absent in ("Payday on Fridays", "My daughter.", "Contingency management",
                   "Intensive outpatient program", "Marcus O'Neill", "Jo Park", "RR-2041"):
        assert absent not in text, absent


@needs_poppler
def test_short_notice_and_page_numbers_on_every_page(tmp_path):
    long_relapse = dict(PLAN, relapse={f: ("A long answer in the patient's words. " * 30)
                                       for f in ("triggers", "warning_signs", "coping", "reasons")})
    pages = pdf_pages(rl.render_letter_pdf(build(plan=long_relapse, consent=CONSENT_ALL, shared=list(INFORMATION_ITEMS))),
                      tmp_path)
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert SHORT_NOTICE in squash(page), n
        assert f"Page {n} of {len(pages)}" in page
    assert squash(" ".join(pages)).count(squash(FULL_NOTICE)) == 1


@needs_poppler
def test_vietnamese_and_chinese_names_round_trip(tmp_path):
    doc = build(patient=PlanPatient(f"{VIETNAMESE} {CHINESE}", "1 March 1990", "X"),
                recipient=Contact(f"Phòng khám {CHINESE}", "", address="Đường Lê Lợi"),
                consent=dataclasses.replace(CONSENT, recipient_name=f"Phòng khám {CHINESE}"),
                prepared_by="Trần Văn Bảo")
    text = squash(" ".join(pdf_pages(rl.render_letter_pdf(doc), tmp_path)))
    for name in (VIETNAMESE, CHINESE, f"Phòng khám {CHINESE}", "Đường Lê Lợi", "Trần Văn Bảo"):
        assert name in text, name


# -- the signature (#15 item 6) ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "role", "label"), [
    ("en", "counselor", "Counselor"), ("en", "prescriber", "Prescriber"), ("es", "nurse", "Enfermero(a)")])
def test_signed_with_the_full_name_and_role_then_the_clinic(language, role, label):
    doc = build(prepared_by="Dana Ortiz", prepared_role=role, language=language)
    assert doc.signer == ("Dana Ortiz", label, "Riverside Detox")


def test_every_role_has_its_words_in_every_language():
    for language in i18n.languages():
        for role in ("admin", "nurse", "counselor", "prescriber", "viewer"):
            assert i18n.catalogue(language).get(f"letter.role.{role}"), (language, role)


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_clinic_name_never_leaves_a_dangling_at(language):
    doc = build(clinic=PlanClinic("", "", ""), language=language)
    assert " at ." not in doc.intro[0] and " en ." not in doc.intro[0]
    assert doc.intro[0].rstrip().endswith(".") and "Rosa Díaz" in doc.intro[0]
    named = build(language=language)
    assert "Riverside Detox" in named.intro[0]
