"""Reading the audit trail (#18 item 6): the log filtered by patient, staff, kind and days, and a
patient's accounting of disclosures (every letter, print and export: to whom, under which
consent), as CSV and PDF, and from the command line. Reading it is audited, never what was typed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import text

from clinic_desktop.core import clock
from clinic_desktop.core.errors import PermissionDenied, ValidationError
from clinic_desktop.core.services import audit, audit_log, patients, plans
from tests.conftest import make_user
from tests.core.test_cli import cli
from tests.core.test_plan_exports import needs_pdftotext, pdf_text
from tests.factories import plan_with_consent


@pytest.fixture
def ready(db, admin, counselor):
    return plan_with_consent(db, admin, counselor)


def last_event(db):
    with db.read() as s:
        return s.execute(text("SELECT action, username, patient_id, detail FROM audit_events "
                              "ORDER BY seq DESC LIMIT 1")).one()


def test_the_log_filters_by_patient_by_mrn_or_name(db, admin, counselor, ready):
    other = patients.register(db, admin, patients.PatientInput(
        mrn="Z-9", given_name="Otto", family_name="Other", date_of_birth=dt.date(1970, 5, 5), sex="male"))
    patient = ready["patient"]
    by_mrn = audit_log.search(db, admin, audit_log.LogQuery(patient=patient.mrn.lower()))
    by_name = audit_log.search(db, admin, audit_log.LogQuery(patient=f"  {patient.family_name[:4].upper()} "))
    assert by_mrn.entries and {e.patient for e in by_mrn.entries} == {
        f"{patient.mrn} — {patient.family_name}, {patient.given_name}"}
    assert [e.seq for e in by_name.entries] == [e.seq for e in by_mrn.entries]
    assert other.mrn not in {e.patient.split(" ")[0] for e in by_mrn.entries}
    assert audit_log.search(db, admin, audit_log.LogQuery(patient="nobody-at-all")).entries == []


def test_the_log_filters_by_staff_and_kind_newest_first(db, admin, counselor, ready):
    found = audit_log.search(db, admin, audit_log.LogQuery(staff="COUNSELOR1", kinds=("plan.", "consent.recorded")))
    assert found.entries and all(e.username == "counselor1" for e in found.entries)
    assert {e.action for e in found.entries} <= {"plan.created", "plan.opened", "plan.draft_saved", "consent.recorded"}
    assert "consent.recorded" in {e.action for e in found.entries}
    seqs = [e.seq for e in found.entries]
    assert seqs == sorted(seqs, reverse=True)
    assert found.entries[0].kind == audit_log.kind_label(found.entries[0].action)


def test_a_failed_sign_in_is_found_under_the_account_tried(db, admin, nurse):
    from clinic_desktop.core.errors import AuthenticationError
    from clinic_desktop.core.services import accounts

    with pytest.raises(AuthenticationError):
        accounts.authenticate(db, nurse.username, "not the password at all")
    with pytest.raises(AuthenticationError):  # a name nobody has: kept only hashed, not findable by it
        accounts.authenticate(db, "nursie", "not the password at all")
    found = audit_log.search(db, admin, audit_log.LogQuery(staff="nurse", kinds=("sign_in.failed",)))
    assert [(e.action, e.username) for e in found.entries] == [("sign_in.failed", nurse.username)]
    assert not audit_log.search(db, admin, audit_log.LogQuery(staff="nursie")).entries


@pytest.mark.parametrize(("date_from", "date_to", "found"), [
    (dt.date(2026, 3, 10), dt.date(2026, 3, 10), [2, 3]),  # the day itself: from its first to its last moment
    (dt.date(2026, 3, 11), None, [4]),  # the day after: not the last moment of the 10th
    (None, dt.date(2026, 3, 9), [1]),  # the day before: not the first moment of the 10th
    (dt.date(2026, 3, 9), dt.date(2026, 3, 11), [1, 2, 3, 4]),
])
def test_days_are_the_clinics_both_included(db, admin, date_from, date_to, found):
    """Events at 23:59:59 on the 9th, 00:00 and 23:59:59 on the 10th, 00:00 on the 11th (clinic time)."""
    moments = {1: dt.datetime(2026, 3, 9, 23, 59, 59), 2: dt.datetime(2026, 3, 10, 0, 0),
               3: dt.datetime(2026, 3, 10, 23, 59, 59), 4: dt.datetime(2026, 3, 11, 0, 0)}
    with db.write() as s:
        for n, wall in moments.items():
            event = audit.append(s, admin, f"test.moment{n}")
            event.at = clock.from_local(wall)
    got = audit_log.search(db, admin, audit_log.LogQuery(kinds=("test.",), date_from=date_from, date_to=date_to))
    assert sorted(int(e.action[-1]) for e in got.entries) == found


def test_a_last_day_before_the_first_is_refused(db, admin):
    with pytest.raises(ValidationError, match="before the first"):
        audit_log.search(db, admin, audit_log.LogQuery(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 1)))


def test_reading_the_log_is_audited_without_what_was_typed(db, admin, ready):
    audit_log.search(db, admin, audit_log.LogQuery(patient=ready["patient"].family_name, staff="counselor1"))
    action, username, _patient, detail = last_event(db)
    assert (action, username) == ("audit.log_searched", "admin")
    assert ready["patient"].family_name not in str(detail) and "counselor1" not in str(detail)
    assert '"patient"' in str(detail) or "patient" in detail


def test_an_auditor_reads_the_trail_and_nothing_clinical(db, admin, counselor, ready):
    """The privacy officer's role: the log and a patient's accounting, and no patient's record."""
    from clinic_desktop.core.services import episodes, handover, mar

    auditor = make_user(db, admin, "auditor")
    assert audit_log.search(db, auditor, audit_log.LogQuery(patient=ready["patient"].mrn)).entries
    assert audit_log.disclosures(db, auditor, ready["patient"].mrn).patient
    episode_id, patient_id = ready["episode_id"], ready["patient"].id
    for read in (lambda: episodes.census(db, auditor), lambda: patients.search(db, auditor, "Ri"),
                 lambda: patients.open_record(db, auditor, patient_id),
                 lambda: patients.any_registered(db, auditor),
                 lambda: mar.administrations(db, auditor, episode_id), lambda: mar.due_summary(db, auditor),
                 lambda: plans.open_plan(db, auditor, episode_id), lambda: plans.document(db, auditor, ready["plan_id"]),
                 lambda: handover.build_handover(db, auditor, clock.now())):
        with pytest.raises(PermissionDenied):
            read()
    for verb in ("patients.edit", "observations.record", "medications.administer", "plans.print",
                 "users.manage", "settings.edit"):
        assert not auditor.can(verb), verb


