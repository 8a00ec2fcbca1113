"""The aftercare plan the patient takes home: first the document as data (section order, crisis
lines first, what is always printed, the patient's language, free text as entered, dates), then
the PDF rendered from it (page size, the header and footer of every page, large print, fonts,
names in any script)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from clinic_desktop.core import plan as plan_rules
from clinic_desktop.reports import document as rd
from clinic_desktop.reports import fonts, i18n, plan_pdf
from clinic_desktop.reports import plan as rp
from tests.tools import needs_tools, require_tool

needs_poppler = needs_tools("pdftotext")

VIETNAMESE, CHINESE, KOREAN = "Nguyễn Thị Ánh", "王秀英", "김민준"

#: The national lines as the directory ships them (CLINICAL.md §4), in core.plan.HELPLINES order.
HELPLINES = [
    rd.Contact("988 Suicide & Crisis Lifeline", "988",
               other="call or text 988 (press 2 or text AYUDA for Spanish); chat 988lifeline.org",
               hours="24/7", languages=("en", "es")),
    rd.Contact("SAMHSA National Helpline", "1-800-662-HELP (4357)",
               other="TTY 1-800-487-4889; text your ZIP code to 435748 (HELP4U, English only); "
                     "findtreatment.gov", hours="24/7/365", languages=("en", "es")),
    rd.Contact("Never Use Alone", "1-800-484-3731", languages=("en",)),
    rd.Contact("Poison Help", "1-800-222-1222", hours="24/7", languages=("en",)),
    rd.Contact("Crisis Text Line", "", other="text HOME to 741741", hours="24/7", languages=("en",)),
]
HELPLINE_NAMES = [c.name for c in HELPLINES]

TRIGGERS = "Payday on Fridays.\nOld friends at the <gas station> on 5th & Main — \"Ñoño\" Café."
REASON = "Group counseling three mornings a week (Spanish-speaking group)"

PLAN = {
    "medication": {"choice": "buprenorphine", "prescriber": "Dr. Amara Okafor",
                   "next": "2026-12-02T09:30", "reason": ""},
    "level": "intensive_outpatient",
    "therapies": ["cbt", "contingency_management"],
    "referrals": [
        {"entry_id": 7, "reason": REASON, "appointment": "2026-12-01T10:00", "share": True},
        {"entry_id": 8, "reason": "Help finding a room", "appointment": "", "share": False},
    ],
    "people": [{"name": VIETNAMESE, "relation": "Sister", "phone": "2175550188"},
               {"name": CHINESE, "relation": "Friend", "phone": "(217) 555-0123"},
               {"name": "Marcus O'Neill", "relation": "NA sponsor", "phone": "(217) 555-0177"}],
    "key_worker": {"name": KOREAN, "phone": "(217) 555-0142 ext. 14",
                   "focus": ["housing", "employment"]},
    "meetings": [12],
    "relapse": {"triggers": TRIGGERS, "warning_signs": "I stop answering my sister's calls.",
                "coping": "Call Marcus. Walk the dog.", "people_to_call": "", "reasons": "My daughter"},
    "overdose": {"naloxone_kit_given": True},
    "follow_ups": [{"when": "2026-12-04T11:00", "place": "Riverbend Recovery Clinic, room 2",
                    "phone": "(217) 555-0142"},
                   {"when": "after the holidays", "place": "Riverbend Recovery Clinic", "phone": ""}],
}
REFERRALS = {
    7: rd.Contact("Northside Intensive Outpatient Program", "(217) 555-0100",
                  address="400 N. Grand Ave, Springfield", hours="Mon–Fri 8:00–17:00", walk_in=True,
                  languages=("en", "es")),
    8: rd.Contact("Springfield Housing Help Desk", "2175550155", address="88 Adams St",
                  other="Bring ID"),
}
MEETINGS = {12: rd.Contact("NA “New Hope” group", "", address="St. Luke's hall, 5 Elm St",
                           hours="Tuesdays 19:00")}
PATIENT = rd.PlanPatient("Rosa María Delgado", "5 June 1987", "RR-2041")
CLINIC = rd.PlanClinic("Riverbend Recovery Clinic", "12 Mill Road, Springfield", "(217) 555-0142")
PREPARED_AT = dt.datetime(2026, 11, 30, 15, 0)


def build(plan=PLAN, **overrides) -> rp.PlanDocument:
    kwargs = {"language": "en", "patient": PATIENT, "clinic": CLINIC, "prepared_by": "Dana Ortiz",
              "prepared_at": PREPARED_AT, "referral_contacts": REFERRALS, "meeting_contacts": MEETINGS,
              "helplines": HELPLINES, "version": 2}
    kwargs.update(overrides)
    return rp.build_plan_document(plan, **kwargs)


# ---------------------------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------------------------


#: Every printed part but the safety plan and "My day", which print only when written
#: (test_safety_plan_report.py, test_my_day).
ALWAYS_PRINTED = tuple(key for key in rp.SECTION_ORDER if key not in ("safety_plan", "my_day"))


def test_sections_print_in_order_crisis_lines_first():
    doc = build()
    assert rp.SECTION_ORDER == plan_rules.PRINT_ORDER
    assert doc.section_keys == ALWAYS_PRINTED  # the safety plan prints only when written
    # Page 1: the crisis lines, the overdose box, the medicine, then who to call; then the rest
    # of core's sections (the plan screen lists the same), the overdose part not printed again.
    assert doc.section_keys[:4] == ("crisis", "overdose", "medication", "who_to_call")
    assert doc.section_keys[4:-1] == tuple(p for s in plan_rules.SECTIONS for p in s.parts
                                           if p not in ("medication", "overdose", "safety_plan", "my_day"))
    assert doc.section_keys[-1] == "signatures"
    assert [s.heading for s in doc.sections[:5]] == [
        "If you need help right now", "Staying safe from overdose", "My medicine", "Who to call when",
        "My next step in care"]


def test_the_crisis_lines_are_the_helplines_in_order_with_911():
    crisis = build().section("crisis")
    assert crisis.alert == "Emergency: call 911"
    assert crisis.paragraphs == ("These lines are free and open day and night.",)
    assert [e.key for e in crisis.entries] == list(plan_rules.HELPLINES)
    assert [e.name for e in crisis.entries] == HELPLINE_NAMES
    assert [e.phone for e in crisis.entries] == [
        "988", "1-800-662-HELP (4357)", "1-800-484-3731", "1-800-222-1222", "Text HOME to 741741"]
    lifeline = crisis.entries[0]
    assert lifeline.lines == (
        rd.Line("", "If you feel like hurting yourself, or you are in any crisis"),
        rd.Line("", "Call or text 988. Chat: 988lifeline.org"),
        rd.Line("", "24/7 · English and Spanish (press 2 or text AYUDA)"))
    # The corrected facts (CLINICAL.md §4): hours and languages of every line.
    poison, text_line, never_alone = crisis.entries[3], crisis.entries[4], crisis.entries[2]
    assert poison.lines[-1] == rd.Line(
        "", "24/7 · English, Spanish; interpreters for 161 languages")
    assert text_line.lines[1:] == (
        rd.Line("", "In Spanish: text AYUDA to 741741 or WhatsApp 442-AYUDAME."),
        rd.Line("", "24/7 · English and Spanish"))
    assert never_alone.lines[-1] == rd.Line("", "24/7 · English")


def test_only_the_number_of_a_national_line_comes_from_the_directory():
    """A clinic may edit a national line's number; its name, what it is for, how to reach it,
    its hours and languages print from the catalogue, never the directory's English text."""
    edited = [dataclasses.replace(c, name="Renamed line", other="call us maybe", hours="9-5",
                                  languages=("fr",)) for c in HELPLINES]
    edited[3] = dataclasses.replace(edited[3], phone="1-800-222-0000")
    for language in ("en", "es"):
        crisis = build(language=language, helplines=edited).section("crisis")
        assert [e.name for e in crisis.entries] == [
            i18n.text(language, f"helpline_name.{key}") for key in plan_rules.HELPLINES]
        assert crisis.entries[3].phone == "1-800-222-0000"
        texts = " ".join(line.value for e in crisis.entries for line in e.lines)
        for directory_text in ("Renamed line", "call us maybe", "9-5", "French", "francés"):
            assert directory_text not in texts
    # A national line the clinic left without a number prints the shipped one.
    blank = [*HELPLINES[:3], dataclasses.replace(HELPLINES[3], phone=""), HELPLINES[4]]
    assert build(helplines=blank).section("crisis").entries[3].phone == "1-800-222-1222"


