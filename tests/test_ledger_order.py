"""The ledger's order and the explanations' steps: what the evaluation does to be fast must give what the plain
definitions give.

`sort_entries` sorts by a short head (day, place in the source, kind, label) and sorts again only the runs of
entries alike in all four by the formatted rest; it must give the order of one stable sort by the whole key.
A `let`'s step shows the value just computed instead of evaluating the expression again; it must read as the
step that evaluates it again."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from interpreter.run.evaluate import Evaluation
from interpreter.run.ledger import KINDS, Entry, sort_entries
from interpreter.run.runner import evaluate_files
from interpreter.syntax.source import Span

ROOT = Path(__file__).parent.parent


def whole_key(e: Entry, rank: dict[int, int]) -> tuple:
    """The ledger's order written out at once: day (due for an obligation), source position, kind, label, value,
    events in timeline order, amount, key."""
    src = (e.source.line, e.source.column) if e.source else (1 << 30, 0)
    return (e.sort_date, src, KINDS.index(e.kind), e.label, "None" if e.value is None else str(e.value),
            tuple(rank.get(i, i) for i in e.events), "None" if e.amount is None else str(e.amount), e.key)


# Few values for each field, so that many entries tie on the head and the rest decides.
days = st.sampled_from([None, date(2025, 4, 1), date(2025, 4, 2)])
entries = st.builds(
    lambda kind, label, line, day, due, value, events, amount, key: Entry(
        kind=kind, label=label, rule="R-1", clause=None, source=Span("t.ctr", line, 3) if line else None, date=day,
        due=due, value=value, events=events, amount=amount, key=key),
    st.sampled_from(KINDS), st.sampled_from(["a", "b"]), st.sampled_from([0, 5, 7]), days, days,
    st.sampled_from([None, "x", Decimal("1.0"), Decimal(1)]), st.lists(st.integers(0, 3), max_size=2).map(tuple),
    st.sampled_from([None, Decimal(100), Decimal("100.0"), Decimal(-3)]), st.sampled_from(["", "k1", "k2"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=30), st.permutations([0, 1, 2, 3]))
def test_the_ledger_order_is_one_stable_sort_by_the_whole_key(listed, timeline):
    rank = dict(enumerate(timeline))  # an event's place in the file -> its place in the timeline
    assert [id(e) for e in sort_entries(listed, rank)] == [
        id(e) for e in sorted(listed, key=lambda e: whole_key(e, rank))]


def test_entries_alike_in_the_head_are_ordered_by_amount_then_key():
    # Same day, source, kind and label: the amount's text orders them ("100" < "20" as text), then the key;
    # entries alike in everything keep the order they were made in.
    day, span = date(2025, 4, 1), Span("t.ctr", 4, 1)
    made = [Entry(kind="charge", label="fee", rule="R", clause=None, source=span, date=day, amount=Decimal(a), key=k)
            for a, k in [(20, "b"), (100, "z"), (20, "a"), (20, "a")]]
    ordered = sort_entries(made)
    assert [(str(e.amount), e.key) for e in ordered] == [("100", "z"), ("20", "a"), ("20", "a"), ("20", "b")]
    assert ordered[1] is made[2] and ordered[2] is made[3]


LET_SCENARIOS = [ROOT / "contracts" / "scenarios" / name for name in (
    "itscom-hosting/outage-after-mid-month-type-change.yaml",
    "itscom-hosting/outage-in-start-month-before-type-change.yaml",
    "itscom-hosting/outage-at-midnight.yaml",
)]


@pytest.mark.parametrize("path", LET_SCENARIOS, ids=[p.stem for p in LET_SCENARIOS])
def test_a_lets_step_reads_as_when_its_expression_is_evaluated_again(path, monkeypatch):
    plain_step, compared = Evaluation.step, []

    def both(self, name, expr, env, value, evaluated=False):
        shown = plain_step(self, name, expr, env, value, evaluated)
        if evaluated:
            compared.append(name)
            assert shown == plain_step(self, name, expr, env, value)
        return shown

    monkeypatch.setattr(Evaluation, "step", both)
    outcome = evaluate_files(None, str(path))
    assert outcome.ok, outcome.diagnostics
    # the outage credit's lets: the hours it lasted and the monthly fee (a function of the timeline) it is a
    # thirtieth of, shown with the value they took
    assert {"unusable", "fee"} <= set(compared)
    steps = [s for e in outcome.ledger.entries if e.kind == "credit" for s in e.explanation]
    assert any(s.startswith("fee = monthly_rate(") and s.endswith(" yen") for s in steps)
