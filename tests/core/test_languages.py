"""The language names of the patient's record and of the referral directory: one list, Babel's."""

from clinic_desktop.core import languages
from clinic_desktop.core.services import directory, patients


def test_the_patient_and_directory_lists_come_from_core_languages():
    assert patients.LANGUAGES is languages.PATIENT_LANGUAGES
    assert directory.LANGUAGES is languages.DIRECTORY_LANGUAGES
    assert set(languages.PATIENT_LANGUAGES) <= set(languages.DIRECTORY_LANGUAGES)


def test_patient_languages_show_their_own_name_too():
    assert languages.PATIENT_LANGUAGES == {"en": "English", "es": "Spanish (Español)"}


def test_directory_languages_are_iso_639_1_and_the_clinics_iso_639_3_codes():
    codes = list(languages.DIRECTORY_LANGUAGES)
    two_letter = [code for code in codes if len(code) == 2]
    assert len(two_letter) == 183 and "sh" not in codes  # ISO 639-1 today
    assert two_letter == sorted(two_letter)
    assert codes[len(two_letter):] == list(languages.ISO_639_3_CODES)
    assert languages.DIRECTORY_LANGUAGES["es"] == "Spanish"
    assert languages.DIRECTORY_LANGUAGES["zh"] == "Chinese"
    assert languages.DIRECTORY_LANGUAGES["ase"] == "American Sign Language"


def test_the_names_staff_have_always_seen_are_kept_and_cldr_names_are_understood():
    assert languages.DIRECTORY_LANGUAGES["bn"] == "Bengali"
    assert languages.DIRECTORY_LANGUAGES["cmn"] == "Mandarin"
    assert directory.language_code("Bengali") == "bn"
    assert directory.language_code("Bangla") == "bn"
    assert directory.language_code("ES") == "es"


def test_an_unknown_code_is_shown_as_itself():
    assert languages.language_name("xx") == "xx"
