"""Every read of a patient's record is audited once per opening (#18 item 5): the flowsheet, the
MAR, care, prompts, support sessions, consents, the plan document, the handover (one event per
patient listed) and a search shown (its length and count, never its text) — and a refresh writes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clinic_desktop.core import clock
from clinic_desktop.core.errors import NotFound
from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import (
    audit,
    handover,
    mar,
    patients,
    plans,
    stabilization,
    support,
)
from tests.factories import admit_with_signed_intake, plan_with_consent


def head(db) -> int:
    with db.read() as s:
        return s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar() or 0


def since(db, seq: int) -> list[tuple]:
    """The events written after ``seq``: (action, patient_id, entity_type, entity_id, detail)."""
    with db.read() as s:
        return [tuple(r) for r in s.execute(
            select(AuditEvent.action, AuditEvent.patient_id, AuditEvent.entity_type, AuditEvent.entity_id,
                   AuditEvent.detail).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)).all()]


def _day_bounds():
    start = clock.local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


#: Each view: its action and how the screen reads it (``opening`` on its first load only).
VIEWS = {
    "flowsheet.opened": lambda db, u, e, o: stabilization.flowsheet(db, u, e, opening=o),
    "mar.opened": lambda db, u, e, o: mar.mar(db, u, e, *_day_bounds(), clock.now(), opening=o),
    "care.opened": lambda db, u, e, o: stabilization.supportive_care_for_day(
        db, u, e, clock.local(clock.now()).date(), opening=o),
    "prompts.opened": lambda db, u, e, o: mar.naltrexone_prompt(db, u, e, clock.now(), opening=o),
    "support.opened": lambda db, u, e, o: support.sessions(db, u, e, opening=o),
    "consents.opened": lambda db, u, e, o: plans.consents(db, u, e, opening=o),
}


@pytest.fixture
def two_in_stabilization(db, admin):
    """Two patients in stabilization: [(episode id, patient view), …]."""
    return [admit_with_signed_intake(db, admin, mrn=mrn, transition=False) for mrn in ("P-1", "P-2")]


@pytest.mark.parametrize("action", list(VIEWS))
def test_opening_a_view_writes_one_event_under_its_patient_and_a_refresh_none(db, nurse, two_in_stabilization,
                                                                               action):
    (episode_id, patient), _other = two_in_stabilization
    read = VIEWS[action]
    before = head(db)
    refreshed = read(db, nurse, episode_id, False)
    assert since(db, before) == []  # a refresh (F5, the timer, another workstation's change)
    opened = read(db, nurse, episode_id, True)
    assert opened == refreshed  # the same view either way
    assert since(db, before) == [(action, patient.id, "episode", str(episode_id), None)]
    after = head(db)
    read(db, nurse, episode_id, False)
    read(db, nurse, episode_id, False)
    assert since(db, after) == []


@pytest.mark.parametrize("action", list(VIEWS))
def test_an_opening_that_fails_writes_nothing(db, nurse, action):
    before = head(db)
    with pytest.raises(NotFound):
        VIEWS[action](db, nurse, 9999, True)
    assert since(db, before) == []


def test_an_opening_is_a_read_the_other_workstations_are_not_told_of():
    from clinic_desktop.core import live

    assert not any(live.is_change(action) for action in [*VIEWS, "plan_document.opened", "handover.viewed",
                                                         "patient.searched"])


def test_the_plan_document_opened_is_audited_once_under_its_patient(db, admin, counselor):
    ready = plan_with_consent(db, admin, counselor)
    before = head(db)
    plans.document(db, counselor, ready["plan_id"])
    assert since(db, before) == []
    doc = plans.document(db, counselor, ready["plan_id"], opening=True)
    assert doc.draft
    assert since(db, before) == [("plan_document.opened", ready["patient"].id, "plan", str(ready["plan_id"]), None)]


def test_the_handover_viewed_is_audited_once_per_patient_listed(db, nurse, two_in_stabilization):
    (first, p1), (second, p2) = two_in_stabilization
    now = clock.now()
    before = head(db)
    handover.build_handover(db, nurse, now)
    assert since(db, before) == []
    report = handover.build_handover(db, nurse, now, opening=True)
    assert {s.episode_id for s in report.patients} == {first, second}
    assert sorted(since(db, before)) == sorted([
        ("handover.viewed", p1.id, "episode", str(first), {"patients": 2}),
        ("handover.viewed", p2.id, "episode", str(second), {"patients": 2})])
    after = head(db)
    handover.build_handover(db, nurse, now, [second], opening=True)  # one patient's handover
    assert since(db, after) == [("handover.viewed", p2.id, "episode", str(second), {"patients": 1})]


def test_printing_the_handover_is_audited_as_printed_only(db, admin, nurse, two_in_stabilization):
    before = head(db)
    handover.print_handover(db, nurse, clock.now())
    assert {row[0] for row in since(db, before)} == {"handover.printed"}


@pytest.mark.parametrize("typed", ["Díaz", "p-1", "1987-06-05", "Rosa D"])
def test_a_search_shown_is_audited_with_its_length_and_count_never_its_text(db, nurse, two_in_stabilization,
                                                                           typed):
    before = head(db)
    quiet = patients.search(db, nurse, typed)  # a keystroke, not yet shown
    assert since(db, before) == []
    found = patients.search(db, nurse, f"  {typed} ", shown=True)
    assert found == quiet and found  # both patients, or the one whose MRN it is
    events = since(db, before)
    assert events == [("patient.searched", None, None, None,
                       {"query_length": len(typed), "results": len(found)})]
    with db.read() as s:
        row = s.execute(select(AuditEvent).where(AuditEvent.seq > before)).scalar_one()
        stored = " ".join(str(getattr(row, c.key)) for c in AuditEvent.__table__.columns).lower()
    assert typed.lower() not in stored and typed.split()[0].lower() not in stored


def test_an_empty_search_reads_nothing_and_is_not_audited(db, nurse):
    before = head(db)
    assert patients.search(db, nurse, "   ", shown=True) == []
    assert since(db, before) == []


def test_the_trail_stays_intact_after_the_openings(db, admin, nurse, two_in_stabilization):
    episode_id, _patient = two_in_stabilization[0]
    for read in VIEWS.values():
        read(db, nurse, episode_id, True)
    patients.search(db, nurse, "Rosa", shown=True)
    assert audit.verify_chain(db, admin).intact
