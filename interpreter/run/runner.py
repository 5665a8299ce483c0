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
from interpreter.files import contract_in_repository


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


def scenario_contract(scenario: Scenario, root: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """The path a scenario's `contract:` names, and E610 when it may not be read (see evaluate_files)."""
    if scenario.contract is None:
        return None, None
    path, refused = contract_in_repository(scenario.file, scenario.contract.raw, root)
    if not refused:
        return path, None
    return path, Diagnostic("E610", f"the contract {scenario.contract.raw} is not read: {refused}",
                            scenario.contract.span,
                            hint="name a .ctr file inside the scenario's repository, or give the contract on "
                                 "the command line (or widen the search with --root DIR)")


def evaluate_files(contract_path: str | None, scenario_path: str, as_of: date | None = None,
                   root: str | None = None) -> Outcome:
    """Evaluate `scenario_path` over `contract_path`, or over the scenario's `contract:` when None. A
    `contract:` must resolve inside `root`, or inside the scenario's repository when `root` is None
    (interpreter.files.contract_in_repository); a path on the command line is the user's own choice."""
    sources: dict[str, SourceFile] = {}
    scenario, diagnostics = load_scenario(scenario_path)
    if scenario is not None:
        sources[scenario.file] = scenario.source
    if scenario is None:
        return Outcome(None, scenario, None, (), tuple(diagnostics), sources)
    # A scenario with problems still goes on to be checked against the contract, so that one run reports
    # every problem; nothing is evaluated from it.
    if contract_path is None and scenario.contract is None:
        d = Diagnostic("E609", "no contract given", scenario.span,
                       hint="name it on the command line or add `contract: PATH` to the scenario")
        return Outcome(None, scenario, None, (), (d,), sources)
    path = contract_path
    if path is None:
        path, refused = scenario_contract(scenario, root)
        if refused:
            return Outcome(None, scenario, None, (), tuple(diagnostics) + (refused,), sources)
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
    ledger, events, problems, timeline = evaluate_scenario(model, scenario, as_of, diagnostics)
    return Outcome(model, scenario, ledger, events, tuple(diagnostics) + problems, sources, timeline)


def evaluate_scenario(model: Model, scenario: Scenario, as_of: date | None = None, earlier: list[Diagnostic] = ()
                      ) -> tuple[Ledger | None, tuple[Event, ...], tuple[Diagnostic, ...], "Timeline | None"]:
    """A checked contract over a read scenario: (ledger or None, events, the problems found, the timeline).
    Nothing is evaluated when the scenario has problems, or when `earlier` holds errors."""
    params, events, problems = validate(model, scenario)
    if has_errors(list(earlier) + problems):
        return None, tuple(events), tuple(problems), None
    try:
        evaluation = Evaluation(model, params, events, as_of or scenario.as_of_date)
        ledger = evaluation.run()
    except EvalError as exc:
        span = getattr(exc, "span", None) or getattr(getattr(exc, "node", None), "span", None)
        problems.append(Diagnostic(exc.code, f"cannot evaluate: {exc}", span or scenario.span))
        return None, tuple(events), tuple(problems), None
    return ledger, tuple(events), tuple(problems), _timeline(evaluation)
