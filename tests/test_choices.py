"""Reading choices: the default reading, another reading picked by a scenario, and what the ledger shows."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from small_contract import HEADER, evaluate_text

from interpreter.loader import compile_source
from interpreter.run.ledger import entry_json
from interpreter.syntax.source import SourceFile

CONTRACT = HEADER + """
plan base "基本";
choice C-1 第5条 start_month "提供開始月の料金" {
  billed "提供開始月から請求する";
  free "提供開始月は請求しない（翌月分から）";
  default billed;
}
event service_start { starts contract, starts base; }
rule T-1 第5条 "月額料金" when start_month == billed {
  monthly fee 1,000 yen for base;
}
rule T-2 第5条 "月額料金（翌月分から）" when start_month == free {
  monthly fee 1,000 yen for base from start of month after service_start;
}
"""


@pytest.fixture
def run(tmp_path):
    def evaluate(params: str = ""):
        return evaluate_text(tmp_path, CONTRACT, "as_of: 2025-06-30\n" + params +
                             "events:\n  - {at: 2025-04-10, event: service_start}\n")

    return evaluate


def charged(ledger) -> dict[str, Decimal]:
    return {f"{e.period[0]:%Y-%m}": e.amount for e in ledger.entries if e.kind == "charge"}


def test_the_default_reading_applies_when_the_scenario_says_nothing(run):
    outcome = run()
    assert outcome.ok, outcome.diagnostics
    # billed from the start month: April (from the 10th, billed in full), May and June, 1,000 yen each
    assert charged(outcome.ledger) == {"2025-04": 1000, "2025-05": 1000, "2025-06": 1000}
    state = next(e for e in outcome.ledger.entries if e.rule == "C-1")
    assert (state.kind, state.value, state.clause) == ("state", "billed", "第5条")
    assert "the contract's default" in state.note and "提供開始月から請求する" in state.note


def test_a_scenario_picks_another_reading_and_every_entry_says_so(run):
    outcome = run("params: {start_month: free}\n")
    assert outcome.ok, outcome.diagnostics
    # the start month is free: May and June only, 2 × 1,000 yen
    assert charged(outcome.ledger) == {"2025-05": 1000, "2025-06": 1000}
    for entry in (e for e in outcome.ledger.entries if e.kind == "charge"):
        assert entry.rule == "T-2" and "C-1" in entry.also
        assert "reading C-1 (start_month) = free" in entry.explanation
    state = next(e for e in outcome.ledger.entries if e.rule == "C-1")
    assert state.value == "free" and "chosen for this customer" in state.note


def test_a_reading_that_does_not_exist_is_rejected_with_its_position(run):
    outcome = run("params: {start_month: fre}\n")
    assert not outcome.ok
    (problem,) = [d for d in outcome.diagnostics if d.severity == "error"]
    assert problem.code == "E606" and problem.span.line == 3


def test_the_reading_is_dated_on_the_first_event(run):
    # The state entry of a choice is dated on the first event, so it sorts with the timeline.
    outcome = run()
    first = outcome.ledger.entries[0]
    assert first.date == date(2025, 4, 10)


@pytest.mark.parametrize("body, code", [
    ("choice C-9 第1条 x { a \"A\"; b \"B\"; }", "E404"),            # no default
    ("choice C-9 第1条 x { a \"A\"; default a; }", "E404"),          # one reading only
    ("choice C-9 第1条 x { a \"A\"; b \"B\"; default c; }", "E201"),  # default not a reading
    ("choice C-9 第1条 x { a \"A\"; a \"B\"; default a; }", "E202"),  # a reading twice
    ("choice C-9 第1条 x { a \"A\"; b; default a; }", "W503"),        # a reading without its text
    ("choice T-1 第1条 x { a \"A\"; b \"B\"; default a; }", "E203"),  # the id of a rule
])
def test_malformed_choices_are_reported(body, code):
    text = CONTRACT + "\n" + body + "\n"
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    assert code in {d.code for d in diagnostics}, [str(d) for d in diagnostics]


def test_a_choice_compared_with_a_number_is_a_type_error():
    text = CONTRACT.replace("when start_month == billed", "when start_month == 3")
    _, diagnostics = compile_source(SourceFile("c.ctr", text))
    assert {d.code for d in diagnostics} & {"E301", "E302"}, [str(d) for d in diagnostics]


def test_the_choice_is_in_the_json_ledger(run):
    outcome = run()
    state = next(e for e in outcome.ledger.entries if e.rule == "C-1")
    out = entry_json(state, None) if entry_json.__code__.co_argcount > 1 else entry_json(state)
    line = CONTRACT.split("\n").index('choice C-1 第5条 start_month "提供開始月の料金" {') + 1
    assert out["rule"] == "C-1" and out["value"] == "billed" and out["source"]["line"] == line
