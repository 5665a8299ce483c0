"""What the evaluation keeps to go faster must not change what it gives: answers kept for every customer of a loaded
contract (run/compiled.py, module-level caches) must be keyed by everything they depend on, what is kept for one
evaluation must be that customer's, and a shortcut must report a failing expression as the long way does.

Each test here fails when one of those keys is loosened or a shortcut drops its fallback (checked by doing so)."""
from __future__ import annotations

import glob
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from interpreter.api import Contract, Timeline
from interpreter.run import compiled as compiled_module
from interpreter.run.evaluate import Evaluation
from interpreter.run.ledger import entry_json
from tests.small_contract import HEADER, evaluate_text, ledger_of, started_on_april_first

BUNDLED = ["airnet-allinone", "hennge-cmc", "iij-secure-mx", "itscom-hosting", "minato-mobile"]


def ledger_from_april_first(contract: Contract, events: tuple, params: dict, as_of: str):
    """The ledger of a customer whose service starts on 2025-04-01, with the events after it (mappings)."""
    timeline = Timeline("c", ({"at": "2025-04-01", "event": "service_start"}, *events), params, as_of=as_of)
    return contract.evaluate(timeline).ledger


def _seen(result) -> list:
    """A ledger as compared here: every entry as the JSON shows it, with its explanation."""
    return [(entry_json(e), e.explanation) for e in result.ledger.entries] if result.ledger is not None else \
        [(d.code, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_gets_the_same_ledger_from_a_contract_that_evaluated_the_others(name):
    """The bundled scenarios give their customers different parameters and reading choices (a prorated partial
    month, a reading of 第8条第3項, …): one contract evaluates them all, last file first, and each ledger must be the
    one a contract with nothing kept gives. (Dropping the reading taken from the key of a choice's entry words, or
    keeping a rule's provenance, with the readings it rests on, for every customer, makes dozens of them differ.)"""
    files = sorted(glob.glob(f"contracts/scenarios/{name}/*.yaml"))[::-1]
    assert files
    warm = Contract.load(f"contracts/{name}.ctr")
    cold = Contract.load(f"contracts/{name}.ctr")
    differ = []
    for path in files:
        cold.model.cache.clear()  # as freshly loaded: nothing worked out for an earlier customer
        if _seen(warm.evaluate_file(path)) != _seen(cold.evaluate_file(path)):
            differ.append(path)
    assert differ == []


CONDITIONAL = HEADER + """
plan basic "基本プラン";
event service_start { starts contract, starts basic; }
event request "申込" { count: number; }
param reseller: bool = false "販売店経由";
rule EX-1 第1条 "申込" {
  occurrence fee 1,000 yen on request;
}
rule EX-2 第2条 "販売店経由の申込" when reseller {
  occurrence fee 300 yen on request;
  limit "販売店経由の申込は2件まで" on request: request.count <= 2;
}
"""


def test_what_an_event_sets_off_is_the_customers_own_under_a_rule_with_a_condition():
    """The kinds of statement written on an event are found once per statement tables (`_written_on`): a rule that applies
    to one customer only (`when reseller`) writes a fee and a limit on `request` for that customer, whichever
    customer the contract evaluated before."""
    contract = Contract.from_text(CONDITIONAL, "t.ctr")

    def request(reseller: bool):
        ledger = ledger_from_april_first(contract, ({"at": "2025-04-10", "event": "request", "count": "3"},),
                                         {"reseller": "true" if reseller else "false"}, "2025-04-30")
        return ([e.amount for e in ledger.entries if e.kind == "charge"],
                [e.label for e in ledger.entries if e.kind == "finding"])

    # a reseller's request: 1,000 yen (第1条) and 300 yen (第2条), and 3 > 2 breaks 第2条's limit
    reseller = ([Decimal(1000), Decimal(300)], ["販売店経由の申込は2件まで"])
    direct = ([Decimal(1000)], [])  # 第2条 does not apply
    # the direct customer first: kinds found for it (a fee only) must not stand for the reseller's (a fee and a limit)
    assert [request(False), request(True), request(False), request(True)] == [direct, reseller, direct, reseller]


INTEREST = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; }
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  tax consumption 10% from 2019-10-01 outside interest;
  rounding floor to 1 yen;
  invoice due end of month after closing paid by payment;
  interest RATE per year { days from due + 1 day through paid - 1 day; year of YEAR; }
}
"""


@pytest.mark.parametrize("rate, year, column", [
    ("14.6% / 0", "365 days", 12),       # the rate: `14.6% / 0`, just after `interest `
    ("14.6%", "365 days / 0", 81),       # the year: `365 days / 0`, after `year of`
])
def test_a_constant_interest_rate_that_fails_is_reported_where_it_is_written(tmp_path: Path, rate, year, column):
    """A rate or year that names nothing is worked out once per contract; one that cannot be worked out is left to
    the evaluation, which reports it at the expression, with its code, as when every part was evaluated apart.
    April's 1,100 yen, due 2025-05-31, paid on 06-10: 9 days late, so the interest is worked out."""
    outcome = evaluate_text(tmp_path, INTEREST.replace("RATE", rate).replace("YEAR", year), """as_of: 2025-08-10
events:
  - {at: 2025-04-01, event: service_start}
  - {at: 2025-06-10, event: payment, amount: 1100}
""")
    assert [(d.code, d.message, d.span.line, d.span.column) for d in outcome.diagnostics] == [
        ("E406", "cannot evaluate: division by zero", 17, column)]  # line 17: the `interest` statement


