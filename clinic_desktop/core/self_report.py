"""Patient check-in mode (issue #16 item 7): what the patient reads when staff hand them the
workstation — the daily check-in in plain words, then the PHQ-9 and the GAD-7 in their published
wording (English: the Pfizer forms; Spanish: the official Spanish (USA) translations distributed
by Pfizer at phqscreeners.com). Pure data: no Qt, no database.

    questions("es", ("checkin", "phq9"))[0].text  -> "¿Qué tan fuerte es su deseo de consumir ..."
    language_for("fr")                            -> "en"

The answers are stored as the staff would enter them: the check-in's parts (:mod:`core.checkin`)
and the instruments' item scores (item ids of :mod:`core.instruments.definitions`).
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic_desktop.core import checkin

__all__ = ["INSTRUMENTS", "LANGUAGES", "SECTIONS", "Question", "language_for", "questions", "text"]

#: The languages the patient can answer in; any other preferred language gets English.
LANGUAGES: tuple[str, ...] = ("en", "es")
#: What can be asked, in the order it is asked: the check-in, then the self-report instruments.
SECTIONS: tuple[str, ...] = ("checkin", "phq9", "gad7")
#: The self-report instruments (scored by :mod:`core.instruments`).
INSTRUMENTS: tuple[str, ...] = ("phq9", "gad7")

SCALE, HOURS, CHOICE, FREQUENCY = "scale", "hours", "choice", "frequency"
#: The sleep hours offered as buttons (whole hours; the last one means "12 or more").
HOURS_OFFERED: tuple[int, ...] = tuple(range(13))


def language_for(code: str | None) -> str:
    """The language to ask in: the patient's preferred language when offered, else English."""
    code = (code or "").strip().lower()
    return code if code in LANGUAGES else "en"


#: The words around the questions, by language.
_UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Check-in",
        "checkin_intro": "How are you today?",
        "skip": "Skip",
        "back": "Back",
        "progress": "{n} of {total}",
        "hours_hint": "Hours of sleep (12+ = 12 hours or more)",
        "thanks": "Thank you \u2014 please hand the computer back to the staff.",
        "stepped_away": "Please hand the computer back to the staff.",
        "keys": "You can also press a number key, then Enter. Backspace goes back.",
    },
    "es": {
        "title": "Cómo se siente hoy",
        "checkin_intro": "¿Cómo se siente hoy?",
        "skip": "Saltar",
        "back": "Atrás",
        "progress": "{n} de {total}",
        "hours_hint": "Horas de sueño (12+ = 12 horas o más)",
        "thanks": "Gracias. Por favor, devuelva la computadora al personal.",
        "stepped_away": "Por favor, devuelva la computadora al personal.",
        "keys": "También puede usar las teclas de números y luego Enter. La tecla de borrar regresa a la pregunta anterior.",
    },
}

#: The check-in's 0–10 scales: the question and what 0 and 10 mean.
_SCALES: dict[str, dict[str, tuple[str, str, str]]] = {
    "en": {
        "craving": ("How strong is your craving right now?", "0 = no craving", "10 = the strongest craving"),
        "mood": ("How is your mood right now?", "0 = the worst mood", "10 = the best mood"),
        "anxiety": ("How anxious do you feel right now?", "0 = calm", "10 = the most anxious"),
        "pain": ("How much pain do you have right now?", "0 = no pain", "10 = the worst pain"),
    },
    "es": {
        "craving": ("¿Qué tan fuerte es su deseo de consumir ahora mismo?", "0 = nada de deseo",
                    "10 = el deseo más fuerte"),
        "mood": ("¿Cómo está su ánimo ahora mismo?", "0 = el peor ánimo", "10 = el mejor ánimo"),
        "anxiety": ("¿Qué tan nervioso(a) o ansioso(a) se siente ahora mismo?", "0 = tranquilo(a)",
                    "10 = lo más nervioso(a)"),
        "pain": ("¿Cuánto dolor tiene ahora mismo?", "0 = nada de dolor", "10 = el peor dolor"),
    },
}
_SLEEP_HOURS: dict[str, str] = {
    "en": "About how many hours did you sleep last night?",
    "es": "¿Más o menos cuántas horas durmió anoche?",
}
#: The check-in's choices: the question and each choice's words (codes of ``checkin.CHOICES``).
_CHOICES: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "en": {
        "sleep_quality": ("How well did you sleep last night?",
                          {"good": "Well", "fair": "So-so", "poor": "Badly"}),
        "appetite": ("How is your appetite today?",
                     {"normal": "Normal", "reduced": "Less than usual", "none": "No appetite"}),
        "fluids": ("Are you drinking enough water and other drinks?",
                   {"enough": "Yes, enough", "too_little": "No, too little"}),
    },
    "es": {
        "sleep_quality": ("¿Qué tan bien durmió anoche?",
                          {"good": "Bien", "fair": "Más o menos", "poor": "Mal"}),
        "appetite": ("¿Cómo está su apetito hoy?",
                     {"normal": "Normal", "reduced": "Menos que de costumbre", "none": "Nada de apetito"}),
        "fluids": ("¿Está tomando suficiente agua y otras bebidas?",
                   {"enough": "Sí, suficiente", "too_little": "No, muy poca"}),
    },
}

