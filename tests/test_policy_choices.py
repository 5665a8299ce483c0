"""A fee's partial-period policies and its daily basis may name a reading choice whose readings are the policies
(`last month CHOICE`, `first month CHOICE`, `when quantity changes CHOICE`, `prorate CHOICE`): the reading taken
for the customer is the policy. And a fee charged at a daily rate settles the rest of its end month, and a month
counted by days, at that daily rate. Figures worked by hand."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from small_contract import HEADER, ledger_of

from interpreter.loader import compile_source
from interpreter.syntax.source import SourceFile

CONTRACT = HEADER + """
unit GB;
plan disk "ディスク" { measured in GB; }
event service_start { starts contract, starts disk quantity 100; }
event resize "容量変更" { capacity: GB; }
event cancel "解約" { ends contract; }
choice C-1 第2条 daily_formula "日割計算式の端数処理" {
  prorated "月額×日数÷分母、1円未満を1回切り捨て";
  daily_rate "日額の1円未満を切り捨てて日数を乗じる";
  default prorated;
}
choice C-2 第2条 denominator "日割計算式の分母" {
  actual_days "暦月の日数";
  thirty_days "30日";
  default actual_days;
}
rule T-1 第1条 "ディスク使用料" {
  monthly fee 60 yen per GB for disk first month daily_formula last month daily_formula prorate denominator;
  rounding floor to 1 yen;
}
rule T-2 第2条 "容量変更" {
  notice resized "容量変更" by customer on resize {
    effective resize.date;
    effect sets quantity of disk to resize.capacity;
  }
}
"""


def disk_charges(tmp_path, contract: str, params: dict, events: str, as_of: str = "2024-10-31"):
    lines = "".join(f"  {k}: {v}\n" for k, v in params.items())
    ledger = ledger_of(tmp_path, contract, f"as_of: {as_of}\n" + (f"params:\n{lines}" if lines else "")
                       + "events:\n" + events)
    return [e for e in ledger.entries if e.kind == "charge" and e.rule == "T-1"]


# Started 2024-08-20 (August has 31 days), ended 2024-10-19 (October has 31 days); 100 GB × 60 = 6,000 a month.
STARTED_AND_ENDED = "  - {at: 2024-08-20, event: service_start}\n  - {at: 2024-10-19, event: cancel}\n"


@pytest.mark.parametrize("params, august, october", [
    # defaults (prorated, actual days): 6,000 × 12 ÷ 31 = 2,322.58… → 2,322; 6,000 × 19 ÷ 31 = 3,677.41… → 3,677
    ({}, 2322, 3677),
    # daily rate: ⌊6,000 ÷ 31⌋ = 193 a day; × 12 = 2,316; × 19 = 3,667
    ({"daily_formula": "daily_rate"}, 2316, 3667),
    # ÷ 30: 6,000 × 12 ÷ 30 = 2,400; 6,000 × 19 ÷ 30 = 3,800
    ({"denominator": "thirty_days"}, 2400, 3800),
    # both: ⌊6,000 ÷ 30⌋ = 200 a day; × 12 = 2,400; × 19 = 3,800
    ({"daily_formula": "daily_rate", "denominator": "thirty_days"}, 2400, 3800),
])
def test_the_reading_taken_is_the_fees_policy(tmp_path, params, august, october):
    charges = disk_charges(tmp_path, CONTRACT, params, STARTED_AND_ENDED)
    assert [(e.period[0], e.amount) for e in charges] == [
        (date(2024, 8, 20), Decimal(august)), (date(2024, 9, 1), Decimal(6000)), (date(2024, 10, 1), Decimal(october))]
    # every entry of the rule names the readings its figures depend on
    assert all({"C-1", "C-2"} <= set(e.also) for e in charges)


def test_a_daily_rate_with_a_full_first_month_counts_a_later_proration_from_the_first(tmp_path):
    # `first month full last month daily_formula`: started 10-05 and ended 10-19 in the same month; the first month
    # is whole, so the daily rate counts 10-01 – 10-19, 19 days: ⌊6,000 ÷ 31⌋ = 193 × 19 = 3,667 (prorated: 3,677).
    contract = CONTRACT.replace("first month daily_formula last month", "first month full last month")
    for reading, amount in (("daily_rate", 3667), ("prorated", 3677)):
        charges = disk_charges(tmp_path, contract, {"daily_formula": reading},
                               "  - {at: 2024-10-05, event: service_start}\n  - {at: 2024-10-19, event: cancel}\n")
        assert [(e.period, e.amount) for e in charges] == [((date(2024, 10, 1), date(2024, 10, 19)), Decimal(amount))]


def test_a_quantity_change_policy_may_be_a_reading(tmp_path):
    # 100 GB (6,000) for 10-01 – 10-10, then 200 GB (12,000) from 10-11 in a 31-day month:
    # prorated 6,000 × 10 ÷ 31 + 12,000 × 21 ÷ 31 = 312,000 ÷ 31 = 10,064.51… → 10,064;
    # daily rate ⌊6,000 ÷ 31⌋ × 10 + ⌊12,000 ÷ 31⌋ × 21 = 1,930 + 387 × 21 = 1,930 + 8,127 = 10,057.
    contract = CONTRACT.replace("first month daily_formula last month daily_formula prorate denominator",
                                "when quantity changes daily_formula prorate denominator")
    events = "  - {at: 2024-09-01, event: service_start}\n  - {at: 2024-10-11, event: resize, capacity: 200}\n"
    for reading, amount in (("prorated", 10064), ("daily_rate", 10057)):
        charges = disk_charges(tmp_path, contract, {"daily_formula": reading}, events)
        assert charges[-1].amount == Decimal(amount)


def test_a_fees_own_daily_basis_needs_no_convention_and_overrides_it(tmp_path):
    # No `prorate` convention: the fee's own `prorate thirty_days` is its daily basis (no W501).
    contract = CONTRACT.replace("prorate denominator", "prorate thirty_days")
    _, diagnostics = compile_source(SourceFile("c.ctr", contract))
    assert diagnostics == []
    charges = disk_charges(tmp_path, contract, {}, STARTED_AND_ENDED)
    assert [e.amount for e in charges] == [Decimal(2400), Decimal(6000), Decimal(3800)]
    # With a convention that says otherwise, the fee's own basis still holds.
    overridden = contract.replace("last_month full; }", "last_month full; prorate actual_days; }")
    assert [e.amount for e in disk_charges(tmp_path, overridden, {}, STARTED_AND_ENDED)] == \
        [Decimal(2400), Decimal(6000), Decimal(3800)]


def test_without_any_daily_basis_a_prorated_reading_is_W501():
    contract = CONTRACT.replace(" prorate denominator", "")
    _, diagnostics = compile_source(SourceFile("c.ctr", contract))
    assert [d.code for d in diagnostics] == ["W501"] and "daily basis" in diagnostics[0].message


@pytest.mark.parametrize("where, text, message", [
    ("last month daily_formula", "last month bogus", "`last month bogus` is not a policy"),
    ("prorate denominator", "prorate bogus", "`prorate bogus` is not a daily basis"),
    ("rounding floor to 1 yen;", "rounding floor to 1 yen;\n  initial fee 3,000 yen for disk prorate thirty_days;",
     "daily basis of a monthly fee; this one is initial"),
])
def test_a_policy_that_is_neither_a_policy_nor_a_choice_is_E406(where, text, message):
    _, diagnostics = compile_source(SourceFile("c.ctr", CONTRACT.replace(where, text)))
    assert [d.code for d in diagnostics] == ["E406"] and message in diagnostics[0].message, diagnostics


# ---------------------------------------------------------------- settlement of a daily-rate fee

SETTLED = CONTRACT.replace('rule T-2 第2条 "容量変更" {', '''rule T-3 第3条 "最低利用期間" {
  minimum term 3 months counting from contract.start;
  settle "残余期間の料金" remaining minimum term as monthly fees for disk partial month prorated;
}
rule T-2 第2条 "容量変更" {''')


@pytest.mark.parametrize("reading, settled", [
    # Started 08-20: the term is 08-20 – 11-19. Ended 09-19 (September has 30 days, November 30).
    # prorated: the rest of September, 09-20 – 09-30, 11 days: 6,000 × 11 ÷ 30 = 2,200; October whole 6,000;
    #   November 11-01 – 11-19, 19 days (partial month prorated): 6,000 × 19 ÷ 30 = 3,800 → 12,000.
    ("prorated", 12000),
    # daily rate: ⌊6,000 ÷ 30⌋ = 200 a day: 200 × 11 = 2,200; 6,000; 200 × 19 = 3,800 → 12,000 (September and
    # November have 30 days: a whole number of yen a day).
    ("daily_rate", 12000),
])
def test_a_daily_rate_fee_settles_its_days_at_its_daily_rate_in_a_thirty_day_month(tmp_path, reading, settled):
    ledger = ledger_of(tmp_path, SETTLED, f"as_of: 2024-12-31\nparams:\n  daily_formula: {reading}\nevents:\n"
                       "  - {at: 2024-08-20, event: service_start}\n  - {at: 2024-09-19, event: cancel}\n")
    assert [e.amount for e in ledger.entries if e.kind == "charge" and e.rule == "T-3"] == [Decimal(settled)]


@pytest.mark.parametrize("reading, billed, settled", [
    # Started 07-20: the term is 07-20 – 10-19. Ended 08-12 (August has 31 days, October 31).
    # prorated: August billed 6,000 × 12 ÷ 31 = 2,322.58… → 2,322; settled: the rest of August, 19 days:
    #   6,000 × 19 ÷ 31 = 3,677.41…; September whole 6,000; October 10-01 – 10-19: 6,000 × 19 ÷ 31 = 3,677.41…;
    #   each month's line is cut off: 3,677 + 6,000 + 3,677 = 13,354.
    ("prorated", 2322, 13354),
    # daily rate: ⌊6,000 ÷ 31⌋ = 193 a day. August billed 193 × 12 = 2,316; settled 193 × 19 = 3,667 + 6,000 +
    #   193 × 19 = 3,667 → 13,334. (Before, the end month's remainder of a daily-rate fee was dropped: 9,677.)
    ("daily_rate", 2316, 13334),
])
def test_a_daily_rate_fee_settles_its_end_month_remainder(tmp_path, reading, billed, settled):
    ledger = ledger_of(tmp_path, SETTLED, f"as_of: 2024-12-31\nparams:\n  daily_formula: {reading}\nevents:\n"
                       "  - {at: 2024-07-20, event: service_start}\n  - {at: 2024-08-12, event: cancel}\n")
    august = [e.amount for e in ledger.entries if e.kind == "charge" and e.rule == "T-1" and e.period[0].month == 8]
    assert august == [Decimal(billed)]
    assert [e.amount for e in ledger.entries if e.kind == "charge" and e.rule == "T-3"] == [Decimal(settled)]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=99_999))
def test_a_daily_rate_end_month_billed_and_settled_is_every_day_at_the_daily_rate(tmp_path_factory, day, fee):
    """Whatever the day in October (31 days) a daily-rate fee ends on, what October bills and what the settlement
    adds for the rest of October make ⌊fee ÷ 31⌋ × 31: every day once, at the daily rate."""
    contract = SETTLED.replace("60 yen per GB", f"{fee} yen").replace(
        "partial month prorated", "partial month none")  # the term, 08-01 – 10-31, ends with October
    ledger = ledger_of(tmp_path_factory.mktemp("law"), contract,
                       "as_of: 2024-12-31\nparams:\n  daily_formula: daily_rate\nevents:\n"
                       f"  - {{at: 2024-08-01, event: service_start}}\n  - {{at: 2024-10-{day:02d}, event: cancel}}\n")
    october = sum(e.amount for e in ledger.entries if e.kind == "charge" and e.rule == "T-1" and e.period[0].month == 10)
    settled = sum(e.amount for e in ledger.entries if e.kind == "charge" and e.rule == "T-3")
    assert october + settled == (Decimal(fee) // 31) * 31
