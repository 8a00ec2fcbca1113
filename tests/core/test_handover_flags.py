"""The shift handover names each patient's allergies and risk flags under their name (#15 item
12): benzodiazepine or alcohol co-use, seizure history, pregnancy, fentanyl, prior overdose —
from the signed intake and the patient facts; "No known allergies" and "Allergies not
recorded" never stand for each other."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import clock
from clinic_desktop.core.services import handover, patient_facts
from clinic_desktop.reports.handover import render_handover_pdf
from tests.factories import NOW, admit_with_signed_intake, admit_without_intake, complete_draft
from tests.tools import needs_tools, require_tool


def _section(db, user, episode_id):
    [section] = handover.build_handover(db, user, clock.now(), [episode_id]).patients
    return section


def _rows(*substances):
    last = (NOW - dt.timedelta(hours=16)).isoformat()
    return [{"substance": s, "route": "smoked" if s == "fentanyl" else "oral", "last_use": last}
            for s in substances]


@pytest.mark.parametrize(("written", "printed"), [
    ("none known", "No known allergies"),
    ("NKDA.", "No known allergies"),
    ("  No known   allergies ", "No known allergies"),
    ("", "Allergies not recorded"),
    ("   ", "Allergies not recorded"),
    (None, "Allergies not recorded"),
    ("Penicillin (rash)", "Allergies: Penicillin (rash)"),
    ("none known except latex", "Allergies: none known except latex"),
])
def test_allergies_text_keeps_none_known_and_not_recorded_apart(written, printed):
    assert handover.allergies_text(written) == printed


def test_a_patient_with_no_flags_and_no_known_allergies(db, admin, nurse):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)
    section = _section(db, nurse, episode_id)
    assert section.allergies == "No known allergies"
    assert section.risk_flags == () and section.risks_text == "None recorded"


def test_a_patient_without_an_intake_has_nothing_recorded(db, admin, nurse):
    episode = admit_without_intake(db, nurse)
    section = _section(db, nurse, episode.id)
    assert section.allergies == "Allergies not recorded"
    assert section.risk_flags == () and section.risks_text == "Not recorded (no intake)"


def test_every_flag_in_order_with_the_allergy_written(db, admin, nurse):
    data = complete_draft(
        substances={"rows": _rows("heroin", "benzodiazepines", "alcohol", "fentanyl"), "prior_overdoses": 2,
                    "naloxone_at_home": True},
        medical={"pregnancy": "yes", "seizure_history": True, "allergies": "Penicillin (rash)"})
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False, intake_data=data)
    section = _section(db, nurse, episode_id)
    assert section.allergies == "Allergies: Penicillin (rash)"
    assert section.risk_flags == ("Benzodiazepine co-use", "Alcohol co-use", "Seizure history", "Pregnant",
                                  "Fentanyl use", "Prior overdose (2)")
    assert section.risks_text == " · ".join(section.risk_flags)


@pytest.mark.parametrize(("overdoses", "flag"), [(0, None), (1, "Prior overdose (1)")])
def test_prior_overdose_at_the_boundary(db, admin, nurse, overdoses, flag):
    data = complete_draft(substances={"prior_overdoses": overdoses})
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False, intake_data=data)
    assert _section(db, nurse, episode_id).risk_flags == ((flag,) if flag else ())


def test_pregnancy_follows_the_corrected_patient_facts(db, admin, nurse):
    episode_id, _ = admit_with_signed_intake(db, admin, transition=False)
    assert "Pregnant" not in _section(db, nurse, episode_id).risk_flags
    facts = patient_facts.get(db, nurse, episode_id)
    patient_facts.update(db, nurse, episode_id, facts.version, {"pregnancy": "yes"})
    assert _section(db, nurse, episode_id).risk_flags == ("Pregnant",)
    facts = patient_facts.get(db, nurse, episode_id)
    patient_facts.update(db, nurse, episode_id, facts.version, {"pregnancy": "unknown"})
    assert _section(db, nurse, episode_id).risk_flags == ()


@needs_tools("pdftotext")
def test_the_printed_handover_shows_them_under_the_name(db, admin, nurse, tmp_path):
    import subprocess

    require_tool("pdftotext")
    data = complete_draft(substances={"rows": _rows("heroin", "benzodiazepines"), "prior_overdoses": 0},
                          medical={"allergies": "Sulfa drugs"})
    flagged, _ = admit_with_signed_intake(db, admin, transition=False, intake_data=data)
    plain, _ = admit_with_signed_intake(db, admin, mrn="P-2", transition=False)
    bare = admit_without_intake(db, nurse, mrn="S-9")
    report, pdf = handover.print_handover(db, nurse, clock.now(), [flagged, plain, bare.id])
    path = tmp_path / "handover.pdf"
    path.write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
                    .stdout.decode().split())
    assert "Allergies: Sulfa drugs · Risk flags: Benzodiazepine co-use" in text
    assert "No known allergies · Risk flags: None recorded" in text
    assert "Allergies not recorded · Risk flags: Not recorded (no intake)" in text
    assert render_handover_pdf(report).startswith(b"%PDF")
