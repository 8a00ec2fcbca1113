"""Who may do what: the README's table is the permissions, and every service refuses exactly the
roles the table leaves out (every role × every permission, through one representative call)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clinic_desktop.core import permissions, support
from clinic_desktop.core.errors import ClinicError, PermissionDenied
from clinic_desktop.core.permissions import PERMISSION_LABELS, PERMISSIONS, roles_table, who_may
from clinic_desktop.core.services import (
    accounts,
    audit,
    audit_log,
    directory,
    episodes,
    intake,
    mar,
    patient_facts,
    patients,
    plans,
    settings,
    stabilization,
)
from clinic_desktop.core.services import support as support_service
from clinic_desktop.core.vocab import Role
from tests import factories
from tests.conftest import make_user

README = Path(__file__).resolve().parents[2] / "README.md"
MISSING = 999_999  # no such record: an allowed call fails after the role check, never before


def test_every_permission_has_a_label_and_no_label_is_left_over():
    assert set(PERMISSION_LABELS) == set(PERMISSIONS)
    assert all(label and label == label.strip() and not label.endswith(".") for label in PERMISSION_LABELS.values())


def test_the_readme_holds_exactly_the_roles_table():
    readme = README.read_text(encoding="utf-8")
    table = roles_table()
    assert table in readme
    # ...and no other roles table beside it (an edited copy would drift again).
    assert readme.count("| role | may |") == 1


def test_the_roles_table_has_one_row_per_role_with_what_it_may_do_in_a_fixed_order():
    rows = roles_table().splitlines()
    assert rows[:2] == ["| role | may |", "|---|---|"]
    assert [re.match(r"\| `(\w+)` \|", row).group(1) for row in rows[2:]] == [role.value for role in Role]
    assert rows[-1] == "| `auditor` | read the audit trail |"
    assert "| `viewer` | see patients' records |" in rows
    admin = next(row for row in rows if row.startswith("| `admin`"))
    assert "write medication orders" not in admin and "give or hold doses" not in admin
    prescriber = next(row for row in rows if row.startswith("| `prescriber`"))
    may = prescriber.split(" | ")[1].rstrip(" |").split("; ")
    assert may == [label for p, label in PERMISSION_LABELS.items() if Role.PRESCRIBER in PERMISSIONS[p]]


def test_who_may_names_the_roles_in_plural():
    assert who_may("medications.order") == "Only prescribers may write medication orders."
    assert who_may("medications.administer") == "Only nurses may give or hold doses."
    assert who_may("audit.read") == "Only administrators and auditors may read the audit trail."
    assert who_may("plans.edit") == "Only administrators, counselors and prescribers may write aftercare plans."
    assert who_may("patients.view") == ("Only administrators, nurses, counselors, prescribers and viewers "
                                        "may see patients' records.")


def test_who_may_do_what_any_of_several_permissions_allows():
    assert who_may("medications.administer", "medications.order", doing="strike a dose entry") == \
        "Only nurses and prescribers may strike a dose entry."


def test_the_refusal_itself_names_the_role_and_the_permission(db):
    user = permissions.SignedInUser(1, "v", "V", Role.VIEWER)
    with pytest.raises(PermissionDenied, match=r"Viewer \(read only\).*medications.order"):
        permissions.require(db, user, "medications.order")


# --- every cell ---------------------------------------------------------------------------------
#
# One service call per permission, made with the records ``factories`` set up: a patient with an
# open episode in stabilization. Dummy input is fine: an allowed call may fail for other reasons
# (ValidationError, NotFound, a wrong password...), only PermissionDenied is the answer here.

def _session(kind):
    return lambda db, user, r: support_service.record_session(
        db, user, r.episode, support.SessionInput(kind=kind, started_at=None, duration_min=None), "not it")


CALLS = {
    "users.manage": lambda db, user, r: accounts.list_users(db, user),
    "settings.edit": lambda db, user, r: settings.update(db, user, {}),
    "directory.edit": lambda db, user, r: directory.add_entry(db, user, directory.EntryInput(name="", kind="")),
    "audit.verify": lambda db, user, r: audit.verify_chain(db, user),
    "audit.read": lambda db, user, r: audit_log.search(db, user, audit_log.LogQuery()),
    "patients.view": lambda db, user, r: patients.open_record(db, user, r.patient),
    "patients.edit": lambda db, user, r: patients.register(db, user, patients.PatientInput(
        mrn="", given_name="", family_name="", date_of_birth=None, sex="")),
    "episodes.open": lambda db, user, r: episodes.open_episode(db, user, r.patient),
    "episodes.stage": lambda db, user, r: episodes.change_stage(db, user, r.episode, -1, "transition"),
    "observations.record": lambda db, user, r: stabilization.record_observation(
        db, user, r.episode, "cows", factories.COWS_14),
    "safety.assess": lambda db, user, r: stabilization.record_safety_assessment(db, user, r.episode, "", ""),
    "care.record": lambda db, user, r: stabilization.record_supportive_care(db, user, r.episode, "no such item"),
    "checkins.record": lambda db, user, r: stabilization.record_checkin(db, user, r.episode, {}),
    "sessions.record": _session(support.PEER),
    "sessions.counsel": _session(support.INDIVIDUAL),
    "assessments.record": lambda db, user, r: intake.start(db, user, r.patient),
    "facts.edit": lambda db, user, r: patient_facts.update(db, user, r.episode, -1, {}),
    "medications.order": lambda db, user, r: mar.create_order(db, user, r.episode, mar.OrderInput(drug_id="")),
    "medications.administer": lambda db, user, r: mar.record_administration(db, user, MISSING, "given"),
    "plans.edit": lambda db, user, r: plans.finalize(db, user, MISSING, 0, "not it"),
    "plans.print": lambda db, user, r: plans.document(db, user, MISSING),
    "plans.reconcile": lambda db, user, r: plans.reconcile_at_discharge(db, user, r.episode, [], -1),
}


def test_every_permission_has_a_representative_call():
    assert set(CALLS) == set(PERMISSIONS)


class _Records:
    """The ids the calls need: the patient and their open episode."""

    def __init__(self, episode) -> None:
        self.episode = episode.id
        self.patient = episode.patient_id


def _answer(call, db, user, records) -> str:
    try:
        call(db, user, records)
    except PermissionDenied:
        return "refused"
    except ClinicError:
        return "allowed"  # past the role check, then refused for the dummy input
    return "allowed"


@pytest.mark.parametrize("permission", list(PERMISSIONS))
def test_the_service_refuses_exactly_the_roles_without_the_permission(db, admin, permission):
    """Every role in turn on one database (a new one per test costs a second; an allowed call
    never changes what the next role's check answers, as each checks the role first)."""
    records = _Records(factories.admit_without_intake(db, admin))
    answers = {role: _answer(CALLS[permission], db, make_user(db, admin, role.value, username=f"{role.value}_x"),
                             records) for role in Role}
    expected = {role: "allowed" if role in PERMISSIONS[permission] else "refused" for role in Role}
    assert answers == expected
