"""Splitting the input into partitions of whole customers, so that each is evaluated with bounded memory.

Rows of a customer may be anywhere in the input, so the input is read twice, batch by batch: once for a
sample of the customer column, which fixes the partition boundaries (ranges of customer ids, about
ROWS_PER_PARTITION event rows each), and once to write every row to its partition's spill file. A partition
holds the customers of one id range, so partitions evaluated in order give the customers in id order.

The boundaries depend only on the input, never on the number of workers, so the output does not either.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import groupby
from pathlib import Path
from typing import Callable

import attrs
import pyarrow as pa
import pyarrow.compute as pc

from interpreter.batch.tables import FIELDS, PARAMS, ROW, InputError, columns_of, format_of, read_batches

ROWS_PER_PARTITION = 20_000
SAMPLE_SIZE = 4096
EVENT_KEYS = ("customer", "at", "event")
PARAM_KEYS = ("customer", "as_of")
REQUIRED = {"customer", "at", "event"}  # `as_of` may be left out


@attrs.frozen
class Plan:
    boundaries: tuple[str, ...]  # partition i holds the customers c with boundaries[i-1] <= c < boundaries[i]
    event_rows: int
    param_rows: int

    @property
    def partitions(self) -> int:
        return len(self.boundaries) + 1

    def of(self, customer: str | None) -> int:
        return bisect_right(self.boundaries, customer or "")


class _Sample:
    """Every stride-th value, the stride doubling whenever the sample is full: deterministic, bounded."""

    def __init__(self, limit: int) -> None:
        self.limit, self.stride, self.seen, self.values = limit, 1, 0, []

    def add(self, values: list) -> None:
        for v in values:
            if self.seen % self.stride == 0:
                self.values.append(v or "")
                if len(self.values) >= self.limit:
                    self.values = self.values[::2]
                    self.stride *= 2
            self.seen += 1


def required_columns(path: str, keys: tuple[str, ...], json_column: str) -> list[str]:
    """The table's columns; InputError when one the interface requires is missing."""
    if format_of(path) == "jsonl":
        return list(keys) + [json_column]
    names = columns_of(path)
    missing = [k for k in keys if k in REQUIRED and k not in names]
    if missing:
        raise InputError(f"{path}: no column {', '.join(missing)} (the columns are: {', '.join(names) or 'none'})")
    return names


def plan(events: str, params: str | None) -> Plan:
    sample = _Sample(SAMPLE_SIZE)
    counts = []
    for path, keys, rest in ((events, EVENT_KEYS, FIELDS), (params, PARAM_KEYS, PARAMS)):
        rows = 0
        if path is not None:
            for batch in read_batches(path, columns=["customer"], keep=keys, rest=rest):
                sample.add(batch.column("customer").to_pylist())
                rows += batch.num_rows
        counts.append(rows)
    parts = max(1, -(-counts[0] // ROWS_PER_PARTITION))
    ordered = sorted(sample.values)
    boundaries = sorted({ordered[len(ordered) * i // parts] for i in range(1, parts)} - {""}) if ordered else []
    return Plan(tuple(boundaries), counts[0], counts[1])


def split(path: str, keys: tuple[str, ...], rest: str, plan: Plan, into: Path, stem: str,
          advance: Callable[[int], None]) -> dict[int, str]:
    """Write every row of `path` to the spill file of its partition (rows keep their input order within a
    partition). Returns the spill file of each partition that has rows."""
    import pyarrow.parquet as pq

    writers: dict[int, pq.ParquetWriter] = {}
    files: dict[int, str] = {}
    schema = None
    try:
        for batch in read_batches(path, keep=keys, rest=rest):
            schema = schema or batch.schema
            parts = pa.array([plan.of(c) for c in batch.column("customer").to_pylist()], pa.int32())
            order = pc.sort_indices(parts)  # stable: rows keep their order within a partition
            ordered, ordered_parts = batch.take(order), parts.take(order).to_pylist()
            start = 0
            for part, run in groupby(ordered_parts):
                length = sum(1 for _ in run)
                if part not in writers:
                    files[part] = str(into / f"{stem}-{part:05d}.parquet")
                    writers[part] = pq.ParquetWriter(files[part], schema, compression="none")
                writers[part].write_table(ordered.slice(start, length))
                start += length
            advance(batch.num_rows)
    finally:
        for w in writers.values():
            w.close()
    return files


__all__ = ["Plan", "plan", "split", "required_columns", "EVENT_KEYS", "PARAM_KEYS", "ROW"]
