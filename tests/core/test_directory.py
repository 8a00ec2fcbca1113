"""The referral directory: seeds, validation, roles, conflicts, search, staleness and CSV."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib.util
import io
import time

import pytest
from sqlalchemy import func, select, text

from clinic_desktop import paths
from clinic_desktop.core import db as dbmod
from clinic_desktop.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.models import AuditEvent, DirectoryEntry
from clinic_desktop.core.services import accounts, audit, directory
from clinic_desktop.core.services import settings as settings_service
from clinic_desktop.core.settings import DEFAULTS, INTEGER_RANGES
from tests.conftest import STRONG_PASSWORD, database_at, make_user

TODAY = dt.date(2026, 11, 23)
HEADER = ",".join(directory.CSV_COLUMNS)

# CLINICAL.md §4, as written there (0004's rows with 0008's corrections).
NATIONAL = {
    "samhsa_helpline": {
        "name": "SAMHSA National Helpline", "phone": "+18006624357", "phone_display": "1-800-662-HELP (4357)",
        "other_contact": "TTY 1-800-487-4889; text your ZIP code to 435748 (HELP4U, English only); "
                         "findtreatment.gov",
        "hours": "24/7/365", "languages": ("en", "es"),
        "notes": "Free, confidential, 24/7/365 treatment referral and information, in English and "
                 "Spanish (no counseling)"},
    "lifeline_988": {
        "name": "988 Suicide & Crisis Lifeline", "phone": "988", "phone_display": "988",
        "other_contact": "call or text 988 (press 2 or text AYUDA for Spanish); chat 988lifeline.org",
        "hours": "24/7", "languages": ("en", "es"),
        "notes": "In Spanish: 988 Línea de Prevención del Suicidio y Crisis"},
    "poison_control": {
        "name": "Poison Help", "phone": "+18002221222", "phone_display": "1-800-222-1222",
        "hours": "24/7", "languages": ("en", "es"),
        "notes": "24/7, free, English and Spanish, interpretation in 161 languages"},
    "never_use_alone": {
        "name": "Never Use Alone", "phone": "+18004843731", "phone_display": "1-800-484-3731",
        "hours": "24/7", "languages": ("en",),
        "notes": "24/7; someone stays on the line while a person uses and sends help if they stop "
                 "responding"},
    "crisis_text_line": {
        "name": "Crisis Text Line", "phone": None,
        "other_contact": "text HOME to 741741; in Spanish text AYUDA to 741741 or WhatsApp "
                         "442-AYUDAME",
        "hours": "24/7", "languages": ("en", "es"), "notes": "24/7, English and Spanish (since 2021)"},
}


def entry(**changes) -> directory.EntryInput:
    base = directory.EntryInput(
        name="Núñez Recovery Center", kind="outpatient_program", phone="(217) 555-0142",
        address="12 Elm Street\nSpringfield, IL 62701", hours="Mon-Fri 8-17", languages="en, es",
        walk_in=True, payment="Medicaid, sliding scale", notes="Evening groups for parents",
        last_verified=dt.date(2026, 10, 1))
    return dataclasses.replace(base, **changes)


def local(views):
    return [v for v in views if not v.national]


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> io.BytesIO:
    content = "\r\n".join([header, *rows]) + "\r\n"
    return io.BytesIO(content.encode("utf-8-sig" if bom else "utf-8"))


def row(name="Hope House", kind="sober_living", phone="217-555-0101", other="", address="",
        hours="", languages="en", walk_in="no", payment="", notes="", verified="") -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(
        [name, kind, phone, other, address, hours, languages, walk_in, payment, notes, verified])
    return buffer.getvalue().removesuffix("\r\n")


@pytest.fixture
def any_admin(any_db):
    return accounts.create_first_admin(any_db, "admin", "Ada Admin", STRONG_PASSWORD)


def count_local(database) -> int:
    with database.read() as s:
        return s.execute(select(func.count(DirectoryEntry.id)).where(DirectoryEntry.key.is_(None))).scalar_one()


# --- the national contacts -----------------------------------------------------------------------

def test_every_database_has_the_national_contacts_exactly_as_clinical_md(any_db, any_admin):
    found = directory.search(any_db, any_admin)
    assert [v.key for v in found] == list(directory.NATIONAL_KEYS) == list(NATIONAL)
    for view in found:
        expected = NATIONAL[view.key]
        for name, value in expected.items():
            assert getattr(view, name) == value, (view.key, name)
        assert view.kind == "national_helpline" and view.national and view.active
        assert view.created_by is None and view.version == 1
    # The migration's frozen search fields are what the service would compute.
    with any_db.read() as s:
        for e in s.execute(select(DirectoryEntry).where(DirectoryEntry.key.is_not(None))).scalars():
            fields = {"name": e.name, "notes": e.notes, "address": e.address}
            assert directory._search_fields(fields) == {"search_name": e.search_name,
                                                        "search_text": e.search_text}


def test_a_database_upgraded_from_0003_gets_them_too(tmp_path):
    path = tmp_path / "old.db"
    database_at(path, "0003")[1].dispose()
    upgraded = dbmod.open_database(path)
    try:
        with upgraded.read() as s:
            keys = s.execute(text("SELECT key FROM directory_entries ORDER BY id")).scalars().all()
        assert keys == list(directory.NATIONAL_KEYS)
    finally:
        upgraded.dispose()


def test_0008_corrects_the_shipped_lines_but_keeps_a_clinics_own_edit(tmp_path):
    """A database from before 0008 gets the corrected facts (Poison Help and Crisis Text Line
    in Spanish too, Never Use Alone 24/7, 988's Spanish name) where the rows still hold what
    0004 shipped; a field the clinic changed is left as the clinic wrote it. Down again, the
    shipped rows are back."""
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "old.db"
    cfg = dbmod.alembic_config()
    engine = create_engine(f"sqlite:///{path}")

    def rows(conn) -> dict[str, dict]:
        return {r.key: r._asdict() for r in conn.execute(text(
            "SELECT key, name, other_contact, hours, languages, notes, search_text "
            "FROM directory_entries WHERE key IS NOT NULL"))}

    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        shipped = rows(conn)
        # The clinic wrote its own hours for Never Use Alone and its own notes for Poison Help.
        conn.execute(text("UPDATE directory_entries SET hours = 'ask us' WHERE key = 'never_use_alone'"))
        conn.execute(text("UPDATE directory_entries SET notes = 'our note', search_text = 'poison help our note' "
                          "WHERE key = 'poison_control'"))
        command.upgrade(cfg, "0008")
        fixed = rows(conn)
        assert fixed["never_use_alone"]["hours"] == "ask us"
        assert fixed["poison_control"]["notes"] == "our note"
        assert fixed["poison_control"]["languages"] == "en,es"
        assert fixed["never_use_alone"]["notes"] == NATIONAL["never_use_alone"]["notes"]
        assert fixed["crisis_text_line"]["other_contact"] == NATIONAL["crisis_text_line"]["other_contact"]
        assert fixed["lifeline_988"]["notes"] == NATIONAL["lifeline_988"]["notes"]
        assert fixed["samhsa_helpline"] == shipped["samhsa_helpline"]
        for key, row in fixed.items():  # the frozen search text is what the service computes
            assert directory._search_fields(row)["search_text"] == row["search_text"], key
        command.downgrade(cfg, "0007")
        back = rows(conn)
    engine.dispose()
    assert back["crisis_text_line"] == shipped["crisis_text_line"]
    assert back["lifeline_988"] == shipped["lifeline_988"]
    assert back["never_use_alone"]["notes"] == shipped["never_use_alone"]["notes"]
    assert back["never_use_alone"]["hours"] == "ask us"  # the clinic's, both ways


def test_national_contacts_are_edited_but_never_removed(db, admin):
    samhsa = directory.search(db, admin)[0]
    with pytest.raises(ValidationError, match="cannot be removed"):
        directory.deactivate_entry(db, admin, samhsa.id)
    with pytest.raises(ValidationError, match="stay national helplines") as info:
        directory.update_entry(db, admin, samhsa.id, samhsa.version,
                               dataclasses.replace(samhsa.as_input(), kind="other"))
    assert "kind" in info.value.fields
    edited = directory.update_entry(db, admin, samhsa.id, samhsa.version,
                                    dataclasses.replace(samhsa.as_input(), hours="Always open"))
    assert edited.hours == "Always open" and edited.key == "samhsa_helpline"
    assert edited.phone == "+18006624357" and edited.phone_display == "1-800-662-HELP (4357)"
    assert edited.version == 2 and edited.active


# --- adding, validation ----------------------------------------------------------------------------

def test_add_cleans_stores_e164_and_keeps_the_display_text(db, admin):
    view = directory.add_entry(db, admin, entry(name="  Núñez   Recovery Center ",
                                                address=" 12 Elm Street  \r\nSpringfield, IL 62701\n",
                                                languages="English; es, ES"), today=TODAY)
    assert view.name == "Núñez Recovery Center" and not view.national and view.key is None
    assert view.phone == "+12175550142" and view.phone_display == "(217) 555-0142"
    assert view.languages == ("en", "es") and view.language_names == ["English", "Spanish"]
    assert view.address == "12 Elm Street\nSpringfield, IL 62701" and view.walk_in
    assert view.kind_label == "Outpatient program" and view.created_by == admin.id
    assert directory.get_entry(db, admin, view.id) == view
    event = audit.recent(db, admin, limit=1)[0]
    assert event.action == "directory.added" and event.entity_id == str(view.id)
    assert event.detail["changes"]["phone"] == [None, "+12175550142"]


@pytest.mark.parametrize("changes, field, message", [
    ({"name": "   "}, "name", "Enter the name."),
    ({"name": "x" * 201}, "name", "At most 200 characters."),
    ({"kind": ""}, "kind", "Choose the kind of entry."),
    ({"kind": "clinic"}, "kind", "“clinic” is not a kind of entry; use one of: national_helpline, "),
    ({"phone": "call us"}, "phone", "This is not a phone number."),
    ({"phone": "217-555-01"}, "phone", "This phone number has the wrong number of digits."),
    ({"phone": "555-0142"}, "phone", "Enter the whole number, with its area code."),
    ({"phone": "988"}, "phone", "Short codes such as 988 are for national helplines only"),
    ({"phone": "", "address": "", "other_contact": ""}, "phone", "Give at least one way to reach them"),
    ({"languages": "en, klingon, xx"}, "languages", "Unknown language “klingon”, “xx”: use ISO 639"),
    ({"last_verified": TODAY + dt.timedelta(days=1)}, "last_verified",
     "The last verified date cannot be in the future."),
    ({"notes": "n" * 4001}, "notes", "At most 4000 characters."),
])
def test_each_bad_field_is_named_in_plain_english(db, admin, changes, field, message):
    with pytest.raises(ValidationError) as info:
        directory.add_entry(db, admin, entry(**changes), today=TODAY)
    assert list(info.value.fields) == [field]
    assert info.value.fields[field].startswith(message)
    assert count_local(db) == 0


def test_several_bad_fields_are_all_named(db, admin):
    with pytest.raises(ValidationError) as info:
        directory.add_entry(db, admin, entry(name="", kind="x", phone="nope", languages="zz"))
    assert set(info.value.fields) == {"name", "kind", "phone", "languages"}


@pytest.mark.parametrize("typed, stored", [
    ("988", "988"),
    ("741741", "741741"),
    ("1-800-662-HELP (4357)", "+18006624357"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_a_national_helpline_may_have_a_short_code(db, admin, typed, stored):
    view = directory.add_entry(db, admin, entry(name=f"State line {typed}", kind="national_helpline",
                                                phone=typed, address=""))
    assert view.phone == stored and view.phone_display == typed


def test_phone_numbers_are_read_for_the_clinics_region(db, admin):
    with pytest.raises(ValidationError):
        directory.add_entry(db, admin, entry(phone="020 7946 0958"))
    settings_service.update(db, admin, {"phone_region": "GB"})
    view = directory.add_entry(db, admin, entry(phone="020 7946 0958"))
    assert view.phone == "+442079460958" and view.phone_display == "020 7946 0958"


def test_other_contact_or_address_is_enough(db, admin):
    meeting = directory.add_entry(db, admin, entry(name="Tuesday NA", kind="mutual_help_meeting",
                                                   phone="", other_contact="", address="Church hall"))
    assert meeting.phone is None and meeting.phone_display is None
    web = directory.add_entry(db, admin, entry(name="SMART online", kind="mutual_help_meeting",
                                               phone="", address="", other_contact="smartrecovery.org"))
    assert web.other_contact == "smartrecovery.org"


# --- roles -----------------------------------------------------------------------------------------

def test_only_an_administrator_changes_the_directory_and_everyone_reads_it(db, admin):
    added = directory.add_entry(db, admin, entry())
    for role in ("nurse", "counselor", "prescriber", "viewer"):
        user = make_user(db, admin, role)
        assert [v.name for v in local(directory.search(db, user))] == ["Núñez Recovery Center"]
        assert directory.get_entry(db, user, added.id).id == added.id
        assert directory.export_csv(db, user, io.StringIO()) == 6
        for call in (
            lambda u: directory.add_entry(db, u, entry(name="Other")),
            lambda u: directory.update_entry(db, u, added.id, added.version, entry(hours="24/7")),
            lambda u: directory.deactivate_entry(db, u, added.id),
            lambda u: directory.reactivate_entry(db, u, added.id),
            lambda u: directory.mark_verified(db, u, added.id),
            lambda u: directory.check_csv(db, u, csv_bytes(row())),
            lambda u: directory.import_csv(db, u, directory.ImportReport(rows=[])),
        ):
            with pytest.raises(PermissionDenied, match="directory.edit"):
                call(user)
    assert directory.get_entry(db, admin, added.id) == added
    with pytest.raises(PermissionDenied):
        directory.search(db, None)  # type: ignore[arg-type]


# --- updates, conflicts, deactivation ----------------------------------------------------------------

def test_a_stale_update_is_refused_naming_who_changed_it_and_when(any_db, any_admin):
    other = make_user(any_db, any_admin, "admin", "admin2")
    opened = directory.add_entry(any_db, any_admin, entry())
    saved = directory.update_entry(any_db, other, opened.id, opened.version, entry(hours="24/7"))
    assert saved.version == opened.version + 1 and saved.updated_by == other.id
    with pytest.raises(ConflictError, match=r"Test Admin changed this directory entry at \d\d:\d\d on "):
        directory.update_entry(any_db, any_admin, opened.id, opened.version, entry(hours="Mornings"))
    assert directory.get_entry(any_db, any_admin, opened.id).hours == "24/7"
    with pytest.raises(NotFound):
        directory.update_entry(any_db, any_admin, 9999, 1, entry())


def test_an_unchanged_update_writes_nothing(db, admin):
    view = directory.add_entry(db, admin, entry())
    same = directory.update_entry(db, admin, view.id, view.version, view.as_input())
    assert same.version == view.version
    assert [e.action for e in audit.recent(db, admin, limit=1)] == ["directory.added"]


def test_deactivating_keeps_the_entry_out_of_search_and_export(db, admin):
    view = directory.add_entry(db, admin, entry())
    gone = directory.deactivate_entry(db, admin, view.id)
    assert not gone.active and gone.version == view.version + 1
    assert local(directory.search(db, admin)) == []
    assert [v.id for v in local(directory.search(db, admin, include_inactive=True))] == [view.id]
    out = io.StringIO()
    assert directory.export_csv(db, admin, out) == 5
    # A deactivated contact does not block adding it again, nor a re-import.
    again = directory.add_entry(db, admin, entry())
    with pytest.raises(ValidationError, match="already in the directory"):
        directory.reactivate_entry(db, admin, view.id)
    directory.deactivate_entry(db, admin, again.id)
    assert directory.reactivate_entry(db, admin, view.id).active
    actions = [e.action for e in audit.recent(db, admin, limit=5)]
    assert actions == ["directory.reactivated", "directory.deactivated", "directory.added",
                       "directory.exported", "directory.deactivated"]


def test_duplicates_are_refused_when_added(db, admin):
    first = directory.add_entry(db, admin, entry())
    with pytest.raises(ValidationError, match="already in the directory as “Núñez Recovery Center” "
                                              r"\(same name and phone number\)"):
        directory.add_entry(db, admin, entry(name="nunez recovery-center", phone="217.555.0142",
                                             address=""))
    with pytest.raises(ValidationError, match=r"\(same name and address\)"):
        directory.add_entry(db, admin, entry(name="NUNEZ Recovery Center", phone="217-555-0199",
                                             address="12 elm street, Springfield IL 62701"))
    # Same name elsewhere (another phone and address) is another branch: allowed.
    branch = directory.add_entry(db, admin, entry(phone="217-555-0199", address="9 Oak Road"))
    # Editing one into the other is refused too; editing itself is not a duplicate of itself.
    with pytest.raises(ValidationError, match="already in the directory"):
        directory.update_entry(db, admin, branch.id, branch.version, entry())
    directory.update_entry(db, admin, first.id, first.version, entry(hours="24/7"))


def test_mark_verified(db, admin):
    view = directory.add_entry(db, admin, entry(last_verified=None))
    verified = directory.mark_verified(db, admin, view.id, today=TODAY)
    assert verified.last_verified == TODAY and verified.updated_by == admin.id
    event = audit.recent(db, admin, limit=1)[0]
    assert event.action == "directory.verified"
    assert event.detail == {"changes": {"last_verified": [None, TODAY.isoformat()]}}
    national = directory.search(db, admin)[0]
    assert directory.mark_verified(db, admin, national.id, today=TODAY).last_verified == TODAY


# --- staleness -------------------------------------------------------------------------------------

def test_the_stale_days_setting():
    assert DEFAULTS["directory_stale_days"] == 180
    assert INTEGER_RANGES["directory_stale_days"] == (30, 730)


@pytest.mark.parametrize("value", [29, 731, "soon"])
def test_the_stale_days_setting_is_bounded(db, admin, value):
    with pytest.raises(ValidationError) as info:
        settings_service.update(db, admin, {"directory_stale_days": value})
    assert "directory_stale_days" in info.value.fields


@pytest.mark.parametrize("age, stale", [(0, False), (179, False), (180, True), (181, True)])
def test_stale_after_the_setting_days(db, admin, age, stale):
    view = directory.add_entry(db, admin, entry(last_verified=TODAY - dt.timedelta(days=age)),
                               today=TODAY)
    days = directory.stale_days(db)
    assert days == 180
    assert view.stale(TODAY, days) is stale
    assert view.days_since_verified(TODAY) == age


def test_never_verified_is_stale_and_the_setting_changes_the_limit(db, admin):
    never = directory.add_entry(db, admin, entry(last_verified=None))
    assert never.stale(TODAY, 730) and never.days_since_verified(TODAY) is None
    checked = directory.add_entry(db, admin, entry(name="Other", phone="217-555-0100",
                                                   last_verified=TODAY - dt.timedelta(days=45)),
                                  today=TODAY)
    assert not checked.stale(TODAY, directory.stale_days(db))
    settings_service.update(db, admin, {"directory_stale_days": 30})
    assert directory.stale_days(db) == 30
    assert checked.stale(TODAY, directory.stale_days(db))
    assert not checked.stale(TODAY - dt.timedelta(days=16), 30)


# --- search ----------------------------------------------------------------------------------------

@pytest.fixture
def listing(any_db, any_admin):
    for data in (
        entry(),
        entry(name="Hope House", kind="sober_living", phone="217-555-0101", address="3 Hill Rd",
              languages="en", walk_in=False, notes="Women only; Medicaid accepted"),
        entry(name="Café Recovery Meeting", kind="mutual_help_meeting", phone="",
              address="Saint Zoë church hall", languages="es", walk_in=True, notes="SMART Recovery"),
        entry(name="Dr. Ødegård", kind="buprenorphine_prescriber", phone="217-555-0102",
              address="", languages="en,vi", walk_in=False, notes="Accepts new patients"),
    ):
        directory.add_entry(any_db, any_admin, data)
    return any_db, any_admin


def names(views):
    return [v.name for v in local(views)]


def test_search_is_accent_and_case_insensitive_on_name_notes_and_address(listing):
    database, user = listing
    assert names(directory.search(database, user)) == [
        "Café Recovery Meeting", "Dr. Ødegård", "Hope House", "Núñez Recovery Center"]
    assert names(directory.search(database, user, "NUNEZ")) == ["Núñez Recovery Center"]
    assert names(directory.search(database, user, "odegard")) == ["Dr. Ødegård"]
    assert names(directory.search(database, user, "cafe")) == ["Café Recovery Meeting"]
    assert names(directory.search(database, user, "Zoe")) == ["Café Recovery Meeting"]  # address
    assert names(directory.search(database, user, "medicaid women")) == ["Hope House"]  # notes
    assert names(directory.search(database, user, "recovery")) == [
        "Café Recovery Meeting", "Núñez Recovery Center"]
    assert names(directory.search(database, user, "recovery springfield")) == ["Núñez Recovery Center"]
    assert names(directory.search(database, user, "50%_")) == []


def test_search_filters_by_kind_language_and_walk_in(listing):
    database, user = listing
    assert names(directory.search(database, user, kind="sober_living")) == ["Hope House"]
    assert names(directory.search(database, user, language="es")) == [
        "Café Recovery Meeting", "Núñez Recovery Center"]
    assert names(directory.search(database, user, language="Vietnamese")) == ["Dr. Ødegård"]
    assert names(directory.search(database, user, walk_in=True)) == [
        "Café Recovery Meeting", "Núñez Recovery Center"]
    assert names(directory.search(database, user, walk_in=False)) == ["Dr. Ødegård", "Hope House"]
    assert names(directory.search(database, user, "recovery", kind="mutual_help_meeting",
                                  language="es", walk_in=True)) == ["Café Recovery Meeting"]
    with pytest.raises(ValidationError):
        directory.search(database, user, kind="bakery")
    with pytest.raises(ValidationError):
        directory.search(database, user, language="klingon")


def test_the_national_helplines_are_always_listed_first(listing):
    database, user = listing
    for found in (directory.search(database, user, "zzz-no-match"),
                  directory.search(database, user, kind="sober_living", language="vi", walk_in=True)):
        assert [v.key for v in found] == list(directory.NATIONAL_KEYS)
    hits = directory.search(database, user, "hope")
    assert [v.key for v in hits[:5]] == list(directory.NATIONAL_KEYS) and names(hits) == ["Hope House"]
    assert [v.name for v in directory.search(database, user, "hope", include_national=False)] == ["Hope House"]


# --- CSV: checking ---------------------------------------------------------------------------------

def test_the_shipped_template_checks_clean(db, admin):
    template = paths.resource("directory", "directory-template.csv")
    with template.open("rb") as stream:
        report = directory.check_csv(db, admin, stream)
    assert [(r.line, r.status) for r in report.rows] == [(2, "ok"), (3, "ok")]
    assert all("(invented)" in r.name for r in report.rows)
    assert template.read_text(encoding="utf-8").splitlines()[0] == HEADER
    readme = paths.resource("directory", "README.md").read_text(encoding="utf-8")
    for column in directory.CSV_COLUMNS:
        assert f"| `{column}` |" in readme
    for kind in directory.KINDS:
        assert f"| `{kind}` |" in readme


def test_every_row_is_checked_with_its_line_number(db, admin):
    report = directory.check_csv(db, admin, csv_bytes(
        row("Hope House"),                                           # 2
        "",                                                          # 3: blank, ignored
        row("Bad Phone", phone="nope"),                              # 4
        row("Multi", address="Line one\nLine two", phone="217-555-0103"),  # 5-6
        row("", kind="bakery", languages="xx", walk_in="maybe", verified="31/12/2025"),  # 7
        row("Future", phone="217-555-0104", verified="2999-01-01"),  # 8
        row("Not a date", phone="217-555-0105", verified="2025-02-30"),  # 9
        "Too,many,values,a,b,c,d,e,f,g,h,i",                         # 10
        row("Last one", phone="217-555-0106"),                       # 11
    ))
    by_line = {r.line: r for r in report.rows}
    assert [(r.line, r.status) for r in report.rows] == [
        (2, "ok"), (4, "refused"), (5, "ok"), (7, "refused"), (8, "refused"), (9, "refused"),
        (10, "refused"), (11, "ok")]
    assert by_line[4].messages == ("phone: This is not a phone number.",)
    assert by_line[4].describe() == "line 4 (Bad Phone): refused: phone: This is not a phone number."
    assert [m.split(":")[0] for m in by_line[7].messages] == [
        "name", "kind", "languages", "walk_in", "last_verified"]
    assert "“maybe” is not yes or no" in by_line[7].messages[3]
    assert "YYYY-MM-DD" in by_line[7].messages[4]
    assert by_line[8].messages == ("last_verified: The last verified date cannot be in the future.",)
    assert by_line[9].messages == ("last_verified: “2025-02-30” is not a real date.",)
    assert "needs double quotes" in by_line[10].messages[0] and by_line[10].name == "Too"
    assert (report.total, report.ok, report.refused, report.duplicates) == (8, 3, 5, 0)
    assert [r.line for r in report.problems] == [4, 7, 8, 9, 10]


def test_duplicates_against_the_database_and_within_the_file(db, admin):
    directory.add_entry(db, admin, entry())
    report = directory.check_csv(db, admin, csv_bytes(
        row("NUNEZ recovery center", kind="outpatient_program", phone="+1 217 555 0142"),
        row("Hope House"),
        row("hope  house", phone="(217) 555-0101"),
        row("Hope House", phone="217-555-0199", address="3 Hill Rd"),
        row("Hope House", phone="", other="text HOPE to 12345", address="3 hill rd."),
        row("Crisis Text Line", kind="national_helpline", phone="", other="text HOME to 741741"),
    ))
    assert [(r.line, r.status) for r in report.rows] == [
        (2, "duplicate"), (3, "ok"), (4, "duplicate"), (5, "ok"), (6, "duplicate"), (7, "duplicate")]
    messages = {r.line: r.messages[0] for r in report.rows if r.messages}
    assert messages[2] == ("Already in the directory as “Núñez Recovery Center” "
                           "(same name and phone number).")
    assert messages[4] == "Same contact as line 3 (same name and phone number)."
    assert messages[6] == "Same contact as line 5 (same name and address)."
    assert messages[7] == ("Already in the directory as “Crisis Text Line” (same name, and neither "
                           "has a phone number or address).")
    result = directory.import_csv(db, admin, report)
    assert (result.imported, result.duplicates, result.refused, result.blocked) == (2, 4, 0, False)
    assert result.message == "Imported 2 of 6 entries. 4 already in the directory (skipped)."


@pytest.mark.parametrize("bom", [True, False])
def test_a_byte_order_mark_is_tolerated_in_bytes_and_text(db, admin, bom):
    raw = csv_bytes(row("Hope House"), bom=bom)
    assert directory.check_csv(db, admin, raw).ok == 1
    as_text = io.StringIO(raw.getvalue().decode("utf-8"), newline="")  # keeps "\ufeff"
    report = directory.check_csv(db, admin, as_text)
    assert [(r.line, r.status) for r in report.rows] == [(2, "ok")]


def test_header_in_any_order_with_blank_trailing_columns(db, admin):
    header = "Kind , NAME,phone,other_contact,address,hours,languages,walk_in,payment,notes,last_verified,,"
    report = directory.check_csv(db, admin, csv_bytes(
        "sober_living,Hope House,217-555-0101,,,,,yes,,,,,", header=header))
    assert [(r.status, r.name) for r in report.rows] == [("ok", "Hope House")]
    assert directory.import_csv(db, admin, report).imported == 1
    view = local(directory.search(db, admin))[0]
    assert view.kind == "sober_living" and view.walk_in


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty"),
    (b"\r\n" + HEADER.encode() + b"\r\n", "Line 1 is blank: line 1 must be the header name,kind,"),
    (b"name,kind\nHope,other\n", "missing phone, other_contact"),
    ((HEADER + ",website\n").encode(), "unknown 'website'"),
    ((HEADER + ",name\n").encode(), "repeated name"),
    (HEADER.encode() + b"\nCaf\xe9,other,217-555-0101,,,,,,,,\n", r"not UTF-8 text \(line 2"),
])
def test_a_file_that_is_not_a_directory_csv_is_refused_in_one_line(db, admin, content, message):
    with pytest.raises(ValidationError, match=message) as info:
        directory.check_csv(db, admin, io.BytesIO(content))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value, expected", [
    ("yes", True), ("YES", True), ("true", True), ("1", True), ("y", True),
    ("no", False), ("False", False), ("0", False), ("", False),
])
def test_walk_in_values(db, admin, value, expected):
    report = directory.check_csv(db, admin, csv_bytes(row("Hope House", walk_in=value)))
    directory.import_csv(db, admin, report)
    assert local(directory.search(db, admin))[0].walk_in is expected


# --- CSV: importing --------------------------------------------------------------------------------

def test_all_or_nothing_by_default_and_only_valid_on_request(db, admin):
    content = csv_bytes(row("Hope House"), row("Bad", phone="nope"), row("Oak Lodge", phone="217-555-0107"))
    report = directory.check_csv(db, admin, content)
    refused = directory.import_csv(db, admin, report)
    assert refused.blocked and refused.imported == 0 and refused.refused == 1
    assert refused.message.startswith("Nothing was imported: 1 of the 3 rows was refused.")
    assert count_local(db) == 0
    assert not [e for e in audit.recent(db, admin) if e.action == "directory.imported"]

    partial = directory.import_csv(db, admin, report, only_valid=True)
    assert (partial.imported, partial.refused, partial.blocked) == (2, 1, False)
    assert partial.message == "Imported 2 of 3 entries. 1 refused."
    assert names(directory.search(db, admin)) == ["Hope House", "Oak Lodge"]
    events = [e for e in audit.recent(db, admin) if e.action == "directory.imported"]
    assert len(events) == 1 and events[0].username == "admin"
    assert events[0].detail["imported"] == 2 and len(events[0].detail["ids"]) == 2
    assert events[0].detail["only_valid"] is True
    assert {v.created_by for v in local(directory.search(db, admin))} == {admin.id}


def test_a_contact_added_between_check_and_import_is_skipped(db, admin):
    report = directory.check_csv(db, admin, csv_bytes(row("Hope House"), row("Oak Lodge", phone="217-555-0107")))
    directory.add_entry(db, admin, entry(name="Hope House", kind="sober_living", phone="217-555-0101"))
    result = directory.import_csv(db, admin, report)
    assert result.imported == 1 and result.duplicates == 1
    assert [(r.line, r.status) for r in result.late_duplicates] == [(2, "duplicate")]
    assert names(directory.search(db, admin)) == ["Hope House", "Oak Lodge"]


def many_rows(n: int) -> io.BytesIO:
    rows = [row(f"Program {i:05d} Núñez", kind="outpatient_program",
                phone=f"(217) {200 + i // 10000:03d}-{i % 10000:04d}",
                address=f"{i} Main Street, Springfield", languages="en,es", walk_in="yes",
                notes="Invented for a test", verified="2026-01-15")
            for i in range(n)]
    return csv_bytes(*rows)


def test_cancel_midway_leaves_nothing(db, admin):
    report = directory.check_csv(db, admin, many_rows(450))
    assert report.ok == 450
    seen = []
    result = directory.import_csv(db, admin, report, progress=lambda d, t: seen.append((d, t)),
                                  cancelled=lambda: len(seen) >= 2)
    assert result.cancelled and result.imported == 0 and "cancelled" in result.message
    assert seen == [(100, 450), (200, 450)]
    assert count_local(db) == 0
    assert not [e for e in audit.recent(db, admin) if e.action == "directory.imported"]
    # Cancelling after the last batch still leaves nothing.
    late = directory.import_csv(db, admin, report, progress=lambda d, t: seen.append((d, t)),
                                cancelled=lambda: seen[-1][0] == 450)
    assert late.cancelled and count_local(db) == 0


def test_progress_is_reported_every_hundred_rows(db, admin):
    report = directory.check_csv(db, admin, many_rows(250))
    seen = []
    result = directory.import_csv(db, admin, report, progress=lambda d, t: seen.append((d, t)),
                                  cancelled=lambda: False)
    assert result.imported == 250 and not result.cancelled
    assert seen == [(100, 250), (200, 250), (250, 250)]


def test_five_thousand_rows_check_and_import_in_a_few_seconds(db, admin):
    content = many_rows(5000)
    started = time.perf_counter()
    report = directory.check_csv(db, admin, content)
    checked = time.perf_counter()
    result = directory.import_csv(db, admin, report)
    done = time.perf_counter()
    print(f"\n5,000 directory rows: check {checked - started:.2f} s, import {done - checked:.2f} s, "
          f"total {done - started:.2f} s")
    assert report.ok == 5000 and result.imported == 5000
    assert count_local(db) == 5000
    assert done - started < 10  # typically ~1-2 s; the goal is "a few seconds"
    started = time.perf_counter()
    hits = directory.search(db, admin, "program 0421")
    assert names(hits) == [f"Program {i:05d} Núñez" for i in [421, *range(4210, 4220)]]
    assert time.perf_counter() - started < 1


# --- CSV: round trip -------------------------------------------------------------------------------

COMPARED = ["key", "name", "kind", "phone", "phone_display", "other_contact", "address", "hours",
            "languages", "walk_in", "payment", "notes", "last_verified", "active"]


def comparable(views):
    return [{k: getattr(v, k) for k in COMPARED} for v in views]


@pytest.fixture
def source(tmp_path):
    """A second database (the clinic the file comes from)."""
    database = dbmod.open_database(tmp_path / "source.db")
    yield database, accounts.create_first_admin(database, "admin", "Ada Admin", STRONG_PASSWORD)
    database.dispose()


def test_export_then_import_into_a_fresh_database_gives_the_same_entries(source, any_db, any_admin):
    db, admin = source
    directory.add_entry(db, admin, entry())
    directory.add_entry(db, admin, entry(name='The "Quoted", Program', kind="counselor", phone="217-555-0110 ext 4",
                                         address="", other_contact="www.example.org, chat", languages="",
                                         walk_in=False, payment="", notes="Line one\nLine two, with comma",
                                         last_verified=None))
    directory.add_entry(db, admin, entry(name="Tuesday NA", kind="mutual_help_meeting", phone="",
                                         address="Church hall", notes="", languages="es"))
    gone = directory.add_entry(db, admin, entry(name="Closed Program", phone="217-555-0111", address=""))
    directory.deactivate_entry(db, admin, gone.id)
    source = directory.search(db, admin)

    exported = io.BytesIO()
    assert directory.export_csv(db, admin, exported) == 8
    assert exported.getvalue().startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    exported.seek(0)
    report = directory.check_csv(any_db, any_admin, exported)
    assert [r.status for r in report.rows] == ["duplicate"] * 5 + ["ok"] * 3
    result = directory.import_csv(any_db, any_admin, report)
    assert (result.imported, result.duplicates, result.refused) == (3, 5, 0)
    assert comparable(directory.search(any_db, any_admin)) == comparable(source)

    text_out = io.StringIO()
    directory.export_csv(any_db, any_admin, text_out)
    assert not text_out.getvalue().startswith("\ufeff")
    again = io.BytesIO()
    directory.export_csv(db, admin, again)
    assert again.getvalue()[3:].decode() == text_out.getvalue()


def test_import_and_export_are_audited(db, admin, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(csv_bytes(row("Hope House")).getvalue())
    with path.open("rb") as stream:
        report = directory.check_csv(db, admin, stream)
    assert report.source == "contacts.csv"
    directory.import_csv(db, admin, report)
    assert audit.recent(db, admin, limit=1)[0].detail["source"] == "contacts.csv"
    directory.export_csv(db, admin, io.StringIO())
    with db.read() as s:
        actions = s.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions[-2:] == ["directory.imported", "directory.exported"]
    assert audit.verify_chain(db, admin).intact


def test_the_migration_is_where_the_seed_lives():
    spec = importlib.util.spec_from_file_location(
        "m0004", paths.migrations_dir() / "versions" / "0004_referral_directory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [c["key"] for c in module.NATIONAL_CONTACTS] == list(directory.NATIONAL_KEYS)
    assert "clinic_desktop" not in (paths.migrations_dir() / "versions" / "0004_referral_directory.py").read_text()


# --- CSV: cells a spreadsheet would run as formulas (OWASP) ---------------------------------------

FORMULA_CELLS = {  # the text -> as written to the CSV
    '=HYPERLINK("x")': '\'=HYPERLINK("x")',
    "+1 217 555 0100": "'+1 217 555 0100",
    "-": "'-",
    "@x": "'@x",
    "\tx": "'\tx",
    "\rx": "'\rx",
    "x": "x",
    "": "",
    "a=b": "a=b",
    "'plain": "'plain",        # a quote before ordinary text is the text's own
    "'=x": "''=x",             # already quoted before a formula: one more, so it comes back as it was
    "''+1": "'''+1",
}


@pytest.mark.parametrize("text", list(FORMULA_CELLS))
def test_a_formula_cell_is_quoted_on_export_and_unquoted_on_import(text):
    written = directory.csv_cell_out(text)
    assert written == FORMULA_CELLS[text]
    assert directory.csv_cell_in(written) == text


def test_the_import_takes_off_only_the_quote_the_export_adds():
    assert directory.csv_cell_in("'+1 217 555 0100") == "+1 217 555 0100"  # typed in a spreadsheet
    assert directory.csv_cell_in("'plain") == "'plain"
    assert directory.csv_cell_in("'") == "'"
    assert directory.csv_cell_in("x'=") == "x'="


def test_formula_cells_are_exported_quoted_and_come_back_exactly(source, db, admin):
    src_db, src_admin = source
    directory.add_entry(src_db, src_admin, entry(
        name='=HYPERLINK("x")', phone="+1 217 555 0100", other_contact="@x", address="",
        hours="-", payment="+ sliding scale", notes="-\nthen a line", languages="en"))
    directory.add_entry(src_db, src_admin, entry(name="Plain Place", phone="217-555-0143", address="",
                                                 notes="x", hours="'=not a formula"))
    exported = io.BytesIO()
    directory.export_csv(src_db, src_admin, exported)
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"), newline="")))
    by_name = {r[0]: dict(zip(directory.CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    risky = by_name['\'=HYPERLINK("x")']
    assert (risky["other_contact"], risky["hours"], risky["payment"], risky["notes"]) == (
        "'@x", "'-", "'+ sliding scale", "'-\nthen a line")
    assert risky["phone"] == "'+1 217 555 0100"  # the phone as typed, quoted
    plain = by_name["Plain Place"]
    assert (plain["notes"], plain["hours"]) == ("x", "''=not a formula")
    assert not any(cell.startswith(directory.FORMULA_START) for r in rows for cell in r)

    exported.seek(0)
    report = directory.check_csv(db, admin, exported)
    assert [r.status for r in report.rows if r.status != "duplicate"] == ["ok", "ok"]
    directory.import_csv(db, admin, report)
    assert comparable(local(directory.search(db, admin))) == comparable(local(directory.search(src_db, src_admin)))
    imported = {v.name: v for v in local(directory.search(db, admin))}
    assert imported['=HYPERLINK("x")'].phone == "+12175550100"
    assert imported['=HYPERLINK("x")'].notes == "-\nthen a line"
    assert imported["Plain Place"].hours == "'=not a formula"