PART = HEADER.replace("first_month full;", "first_month prorated;") + """
plan base "基本";
option box "ボックス" {
  item part "部品";
}
event service_start { starts contract, starts base; }
event box_order "ボックスの申込" { billing_start: date; starts box billing from box_order.billing_start; }
event part_start "部品の申込" { starts part; }
event part_end "部品の終了" { ends part; }
rule T-1 第1条 "料金" {
  monthly fee 3,000 yen for part;
  rounding floor to 1 yen;
}
"""


def test_a_monthly_fees_first_month_is_worked_out_for_each_holding(tmp_path: Path):
    """A monthly fee's billing start and first-month policy are worked out once per holding, not per period
    (`_holding_terms`): an item held twice has two. The part taken on before the box bills waits for it (第1条's fee
    from the box's billing start, 05-16, the first month not a partial month of its own); taken on again on 07-16,
    after the box bills, its first month is its own, prorated as the conventions say."""
    ledger = ledger_of(tmp_path, PART, """as_of: 2025-08-31
events:
  - {at: 2025-04-01, event: service_start}
  - {at: 2025-04-10, event: box_order, billing_start: 2025-05-16}
  - {at: 2025-04-20, event: part_start}
  - {at: 2025-06-30, event: part_end}
  - {at: 2025-07-16, event: part_start}
""")
    assert [(str(e.period[0]), e.amount) for e in ledger.entries if e.kind == "charge"] == [
        ("2025-05-16", Decimal(3000)),  # the first holding bills from the box's billing start, in full
        ("2025-06-01", Decimal(3000)),
        ("2025-07-16", Decimal(1548)),  # the second: 3,000 × 16 days (07-16…07-31) ÷ 31 = 1,548.38… → 1,548
        ("2025-08-01", Decimal(3000)),
    ]


ROUNDED_FOR_SOME = HEADER.replace("first_month full;", "first_month prorated;") + """
plan base "基本";
event service_start { starts contract, starts base; }
param unrounded: bool = false "端数を丸めない";
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
}
rule T-2 第2条 "端数" when not unrounded {
  rounding floor to 1 yen;
}
"""


