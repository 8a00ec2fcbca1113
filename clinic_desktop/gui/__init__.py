"""The Qt side of Clinic Desktop. Talks to core.services, never to a Session or an ORM object."""

from __future__ import annotations

import sys


def protect_none_refcount() -> None:
    """Work around a reference-count bug in the PySide6 6.12.0 wheels on CPython < 3.12.

    Every call to a Qt method that returns ``void`` hands back ``None`` without taking a reference
    to it, so each call lowers ``None``'s reference count by one; after a few thousand calls the
    interpreter aborts with "Fatal Python error: none_dealloc". Every Python ``Signal.emit`` does
    the same to ``True`` ("bool_dealloc"). From Python 3.12 on these are immortal and the bug is
    harmless. Here ``None``, ``True`` and ``False`` are given enough references never to reach
    zero (CPython only: ``ob_refcnt`` is the first field of every object). Idempotent. It runs
    when this package is imported, so before any screen, dialog or model of ours calls into Qt.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for value in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(value))
        if refcount.value < 1 << 40:
            refcount.value += 1 << 42


protect_none_refcount()
