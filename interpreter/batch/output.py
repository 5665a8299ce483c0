"""The tables `yakkan batch` writes: their columns, rows from ledger entries, and the final files.

Amounts are decimal text exactly as in the JSON ledger ("4500", "12.5"): never a float, and the same
figures `yakkan run --format json` prints. Dates are dates. An entry's `period` and `window` become two
columns each; `also`, `lines` and `events` are lists (JSON text in CSV); `value` is the state's value as
text (a list of values as JSON text).

Each partition writes its own part files; the final files are the parts in partition order, cut into row
groups of a fixed size, so that they are the same byte for byte however the work was shared out.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.ipc  # noqa: F401  (pa.ipc: the part files)

from interpreter.run.ledger import Entry, money_text, value_json

TEXT, DATE, COUNT = pa.string(), pa.date32(), pa.int32()
TEXTS, NUMBERS = pa.list_(pa.string()), pa.list_(pa.int32())

INVOICES = pa.schema([("customer", TEXT), ("id", TEXT), ("period_start", DATE), ("period_end", DATE),
                      ("amount", TEXT), ("tax", TEXT), ("due", DATE), ("status", TEXT)])
ENTRIES = pa.schema([
    ("customer", TEXT), ("id", TEXT), ("kind", TEXT), ("label", TEXT), ("rule", TEXT), ("clause", TEXT),
    ("also", TEXTS), ("date", DATE), ("period_start", DATE), ("period_end", DATE), ("amount", TEXT),
    ("tax", TEXT), ("currency", TEXT), ("party", TEXT), ("due", DATE), ("status", TEXT), ("value", TEXT),
    ("window_start", DATE), ("window_end", DATE), ("lines", TEXTS), ("note", TEXT), ("events", NUMBERS),
    ("source_file", TEXT), ("source_line", COUNT), ("source_column", COUNT),
])
GROUP_ROWS = 65_536  # rows per row group in the final Parquet files


def value_text(value) -> str | None:
    """A state's value as the `value` column holds it: its JSON form, as text unless it is text already."""
    if value is None:
        return None
    value = value_json(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def entry_row(customer: str, e: Entry) -> tuple:
    """One row of entries.parquet, in the order of ENTRIES: the fields of the entry's JSON form
    (interpreter.run.ledger.entry_json; what it leaves out is None here) with dates as dates. Made from the entry
    itself: going through the JSON form wrote every date as text only to read it back."""
    period, window, source, money = e.period, e.window, e.source, e.amount is not None
    return (
        customer, e.id, e.kind, e.label, e.rule or None, e.clause or None, list(e.also) if e.also else None,
        e.date or None, period[0] if period else None, period[1] if period else None,
        money_text(e.amount) if money else None, money_text(e.tax or Decimal(0)) if money else None,
        "JPY" if money else None, e.party or None, e.due or None, e.status or None, value_text(e.value),
        window[0] if window else None, window[1] if window else None, list(e.lines) if e.lines else None,
        e.note or None, list(e.events),
        source.file if source else None, source.line if source else None, source.column if source else None,
    )


def invoice_row(customer: str, e: Entry) -> tuple:
    """One row of invoices.parquet, in the order of INVOICES."""
    return (customer, e.id, e.period[0] if e.period else None, e.period[1] if e.period else None,
            money_text(e.amount) if e.amount is not None else None,
            money_text(e.tax or Decimal(0)) if e.amount is not None else None, e.due or None, e.status or None)


def entry_json_of(row: dict) -> dict:
    """The JSON ledger's entry back from a row of entries.parquet (the inverse of entry_row)."""
    out: dict = {"id": row["id"], "kind": row["kind"], "label": row["label"]}
    for key in ("rule", "clause", "also"):
        if row.get(key) is not None:
            out[key] = list(row[key]) if key == "also" else row[key]
    if row.get("date"):
        out["date"] = row["date"].isoformat()
    if row.get("period_start"):
        out["period"] = [row["period_start"].isoformat(), row["period_end"].isoformat()]
    for key in ("amount", "tax", "currency", "party"):
        if row.get(key) is not None:
            out[key] = row[key]
    if row.get("due"):
        out["due"] = row["due"].isoformat()
    if row.get("status") is not None:
        out["status"] = row["status"]
    if row.get("value") is not None:
        text = row["value"]
        out["value"] = json.loads(text) if text[:1] in "[{" else text
    if row.get("window_start"):
        out["window"] = [row["window_start"].isoformat(), row["window_end"].isoformat()]
    if row.get("lines"):
        out["lines"] = list(row["lines"])
    if row.get("note") is not None:
        out["note"] = row["note"]
    out["events"] = list(row.get("events") or [])
    if row.get("source_file") is not None:
        out["source"] = {"file": row["source_file"], "line": row["source_line"], "column": row["source_column"]}
    return out


class PartWriter:
    """Rows of one table for one partition (tuples in the order of its schema), written to a part file in slices
    (bounded memory), a column at a time. A part file is read back once, whole, by `gather`: it is an Arrow IPC
    file, written and read without encoding (a Parquet part file took longer to write than its rows took to
    make, and as long again to read back); the final files are Parquet or CSV."""

    FLUSH_ROWS = 8192

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path, self.schema, self.rows, self.count, self._writer = path, schema, [], 0, None

    def add(self, rows: Iterable[tuple]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self._writer is None:
            self._writer = pa.ipc.new_file(self.path, self.schema)
        columns = [pa.array(column, field.type) for column, field in zip(zip(*self.rows), self.schema)]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()
        if self._writer is not None:
            self._writer.close()


def _csv_ready(table: pa.Table) -> pa.Table:
    """Lists as JSON text, since a CSV cell holds one value."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_list(field.type):
            column = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in column.to_pylist()],
                              pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def gather(parts: list[str | None], schema: pa.Schema, path: Path, fmt: str) -> int:
    """Concatenate part files (None: a partition without rows) into `path`, replacing it only when complete.
    Returns the number of rows."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    partial = path.with_name(path.name + ".partial")
    if fmt == "csv":
        writer = pacsv.CSVWriter(str(partial), _csv_ready(schema.empty_table()).schema)
        write = lambda t: writer.write_table(_csv_ready(t))  # noqa: E731
    else:
        writer = pq.ParquetWriter(str(partial), schema)
        write = lambda t: writer.write_table(t, row_group_size=GROUP_ROWS)  # noqa: E731
    pending: list[pa.Table] = []
    held = total = 0
    try:
        for part in parts:
            if part is None:
                continue
            with pa.memory_map(part) as source:
                table = pa.ipc.open_file(source).read_all()
            for batch in table.to_batches(max_chunksize=GROUP_ROWS):
                pending.append(pa.Table.from_batches([batch], schema))
                held += batch.num_rows
                while held >= GROUP_ROWS:  # row groups of a fixed size, whatever the parts' sizes
                    table = pa.concat_tables(pending).combine_chunks()
                    write(table.slice(0, GROUP_ROWS))
                    pending, held = [table.slice(GROUP_ROWS)], held - GROUP_ROWS
                    total += GROUP_ROWS
        if held:
            write(pa.concat_tables(pending).combine_chunks())
            total += held
    finally:
        writer.close()
    os.replace(partial, path)
    return total


def gather_lines(parts: list[str | None], path: Path) -> int:
    """Concatenate JSON Lines part files into `path`."""
    partial = path.with_name(path.name + ".partial")
    lines = 0
    with open(partial, "w", encoding="utf-8") as out:
        for part in parts:
            if part is None:
                continue
            with open(part, encoding="utf-8") as fh:
                for line in fh:
                    out.write(line)
                    lines += 1
    os.replace(partial, path)
    return lines
