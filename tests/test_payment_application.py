"""How payments are applied: oldest first (民法第488条第4項), the invoice the payer designated first
(`payments settle EXPR first`, 民法第488条第1項), and what they leave over (`refund overpayments …`).
Figures worked by hand in the comments."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from small_contract import HEADER, evaluate_text, ledger_of

from interpreter.statements.payments import PaymentsEvaluation

CONTRACT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; applied_to: optional date; }
event provider_termination "当社からの解除";
rule T-1 第1条 "料金の支払と充当" {
  invoice due end of month after closing paid by payment;
  payments settle payment.applied_to first;  # the payer's designation, else the oldest first
  refund overpayments deducted from later fees, else paid out;
  monthly fee 1,000 yen for base;
  tax consumption 10% from 2019-10-01;
}
rule T-2 第2条 "連続する2か月の不払いによる解除" {
  reject "2か月連続の不払いがない" on provider_termination where unpaid_periods(provider_termination.date) < 2;
  effect "解除" on provider_termination { ends contract; }
  state owed "解除時の未払額" on provider_termination = unpaid(provider_termination.date);
}
"""


@pytest.fixture
def run(tmp_path):
    def evaluate(events: str, as_of: str = "2025-08-31"):
        return ledger_of(tmp_path, CONTRACT, f"as_of: {as_of}\nevents:\n  - {{at: 2025-04-01, event: service_start}}\n"
                         + events)

    return evaluate


def findings(ledger):
    return [e.label for e in ledger.entries if e.kind == "finding"]


def owed_at_termination(ledger):
    return next(e.value for e in ledger.entries if e.kind == "state" and e.label == "解除時の未払額")


def test_a_payment_without_a_designation_settles_the_oldest_invoice(run):
    # Invoices of 1,100 (1,000 + 100 tax): April due 05-31, May due 06-30, June due 07-31. 1,100 paid on 08-01
    # settles April: May and June, two consecutive months, are unpaid on 08-05 → the 解除 stands; 2,200 owed.
    ledger = run("  - {at: 2025-08-01, event: payment, amount: 1100}\n"
                 "  - {at: 2025-08-05, event: provider_termination}\n")
    assert findings(ledger) == []
    assert owed_at_termination(ledger) == Decimal(2200)


def test_a_designated_payment_settles_its_invoice_and_can_break_the_run(run):
    # The same 1,100 designated for May settles May: April and June are unpaid but not consecutive (longest run
    # 1) → the 解除 is rejected; still 2,200 owed on 08-05.
    ledger = run("  - {at: 2025-08-01, event: payment, amount: 1100, applied_to: 2025-05-20}\n"
                 "  - {at: 2025-08-05, event: provider_termination}\n")
    assert findings(ledger) == ["2か月連続の不払いがない"]
    paid = {e.due.isoformat(): e.status for e in ledger.entries if e.kind == "obligation"}
    assert paid["2025-05-31"] == "missed" and paid["2025-06-30"] == "missed"
    may = next(e for e in ledger.entries if e.kind == "obligation" and e.due.isoformat() == "2025-06-30")
    assert may.note == "paid 2025-08-01"


def test_what_is_left_of_a_designated_payment_goes_oldest_first(run):
    # 2,200 designated for June: June's 1,100, then April's 1,100; May alone is unpaid → rejected.
    ledger = run("  - {at: 2025-08-01, event: payment, amount: 2200, applied_to: 2025-06-01}\n"
                 "  - {at: 2025-08-05, event: provider_termination}\n")
    assert findings(ledger) == ["2か月連続の不払いがない"]
    paid = {e.due.isoformat(): e.note for e in ledger.entries if e.kind == "obligation"}
    assert paid["2025-05-31"] == paid["2025-07-31"] == "paid 2025-08-01" and paid["2025-06-30"] is None


def test_an_overpayment_waits_for_later_fees_while_the_contract_runs(run):
    # 5,000 paid on 04-10; April to June bill 3 × 1,100 = 3,300 up to 06-30: 1,700 waits.
    ledger = run("  - {at: 2025-04-10, event: payment, amount: 5000}\n", as_of="2025-06-30")
    (over,) = [e for e in ledger.entries if e.kind == "credit"]
    assert (over.amount, over.status, over.date.isoformat()) == (Decimal(1700), "to be deducted", "2025-04-10")


def test_an_overpayment_is_paid_out_when_the_contract_has_ended(run):
    # April is paid on 05-01; May (due 06-30) and June (due 07-31) are unpaid on 08-05, so the 解除 stands and the
    # contract ends 08-05 (August billed in full: 1,100). 5,000 paid on 08-10 settles May to August,
    # 4 × 1,100 = 4,400: 600 is paid out, dated 08-10 (the later of the payment and the end).
    ledger = run("  - {at: 2025-05-01, event: payment, amount: 1100}\n"
                 "  - {at: 2025-08-05, event: provider_termination}\n"
                 "  - {at: 2025-08-10, event: payment, amount: 5000}\n")
    assert findings(ledger) == []
    (over,) = [e for e in ledger.entries if e.kind == "credit"]
    assert (over.amount, over.status, over.date.isoformat()) == (Decimal(600), "paid out", "2025-08-10")
    assert over.rule == "T-1"


def test_payments_settle_needs_the_payment_event(tmp_path):
    contract = HEADER + """
event payment { amount: money; day: date; }
rule T-1 第1条 { payments settle payment.day first; }
"""
    outcome = evaluate_text(tmp_path, contract, "events: []\n")
    assert not outcome.ok and "E404" in str(outcome.diagnostics)


