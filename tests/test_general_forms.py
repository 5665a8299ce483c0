"""The general forms that replaced statements written for one clause (docs/language.md, "Constructs written for one
kind of clause"): order windows and quantities that never decrease as `reject`s, distinct values as a `reject`
on `ITEM.FIELD`, a monthly maximum as `maximum_quantity` in a fee's amount, a service's end as an effect on a
date. Figures are worked out by hand in each test."""
from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal

import pytest
from small_contract import HEADER, evaluate_text, ledger_of

from interpreter.loader import load_contract

VOCABULARY = """
unit account;
plan legacy "旧プラン";
plan current "新プラン";
option mailbox "メールボックス" { measured in account; }
option spare "スペアメール" { measured in account; }
event service_start { plan: plan; starts contract, starts plan; }
event option_order { option: option; quantity: count = 1; domain: text = ""; starts option quantity quantity; }
event usage { option: option; quantity: count; sets quantity of option to quantity; }
event plan_change { from: plan; to: plan; changes from to to; }
"""


def contract(rules: str) -> str:
    return HEADER + VOCABULARY + "rule T-1 第1条 {\n" + textwrap.indent(rules.strip(), "  ") + "\n}\n"


def scenario(events: str, as_of: str) -> str:
    return f"as_of: {as_of}\nevents:\n" + textwrap.indent(events.strip(), "  ") + "\n"


def entries(ledger, kind: str) -> list:
    return [e for e in ledger.entries if e.kind == kind]


# ---------------------------------------------------------------- order windows (iTSCOM 別表② ※2–※4)

WINDOW = """
monthly fee 100 yen × maximum_quantity(mailbox, period.start, period.end) for mailbox;
reject "受付終了" on option_order
  where option_order.option == mailbox and option_order.date > 2023-04-30
  and not active(option_order.option, option_order.date);
"""


def test_an_order_window_refuses_new_orders_after_its_last_day_and_lets_a_holding_change(tmp_path):
    # 2023-04-30 is the last day (C-17): the order of 04-30 is accepted; 05-01 a change of the held mailbox to 3
    # accounts is accepted (no new order); the customer without a mailbox cannot order one on 05-01.
    ledger = ledger_of(tmp_path, contract(WINDOW), scenario("""
- {at: 2023-04-01, event: service_start, plan: current}
- {at: 2023-04-30, event: option_order, option: mailbox, quantity: 2}
- {at: 2023-05-01, event: option_order, option: mailbox, quantity: 3}
""", "2023-05-31"))
    assert entries(ledger, "finding") == []
    # May: the largest count is 3 → 300 yen
    may = [e for e in entries(ledger, "charge") if e.period and e.period[0] == date(2023, 5, 1)]
    assert [e.amount for e in may] == [Decimal(300)]
    refused = ledger_of(tmp_path, contract(WINDOW), scenario("""
- {at: 2023-04-01, event: service_start, plan: current}
- {at: 2023-05-01, event: option_order, option: mailbox, quantity: 2}
""", "2023-05-31"))
    assert [(e.label, e.date) for e in entries(refused, "finding")] == [("受付終了", date(2023, 5, 1))]
    assert entries(refused, "charge") == []  # the refused order starts nothing, so nothing is billed


# ---------------------------------------------------------------- a quantity that never decreases (別表③ 注2)

NEVER_LESS = """
reject "削減できない" on usage
  where usage.option == mailbox and usage.quantity < quantity(mailbox, usage.date);
"""


@pytest.mark.parametrize("count, refused", [(4, True), (5, False), (6, False)])
def test_a_count_below_the_one_held_is_refused_and_equal_or_more_is_not(tmp_path, count, refused):
    ledger = ledger_of(tmp_path, contract(NEVER_LESS), scenario(f"""
- {{at: 2025-04-01, event: service_start, plan: current}}
- {{at: 2025-04-02, event: option_order, option: mailbox, quantity: 5}}
- {{at: 2025-04-10, event: usage, option: mailbox, quantity: {count}}}
""", "2025-04-30"))
    assert [e.label for e in entries(ledger, "finding")] == (["削減できない"] if refused else [])


# ---------------------------------------------------------------- distinct values (IIJ 第15条) and ITEM.FIELD

SAME_DOMAIN = """
reject "同じドメイン名" on option_order
  where option_order.option == spare and active(mailbox, option_order.date)
  and option_order.domain == mailbox.domain;
"""


