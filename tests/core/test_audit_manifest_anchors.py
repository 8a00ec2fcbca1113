"""The backups' manifests are anchors too (#17 item 7): each records the chain's head it saw, and
verify-audit fails when the live trail was rewound or rewritten behind any of them, naming the
backup. A restore replaces the trail on purpose: it is recorded in the restored trail, this
workstation's anchor moves onto it, and anchors seen before it beyond what the backup held (a
trail the restore replaced) are no longer compared."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from clinic_desktop.core.models import AuditEvent
from clinic_desktop.core.services import audit, backup
from tests.conftest import make_user
from tests.core.test_audit_anchor import recompute, rewind
from tests.core.test_cli import cli


@pytest.fixture(autouse=True)
def own_anchors(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path / "workstation"))


@pytest.fixture
def usb(tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def head(db) -> int:
    with db.read() as s:
        return s.execute(text("SELECT seq FROM audit_head")).scalar_one()


def only_manifests(db, usb) -> audit.Verified:
    """verify against the manifests alone (this workstation's anchor set aside)."""
    audit.anchor_file().unlink(missing_ok=True)
    return audit.verify(db, anchors=backup.manifest_anchors(usb, db.url))


def test_each_manifest_is_an_anchor_of_its_database(db, admin, sqlite_path, usb):
    first = backup.backup_to_folder(str(sqlite_path), usb, 14)
    make_user(db, admin, "nurse")
    second = backup.backup_to_folder(str(sqlite_path), usb, 14)
    anchors = backup.manifest_anchors(usb, db.url)
    assert [a.source for a in anchors] == [f"the backup {second.path} (its manifest)",
                                           f"the backup {first.path} (its manifest)"]
    assert anchors[0].seq > anchors[1].seq
    assert json.loads(second.manifest.read_text())["database"] == str(sqlite_path.resolve())
    report = audit.verify(db, anchors=anchors)
    assert report.intact and report.anchors == 2  # no workstation anchor yet: both manifests
    assert audit.verify(db, anchors=anchors).anchors == 3  # and now this workstation's too


def test_a_trail_rewound_behind_a_backup_is_broken_naming_it(db, admin, sqlite_path, usb):
    make_user(db, admin, "nurse")
    taken = backup.backup_to_folder(str(sqlite_path), usb, 14)
    seen = head(db)
    rewind(db, seen - 1)
    assert audit.verify_chain(db).intact
    report = only_manifests(db, usb)
    assert not report.intact and "rewound" in report.problem
    assert f"the backup {taken.path} (its manifest) saw event {seen}" in report.problem


def test_a_trail_recomputed_behind_a_backup_is_broken(db, admin, sqlite_path, usb):
    make_user(db, admin, "nurse")
    backup.backup_to_folder(str(sqlite_path), usb, 14)
    recompute(db, 2, "someone else")
    assert audit.verify_chain(db).intact
    report = only_manifests(db, usb)
    assert not report.intact and "rewritten" in report.problem and "(its manifest)" in report.problem


def test_manifests_of_another_database_or_unreadable_are_no_anchors(db, admin, sqlite_path, usb):
    made = backup.backup_to_folder(str(sqlite_path), usb, 14)
    data = json.loads(made.manifest.read_text())
    made.manifest.write_text(json.dumps({**data, "database": "/elsewhere/other.db"}))
    assert backup.manifest_anchors(usb, db.url) == []
    made.manifest.write_text("{not json")
    assert backup.manifest_anchors(usb, db.url) == []
    del data["database"]  # a manifest from before manifests named their database: this folder's
    made.manifest.write_text(json.dumps(data))
    assert len(backup.manifest_anchors(usb, db.url)) == 1


def test_a_restore_is_recorded_and_rewinds_the_anchors_on_purpose(db, admin, sqlite_path, usb, tmp_path):
    """Back up at A; go on (the workstation anchor and a later backup see more); restore A: the
    restored trail records the restore, verifies against every anchor (the later ones saw the
    replaced trail), and a rewind of the restored trail is caught again."""
    at_a = backup.backup_to_folder(str(sqlite_path), usb, 14)
    a_head = head(db)
    make_user(db, admin, "nurse")
    make_user(db, admin, "counselor")
    backup.backup_to_folder(str(sqlite_path), usb, 14)  # saw the trail the restore replaces
    assert audit.verify(db).intact  # this workstation's anchor is there, beyond A
    db.dispose()

    kept = backup.restore(str(sqlite_path), at_a.path)
    from clinic_desktop.core.db import open_database

    restored = open_database(sqlite_path)
    try:
        with restored.read() as s:
            last = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
            assert (last.seq, last.action, last.username) == (a_head + 1, audit.RESTORED_ACTION, "(console)")
            assert last.detail["from"] == at_a.path.name and last.detail["kept"] == kept.name
            assert last.detail["replaced_head"]["sequence"] > a_head
        assert audit.read_anchor(restored).seq == a_head + 1
        report = audit.verify(restored, anchors=backup.manifest_anchors(usb, restored.url))
        assert report.intact, report.problem
        assert report.anchors == 2  # this workstation's, and A's own manifest (the later one not compared)

        make_user(restored, admin, "nurse")  # the restored trail goes on, and is anchored again
        assert audit.verify(restored).intact
        rewind(restored, a_head + 1)
        assert not audit.verify(restored).intact
    finally:
        restored.dispose()


def test_verify_audit_command_compares_the_backup_folder(db, admin, sqlite_path, usb):
    make_user(db, admin, "nurse")
    taken = backup.backup_to_folder(str(sqlite_path), usb, 14)
    ok = cli("--db", sqlite_path, "verify-audit", "--backups", usb)
    assert ok.returncode == 0 and "it agrees with the 1 anchor " in ok.stdout, ok.stderr
    again = cli("--db", sqlite_path, "verify-audit", "--backups", usb)  # now with this workstation's
    assert again.returncode == 0 and "it agrees with the 2 anchors " in again.stdout, again.stderr
    seen = json.loads(taken.manifest.read_text())["audit_head"]["sequence"]
    rewind(db, seen - 1)
    audit.anchor_file().unlink(missing_ok=True)  # the command's own workstation is another one
    broken = cli("--db", sqlite_path, "verify-audit", "--backups", usb)
    assert broken.returncode == 3 and f"the backup {taken.path} (its manifest)" in broken.stderr
    missing = cli("--db", sqlite_path, "verify-audit", "--backups", usb / "not-plugged-in")
    assert missing.returncode != 0 and "Cannot read the backup folder" in missing.stderr
