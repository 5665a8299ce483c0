"""A contract and a scenario file -> a ledger, or the diagnostics that stop it: the API's calls
(interpreter.api) under the names the commands, the tools and the tests use."""
from __future__ import annotations

from datetime import date

from interpreter.api import Contract, Result, evaluate_scenario_file, scenario_contract
from interpreter.check.model import Model
from interpreter.diagnostics import Diagnostic
from interpreter.run.events import Event
from interpreter.run.ledger import Ledger
from interpreter.run.lifecycles import Timeline
from interpreter.run.scenario import Scenario

__all__ = ["Outcome", "evaluate_files", "evaluate_scenario", "scenario_contract"]

# What `run`, `explain` and `test` get for one scenario file: the API's Result.
Outcome = Result


def evaluate_files(contract_path: str | None, scenario_path: str, as_of: date | None = None,
                   root: str | None = None) -> Outcome:
    """Evaluate `scenario_path` over `contract_path`, or over the scenario's `contract:` when None. A
    `contract:` must resolve inside `root`, or inside the scenario's repository when `root` is None
    (interpreter.files.contract_in_repository); a path on the command line is the user's own choice."""
    return evaluate_scenario_file(contract_path, scenario_path, as_of, root)


def evaluate_scenario(model: Model, scenario: Scenario, as_of: date | None = None, earlier: list[Diagnostic] = ()
                      ) -> tuple[Ledger | None, tuple[Event, ...], tuple[Diagnostic, ...], Timeline | None]:
    """A checked contract over a read scenario: (ledger or None, events, the problems found, the timeline).
    Nothing is evaluated when the scenario has problems, or when `earlier` holds errors."""
    earlier = list(earlier)
    result = Contract(model, model.source).evaluate(scenario, as_of, problems=earlier)
    return result.ledger, result.events, result.diagnostics[len(earlier):], result.timeline
