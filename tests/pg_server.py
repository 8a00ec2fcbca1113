"""A throw-away PostgreSQL server for one test session, when CLINIC_TEST_PG names none.

``initdb`` a cluster in a temporary folder, start it with ``pg_ctl`` on a free port of
127.0.0.1 (never a developer's own server on 5432), and stop it and delete the folder at the end.
The binaries are PostgreSQL's own (Debian: the newest /usr/lib/postgresql/*/bin; the ``pg_ctl``
on PATH there is a wrapper for Debian's clusters). PostgreSQL refuses to run as root, so as root
the cluster belongs to, and the server runs as, the ``postgres`` system user that Debian's
package creates.
"""

from __future__ import annotations

import atexit
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

INSTALL = "sudo apt-get install -y postgresql  (or `make test-deps`)"
OWN_SERVER = "export CLINIC_TEST_PG=postgresql+psycopg://USER:PASSWORD@HOST:PORT/postgres"
SYSTEM_USER = "postgres"


class StartError(Exception):
    """The server could not be started: ``reason``, and ``fix``, the command that would help."""

    def __init__(self, reason: str, fix: str = INSTALL):
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def _version(bindir: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in bindir.parent.name.split("."))
    except ValueError:
        return (0,)


def find_bindir() -> Path | None:
    """The folder of the newest PostgreSQL's initdb, pg_ctl and postgres, or None."""
    debian = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if debian:
        return max(debian, key=_version)
    on_path = shutil.which("initdb")  # Fedora, Arch, Homebrew put the real binaries on PATH
    if on_path:
        return Path(on_path).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, check=False, text=True)
        bindir = Path(found.stdout.strip())
        if found.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.base: Path | None = None
        self.bindir: Path | None = None
        self.running = False
        self._as_user: dict = {}

    @property
    def data(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, check=False, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=self.base,
                              env={**os.environ, "HOME": str(self.base), "LC_ALL": "C"},
                              **self._as_user)

    def start(self) -> str:
        """Start the server; its URL (user postgres, no password, database postgres)."""
        self.bindir = find_bindir()
        if self.bindir is None:
            raise StartError("PostgreSQL's initdb is not installed")
        if os.geteuid() == 0:
            import pwd

            try:
                owner = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise StartError(f"running as root, and there is no `{SYSTEM_USER}` user to run "
                                 "PostgreSQL as (it refuses to run as root)") from None
            self._as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        parent = Path(tempfile.gettempdir())
        if self._as_user and not _others_can_enter(parent):  # e.g. TMPDIR under /root
            parent = Path("/tmp")
        self.base = Path(tempfile.mkdtemp(prefix="clinic-test-pg-", dir=parent))
        atexit.register(self.stop)
        self._stop_on_sigterm()
        try:
            if self._as_user:
                os.chown(self.base, self._as_user["user"], self._as_user["group"])
            init = self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust",
                             "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync")
            if init.returncode != 0:
                raise StartError(f"initdb failed: {_last_line(init)}", OWN_SERVER)
            return self._start_on_a_free_port()
        except BaseException:
            self.stop()
            raise

    def _start_on_a_free_port(self) -> str:
        log = self.base / "server.log"
        for _attempt in range(3):  # another process may take the free port before the server does
            port = free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(self.base))}"
            started = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(log),
                                "-w", "-t", "60", "-o", options, "start")
            if started.returncode == 0:
                self.running = True
                return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        reason = (tail or [_last_line(started)])[0]
        raise StartError(f"the server did not start: {reason}", OWN_SERVER)

    def _stop_on_sigterm(self) -> None:
        """A test run ended with SIGTERM (a CI timeout, ``kill``) skips atexit: stop the server
        first, then end as SIGTERM would have."""
        if (threading.current_thread() is not threading.main_thread()
                or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
            return

        def stop_then_end(signum: int, _frame: object) -> None:
            self.stop()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        signal.signal(signal.SIGTERM, stop_then_end)

    def stop(self) -> None:
        """Stop the server (if it runs) and delete its folder; safe to call twice."""
        if self.running:
            stop = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "stop"]
            if self._run(*stop, "-m", "fast").returncode != 0:
                self._run(*stop, "-m", "immediate")
            self.running = False
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


def _others_can_enter(folder: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in (folder, *folder.parents))


def _last_line(result: subprocess.CompletedProcess) -> str:
    """The command's error line (else its last line)."""
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    errors = [line for line in lines if "error" in line.lower() or "fatal" in line.lower()]
    told = [line for line in lines if "hint:" not in line]
    return (errors or told or lines or [f"exit code {result.returncode}"])[-1]
