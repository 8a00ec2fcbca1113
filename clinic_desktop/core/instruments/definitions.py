"""The shipped instruments, as data (source of truth: CLINICAL.md section 1).

Item and band ids are stable keys used in the database, tests and exports: never change them.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Band, Instrument, Item

__all__ = [
    "ASQ",
    "ASQ_SCREEN_ITEMS",
    "CIWA_AR",
    "COWS",
    "GAD7",
    "INSTRUMENTS",
    "OOWS",
    "PHQ9",
    "SOWS_GOSSOP",
    "SOWS_HANDELSMAN",
]


def _uniform(labels: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Options 0..n-1 with the given anchors."""
    return tuple(enumerate(labels))


def _ciwa(anchors: dict[int, str], top: int = 7) -> tuple[tuple[int, str], ...]:
    """CIWA-Ar options 0..top; points without a form anchor say which anchors they lie between."""
    known = sorted(anchors)
    options: list[tuple[int, str]] = []
    for score in range(top + 1):
        if score in anchors:
            options.append((score, anchors[score]))
        else:
            below = max(k for k in known if k < score)
            above = min(k for k in known if k > score)
            options.append((score, f"between {below} and {above}"))
    return tuple(options)


# --------------------------------------------------------------------------------------- COWS

COWS = Instrument(
    id="cows",
    title="Clinical Opiate Withdrawal Scale",
    short_title="COWS",
    citation=(
        "Wesson DR, Ling W. The Clinical Opiate Withdrawal Scale (COWS). "
        "J Psychoactive Drugs. 2003;35(2):253-259."
    ),
    rater="clinician",
    timeframe="at assessment (sweating and GI upset: past ½ hour)",
    instructions=(
        "For each item, choose the score that best describes the patient's signs or symptoms. "
        "Rate each item only on its apparent relation to opioid withdrawal: for example, a pulse "
        "raised because the patient was walking fast just before the assessment does not add "
        "to the score."
    ),
    items=(
        Item(
            "resting_pulse",
            "Resting pulse rate (after sitting or lying 1 min)",
            ((0, "≤80"), (1, "81–100"), (2, "101–120"), (4, ">120")),
            help="Beats per minute, measured after the patient has sat or lain for one minute.",
        ),
        Item(
            "sweating",
            "Sweating, past ½ h, not from room temperature or activity",
            (
                (0, "no report of chills or flushing"),
                (1, "subjective report of chills or flushing"),
                (2, "flushed or observable moistness on face"),
                (3, "beads of sweat on brow or face"),
                (4, "sweat streaming off face"),
            ),
        ),
        Item(
            "restlessness",
            "Restlessness during assessment",
            (
                (0, "able to sit still"),
                (1, "reports difficulty"),
                (3, "frequent shifting or extraneous movements"),
                (5, "unable to sit still"),
            ),
            help="Observed during the assessment.",
        ),
        Item(
            "pupil_size",
            "Pupil size",
            (
                (0, "pinned or normal for room light"),
                (1, "possibly larger than normal"),
                (2, "moderately dilated"),
                (5, "so dilated only rim of iris visible"),
            ),
        ),
        Item(
            "bone_joint_aches",
            "Bone or joint aches (additional component only)",
            (
                (0, "none"),
                (1, "mild diffuse discomfort"),
                (2, "severe diffuse aching"),
                (4, "rubbing joints or muscles, unable to sit still"),
            ),
            help="If the patient had pain before, score only the part attributed to withdrawal.",
        ),
        Item(
            "runny_nose_tearing",
            "Runny nose or tearing, not from cold or allergy",
            (
                (0, "none"),
                (1, "nasal stuffiness or unusually moist eyes"),
                (2, "nose running or tearing"),
                (4, "constant running, tears streaming"),
            ),
        ),
        Item(
            "gi_upset",
            "GI upset, past ½ h",
            (
                (0, "none"),
                (1, "stomach cramps"),
                (2, "nausea or loose stool"),
                (3, "vomiting or diarrhea"),
                (5, "multiple episodes"),
            ),
            help="Multiple episodes of vomiting or diarrhea score 5.",
        ),
        Item(
            "tremor",
            "Tremor, outstretched hands",
            (
                (0, "none"),
                (1, "felt, not observed"),
                (2, "slight tremor observable"),
                (4, "gross tremor or twitching"),
            ),
        ),
        Item(
            "yawning",
            "Yawning during assessment",
            (
                (0, "none"),
                (1, "once or twice"),
                (2, "three or more times"),
                (4, "several times a minute"),
            ),
        ),
        Item(
            "anxiety_irritability",
            "Anxiety or irritability",
            (
                (0, "none"),
                (1, "reports increasing irritability or anxiety"),
                (2, "obviously irritable or anxious"),
                (4, "so irritable or anxious that participation is difficult"),
            ),
        ),
        Item(
            "gooseflesh",
            "Gooseflesh skin",
            (
                (0, "smooth"),
                (3, "piloerection felt or hairs standing up on arms"),
                (5, "prominent piloerection"),
            ),
        ),
    ),
    bands=(
        Band("mild", "mild", 5, 12),
        Band("moderate", "moderate", 13, 24),
        Band("moderately_severe", "moderately severe", 25, 36),
        Band("severe", "severe", 37, 48),
    ),
    no_band_label="no active withdrawal",
)

