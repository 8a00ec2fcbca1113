"""The recovery sheet (reports.recovery_sheet): one page, the key large, what it is for and the
command that uses it. Invented clinic only."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from clinic_desktop.core import keys
from clinic_desktop.reports.recovery_sheet import RecoverySheet, render_recovery_sheet
from tests.tools import needs_tools, require_tool

MADE_AT = dt.datetime(2026, 12, 4, 9, 5)


def sheet(**overrides) -> RecoverySheet:
    values = {"clinic_name": "Riverbend Recovery Clinic", "database": "/srv/clinic/clinic.db",
              "made_at": MADE_AT, "recovery_key": keys.new_recovery_key(), "username": "avery"}
    values.update(overrides)
    return RecoverySheet(**values)


def pdf_text(pdf: bytes) -> str:
    """The page's words in reading order (``-layout``: the key's groups stay on their lines)."""
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def page_count(pdf: bytes) -> int:
    require_tool("pdftotext")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.count(b"\f")  # pdftotext ends every page with a form feed


@needs_tools("pdftotext")
@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_the_sheet_is_one_page_with_the_key_in_its_groups(page_size):
    made = sheet(page_size=page_size)
    pdf = render_recovery_sheet(made)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert " ".join(made.recovery_key.split("-")) in text  # the groups of four, in order
    assert "Riverbend Recovery Clinic" in text and "/srv/clinic/clinic.db" in text
    assert "December 4, 2026" in text
    assert "clinic-desktop reset-password --username avery --recovery-key-stdin" in text
    assert "locked away" in text and "can read every record" in text


@needs_tools("pdftotext")
def test_a_long_clinic_name_and_path_still_fit_one_page():
    pdf = render_recovery_sheet(sheet(clinic_name="Riverbend Community Recovery and Withdrawal Management "
                                                  "Clinic of the Upper Valley " * 2,
                                      database="/very/long/folder/name/" * 8 + "clinic.db"))
    assert page_count(pdf) == 1


def test_an_unknown_page_size_is_refused():
    with pytest.raises(ValueError, match="page_size"):
        render_recovery_sheet(sheet(page_size="legal"))
