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
from typing import Callable

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


def entry_columns(customers: list[str], entries: list[Entry]) -> list[list]:
    """The columns of entries.parquet, in the order of ENTRIES, for entries of those customers: the fields of each
    entry's JSON form (interpreter.run.ledger.entry_json; what it leaves out is None here) with dates as dates. Made
    from the entries themselves, a column at a time (one pass over the entries per column: no row is ever made)."""
    money = [e.amount is not None for e in entries]
    periods, windows, sources = [e.period for e in entries], [e.window for e in entries], [e.source for e in entries]
    return [
        customers, [e.id for e in entries], [e.kind for e in entries], [e.label for e in entries],
        [e.rule or None for e in entries], [e.clause or None for e in entries],
        [list(e.also) if e.also else None for e in entries], [e.date or None for e in entries],
        [p[0] if p else None for p in periods], [p[1] if p else None for p in periods],
        [money_text(e.amount) if m else None for e, m in zip(entries, money)],
        [money_text(e.tax or Decimal(0)) if m else None for e, m in zip(entries, money)],
        ["JPY" if m else None for m in money], [e.party or None for e in entries], [e.due or None for e in entries],
        [e.status or None for e in entries], [value_text(e.value) for e in entries],
        [w[0] if w else None for w in windows], [w[1] if w else None for w in windows],
        [list(e.lines) if e.lines else None for e in entries], [e.note or None for e in entries],
        [list(e.events) for e in entries], [s.file if s else None for s in sources],
        [s.line if s else None for s in sources], [s.column if s else None for s in sources],
    ]


def invoice_columns(customers: list[str], entries: list[Entry]) -> list[list]:
    """The columns of invoices.parquet, in the order of INVOICES, for invoices of those customers."""
    money = [e.amount is not None for e in entries]
    return [customers, [e.id for e in entries], [e.period[0] if e.period else None for e in entries],
            [e.period[1] if e.period else None for e in entries],
            [money_text(e.amount) if m else None for e, m in zip(entries, money)],
            [money_text(e.tax or Decimal(0)) if m else None for e, m in zip(entries, money)],
            [e.due or None for e in entries], [e.status or None for e in entries]]


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
    """The entries (or invoices) of one partition's customers, written to a part file in slices (bounded memory):
    `columns(customers, entries)` makes each slice's columns (entry_columns, invoice_columns). A part file is read
    back once, whole, by `gather`: it is an Arrow IPC file, written and read without encoding (a Parquet part file
    took longer to write than its rows took to make, and as long again to read back); the final files are Parquet
    or CSV."""

    FLUSH_ROWS = 8192

    def __init__(self, path: str, schema: pa.Schema, columns: Callable[[list[str], list[Entry]], list[list]]) -> None:
        self.path, self.schema, self.columns, self.count, self._writer = path, schema, columns, 0, None
        self.customers: list[str] = []
        self.entries: list[Entry] = []

    def add(self, customer: str, entries: list[Entry]) -> None:
        self.customers.extend([customer] * len(entries))
        self.entries.extend(entries)
        if len(self.entries) >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.entries:
            return
        if self._writer is None:
            self._writer = pa.ipc.new_file(self.path, self.schema)
        columns = [pa.array(column, field.type)
                   for column, field in zip(self.columns(self.customers, self.entries), self.schema)]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self.count += len(self.entries)
        self.customers, self.entries = [], []

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