def test_a_months_charge_kept_for_every_customer_is_rounded_by_the_rules_that_apply_to_each():
    """A constant fee's charge for a month is kept for every customer of the contract, keyed by the statement tables
    of the rules that apply to the customer: the rounding rule applies to some customers only (`when not
    unrounded`). Started 04-14: 1,000 yen × 17 days ÷ 30 = 566.66…, cut to 566 yen where T-2 applies, left as it is
    where it does not, whichever customer came before."""
    contract = Contract.from_text(ROUNDED_FOR_SOME, "t.ctr")

    def april(unrounded: bool) -> Decimal:
        timeline = Timeline("c", ({"at": "2025-04-14", "event": "service_start"},),
                            {"unrounded": "true" if unrounded else "false"}, as_of="2025-04-30")
        [charge] = [e for e in contract.evaluate(timeline).ledger.entries if e.kind == "charge"]
        return charge.amount

    amounts = [april(False), april(True), april(False), april(True)]
    assert amounts[0] == amounts[2] == Decimal(566)
    assert amounts[1] == amounts[3] and Decimal(566) < amounts[1] < Decimal("566.67")


ROUNDED_TO_A_PARAMETER = HEADER.replace("first_month full;", "first_month prorated; prorate actual_days;") + """
plan base "基本";
event service_start { starts contract, starts base; }
param unit: money = 1 yen "端数の単位";
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
  rounding floor to unit;
}
"""


def test_a_months_charge_kept_for_every_customer_is_rounded_to_each_customers_unit():
    """The rounding unit reads a parameter: customers with different units share the statement tables, so a month's
    charge is kept for every customer only when the unit is a constant (`_rounds_alike`). Started 04-14: 1,000 yen ×
    17 days (04-14…04-30) ÷ 30 = 566.66…, floored to 100 yen → 500, to 1 yen → 566; May in full, 1,000 yen."""
    contract = Contract.from_text(ROUNDED_TO_A_PARAMETER, "t.ctr")

    def charges(unit: int) -> list[Decimal]:
        timeline = Timeline("c", ({"at": "2025-04-14", "event": "service_start"},), {"unit": str(unit)},
                            as_of="2025-05-31")
        return [e.amount for e in contract.evaluate(timeline).ledger.entries if e.kind == "charge"]

    assert [charges(100), charges(1), charges(100), charges(1)] == [
        [Decimal(500), Decimal(1000)], [Decimal(566), Decimal(1000)],
        [Decimal(500), Decimal(1000)], [Decimal(566), Decimal(1000)]]


# An option counted in accounts, ordered with a number of them and recounted later.
ACCOUNTS = """
unit account;
plan base "基本";
option x "オプション" { measured in account; }
event service_start { starts contract, starts base; }
event order { quantity: account; starts x quantity quantity; }
event counted { quantity: account; sets quantity of x to quantity; }
"""

TWINS = HEADER.replace("currency JPY;", 'currency JPY;\n  version original "旧約款";').replace(
    "last_month full;", "last_month prorated; prorate actual_days;") + ACCOUNTS + """
event cancel "解約" { ends contract; }
rule T-1 第1条 "料金" {
  monthly fee 100.5 yen per account for x;
}
rule T-4 第4条 "事務手数料" {
  monthly fee 10.5 yen per account for x tax exempt;
}
rule T-2 第2条 "消費税" {
  tax consumption 10% from 2025-06-01, 8% from 2014-04-01;
}
rule T-3 第3条 "端数" {
  rounding floor to 1 yen;
}
amendment revised "新約款" effective 2025-08-01 {
  note "端数は切り上げ";
  rule T-3 第3条 "端数" {
    rounding ceil to 1 yen;
  }
}
"""


