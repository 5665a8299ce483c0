"""Items' lifecycles (docs/language.md, "Items' lifecycles"): quantities per instant, the month's maximum
counted from its first instant, billing starts, and the worked example of the docs."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.loader import load_contract
from interpreter.run.evaluate import run
from interpreter.run.events import Event
from interpreter.run.expressions import ABSENT, Value
from interpreter.run.lifecycle import Subscription, midnight
from interpreter.run.runner import evaluate_files
from interpreter.tools.expectations import check_expectations
from interpreter.time.timestamps import JST
from small_contract import HEADER, ledger_of

ROOT = Path(__file__).parent.parent


def holding(*changes, start=date(2025, 4, 1), **kw) -> Subscription:
    return Subscription("x", start, None, [(at, Decimal(q)) for at, q in changes], [], {}, **kw)


def at(d: date, hour: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=JST)


def test_first_instant_counts_even_when_it_changes_that_day():
    # 150 from 08-10, 100 from 09-01 01:00: September's maximum is the 150 in force at 09-01 00:00.
    x = holding((at(date(2025, 4, 1)), 100), (at(date(2025, 8, 10)), 150), (at(date(2025, 9, 1), 1), 100))
    assert x.maximum_in(date(2025, 9, 1), date(2025, 9, 30)) == 150
    assert x.quantity_on(date(2025, 9, 1)) == 100  # the end of that day
    assert x.maximum_in(date(2025, 10, 1), date(2025, 10, 31)) == 100


def test_a_change_at_the_first_instant_replaces_the_value_carried_in():
    x = holding((at(date(2025, 4, 1)), 150), (at(date(2025, 9, 1)), 100))
    assert x.maximum_in(date(2025, 9, 1), date(2025, 9, 30)) == 100


def test_a_change_on_the_day_after_the_period_is_not_counted():
    x = holding((at(date(2025, 4, 1)), 10), (at(date(2025, 10, 1)), 99))
    assert x.maximum_in(date(2025, 9, 1), date(2025, 9, 30)) == 10


def test_billing_start_of_a_part_waits_for_its_parent():
    parent = holding((at(date(2025, 4, 1)), 1), billing_from=date(2025, 6, 1))
    part = holding((at(date(2025, 5, 10)), 200), start=date(2025, 5, 10))
    assert part.billing_start(parent) == date(2025, 6, 1)
    assert part.waits_for(parent)
    later = holding((at(date(2025, 6, 20)), 200), start=date(2025, 6, 20))
    assert later.billing_start(parent) == date(2025, 6, 20) and not later.waits_for(parent)
    own = holding((at(date(2025, 5, 10)), 200), start=date(2025, 5, 10), billing_from=date(2025, 5, 15))
    assert own.billing_start(parent) == date(2025, 5, 15) and not own.waits_for(parent)


changes = st.lists(st.tuples(st.integers(0, 120 * 24), st.integers(0, 500)), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(changes, st.integers(0, 100), st.integers(0, 30))
def test_the_maximum_is_the_largest_value_in_force_at_any_instant(raw, first_offset, length):
    base = datetime(2025, 1, 1, tzinfo=JST)
    pairs = sorted((base + timedelta(hours=h), Decimal(q)) for h, q in raw)
    x = holding(*pairs, start=date(2025, 1, 1))
    first = date(2025, 1, 1) + timedelta(days=first_offset)
    last = first + timedelta(days=length)
    # every instant at which the value can change inside the period, and the period's first instant
    lo, hi = midnight(first), midnight(last + timedelta(days=1))
    instants = [lo] + [a for a, _ in pairs if lo <= a < hi]
    assert x.maximum_in(first, last) == max(x.quantity_at(i) for i in instants)
    assert x.maximum_in(first, last) >= x.quantity_on(last)


def test_the_worked_example_of_the_docs():
    path = ROOT / "docs" / "examples" / "lifecycle" / "lifecycle.yaml"
    outcome = evaluate_files(None, str(path))
    assert outcome.ok, outcome.diagnostics
    assert len(outcome.scenario.expect) >= 9
    assert check_expectations(outcome.ledger, outcome.scenario.expect) == []


@lru_cache(maxsize=1)
def _example_model():
    model, diagnostics, _ = load_contract(str(ROOT / "docs" / "examples" / "lifecycle" / "lifecycle.ctr"))
    assert model is not None, diagnostics
    return model


def _ev(i: int, name: str, d: date, **fields) -> Event:
    return Event(i, name, datetime(d.year, d.month, d.day, 9, tzinfo=JST), fields)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 60), st.integers(0, 90), st.integers(0, 120), st.one_of(st.none(), st.integers(0, 150)))
def test_an_option_bills_only_from_its_billing_start_through_its_end(order_at, lead, stop_at, designated_at):
    """Law: an option's monthly charges cover only days from its billing start through its last day; one
    that ends before its billing start has no charge and no minimum term at all."""
    start = date(2025, 4, 1)
    ordered = start + timedelta(days=order_at)
    billing = ordered + timedelta(days=lead)
    stop = ordered + timedelta(days=stop_at)
    # left out of a scenario, an optional field has no value (what validate() gives it)
    fields = {"designated": ABSENT if designated_at is None else Value("date", ordered + timedelta(days=designated_at))}
    events = [_ev(0, "service_start", start, accounts=Value("count", Decimal(3))),
              _ev(1, "option_order", ordered, option=Value("item", "mailbox"), billing_start=Value("date", billing),
                  accounts=Value("count", Decimal(2))),
              _ev(2, "option_stop", stop, option=Value("item", "mailbox"), **fields)]
    ledger = run(_example_model(), {}, events, date(2026, 3, 31))
    # 民法第140条: the stop takes effect on the later of arrival + 30 days and the designated day
    end = max(stop + timedelta(days=30), ordered + timedelta(days=designated_at) if designated_at is not None else stop)
    charges = [e for e in ledger.entries if e.kind == "charge" and "メールボックス" in e.label]
    terms = [e for e in ledger.entries if e.kind == "state" and e.label == "minimum term of mailbox ends"]
    if end < billing:
        assert charges == [] and terms == []
    else:
        assert charges and len(terms) == 1
        assert all(billing <= e.period[0] and e.period[1] <= end for e in charges)


ENDS_BEFORE_START = HEADER + """
plan base "基本";
option box "ボックス";
option list "リスト";
event service_start { billing_start: date; starts contract, starts base; }
event box_order "ボックスの申込";
event box_stop "ボックスの停止" { last: date; }
event cancel "解約" { last: date; }
rule T-1 第1条 "最低利用期間" { minimum term 3 months counting from contract.billing_start; }
rule T-2 第2条 "料金" {
  billing from service_start.billing_start;
  monthly fee 1,000 yen for base;
  settle "残余期間の料金" remaining minimum term as monthly fees partial month full;
}
rule T-3 第3条 "ボックス" {
  notice box_accepted by customer on box_order { effective box_order.date; effect starts box; }
  notice list_later "リストは翌月1日から" by provider on box_order {
    effective start of month after box_order.date;
    effect starts list;
  }
  list ends with box;
  notice box_stopped by customer on box_stop { effective box_stop.last; effect ends box; }
}
rule T-4 第4条 "解約" {
  notice cancelled by customer on cancel { effective cancel.last; effect ends contract; }
}
"""


def _ledger(tmp_path, events: str):
    return ledger_of(tmp_path, ENDS_BEFORE_START, "as_of: 2025-12-31\nevents:\n" + events)


def test_a_dependant_that_would_end_before_it_starts_never_starts(tmp_path):
    # list would start 06-01 with box; box ends 05-31 (a month end, so before list starts): list never starts
    ledger = _ledger(tmp_path, "  - {at: 2025-04-01, event: service_start, billing_start: 2025-04-01}\n"
                               "  - {at: 2025-05-10, event: box_order}\n"
                               "  - {at: 2025-05-20, event: box_stop, last: 2025-05-31}\n")
    labels = [e.label for e in ledger.entries if e.rule == "T-3"]
    assert "リスト starts" not in labels
    assert labels.count("リスト never starts: it would end with ボックス") == 1
    (never,) = [e for e in ledger.entries if e.label.startswith("リスト never")]
    assert never.date == date(2025, 5, 31) and never.source is not None
    # box ending on 06-01, the day list starts: list is held that day, and simply ends with box
    ledger = _ledger(tmp_path, "  - {at: 2025-04-01, event: service_start, billing_start: 2025-04-01}\n"
                               "  - {at: 2025-05-10, event: box_order}\n"
                               "  - {at: 2025-05-20, event: box_stop, last: 2025-06-01}\n")
    labels = [e.label for e in ledger.entries if e.rule == "T-3"]
    assert "リスト starts" in labels and "リスト ends with ボックス" in labels


def test_a_contract_that_ends_before_its_minimum_term_counts_has_none(tmp_path):
    # billing (and the 3-month term) from 06-01; the contract ends 05-31: no term, no settlement
    early = _ledger(tmp_path, "  - {at: 2025-04-01, event: service_start, billing_start: 2025-06-01}\n"
                              "  - {at: 2025-04-10, event: cancel, last: 2025-05-31}\n")
    assert not [e for e in early.entries if e.rule in ("T-1", "T-2")]
    # ending on 06-01, the term's first day: the term ran (06-01 → 08-31), June is billed, July and August settle
    ran = _ledger(tmp_path, "  - {at: 2025-04-01, event: service_start, billing_start: 2025-06-01}\n"
                            "  - {at: 2025-04-10, event: cancel, last: 2025-06-01}\n")
    (term,) = [e for e in ran.entries if e.rule == "T-1"]
    assert term.value == date(2025, 8, 31)
    (settlement,) = [e for e in ran.entries if e.kind == "charge" and e.label == "残余期間の料金"]
    assert settlement.amount == Decimal(2000)  # 2 × 1,000
