"""`yakkan batch` over a large portfolio: wall time and peak memory; and, with the generated iTSCOM portfolio
of bench/portfolio.py, the serial evaluation time against the hand-written evaluator. Prints figures;
asserts nothing (except that the invoices agree, which it reports).

  .venv/bin/python bench/batch_bench.py                       # 100,000 customers, serial, peak memory
  .venv/bin/python bench/batch_bench.py --customers 20000 --workers 2
  .venv/bin/python bench/batch_bench.py --itscom 10000        # vs the hand-written evaluator

Peak memory is the largest resident set of the `yakkan batch` process or of one of its own children (Dask's
worker processes, each by itself), as that process reports it on leaving: its own high-water mark (VmHWM), since
the peak getrusage gives for a child counts the moment it was forked from this process, before it became
`yakkan batch` (this process's own size, large once it holds the portfolio and the hand-written invoices).
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITSCOM = ROOT / "contracts" / "itscom-hosting.ctr"
EVENT_COLUMNS = ("customer", "at", "event", "plan", "until", "cause", "amount", "desired_end")
CHUNK = 20_000  # customers generated and written at a time


def simple_customer(index: int, rnd: random.Random) -> tuple[list[dict], dict]:
    """A year of an iTSCOM customer: a plan, outages (some claimed), payments, perhaps a cancellation."""
    cid = f"C{index:07d}"
    start = date(2025, 1, 1) + timedelta(days=rnd.randint(0, 200))
    rows = [{"customer": cid, "at": f"{start}T00:00", "event": "service_start",
             "plan": rnd.choice(["www", "mail_secure_mx", "pack_secure_mx"])}]
    for _ in range(rnd.randint(2, 10)):
        d = start + timedelta(days=rnd.randint(1, 360))
        kind = rnd.random()
        if kind < 0.3:
            until = datetime(d.year, d.month, d.day, 3) + timedelta(hours=rnd.randint(1, 80))
            rows.append({"customer": cid, "at": f"{d}T03:00", "event": "outage", "until": until.isoformat(),
                         "cause": "provider"})
        elif kind < 0.5:
            rows.append({"customer": cid, "at": f"{d}T04:00", "event": "reduction_claim"})
        else:
            rows.append({"customer": cid, "at": f"{d}T05:00", "event": "payment", "amount": "11000"})
    if rnd.random() < 0.3:
        d = start + timedelta(days=rnd.randint(30, 300))
        rows.append({"customer": cid, "at": f"{d}T06:00", "event": "cancel_notice",
                     "desired_end": str(d + timedelta(days=60))})
    rnd.shuffle(rows)  # rows of a customer may come in any order
    return rows, {"customer": cid, "as_of": "2026-01-31"}


def write_tables(folder: Path, customers, columns: tuple[str, ...], param_columns: tuple[str, ...]) -> int:
    """Stream (events, params) of each customer into events.parquet and params.parquet, a chunk at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    events_schema = pa.schema([(c, pa.string()) for c in columns])
    params_schema = pa.schema([(c, pa.string()) for c in param_columns])
    rows = 0
    with pq.ParquetWriter(folder / "events.parquet", events_schema) as events, \
            pq.ParquetWriter(folder / "params.parquet", params_schema) as params:
        event_rows, param_rows = [], []
        for count, (evs, par) in enumerate(customers, 1):
            event_rows += evs
            param_rows.append(par)
            if count % CHUNK == 0:
                events.write_table(pa.Table.from_pylist(event_rows, events_schema))
                params.write_table(pa.Table.from_pylist(param_rows, params_schema))
                rows += len(event_rows)
                event_rows, param_rows = [], []
        if param_rows:
            events.write_table(pa.Table.from_pylist(event_rows, events_schema))
            params.write_table(pa.Table.from_pylist(param_rows, params_schema))
            rows += len(event_rows)
    return rows


PEAK = "peak resident KiB: "
# `yakkan batch` with the arguments after it, then, on standard error, its own peak resident set or that of the
# largest of its children, whichever is larger
PEAK_REPORTING_BATCH = f"""
import resource, sys
from interpreter.cli import main
try:
    status = main(sys.argv[1:])
finally:
    try:  # the high-water mark of this process's own memory since it became yakkan batch (Linux)
        with open("/proc/self/status") as status_file:
            own = next(int(line.split()[1]) for line in status_file if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("{PEAK}" + str(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)), file=sys.stderr)
sys.exit(status)
"""