def test_a_monthly_fees_periods_copy_an_entry_only_when_all_it_depends_on_is_the_same(tmp_path: Path):
    """A period of a constant monthly fee that lies wholly inside the days billed copies the entry of an earlier
    period of the same holding when the quantity on its last day, the statement tables and the tax in force are the
    same (`_twin`); each of those changes once here, and each month shows its own figures. 100.5 yen per account:
      April, 2 accounts: 201 yen, tax 8% → 16;  May, 5 accounts (from 05-15): 502.5 → floor 502, tax 40;
      June, 5: 502, tax 10% (from 06-01) → 50;  July: the same as June, copied;
      August, the amendment's rounding: 502.5 → ceil 503, tax 50;
      September, ended 09-10 (last month prorated): 502.5 × 10 ÷ 30 = 167.5 → ceil 168, tax 16.
    第4条's fee is tax exempt (no tax in its key): 10.5 yen per account, 21 yen in April, 52.5 → floor 52 from May,
    → ceil 53 in August (the statement tables alone tell August from July), 17.5 → ceil 18 in September."""
    ledger = started_on_april_first(tmp_path, TWINS, "2025-09-30")(
        "  - {at: 2025-04-01, event: order, quantity: 2}\n"
        "  - {at: 2025-05-15, event: counted, quantity: 5}\n"
        "  - {at: 2025-09-10, event: cancel}\n")
    rounded = "(the contract's rounding, declared in T-3)"
    assert [(str(e.period[0]), str(e.period[1]), e.amount, e.tax, e.explanation[-1]) for e in ledger.entries
            if e.rule == "T-1"] == [
        ("2025-04-01", "2025-04-30", Decimal(201), Decimal(16), "100.5 yen × 2 account"),
        ("2025-05-01", "2025-05-31", Decimal(502), Decimal(40), f"502.5 → floor to 1 yen {rounded} = 502 yen"),
        ("2025-06-01", "2025-06-30", Decimal(502), Decimal(50), f"502.5 → floor to 1 yen {rounded} = 502 yen"),
        ("2025-07-01", "2025-07-31", Decimal(502), Decimal(50), f"502.5 → floor to 1 yen {rounded} = 502 yen"),
        ("2025-08-01", "2025-08-31", Decimal(503), Decimal(50), f"502.5 → ceil to 1 yen {rounded} = 503 yen"),
        ("2025-09-01", "2025-09-10", Decimal(168), Decimal(16), f"167.5 → ceil to 1 yen {rounded} = 168 yen")]
    assert [(str(e.period[0]), e.amount, e.tax) for e in ledger.entries if e.rule == "T-4"] == [
        ("2025-04-01", Decimal(21), None), ("2025-05-01", Decimal(52), None), ("2025-06-01", Decimal(52), None),
        ("2025-07-01", Decimal(52), None), ("2025-08-01", Decimal(53), None), ("2025-09-01", Decimal(18), None)]


def test_the_tax_in_force_kept_for_every_customer_is_the_one_read_on_each_day():
    """The tax in force is kept per statement tables as a table of the days its rates start on (_kept_tax_rate): on
    each day it answers as the rates read on that day do (_tax_rate_on), on the days a rate starts and the days
    before, and before the first rate starts (no rate yet: None)."""
    evaluation = Evaluation(Contract.from_text(TWINS, "t.ctr").model, {}, [], date(2025, 9, 30))
    days = [date(2014, 3, 31), date(2014, 4, 1), date(2025, 5, 31), date(2025, 6, 1), date(2025, 9, 30)]
    assert [evaluation._kept_tax_rate(d) for d in days] == [evaluation._tax_rate_on(d) for d in days]
    assert [evaluation._kept_tax_rate(d)[0] for d in days] == [None, Decimal(8), Decimal(8), Decimal(10), Decimal(10)]


TAXED_FOR_SOME = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
param taxed: bool = true "課税事業者";
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for base;
}
rule T-2 第2条 "消費税" when taxed {
  tax consumption 10% from 2019-10-01;
}
"""


INTEREST_BY_PARAMETER = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; }
param through_paid: bool = false "支払日まで数える";
rule T-1 第1条 "料金と遅延損害金" {
  invoice due end of month after closing paid by payment;
  monthly fee 10,000 yen for base;
  interest 14.6% per year {
    days from due + 1 day through (if through_paid then paid else paid - 1 day);
    year of 365 days;
  }
  rounding floor to 1 yen;
}
"""


