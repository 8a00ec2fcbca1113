"""The aftercare plan service: opening and prefill, drafts and conflicts, finalizing into
numbered versions whose PDF bytes never change, roles, 42 CFR Part 2 consents, discharge."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.errors import ConflictError, PermissionDenied, ValidationError
from clinic_desktop.core.services import accounts, audit, episodes, plans
from tests.conftest import CLINIC, STRONG_PASSWORD, make_user
from tests.factories import admit_with_signed_intake, complete_plan, local_entry

TODAY = dt.date.today()


def test_open_refuses_an_episode_still_in_stabilization(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)
    with pytest.raises(ValidationError, match="transition stage; this episode is in Stabilization"):
        plans.open_plan(db, counselor, episode_id)


def test_first_opening_prefills_from_the_signed_intake_pathway_and_emergency_contact(db, admin, counselor):
    episode_id, patient = admit_with_signed_intake(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    assert view.patient_id == patient.id and view.language == "en" and view.page_size == "letter"
    assert view.draft["medication"]["choice"] == "buprenorphine"
    [person] = view.draft["people"]
    assert (person["name"], person["relation"]) == ("Lee Díaz", "sister") and "555" in person["phone"]
    assert view.draft["overdose"]["naloxone_at_home"] is True
    assert view.versions == () and view.consents == () and view.latest_version is None
    assert {"level", "key_worker.name", "relapse.triggers", "follow_ups"} <= set(view.missing)
    # Opening again returns the same plan, as saved.
    again = plans.open_plan(db, counselor, episode_id)
    assert again.id == view.id and again.draft == view.draft
    actions = [e.action for e in audit.recent(db, admin)]
    assert actions.count("plan.created") == 1 and actions.count("plan.opened") == 2


def test_spanish_plan_from_the_patients_preferred_language(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, language="es")
    view = plans.open_plan(db, counselor, episode_id)
    assert view.language == "es"
    doc = plans.document(db, counselor, view.id, now=dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
    assert doc.language == "es" and doc.patient.name == "Rosa Díaz" and doc.patient.mrn == "P-1"
    assert "junio" in doc.patient.date_of_birth


def test_save_draft_conflict_names_who_saved(db, admin, counselor):
    other = make_user(db, admin, "prescriber")
    episode_id, _ = admit_with_signed_intake(db, admin)
    mine = plans.open_plan(db, counselor, episode_id)
    theirs = plans.open_plan(db, other, episode_id)
    plans.save_draft(db, other, theirs.id, theirs.version, {**theirs.draft, "level": "outpatient"})
    with pytest.raises(ConflictError, match="Test Prescriber saved this plan at"):
        plans.save_draft(db, counselor, mine.id, mine.version, {**mine.draft, "level": "residential"})
    assert plans.open_plan(db, counselor, episode_id).draft["level"] == "outpatient"


def test_save_draft_keeps_overdose_refuses_unknown_sections_and_audits_no_free_text(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    draft = {k: v for k, v in view.draft.items() if k != "overdose"}
    draft["relapse"] = {**draft["relapse"], "triggers": "SECRET TRIGGER TEXT"}
    saved = plans.save_draft(db, counselor, view.id, view.version, draft, language="es", page_size="a4",
                             large_print=True)
    back = plans.open_plan(db, counselor, episode_id)
    assert back.version == saved.version and back.draft["overdose"] == view.draft["overdose"]
    assert (back.language, back.page_size, back.large_print) == ("es", "a4", True)
    assert back.draft_saved_by_name == counselor.full_name
    [event] = [e for e in audit.recent(db, admin) if e.action == "plan.draft_saved"]
    assert event.detail["sections_changed"] == ["relapse"]
    assert event.detail["changes"]["page_size"] == ["letter", "a4"]
    assert "SECRET" not in repr(event.detail)
    with pytest.raises(ValidationError, match="Unknown plan sections"):
        plans.save_draft(db, counselor, view.id, saved.version, {"nonsense": 1})
    with pytest.raises(ValidationError) as info:
        plans.save_draft(db, counselor, view.id, saved.version, back.draft, page_size="legal")
    assert "page_size" in info.value.fields


def test_finalize_lists_what_is_missing(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    with pytest.raises(ValidationError) as info:
        plans.finalize(db, counselor, view.id, view.version, STRONG_PASSWORD)
    assert {"level", "key_worker.name", "relapse.triggers", "follow_ups"} <= set(info.value.fields)
    assert "medication.choice" not in info.value.fields
    assert plans.versions(db, counselor, view.id) == []


def test_naltrexone_before_its_window_needs_a_reason(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, pathway="naltrexone_after_detox")
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    assert view.draft["medication"]["choice"] == "naltrexone" and view.naltrexone.status != "meets"
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    with pytest.raises(ValidationError) as info:
        plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert set(info.value.fields) == {"medication.reason"}


def test_finalize_needs_the_right_password(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    with pytest.raises(ValidationError) as info:
        plans.finalize(db, counselor, view.id, saved.version, "not my password!")
    assert "password" in info.value.fields
    assert plans.versions(db, counselor, view.id) == []


def test_finalized_versions_keep_their_exact_pdf_and_data(any_db):
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    counselor = make_user(any_db, admin, "counselor")
    episode_id, _ = admit_with_signed_intake(any_db, admin)
    entry = local_entry(any_db, admin)
    meeting = local_entry(any_db, admin, "NA Tuesday group", "mutual_help_meeting")
    view = plans.open_plan(any_db, counselor, episode_id)
    saved = plans.save_draft(any_db, counselor, view.id, view.version,
                             complete_plan(view.draft, entry.id, meeting.id))

    first = plans.finalize(any_db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert (first.number, first.finalized_by_name) == (1, counselor.full_name)
    pdf1 = plans.version_pdf(any_db, counselor, view.id, 1)
    assert pdf1.startswith(b"%PDF") and len(pdf1) > 1000
    with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
        plans.finalize(any_db, counselor, view.id, saved.version, STRONG_PASSWORD)

    # A later change: the draft is still editable with the same version, and becomes version 2.
    changed = complete_plan(view.draft, entry.id, meeting.id) | {"level": "outpatient"}
    saved2 = plans.save_draft(any_db, counselor, view.id, saved.version, changed)
    second = plans.finalize(any_db, counselor, view.id, saved2.version, STRONG_PASSWORD)
    assert second.number == 2 and second.data["level"] == "outpatient"
    assert plans.version_pdf(any_db, counselor, view.id, 1) == pdf1
    assert plans.version_pdf(any_db, counselor, view.id, 2) != pdf1
    listed = plans.versions(any_db, counselor, view.id)
    assert [(v.number, v.data["level"]) for v in listed] == [(1, "intensive_outpatient"), (2, "outpatient")]
    assert [v.number for v in plans.open_plan(any_db, counselor, episode_id).versions] == [1, 2]
    actions = [e.action for e in audit.recent(any_db, admin)]
    assert actions.count("plan.finalized") == 2 and "plan.printed" in actions


def test_finalize_lays_out_the_pdf_before_it_takes_the_write_lock(any_db, monkeypatch):
    """ReportLab runs outside the write transaction: while the pages are laid out another
    workstation can still write (here: an audit event), and finalizing then stores them."""
    from clinic_desktop.core.services.plans import plan_pdf

    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    counselor = make_user(any_db, admin, "counselor")
    episode_id, _ = admit_with_signed_intake(any_db, admin)
    entry = local_entry(any_db, admin)
    view = plans.open_plan(any_db, counselor, episode_id)
    saved = plans.save_draft(any_db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    real = plan_pdf.render_plan_pdf
    wrote_meanwhile = []

    def render(doc):
        # Another workstation writes while this one renders: with the lock held it would wait
        # (SQLite: "database is locked" after the busy timeout).
        other = plans.save_draft(any_db, counselor, view.id, saved.version,
                                 complete_plan(view.draft, entry.id)) if not wrote_meanwhile else None
        wrote_meanwhile.append(other)
        return real(doc)

    monkeypatch.setattr(plan_pdf, "render_plan_pdf", render)
    # The draft saved during rendering changes the plan's version: this signing is refused, and
    # nothing half-done is kept.
    with pytest.raises(ConflictError, match="Reopen it before finalizing"):
        plans.finalize(any_db, counselor, view.id, saved.version, STRONG_PASSWORD)
    assert wrote_meanwhile[0] is not None
    assert plans.versions(any_db, counselor, view.id) == []
    # Reopened, it signs; the stored PDF is the one laid out.
    again = plans.finalize(any_db, counselor, view.id, wrote_meanwhile[0].version, STRONG_PASSWORD)
    assert again.number == 1 and plans.version_pdf(any_db, counselor, view.id, 1).startswith(b"%PDF")


def test_document_is_the_current_draft_with_directory_contacts(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    entry = local_entry(db, admin)
    meeting = local_entry(db, admin, "NA Tuesday group", "mutual_help_meeting")
    view = plans.open_plan(db, counselor, episode_id)
    plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id, meeting.id))
    doc = plans.document(db, counselor, view.id, now=dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
    assert doc.version == "" and counselor.full_name in doc.prepared
    crisis = doc.section("crisis")
    assert tuple(e.key for e in crisis.entries) == plan_rules.HELPLINES
    assert "Northside IOP" in doc.section("referrals").texts
    assert "NA Tuesday group" in doc.section("meetings").texts
    assert "overdose" in doc.section_keys and "paws" in doc.section_keys


def test_roles_nurse_only_reconciles_counselor_and_prescriber_allowed(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    nurse = make_user(db, admin, "nurse", "nurse-x")
    viewer = make_user(db, admin, "viewer")
    with pytest.raises(PermissionDenied):
        plans.open_plan(db, viewer, episode_id)
    view = plans.open_plan(db, counselor, episode_id)
    assert plans.open_plan(db, nurse, episode_id).id == view.id  # to reconcile the medications
    with pytest.raises(PermissionDenied):
        plans.finalize(db, nurse, view.id, view.version, STRONG_PASSWORD)
    for who in (nurse, viewer):
        with pytest.raises(PermissionDenied):
            plans.version_pdf(db, who, view.id, 1)
        with pytest.raises(PermissionDenied):
            plans.record_consent(db, who, episode_id, plans.ConsentInput(1, "p", ("medication",), TODAY, TODAY))
    assert plans.open_plan(db, make_user(db, admin, "prescriber"), episode_id).id == view.id


def test_consent_validation(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    with pytest.raises(ValidationError) as info:
        plans.record_consent(db, counselor, episode_id, plans.ConsentInput(None, " ", (), None, None))
    assert set(info.value.fields) == {"directory_entry_id", "purpose", "items", "expires_on", "signed_on"}
    entry = local_entry(db, admin)
    with pytest.raises(ValidationError) as info:
        plans.record_consent(db, counselor, episode_id, plans.ConsentInput(
            entry.id, "Referral", ("medication",), TODAY, TODAY + dt.timedelta(days=1)))
    assert set(info.value.fields) == {"signed_on", "expires_on"}
    with pytest.raises(ValidationError, match="expire after"):
        plans.record_consent(db, counselor, episode_id, plans.ConsentInput(
            entry.id, "Referral", ("level",), TODAY - dt.timedelta(days=1), TODAY))


def test_consent_recorded_listed_active_expired_and_revoked(any_db):
    admin = accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD, clinic=CLINIC)
    counselor = make_user(any_db, admin, "counselor")
    episode_id, _ = admit_with_signed_intake(any_db, admin)
    entry = local_entry(any_db, admin)
    consent = plans.record_consent(any_db, counselor, episode_id, plans.ConsentInput(
        entry.id, " Arrange intensive outpatient care ", ["relapse", "medication"],
        TODAY + dt.timedelta(days=90), TODAY), today=TODAY)
    assert consent.recipient_name == "Northside IOP" and consent.purpose == "Arrange intensive outpatient care"
    assert consent.items == ("medication", "relapse") and consent.itemized  # print order
    assert consent.item_labels == ("Medication for opioid use disorder", "Relapse-prevention plan")
    assert consent.active(TODAY) and consent.active(TODAY + dt.timedelta(days=90))
    assert consent.expired(TODAY + dt.timedelta(days=91)) and not consent.active(TODAY + dt.timedelta(days=91))
    [listed] = plans.consents(any_db, counselor, episode_id)
    assert listed == consent
    assert [c.id for c in plans.open_plan(any_db, counselor, episode_id).consents] == [consent.id]
    event = next(e for e in audit.recent(any_db, admin) if e.action == "consent.recorded")
    assert "Arrange" not in repr(event.detail)
    assert event.detail["items"] == ["medication", "relapse"]

    revoked = plans.revoke_consent(any_db, counselor, consent.id)
    assert revoked.revoked and revoked.revoked_by_name == counselor.full_name and not revoked.active(TODAY)
    with pytest.raises(ValidationError, match="already revoked"):
        plans.revoke_consent(any_db, counselor, consent.id)
    [after] = plans.consents(any_db, counselor, episode_id)
    assert not after.active(TODAY)


def test_discharge_closes_the_episode_with_a_reason(db, admin, counselor):
    episode_id, patient = admit_with_signed_intake(db, admin)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    saved = plans.save_draft(db, counselor, view.id, view.version, complete_plan(view.draft, entry.id))
    plans.finalize(db, counselor, view.id, saved.version, STRONG_PASSWORD)
    with pytest.raises(ValidationError) as info:
        plans.discharge(db, counselor, episode_id, "  ")
    assert "discharge_reason" in info.value.fields

    closed = plans.discharge(db, counselor, episode_id, "Completed detox; to intensive outpatient")
    assert closed.stage == "discharged" and closed.discharged_at is not None
    assert closed.discharge_reason == "Completed detox; to intensive outpatient"
    assert episodes.current_episode(db, counselor, patient.id) is None
    event = next(e for e in audit.recent(db, admin) if e.action == "episode.discharged")
    assert event.detail["finalized_plan"] is True
    # The plan no longer changes, but its versions still print.
    with pytest.raises(ValidationError, match="discharged"):
        plans.save_draft(db, counselor, view.id, saved.version, view.draft)
    with pytest.raises(ValidationError, match="discharged"):
        plans.open_plan(db, counselor, episode_id)
    assert plans.version_pdf(db, counselor, view.id, 1).startswith(b"%PDF")
    with pytest.raises(ValidationError, match="already discharged"):
        plans.discharge(db, counselor, episode_id, "again")


def test_discharge_without_a_plan_is_allowed_and_recorded(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)
    closed = plans.discharge(db, counselor, episode_id, "Left against medical advice")
    assert closed.stage == "discharged"
    event = next(e for e in audit.recent(db, admin) if e.action == "episode.discharged")
    assert event.detail["finalized_plan"] is False
    assert event.detail["changes"] == {"stage": ["stabilization", "discharged"]}


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text, spaces and line breaks made single spaces (pdftotext, as the report tests)."""
    import subprocess

    from tests.tools import require_tool

    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def test_discharge_records_its_kind_and_the_text_is_optional_except_for_other(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)
    with pytest.raises(ValidationError) as info:
        plans.discharge(db, counselor, episode_id, "", kind="eloped")
    assert "discharge_kind" in info.value.fields
    with pytest.raises(ValidationError) as info:
        plans.discharge(db, counselor, episode_id, " ", kind="other")
    assert "discharge_reason" in info.value.fields
    closed = plans.discharge(db, counselor, episode_id, "", kind="against_medical_advice")
    assert closed.discharge_reason == "Against medical advice"
    event = next(e for e in audit.recent(db, admin) if e.action == "episode.discharged")
    assert event.detail["kind"] == "against_medical_advice"


