"""``clinic-desktop self-check``: does this installation have everything it needs?

For whoever installs Clinic Desktop on a workstation (and for CI, on the bundle and the .deb):
each part the app loads only when a screen needs it is exercised once, on a throw-away database
in a temporary folder, never the clinic's own data. Qt runs offscreen, so no window opens.

* the shipped files: fonts, style sheet, migrations, common-password list;
* a new database upgraded by the shipped migrations, with the invented demo patients;
* an aftercare plan printed to PDF with the shipped fonts embedded (ReportLab);
* the plan in the PDF preview (QtPdf, QtPdfWidgets) and its first page drawn;
* a withdrawal trend chart drawn (painted by the app with QPainter);
* the application icon (Qt's SVG plugins) and a logo image read for the plan (Pillow);
* the printing support (Qt's print plugins; the printers found are listed, none is fine).

Prints one line per check and "self-check passed" (status 0) or "self-check FAILED" (status 1).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by the database check itself
    from clinic_desktop.core.db import Database

PASSED = "self-check passed"
FAILED = "self-check FAILED"


class _Checks:
    """The checks in order; later ones use what earlier ones made (the database, the PDF)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db: Database | None = None
        self.pdf = b""

    def shipped_files(self) -> str:
        from clinic_desktop import paths
        from clinic_desktop.reports import fonts

        wanted = [fonts.font_path(name) for name in (fonts.MAIN, fonts.MAIN_BOLD, fonts.FALLBACK)]
        wanted += [paths.resource("styles", "app.qss"), paths.migrations_dir() / "env.py",
                   paths.core_data("common_passwords.txt")]
        missing = [str(path) for path in wanted if not path.is_file()]
        versions = list((paths.migrations_dir() / "versions").glob("*.py"))
        if missing or not versions:
            raise RuntimeError("missing: " + ", ".join(missing or ["the migration versions"]))
        return f"in {paths.shipped_root()}, {len(versions)} migrations"

    def database(self) -> str:
        from clinic_desktop.core.services import demo, vault

        # Encrypted, as a clinic's new database is: SQLCipher's driver and the key wrapping are
        # part of what an installation must have.
        self.db = db = vault.create_encrypted(str(self.folder / "self-check.db")).db
        added = demo.seed(db)
        return f"created encrypted (SQLCipher), upgraded to the latest schema, {added} demo patients"

    def plan_pdf(self) -> str:
        from clinic_desktop.core.services import demo, plans
        from clinic_desktop.reports import fonts

        if self.db is None:
            raise RuntimeError("no database to print from (the database check failed)")
        fonts.register_fonts()
        result = plans.export_plan_from_console(self.db, demo.DEMO_PLAN_MRN)
        self.pdf = result.pdf
        if not self.pdf.startswith(b"%PDF") or fonts.MAIN.encode() not in self.pdf:
            raise RuntimeError(f"the plan PDF does not embed {fonts.MAIN}")
        return f"{len(self.pdf) // 1024} KB with {fonts.MAIN} embedded"

    def pdf_preview(self) -> str:
        from PySide6.QtCore import QSize
        from PySide6.QtPdf import QPdfDocument

        from clinic_desktop.gui.pdf_preview import PdfPreview

        preview = PdfPreview(self.pdf, "Self-check", "self-check.pdf")
        try:
            if preview.document.status() != QPdfDocument.Status.Ready or preview.page_count() < 1:
                raise RuntimeError(f"the preview did not load the PDF ({preview.document.error()})")
            page = preview.document.render(0, QSize(300, 424))
            if page.isNull() or _blank(page):
                raise RuntimeError("the first page rendered blank")
            return f"{preview.page_count()} pages, the first one drawn"
        finally:
            preview.deleteLater()

    def trend_chart(self) -> str:
        from clinic_desktop.gui.widgets.trend_chart import DoseMark, TrendChart, TrendPoint

        admitted = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
        hour = dt.timedelta(hours=1)
        chart = TrendChart()
        try:
            chart.resize(480, 300)
            chart.show_trend(admitted, [TrendPoint("cows", admitted + hour, 14),
                                        TrendPoint("cows", admitted + 5 * hour, 6)],
                             [DoseMark(admitted + 2 * hour, "self-check dose")], now=admitted + 6 * hour)
            image = chart.grab().toImage()
            if len(chart.series_points("cows")) != 2 or image.isNull() or _blank(image):
                raise RuntimeError("the chart did not draw its series")
            return "2 points and a dose drawn"
        finally:
            chart.deleteLater()

    def images(self) -> str:
        from PySide6.QtGui import QIcon
        from reportlab.lib.utils import ImageReader

        from clinic_desktop.app import APP_ICON, load_resources

        load_resources()
        pixmap = QIcon(APP_ICON).pixmap(64, 64)
        logo = self.folder / "logo.png"
        if pixmap.isNull() or not pixmap.save(str(logo), "PNG"):
            raise RuntimeError(f"the application icon {APP_ICON} does not draw (Qt's SVG plugins?)")
        size = ImageReader(str(logo)).getSize()
        return f"icon drawn, a {size[0]}×{size[1]} PNG logo read for the plan"

    def printing(self) -> str:
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not printer.isValid():
            raise RuntimeError("Qt's print support is not usable")
        names = QPrinterInfo.availablePrinterNames()
        return f"{len(names)} printers found" + (f": {', '.join(names)}" if names else "")


def _blank(image) -> bool:
    """Whether a QImage is one colour (checked on a coarse grid)."""
    first = image.pixel(0, 0)
    return all(image.pixel(x, y) == first
               for x in range(0, image.width(), max(1, image.width() // 24))
               for y in range(0, image.height(), max(1, image.height() // 24)))


def run_self_check(say: Callable[[str], None] = print) -> bool:
    """Run every check, telling ``say`` how each went; True when all passed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import clinic_desktop.gui  # noqa: F401 - its guard runs before anything calls into Qt

    _app = QApplication.instance() or QApplication(["clinic-desktop-self-check"])
    ok = True
    with tempfile.TemporaryDirectory(prefix="clinic-desktop-self-check-") as folder:
        checks = _Checks(Path(folder))
        steps = [("shipped files", checks.shipped_files), ("database", checks.database),
                 ("aftercare plan PDF", checks.plan_pdf), ("PDF preview", checks.pdf_preview),
                 ("trend chart", checks.trend_chart), ("icon and logo images", checks.images),
                 ("printing", checks.printing)]
        try:
            for name, step in steps:
                try:
                    say(f"{name}: ok, {step()}")
                except Exception as exc:  # noqa: BLE001 - each failure is reported, the rest still run
                    ok = False
                    say(f"{name}: FAILED, {exc.__class__.__name__}: {exc}")
        finally:
            if checks.db is not None:
                checks.db.dispose()
    say(PASSED if ok else FAILED)
    return ok
