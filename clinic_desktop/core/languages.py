"""Language names: the one place the patient's language list and the referral directory's
language list come from. The names are Babel's (the Unicode CLDR data), in English, as staff
read them; a patient's language also shows its own name ("Spanish (Español)").

    language_name("es")          -> "Spanish"
    DIRECTORY_LANGUAGES["zh"]    -> "Chinese"
    PATIENT_LANGUAGES["es"]      -> "Spanish (Español)"

The codes are ISO 639: every two-letter (ISO 639-1) code CLDR names, plus a few ISO 639-3 codes
US clinics need for languages ISO 639-1 has no code for. Where CLDR's English name differs from
the name the app has always shown (CLDR says "Bangla", the app "Bengali"), ``SHOWN_NAMES`` keeps
the app's, so nothing staff see changes; CLDR's name is still understood when typed (a CSV
import).
"""

from __future__ import annotations

from babel import Locale

_ENGLISH = Locale("en")

#: Codes CLDR names in English that are not ISO 639-1 today: "sh" (Serbo-Croatian) was withdrawn
#: in 2000.
_WITHDRAWN = frozenset({"sh"})
#: ISO 639-3 codes for languages without an ISO 639-1 code, which US clinics need.
ISO_639_3_CODES: tuple[str, ...] = ("ase", "chk", "cmn", "fil", "haw", "hmn", "ilo", "yue")
#: The names shown where CLDR's English name differs from the app's (or CLDR has none: "cmn").
SHOWN_NAMES: dict[str, str] = {
    "bn": "Bengali",  # CLDR: Bangla
    "ff": "Fulah",  # CLDR: Fula
    "mi": "Maori",  # CLDR: Māori
    "ny": "Chichewa",  # CLDR: Nyanja
    "os": "Ossetian",  # CLDR: Ossetic
    "rn": "Kirundi",  # CLDR: Rundi
    "ilo": "Ilocano",  # CLDR: Iloko
    "cmn": "Mandarin",  # CLDR: no English name
}
#: The languages a patient's record offers: those the printed plan is written in.
PATIENT_CODES: tuple[str, ...] = ("en", "es")


def language_name(code: str) -> str:
    """The English name of ISO 639 ``code`` as staff see it; the code itself when unknown."""
    return SHOWN_NAMES.get(code) or _ENGLISH.languages.get(code) or code


def own_name(code: str) -> str:
    """The language's name in itself, capitalized as a list item: "Español" for "es"."""
    name = Locale.parse(code).languages.get(code, language_name(code))
    return name[:1].upper() + name[1:]


def patient_language_name(code: str) -> str:
    """"Spanish (Español)": the English name, with the language's own name when it differs."""
    english, own = language_name(code), own_name(code)
    return english if own == english else f"{english} ({own})"


#: The languages a directory contact may list, code → English name (two-letter codes first).
DIRECTORY_LANGUAGES: dict[str, str] = {
    code: language_name(code)
    for code in (*sorted(str(c) for c in _ENGLISH.languages
                         if len(str(c)) == 2 and c not in _WITHDRAWN),
                 *ISO_639_3_CODES)
}
#: The languages of a patient's record, code → "Spanish (Español)".
PATIENT_LANGUAGES: dict[str, str] = {code: patient_language_name(code) for code in PATIENT_CODES}


def name_aliases() -> dict[str, str]:
    """Every name a directory language may be typed as (the shown name, and CLDR's where it
    differs), name → code."""
    aliases = {name: code for code, name in DIRECTORY_LANGUAGES.items()}
    for code in SHOWN_NAMES:
        cldr = _ENGLISH.languages.get(code)
        if cldr:
            aliases.setdefault(cldr, code)
    return aliases
