"""Screenshots of every window and dialog, on a throw-away database with the invented demo patients.

    python -m tests.screenshots OUTDIR                (``make screenshots``: under Xvfb, 1366×768)
    python -m tests.screenshots --theme dark OUTDIR/dark

The main window and the screens in its patient tabs are taken at 1366×768 (OUTDIR) and again at
1024×600 (OUTDIR/1024x600), the two screens the app must fit; dialogs at their own size. With
``--theme dark`` the app runs in its dark theme and only :data:`DARK_SHOTS` are kept.

Nothing here touches the user's own data: the database, logs and settings live in a temporary
folder (``CLINIC_DESKTOP_DATA_DIR``) that is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADMIN_PASSWORD = "violet harbor lantern 42"  # only for the throw-away screenshot database

#: The window sizes the screens are taken at: the clinic laptop, and the small netbook screen.
SIZES = ((1366, 768, ""), (1024, 600, "1024x600"))
#: What the dark theme's run keeps: the census, a form, each screen, a dialog.
DARK_SHOTS = frozenset({"02-sign-in-dialog", "03-main-window-census", "05-new-patient-dialog",
                        "13e-intake-scores", "15a-stabilization-flowsheet", "15b-stabilization-medications",
                        "15e-record-cows", "18a-plan-medication"})
#: Set by --theme dark: keep only DARK_SHOTS.
_only: frozenset[str] | None = None


def _settle(ms: int = 250) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def _save(widget, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    if _only is not None and name not in _only:
        return path
    widget.raise_()
    widget.activateWindow()
    _settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    print(f"  {path}")
    return path


def _save_sizes(window, out: Path, name: str) -> list[Path]:
    """The main window at each of :data:`SIZES` (the screen in its tab laid out anew at each)."""
    paths = []
    for width, height, folder in SIZES:
        if window.isMaximized():
            window.showNormal()
        window.resize(width, height)
        _settle()
        paths.append(_save(window, out / folder if folder else out, name))
    window.resize(*SIZES[0][:2])
    return paths


def _screens_window(db, user):
    """A main window to show the screens in, as nurses see them: in a patient's tab."""
    from clinic_desktop.gui.main_window import MainWindow

    window = MainWindow(db, user)
    window.resize(*SIZES[0][:2])
    window.show()
    window.idle_lock.stop()
    _settle()
    return window


def _save_screen(out: Path, name: str, window) -> Path:
    """The screen area of ``window``, with whatever is stacked on top of it (the lock dialog)."""
    if _only is not None and name not in _only:
        return out / f"{name}.png"
    _settle(400)
    screen = window.screen()
    frame = window.frameGeometry()
    pixmap = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    path = out / f"{name}.png"
    pixmap.save(str(path))
    print(f"  {path}")
    return path


def _close(dialog) -> None:
    """Close ``dialog`` without saving: Cancel, then Discard if it asks "Discard changes?"."""
    from PySide6.QtWidgets import QMessageBox

    dialog.reject()
    _settle(50)
    for box in dialog.findChildren(QMessageBox):
        if box.isVisible() and box.accessibleName() == "Discard changes?":
            next(b for b in box.buttons() if b.accessibleName() == "Discard").click()
            _settle(50)


def _dialog(root, name: str):
    """The dialog open over ``root`` that a screen reader calls ``name`` (its accessible name, else
    its title: "Referral directory — Clinic Desktop" is "Referral directory")."""
    from PySide6.QtWidgets import QDialog

    for dialog in root.findChildren(QDialog):
        title = dialog.accessibleName() or dialog.windowTitle().removesuffix(" — Clinic Desktop")
        if title == name and dialog.isVisible():
            return dialog
    raise LookupError(f"no dialog named {name!r} over {root.objectName() or root}")


def _open_dialog(root):
    """The one dialog shown over ``root`` (the record or facts dialog a screen opened)."""
    from PySide6.QtWidgets import QDialog

    [dialog] = [d for d in root.findChildren(QDialog) if d.isVisible()]
    return dialog


def _field(root, cls, name: str):
    for widget in root.findChildren(cls):
        if widget.accessibleName() == name:
            return widget
    raise LookupError(f"no {cls.__name__} named {name!r} in {root.objectName() or root}")


def _type_date(root, name: str, text: str) -> None:
    from PySide6.QtCore import QDate, Qt
    from PySide6.QtWidgets import QDateEdit, QLineEdit, QWidget

    widget = _field(root, QWidget, name)
    if isinstance(widget, QDateEdit):
        widget.setDate(QDate.fromString(text, Qt.DateFormat.ISODate))
    elif isinstance(widget, QLineEdit):
        widget.setText(text)
    else:
        raise TypeError(f"{name!r} is a {type(widget).__name__}, not a date or a line")


