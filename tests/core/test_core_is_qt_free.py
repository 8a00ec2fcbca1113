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
    out = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=repo, capture_output=True, check=False,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert "qt-free" in out.stdout


FORBIDDEN_IN_REPORTS = ("clinic_desktop.core.services", "clinic_desktop.core.db", "clinic_desktop.core.models",
                        "sqlalchemy")


def test_every_report_module_is_a_leaf():
    """A renderer reads no database: document data in, bytes out (DESIGN.md 12, 15). Every
    module under reports/ imports only core's pure rules and vocabulary, never services, db,
    models or SQLAlchemy."""
    import ast

    repo = Path(__file__).resolve().parents[2]
    modules = sorted((repo / "clinic_desktop" / "reports").rglob("*.py"))
    assert {"document.py", "handover.py", "letter.py", "plan.py", "plan_pdf.py"} <= {m.name for m in modules}
    offenders = {}
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     for alias in node.names}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        bad = sorted(m for m in imported if m.startswith(FORBIDDEN_IN_REPORTS))
        if bad:
            offenders[str(path.relative_to(repo))] = bad
    assert not offenders, offenders


LOAD_REPORTS = r"""
import importlib, pkgutil, sys
import clinic_desktop.reports
for mod in pkgutil.walk_packages(clinic_desktop.reports.__path__, "clinic_desktop.reports."):
    importlib.import_module(mod.name)
print("\n".join(sorted(sys.modules)))
"""


def test_the_reports_do_not_load_the_database_even_indirectly():
    """What reports/ imports from core does not pull in services, db, models or SQLAlchemy
    either (a pure rule module that grew a database import would)."""
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", LOAD_REPORTS], cwd=repo, capture_output=True, check=False,
                         text=True)
    assert out.returncode == 0, out.stderr
    loaded = out.stdout.split()
    assert "clinic_desktop.reports.plan_pdf" in loaded
    assert not [m for m in loaded if m.startswith(FORBIDDEN_IN_REPORTS)]


def test_permissions_and_vocabulary_load_without_the_orm():
    """The GUI checks a permission or names a stage without loading core.models (#13)."""
    repo = Path(__file__).resolve().parents[2]
    code = ("import sys; import clinic_desktop.core.permissions, clinic_desktop.core.vocab; "
            "assert 'clinic_desktop.core.models' not in sys.modules, 'models loaded'; "
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy loaded'; print('light')")
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, check=False,
                         text=True)
    assert out.returncode == 0, out.stderr
