"""``clinic-desktop self-check`` from the source tree (CI runs it again in the bundle and the .deb)."""

from __future__ import annotations

from clinic_desktop import cli, self_check


def test_self_check_passes_on_a_complete_installation(qapp, capsys):
    assert cli.main(["self-check"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == self_check.PASSED
    checks = [line.split(":")[0] for line in lines[:-1]]
    assert checks == ["shipped files", "database", "aftercare plan PDF", "PDF preview", "trend chart",
                      "icon and logo images", "printing"]
    assert all(": ok, " in line for line in lines[:-1])


def test_self_check_names_what_is_missing(qapp, monkeypatch, tmp_path):
    from clinic_desktop import paths

    monkeypatch.setattr(paths, "migrations_dir", lambda: tmp_path / "nowhere")
    said = []

    assert self_check.run_self_check(said.append) is False
    assert said[0].startswith("shipped files: FAILED") and "env.py" in said[0]
    assert said[-1] == self_check.FAILED
