"""PostgreSQL without a password in sight: libpq's password file, TLS to other machines, and the
client tools (pg_dump, pg_restore, psql) run with no password in their argument list.

* A password never travels on a command line (the process list shows it to every account on the
  machine) nor into a log or an error message. It comes from libpq's password file (``PGPASSFILE``
  or ``~/.pgpass``, 0600), which libpq reads itself, or from a prompt at the first connection,
  which may then save it there (:func:`save_password`). ``CLINIC_DESKTOP_DB`` may carry one (the
  environment is not in the process list), but the password file is preferred.
* A server that is not on this machine is reached with ``sslmode=require`` unless the URL names
  an sslmode itself (:func:`with_sslmode`).
* :func:`tool_command` builds a client tool's argument list from the URL without its password;
  the password, when the app holds one, goes to the child only as ``PGPASSWORD`` in its
  environment.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.files import fsync_folder, write_private

if TYPE_CHECKING:  # SQLAlchemy is not imported for this module's sake: the CLI checks --db with it
    from sqlalchemy.engine import URL

#: Hosts that are this machine (a host starting with "/" is a Unix socket folder, also local).
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "[::1]"})
DEFAULT_PORT = 5432
#: What libpq says when the server wants a password it was not given, or refused the one given.
_PASSWORD_WANTED = ("no password supplied", "password authentication failed", "fe_sendauth")
#: URL query keys passed on to the client tools (in their connection string, never a password).
_TOOL_KEYS = ("host", "hostaddr", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl",
              "connect_timeout", "application_name", "target_session_attrs", "gssencmode",
              "channel_binding", "passfile", "service")


def without_password(url: URL) -> URL:
    """``url`` with no password at all (``URL.set(password=None)`` would keep the old one)."""
    return url._replace(password=None)


def is_postgresql(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value


def host_of(url: URL) -> str:
    """The host libpq will connect to: the URL's host, else ``?host=`` (a socket folder), else ""
    (libpq's default Unix socket)."""
    return url.host or _query_value(url, "host") or ""


def is_local(url: URL) -> bool:
    host = host_of(url)
    return host.lower() in LOCAL_HOSTS or host.startswith("/")


def with_sslmode(url: URL) -> URL:
    """``url`` with ``sslmode=require`` added when it names a server on another machine and no
    sslmode of its own (a URL that says ``sslmode=verify-full``, or even ``disable``, is kept)."""
    if not is_postgresql(url) or is_local(url) or "sslmode" in url.query:
        return url
    return url.update_query_dict({"sslmode": "require"})


def password_in_target(raw: str | os.PathLike[str] | None) -> bool:
    """Whether ``raw`` (a ``--db`` value) is a PostgreSQL URL with a password in it (read with the
    standard library: the window's start does not wait for SQLAlchemy to tell)."""
    if raw is None:
        return False
    text = os.fspath(raw)
    if "://" not in text:
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.startswith("postgres") and parts.password is not None


PASSWORD_ON_COMMAND_LINE = (
    "A password in --db is shown to every account on this machine (the process list): remove it "
    "from the URL and put it in libpq's password file (~/.pgpass, chmod 0600: "
    "host:port:database:user:password), or leave it out and Clinic Desktop will ask for it and "
    "offer to save it there. Nothing was opened."
)


def who(url: URL) -> str:
    """The database, user and server in words, without any password."""
    host = host_of(url) or "localhost"
    port = url.port or _query_value(url, "port") or DEFAULT_PORT
    return f"{url.database or '(default database)'} as {user_of(url)} on {host}:{port}"


def user_of(url: URL) -> str:
    """The user libpq connects as: the URL's, else PGUSER, else this account's name."""
    return url.username or os.environ.get("PGUSER") or getpass.getuser()


class PasswordNeeded(DatabaseProblem):
    """The server asked for a password the app does not have, or refused the one it was given.

    ``url`` is the database (without a password) to ask the password for; ``refused`` is true when
    a password was given and the server refused it."""

    def __init__(self, url: URL, *, refused: bool) -> None:
        self.url = without_password(url)
        self.refused = refused
        what = "refused the password for" if refused else "asks for a password for"
        super().__init__(f"The PostgreSQL server {what} {who(url)}: put it in libpq's password file "
                         "(~/.pgpass, chmod 0600) or enter it when asked. Nothing was changed.")


def needs_password(message: str) -> bool:
    """Whether libpq's ``message`` says the server wants a (right) password."""
    said = message.lower()
    return any(words in said for words in _PASSWORD_WANTED)


def password_problem(url: URL, message: str) -> PasswordNeeded | None:
    """The PasswordNeeded for libpq's ``message`` when it is about the password, else None."""
    if not needs_password(message):
        return None
    return PasswordNeeded(url, refused="authentication failed" in message.lower())


# --- libpq's password file -----------------------------------------------------------------------

def pgpass_path() -> Path:
    """libpq's password file: ``PGPASSFILE``, else ~/.pgpass (on Windows
    %APPDATA%\\postgresql\\pgpass.conf)."""
    named = os.environ.get("PGPASSFILE")
    if named:
        return Path(named).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def escape_field(value: str) -> str:
    """A password file field as libpq reads it: ``\\`` and ``:`` escaped with a backslash."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def split_line(line: str) -> list[str]:
    """A password file line's fields, unescaped (libpq: a backslash takes the next character
    literally; ``:`` separates fields)."""
    fields: list[str] = []
    current: list[str] = []
    chars = iter(line)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ":" and len(fields) < 4:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def pgpass_fields(url: URL) -> tuple[str, str, str, str]:
    """host, port, database, user of the line libpq would look up for ``url``."""
    host = host_of(url) or "localhost"
    port = str(url.port or _query_value(url, "port") or DEFAULT_PORT)
    user = user_of(url)
    return host, port, url.database or user, user


def save_password(url: URL, password: str, path: Path | None = None) -> Path:
    """Write ``password`` for ``url``'s host:port:database:user into libpq's password file:
    replace the line for exactly those four fields (not a wildcard line) or add one at the end.
    Every other line is kept byte for byte. The file is written whole and atomically, 0600 (libpq
    ignores a password file others can read). Returns the file."""
    path = path or pgpass_path()
    key = list(pgpass_fields(url))
    new_line = ":".join(escape_field(v) for v in (*key, password)).encode("utf-8")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = b""
    except OSError as exc:
        raise DatabaseProblem(f"Cannot read the password file {path}: {exc.strerror or exc}. "
                              "The password was not saved.") from None
    lines = old.splitlines(keepends=True)
    kept, replaced = [], False
    for raw in lines:
        text = raw.rstrip(b"\r\n").decode("utf-8", errors="surrogateescape")
        if not text.startswith("#") and split_line(text)[:4] == key:
            if not replaced:
                ending = raw[len(raw.rstrip(b"\r\n")):] or b"\n"
                kept.append(new_line + ending)
                replaced = True
            continue  # a second line for the same four fields would only shadow the first
        kept.append(raw)
    if not replaced:
        if kept and not kept[-1].endswith(b"\n"):
            kept[-1] += b"\n"
        kept.append(new_line + b"\n")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, b"".join(kept))
    except OSError as exc:
        raise DatabaseProblem(f"Cannot write the password file {path}: {exc.strerror or exc}. "
                              "The password was not saved.") from None
    return path


# --- the client tools ----------------------------------------------------------------------------

def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def conninfo(url: URL) -> str:
    """A libpq connection string for ``url`` WITHOUT its password: host, port, user, dbname and
    the connection options of its query (sslmode, ...)."""
    parts: dict[str, str] = {}
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    if url.username:
        parts["user"] = url.username
    if url.database:
        parts["dbname"] = url.database
    for key in _TOOL_KEYS:
        value = _query_value(url, key)
        if value is not None and key not in parts:
            parts[key] = value
    return " ".join(f"{key}={_conninfo_value(value)}" for key, value in parts.items())


def tool_command(tool: str, url: URL, *args: str) -> tuple[list[str], dict[str, str]]:
    """(argv, env) to run PostgreSQL's ``tool`` on ``url``: the connection (no password) as
    ``--dbname=<connection string>``, ``--no-password`` so the tool never prompts, then ``args``;
    the password, when ``url`` holds one, only as ``PGPASSWORD`` in the child's environment."""
    found = shutil.which(tool)
    if found is None:
        raise DatabaseProblem(f"{tool} is needed for this and is not installed: install PostgreSQL's "
                              "client programs (postgresql-client), then try again.")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return [found, "--no-password", f"--dbname={conninfo(url)}", *args], env


