"""Who may do what: the README's table is the permissions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clinic_desktop.core import permissions
from clinic_desktop.core.errors import PermissionDenied
from clinic_desktop.core.permissions import PERMISSION_LABELS, PERMISSIONS, roles_table, who_may
from clinic_desktop.core.vocab import Role

README = Path(__file__).resolve().parents[2] / "README.md"


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


def test_the_refusal_itself_names_the_role_and_the_permission():
    user = permissions.SignedInUser(1, "v", "V", Role.VIEWER)
    with pytest.raises(PermissionDenied, match=r"Viewer \(read only\).*medications.order"):
        permissions.require(user, "medications.order")

