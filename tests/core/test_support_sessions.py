"""Support sessions (#16 items 2–6): counselors record counseling, group and family sessions,
nurses and prescribers peer contacts and brief check-ins; each is signed with the password and
corrected only by addendum (by its author or an administrator); a group is one transaction for
all its attendees and never names one on another's record; a family session is shared only under
a consent naming that person; what the patient says matters and the readiness ruler reach the
plan and the trend."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import consent as consent_rules
from clinic_desktop.core import support as rules
from clinic_desktop.core.errors import NotFound, PermissionDenied, ValidationError
from clinic_desktop.core.models import utcnow
from clinic_desktop.core.services import audit, episodes, plans, support
from tests.conftest import STRONG_PASSWORD, make_user
from tests.factories import admit_with_signed_intake, admit_without_intake, complete_draft


@pytest.fixture
def episode(db, admin):
    return admit_without_intake(db, admin)


def ago(**kwargs) -> dt.datetime:
    return utcnow() - dt.timedelta(**kwargs)


def session_input(kind="individual", **overrides) -> rules.SessionInput:
    values = {"kind": kind, "started_at": ago(minutes=50), "duration_min": 45,
              "approaches": ("motivational_interviewing", "cbt"),
              "patient_words": "I want to be there for my daughter", "agreed": "Call the IOP tomorrow",
              "next_step": "Review the plan on Friday"} | overrides
    return rules.SessionInput(**values)


# --- who records what --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["individual", "family", "peer", "brief"])
def test_a_counselor_records_every_kind_signed_with_the_password(db, counselor, episode, kind):
    extra = {"family_member": "Rosa Stable"} if kind == "family" else {}
    saved = support.record_session(db, counselor, episode.id, session_input(kind, **extra), STRONG_PASSWORD)
    [listed] = support.sessions(db, counselor, episode.id)
    assert listed.id == saved.id and listed.kind == kind and listed.signed_by_name == counselor.full_name
    assert listed.approach_labels == ("Motivational interviewing", "Cognitive-behavioral therapy (CBT)")
    assert listed.patient_words == "I want to be there for my daughter"


@pytest.mark.parametrize("role", ["nurse", "prescriber"])
def test_nurses_and_prescribers_record_peer_and_brief_contacts_only(db, admin, episode, role):
    user = make_user(db, admin, role, f"{role}-s")
    for kind in ("peer", "brief"):
        support.record_session(db, user, episode.id, session_input(kind), STRONG_PASSWORD)
    for kind in ("individual", "family"):
        with pytest.raises(PermissionDenied, match="Only a counselor"):
            support.record_session(db, user, episode.id, session_input(kind, family_member="Rosa"),
                                   STRONG_PASSWORD)
    with pytest.raises(PermissionDenied):
        support.record_group(db, user, [episode.id], rules.GroupInput("Sleep", ago(hours=1), 60), STRONG_PASSWORD)
    assert sorted(s.kind for s in support.sessions(db, user, episode.id)) == ["brief", "peer"]


def test_a_viewer_records_nothing(db, admin, episode):
    viewer = make_user(db, admin, "viewer")
    with pytest.raises(PermissionDenied):
        support.record_session(db, viewer, episode.id, session_input("brief"), STRONG_PASSWORD)
    assert support.sessions(db, viewer, episode.id) == []  # but reads them


def test_a_wrong_password_signs_nothing(db, counselor, episode):
    with pytest.raises(ValidationError) as info:
        support.record_session(db, counselor, episode.id, session_input(), "not my password")
    assert "password" in info.value.fields
    assert support.sessions(db, counselor, episode.id) == []


def discharge(db, admin, episode):
    episode = episodes.change_stage(db, admin, episode.id, episode.version, "transition")
    return episodes.change_stage(db, admin, episode.id, episode.version, "discharged", reason="Completed")


def test_a_discharged_episode_takes_no_session(db, admin, counselor, episode):
    discharge(db, admin, episode)
    with pytest.raises(ValidationError, match="closed"):
        support.record_session(db, counselor, episode.id, session_input(), STRONG_PASSWORD)


# --- what a session must hold ------------------------------------------------------------------

def test_duration_limits_at_and_beyond_each_end(db, counselor, episode):
    for minutes in (1, 480):
        support.record_session(db, counselor, episode.id, session_input(duration_min=minutes), STRONG_PASSWORD)
    for minutes in (0, 481, None):
        with pytest.raises(ValidationError) as info:
            rules.check(session_input(duration_min=minutes), utcnow())
        assert set(info.value.fields) == {"duration_min"}


def test_readiness_ruler_at_and_beyond_its_ends(db, counselor, episode):
    for value in (0, 10, "7"):
        clean = rules.check(session_input(importance=value, confidence=value), utcnow())
        assert clean["importance"] == int(value) and clean["confidence"] == int(value)
    for value in (-1, 11, 2.5, "high", True):
        with pytest.raises(ValidationError) as info:
            rules.check(session_input(importance=value), utcnow())
        assert set(info.value.fields) == {"importance"}


def test_late_entry_needs_a_reason_past_24_hours_from_either_side(db, counselor, episode):
    now = utcnow()
    assert rules.check(session_input(started_at=now - dt.timedelta(hours=23, minutes=59)), now)["reason"] is None
    with pytest.raises(ValidationError) as info:
        rules.check(session_input(started_at=now - dt.timedelta(hours=24, minutes=1)), now)
    assert set(info.value.fields) == {"reason"}
    late = rules.check(session_input(started_at=now - dt.timedelta(hours=25), reason="Power cut"), now)
    assert late["reason"] == "Power cut"
    # the future: within the clock tolerance, accepted; beyond it, refused
    rules.check(session_input(started_at=now + dt.timedelta(seconds=30)), now)
    with pytest.raises(ValidationError) as info:
        rules.check(session_input(started_at=now + dt.timedelta(hours=1)), now)
    assert set(info.value.fields) == {"started_at"}


def test_something_must_be_written_and_a_family_session_names_the_member(db):
    now = utcnow()
    with pytest.raises(ValidationError) as info:
        rules.check(session_input("brief", patient_words=" ", agreed="", next_step=""), now)
    assert set(info.value.fields) == {"patient_words"}
    # the ruler alone, or what matters alone, is something written
    rules.check(session_input("brief", patient_words="", agreed="", next_step="", confidence=4), now)
    rules.check(session_input("brief", patient_words="", agreed="", next_step="",
                              what_matters={"strengths": "Cooking"}), now)
    with pytest.raises(ValidationError) as info:
        rules.check(session_input("family", family_member="  "), now)
    assert set(info.value.fields) == {"family_member"}
    with pytest.raises(ValidationError) as info:
        rules.check(session_input("group"), now)
    assert set(info.value.fields) == {"kind"}
    with pytest.raises(ValidationError) as info:
        rules.check(session_input(approaches=("hypnosis",), what_matters={"hobbies": "x"}), now)
    assert set(info.value.fields) == {"approaches", "what_matters"}


# --- addenda -------------------------------------------------------------------------------------

def test_only_the_author_or_an_administrator_adds_an_addendum(db, admin, counselor, episode):
    saved = support.record_session(db, counselor, episode.id, session_input(), STRONG_PASSWORD)
    other = make_user(db, admin, "counselor", "counselor-2")
    with pytest.raises(PermissionDenied, match="author or an administrator"):
        support.add_addendum(db, other, saved.id, "Wrong day", "It was Tuesday")
    with pytest.raises(ValidationError) as info:
        support.add_addendum(db, counselor, saved.id, " ", "")
    assert set(info.value.fields) == {"reason", "text"}
    support.add_addendum(db, counselor, saved.id, "Wrong next step", "Review on Thursday, not Friday")
    support.add_addendum(db, admin, saved.id, "Spelling", "IOP is Northside IOP")
    [listed] = support.sessions(db, counselor, episode.id)
    assert [(a.reason, a.created_by_name) for a in listed.addenda] == [
        ("Wrong next step", counselor.full_name), ("Spelling", admin.full_name)]
    assert listed.next_step == "Review the plan on Friday"  # the signed session never changes
    with pytest.raises(NotFound):
        support.add_addendum(db, counselor, 9999, "Why", "What")


def test_audit_names_the_parts_never_the_words(db, admin, counselor, episode):
    saved = support.record_session(db, counselor, episode.id, session_input(importance=8), STRONG_PASSWORD)
    support.add_addendum(db, counselor, saved.id, "Correction", "Secret words")
    events = {e.action: e for e in audit.recent(db, admin) if e.action.startswith("session.")}
    recorded = events["session.recorded"]
    assert recorded.patient_id == episode.patient_id and recorded.entity_id == str(saved.id)
    assert set(recorded.detail["parts"]) == {"patient_words", "agreed", "next_step", "importance"}
    text = repr(recorded.detail) + repr(events["session.addendum"].detail)
    assert "daughter" not in text and "Secret" not in text


# --- groups --------------------------------------------------------------------------------------

def _three(db, admin):
    return [admit_without_intake(db, admin, mrn=f"G-{n}", given=given, family=family)
            for n, (given, family) in enumerate([("Ana", "Reyes"), ("Ben", "Okafor"), ("Hope", "Lindqvist")])]


def test_a_group_is_one_entry_on_each_attendee_and_names_no_other(db, admin, counselor):
    ana, ben, hope = _three(db, admin)
    data = rules.GroupInput("Sleep and cravings", ago(hours=1), 60, ("psychoeducation",),
                            note="Sleep hygiene; urge surfing practised.",
                            lines={ana.id: "Shared her evening routine", ben.id: ""})
    saved = support.record_group(db, counselor, [ana.id, ben.id, hope.id], data, STRONG_PASSWORD)
    assert len(saved) == 3
    for ep, line in ((ana, "Shared her evening routine"), (ben, ""), (hope, "")):
        [s] = support.sessions(db, counselor, ep.id)
        assert (s.kind, s.group_topic, s.group_note, s.patient_words) == (
            "group", "Sleep and cravings", "Sleep hygiene; urge surfing practised.", line)
    audited = [e for e in audit.recent(db, admin) if e.action == "session.recorded"]
    assert sorted(e.patient_id for e in audited) == sorted(ep.patient_id for ep in (ana, ben, hope))


def test_a_group_note_naming_an_attendee_is_refused_and_nothing_saved(db, admin, counselor):
    ana, ben, _hope = _three(db, admin)
    data = rules.GroupInput("Coping", ago(hours=1), 60, note="ANA talked about okafor's advice",
                            lines={ben.id: "Agreed with Reyes"})
    with pytest.raises(ValidationError) as info:
        support.record_group(db, counselor, [ana.id, ben.id], data, STRONG_PASSWORD)
    assert set(info.value.fields) == {"note", f"lines.{ben.id}"}
    assert "Ana" in info.value.fields["note"] and "Okafor" in info.value.fields["note"]
    # one's own name in one's own line is fine
    support.record_group(db, counselor, [ana.id, ben.id],
                         rules.GroupInput("Coping", ago(hours=1), 60, lines={ben.id: "Ben led the breathing"}),
                         STRONG_PASSWORD)
    for ep in (ana, ben):
        assert len(support.sessions(db, counselor, ep.id)) == 1


def test_a_word_that_is_also_a_name_is_kept_once_staff_confirm_it(db, admin, counselor):
    ana, _ben, hope = _three(db, admin)
    data = rules.GroupInput("Finding hope", ago(hours=1), 60)
    with pytest.raises(ValidationError, match="Hope"):
        support.record_group(db, counselor, [hope.id, ana.id], data, STRONG_PASSWORD)
    support.record_group(db, counselor, [hope.id, ana.id], data, STRONG_PASSWORD, not_names=["hope"])
    assert support.sessions(db, counselor, ana.id)[0].group_topic == "Finding hope"


def test_a_group_is_all_or_none(db, admin, counselor):
    ana, ben, hope = _three(db, admin)
    discharge(db, admin, hope)
    with pytest.raises(ValidationError) as info:
        support.record_group(db, counselor, [ana.id, ben.id, hope.id],
                             rules.GroupInput("Sleep", ago(hours=1), 60), STRONG_PASSWORD)
    assert set(info.value.fields) == {"attendees"}
    with pytest.raises(NotFound):
        support.record_group(db, counselor, [ana.id, 9999], rules.GroupInput("Sleep", ago(hours=1), 60),
                             STRONG_PASSWORD)
    for ep in (ana, ben, hope):
        assert support.sessions(db, counselor, ep.id) == []
    with pytest.raises(ValidationError) as info:
        support.record_group(db, counselor, [], rules.GroupInput("", ago(hours=1), 60, lines={ana.id: "x"}),
                             STRONG_PASSWORD)
    assert set(info.value.fields) == {"attendees", "topic", "lines"}


# --- family sessions and consent -----------------------------------------------------------------

def _person_consent(db, counselor, episode_id, name="Rosa Stable", *, signed_on=None, expires_on=None):
    today = dt.date.today()
    return plans.record_consent(db, counselor, episode_id, plans.ConsentInput(
        None, "Family support during detox", ("relapse",), expires_on or today + dt.timedelta(days=30),
        signed_on or today, person_name=name, person_relationship="sister"), today=today)


def test_a_family_session_without_consent_is_recorded_without_disclosure(db, counselor, episode):
    saved = support.record_session(db, counselor, episode.id, session_input("family", family_member="Rosa Stable"),
                                   STRONG_PASSWORD)
    assert saved.consent_id is None and not saved.disclosed


def test_a_family_session_is_shared_under_the_consent_naming_that_person(db, admin, counselor, episode):
    consent = _person_consent(db, counselor, episode.id)
    assert consent.directory_entry_id is None and consent.recipient_relationship == "sister"
    saved = support.record_session(db, counselor, episode.id,
                                   session_input("family", family_member="rosa  STABLE"), STRONG_PASSWORD)
    assert saved.consent_id == consent.id and saved.disclosed
    other = support.record_session(db, counselor, episode.id,
                                   session_input("family", family_member="Luis Stable"), STRONG_PASSWORD)
    assert other.consent_id is None
    [event] = [e for e in audit.recent(db, admin) if e.action == "session.recorded" and e.entity_id == str(other.id)]
    assert event.detail["disclosed"] is False


def test_a_revoked_or_expired_consent_shares_nothing(db, counselor, episode):
    today = dt.date.today()
    consent = _person_consent(db, counselor, episode.id)
    plans.revoke_consent(db, counselor, consent.id)
    assert support.record_session(db, counselor, episode.id, session_input("family", family_member="Rosa Stable"),
                                  STRONG_PASSWORD).consent_id is None
    with db.read() as s:
        # expiring today: still valid today; the day after, not
        valid = _person_consent(db, counselor, episode.id, "Mia Stable", signed_on=today - dt.timedelta(days=5),
                                expires_on=today + dt.timedelta(days=1))
        assert support.family_consent(s, episode.id, "Mia Stable", today + dt.timedelta(days=1)).id == valid.id
        assert support.family_consent(s, episode.id, "Mia Stable", today + dt.timedelta(days=2)) is None
        assert support.family_consent(s, episode.id, "Mia Stable", today - dt.timedelta(days=6)) is None


def test_a_person_consent_needs_a_name_and_never_serves_a_referral_letter(db, counselor, episode):
    today = dt.date.today()
    with pytest.raises(ValidationError) as info:
        plans.record_consent(db, counselor, episode.id, plans.ConsentInput(
            None, "Family", ("relapse",), today + dt.timedelta(days=3), today, person_name=" "), today=today)
    assert set(info.value.fields) == {"directory_entry_id"}
    person = _person_consent(db, counselor, episode.id, "Northside IOP")
    with pytest.raises(ValidationError, match="a person, not a provider"):
        consent_rules.check_letter(person, today=today, entry_id=None, recipient_name="Northside IOP")


# --- what matters, readiness, the plan -----------------------------------------------------------

def test_the_plan_prefills_from_the_newest_session_then_the_intake(db, admin):
    counselor = make_user(db, admin, "counselor", "counselor-wm")
    episode_id, _ = admit_with_signed_intake(db, admin, transition=True)
    intake_said = support.what_matters(db, counselor, episode_id)
    support.record_session(db, counselor, episode_id, session_input(
        "individual", started_at=ago(hours=3), what_matters={"reasons": "My daughter"}), STRONG_PASSWORD)
    support.record_session(db, counselor, episode_id, session_input(
        "individual", started_at=ago(hours=2), what_matters={"reasons": "My daughter and my job",
                                                              "routines": "Walk at 7"}), STRONG_PASSWORD)
    heard = support.what_matters(db, counselor, episode_id)
    assert heard["reasons"] == "My daughter and my job" and heard["routines"] == "Walk at 7"
    assert heard["strengths"] == intake_said["strengths"]
    plan = plans.open_plan(db, counselor, episode_id)
    assert plan.draft["relapse"]["reasons"] == "My daughter and my job"
    assert plan.draft["my_day"]["routine"] == "Walk at 7"
    assert plan.draft["relapse"]["coping"] == intake_said["strengths"]


def test_readiness_trend_from_intake_and_sessions(db, admin):
    counselor = make_user(db, admin, "counselor", "counselor-rr")
    episode_id, _ = admit_with_signed_intake(db, admin, transition=True, intake_data=complete_draft(
        social={"readiness_importance": 9, "readiness_confidence": 3}))
    support.record_session(db, counselor, episode_id, session_input(
        "brief", started_at=utcnow(), importance=9, confidence=5), STRONG_PASSWORD)
    support.record_session(db, counselor, episode_id, session_input("brief", started_at=utcnow()),
                           STRONG_PASSWORD)  # no ruler: not a point
    points = support.readiness(db, counselor, episode_id)
    assert [(p.source, p.importance, p.confidence) for p in points] == [("intake", 9, 3), ("brief", 9, 5)]


# --- two workstations at once --------------------------------------------------------------------

def test_a_group_racing_a_discharge_never_lands_on_the_discharged_record(any_db_target, monkeypatch):
    """Workstation 1 discharges a patient while workstation 2 saves a group they attended, 12
    rounds: either the group committed first (its entry precedes the discharge in the audit
    chain) or it is refused whole — never an entry added to a record already discharged."""
    import threading

    from clinic_desktop.core.db import open_database
    from clinic_desktop.core.services import accounts

    first, second = open_database(any_db_target), open_database(any_db_target)
    try:
        admin = accounts.create_first_admin(first, "admin", "Ada Admin", STRONG_PASSWORD)
        counselor = make_user(first, admin, "counselor")
        # the password is checked before the transaction: leave it out so the two writes meet
        monkeypatch.setattr(accounts, "confirm_password", lambda _db, user, _password: user)
        outcomes = []
        for n in range(12):
            stays = admit_without_intake(first, admin, mrn=f"R-{n}a", given="Ira", family=f"Race{n}a")
            leaving = admit_without_intake(first, admin, mrn=f"R-{n}b", given="Lou", family=f"Race{n}b",
                                           stage="transition")
            barrier, errors, refused = threading.Barrier(2), [], []

            def group(stays=stays, leaving=leaving, barrier=barrier, errors=errors, refused=refused):
                barrier.wait(timeout=30)
                try:
                    support.record_group(second, counselor, [stays.id, leaving.id],
                                         rules.GroupInput("Sleep", ago(minutes=30), 30), STRONG_PASSWORD)
                except ValidationError as exc:
                    refused.append(exc.fields)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            def leave(leaving=leaving, barrier=barrier, errors=errors):
                barrier.wait(timeout=30)
                try:
                    episodes.change_stage(first, admin, leaving.id, leaving.version, "discharged", reason="Completed")
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=group), threading.Thread(target=leave)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            events = [e for e in audit.recent(first, admin, patient_id=leaving.patient_id)]
            discharged = [e.seq for e in events if e.action == "episode.stage_changed"
                          and "discharged" in repr(e.detail)]
            recorded = [e.seq for e in events if e.action == "session.recorded"]
            assert len(discharged) == 1
            if refused:
                assert refused == [{"attendees": "A ticked patient was discharged; untick them."}]
                assert recorded == [] and support.sessions(first, admin, stays.id) == []
                outcomes.append("refused")
            else:
                assert len(recorded) == 1 and recorded[0] < discharged[0]
                outcomes.append("saved first")
        assert len(outcomes) == 12
    finally:
        first.dispose()
        second.dispose()
