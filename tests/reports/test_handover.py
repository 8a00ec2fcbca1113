"""The shift handover: its data built from a real database (texts, order, the 12-hour window,
struck doses left out, alerts), then the PDF rendered from that data (pages, text, furniture)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.core import units
from clinic_desktop.core.medications import default_holds
from clinic_desktop.core.services import episodes, intake, mar, patients, settings, stabilization
from clinic_desktop.core.services import handover as hs
from clinic_desktop.reports import handover as ho
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import COWS_14, complete_draft, use_vitals_units
from tests.tools import require_tool

ZONE = "America/Chicago"
TZ = ZoneInfo(ZONE)
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
VITALS_OK = {"pulse": 88, "systolic": 124, "diastolic": 80, "respiratory_rate": 16, "temperature_c": 37.0,
             "spo2": 98}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hm(at: dt.datetime) -> str:
    return at.astimezone(TZ).strftime("%H:%M")


def when(at: dt.datetime, now: dt.datetime) -> str:
    """The clock text expected for ``at`` on a handover printed at ``now`` (any time of day)."""
    days = (at.astimezone(TZ).date() - now.astimezone(TZ).date()).days
    return {0: "", -1: "yesterday ", 1: "tomorrow "}[days] + hm(at)


def day_of_stay(admitted: dt.datetime, now: dt.datetime) -> int:
    return (now.astimezone(TZ).date() - admitted.astimezone(TZ).date()).days + 1


@pytest.fixture(autouse=True)
def clinic_zone(monkeypatch):
    monkeypatch.setenv("TZ", ZONE)


def register(db, user, mrn, given, family):
    return patients.register(db, user, patients.PatientInput(
        mrn=mrn, given_name=given, family_name=family, date_of_birth=dt.date(1987, 6, 5), sex="unknown"))


def admit(db, user, patient_id, admitted_at, pathway, transition=False):
    ep = episodes.open_episode(db, user, patient_id, admitted_at=admitted_at)
    ep = episodes.change_stage(db, user, ep.id, ep.version, "stabilization", pathway=pathway)
    if transition:
        ep = episodes.change_stage(db, user, ep.id, ep.version, "transition")
    return ep


@pytest.fixture
def ward(db, admin, nurse):
    """Three invented patients on the census and one still in assessment, with scores, vitals,
    doses (one struck, two just outside the window), care and complications, all timed from
    ``t0`` — the moment the set-up started."""
    t0 = utcnow().replace(microsecond=0)
    settings.update(db, admin, {"clinic_name": "Riverbend Recovery Clinic", "clinic_phone": "(217) 555-0142",
                                "clinic_address": "12 Mill Road, Springfield"})
    prescriber = make_user(db, admin, "prescriber")

    # Okafor: a signed intake (symptomatic taper), baseline COWS 14 and vitals, lofexidine doses.
    okafor = register(db, nurse, "HO-1", "Adaeze", "Okafor")
    a_admitted = t0 - 2 * 24 * H
    draft = intake.start(db, nurse, okafor.id, admitted_at=a_admitted)
    saved = intake.save_draft(db, nurse, draft.id, draft.version, complete_draft())
    intake.sign(db, nurse, draft.id, saved.version, STRONG_PASSWORD, "symptomatic_taper")
    a = episodes.current_episode(db, nurse, okafor.id)
    lofex = mar.create_order(db, prescriber, a.id, mar.OrderInput(
        drug_id="lofexidine", dose=0.54, unit="mg", route="oral", start=t0 - 24 * H,
        times=("08:00", "13:00", "18:00", "23:00"), **default_holds("lofexidine")))
    # A free-text PRN drug beside it: lofexidine's label keeps its doses 5 h apart, struck ones
    # included, so the dose just outside the window and the struck one are of this order.
    vitamin = mar.create_order(db, prescriber, a.id, mar.OrderInput(
        drug_id="other", drug_name="Thiamine", dose=100, unit="mg", route="oral", min_interval_hours=1,
        start=t0 - 24 * H))
    give = {"reason": "charted late"}
    too_old = mar.record_administration(db, nurse, vitamin.id, "given", at=t0 - 12 * H - 2 * MIN, **give)
    first = mar.record_administration(db, nurse, lofex.id, "given", at=t0 - 12 * H + 2 * MIN, **give)
    held = mar.record_administration(db, nurse, lofex.id, "held", at=t0 - 8 * H, reason="Sedation")
    wrong = mar.record_administration(db, nurse, vitamin.id, "given", at=t0 - 3 * H, **give)
    mar.strike_administration(db, nurse, wrong.id, "entered in error")
    given = mar.record_administration(db, nurse, lofex.id, "given", at=t0 - 2 * H - 50 * MIN, dose=0.36,
                                      reason="partial dose, dizziness")
    refused = mar.record_administration(db, nurse, lofex.id, "refused", at=t0 - 30 * MIN)
    stabilization.record_supportive_care(db, nurse, a.id, "hydration")

    # Lindqvist: in transition, a PRN "other" drug, supportive care, nothing else.
    lindqvist = register(db, nurse, "HO-2", "Bo", "Lindqvist")
    b_admitted = t0 - 3 * 24 * H
    b = admit(db, nurse, lindqvist.id, b_admitted, "buprenorphine_induction", transition=True)
    ondansetron = mar.create_order(db, prescriber, b.id, mar.OrderInput(
        drug_id="other", drug_name="Ondansetron", dose=4, unit="mg", route="oral", min_interval_hours=6,
        start=t0 - 2 * 24 * H))
    prn = mar.record_administration(db, nurse, ondansetron.id, "given", at=t0 - 20 * MIN)
    stabilization.record_supportive_care(db, nurse, b.id, "emotional_support")
    stabilization.record_supportive_care(db, nurse, b.id, "hydration")

    # Ferreira: COWS 5 h ago (overdue at the 4 h default), low SpO2, complications, safety alert.
    ferreira = register(db, nurse, "HO-3", "Joana", "Ferreira")
    c_admitted = t0 - 24 * H
    c = admit(db, nurse, ferreira.id, c_admitted, "methadone")
    cows = stabilization.record_observation(db, nurse, c.id, "cows", COWS_14, taken_at=t0 - 5 * H,
                                            reason="charted late")
    vitals = stabilization.record_vitals(db, nurse, c.id, dict(VITALS_OK, spo2=90), taken_at=t0 - 5 * H,
                                         reason="charted late")
    stabilization.record_complication(db, nurse, c.id, "persistent_vomiting", "Ondansetron given",
                                      at=t0 - 13 * H)
    dehydration = stabilization.record_complication(
        db, nurse, c.id, "dehydration", "Oral fluids pushed, prescriber informed", at=t0 - 6 * H)
    suicidal = stabilization.record_complication(db, nurse, c.id, "suicidal_thoughts",
                                                 "1:1 observation; on-call psychiatrist called",
                                                 at=t0 - 40 * MIN)

    # Quill: still in assessment — not on the handover.
    quill = register(db, nurse, "HO-4", "Dana", "Quill")
    intake.start(db, nurse, quill.id)

    return SimpleNamespace(
        t0=t0, prescriber=prescriber, a=a, b=b, c=c, a_admitted=a_admitted, b_admitted=b_admitted,
        c_admitted=c_admitted, too_old=too_old, first=first, held=held, wrong=wrong, given=given,
        refused=refused, prn=prn, cows=cows, vitals=vitals, dehydration=dehydration, suicidal=suicidal)


# ---------------------------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------------------------


def test_the_whole_census_by_name_with_the_report_header(db, nurse, ward):
    now = utcnow()
    report = hs.build_handover(db, nurse, now)
    assert [p.name for p in report.patients] == ["Ferreira, Joana", "Lindqvist, Bo", "Okafor, Adaeze"]
    assert [p.mrn for p in report.patients] == ["HO-3", "HO-2", "HO-1"]
    assert report.title == "Shift handover"
    assert report.clinic_name == "Riverbend Recovery Clinic"
    assert report.clinic_contact == "12 Mill Road, Springfield · (217) 555-0142"
    assert report.prepared_by == "Test Nurse (Nurse)"
    local = now.astimezone(TZ)
    assert report.prepared_at == f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()}"
    assert report.window_text.startswith("Doses and complications since ")
    assert report.window_text.endswith(f"{hm(now - 12 * H)} (past 12 h)")
    # the census shows Quill (in assessment) too: the handover says why its count is one less
    assert report.scope_text == "Whole census: 3 patients (and 1 in assessment, not on a handover until signed)"
    assert hs.build_handover(db, nurse, now, [ward.a.id]).scope_text == "Selected patient: 1"
    assert report.notice == "Contains patient health information. Handle and dispose of as confidential."
    with pytest.raises(ValueError):
        hs.build_handover(db, nurse, now.replace(tzinfo=None))


def test_the_whole_handover_is_read_in_one_session(db, nurse, ward, monkeypatch):
    """One consistent snapshot: however many patients, build_handover opens one read."""
    real, opened = db.read, []

    def read(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(db, "read", read)
    report = hs.build_handover(db, nurse, utcnow())
    assert len(report.patients) == 3 and len(opened) == 1


def test_print_handover_renders_and_audits_each_patient_once(db, admin, nurse, ward):
    from clinic_desktop.core.services import audit

    report, pdf = hs.print_handover(db, nurse, utcnow(), [ward.a.id, ward.b.id])
    assert pdf.startswith(b"%PDF") and len(report.patients) == 2
    printed = [e for e in audit.recent(db, admin) if e.action == "handover.printed"]
    assert sorted(int(e.entity_id) for e in printed) == sorted([ward.a.id, ward.b.id])
    assert all(e.detail == {"patients": 2, "bytes": len(pdf)} for e in printed)


def test_a_patients_block_texts(db, admin, nurse, ward):
    use_vitals_units(db, admin, units.METRIC)
    now = utcnow()
    ferreira, lindqvist, okafor = hs.build_handover(db, nurse, now).patients

    assert (okafor.stage, okafor.pathway, okafor.day_of_stay) == (
        "Stabilization", "Symptomatic / non-opioid taper (lofexidine or clonidine)",
        day_of_stay(ward.a_admitted, now))
    assert okafor.day_text == f"Day {okafor.day_of_stay}"
    # The baseline COWS and vitals the signed intake put on the flowsheet.
    assert re.fullmatch(r"14 moderate at (yesterday )?\d\d:\d\d", okafor.last_cows)
    assert re.fullmatch(r"(tomorrow )?\d\d:\d\d", okafor.next_cows) and not okafor.overdue
    assert re.fullmatch(r"P 96 · BP 128/82 · RR 16 · T 37\.1 °C \(98\.8 °F\) · SpO₂ 98 % · "
                        r"Wt 70\.0 kg \(154\.3 lb\) at (yesterday )?\d\d:\d\d", okafor.last_vitals)
    assert okafor.vitals_warnings == ()
    assert okafor.supportive_done == ("Hydration",) and okafor.supportive_text == "Hydration"
    assert okafor.alerts == () and not okafor.safety_alert

    assert (lindqvist.stage, lindqvist.pathway) == ("Transition", "Buprenorphine induction")
    assert lindqvist.day_of_stay == day_of_stay(ward.b_admitted, now)
    assert (lindqvist.last_cows, lindqvist.next_cows, lindqvist.last_vitals) == (
        "None recorded", "Not scheduled in transition", "None recorded")
    assert lindqvist.supportive_done == ("Hydration", "Emotional support")  # checklist order
    assert lindqvist.alerts == ()

    assert ferreira.last_cows == f"14 moderate at {when(ward.cows.taken_at, now)}"
    assert ferreira.last_vitals == (
        f"P 88 · BP 124/80 · RR 16 · T 37.0 °C (98.6 °F) · SpO₂ 90 % at {when(ward.vitals.taken_at, now)}")
    assert ferreira.vitals_warnings == ("SpO₂ 90 % is low (below 92).",)
    assert ferreira.supportive_text == "None recorded today"


def test_a_us_clinic_reads_fahrenheit_and_pounds_first(db, admin, nurse, ward):
    """The shipped region (US) means °F and lb: the same stored °C and kg, the clinic's unit
    first, and a fever warned about in °F."""
    assert units.clinic_system(settings.get_all(db)) == units.US
    stabilization.record_vitals(db, nurse, ward.c.id, dict(VITALS_OK, temperature_c=38.5, weight_kg=69.853))
    ferreira, _lindqvist, okafor = hs.build_handover(db, nurse, utcnow()).patients
    assert " · T 98.8 °F (37.1 °C) · " in okafor.last_vitals  # typed in °C, shown in °F first
    assert " · Wt 154.3 lb (70.0 kg) at " in okafor.last_vitals
    assert ferreira.last_vitals.startswith("P 88 · BP 124/80 · RR 16 · T 101.3 °F (38.5 °C) · SpO₂ 98 % · "
                                           "Wt 154.0 lb (69.9 kg) at ")
    assert ferreira.vitals_warnings == ("Temperature 101.3 °F is high (above 100.4).",)
    pdf = ho.render_handover_pdf(hs.build_handover(db, nurse, utcnow(), [ward.c.id]))
    text = pdf_text(pdf)
    assert "T 101.3 °F (38.5 °C)" in text and "Temperature 101.3 °F is high (above 100.4)." in text


def test_doses_of_the_past_12_hours_oldest_first_struck_ones_left_out(db, nurse, ward):
    now = utcnow()
    ferreira, lindqvist, okafor = hs.build_handover(db, nurse, now).patients
    by = "(by Test Nurse)"
    assert [d.at for d in okafor.doses] == [ward.first.at, ward.held.at, ward.given.at, ward.refused.at]
    assert [d.text for d in okafor.doses] == [
        "Lofexidine 0.54 mg given — charted late (entered late, by Test Nurse)",
        "Lofexidine held: Sedation (entered late, by Test Nurse)",
        "Lofexidine 0.36 mg given — partial dose, dizziness (entered late, by Test Nurse)",
        f"Lofexidine refused {by}",
    ]
    assert [d.outcome for d in okafor.doses] == ["given", "held", "given", "refused"]
    assert all(d.drug == "Lofexidine" for d in okafor.doses)
    assert okafor.doses[-1].time == when(ward.refused.at, now)
    assert okafor.doses[-1].line == f"{when(ward.refused.at, now)} Lofexidine refused {by}"
    # The struck entry and the one 12 h 2 min ago are not on it.
    assert ward.wrong.at not in [d.at for d in okafor.doses]
    assert ward.too_old.at not in [d.at for d in okafor.doses]
    assert [d.time for d in okafor.doses] == [when(d.at, now) for d in okafor.doses]

    assert [d.text for d in lindqvist.doses] == [f"Ondansetron (PRN) 4 mg given {by}"]
    assert lindqvist.dose_lines == (f"{when(ward.prn.at, now)} Ondansetron (PRN) 4 mg given {by}",)
    assert ferreira.doses == ()


def test_scheduled_doses_never_recorded_are_on_it_as_late_or_missed(db, admin, nurse):
    now = utcnow().replace(second=0, microsecond=0)
    patient = register(db, nurse, "HO-9", "Ines", "Marsh")
    ep = admit(db, nurse, patient.id, now - 24 * H, "symptomatic_taper")
    prescriber = make_user(db, admin, "prescriber")
    # Three times of day: 2 h ago (late), 6 h ago (missed), 14 h ago (outside the 12 hours);
    # one more, 10 h ago, was given on time and linked to its time: not "not recorded". (Clonidine's
    # times are at least 4 h apart, local policy.)
    times = {k: now - h * H for k, h in (("late", 2), ("missed", 6), ("old", 14), ("given", 10))}
    order = mar.create_order(db, prescriber, ep.id, mar.OrderInput(
        drug_id="clonidine", dose=0.1, unit="mg", route="oral", start=now - 20 * H,
        times=tuple(sorted(hm(t) for t in times.values())), **default_holds("clonidine")))
    mar.record_administration(db, nurse, order.id, "given", at=times["given"], scheduled_for=times["given"],
                              reason="charted late")
    (section,) = hs.build_handover(db, nurse, now, episode_ids=[ep.id]).patients
    assert [(d.at, d.outcome, d.text) for d in section.not_recorded] == [
        (times["missed"], "missed", "Clonidine 0.1 mg scheduled, not recorded (missed)"),
        (times["late"], "late", "Clonidine 0.1 mg scheduled, not recorded (late)")]
    assert section.not_recorded[1].time == when(times["late"], now)
    assert [d.outcome for d in section.timeline] == ["given", "missed", "late"]  # one timeline, by time
    text = pdf_text(ho.render_handover_pdf(hs.build_handover(db, nurse, now, episode_ids=[ep.id])))
    flat = " ".join(text.split())
    assert "Clonidine 0.1 mg scheduled, not recorded (missed)" in flat
    assert "Clonidine 0.1 mg scheduled, not recorded (late)" in flat


def test_the_12_hour_window_includes_its_start_and_nothing_before(db, nurse, ward):
    def okafor_doses(now):
        (section,) = hs.build_handover(db, nurse, now, episode_ids=[ward.a.id]).patients
        return [d.at for d in section.doses]

    at_start = ward.first.at + 12 * H  # the first dose is exactly 12 h before
    assert okafor_doses(at_start)[0] == ward.first.at
    assert ward.first.at not in okafor_doses(at_start + dt.timedelta(microseconds=1))
    # Seen from an hour after the hold, the older dose is inside; later ones are not yet.
    assert okafor_doses(ward.held.at + H) == [ward.too_old.at, ward.first.at, ward.held.at]
    # A dose timed up to 5 minutes ahead of now (workstation clocks) is on it; further, not.
    assert okafor_doses(ward.given.at - 5 * MIN)[-1] == ward.given.at
    assert okafor_doses(ward.given.at - 5 * MIN - dt.timedelta(microseconds=1))[-1] == ward.held.at


def test_open_alerts_safety_then_overdue_then_complications(db, nurse, ward):
    now = utcnow()
    ferreira = hs.build_handover(db, nurse, now).patients[0]
    raised = stabilization.safety_status(db, nurse, ward.c.id).raised_at
    due = ward.cows.taken_at + 4 * H
    assert ferreira.safety_alert and ferreira.overdue
    assert [a.kind for a in ferreira.alerts] == ["safety", "overdue", "complication", "complication"]
    assert [a.urgent for a in ferreira.alerts] == [True, True, False, False]
    overdue_by = int((now - due).total_seconds() // 60)
    hours, minutes = divmod(overdue_by, 60)
    overdue_text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    assert ferreira.alert_lines == (
        f"SAFETY ALERT raised {when(raised, now)} — no safety assessment recorded since",
        f"COWS reassessment OVERDUE — due {when(due, now)}, {overdue_text} ago",
        (f"{when(ward.dehydration.at, now)} Dehydration — action taken: Oral fluids pushed, prescriber informed "
         "(by Test Nurse)"),
        (f"{when(ward.suicidal.at, now)} Suicidal thoughts — action taken: 1:1 observation; on-call psychiatrist "
         "called (by Test Nurse)"),
    )  # the vomiting 13 h ago is outside the window
    assert ferreira.next_cows == f"{when(due, now)} — OVERDUE by {overdue_text}"

    # A safety assessment ends the safety alert; the overdue reassessment stays.
    stabilization.record_safety_assessment(db, nurse, ward.c.id, "moderate", "Plan agreed, 1:1 continues")
    after = hs.build_handover(db, nurse, utcnow(), episode_ids=[ward.c.id]).patients[0]
    assert [a.kind for a in after.alerts] == ["overdue", "complication", "complication"]
    assert not after.safety_alert


def test_selected_patients_only(db, nurse, ward):
    report = hs.build_handover(db, nurse, utcnow(), episode_ids=[ward.a.id])
    assert [p.name for p in report.patients] == ["Okafor, Adaeze"]
    assert report.scope_text == "Selected patient: 1"
    empty = hs.build_handover(db, nurse, utcnow(), episode_ids=[])
    assert empty.patients == () and empty.scope_text == "Selected patients: 0"


def test_clock_texts_are_read_on_the_local_day_of_now():
    now = dt.datetime(2026, 3, 9, 7, 45, tzinfo=TZ)
    assert hs._clock(dt.datetime(2026, 3, 9, 0, 5, tzinfo=TZ), now) == "00:05"
    assert hs._clock(dt.datetime(2026, 3, 8, 21, 0, tzinfo=TZ), now) == "yesterday 21:00"
    assert hs._clock(dt.datetime(2026, 3, 10, 1, 10, tzinfo=TZ), now) == "tomorrow 01:10"
    assert hs._clock(dt.datetime(2026, 3, 3, 9, 10, tzinfo=TZ), now) == "3 Mar 09:10"
    assert hs._clock(dt.datetime(2026, 3, 9, 13, 45, tzinfo=dt.UTC), now) == "08:45"


def test_vitals_texts_show_only_what_was_taken():
    now = dt.datetime(2026, 3, 9, 12, 0, tzinfo=TZ)
    at = dt.datetime(2026, 3, 9, 9, 12, tzinfo=TZ)
    assert hs._vitals_text({"pulse": 96, "systolic": 128, "diastolic": 82, "respiratory_rate": 16,
                            "temperature_c": 37.1, "spo2": 98}, at, now) == (
        "P 96 · BP 128/82 · RR 16 · T 37.1 °C (98.8 °F) · SpO₂ 98 % at 09:12")
    partial = hs._vitals_text({"systolic": 118, "temperature_c": 38.0}, at, now)
    assert partial == "BP 118/– · T 38.0 °C (100.4 °F) at 09:12"
    in_us = hs._vitals_text({"temperature_c": 37.0, "weight_kg": 69.853}, at, now, units.US)
    assert in_us == "T 98.6 °F (37.0 °C) · Wt 154.0 lb (69.9 kg) at 09:12"
    assert hs._vitals_text(None, None, now) == "None recorded"


# ---------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, pages separated by form feeds (pypdf if installed, else pdftotext)."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        import io

        return "\f".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    require_tool("pdftotext")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "handover.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_the_pdf_has_the_patients_the_furniture_and_page_numbers(db, nurse, ward):
    report = hs.build_handover(db, nurse, utcnow())
    pdf = ho.render_handover_pdf(report)
    assert pdf.startswith(b"%PDF")
    pages = page_count(pdf)
    assert pages >= 1
    text = pdf_text(pdf)
    assert len(text.rstrip("\f").split("\f")) == pages
    for name in ("Ferreira, Joana", "Lindqvist, Bo", "Okafor, Adaeze", "MRN HO-3"):
        assert name in text
    assert "Quill" not in text
    assert "Shift handover — CONFIDENTIAL" in text
    assert "Riverbend Recovery Clinic" in text
    assert f"Page 1 of {pages}" in text
    assert report.notice in text
    assert "SAFETY ALERT" in text and "OVERDUE" in text
    assert "Ondansetron (PRN) 4 mg given" in text
    assert "entered in error" not in text
    assert re.search(r"SpO\s?2 98 %", text)  # the subscript prints


def many_sections(n: int) -> tuple[ho.HandoverSection, ...]:
    at = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
    doses = tuple(ho.DoseLine(at, f"{h:02d}:00", "Lofexidine", "given",
                              "Lofexidine 0.54 mg given (by Test Nurse)") for h in range(8, 12))
    return tuple(ho.HandoverSection(
        episode_id=i, name=f"Patient{i:02d}, Invented", mrn=f"M-{i:02d}", allergies="No known allergies",
        risk_flags=(), risks_text="None recorded", stage="Stabilization",
        pathway="Methadone", day_of_stay=2, last_cows="14 moderate at 09:10", next_cows="13:10",
        overdue=False, last_vitals="P 96 · BP 128/82 · RR 16 · T 37.1 °C · SpO₂ 98 % at 09:12",
        vitals_warnings=(), doses=doses,
        alerts=(ho.AlertLine("complication", "07:40 Dehydration — action taken: fluids (by Test Nurse)",
                             False),),
        supportive_done=("Hydration",), safety_alert=False) for i in range(n))


def sample_report(sections) -> ho.HandoverReport:
    return ho.HandoverReport(
        title="Shift handover", clinic_name="Riverbend Recovery Clinic", clinic_contact="12 Mill Road",
        prepared_at="Mon 9 Mar 2026 07:45 CDT", prepared_by="Test Nurse (Nurse)",
        window_text="Doses and complications since yesterday 19:45 (past 12 h)",
        scope_text=f"Whole census: {len(sections)} patient{'s' if len(sections) != 1 else ''}",
        patients=sections)


def test_a_long_census_runs_over_pages_each_with_header_footer_and_whole_blocks():
    report = sample_report(many_sections(14))
    pdf = ho.render_handover_pdf(report)
    pages = page_count(pdf)
    assert pages >= 3
    texts = pdf_text(pdf).rstrip("\f").split("\f")
    assert len(texts) == pages
    for number, page in enumerate(texts, start=1):
        assert "Shift handover — CONFIDENTIAL" in page
        assert "Prepared Mon 9 Mar 2026 07:45 CDT by Test Nurse (Nurse)" in page
        assert report.notice in page
        assert f"Page {number} of {pages}" in page
    # Each block is kept on one page: a patient's name and their last dose share a page.
    for section in report.patients:
        holding = [page for page in texts if section.name in page]
        assert len(holding) == 1
        assert holding[0].count("Lofexidine 0.54 mg given") >= len(section.doses)


def test_an_empty_census_prints_one_page_saying_so():
    pdf = ho.render_handover_pdf(sample_report(()))
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert "No patients in stabilization or transition." in text and "Page 1 of 1" in text


def test_markup_characters_in_names_are_printed_not_interpreted():
    section = dataclasses.replace(many_sections(1)[0], name="O'Brien <Tess> & Co", mrn="M-&1")
    text = pdf_text(ho.render_handover_pdf(sample_report((section,))))
    assert "O'Brien <Tess> & Co" in text and "MRN M-&1" in text


def test_a_block_taller_than_a_page_runs_on_and_loses_no_dose():
    at = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
    doses = tuple(ho.DoseLine(at, f"{n // 4:02d}:{n % 4 * 15:02d}", "Clonidine", "given",
                              f"Clonidine (PRN) 0.1 mg given — dose {n:02d} (by Test Nurse)")
                  for n in range(60))
    section = dataclasses.replace(many_sections(1)[0], doses=doses)
    long_name = "A Very Long Clinic Name " * 8
    pdf = ho.render_handover_pdf(dataclasses.replace(sample_report((section,)), clinic_name=long_name))
    pages = page_count(pdf)
    assert pages >= 2
    text = pdf_text(pdf)
    assert all(f"dose {n:02d}" in text for n in range(60))
    # The patient's name band is repeated on every page the block runs onto.
    for page in text.rstrip("\f").split("\f"):
        assert "Patient00, Invented" in page and "MRN M-00" in page
    assert f"Page {pages} of {pages}" in text
    assert "…" in text  # the clinic's name is shortened to fit beside the title


def test_cows_texts_for_incomplete_and_bandless_scores():
    now = dt.datetime(2026, 3, 9, 12, 0, tzinfo=TZ)
    at = dt.datetime(2026, 3, 9, 9, 10, tzinfo=TZ)
    base = {"episode_id": 1, "patient_id": 1, "display_name": "X, Y", "mrn": "M", "stage": "stabilization",
            "pathway": None, "last_vitals": None, "last_vitals_at": None, "last_vitals_warnings": {},
            "next_cows_due": None, "overdue": False, "safety_alert": False, "complications": (),
            "supportive_done": (), "last_cows_at": at}

    def text(total, band, complete):
        return hs._cows_text(stabilization.HandoverPatient(
            **base, last_cows_total=total, last_cows_band=band, last_cows_complete=complete), now)

    assert text(14, "moderate", True) == "14 moderate at 09:10"
    assert text(26, "moderately_severe", True) == "26 moderately severe at 09:10"
    assert text(3, None, True) == "3 no active withdrawal at 09:10"
    assert text(9, None, False) == "9 incomplete at 09:10"
    no_cows = stabilization.HandoverPatient(**{**base, "last_cows_at": None}, last_cows_total=None,
                                            last_cows_band=None, last_cows_complete=None)
    assert hs._cows_text(no_cows, now) == "None recorded"
    assert hs._next_cows_text(no_cows, now) == "No COWS recorded yet"
