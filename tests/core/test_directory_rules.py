"""What a counselor must check about a directory contact before it goes on a plan (CLINICAL.md
§4): pure rules, no database (core/directory.py), at their boundaries."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from clinic_desktop.core import directory

TODAY = dt.date(2026, 11, 28)
STALE_DAYS = 180


def entry(**overrides):
    values = {"name": "Northside IOP", "kind": "outpatient_program", "kind_label": "Outpatient program", "active": True,
              "last_verified": TODAY, "phone": "+12175550100", "phone_display": "(217) 555-0100",
              "address": "400 N. Grand Ave"}
    values.update(overrides)
    return SimpleNamespace(**values)


def check(**overrides) -> directory.ContactCheck:
    return directory.check_contact(entry(**overrides), TODAY, STALE_DAYS)


def test_a_checked_contact_needs_nothing():
    info = check()
    assert info == directory.ContactCheck("Northside IOP (Outpatient program)", kind="outpatient_program")
    assert info.tooltip() == ""


def test_stale_from_the_day_the_setting_names_on():
    day_before = TODAY - dt.timedelta(days=STALE_DAYS - 1)
    on_the_day = TODAY - dt.timedelta(days=STALE_DAYS)
    assert not directory.is_stale(day_before, TODAY, STALE_DAYS)
    assert directory.is_stale(on_the_day, TODAY, STALE_DAYS)
    assert directory.is_stale(None, TODAY, STALE_DAYS)
    assert directory.is_stale(TODAY, TODAY, 0)
    assert check(last_verified=day_before).flags == ()
    info = check(last_verified=on_the_day)
    assert info.flags == (f"not verified since {on_the_day.isoformat()}",)
    warning = (f"Not verified since {on_the_day.day} {on_the_day:%B %Y} \u2014 check the phone "
               "number with the provider before printing.")
    assert info.warnings == (warning,)


def test_never_verified():
    info = check(last_verified=None)
    assert info.flags == ("never verified",)
    assert info.warnings[0].startswith("Never verified \u2014 check the phone number and address")


def test_a_phone_as_typed_or_stored_is_enough_and_a_blank_address_is_none():
    assert check(phone=None).flags == ()
    assert check(phone_display="").flags == ()
    assert check(phone=None, phone_display="").flags == ("no phone on file",)
    assert check(address="  \n").flags == ("no address on file",)
    assert check(address=None).flags == ("no address on file",)


def test_everything_at_once_in_the_order_a_counselor_reads_it():
    info = check(active=False, last_verified=None, phone="", phone_display=None, address="")
    assert info.flags == ("deactivated", "never verified", "no phone on file", "no address on file")
    assert len(info.warnings) == 4
    first = info.tooltip().split("\n")[0]
    assert first == "Deactivated in the directory \u2014 choose another contact."
    assert info.tooltip().endswith("the plan tells the patient to call first or ask the clinic.")