#: File names of the intake screen's section shots, in section order.
INTAKE_SHOTS = (("identity", "13a-intake-identity"), ("substances", "13b-intake-substances"),
                ("medical", "13c-intake-medical"), ("vitals", "13d-intake-vitals"),
                ("scores", "13e-intake-scores"), ("mental_health", "13f-intake-mental-health"),
                ("social", "13g-intake-social"), ("summary", "13h-intake-summary"))


def intake_demo_draft(now) -> dict:
    """A realistic, complete intake draft for the invented screenshot patient (never a real person)."""
    import datetime as dt

    def ago(hours: float) -> str:
        return (now - dt.timedelta(hours=hours)).isoformat(timespec="minutes")

    return {
        "identity": {"consent_to_treatment": True},
        "substances": {
            "rows": [
                {"substance": "heroin", "route": "Injected", "amount": "0.5", "unit": "g",
                 "frequency": "3 times a day", "years_of_use": 6, "last_use": ago(16)},
                {"substance": "fentanyl", "route": "Smoked", "amount": "0.5", "unit": "g",
                 "frequency": "daily", "years_of_use": 2, "last_use": ago(20)},
            ],
            "prior_detox_episodes": 2, "prior_overdoses": 1, "last_overdose": "2024-08-17",
            "naloxone_at_home": True,
        },
        "medical": {"conditions": "Hepatitis C antibody positive (2023), not yet treated.",
                    "seizure_history": False, "pregnancy": "not_applicable",
                    "medications": "None regular.", "allergies": "penicillin",
                    "psychiatric_history": "Depression, no current treatment."},
        "vitals": {"pulse": 130, "systolic": 142, "diastolic": 88, "respiratory_rate": 18,
                   "temperature_c": 37.4, "spo2": 97, "weight_kg": 68},
        "scores": {"cows": {"resting_pulse": 2, "sweating": 1, "restlessness": 1, "pupil_size": 2,
                            "bone_joint_aches": 2, "runny_nose_tearing": 1, "gi_upset": 2, "tremor": 1,
                            "yawning": 1, "anxiety_irritability": 1, "gooseflesh": 0}},
        "mental_health": {
            "phq9": {"interest": 1, "depressed": 2, "sleep": 2, "tired": 1, "appetite": 1, "failure": 1,
                     "concentration": 1, "psychomotor": 0, "self_harm": 0},
            "gad7": {"nervous": 2, "uncontrolled_worry": 1, "worry_too_much": 1, "trouble_relaxing": 2,
                     "restless": 2, "irritable": 1, "afraid": 0},
            "asq": {"wished_dead": 0, "better_off_dead": 0, "thoughts_past_week": 0, "tried_before": 0}},
        "social": {"housing": "Staying with a friend", "employment": "Unemployed since March",
                   "legal": "None pending", "transport": "Bus; sister can drive",
                   "supports": "Sister (invented), weekly NA meeting",
                   "reasons": "My son starts school in September. I want to walk him there.",
                   "strengths": "Stubborn in a good way; I held a job for six years.",
                   "trusted_people": "My sister (invented), 217-555-0142"},
        "summary": {"pathway": "buprenorphine_induction"},
    }


def _intake_shots(db, admin, out: Path) -> list[Path]:
    """Register an invented patient, start an assessment, save a complete draft and photograph
    every section page of the intake screen, in its patient tab, at both sizes."""
    import datetime as dt

    from clinic_desktop.core.services import intake, patients
    from clinic_desktop.gui.intake_screen import IntakeScreen

    patient = patients.register(db, admin, patients.PatientInput(
        mrn="DEMO-INT-1", given_name="Rowan", family_name="Intake", date_of_birth=dt.date(1990, 4, 5),
        sex="unknown", phone="(217) 555-0188", address="48 Example Lane, Springfield, IL 62704",
        emergency_contact_name="Casey Intake", emergency_contact_relation="sister",
        emergency_contact_phone="(217) 555-0190"))
    started = intake.start(db, admin, patient.id)
    intake.save_draft(db, admin, started.id, started.version,
                      intake_demo_draft(dt.datetime.now(dt.UTC)))
    # As the main window opens it: the assessment (marked as held) and the patient's record.
    view = intake.open_assessment(db, admin, started.episode_id)
    record = patients.open_record(db, admin, patient.id)
    window = _screens_window(db, admin)
    screen = IntakeScreen(db, admin, view, record, window)
    window.workspace.show_view(record, screen)
    shots: list[Path] = []
    try:
        _settle()
        for section, name in INTAKE_SHOTS:
            screen.show_section(section)
            shots.extend(_save_sizes(window, out, name))
    finally:
        screen.done(0)  # saves, stops its clock and releases the draft
        window.close()
        window.deleteLater()
        _settle(100)
    return shots


