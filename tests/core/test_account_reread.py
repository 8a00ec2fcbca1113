"""Every service call re-reads the account it acts for (#18 item 3): a deactivation or a role
change made on one workstation takes effect on a session open on another at its very next call,
for reads and writes, on SQLite and PostgreSQL. Two ``Database`` objects on one database stand
for the two workstations. Invented people only."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select, update

from clinic_desktop.core import permissions
from clinic_desktop.core import support as support_rules
from clinic_desktop.core.db import open_database
from clinic_desktop.core.errors import AccountChanged, PermissionDenied
from clinic_desktop.core.medications import default_holds
from clinic_desktop.core.models import (
    AuditEvent,
    MedicationAdministration,
    Patient,
    Role,
    User,
    VitalSigns,
)
from clinic_desktop.core.permissions import SignedInUser
from clinic_desktop.core.services import accounts, episodes, mar, patients, support
from tests.conftest import STRONG_PASSWORD, make_user

H = dt.timedelta(hours=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def desks(any_db_target):
    """The administrator's workstation and the ward's, on one database."""
    office = open_database(any_db_target)
    ward = open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(office, "admin", "Ada Admin", STRONG_PASSWORD)
        prescriber = make_user(office, admin, "prescriber", "drlee", "Dr Lee Prescriber")
        yield SimpleNamespace(office=office, ward=ward, admin=admin, prescriber=prescriber,
                              nurse=make_user(office, admin, "nurse"),
                              counselor=make_user(office, admin, "counselor"))
    finally:
        ward.dispose()
        office.dispose()


def new_patient(mrn: str) -> patients.PatientInput:
    return patients.PatientInput(mrn=mrn, given_name="Robin", family_name="Testcase",
                                 date_of_birth=dt.date(1988, 2, 3), sex="unknown")


def count(database, model) -> int:
    with database.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def order(desks):
    """A PRN clonidine order on an episode in stabilization, with fresh vitals: a dose may be given."""
    episode = episodes.open_episode(desks.office, desks.admin,
                                    patients.register(desks.office, desks.admin, new_patient("RR-1")).id,
                                    admitted_at=utcnow() - 48 * H)
    episode = episodes.change_stage(desks.office, desks.admin, episode.id, episode.version, "stabilization",
                                    pathway="symptomatic")
    made = mar.create_order(desks.office, desks.prescriber, episode.id, mar.OrderInput(
        drug_id="clonidine", dose=0.1, unit="mg", route="oral", min_interval_hours=4.0,
        start=utcnow() - 24 * H, **default_holds("clonidine")))
    with desks.office.write() as session:
        session.add(VitalSigns(episode_id=episode.id, values={"systolic": 120, "diastolic": 78, "pulse": 72},
                               taken_at=utcnow() - dt.timedelta(minutes=5), recorded_by=desks.admin.id))
    return made


# -- deactivation --------------------------------------------------------------------------------

def test_a_deactivation_reaches_a_session_on_another_workstation_at_its_next_read_and_write(desks):
    nurse = desks.nurse
    assert patients.search(desks.ward, nurse, "Testcase") == []  # signed in, working
    accounts.deactivate(desks.office, desks.admin, nurse.id)
    with pytest.raises(AccountChanged) as read:
        patients.search(desks.ward, nurse, "Testcase")
    assert read.value.deactivated and read.value.role is None
    assert str(read.value).startswith("Your account was deactivated by an administrator")
    assert "\n" not in str(read.value) and "still on screen" in str(read.value)
    events_before = count(desks.office, AuditEvent)
    with pytest.raises(AccountChanged):
        patients.register(desks.ward, nurse, new_patient("RR-2"))
    # Nothing was written: no patient, not even an audit event.
    assert count(desks.office, Patient) == 0
    assert count(desks.office, AuditEvent) == events_before
    assert isinstance(read.value, PermissionDenied)  # every handler of a refusal handles it


def test_a_reactivated_account_works_again_in_the_same_session(desks):
    accounts.deactivate(desks.office, desks.admin, desks.nurse.id)
    with pytest.raises(AccountChanged):
        patients.search(desks.ward, desks.nurse, "x")
    accounts.reactivate(desks.office, desks.admin, desks.nurse.id, "copper meadow falcon 17")
    assert patients.search(desks.ward, desks.nurse, "x") == []


def test_an_administrator_may_still_demote_themselves(desks):
    """The acting administrator is re-read, locked, by the account change itself: changing one's
    own role is not refused by the change it makes."""
    second = make_user(desks.office, desks.admin, "admin", "second")
    assert accounts.change_role(desks.ward, second, second.id, "prescriber").role == Role.PRESCRIBER
    with pytest.raises(AccountChanged, match="Your role changed to Prescriber"):
        accounts.list_users(desks.ward, second)


def test_a_deactivated_administrator_cannot_manage_accounts_from_an_open_session(desks):
    second = make_user(desks.office, desks.admin, "admin", "second")
    accounts.deactivate(desks.office, desks.admin, second.id)
    with pytest.raises(AccountChanged):
        accounts.create_user(desks.ward, second, "nurse2", "Another Nurse", "nurse", STRONG_PASSWORD)
    with pytest.raises(AccountChanged):
        accounts.list_users(desks.ward, second)


# -- role change ---------------------------------------------------------------------------------

def test_a_nurse_made_counselor_cannot_record_a_dose_at_the_next_call(desks, order):
    nurse = desks.nurse  # the session still says Nurse
    accounts.change_role(desks.office, desks.admin, nurse.id, "counselor")
    with pytest.raises(AccountChanged) as refused:
        mar.record_administration(desks.ward, nurse, order.id, "given")
    assert not refused.value.deactivated and refused.value.role == Role.COUNSELOR
    assert str(refused.value).startswith(
        "Your role changed to Counselor: this is not something a Counselor may do.")
    assert count(desks.office, MedicationAdministration) == 0
    # What a counselor may do, the same session still does (read and write).
    assert [o.id for o in mar.orders(desks.ward, nurse, order.episode_id)] == [order.id]
    assert patients.register(desks.ward, nurse, new_patient("RR-3")).mrn == "RR-3"


def test_a_counselor_made_nurse_records_a_dose_once_signed_in_again(desks, order, account_reads):
    """Re-reading only takes rights away: the counselor's open session (its window shows a
    counselor's screens) is refused a nurse's work at once, without even reading the account;
    signed in again, the nurse's own permission is what is checked, and she gives the dose."""
    counselor = desks.counselor  # the session still says Counselor
    accounts.change_role(desks.office, desks.admin, counselor.id, "nurse")
    with pytest.raises(PermissionDenied, match=r"Your role \(Counselor\) may not do this") as refused:
        mar.record_administration(desks.ward, counselor, order.id, "given")
    assert not isinstance(refused.value, AccountChanged) and account_reads == []
    assert count(desks.office, MedicationAdministration) == 0
    again = accounts.authenticate(desks.ward, "counselor1", STRONG_PASSWORD)
    assert again.role == Role.NURSE
    given = mar.record_administration(desks.ward, again, order.id, "given")
    assert given.outcome == "given"
    with desks.office.read() as session:
        assert session.get(MedicationAdministration, given.id).recorded_by == counselor.id