def test_the_spanish_crisis_lines_are_all_in_spanish():
    crisis = build(language="es").section("crisis")
    lifeline, samhsa, never_alone, poison, text_line = crisis.entries
    assert lifeline.name == "988 Línea de Prevención del Suicidio y Crisis"
    assert rd.Line("", "Llame o envíe un mensaje de texto al 988 (marque 2 para español). "
                       "Chat: 988lifeline.org") in lifeline.lines
    assert samhsa.name == "Línea Nacional de Ayuda de SAMHSA"
    assert text_line.phone == "Envíe AYUDA al 741741"
    assert rd.Line("", "Envíe AYUDA al 741741 o por WhatsApp al 442-AYUDAME.") in text_line.lines
    assert poison.lines[-1] == rd.Line(
        "", "24 horas, todos los días · Inglés y español; intérpretes en 161 idiomas")
    assert never_alone.lines[-1] == rd.Line("", "24 horas, todos los días · Inglés")
    assert text_line.lines[-1] == rd.Line("", "24 horas, todos los días · Inglés y español")


def test_a_helpline_left_out_prints_with_the_shipped_number():
    edited = dataclasses.replace(HELPLINES[3], phone="1-800-222-0000")
    by_id = {"poison_control": edited}  # a mapping by id: the rest come from the defaults
    crisis = build(helplines=by_id).section("crisis")
    assert [e.key for e in crisis.entries] == list(plan_rules.HELPLINES)
    assert crisis.entries[3].phone == "1-800-222-0000"
    assert crisis.entries[0].phone == "988" and crisis.entries[2].phone == "1-800-484-3731"
    assert [e.name for e in build(helplines=[]).section("crisis").entries] == HELPLINE_NAMES
    with_none = build(helplines=[*HELPLINES[:4], None]).section("crisis")
    assert with_none.entries[4].phone == "Text HOME to 741741"
    with pytest.raises(ValueError, match="helplines"):
        build(helplines=HELPLINES[:3])


