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
from datetime import date
from pathlib import Path
from typing import Iterable

import pyarrow as pa

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


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _span(pair: list | None, i: int) -> date | None:
    return date.fromisoformat(pair[i]) if pair else None


def value_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def entry_row(customer: str, e: dict) -> dict:
    """One row of entries.parquet from an entry of the JSON ledger (interpreter.ledger.entry_json)."""
    source = e.get("source") or {}
    return {
        "customer": customer, "id": e["id"], "kind": e["kind"], "label": e["label"], "rule": e.get("rule"),
        "clause": e.get("clause"), "also": e.get("also"), "date": _day(e.get("date")),
        "period_start": _span(e.get("period"), 0), "period_end": _span(e.get("period"), 1),
        "amount": e.get("amount"), "tax": e.get("tax"), "currency": e.get("currency"), "party": e.get("party"),
        "due": _day(e.get("due")), "status": e.get("status"), "value": value_text(e.get("value")),
        "window_start": _span(e.get("window"), 0), "window_end": _span(e.get("window"), 1),
        "lines": e.get("lines"), "note": e.get("note"), "events": e.get("events"),
        "source_file": source.get("file"), "source_line": source.get("line"), "source_column": source.get("column"),
    }


def invoice_row(customer: str, e: dict) -> dict:
    return {"customer": customer, "id": e["id"], "period_start": _span(e.get("period"), 0),
            "period_end": _span(e.get("period"), 1), "amount": e.get("amount"), "tax": e.get("tax"),
            "due": _day(e.get("due")), "status": e.get("status")}


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
    """Rows of one table for one partition, written to a Parquet part file in slices (bounded memory)."""

    FLUSH_ROWS = 8192

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.path, self.schema, self.rows, self.count, self._writer = path, schema, [], 0, None

    def add(self, rows: Iterable[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow.parquet as pq

        if not self.rows:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="none")
        self._writer.write_table(pa.Table.from_pylist(self.rows, self.schema))
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
            for batch in pq.ParquetFile(part).iter_batches(batch_size=GROUP_ROWS):
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
