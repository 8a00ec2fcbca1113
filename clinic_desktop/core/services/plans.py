"""The aftercare plan of an episode (CLINICAL.md §2 post-detox transition), the consents to
share information with the places it refers to (§5, 42 CFR Part 2), and discharge.

The plan follows the intake's patterns: a draft saved as it is typed (``save_draft``, a stale
version refused naming who saved and when), signed with the password re-entered
(``finalize``). Who: "plans.edit" to open, edit and finalize, "plans.print" to preview and print
(counselor, prescriber, administrator).

Decisions, for whoever reads the code next:

* One plan per episode, opened only while the episode is in **transition**; it is created on
  first opening from :func:`core.plan.prefill` (the signed intake's data, the episode's
  pathway, the patient record's emergency contact), in the patient's preferred language.
* Finalizing stores a numbered :class:`~clinic_desktop.core.models.PlanVersion` (1, 2, ...) with
  a copy of the plan data and the **exact PDF bytes** rendered then; earlier versions are never
  touched, so ``version_pdf`` prints any of them exactly as the patient received it. The draft
  stays editable: a later change finalized becomes the next version. Finalizing a draft
  identical to the last version (same data, language, page size, print size) is refused.
* Finalizing does not change the plan row (its version stays valid for further saves); two
  workstations finalizing the same number at once hit the (plan, number) unique constraint and
  the second is refused as a conflict.
* After discharge the plan no longer changes; its versions stay printable.
* Discharge medication reconciliation: each order active when the plan is opened or finalized
  is continued, changed or stopped (:func:`core.plan.missing_to_finalize`); only a prescriber
  or nurse ("plans.reconcile") changes it, and a nurse may open the plan to save that part (and
  MOUD offered) alone. The last dose given here is read from the MAR whenever a plan or letter
  is printed, never typed. Discharge… reconciles too, from any open stage
  (:func:`reconcile_at_discharge`: the rows alone, the plan created when the episode has none);
  it may be skipped (a patient who walked out) and never stands between discharge and the sheet.
* Overdose prevention and PAWS always print (reports.plan); ``save_draft`` only makes sure the
  draft keeps its ``overdose`` section.
* Audit events carry ids, section names and settings, never the free text typed. Every print
  or export is audited: a version ("plan.printed"), a draft's preview ("plan.draft_printed",
  watermarked "DRAFT"), a referral letter ("plan.letter_exported").
* Consents are recorded per recipient (a directory entry; its name is kept as signed) with the
  information items they cover (keys of ``core.consent.INFORMATION_ITEMS``, also kept as their
  labels in the old free-text ``information`` column); a letter shares only covered items, and
  a consent recorded before items were kept (``items`` NULL) covers none. ``consent_form_pdf``
  prints the form to sign ("consent.form_printed"). A consent
  is *active* on a day when it is not revoked and that day is on or before ``expires_on`` (the
  expiry date is the last day it is valid). Revoking is permanent; a new consent is recorded
  instead. Recording and revoking need "plans.edit"; anyone who may open patients lists them.
* :func:`discharge` closes an open episode from any stage with a reason. It does **not** require
  a finalized plan: a patient may leave without one (against advice); the audit event records
  its kind (completed, against medical advice, ...) and whether a finalized plan existed. Every
  discharge then offers the overdose and crisis sheet (:func:`overdose_sheet_pdf`, plan or no
  plan); printing it, or why it was not (:func:`sheet_not_printed`), is audited.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.core import clock, protocols
from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core import plan as plan_rules
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ConflictError, NotFound, ValidationError
from clinic_desktop.core.models import (
    AftercarePlan,
    Assessment,
    Consent,
    DirectoryEntry,
    Episode,
    Patient,
    PlanVersion,
    PlanVersionCopy,
    Role,
    Stage,
    User,
    utcnow,
)
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import accounts, audit, episodes, mar, patient_facts, support
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.text import format_number
from clinic_desktop.reports import consent_form as consent_form_report
from clinic_desktop.reports import document as printed
from clinic_desktop.reports import i18n, overdose_sheet, plan_pdf
from clinic_desktop.reports import letter as letter_report
from clinic_desktop.reports import plan as plan_report

PAGE_SIZES = tuple(plan_rules.PAGE_SIZES)
SECTIONS = tuple(plan_rules.empty_plan())
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
MAX_DISCHARGE_REASON = 200
#: Why the patient leaves: kind → what staff read (and what the episode's reason starts with).
DISCHARGE_KINDS: dict[str, str] = {
    "completed": "Completed",
    "against_medical_advice": "Against medical advice",
    "left_without_notice": "Left without notice",
    "transferred": "Transferred",
    "other": "Other",
}
#: Why the overdose and crisis sheet was not printed at discharge: code → what staff read
#: (audited by code: no free text in the audit log).
SHEET_NOT_PRINTED: dict[str, str] = {
    "patient_left": "The patient left before it could be given",
    "patient_declined": "The patient declined it",
    "cannot_print": "It cannot be printed now (printer or computer problem)",
}


# --- plain data out -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanVersionView:
    number: int
    finalized_at: dt.datetime
    finalized_by_name: str
    language: str
    page_size: str
    large_print: bool
    data: dict[str, Any]
    #: Every language this version was signed in: its own :attr:`language` first (the
    #: patient's copy), then the record's English when that differs.
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentView:
    id: int
    episode_id: int
    #: The provider it names; None when it names a person (``recipient_name``, a family member
    #: or friend, and their ``recipient_relationship``).
    directory_entry_id: int | None
    recipient_name: str
    purpose: str
    #: The information items it covers (keys of core.consent.INFORMATION_ITEMS, print order);
    #: None when recorded before consents were itemized: it covers no item.
    items: tuple[str, ...] | None
    expires_on: dt.date
    signed_on: dt.date
    revoked_at: dt.datetime | None
    revoked_by_name: str | None
    created_at: dt.datetime
    created_by_name: str
    recipient_relationship: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, today: dt.date) -> bool:
        """Past its expiry date (``expires_on`` is the last day it is valid)."""
        return consent_rules.expired(self.expires_on, today)

    def active(self, today: dt.date) -> bool:
        """Information may be shared under it today: not revoked, not expired."""
        return not self.revoked and not self.expired(today)

    @property
    def itemized(self) -> bool:
        """Recorded with its information items (not before consents were itemized)."""
        return self.items is not None

    @property
    def item_labels(self) -> tuple[str, ...]:
        """The labels of the items it covers, in print order."""
        return consent_rules.labels(consent_rules.covered(self))


@dataclass(frozen=True)
class PlanView:
    id: int
    episode_id: int
    patient_id: int
    draft: dict[str, Any]
    version: int
    language: str
    page_size: str
    large_print: bool
    draft_saved_at: dt.datetime | None
    draft_saved_by_name: str | None
    #: Finalized versions, oldest first.
    versions: tuple[PlanVersionView, ...]
    consents: tuple[ConsentView, ...]
    #: Whether naltrexone's opioid-free window is met (intake uses and MAR doses, see mar.naltrexone_prompt_in).
    naltrexone: protocols.Prompt
    #: What must still be filled in before finalizing ("section.field": message).
    missing: dict[str, str]
    #: The orders active now, each to be continued, changed or stopped (with the last dose given
    #: here, from the MAR), and when they were read.
    orders: tuple[plan_rules.ActiveOrder, ...] = ()
    read_at: dt.datetime | None = None
    #: The episode's safety alert was raised (at any time): the safety plan's key parts are required.
    safety_alert_raised: bool = False
    #: The patient is pregnant (the patient facts: the intake's answer until corrected): the plan
    #: proposes an obstetric referral (:func:`core.plan.recommended`; never required).
    pregnant: bool = False

    @property
    def latest_version(self) -> int | None:
        return self.versions[-1].number if self.versions else None


@dataclass(frozen=True)
class DraftSaved:
    version: int
    saved_at: dt.datetime


@dataclass(frozen=True)
class ConsentInput:
    """What the consent form sends."""

    directory_entry_id: int | None
    purpose: str
    #: The information items it covers: keys of core.consent.INFORMATION_ITEMS.
    items: Sequence[str]
    expires_on: dt.date | None
    signed_on: dt.date | None
    #: A consent to share with a person (a family member or friend) instead of a provider: their
    #: name and relationship to the patient (used when ``directory_entry_id`` is None).
    person_name: str = ""
    person_relationship: str = ""


# --- helpers --------------------------------------------------------------------------------------

def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.full_name if user else None


def _plan(session: Session, plan_id: int) -> AftercarePlan:
    plan = session.get(AftercarePlan, plan_id)
    if plan is None:
        raise NotFound("This aftercare plan no longer exists.")
    return plan


def _stage_refusal(episode: Episode) -> str:
    label = episodes.STAGE_LABELS.get(episode.stage, episode.stage)
    if episode.stage == Stage.DISCHARGED.value:
        return "This episode is discharged: its plan no longer changes (earlier versions still print)."
    return (f"The aftercare plan is written in the transition stage; this episode is in {label}. "
            "Move it to transition first.")


def _editable_episode(session: Session, plan: AftercarePlan) -> Episode:
    episode = episodes.episode_in(session, plan.episode_id)
    if episode.stage != Stage.TRANSITION.value:
        raise ValidationError(_stage_refusal(episode))
    return episode


def _intake_data(session: Session, episode_id: int) -> dict[str, Any]:
    """The data of the episode's signed intake assessment ({} when there is none)."""
    a = session.execute(select(Assessment).where(Assessment.episode_id == episode_id)).scalar_one_or_none()
    return dict(a.data or {}) if a is not None and a.status == "signed" else {}


