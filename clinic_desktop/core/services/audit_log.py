"""Reading the audit trail for people (issue #18 item 6): the log filtered by patient, staff
member, kind of event and dates, and one patient's **accounting of disclosures** — every referral
letter, print and export of their record, to whom and under which consent — that 42 CFR Part 2
and HIPAA let a patient ask for.

The chain itself (hashing, verifying, anchors) is :mod:`.audit`; this module only reads it.
Reading it is audited too: ``audit.log_searched`` records which filters were used and how many
events were found, never what was typed (a name typed into the patient filter stays out of the
trail); ``audit.disclosures_reported`` records the patient whose accounting was made.

Exports: :func:`log_csv` (UTF-8, one event a row, cells a spreadsheet would run prefixed with ')
and :func:`log_pdf` / :func:`disclosures_pdf` (:mod:`clinic_desktop.reports.audit_report`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clinic_desktop.core import clock
from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core.db import Database
from clinic_desktop.core.errors import ValidationError
from clinic_desktop.core.models import AuditEvent, Consent, DirectoryEntry, Patient, User
from clinic_desktop.core.permissions import SignedInUser, require
from clinic_desktop.core.services import audit
from clinic_desktop.core.services.directory import csv_cell_out
from clinic_desktop.core.vocab import READ_EVENTS

#: What each kind of event is called for people; an action not named here is shown as it is.
KINDS: dict[str, str] = {
    "database.created": "Database created",
    "database.restored": "Database restored from a backup",
    "database.encrypted": "Database encrypted",
    "audit.chain_keyed": "Audit trail keyed",
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "sign_out": "Signed out",
    "sign_in.refused_locked": "Sign-in refused (account locked)",
    "account.locked": "Account locked",
    "account.unlocked": "Account unlocked",
    "user.created": "Account created",
    "user.password_changed": "Password changed",
    "user.password_reset": "Password reset",
    "user.password_change_required": "New password required at next sign-in",
    "user.role_changed": "Role changed",
    "user.deactivated": "Account deactivated",
    "user.reactivated": "Account reactivated",
    "recovery_key.replaced": "Recovery key replaced",
    "recovery_key.refused": "Recovery key refused",
    "settings.updated": "Clinic settings changed",
    "patient.created": "Patient registered",
    "patient.updated": "Patient details changed",
    "patient.opened": "Patient record opened",
    "patient.searched": "Patients searched",
    "episode.opened": "Episode opened",
    "episode.stage_changed": "Stage changed",
    "episode.discharged": "Discharged",
    "assessment.started": "Assessment started",
    "assessment.opened": "Assessment opened",
    "flowsheet.opened": "Flowsheet opened",
    "mar.opened": "Medication record (MAR) opened",
    "care.opened": "Supportive care opened",
    "prompts.opened": "Protocol prompts opened",
    "support.opened": "Support sessions opened",
    "consents.opened": "Consents opened",
    "assessment.draft_saved": "Assessment draft saved",
    "assessment.signed": "Assessment signed",
    "assessment.addendum": "Assessment addendum",
    "observation.recorded": "Score recorded",
    "vitals.recorded": "Vital signs recorded",
    "order.created": "Medication ordered",
    "order.changed": "Medication order changed",
    "order.stopped": "Medication order stopped",
    "medication.given": "Dose given",
    "medication.held": "Dose held",
    "medication.refused": "Dose refused",
    "medication.struck": "Medication entry struck",
    "plan.created": "Aftercare plan started",
    "plan.opened": "Aftercare plan opened",
    "plan_document.opened": "Aftercare plan document opened",
    "plan.draft_saved": "Aftercare plan draft saved",
    "plan.finalized": "Aftercare plan finalized",
    "plan.printed": "Aftercare plan printed",
    "plan.draft_printed": "Aftercare plan draft printed",
    "plan.letter_exported": "Referral letter made",
    "plan.reconciled": "Discharge medications reconciled",
    "consent.recorded": "Consent recorded",
    "consent.revoked": "Consent revoked",
    "consent.form_printed": "Consent form printed",
    "discharge.sheet_printed": "Discharge sheet printed",
    "handover.printed": "Shift handover printed",
    "handover.viewed": "Shift handover viewed",
    "directory.added": "Directory entry added",
    "directory.updated": "Directory entry changed",
    "directory.verified": "Directory entry verified",
    "directory.deactivated": "Directory entry removed",
    "directory.reactivated": "Directory entry reactivated",
    "directory.exported": "Directory exported",
    "directory.imported": "Directory imported",
    "patient_facts.changed": "Weight, liver, kidney or QTc changed",
    "safety.assessed": "Overdose safety assessed",
    "care.recorded": "Supportive care recorded",
    "complication.recorded": "Complication recorded",
    "checkin.recorded": "Daily check-in recorded",
    "session.recorded": "Support session recorded",
    "session.addendum": "Support session addendum",
    "entry.struck": "Entry struck",
    "discharge.sheet_not_printed": "Discharge sheet not printed (reason given)",
    "audit.log_searched": "Audit log read",
    "audit.disclosures_reported": "Accounting of disclosures made",
}

#: The kinds of event that disclose a patient's record outside the app, and to whom by default.
DISCLOSURES: dict[str, str] = {
    "plan.letter_exported": "",  # to the consent's recipient
    "plan.printed": "Printed (the patient's aftercare plan)",
    "plan.draft_printed": "Printed (a draft of the aftercare plan)",
    "consent.form_printed": "Printed (a consent form to sign)",
    "discharge.sheet_printed": "Printed (the discharge sheet)",
}

#: The kinds of event that record a person reading a patient's record (once per opening of a view,
#: never per refresh) or searching for patients: the audit log's "Records read" filter.
READS: tuple[str, ...] = READ_EVENTS

MAX_EVENTS = 5000


def kind_label(action: str) -> str:
    return KINDS.get(action, action)


@dataclass(frozen=True)
class LogQuery:
    """The audit log's filters; each empty one filters nothing. Dates are the clinic's days,
    both included."""

    patient: str = ""  # an MRN (whole, any case) or part of a patient's name
    staff: str = ""  # a user name (whole, any case) or part of a staff member's full name
    kinds: tuple[str, ...] = ()  # actions ("plan.printed") or families ending in "." ("plan.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = MAX_EVENTS

    def used(self) -> list[str]:
        """Which filters are set (for the audit event: their names, never their text)."""
        return [name for name, value in (("patient", self.patient), ("staff", self.staff), ("kinds", self.kinds),
                                         ("from", self.date_from), ("to", self.date_to)) if value]


@dataclass(frozen=True)
class LogEntry:
    seq: int
    at: dt.datetime  # aware, UTC
    username: str  # who ("(system)", "(console)" for the machine's operator)
    action: str
    kind: str  # the action for people
    patient: str  # "MRN — Family, Given", or ""
    entity: str  # "plan 3", or ""
    changes: tuple[tuple[str, str, str], ...] = ()  # (field, before, after)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogResult:
    entries: list[LogEntry]
    truncated: bool  # more events matched than ``limit``


def _day_bounds(query: LogQuery) -> tuple[dt.datetime | None, dt.datetime | None]:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ValidationError({"date_to": "The last day is before the first."})
    start = clock.from_local(dt.datetime.combine(query.date_from, dt.time())) if query.date_from else None
    end = (clock.from_local(dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time()))
           if query.date_to else None)
    return start, end


def _patients_matching(session: Session, text: str) -> list[int]:
    text = " ".join(text.split())
    if not text:
        return []
    like = f"%{text.lower()}%"
    full = func.lower(Patient.given_name + " " + Patient.family_name)
    reverse = func.lower(Patient.family_name + ", " + Patient.given_name)
    rows = session.execute(select(Patient.id).where(or_(
        func.lower(Patient.mrn) == text.lower(), full.like(like), reverse.like(like)))).scalars()
    return list(rows)


def _staff_matching(session: Session, text: str) -> tuple[list[int], str]:
    text = " ".join(text.split())
    rows = session.execute(select(User.id).where(or_(
        func.lower(User.username) == text.lower(), func.lower(User.full_name).like(f"%{text.lower()}%"))))
    return list(rows.scalars()), text.lower()


def _changes(detail: Any) -> tuple[tuple[str, str, str], ...]:
    """The field changes an event's detail carries ({"changes": {field: [old, new]}}, as
    :func:`audit.diff` makes them)."""
    changes = detail.get("changes") if isinstance(detail, dict) else None
    if not isinstance(changes, dict):
        return ()
    out = []
    for name, pair in sorted(changes.items()):
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            out.append((str(name), _text(pair[0]), _text(pair[1])))
    return tuple(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _patient_labels(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(select(Patient.id, Patient.mrn, Patient.family_name, Patient.given_name)
                           .where(Patient.id.in_(wanted)))
    return {pid: f"{mrn} — {family}, {given}" for pid, mrn, family, given in rows}


def _entries(session: Session, events: Sequence[AuditEvent]) -> list[LogEntry]:
    labels = _patient_labels(session, (e.patient_id for e in events if e.patient_id is not None))
    return [LogEntry(
        seq=e.seq, at=e.at, username=e.username or "", action=e.action, kind=kind_label(e.action),
        patient=labels.get(e.patient_id, "") if e.patient_id is not None else "",
        entity=" ".join(part for part in (e.entity_type, e.entity_id) if part),
        changes=_changes(e.detail), detail=dict(e.detail or {})) for e in events]


def search(db: Database, user: SignedInUser, query: LogQuery) -> LogResult:
    """The events matching ``query``, newest first (at most ``query.limit``). Audited."""
    require(db, user, "audit.read")
    start, end = _day_bounds(query)
    with db.read() as session:
        stmt = select(AuditEvent)
        if query.patient.strip():
            stmt = stmt.where(AuditEvent.patient_id.in_(_patients_matching(session, query.patient)))
        if query.staff.strip():
            ids, name = _staff_matching(session, query.staff)
            # Events name their actor; a failed sign-in names the account tried (no user id).
            stmt = stmt.where(or_(AuditEvent.user_id.in_(ids), func.lower(AuditEvent.username) == name,
                                  (AuditEvent.entity_type == "user") & AuditEvent.entity_id.in_(
                                      [str(i) for i in ids])))
        if query.kinds:
            exact = [k for k in query.kinds if not k.endswith(".")]
            families = [AuditEvent.action.like(f"{k}%") for k in query.kinds if k.endswith(".")]
            stmt = stmt.where(or_(AuditEvent.action.in_(exact), *families))
        if start is not None:
            stmt = stmt.where(AuditEvent.at >= start)
        if end is not None:
            stmt = stmt.where(AuditEvent.at < end)
        events = session.execute(stmt.order_by(AuditEvent.seq.desc()).limit(query.limit + 1)).scalars().all()
        entries = _entries(session, events[:query.limit])
    truncated = len(events) > query.limit
    with db.write() as session:
        audit.append(session, user, "audit.log_searched",
                     detail={"filters": query.used(), "found": len(entries), "truncated": truncated})
    return LogResult(entries, truncated)


# --- one patient's accounting of disclosures -------------------------------------------------

@dataclass(frozen=True)
class Disclosure:
    at: dt.datetime  # aware, UTC
    by: str  # the user name who made it
    what: str  # "Referral letter made", "Aftercare plan printed", …
    to_whom: str  # the recipient, or how it left the app ("Printed (…)")
    consent: str  # "Consent 4 (Referral), signed 2026-11-02, until 2027-02-02", or ""
    shared: tuple[str, ...] = ()  # the information items a letter shared


@dataclass(frozen=True)
class Accounting:
    patient: str  # "MRN — Family, Given"
    date_from: dt.date | None
    date_to: dt.date | None
    disclosures: list[Disclosure]
    made_at: dt.datetime
    made_by: str


def _consent_text(session: Session, consent_id: Any) -> tuple[str, str]:
    """(recipient, consent line) of a consent id an event names."""
    try:
        consent = session.get(Consent, int(consent_id)) if consent_id is not None else None
    except (TypeError, ValueError):
        consent = None
    if consent is None:
        return "", ""
    revoked = f", revoked {clock.local(consent.revoked_at):%Y-%m-%d}" if consent.revoked_at else ""
    return consent.recipient_name, (f"Consent {consent.id} ({consent.purpose}), signed "
                                    f"{consent.signed_on.isoformat()}, until {consent.expires_on.isoformat()}"
                                    f"{revoked}")


def _may_read(db: Database, user: SignedInUser | None) -> str:
    """Who reads the trail: a signed-in user who may, or (None) the console operator, who holds
    the database anyway (the admin commands). Their name for the report and the trail."""
    if user is None:
        return CONSOLE
    return require(db, user, "audit.read").username


CONSOLE = "(console)"


def disclosures(db: Database, user: SignedInUser | None, mrn: str, *, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> Accounting:
    """The accounting of disclosures of the patient with ``mrn`` (whole, any case): every
    referral letter, print and export of their record between the dates, oldest first. Audited.
    ``user`` None: the console operator (``clinic-desktop audit-report``)."""
    reader = _may_read(db, user)
    start, end = _day_bounds(LogQuery(date_from=date_from, date_to=date_to))
    with db.read() as session:
        patient = session.execute(select(Patient).where(func.lower(Patient.mrn) == mrn.strip().lower())
                                  ).scalar_one_or_none()
        if patient is None:
            raise ValidationError({"patient": f"No patient has the MRN {mrn.strip()}."})
        stmt = select(AuditEvent).where(AuditEvent.patient_id == patient.id,
                                        AuditEvent.action.in_(list(DISCLOSURES)))
        if start is not None:
            stmt = stmt.where(AuditEvent.at >= start)
        if end is not None:
            stmt = stmt.where(AuditEvent.at < end)
        found = []
        for event in session.execute(stmt.order_by(AuditEvent.seq)).scalars():
            detail = event.detail or {}
            to_whom, consent = DISCLOSURES[event.action], ""
            if event.action == "plan.letter_exported":
                to_whom, consent = _consent_text(session, detail.get("consent_id"))
                if not to_whom:
                    entry = session.get(DirectoryEntry, detail.get("directory_entry_id") or 0)
                    to_whom = entry.name if entry is not None else "(recipient not recorded)"
            elif event.action == "consent.form_printed" and detail.get("consent_id") is not None:
                _recipient, consent = _consent_text(session, detail.get("consent_id"))
            shared = [str(key) for key in detail.get("shared") or () if key in consent_rules.INFORMATION_ITEMS]
            found.append(Disclosure(event.at, event.username or "", kind_label(event.action), to_whom, consent,
                                    consent_rules.labels(shared)))
        label = f"{patient.mrn} — {patient.family_name}, {patient.given_name}"
        patient_id = patient.id
    with db.write() as session:
        audit.append(session, user, "audit.disclosures_reported", entity_type="patient", entity_id=patient_id,
                     patient_id=patient_id, username=None if user else CONSOLE,
                     detail={"found": len(found), "from": date_from, "to": date_to})
    return Accounting(label, date_from, date_to, found, clock.now(), reader)


# --- exports --------------------------------------------------------------------------------

LOG_COLUMNS = ("sequence", "when", "who", "what", "action", "patient", "record", "changes")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """``rows`` under ``header`` as CSV: UTF-8 with a byte-order mark (so spreadsheets read the
    accents), every cell a spreadsheet would run prefixed with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell_out(str(cell)) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def log_csv(entries: Sequence[LogEntry]) -> bytes:
    """The entries as CSV, one event a row."""
    return _csv(LOG_COLUMNS, ((
        e.seq, clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.kind, e.action, e.patient, e.entity,
        "; ".join(f"{name}: {before} → {after}" for name, before, after in e.changes)) for e in entries))