def stay_demo(db, admin, now):
    """An invented patient three days into stabilization: a signed intake, COWS every 4 h easing
    off, vitals every 8 h, a check-in twice a day, one corrected entry, supportive care and a complication. Returns the
    (patient, episode id)."""
    import datetime as dt

    from clinic_desktop.core.services import intake, patients, stabilization

    patient = patients.register(db, admin, patients.PatientInput(
        mrn="DEMO-STAB-1", given_name="Jordan", family_name="Steady", date_of_birth=dt.date(1986, 9, 14),
        sex="unknown", phone="(217) 555-0177"))
    admitted = now - dt.timedelta(hours=62)
    started = intake.start(db, admin, patient.id, admitted_at=admitted)
    draft = intake_demo_draft(admitted)
    draft["scores"]["scored_at"] = {"cows": admitted.isoformat(timespec="minutes")}
    saved = intake.save_draft(db, admin, started.id, started.version, draft)
    intake.sign(db, admin, started.id, saved.version, ADMIN_PASSWORD, "buprenorphine_induction", now=admitted)
    episode_id = started.episode_id
    items = ("resting_pulse", "sweating", "restlessness", "pupil_size", "bone_joint_aches", "runny_nose_tearing",
             "gi_upset", "tremor", "yawning", "anxiety_irritability", "gooseflesh")
    allowed = {"resting_pulse": (0, 1, 2, 4), "sweating": (0, 1, 2, 3, 4), "restlessness": (0, 1, 3, 5),
               "pupil_size": (0, 1, 2, 5), "bone_joint_aches": (0, 1, 2, 4), "runny_nose_tearing": (0, 1, 2, 4),
               "gi_upset": (0, 1, 2, 3, 5), "tremor": (0, 1, 2, 4), "yawning": (0, 1, 2, 4),
               "anxiety_irritability": (0, 1, 2, 4), "gooseflesh": (0, 3, 5)}
    for n in range(1, 15):
        level = max(0, 3 - n // 4)
        scores = {i: max(v for v in allowed[i] if v <= level + (1 if (n + k) % 3 == 0 else 0))
                  for k, i in enumerate(items)}
        when = admitted + dt.timedelta(hours=4 * n)
        stabilization.record_observation(db, admin, episode_id, "cows", scores, taken_at=when,
                                         reason="Entered from the paper chart (demo)"
                                         if now - when > dt.timedelta(hours=1) else None)
        if n % 2 == 0:
            stabilization.record_vitals(db, admin, episode_id, {
                "pulse": 104 - 3 * n, "systolic": 134 - n, "diastolic": 84 - n // 2, "respiratory_rate": 18,
                "temperature_c": 37.3, "spo2": 97}, taken_at=when, reason="Entered from the paper chart (demo)"
                if now - when > dt.timedelta(hours=1) else None)
    # A check-in each morning and evening: craving easing, mood and sleep coming back.
    for n, (craving, mood, anxiety, sleep) in enumerate(((9, 2, 8, 3), (8, 3, 7, 4), (7, 4, 6, 4.5),
                                                         (6, 5, 5, 5.5), (5, 5, 4, 6))):
        when = admitted + dt.timedelta(hours=10 + 12 * n)
        stabilization.record_checkin(db, admin, episode_id, {
            "craving": craving, "mood": mood, "anxiety": anxiety, "sleep_hours": sleep, "pain": max(0, 5 - n)},
            taken_at=when, reason="Entered from the paper chart (demo)" if now - when > dt.timedelta(hours=1) else None)
    entries = stabilization.flowsheet(db, admin, episode_id)
    wrong = next(e for e in entries if e.kind == "observation" and e.instrument_id == "cows")
    stabilization.correct_entry(db, admin, "observation", wrong.id, "Gooseflesh scored on the wrong patient's "
                                "sheet", items={**wrong.item_scores, "gooseflesh": 0})
    from clinic_desktop.core.services import accounts, mar

    prescriber = accounts.authenticate(db, *_demo_user(db, admin, "prescriber", "Dr Pat Prescriber (invented)"))
    nurse = accounts.authenticate(db, *_demo_user(db, admin, "nurse", "Nadia Nurse (invented)"))
    lofex = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="lofexidine", dose=0.54, unit="mg", route="oral", times=("08:00", "13:00", "18:00", "23:00"),
        hold_sbp_below=90, hold_dbp_below=50, hold_hr_below=50, start=admitted + dt.timedelta(minutes=30),
        instructions="Taper from day 5"))
    ondansetron = mar.create_order(db, prescriber, episode_id, mar.OrderInput(
        drug_id="ondansetron", dose=4, unit="mg", route="oral", min_interval_hours=8, max_daily_dose=16,
        start=admitted + dt.timedelta(minutes=30), acknowledgement="Baseline ECG normal, QTc 412 ms (demo)"))
    for row in mar.mar(db, prescriber, episode_id, admitted, now, now):
        for dose in row.doses:
            if dose.status in ("due", "late", "missed") and now - dose.scheduled_for > dt.timedelta(hours=1):
                mar.record_administration(db, nurse, lofex.id, "given", at=dose.scheduled_for,
                                          scheduled_for=dose.scheduled_for, reason="Entered from the paper MAR (demo)")
    mar.record_administration(db, nurse, ondansetron.id, "given", at=now - dt.timedelta(hours=5),
                              reason="Entered from the paper MAR (demo)")
    for item in ("hydration", "nutrition", "education"):
        stabilization.record_supportive_care(db, admin, episode_id, item)
    stabilization.record_complication(db, admin, episode_id, "persistent_vomiting",
                                      "Ondansetron 4 mg given per PRN order; fluids encouraged; prescriber told.",
                                      at=now - dt.timedelta(hours=5))
    return patient, episode_id