def _naltrexone(session: Session, episode_id: int, now: dt.datetime) -> protocols.Prompt:
    """The naltrexone window as the MAR sees it: the most restrictive of every opioid use at
    intake and every methadone or buprenorphine dose given here (struck ones left out)."""
    return mar.naltrexone_prompt_in(session, episode_id, now)


def _active_orders(session: Session, episode_id: int, now: dt.datetime) -> tuple[plan_rules.ActiveOrder, ...]:
    """The orders active at ``now`` (the ones to reconcile), prefilled from the order, with the
    last dose given here from the MAR."""
    last = mar.last_doses_in(session, episode_id)
    return tuple(
        plan_rules.ActiveOrder(order_id=o.id, drug_id=o.drug_id, name=o.name,
                               dose=f"{format_number(o.dose)} {o.unit}".strip(), route=o.route,
                               frequency=_how_often(o), last_dose=last.get(o.id))
        for o in mar.orders_in(session, episode_id) if not o.cancelled and o.active(now))


def _how_often(order: mar.OrderView) -> str:
    """How often, as a patient reads it: "Once a day (09:00)", "3 times a day (08:00, 14:00,
    20:00)", or the as-needed interval."""
    if order.is_prn or not order.times:
        return order.schedule_text
    return plan_rules.how_often(order.times)


def _with_mar(session: Session, episode_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """The plan ``data`` to print, each reconciled medication with its last dose given here
    read from the MAR now (never as typed)."""
    return plan_rules.with_last_doses(data, mar.last_doses_in(session, episode_id))


def _version_views(session: Session, plan_id: int) -> tuple[PlanVersionView, ...]:
    rows = session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                           .order_by(PlanVersion.number)).scalars().all()
    copies: dict[int, list[str]] = {}
    for version_id, language in session.execute(
            select(PlanVersionCopy.version_id, PlanVersionCopy.language)
            .where(PlanVersionCopy.version_id.in_([v.id for v in rows])).order_by(PlanVersionCopy.id)):
        copies.setdefault(version_id, []).append(language)
    return tuple(PlanVersionView(v.number, v.finalized_at, _name(session, v.finalized_by) or "", v.language,
                                 v.page_size, v.large_print, copy.deepcopy(v.data),
                                 (v.language, *copies.get(v.id, ()))) for v in rows)


#: The language every finalized plan is also signed in, for the record (the clinic's staff and
#: a later reader of the chart read it).
RECORD_LANGUAGE = "en"


def version_languages(language: str, preferred: str | None = None) -> tuple[str, ...]:
    """The languages a plan in ``language`` is finalized in: its own, the patient's
    ``preferred`` language when a plan can print in it, then the record's (each once)."""
    wanted = (language, *((preferred,) if preferred in i18n.languages() else ()), RECORD_LANGUAGE)
    return tuple(dict.fromkeys(wanted))


def _preferred_language(session: Session, plan: AftercarePlan) -> str | None:
    patient = session.get(Patient, episodes.episode_in(session, plan.episode_id).patient_id)
    return (patient.preferred_language or "").strip() or None if patient is not None else None


def _consent_view(session: Session, c: Consent) -> ConsentView:
    return ConsentView(
        id=c.id, episode_id=c.episode_id, directory_entry_id=c.directory_entry_id,
        recipient_name=c.recipient_name, purpose=c.purpose,
        items=None if c.items is None else consent_rules.covered(c),
        expires_on=c.expires_on, signed_on=c.signed_on, revoked_at=c.revoked_at,
        revoked_by_name=_name(session, c.revoked_by), created_at=c.created_at,
        created_by_name=_name(session, c.created_by) or "", recipient_relationship=c.recipient_relationship)


def _consent_views(session: Session, episode_id: int) -> tuple[ConsentView, ...]:
    rows = session.execute(select(Consent).where(Consent.episode_id == episode_id)
                           .order_by(Consent.signed_on, Consent.id)).scalars()
    return tuple(_consent_view(session, c) for c in rows)


def _view(session: Session, plan: AftercarePlan, now: dt.datetime) -> PlanView:
    episode = episodes.episode_in(session, plan.episode_id)
    draft = copy.deepcopy(dict(plan.draft or {}))
    naltrexone = _naltrexone(session, episode.id, now)
    orders = _active_orders(session, episode.id, now)
    alert = episode.safety_alert_at is not None
    return PlanView(
        id=plan.id, episode_id=episode.id, patient_id=episode.patient_id, draft=draft,
        version=plan.version, language=plan.language, page_size=plan.page_size,
        large_print=plan.large_print, draft_saved_at=plan.draft_saved_at,
        draft_saved_by_name=_name(session, plan.draft_saved_by),
        versions=_version_views(session, plan.id), consents=_consent_views(session, episode.id),
        naltrexone=naltrexone, orders=orders, read_at=now,
        missing=plan_rules.missing_to_finalize(draft, naltrexone, alert, orders=orders, now=now),
        safety_alert_raised=alert, pregnant=patient_facts.facts_in(session, episode.id).pregnant == "yes")


def _contact(entry: DirectoryEntry) -> printed.Contact:
    return printed.Contact(
        name=entry.name, phone=entry.phone_display or entry.phone or "", other=entry.other_contact or "",
        address=entry.address or "", hours=entry.hours or "", walk_in=bool(entry.walk_in),
        languages=tuple(entry.languages.split(",")) if entry.languages else ())


