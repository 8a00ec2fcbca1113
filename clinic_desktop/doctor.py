"""The installation check as ``clinic-desktop doctor`` prints it and Help → Check installation shows it.

``core.doctor`` holds the checks that need no Qt. This module adds the rest, in the order support
reads them: Qt's version, whether Qt's platform plugin loads, and the PDF fonts.

Qt is imported only inside the functions here, so that a broken or missing Qt is reported, not
fatal. Whether the platform plugin loads is tried in a child process (``clinic-desktop doctor
--qt-probe`` creates a QGuiApplication under the same ``QT_QPA_PLATFORM``): a plugin that cannot
load aborts its process, and it must not take the doctor with it. In the running app the plugin
has loaded already, and the check says which one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from clinic_desktop.core.doctor import Check, run_checks

PROBE_ARG = "--qt-probe"
PROBE_ANSWER = "qt-platform-plugin-loaded:"
PROBE_TIMEOUT_S = 60
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def check_qt() -> Check:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except Exception as exc:  # noqa: BLE001 - ImportError, or a missing system library
        return Check("Qt", False, f"PySide6 cannot be imported ({exc.__class__.__name__}: "
                     f"{str(exc).splitlines()[0] if str(exc) else ''})",
                     "Reinstall Clinic Desktop's Python packages (make install), and Qt's system "
                     "libraries (make system-deps prints the apt-get line).")
    return Check("Qt", True, f"Qt {qVersion()}, PySide6 {PySide6.__version__}")


def probe_command() -> list[str]:
    """This program again, as ``doctor --qt-probe``: the bundle's executable, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "doctor", PROBE_ARG]
    return [sys.executable, "-m", "clinic_desktop", "doctor", PROBE_ARG]


def qt_probe_main() -> int:
    """In the child: load the platform plugin (Qt aborts the process if it cannot) and say which."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([sys.argv[0]])
    print(f"{PROBE_ANSWER}{app.platformName()}", flush=True)
    return 0


NO_DISPLAY = "could not connect to display"


def _platform_fix(output: str) -> str:
    # Qt also blames xcb-cursor when there is no display at all: the display comes first.
    if NO_DISPLAY in output.lower():
        return ("There is no display here: run it in the desktop session, or set "
                "QT_QPA_PLATFORM=offscreen to check without a screen.")
    if "xcb-cursor" in output:
        return "Install libxcb-cursor0 (sudo apt-get install libxcb-cursor0)."
    return ("Install Qt's system libraries (make system-deps prints the apt-get line); "
            "QT_DEBUG_PLUGINS=1 clinic-desktop doctor shows why the plugin failed.")


def check_platform_plugin(*, running: bool = False) -> Check:
    """The platform plugin named by QT_QPA_PLATFORM (or Qt's default) loads."""
    name = "Qt platform plugin"
    asked = os.environ.get("QT_QPA_PLATFORM", "")
    because = f" (QT_QPA_PLATFORM={asked})" if asked else ""
    if running:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            return Check(name, True, f'"{app.platformName()}" loaded{because}')
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_PARENT), env.get("PYTHONPATH", "")) if p)
    try:
        proc = subprocess.run(probe_command(), capture_output=True, text=True, env=env,
                              timeout=PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return Check(name, False, f"loading it did not finish in {PROBE_TIMEOUT_S} s{because}",
                     _platform_fix(""))
    except OSError as exc:
        return Check(name, False, f"could not be tried ({exc.strerror or exc.__class__.__name__})",
                     "Reinstall Clinic Desktop.")
    loaded = [line[len(PROBE_ANSWER):] for line in proc.stdout.splitlines() if line.startswith(PROBE_ANSWER)]
    if proc.returncode == 0 and loaded:
        return Check(name, True, f'"{loaded[0]}" loads{because}')
    output = f"{proc.stdout}\n{proc.stderr}"
    reasons = [line.strip() for line in proc.stderr.splitlines()
               if NO_DISPLAY in line.lower() or ("platform plugin" in line and "could not" in line.lower())]
    reason = reasons[0] if reasons else (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    reason = reason.removeprefix("qt.qpa.plugin: ").removeprefix("qt.qpa.xcb: ")
    return Check(name, False, f"does not load{because}: {reason}", _platform_fix(output))


def check_fonts() -> Check:
    from clinic_desktop.reports import fonts

    count, problems = fonts.font_problems()
    if problems:
        return Check("PDF fonts", False, f"{'; '.join(problems)} (in {fonts.fonts_dir()})",
                     "Reinstall Clinic Desktop: resources/fonts ships them (see its README.md).")
    return Check("PDF fonts", True, f"{count} fonts readable in {fonts.fonts_dir()}")


def qt_checks(*, running: bool = False) -> list[Check]:
    """Qt's version and its platform plugin. ``running``: inside the app, whose plugin is loaded
    already (call it on the GUI thread then)."""
    qt = check_qt()
    plugin = (check_platform_plugin(running=running) if qt.ok
              else Check("Qt platform plugin", False, "not tried: Qt cannot be imported", qt.fix))
    return [qt, plugin]


def installation_checks(db_target=None, *, qt: list[Check] | None = None) -> list[Check]:
    """Every check for the database named by ``db_target`` (``--db``, a URL, or the app's own
    ``Database.url``); ``qt``: the Qt checks when made already (by the app, on its GUI thread)."""
    return run_checks(db_target, environment=[*(qt if qt is not None else qt_checks()), check_fonts()])
