"""The recovery sheet of an encrypted database: one page to print when the recovery key is made,
and to keep locked away.

A leaf, as every report here (DESIGN.md convention 12): :class:`RecoverySheet` (plain data: the
clinic, the database's path, when the key was made, the key, the administrator who saw it) in,
PDF bytes out::

    pdf = RecoverySheetRenderer().render(RecoverySheet(...))

The key is printed large, in groups of four, in a monospaced face (:class:`KeyGroups`); the
rest in the shipped Noto Sans, embedded like every other report's text. Nothing about any patient is on the sheet; the key alone is the secret.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Paragraph, Spacer, Table, TableStyle

from clinic_desktop.reports import document, fonts, page
from clinic_desktop.reports.document import format_datetime

__all__ = ["RESET_COMMAND", "TITLE", "RecoverySheet", "RecoverySheetRenderer", "render_recovery_sheet"]

TITLE = "Recovery key"
#: The command the sheet names (``{username}``: the administrator's user name).
RESET_COMMAND = "clinic-desktop reset-password --username {username} --recovery-key-stdin"
KEEP_LOCKED = "Keep this sheet locked away. Do not photograph it, copy it or store it on a computer."

_INK, _MUTED = page.INK, page.MUTED
_RED = colors.HexColor("#A3001B")
_BOX = colors.HexColor("#F4F6F8")
PAGE_SIZES = document.PAGE_SIZES


@dataclass(frozen=True)
class RecoverySheet:
    """What the sheet prints; every text final."""

    clinic_name: str
    database: str  # the database file's path as this workstation names it
    made_at: dt.datetime  # aware (shown in the clinic's time) or local
    recovery_key: str  # "ABCD-EFGH-…"
    username: str  # the administrator who was shown the key (named in the reset command)
    page_size: str = "letter"


class KeyGroups(Flowable):
    """The recovery key, large, in a monospaced face: its groups of four on as few lines as fit,
    centred. Courier Bold is one of the fonts every PDF reader and printer has built in (PDF's
    standard 14), so it is not embedded; the key is only capitals and the digits 2-7."""

    font = "Courier-Bold"
    size = 30.0
    leading = 42.0

    def __init__(self, key: str, width: float) -> None:
        super().__init__()
        groups = [group for group in key.split("-") if group]
        self.lines: list[str] = []
        for group in groups:
            if self.lines and pdfmetrics.stringWidth(f"{self.lines[-1]}  {group}", self.font, self.size) <= width:
                self.lines[-1] += f"  {group}"
            else:
                self.lines.append(group)
        self.box_width = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.box_width, self.leading * len(self.lines)

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(_INK)
        canv.setFont(self.font, self.size)
        for row, line in enumerate(self.lines):
            y = self.leading * (len(self.lines) - row - 1) + (self.leading - self.size) / 2 + 4
            canv.drawCentredString(self.box_width / 2, y, line)
        canv.restoreState()


class RecoverySheetRenderer:
    """One page, portrait; see the module's docstring."""

    margin = 0.8 * inch
    font, bold = fonts.MAIN, fonts.MAIN_BOLD

    def render(self, sheet: RecoverySheet) -> bytes:
        if sheet.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {sheet.page_size!r}")
        self.pagesize = PAGE_SIZES[sheet.page_size]
        buffer = io.BytesIO()
        doc = page.new_document(
            buffer, pagesize=self.pagesize, leftMargin=self.margin, rightMargin=self.margin,
            topMargin=self.margin, bottomMargin=self.margin + 0.3 * inch,
            title=f"{TITLE} — {sheet.clinic_name}" if sheet.clinic_name else TITLE,
            author=sheet.clinic_name or page.CREATOR, subject="Recovery key (keep locked away)",
        )
        doc.addPageTemplates([page.page_template(doc, "recovery", self._on_page)])
        self._styles = self._stylesheet()
        doc.build(self._story(sheet, doc.width))
        return buffer.getvalue()

    def _stylesheet(self) -> dict[str, ParagraphStyle]:
        base = ParagraphStyle("body", fontName=self.font, fontSize=11, leading=15, textColor=_INK)
        return {
            "body": base,
            "title": ParagraphStyle("title", parent=base, fontName=self.bold, fontSize=22, leading=27,
                                    spaceAfter=4),
            "clinic": ParagraphStyle("clinic", parent=base, fontName=self.bold, fontSize=14, leading=18,
                                     spaceAfter=10),
            "label": ParagraphStyle("label", parent=base, fontName=self.bold, fontSize=9, leading=12,
                                    textColor=_MUTED),
            "value": ParagraphStyle("value", parent=base, fontSize=10, leading=13),
            "heading": ParagraphStyle("heading", parent=base, fontName=self.bold, fontSize=12, leading=16,
                                      spaceBefore=12, spaceAfter=3),
            "command": ParagraphStyle("command", parent=base, fontName=KeyGroups.font, fontSize=10.5, leading=14,
                                      leftIndent=12, spaceBefore=3, spaceAfter=3),
            "warning": ParagraphStyle("warning", parent=base, fontName=self.bold, fontSize=12, leading=16,
                                      textColor=_RED, spaceBefore=14),
        }

    def _on_page(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        width, _height = self.pagesize
        page.footer_line(canv, width, self.margin, KEEP_LOCKED, 8.5, 0.2 * inch)

    def _p(self, text: str, style: str) -> Paragraph:
        bold = self._styles[style].fontName == self.bold
        return Paragraph(fonts.markup_runs(text, bold=bold), self._styles[style])

    def _story(self, sheet: RecoverySheet, width: float) -> list[Flowable]:
        made = format_datetime("en", sheet.made_at)
        facts = Table(
            [[self._p(label, "label"), self._p(value, "value")] for label, value in (
                ("Database", sheet.database), ("Key made", made), ("Shown to", sheet.username))],
            colWidths=[1.1 * inch, width - 1.1 * inch], hAlign="LEFT")
        facts.setStyle(TableStyle([page.TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        key = Table([[KeyGroups(sheet.recovery_key, width - 24)]], colWidths=[width])
        key.setStyle(TableStyle([page.TABLE_FONT, ("BACKGROUND", (0, 0), (-1, -1), _BOX),
                                 ("BOX", (0, 0), (-1, -1), 1, _INK),
                                 ("TOPPADDING", (0, 0), (-1, -1), 12), ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 12), ("RIGHTPADDING", (0, 0), (-1, -1), 12)]))
        command = RESET_COMMAND.format(username=sheet.username)
        return [
            self._p(f"{TITLE} — Clinic Desktop", "title"),
            self._p(sheet.clinic_name, "clinic"),
            facts,
            Spacer(1, 14),
            key,
            self._p("What it is for", "heading"),
            self._p("The clinic's records are encrypted. Each staff password opens them, and so does "
                    "this key. If every administrator's password is lost or locked, this key lets an "
                    "administrator set a new password and open the records again. Without a password "
                    "or this key, nobody can read the records — not the clinic, not the vendor.", "body"),
            self._p("How to use it", "heading"),
            self._p("On the workstation that holds the database, in a terminal, run:", "body"),
            self._p(command, "command"),
            self._p("and type the key when asked (capitals, spaces and dashes do not matter). "
                    "Then sign in with the new password. An administrator can make a new key "
                    "(Admin → New recovery key…); this sheet then stops working.", "body"),
            self._p("Anyone with this key and the database file can read every record. "
                    "Keep this sheet locked away.", "warning"),
        ]


def render_recovery_sheet(sheet: RecoverySheet) -> bytes:
    return RecoverySheetRenderer().render(sheet)
