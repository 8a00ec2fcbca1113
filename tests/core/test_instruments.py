"""Tests for clinic_desktop.core.instruments against CLINICAL.md section 1."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_desktop.core.instruments import (
    INSTRUMENT_IDS,
    Band,
    Instrument,
    Item,
    Score,
    all_instruments,
    get_instrument,
    phq9_self_harm_positive,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------ expected (CLINICAL.md §1)

EXPECTED_ITEMS: dict[str, tuple[str, ...]] = {
    "cows": (
        "resting_pulse", "sweating", "restlessness", "pupil_size", "bone_joint_aches",
        "runny_nose_tearing", "gi_upset", "tremor", "yawning", "anxiety_irritability",
        "gooseflesh",
    ),
    "sows_gossop": (
        "feeling_sick", "stomach_cramps", "muscle_spasms", "feeling_cold", "heart_pounding",
        "muscular_tension", "aches_and_pains", "yawning", "runny_eyes", "insomnia",
    ),
    "sows_handelsman": (
        "anxious", "feel_like_yawning", "perspiring", "eyes_tearing", "nose_running",
        "goosebumps", "shaking", "hot_flushes", "cold_flushes", "bones_muscles_ache", "restless",
        "nauseous", "vomiting", "muscles_twitch", "stomach_cramps", "feel_like_using_now",
    ),
    "oows": (
        "yawning", "rhinorrhoea", "piloerection", "perspiration", "lacrimation", "mydriasis",
        "tremor", "hot_cold_flushes", "restlessness", "vomiting", "muscle_twitches",
        "abdominal_cramps", "anxiety",
    ),
    "phq9": (
        "interest", "depressed", "sleep", "tired", "appetite", "failure", "concentration",
        "psychomotor", "self_harm",
    ),
    "gad7": (
        "nervous", "uncontrolled_worry", "worry_too_much", "trouble_relaxing", "restless",
        "irritable", "afraid",
    ),
    "ciwa_ar": (
        "nausea_vomiting", "tremor", "paroxysmal_sweats", "anxiety", "agitation",
        "tactile_disturbances", "auditory_disturbances", "visual_disturbances", "headache",
        "orientation",
    ),
}  # fmt: skip

EXPECTED_RANGE = {
    "cows": (0, 48),
    "sows_gossop": (0, 30),
    "sows_handelsman": (0, 64),
    "oows": (0, 13),
    "phq9": (0, 27),
    "gad7": (0, 21),
    "ciwa_ar": (0, 67),
}

COWS_ALLOWED = {
    "resting_pulse": {0, 1, 2, 4},
    "sweating": {0, 1, 2, 3, 4},
    "restlessness": {0, 1, 3, 5},
    "pupil_size": {0, 1, 2, 5},
    "bone_joint_aches": {0, 1, 2, 4},
    "runny_nose_tearing": {0, 1, 2, 4},
    "gi_upset": {0, 1, 2, 3, 5},
    "tremor": {0, 1, 2, 4},
    "yawning": {0, 1, 2, 4},
    "anxiety_irritability": {0, 1, 2, 4},
    "gooseflesh": {0, 3, 5},
}

EXPECTED_BANDS = {
    "cows": [
        ("mild", 5, 12), ("moderate", 13, 24), ("moderately_severe", 25, 36), ("severe", 37, 48),
    ],
    "sows_gossop": [],
    "sows_handelsman": [],
    "oows": [],
    "phq9": [
        ("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("moderately_severe", 15, 19),
        ("severe", 20, 27),
    ],
    "gad7": [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)],
    "ciwa_ar": [("minimal", 0, 9), ("moderate", 10, 15), ("severe", 16, 67)],
}  # fmt: skip

# Band boundaries on both sides, (instrument, total, expected band id).
BOUNDARIES = [
    ("cows", 0, None), ("cows", 4, None), ("cows", 5, "mild"), ("cows", 12, "mild"),
    ("cows", 13, "moderate"), ("cows", 24, "moderate"), ("cows", 25, "moderately_severe"),
    ("cows", 36, "moderately_severe"), ("cows", 37, "severe"), ("cows", 48, "severe"),
    ("phq9", 0, "minimal"), ("phq9", 4, "minimal"), ("phq9", 5, "mild"), ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"), ("phq9", 14, "moderate"), ("phq9", 15, "moderately_severe"),
    ("phq9", 19, "moderately_severe"), ("phq9", 20, "severe"), ("phq9", 27, "severe"),
    ("gad7", 0, "minimal"), ("gad7", 4, "minimal"), ("gad7", 5, "mild"), ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"), ("gad7", 14, "moderate"), ("gad7", 15, "severe"),
    ("gad7", 21, "severe"),
    ("ciwa_ar", 0, "minimal"), ("ciwa_ar", 9, "minimal"), ("ciwa_ar", 10, "moderate"),
    ("ciwa_ar", 15, "moderate"), ("ciwa_ar", 16, "severe"), ("ciwa_ar", 67, "severe"),
]  # fmt: skip


def answers_for_total(instrument: Instrument, total: int) -> dict[str, int]:
    """A complete set of allowed item scores that sums to ``total`` (fails if none exists)."""
    # reachable[k][s]: scores for items k.. that sum to s, built back to front.
    reachable: list[dict[int, tuple[int, ...]]] = [{} for _ in instrument.items] + [{0: ()}]
    for k in range(len(instrument.items) - 1, -1, -1):
        for rest_sum, rest in reachable[k + 1].items():
            for score in sorted(instrument.items[k].allowed_scores):
                reachable[k].setdefault(rest_sum + score, (score, *rest))
    assert total in reachable[0], f"{instrument.id}: no item combination sums to {total}"
    return dict(zip(instrument.item_ids, reachable[0][total], strict=True))


def zero_answers(instrument: Instrument) -> dict[str, int]:
    return {item_id: 0 for item_id in instrument.item_ids}


# ------------------------------------------------------------------------ registry & structure


def test_instrument_ids_and_order() -> None:
    expected = ("cows", "sows_gossop", "sows_handelsman", "oows", "phq9", "gad7", "ciwa_ar", "asq")
    assert INSTRUMENT_IDS == expected
    assert tuple(i.id for i in all_instruments()) == expected
    for instrument_id in expected:
        assert get_instrument(instrument_id).id == instrument_id


@pytest.mark.parametrize("bad_id", ["foo", "COWS", "", "phq-9"])
def test_unknown_instrument_raises(bad_id: str) -> None:
    with pytest.raises(ValueError) as exc:
        get_instrument(bad_id)
    assert repr(bad_id) in str(exc.value)


@pytest.mark.parametrize("instrument_id", list(EXPECTED_ITEMS))
def test_items_and_total_range(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert instrument.item_ids == EXPECTED_ITEMS[instrument_id]
    assert len(instrument.items) == len(EXPECTED_ITEMS[instrument_id])
    assert (instrument.min_total, instrument.max_total) == EXPECTED_RANGE[instrument_id]


@pytest.mark.parametrize("instrument_id", list(EXPECTED_ITEMS))
def test_bands_as_documented(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert [(b.id, b.low, b.high) for b in instrument.bands] == EXPECTED_BANDS[instrument_id]


@pytest.mark.parametrize("instrument", all_instruments(), ids=lambda i: i.id)
def test_every_item_is_well_formed(instrument: Instrument) -> None:
    assert instrument.title and instrument.short_title and instrument.citation
    assert instrument.rater in {"clinician", "patient", "observer"}
    assert instrument.timeframe and instrument.instructions
    for item in instrument.items:
        assert item.label.strip()
        scores = [score for score, _ in item.options]
        assert scores == sorted(set(scores))
        assert all(anchor.strip() for _, anchor in item.options)
        assert item.allowed_scores == frozenset(scores)
        assert item.max_score == max(scores)
        assert instrument.item(item.id) is item


def test_cows_allowed_scores_and_anchors() -> None:
    cows = get_instrument("cows")
    assert {item.id: set(item.allowed_scores) for item in cows.items} == COWS_ALLOWED
    assert cows.item("resting_pulse").anchor(4) == ">120"
    assert cows.item("gooseflesh").anchor(5) == "prominent piloerection"
    assert cows.item("gi_upset").anchor(5) == "multiple episodes"
    assert "Rate each item only on its apparent relation to opioid withdrawal" in cows.instructions
    assert cows.rater == "clinician"
    assert cows.no_band_label == "no active withdrawal"


def test_uniform_option_sets() -> None:
    gossop = get_instrument("sows_gossop")
    gossop_options = ((0, "none"), (1, "mild"), (2, "moderate"), (3, "severe"))
    assert all(i.options == gossop_options for i in gossop.items)
    assert gossop.rater == "patient" and "24 hours" in gossop.timeframe
    handelsman = get_instrument("sows_handelsman")
    assert all(i.allowed_scores == frozenset(range(5)) for i in handelsman.items)
    assert handelsman.item("feel_like_yawning").anchor(4) == "extremely"
    assert "shooting up" in handelsman.item("feel_like_using_now").label
    assert "vomiting" in handelsman.item("vomiting").label
    oows = get_instrument("oows")
    assert all(i.options == ((0, "absent"), (1, "present")) for i in oows.items)
    assert oows.rater == "observer"
    frequency = ("not at all", "several days", "more than half the days", "nearly every day")
    for instrument_id in ("phq9", "gad7"):
        screen = get_instrument(instrument_id)
        assert "2 weeks" in screen.timeframe
        assert all(i.options == tuple(enumerate(frequency)) for i in screen.items)


def test_ciwa_ar_items() -> None:
    ciwa = get_instrument("ciwa_ar")
    for item in ciwa.items:
        expected = range(5) if item.id == "orientation" else range(8)
        assert item.allowed_scores == frozenset(expected), item.id
    assert ciwa.item("tremor").anchor(7) == "severe, even with arms not extended"
    assert ciwa.item("orientation").anchor(4) == "disoriented for place and/or person"


def test_published_wording() -> None:
    phq9 = get_instrument("phq9")
    assert phq9.item("interest").label == "Little interest or pleasure in doing things"
    assert phq9.item("depressed").label == "Feeling down, depressed, or hopeless"
    assert phq9.item("self_harm").label == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert phq9.item("psychomotor").label.startswith("Moving or speaking so slowly")
    gad7 = get_instrument("gad7")
    assert gad7.item("nervous").label == "Feeling nervous, anxious or on edge"
    assert gad7.item("afraid").label == "Feeling afraid as if something awful might happen"


@pytest.mark.parametrize(
    ("instrument_id", "needles"),
    [
        ("cows", ("Wesson", "Ling", "2003")),
        ("sows_gossop", ("Gossop", "1990")),
        ("sows_handelsman", ("Handelsman", "1987")),
        ("oows", ("Handelsman", "1987")),
        ("phq9", ("Kroenke", "Spitzer", "Williams", "2001")),
        ("gad7", ("Spitzer", "2006")),
        ("ciwa_ar", ("Sullivan", "1989")),
    ],
)
def test_citations(instrument_id: str, needles: tuple[str, ...]) -> None:
    citation = get_instrument(instrument_id).citation
    for needle in needles:
        assert needle in citation


def test_unknown_item_lookup_names_item_and_instrument() -> None:
    with pytest.raises(ValueError, match=r"cows: unknown item 'foo'"):
        get_instrument("cows").item("foo")


# -------------------------------------------------------------------------------- scoring


@pytest.mark.parametrize(("instrument_id", "total", "band"), BOUNDARIES)
def test_band_boundaries(instrument_id: str, total: int, band: str | None) -> None:
    instrument = get_instrument(instrument_id)
    answers = answers_for_total(instrument, total)
    score = instrument.score(answers)
    assert score.complete and score.missing == ()
    assert score.total == total
    assert score.band == band
    found = instrument.band_for(total)
    assert (found.id if found else None) == band
    if band is None:
        assert score.band_label == instrument.no_band_label
    else:
        assert score.band_label == instrument.band_for(total).label  # type: ignore[union-attr]


def test_cows_explicit_example() -> None:
    cows = get_instrument("cows")
    answers = zero_answers(cows) | {"resting_pulse": 2, "gooseflesh": 3, "yawning": 4}
    answers["gi_upset"] = 5
    score = cows.score(answers)
    assert (score.total, score.band, score.complete, score.answered) == (14, "moderate", True, 11)
    assert score.band_label == "moderate"
    assert score.status_text == "moderate"
    assert cows.score(zero_answers(cows)).status_text == "no active withdrawal"
    top = {item.id: item.max_score for item in cows.items}
    assert cows.score(top).total == 48 and cows.score(top).band == "severe"


def test_unbanded_instruments_give_no_band() -> None:
    for instrument_id in ("sows_gossop", "sows_handelsman", "oows"):
        instrument = get_instrument(instrument_id)
        top = {item.id: item.max_score for item in instrument.items}
        score = instrument.score(top)
        assert score.complete and score.band is None
        assert score.total == instrument.max_total


def test_missing_items_make_score_incomplete() -> None:
    cows = get_instrument("cows")
    answers: dict[str, int | None] = {item.id: item.max_score for item in cows.items}
    del answers["sweating"]
    answers["gooseflesh"] = None
    score = cows.score(answers)
    assert score.complete is False
    assert score.band is None and score.band_label is None
    assert score.missing == ("sweating", "gooseflesh")
    assert score.answered == 9
    assert score.total == sum(v for v in answers.values() if v is not None)
    assert "sweating" not in score.items and "gooseflesh" not in score.items
    assert score.status_text == "incomplete: 2 items missing"


def test_empty_answers() -> None:
    phq9 = get_instrument("phq9")
    score = phq9.score({})
    assert score == Score("phq9", 0, None, False, phq9.item_ids, 0, {}, None)
    assert score.status_text == "incomplete: 9 items missing"
    assert phq9.score({"interest": 0}).status_text == "incomplete: 8 items missing"
    one_missing = phq9.score({i: 0 for i in phq9.item_ids[:-1]})
    assert one_missing.status_text == "incomplete: 1 item missing"


def test_unknown_item_in_answers() -> None:
    cows = get_instrument("cows")
    with pytest.raises(ValueError, match=r"cows: unknown item 'foo'"):
        cows.score(zero_answers(cows) | {"foo": 1})


@pytest.mark.parametrize(
    ("instrument_id", "item_id", "value"),
    [
        ("cows", "resting_pulse", 3),
        ("cows", "gooseflesh", 6),
        ("cows", "gooseflesh", 1),
        ("cows", "resting_pulse", True),
        ("cows", "resting_pulse", 1.0),
        ("cows", "resting_pulse", "2"),
        ("cows", "resting_pulse", -1),
        ("phq9", "self_harm", 4),
        ("phq9", "interest", False),
        ("oows", "yawning", 2),
        ("ciwa_ar", "orientation", 5),
        ("ciwa_ar", "tremor", 8),
        ("sows_handelsman", "anxious", 4.5),
    ],
)
def test_disallowed_score_raises(instrument_id: str, item_id: str, value: object) -> None:
    instrument = get_instrument(instrument_id)
    answers: dict[str, object] = dict(zero_answers(instrument))
    answers[item_id] = value
    with pytest.raises(ValueError) as exc:
        instrument.score(answers)  # type: ignore[arg-type]
    message = str(exc.value)
    assert item_id in message and instrument_id in message
    allowed = ", ".join(str(s) for s in sorted(instrument.item(item_id).allowed_scores))
    assert allowed in message


def test_resting_pulse_message_lists_allowed_scores() -> None:
    cows = get_instrument("cows")
    with pytest.raises(ValueError, match=r"resting_pulse.*0, 1, 2, 4"):
        cows.score({"resting_pulse": 3})


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(TypeError):
        get_instrument("gad7").score([("nervous", 1)])  # type: ignore[arg-type]


def test_band_for_rejects_impossible_totals() -> None:
    cows = get_instrument("cows")
    for bad in (-1, 49, 5.0, True):
        with pytest.raises(ValueError):
            cows.band_for(bad)  # type: ignore[arg-type]


def test_with_bands_for_configured_thresholds() -> None:
    ciwa = get_instrument("ciwa_ar")
    configured = (Band("mild", "mild", 8, 15), Band("severe", "severe", 16, 67))
    custom = ciwa.with_bands(configured, no_band_label="below threshold")
    assert custom.band_for(7) is None
    assert custom.band_for(8) == configured[0]
    assert custom.score(zero_answers(custom)).band_label == "below threshold"
    assert ciwa.band_for(7).id == "minimal"  # type: ignore[union-attr]  # original unchanged


def test_definitions_are_validated() -> None:
    with pytest.raises(ValueError):
        Item("x", "X", ((1, "a"), (0, "b")))
    with pytest.raises(ValueError):
        Item("x", "X", ((0, "a"), (True, "b")))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Band("b", "B", 5, 4)
    item = Item("x", "X", ((0, "a"), (1, "b")))
    overlapping = (Band("a", "A", 0, 1), Band("b", "B", 1, 1))
    with pytest.raises(ValueError, match="overlap"):
        Instrument("t", "T", "T", "c", "patient", "now", "i", (item,), overlapping)
    with pytest.raises(ValueError, match="outside"):
        Instrument("t", "T", "T", "c", "patient", "now", "i", (item,), (Band("a", "A", 0, 2),))
    with pytest.raises(ValueError, match="duplicate"):
        Instrument("t", "T", "T", "c", "patient", "now", "i", (item, item), ())
    with pytest.raises(ValueError, match="rater"):
        Instrument("t", "T", "T", "c", "nurse", "now", "i", (item,), ())  # type: ignore[arg-type]


def test_instruments_are_immutable() -> None:
    cows = get_instrument("cows")
    with pytest.raises(AttributeError):
        cows.id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        cows.items[0].options = ()  # type: ignore[misc]


# ----------------------------------------------------------------------------- PHQ-9 safety


def test_phq9_self_harm_positive() -> None:
    assert phq9_self_harm_positive({"self_harm": 1}) is True
    assert phq9_self_harm_positive({"self_harm": 3}) is True
    assert phq9_self_harm_positive({"self_harm": 0}) is False
    assert phq9_self_harm_positive({"self_harm": None}) is False
    assert phq9_self_harm_positive({}) is False
    phq9 = get_instrument("phq9")
    # Positive whatever the total (total 1 is "minimal").
    score = phq9.score(zero_answers(phq9) | {"self_harm": 1})
    assert score.band == "minimal" and phq9_self_harm_positive(score) is True
    with pytest.raises(ValueError, match="self_harm"):
        phq9_self_harm_positive({"self_harm": 7})


# ------------------------------------------------------------------------ property-based

#: Instruments banded by their total with every item always asked (the ASQ, banded by its
#: answers with a conditional item 5, has its own exhaustive tests in test_asq.py).
TOTAL_BANDED = tuple(i for i in all_instruments()
                     if i.band_rule is None and not any(item.asked_when for item in i.items))


@st.composite
def partial_answers(draw: st.DrawFn) -> tuple[Instrument, dict[str, int | None]]:
    instrument = draw(st.sampled_from(TOTAL_BANDED))
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        state = draw(st.sampled_from(("answered", "absent", "none")))
        if state == "answered":
            answers[item.id] = draw(st.sampled_from(sorted(item.allowed_scores)))
        elif state == "none":
            answers[item.id] = None
    return instrument, answers


@given(partial_answers())
def test_score_properties(case: tuple[Instrument, dict[str, int | None]]) -> None:
    instrument, answers = case
    score = instrument.score(answers)
    given_items = {k: v for k, v in answers.items() if v is not None}
    assert instrument.min_total <= score.total <= instrument.max_total
    assert score.total == sum(given_items.values())
    assert score.items == given_items
    assert score.answered == len(given_items)
    assert score.complete == (len(given_items) == len(instrument.items))
    assert score.missing == tuple(i for i in instrument.item_ids if i not in given_items)
    if score.complete:
        band = instrument.band_for(score.total)
        if band is None:
            assert score.band is None
            assert all(score.total not in b for b in instrument.bands)
        else:
            assert score.band == band.id and band.low <= score.total <= band.high
    else:
        assert score.band is None and score.band_label is None


@given(st.sampled_from(TOTAL_BANDED), st.data())
def test_every_total_in_range_is_reachable_and_banded(
    instrument: Instrument, data: st.DataObject
) -> None:
    total = data.draw(st.integers(instrument.min_total, instrument.max_total))
    score = instrument.score(answers_for_total(instrument, total))
    assert score.total == total
    matching = [b for b in instrument.bands if b.low <= total <= b.high]
    assert len(matching) <= 1
    assert score.band == (matching[0].id if matching else None)


# --------------------------------------------------------------------------------- purity


def test_package_imports_only_the_standard_library() -> None:
    """Import the package alone (parents stubbed) and check nothing outside the stdlib loads."""
    code = textwrap.dedent(
        f"""
        import sys, types
        root = {str(REPO_ROOT)!r}
        for name, path in (("clinic_desktop", root + "/clinic_desktop"),
                           ("clinic_desktop.core", root + "/clinic_desktop/core")):
            module = types.ModuleType(name)
            module.__path__ = [path]
            sys.modules[name] = module
        before = set(sys.modules)
        import clinic_desktop.core.instruments
        new = {{m.split(".")[0] for m in set(sys.modules) - before}}
        foreign = sorted(m for m in new
                         if m != "clinic_desktop" and m not in sys.stdlib_module_names)
        banned = sorted(m for m in sys.modules if m.split(".")[0].lower() in
                        {{"pyside6", "shiboken6", "pyqt5", "pyqt6", "sqlalchemy", "alembic"}})
        print(foreign, banned)
        sys.exit(1 if foreign or banned else 0)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=False, text=True, cwd=REPO_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