# --------------------------------------------------------------------------- SOWS (Gossop)

_GOSSOP_ANCHORS = ("none", "mild", "moderate", "severe")

SOWS_GOSSOP = Instrument(
    id="sows_gossop",
    title="Short Opiate Withdrawal Scale (Gossop)",
    short_title="SOWS (Gossop)",
    citation=(
        "Gossop M. The development of a Short Opiate Withdrawal Scale (SOWS). "
        "Addict Behav. 1990;15(5):487-490."
    ),
    rater="patient",
    timeframe="past 24 hours",
    instructions="For each condition, choose how much it has troubled you in the past 24 hours.",
    items=tuple(
        Item(item_id, label, _uniform(_GOSSOP_ANCHORS))
        for item_id, label in (
            ("feeling_sick", "Feeling sick"),
            ("stomach_cramps", "Stomach cramps"),
            ("muscle_spasms", "Muscle spasms/twitching"),
            ("feeling_cold", "Feeling of coldness"),
            ("heart_pounding", "Heart pounding"),
            ("muscular_tension", "Muscular tension"),
            ("aches_and_pains", "Aches and pains"),
            ("yawning", "Yawning"),
            ("runny_eyes", "Runny eyes"),
            ("insomnia", "Insomnia/problems sleeping"),
        )
    ),
    bands=(),
    no_band_label="no published severity bands",
)

# ----------------------------------------------------------------------- SOWS (Handelsman)

_HANDELSMAN_ANCHORS = ("not at all", "a little", "moderately", "quite a bit", "extremely")

SOWS_HANDELSMAN = Instrument(
    id="sows_handelsman",
    title="Subjective Opiate Withdrawal Scale (Handelsman)",
    short_title="SOWS (Handelsman)",
    citation=(
        "Handelsman L, Cochrane KJ, Aronson MJ, Ness R, Rubinstein KJ, Kanof PD. Two new rating "
        "scales for opiate withdrawal. Am J Drug Alcohol Abuse. 1987;13(3):293-308."
    ),
    rater="patient",
    timeframe="right now",
    instructions=(
        "For each statement, choose the answer that best describes how you feel right now."
    ),
    items=tuple(
        Item(item_id, label, _uniform(_HANDELSMAN_ANCHORS))
        for item_id, label in (
            ("anxious", "I feel anxious"),
            ("feel_like_yawning", "I feel like yawning"),
            ("perspiring", "I am perspiring"),
            ("eyes_tearing", "My eyes are tearing"),
            ("nose_running", "My nose is running"),
            ("goosebumps", "I have goosebumps"),
            ("shaking", "I am shaking"),
            ("hot_flushes", "I have hot flushes"),
            ("cold_flushes", "I have cold flushes"),
            ("bones_muscles_ache", "My bones and muscles ache"),
            ("restless", "I feel restless"),
            ("nauseous", "I feel nauseous"),
            ("vomiting", "I feel like vomiting"),
            ("muscles_twitch", "My muscles twitch"),
            ("stomach_cramps", "I have stomach cramps"),
            (
                "feel_like_using_now",
                'I feel like using now (original wording: "I feel like shooting up now")',
            ),
        )
    ),
    bands=(),
    # The 1-10 / 11-20 / 21-30 labels on some clinic forms are not from the paper.
    no_band_label="no validated severity bands",
)

# ------------------------------------------------------------------------------------ OOWS

