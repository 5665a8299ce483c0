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