def test_the_days_late_interest_counts_are_the_customers_own_under_a_parameter():
    """The first and last day a part's interest counts are kept for every customer by the values of the names the
    statement reads (`_days_counted`): a parameter among them is part of the key. April's 10,000 is due 05-31 and
    paid 06-10: 06-01 … 06-09 = 9 days → floor(10,000 × 14.6 % × 9 ÷ 365) = 36 yen; counted through the payment
    day, 06-01 … 06-10 = 10 days → 40 yen. One contract evaluates the two customers in turn."""
    contract = Contract.from_text(INTEREST_BY_PARAMETER, "t.ctr")

    def interest(through_paid: bool):
        ledger = ledger_from_april_first(contract, ({"at": "2025-06-10", "event": "payment", "amount": "10000"},),
                                         {"through_paid": "true" if through_paid else "false"}, "2025-06-30")
        return [(e.amount, e.period[1].isoformat()) for e in ledger.entries if e.key.startswith("interest:")]

    to_the_day_before = [(Decimal(36), "2025-06-09")]
    to_the_day = [(Decimal(40), "2025-06-10")]
    assert [interest(False), interest(True), interest(False), interest(True)] == \
        [to_the_day_before, to_the_day, to_the_day_before, to_the_day]


ORDER_FEE = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event order "注文" { price: money; }
rule T-1 第1条 "注文の料金" {
  invoice due end of month after closing;
  occurrence fee order.price on order;
  tax consumption 10% from 2019-10-01;
}
"""


def test_the_tax_in_force_kept_for_every_customer_is_that_of_the_rules_that_apply_to_each():
    """The tax table is kept per statement tables, which differ with the rules that apply: 第2条's tax applies to some
    customers only. April's 1,000 yen bears 100 yen of tax (10%) where it applies, none where it does not, whichever
    customer came before."""
    contract = Contract.from_text(TAXED_FOR_SOME, "t.ctr")

    def april(taxed: bool):
        timeline = Timeline("c", ({"at": "2025-04-01", "event": "service_start"},),
                            {"taxed": "true" if taxed else "false"}, as_of="2025-04-30")
        [charge] = [e for e in contract.evaluate(timeline).ledger.entries if e.kind == "charge"]
        return charge.tax

    assert [april(True), april(False), april(True), april(False)] == [Decimal(100), None, Decimal(100), None]


SHARED_LINES = HEADER + """
plan base "基本";
option a "オプションA";
option b "オプションB";
event service_start { starts contract, starts base; }
event inquiry "問合せ";
event order { option: option; starts option; }
choice C-1 第1条 start_fee "開始月の料金" {
  full "全額";
  free "無料";
  default full;
}
rule T-1 第1条 "料金" {
  monthly fee 1,000 yen for a, b first month start_fee;
}
"""


def test_a_monthly_fees_entry_kept_for_every_customer_is_each_customers_and_each_items():
    """A period's entry that copies another's is kept for every customer (`_line`), keyed by all it depends on but the
    holding's events and the dates: the label of the fee for the item (options A and B, one statement), the readings
    of the choices the rule rests on (C-1, which only the first month reads: April, full or free), and the events
    are each customer's. Each customer holds A and B from 04-10: April, a partial first month, is charged 1,000 yen
    in full or nothing, as C-1's reading says; May and June are 1,000 yen each."""
    contract = Contract.from_text(SHARED_LINES, "t.ctr")

    def fees(reading: str, asked_first: bool):
        events = ({"at": "2025-03-31", "event": "inquiry"},) if asked_first else ()
        events += ({"at": "2025-04-01", "event": "service_start"},
                   {"at": "2025-04-10", "event": "order", "option": "a"},
                   {"at": "2025-04-10", "event": "order", "option": "b"})
        timeline = Timeline("c", events, {"start_fee": reading}, as_of="2025-06-30")
        return [(e.label, str(e.period[0]), e.amount, e.events, e.explanation[-1])
                for e in contract.evaluate(timeline).ledger.entries if e.kind == "charge"]

    def expected(reading: str, asked_first: bool):
        shift = 1 if asked_first else 0  # the inquiry comes first in the timeline: the orders are events 2 and 3
        return [(f"料金: オプション{x}", month, Decimal(1000), (index + shift,),
                 f"reading C-1 (start_fee) = {reading}")
                for month in (["2025-04-10"] if reading == "full" else []) + ["2025-05-01", "2025-06-01"]
                for x, index in (("A", 1), ("B", 2))]

    runs = [("full", False), ("free", True), ("full", True), ("free", False)]
    assert [fees(*run) for run in runs] == [expected(*run) for run in runs]