def test_a_role_change_that_keeps_the_permission_goes_on(desks, order):
    """A nurse made prescriber may still read the MAR (both roles may); the prescriber's
    own permission decides what else: giving a dose is a nurse's."""
    nurse = desks.nurse
    accounts.change_role(desks.office, desks.admin, nurse.id, "prescriber")
    assert [o.id for o in mar.orders(desks.ward, nurse, order.episode_id)] == [order.id]
    with pytest.raises(AccountChanged, match="Your role changed to Prescriber: this is not something a Prescriber"):
        mar.record_administration(desks.ward, nurse, order.id, "given")


def test_every_need_of_the_call_is_decided_with_the_role_read(desks, order):
    """A second ``require()`` of one call (a counseling session is a counselor's) is decided
    with the role read too: a counselor made nurse no longer records one."""
    counselor = desks.counselor
    accounts.change_role(desks.office, desks.admin, counselor.id, "nurse")
    counseling = support_rules.SessionInput(kind="individual", started_at=utcnow() - H, duration_min=45,
                                            approaches=("motivational_interviewing",),
                                            patient_words="I want to be there for my daughter")
    with pytest.raises(AccountChanged, match="Your role changed to Nurse"):
        support.record_session(desks.ward, counselor, order.episode_id, counseling, STRONG_PASSWORD)
    assert support.sessions(desks.ward, counselor, order.episode_id) == []  # a nurse reads them