OOWS = Instrument(
    id="oows",
    title="Objective Opiate Withdrawal Scale",
    short_title="OOWS",
    citation=(
        "Handelsman L, Cochrane KJ, Aronson MJ, Ness R, Rubinstein KJ, Kanof PD. Two new rating "
        "scales for opiate withdrawal. Am J Drug Alcohol Abuse. 1987;13(3):293-308."
    ),
    rater="observer",
    timeframe="5-minute observation",
    instructions=(
        "Observe the patient for 5 minutes, then score each sign 1 if present or 0 if absent."
    ),
    items=tuple(
        Item(item_id, label, ((0, "absent"), (1, "present")))
        for item_id, label in (
            ("yawning", "Yawning"),
            ("rhinorrhoea", "Rhinorrhoea (runny nose)"),
            ("piloerection", "Piloerection (gooseflesh; observe arm)"),
            ("perspiration", "Perspiration"),
            ("lacrimation", "Lacrimation (tearing)"),
            ("mydriasis", "Mydriasis (dilated pupils)"),
            ("tremor", "Tremor (hands)"),
            ("hot_cold_flushes", "Hot and cold flushes (shivering or huddling for warmth)"),
            ("restlessness", "Restlessness (frequent shifts of position)"),
            ("vomiting", "Vomiting"),
            ("muscle_twitches", "Muscle twitches"),
            ("abdominal_cramps", "Abdominal cramps (holding stomach)"),
            ("anxiety", "Anxiety (mild to severe)"),
        )
    ),
    bands=(),
    no_band_label="no published severity bands",
)

# ------------------------------------------------------------------- PHQ-9 and GAD-7

_FREQUENCY_ANCHORS = ("not at all", "several days", "more than half the days", "nearly every day")
_TWO_WEEKS_QUESTION = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

PHQ9 = Instrument(
    id="phq9",
    title="Patient Health Questionnaire-9 (depression)",
    short_title="PHQ-9",
    citation=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
        "measure. J Gen Intern Med. 2001;16(9):606-613."
    ),
    rater="patient",
    timeframe="last 2 weeks",
    instructions=_TWO_WEEKS_QUESTION,
    items=tuple(
        Item(item_id, label, _uniform(_FREQUENCY_ANCHORS))
        for item_id, label in (
            ("interest", "Little interest or pleasure in doing things"),
            ("depressed", "Feeling down, depressed, or hopeless"),
            ("sleep", "Trouble falling or staying asleep, or sleeping too much"),
            ("tired", "Feeling tired or having little energy"),
            ("appetite", "Poor appetite or overeating"),
            (
                "failure",
                ("Feeling bad about yourself — or that you are a failure or have let yourself "
                 "or your family down"),
            ),
            (
                "concentration",
                ("Trouble concentrating on things, such as reading the newspaper or watching "
                 "television"),
            ),
            (
                "psychomotor",
                ("Moving or speaking so slowly that other people could have noticed? Or the "
                 "opposite — being so fidgety or restless that you have been moving around a lot "
                 "more than usual"),
            ),
            (
                "self_harm",
                "Thoughts that you would be better off dead or of hurting yourself in some way",
            ),
        )
    ),
    bands=(
        Band("minimal", "minimal", 0, 4),
        Band("mild", "mild", 5, 9),
        Band("moderate", "moderate", 10, 14),
        Band("moderately_severe", "moderately severe", 15, 19),
        Band("severe", "severe", 20, 27),
    ),
)

_EVALUATE_FURTHER = "a total of 10 or more warrants further evaluation"

GAD7 = Instrument(
    id="gad7",
    title="Generalized Anxiety Disorder-7",
    short_title="GAD-7",
    citation=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
    ),
    rater="patient",
    timeframe="last 2 weeks",
    instructions=_TWO_WEEKS_QUESTION,
    items=tuple(
        Item(item_id, label, _uniform(_FREQUENCY_ANCHORS))
        for item_id, label in (
            ("nervous", "Feeling nervous, anxious or on edge"),
            ("uncontrolled_worry", "Not being able to stop or control worrying"),
            ("worry_too_much", "Worrying too much about different things"),
            ("trouble_relaxing", "Trouble relaxing"),
            ("restless", "Being so restless that it is hard to sit still"),
            ("irritable", "Becoming easily annoyed or irritable"),
            ("afraid", "Feeling afraid as if something awful might happen"),
        )
    ),
    bands=(
        Band("minimal", "minimal", 0, 4),
        Band("mild", "mild", 5, 9),
        Band("moderate", "moderate", 10, 14, note=_EVALUATE_FURTHER),
        Band("severe", "severe", 15, 21, note=_EVALUATE_FURTHER),
    ),
)

