"""PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void Qt call, which aborts the
interpreter after a few thousand calls; importing clinic_desktop.gui installs the guard."""

import os
import subprocess
import sys
from pathlib import Path

MANY_VOID_CALLS = """
import clinic_desktop.gui
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget()
for _ in range(50_000):
    w.update()
print("survived")
"""


def test_many_void_qt_calls_do_not_abort_the_app():
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", MANY_VOID_CALLS], capture_output=True, check=False, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0 and "survived" in out.stdout, out.stderr[-500:]
