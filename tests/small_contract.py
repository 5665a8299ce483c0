"""Running a small contract written in a test over a scenario written in the same test."""
from __future__ import annotations

from pathlib import Path

from interpreter.run.runner import Outcome, evaluate_files

# The header and conventions that the small contracts of the tests share.
HEADER = """
contract t "テスト" {
  provider "例示株式会社";
  document "テスト約款" revised 2025-04-01;
  currency JPY;
}
conventions { periods civil_code; month_end clamp; first_month full; last_month full; }
"""


def evaluate_text(folder: Path, contract: str, scenario: str) -> Outcome:
    """Write the contract and a scenario that names it into `folder`, and evaluate them."""
    (folder / "t.ctr").write_text(contract, encoding="utf-8")
    path = folder / "s.yaml"
    path.write_text("contract: t.ctr\n" + scenario, encoding="utf-8")
    return evaluate_files(None, str(path))


def ledger_of(folder: Path, contract: str, scenario: str):
    """The ledger, asserting that nothing was rejected."""
    outcome = evaluate_text(folder, contract, scenario)
    assert outcome.ok, outcome.diagnostics
    return outcome.ledger


def started_on_april_first(folder: Path, contract: str, default_as_of: str):
    """A function evaluating `contract` over a timeline that begins with `service_start` on 2025-04-01, followed by
    the given events (YAML list lines), as of a day (`default_as_of` unless given)."""
    def evaluate(events: str, as_of: str = default_as_of):
        return ledger_of(folder, contract, f"as_of: {as_of}\nevents:\n  - {{at: 2025-04-01, event: service_start}}\n"
                         + events)

    return evaluate