# --------------------------------------------------------------------------------- CIWA-Ar

_HALLUCINATION_ANCHORS = {
    4: "moderately severe hallucinations",
    5: "severe hallucinations",
    6: "extremely severe hallucinations",
    7: "continuous hallucinations",
}

CIWA_AR = Instrument(
    id="ciwa_ar",
    title="Clinical Institute Withdrawal Assessment for Alcohol, revised",
    short_title="CIWA-Ar",
    citation=(
        "Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. Assessment of alcohol "
        "withdrawal: the revised Clinical Institute Withdrawal Assessment for Alcohol scale "
        "(CIWA-Ar). Br J Addict. 1989;84(11):1353-1357."
    ),
    rater="clinician",
    timeframe="now",
    instructions=(
        "Rate each item by asking the questions shown and observing the patient now. "
        "Items score 0-7, orientation 0-4; the maximum total is 67."
    ),
    items=(
        Item(
            "nausea_vomiting",
            "Nausea and vomiting",
            _ciwa(
                {
                    0: "no nausea and no vomiting",
                    1: "mild nausea with no vomiting",
                    4: "intermittent nausea with dry heaves",
                    7: "constant nausea, frequent dry heaves and vomiting",
                }
            ),
            help='Ask "Do you feel sick to your stomach? Have you vomited?" Observation.',
        ),
        Item(
            "tremor",
            "Tremor",
            _ciwa(
                {
                    0: "no tremor",
                    1: "not visible, but can be felt fingertip to fingertip",
                    4: "moderate, with patient's arms extended",
                    7: "severe, even with arms not extended",
                }
            ),
            help="Arms extended and fingers spread apart. Observation.",
        ),
        Item(
            "paroxysmal_sweats",
            "Paroxysmal sweats",
            _ciwa(
                {
                    0: "no sweat visible",
                    1: "barely perceptible sweating, palms moist",
                    4: "beads of sweat obvious on forehead",
                    7: "drenching sweats",
                }
            ),
            help="Observation.",
        ),
        Item(
            "anxiety",
            "Anxiety",
            _ciwa(
                {
                    0: "no anxiety, at ease",
                    1: "mildly anxious",
                    4: "moderately anxious, or guarded, so anxiety is inferred",
                    7: "equivalent to acute panic states as seen in severe delirium or acute "
                    "schizophrenic reactions",
                }
            ),
            help='Ask "Do you feel nervous?" Observation.',
        ),
        Item(
            "agitation",
            "Agitation",
            _ciwa(
                {
                    0: "normal activity",
                    1: "somewhat more than normal activity",
                    4: "moderately fidgety and restless",
                    7: "paces back and forth during most of the interview, or constantly "
                    "thrashes about",
                }
            ),
            help="Observation.",
        ),
        Item(
            "tactile_disturbances",
            "Tactile disturbances",
            _ciwa(
                {
                    0: "none",
                    1: "very mild itching, pins and needles, burning or numbness",
                    2: "mild itching, pins and needles, burning or numbness",
                    3: "moderate itching, pins and needles, burning or numbness",
                    **_HALLUCINATION_ANCHORS,
                }
            ),
            help=(
                'Ask "Have you any itching, pins and needles sensations, any burning, any '
                'numbness, or do you feel bugs crawling on or under your skin?" Observation.'
            ),
        ),
        Item(
            "auditory_disturbances",
            "Auditory disturbances",
            _ciwa(
                {
                    0: "not present",
                    1: "very mild harshness or ability to frighten",
                    2: "mild harshness or ability to frighten",
                    3: "moderate harshness or ability to frighten",
                    **_HALLUCINATION_ANCHORS,
                }
            ),
            help=(
                'Ask "Are you more aware of sounds around you? Are they harsh? Do they frighten '
                "you? Are you hearing anything that is disturbing to you? Are you hearing things "
                'you know are not there?" Observation.'
            ),
        ),
        Item(
            "visual_disturbances",
            "Visual disturbances",
            _ciwa(
                {
                    0: "not present",
                    1: "very mild sensitivity",
                    2: "mild sensitivity",
                    3: "moderate sensitivity",
                    **_HALLUCINATION_ANCHORS,
                }
            ),
            help=(
                'Ask "Does the light appear to be too bright? Is its color different? Does it '
                "hurt your eyes? Are you seeing anything that is disturbing to you? Are you "
                'seeing things you know are not there?" Observation.'
            ),
        ),
        Item(
            "headache",
            "Headache, fullness in head",
            _ciwa(
                {
                    0: "not present",
                    1: "very mild",
                    2: "mild",
                    3: "moderate",
                    4: "moderately severe",
                    5: "severe",
                    6: "very severe",
                    7: "extremely severe",
                }
            ),
            help=(
                'Ask "Does your head feel different? Does it feel like there is a band around '
                'your head?" Do not rate for dizziness or lightheadedness; otherwise rate severity.'
            ),
        ),
        Item(
            "orientation",
            "Orientation and clouding of sensorium",
            (
                (0, "oriented and can do serial additions"),
                (1, "cannot do serial additions or is uncertain about date"),
                (2, "disoriented for date by no more than 2 calendar days"),
                (3, "disoriented for date by more than 2 calendar days"),
                (4, "disoriented for place and/or person"),
            ),
            help='Ask "What day is this? Where are you? Who am I?"',
        ),
    ),
    # Shipped defaults; protocols differ and a clinic may configure others (see with_bands).
    bands=(
        Band("minimal", "minimal", 0, 9),
        Band("moderate", "moderate", 10, 15),
        Band("severe", "severe", 16, 67),
    ),
)