def support_demo(db, admin, episode_id: int, now) -> None:
    """The stay's support sessions, recorded by an invented counselor: counseling on the first day
    (entered late), a family session shared under the patient's consent naming his brother, a
    group session and a nurse's brief check-in with an addendum."""
    import datetime as dt

    from clinic_desktop.core import support as rules
    from clinic_desktop.core.services import accounts, plans, support

    counselor = accounts.authenticate(db, *_demo_user(db, admin, "counselor", "Casey Counselor (invented)"))
    today = now.date()
    plans.record_consent(db, counselor, episode_id, plans.ConsentInput(
        None, "Family support during the stay", ("relapse",), today + dt.timedelta(days=90), today,
        person_name="Robin Steady", person_relationship="brother"))
    support.record_session(db, counselor, episode_id, rules.SessionInput(
        "individual", now - dt.timedelta(hours=50), 45, ("motivational_interviewing", "relapse_prevention"),
        patient_words="I want to get back to my job at the garage and be someone my brother can count on again.",
        agreed="Try the breathing exercise when the cravings come at night; tell the nurse when it is bad.",
        next_step="Talk about the IOP on Thursday.",
        what_matters={"reasons": "My job, my brother", "routines": "A walk after lunch, bed by eleven"},
        importance=9, confidence=4, reason="Written on paper during the session (demo)"), ADMIN_PASSWORD)
    support.record_session(db, counselor, episode_id, rules.SessionInput(
        "family", now - dt.timedelta(hours=20), 60, ("psychoeducation",), family_member="Robin Steady",
        agreed="Robin visits on Sunday and learns how naloxone is used."), ADMIN_PASSWORD)
    support.record_group(db, counselor, [episode_id], rules.GroupInput(
        "Sleep without using", now - dt.timedelta(hours=6), 60, ("mindfulness", "cbt"),
        "A body scan, then what each of us does in the first hour after waking.",
        {episode_id: "Says the body scan helped him fall asleep last night."}), ADMIN_PASSWORD)
    brief = support.record_session(db, counselor, episode_id, rules.SessionInput(
        "brief", now - dt.timedelta(hours=2), 10, agreed="Call the IOP together tomorrow at 10.",
        importance=9, confidence=6), ADMIN_PASSWORD)
    support.add_addendum(db, counselor, brief.id, "Length", "It lasted 15 minutes, not 10.")


def _demo_user(db, admin, role: str, name: str) -> tuple[str, str]:
    """The invented user of ``role`` (made the first time it is asked for)."""
    from sqlalchemy import select

    from clinic_desktop.core.models import User
    from clinic_desktop.core.services import accounts

    with db.read() as session:
        known = session.execute(select(User.id).where(User.username == f"demo-{role}")).first()
    if known is None:
        accounts.create_user(db, admin, f"demo-{role}", name, role, ADMIN_PASSWORD)
    return f"demo-{role}", ADMIN_PASSWORD


def protocol_labels():
    from clinic_desktop.core.settings import LABELS, PROTOCOL_KEYS

    return [(key, LABELS[key]) for key in PROTOCOL_KEYS]


def window_handover(db, admin, out: Path, shots: list[Path]) -> None:
    """The shift handover of the whole census, as its print preview shows it."""
    import datetime as dt

    from clinic_desktop.core.services.handover import build_handover
    from clinic_desktop.gui.pdf_preview import PdfPreview
    from clinic_desktop.reports.handover import render_handover_pdf

    pdf = render_handover_pdf(build_handover(db, admin, dt.datetime.now(dt.UTC)))
    preview = PdfPreview(pdf, "Shift handover", "shift-handover.pdf")
    preview.resize(1100, 740)
    preview.show()
    _settle(600)
    shots.append(_save(preview, out, "16-shift-handover-preview"))
    preview.reject()


