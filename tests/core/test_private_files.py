"""Exports write only regular files (issue #17 item 8): clinic_desktop.core.files."""

from __future__ import annotations

import os
import socket
import stat
import sys
from pathlib import Path

import pytest

from clinic_desktop.core.files import NotARegularFile, private_file, write_private

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds and modes")


def snapshot(*paths: Path) -> dict[str, tuple[bytes | None, int]]:
    """Each path's bytes (None for a non-regular file) and lstat mode."""
    out = {}
    for path in paths:
        mode = os.lstat(path).st_mode
        data = path.read_bytes() if stat.S_ISREG(mode) else None
        out[str(path)] = (data, mode)
    return out


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@posix_only
def test_a_new_file_is_written_whole_and_only_for_its_owner(tmp_path):
    target = tmp_path / "plan.pdf"
    old_umask = os.umask(0o022)
    try:
        write_private(target, b"%PDF-1.4 plan")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"%PDF-1.4 plan"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert folder_listing(tmp_path) == ["plan.pdf"]  # no temporary file left


@posix_only
def test_an_existing_regular_file_is_replaced_and_becomes_private(tmp_path):
    target = tmp_path / "directory.csv"
    target.write_bytes(b"old")
    target.chmod(0o644)
    with private_file(target) as stream:
        stream.write(b"new,")
        stream.write(b"rows")
    assert target.read_bytes() == b"new,rows"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert folder_listing(tmp_path) == ["directory.csv"]


@posix_only
def test_a_symlink_is_refused_and_neither_it_nor_its_target_changes(tmp_path):
    real = tmp_path / "clinic.db"
    real.write_bytes(b"SQLite format 3\0 precious")
    link = tmp_path / "export.csv"
    link.symlink_to(real)
    before = snapshot(real, link)
    with pytest.raises(NotARegularFile) as refused:
        write_private(link, b"overwritten")
    assert str(refused.value) == (f"{link} is a symbolic link, not a regular file: nothing was "
                                  "written; choose a file name in a folder instead.")
    assert snapshot(real, link) == before
    assert os.readlink(link) == str(real)
    assert folder_listing(tmp_path) == ["clinic.db", "export.csv"]


@posix_only
def test_a_symlink_to_nowhere_is_refused_too(tmp_path):
    link = tmp_path / "export.csv"
    link.symlink_to(tmp_path / "not-yet")
    with pytest.raises(NotARegularFile, match="is a symbolic link"):
        write_private(link, b"x")
    assert not (tmp_path / "not-yet").exists() and link.is_symlink()
    assert folder_listing(tmp_path) == ["export.csv"]


def test_a_folder_is_refused_and_its_contents_stay(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    inside = folder / "kept.csv"
    inside.write_bytes(b"kept")
    before = snapshot(folder, inside)
    with pytest.raises(NotARegularFile, match=r"is a folder, not a regular file"):
        write_private(folder, b"x")
    assert snapshot(folder, inside) == before
    assert folder_listing(folder) == ["kept.csv"] and folder_listing(tmp_path) == ["exports"]


@posix_only
def test_a_device_is_refused_and_stays_a_device(monkeypatch):
    device = Path("/dev/null")
    before = os.lstat(device)
    real_replace = os.replace

    def guarded_replace(src, dst):  # should the check ever fail, /dev/null survives it (root in CI)
        if Path(dst) == device:
            raise AssertionError("os.replace reached /dev/null")
        return real_replace(src, dst)

    monkeypatch.setattr("clinic_desktop.core.files.os.replace", guarded_replace)
    with pytest.raises(NotARegularFile, match=r"^/dev/null is a device, not a regular file"):
        write_private(device, b"x")
    after = os.lstat(device)
    assert (after.st_mode, after.st_rdev, after.st_ino) == (before.st_mode, before.st_rdev, before.st_ino)
    assert not [p for p in Path("/dev").glob(".null.*.partial")]


@posix_only
def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    before = snapshot(fifo)
    with pytest.raises(NotARegularFile, match=r"is a pipe \(FIFO\), not a regular file"):
        write_private(fifo, b"x")  # opening it for writing would block: this returns at once
    assert snapshot(fifo) == before and folder_listing(tmp_path) == ["pipe.csv"]


@posix_only
def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.sock"
    if len(str(path)) > 100:
        pytest.skip("socket path too long for AF_UNIX here")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        before = snapshot(path)
        with pytest.raises(NotARegularFile, match="is a socket"):
            write_private(path, b"x")
        assert snapshot(path) == before
    finally:
        server.close()


def test_a_writer_that_fails_midway_leaves_no_partial_file_and_the_old_file(tmp_path):
    target = tmp_path / "directory.csv"
    target.write_bytes(b"yesterday's export")
    before = snapshot(target)

    with pytest.raises(RuntimeError, match="the database went away"), private_file(target) as stream:
        stream.write(b"half of today's")
        raise RuntimeError("the database went away")
    assert snapshot(target) == before
    assert folder_listing(tmp_path) == ["directory.csv"]


def test_a_failure_without_an_old_file_leaves_nothing(tmp_path):
    target = tmp_path / "new.pdf"
    with pytest.raises(OSError), private_file(target) as stream:
        stream.write(b"x")
        raise OSError(28, "No space left on device")
    assert folder_listing(tmp_path) == []


def test_a_folder_that_does_not_exist_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_private(tmp_path / "no" / "such.csv", b"x")
    assert folder_listing(tmp_path) == []


@posix_only
def test_something_appearing_at_the_target_while_writing_is_refused(tmp_path):
    """Checked again just before the rename: a link made meanwhile is not replaced."""
    real = tmp_path / "precious"
    real.write_bytes(b"precious")
    target = tmp_path / "out.csv"
    with pytest.raises(NotARegularFile, match="is a symbolic link"), private_file(target) as stream:
        stream.write(b"x")
        target.symlink_to(real)
    assert target.is_symlink() and real.read_bytes() == b"precious"
    assert folder_listing(tmp_path) == ["out.csv", "precious"]