# --------------------------------------------------------------------------------------------
# ASQ — Ask Suicide-Screening Questions (NIMH, free to use). CLINICAL.md section 7.
# --------------------------------------------------------------------------------------------

#: Items 1-4: any "yes" is a positive screen, and asks item 5.
ASQ_SCREEN_ITEMS: tuple[str, ...] = ("wished_dead", "better_off_dead", "thoughts_past_week",
                                     "tried_before")
_YES_NO: tuple[tuple[int, str], ...] = ((0, "no"), (1, "yes"))


def _asq_band(answers: Mapping[str, int]) -> str:
    """negative (no "yes" to items 1-4), positive (a "yes" to 1-4, "no" to item 5) or acute
    (a "yes" to 1-4 and to item 5: imminent risk)."""
    if not any(answers.get(item_id) == 1 for item_id in ASQ_SCREEN_ITEMS):
        return "negative"
    return "acute" if answers.get("thoughts_now") == 1 else "positive"


ASQ = Instrument(
    id="asq",
    title="Ask Suicide-Screening Questions (ASQ)",
    short_title="ASQ",
    citation=(
        "Horowitz LM, Bridge JA, Teach SJ, et al. Ask Suicide-Screening Questions (ASQ): a brief "
        "instrument for the pediatric emergency department. Arch Pediatr Adolesc Med. "
        "2012;166(12):1170-1176. National Institute of Mental Health ASQ toolkit."
    ),
    rater="patient",
    timeframe="past few weeks; now",
    instructions=(
        "Ask the patient each question. A “yes” to any of questions 1-4 is a positive "
        "screen and asks question 5; a “yes” to question 5 is an acute positive "
        "(imminent risk)."
    ),
    items=(
        Item("wished_dead", "In the past few weeks, have you wished you were dead?", _YES_NO),
        Item("better_off_dead", "In the past few weeks, have you felt that you or your family "
             "would be better off if you were dead?", _YES_NO),
        Item("thoughts_past_week", "In the past week, have you been having thoughts about "
             "killing yourself?", _YES_NO),
        Item("tried_before", "Have you ever tried to kill yourself?", _YES_NO,
             help="If yes, ask how and when."),
        Item("thoughts_now", "Are you having thoughts of killing yourself right now?", _YES_NO,
             help="Asked only when the answer to any of questions 1-4 is yes.",
             asked_when=ASQ_SCREEN_ITEMS),
    ),
    bands=(
        Band("negative", "negative screen", 0, 0),
        Band("positive", "positive screen (non-acute): a safety assessment is needed", 1, 4),
        Band("acute", "acute positive: imminent risk — do not leave the patient alone; "
             "emergency evaluation now", 2, 5),
    ),
    band_rule=_asq_band,
)

INSTRUMENTS: tuple[Instrument, ...] = (
    COWS,
    SOWS_GOSSOP,
    SOWS_HANDELSMAN,
    OOWS,
    PHQ9,
    GAD7,
    CIWA_AR,
    ASQ,
)
