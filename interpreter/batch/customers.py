"""One partition evaluated: its rows grouped by customer, each customer's timeline built from its rows and
evaluated through the API exactly as `yakkan run` evaluates a scenario file, the results written to part
files. This is the unit of work a Dask worker runs; it reads its own spill files and returns only counts.

A customer's events are its event rows in input order (so `events` in the ledger counts the customer's
rows from 0, as a scenario counts its `events:` list); `run` then sorts them by time, stably. A customer
with any problem is rejected whole and reported with the row numbers of its rows; nothing of another
customer changes.
"""
from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Callable, Mapping

import attrs

from interpreter.api import Contract, Timeline
from interpreter.diagnostics import Diagnostic
from interpreter.syntax.source import Span
from interpreter.run.collector import young_collected_less_often
from interpreter.batch.output import ENTRIES, INVOICES, PartWriter, entry_columns, invoice_columns
from interpreter.batch.tables import FIELDS, KEYS, PARAMS, ROW, json_cells


@attrs.frozen
class Task:
    """What a worker needs to evaluate partition `index`: small, sent to it as is."""

    index: int
    contract: str  # the .ctr file's absolute path (a worker may run in another folder)
    contract_name: str  # the path as given on the command line, for the ledger's `source` as `run` shows it
    events: str | None  # the spill files of the partition
    params: str | None
    events_name: str  # the input files, as named in messages
    params_name: str | None
    event_columns: tuple[str, ...]  # the input files' columns, for column numbers in messages
    param_columns: tuple[str, ...]
    as_of: date | None
    detail: str  # "totals" or "entries"
    work: str  # the folder of part files


@attrs.frozen
class Done:
    """What a partition reports back: counts and totals; its rows are in its part files."""

    index: int
    customers: int
    evaluated: int
    rejected: int
    unowned_rows: int  # rows that name no customer
    event_rows: int
    invoices: int
    entries: int
    charge: str
    credit: str
    tax: str
    seconds: float  # wall time of the partition
    cpu_seconds: float  # CPU time of the process on it (other work on a shared machine does not count)
    invoices_file: str | None
    entries_file: str | None
    rejected_file: str | None


_CONTRACTS: dict[tuple, Contract] = {}  # per process: a worker loads the contract once


def load(path: str, name: str) -> Contract:
    stat = os.stat(path)
    key = (path, name, stat.st_mtime_ns, stat.st_size)
    contract = _CONTRACTS.get(key)
    if contract is None:  # a worker's threads may get here together: each keeps the one it loaded
        contract = Contract.load(path, name)
        _CONTRACTS.clear()
        _CONTRACTS[key] = contract
    return contract


def _read(path: str | None) -> list[dict]:
    if path is None:
        return []
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


class _Places:
    """Column numbers for spans: the input's columns, then any name met only inside a JSON column."""

    def __init__(self, file: str, columns: tuple[str, ...]) -> None:
        self.file, self.names = file, list(columns)
        self.numbers = {name: i for i, name in enumerate(self.names, 1)}

    def span(self, row: int, column: str | None = None) -> Span:
        if column is None:  # the row as a whole
            return Span(self.file, row, 0)
        number = self.numbers.get(column)
        if number is None:
            self.names.append(column)
            number = self.numbers[column] = len(self.names)
        return Span(self.file, row, number)

    def column(self, span: Span) -> str | None:
        return self.names[span.column - 1] if span.file == self.file and 0 < span.column <= len(self.names) else None


class _RowSpans(Mapping):
    """Where each value of a row is written (`_Places`), as a mapping from its name ("" for the row itself) to its
    Span: worked out only when a message asks, which a row read without a problem never does."""

    __slots__ = ("places", "row", "columns", "nested", "json_column")

    def __init__(self, places: _Places, row: int, columns, nested, json_column: str) -> None:
        self.places, self.row, self.columns, self.nested, self.json_column = places, row, columns, nested, json_column

    def __getitem__(self, key: str) -> Span:
        if key == "":
            return self.places.span(self.row)
        if key in self.nested:  # a key of the JSON column is written in that column
            return self.places.span(self.row, self.json_column)
        if key in self.columns:
            return self.places.span(self.row, key)
        raise KeyError(key)

    def __iter__(self):
        return iter(["", *self.columns, *self.nested])

    def __len__(self) -> int:
        return 1 + len(self.columns) + len(self.nested)


def _cells(row: dict, skip: tuple[str, ...], json_column: str, places: _Places, problems: list[Diagnostic]
           ) -> tuple[dict, _RowSpans]:
    """A row's values by name, with where each is written: the columns (for JSON Lines, the line's keys),
    then the keys of the JSON column."""
    number = row[ROW]
    values = {k: v for k, v in row.items() if v is not None and k not in skip and k not in (ROW, json_column, KEYS)}
    if row.get(KEYS) is not None:
        values.update(json_cells(row[KEYS], KEYS))  # written by the reader: always a JSON object
    columns, nested = tuple(values), []
    written = row.get(json_column)
    if written is None:
        return values, _RowSpans(places, number, columns, (), json_column)
    try:
        found = json_cells(written, f"`{json_column}`")
    except ValueError as exc:
        problems.append(Diagnostic("E602", str(exc), places.span(number, json_column),
                                   "write the values as a JSON object, e.g. {\"quantity\": \"3\"}"))
        found = {}
    for key, value in found.items():
        if key in values:
            problems.append(Diagnostic("E602", f"`{key}` is given both as a column and in `{json_column}`",
                                       places.span(number, json_column), "give each value once"))
            continue
        values[key] = value
        nested.append(key)
    return values, _RowSpans(places, number, columns, frozenset(nested), json_column)


