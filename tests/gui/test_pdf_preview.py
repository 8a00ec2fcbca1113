"""Documents are prepared off the GUI thread, then previewed: render_then_preview."""

from __future__ import annotations

import io
import logging
import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication

from clinic_desktop.core.errors import ValidationError
from clinic_desktop.gui.pdf_preview import PdfPreview, render_then_preview


def a_pdf(pages: int = 2) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(72, 720, f"Page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()




def test_the_render_runs_in_a_worker_and_the_preview_opens_on_the_gui_thread(qtbot, host, warnings):
    pdf = a_pdf()
    threads = []

    def render() -> bytes:
        threads.append(threading.current_thread() is threading.main_thread())
        return pdf

    job = render_then_preview(render, "Shift handover", "handover.pdf", host)
    assert QApplication.overrideCursor() is not None  # busy while it renders
    with qtbot.waitSignal(job.document_ready, timeout=10000) as ready:
        pass
    preview = ready.args[0]
    assert isinstance(preview, PdfPreview) and preview.parent() is host
    assert preview.isVisible() and preview.windowTitle() == "Shift handover"
    assert preview.pdf == pdf and preview.page_count() == 2
    assert threads == [False]
    assert QApplication.overrideCursor() is None and warnings == []
    preview.reject()


def test_a_clinic_error_is_shown_as_it_is_and_nothing_opens(qtbot, host, warnings):
    def render() -> bytes:
        raise ValidationError("This consent has expired.")

    seen = []
    job = render_then_preview(render, "Referral letter", "letter.pdf", host, failure_title="No letter",
                              on_error=seen.append)
    with qtbot.waitSignal(job.failed, timeout=10000) as failed:
        pass
    assert failed.args == ["This consent has expired."]
    assert warnings == [("No letter", "This consent has expired.")]
    assert len(seen) == 1 and isinstance(seen[0], ValidationError)
    assert not host.findChildren(PdfPreview)
    assert QApplication.overrideCursor() is None


def test_an_unexpected_error_logs_its_type_only_and_shows_a_plain_message(qtbot, host, warnings, caplog):
    def render() -> bytes:
        raise KeyError("Rosa Díaz")  # patient data in the exception must not reach the log

    caplog.set_level(logging.INFO)
    job = render_then_preview(render, "Aftercare plan", "plan.pdf", host, failure_title="Not previewed")
    with qtbot.waitSignal(job.failed, timeout=10000):
        pass
    [(title, text)] = warnings
    assert title == "Not previewed" and "could not be prepared" in text and "Rosa" not in text
    assert "KeyError" in caplog.text and "Rosa" not in caplog.text
    assert not host.findChildren(PdfPreview)


def test_a_render_that_returns_no_bytes_is_an_error(qtbot, host, warnings):
    job = render_then_preview(lambda: None, "Aftercare plan", "plan.pdf", host)
    with qtbot.waitSignal(job.failed, timeout=10000):
        pass
    assert len(warnings) == 1 and not host.findChildren(PdfPreview)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and modes")
def test_save_pdf_writes_a_private_regular_file_and_refuses_a_symlink(qtbot, host, warnings, monkeypatch,
                                                                     tmp_path):
    """Save PDF… (the handover, plan, letter, consent and overdose sheet all save through it):
    a symbolic link is refused in one line and neither it nor its target changes; a file is 0600."""
    import os
    import stat

    from PySide6.QtWidgets import QFileDialog

    pdf = a_pdf(1)
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"kept")
    link = tmp_path / "handover.pdf"
    link.symlink_to(precious)
    chosen = [str(link)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (chosen[0], "PDF (*.pdf)"))
    preview = PdfPreview(pdf, "Shift handover", "handover.pdf", host)
    qtbot.addWidget(preview)
    preview.show()

    preview.save_button.click()
    assert warnings == [("Not saved", (f"{link} is a symbolic link, not a regular file: nothing was "
                                       "written; choose a file name in a folder instead."))]
    assert link.is_symlink() and os.readlink(link) == str(precious) and precious.read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handover.pdf", "precious.txt"]

    chosen[0] = str(tmp_path / "saved.pdf")
    preview.save_button.click()
    assert len(warnings) == 1
    assert (tmp_path / "saved.pdf").read_bytes() == pdf
    assert stat.S_IMODE((tmp_path / "saved.pdf").stat().st_mode) == 0o600
    preview.reject()