def test_overdose_paws_and_the_crisis_lines_print_even_for_an_empty_plan():
    doc = build(plan={})
    assert doc.section_keys == ALWAYS_PRINTED
    overdose = doc.section("overdose")
    assert overdose.bullets == (
        ("Your body cannot handle the amount you used before detox. Even a smaller amount than "
         "before can kill you."),
        ("Do not use alone. Have someone with you, or call Never Use Alone first (the number is in "
         "the box above)."),
        ("Fentanyl is in most street drugs, even in pills that look real. Fentanyl test strips can "
         "find it. Ask the clinic for them."),
        ("Do not mix drugs with alcohol, benzodiazepines (like Xanax or Valium) or sleeping pills. "
         "Mixing can make you stop breathing."),
        "If you use, start with a very small amount and go slow.",
        "Most states have a Good Samaritan law. It protects you when you call 911 for an overdose.",
    )
    assert overdose.lines == (
        rd.Line("Signs of an overdose", i18n.text("en", "overdose_signs")),
        rd.Line("What to do", ""),
        rd.Line("", "1. Call 911."), rd.Line("", "2. Give naloxone."),
        rd.Line("", "3. No answer after 2 to 3 minutes? Give a second dose."),
        rd.Line("", "4. Give rescue breaths."),
        rd.Line("", "5. Turn them on their side (recovery position)."),
        rd.Line("", "6. Stay with them: naloxone can wear off before the drugs do."))
    # no kit recorded: where to get one free, never that one was given
    assert overdose.notes == ((
        "Get a naloxone kit for free. Most pharmacies give it without a prescription. Your local "
        "health department has it too, and this clinic can tell you where. Show the people around "
        "you how to use it."),)
    who = doc.section("who_to_call")
    assert [(e.name, e.phone) for e in who.entries] == [
        ("Riverbend Recovery Clinic", "(217) 555-0142"),
        ("If you are in crisis or think about hurting yourself", "988")]
    assert who.entries[0].lines == (rd.Line("", "If you miss a dose, or withdrawal comes back"),)
    assert who.notes == (i18n.text("en", "who_911"),) and who.notes[0].startswith("Call 911 right away")
    assert doc.section("paws").paragraphs == (i18n.text("en", "paws_text"),)
    assert len(doc.section("crisis").entries) == 5
    for key in ("therapies", "referrals", "people", "meetings", "follow_ups"):
        assert doc.section(key).paragraphs == ("None yet",), key
    assert doc.section("medication").paragraphs == ("None yet",)
    # The key worker's 6 months and the relapse note print even before they are filled in.
    assert doc.section("key_worker").notes == (
        "Your key worker helps with housing, work and benefits for at least 6 months.",)
    assert doc.section("relapse").notes == (
        ("Many people use again after treatment. If it happens, it is a reason to come back, "
         "not a failure."),)


def test_naloxone_given_and_not_given():
    def note(overdose, language="en"):
        return build(plan={**PLAN, "overdose": overdose}, language=language).section("overdose").notes[0]

    given = note({"naloxone_kit_given": True})
    assert given == ("You were given a naloxone kit. Keep it where people can find it. "
                     "Show the people around you how to use it.")
    assert note({"naloxone_kit_given": True, "naloxone_shown_patient": True}).endswith(
        "You were shown how to use it.")
    assert note({"naloxone_kit_given": True, "naloxone_shown_person": "Ana (sister)"}).endswith(
        "Ana (sister) was shown how to use it.")
    assert note({"naloxone_kit_given": True, "naloxone_shown_patient": True,
                 "naloxone_shown_person": "Ana"}).endswith("You and Ana were shown how to use it.")
    # a kit not given, or not answered: where to get one, never that one was given
    for overdose in ({"naloxone_kit_given": False, "naloxone_reason": "Has kits at home"},
                     {"naloxone_kit_given": None}, {}, {"naloxone_kit_given": "yes"}):
        text = note(overdose)
        assert text.startswith("Get a naloxone kit for free") and "were given" not in text, overdose
        assert "pharmacies" in text and "health department" in text and "clinic" in text
    # and a kit given never says "get one"
    assert "Get a naloxone kit" not in given
    es = note({"naloxone_kit_given": True, "naloxone_shown_patient": True}, "es")
    assert es.startswith("Le dieron un kit de naloxona") and es.endswith("A usted le enseñaron a usarlo.")


def test_the_naltrexone_lines_print_only_when_naltrexone_is_the_medicine():
    block, after = i18n.text("en", "overdose_naltrexone_block"), i18n.text("en", "overdose_naltrexone_after")
    for choice in ("buprenorphine", "methadone", "none", None):
        bullets = build(plan={**PLAN, "medication": {"choice": choice}}).section("overdose").bullets
        assert block not in bullets and after not in bullets, choice
    bullets = build(plan={**PLAN, "medication": {"choice": "naltrexone"}}).section("overdose").bullets
    assert bullets.index(block) + 1 == bullets.index(after)
    assert bullets[-1].startswith("Most states have a Good Samaritan law")


