"""Billing periods with a closing day, fee schedules and taxes, on a small purpose-built contract.
Every figure is worked out by hand in the comment above its assertion."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.run.runner import evaluate_files

CONTRACT = """
contract t "請求期間のテスト" { provider "例示株式会社"; document "請求期間テスト約款" revised 2025-04-01; currency JPY; }
conventions { periods civil_code; month_end clamp; first_month full; last_month full; prorate actual_days; }
calendar business { holidays japan; }
unit MB;
plan base "基本";
option extra "追加";
event service_start { starts contract, starts base; }
event order { starts extra; }
event usage { mb: MB; }
event fee { amount: money; }
event payment { amount: money; }
rule T-1 第1条 "締め日" {
  billing period "請求月" calendar months closing day 20;
}
rule T-2 第2条 "料金" {
  monthly fee tier (sum usage.mb for each usage in period) {
    <= 100 MB: 1,000 yen;
    otherwise: 2,000 yen;
  } for base;
  monthly fee -300 yen for base from contract.start + 1 month for 2 periods;
  monthly fee 310 yen for extra first period daily_rate;
  charge other "その他" on fee = fee.amount;
}
rule T-3 第3条 "税と請求" {
  rounding floor to 1 yen;
  tax consumption 10% from 2019-10-01;
  invoice due closing + 10 days paid by payment;
}
"""


@pytest.fixture
def run(timeline):
    def evaluate(events: str, as_of: str, contract: str = CONTRACT):
        return timeline(contract, events, as_of)

    return evaluate


def of(ledger, kind: str, label_part: str = "") -> list:
    return [e for e in ledger.entries if e.kind == kind and label_part in e.label]


def test_periods_close_on_the_20th_and_invoices_follow_them(run):
    # Start 2025-04-15: periods 3/21–4/20, 4/21–5/20, 5/21–6/20. Usage 100 MB on 4/20 (first period) and
    # 1 MB on 4/21 + 100 MB on 5/20 = 101 MB (second): 1,000 then 2,000 yen.
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-04-20, event: usage, mb: 100}
- {at: 2025-04-21, event: usage, mb: 1}
- {at: 2025-05-20, event: usage, mb: 100}
""", "2025-06-20")
    fees = [(e.period, e.amount) for e in of(ledger, "charge", "料金") if e.amount > 0]
    assert fees == [((date(2025, 4, 15), date(2025, 4, 20)), Decimal(1000)),
                    ((date(2025, 4, 21), date(2025, 5, 20)), Decimal(2000)),
                    ((date(2025, 5, 21), date(2025, 6, 20)), Decimal(1000))]
    invoices = of(ledger, "invoice")
    # The second period: 2,000 (the discount begins with the period after, see below); tax 10% = 200;
    # due closing 5/20 + 10 days = 5/30. The third: 1,000 − 300 = 700, tax 70.
    assert [(e.period, e.amount, e.tax, e.due) for e in invoices][1:] == [
        ((date(2025, 4, 21), date(2025, 5, 20)), Decimal(2000), Decimal(200), date(2025, 5, 30)),
        ((date(2025, 5, 21), date(2025, 6, 20)), Decimal(700), Decimal(70), date(2025, 6, 30))]


def test_a_discount_for_n_periods_starts_with_the_first_period_beginning_on_or_after_its_date(run):
    # contract.start + 1 month = 5/15, inside 4/21–5/20: the first period that begins on or after it is
    # 5/21–6/20, then 6/21–7/20; not 7/21–8/20 (2 periods only).
    ledger = run("- {at: 2025-04-15, event: service_start}", "2025-08-20")
    discounts = [e.period[0] for e in of(ledger, "charge") if e.amount == -300]
    assert discounts == [date(2025, 5, 21), date(2025, 6, 21)]