@pytest.mark.parametrize("domain, refused", [("example.co.jp", True), ("branch.example.co.jp", False)])
def test_the_domain_of_the_item_held_cannot_be_given_to_the_other(tmp_path, domain, refused):
    ledger = ledger_of(tmp_path, contract(SAME_DOMAIN), scenario(f"""
- {{at: 2025-04-01, event: service_start, plan: current}}
- {{at: 2025-04-02, event: option_order, option: mailbox, domain: example.co.jp}}
- {{at: 2025-04-03, event: option_order, option: spare, domain: {domain}}}
""", "2025-04-30"))
    assert [e.label for e in entries(ledger, "finding")] == (["同じドメイン名"] if refused else [])


def test_item_field_is_typed_from_the_events_that_declare_it(tmp_path):
    path = tmp_path / "t.ctr"
    text = contract('state d = mailbox.domain + 1;')  # text + number
    path.write_text(text, encoding="utf-8")
    _, diagnostics, _ = load_contract(str(path))
    assert [(d.code, d.message) for d in diagnostics] == [("E301", "cannot add text and number")]


def test_item_field_that_no_event_declares_is_E206_and_one_typed_two_ways_is_E302(tmp_path):
    path = tmp_path / "t.ctr"
    path.write_text(contract('state d = mailbox.colour;'), encoding="utf-8")
    _, diagnostics, _ = load_contract(str(path))
    assert [(d.code, "colour" in d.message) for d in diagnostics] == [("E206", True)]
    path.write_text(contract('state d = mailbox.domain;').replace(
        "event usage { option: option;", "event usage { option: option; domain: count = 0;"), encoding="utf-8")
    _, diagnostics, _ = load_contract(str(path))
    assert [(d.code, "different types" in d.message) for d in diagnostics] == [("E302", True)]


# ---------------------------------------------------------------- a monthly maximum (IIJ 別紙1 備考(1))

MAXIMUM = "monthly fee 10 yen × maximum_quantity(mailbox, period.start, period.end) for mailbox;"


def test_the_count_in_force_at_the_first_instant_of_the_period_is_billed(tmp_path):
    # 150 from 08-10; 100 from 09-01 01:00. September's largest count is the 150 in force at 09-01 00:00:
    # 150 × 10 = 1,500 yen (not 100 × 10 = 1,000). October: 100 × 10 = 1,000.
    ledger = ledger_of(tmp_path, contract(MAXIMUM), scenario("""
- {at: 2025-08-01, event: service_start, plan: current}
- {at: 2025-08-01, event: option_order, option: mailbox, quantity: 120}
- {at: 2025-08-10, event: usage, option: mailbox, quantity: 150}
- {at: "2025-09-01T01:00:00+09:00", event: usage, option: mailbox, quantity: 100}
""", "2025-10-31"))
    by_month = {e.period[0]: e.amount for e in entries(ledger, "charge")}
    assert by_month == {date(2025, 8, 1): Decimal(1500), date(2025, 9, 1): Decimal(1500),
                        date(2025, 10, 1): Decimal(1000)}


# ---------------------------------------------------------------- effects on a date (iTSCOM 別表② サービス終了)

SERVICE_END = """
monthly fee 1,000 yen for legacy, current;
effect "サービス終了" on 2025-06-15 where active(legacy, 2025-06-15) {
  ends contract;
}
"""


def test_an_effect_on_a_date_ends_the_contract_that_holds_the_plan(tmp_path):
    # legacy from 04-01; the effect on 06-15 ends the contract (its last day 06-15). Months billed in full
    # (last_month full): April, May, June = 3 × 1,000; nothing from July.
    ledger = ledger_of(tmp_path, contract(SERVICE_END), scenario("""
- {at: 2025-04-01, event: service_start, plan: legacy}
""", "2025-08-31"))
    ends = [e for e in entries(ledger, "state") if e.label == "contract ends"]
    assert [(e.date, e.rule) for e in ends] == [(date(2025, 6, 15), "T-1")]
    assert [e.period[0].month for e in entries(ledger, "charge")] == [4, 5, 6]


@pytest.mark.parametrize("events", [
    "- {at: 2025-04-01, event: service_start, plan: current}",  # the condition is false: another plan
    "- {at: 2025-06-16, event: service_start, plan: legacy}",  # no contract in force on the day
])
def test_an_effect_on_a_date_leaves_other_contracts_alone(tmp_path, events):
    ledger = ledger_of(tmp_path, contract(SERVICE_END), scenario(events, "2025-08-31"))
    assert [e for e in entries(ledger, "state") if e.label == "contract ends"] == []