def test_the_sections_texts_in_english():
    doc = build()
    assert doc.title == "My aftercare plan"
    assert doc.prepared == "Prepared November 30, 2026 by Dana Ortiz"
    assert doc.version == "Version 2"
    assert (doc.date_of_birth_label, doc.mrn_label) == ("Date of birth", "Record number")
    medication = doc.section("medication")
    assert medication.paragraphs == ("Buprenorphine",)
    assert medication.lines == (rd.Line("Who prescribes it", "Dr. Amara Okafor"),
                                rd.Line("Next dose or visit", "Wednesday, December 2, 2026, 9:30\u202fAM"))
    assert doc.section("level").paragraphs == (
        "Intensive outpatient program (several visits each week)",)
    assert doc.section("therapies").bullets[0].startswith("Cognitive behavioral therapy (CBT)")
    northside, housing = doc.section("referrals").entries
    assert northside == rd.Entry("Northside Intensive Outpatient Program", "(217) 555-0100", (
        rd.Line("Why", REASON), rd.Line("Appointment", "Tuesday, December 1, 2026, 10:00\u202fAM"),
        rd.Line("Address", "400 N. Grand Ave, Springfield"), rd.Line("Hours", "Mon–Fri 8:00–17:00"),
        rd.Line("", "Walk-ins welcome"), rd.Line("Languages", "English, Spanish")))
    assert housing.phone == "(217) 555-0155"  # a bare digit run is grouped
    assert rd.Line("", "Bring ID") in housing.lines
    assert not any(line.label == "Appointment" for line in housing.lines)
    people = doc.section("people").entries
    first = people[0]
    assert (first.name, first.phone, first.lines) == (
        VIETNAMESE, "(217) 555-0188", (rd.Line("", "Sister"),))
    worker = doc.section("key_worker").entries[0]
    assert worker == rd.Entry(KOREAN, "(217) 555-0142 ext. 14",
                              (rd.Line("Helps me with", "housing, work"),))
    assert doc.section("meetings").entries[0].name == "NA “New Hope” group"
    relapse = doc.section("relapse")
    assert [line.label for line in relapse.lines] == [  # empty fields are left out
        "Things that make me want to use", "Signs that I am at risk", "What I can do instead",
        "Why my recovery matters to me"]
    follow = doc.section("follow_ups").entries
    assert follow[0] == rd.Entry("Friday, December 4, 2026, 11:00\u202fAM", "(217) 555-0142",
                                 (rd.Line("Where", "Riverbend Recovery Clinic, room 2"),))
    assert follow[1].name == "after the holidays"  # not a date: as entered
    assert doc.section("signatures").lines == (
        rd.Line("Patient signature", "Rosa María Delgado"), rd.Line("Staff signature", "Dana Ortiz"),
        rd.Line("Date", ""))


def test_a_contact_without_phone_or_address_says_so():
    bare = {**REFERRALS, 9: rd.Contact("Dr. Lena Frost (buprenorphine)", "")}
    plan = {**PLAN, "referrals": [*PLAN["referrals"], {"entry_id": 9, "reason": "Prescriber"}]}
    doc = build(plan=plan, referral_contacts=bare)
    frost = doc.section("referrals").entries[-1]
    assert frost.phone == ""
    assert rd.Line("Phone", "No phone number on file. Ask the clinic for it.") in frost.lines
    assert rd.Line("Address", "No address on file. Call before you go, or ask the clinic.") in frost.lines
    northside = doc.section("referrals").entries[0]  # a complete contact has no such line
    assert not any("on file" in line.value for line in northside.lines)
    meeting = doc.section("meetings").entries[0]  # meetings are directory contacts too
    assert rd.Line("Phone", "No phone number on file. Ask the clinic for it.") in meeting.lines
    spanish = build(plan=plan, referral_contacts=bare, language="es").section("referrals").entries[-1]
    assert rd.Line("Teléfono", "No tenemos el número de teléfono. Pídalo en la clínica.") in spanish.lines
    assert rd.Line("Dirección", "No tenemos la dirección. Llame antes de ir o pregunte en la clínica.") \
        in spanish.lines


@needs_poppler
def test_the_missing_phone_prints(tmp_path):
    bare = {**REFERRALS, 9: rd.Contact("Dr. Lena Frost (buprenorphine)", "")}
    plan = {**PLAN, "referrals": [{"entry_id": 9, "reason": "Prescriber"}]}
    pdf = plan_pdf.PlanRenderer().render(build(plan=plan, referral_contacts=bare))
    text = flat("".join(page_texts(pdf, tmp_path)))
    assert "Dr. Lena Frost (buprenorphine)" in text
    assert "No phone number on file. Ask the clinic for it." in text
    assert "No address on file. Call before you go, or ask the clinic." in text


