"""A contract and a scenario file -> a ledger, or the diagnostics that stop it (through the API); and checking
a scenario's `expect:` items against the ledger."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import attrs

from interpreter.api import Result, evaluate_scenario_file
from interpreter.run.ledger import Ledger, entry_json
from interpreter.run.scenario import MapValue, Scalar, Scenario, SeqValue
from interpreter.syntax.source import Span


# What `run`, `explain` and `test` get for one scenario file: the API's Result.
Outcome = Result


def evaluate_files(contract_path: str | None, scenario_path: str, as_of: date | None = None) -> Outcome:
    return evaluate_scenario_file(contract_path, scenario_path, as_of)


# ------------------------------------------------------------------ expectations


def _plain(value) -> object:
    if isinstance(value, Scalar):
        return value.raw
    if isinstance(value, SeqValue):
        return [_plain(v) for v in value.items]
    if isinstance(value, MapValue):
        return {k: _plain(v) for k, v in value.items}
    return value


def _same(field: str, expected, got) -> bool:
    if field == "also":  # the rules named must be among those that shaped the figure
        wanted = expected if isinstance(expected, list) else [expected]
        return got is not None and all(str(w) in got for w in wanted)
    if got is None:
        return False
    if field in ("amount", "tax", "value"):
        try:
            return Decimal(str(expected).replace(",", "")) == Decimal(str(got))
        except (InvalidOperation, ValueError):
            pass
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            _same(field, a, b) for a, b in zip(expected, got))
    return str(expected) == str(got)


@attrs.frozen
class Mismatch:
    expected: dict
    span: Span
    closest: tuple[dict, ...]


def check_expectations(ledger: Ledger, scenario: Scenario) -> list[Mismatch]:
    entries = [entry_json(e) for e in ledger.entries]
    problems = []
    for item in scenario.expect:
        expected = {k: _plain(v) for k, v in item.items}
        # `absent: true` turns an item around: no entry may match the other fields.
        absent = str(expected.pop("absent", "false")).lower() == "true"
        found = [e for e in entries if all(_same(k, v, e.get(k)) for k, v in expected.items())]
        if absent:
            if found:
                problems.append(Mismatch(dict(expected, absent=True), item.span, tuple(found[:3])))
            continue
        if found:
            continue
        keys = [k for k in ("rule", "kind", "label") if k in expected]
        close = [e for e in entries if all(_same(k, expected[k], e.get(k)) for k in keys)]
        problems.append(Mismatch(expected, item.span, tuple(close[:3])))
    return problems