def timeline(customer: str, events: list[dict], params: list[dict], places: tuple[_Places, _Places]
             ) -> tuple[Timeline, list[Diagnostic]]:
    """The customer's rows as a timeline, and the problems found reading the rows themselves."""
    event_places, param_places = places
    problems: list[Diagnostic] = []
    values, spans = [], []
    for row in events:
        cells, where = _cells(row, ("customer",), FIELDS, event_places, problems)
        values.append(cells)
        spans.append(where)
    param_values, param_spans, as_of = {}, {}, None
    home = param_places.span(params[0][ROW]) if params else event_places.span(events[0][ROW])
    if params:
        param_values, param_spans = _cells(params[0], ("customer",), PARAMS, param_places, problems)
        as_of = param_values.pop("as_of", None)
        for extra in params[1:]:
            problems.append(Diagnostic("E602", f"customer {customer} has more than one row of parameters "
                                       f"(rows {params[0][ROW]} and {extra[ROW]})", param_places.span(extra[ROW]),
                                       "give each customer's parameters in one row"))
    return Timeline(customer, values, param_values, as_of, tuple(spans), param_spans, home), problems


def diagnostic_json(d: Diagnostic, places: tuple[_Places, _Places]) -> dict:
    out = {"code": d.code, "severity": d.severity, "message": d.message}
    if d.span is not None:
        column = next((p.column(d.span) for p in places if p.file == d.span.file), None)
        out.update({"file": d.span.file, "row": d.span.line})
        if column is not None:
            out["column"] = column
    if d.hint:
        out["hint"] = d.hint
    return out


def evaluate_partition(task: Task, evaluated_rows: Callable[[int], None] | None = None) -> Done:
    """Evaluate the partition's customers in id order; `evaluated_rows` is told the number of event rows of
    each customer as it is taken up (a progress bar)."""
    with young_collected_less_often():  # reading and writing the partition too
        return _evaluate_partition(task, evaluated_rows)


def _evaluate_partition(task: Task, evaluated_rows: Callable[[int], None] | None) -> Done:
    started, started_cpu = time.perf_counter(), time.process_time()
    contract = load(task.contract, task.contract_name)
    event_rows, param_rows = _read(task.events), _read(task.params)
    by_customer: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for row in event_rows:
        by_customer[row["customer"] or ""][0].append(row)
    for row in param_rows:
        by_customer[row["customer"] or ""][1].append(row)
    places = (_Places(task.events_name, task.event_columns), _Places(task.params_name or "", task.param_columns))
    stem = os.path.join(task.work, f"%s-{task.index:05d}")
    invoices = PartWriter(stem % "invoices" + ".arrow", INVOICES, invoice_columns)
    entries = PartWriter(stem % "entries" + ".arrow", ENTRIES, entry_columns) if task.detail == "entries" else None
    rejected_path = stem % "rejected" + ".jsonl"
    totals = {"charge": Decimal(0), "credit": Decimal(0), "tax": Decimal(0)}
    evaluated = rejected = entry_count = unowned = 0
    with open(rejected_path, "w", encoding="utf-8") as rejected_out:
        for customer in sorted(by_customer):
            events, params = by_customer[customer]
            rows = {"event_rows": [r[ROW] for r in events], "param_rows": [r[ROW] for r in params]}
            if not customer:  # rows that name no customer belong to nobody: reported, never evaluated
                problem = Diagnostic("E602", "the row names no customer", places[0 if events else 1].span(
                    (events or params)[0][ROW], "customer"), "fill in the `customer` column")
                rejected_out.write(json.dumps({"customer": None, **rows,
                                               "diagnostics": [diagnostic_json(problem, places)]},
                                              ensure_ascii=False) + "\n")
                unowned += len(events) + len(params)
                continue
            if evaluated_rows is not None:
                evaluated_rows(len(events))
            rows_timeline, problems = timeline(customer, events, params, places)
            result = contract.evaluate(rows_timeline, task.as_of, problems=problems)
            if not result.ok:
                rejected += 1
                errors = [diagnostic_json(d, places) for d in result.diagnostics if d.severity == "error"]
                rejected_out.write(json.dumps({"customer": customer, **rows, "diagnostics": errors},
                                              ensure_ascii=False) + "\n")
                continue
            evaluated += 1
            entry_count += len(result.ledger.entries)
            for key, amount in result.ledger.totals().items():
                totals[key] += amount
            invoices.add(customer, [e for e in result.ledger.entries if e.kind == "invoice"])
            if entries is not None:  # --detail totals keeps only what the summary needs
                entries.add(customer, result.ledger.entries)
    invoices.close()
    if entries is not None:
        entries.close()
    from interpreter.run.ledger import money_text

    return Done(task.index, evaluated + rejected, evaluated, rejected, unowned, len(event_rows), invoices.count,
                entry_count, money_text(totals["charge"]), money_text(totals["credit"]), money_text(totals["tax"]),
                time.perf_counter() - started, time.process_time() - started_cpu,
                invoices.path if invoices.count else None,
                entries.path if entries is not None and entries.count else None, rejected_path)