DISCLOSURE_COLUMNS = ("when", "by", "what", "to whom", "consent", "information shared")


def disclosures_csv(accounting: Accounting) -> bytes:
    return _csv(DISCLOSURE_COLUMNS, ((
        clock.local(d.at).strftime("%Y-%m-%d %H:%M"), d.by, d.what, d.to_whom, d.consent, ", ".join(d.shared))
        for d in accounting.disclosures))


def _clinic_name(db: Database) -> str:
    from clinic_desktop.core.services import settings as settings_service

    return str(settings_service.get(db, "clinic_name") or "")


def _days(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if not date_from and not date_to:
        return "all"
    return f"{date_from.isoformat() if date_from else 'the first event'} to " \
           f"{date_to.isoformat() if date_to else 'today'}"


def log_pdf(db: Database, user: SignedInUser, query: LogQuery, result: LogResult) -> bytes:
    """The filtered log as a PDF (landscape table)."""
    from clinic_desktop.reports.audit_report import AuditReport, render_audit_report

    require(db, user, "audit.read")
    filters = [("Patient", query.patient), ("Staff", query.staff),
               ("Kinds", ", ".join(kind_label(k) if not k.endswith(".") else k + "*" for k in query.kinds))]
    facts = [(label, value) for label, value in filters if value]
    facts += [("Days", _days(query.date_from, query.date_to)),
              ("Events", f"{len(result.entries)}" + (" (the newest; more matched)" if result.truncated else "")),
              ("Made", f"{clock.now():%Y-%m-%d %H:%M} by {user.username}")]
    rows = [[str(e.seq), f"{clock.local(e.at):%Y-%m-%d %H:%M:%S}", e.username, e.kind, e.patient, e.entity,
             "; ".join(f"{n}: {b} → {a}" for n, b, a in e.changes)] for e in result.entries]
    return render_audit_report(AuditReport(
        title="Audit log", clinic_name=_clinic_name(db), facts=facts,
        columns=["#", "When", "Who", "What", "Patient", "Record", "Changes"], rows=rows,
        widths=[0.5, 1.3, 1.0, 1.8, 1.8, 0.9, 3.0], empty="No event matches these filters."))


def disclosures_pdf(db: Database, user: SignedInUser | None, accounting: Accounting) -> bytes:
    """One patient's accounting of disclosures as a PDF, to give them."""
    from clinic_desktop.reports.audit_report import AuditReport, render_audit_report

    _may_read(db, user)
    rows = [[f"{clock.local(d.at):%Y-%m-%d %H:%M}", d.by, d.what, d.to_whom, d.consent, ", ".join(d.shared)]
            for d in accounting.disclosures]
    return render_audit_report(AuditReport(
        title="Accounting of disclosures", clinic_name=_clinic_name(db),
        facts=[("Patient", accounting.patient), ("Days", _days(accounting.date_from, accounting.date_to)),
               ("Made", f"{clock.local(accounting.made_at):%Y-%m-%d %H:%M} by {accounting.made_by}")],
        columns=["When", "By", "What", "To whom", "Under consent", "Information shared"],
        rows=rows, widths=[1.1, 0.9, 1.6, 1.8, 2.6, 2.0],
        empty="No letter, print or export of this patient's record in these days."))
