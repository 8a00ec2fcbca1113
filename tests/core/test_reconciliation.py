"""Discharge medication reconciliation as plan rules (CLINICAL.md §7): every active order is
continued, changed or stopped; a medicine that goes on needs its dose, route, how often and what
the patient leaves with; MOUD offered is answered; a gap in the supply of a medication for
opioid use disorder before the next dose is refused until fixed or explained."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_desktop.core import clock
from clinic_desktop.core import plan as rules

LAST = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)  # the last buprenorphine dose given here
BUP = rules.ActiveOrder(order_id=7, drug_id="buprenorphine", name="Buprenorphine", dose="8 mg",
                        route="sublingual", frequency="08:00", last_dose=LAST)
CLONIDINE = rules.ActiveOrder(order_id=9, drug_id="clonidine", name="Clonidine", dose="0.1 mg", route="oral",
                              frequency="08:00, 20:00", last_dose=LAST)


def key(order: rules.ActiveOrder, field: str) -> str:
    return rules.ROW_KEY.format(order.order_id, field)


def local_iso(when: dt.datetime) -> str:
    """A time as the plan stores a next dose: local wall-clock ISO text, to the minute."""
    return clock.local(when).strftime("%Y-%m-%dT%H:%M")


def a_plan(*rows: dict, moud: dict | None = None) -> dict:
    p = rules.empty_plan()
    p["medication"]["moud"] = moud if moud is not None else {"answer": "accepted", "reason": ""}
    p["medication"]["reconciliation"] = list(rows)
    return p


def supply(order: rules.ActiveOrder, days: int | None = 3, next_dose: str = "", **more) -> dict:
    return {"order_id": order.order_id, "decision": "continue", "dose": order.dose, "route": order.route,
            "frequency": order.frequency, "leave": "supply", "supply_days": days, "next": next_dose, **more}


def gaps(plan: dict, *orders: rules.ActiveOrder) -> dict[str, str]:
    return {k: v for k, v in rules.missing_to_finalize(plan, orders=orders).items() if k.startswith("medication.")
            and k != "medication.choice"}


def test_an_active_order_without_a_decision_is_refused_and_stopping_needs_nothing_else():
    assert gaps(a_plan(), CLONIDINE) == {key(CLONIDINE, "decision"): "Clonidine: choose continue, change or stop."}
    assert gaps(a_plan({"order_id": 9, "decision": "stop"}), CLONIDINE) == {}
    # A row of an order no longer active is not asked about.
    assert gaps(a_plan({"order_id": 9, "decision": None})) == {}


@pytest.mark.parametrize("decision", ["continue", "change"])
def test_a_medicine_that_goes_on_needs_dose_route_frequency_and_what_the_patient_leaves_with(decision):
    bare = {"order_id": 9, "decision": decision}
    assert set(gaps(a_plan(bare), CLONIDINE)) == {key(CLONIDINE, f) for f in ("dose", "route", "frequency", "leave")}
    for field in ("dose", "route", "frequency"):
        row = {**supply(CLONIDINE), "decision": decision, field: "  "}
        assert set(gaps(a_plan(row), CLONIDINE)) == {key(CLONIDINE, field)}
    assert set(gaps(a_plan(supply(CLONIDINE, None)), CLONIDINE)) == {key(CLONIDINE, "supply_days")}
    assert set(gaps(a_plan(supply(CLONIDINE, 0)), CLONIDINE)) == {key(CLONIDINE, "supply_days")}
    assert gaps(a_plan(supply(CLONIDINE, 1)), CLONIDINE) == {}
    prescription = {**supply(CLONIDINE), "leave": "prescription", "supply_days": None, "pharmacy": ""}
    assert set(gaps(a_plan(prescription), CLONIDINE)) == {key(CLONIDINE, "pharmacy")}
    prescription["pharmacy"] = "Main Street Pharmacy"
    assert gaps(a_plan(prescription), CLONIDINE) == {}


def test_moud_offered_must_be_answered_and_a_refusal_needs_the_patients_reason():
    assert set(gaps(a_plan(moud={"answer": None, "reason": ""}))) == {"medication.moud"}
    assert set(gaps(a_plan(moud={"answer": "declined", "reason": " "}))) == {"medication.moud_reason"}
    assert gaps(a_plan(moud={"answer": "declined", "reason": "Wants to try without medicine first"})) == {}
    assert gaps(a_plan(moud={"answer": "accepted", "reason": ""})) == {}
    assert rules.required_fields(a_plan(moud={"answer": "declined", "reason": "x"}))[1:3] == (
        "medication.moud", "medication.moud_reason")


def test_supply_gap_limits():
    end = LAST + dt.timedelta(days=3)
    assert rules.supply_end(LAST, 3) == end
    assert rules.supply_gap(LAST, 3, end) is None  # ends exactly at the next dose: no gap
    assert rules.supply_gap(LAST, 3, end - dt.timedelta(minutes=1)) is None
    assert rules.supply_gap(LAST, 3, end + dt.timedelta(minutes=1)) == dt.timedelta(minutes=1)


def test_a_gap_in_an_oud_medicine_before_the_next_appointment_is_refused_until_fixed_or_explained():
    end = LAST + dt.timedelta(days=3)
    at, below, above = (local_iso(end), local_iso(end - dt.timedelta(minutes=1)),
                        local_iso(end + dt.timedelta(minutes=1)))
    assert gaps(a_plan(supply(BUP, 3, at)), BUP) == {}
    assert gaps(a_plan(supply(BUP, 3, below)), BUP) == {}
    refused = gaps(a_plan(supply(BUP, 3, above)), BUP)
    assert set(refused) == {key(BUP, "gap_reason")}
    assert "the supply ends" in refused[key(BUP, "gap_reason")] and "1 min before" in refused[key(BUP, "gap_reason")]
    a_day = gaps(a_plan(supply(BUP, 2, above)), BUP)[key(BUP, "gap_reason")]
    assert "24 h 1 min before" in a_day
    assert key(BUP, "gap_reason") in rules.required_fields(a_plan(supply(BUP, 3, above)), orders=(BUP,))
    assert key(BUP, "gap_reason") not in rules.required_fields(a_plan(supply(BUP, 3, at)), orders=(BUP,))
    # One more day of supply, or the clinician's reason, resolves it.
    assert gaps(a_plan(supply(BUP, 4, above)), BUP) == {}
    assert gaps(a_plan(supply(BUP, 3, above, gap_reason="Daily dosing at the OTP from tomorrow")), BUP) == {}
    # Not a medication for opioid use disorder: no gap is asked about.
    clonidine = rules.ActiveOrder(**{**BUP.__dict__, "order_id": 9, "drug_id": "clonidine", "name": "Clonidine"})
    assert gaps(a_plan(supply(clonidine, 3, above)), clonidine) == {}


def test_the_gap_counts_from_now_when_no_dose_was_given_here_and_a_date_alone_is_its_last_minute():
    never = rules.ActiveOrder(**{**BUP.__dict__, "last_dose": None})
    now = LAST
    ends = clock.local(now + dt.timedelta(days=2))
    row = supply(never, 2, local_iso(ends + dt.timedelta(minutes=1)))
    assert set(rules.missing_to_finalize(a_plan(row), orders=(never,), now=now)) >= {key(never, "gap_reason")}
    row = supply(never, 2, local_iso(ends))
    assert key(never, "gap_reason") not in rules.missing_to_finalize(a_plan(row), orders=(never,), now=now)
    # A date without a time counts as the end of that day (the safe side).
    same_day = supply(BUP, 3, clock.local(LAST + dt.timedelta(days=3)).date().isoformat())
    later = clock.local(LAST + dt.timedelta(days=3))
    expect_gap = later.replace(hour=23, minute=59) > later
    assert (key(BUP, "gap_reason") in gaps(a_plan(same_day), BUP)) is expect_gap
    # Free text (no date to count to) is refused until a time or a reason is given.
    assert set(gaps(a_plan(supply(BUP, 3, "when the clinic opens")), BUP)) == {key(BUP, "gap_reason")}


def test_rows_are_prefilled_from_the_order_and_the_last_dose_is_never_typed():
    rows = rules.reconciliation_rows(a_plan({"order_id": 9, "decision": "change", "dose": "0.2 mg",
                                             rules.LAST_DOSE: "typed"}, {"order_id": 99, "decision": "stop"}),
                                     (BUP, CLONIDINE))
    assert [(r["order_id"], r["decision"], r["dose"], r["route"], r["frequency"]) for r in rows] == [
        (7, None, "8 mg", "sublingual", "08:00"), (9, "change", "0.2 mg", "oral", "08:00, 20:00")]
    assert all(rules.LAST_DOSE not in r for r in rows)
    printed = rules.with_last_doses(a_plan({"order_id": 9, rules.LAST_DOSE: "typed"}, {"order_id": 7}),
                                    {7: LAST})
    assert [r[rules.LAST_DOSE] for r in printed["medication"]["reconciliation"]] == [None, LAST]
    old = {"medication": {"choice": "buprenorphine"}}
    assert rules.with_last_doses(old, {7: LAST}) == old  # an older plan without reconciliation

