"""MAR rules (CLINICAL.md §2–§3): orders, due doses across DST, give checks at their thresholds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_desktop.core.medications import (
    DOSE_STATUSES,
    DRUGS,
    Administration,
    Drug,
    DueDose,
    GiveCheck,
    Order,
    VitalsSet,
    check_give,
    default_holds,
    due_doses,
)
from clinic_desktop.core.protocols import ProtocolSettings

CHI = ZoneInfo("America/Chicago")
ORDER_START = datetime(2026, 1, 1, tzinfo=UTC)


def local(y, mo, d, h=0, mi=0, fold=0):
    return datetime(y, mo, d, h, mi, tzinfo=CHI, fold=fold)


def utc(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def scheduled(times=("08:00", "20:00"), **kw):
    fields = {"id": "o1", "drug_id": "lofexidine", "dose": 0.54, "unit": "mg", "route": "oral",
              "times": times, "start": ORDER_START}
    return Order(**{**fields, **kw})


def prn(**kw):
    fields = {"id": "p1", "drug_id": "lofexidine", "dose": 0.54, "unit": "mg", "route": "oral",
              "min_interval_hours": 5, "start": ORDER_START}
    return Order(**{**fields, **kw})


def gave(at, dose=0.54, order_id="p1", **kw):
    return Administration(order_id=order_id, outcome="given", at=at, dose=dose, by="rn1", **kw)


def held(at, order_id="o1", outcome="held", **kw):
    return Administration(order_id=order_id, outcome=outcome, at=at, reason="SBP 84", by="rn1",
                          **kw)


def check(order, administrations, at, dose, vitals=None, **kw):
    return check_give(order, administrations, at, dose, vitals, tz=CHI, **kw)


# ----------------------------------------------------------------------------- drugs


def test_drug_table_has_the_unit_formulary_and_only_the_reference_numbers():
    assert set(DRUGS) == {
        "buprenorphine", "methadone", "lofexidine", "clonidine", "naltrexone", "ondansetron",
        "loperamide", "ibuprofen", "acetaminophen", "hydroxyzine", "methocarbamol", "trazodone",
    }
    lofexidine = DRUGS["lofexidine"]
    assert (lofexidine.max_single.value, lofexidine.max_daily.value) == (0.72, 2.88)
    assert set(lofexidine.holds) == {"hold_sbp_below", "hold_dbp_below", "hold_hr_below"}
    assert set(DRUGS["clonidine"].holds) == {"hold_sbp_below", "hold_hr_below"}

    def number(limit):
        return None if limit is None else (limit.value, limit.kind)

    # (max single, max daily, min interval h): CLINICAL.md §6 and the labels it cites.
    assert {d.id: (number(d.max_single), number(d.max_daily), number(d.min_interval))
            for d in DRUGS.values()} == {
        "buprenorphine": ((24, "label"), None, None),
        "methadone": ((200, "policy"), None, None),
        "lofexidine": ((0.72, "label"), (2.88, "label"), (5, "label")),
        "clonidine": ((0.2, "policy"), (1.2, "policy"), (4, "policy")),
        "naltrexone": ((380, "label"), None, None),
        "ondansetron": ((16, "label"), None, None),
        "loperamide": ((4, "label"), (16, "label"), None),
        "ibuprofen": ((800, "label"), (3200, "label"), (4, "label")),
        "acetaminophen": ((1000, "label"), (4000, "label"), (4, "label")),
        "hydroxyzine": ((100, "label"), (400, "label"), None),
        "methocarbamol": ((1500, "label"), (8000, "label"), None),
        "trazodone": ((300, "policy"), (400, "label"), None),
    }
    for drug in DRUGS.values():
        assert isinstance(drug, Drug) and drug.id and drug.label and drug.routes
        assert drug.default_unit == "mg"
        for limit in (drug.min_single, drug.max_single, drug.max_daily, drug.warn_daily,
                      drug.min_interval, drug.first_dose_warn, drug.first_dose_reason,
                      drug.first_day_warn):
            if limit is not None:  # every limit names its source
                assert limit.kind in ("label", "regulation", "policy") and limit.citation, drug.id
                if limit.setting is not None:  # an administrator's setting is local policy
                    assert limit.kind == "policy", drug.id
        if drug.id not in ("lofexidine", "clonidine"):
            assert not drug.holds and not drug.vitals_before
        else:
            assert drug.vitals_before
    methadone = DRUGS["methadone"]
    assert (number(methadone.first_dose_warn), number(methadone.first_dose_reason),
            number(methadone.first_day_warn)) == ((30, "label"), (50, "regulation"), (40, "label"))
    bup = DRUGS["buprenorphine"]
    assert (number(bup.warn_daily), number(bup.first_day_warn)) == ((24, "label"), (16, "policy"))
    assert bup.first_day_warn.setting == "bup_day1_warn_mg"
    assert lofexidine.hepatic == {"mild": (0.54, 2.16), "moderate": (0.36, 1.44),
                                  "severe": (0.18, 0.72)}
    assert lofexidine.renal == {"reduced": (0.36, 1.44), "severe": (0.18, 0.72)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        lofexidine.max_daily = None  # type: ignore[misc]


def test_default_holds_come_from_the_protocol_settings():
    assert default_holds("lofexidine") == {
        "hold_sbp_below": 90, "hold_dbp_below": 50, "hold_hr_below": 50,
    }
    assert default_holds("clonidine") == {
        "hold_sbp_below": 90, "hold_dbp_below": None, "hold_hr_below": 60,
    }
    custom = ProtocolSettings(lofexidine_hold_sbp=95, clonidine_hold_hr=55)
    assert default_holds("lofexidine", custom)["hold_sbp_below"] == 95
    assert default_holds("clonidine", custom)["hold_hr_below"] == 55
    for drug_id in ("ibuprofen", "buprenorphine", "other"):
        assert set(default_holds(drug_id).values()) == {None}
    with pytest.raises(ValueError, match="unknown drug"):
        default_holds("aspirin")


def test_default_holds_prefill_an_order():
    order = scheduled(**default_holds("lofexidine"))
    assert (order.hold_sbp_below, order.hold_dbp_below, order.hold_hr_below) == (90, 50, 50)


# ----------------------------------------------------------------------------- orders


def test_an_order_is_scheduled_or_prn_never_both_or_neither():
    assert not scheduled().is_prn
    assert prn().is_prn
    with pytest.raises(ValueError, match="either times"):
        scheduled(min_interval_hours=4)
    with pytest.raises(ValueError, match="either times"):
        scheduled(times=())


@pytest.mark.parametrize("bad", ["8:00", "24:00", "12:60", "ab:cd", "12.30", " 12:30", 1230])
def test_scheduled_times_must_be_hh_mm(bad):
    with pytest.raises(ValueError, match="HH:MM"):
        scheduled(times=(bad,))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"times": ("08:00", "08:00")}, "repeat"),
        ({"dose": 0}, "dose"),
        ({"dose": -1}, "dose"),
        ({"dose": float("nan")}, "dose"),
        ({"dose": True}, "dose"),
        ({"unit": " "}, "unit"),
        ({"route": ""}, "route"),
        ({"drug_id": "aspirin"}, "unknown drug"),
        ({"drug_id": "other"}, "drug_name"),
        ({"max_daily_dose": 0}, "max_daily_dose"),
        ({"start": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"stop": datetime(2026, 2, 1)}, "timezone-aware"),
        ({"stop": ORDER_START}, "stop must be after start"),
        ({"hold_sbp_below": -1}, "hold_sbp_below"),
        ({"hold_hr_below": True}, "hold_hr_below"),
        ({"hold_dbp_below": 50.5}, "hold_dbp_below"),
    ],
)
def test_invalid_orders_are_rejected(changes, message):
    with pytest.raises(ValueError, match=message):
        scheduled(**changes)


def test_prn_interval_must_be_positive():
    with pytest.raises(ValueError, match="min_interval_hours"):
        prn(min_interval_hours=0)


def test_order_names_and_times_in_utc():
    order = scheduled(start=local(2026, 3, 1, 9), stop=local(2026, 3, 15, 9))
    assert order.start == utc(2026, 3, 1, 15) and order.start.tzinfo is UTC
    assert order.stop == utc(2026, 3, 15, 14) and order.stop.tzinfo is UTC
    assert order.name == "Lofexidine" and order.drug is DRUGS["lofexidine"]
    other = scheduled(drug_id="other", drug_name="Melatonin")
    assert other.name == "Melatonin" and other.drug is None


# ----------------------------------------------------------------------------- administrations


def test_administration_is_stored_in_utc():
    a = gave(local(2026, 7, 1, 9, 30), scheduled_for=local(2026, 7, 1, 9))
    assert a.at == utc(2026, 7, 1, 14, 30) and a.at.tzinfo is UTC
    assert a.scheduled_for == utc(2026, 7, 1, 14) and a.scheduled_for.tzinfo is UTC


@pytest.mark.parametrize(
    "make",
    [
        lambda: gave(datetime(2026, 7, 1, 9)),
        lambda: gave(utc(2026, 7, 1), scheduled_for=datetime(2026, 7, 1)),
        lambda: gave(utc(2026, 7, 1), dose=None),
        lambda: gave(utc(2026, 7, 1), dose=0),
        lambda: Administration(order_id="o1", outcome="given", at=utc(2026, 7, 1), dose=1,
                               by=" "),
        lambda: Administration(order_id="o1", outcome="held", at=utc(2026, 7, 1), by="rn1"),
        lambda: Administration(order_id="o1", outcome="refused", at=utc(2026, 7, 1), dose=1,
                               reason="declined", by="rn1"),
        lambda: Administration(order_id="o1", outcome="wasted", at=utc(2026, 7, 1), reason="x",
                               by="rn1"),
    ],
)
def test_invalid_administrations_are_rejected(make):
    with pytest.raises(ValueError):
        make()


# ----------------------------------------------------------------------------- due doses


def day_doses(order, day, administrations=(), now=None, **kw):
    """The doses of the local day ``day`` in Chicago, before any of them (all "due")."""
    start = datetime.combine(day, time(0), tzinfo=CHI)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHI)
    return due_doses(order, administrations, start, end, CHI, now or start, **kw)


def local_clocks(doses):
    return [d.scheduled_for.astimezone(CHI).strftime("%H:%M") for d in doses]


def test_due_doses_on_an_ordinary_day_are_utc():
    doses = day_doses(scheduled(), date(2026, 1, 15))
    assert [d.scheduled_for for d in doses] == [utc(2026, 1, 15, 14), utc(2026, 1, 16, 2)]
    assert all(d.scheduled_for.tzinfo is UTC for d in doses)
    assert all(isinstance(d, DueDose) and d.order_id == "o1" and d.status == "due"
               and d.administration is None for d in doses)


def test_due_doses_across_midnight():
    order = scheduled(times=("06:00", "22:00", "02:00"))
    doses = due_doses(order, [], local(2026, 1, 15, 18), local(2026, 1, 16, 10), CHI,
                      local(2026, 1, 15, 18))
    assert [d.scheduled_for.astimezone(CHI) for d in doses] == [
        local(2026, 1, 15, 22), local(2026, 1, 16, 2), local(2026, 1, 16, 6),
    ]


def test_spring_forward_a_skipped_time_is_given_once_at_the_end_of_the_gap():
    order = scheduled(times=("01:30", "02:00", "02:30", "03:30"))
    doses = day_doses(order, date(2026, 3, 8))
    # 02:00 and 02:30 do not exist: both fall at 03:00 CDT (08:00Z), listed once.
    assert [d.scheduled_for for d in doses] == [
        utc(2026, 3, 8, 7, 30),  # 01:30 CST
        utc(2026, 3, 8, 8, 0),   # 03:00 CDT
        utc(2026, 3, 8, 8, 30),  # 03:30 CDT
    ]
    assert local_clocks(doses) == ["01:30", "03:00", "03:30"]


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 9)])
def test_days_around_spring_forward_keep_02_30(day):
    assert local_clocks(day_doses(scheduled(times=("02:30",)), day)) == ["02:30"]


def test_fall_back_a_repeated_time_is_given_once_at_its_first_occurrence():
    order = scheduled(times=("00:30", "01:30", "02:30"))
    doses = day_doses(order, date(2026, 11, 1))  # a 25-hour local day
    assert [d.scheduled_for for d in doses] == [
        utc(2026, 11, 1, 5, 30),  # 00:30 CDT
        utc(2026, 11, 1, 6, 30),  # 01:30 CDT, the first of the two 01:30s
        utc(2026, 11, 1, 8, 30),  # 02:30 CST
    ]


def test_a_24_hour_window_across_fall_back_holds_each_dose_once():
    order = scheduled(times=("01:30",))
    doses = due_doses(order, [], utc(2026, 11, 1, 6), utc(2026, 11, 2, 6), CHI,
                      utc(2026, 11, 1, 6))
    assert [d.scheduled_for for d in doses] == [utc(2026, 11, 1, 6, 30)]


@settings(max_examples=300)
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_every_local_day_has_each_time_exactly_once(day, hour, minute):
    text = f"{hour:02d}:{minute:02d}"
    doses = day_doses(scheduled(times=(text,)), day)
    assert len(doses) == 1
    shown = doses[0].scheduled_for.astimezone(CHI)
    assert shown.date() == day
    if day == date(2026, 3, 8) and hour == 2:
        assert shown.strftime("%H:%M") == "03:00"
    else:
        assert shown.strftime("%H:%M") == text
        assert shown.fold == 0  # the first occurrence of a repeated time


def test_status_late_and_missed_at_their_thresholds():
    order = scheduled(times=("08:00",))
    dose_at = local(2026, 1, 15, 8)

    def status(now, **kw):
        [dose] = due_doses(order, [], local(2026, 1, 15), local(2026, 1, 16), CHI, now, **kw)
        return dose.status

    assert status(dose_at - timedelta(hours=3)) == "due"  # still to come
    assert status(dose_at + timedelta(minutes=60)) == "due"
    assert status(dose_at + timedelta(minutes=61)) == "late"
    assert status(dose_at + timedelta(hours=4)) == "late"
    assert status(dose_at + timedelta(hours=4, minutes=1)) == "missed"
    assert status(dose_at + timedelta(minutes=31), late_after=timedelta(minutes=30)) == "late"
    assert status(dose_at + timedelta(hours=2, minutes=1),
                  missed_after=timedelta(hours=2)) == "missed"


@pytest.mark.parametrize("outcome", ["given", "held", "refused"])
def test_a_recorded_outcome_is_the_status_even_long_after(outcome):
    order = scheduled(times=("08:00",))
    slot = local(2026, 1, 15, 8)
    if outcome == "given":
        record = gave(slot, order_id="o1", scheduled_for=slot)
    else:
        record = held(slot, outcome=outcome, scheduled_for=slot)
    [dose] = day_doses(order, date(2026, 1, 15), [record], now=local(2026, 1, 16, 8))
    assert dose.status == outcome and dose.administration is record
    assert set(DOSE_STATUSES) == {"given", "held", "refused", "due", "late", "missed"}


def test_records_match_by_order_and_scheduled_time_and_the_last_one_counts():
    order = scheduled(times=("08:00",))
    slot = local(2026, 1, 15, 8)
    later = local(2026, 1, 15, 9)
    other_order = gave(slot, order_id="o2", scheduled_for=slot)
    unlinked = gave(slot, order_id="o1")
    assert day_doses(order, date(2026, 1, 15), [other_order, unlinked],
                     now=later)[0].status == "due"
    first, second = held(slot, scheduled_for=slot), gave(later, order_id="o1", scheduled_for=slot)
    [dose] = day_doses(order, date(2026, 1, 15), [second, first], now=later)
    assert dose.status == "given" and dose.administration is second


def test_due_doses_respect_order_start_and_stop():
    def clocks(**kw):
        return local_clocks(day_doses(scheduled(**kw), date(2026, 1, 15)))

    assert clocks(start=local(2026, 1, 15, 8)) == ["08:00", "20:00"]
    assert clocks(start=local(2026, 1, 15, 8, 1)) == ["20:00"]
    assert clocks(stop=local(2026, 1, 15, 20)) == ["08:00"]
    assert clocks(stop=local(2026, 1, 15, 20, 1)) == ["08:00", "20:00"]


def test_window_is_half_open():
    order = scheduled()
    doses = due_doses(order, [], local(2026, 1, 15, 8), local(2026, 1, 15, 20), CHI,
                      local(2026, 1, 15, 8))
    assert local_clocks(doses) == ["08:00"]


def test_due_doses_of_a_prn_order_and_bad_arguments():
    assert day_doses(prn(), date(2026, 1, 15)) == []
    with pytest.raises(ValueError, match="timezone-aware"):
        due_doses(scheduled(), [], datetime(2026, 1, 15), utc(2026, 1, 16), CHI, utc(2026, 1, 15))
    with pytest.raises(ValueError, match="timezone-aware"):
        due_doses(scheduled(), [], utc(2026, 1, 15), utc(2026, 1, 16), CHI, datetime(2026, 1, 15))
    with pytest.raises(ValueError, match="end"):
        due_doses(scheduled(), [], utc(2026, 1, 16), utc(2026, 1, 15), CHI, utc(2026, 1, 15))


# ----------------------------------------------------------------------------- check_give


T0 = local(2026, 7, 1, 9, 30)  # the last PRN dose
NORMAL = {"systolic": 120, "diastolic": 80, "pulse": 70}
VITALS_NEEDED = ("Vitals needed before this dose: no set with blood pressure and pulse recorded "
                 "\u2014 local policy (blood pressure and pulse within 60 min before each dose)")


def fresh(at, values=None, minutes=5):
    """A complete set of vitals taken ``minutes`` before ``at``."""
    return VitalsSet(at - timedelta(minutes=minutes), dict(NORMAL if values is None else values))


def rules(result):
    return [f.rule for f in result.findings]


def test_a_clean_dose_is_allowed():
    result = check(prn(), [], T0, 0.54, fresh(T0))
    assert isinstance(result, GiveCheck)
    assert result.ok and result.refusals == [] and result.hold_reasons == []
    assert result.can_override is False and result.clear
    # Without vitals the same dose is not a green check: it needs a reason.
    bare = check(prn(), [], T0, 0.54)
    assert bare.ok and not bare.clear and bare.hold_reasons == [VITALS_NEEDED]


def test_prn_minimum_interval_exactly_at_the_boundary_is_allowed():
    at = T0 + timedelta(hours=5)
    assert check(prn(), [gave(T0)], at, 0.54, fresh(at)).clear


def test_prn_minimum_interval_one_minute_early_is_refused_with_its_basis():
    at = T0 + timedelta(hours=4, minutes=59)
    result = check(prn(), [gave(T0)], at, 0.54, fresh(at))
    # The order's own interval and the label's 5 h between lofexidine doses, each with its source.
    assert result.refusals == [
        ("Lofexidine: the order allows at least 5 h between doses; a dose is recorded at 09:30, "
         "4 h 59 min before this one (next allowed from 14:30) \u2014 order"),
        ("Lofexidine: at least 5 h between doses; a dose is recorded at 09:30, 4 h 59 min before "
         "this one (next allowed from 14:30) \u2014 label (lofexidine label (Lucemyra), \u00a72: "
         "5\u20136 h between doses)"),
    ]
    assert [f.field for f in result.findings] == ["at", "at"]
    assert result.can_override is True


@given(minutes=st.integers(0, 10 * 60))
def test_prn_interval_is_measured_from_the_last_given_dose(minutes):
    earlier = gave(T0 - timedelta(hours=8))
    result = check(prn(), [earlier, gave(T0)], T0 + timedelta(minutes=minutes), 0.54)
    assert result.ok == (minutes >= 5 * 60)


def test_held_refused_and_other_drug_doses_do_not_start_the_interval():
    clonidine = prn(id="c1", drug_id="clonidine", dose=0.1, min_interval_hours=4)
    records = [
        held(T0, order_id="p1"),
        held(T0, order_id="p1", outcome="refused"),
        gave(T0, order_id="c1", dose=0.1),  # another drug
    ]
    at = T0 + timedelta(hours=1)
    assert check(prn(), records, at, 0.54, fresh(at), other_orders=[clonidine]).clear


def test_a_dose_recorded_later_keeps_the_interval_too():
    # Back-dated to an hour before a dose already recorded: refused, naming the later dose.
    later = gave(T0 + timedelta(hours=2))
    at = T0 + timedelta(hours=1)
    result = check(prn(), [later], at, 0.54, fresh(at))
    assert rules(result) == ["order.min_interval", "lofexidine.min_interval"]
    assert all("recorded at 11:30, 1 h after this one" in line for line in result.refusals)


def test_the_label_interval_holds_across_two_lofexidine_orders():
    scheduled_lofexidine = scheduled(times=("08:00", "14:00", "20:00"))
    at = T0 + timedelta(hours=1)
    result = check(prn(), [gave(T0, order_id="o1")], at, 0.54, fresh(at),
                   other_orders=[scheduled_lofexidine])
    # The PRN order has no dose of its own yet; the label's 5 h counts the other order's dose.
    assert rules(result) == ["lofexidine.min_interval"]
    assert result.findings[0].source == "label"


def test_the_interval_message_dates_a_time_on_another_day():
    late_evening = local(2026, 7, 1, 22)
    at = local(2026, 7, 2, 0, 30)
    result = check(prn(), [gave(late_evening)], at, 0.54, fresh(at))
    assert result.refusals[0] == (
        "Lofexidine: the order allows at least 5 h between doses; a dose is recorded at "
        "2026-07-01 22:00, 2 h 30 min before this one (next allowed from 03:00) \u2014 order")


def loperamide(**kw):
    return prn(drug_id="loperamide", dose=2, min_interval_hours=1, max_daily_dose=8, **kw)


def test_order_daily_maximum_exactly_reached_is_allowed():
    records = [gave(T0 - timedelta(hours=h), dose=2) for h in (1, 2, 3)]
    assert check(loperamide(), records, T0, 2).clear


def test_order_daily_maximum_exceeded_is_refused_with_its_basis():
    records = [gave(T0 - timedelta(hours=h), dose=2) for h in (1, 2, 3)]
    result = check(loperamide(), records, T0, 2.5)
    assert result.refusals == [
        ("Loperamide: 8.5 mg in 24 h with this dose (from 06:30 to 09:30), above the order's "
         "maximum of 8 mg \u2014 order")
    ]
    assert result.can_override is True


def test_the_daily_window_is_the_rolling_24_hours_around_the_dose():
    three = [gave(T0 - timedelta(hours=h), dose=2) for h in (1, 2, 3)]
    assert check(loperamide(), [*three, gave(T0 - timedelta(hours=24), dose=2)], T0, 2).ok
    result = check(loperamide(), [*three, gave(T0 - timedelta(hours=23, minutes=59), dose=2)],
                   T0, 2)
    assert not result.ok and result.refusals[0].startswith(
        "Loperamide: 10 mg in 24 h with this dose (from 2026-06-30 09:31 to 09:30)")


def test_lofexidine_daily_maximum_is_exact_in_decimals():
    three = [gave(T0 - timedelta(hours=h), dose=0.72) for h in (5, 10, 15)]
    assert check(prn(), three, T0, 0.72, fresh(T0)).clear  # 2.16 + 0.72 = 2.88 exactly
    four = [*three, gave(T0 - timedelta(hours=20), dose=0.01)]
    result = check(prn(), four, T0, 0.72, fresh(T0))
    assert result.refusals == [
        ("Lofexidine: 2.89 mg in 24 h with this dose (from 2026-06-30 13:30 to 09:30), above the "
         "maximum of 2.88 mg \u2014 label (lofexidine label (Lucemyra), \u00a72)")
    ]
    assert result.can_override is True
    over_single = check(prn(), three, T0, 0.73, fresh(T0))
    assert [line.split(" (")[0] for line in over_single.refusals] == [
        "Lofexidine: 0.73 mg is above the largest single dose",
        "Lofexidine: 2.89 mg in 24 h with this dose",
    ]
    assert over_single.can_override is False  # the single-dose maximum cannot be overridden


@given(hundredths=st.lists(st.integers(1, 72), min_size=1, max_size=8),
       extra=st.integers(1, 72))
def test_drug_daily_maximum_holds_for_any_doses(hundredths, extra):
    records = [gave(T0 - timedelta(hours=6 + i), dose=h / 100) for i, h in enumerate(hundredths)]
    result = check(prn(), records, T0 + timedelta(hours=6), extra / 100)
    over = sum(hundredths) + extra > 288
    assert result.ok == (not over)
    assert result.can_override == over


def test_drug_daily_maximum_counts_every_order_of_the_drug_given():
    scheduled_lofexidine = scheduled(times=("08:00", "13:00", "18:00", "23:00"))
    records = [gave(T0 - timedelta(hours=h), dose=0.72, order_id="o1") for h in (5, 10, 15)]
    # Without the other order the scheduled doses are not known to be lofexidine.
    assert check(prn(), records, T0, 0.72).ok
    result = check(prn(), [*records, gave(T0 - timedelta(hours=20), dose=0.72, order_id="o1")],
                   T0, 0.72, fresh(T0), other_orders=[scheduled_lofexidine])
    assert rules(result) == ["lofexidine.max_daily"]
    assert result.refusals[0].startswith("Lofexidine: 3.6 mg in 24 h with this dose")
    clonidine = scheduled(id="o1", drug_id="clonidine", dose=0.1)
    many = [gave(T0 - timedelta(hours=h), dose=0.72, order_id="o1") for h in range(1, 10)]
    assert check(prn(), many, T0, 0.72, other_orders=[clonidine]).ok


def test_drug_limits_apply_only_in_mg():
    tablets = prn(dose=3, unit="tablet")
    records = [gave(T0 - timedelta(hours=h), dose=3) for h in (5, 10, 15, 20)]
    assert check(tablets, records, T0, 4).ok


def test_single_dose_maximum_at_and_above():
    assert check(prn(), [], T0, 0.72, fresh(T0)).clear
    result = check(prn(), [], T0, 0.73, fresh(T0))
    assert result.refusals == [
        ("Lofexidine: 0.73 mg is above the largest single dose (0.72 mg) \u2014 label "
         "(lofexidine label (Lucemyra), \u00a72)")
    ]
    assert result.can_override is False


def test_a_non_overridable_refusal_blocks_override_of_the_others():
    result = check(prn(), [gave(T0)], T0 + timedelta(hours=1), 0.9)
    assert rules(result)[:3] == ["lofexidine.max_single", "order.min_interval",
                                 "lofexidine.min_interval"]
    assert len(result.refusals) == 3 and result.can_override is False


def test_start_and_stop_boundaries():
    order = prn(start=local(2026, 7, 1, 8), stop=local(2026, 7, 3, 8))
    assert check(order, [], local(2026, 7, 1, 8), 0.54).ok
    assert check(order, [], local(2026, 7, 3, 7, 59), 0.54).ok
    early = check(order, [], local(2026, 7, 1, 7, 59), 0.54)
    assert early.refusals == ["The order for Lofexidine starts at 08:00 \u2014 order"]
    assert early.can_override is False
    stopped = check(order, [], local(2026, 7, 3, 8), 0.54)
    assert stopped.refusals == ["The order for Lofexidine stopped at 08:00 \u2014 order"]
    assert stopped.can_override is False


@pytest.mark.parametrize("dose", [0, -0.5])
def test_a_dose_of_zero_or_less_is_refused(dose):
    result = check(prn(), [], T0, dose)
    assert result.refusals[0].startswith("Dose must be more than 0 mg")
    assert result.can_override is False


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="timezone-aware"):
        check(prn(), [], datetime(2026, 7, 1, 9), 0.54)
    with pytest.raises(ValueError, match="dose"):
        check(prn(), [], T0, float("nan"))
    with pytest.raises(ValueError, match="systolic"):
        check(prn(**default_holds("lofexidine")), [], T0, 0.54,
              fresh(T0, {"systolic": "84", "diastolic": 70, "pulse": 70}))
    with pytest.raises(ValueError, match="timezone-aware"):
        VitalsSet(datetime(2026, 7, 1, 9), NORMAL)


@pytest.mark.parametrize(
    ("vitals", "reasons"),
    [
        ({"systolic": 90, "diastolic": 50, "pulse": 50}, []),
        ({"systolic": 89, "diastolic": 50, "pulse": 50}, ["SBP 89 below hold parameter 90"]),
        ({"systolic": 90, "diastolic": 49, "pulse": 50}, ["DBP 49 below hold parameter 50"]),
        ({"systolic": 90, "diastolic": 50, "pulse": 49.5}, ["HR 49.5 below hold parameter 50"]),
        (
            {"systolic": 84, "diastolic": 45, "pulse": 48},
            ["SBP 84 below hold parameter 90", "DBP 45 below hold parameter 50",
             "HR 48 below hold parameter 50"],
        ),
        (None, [VITALS_NEEDED]),
    ],
)
def test_lofexidine_hold_parameters_at_and_below(vitals, reasons):
    result = check(prn(**default_holds("lofexidine")), [], T0, 0.54,
                   fresh(T0, vitals) if vitals is not None else None)
    assert result.hold_reasons == reasons
    assert result.ok  # a hold parameter asks for a reason; it never refuses
    assert all(f.source == "order" for f in result.findings if f.severity == "hold")


def test_clonidine_holds_use_no_dbp_and_orders_without_holds_ignore_vitals():
    clonidine = prn(drug_id="clonidine", dose=0.1, **default_holds("clonidine"))
    low = {"systolic": 120, "diastolic": 40, "pulse": 59}
    assert check(clonidine, [], T0, 0.1, fresh(T0, low)).hold_reasons == [
        "HR 59 below hold parameter 60"]
    at_limits = {"systolic": 90, "diastolic": 40, "pulse": 60}
    assert check(clonidine, [], T0, 0.1, fresh(T0, at_limits)).hold_reasons == []
    assert check(prn(), [], T0, 0.54, fresh(T0, {"systolic": 60, "diastolic": 30, "pulse": 30})
                 ).hold_reasons == []


def test_a_set_without_blood_pressure_or_pulse_does_not_clear_an_alpha2_dose():
    # The service passes the newest complete set; a caller that passes an incomplete one still
    # gets "vitals needed", never a green check.
    result = check(prn(), [], T0, 0.54, fresh(T0, {"systolic": 120, "pulse": 70}))
    assert [f.rule for f in result.findings] == ["vitals.needed"]
    assert result.hold_reasons == [
        ("Vitals needed before this dose: the set at 09:25 has no DBP \u2014 local policy "
         "(blood pressure and pulse within 60 min before each dose)")]
    assert check(prn(), [], T0, 0.54, fresh(T0, {"temperature": 37.0})).hold_reasons[0].startswith(
        "Vitals needed before this dose: the set at 09:25 has no SBP, DBP, HR")


# ----------------------------------------------------------------------------- properties: any order of charting

PROPERTY_START = utc(2026, 7, 1)
LOFEXIDINE_DAY = Decimal("2.88")
LOFEXIDINE_GAP = timedelta(hours=5)


def lofexidine_orders(intervals):
    return [prn(id=f"p{i}", min_interval_hours=hours, start=PROPERTY_START - timedelta(days=1))
            for i, hours in enumerate(intervals)]


def broken_limits(doses, orders):
    """What the doses ``(order id, at, dose)`` break: any [t, t + 24 h) above 2.88 mg, two doses
    less than 5 h apart, two doses of one order closer than its PRN interval."""
    broken = []
    for _, start, _ in doses:
        total = sum((Decimal(repr(d)) for _, t, d in doses if start <= t < start + timedelta(hours=24)),
                    Decimal(0))
        if total > LOFEXIDINE_DAY:
            broken.append(f"{total} mg from {start}")
    interval = {o.id: timedelta(hours=o.min_interval_hours) for o in orders}
    for i, (oid_a, a, _) in enumerate(doses):
        for oid_b, b, _ in doses[i + 1:]:
            if abs(a - b) < LOFEXIDINE_GAP:
                broken.append(f"{a} and {b} closer than 5 h")
            if oid_a == oid_b and abs(a - b) < interval[oid_a]:
                broken.append(f"{a} and {b} closer than the order's interval")
    return broken


#: Dose times over three days, in minutes: often 5 h apart give or take a minute (the label's
#: interval, so doses pack a 24 h window to its limit), on the hour, or any minute.
_five_hourly = st.tuples(st.integers(0, 6), st.sampled_from([0, 0, 0, -1, 1])).map(lambda s: s[0] * 300 + s[1])
minutes_in_3_days = st.one_of(_five_hourly, _five_hourly, _five_hourly,
                              st.integers(0, 72).map(lambda h: h * 60), st.integers(0, 3 * 24 * 60))
#: Doses from one tablet (0.18 mg) to the largest single dose (0.72 mg), often the largest.
doses_018_072 = st.one_of(st.just(72), st.just(72), st.sampled_from([18, 36, 54, 72]), st.integers(18, 72))
attempts = st.lists(st.tuples(st.integers(0, 1), minutes_in_3_days, doses_018_072), min_size=1, max_size=16)


@settings(max_examples=200, deadline=None)
@given(intervals=st.lists(st.sampled_from([5, 6, 8]), min_size=1, max_size=2), tries=attempts)
def test_accepted_doses_never_break_a_limit_whatever_the_order_of_charting(intervals, tries):
    orders = lofexidine_orders(intervals)
    accepted: list[tuple[str, datetime, float]] = []
    records: list[Administration] = []
    for which, minutes, hundredths in tries:
        order = orders[which % len(orders)]
        at = PROPERTY_START + timedelta(minutes=minutes)  # back-dated and interleaved at random
        dose = hundredths / 100
        result = check(order, records, at, dose, None,
                       other_orders=[o for o in orders if o.id != order.id])
        if result.ok:  # no hard finding (reasons such as "vitals needed" are the nurse's)
            accepted.append((order.id, at, dose))
            records.append(gave(at, dose, order_id=order.id))
    assert broken_limits(accepted, orders) == []


strike_or_give = st.lists(
    st.one_of(
        st.tuples(st.just("give"), st.integers(0, 1), minutes_in_3_days, doses_018_072),
        st.tuples(st.just("strike"), st.integers(0, 20)),
    ),
    min_size=1, max_size=16)


@settings(max_examples=200, deadline=None)
@given(intervals=st.lists(st.sampled_from([5, 6, 8]), min_size=1, max_size=2), actions=strike_or_give)
def test_a_struck_dose_never_lets_a_dose_past_a_limit_without_a_prescriber(intervals, actions):
    orders = lofexidine_orders(intervals)
    live: list[Administration] = []
    struck: list[Administration] = []
    ever: list[tuple[str, datetime, float]] = []
    for action in actions:
        if action[0] == "strike":
            if live:
                struck.append(live.pop(action[1] % len(live)))
            continue
        _, which, minutes, hundredths = action
        order = orders[which % len(orders)]
        at = PROPERTY_START + timedelta(minutes=minutes)
        dose = hundredths / 100
        result = check(order, live, at, dose, None, struck=struck,
                       other_orders=[o for o in orders if o.id != order.id])
        if result.ok:
            live.append(gave(at, dose, order_id=order.id))
            ever.append((order.id, at, dose))
        else:
            assert result.can_override or any(not f.overridable for f in result.findings)
    # Without an override, the doses given — struck ones counted too — keep every limit.
    assert broken_limits(ever, orders) == []
