"""Late interest owed on the invoice it is billed on, per part paid late, and duties met only by a payment that leaves
nothing owed (`met by EVENT where COND`, the query `owed`). Figures worked by hand in the comments.

The contract: 1,000 yen a month + 10 % tax = 1,100, each month's invoice due at the end of the next month; 14.6 %
a year on 365 days from the day after the due date through the day before payment, cut to the yen."""
from __future__ import annotations

from decimal import Decimal

import pytest
from small_contract import HEADER, started_on_april_first

CONTRACT = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; }
event check "確認";
event demand "一括請求";
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  tax consumption 10% from 2019-10-01 outside interest;
  rounding floor to 1 yen;
  invoice due end of month after closing paid by payment;
  interest 14.6% per year { days from due + 1 day through paid - 1 day; year of 365 days; }
}
rule T-2 第2条 "確認と一括請求" {
  state unpaid_now "未払額" on check = unpaid(check.date);
  obligation lump_sum "一括支払" by customer {
    when demand;
    due demand.date + 10 days;
    met by payment where owed(payment.date + 1 day, demand.date) == 0 yen;
  }
}
"""


@pytest.fixture
def run(tmp_path):
    return started_on_april_first(tmp_path, CONTRACT, "2025-08-10")


def interest(ledger) -> list[tuple]:
    return [(e.date.isoformat(), e.amount) for e in ledger.entries if e.kind == "charge" and e.label == "料金"
            and e.key.startswith("interest:")]


def duty(ledger, due: str):
    return next(e for e in ledger.entries if e.kind == "obligation" and e.due.isoformat() == due)


def test_an_invoice_short_by_its_interest_is_unpaid(run):
    # 2,200 paid 06-30: April (1,100, due 05-31) late, 06-01 … 06-29 = 29 days: 1,100 × 14.6 % × 29 ÷ 365
    # = 4,657.4 ÷ 365 = 12.76 → 12 yen, billed in June; May (due 06-30) on time. June: 1,000 + 100 tax + 12 = 1,112,
    # due 07-31. 1,100 paid 07-31 leaves 12 of it unpaid: missed, and unpaid on 08-05 (July is due only 08-31).
    ledger = run("  - {at: 2025-06-30, event: payment, amount: 2200}\n"
                 "  - {at: 2025-07-31, event: payment, amount: 1100}\n"
                 "  - {at: 2025-08-05, event: check}\n")
    assert interest(ledger) == [("2025-06-30", Decimal(12))]
    june = next(e for e in ledger.entries if e.kind == "invoice" and e.period[0].month == 6)
    assert (june.amount, june.tax) == (Decimal(1012), Decimal(100))
    assert duty(ledger, "2025-07-31").status == "missed"
    assert next(e.value for e in ledger.entries if e.kind == "state" and e.label == "未払額") == Decimal(12)


def test_paying_the_interest_too_meets_the_invoice(run):
    # As above, with 1,112 paid 07-31: June is paid in full by its due date.
    ledger = run("  - {at: 2025-06-30, event: payment, amount: 2200}\n"
                 "  - {at: 2025-07-31, event: payment, amount: 1112}\n"
                 "  - {at: 2025-08-05, event: check}\n")
    assert duty(ledger, "2025-07-31").status == "met"
    assert next(e.value for e in ledger.entries if e.kind == "state" and e.label == "未払額") == Decimal(0)


def test_a_part_paid_late_bears_interest_when_it_is_paid(run):
    # 500 of April's 1,100 paid 06-11: 06-01 … 06-10 = 10 days: 500 × 14.6 % × 10 ÷ 365 = 730 ÷ 365 = 2 yen, on
    # 06-11, though April is not paid in full; the other 600 never paid bears none yet.
    ledger = run("  - {at: 2025-06-11, event: payment, amount: 500}\n", as_of="2025-06-30")
    assert interest(ledger) == [("2025-06-11", Decimal(2))]
    assert duty(ledger, "2025-05-31").status == "missed"


def test_a_lump_sum_is_met_only_by_the_payment_that_leaves_nothing_owed(run):
    # Nothing paid; demand 07-10, due 07-20: owed what arose by 07-10: April, May and June, 3 × 1,100 = 3,300 (July's
    # fee is dated its month's last day, 07-31). 3,000 paid 07-15: April (due 05-31) 06-01 … 07-14 = 44 days: 1,100 ×
    # 14.6 % × 44 ÷ 365 = 7,066.4 ÷ 365 = 19.36 → 19; May (due 06-30) 07-01 … 07-14 = 14 days: 2,248.4 ÷ 365 = 6.16
    # → 6; both arise 07-15, after the demand, on July's invoice. June gets 800: 300 of what arose by 07-10 is still
    # owed, not met. 300 more on 07-18: nothing of it is owed, met by that payment (event 3).
    ledger = run("  - {at: 2025-07-10, event: demand}\n"
                 "  - {at: 2025-07-15, event: payment, amount: 3000}\n"
                 "  - {at: 2025-07-18, event: payment, amount: 300}\n", as_of="2025-07-31")
    assert interest(ledger) == [("2025-07-15", Decimal(19)), ("2025-07-15", Decimal(6))]
    lump = next(e for e in ledger.entries if e.kind == "obligation" and e.label == "一括支払")
    assert (lump.status, lump.due.isoformat(), lump.events) == ("met", "2025-07-20", (1, 3))


def test_a_lump_sum_short_by_a_yen_is_missed(run):
    # As above with 299 on 07-18: 1 yen of what arose by 07-10 is still owed on 07-20.
    ledger = run("  - {at: 2025-07-10, event: demand}\n"
                 "  - {at: 2025-07-15, event: payment, amount: 3000}\n"
                 "  - {at: 2025-07-18, event: payment, amount: 299}\n", as_of="2025-07-31")
    lump = next(e for e in ledger.entries if e.kind == "obligation" and e.label == "一括支払")
    assert lump.status == "missed"


def test_a_payment_pays_the_interest_of_an_invoice_already_due_before_older_fees(run):
    # 1,100 paid 06-30 pays April (due 05-31): 06-01 … 06-29 = 29 days: 1,100 × 14.6 % × 29 ÷ 365 = 12.76 → 12 yen, on
    # June's invoice (due 07-31). 1,100 paid 08-20: June is due, so its 12 yen of interest are paid first (民法第489条:
    # 利息 before 元本), and the oldest fees get the other 1,088: May (due 06-30) 07-01 … 08-19 = 50 days: 1,088 × 14.6 %
    # × 50 ÷ 365 = 7,942.4 ÷ 365 = 21.76 → 21 yen (all 1,100 to May would give 8,030 ÷ 365 = 22). May stays 12 short.
    ledger = run("  - {at: 2025-06-30, event: payment, amount: 1100}\n"
                 "  - {at: 2025-08-20, event: payment, amount: 1100}\n", as_of="2025-08-31")
    assert interest(ledger) == [("2025-06-30", Decimal(12)), ("2025-08-20", Decimal(21))]
    assert duty(ledger, "2025-06-30").status == "missed"
    assert duty(ledger, "2025-07-31").status == "missed"


def test_interest_rounded_once_per_invoice(tmp_path):
    # April's 1,100 (due 05-31) paid in two parts on 06-06, 06-01 … 06-05 = 5 days: 300 × 14.6 % × 5 ÷ 365 = 219 ÷ 365
    # = 0.6 and 800 × 14.6 % × 5 ÷ 365 = 584 ÷ 365 = 1.6. Rounded per part: 0 + 1 = 1 yen; `rounded once per invoice`:
    # 0.6 + 1.6 = 2.2 → 2 yen, all on the second part (the first bears 0, the second 2 − 0).
    events = ("  - {at: 2025-06-06, event: payment, amount: 300}\n"
              "  - {at: 2025-06-06, event: payment, amount: 800}\n")
    per_part = started_on_april_first(tmp_path, CONTRACT, "2025-06-30")(events)
    once = started_on_april_first(tmp_path, CONTRACT.replace(
        "year of 365 days; }", "year of 365 days; rounded once per invoice; }"), "2025-06-30")(events)
    assert interest(per_part) == [("2025-06-06", Decimal(1))]
    assert interest(once) == [("2025-06-06", Decimal(2))]