EVALUATED_FEE = HEADER + ACCOUNTS + """
rule T-1 第1条 "料金" {
  monthly fee 100 yen × maximum_quantity(x, period.start, period.end) for x;
}
"""


def test_a_monthly_fee_evaluated_for_each_period_is_copied_only_with_the_same_amount(tmp_path: Path):
    """A fee that is not a constant is evaluated for each period; a period copies an earlier one's entry only when the
    amount and its steps are the same as well (`_twin`). 100 yen × the month's largest number of accounts: 5 in April
    (500 yen); 8 from 05-10 to 05-19, so May's is 800 yen though the month ends with 5 again; June 500 yen."""
    ledger = started_on_april_first(tmp_path, EVALUATED_FEE, "2025-06-30")(
        "  - {at: 2025-04-01, event: order, quantity: 5}\n"
        "  - {at: 2025-05-10, event: counted, quantity: 8}\n"
        "  - {at: 2025-05-20, event: counted, quantity: 5}\n")
    assert [(str(e.period[0]), e.amount, e.explanation) for e in ledger.entries if e.kind == "charge"] == [
        ("2025-04-01", Decimal(500), ("500 yen",)), ("2025-05-01", Decimal(800), ("800 yen",)),
        ("2025-06-01", Decimal(500), ("500 yen",))]


def test_an_invoice_kept_by_its_lines_figures_keeps_their_digits():
    """An invoice's amount, tax and steps are kept for every customer by its lines' figures (`_invoice_tax`), each
    by its text: an order of 5,500.0 yen and one of 5,500 yen are equal, yet the invoice's amount keeps the digits
    of its line (the ledger orders entries of the same day by the amount's text). Tax: floor(5,500 × 10 %) = 550."""
    contract = Contract.from_text(ORDER_FEE, "t.ctr")

    def invoice(price: str):
        ledger = ledger_from_april_first(contract, ({"at": "2025-04-10", "event": "order", "price": price},), {},
                                         "2025-04-30")
        (found,) = [e for e in ledger.entries if e.kind == "invoice"]
        return str(found.amount), found.tax

    assert [invoice("5500.0"), invoice("5500"), invoice("5500.0")] == \
        [("5500.0", Decimal(550)), ("5500", Decimal(550)), ("5500.0", Decimal(550))]


