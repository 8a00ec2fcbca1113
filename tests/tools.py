"""System tools the tests use, and what to do when one is missing.

`make test` installs all of them (its ``test-deps`` target). Run some other way, a test that
needs a missing tool is skipped with the one command that installs it, and fails under CI=true:
CI must prove that every test ran on what a new developer gets.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

#: Each tool a test runs, and the Debian package that brings it.
DEBIAN_PACKAGE = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdffonts": "poppler-utils",
}


def unavailable(what: str, fix: str) -> NoReturn:
    """Skip this test because ``what`` is missing, naming the command ``fix`` that brings it;
    under CI=true fail instead."""
    message = f"{what.rstrip('.')}. To run this test: {fix}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true needs every test to run: {message}", pytrace=False)
    try:  # reported at the test that needs it (-ra), not at this line
        skipped = pytest.skip.Exception(message, _use_item_location=True)
    except TypeError:  # a pytest without that keyword
        skipped = pytest.skip.Exception(message)
    raise skipped


def require_tool(*tools: str) -> None:
    """Skip (or fail under CI=true) unless every command in ``tools`` is on PATH."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        packages = sorted({DEBIAN_PACKAGE.get(tool, tool) for tool in missing})
        unavailable(f"{', '.join(missing)} not installed",
                    f"sudo apt-get install -y {' '.join(packages)}  (or `make test-deps`)")


def needs_tools(*tools: str) -> pytest.MarkDecorator:
    """Mark a test that runs ``tools``; checked in tests/conftest.py before the test starts."""
    return pytest.mark.needs_tools(*tools)
