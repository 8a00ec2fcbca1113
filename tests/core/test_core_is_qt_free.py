"""Core and reports never import Qt: they must import with PySide6 blocked."""

import subprocess
import sys
from pathlib import Path

BLOCK_QT = r"""
import importlib.abc, sys
class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith(("PySide6.", "shiboken6")):
            raise ImportError(f"Qt imported by core: {name}")
        return None
sys.meta_path.insert(0, BlockQt())
import pkgutil, importlib
import clinic_desktop.core, clinic_desktop.reports, clinic_desktop.cli, clinic_desktop.paths, clinic_desktop.logs
for pkg in (clinic_desktop.core, clinic_desktop.reports):
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if ".migrations" in mod.name:
            continue
        importlib.import_module(mod.name)
assert not [m for m in sys.modules if m.startswith("PySide6")]
print("qt-free")
"""


def test_core_and_reports_import_without_qt():
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "qt-free" in out.stdout


def test_handover_report_is_a_leaf():
    """The handover's renderer reads no database: document data in, bytes out (DESIGN.md 12).
    The letter and the plan renderers are checked once #13 moves their shared blocks."""
    import ast

    repo = Path(__file__).resolve().parents[2]
    tree = ast.parse((repo / "clinic_desktop" / "reports" / "handover.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    forbidden = ("clinic_desktop.core.services", "clinic_desktop.core.db", "clinic_desktop.core.models",
                 "sqlalchemy")
    assert not [m for m in imported if m.startswith(forbidden)], imported


def test_permissions_and_vocabulary_load_without_the_orm():
    """The GUI checks a permission or names a stage without loading core.models (#13)."""
    repo = Path(__file__).resolve().parents[2]
    code = ("import sys; import clinic_desktop.core.permissions, clinic_desktop.core.vocab; "
            "assert 'clinic_desktop.core.models' not in sys.modules, 'models loaded'; "
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy loaded'; print('light')")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
