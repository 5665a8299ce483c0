"""An order dated after the contract's last day is rejected and costs nothing; a payment is still received.
The contract: 1,000 yen a month for `basic` or `premium` (2,000), a change of plan costs 500 yen (an occurrence fee),
a cancellation ends the contract on its day; invoices due at the end of the month after, no tax."""
from __future__ import annotations

import pytest
from small_contract import HEADER, ledger_of

CONTRACT = HEADER + """
plan basic "基本";
plan premium "上位";
event service_start { starts contract, starts basic; }
event plan_change { from: plan; to: plan; changes from to to; }
event support_request "作業の依頼";
event cancel "解約" { ends contract; }
event payment { amount: money; }
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for basic;
  monthly fee 2,000 yen for premium;
  occurrence fee 500 yen on plan_change;
  occurrence fee 300 yen on support_request;
  invoice due end of month after closing paid by payment;
}
"""


@pytest.fixture
def run(tmp_path):
    def evaluate(*events: str):
        lines = "".join(f"  - {e}\n" for e in ("{at: 2025-04-01, event: service_start}",
                                                "{at: 2025-05-20, event: cancel}", *events))
        return ledger_of(tmp_path, CONTRACT, f"as_of: 2025-07-31\nevents:\n{lines}")
    return evaluate


def amounts(ledger, kind: str) -> list:
    return [(e.label, e.amount) for e in ledger.entries if e.kind == kind]


def test_a_change_of_plan_after_the_last_day_is_rejected_and_costs_nothing(run):
    ledger = run("{at: 2025-05-21, event: plan_change, from: basic, to: premium}")
    findings = [e for e in ledger.entries if e.kind == "finding"]
    assert [(f.date.isoformat(), f.label) for f in findings] == [
        ("2025-05-21", "plan_change after the contract ended (2025-05-20 was its last day)")]
    # April 1,000 and May 1,000 (last month full); no 500, no premium month
    assert [e.amount for e in ledger.entries if e.kind == "charge"] == [1000, 1000]


def test_a_change_of_plan_on_the_last_day_is_charged(run):
    # the boundary: 05-20 is still inside the contract → the 500 is charged, and May is billed for premium too
    ledger = run("{at: 2025-05-20, event: plan_change, from: basic, to: premium}")
    assert not [e for e in ledger.entries if e.kind == "finding"]
    assert 500 in [e.amount for e in ledger.entries if e.kind == "charge"]


def test_a_request_priced_by_an_occurrence_fee_after_the_end_is_rejected(run):
    ledger = run("{at: 2025-06-02, event: support_request}")
    assert [f.label for f in ledger.entries if f.kind == "finding"] == [
        "作業の依頼 after the contract ended (2025-05-20 was its last day)"]
    assert 300 not in [e.amount for e in ledger.entries if e.kind == "charge"]


def test_a_payment_after_the_end_is_received(run):
    # April's 1,000 (due 05-31) and May's 1,000 (due 06-30), both paid on 06-30, after the contract's last day 05-20:
    # the payment is not rejected and settles both, April late (missed), May on its due date (met)
    ledger = run("{at: 2025-06-30, event: payment, amount: 2000}")
    assert not [e for e in ledger.entries if e.kind == "finding"]
    assert [e.status for e in ledger.entries if e.kind == "obligation"] == ["missed", "met"]