def test_an_effect_on_a_date_sees_a_change_taking_effect_that_day(tmp_path):
    # iTSCOM 別表② ※3 with 第25条3 "サービス種別などに変更があった場合を除く": legacy from 04-01, changed to current on
    # 06-15 itself. The effect comes after the events of its day: on 06-15 legacy is no longer held, so nothing
    # ends; April … August each bill 1,000 (June both plans: legacy to 06-14 and current from 06-15).
    ledger = ledger_of(tmp_path, contract(SERVICE_END), scenario("""
- {at: 2025-04-01, event: service_start, plan: legacy}
- {at: 2025-06-15, event: plan_change, from: legacy, to: current}
""", "2025-08-31"))
    assert [e for e in entries(ledger, "state") if e.label == "contract ends"] == []
    assert [e.period[0].month for e in entries(ledger, "charge")] == [4, 5, 6, 6, 7, 8]


def test_an_effect_on_a_date_ends_what_the_events_of_that_day_started(tmp_path):
    # The effect comes after the events of 06-15; the mailbox ordered 06-15 ends with the contract the same day.
    ledger = ledger_of(tmp_path, contract(SERVICE_END + MAXIMUM), scenario("""
- {at: 2025-04-01, event: service_start, plan: legacy}
- {at: 2025-06-15, event: option_order, option: mailbox, quantity: 3}
""", "2025-08-31"))
    mailbox = [e for e in entries(ledger, "charge") if e.amount == Decimal(30)]
    assert [e.period for e in mailbox] == [(date(2025, 6, 15), date(2025, 6, 15))]


# ---------------------------------------------------------------- the retired forms (E109)

@pytest.mark.parametrize("statement, general", [
    ("mailbox accepts orders until 2023-04-30;", "reject"),
    ("legacy service ends 2024-03-30;", "effect"),
    ("quantity of mailbox never decreases;", "quantity(ITEM, EVENT.date)"),
    ("distinct domain across mailbox, spare;", "OTHER.FIELD"),
    ("monthly fee 10 yen per account for mailbox on monthly maximum;", "maximum_quantity"),
    ("state paid = fees_paid(2025-04-01, 2025-05-01);", "paid_fees"),
])
def test_a_retired_form_is_E109_with_a_hint_naming_the_general_form(tmp_path, statement, general):
    outcome = evaluate_text(tmp_path, contract(statement), scenario("- {at: 2025-04-01, event: service_start, "
                                                                    "plan: current}", "2025-04-30"))
    assert not outcome.ok
    codes = [(d.code, d.span.line) for d in outcome.diagnostics]
    assert codes == [("E109", contract(statement).splitlines().index("  " + statement) + 1)]
    assert general in outcome.diagnostics[0].hint


# ---------------------------------------------------------------- `unless ended by EVENT where COND` (iTSCOM C-29)

TERMINATION = 'event termination { by: text; ends contract; }\n'
SETTLEMENT_UNLESS = """
minimum term 3 months counting from service_start;
monthly fee 1,000 yen for legacy;
settle "残余期間" remaining minimum term as monthly fees partial month full
  unless ended by termination where termination.by == "customer";
"""


@pytest.mark.parametrize("by, settled", [("customer", []), ("provider", [Decimal(2000)])])
def test_an_ending_is_exempt_from_the_settlement_only_when_its_condition_holds(tmp_path, by, settled):
    # legacy from 04-01; minimum term 3 months → 06-30. Ended 04-20: April billed in full; the rest is May and June
    # = 2 × 1,000 = 2,000, unless the ending event's condition holds (ended by the customer).
    ledger = ledger_of(tmp_path, TERMINATION + contract(SETTLEMENT_UNLESS), scenario(f"""
- {{at: 2025-04-01, event: service_start, plan: legacy}}
- {{at: 2025-04-20, event: termination, by: {by}}}
""", "2025-07-31"))
    assert [e.amount for e in entries(ledger, "charge") if e.label == "残余期間"] == settled


def test_the_condition_of_an_exempt_ending_must_be_a_condition(tmp_path):
    # `termination.by` is text, not a condition: the checker says so at the expression.
    wrong = SETTLEMENT_UNLESS.replace('termination.by == "customer"', "termination.by")
    outcome = evaluate_text(tmp_path, TERMINATION + contract(wrong),
                            scenario("- {at: 2025-04-01, event: service_start, plan: legacy}", "2025-07-31"))
    assert [(d.code, d.span.line) for d in outcome.diagnostics] == [("E302", 23)]