def run_tool(tool: str, url: URL, *args: str, what: str) -> subprocess.CompletedProcess[str]:
    """Run ``tool`` (see :func:`tool_command`); PasswordNeeded when the server wants a password,
    DatabaseProblem naming ``what`` failed (with the tool's last error line) on any other failure."""
    argv, env = tool_command(tool, url, *args)
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False,
                              stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise DatabaseProblem(f"{what} failed: {tool} could not run ({exc.strerror or exc}).") from None
    if proc.returncode != 0:
        told = tool_error(proc.stderr)
        problem = password_problem(url, told)
        if problem is not None:
            raise problem
        raise DatabaseProblem(f"{what} failed: {told}")
    return proc


def tool_error(stderr: str) -> str:
    """The tool's error in one line (its first error line, else its last line)."""
    lines = [" ".join(line.split()) for line in (stderr or "").strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "fatal" in line.lower()]
    return (errors or lines or ["no message"])[0]


def dump(url: URL, out: Path) -> Path:
    """``pg_dump --format=custom`` of ``url`` into ``out``: written to a new private (0600) file
    beside it, fsynced, then renamed over it; on failure nothing is left there."""
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")  # 0600
    except OSError as exc:
        raise DatabaseProblem(f"Cannot write a backup in {out.parent}: {exc.strerror or exc}. "
                              "Choose a folder you can write to.") from None
    os.close(fd)
    partial = Path(name)
    try:
        run_tool("pg_dump", url, "--format=custom", f"--file={partial}", what=f"The backup to {out}")
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
    except OSError as exc:
        raise DatabaseProblem(f"The backup to {out} failed: {exc.strerror or exc}. "
                              "Nothing was left there.") from None
    finally:
        partial.unlink(missing_ok=True)
    fsync_folder(out.parent)
    return out
