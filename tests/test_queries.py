"""Queries on the timeline (unpaid, unpaid_periods, paid_fees, occurrences) and the rule that a rule's own
condition cannot depend on the timeline. Figures worked by hand in the comments."""
from __future__ import annotations

from decimal import Decimal

import pytest
from small_contract import HEADER, ledger_of

from interpreter.loader import compile_source
from interpreter.syntax.source import SourceFile

CONTRACT = HEADER + """
calendar business { holidays japan; }
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; }
event provider_termination "当社からの解除";
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  tax consumption 10% from 2019-10-01;
  rounding floor to 1 yen;
  invoice due end of month after closing paid by payment;
  interest 14.6% per year { days from due + 1 day through paid; year of 365 days; }
}
rule T-2 第2条 "料金不払いによる解除" {
  reject "2か月連続の不払いがない" on provider_termination
    where unpaid_periods(provider_termination.date) < 2;
  notice termination by provider on provider_termination {
    effective provider_termination.date;
    effect ends contract;
  }
  state owed "解除時の未払額" on provider_termination = unpaid(provider_termination.date);
  state paid "6月に支払われた料金（利息を除く）" on provider_termination = paid_fees(2025-06-01, 2025-07-01);
  state payments "6月の支払回数" on provider_termination = occurrences(payment, 2025-06-01, 2025-06-30);
}
"""


@pytest.fixture
def run(tmp_path):
    def evaluate(events: str):
        return ledger_of(tmp_path, CONTRACT, "as_of: 2025-12-31\nevents:\n  - {at: 2025-04-01, event: service_start}\n"
                         + events)

    return evaluate


def state(ledger, label: str):
    return next(e.value for e in ledger.entries if e.kind == "state" and e.label == label)


def test_two_consecutive_unpaid_periods_allow_the_termination(run):
    # Invoices: April 1,000 + 100 tax = 1,100 due 05-31; May 1,100 due 06-30. On 07-05 both are past due
    # and unpaid: 2 periods, 2,200 yen.
    ledger = run("  - {at: 2025-07-05, event: provider_termination}\n")
    assert not [e for e in ledger.entries if e.kind == "finding"]
    ends = [e for e in ledger.entries if e.kind == "state" and e.label == "contract ends"]
    assert ends and ends[0].value.isoformat() == "2025-07-05"
    assert state(ledger, "解除時の未払額") == Decimal(2200)
    # the contract ends 07-05, so July is the last month billed: no invoice for August
    assert not [e for e in ledger.entries if e.kind == "invoice" and e.period[0].month == 8]


def test_one_unpaid_period_is_not_enough(run):
    # April's invoice is paid on 06-15 (late): only May (due 06-30) is unpaid on 07-05 → 1 period.
    ledger = run("  - {at: 2025-06-15, event: payment, amount: 1100}\n"
                 "  - {at: 2025-07-05, event: provider_termination}\n")
    (finding,) = [e for e in ledger.entries if e.kind == "finding"]
    assert finding.label == "2か月連続の不払いがない" and finding.rule == "T-2"
    assert not [e for e in ledger.entries if e.kind == "state" and e.label == "contract ends"]


def test_a_period_falling_due_that_very_day_does_not_count_yet(run):
    # On 06-30 only April (due 05-31) is past due; May falls due on 06-30 itself → 1 period → rejected.
    ledger = run("  - {at: 2025-06-30, event: provider_termination}\n")
    assert [e.label for e in ledger.entries if e.kind == "finding"] == ["2か月連続の不払いがない"]


def test_paid_fees_leave_out_the_interest_a_payment_paid(run):
    # April's 1,100 paid 06-15, due 05-31: interest for 06-01…06-15 = 15 days:
    # 1,100 × 14.6% × 15 ÷ 365 = 6.6 → 6 yen (floor), billed on June's invoice (due 07-31): not payable yet on
    # 06-15, so that payment paid 1,100 of fees and no interest (paid_fees subtracts only the interest a payment
    # paid, 民法第489条; the 6 is owed, below). May (1,100) and June (1,100) unpaid on 08-05 → 2 periods.
    ledger = run("  - {at: 2025-06-15, event: payment, amount: 1100}\n"
                 "  - {at: 2025-08-05, event: provider_termination}\n")
    interest = [e for e in ledger.entries if e.kind == "charge" and e.key.startswith("interest:")]
    assert [e.amount for e in interest] == [Decimal(6)]
    assert state(ledger, "6月に支払われた料金（利息を除く）") == Decimal(1100)
    assert state(ledger, "6月の支払回数") == Decimal(1)
    # unpaid on 08-05: May and June due 06-30 and 07-31, 2 × 1,100 = 2,200 (April was paid), and the 6 yen of
    # interest billed on June's invoice (due 07-31), owed like its fees: 2,206
    assert state(ledger, "解除時の未払額") == Decimal(2206)


def test_paid_fees_leave_out_interest_a_payment_paid_first(run):
    # April (1,100, due 05-31): 600 paid 06-10, 10 days late: 600 × 14.6% × 10 ÷ 365 = 2.4 → 2 yen; the other
    # 500 on 06-20, 20 days: 500 × 14.6% × 20 ÷ 365 = 4 yen; both billed on June's invoice: 1,000 + 100 + 6 = 1,106.
    # The 06-20 payment, 2,706, pays April's 500, May's 1,100 (due 06-30) and June's 1,106, whose 6 of interest it
    # pays first (民法第489条): of the 3,306 paid in June, 6 is interest, 3,300 fees (April, May and June).
    # On 10-05 July (due 08-31) and August (due 09-30) are unpaid: the termination stands.
    ledger = run("  - {at: 2025-06-10, event: payment, amount: 600}\n"
                 "  - {at: 2025-06-20, event: payment, amount: 2706}\n"
                 "  - {at: 2025-10-05, event: provider_termination}\n")
    interest = [e for e in ledger.entries if e.kind == "charge" and e.key.startswith("interest:")]
    assert [e.amount for e in interest] == [Decimal(2), Decimal(4)]
    assert state(ledger, "6月に支払われた料金（利息を除く）") == Decimal(3300)
    assert state(ledger, "6月の支払回数") == Decimal(2)


@pytest.mark.parametrize("condition", [
    "when provider_termination.date > 2025-01-01",   # an event
    "when base.start > 2025-01-01",                  # an item's date
    "when unpaid_periods(2025-07-01) >= 2",          # a query
    "unless contract.start > 2025-01-01",            # the contract's dates
])
def test_a_rule_condition_on_the_timeline_is_an_error(condition):
    text = CONTRACT.replace('rule T-2 第2条 "料金不払いによる解除" {', f'rule T-2 第2条 "料金不払いによる解除" {condition} {{')
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    assert "E304" in {d.code for d in diagnostics}, [str(d) for d in diagnostics]


def test_occurrences_counts_an_event_by_its_name():
    text = CONTRACT.replace("occurrences(payment,", "occurrences(paymnt,")
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    assert any(d.code == "E302" and "payment" in (d.hint or "") for d in diagnostics), [str(d) for d in diagnostics]
