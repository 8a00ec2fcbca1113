"""The ASQ (CLINICAL.md §7): items 1-4 yes/no, item 5 asked only after a "yes" to 1-4; any yes
to 1-4 is a positive screen, a yes to 5 an acute positive. Every combination of answers."""

from __future__ import annotations

import itertools

import pytest

from clinic_desktop.core.instruments import (
    ASQ_SCREEN_ITEMS,
    asq_acute,
    asq_positive,
    get_instrument,
)
from clinic_desktop.core.instruments.base import Band, Instrument, Item

ASQ = get_instrument("asq")
NOT_ASKED, MISSING = "not asked", "missing"


def test_items_in_order_with_item_5_asked_after_1_to_4() -> None:
    assert ASQ.item_ids == (*ASQ_SCREEN_ITEMS, "thoughts_now")
    assert ASQ.item("thoughts_now").label == "Are you having thoughts of killing yourself right now?"
    assert ASQ.item("wished_dead").label == "In the past few weeks, have you wished you were dead?"
    for item in ASQ.items:
        assert item.options == ((0, "no"), (1, "yes"))


@pytest.mark.parametrize("screen", list(itertools.product((0, 1), repeat=4)))
@pytest.mark.parametrize("item5", [None, 0, 1])
def test_every_combination(screen: tuple[int, ...], item5: int | None) -> None:
    answers: dict[str, int | None] = dict(zip(ASQ_SCREEN_ITEMS, screen, strict=True))
    answers["thoughts_now"] = item5
    any_yes = any(screen)
    if not any_yes:
        if item5 is not None:  # item 5 is not asked after four "no"s: an answer is refused
            with pytest.raises(ValueError, match="not asked"):
                ASQ.score(answers)
            with pytest.raises(ValueError):
                asq_positive(answers)
            return
        score = ASQ.score(answers)
        assert score.complete and score.missing == () and score.band == "negative"
        assert not asq_positive(answers) and not asq_acute(answers)
        assert not ASQ.asked("thoughts_now", answers)
        return
    score = ASQ.score(answers)
    assert ASQ.asked("thoughts_now", answers)
    assert asq_positive(answers) and asq_positive(score)
    if item5 is None:  # asked but not answered: incomplete, no band, but already positive
        assert not score.complete and score.missing == ("thoughts_now",) and score.band is None
        assert not asq_acute(answers)
    elif item5 == 0:
        assert score.complete and score.band == "positive"
        assert not asq_acute(answers)
    else:
        assert score.complete and score.band == "acute"
        assert asq_acute(answers) and asq_acute(score)
        assert "imminent risk" in (score.band_label or "")
        assert "do not leave the patient alone" in (score.band_label or "")


def test_missing_screen_items_are_missing_and_item_5_not_yet() -> None:
    score = ASQ.score({"wished_dead": 0})
    assert not score.complete
    assert score.missing == ("better_off_dead", "thoughts_past_week", "tried_before")
    assert not asq_positive({"wished_dead": 0})
    assert asq_positive({"tried_before": 1})  # one yes is positive before the rest is answered


@pytest.mark.parametrize("bad", [2, -1, True, "yes", 0.0])
def test_only_yes_or_no_is_accepted(bad: object) -> None:
    with pytest.raises(ValueError):
        ASQ.score({"wished_dead": bad})  # type: ignore[dict-item]


def test_asked_when_must_name_an_earlier_item() -> None:
    yes_no = ((0, "no"), (1, "yes"))
    with pytest.raises(ValueError, match="not an earlier item"):
        Instrument("x", "X", "X", "c", "patient", "now", "i",
                   (Item("a", "A", yes_no, asked_when=("b",)), Item("b", "B", yes_no)),
                   (Band("none", "none", 0, 2),))


def test_overlapping_bands_still_refused_without_a_band_rule() -> None:
    yes_no = ((0, "no"), (1, "yes"))
    with pytest.raises(ValueError, match="overlap"):
        Instrument("x", "X", "X", "c", "patient", "now", "i", (Item("a", "A", yes_no),),
                   (Band("p", "p", 0, 1), Band("q", "q", 1, 1)))
