"""Files the user asks for (exported CSVs and PDFs): written whole, readable by their owner only,
and only ever as a regular file.

A target that is a symbolic link, a folder, a device, a pipe, a socket or any other special file
is refused before anything is written (renaming over it would replace the node, or write through
the link). The data goes first to a new temporary file in the same folder (created 0600, never an
existing file), is flushed to disk, then renamed over the target; on any failure the temporary
file is removed and the target is as it was.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from clinic_desktop.core.errors import ClinicError

PRIVATE_MODE = 0o600


class NotARegularFile(ClinicError):
    """The chosen target exists and is not a regular file."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_target(target: str | os.PathLike[str]) -> Path:
    """``target`` as a Path when it is absent or a regular file (not following a link);
    otherwise NotARegularFile with a one-line message naming what it is."""
    path = Path(target)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    kind = _kind(mode)
    if kind is not None:
        raise NotARegularFile(f"{path} is {kind}, not a regular file: nothing was written; "
                              "choose a file name in a folder instead.")
    return path


def fsync_folder(folder: Path) -> None:
    """Make the rename durable where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temporary(path: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        try:
            return partial, os.open(partial, flags, PRIVATE_MODE)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


@contextmanager
def private_file(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream whose contents replace ``target`` when the block ends without an error.

    Refuses (NotARegularFile, before anything is written) a target that is not a regular file.
    The temporary file beside it is 0600; it is fsynced, renamed over the target and the folder
    fsynced. When the block raises, or writing fails, the temporary file is removed and the
    target is left byte for byte as it was."""
    path = check_target(target)
    partial, fd = _create_temporary(path)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_MODE)  # exactly 0600, whatever the umask
        with os.fdopen(fd, "wb") as stream:
            fd = -1  # the stream owns it now
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        check_target(path)  # again: something may have appeared there meanwhile
        os.replace(partial, path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_private(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` through :func:`private_file`."""
    with private_file(target) as stream:
        stream.write(data)