# --- the plan -------------------------------------------------------------------------------------

def _require_editor(db: Database, user: SignedInUser | None) -> SignedInUser:
    """Who may open and save the plan: whoever edits plans, or reconciles its medications
    (a nurse, who saves that part only: see :func:`save_draft`). The user as they stand now."""
    return require(db, user, "plans.edit", "plans.reconcile")


#: The parts of the plan's medication section only "plans.reconcile" changes.
_RECONCILED = ("reconciliation",)
#: The parts of the plan's medication section a reconciling nurse (no "plans.edit") may change.
_NURSE_MEDICATION = ("reconciliation", "moud")


def _guarded(user: SignedInUser, before: Mapping[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` with what ``user`` may not change kept as it was: the reconciliation of the
    medications without "plans.reconcile"; everything but the reconciliation and MOUD offered
    without "plans.edit"."""
    medication_before = dict(before.get("medication") or {})
    if not user.can("plans.edit"):
        sent = new.get("medication") or {}
        kept = copy.deepcopy(dict(before))
        kept["medication"] = {**medication_before,
                              **{k: copy.deepcopy(sent[k]) for k in _NURSE_MEDICATION if k in sent}}
        return kept
    if not user.can("plans.reconcile"):
        medication = dict(new.get("medication") or {})
        for k in _RECONCILED:
            if k in medication_before:
                medication[k] = copy.deepcopy(medication_before[k])
            else:
                medication.pop(k, None)
        new["medication"] = medication
    return new


def _new_plan(session: Session, user: SignedInUser, episode: Episode, patient: Patient) -> AftercarePlan:
    """The episode's plan, created (audited) from what the episode knows: the signed intake's
    data, what the patient said matters in sessions, the pathway, the patient record's
    emergency contact, the patient's language."""
    contact = {"name": patient.emergency_contact_name or "",
               "relation": patient.emergency_contact_relation or "",
               "phone": patient.emergency_contact_phone or ""}
    draft = plan_rules.prefill(_intake_data(session, episode.id), episode.pathway,
                               emergency_contact=contact,
                               what_matters=support.what_matters_in(session, episode.id))
    page_size = str(settings_service.read_in(session).get("plan_page_size") or "letter")
    plan = AftercarePlan(episode_id=episode.id, draft=draft,
                         language=(patient.preferred_language or "").strip() or "en",
                         page_size=page_size if page_size in PAGE_SIZES else "letter",
                         large_print=False, created_by=user.id)
    session.add(plan)
    session.flush()
    audit.append(session, user, "plan.created", entity_type="plan", entity_id=plan.id,
                 patient_id=patient.id, detail={"episode_id": episode.id})
    return plan


def open_plan(db: Database, user: SignedInUser, episode_id: int, now: dt.datetime | None = None) -> PlanView:
    """The plan of an episode in transition (audited as opened), created on first opening from
    what the episode knows. Other stages are refused with a plain message."""
    user = _require_editor(db, user)
    now = now or utcnow()
    with db.write() as session:
        episode = episodes.episode_in(session, episode_id)
        if episode.stage != Stage.TRANSITION.value:
            raise ValidationError(_stage_refusal(episode))
        patient = session.get(Patient, episode.patient_id)
        assert patient is not None
        plan = session.execute(select(AftercarePlan).where(AftercarePlan.episode_id == episode.id)
                               ).scalar_one_or_none()
        if plan is None:
            plan = _new_plan(session, user, episode, patient)
        audit.append(session, user, "plan.opened", entity_type="plan", entity_id=plan.id,
                     patient_id=patient.id)
        return _view(session, plan, now)


def save_draft(db: Database, user: SignedInUser, plan_id: int, expected_version: int,
               draft: Mapping[str, Any], language: str | None = None, page_size: str | None = None,
               large_print: bool | None = None) -> DraftSaved:
    """Save the plan as typed so far (completeness is checked at finalizing). ``language``,
    ``page_size`` and ``large_print`` change only when given. A stale version is refused naming
    who saved it and when. The ``overdose`` section is kept whatever the draft sends. Only a
    prescriber or nurse ("plans.reconcile") changes the medication reconciliation; a nurse
    changes only it and MOUD offered (the rest, and the settings, are kept as they were)."""
    user = _require_editor(db, user)
    if not user.can("plans.edit"):
        language = page_size = large_print = None
    if not isinstance(draft, Mapping):
        raise ValidationError({"": "The plan must be a set of sections."})
    unknown = set(draft) - set(SECTIONS)
    if unknown:
        raise ValidationError({"": f"Unknown plan sections: {', '.join(sorted(map(str, unknown)))}."})
    errors = {}
    if language is not None and not _LANGUAGE.match(language.strip()):
        errors["language"] = "Choose the plan's language."
    if page_size is not None and page_size not in PAGE_SIZES:
        errors["page_size"] = "Choose US Letter or A4."
    if errors:
        raise ValidationError(errors)
    try:
        with db.write() as session:
            plan = _plan(session, plan_id)
            episode = _editable_episode(session, plan)
            if plan.version != expected_version:
                who = _name(session, plan.draft_saved_by) or "Someone"
                when = clock.local(plan.draft_saved_at).strftime("%H:%M") if plan.draft_saved_at else "just now"
                raise ConflictError(f"{who} saved this plan at {when} on another workstation. Reopen it "
                                    "to see their changes; what you typed is still on your screen.")
            before = dict(plan.draft or {})
            new = copy.deepcopy(dict(draft))
            new = _guarded(user, before, new)
            if not isinstance(new.get("overdose"), Mapping):
                new["overdose"] = copy.deepcopy(before.get("overdose")) or plan_rules.empty_plan()["overdose"]
            settings_before = {"language": plan.language, "page_size": plan.page_size,
                               "large_print": plan.large_print}
            plan.draft = new
            if language is not None:
                plan.language = language.strip()
            if page_size is not None:
                plan.page_size = page_size
            if large_print is not None:
                plan.large_print = bool(large_print)
            plan.draft_saved_at = utcnow()
            plan.draft_saved_by = user.id
            session.flush()
            changed = sorted(k for k in set(before) | set(new) if before.get(k) != new.get(k))
            audit.append(session, user, "plan.draft_saved", entity_type="plan", entity_id=plan.id,
                         patient_id=episode.patient_id,
                         detail={"sections_changed": changed,
                                 "changes": audit.diff(settings_before, {"language": plan.language,
                                                                         "page_size": plan.page_size,
                                                                         "large_print": plan.large_print})})
            return DraftSaved(plan.version, plan.draft_saved_at)
    except StaleDataError:
        raise ConflictError("Another workstation saved this plan at the same moment. Reopen it; what "
                            "you typed is still on your screen.") from None


def _clinic(settings: Mapping[str, Any]) -> printed.PlanClinic:
    """The clinic as printed: name, address, phone and the logo image from the settings.
    ClinicIdentityMissing (nothing prints) while the name, address or phone is blank."""
    settings_service.require_identity(settings)
    return printed.PlanClinic(
        name=str(settings.get("clinic_name") or ""), address=str(settings.get("clinic_address") or ""),
        phone=str(settings.get("clinic_phone") or ""), logo=settings_service.logo_bytes(settings))


def _helplines(session: Session) -> list[printed.Contact | None]:
    """The national lines from the directory, one per id of core.plan.HELPLINES (None: gone)."""
    by_key = {e.key: e for e in session.execute(
        select(DirectoryEntry).where(DirectoryEntry.key.in_(plan_rules.HELPLINES))).scalars()}
    return [_contact(by_key[key]) if key in by_key else None for key in plan_rules.HELPLINES]


def _document(session: Session, user: SignedInUser | None, plan: AftercarePlan, data: Mapping[str, Any],
              now: dt.datetime, version: int | None, *, draft: bool = False, language: str | None = None,
              large_print: bool | None = None, prepared_by: str | None = None) -> plan_report.PlanDocument:
    episode = episodes.episode_in(session, plan.episode_id)
    patient = session.get(Patient, episode.patient_id)
    assert patient is not None
    helplines = _helplines(session)
    errors: dict[str, str] = {}

    def contacts(ids: list[tuple[str, Any]]) -> dict[Any, printed.Contact]:
        out = {}
        for field, entry_id in ids:
            entry = session.get(DirectoryEntry, entry_id) if isinstance(entry_id, int) else None
            if entry is None:
                errors[field] = "This directory entry no longer exists; choose another."
            else:
                out[entry_id] = _contact(entry)
        return out

    referral_contacts = contacts([(f"referrals.{n}.entry_id", r.get("entry_id"))
                                  for n, r in enumerate(data.get("referrals") or [], start=1)])
    meeting_contacts = contacts([(f"meetings.{n}", m) for n, m in enumerate(data.get("meetings") or [], start=1)])
    if errors:
        raise ValidationError(errors)
    clinic = settings_service.read_in(session)
    if prepared_by is None:
        prepared_by = user.full_name if user is not None else ""
    return plan_report.build_plan_document(
        _with_mar(session, episode.id, data), language=plan.language if language is None else language,
        patient={"name": f"{patient.given_name} {patient.family_name}",
                 "date_of_birth": patient.date_of_birth, "mrn": patient.mrn},
        clinic=_clinic(clinic), prepared_by=prepared_by, prepared_at=now,
        referral_contacts=referral_contacts, meeting_contacts=meeting_contacts, helplines=helplines,
        version=version, page_size=plan.page_size,
        large_print=plan.large_print if large_print is None else bool(large_print),
        phone_region=str(clinic.get("phone_region") or "US"), draft=draft)


def document(db: Database, user: SignedInUser, plan_id: int, now: dt.datetime | None = None, *,
             opening: bool = False) -> plan_report.PlanDocument:
    """The plan as it would print now, from the current draft (the preview): the patient, the
    clinic from settings (its logo too), prepared by ``user``, the helplines, referral and
    meeting contacts from the directory; ``draft`` is set, so it prints watermarked "DRAFT".
    A referral or meeting whose entry is gone is a ValidationError. ``opening`` (the document
    shown to someone, not re-read): audited as "plan_document.opened" in the same unit of work;
    printed, it is :func:`preview_pdf` ("plan.draft_printed")."""
    require(db, user, "plans.print")
    with db.write() if opening else db.read() as session:
        plan = _plan(session, plan_id)
        doc = _document(session, user, plan, dict(plan.draft or {}), now or utcnow(), None, draft=True)
        if opening:
            episode = episodes.episode_in(session, plan.episode_id)
            audit.append(session, user, "plan_document.opened", entity_type="plan", entity_id=plan.id,
                         patient_id=episode.patient_id)
        return doc


def preview_pdf(db: Database, user: SignedInUser, plan_id: int, now: dt.datetime | None = None) -> bytes:
    """The current draft as a PDF, watermarked "DRAFT" on every page (Preview / print of a
    draft), audited as "plan.draft_printed" (language, page size, print size; no text)."""
    require(db, user, "plans.print")
    with db.read() as session:
        plan = _plan(session, plan_id)
        doc = _document(session, user, plan, dict(plan.draft or {}), now or utcnow(), None, draft=True)
    pdf = plan_pdf.render_plan_pdf(doc)
    with db.write() as session:
        plan = _plan(session, plan_id)
        episode = episodes.episode_in(session, plan.episode_id)
        audit.append(session, user, "plan.draft_printed", entity_type="plan", entity_id=plan.id,
                     patient_id=episode.patient_id,
                     detail={"language": doc.language, "page_size": doc.page_size,
                             "large_print": doc.large_print, "bytes": len(pdf)})
    return pdf


def finalize(db: Database, user: SignedInUser, plan_id: int, expected_version: int, password: str,
             now: dt.datetime | None = None) -> PlanVersionView:
    """Sign the plan: the counselor re-enters their password; what is missing is listed (keys
    "section.field"); then the PDF is rendered from one read and stored, with the plan data, as
    the next numbered version in a short write that first checks nothing changed meanwhile
    (ConflictError if it did). Earlier versions are untouched; the draft stays as it is."""
    require(db, user, "plans.edit")
    now = now or utcnow()
    accounts.confirm_password(db, user, password)
    # The pages are laid out from a consistent read, before the write lock is taken (ReportLab
    # can take a second on a long plan); the write then stores them only if nothing changed.
    with db.read() as session:
        plan = _plan(session, plan_id)
        number, data = _next_version(session, plan, expected_version, now)
        # The patient's copy and the record's, from the same data at the same moment.
        pdfs = {language: plan_pdf.render_plan_pdf(_document(session, user, plan, data, now, number,
                                                             language=language))
                for language in version_languages(plan.language, _preferred_language(session, plan))}
    try:
        with db.write() as session:
            plan = _plan(session, plan_id)
            episode = _editable_episode(session, plan)
            if _next_version(session, plan, expected_version, now) != (number, data):
                raise ConflictError("This plan changed on another workstation while it was being "
                                    "signed. Reopen it before finalizing.")
            if tuple(pdfs) != version_languages(plan.language, _preferred_language(session, plan)):
                raise ConflictError("This plan's language changed on another workstation while it was "
                                    "being signed. Reopen it before finalizing.")
            version = PlanVersion(plan_id=plan.id, number=number, data=data, pdf=pdfs[plan.language],
                                  language=plan.language, page_size=plan.page_size,
                                  large_print=plan.large_print, finalized_at=now, finalized_by=user.id)
            session.add(version)
            session.flush()
            for language, pdf in list(pdfs.items())[1:]:
                session.add(PlanVersionCopy(version_id=version.id, language=language, pdf=pdf))
            audit.append(session, user, "plan.finalized", entity_type="plan", entity_id=plan.id,
                         patient_id=episode.patient_id,
                         detail={"number": number, "language": plan.language,
                                 "languages": list(pdfs), "bytes": {k: len(v) for k, v in pdfs.items()}})
            return PlanVersionView(number, now, user.full_name, plan.language, plan.page_size,
                                   plan.large_print, copy.deepcopy(data), tuple(pdfs))
    except IntegrityError:
        raise ConflictError("This plan was finalized on another workstation at the same moment. "
                            "Reopen it to see that version.") from None


def _next_version(session: Session, plan: AftercarePlan, expected_version: int,
                  now: dt.datetime) -> tuple[int, dict[str, Any]]:
    """The number and data of the version finalizing would write now, or why it may not: the plan
    changed since it was opened, something is missing, or nothing changed since the last one."""
    episode = _editable_episode(session, plan)
    if plan.version != expected_version:
        raise ConflictError("This plan was saved on another workstation since you opened it. "
                            "Reopen it before finalizing.")
    data = copy.deepcopy(dict(plan.draft or {}))
    missing = plan_rules.missing_to_finalize(data, _naltrexone(session, episode.id, now),
                                             episode.safety_alert_at is not None,
                                             orders=_active_orders(session, episode.id, now), now=now)
    if missing:
        raise ValidationError(missing)
    last = session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                           .order_by(PlanVersion.number.desc()).limit(1)).scalar_one_or_none()
    if last is not None and (last.data, last.language, last.page_size, last.large_print) == (
            data, plan.language, plan.page_size, plan.large_print):
        raise ValidationError(f"Nothing has changed since version {last.number}; print that one.")
    return (last.number if last else 0) + 1, data


def versions(db: Database, user: SignedInUser, plan_id: int) -> list[PlanVersionView]:
    """The finalized versions of a plan, oldest first."""
    require(db, user, "plans.print")
    with db.read() as session:
        _plan(session, plan_id)
        return list(_version_views(session, plan_id))


def _stored_pdf(session: Session, version: PlanVersion, language: str | None) -> bytes | None:
    """The bytes stored for ``version`` in ``language`` (None: its own language), or None."""
    if language in (None, version.language):
        return bytes(version.pdf)
    found = session.execute(select(PlanVersionCopy.pdf).where(PlanVersionCopy.version_id == version.id,
                                                              PlanVersionCopy.language == language)).scalar()
    return bytes(found) if found is not None else None


def version_pdf(db: Database, user: SignedInUser, plan_id: int, number: int, language: str | None = None) -> bytes:
    """A finalized version's PDF in ``language`` (None: the patient's copy), exactly the bytes
    stored when it was signed (audited). A language it was not signed in is NotFound: a
    finalized plan never prints as a draft."""
    require(db, user, "plans.print")
    with db.write() as session:
        settings_service.require_identity_in(session)
        plan = _plan(session, plan_id)
        found = session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id,
                                                          PlanVersion.number == number)).scalar_one_or_none()
        if found is None:
            raise NotFound(f"This plan has no version {number}.")
        pdf = _stored_pdf(session, found, language)
        if pdf is None:
            signed = ", ".join(next(v.languages for v in _version_views(session, plan.id) if v.number == number))
            raise NotFound(f"Version {number} was not signed in {language!r} (it was in: {signed}). "
                           "Finalize a new version to print it in another language.")
        episode = episodes.episode_in(session, plan.episode_id)
        audit.append(session, user, "plan.printed", entity_type="plan", entity_id=plan.id,
                     patient_id=episode.patient_id, detail={"number": number, "language": language or found.language})
        return pdf


def _referral_for(data: Mapping[str, Any], entry_id: int) -> Mapping[str, Any] | None:
    for referral in data.get("referrals") or []:
        if isinstance(referral, Mapping) and str(referral.get("entry_id")) == str(entry_id):
            return referral
    return None


def referral_letter(db: Database, user: SignedInUser, plan_id: int, consent_id: int, shared: Sequence[str],
                    now: dt.datetime | None = None) -> bytes:
    """The referral letter (42 CFR Part 2) to the recipient of consent ``consent_id``, as a PDF.

    The recipient is the consent's directory entry; the referral is the plan's referral to that
    entry, from the current draft, or from the latest finalized version when the draft has none.
    ``shared``: the keys of :data:`core.consent.INFORMATION_ITEMS` to print; each must be one the
    consent covers (:func:`core.consent.check_covered`: refused naming the others). A revoked or
    expired consent (on ``now``'s local date, the rule of :func:`core.consent.check_letter`), a
    consent of another episode, no referral to its recipient, an unknown item or one the consent
    does not cover: ValidationError, one plain message.
    Audited as "plan.letter_exported" (consent, recipient entry, item keys; no free text)."""
    require(db, user, "plans.print")
    now = now or utcnow()
    shared = [str(key) for key in shared]
    with db.read() as session:
        plan = _plan(session, plan_id)
        episode = episodes.episode_in(session, plan.episode_id)
        consent = session.get(Consent, consent_id)
        if consent is None:
            raise NotFound("This consent no longer exists.")
        if consent.episode_id != episode.id:
            raise ValidationError("This consent was signed for another episode: choose one of this "
                                  "episode's consents.")
        entry = session.get(DirectoryEntry, consent.directory_entry_id)
        if entry is None:
            raise ValidationError("The consent's recipient is no longer in the directory.")
        data: Mapping[str, Any] = dict(plan.draft or {})
        referral = _referral_for(data, entry.id)
        if referral is None:
            last = session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                                   .order_by(PlanVersion.number.desc()).limit(1)).scalar_one_or_none()
            if last is not None and _referral_for(last.data or {}, entry.id) is not None:
                data = copy.deepcopy(dict(last.data))
                referral = _referral_for(data, entry.id)
        if referral is None:
            raise ValidationError(f"The plan has no referral to {consent.recipient_name}: add the referral "
                                  "to the plan before writing the letter.")
        patient = session.get(Patient, episode.patient_id)
        assert patient is not None
        settings = settings_service.read_in(session)
        consent_view = _consent_view(session, consent)
        patient_id, entry_id = patient.id, entry.id
        today = clock.local(now).date()
        consent_rules.check_items(shared)
        consent_rules.check_letter(consent_view, today=today, entry_id=entry.id, recipient_name=entry.name)
        consent_rules.check_covered(consent_view, shared)
        doc = letter_report.build_referral_letter(
            plan=_with_mar(session, episode.id, data), consent=consent_view, referral=referral, recipient=_contact(entry),
            patient=printed.PlanPatient(f"{patient.given_name} {patient.family_name}",
                                        printed.format_date("en", patient.date_of_birth,
                                                           region=str(settings.get("phone_region") or "US")),
                                        patient.mrn),
            clinic=_clinic(settings), prepared_by=user.full_name, prepared_role=Role(user.role).value,
            prepared_at=now, today=today,
            shared=shared, page_size=plan.page_size, phone_region=str(settings.get("phone_region") or "US"))
    pdf = letter_report.render_letter_pdf(doc)
    with db.write() as session:
        audit.append(session, user, "plan.letter_exported", entity_type="plan", entity_id=plan_id,
                     patient_id=patient_id,
                     detail={"consent_id": consent_id, "directory_entry_id": entry_id,
                             "shared": list(doc.shared_keys), "bytes": len(pdf)})
    return pdf


@dataclass(frozen=True)
class ConsoleExport:
    """What ``clinic-desktop export-plan`` wrote: the PDF, and which plan it is."""

    pdf: bytes
    #: The finalized version whose stored PDF this is, or None when the current plan was
    #: rendered (watermarked "DRAFT").
    version: int | None
    language: str
    large_print: bool


def export_plan_from_console(db: Database, mrn: str, language: str | None = None,
                             large_print: bool | None = None, now: dt.datetime | None = None,
                             deliver: Callable[[bytes], object] | None = None) -> ConsoleExport:
    """For ``clinic-desktop export-plan`` (the console operator, audited as "(console)"): the
    patient's latest plan (their latest episode that has one). The latest finalized version's
    stored PDF when it was signed in ``language`` (its patient's copy, or the record's English)
    and ``large_print`` does not differ from it; otherwise, or when
    nothing is finalized, the current draft rendered now, watermarked "DRAFT".

    ``deliver`` (e.g. writing the file) runs with the PDF inside the audit event's transaction:
    when it raises, the export is not recorded."""
    now = now or utcnow()
    mrn = (mrn or "").strip()
    with db.read() as session:
        settings_service.require_identity_in(session)
        patient = session.execute(select(Patient).where(Patient.mrn == mrn)).scalar_one_or_none()
        if patient is None:
            raise NotFound(f"No patient has record number {mrn!r}.")
        plan = session.execute(
            select(AftercarePlan).join(Episode, Episode.id == AftercarePlan.episode_id)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.admitted_at.desc(), AftercarePlan.id.desc()).limit(1)).scalar_one_or_none()
        if plan is None:
            raise NotFound(f"Patient {mrn} has no aftercare plan yet.")
        plan_id, patient_id = plan.id, patient.id
        last = session.execute(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                               .order_by(PlanVersion.number.desc()).limit(1)).scalar_one_or_none()
        same_size = last is not None and (large_print is None or bool(large_print) == bool(last.large_print))
        pdf = _stored_pdf(session, last, language) if last is not None and same_size else None
        stored = pdf is not None
        if pdf is not None:
            assert last is not None
            result = ConsoleExport(pdf, last.number, language or last.language, bool(last.large_print))
        else:
            doc = _document(session, None, plan, dict(plan.draft or {}), now, None, draft=True,
                            language=language, large_print=large_print,
                            prepared_by=_name(session, plan.draft_saved_by or plan.created_by) or "")
    if not stored:
        result = ConsoleExport(plan_pdf.render_plan_pdf(doc), None, doc.language, doc.large_print)
    with db.write() as session:
        if result.version is not None:
            audit.append(session, None, "plan.printed", entity_type="plan", entity_id=plan_id,
                         patient_id=patient_id, username="(console)",
                         detail={"number": result.version, "language": result.language})
        else:
            audit.append(session, None, "plan.draft_printed", entity_type="plan", entity_id=plan_id,
                         patient_id=patient_id, username="(console)",
                         detail={"language": result.language, "large_print": result.large_print,
                                 "bytes": len(result.pdf)})
        if deliver is not None:
            deliver(result.pdf)
    return result


# --- consents (42 CFR Part 2) ----------------------------------------------------------------------

def _checked_consent(data: ConsentInput, today: dt.date, *, signed: bool) -> tuple[str, tuple[str, ...]]:
    """The purpose (stripped) and the items (print order) of ``data``, or ValidationError with
    every field's message. ``signed``: the signature date is required (recording), else it is
    checked only when given (a form printed before the patient signs)."""
    purpose = (data.purpose or "").strip()
    errors: dict[str, str] = {}
    items: tuple[str, ...] = ()
    if data.directory_entry_id is None and not data.person_name.strip():
        errors["directory_entry_id"] = ("Choose who the information may be shared with: a provider, or a "
                                        "person by name.")
    if data.directory_entry_id is None and len(data.person_name.strip()) > 200:
        errors["person_name"] = "The name is at most 200 characters."
    if data.directory_entry_id is None and len(data.person_relationship.strip()) > 100:
        errors["person_relationship"] = "The relationship is at most 100 characters."
    if not purpose:
        errors["purpose"] = "Write the purpose of sharing."
    try:
        items = consent_rules.ordered(data.items or ())
    except ValidationError as exc:
        errors["items"] = str(exc)
    else:
        if not items:
            errors["items"] = "Tick what information may be shared (at least one item)."
    if data.signed_on is None:
        if signed:
            errors["signed_on"] = "Enter the date the patient signed."
    elif data.signed_on > today:
        errors["signed_on"] = "The signature date cannot be in the future."
    start = data.signed_on or today
    if data.expires_on is None:
        errors["expires_on"] = "Enter when the consent expires."
    elif data.expires_on <= start:
        errors["expires_on"] = ("The consent must expire after the day it was signed." if data.signed_on
                                else "The consent must expire after today.")
    if errors:
        raise ValidationError(errors)
    return purpose, items


def _recipient(session: Session, data: ConsentInput) -> tuple[int | None, str, str | None]:
    """Who a consent names: (directory entry id, its name, None) for a provider — an active
    entry, else ValidationError — or (None, the person's name, their relationship or None)."""
    if data.directory_entry_id is None:
        return None, data.person_name.strip(), data.person_relationship.strip() or None
    entry = session.get(DirectoryEntry, data.directory_entry_id)
    if entry is None or not entry.active:
        raise ValidationError({"directory_entry_id": "This directory entry is not available; choose another."})
    return entry.id, entry.name, None


def record_consent(db: Database, user: SignedInUser, episode_id: int, data: ConsentInput,
                   today: dt.date | None = None) -> ConsentView:
    """Record a patient's signed consent to share its ``items`` (keys of
    :data:`core.consent.INFORMATION_ITEMS`) with one directory entry — or one person by name, a family
    member or friend (``person_name``, ``person_relationship``) — for ``purpose`` until
    ``expires_on``. Everything is required (at least one item); the expiry falls after the day
    it was signed, which is not in the future. The items' labels are also kept as its
    ``information`` text (the column older consents typed)."""
    require(db, user, "plans.edit")
    today = today or clock.local(utcnow()).date()
    purpose, items = _checked_consent(data, today, signed=True)
    with db.write() as session:
        episode = episodes.episode_in(session, episode_id)
        if episode.stage == Stage.DISCHARGED.value:
            raise ValidationError("This episode is discharged; record consents in an open episode.")
        entry_id, recipient, relationship = _recipient(session, data)
        consent = Consent(episode_id=episode.id, directory_entry_id=entry_id, recipient_name=recipient,
                          recipient_relationship=relationship,
                          purpose=purpose, information="; ".join(consent_rules.labels(items)),
                          items=list(items), expires_on=data.expires_on,
                          signed_on=data.signed_on, created_by=user.id)
        session.add(consent)
        session.flush()
        audit.append(session, user, "consent.recorded", entity_type="consent", entity_id=consent.id,
                     patient_id=episode.patient_id,
                     detail={"directory_entry_id": entry_id, "person": entry_id is None,
                             "signed_on": consent.signed_on.isoformat(),
                             "expires_on": consent.expires_on.isoformat(), "items": list(items)})
        return _consent_view(session, consent)


def revoke_consent(db: Database, user: SignedInUser, consent_id: int, now: dt.datetime | None = None
                   ) -> ConsentView:
    """The patient revoked a consent: nothing more is shared under it (from ``now``)."""
    require(db, user, "plans.edit")
    now = now or utcnow()
    try:
        with db.write() as session:
            consent = session.get(Consent, consent_id)
            if consent is None:
                raise NotFound("This consent no longer exists.")
            if consent.revoked_at is not None:
                who = _name(session, consent.revoked_by) or "Someone"
                raise ValidationError(f"This consent was already revoked on "
                                      f"{clock.local(consent.revoked_at):%Y-%m-%d %H:%M} by {who}.")
            consent.revoked_at, consent.revoked_by = now, user.id
            session.flush()
            episode = episodes.episode_in(session, consent.episode_id)
            audit.append(session, user, "consent.revoked", entity_type="consent", entity_id=consent.id,
                         patient_id=episode.patient_id)
            return _consent_view(session, consent)
    except StaleDataError:
        raise ConflictError("This consent was changed on another workstation; reopen it.") from None


def consent_form_pdf(db: Database, user: SignedInUser, episode_id: int, *, consent_id: int | None = None,
                     data: ConsentInput | None = None, now: dt.datetime | None = None) -> bytes:
    """The consent form for the patient to sign (reports.consent_form, 42 CFR 2.31), in the
    plan's language and print size (else the patient's preferred language): for the recorded consent ``consent_id``
    (its recorded signature date printed), or, before recording, from ``data`` as typed (checked
    as :func:`record_consent` checks it, the signature date optional). Audited as
    ``consent.form_printed`` (consent id or None, recipient entry, item keys, language; no text)."""
    require(db, user, "plans.print")
    if (consent_id is None) == (data is None):
        raise ValueError("consent_form_pdf: give consent_id or data, not both")
    now = now or utcnow()
    today = clock.local(now).date()
    signed_on: dt.date | None
    with db.read() as session:
        episode = episodes.episode_in(session, episode_id)
        patient = session.get(Patient, episode.patient_id)
        assert patient is not None
        if consent_id is not None:
            consent = session.get(Consent, consent_id)
            if consent is None:
                raise NotFound("This consent no longer exists.")
            if consent.episode_id != episode.id:
                raise ValidationError("This consent was signed for another episode.")
            view = _consent_view(session, consent)
            if not view.itemized:
                raise ValidationError("This consent was recorded before itemized consents: record a new "
                                      "one (and print its form) to share plan details.")
            entry_id, recipient, purpose = view.directory_entry_id, view.recipient_name, view.purpose
            relationship = view.recipient_relationship
            items, expires_on, signed_on = view.items or (), view.expires_on, view.signed_on
        else:
            assert data is not None
            purpose, items = _checked_consent(data, today, signed=False)
            entry_id, recipient, relationship = _recipient(session, data)
            assert data.expires_on is not None  # checked
            expires_on, signed_on = data.expires_on, data.signed_on
        plan = session.execute(select(AftercarePlan).where(AftercarePlan.episode_id == episode.id)
                               ).scalar_one_or_none()
        settings = settings_service.read_in(session)
        region = str(settings.get("phone_region") or "US")
        language = plan.language if plan is not None else (patient.preferred_language or "en")
        language = language if language in i18n.languages() else i18n.FALLBACK
        doc = consent_form_report.build_consent_form(
            patient=printed.PlanPatient(f"{patient.given_name} {patient.family_name}",
                                        printed.format_date(language, patient.date_of_birth, region=region),
                                        patient.mrn),
            clinic=_clinic(settings), recipient=f"{recipient} ({relationship})" if relationship else recipient,
            purpose=purpose, items=items,
            expires_on=expires_on, signed_on=signed_on, language=language,
            page_size=plan.page_size if plan is not None else str(settings.get("plan_page_size") or "letter"),
            large_print=bool(plan.large_print) if plan is not None else False, phone_region=region)
        patient_id = patient.id
    pdf = consent_form_report.render_consent_form_pdf(doc)
    with db.write() as session:
        audit.append(session, user, "consent.form_printed",
                     entity_type="consent" if consent_id is not None else "episode",
                     entity_id=consent_id if consent_id is not None else episode_id,
                     patient_id=patient_id,
                     detail={"consent_id": consent_id, "directory_entry_id": entry_id,
                             "items": list(doc.item_keys), "language": doc.language, "bytes": len(pdf)})
    return pdf


def consents(db: Database, user: SignedInUser, episode_id: int, *, opening: bool = False
             ) -> list[ConsentView]:
    """The consents of an episode, by signature date (revoked and expired ones included).
    ``opening``: a screen's first showing of them, audited as "consents.opened"; a reload is
    not. (The plan screen's come with :func:`open_plan`, audited as "plan.opened".)"""
    require(db, user, "patients.view")
    with audit.reading(db, user, "consents.opened", opening=opening, episode_id=episode_id) as session:
        episodes.episode_in(session, episode_id)
        return list(_consent_views(session, episode_id))


# --- discharge -------------------------------------------------------------------------------------

def discharge_reason(kind: str | None, reason: str) -> str:
    """The reason an episode keeps for a discharge of ``kind`` with the words ``reason`` ("Kind:
    words"), or ValidationError: a kind of :data:`DISCHARGE_KINDS`, words with "other", under
    :data:`MAX_DISCHARGE_REASON` characters. Discharge… checks it before anything is saved."""
    if kind not in DISCHARGE_KINDS:
        raise ValidationError({"discharge_kind": "Choose why the patient leaves."})
    text = (reason or "").strip()
    if not text and kind == "other":
        raise ValidationError({"discharge_reason": "Enter the discharge reason."})
    label = DISCHARGE_KINDS[kind]
    reason = text if kind == "other" else (f"{label}: {text}" if text else label)
    if len(reason) > MAX_DISCHARGE_REASON:
        raise ValidationError({"discharge_reason": f"Keep the reason under {MAX_DISCHARGE_REASON} characters."})
    return reason


def discharge(db: Database, user: SignedInUser, episode_id: int, reason: str,
              expected_version: int | None = None, now: dt.datetime | None = None, *,
              kind: str = "other") -> episodes.EpisodeView:
    """Close an open episode (from any stage) with the discharge reason, audited as
    ``episode.discharged``.

    ``kind`` is one of :data:`DISCHARGE_KINDS` (completed, against medical advice, left without
    notice, transferred, other); the text ``reason`` is required with "other", optional with the
    others. The episode keeps "Kind: text" as its reason; the audit event records the kind (not
    the text). A finalized plan is **not** required: a patient may leave without one (against
    advice), and that must be recordable. The audit event says whether a finalized plan existed
    and the stage the episode left from, so the census and reports can show it. Whatever the
    kind, the overdose and crisis sheet (:func:`overdose_sheet_pdf`) is offered next.
    ``expected_version`` refuses a stale view of the episode when given."""
    require(db, user, "episodes.stage")
    now = now or utcnow()
    reason = discharge_reason(kind, reason)
    try:
        with db.write() as session:
            episode = episodes.episode_in(session, episode_id)
            if episode.stage == Stage.DISCHARGED.value:
                raise ValidationError("This episode is already discharged.")
            if expected_version is not None and episode.version != expected_version:
                raise ConflictError("This episode was changed on another workstation; reopen it first.")
            finalized = session.execute(
                select(func.count(PlanVersion.id)).join(AftercarePlan, AftercarePlan.id == PlanVersion.plan_id)
                .where(AftercarePlan.episode_id == episode.id)).scalar_one()
            before = episode.stage
            episode.stage = Stage.DISCHARGED.value
            episode.discharged_at = now
            episode.discharge_reason = reason
            episode.updated_at = now
            episode.updated_by = user.id
            session.flush()
            audit.append(session, user, "episode.discharged", entity_type="episode", entity_id=episode.id,
                         patient_id=episode.patient_id,
                         detail={"changes": audit.diff({"stage": before}, {"stage": episode.stage}),
                                 "kind": kind, "finalized_plan": finalized > 0,
                                 "plan_versions": finalized})
            return episodes.EpisodeView(episode.id, episode.patient_id, episode.admitted_at, episode.stage,
                                        episode.pathway, episode.discharged_at, episode.discharge_reason,
                                        episode.version)
    except StaleDataError:
        raise ConflictError("This episode was changed on another workstation; reopen it first.") from None


@dataclass(frozen=True)
class DischargeReconciliation:
    """What Discharge… reconciles: the episode's active orders (from the MAR, with the last dose
    given here) and a row for each, as the plan holds it or prefilled from the order; the plan's
    id and version to save against (None while the episode has no plan)."""

    episode_id: int
    plan_id: int | None
    version: int | None
    orders: tuple[plan_rules.ActiveOrder, ...]
    rows: tuple[dict[str, Any], ...]
    read_at: dt.datetime

    def missing(self, rows: Sequence[Mapping[str, Any]] | None = None) -> dict[str, str]:
        """What the rows (these, or ``rows`` as typed) still miss (core.plan.reconciliation_missing)."""
        return plan_rules.reconciliation_missing(self.rows if rows is None else rows, self.orders, self.read_at)


#: The fields a reconciliation row keeps (anything else sent is dropped).
_ROW_FIELDS = ("order_id", "name", "drug_id", "decision", "dose", "route", "frequency", "leave",
               "supply_days", "pharmacy", "pharmacy_phone", "next", "gap_reason")


def discharge_reconciliation(db: Database, user: SignedInUser, episode_id: int,
                             now: dt.datetime | None = None) -> DischargeReconciliation:
    """The reconciliation Discharge… shows for an open episode, in any stage (not audited: a
    read of the orders the flowsheet shows). Whoever discharges ("episodes.stage") reads it,
    so the flow can say when it is left undone; only "plans.reconcile" saves it."""
    require(db, user, "episodes.stage")
    now = now or utcnow()
    with db.read() as session:
        episode = episodes.episode_in(session, episode_id)
        if episode.stage == Stage.DISCHARGED.value:
            raise ValidationError("This episode is already discharged.")
        plan = session.execute(select(AftercarePlan).where(AftercarePlan.episode_id == episode.id)
                               ).scalar_one_or_none()
        orders = _active_orders(session, episode.id, now)
        draft = dict(plan.draft or {}) if plan is not None else {}
        return DischargeReconciliation(
            episode_id=episode.id, plan_id=plan.id if plan is not None else None,
            version=plan.version if plan is not None else None, orders=orders,
            rows=tuple(plan_rules.reconciliation_rows(draft, orders)), read_at=now)


def reconcile_at_discharge(db: Database, user: SignedInUser, episode_id: int,
                           rows: Sequence[Mapping[str, Any]], expected_version: int | None,
                           now: dt.datetime | None = None) -> DraftSaved:
    """Save the discharge medication reconciliation (a prescriber or nurse: "plans.reconcile")
    into the episode's plan, from any open stage: a patient leaving from stabilization has no
    plan yet, and it is created (as :func:`open_plan` would). Only the rows of orders active
    now are kept, only their known fields; nothing else of the plan changes. ``expected_version``
    is the plan's version as read (None: it had no plan); anything else is a stale view, refused.
    Audited as ``plan.reconciled`` (order ids and decisions, whether complete; no free text)."""
    require(db, user, "plans.reconcile")
    now = now or utcnow()
    if not isinstance(rows, Sequence) or not all(isinstance(r, Mapping) for r in rows):
        raise ValidationError({"": "The reconciliation must be a list of rows."})
    try:
        with db.write() as session:
            episode = episodes.episode_in(session, episode_id)
            if episode.stage == Stage.DISCHARGED.value:
                raise ValidationError("This episode is already discharged: its plan no longer changes.")
            patient = session.get(Patient, episode.patient_id)
            assert patient is not None
            plan = session.execute(select(AftercarePlan).where(AftercarePlan.episode_id == episode.id)
                                   ).scalar_one_or_none()
            if (plan.version if plan is not None else None) != expected_version:
                who = _name(session, plan.draft_saved_by or plan.created_by) if plan is not None else None
                raise ConflictError(f"{who or 'Someone'} changed this patient's plan on another workstation "
                                    "since Discharge… was opened. Close it and choose Discharge… again.")
            if plan is None:
                plan = _new_plan(session, user, episode, patient)
            orders = _active_orders(session, episode.id, now)
            active = {o.order_id for o in orders}
            kept = [{field: copy.deepcopy(row.get(field)) for field in _ROW_FIELDS}
                    for row in rows if row.get("order_id") in active]
            for row in kept:
                if row["decision"] not in (*plan_rules.DECISIONS, None):
                    raise ValidationError({plan_rules.ROW_KEY.format(row["order_id"], "decision"):
                                           "Choose continue, change or stop."})
            draft = copy.deepcopy(dict(plan.draft or {}))
            draft["medication"] = {**dict(draft.get("medication") or {}), "reconciliation": kept}
            plan.draft = draft
            plan.draft_saved_at = now
            plan.draft_saved_by = user.id
            session.flush()
            missing = plan_rules.reconciliation_missing(kept, orders, now)
            audit.append(session, user, "plan.reconciled", entity_type="plan", entity_id=plan.id,
                         patient_id=episode.patient_id,
                         detail={"episode_id": episode.id, "at": "discharge", "stage": episode.stage,
                                 "decisions": {str(r["order_id"]): r["decision"] for r in kept},
                                 "complete": not missing})
            return DraftSaved(plan.version, now)
    except StaleDataError:
        raise ConflictError("Another workstation saved this plan at the same moment. Close Discharge… "
                            "and choose it again.") from None


def overdose_sheet_pdf(db: Database, user: SignedInUser, episode_id: int, now: dt.datetime | None = None
                       ) -> bytes:
    """The one-page overdose and crisis sheet of an episode (reports.overdose_sheet), printable at
    any discharge, with or without a plan: in the plan's language (else the patient's preferred
    one); a naloxone kit said given only when the plan records one; the naltrexone lines when
    it is the plan's medicine. Audited as ``discharge.sheet_printed`` (language, whether a plan
    existed; no text)."""
    require(db, user, "episodes.stage")
    now = now or utcnow()
    with db.read() as session:
        episode = episodes.episode_in(session, episode_id)
        patient = session.get(Patient, episode.patient_id)
        assert patient is not None
        plan = session.execute(select(AftercarePlan).where(AftercarePlan.episode_id == episode.id)
                               ).scalar_one_or_none()
        data: Mapping[str, Any] = dict(plan.draft or {}) if plan is not None else {}
        clinic = settings_service.read_in(session)
        doc = overdose_sheet.build_overdose_sheet(
            language=plan.language if plan is not None else (patient.preferred_language or "en"),
            patient={"name": f"{patient.given_name} {patient.family_name}",
                     "date_of_birth": patient.date_of_birth, "mrn": patient.mrn},
            clinic=_clinic(clinic), helplines=_helplines(session), given_at=now,
            overdose=data.get("overdose"),
            naltrexone=(data.get("medication") or {}).get("choice") == "naltrexone",
            page_size=plan.page_size if plan is not None else str(clinic.get("plan_page_size") or "letter"),
            large_print=bool(plan.large_print) if plan is not None else False,
            phone_region=str(clinic.get("phone_region") or "US"))
    pdf = plan_pdf.render_plan_pdf(doc)
    with db.write() as session:
        episode = episodes.episode_in(session, episode_id)
        audit.append(session, user, "discharge.sheet_printed", entity_type="episode", entity_id=episode.id,
                     patient_id=episode.patient_id,
                     detail={"language": doc.language, "plan": plan is not None, "bytes": len(pdf)})
    return pdf


def sheet_not_printed(db: Database, user: SignedInUser, episode_id: int, why: str) -> None:
    """The overdose and crisis sheet was not printed at discharge, and why (a code of
    :data:`SHEET_NOT_PRINTED`), audited as ``discharge.sheet_not_printed``."""
    require(db, user, "episodes.stage")
    if why not in SHEET_NOT_PRINTED:
        raise ValidationError({"sheet_not_printed": "Choose why the sheet is not printed."})
    with db.write() as session:
        episode = episodes.episode_in(session, episode_id)
        audit.append(session, user, "discharge.sheet_not_printed", entity_type="episode",
                     entity_id=episode.id, patient_id=episode.patient_id, detail={"why": why})