@given(st.lists(st.integers(-500, 3000), min_size=1, max_size=6), st.integers(0, 10000))
def test_a_payment_is_applied_without_loss_and_never_below_zero(balances, amount):
    # the law: what is taken from the invoices plus what is left is the payment; no balance goes below zero and
    # no balance above zero is skipped while money is left; the parts recorded are what each invoice was paid
    order = [type("Invoice", (), {"key": i})() for i in range(len(balances))]
    balance = {i: Decimal(b) for i, b in enumerate(balances)}
    before = dict(balance)
    paid_on = {i: None for i in balance}
    parts = {i: [] for i in balance}
    left = PaymentsEvaluation._pay(order, Decimal(amount), balance, paid_on, parts, "p")
    taken = sum(before[i] - balance[i] for i in balance)
    assert taken + left == amount
    assert all(sum(x for x, _ in parts[i]) == before[i] - balance[i] for i in balance)
    assert all(payment == "p" and x > 0 for i in parts for x, payment in parts[i])
    assert all(balance[i] >= min(before[i], 0) for i in balance)
    if left > 0:
        assert all(balance[i] <= 0 for i in balance)
    assert all((paid_on[i] == "p") == (before[i] > 0 and balance[i] == 0) for i in balance)


INTEREST_CONTRACT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event cancellation "解約" { ends contract; }
event payment { amount: money; }
rule T-1 第1条 "料金と遅延損害金" {
  invoice due end of month after closing paid by payment;
  refund overpayments paid out;
  monthly fee 10,000 yen for base;
  interest 14.6% per year {
    days from due + 1 day through paid - 1 day;
    year of 365 days;
  }
  rounding floor to 1 yen;
}
"""


def interest_ledger(tmp_path, paid: int):
    # One month: April's 10,000 (the contract ends 04-30) is due 05-31 and paid on 06-10: 06-01 … 06-09 = 9 days →
    # 10,000 × 14.6 % × 9 ÷ 365 = 36 yen, billed on June's invoice (due 07-31).
    return ledger_of(tmp_path, INTEREST_CONTRACT, "as_of: 2025-07-31\nevents:\n"
                     "  - {at: 2025-04-01, event: service_start}\n"
                     "  - {at: 2025-04-30, event: cancellation}\n"
                     f"  - {{at: 2025-06-10, event: payment, amount: {paid}}}\n")


def june_duty(ledger):
    """The status of June's invoice (the one carrying the interest, due 07-31)."""
    return [e.status for e in ledger.entries
            if e.kind == "obligation" and e.due is not None and e.due.isoformat() == "2025-07-31"]


def test_interest_left_unpaid_shows_and_interest_paid_is_not_an_overpayment(tmp_path):
    # 10,000 paid: the 36 of interest is owed on June's invoice (due 07-31), which nothing pays: open on the as-of
    # day 07-31. 10,036 paid: the 36 beyond April's fee pays June's invoice, met; no overpayment.
    # 10,100 paid: 64 beyond the fee and the interest is refunded (not 100).
    short = interest_ledger(tmp_path, 10000)
    assert june_duty(short) == ["open"]
    exact = interest_ledger(tmp_path, 10036)
    assert june_duty(exact) == ["met"]
    assert [e for e in exact.entries if e.kind == "credit"] == []
    over = interest_ledger(tmp_path, 10100)
    assert [(e.label, e.amount) for e in over.entries if e.kind == "credit"] == [("overpayment refunded", 64)]


def test_interest_billed_on_the_invoice_it_arises_on_is_solved_with_the_fees(tmp_path):
    # Billed in advance: each month's invoice falls due on its first day (`due period.start`). April's 55,000 is
    # paid 55,000 on 04-20, 04-02 … 04-19 = 18 days late (to the day before payment): the interest arises on 04-20,
    # in April, so it is billed on April's own invoice, which the payment pays interest first (民法第489条): the fees
    # x it pays satisfy x + floor(x × 0.146 × 18 ÷ 365) = 55,000. The factor is 0.0072: x = 54,607 gives
    # 54,607 × 0.0072 = 393.17 → 393 and 54,607 + 393 = 55,000 (54,606 gives 393 too: 54,999).
    # April's invoice 55,393; 393 of its fees stay unpaid, so its duty is missed and 393 is owed.
    contract = INTEREST_CONTRACT.replace("invoice due end of month after closing paid by payment;",
                                         "invoice due period.start paid by payment;") \
        .replace("monthly fee 10,000 yen for base;", "monthly fee 55,000 yen for base;")
    ledger = ledger_of(tmp_path, contract, "as_of: 2025-04-30\nevents:\n"
                       "  - {at: 2025-04-01, event: service_start}\n"
                       "  - {at: 2025-04-20, event: payment, amount: 55000}\n")
    (interest,) = [e for e in ledger.entries if e.kind == "charge" and e.key.startswith("interest:")]
    assert (interest.amount, interest.period[0].isoformat(), interest.period[1].isoformat()) == \
        (Decimal(393), "2025-04-02", "2025-04-19")
    (april,) = [e for e in ledger.entries if e.kind == "invoice"]
    assert april.amount + (april.tax or 0) == Decimal(55393)
    assert [e.status for e in ledger.entries if e.kind == "obligation"] == ["missed"]
    assert any("fees paid 54,607 yen" in step for step in interest.explanation)
