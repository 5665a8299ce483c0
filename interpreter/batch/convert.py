"""Scenario files as the rows `yakkan batch` reads: `yakkan rows SCENARIO… --out DIR`.

Each scenario becomes one customer (named after its file): one events row per item of `events:`, in file
order, every value as written in the YAML; one params row with its `params:` and `as_of:`. Evaluating the
rows with `yakkan batch` gives each customer the ledger `yakkan run` gives its scenario file (a test holds
this for every bundled scenario). Lists and mappings, which only a few fields hold, go into the `fields`
(or `params`) JSON column.
"""
from __future__ import annotations

import json
from pathlib import Path

from interpreter.diagnostics import Diagnostic, has_errors
from interpreter.run.scenario import MapValue, Scalar, Scenario, SeqValue, load_scenario
from interpreter.batch.tables import FIELDS, PARAMS


def _plain(value):
    if isinstance(value, Scalar):
        return None if value.is_null else value.raw
    if isinstance(value, SeqValue):
        return [_plain(v) for v in value.items]
    if isinstance(value, MapValue):
        return {k: _plain(v) for k, v in value.items}
    return value


def _row(base: dict, items, json_column: str) -> dict:
    row, nested = dict(base), {}
    for key, value in items:
        if isinstance(value, Scalar):
            row[key] = _plain(value)
        else:
            nested[key] = _plain(value)
    if nested:
        row[json_column] = json.dumps(nested, ensure_ascii=False)
    return row


def scenario_rows(scenario: Scenario, customer: str) -> tuple[list[dict], dict]:
    """(events rows, params row) of one scenario, values as written."""
    events = [_row({"customer": customer, "at": e.at.raw, "event": e.event}, e.fields, FIELDS)
              for e in scenario.events]
    params = _row({"customer": customer, "as_of": scenario.as_of.raw if scenario.as_of else None},
                  scenario.params, PARAMS)
    return events, params


def customer_names(paths: list[str]) -> dict[str, str]:
    """Each file's customer: its name without the extension, with its folder when two names clash."""
    stems = [Path(p).stem for p in paths]
    return {p: (f"{Path(p).parent.name}/{s}" if stems.count(s) > 1 else s) for p, s in zip(paths, stems)}


def _columns(rows: list[dict], first: tuple[str, ...]) -> list[str]:
    names = list(first)
    for row in rows:
        names += [k for k in row if k not in names]
    return names


def write_rows(paths: list[str], out: Path, fmt: str) -> tuple[list[Diagnostic], dict]:
    """Write events.FMT and params.FMT for the scenario files. Returns (problems, scenarios per customer);
    a scenario file with errors is left out and its problems returned."""
    import pyarrow as pa

    problems: list[Diagnostic] = []
    events: list[dict] = []
    params: list[dict] = []
    written = {}
    for path, customer in customer_names(paths).items():
        scenario, diagnostics = load_scenario(path)
        if scenario is None or has_errors(diagnostics):
            problems += diagnostics
            continue
        rows, param_row = scenario_rows(scenario, customer)
        events += rows
        params.append(param_row)
        written[customer] = path
    out.mkdir(parents=True, exist_ok=True)
    for name, rows, first in (("events", events, ("customer", "at", "event")), ("params", params, ("customer",))):
        table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in _columns(rows, first)})
        target = out / f"{name}.{fmt}"
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, target)
        elif fmt == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, target)
        else:
            with open(target, "w", encoding="utf-8") as fh:
                for row in rows:
                    row = {k: json.loads(v) if k in (FIELDS, PARAMS) else v for k, v in row.items() if v is not None}
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return problems, written
