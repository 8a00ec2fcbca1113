"""The one place that knows where shipped files and user data live.

Three layouts are supported:

* the source tree (``make run``, editable install): ``<repo>/resources`` and ``<repo>/ui``;
* an installed wheel: files copied into the package as ``clinic_desktop/_shipped/``;
* a PyInstaller bundle: everything under ``sys._MEIPASS``.

User data (the default database, logs) lives in the platform folders from platformdirs,
or under ``CLINIC_DESKTOP_DATA_DIR`` when that is set (tests, demos, portable installs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from clinic_desktop import APP_ID, ORG_NAME

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundle_root() -> Path | None:
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else None


def shipped_root() -> Path:
    """The folder that holds ``resources/`` (and ``ui/`` in the source tree)."""
    bundle = _bundle_root()
    if bundle is not None:
        return bundle
    wheel = PACKAGE_DIR / "_shipped"
    if (wheel / "resources").is_dir():
        return wheel
    return PACKAGE_DIR.parent


def resources_dir() -> Path:
    return shipped_root() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def ui_dir() -> Path:
    return shipped_root() / "ui"


def migrations_dir() -> Path:
    bundle = _bundle_root()
    if bundle is not None:
        return bundle / "clinic_desktop" / "core" / "migrations"
    return PACKAGE_DIR / "core" / "migrations"


def core_data(name: str) -> Path:
    bundle = _bundle_root()
    base = bundle / "clinic_desktop" / "core" / "data" if bundle else PACKAGE_DIR / "core" / "data"
    return base / name


#: The umask of a Clinic Desktop process: what it creates — the database and its WAL, backups,
#: logs, exports, PDFs — is its user's alone (files 0600, folders 0700): they hold health records.
PRIVATE_UMASK = 0o077


def keep_private() -> None:
    """Set :data:`PRIVATE_UMASK` for this process (POSIX; on Windows a user's profile folders are
    already theirs alone)."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def user_data_dir(*, create: bool = True) -> Path:
    """The user data folder; created (private to this account: it holds health records) unless
    ``create`` is false (``clinic-desktop doctor`` only looks)."""
    override = os.environ.get("CLINIC_DESKTOP_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, ORG_NAME))
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def user_log_dir(*, create: bool = True) -> Path:
    override = os.environ.get("CLINIC_DESKTOP_DATA_DIR")
    if override:  # inside the data folder, which is made first (private)
        path = user_data_dir(create=create) / "logs"
    else:
        path = Path(platformdirs.user_log_dir(APP_ID, ORG_NAME))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path(*, create: bool = True) -> Path:
    return user_data_dir(create=create) / "clinic.db"


def database_target(target: str | os.PathLike[str] | None = None, *, create: bool = True) -> str:
    """The database as given: ``--db``, else ``CLINIC_DESKTOP_DB``, else clinic.db in the user data
    folder (created unless ``create`` is false). A file path or a URL; core.db turns it into a
    SQLAlchemy URL."""
    raw = os.fspath(target) if target is not None else os.environ.get("CLINIC_DESKTOP_DB")
    return raw or str(default_database_path(create=create))
