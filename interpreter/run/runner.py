"""A contract and a scenario file -> a ledger, or the diagnostics that stop it."""
from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import attrs

from interpreter.check.model import Model
from interpreter.diagnostics import Diagnostic, has_errors
from interpreter.loader import load_contract
from interpreter.run.evaluate import Evaluation
from interpreter.run.events import Event, validate
from interpreter.run.expressions import EvalError
from interpreter.run.ledger import Ledger
from interpreter.run.scenario import Scenario, load_scenario
from interpreter.syntax.source import SourceFile


@attrs.frozen
class Lifecycle:
    """One item in force for the customer: its first and last day (None while it runs), why it ended, its
    quantity from each date on, and the events that started and changed it."""

    item: str
    start: date
    end: date | None
    end_reason: str | None
    quantities: tuple[tuple[date, Decimal], ...]
    events: tuple[int, ...]


@attrs.frozen
class Timeline:
    """The customer's contract and items over time, as the evaluation left them (for the HTML report)."""

    contract_start: date | None
    contract_end: date | None
    lifecycles: tuple[Lifecycle, ...]


def _timeline(evaluation: Evaluation) -> Timeline:
    lifecycles = [Lifecycle(s.item, s.start, s.end, s.end_reason, tuple(s.quantities), tuple(s.events))
                  for subs in evaluation.subs.values() for s in subs]
    lifecycles.sort(key=lambda c: (c.start, c.item))
    return Timeline(evaluation.contract_start, evaluation.contract_end, tuple(lifecycles))


@attrs.frozen
class Outcome:
    model: Model | None
    scenario: Scenario | None
    ledger: Ledger | None
    events: tuple[Event, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]
    timeline: Timeline | None = None

    @property
    def ok(self) -> bool:
        return self.ledger is not None and not has_errors(self.diagnostics)


def evaluate_files(contract_path: str | None, scenario_path: str, as_of: date | None = None) -> Outcome:
    sources: dict[str, SourceFile] = {}
    scenario, diagnostics = load_scenario(scenario_path)
    if scenario is not None:
        sources[scenario.file] = scenario.source
    if scenario is None:
        return Outcome(None, scenario, None, (), tuple(diagnostics), sources)
    # A scenario with problems still goes on to be checked against the contract, so that one run reports
    # every problem; nothing is evaluated from it.
    path = contract_path or scenario.contract_path()
    if path is None:
        d = Diagnostic("E609", "no contract given", scenario.span,
                       hint="name it on the command line or add `contract: PATH` to the scenario")
        return Outcome(None, scenario, None, (), (d,), sources)
    if not os.path.exists(path):
        span = scenario.contract.span if scenario.contract is not None and contract_path is None else scenario.span
        d = Diagnostic("E609", f"contract file {path} does not exist", span,
                       hint="paths in a scenario are relative to the scenario file")
        return Outcome(None, scenario, None, (), (d,), sources)
    model, contract_diagnostics, source = load_contract(path)
    if source is not None:
        sources[source.name] = source
    diagnostics = list(diagnostics) + contract_diagnostics
    if model is None:
        return Outcome(None, scenario, None, (), tuple(diagnostics), sources)
    params, events, problems = validate(model, scenario)
    diagnostics += problems
    if has_errors(diagnostics):
        return Outcome(model, scenario, None, tuple(events), tuple(diagnostics), sources)
    try:
        evaluation = Evaluation(model, params, events, as_of or scenario.as_of_date)
        ledger = evaluation.run()
    except EvalError as exc:
        span = getattr(exc, "span", None) or getattr(getattr(exc, "node", None), "span", None)
        diagnostics.append(Diagnostic("E406", f"cannot evaluate: {exc}", span or scenario.span))
        return Outcome(model, scenario, None, tuple(events), tuple(diagnostics), sources)
    return Outcome(model, scenario, ledger, tuple(events), tuple(diagnostics), sources, _timeline(evaluation))