def _syllables(word: str) -> int:
    """A common English syllable estimate (vowel groups, silent final e/ed/es dropped)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1 if word else 0
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", re.sub(r"^y", "", word))))


def test_the_fixed_english_text_reads_at_a_6th_to_8th_grade_level():
    """Flesch-Kincaid grade of every paragraph, bullet and note the plan itself writes (the
    issue: aim for 6th-8th grade); the counselor's and patient's own words are not counted."""
    doc = build(plan={})
    texts = [t for s in doc.sections for t in (*s.paragraphs, *s.bullets, *s.notes)
             if t != i18n.text("en", "none_recorded")]
    sentences = [s for t in texts for s in re.split(r"[.!?:;]+", t) if s.strip()]
    words = re.findall(r"[A-Za-z']+", " ".join(texts))
    grade = 0.39 * len(words) / len(sentences) + 11.8 * sum(map(_syllables, words)) / len(words) - 15.59
    assert len(words) > 100 and grade <= 8.0, grade
    assert max(len(s.split()) for s in sentences) <= 25  # no sentence a reader loses the thread of


def test_free_text_and_names_print_as_entered():
    doc = build()
    relapse = doc.section("relapse")
    assert relapse.lines[0].value == TRIGGERS  # line breaks, <, &, quotes, accents untouched
    texts = [t for s in doc.sections for t in s.texts]
    for value in (REASON, VIETNAMESE, CHINESE, KOREAN, "Marcus O'Neill", "NA sponsor",
                  "St. Luke's hall, 5 Elm St", "Dr. Amara Okafor"):
        assert value in texts, value
    # Free text in a field the catalogue would translate stays free text.
    odd = build(plan={**PLAN, "level": "Halfway house (county)", "therapies": ["Art therapy"]})
    assert odd.section("level").paragraphs == ("Halfway house (county)",)
    assert odd.section("therapies").bullets == ("Art therapy",)


def test_spanish_plan_uses_the_spanish_catalogue_and_keeps_the_names():
    doc = build(language="es")
    assert doc.language == "es"
    assert doc.title == i18n.text("es", "plan_title")
    assert doc.prepared == "Preparado el 30 de noviembre de 2026 por Dana Ortiz"
    assert doc.version == "Versión 2"
    assert doc.page_text(1, 4) == "Página 1 de 4"
    assert [s.heading for s in doc.sections] == [
        "Si necesita ayuda ahora mismo", "Cómo evitar una sobredosis", "Mi medicina",
        "A quién llamar y cuándo", "Mi próximo paso en el tratamiento",
        "Tipos de consejería", "Lugares a los que me derivan", "Personas que me apoyan",
        "Mi gestor/a de casos", "Reuniones a las que puedo ir", "Mi plan para seguir bien",
        "Sentimientos después de la desintoxicación (PAWS)", "Mis citas", "Firmas"]
    assert doc.section("crisis").alert == "Emergencia: llame al 911"
    assert [e.name for e in doc.section("crisis").entries] == [  # the Spanish names
        i18n.text("es", f"helpline_name.{key}") for key in plan_rules.HELPLINES]
    northside = doc.section("referrals").entries[0]
    assert rd.Line("Por qué", REASON) in northside.lines  # the counselor's words, untranslated
    assert rd.Line("Cita", "martes, 1 de diciembre de 2026, 10:00\u202fa.\u00a0m.") in northside.lines
    assert rd.Line("Idiomas", "inglés, español") in northside.lines
    assert rd.Line("", "Atienden sin cita") in northside.lines
    assert doc.section("medication").paragraphs == ("Buprenorfina",)
    assert doc.section("follow_ups").entries[0].name == "Viernes, 4 de diciembre de 2026, 11:00\u202fa.\u00a0m."
    assert doc.section("relapse").lines[0] == rd.Line("Cosas que me dan ganas de consumir", TRIGGERS)


def test_an_unknown_language_prints_in_english():
    doc = build(language="vi")
    assert doc.language == "en"
    assert doc.title == "My aftercare plan"
    assert doc.page_text(2, 3) == "Page 2 of 3"
    assert doc.section("people").entries[0].name == VIETNAMESE


def test_dates_in_each_language():
    at = dt.datetime(2026, 12, 1, 10, 0)
    assert rd.format_datetime("en", at) == "Tuesday, December 1, 2026, 10:00\u202fAM"
    assert rd.format_datetime("es", at) == "martes, 1 de diciembre de 2026, 10:00\u202fa.\u00a0m."
    assert rd.format_date("en", dt.date(1987, 6, 5)) == "June 5, 1987"
    assert rd.format_date("es", dt.date(1987, 6, 5)) == "5 de junio de 1987"
    assert rd.format_date("es", dt.date(2027, 1, 3), weekday=True) == "domingo, 3 de enero de 2027"
    assert rd.format_when("en", "2026-12-01T10:00") == "Tuesday, December 1, 2026, 10:00\u202fAM"
    assert rd.format_when("es", "2026-12-01") == "martes, 1 de diciembre de 2026"
    assert rd.format_when("es", "2026-12-01", capitalize=True) == "Martes, 1 de diciembre de 2026"
    assert rd.format_when("en", dt.date(2026, 8, 3)) == "Monday, August 3, 2026"
    # CLDR (Babel) in the plan's language and the clinic's region; the examples.
    sunday = dt.datetime(2026, 12, 6, 9, 0)
    assert rd.format_datetime("en", sunday, region="US") == "Sunday, December 6, 2026, 9:00\u202fAM"
    assert rd.format_datetime("es", sunday, region="US") == (
        "domingo, 6 de diciembre de 2026, 9:00\u202fa.\u00a0m.")
    assert rd.format_datetime("en", sunday, region="GB") == "Sunday, 6 December 2026, 09:00"
    assert rd.format_datetime("es", sunday, region="ES") == "domingo, 6 de diciembre de 2026, 9:00"
    # Spanish writes the day period "a. m." / "p. m." (RAE), its space unbreakable; noon is p. m.
    assert rd.format_time("es", dt.time(11, 59)) == "11:59\u202fa.\u00a0m."
    assert rd.format_time("es", dt.time(12, 0)) == "12:00\u202fp.\u00a0m."
    assert rd.format_time("es", dt.time(0, 0)) == "12:00\u202fa.\u00a0m."
    assert rd.format_time("en", dt.time(12, 0)) == "12:00\u202fPM"
    assert rd.format_when("es", "2026-12-06T09:00", region="US") == rd.format_datetime("es", sunday)
    # A language without a catalogue prints in English; a region CLDR does not know, the language's.
    assert rd.format_date("vi", dt.date(2026, 12, 6)) == "December 6, 2026"
    assert rd.format_date("en", dt.date(2026, 12, 6), region="XX") == "December 6, 2026"
    assert rd.format_date("es", dt.date(2026, 12, 6), region="") == "6 de diciembre de 2026"
    # The clinic's region reaches every date of the plan.
    british = build(phone_region="GB")
    assert british.prepared == "Prepared 30 November 2026 by Dana Ortiz"
    assert british.section("follow_ups").entries[0].name == "Friday, 4 December 2026, 11:00"
    assert british.section("medication").lines[-1].value == "Wednesday, 2 December 2026, 09:30"
    assert rd.format_when("en", "next week", capitalize=True) == "next week"
    assert rd.format_when("en", "2026-13-45") == "2026-13-45"
    assert rd.format_when("en", None) == ""
    for language in ("en", "es"):
        months = {rd.format_date(language, dt.date(2026, m, 1)).split()[-3] for m in range(1, 13)}
        assert len(months) == 12
    # A patient given as a mapping: the date of birth is written out in the plan's language.
    doc = build(language="es", patient={"display_name": "Rosa", "date_of_birth": dt.date(1987, 6, 5),
                                        "mrn": "RR-1"})
    assert doc.patient == rd.PlanPatient("Rosa", "5 de junio de 1987", "RR-1")


def test_clinic_settings_mapping_and_bad_input():
    doc = build(clinic={"clinic_name": "Riverbend", "clinic_address": "12 Mill Road",
                        "clinic_phone": "(217) 555-0142"})
    assert doc.clinic == rd.PlanClinic("Riverbend", "12 Mill Road", "(217) 555-0142", None)
    with pytest.raises(ValueError, match="page_size"):
        build(page_size="legal")
    with pytest.raises(ValueError, match="entry 99"):
        build(plan={**PLAN, "referrals": [{"entry_id": 99, "reason": "x"}]})
    assert rd.group_phone("2175550142") == "(217) 555-0142"
    assert rd.group_phone("1-800-662-HELP (4357)") == "1-800-662-HELP (4357)"
    assert rd.group_phone("988") == "988"


# ---------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """The sample plan rendered once per variant the tests read."""
    return {
        "en": plan_pdf.render_plan_pdf(build()),
        "es": plan_pdf.render_plan_pdf(build(language="es", patient=dataclasses.replace(
            PATIENT, date_of_birth="5 de junio de 1987"))),
        "a4": plan_pdf.render_plan_pdf(build(page_size="a4")),
        "large": plan_pdf.render_plan_pdf(build(large_print=True)),
        "empty": plan_pdf.render_plan_pdf(build(plan={})),
    }


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def media_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    return [tuple(float(n) for n in box.split())
            for box in re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+?)\s*\]", pdf)]


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text (pdftotext, one call per page)."""
    require_tool("pdftotext")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    out = []
    for page in range(1, page_count(pdf) + 1):
        result = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                                capture_output=True, check=True)
        out.append(result.stdout.decode("utf-8"))
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def test_letter_by_default_and_a4_on_request(pdfs):
    for key in ("en", "es", "large", "empty"):
        assert pdfs[key].startswith(b"%PDF")
        boxes = media_boxes(pdfs[key])
        assert boxes and all(box == (0, 0, 612, 792) for box in boxes), key
    a4 = media_boxes(pdfs["a4"])
    assert a4 and all(box[:2] == (0, 0) and box[2] == pytest.approx(595.28, abs=0.01)
                      and box[3] == pytest.approx(841.89, abs=0.01) for box in a4)


