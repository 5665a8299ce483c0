"""Every ledger entry names the rule (or the declared convention, event or amendment) that produced it and where
in the `.ctr` that is written, over every bundled scenario (issue "The four contracts, read again": Everywhere)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from interpreter.render.text import render_json
from interpreter.run.runner import evaluate_files

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "contracts" / "scenarios").rglob("*.yaml"))


def test_there_are_scenarios_of_every_contract():
    contracts = {p.stem for p in (ROOT / "contracts").glob("*.ctr")}
    assert len(contracts) >= 5 and {p.relative_to(ROOT / "contracts" / "scenarios").parts[0] for p in SCENARIOS} == contracts


@pytest.mark.parametrize("path", SCENARIOS, ids=[f"{p.parent.name}/{p.stem}" for p in SCENARIOS])
def test_every_entry_has_rule_and_source(path: Path):
    outcome = evaluate_files(None, str(path))
    assert outcome.ok, outcome.diagnostics
    entries = json.loads(render_json(outcome.ledger))["entries"]
    assert entries
    missing = [(e["id"], e["kind"], e["label"]) for e in entries if not e.get("rule") or not e.get("source")]
    assert missing == []
    for e in entries:
        assert e["source"]["file"].endswith(".ctr") and e["source"]["line"] >= 1