def test_daily_rate_is_cut_first_and_never_exceeds_the_fee(run):
    # Ordered 5/1 in 4/21–5/20 (30 days, actual days basis): floor(310 ÷ 30) = 10 yen a day × 20 days
    # (5/1–5/20) = 200 yen; ordered 4/22, its 2nd day: 10 × 29 = 290 yen (prorated would give 299.66).
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-05-01, event: order}
""", "2025-05-20")
    assert [e.amount for e in of(ledger, "charge", "追加")] == [Decimal(200)]
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-04-22, event: order}
""", "2025-05-20")
    assert [e.amount for e in of(ledger, "charge", "追加")] == [Decimal(290)]


GRADUATED = CONTRACT.replace("""  monthly fee 310 yen for extra first period daily_rate;""", """  monthly fee 310 yen for extra first period daily_rate;
  monthly fee graduated (sum usage.mb for each usage in period) {
    <= 100 MB: 0 yen;
    <= 300 MB: 2 yen;
    otherwise: 1 yen;
  } for base as "従量料金";""")


def test_a_graduated_tier_charges_each_band_at_its_own_rate(run):
    # 450 MB in 3/21–4/20: the first 100 MB free, the next 200 MB at 2 yen (400), the last 150 MB at 1 yen (150):
    # 0 + 400 + 150 = 550 yen. 250 MB in 4/21–5/20: 150 MB at 2 yen = 300 yen (the third band is not reached).
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-04-16, event: usage, mb: 450}
- {at: 2025-05-16, event: usage, mb: 250}
""", "2025-05-20", GRADUATED)
    assert [e.amount for e in of(ledger, "charge", "従量料金")] == [Decimal(550), Decimal(300)]


INCLUDED = CONTRACT.replace("tax consumption 10% from 2019-10-01;",
                            "tax consumption 10% from 2019-10-01 included outside other;")


def test_tax_included_is_worked_out_once_per_invoice_and_kinds_outside_are_left_out(run):
    # Period 3/21–4/20: base 1,000 (taxed, tax included) + other 500 (outside tax).
    # Tax contained = floor(1,000 × 10 ÷ 110) = floor(90.9) = 90; amount = 1,000 − 90 + 500 = 1,410.
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-04-16, event: fee, amount: 500}
""", "2025-04-20", INCLUDED)
    invoice = of(ledger, "invoice")[0]
    assert (invoice.amount, invoice.tax) == (Decimal(1410), Decimal(90))
    assert all(e.tax is None for e in of(ledger, "charge"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=5))
def test_included_tax_law(tmp_path_factory, amounts):
    """Whatever the lines, an invoice of tax-included prices owes exactly their sum, and its tax is
    floor(sum × 10 ÷ 110)."""
    folder = tmp_path_factory.mktemp("law")
    (folder / "t.ctr").write_text(INCLUDED.replace(" outside other", ""), encoding="utf-8")
    events = "\n".join(f"  - {{at: 2025-04-16, event: fee, amount: {a}}}" for a in amounts)
    (folder / "s.yaml").write_text(f"contract: t.ctr\nas_of: 2025-04-20\nevents:\n"
                                   f"  - {{at: 2025-04-15, event: service_start}}\n{events}\n", encoding="utf-8")
    outcome = evaluate_files(None, str(folder / "s.yaml"))
    invoice = next(e for e in outcome.ledger.entries if e.kind == "invoice")
    total = 1000 + sum(amounts)
    assert invoice.amount + invoice.tax == total
    assert invoice.tax == total * 10 // 110


ANCHORED = CONTRACT.replace('billing period "請求月" calendar months closing day 20;',
                            'billing period "料金月" months counting from contract.start;').replace(
    'charge other "その他" on fee = fee.amount;',
    'charge other "その他" on fee = fee.amount;\n  state period_days "日数" per month = period.days;')