@needs_poppler
def test_every_page_has_the_header_and_the_footer(pdfs, tmp_path):
    pages = page_texts(pdfs["en"], tmp_path)
    assert len(pages) == page_count(pdfs["en"]) >= 2
    for n, text in enumerate(pages, start=1):
        assert "Rosa María Delgado" in text, n
        assert "Record number: RR-2041" in text, n
        assert "Date of birth: 5 June 1987" in text, n
        assert "Riverbend Recovery Clinic" in text, n
        assert f"Page {n} of {len(pages)}" in text, n
        assert "This plan belongs to you. It has private health information: keep it safe." in text
        assert "Version 2" in text
    assert "42 CFR" not in "".join(pages)  # the patient's own copy: no redisclosure notice


@needs_poppler
def test_page_one_opens_with_the_title_and_every_crisis_line(pdfs, tmp_path):
    pages = page_texts(pdfs["en"], tmp_path)
    first = flat(pages[0])
    assert "My aftercare plan" in first and "Prepared November 30, 2026 by Dana Ortiz" in first
    # the crisis lines (in two columns: their order is the columns'), then the overdose box on
    # page 1; the medicine only after the box
    overdose = first.index("Staying safe from overdose")
    assert first.index("If you need help right now") < first.index("Emergency: call 911") < overdose
    assert all(0 < first.index(name) < overdose for name in HELPLINE_NAMES)
    assert "My medicine" not in first[:overdose]
    everything = flat("".join(pages))
    box_end = everything.index("Show the people around you how to use it")  # the kit, last in the box
    assert everything.index("Staying safe from overdose") < box_end < everything.index("My medicine")
    assert everything.count("Staying safe from overdose") <= 2  # the box's heading (again on page 2)
    assert everything.index("My medicine") < everything.index("Who to call when")
    for phone in ("988", "1-800-662-HELP (4357)", "1-800-484-3731", "1-800-222-1222",
                  "Text HOME to 741741"):
        assert phone in first


