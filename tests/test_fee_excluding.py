"""`monthly_fee(d, ITEMS, excluding RULE, …)`: the monthly fees in force on a day without the fees of the rules
named — a fee before a discount that another article writes as a fee of its own. Figures worked by hand."""
from __future__ import annotations

from decimal import Decimal

import pytest
from small_contract import HEADER, ledger_of

from interpreter.loader import compile_source
from interpreter.syntax.source import SourceFile

# A plan of 2,000 yen with an option of 300 yen; a discount of 500 yen on the plan from the 2nd month for 2
# periods (its own rule), a surcharge of 100 yen on the plan in a third rule.
CONTRACT = HEADER + """
plan base "基本";
option extra "追加";
event service_start { starts contract, starts base, starts extra; }
event look "照会";
rule T-1 第1条 "料金" {
  monthly fee 2,000 yen for base;
  monthly fee 300 yen for extra;
}
rule T-2 第2条 "割引" {
  monthly fee -500 yen for base from contract.start + 1 month for 2 periods;
}
rule T-3 第3条 "加算" {
  monthly fee 100 yen for base;
}
rule T-4 第4条 "照会" {
  state with_discount "割引後" on look = monthly_fee(look.date, base);
  state before_discount "割引前" on look = monthly_fee(look.date, base, excluding T-2);
  state neither "割引・加算前" on look = monthly_fee(look.date, base, excluding T-2, T-3);
  state all_items "全品目・割引前" on look = monthly_fee(look.date, excluding T-2);
}
"""


def states_on(tmp_path, day: str) -> dict:
    ledger = ledger_of(tmp_path, CONTRACT, f"as_of: 2025-12-31\nevents:\n  - {{at: 2025-04-01, event: service_start}}\n"
                       f"  - {{at: {day}, event: look}}\n")
    return {e.label: e.value for e in ledger.entries if e.kind == "state" and e.rule == "T-4"}


@pytest.mark.parametrize("day, with_discount, before, neither, all_items", [
    # April: no discount yet. base 2,000 + 100 = 2,100 either way; without T-3 2,000; all items 2,100 + 300.
    ("2025-04-30", 2100, 2100, 2000, 2400),
    # May and June (the discount's 2 periods): 2,000 + 100 − 500 = 1,600 with it; 2,100 without; 2,000
    # without either; all items without the discount 2,100 + 300 = 2,400.
    ("2025-05-01", 1600, 2100, 2000, 2400),
    ("2025-06-30", 1600, 2100, 2000, 2400),
    # July: the discount is over, so leaving it out changes nothing.
    ("2025-07-01", 2100, 2100, 2000, 2400),
])
def test_fees_of_the_rules_named_are_left_out(tmp_path, day, with_discount, before, neither, all_items):
    found = states_on(tmp_path, day)
    assert found == {"割引後": Decimal(with_discount), "割引前": Decimal(before),
                     "割引・加算前": Decimal(neither), "全品目・割引前": Decimal(all_items)}


def codes_of(text: str) -> list:
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    return [(d.code, d.message, d.hint) for d in diagnostics]


def test_an_unknown_rule_is_named_with_a_suggestion():
    found = codes_of(CONTRACT.replace("base, excluding T-2);", "base, excluding T-22);"))
    assert found == [("E201", "unknown rule `T-22`", "did you mean `T-2`?")], found


def test_a_rule_without_a_monthly_fee_cannot_be_left_out():
    found = codes_of(CONTRACT.replace("base, excluding T-2);", "base, excluding T-4);"))
    assert [c for c, _, _ in found] == ["E208"] and "T-4" in found[0][1], found


def test_only_monthly_fee_takes_excluding():
    found = codes_of(CONTRACT.replace("monthly_fee(look.date, base, excluding T-2)",
                                      "monthly_rate(look.date, base, excluding T-2)"))
    assert [c for c, _, _ in found] == ["E302"] and "excluding" in found[0][1], found


def test_the_contract_as_written_checks_clean():
    assert codes_of(CONTRACT) == []