def test_the_user_require_returns_answers_for_both_roles(desks):
    """Re-reading only takes rights away: a nurse made prescriber, still signed in as a nurse,
    may do what both may, not what the prescriber alone may, until she signs in again."""
    nurse = desks.nurse
    accounts.change_role(desks.office, desks.admin, nurse.id, "prescriber")
    acting = permissions.require(desks.ward, nurse, "patients.view")
    assert acting.held == Role.PRESCRIBER and acting == nurse  # the same person
    assert acting.can("patients.view") and not acting.can("medications.administer")
    assert not acting.can("medications.order")  # gained, not used before signing in again
    assert nurse.can("medications.administer")  # the session's user, as the GUI shows it
    accounts.change_role(desks.office, desks.admin, nurse.id, "nurse")
    assert permissions.require(desks.ward, acting, "medications.administer").held is None  # given back


def test_a_prescriber_made_nurse_saves_only_what_a_nurse_may_in_the_plan(desks):
    """The plan's editor rule (plans.edit or plans.reconcile) is met by both roles (both
    reconcile), so the save goes on, with a nurse's limits: the plan's language is kept as it
    was. A counselor made nurse shares no plan right with her new role: refused."""
    from clinic_desktop.core.models import AftercarePlan
    from clinic_desktop.core.services import plans
    from tests.factories import admit_with_signed_intake

    episode_id, _ = admit_with_signed_intake(desks.office, desks.admin)
    prescriber, counselor = desks.prescriber, desks.counselor
    plan = plans.open_plan(desks.ward, prescriber, episode_id)
    accounts.change_role(desks.office, desks.admin, prescriber.id, "nurse")
    saved = plans.save_draft(desks.ward, prescriber, plan.id, plan.version, {}, language="es")
    with desks.office.read() as session:
        assert session.get(AftercarePlan, plan.id).language == plan.language != "es"
    accounts.change_role(desks.office, desks.admin, prescriber.id, "prescriber")  # given back
    plans.save_draft(desks.ward, prescriber, plan.id, saved.version, {}, language="es")
    with desks.office.read() as session:
        assert session.get(AftercarePlan, plan.id).language == "es"
    accounts.change_role(desks.office, desks.admin, counselor.id, "nurse")
    with pytest.raises(AccountChanged, match="Your role changed to Nurse"):
        plans.open_plan(desks.ward, counselor, episode_id)


def test_an_administrator_demoted_meanwhile_is_refused_user_management(desks):
    second = make_user(desks.office, desks.admin, "admin", "second")
    accounts.change_role(desks.office, desks.admin, second.id, "viewer")
    with pytest.raises(AccountChanged, match="Your role changed to Viewer: this is not something a Viewer"):
        accounts.list_users(desks.ward, second)


# -- one check per call, and nothing left behind ---------------------------------------------------