#: The instruments' published stems, items and answers (0–3), by language.
_STEMS: dict[str, dict[str, str]] = {
    "en": {
        "phq9": "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        "gad7": "Over the last 2 weeks, how often have you been bothered by the following problems?",
    },
    "es": {
        "phq9": ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
                 "siguientes problemas?"),
        "gad7": "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes problemas?",
    },
}
_ANSWERS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "en": {
        "phq9": ("Not at all", "Several days", "More than half the days", "Nearly every day"),
        "gad7": ("Not at all", "Several days", "More than half the days", "Nearly every day"),
    },
    "es": {
        "phq9": ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"),
        "gad7": ("Nunca", "Varios días", "Más de la mitad de los días", "Casi todos los días"),
    },
}
_ITEMS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "phq9": {
            "interest": "Little interest or pleasure in doing things",
            "depressed": "Feeling down, depressed, or hopeless",
            "sleep": "Trouble falling or staying asleep, or sleeping too much",
            "tired": "Feeling tired or having little energy",
            "appetite": "Poor appetite or overeating",
            "failure": ("Feeling bad about yourself \u2014 or that you are a failure or have let yourself "
                        "or your family down"),
            "concentration": ("Trouble concentrating on things, such as reading the newspaper or "
                              "watching television"),
            "psychomotor": ("Moving or speaking so slowly that other people could have noticed? Or the "
                            "opposite \u2014 being so fidgety or restless that you have been moving around "
                            "a lot more than usual"),
            "self_harm": "Thoughts that you would be better off dead or of hurting yourself in some way",
        },
        "gad7": {
            "nervous": "Feeling nervous, anxious or on edge",
            "uncontrolled_worry": "Not being able to stop or control worrying",
            "worry_too_much": "Worrying too much about different things",
            "trouble_relaxing": "Trouble relaxing",
            "restless": "Being so restless that it is hard to sit still",
            "irritable": "Becoming easily annoyed or irritable",
            "afraid": "Feeling afraid as if something awful might happen",
        },
    },
    "es": {
        "phq9": {
            "interest": "Poco interés o placer en hacer cosas",
            "depressed": "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
            "sleep": "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
            "tired": "Se ha sentido cansado(a) o con poca energía",
            "appetite": "Sin apetito o ha comido en exceso",
            "failure": ("Se ha sentido mal con usted mismo(a) \u2013 o que es un fracaso o que ha quedado "
                        "mal con usted mismo(a) o con su familia"),
            "concentration": ("Ha tenido dificultad para concentrarse en ciertas actividades, tales como "
                              "leer el periódico o ver la televisión"),
            "psychomotor": ("¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? "
                            "o lo contrario \u2013 muy inquieto(a) o agitado(a) que ha estado moviéndose "
                            "mucho más de lo normal"),
            "self_harm": "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
        },
        "gad7": {
            "nervous": "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
            "uncontrolled_worry": "No ha sido capaz de parar o controlar su preocupación",
            "worry_too_much": "Se ha preocupado demasiado por motivos diferentes",
            "trouble_relaxing": "Ha tenido dificultad para relajarse",
            "restless": "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
            "irritable": "Se ha molestado o irritado fácilmente",
            "afraid": "Ha tenido miedo de que algo terrible fuera a pasar",
        },
    },
}


@dataclass(frozen=True)
class Question:
    """One page of the patient check-in: ``section`` ("checkin", "phq9", "gad7") and ``part`` (the
    check-in part or the instrument's item id) say where the answer goes; ``kind`` how it is
    answered (``SCALE`` 0–10, ``HOURS``, ``CHOICE``, ``FREQUENCY`` 0–3); ``options`` the stored
    values with the words shown; ``stem`` the line above the question; ``low``/``high`` what the
    ends of a 0–10 scale mean (``low`` on the hours: what the numbers count)."""

    section: str
    part: str
    kind: str
    stem: str
    text: str
    options: tuple[tuple[int | float | str, str], ...]
    low: str = ""
    high: str = ""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.part}"


def text(language: str, key: str, **values: object) -> str:
    """A word of the check-in's frame ("skip", "back", "progress", "thanks"...) in ``language``."""
    return _UI[language_for(language)][key].format(**values)


def _checkin_questions(language: str) -> list[Question]:
    intro = text(language, "checkin_intro")
    out: list[Question] = []
    for part in checkin.FIELD_IDS:
        if part in checkin.SCALES:
            question, low, high = _SCALES[language][part]
            out.append(Question("checkin", part, SCALE, intro, question,
                                tuple((n, str(n)) for n in range(checkin.SCALE_RANGE[0], checkin.SCALE_RANGE[1] + 1)),
                                low, high))
        elif part == checkin.SLEEP_HOURS[0]:
            out.append(Question("checkin", part, HOURS, intro, _SLEEP_HOURS[language],
                                tuple((float(n), f"{n}+" if n == HOURS_OFFERED[-1] else str(n))
                                      for n in HOURS_OFFERED),
                                text(language, "hours_hint")))
        else:
            question, words = _CHOICES[language][part]
            out.append(Question("checkin", part, CHOICE, intro, question, tuple(words.items())))
    return out


def _instrument_questions(language: str, instrument_id: str) -> list[Question]:
    answers = tuple(enumerate(_ANSWERS[language][instrument_id]))
    stem = _STEMS[language][instrument_id]
    return [Question(instrument_id, item_id, FREQUENCY, stem, words, answers)
            for item_id, words in _ITEMS[language][instrument_id].items()]


def questions(language: str, sections: tuple[str, ...] | list[str] = SECTIONS) -> list[Question]:
    """Every page to ask, in :data:`SECTIONS` order, in ``language`` (English if not offered)."""
    language = language_for(language)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"Nothing to ask for {sorted(unknown)}.")
    out: list[Question] = []
    for section in SECTIONS:
        if section not in sections:
            continue
        out += _checkin_questions(language) if section == "checkin" else _instrument_questions(language, section)
    return out