@needs_poppler
def test_the_plan_text_in_english(pdfs, tmp_path):
    text = flat("".join(page_texts(pdfs["en"], tmp_path)))
    for expected in ("Tuesday, December 1, 2026, 10:00 AM", "Staying safe from overdose",
                     "You were given a naloxone kit.", "Feelings after detox (PAWS)",
                     "My appointments", "Patient signature", "Staff signature",
                     flat(TRIGGERS), "(217) 555-0155", "it is a reason to come back, not a failure"):
        assert expected in text, expected
    positions = [text.index(h) for h in (s.heading for s in build().sections)]
    assert positions == sorted(positions)  # headings print in the sections' order


@needs_poppler
def test_the_spanish_pdf(pdfs, tmp_path):
    pages = page_texts(pdfs["es"], tmp_path)
    text = flat("".join(pages))
    assert "Página 1 de" in pages[0] and f"Página {len(pages)} de {len(pages)}" in pages[-1]
    for n, page in enumerate(pages, start=1):
        assert "Número de expediente: RR-2041" in page, n
        assert "Fecha de nacimiento: 5 de junio de 1987" in page, n
    for expected in ("Si necesita ayuda ahora mismo", "Emergencia: llame al 911",
                     "martes, 1 de diciembre de 2026, 10:00 a. m.", "Cómo evitar una sobredosis",
                     "Firma del paciente", "Este plan es suyo."):
        assert expected in text, expected
    assert "Page 1 of" not in text


@needs_poppler
def test_large_print_takes_more_pages_and_keeps_the_crisis_lines_on_page_one(pdfs, tmp_path):
    assert page_count(pdfs["large"]) > page_count(pdfs["en"])
    first = flat(page_texts(pdfs["large"], tmp_path)[0])
    for name in ("Emergency: call 911", *HELPLINE_NAMES, "1-800-484-3731", "Text HOME to 741741"):
        assert name in first
    # What did not fit in the box follows it, nothing is lost — after the overdose box, which
    # comes straight after the crisis lines, its steps together on one page.
    pages = [flat(p) for p in page_texts(pdfs["large"], tmp_path)]
    text = "".join(pages)
    assert "TTY 1-800-487-4889" in text
    assert text.index("Staying safe from overdose") < text.index("More about these help lines") \
        < text.index("TTY 1-800-487-4889")
    assert any("1. Call 911." in p and "6. Stay with them" in p for p in pages)


def test_body_type_is_at_least_10_5_pt_and_16_pt_in_large_print():
    """The page-1 boxes ("box_" styles) print smaller in normal print, so that both boxes and
    the start of the medicines fit page 1 — never under 9 pt; in large print nothing is smaller."""
    fonts.register_fonts()
    for large, least, box_least in ((False, 10.5, 9.0), (True, 16.0, 16.0)):
        renderer = plan_pdf.PlanRenderer()
        renderer.doc = build(large_print=large)
        renderer._sizes(large)
        styles = renderer._stylesheet()
        assert min(s.fontSize for name, s in styles.items() if not name.startswith("box_")) >= least
        assert min(s.fontSize for name, s in styles.items() if name.startswith("box_")) >= box_least
        assert styles["phone"].fontSize >= 1.4 * least  # phone numbers print large
        assert styles["box_phone"].fontSize >= 1.4 * box_least
    assert plan_pdf.BOX_LEAST == 9.0 and plan_pdf.BOX_SIZE >= plan_pdf.BOX_LEAST