FEE_BY_PARAMETER = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
param price: money = 1,000 yen "月額料金";
rule T-1 第1条 "料金" {
  invoice due end of month after closing;
  monthly fee price for base;
  tax consumption 10% from 2019-10-01;
}
"""


def test_a_monthly_fee_read_from_a_parameter_is_copied_with_its_own_digits():
    """A fee that reads a parameter is evaluated for each period, and a period whose amount and steps are another's
    copies that entry, for the same customer or another (`_twin`, `_line`): the amount is told apart by its digits
    too, as the invoices' figures are (1,000.0 equals 1,000, but is not the same figure: the ledger orders entries,
    and a caller reads them, by their text). No rounding is declared, so each period's charge is the parameter as
    given: 1,000.0 or 1,000 yen, tax floor(1,000 × 10 %) = 100, April to June, one invoice each."""
    contract = Contract.from_text(FEE_BY_PARAMETER, "t.ctr")

    def figures(price: str):
        ledger = ledger_from_april_first(contract, (), {"price": price}, "2025-06-30")
        return [(e.kind, str(e.amount), e.tax) for e in ledger.entries if e.kind in ("charge", "invoice")]

    def expected(text: str):
        return [(kind, text, Decimal(100)) for month in range(3) for kind in ("invoice", "charge")]

    assert [figures("1000.0"), figures("1000"), figures("1000.0")] == \
        [expected("1000.0"), expected("1000"), expected("1000.0")]


ANCHORED_AMENDED = HEADER.replace("currency JPY;", 'currency JPY;\n  version original "旧約款";') + """
plan base "基本";
event service_start { starts contract, starts base; }
rule T-1 第1条 "料金" {
  billing period "料金月" months counting from contract.start;
  monthly fee 1,000 yen for base;
}
rule T-2 第2条 "消費税" {
  tax consumption 10% from 2025-06-20, 8% from 2014-04-01;
}
amendment revised "新約款" effective 2025-07-01 {
  note "値上げ";
  rule T-1 第1条 "料金" {
    billing period "料金月" months counting from contract.start;
    monthly fee 1,200 yen for base;
  }
}
"""


def test_a_copied_period_counted_from_an_anchor_reads_its_fee_on_its_first_day_and_its_tax_on_its_last():
    """Billing periods counted from the contract's start (料金月): a period copies another's entry only with the tax
    in force on its last day and the statement tables then (`_twin`), the fee being the one in force on its first
    day. Here the tax rises inside a period (8 % → 10 % from 06-20) and an amendment raises the fee from 07-01.
    Started 04-15: 04-15–05-14 and 05-15–06-14, 1,000 yen, tax 80; 06-15–07-14 began under the old terms, 1,000 yen,
    but closes under the new rate: tax 100; from 07-15, 1,200 yen, tax 120. Started 04-01, calendar months: April
    and May 1,000 yen, tax 80; June 1,000, tax 100; July to September 1,200, tax 120. One contract evaluates the
    customers in turn, each after the other kind."""
    contract = Contract.from_text(ANCHORED_AMENDED, "t.ctr")

    def charges(start: str):
        timeline = Timeline("c", ({"at": start, "event": "service_start"},), {}, as_of="2025-09-30")
        return [(str(e.period[0]), e.amount, e.tax) for e in contract.evaluate(timeline).ledger.entries
                if e.kind == "charge"]

    old, old_closed_new, new = (Decimal(1000), Decimal(80)), (Decimal(1000), Decimal(100)), (Decimal(1200),
                                                                                             Decimal(120))
    from_15th = [(start, *figures) for start, figures in (
        ("2025-04-15", old), ("2025-05-15", old), ("2025-06-15", old_closed_new), ("2025-07-15", new),
        ("2025-08-15", new), ("2025-09-15", new))]
    calendar = [(start, *figures) for start, figures in (
        ("2025-04-01", old), ("2025-05-01", old), ("2025-06-01", old_closed_new), ("2025-07-01", new),
        ("2025-08-01", new), ("2025-09-01", new))]
    assert [charges("2025-04-15"), charges("2025-04-01"), charges("2025-04-15")] == [from_15th, calendar, from_15th]


INTEREST_AFTER_GRACE = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
event payment { amount: money; }
event grace "支払猶予";
rule T-1 第1条 "料金と遅延損害金" {
  invoice due end of month after closing paid by payment;
  monthly fee 10,000 yen for base;
  interest 14.6% per year {
    days from later of (due + 1 day, grace) through paid - 1 day;
    year of 365 days;
  }
  rounding floor to 1 yen;
}
"""


def test_the_days_late_interest_counts_are_the_customers_own_under_an_event_it_reads():
    """The days a part's interest counts are kept for every customer by the values of the names the statement reads
    (`_days_counted`): an event among them is told apart by its day, not only by its place in the timeline (the
    grace is each customer's second event). April's 10,000 yen is due 05-31 and paid 06-10. Without a grace the
    interest counts 06-01 … 06-09, 9 days: floor(10,000 × 14.6 % × 9 ÷ 365) = 36 yen; from a grace on 06-05, 5 days:
    20 yen; from one on 06-03, 7 days: 28 yen."""
    contract = Contract.from_text(INTEREST_AFTER_GRACE, "t.ctr")

    def interest(grace: str | None):
        second = {"at": grace, "event": "grace"} if grace else {"at": "2025-05-02", "event": "payment", "amount": "0"}
        paid = {"at": "2025-06-10", "event": "payment", "amount": "10000"}
        ledger = ledger_from_april_first(contract, (second, paid), {}, "2025-06-30")
        return [(e.amount, str(e.period[0])) for e in ledger.entries if e.key.startswith("interest:")]

    assert [interest(None), interest("2025-06-05"), interest("2025-06-03"), interest(None), interest("2025-06-05")] \
        == [[(Decimal(36), "2025-06-01")], [(Decimal(20), "2025-06-05")], [(Decimal(28), "2025-06-03")],
            [(Decimal(36), "2025-06-01")], [(Decimal(20), "2025-06-05")]]