def run_batch(folder: Path, out: Path, extra: list[str]) -> tuple[dict, float, float]:
    """Run `yakkan batch` in a child process: (summary, wall seconds, peak resident MiB)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_REPORTING_BATCH, "batch", str(ITSCOM), "--events",
                           str(folder / "events.parquet"), "--params", str(folder / "params.parquet"),
                           "--out", str(out), *extra], capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"yakkan batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = int(done.stderr.strip().splitlines()[-1].removeprefix(PEAK))  # KiB on Linux
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary, wall, peak / 1024


def memory_bench(customers: int, workers: int | None, tmp: Path) -> None:
    rnd = random.Random(42)
    start = time.perf_counter()
    rows = write_tables(tmp, (simple_customer(i, rnd) for i in range(customers)), EVENT_COLUMNS,
                        ("customer", "as_of"))
    print(f"portfolio: {customers:,} customers, {rows:,} event rows, written in {time.perf_counter() - start:.1f} s "
          f"({(tmp / 'events.parquet').stat().st_size / 2**20:.1f} MiB of Parquet)")
    extra = ["--detail", "entries"] + (["--workers", str(workers)] if workers else [])
    summary, wall, peak = run_batch(tmp, tmp / "out", extra)
    seconds = summary["run"]["seconds"]
    c = summary["customers"]
    print(f"yakkan batch{' --workers ' + str(workers) if workers else ' (serial)'} --detail entries: "
          f"{c['evaluated']:,} evaluated, {c['rejected']:,} rejected, {summary['invoices']:,} invoices, "
          f"{summary['entries']:,} entries")
    print(f"  wall {wall:.1f} s (partitioning {seconds['partitioning']:.1f} s, evaluating "
          f"{seconds['evaluating']:.1f} s, writing {seconds['writing']:.1f} s) → {c['read'] / wall:,.0f} "
          f"customers/s; CPU time evaluating {seconds['evaluating_cpu']:.1f} s")
    print(f"  peak resident memory of one process: {peak:,.0f} MiB")


def itscom_bench(customers: int, tmp: Path) -> int:
    """The generated iTSCOM portfolio through `yakkan batch` (serial), against the hand-written evaluator."""
    sys.path.insert(0, str(ROOT))  # before this script's folder, whose bench.py would shadow the package
    try:
        from bench import handwritten_itscom as hand
        from bench.compare_itscom import explain, hand_invoices
        from bench.portfolio import event_records, param_records, portfolio
    except ImportError as exc:
        print(f"--itscom needs bench/portfolio.py, bench/handwritten_itscom.py and bench/compare_itscom.py: {exc}",
              file=sys.stderr)
        return 2

    people = list(portfolio(customers))
    columns = ["customer", "at", "event"]
    for c in people:
        for record in event_records(c):
            columns += [k for k in record if k not in columns]
    param_columns = ["customer", "as_of"]
    for c in people:
        param_columns += [k for k in param_records(c) if k not in param_columns]
    write_tables(tmp, ((list(event_records(c)), param_records(c)) for c in people), tuple(columns),
                 tuple(param_columns))
    summary, wall, peak = run_batch(tmp, tmp / "itscom", ["--detail", "entries"])
    project = summary["run"]["seconds"]["evaluating_cpu"]  # CPU time, as for the hand-written side
    start = time.process_time()
    texts = [hand.evaluate(c) for c in people]
    hand_seconds = time.process_time() - start
    ours = invoices_with_lines(tmp / "itscom" / "entries.parquet")
    equal, explained, unexplained = 0, defaultdict(int), []
    for c, invoices in zip(people, texts):
        if ours.get(c.id, []) == hand_invoices(invoices):
            equal += 1
            continue
        names = explain(c, ours.get(c.id, []))
        if names is None:
            unexplained.append(c.id)
        else:
            explained[" + ".join(names)] += 1
    print(f"iTSCOM portfolio: {len(people):,} customers, {summary['rows']['events']:,} events; "
          f"{summary['customers']['rejected']:,} rejected; invoices (month, amount, tax, due, lines) equal to the "
          f"hand-written evaluator's on {equal:,}")
    for names, count in sorted(explained.items()):
        print(f"  {count:,} differ by the listed disagreement {names} (bench/compare_itscom.py)")
    if unexplained:
        print(f"  {len(unexplained):,} differ otherwise, e.g. {', '.join(unexplained[:5])}")
    print(f"  CPU time evaluating, yakkan batch --detail entries (serial): {project:.2f} s; hand-written: "
          f"{hand_seconds:.2f} s; ratio {project / hand_seconds:.1f}×  (wall {wall:.1f} s, peak {peak:,.0f} MiB)")
    # What a closing run writes: invoices and the summary, no entries (the invoices above were compared with lines).
    totals, wall, peak = run_batch(tmp, tmp / "itscom-totals", ["--detail", "totals"])
    if totals["invoices"] != summary["invoices"] or totals["totals"] != summary["totals"]:
        print("  MISMATCH: --detail totals gives other invoices or totals than --detail entries")
        return 1
    project = totals["run"]["seconds"]["evaluating_cpu"]
    print(f"  CPU time evaluating, yakkan batch --detail totals (serial): {project:.2f} s; ratio "
          f"{project / hand_seconds:.1f}×  (wall {wall:.1f} s, peak {peak:,.0f} MiB; same invoices and totals)")
    return 1 if unexplained else 0


def invoices_with_lines(path: Path) -> dict[str, list[tuple]]:
    """Per customer, (month, amount, tax, due, lines) per invoice, as bench/compare_itscom.py compares them:
    lines are (kind, rule, yen), zero-yen lines left out."""
    import pyarrow.parquet as pq

    by_customer = defaultdict(dict)
    for row in pq.read_table(path, columns=["customer", "id", "kind", "rule", "amount", "tax", "period_start",
                                            "due", "lines"]).to_pylist():
        by_customer[row["customer"]][row["id"]] = row
    out = {}
    for customer, entries in by_customer.items():
        invoices = []
        for e in entries.values():
            if e["kind"] != "invoice":
                continue
            lines = sorted((entries[i]["kind"], entries[i]["rule"], int(Decimal(entries[i]["amount"])))
                           for i in e["lines"] or [] if Decimal(entries[i]["amount"] or 0))
            invoices.append((e["period_start"].isoformat()[:7], int(Decimal(e["amount"])), int(Decimal(e["tax"])),
                             e["due"].isoformat(), tuple(lines)))
        out[customer] = sorted(invoices)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, help="also pass --workers N")
    parser.add_argument("--itscom", type=int, metavar="N", help="the iTSCOM comparison with N customers instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yakkan-batch-bench-") as tmp:
        if args.itscom:
            return itscom_bench(args.itscom, Path(tmp))
        memory_bench(args.customers, args.workers, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