def test_only_who_may_read_the_trail_reads_it(db, nurse, counselor):
    with pytest.raises(PermissionDenied):
        audit_log.search(db, nurse, audit_log.LogQuery())
    with pytest.raises(PermissionDenied):
        audit_log.disclosures(db, counselor, "M-1")


def test_too_many_events_are_cut_to_the_newest_and_said(db, admin):
    for n in range(5):
        make_user(db, admin, "viewer", f"viewer{n}")
    got = audit_log.search(db, admin, audit_log.LogQuery(limit=3))
    assert len(got.entries) == 3 and got.truncated
    assert not audit_log.search(db, admin, audit_log.LogQuery(limit=10_000)).truncated


def test_the_accounting_of_disclosures_names_recipient_and_consent(db, admin, counselor, ready):
    plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, ["medication", "follow_ups"])
    plans.preview_pdf(db, counselor, ready["plan_id"])
    accounting = audit_log.disclosures(db, admin, ready["patient"].mrn)
    letter, draft = accounting.disclosures
    assert (letter.what, letter.to_whom, letter.by) == ("Referral letter made", ready["consent"].recipient_name,
                                                        "counselor1")
    assert letter.consent.startswith(f"Consent {ready['consent'].id} (Arrange intensive outpatient care), signed ")
    assert letter.shared == ("Medication for opioid use disorder", "Follow-up appointments")
    assert draft.to_whom == "Printed (a draft of the aftercare plan)" and draft.consent == ""
    action, username, patient_id, _detail = last_event(db)
    assert (action, username, patient_id) == ("audit.disclosures_reported", "admin", ready["patient"].id)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert audit_log.disclosures(db, admin, ready["patient"].mrn, date_from=tomorrow).disclosures == []
    with pytest.raises(ValidationError, match="No patient has the MRN"):
        audit_log.disclosures(db, admin, "NOPE-1")


def test_the_csv_is_spreadsheet_safe_and_reads_back(db, admin, ready):
    with db.write() as s:  # a name a spreadsheet would run (as a typed user name could be)
        audit.append(s, None, "sign_in.failed", username='=HYPERLINK("http://x")')
    data = audit_log.log_csv(audit_log.search(db, admin, audit_log.LogQuery()).entries)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(audit_log.LOG_COLUMNS)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    assert "'=HYPERLINK(\"http://x\")" in [row[2] for row in rows]