def test_the_overdose_sheet_prints_without_a_plan_and_is_audited(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)  # no plan at all
    plans.discharge(db, counselor, episode_id, "", kind="left_without_notice")
    pdf = plans.overdose_sheet_pdf(db, counselor, episode_id)
    text = _pdf_text(pdf)
    assert "Staying safe from overdose" in text and "Who to call when" in text and "988" in text
    assert "Get a naloxone kit for free" in text and "You were given a naloxone kit" not in text
    assert "naltrexone" not in text.lower()
    event = next(e for e in audit.recent(db, admin) if e.action == "discharge.sheet_printed")
    assert event.detail["plan"] is False and event.detail["language"] == "en"
    with pytest.raises(ValidationError):
        plans.sheet_not_printed(db, counselor, episode_id, "forgot")
    plans.sheet_not_printed(db, counselor, episode_id, "patient_left")
    event = next(e for e in audit.recent(db, admin) if e.action == "discharge.sheet_not_printed")
    assert event.detail == {"why": "patient_left"}


def test_the_overdose_sheet_follows_the_plan_kit_and_naltrexone(db, admin, counselor):
    episode_id, _ = admit_with_signed_intake(db, admin)
    entry = local_entry(db, admin)
    view = plans.open_plan(db, counselor, episode_id)
    draft = complete_plan(view.draft, entry.id)
    draft["medication"] = {**draft["medication"], "choice": "naltrexone", "reason": "Wants it now"}
    draft["overdose"] = {**draft["overdose"], "naloxone_kit_given": True, "naloxone_shown_patient": True}
    plans.save_draft(db, counselor, view.id, view.version, draft)
    closed = plans.discharge(db, counselor, episode_id, "To intensive outpatient", kind="completed")
    assert closed.discharge_reason == "Completed: To intensive outpatient"
    text = _pdf_text(plans.overdose_sheet_pdf(db, counselor, episode_id))
    assert "You were given a naloxone kit" in text and "You were shown how to use it" in text
    assert "Get a naloxone kit" not in text
    assert "You take naltrexone" in text
    event = next(e for e in audit.recent(db, admin) if e.action == "discharge.sheet_printed")
    assert event.detail["plan"] is True
