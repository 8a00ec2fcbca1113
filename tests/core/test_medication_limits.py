"""Every limit of every drug of the formulary at, just below and just above it, from both
directions of time (CLINICAL.md §6): single and daily maxima, minimum intervals, impairment caps,
policy limits read from the clinic's settings, first-dose and first-day limits, QTc, vitals
freshness, struck doses, and the order-time checks. Pure: no database.

Every fired finding must name its source, and its line must carry it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.core.formulary import DRUGS, PatientFacts, renal_category
from clinic_desktop.core.medications import (
    Administration,
    Finding,
    Order,
    VitalsSet,
    check_give,
    check_order,
)
from clinic_desktop.core.protocols import Prompt, ProtocolSettings

CHI = ZoneInfo("America/Chicago")
T = datetime(2026, 7, 1, 12, tzinfo=UTC)
START = T - timedelta(days=5)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
NORMAL = {"systolic": 120, "diastolic": 78, "pulse": 72}
SOURCES = {"label", "regulation", "local policy", "order", "patient record", "guideline"}


# ----------------------------------------------------------------------------- helpers


def order(drug_id="lofexidine", dose=None, *, oid="o1", times=("08:00",), prn_hours=None, **kw):
    drug = DRUGS.get(drug_id)
    if dose is None:
        dose = drug.max_single.value if drug is not None else 1
    fields = {"id": oid, "drug_id": drug_id, "dose": dose, "unit": "mg", "route": drug.routes[0] if drug else "oral",
              "start": START}
    if prn_hours is not None:
        fields["min_interval_hours"] = prn_hours
    else:
        fields["times"] = times
    return Order(**{**fields, **kw})


def gave(at, dose, oid="o1"):
    return Administration(order_id=oid, outcome="given", at=at, dose=dose, by="rn1")


def vitals(at, minutes=5, values=None):
    return VitalsSet(at - minutes * MIN, dict(NORMAL if values is None else values))


def give(o, doses, at, dose, *, fresh=True, **kw):
    """check_give with fresh normal vitals (so only the rule under test can fire)."""
    return check_give(o, doses, at, dose, vitals(at) if fresh else None, tz=CHI, **kw)


def hard(result) -> list[str]:
    return [f.rule for f in result.findings if f.severity == "hard"]


def rules(findings) -> list[str]:
    return [f.rule for f in (findings.findings if hasattr(findings, "findings") else findings)]


def assert_sourced(findings) -> None:
    """Every finding names its source, and its line (what staff read) carries it."""
    for f in (findings.findings if hasattr(findings, "findings") else findings):
        assert isinstance(f, Finding)
        assert f.source in SOURCES, f
        assert f" \u2014 {f.source}" in f.line, f.line
        if f.citation:
            assert f"({f.citation})" in f.line, f.line


def fired(findings, rule, severity=None, source=None) -> Finding:
    assert_sourced(findings)
    found = [f for f in (findings.findings if hasattr(findings, "findings") else findings) if f.rule == rule]
    assert found, (rule, rules(findings))
    f = found[0]
    if severity is not None:
        assert f.severity == severity, f
    if source is not None:
        assert f.source == source, f
    return f


def d(value) -> Decimal:
    return Decimal(repr(float(value)))


# ----------------------------------------------------------------------------- single maximum

SINGLE = [drug_id for drug_id, drug in DRUGS.items() if drug.max_single is not None]


@pytest.mark.parametrize("drug_id", SINGLE)
def test_single_maximum_at_allowed_just_above_refused(drug_id):
    drug = DRUGS[drug_id]
    limit = drug.max_single.value
    o = order(drug_id, limit)
    assert f"{drug_id}.max_single" not in hard(give(o, [], T, limit))
    assert f"{drug_id}.max_single" not in hard(give(o, [], T, float(d(limit) - Decimal("0.001"))))
    above = give(o, [], T, float(d(limit) + Decimal("0.001")))
    f = fired(above, f"{drug_id}.max_single", "hard", drug.max_single.source)
    assert not f.overridable and not above.can_override  # a tenfold slip is never overridden
    # At order time the same number refuses the order.
    assert rules(check_order(order(drug_id, limit))).count(f"{drug_id}.max_single") == 0
    refused = check_order(order(drug_id, float(d(limit) + Decimal("0.001"))))
    fired(refused, f"{drug_id}.max_single", "hard", drug.max_single.source)


@pytest.mark.parametrize(("drug_id", "dose", "words"), [
    ("clonidine", 1, "Clonidine: a single dose is at most 0.2 mg (entered 1 mg; a unit or decimal slip?)"),
    ("methadone", 300, "Methadone: a single dose is at most 200 mg (entered 300 mg; a unit or decimal slip?)"),
])
def test_tenfold_slips_are_refused_at_order_time(drug_id, dose, words):
    found = check_order(order(drug_id, dose))
    f = fired(found, f"{drug_id}.max_single", "hard")
    assert f.text == words and not f.overridable


# ----------------------------------------------------------------------------- daily maximum

# drug → (dose, number of doses that make the maximum exactly, hours between them)
DAILY = {
    "lofexidine": (0.72, 4, 5),
    "clonidine": (0.2, 6, 4),
    "loperamide": (4, 4, 1),
    "ibuprofen": (800, 4, 4),
    "acetaminophen": (1000, 4, 4),
    "hydroxyzine": (100, 4, 1),
    "methocarbamol": (1000, 8, 1),
    "trazodone": (100, 4, 1),
}


def test_the_daily_table_covers_every_drug_with_a_daily_maximum():
    assert set(DAILY) == {i for i, drug in DRUGS.items() if drug.max_daily is not None}
    for drug_id, (dose, n, _) in DAILY.items():
        assert d(dose) * n == d(DRUGS[drug_id].max_daily.value), drug_id


@pytest.mark.parametrize("drug_id", sorted(DAILY))
def test_daily_maximum_reached_exactly_is_allowed_and_a_thousandth_more_refused(drug_id):
    dose, n, hours = DAILY[drug_id]
    drug = DRUGS[drug_id]
    o = order(drug_id, dose)
    before = [gave(T - (i + 1) * hours * H, dose) for i in range(n - 1)]
    rule = f"{drug_id}.max_daily"
    assert rule not in hard(give(o, before, T, dose))
    assert rule not in hard(give(o, before, T, float(d(dose) - Decimal("0.001"))))
    above = give(o, [*before, gave(T - n * hours * H + 30 * MIN, 0.001)], T, dose)
    f = fired(above, rule, "hard", drug.max_daily.source)
    assert f.overridable and f.text.startswith(f"{drug.label}: ")
    # The same number from the other direction: the dose is back-dated before the others.
    after = [gave(T + (i + 1) * hours * H, dose) for i in range(n - 1)]
    assert rule not in hard(give(o, after, T, dose))
    fired(give(o, [*after, gave(T + n * hours * H - 30 * MIN, 0.001)], T, dose), rule, "hard",
          drug.max_daily.source)


@pytest.mark.parametrize("drug_id", sorted(DAILY))
def test_doses_exactly_24_hours_apart_share_no_window_a_minute_less_do(drug_id):
    dose, n, hours = DAILY[drug_id]
    o = order(drug_id, dose)
    rule = f"{drug_id}.max_daily"
    block = [gave(T + i * hours * H, dose) for i in range(n)]  # the maximum, exactly
    last = T + (n - 1) * hours * H
    # Forward: the new dose exactly 24 h after the block's first dose is outside its window.
    assert rule not in hard(give(o, block, T + 24 * H, dose))
    assert rule in hard(give(o, block, T + 24 * H - MIN, dose))
    # Back-dated: exactly 24 h before the block's last dose, then one minute later.
    assert rule not in hard(give(o, block, last - 24 * H, dose))
    late = give(o, block, last - 24 * H + MIN, dose)
    assert rule in hard(late)
    assert_sourced(late)


def test_daily_maximum_counts_doses_recorded_before_and_after_the_back_dated_one():
    o = order("lofexidine", 0.72, prn_hours=5)
    # 0.72 at 00:00, 10:00 and 15:00; a dose charted late for 05:00 makes 2.88 — allowed —
    # but one more at 20:00 (already recorded) makes any window holding 05:00 carry 3.6.
    doses = [gave(T, 0.72), gave(T + 10 * H, 0.72), gave(T + 15 * H, 0.72)]
    assert give(o, doses, T + 5 * H, 0.72).clear
    result = give(o, [*doses, gave(T + 20 * H, 0.72)], T + 5 * H, 0.72)
    f = fired(result, "lofexidine.max_daily", "hard", "label")
    assert "3.6 mg in 24 h with this dose" in f.text


# ----------------------------------------------------------------------------- minimum interval

INTERVAL = [drug_id for drug_id, drug in DRUGS.items() if drug.min_interval is not None]


def test_the_interval_drugs():
    assert set(INTERVAL) == {"lofexidine", "clonidine", "ibuprofen", "acetaminophen"}


@pytest.mark.parametrize("drug_id", INTERVAL)
def test_min_interval_both_sides_exactly_allowed_a_minute_closer_refused(drug_id):
    drug = DRUGS[drug_id]
    gap = drug.min_interval.value * H
    dose = DAILY[drug_id][0]
    o = order(drug_id, dose)  # a scheduled order: only the drug's own interval applies
    rule = f"{drug_id}.min_interval"
    existing = [gave(T, dose)]
    # After the recorded dose.
    assert give(o, existing, T + gap, dose).clear
    after = give(o, existing, T + gap - MIN, dose)
    assert hard(after) == [rule]
    f = fired(after, rule, "hard", drug.min_interval.source)
    assert f.field == "at" and "before this one" in f.text
    # Back-dated before the recorded (later) dose.
    assert give(o, existing, T - gap, dose).clear
    before = give(o, existing, T - gap + MIN, dose)
    assert hard(before) == [rule]
    f = fired(before, rule, "hard", drug.min_interval.source)
    assert "after this one" in f.text
    # Between two doses: too close to the later one even when far from the earlier one.
    both = [gave(T - 3 * gap, dose), gave(T, dose)]
    assert hard(give(o, both, T - gap + MIN, dose)) == [rule]
    assert give(o, both, T - gap, dose).clear


def test_the_prn_orders_own_interval_holds_both_sides_too():
    o = order("ondansetron", 4, prn_hours=8)
    existing = [gave(T, 4)]
    assert give(o, existing, T + 8 * H, 4).clear and give(o, existing, T - 8 * H, 4).clear
    for at in (T + 8 * H - MIN, T - 8 * H + MIN):
        result = give(o, existing, at, 4)
        assert hard(result) == ["order.min_interval"]
        fired(result, "order.min_interval", "hard", "order")


# ----------------------------------------------------------------------------- impairment caps


@pytest.mark.parametrize(("facts", "single", "daily"), [
    (PatientFacts(hepatic="mild"), 0.54, 2.16),
    (PatientFacts(hepatic="moderate"), 0.36, 1.44),
    (PatientFacts(hepatic="severe"), 0.18, 0.72),
    (PatientFacts(renal="reduced"), 0.36, 1.44),
    (PatientFacts(renal="severe"), 0.18, 0.72),
    (PatientFacts(egfr=89), 0.36, 1.44),
    (PatientFacts(egfr=29), 0.18, 0.72),
])
def test_lofexidine_impairment_caps_at_and_above(facts, single, daily):
    key = "hepatic" if facts.hepatic else "renal"
    citation = DRUGS["lofexidine"].hepatic_citation if key == "hepatic" else DRUGS["lofexidine"].renal_citation
    o = order("lofexidine", single, prn_hours=5)
    assert give(o, [], T, single, facts=facts).clear
    above = give(o, [], T, float(d(single) + Decimal("0.01")), facts=facts)
    f = fired(above, f"lofexidine.{key}_single", "hard", "label")
    assert f.citation == citation and f.overridable
    # The daily cap over any 24 h, before and after.
    n = int(d(daily) / d(single))
    before = [gave(T - (i + 1) * 5 * H, single) for i in range(n - 1)]
    assert give(o, before, T, single, facts=facts).clear
    over = give(o, [*before, gave(T - 23 * H, 0.01)], T, single, facts=facts)
    fired(over, f"lofexidine.{key}_daily", "hard", "label")
    after = [gave(T + (i + 1) * 5 * H, single) for i in range(n - 1)]
    assert give(o, after, T, single, facts=facts).clear
    fired(give(o, [*after, gave(T + 23 * H, 0.01)], T, single, facts=facts),
          f"lofexidine.{key}_daily", "hard", "label")
    # At order time the cap asks for the prescriber's reason.
    fired(check_order(order("lofexidine", 0.54, times=("08:00", "14:00", "20:00")) if single < 0.54
                      else order("lofexidine", 0.72, times=("08:00",)), facts=facts),
          f"lofexidine.{key}", "reason", "label")


@pytest.mark.parametrize(("egfr", "category"), [(90, "normal"), (89.9, "reduced"), (89, "reduced"),
                                                (30, "reduced"), (29.9, "severe"), (29, "severe"),
                                                (None, None)])
def test_egfr_categories_at_their_boundaries(egfr, category):
    assert renal_category(egfr) == category
    assert PatientFacts(egfr=egfr).renal_category == category


def test_egfr_89_caps_lofexidine_and_90_does_not_29_and_30():
    o = order("lofexidine", 0.54, prn_hours=5)
    assert give(o, [], T, 0.54, facts=PatientFacts(egfr=90)).clear
    assert hard(give(o, [], T, 0.54, facts=PatientFacts(egfr=89))) == ["lofexidine.renal_single"]
    assert give(o, [], T, 0.36, facts=PatientFacts(egfr=30)).clear
    assert hard(give(o, [], T, 0.36, facts=PatientFacts(egfr=29))) == ["lofexidine.renal_single"]
    assert give(o, [], T, 0.18, facts=PatientFacts(egfr=29)).clear
    # A recorded category wins over the number; "none" and "normal" cap nothing.
    assert give(o, [], T, 0.72, facts=PatientFacts(hepatic="none", renal="normal", egfr=20)).clear


def test_hepatic_and_renal_caps_both_apply_the_lower_refuses():
    o = order("lofexidine", 0.54, prn_hours=5)
    facts = PatientFacts(hepatic="mild", renal="reduced")
    assert hard(give(o, [], T, 0.54, facts=facts)) == ["lofexidine.renal_single"]
    assert give(o, [], T, 0.36, facts=facts).clear


def test_unknown_impairment_values_are_refused():
    with pytest.raises(ValueError, match="hepatic"):
        PatientFacts(hepatic="child-pugh b")
    with pytest.raises(ValueError, match="renal"):
        PatientFacts(renal="ckd")


# ----------------------------------------------------------------------------- policy limits (settings)


def test_clonidine_limits_are_read_from_the_clinics_settings():
    o = order("clonidine", 0.2)
    base = ProtocolSettings()
    assert give(o, [], T, 0.2, settings=base).clear
    tighter = ProtocolSettings(clonidine_max_single_mcg=150, clonidine_max_daily_mcg=600,
                               clonidine_min_interval_hours=6)
    # The single maximum moves with the setting.
    assert give(o, [], T, 0.15, settings=tighter).clear
    f = fired(give(o, [], T, 0.151, settings=tighter), "clonidine.max_single", "hard", "local policy")
    assert "at most 0.15 mg" in f.text or "(0.15 mg)" in f.text
    looser = ProtocolSettings(clonidine_max_single_mcg=300)
    assert give(o, [], T, 0.3, settings=looser).clear
    assert "clonidine.max_single" in hard(give(o, [], T, 0.301, settings=looser))
    # The daily maximum: 0.15 × 4 = 0.6 exactly; a thousandth more is refused.
    three = [gave(T - h * 6 * H, 0.15) for h in (1, 2, 3)]
    assert give(o, three, T, 0.15, settings=tighter).clear
    assert "clonidine.max_daily" not in hard(give(o, three, T, 0.15, settings=base))
    fired(give(o, [*three, gave(T - 19 * H, 0.001)], T, 0.15, settings=tighter), "clonidine.max_daily", "hard",
          "local policy")
    # The interval: 6 h now, both sides.
    one = [gave(T, 0.1)]
    assert give(o, one, T + 6 * H, 0.1, settings=tighter).clear
    assert give(o, one, T + 4 * H, 0.1, settings=base).clear
    for at in (T + 6 * H - MIN, T - 6 * H + MIN):
        fired(give(o, one, at, 0.1, settings=tighter), "clonidine.min_interval", "hard", "local policy")
    # At order time too.
    fired(check_order(order("clonidine", 0.2), settings=tighter), "clonidine.max_single", "hard",
          "local policy")
    fired(check_order(order("clonidine", 0.1, prn_hours=5), settings=tighter), "clonidine.min_interval",
          "hard", "local policy")
    assert rules(check_order(order("clonidine", 0.1, prn_hours=6), settings=tighter)) == []


# ----------------------------------------------------------------------------- buprenorphine


def test_buprenorphine_day_one_warns_above_16_mg_at_give_time():
    o = order("buprenorphine", 8, prn_hours=2)
    first = [gave(T - 4 * H, 8)]
    assert give(o, first, T, 8).clear  # 16 exactly
    assert give(o, first, T, 7.999).clear
    result = give(o, first, T, 8.001)
    assert result.ok  # a warning, not a refusal
    f = fired(result, "buprenorphine.first_day", "reason", "local policy")
    assert "16.001 mg on the first day" in f.text
    # Back-dated: the dose before the first dose becomes the first day's start.
    assert rules(give(o, first, T - 8 * H, 8.001)) == ["buprenorphine.first_day"]
    # After the first 24 h the day-1 warning is over.
    assert give(o, first, T + 20 * H + MIN, 16).clear
    assert rules(give(o, first, T + 20 * H - MIN, 16)) == ["buprenorphine.first_day"]
    # The setting moves it.
    assert rules(give(o, first, T, 4.5, settings=ProtocolSettings(bup_day1_warn_mg=12))) == [
        "buprenorphine.first_day"]


def test_buprenorphine_above_24_mg_a_day_warns_from_both_sides():
    o = order("buprenorphine", 8, prn_hours=2)
    earlier = [gave(T - 48 * H, 8), gave(T - 20 * H, 8), gave(T - 10 * H, 8)]  # day 1 is long past
    assert give(o, earlier, T, 8).clear  # 24 in the window from T − 20 h
    result = give(o, earlier, T, 8.001)
    assert result.ok and rules(result) == ["buprenorphine.warn_daily"]
    fired(result, "buprenorphine.warn_daily", "reason", "label")
    later = [gave(T - 48 * H, 8), gave(T + 10 * H, 8), gave(T + 20 * H, 8)]
    assert give(o, later, T, 8).clear
    assert rules(give(o, later, T, 8.001)) == ["buprenorphine.warn_daily"]


def test_buprenorphine_order_time_warnings():
    assert rules(check_order(order("buprenorphine", 8, times=("08:00", "20:00")))) == []
    found = check_order(order("buprenorphine", 8.5, times=("08:00", "20:00")))
    assert rules(found) == ["buprenorphine.first_day"]
    fired(found, "buprenorphine.first_day", "reason", "local policy")
    found = check_order(order("buprenorphine", 12.5, times=("08:00", "20:00")))
    assert set(rules(found)) == {"buprenorphine.warn_daily", "buprenorphine.first_day"}
    fired(found, "buprenorphine.warn_daily", "reason", "label")
    # With a dose already given the order is not the first day's.
    given = [gave(T - 48 * H, 8, oid="b0")]
    assert rules(check_order(order("buprenorphine", 8.5, times=("08:00", "20:00")),
                             [order("buprenorphine", 8, oid="b0")], given)) == ["duplicate.drug"]


# ----------------------------------------------------------------------------- methadone


@pytest.mark.parametrize(("dose", "expected"), [
    (29.5, []),
    (30, []),
    (30.5, [("methadone.first_dose", "label")]),
    (40, [("methadone.first_dose", "label")]),
    # Once a day: a first dose above 40 mg is also a first day above 40 mg (label).
    (49.5, [("methadone.first_dose", "label"), ("methadone.first_day", "label")]),
    (50, [("methadone.first_dose", "label"), ("methadone.first_day", "label")]),
    (50.5, [("methadone.first_dose_reason", "regulation"), ("methadone.first_day", "label")]),
])
def test_methadone_first_dose_30_label_and_50_regulation(dose, expected):
    found = check_order(order("methadone", dose))
    assert [(f.rule, f.source) for f in found] == expected
    assert all(f.severity == "reason" for f in found)
    assert_sourced(found)
    if expected and expected[0][1] == "regulation":
        assert "42 CFR 8.12(h)(3)(ii)" in found[0].line
    # Not the first dose: no first-dose warning.
    assert rules(check_order(order("methadone", dose), [order("methadone", 20, oid="m0")],
                             [gave(T - 72 * H, 20, oid="m0")])) == ["duplicate.drug"]


def test_methadone_first_day_40_at_order_and_at_the_dose():
    assert rules(check_order(order("methadone", 20, times=("08:00", "12:00")))) == []
    found = check_order(order("methadone", 20.5, times=("08:00", "12:00")))
    assert rules(found) == ["methadone.first_day"]
    fired(found, "methadone.first_day", "reason", "label")
    o = order("methadone", 30, prn_hours=2)
    first = [gave(T - 3 * H, 30)]
    assert give(o, first, T, 10).clear
    assert rules(give(o, first, T, 10.5)) == ["methadone.first_day"]
    fired(give(o, first, T, 10.5), "methadone.first_day", "reason", "label")
    assert rules(give(o, first, T - 6 * H, 10.5)) == ["methadone.first_day"]  # back-dated first
    assert give(o, first, T + 21 * H + MIN, 30).clear  # day 2


@pytest.mark.parametrize(("qtc", "expected"), [
    (449, []), (450, []), (451, [("methadone.qtc_warn", "reason")]),
    (499, [("methadone.qtc_warn", "reason")]), (500, [("methadone.qtc_warn", "reason")]),
    (501, [("methadone.qtc_stop", "hard")]),
])
def test_methadone_qtc_450_warns_and_500_stops(qtc, expected):
    found = check_order(order("methadone", 20), facts=PatientFacts(qtc_ms=qtc, qtc_on="2026-06-30"))
    assert [(f.rule, f.severity) for f in found] == expected
    assert_sourced(found)
    assert all(f.source == "local policy" and "on 2026-06-30" in f.text for f in found)


def test_the_qtc_thresholds_move_with_the_settings():
    s = ProtocolSettings(methadone_qtc_warn_ms=430, methadone_qtc_stop_ms=470)
    facts = PatientFacts(qtc_ms=431)
    assert rules(check_order(order("methadone", 20), facts=facts, settings=s)) == ["methadone.qtc_warn"]
    assert rules(check_order(order("methadone", 20), facts=PatientFacts(qtc_ms=471), settings=s)) == [
        "methadone.qtc_stop"]
    assert rules(check_order(order("methadone", 20), facts=PatientFacts(qtc_ms=470), settings=s)) == [
        "methadone.qtc_warn"]
    # The line names the clinic's threshold, not the shipped one.
    [stop] = check_order(order("methadone", 20), facts=PatientFacts(qtc_ms=471), settings=s)
    assert stop.line.endswith("\u2014 local policy (clinic setting: hard stop above 470 ms)")
    [warn] = check_order(order("methadone", 20), facts=PatientFacts(qtc_ms=451))
    assert warn.line.endswith("\u2014 local policy (local policy default: warn above 450 ms)")
    # Other drugs are not stopped by methadone's QTc rule.
    assert rules(check_order(order("lofexidine", 0.54), facts=PatientFacts(qtc_ms=520))) == []


# ----------------------------------------------------------------------------- vitals freshness


@pytest.mark.parametrize("drug_id", ["lofexidine", "clonidine"])
def test_vitals_exactly_60_minutes_old_are_fresh_61_are_not(drug_id):
    o = order(drug_id, DAILY[drug_id][0])
    dose = DAILY[drug_id][0]
    assert check_give(o, [], T, dose, vitals(T, minutes=60), tz=CHI).clear
    stale = check_give(o, [], T, dose, vitals(T, minutes=61), tz=CHI)
    assert stale.ok and not stale.clear
    f = fired(stale, "vitals.needed", "reason", "local policy")
    assert f.text == ("Vitals needed before this dose: the last set was taken at 05:59, 1 h 1 min "
                      "before it")
    missing = check_give(o, [], T, dose, None, tz=CHI)
    fired(missing, "vitals.needed", "reason", "local policy")
    assert missing.hold_reasons[0].startswith("Vitals needed before this dose: no set")
    incomplete = check_give(o, [], T, dose, vitals(T, values={"systolic": 120, "diastolic": 80}), tz=CHI)
    assert "has no HR" in fired(incomplete, "vitals.needed", "reason", "local policy").text
    # The window is a setting.
    s = ProtocolSettings(alpha2_vitals_minutes=30)
    assert check_give(o, [], T, dose, vitals(T, minutes=30), tz=CHI, settings=s).clear
    assert rules(check_give(o, [], T, dose, vitals(T, minutes=31), tz=CHI, settings=s)) == ["vitals.needed"]


def test_vitals_are_not_asked_for_drugs_without_the_rule():
    for drug_id in ("methadone", "buprenorphine", "ondansetron", "acetaminophen"):
        o = order(drug_id, DRUGS[drug_id].min_single.value * 2)
        assert check_give(o, [], T, o.dose, None, tz=CHI).clear, drug_id


def test_stale_vitals_are_not_read_for_holds_they_ask_for_new_ones():
    o = order("lofexidine", 0.54, hold_sbp_below=90, hold_dbp_below=50, hold_hr_below=50)
    low = {"systolic": 80, "diastolic": 40, "pulse": 40}
    assert rules(check_give(o, [], T, 0.54, vitals(T, 61, low), tz=CHI)) == ["vitals.needed"]
    assert rules(check_give(o, [], T, 0.54, vitals(T, 60, low), tz=CHI)) == [
        "hold.systolic", "hold.diastolic", "hold.pulse"]
    assert_sourced(check_give(o, [], T, 0.54, vitals(T, 60, low), tz=CHI))


# ----------------------------------------------------------------------------- struck doses


def test_a_dose_that_passes_only_because_a_dose_was_struck_is_refused():
    o = order("lofexidine", 0.54, prn_hours=5)
    struck = [gave(T - 2 * H, 0.54)]
    assert give(o, [], T, 0.54).clear
    result = give(o, [], T, 0.54, struck=struck)
    assert set(hard(result)) == {"struck.frees_room"}
    f = fired(result, "struck.frees_room", "hard")
    assert f.source in ("order", "label") and f.overridable and result.can_override
    assert f.text.startswith("A dose struck as entered in error makes room for this one: ")
    # Far enough from the struck dose: nothing to confirm.
    assert give(o, [], T + 3 * H, 0.54, struck=struck).clear
    # A struck dose after the new one counts too (both directions).
    assert set(hard(give(o, [], T - 4 * H, 0.54, struck=struck))) == {"struck.frees_room"}
    # A struck held dose frees nothing.
    held = Administration(order_id="o1", outcome="held", at=T - H, reason="SBP 84", by="rn1")
    assert give(o, [], T, 0.54, struck=[held]).clear


def test_a_struck_dose_that_frees_daily_room_is_confirmed():
    o = order("lofexidine", 0.72, prn_hours=5)
    kept = [gave(T - h * H, 0.72) for h in (5, 10, 15)]
    struck = [gave(T - 20 * H, 0.72)]
    assert give(o, kept, T, 0.72).clear
    result = give(o, kept, T, 0.72, struck=struck)
    assert hard(result) == ["struck.frees_room"]
    assert "2.88" in result.findings[0].text
    # Already refused without the struck dose: the struck rule adds nothing.
    over = give(o, [*kept, gave(T - 19 * H, 0.01)], T, 0.72, struck=struck)
    assert hard(over) == ["lofexidine.max_daily"]


# ----------------------------------------------------------------------------- order-time checks


def test_interactions_name_their_source():
    lofexidine = order("lofexidine", 0.54, oid="l1", times=("08:00", "14:00", "20:00"))
    methadone = order("methadone", 20, oid="m1")
    found = check_order(lofexidine, [methadone])
    f = fired(found, "interaction.qt_prolonging.qt_prolonging", "reason", "label")
    assert "QT" in f.text and "ECG" in f.text
    lorazepam = order("other", 1, oid="x1", drug_name="Lorazepam")
    for opioid in (methadone, order("buprenorphine", 4, oid="b1")):
        f = fired(check_order(opioid, [lorazepam]), "interaction.opioid_agonist.cns_depressant", "reason",
                  "label")
        assert "FDA boxed warning" in f.citation
        fired(check_order(lorazepam, [opioid]), "interaction.opioid_agonist.cns_depressant", "reason", "label")
    clonidine = order("clonidine", 0.1, oid="c1")
    fired(check_order(lofexidine, [clonidine]), "interaction.alpha2_agonist.alpha2_agonist", "reason", "label")
    intake = PatientFacts(benzodiazepine_use=True)
    f = fired(check_order(methadone, facts=intake), "interaction.intake_cns", "reason", "label")
    assert "benzodiazepines use recorded at intake" in f.text
    alcohol = PatientFacts(alcohol_use=True)
    assert rules(check_order(order("buprenorphine", 4), facts=alcohol)) == ["interaction.intake_cns"]
    assert rules(check_order(lofexidine, facts=intake)) == []  # not an opioid
    assert rules(check_order(order("ibuprofen", 400), [lofexidine])) == []


def test_duplicate_drug_and_opioid_class():
    first = order("lofexidine", 0.54, oid="l1")
    f = fired(check_order(order("lofexidine", 0.36, oid="l2"), [first]), "duplicate.drug", "reason",
              "local policy")
    assert "a duplicate order" in f.text
    found = check_order(order("buprenorphine", 4, oid="b1"), [order("methadone", 20, oid="m1")])
    fired(found, "duplicate.class", "reason", "local policy")
    # Free-text names count as the formulary drug for the duplicate check of the class.
    found = check_order(order("other", 4, oid="s1", drug_name="Suboxone"), [order("methadone", 20, oid="m1")])
    assert "duplicate.class" in rules(found)


def test_naltrexone_with_an_agonist_and_inside_its_window():
    ntx = order("naltrexone", 50, oid="n1")
    f = fired(check_order(ntx, [order("methadone", 20, oid="m1")]), "naltrexone.agonist", "reason", "label")
    assert "precipitate withdrawal" in f.text
    fired(check_order(order("buprenorphine", 4, oid="b1"), [ntx]), "naltrexone.agonist", "reason", "label")
    not_yet = Prompt("naltrexone_window", "not_yet", "Naltrexone start", "3.0 days since heroin",
                     "≥ 7 opioid-free days after a short-acting opioid", "Not yet")
    f = fired(check_order(ntx, naltrexone_window=not_yet), "naltrexone.window", "reason", "label")
    assert "3.0 days since heroin" in f.text
    meets = Prompt("naltrexone_window", "meets", "Naltrexone start", "8 days since heroin", "≥ 7", "Meets")
    assert rules(check_order(ntx, naltrexone_window=meets)) == []


@pytest.mark.parametrize(("allergies", "drug_id", "hit"), [
    ("allergic to Tylenol", "acetaminophen", "tylenol"),
    ("Paracetamol - rash", "acetaminophen", "paracetamol"),
    ("allergic to Tylenol", "ibuprofen", None),
    ("methadone (hives)", "methadone", "methadone"),
    ("", "acetaminophen", None),
])
def test_allergy_match(allergies, drug_id, hit):
    found = check_order(order(drug_id, DRUGS[drug_id].min_single.value * 2), facts=PatientFacts(allergies=allergies))
    if hit is None:
        assert "allergy" not in rules(found)
    else:
        f = fired(found, "allergy", "reason", "patient record")
        assert f"\u201c{hit}\u201d" in f.text and f.field == "drug_id"


def test_lofexidine_prn_every_hour_and_times_four_hours_apart_are_refused():
    f = fired(check_order(order("lofexidine", 0.54, prn_hours=1)), "lofexidine.min_interval", "hard", "label")
    assert f.field == "min_interval_hours" and not f.overridable
    assert rules(check_order(order("lofexidine", 0.54, prn_hours=5))) == []
    f = fired(check_order(order("lofexidine", 0.54, times=("08:00", "12:00"))), "lofexidine.min_interval",
              "hard", "label")
    assert f.field == "times" and "08:00 and 12:00 are 4 h apart" in f.text
    # 5 h apart is allowed; the wrap past midnight counts (23:00 → 03:00 is 4 h).
    assert rules(check_order(order("lofexidine", 0.54, times=("08:00", "13:00", "18:00", "23:00")))) == []
    assert "lofexidine.min_interval" in rules(check_order(order("lofexidine", 0.54,
                                                                times=("03:00", "08:00", "13:00", "23:00"))))


def test_scheduled_daily_total_above_the_maximum_is_refused_at_order_time():
    assert rules(check_order(order("lofexidine", 0.72, times=("02:00", "08:00", "14:00", "20:00")))) == []
    found = check_order(order("lofexidine", 0.72, times=("00:00", "05:00", "10:00", "15:00", "20:00")))
    fired(found, "lofexidine.max_daily", "hard", "label")


def test_pregnancy_is_noted_with_its_source():
    f = fired(check_order(order("methadone", 20), facts=PatientFacts(pregnant="yes")), "pregnancy", "info",
              "guideline")
    assert "pregnant" in f.text


def test_a_dose_of_a_stopped_order_of_the_drug_is_not_a_first_dose():
    stopped = order("methadone", 20, oid="m0", stop=T - 24 * H)
    given = [gave(T - 48 * H, 20, oid="m0")]
    assert rules(check_order(order("methadone", 35), (), given)) == ["methadone.first_dose"]
    assert rules(check_order(order("methadone", 35), (), given, past_orders=[stopped])) == []


# ----------------------------------------------------------------------------- 14 days, order maxima, citations


@pytest.mark.parametrize("days, fires", [(timedelta(days=14) - MIN, False), (timedelta(days=14), True),
                                         (timedelta(days=14) + MIN, True)])
def test_lofexidine_after_14_days_of_treatment_needs_a_reason(days, fires):
    o = order(prn_hours=5, start=T - timedelta(days=20))
    first = T - timedelta(days=15)
    at = first + days
    result = give(o, [gave(first, 0.54)], at, 0.54)
    assert ("lofexidine.max_days" in rules(result)) is fires
    assert "lofexidine.max_days" not in hard(result)  # a warning: the nurse's reason, not a refusal
    assert_sourced(result)
    # Charted late, before the first dose on record: it becomes the first, the count starts there.
    assert "lofexidine.max_days" not in rules(give(o, [gave(first, 0.54)], first - 6 * H, 0.54))


@pytest.mark.parametrize("maximum, refused", [(2.88, False), (2.881, True)])
def test_a_prn_order_may_not_allow_more_in_24_h_than_the_drug(maximum, refused):
    found = check_order(order(prn_hours=6, max_daily_dose=maximum))
    assert ("lofexidine.max_daily" in [f.rule for f in found if f.severity == "hard"]) is refused
    assert_sourced(found)


def test_a_policy_limit_changed_by_the_clinic_is_cited_as_its_setting():
    o = order("clonidine", 0.1, prn_hours=4)
    at = T
    shipped = give(o, [gave(at - 3 * H, 0.1)], at, 0.1)
    [finding] = [f for f in shipped.findings if f.rule == "clonidine.min_interval"]
    assert "local policy default" in finding.citation and "clinic setting" not in finding.citation
    changed = give(o, [gave(at - 5 * H, 0.1)], at, 0.1, settings=ProtocolSettings(clonidine_min_interval_hours=6))
    [finding] = [f for f in changed.findings if f.rule == "clonidine.min_interval"]
    assert "clinic setting (shipped default 4)" in finding.citation and "6 h between doses" in finding.text
    assert_sourced(changed)


# ----------------------------------------------------------------------------- usual dose range

def _limits(drug):
    return [(name, getattr(drug, name)) for name in (
        "min_single", "max_single", "max_daily", "warn_daily", "min_interval", "first_dose_warn",
        "first_dose_reason", "first_day_warn", "max_days") if getattr(drug, name) is not None]


def test_every_local_policy_limit_is_a_clinic_setting_and_label_limits_are_not():
    from clinic_desktop.core.settings import LABELS, PROTOCOL_KEYS

    for drug in DRUGS.values():
        for name, limit in _limits(drug):
            if limit.kind == "policy":
                assert limit.setting in PROTOCOL_KEYS and limit.setting in LABELS, (drug.id, name)
                assert limit.value == getattr(ProtocolSettings(), limit.setting) / limit.scale
            else:
                assert limit.setting is None, (drug.id, name)


def test_the_lowest_usual_dose_can_never_be_set_above_the_largest():
    from clinic_desktop.core.settings import RANGES

    for drug in DRUGS.values():
        if drug.min_single is None or drug.min_single.setting is None or drug.max_single is None:
            continue
        highest_min = RANGES[drug.min_single.setting][1] / drug.min_single.scale
        lowest_max = (RANGES[drug.max_single.setting][0] / drug.max_single.scale
                      if drug.max_single.setting else drug.max_single.value)
        # clonidine's two settings overlap; a cross-field rule keeps them apart instead.
        assert highest_min < lowest_max or drug.id == "clonidine", drug.id


@pytest.mark.parametrize(("drug_id", "key", "value", "dose_ok", "dose_past"), [
    # The largest single dose moved down: at it allowed, a thousandth above refused.
    ("methadone", "methadone_max_single_mg", 150, 150, 150.001),
    ("trazodone", "trazodone_max_single_mg", 100, 100, 100.001),
])
def test_a_clinics_largest_single_dose_refuses_just_above_it(drug_id, key, value, dose_ok, dose_past):
    s = ProtocolSettings(**{key: value})
    o = order(drug_id, dose_ok)
    assert f"{drug_id}.max_single" not in rules(check_order(o, settings=s))
    assert f"{drug_id}.max_single" not in hard(give(o, [], T, dose_ok, settings=s))
    f = fired(check_order(order(drug_id, dose_past), settings=s), f"{drug_id}.max_single", "hard",
              "local policy")
    assert f"clinic setting (shipped default {getattr(ProtocolSettings(), key):g})" in f.citation
    fired(give(o, [], T, dose_past, settings=s), f"{drug_id}.max_single", "hard", "local policy")
    # The shipped value still allows the dose the clinic refused.
    assert f"{drug_id}.max_single" not in rules(check_order(order(drug_id, dose_past)))


@pytest.mark.parametrize(("drug_id", "key", "value", "at", "below"), [
    ("naltrexone", "naltrexone_min_single_mg", 25.0, 25, 24.9),
    ("buprenorphine", "buprenorphine_min_single_mg", 2.0, 2, 1.9),
    ("clonidine", "clonidine_min_single_mcg", 50, 0.05, 0.049),
    ("ibuprofen", "ibuprofen_min_single_mg", 200, 200, 199),
])
def test_a_clinics_lowest_usual_dose_asks_for_a_reason_just_below_it(drug_id, key, value, at, below):
    s = ProtocolSettings(**{key: value})
    assert f"{drug_id}.min_single" not in rules(check_order(order(drug_id, at), settings=s))
    f = fired(check_order(order(drug_id, below), settings=s), f"{drug_id}.min_single", "reason",
              "local policy")
    assert "clinic setting (shipped default" in f.citation
    # Under the shipped default the same dose is within the usual range.
    assert f"{drug_id}.min_single" not in rules(check_order(order(drug_id, below)))