@needs_pdftotext
def test_the_pdfs_hold_the_table(db, admin, counselor, ready, tmp_path):
    plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, ["medication"])
    accounting = audit_log.disclosures(db, admin, ready["patient"].mrn)
    words = pdf_text(audit_log.disclosures_pdf(db, admin, accounting), tmp_path)
    assert "Accounting of disclosures" in words and ready["consent"].recipient_name in words
    assert "Page 1 of 1" in words and "Confidential" in words
    query = audit_log.LogQuery(kinds=("plan.",))
    log_words = pdf_text(audit_log.log_pdf(db, admin, query, audit_log.search(db, admin, query)), tmp_path)
    assert "Audit log" in log_words and "Referral letter made" in log_words


def test_audit_report_command_writes_the_accounting(db, admin, counselor, ready, sqlite_path, tmp_path):
    plans.referral_letter(db, counselor, ready["plan_id"], ready["consent"].id, ["medication"])
    out = tmp_path / "accounting.csv"
    done = cli("--db", sqlite_path, "audit-report", "--patient", ready["patient"].mrn, "--out", out)
    assert done.returncode == 0 and "(1 disclosure)" in done.stdout, done.stderr
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[1][1:4] == ["counselor1", "Referral letter made", ready["consent"].recipient_name]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert last_event(db)[:2] == ("audit.disclosures_reported", "(console)")
    wrong = cli("--db", sqlite_path, "audit-report", "--patient", ready["patient"].mrn, "--out", tmp_path / "a.txt")
    assert wrong.returncode != 0 and "FILE.pdf or FILE.csv" in wrong.stderr
    bad_day = cli("--db", sqlite_path, "audit-report", "--patient", "X", "--from", "03/01/2026", "--out", out)
    assert bad_day.returncode != 0 and "YYYY-MM-DD" in bad_day.stderr


def test_every_kind_of_event_the_app_writes_has_a_name_for_people():
    """Every action passed to audit.append in the app (a literal, or a constant of its module), to
    audit.reading (a view's opening), and to the helpers that pass their action on (named _audit…:
    an append with a variable action anywhere else fails here, so a new wrapper cannot hide its
    events from this scan)."""
    import ast
    from pathlib import Path

    import clinic_desktop

    def constants(tree: ast.Module) -> dict[str, str]:
        return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                for target in node.targets if isinstance(target, ast.Name)}

    def called(call: ast.Call) -> str:
        return ast.unparse(call.func)

    appenders = ("audit.append", "audit.reading")  # the calls whose third argument is the action
    from clinic_desktop.core.medications import OUTCOMES
    spelled_out = {"medication.": OUTCOMES}
    missing, unscanned = set(), []
    for source in Path(clinic_desktop.__file__).parent.rglob("*.py"):
        tree = ast.parse(source.read_text("utf-8"))
        known = constants(tree) | {"audit.GENESIS_ACTION": audit.GENESIS_ACTION}
        wrappers = {node.name: node for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("_audit")
                    and any(isinstance(inner, ast.Call) and called(inner) == "audit.append"
                            for inner in ast.walk(node))}
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            name = called(call)
            if name not in appenders and name not in wrappers or len(call.args) < 3:
                continue
            action = call.args[2]
            choices = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            if all(isinstance(choice, ast.Constant) for choice in choices):
                found = [choice.value for choice in choices]  # type: ignore[attr-defined]
            elif isinstance(action, ast.JoinedStr):  # f"medication.{outcome}": each value it can take
                prefix = "".join(str(part.value) for part in action.values if isinstance(part, ast.Constant))
                assert prefix in spelled_out, f"{source.name}:{call.lineno}: which actions can {prefix}… be?"
                found = [prefix + value for value in spelled_out[prefix]]
            elif ast.unparse(action) in known:
                found = [known[ast.unparse(action)]]
            else:
                inside = [f for f in wrappers.values() if f.lineno <= call.lineno <= (f.end_lineno or 0)]
                if not inside:
                    unscanned.append(f"{source.name}:{call.lineno}")
                continue
            missing.update(kind for kind in found if kind not in audit_log.KINDS)
    assert not unscanned, "audit.append with an action this scan cannot read; pass it through an _audit… helper"
    assert not missing
