"""Input tables (Parquet, CSV, JSON Lines) read in batches, every cell as the text a scenario file would hold.

A scenario's values are text until the contract converts them (interpreter.events.convert), so the rows of
a table are brought to text too: a date cell becomes `2025-04-01`, a decimal `4500.00`, a float the shortest
text that reads back as it (no arithmetic is ever done on a float), a timestamp without a time zone stays
without one (Japan time, as in a scenario). Nested cells (lists, objects) are kept as JSON text in the
`fields` column, where the contract's declarations reject them as `run` would.

Every batch carries ROW, the row number a person finds the row at: the line number for CSV (the header is
row 1) and JSON Lines, the 1-based position for Parquet.
"""
from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pyarrow as pa

ROW = "__row"  # the input row number, added to every batch
FIELDS = "fields"  # a JSON object of event fields (or of parameters: PARAMS)
PARAMS = "params"
KEYS = "__keys"  # JSON Lines: the keys of a line that are neither kept as columns nor the JSON column
BATCH_ROWS = 65_536

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class InputError(Exception):
    """An input file that cannot be read as a table at all (a bad invocation, not a rejected customer)."""


def format_of(path: str) -> str:
    kind = FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError(f"{path}: cannot tell the format from the extension; "
                         f"use one of {', '.join(sorted(FORMATS))}")
    return kind


def cell_text(value) -> str | None:
    """A cell as the text a scenario file would hold for it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return None if value != value else repr(value)  # NaN is how some writers say "empty"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(_jsonable(value), ensure_ascii=False)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # pyarrow gives map columns as lists of (key, value) pairs
        if value and all(isinstance(x, tuple) and len(x) == 2 for x in value):
            return {str(k): _jsonable(v) for k, v in value}
        return [_jsonable(x) for x in value]
    text = cell_text(value)
    return text


def _text_column(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string()) if isinstance(column, pa.Array) else column.combine_chunks().cast(pa.string())
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.string())
    return pa.array([cell_text(v) for v in column.to_pylist()], pa.string())


def _as_text(table: pa.Table | pa.RecordBatch, first_row: int) -> pa.Table:
    names = list(table.column_names)
    columns = [_text_column(table.column(i)) for i in range(len(names))]
    rows = pa.array(range(first_row, first_row + table.num_rows), pa.int64())
    return pa.table([rows] + columns, names=[ROW] + names)


def columns_of(path: str) -> list[str]:
    """The column names of a table, in order (for JSON Lines: customer, at, event … as the rows give them,
    then FIELDS holding the rest)."""
    kind = format_of(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.ParquetFile(path).schema_arrow.names)
        if kind == "csv":
            with open(path, newline="", encoding="utf-8-sig") as fh:
                return next(csv.reader(fh), [])
    except (OSError, pa.ArrowException, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the table: {exc}") from None
    return []


def read_batches(path: str, columns: list[str] | None = None, keep: tuple[str, ...] = (),
                 rest: str = FIELDS) -> Iterator[pa.Table]:
    """The table in batches of text columns, each with ROW. `columns`: read only these (when present).
    For JSON Lines, the keys in `keep` become columns and every other key goes into the JSON column `rest`."""
    kind = format_of(path)
    try:
        if kind == "parquet":
            yield from _parquet(path, columns)
        elif kind == "csv":
            yield from _csv(path, columns)
        else:
            yield from _jsonl(path, keep, rest)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except pa.ArrowException as exc:
        raise InputError(f"{path}: cannot read the table: {exc}") from None


def _parquet(path: str, columns: list[str] | None) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    wanted = [c for c in columns if c in handle.schema_arrow.names] if columns else None
    first = 1
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=wanted):
        yield _as_text(batch, first)
        first += batch.num_rows


def _csv(path: str, columns: list[str] | None) -> Iterator[pa.Table]:
    import pyarrow.csv as pacsv

    names = columns_of(path)
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"{path}: the header names {', '.join(twice)} more than once")
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                                   quoted_strings_can_be_null=False,
                                   include_columns=[c for c in names if c in columns] if columns else None)
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=8 << 20), convert_options=convert)
    first = 2  # the header is row 1
    for batch in reader:
        yield _as_text(batch, first)
        first += batch.num_rows


def _jsonl(path: str, keep: tuple[str, ...], rest: str) -> Iterator[pa.Table]:
    """JSON Lines read line by line: numbers keep the text they were written with (10.50 stays "10.50")."""
    rows: list[dict] = []
    numbers: list[int] = []
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json_cells(line, "the line"))
            except ValueError as exc:
                raise InputError(f"{path}:{number}: {exc}") from None
            numbers.append(number)
            if len(rows) == BATCH_ROWS:
                yield _jsonl_table(rows, numbers, keep, rest)
                rows, numbers = [], []
    if rows:
        yield _jsonl_table(rows, numbers, keep, rest)


def _jsonl_table(rows: list[dict], numbers: list[int], keep: tuple[str, ...], rest: str) -> pa.Table:
    """Columns `keep`, the JSON column `rest` as written, and KEYS: every other key of the line, as JSON."""
    data = {ROW: pa.array(numbers, pa.int64())}
    for name in keep:
        data[name] = pa.array([cell_text(r.get(name)) for r in rows], pa.string())
    nested = [r.get(rest) for r in rows]
    data[rest] = pa.array([v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                           for v in nested], pa.string())
    others = [{k: v for k, v in r.items() if k not in keep and k != rest} for r in rows]
    data[KEYS] = pa.array([json.dumps(o, ensure_ascii=False) if o else None for o in others], pa.string())
    return pa.table(data)


def json_cells(text: str | None, what: str) -> dict:
    """A JSON object (a FIELDS or PARAMS cell, a line of JSON Lines) whose numbers keep their text; None is
    an empty one. ValueError, naming `what`, when the text is not a JSON object."""
    if text is None:
        return {}
    try:
        value = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc.msg} at character {exc.pos + 1}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object such as {{\"quantity\": 3}}")
    return value