@pytest.fixture
def account_reads(desks):
    """How many times the account was re-read (the users row by primary key), on the ward's engine."""
    seen = []

    def on_execute(_conn, _cursor, statement, *_args):
        if "FROM users WHERE id" in " ".join(statement.split()):
            seen.append(statement)

    event.listen(desks.ward.engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(desks.ward.engine, "before_cursor_execute", on_execute)


def test_the_account_is_read_once_per_call(desks, order, account_reads):
    nurse = desks.nurse
    patients.search(desks.ward, nurse, "Testcase")
    assert len(account_reads) == 1
    patients.register(desks.ward, nurse, new_patient("RR-4"))
    assert len(account_reads) == 2
    mar.record_administration(desks.ward, nurse, order.id, "given")
    assert len(account_reads) == 3
    # A unit of work no service asked for (nothing required) reads no account.
    with desks.ward.read():
        pass
    assert len(account_reads) == 3


def test_a_refused_call_reads_nothing_more_and_the_next_person_is_not_refused(desks, account_reads):
    """Each call decides for its own user: the deactivated nurse's refusal leaves nothing that
    refuses the console's call or another person's sign-in and work after it, on the same thread."""
    nurse = desks.nurse
    accounts.deactivate(desks.office, desks.admin, nurse.id)
    with pytest.raises(AccountChanged):
        patients.search(desks.ward, nurse, "x")
    assert len(account_reads) == 1
    assert accounts.create_user_from_console(desks.ward, "nurse2", "Another Nurse", "nurse",
                                             STRONG_PASSWORD).username == "nurse2"
    counselor = accounts.authenticate(desks.ward, "counselor1", STRONG_PASSWORD)
    assert patients.search(desks.ward, counselor, "x") == []


def test_a_worker_thread_decides_for_its_own_user(desks):
    """A counselor's call on another thread goes on while the deactivated nurse is refused here."""
    nurse, counselor = desks.nurse, desks.counselor
    accounts.deactivate(desks.office, desks.admin, nurse.id)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(patients.search(desks.ward, counselor, "x")))
    worker.start()
    with pytest.raises(AccountChanged):
        patients.search(desks.ward, nurse, "x")
    worker.join(30)
    assert outcome == [[]]


def test_the_console_operator_is_not_checked(desks):
    accounts.deactivate(desks.office, desks.admin, desks.nurse.id)
    assert accounts.deactivate_from_console(desks.ward, "counselor1").active is False


def test_a_require_given_a_session_reads_the_account_in_its_transaction(desks):
    accounts.change_role(desks.office, desks.admin, desks.nurse.id, "counselor")
    with pytest.raises(AccountChanged, match="Counselor"), desks.ward.write() as session:
        session.execute(update(User).where(User.id == desks.admin.id).values(full_name="Never Saved"))
        permissions.require(session, desks.nurse, "medications.administer")
    assert accounts.list_users(desks.office, desks.admin)[0].full_name == "Ada Admin"  # rolled back
    # What the transaction itself changed is what it reads: deactivated inside it, refused inside it.
    with pytest.raises(AccountChanged, match="deactivated"), desks.ward.write() as session:
        session.execute(update(User).where(User.id == desks.counselor.id).values(active=False))
        permissions.require(session, desks.counselor, "patients.view")
    assert patients.search(desks.office, desks.counselor, "x") == []  # rolled back: still active


def test_nobody_signed_in_is_refused_at_once(desks, account_reads):
    with pytest.raises(PermissionDenied, match="Sign in first"):
        permissions.require(desks.ward, None, "patients.view")
    assert account_reads == []


def test_an_account_that_no_longer_exists_is_refused(desks):
    ghost = SignedInUser(10_000, "ghost", "Nobody Here", Role.NURSE)
    with pytest.raises(AccountChanged, match="deactivated"):
        patients.search(desks.ward, ghost, "x")


def test_every_service_function_that_checks_a_role_re_reads_the_account():
    """A role is checked in the services with ``require(db or session, user, ...)`` only: no
    service decides on ``user.can(...)`` alone (that asks the session's role, not the database),
    except on a user ``require`` has just returned (it then answers for the role read too) or one
    signed in just now (an override's signer)."""
    import ast
    import pathlib

    from clinic_desktop.core import services

    bare = []
    for path in sorted(pathlib.Path(services.__file__).parent.glob("*.py")):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
            asks = [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "can"]
            rebinds = any(isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                          and _called(n.value) in {"require", "_require_editor", "authenticate"}
                          for n in ast.walk(fn))
            if asks and not rebinds:
                bare.append((path.stem, fn.name))
    # _guarded is handed the user save_draft got back from _require_editor.
    assert bare == [("plans", "_guarded")]


def _called(call) -> str:
    import ast

    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def test_a_signed_in_user_is_still_plain_data():
    user = SignedInUser(1, "nurse1", "Test Nurse", Role.NURSE)
    assert user.can("medications.administer") and not user.can("medications.order")