def _plan_shots(db, admin, out: Path) -> list[Path]:
    """The demo stay moved on to transition: the plan builder's sections and a printed page."""
    import datetime as dt

    from clinic_desktop.core.services import accounts, directory, episodes, patients, stabilization
    from clinic_desktop.gui.plan_screen import PlanScreen

    patient = next(p for p in patients.search(db, admin, "DEMO-STAB-1"))
    episode = episodes.current_episode(db, admin, patient.id)
    nurse = accounts.authenticate(db, "demo-nurse", ADMIN_PASSWORD)
    stabilization.move_to_transition(db, nurse, episode.id)
    counselor = accounts.authenticate(db, *_demo_user(db, admin, "counselor", "Casey Counselor (invented)"))
    window = _screens_window(db, counselor)
    record = patients.open_record(db, counselor, patient.id)
    screen = PlanScreen(db, counselor, episode.id, record, window)
    window.workspace.show_view(record, screen)
    shots: list[Path] = []
    try:
        _settle()
        for section, name in (("medication", "18a-plan-medication"), ("relapse", "18b-plan-relapse-prevention"),
                              ("finalize", "18c-plan-print-and-finalize")):
            screen.show_section(section)
            shots.extend(_save_sizes(window, out, name))
        # Referrals: one checked contact with an appointment, one the directory flags (never
        # verified, no address), then the directory picker with its flags.
        lakeside = directory.add_entry(db, admin, directory.EntryInput(
            name="Lakeside Recovery IOP (invented)", kind="outpatient_program", phone="(217) 555-0140",
            address="200 Lakeside Ave, Springfield", languages="en,es", last_verified=dt.date.today()))
        eastside = next(e for e in directory.search(db, admin, "Eastside", include_national=False))
        soon = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        screen.add_referral(lakeside.id, {"reason": "Intensive outpatient, three evenings a week",
                                          "appointment": f"{soon}T10:00", "share": True})
        screen.add_referral(eastside.id, {"reason": "Buprenorphine after discharge",
                                          "appointment": "as agreed, call Monday"})
        screen.show_section("referrals")
        shots.extend(_save_sizes(window, out, "18d-plan-referrals"))
        screen.pick_entry("referral")
        _settle()
        shots.append(_save(screen.picker(), out, "18e-plan-directory-picker"))
        screen.picker().reject()
    finally:
        screen.done(0)
        window.close()
        window.deleteLater()
        _settle(100)
    return shots


def _patient_mode_shots(screen, out: Path) -> list[Path]:
    """Patient check-in mode: the hand-over choices, a PHQ-9 page in Spanish (a key picked, not yet
    answered), and the lock staff open with their password (nothing answered, so nothing saved)."""
    screen.hand_to_patient()
    _settle()
    dialog = _open_dialog(screen)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    shots = [_save(dialog, out, "15l-hand-to-patient")]
    dialog.accept()
    _settle()
    mode = screen.patient_mode
    for _ in range(sum(q.section == "checkin" for q in mode.questions)):  # on to the PHQ-9
        mode.skip()
    mode._type_digit("1")
    shots.append(_save(mode, out, "15m-patient-check-in"))
    mode.lock()
    shots.append(_save(mode, out, "15n-patient-check-in-locked"))
    mode.password_edit.setText(ADMIN_PASSWORD)
    mode.unlock()
    _settle(100)
    return shots