def test_per_month_entries_run_over_the_declared_periods(run):
    # 料金月 from 2025-01-31: 1/31–2/27 (28 days), 2/28–3/30 (31), 3/31–4/29 (30); each entry dated the last day.
    ledger = run("- {at: 2025-01-31, event: service_start}", "2025-04-29", ANCHORED)
    days = [(e.date, e.value) for e in ledger.entries if e.kind == "state" and e.label == "日数"]
    assert days == [(date(2025, 2, 27), Decimal(28)), (date(2025, 3, 30), Decimal(31)), (date(2025, 4, 29), Decimal(30))]


CHANGING = CONTRACT.replace("option extra \"追加\";", "option extra \"追加\";\nunit GB;\noption disk \"ディスク\" { measured in GB; }").replace(
    "event order { starts extra; }", "event order { starts extra; }\nevent disk_order { size: GB; starts disk quantity size; }\n"
    "event disk_change { size: GB; sets quantity of disk to size; }").replace(
    "  monthly fee 310 yen for extra first period daily_rate;",
    "  monthly fee 310 yen for extra first period daily_rate;\n"
    "  monthly fee 100 yen per 10 GB for disk when quantity changes prorated;")


def test_a_quantity_changed_mid_period_is_charged_for_each_quantity_s_days(run):
    # Period 4/21–5/20 (30 days). 20 GB from 4/21, 50 GB from 5/11: 2 blocks × 100 yen × 20 days ÷ 30
    # = 133.33… and 5 blocks × 100 yen × 10 days ÷ 30 = 166.66…: 300 yen, rounded once (floor) = 300.
    # The next period, 50 GB throughout: 500 yen. Without a change a period is charged as usual.
    ledger = run("""
- {at: 2025-04-15, event: service_start}
- {at: 2025-04-21, event: disk_order, size: 20}
- {at: 2025-05-11, event: disk_change, size: 50}
""", "2025-06-20", CHANGING)
    assert [(e.period[0], e.amount) for e in of(ledger, "charge", "ディスク")] == [
        (date(2025, 4, 21), Decimal(300)), (date(2025, 5, 21), Decimal(500))]


SCHEDULE_READ_EARLY = """
contract t "テスト" { provider "例示株式会社"; document "テスト約款" revised 2025-04-01; currency JPY; }
conventions { periods civil_code; month_end clamp; first_month full; last_month full; }
plan base "基本";
event service_start { starts contract, starts base; }
event upgrade { accepted: bool; }
event probe;
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  monthly fee 500 yen for base from start of month after upgrade;
  charge probe "照会" on probe = monthly_fee(probe.date, base);
}
rule T-2 第2条 "受付" {
  reject "受け付けない変更" on upgrade where not upgrade.accepted;
}
"""


def test_a_schedule_read_before_an_event_is_rejected_is_read_again_after(timeline):
    # `upgrade` stands for its first occurrence not rejected. On 4/10 (the probe) nothing is rejected yet: upgrade
    # is the 5/10 one, so the 500-yen fee runs from 6/1 and monthly_fee(4/10) = 1,000 (April is before it). The
    # 5/10 upgrade is then rejected, so upgrade is the 6/10 one: the fee runs from 7/1, not 6/1 — June 1,000,
    # July 1,000 + 500 = 1,500. (Its dates, read while the names were others, are not kept.)
    ledger = timeline(SCHEDULE_READ_EARLY, """
- {at: 2025-04-01, event: service_start}
- {at: 2025-04-10, event: probe}
- {at: 2025-05-10, event: upgrade, accepted: false}
- {at: 2025-06-10, event: upgrade, accepted: true}
""", "2025-07-31")
    assert [e.amount for e in ledger.entries if e.kind == "charge" and "照会" in e.label] == [Decimal(1000)]
    by_month = {}
    for e in ledger.entries:
        if e.kind == "charge" and e.period is not None:
            by_month[e.period[0]] = by_month.get(e.period[0], 0) + e.amount
    assert by_month == {date(2025, 4, 1): 1000, date(2025, 5, 1): 1000, date(2025, 6, 1): 1000,
                        date(2025, 7, 1): 1500}
