"""Logging to a rotating file in the platform log folder.

Log records never carry a patient's name, MRN or date of birth: code logs ids and counts only
(tests check the log file after patient work).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from clinic_desktop import paths

LOG_FILE_NAME = "clinic-desktop.log"
_configured: Path | None = None


def log_file() -> Path:
    return paths.user_log_dir() / LOG_FILE_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Configure the root logger once; return the log file's path (shown in About)."""
    global _configured
    target = log_file()
    if _configured == target:
        return target
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_clinic_desktop", False)]:
        root.removeHandler(old)
        old.close()
    handler._clinic_desktop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _configured = target
    return target


def log_error(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an unexpected error by its type and where it happened, never its message: a message can
    quote what was typed (a name, an MRN), and the log must not carry patient identifiers."""
    import traceback

    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s: %s (message withheld from the log)\n%s", what, type(exc).__name__, frames.rstrip())