def _stabilization_shots(db, admin, out: Path) -> list[Path]:
    import datetime as dt

    from clinic_desktop.core.services import episodes, mar, patients
    from clinic_desktop.gui.stabilization_screen import StabilizationScreen

    patient, _episode_id = stay_demo(db, admin, dt.datetime.now(dt.UTC))
    episode = episodes.current_episode(db, admin, patient.id)
    window = _screens_window(db, admin)
    record = patients.open_record(db, admin, patient.id)
    screen = StabilizationScreen(db, admin, episode, record, window)
    window.workspace.show_view(record, screen)
    shots: list[Path] = []
    try:
        _settle()
        for tab, name in ((0, "15a-stabilization-flowsheet"), (1, "15b-stabilization-medications"),
                          (2, "15c-stabilization-care"), (3, "15d-stabilization-prompts")):
            screen.tabs.setCurrentIndex(tab)
            shots.extend(_save_sizes(window, out, name))
        # The Support tab, once a counselor has recorded the stay's sessions (after the flowsheet's
        # shots: the sessions' readiness would show on its chart).
        support_demo(db, admin, episode.id, dt.datetime.now(dt.UTC))
        screen.tabs.setCurrentWidget(screen.support_page)
        shots.extend(_save_sizes(window, out, "15o-stabilization-support"))
        screen.new_session()
        _settle()
        dialog = _dialog(screen, "New support session")
        dialog.kind.setCurrentIndex(dialog.kind.findData("family"))
        dialog.family_member.setText("Robin Steady")
        dialog.show_consent()
        dialog.duration.setText("40")
        dialog.approach_checks["psychoeducation"].setChecked(True)
        dialog.texts["patient_words"].setPlainText("I want my brother to know what the next weeks look like.")
        dialog.texts["agreed"].setPlainText("Robin joins the Sunday family group; Jordan tells him about the IOP.")
        shots.append(_save(dialog, out, "15p-support-session"))
        _close(dialog)
        screen.tabs.setCurrentIndex(0)
        screen.record_score("cows")
        _settle()
        dialog = _open_dialog(screen)
        shots.append(_save(dialog, out, "15e-record-cows"))
        _close(dialog)
        screen.record_vitals()
        _settle()
        dialog = _open_dialog(screen)
        shots.append(_save(dialog, out, "15f-record-vitals"))
        _close(dialog)
        screen.edit_patient_facts()
        _settle()
        dialog = _open_dialog(screen)
        shots.append(_save(dialog, out, "15j-patient-facts"))
        _close(dialog)
        screen.record_checkin()
        _settle()
        dialog = _open_dialog(screen)
        for part, text in (("craving", "6"), ("mood", "4"), ("anxiety", "5"), ("pain", "2"), ("sleep_hours", "5.5")):
            dialog.inputs[part].setText(text)
        shots.append(_save(dialog, out, "15k-daily-check-in"))
        _close(dialog)
        shots.extend(_patient_mode_shots(screen, out))
        from clinic_desktop.core.services import accounts
        from clinic_desktop.gui.mar_panel import OrderDialog

        prescriber = accounts.authenticate(db, "demo-prescriber", ADMIN_PASSWORD)
        order = OrderDialog(db, prescriber, episode.id, screen._protocol_settings, screen)
        order.drug.setCurrentIndex(order.drug.findData("clonidine"))
        order.dose.setValue(0.1)
        order.prn.setChecked(True)
        order.interval.setValue(4)
        order.show()
        shots.append(_save(order, out, "15g-new-order"))
        order.dose.setValue(1)  # a tenfold slip: refused, with its source
        order.run_check()
        shots.append(_save(order, out, "15h-new-order-refused"))
        _close(order)
        # Giving the next lofexidine dose now: every rule that fired with its source.
        from clinic_desktop.gui.mar_panel import DoseDialog, DoseLine

        lofexidine = next(o for o in mar.orders(db, prescriber, episode.id) if o.drug_id == "lofexidine")
        nurse = accounts.authenticate(db, "demo-nurse", ADMIN_PASSWORD)
        give = DoseDialog(db, nurse, DoseLine(lofexidine, None, "prn", None), "given", screen)
        give.show()
        shots.append(_save(give, out, "15i-give-dose-checks"))
        _close(give)
        window_handover(db, admin, out, shots)
    finally:
        screen.done(0)
        window.close()
        window.deleteLater()
        _settle(100)
    return shots


