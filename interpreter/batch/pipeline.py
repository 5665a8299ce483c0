"""The batch pipeline: split, evaluate, gather (see the package docstring)."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs

from interpreter.batch.customers import Done, Task, evaluate_partition, load
from interpreter.batch.output import ENTRIES, INVOICES, gather, gather_lines
from interpreter.batch.partition import EVENT_KEYS, PARAM_KEYS, FIELDS, plan, required_columns, split
from interpreter.batch.tables import PARAMS, InputError, format_of

WORK = ".yakkan-batch-work"


@attrs.frozen
class Options:
    contract: str
    events: str
    params: str | None
    out: str
    as_of: date | None = None
    workers: int | None = None
    scheduler: str | None = None
    detail: str = "totals"
    format: str = "parquet"
    progress: bool = False


@attrs.frozen
class Summary:
    path: Path
    data: dict

    @property
    def rejected(self) -> int:
        customers = self.data["customers"]
        return customers["rejected"] + customers["rows_without_customer"]


def _bar(total: int, label: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit=" rows", unit_scale=True, disable=not enabled, file=sys.stderr,
                leave=False)


def run_batch(options: Options) -> Summary:
    """Evaluate every customer. ContractError when the contract has errors (nothing is read then);
    InputError when an input cannot be read as a table at all."""
    contract = load(os.path.abspath(options.contract), options.contract)  # kept for a serial run's partitions
    clock = {"start": time.perf_counter()}
    for path in (options.events, options.params):
        if path is not None:
            format_of(path)
            if not Path(path).is_file():
                raise InputError(f"{path}: no such file")
    event_columns = required_columns(options.events, EVENT_KEYS, FIELDS)
    param_columns = required_columns(options.params, PARAM_KEYS, PARAMS) if options.params else []
    out = Path(options.out).resolve()  # workers may run in another folder
    out.mkdir(parents=True, exist_ok=True)
    work = out / WORK
    shutil.rmtree(work, ignore_errors=True)  # an interrupted run leaves its work behind: start afresh
    work.mkdir()
    try:
        layout = plan(options.events, options.params)
        with _bar(layout.event_rows + layout.param_rows, "partitioning", options.progress) as bar:
            event_files = split(options.events, EVENT_KEYS, FIELDS, layout, work, "events", bar.update)
            param_files = (split(options.params, PARAM_KEYS, PARAMS, layout, work, "params", bar.update)
                           if options.params else {})
        clock["split"] = time.perf_counter()
        tasks = [Task(i, os.path.abspath(options.contract), options.contract, event_files.get(i),
                      param_files.get(i), options.events, options.params, tuple(event_columns),
                      tuple(param_columns), options.as_of, options.detail, str(work))
                 for i in range(layout.partitions) if i in event_files or i in param_files]
        with _bar(layout.event_rows, "evaluating", options.progress) as bar:
            if options.workers or options.scheduler:
                from interpreter.batch.cluster import evaluate_on_dask

                results = evaluate_on_dask(tasks, options.workers, options.scheduler,
                                           lambda done: bar.update(done.event_rows))
            else:
                results = [evaluate_partition(task, bar.update) for task in tasks]
        clock["evaluate"] = time.perf_counter()
        summary = _write(options, contract, layout, results, out)
        clock["write"] = time.perf_counter()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary.data["run"] = {
        "workers": options.workers or (None if options.scheduler else 1), "scheduler": options.scheduler,
        "seconds": {"total": round(clock["write"] - clock["start"], 3),
                    "partitioning": round(clock["split"] - clock["start"], 3),
                    "evaluating": round(clock["evaluate"] - clock["split"], 3),
                    "evaluating_in_workers": round(sum(d.seconds for d in results), 3),
                    "evaluating_cpu": round(sum(d.cpu_seconds for d in results), 3),
                    "writing": round(clock["write"] - clock["evaluate"], 3)},
    }
    summary.path.write_text(json.dumps(summary.data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def _write(options: Options, contract, layout, results: list[Done], out: Path) -> Summary:
    suffix = ".csv" if options.format == "csv" else ".parquet"
    invoices = gather([d.invoices_file for d in results], INVOICES, out / f"invoices{suffix}", options.format)
    entries_path = out / f"entries{suffix}"
    if options.detail == "entries":
        gather([d.entries_file for d in results], ENTRIES, entries_path, options.format)
    else:
        entries_path.unlink(missing_ok=True)  # left by an earlier run with --detail entries
    gather_lines([d.rejected_file for d in results], out / "rejected.jsonl")
    totals = {k: sum((Decimal(getattr(d, k)) for d in results), Decimal(0)) for k in ("charge", "credit", "tax")}
    from interpreter.run.ledger import money_text

    data = {
        "contract": {"name": contract.name, "file": contract.file},
        "events": options.events, "params": options.params,
        "as_of": options.as_of.isoformat() if options.as_of else None,
        "detail": options.detail,
        "rows": {"events": layout.event_rows, "params": layout.param_rows},
        "customers": {"read": sum(d.customers for d in results), "evaluated": sum(d.evaluated for d in results),
                      "rejected": sum(d.rejected for d in results),
                      "rows_without_customer": sum(d.unowned_rows for d in results)},
        "invoices": invoices,
        "entries": sum(d.entries for d in results),
        "totals": {k: money_text(v) for k, v in totals.items()},
        "files": [f"invoices{suffix}"] + ([f"entries{suffix}"] if options.detail == "entries" else [])
        + ["rejected.jsonl", "summary.json"],
    }
    return Summary(out / "summary.json", data)
