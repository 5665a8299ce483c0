"""`settle … partial month CHOICE`: the month in which the minimum term ends counts as the reading taken of a
choice whose readings are named after the policies. Figures worked by hand."""
from __future__ import annotations

from decimal import Decimal

import pytest
from small_contract import HEADER, ledger_of

from interpreter.loader import compile_source
from interpreter.syntax.source import SourceFile

# The shared header, with the daily basis a prorated month needs.
CONTRACT = HEADER.replace("month_end clamp;", "month_end clamp; prorate actual_days;") + """
plan basic "基本";
event service_start { starts contract, starts basic; }
event cancel "解約" { ends contract; }
choice C-1 第2条 last_month_of_term "残余の期間の最後の月" {
  full "1か月分";
  prorated "日数分";
  default full;
}
rule T-1 第1条 "料金" {
  monthly fee 3,100 yen for basic;
  rounding floor to 1 yen;
}
rule T-2 第2条 "最低利用期間" {
  minimum term 1 month counting from contract.start;
  settle "残余期間の料金" remaining minimum term as monthly fees for basic partial month last_month_of_term;
}
"""


@pytest.mark.parametrize("reading, amount", [
    # Started 04-20: the term is 04-20 – 05-19. Cancelled 04-30, April billed in full; the remainder 05-01 – 05-19
    # lies in May: a whole month, 3,100 (full); or 3,100 × 19 ÷ 31 = 1,900 (prorated).
    (None, 3100), ("full", 3100), ("prorated", 1900),
])
def test_the_reading_taken_is_the_policy(tmp_path, reading, amount):
    params = f"params:\n  last_month_of_term: {reading}\n" if reading else ""
    ledger = ledger_of(tmp_path, CONTRACT, f"as_of: 2025-06-30\n{params}events:\n"
                       "  - {at: 2025-04-20, event: service_start}\n  - {at: 2025-04-30, event: cancel}\n")
    settled = [e for e in ledger.entries if e.kind == "charge" and e.rule == "T-2"]
    assert [e.amount for e in settled] == [Decimal(amount)]
    assert "C-1" in settled[0].also


def test_a_choice_with_a_reading_that_is_not_a_policy_is_refused():
    text = CONTRACT.replace('  prorated "日数分";', '  daily "日数分";')
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    assert [d.code for d in diagnostics] == ["E409"] and "daily" in diagnostics[0].message, \
        [str(d) for d in diagnostics]