def plan_pages(out: Path, workdir: Path) -> list[Path]:
    """The demo patient's aftercare plan (``clinic-desktop demo``: DEMO-0001) as a patient gets it,
    in English, Spanish and large print: every page as a 60-dpi PNG (poppler's ``pdftoppm``), to
    be looked at page by page. No window needed."""
    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import accounts, demo, plans, settings

    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found (apt-get install poppler-utils): the plan pages are left out.")
        return []
    db = open_database(workdir / "plan-pages.db")
    pages: list[Path] = []
    try:
        admin = accounts.create_first_admin(db, "admin", "Screenshot Admin (invented)", ADMIN_PASSWORD)
        settings.update(db, admin, {"clinic_name": "Lakeside Recovery Clinic (invented)",
                                    "clinic_address": "200 Lakeside Ave, Springfield",
                                    "clinic_phone": "(555) 010-0000"})
        demo.seed(db)
        for stem, language, large in (("19a-plan-en", "en", False), ("19b-plan-es", "es", False),
                                      ("19c-plan-en-large-print", "en", True)):
            pdf = workdir / f"{stem}.pdf"
            plans.export_plan_from_console(db, demo.DEMO_PLAN_MRN, language=language, large_print=large,
                                           deliver=pdf.write_bytes)
            for old in out.glob(f"{stem}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / stem)], check=True)
            pages += sorted(out.glob(f"{stem}-*.png"))
    finally:
        db.dispose()
    for page in pages:
        print(f"  {page}")
    return pages


def check_installation_shot(window, out: Path) -> Path:
    """Help → Check installation, once its checks are in (the throw-away database's own)."""
    from clinic_desktop import paths

    paths.user_log_dir()  # made by the app's start-up, which the screenshots skip
    window.ui.actionCheckInstallation.trigger()
    dialog = _dialog(window, "Check installation")
    deadline = time.monotonic() + 30
    while dialog.running and time.monotonic() < deadline:
        _settle(100)
    path = _save(dialog, out, "07b-check-installation-dialog")
    _close(dialog)
    _settle()
    return path


def take_screenshots(out: Path) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

    from clinic_desktop import app as app_module
    from clinic_desktop.core.services import accounts, demo, vault

    out.mkdir(parents=True, exist_ok=True)
    app = app_module.create_application(["clinic-desktop-screenshots"])  # noqa: F841 - keep it alive
    app_module.load_resources()
    # Encrypted, as a clinic's new database is (a plain one would show administrators the
    # "not encrypted" notice in every window).
    path = Path(os.environ["CLINIC_DESKTOP_DATA_DIR"]) / "screenshots.db"
    for old in (path, path.with_name(path.name + ".keys")):
        old.unlink(missing_ok=True)
    made = vault.create_encrypted(str(path))
    db = made.db
    shots: list[Path] = []
    try:
        # 1. First run: no users yet.
        first_run = app_module.sign_in_dialog_for(db)
        first_run.show()
        shots.append(_save(first_run, out, "01-first-run-dialog"))
        _close(first_run)

        admin = accounts.create_first_admin(db, "admin", "Ada Admin", ADMIN_PASSWORD)
        demo.seed(db)

        # 1b. The recovery key, shown once after the first administrator is made.
        from clinic_desktop.gui.recovery_key_dialog import RecoveryKeyDialog, sheet_for

        recovery = RecoveryKeyDialog(sheet_for(db, admin, made.recovery_key))
        recovery.show()
        shots.append(_save(recovery, out, "01b-recovery-key-dialog"))
        recovery.done(0)

        # 2. Sign-in.
        login = app_module.sign_in_dialog_for(db)
        login.show()
        shots.append(_save(login, out, "02-sign-in-dialog"))
        login.reject()

        # 3. Main window: the census, then a search.
        from clinic_desktop.gui.main_window import MainWindow

        window = MainWindow(db, admin)
        # As a nurse works on the common 1366×768 clinic laptop: the window fills the screen.
        window.setGeometry(window.screen().availableGeometry())
        window.show()
        window.ui.censusTable.setFocus()
        shots.extend(_save_sizes(window, out, "03-main-window-census"))
        search = _field(window, QLineEdit, "Search patients")
        search.setFocus()
        search.setText("nu")
        window.run_search()
        shots.extend(_save_sizes(window, out, "04-main-window-search"))
        search.clear()

        # 4. New patient, empty and with a likely duplicate.
        window.ui.actionNewPatient.trigger()
        dialog = _dialog(window, "Patient registration")
        _settle()
        shots.append(_save(dialog, out, "05-new-patient-dialog"))
        _field(dialog, QLineEdit, "Given name").setText("María José")
        _field(dialog, QLineEdit, "Family name").setText("Núñez Ortega")
        _type_date(dialog, "Date of birth", "1979-11-30")
        _settle(700)  # the duplicate check runs after a short pause in typing
        shots.append(_save(dialog, out, "06-new-patient-duplicate-warning"))
        _close(dialog)
        _settle()

        # 5. About.
        from clinic_desktop.gui.about_dialog import AboutDialog

        about = AboutDialog(db, window)
        about.show()
        shots.append(_save(about, out, "07-about-dialog"))
        about.reject()
        shots.append(check_installation_shot(window, out))

        # 6. Admin → Users…: the demo accounts and a nurse just added through the form.
        window.ui.actionUsers.trigger()
        users = _dialog(window, "Users")
        _settle()
        _field(users, QLineEdit, "Full name").setText("Nadia Okonkwo (invented)")
        _field(users, QLineEdit, "User name").setText("nadia")
        role = _field(users, QComboBox, "Role")
        role.setCurrentIndex(role.findData("nurse"))
        _field(users, QLineEdit, "Password").setText(ADMIN_PASSWORD)
        _field(users, QLineEdit, "Repeat password").setText(ADMIN_PASSWORD)
        users.add_user()
        shots.append(_save(users, out, "10-users-dialog"))
        _close(users)
        _settle()

        # 6a. Admin → Audit log…: the demo patient's events, the newest selected with its changes.
        window.actionAuditLog.trigger()
        audit_log = _dialog(window, "Audit log")
        audit_log.patient_edit.setText("DEMO-0001")
        audit_log.search()
        for _ in range(40):
            if audit_log.operation is None:
                break
            _settle(100)
        shots.append(_save(audit_log, out, "10b-audit-log-dialog"))
        audit_log.reject()
        _settle()

        # 6b. Admin → Clinic settings…: a clinic's details, typed but not yet saved.
        window.ui.actionClinicSettings.trigger()
        clinic = _dialog(window, "Clinic settings")
        _settle()
        _field(clinic, QLineEdit, "Clinic name").setText("Riverside Detox Unit (invented)")
        _field(clinic, QPlainTextEdit, "Clinic address").setPlainText(
            "1200 Example Avenue, Suite 4\nSpringfield, IL 62701")
        _field(clinic, QLineEdit, "Clinic phone").setText("(217) 555-0142")
        _field(clinic, QSpinBox, "Minutes idle before the screen locks").setValue(5)
        shots.append(_save(clinic, out, "11-clinic-settings-dialog"))
        _close(clinic)
        _settle()

        # 6c. Admin → Protocol settings…: one threshold changed from its default.
        window.ui.actionProtocolSettings.trigger()
        protocol = _dialog(window, "Protocol settings")
        _settle()
        _field(protocol, QSpinBox, next(label for key, label in protocol_labels() if key == "bup_min_cows")
               ).setValue(10)
        shots.append(_save(protocol, out, "11b-protocol-settings-dialog"))
        # 6c'. The usual dose range table: methadone's largest single dose lowered by the clinic.
        from PySide6.QtWidgets import QAbstractSpinBox

        _field(protocol, QAbstractSpinBox, "Methadone: largest single dose (mg)").setValue(150)
        protocol.scroll_area.verticalScrollBar().setValue(protocol.groups["Usual dose range"].y())
        _settle()
        shots.append(_save(protocol, out, "11c-protocol-settings-dose-range"))
        _close(protocol)
        _settle()

        # 6d. View → Referral directory…: the national lines and the clinic's own (invented).
        from clinic_desktop.core.services import directory

        for name, kind, phone, langs, walk_in in (
                ("Riverside Intensive Outpatient (invented)", "outpatient_program", "(217) 555-0130", "en,es", True),
                ("Eastside Opioid Treatment Program (invented)", "opioid_treatment_program", "(217) 555-0131",
                 "en", False),
                ("Tuesday Evening NA Group (invented)", "mutual_help_meeting", "(217) 555-0132", "en", True)):
            directory.add_entry(db, admin, directory.EntryInput(name=name, kind=kind, phone=phone, languages=langs,
                                                                walk_in=walk_in))
        window.ui.actionDirectory.trigger()
        directory_dialog = _dialog(window, "Referral directory")
        shots.append(_save(directory_dialog, out, "17-referral-directory"))
        _close(directory_dialog)
        _settle()

        # 6e. Patient → Group session…: three attendees ticked, the topic, note and one line typed.
        window.actionGroupSession.trigger()
        group = _dialog(window, "Group session")
        _settle()
        for row in range(min(3, group.attendees.count())):
            group.attendees.item(row).setCheckState(Qt.CheckState.Checked)
        _field(group, QLineEdit, "Topic").setText("Sleep and cravings")
        group.approach_checks["psychoeducation"].setChecked(True)
        group.approach_checks["mindfulness"].setChecked(True)
        _field(group, QLineEdit, "Started at").setText("now")
        _field(group, QSpinBox, "Duration").setValue(60)
        _field(group, QPlainTextEdit, "Group note").setPlainText(
            "Sleep hygiene and urge surfing; everyone practised the 4-7-8 breath.")
        group.attendees.setCurrentRow(0)
        first = group.attendees.item(0).text().split(" \u2014 ")[0]
        _field(group, QLineEdit, f"Line for {first}").setText("Shared her evening routine")
        shots.append(_save(group, out, "17b-group-session-dialog"))
        _close(group)
        _settle()

        # 7. The lock: the sign-in dialog over the covered window.
        window.idle_lock.lock_now()
        lock = _dialog(window, "Screen locked")
        _settle()
        shots.append(_save(lock, out, "08-lock-dialog"))
        shots.append(_save_screen(out, "09-locked-main-window", window))
        window.idle_lock.stop()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        window.close()
        _settle(100)

        # 8. The intake screen, one shot per section, for an invented patient with a draft.
        shots.extend(_intake_shots(db, admin, out))
        shots.extend(_stabilization_shots(db, admin, out))
        shots.extend(_plan_shots(db, admin, out))
    finally:
        db.dispose()
    if _only is None:  # the printed plan looks the same in either theme
        shots.extend(plan_pages(out, Path(os.environ["CLINIC_DESKTOP_DATA_DIR"])))
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--theme", choices=("light", "dark"), default="light",
                        help="the app's theme; dark keeps only a few screens (DARK_SHOTS)")
    args = parser.parse_args(argv)
    global _only
    os.environ["CLINIC_DESKTOP_THEME"] = args.theme
    _only = DARK_SHOTS if args.theme == "dark" else None
    workdir = Path(tempfile.mkdtemp(prefix="clinic-desktop-screenshots-"))
    os.environ["CLINIC_DESKTOP_DATA_DIR"] = str(workdir)
    os.environ.pop("CLINIC_DESKTOP_DB", None)
    try:
        from PySide6.QtCore import QSettings

        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir / "qsettings"))
        print(f"Screenshots in {args.outdir}:")
        shots = take_screenshots(args.outdir)
        print(f"{len(shots)} screenshots.")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
