"""The shift handover's data: what the next shift needs, gathered in **one read** and turned
into the final texts of a :class:`~clinic_desktop.reports.handover.HandoverReport`, and its print
(render, then audit) — the "print and audit" pattern of ``plans.preview_pdf``.

Per patient in stabilization or transition: under the name, allergies (with "No known allergies"
and "Allergies not recorded" kept apart) and the risk flags of the intake and patient facts
(benzodiazepine or alcohol co-use, seizure history, pregnancy, fentanyl, prior overdose); last COWS, when the next one is due, last vitals and
their warnings, the doses given, held or refused in the past 12 hours and the scheduled ones
never recorded (late or missed), open alerts, the supportive care done today. Everything is read
in one session, so a printed handover is one consistent snapshot; the renderer
(:mod:`clinic_desktop.reports.handover`) computes nothing clinical.

Usage::

    report = handover.build_handover(db, user, clock.now())             # the whole census
    report, pdf = handover.print_handover(db, user, clock.now(), [episode_id])  # audited
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select

from clinic_desktop.core import clock, protocols, units
from clinic_desktop.core.assessment import PATHWAYS, risk_flags
from clinic_desktop.core.db import Database
from clinic_desktop.core.instruments import get_instrument
from clinic_desktop.core.models import Episode, Stage
from clinic_desktop.core.permissions import ROLE_LABELS, SignedInUser, require
from clinic_desktop.core.services import audit, episodes, mar, patient_facts, stabilization
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.text import format_number
from clinic_desktop.core.vitals import VITALS_BY_ID
from clinic_desktop.reports.handover import (
    TITLE,
    AlertLine,
    DoseLine,
    HandoverReport,
    HandoverSection,
    render_handover_pdf,
)

__all__ = ["DOSE_WINDOW", "build_handover", "handover_printed", "print_handover"]

#: Doses (and complications, see ``stabilization.HANDOVER_WINDOW``) shown: the past 12 hours.
DOSE_WINDOW = stabilization.HANDOVER_WINDOW

#: Short labels of the vitals on one line, in the flowsheet's order (temperature and weight are
#: said in both units, see ``_vitals_text``).
_VITAL_SHORT = (("P", ("pulse",), ""), ("BP", ("systolic", "diastolic"), ""),
                ("RR", ("respiratory_rate",), ""), ("T", ("temperature_c",), ""),
                ("SpO₂", ("spo2",), " %"), ("Wt", ("weight_kg",), ""))
_IN_BOTH = ("temperature_c", "weight_kg")
_NOT_RECORDED = "None recorded"
_REFUSED_DEFAULT = "Patient refused"


# --------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------


def _clock(at: dt.datetime, now: dt.datetime) -> str:
    """Local time of ``at`` as read on the local day of ``now``: "09:10", "yesterday 22:10",
    "tomorrow 01:10", else "3 Dec 09:10"."""
    local, today = clock.local(at), clock.local(now).date()
    hhmm = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return hhmm
    if days == -1:
        return f"yesterday {hhmm}"
    if days == 1:
        return f"tomorrow {hhmm}"
    return f"{local.day} {local.strftime('%b')} {hhmm}"


def _duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def _cows_text(p: stabilization.HandoverPatient, now: dt.datetime) -> str:
    """"14 moderate at 09:10"; "9 incomplete at 09:10"; "3 no active withdrawal at 09:10"."""
    if p.last_cows_at is None or p.last_cows_total is None:
        return _NOT_RECORDED
    cows = get_instrument("cows")
    if not p.last_cows_complete:
        status = "incomplete"
    elif p.last_cows_band is None:
        status = cows.no_band_label
    else:
        status = {band.id: band.label for band in cows.bands}.get(p.last_cows_band, p.last_cows_band)
    status = f" {status}" if status else ""
    return f"{p.last_cows_total}{status} at {_clock(p.last_cows_at, now)}"


def _next_cows_text(p: stabilization.HandoverPatient, now: dt.datetime) -> str:
    if p.next_cows_due is None:
        if p.stage != Stage.STABILIZATION.value:
            return "Not scheduled in transition"
        return "No COWS recorded yet"
    when = _clock(p.next_cows_due, now)
    if p.overdue:
        return f"{when} — OVERDUE by {_duration(now - p.next_cows_due)}"
    return when


def _vitals_text(values: dict[str, float | int] | None, at: dt.datetime | None, now: dt.datetime,
                 system: str = units.METRIC) -> str:
    """"P 96 · BP 128/82 · RR 16 · T 98.8 °F (37.1 °C) · SpO₂ 98 % at 09:12" (only the vitals
    taken; temperature and weight in both units, the clinic's ``system`` first)."""
    if not values or at is None:
        return _NOT_RECORDED

    def fmt(vid: str) -> str:
        if vid not in values:
            return "–"
        if vid in _IN_BOTH:
            return units.both_text(vid, values[vid], system)
        return VITALS_BY_ID[vid].fmt(values[vid])

    parts: list[str] = []
    for short, ids, unit in _VITAL_SHORT:
        if any(vid in values for vid in ids):
            parts.append(f"{short} {'/'.join(fmt(vid) for vid in ids)}{unit}")
    return f"{' · '.join(parts)} at {_clock(at, now)}"


def _dose_line(a: mar.AdministrationView, order: mar.OrderView | None, now: dt.datetime) -> DoseLine:
    """"Lofexidine 0.54 mg given (by Nurse)", "Lofexidine held: Sedation (by Nurse)",
    "Lofexidine refused (by Nurse)"; PRN orders say so; a reason, an override and an entry made
    more than an hour after the dose ("entered late") are kept."""
    drug = order.name if order is not None else f"Order {a.order_id}"
    label = f"{drug} (PRN)" if order is not None and order.is_prn else drug
    reason = (a.reason or "").strip()
    if a.back_dated:  # "Back-dated: <why>": the why is kept, the entry marked as entered late
        reason = reason.removeprefix("Back-dated:").strip()
    who = [p for p in ("entered late" if a.back_dated else "",
                       f"by {a.recorded_by_name}" if a.recorded_by_name else "") if p]
    by = f"({', '.join(who)})" if who else ""
    if a.outcome == "given":
        unit = order.unit if order is not None else ""
        text = f"{label} {format_number(a.dose)} {unit}".rstrip() + " given"
        if reason:
            text += f" — {reason}"
        if a.override_by_name:
            text += f"; override by {a.override_by_name}"
            if a.override_note:
                text += f": {a.override_note}"
    elif a.outcome == "held":
        text = f"{label} held: {reason or 'no reason recorded'}"
    else:
        text = f"{label} refused"
        if reason and reason != _REFUSED_DEFAULT:
            text += f": {reason}"
    text = f"{text} {by}".rstrip()
    return DoseLine(at=a.at, time=_clock(a.at, now), drug=drug, outcome=a.outcome, text=text)


def _not_recorded(rows: Iterable[mar.MarRow], since: dt.datetime, now: dt.datetime) -> tuple[DoseLine, ...]:
    """"Lofexidine 0.54 mg scheduled, not recorded (missed)": the late and missed doses of the
    MAR rows whose time is in ``[since, now]``."""
    out = []
    for row in rows:
        for dose in row.doses:
            if dose.status in ("late", "missed") and since <= dose.scheduled_for <= now:
                order = row.order
                text = f"{order.name} {format_number(order.dose)} {order.unit}".rstrip()
                out.append(DoseLine(at=dose.scheduled_for, time=_clock(dose.scheduled_for, now),
                                    drug=order.name, outcome=dose.status,
                                    text=f"{text} scheduled, not recorded ({dose.status})"))
    return tuple(sorted(out, key=lambda d: d.at))


def _pathway_label(pathway: str | None) -> str:
    if not pathway:
        return ""
    return PATHWAYS.get(pathway, pathway.replace("_", " ").capitalize())


def _alerts(p: stabilization.HandoverPatient, raised_at: dt.datetime | None,
            now: dt.datetime, imminent: bool = False) -> tuple[AlertLine, ...]:
    out: list[AlertLine] = []
    if p.safety_alert:
        since = f" raised {_clock(raised_at, now)}" if raised_at is not None else ""
        risk = f" — acute positive ASQ, {protocols.IMMINENT_RISK_TEXT.rstrip('.')}" if imminent else ""
        out.append(AlertLine("safety", f"SAFETY ALERT{since}{risk} — no safety assessment recorded since",
                             True))
    if p.overdue and p.next_cows_due is not None:
        due, late = _clock(p.next_cows_due, now), _duration(now - p.next_cows_due)
        out.append(AlertLine("overdue", f"COWS reassessment OVERDUE — due {due}, {late} ago", True))
    if p.checkin_flags and p.checkin_at is not None:
        out.append(AlertLine("checkin", f"{_clock(p.checkin_at, now)} Check-in: {' · '.join(p.checkin_flags)}",
                             False))
    for c in sorted(p.complications, key=lambda c: (c.at, c.id)):
        by = f" (by {c.recorded_by_name})" if c.recorded_by_name else ""
        text = f"{_clock(c.at, now)} {c.label} — action taken: {c.action_taken}{by}"
        out.append(AlertLine("complication", text, False))
    return tuple(out)


#: What staff write for "no known allergies" (compared lower case, without punctuation).
NO_KNOWN_ALLERGIES = frozenset({
    "none known", "none", "nka", "nkda", "no known allergies", "no known drug allergies",
    "no allergies", "no known allergy", "none reported", "denies", "nil", "nil known"})
#: The handover's risk flags, in the order printed: intake flag key → label.
RISK_FLAGS: dict[str, str] = {
    "benzodiazepine_co_use": "Benzodiazepine co-use",
    "alcohol_co_use": "Alcohol co-use",
    "seizures": "Seizure history",
    "pregnancy": "Pregnant",
    "fentanyl": "Fentanyl use",
    "prior_overdose": "Prior overdose",
}
ALLERGIES_NOT_RECORDED = "Allergies not recorded"
NO_ALLERGIES = "No known allergies"
NO_RISK_FLAGS = "None recorded"
RISKS_NOT_RECORDED = "Not recorded (no intake)"


def allergies_text(recorded: str | None) -> str:
    """"No known allergies" (what staff wrote means none), "Allergies not recorded" (blank),
    else "Allergies: " and what was written."""
    text = " ".join(str(recorded or "").split())
    if not text:
        return ALLERGIES_NOT_RECORDED
    if "".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").strip() in NO_KNOWN_ALLERGIES:
        return NO_ALLERGIES
    return f"Allergies: {text}"


def _risk_flags(intake_data: dict, pregnant: str | None) -> tuple[str, ...]:
    """The risk flags printed under the name: the intake's (co-use, seizures, fentanyl, prior
    overdoses with their count), pregnancy from the patient facts (the intake's until corrected)."""
    raised = {flag.id: flag for flag in risk_flags(intake_data)}
    out = []
    for key, label in RISK_FLAGS.items():
        if key == "pregnancy":
            if pregnant == "yes":
                out.append(label)
        elif key in raised:
            count = (intake_data.get("substances") or {}).get("prior_overdoses")
            out.append(f"{label} ({count})" if key == "prior_overdose" and isinstance(count, int) else label)
    return tuple(out)


def _prepared_at(now: dt.datetime) -> str:
    """"Mon 9 Mar 2026 07:45 CST"."""
    local = clock.local(now)
    zone = local.tzname() or ""
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y %H:%M')} {zone}".rstrip()


def _prepared_by(user: SignedInUser) -> str:
    role = ROLE_LABELS.get(user.role, str(user.role))
    return f"{user.full_name} ({role})"


# --------------------------------------------------------------------------------------------
# Gathering
# --------------------------------------------------------------------------------------------


def build_handover(db: Database, user: SignedInUser, now: dt.datetime,
                   episode_ids: Iterable[int] | None = None, *, opening: bool = False) -> HandoverReport:
    """The shift handover as of ``now`` (aware): every episode in stabilization or transition,
    or those of ``episode_ids`` among them, ordered by name — read in one session, so every
    patient's block is of the same moment.

    Doses: the MAR entries (given, held, refused) timed from ``now`` − 12 h, inclusive, up to
    ``now`` plus the MAR's 5-minute clock tolerance; struck entries are left out. Complications
    are those of :func:`stabilization.handover` (the same 12 hours). Needs ``patients.view``.
    ``opening`` (the handover shown to someone): audited as one "handover.viewed" event per
    patient listed, in the same unit of work, so each patient's trail finds it; otherwise it
    only reads (:func:`print_handover` audits its own "handover.printed").
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    ids = None if episode_ids is None else list(episode_ids)
    since, until = now - DOSE_WINDOW, now + clock.FUTURE_TOLERANCE
    utc = dt.UTC
    sections: list[HandoverSection] = []
    with db.write() if opening else db.read() as session:
        require(session, user, "patients.view")  # the account re-read in this one snapshot
        handover = stabilization.handover_in(session, now, ids)
        clinic = settings_service.read_in(session)
        system = units.clinic_system(clinic)
        census = (episodes.census_in(session, clock.local(now).date(), now)
                  if handover or ids is None else [])
        days = {row.episode_id: row.day_of_stay for row in census}
        for p in handover:
            orders = {o.id: o for o in mar.orders_in(session, p.episode_id)}
            doses = sorted((a for a in mar.administrations_in(session, p.episode_id)
                            if not a.struck and since <= a.at <= until), key=lambda a: (a.at, a.id))
            safety = stabilization.safety_status_in(session, p.episode_id) if p.safety_alert else None
            raised_at = safety.raised_at if safety is not None else None
            rows = mar.mar_in(session, p.episode_id, since.astimezone(utc), now.astimezone(utc),
                              now.astimezone(utc))
            intake_data = patient_facts.intake_data_in(session, p.episode_id)
            known = patient_facts.facts_in(session, p.episode_id)
            flags = _risk_flags(intake_data, known.pregnant)
            sections.append(HandoverSection(
                episode_id=p.episode_id,
                name=p.display_name,
                mrn=p.mrn,
                allergies=allergies_text(known.allergies),
                risk_flags=flags,
                risks_text=(" · ".join(flags) if flags
                            else NO_RISK_FLAGS if intake_data else RISKS_NOT_RECORDED),
                stage=episodes.STAGE_LABELS.get(p.stage, p.stage),
                pathway=_pathway_label(p.pathway),
                day_of_stay=days.get(p.episode_id),
                last_cows=_cows_text(p, now),
                next_cows=_next_cows_text(p, now),
                overdue=p.overdue,
                last_vitals=_vitals_text(p.last_vitals, p.last_vitals_at, now, system),
                vitals_warnings=tuple(units.warnings_text(p.last_vitals, system).values()),
                doses=tuple(_dose_line(a, orders.get(a.order_id), now) for a in doses),
                alerts=_alerts(p, raised_at, now, safety is not None and safety.imminent),
                supportive_done=tuple(stabilization.SUPPORTIVE_ITEMS.get(i, i) for i in p.supportive_done),
                safety_alert=p.safety_alert,
                not_recorded=_not_recorded(rows, since, now),
            ))
        if opening:
            listed = len(handover)
            for p in handover:
                audit.append(session, user, "handover.viewed", entity_type="episode", entity_id=p.episode_id,
                             patient_id=p.patient_id, detail={"patients": listed})
    contact = " · ".join(str(clinic.get(k) or "").strip() for k in ("clinic_address", "clinic_phone")
                         if str(clinic.get(k) or "").strip())
    count = len(sections)
    scope = (f"Whole census: {count} patient{'s' if count != 1 else ''}" if ids is None
             else f"Selected patient{'s' if count != 1 else ''}: {count}")
    assessing = sum(1 for row in census if row.stage == Stage.ASSESSMENT.value) if ids is None else 0
    if assessing:  # the census shows them too: say why the counts differ
        scope += f" (and {assessing} in assessment, not on a handover until signed)"
    return HandoverReport(
        title=TITLE,
        clinic_name=str(clinic.get("clinic_name") or "").strip(),
        clinic_contact=contact,
        prepared_at=_prepared_at(now),
        prepared_by=_prepared_by(user),
        window_text=f"Doses and complications since {_clock(since, now)} (past 12 h)",
        scope_text=scope,
        patients=tuple(sections),
    )


def handover_printed(db: Database, user: SignedInUser, episode_ids: Iterable[int], *,
                     pdf_bytes: int) -> None:
    """Audit a shift handover that was prepared for printing: one "handover.printed" event per
    patient on it (who, when, which record; no clinical text), so each patient's own audit trail
    shows every handover that listed them. Called once the PDF exists, before it is shown."""
    require(db, user, "patients.view")
    ids = sorted(set(episode_ids))
    with db.write() as session:
        rows = session.execute(select(Episode.id, Episode.patient_id).where(Episode.id.in_(ids))).all()
        for episode_id, patient_id in rows:
            audit.append(session, user, "handover.printed", entity_type="episode", entity_id=episode_id,
                         patient_id=patient_id, detail={"patients": len(ids), "bytes": pdf_bytes})


def print_handover(db: Database, user: SignedInUser, now: dt.datetime,
                   episode_ids: Iterable[int] | None = None) -> tuple[HandoverReport, bytes]:
    """The handover built (:func:`build_handover`), rendered to PDF and audited
    (:func:`handover_printed`): what Print handover shows. ClinicIdentityMissing (nothing is
    built) while the clinic's name, address or phone is blank."""
    settings_service.require_identity(settings_service.get_all(db))
    report = build_handover(db, user, now, episode_ids)
    pdf = render_handover_pdf(report)
    handover_printed(db, user, [p.episode_id for p in report.patients], pdf_bytes=len(pdf))
    return report, pdf