def test_fonts_are_embedded_subsets_and_no_helvetica(pdfs):
    for key, pdf in pdfs.items():
        base_fonts = set(re.findall(rb"/BaseFont /([^\s/>\]]+)", pdf))
        assert base_fonts, key
        assert all(re.fullmatch(rb"[A-Z]{6}\+\S+", name) for name in base_fonts), (key, base_fonts)
        assert b"Helvetica" not in pdf and b"/Type1" not in pdf, key
        assert pdf.count(b"/FontFile2") == len(base_fonts), key
    families = {n.split(b"+", 1)[1] for n in re.findall(rb"/BaseFont /([^\s/>\]]+)", pdfs["en"])}
    assert families == {b"NotoSans-Regular", b"NotoSans-Bold", b"WenQuanYiMicroHei-0"}


@needs_poppler
def test_names_in_any_script_round_trip(tmp_path):
    patient = rd.PlanPatient(VIETNAMESE, "5 June 1987", "VN-1")
    doc = build(patient=patient, prepared_by=KOREAN)
    pages = page_texts(plan_pdf.render_plan_pdf(doc), tmp_path)
    for n, page in enumerate(pages, start=1):
        assert VIETNAMESE in page and "VN-1" in page, n
    text = "".join(pages)
    for name in (VIETNAMESE, CHINESE, KOREAN):
        assert name in text, name
    # A CJK patient name in the header too.
    pages = page_texts(plan_pdf.render_plan_pdf(build(patient=rd.PlanPatient(CHINESE, "1990", "CN-1"))),
                       tmp_path)
    assert all(CHINESE in page and "CN-1" in page for page in pages)


def test_the_clinic_logo_is_drawn_when_the_file_exists(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), "#1F4E79").save(logo)
    with_logo = plan_pdf.render_plan_pdf(build(clinic=dataclasses.replace(CLINIC, logo_path=str(logo))))
    assert b"/Subtype /Image" in with_logo
    missing = dataclasses.replace(CLINIC, logo_path=str(tmp_path / "nope.png"))
    without = plan_pdf.render_plan_pdf(build(clinic=missing))
    assert without.startswith(b"%PDF") and b"/Subtype /Image" not in without
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    assert plan_pdf.render_plan_pdf(build(clinic=dataclasses.replace(CLINIC, logo_path=str(broken))))


@needs_poppler
def test_long_names_and_free_text_never_break_the_layout(tmp_path):
    long_name = "María de los Ángeles Fernández-Castillo de la Vega y Rodríguez-Montenegro"
    long_text = " ".join(["I feel the pull when I walk past the old places."] * 120)
    plan = {**PLAN, "relapse": {"triggers": long_text},
            "referrals": [{"entry_id": 7, "reason": long_text[:1500], "appointment": ""}]}
    for large in (False, True):
        pdf = plan_pdf.render_plan_pdf(build(plan=plan, patient=rd.PlanPatient(long_name, "1987", "L-1"),
                                       large_print=large))
        pages = page_texts(pdf, tmp_path)
        assert all("L-1" in page for page in pages)
        assert "I feel the pull" in "".join(pages)


@needs_poppler
def test_a_draft_is_watermarked_on_every_page_in_its_language(tmp_path):
    final = build()
    assert not final.draft and final.watermark == ""
    draft = build(draft=True)
    assert draft.draft and draft.watermark == "DRAFT"
    assert build(language="es", draft=True).watermark == "BORRADOR"
    assert i18n.text("es", "draft_watermark") == "BORRADOR"

    def diagonal_words(pdf: bytes) -> list[str]:
        """Per page, the single letters pdftotext -raw gives of rotated text, joined."""
        path = tmp_path / "wm.pdf"
        path.write_bytes(pdf)
        out = []
        for page in range(1, page_count(pdf) + 1):
            text = subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(path), "-"],
                                  capture_output=True, check=True).stdout.decode("utf-8")
            out.append("".join(line.strip() for line in text.splitlines() if len(line.strip()) == 1))
        return out

    pdf = plan_pdf.render_plan_pdf(build(draft=True))
    marks = diagonal_words(pdf)
    assert len(marks) >= 2 and all("DRAFT" in mark for mark in marks)
    assert all("BORRADOR" in mark for mark in diagonal_words(plan_pdf.render_plan_pdf(build(language="es", draft=True))))
    # The final plan carries no watermark, and the draft's text is all still there.
    assert not any("DRAFT" in mark for mark in diagonal_words(plan_pdf.render_plan_pdf(final)))
    assert HELPLINE_NAMES[0] in flat(page_texts(pdf, tmp_path)[0])


@pytest.mark.parametrize(("large", "least"), [(False, 9), (True, 14)])
def test_large_print_enlarges_the_header_and_footer_too(large, least):
    """The patient's name and the page numbers are page furniture: at about 7 pt in large
    print before (issue #15), at least 14 pt now."""
    renderer = plan_pdf.PlanRenderer()
    renderer._sizes(large)
    assert renderer.small >= least