def test_the_tables_kept_for_every_customer_stay_bounded_and_give_the_same_ledgers(monkeypatch):
    """The tables kept for every customer whose keys are the customers' own figures (a fee's amount for a period, an
    invoice's lines, the names late interest reads) are emptied when full (compiled.keep): a fee priced by usage has
    about as many amounts as customers. With room for one answer each, customers whose fees read 1,000.0, 1,000 and
    1,200 yen (as in the test above) and customers with and without a grace on their interest (36 and 20 yen, as in
    the test above) get the ledgers a freshly loaded contract gives, whatever the order, and no table holds more."""
    monkeypatch.setattr(compiled_module, "KEPT_MOST", 1)
    runs = [(FEE_BY_PARAMETER, (), {"price": price}) for price in ("1000.0", "1000", "1200", "1000.0")] + [
        (INTEREST_AFTER_GRACE, (*grace, {"at": "2025-06-10", "event": "payment", "amount": "10000"}), {})
        for grace in ((), ({"at": "2025-06-05", "event": "grace"},), ())]
    warm = {text: Contract.from_text(text, "t.ctr") for text in (FEE_BY_PARAMETER, INTEREST_AFTER_GRACE)}

    def seen(contract: Contract, events: tuple, params: dict):
        timeline = Timeline("c", ({"at": "2025-04-01", "event": "service_start"}, *events), params, as_of="2025-06-30")
        return _seen(contract.evaluate(timeline))

    for text, events, params in runs + runs[::-1]:
        assert seen(warm[text], events, params) == seen(Contract.from_text(text, "t.ctr"), events, params)
    tables = [warm[FEE_BY_PARAMETER].model.cache["compiled"], warm[INTEREST_AFTER_GRACE].model.cache["compiled"]]
    assert [len(t.fee_lines) for t in tables] == [1, 1]
    assert [len(t.values_by_names) for t in tables] == [0, 1]
    assert [len(t.invoice_taxes) for t in tables] == [1, 1]


DUE_BY_PERIOD_NUMBER = HEADER + """
plan base "基本";
event service_start { starts contract, starts base; }
rule T-1 第1条 "料金" {
  invoice due (if period.number == 1 then closing + 30 days else end of month after closing);
  monthly fee 1,000 yen for base;
}
"""


def test_an_invoices_dates_kept_for_every_customer_are_those_of_its_periods_number():
    """An invoice's dates that read only its period are kept for every customer (`_invoice_dates`), by the period's
    days and its number: the same calendar month is one customer's first period and another's second. Started
    04-01, April is period 1: due 04-30 + 30 days = 05-30; May, period 2: the end of the month after, 06-30. Started
    03-01, March is period 1: due 03-31 + 30 days = 04-30; April, period 2: 05-31; May: 06-30."""
    contract = Contract.from_text(DUE_BY_PERIOD_NUMBER, "t.ctr")

    def dues(start: str):
        timeline = Timeline("c", ({"at": start, "event": "service_start"},), {}, as_of="2025-05-31")
        return [(e.label, str(e.due)) for e in contract.evaluate(timeline).ledger.entries if e.kind == "invoice"]

    from_april = [("invoice for 2025-04", "2025-05-30"), ("invoice for 2025-05", "2025-06-30")]
    from_march = [("invoice for 2025-03", "2025-04-30"), ("invoice for 2025-04", "2025-05-31"),
                  ("invoice for 2025-05", "2025-06-30")]
    assert [dues("2025-04-01"), dues("2025-03-01"), dues("2025-04-01")] == [from_april, from_march, from_april]
