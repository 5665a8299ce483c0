"""The `yakkan batch` and `yakkan rows` subcommands. pyarrow, tqdm and Dask are imported only when one of
them runs, so that the other commands start quickly."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SHOWN_REJECTED = 10  # rejected customers printed on stderr; all of them are in rejected.jsonl


def _needs_tables() -> bool:
    try:
        import pyarrow  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        print("yakkan: error: batch needs pyarrow and tqdm: pip install 'yakkan[batch]'", file=sys.stderr)
        return False
    return True


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of workers, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 worker")
    return value


def cmd_batch(args) -> int:
    from interpreter.cli import _as_of
    from interpreter.diagnostics import render_diagnostics

    if not args.contract.endswith(".ctr"):
        print(f"yakkan: error: expected a contract file ending in .ctr, not {args.contract}", file=sys.stderr)
        return 2
    as_of = _as_of(args.as_of)
    if not _needs_tables():
        return 2
    from interpreter.api import ContractError
    from interpreter.batch.pipeline import Options, run_batch
    from interpreter.batch.cluster import DaskMissing
    from interpreter.batch.tables import InputError

    if not Path(args.contract).is_file():
        print(f"yakkan: error: no such file: {args.contract}", file=sys.stderr)
        return 2
    options = Options(args.contract, args.events, args.params, args.out, as_of, args.workers, args.scheduler,
                      args.detail, args.format, sys.stderr.isatty())
    try:
        summary = run_batch(options)
    except ContractError as exc:
        print(render_diagnostics(list(exc.diagnostics), exc.sources, "text"), file=sys.stderr)
        return 1
    except (InputError, DaskMissing) as exc:
        print(f"yakkan: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the output folder cannot be made or written (a file of that name, no permission)
        print(f"yakkan: error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    data = summary.data
    customers = data["customers"]
    if summary.rejected:
        _show_rejected(Path(args.out) / "rejected.jsonl")
    print(f"{customers['evaluated']:,} customers evaluated, {customers['rejected']:,} rejected"
          + (f", {customers['rows_without_customer']:,} rows without a customer"
             if customers["rows_without_customer"] else "")
          + f"; {data['invoices']:,} invoices; charges {data['totals']['charge']} yen, credits "
          f"{data['totals']['credit']} yen, tax {data['totals']['tax']} yen; written to {args.out}")
    return 1 if summary.rejected else 0


def _show_rejected(path: Path) -> None:
    shown = 0
    with open(path, encoding="utf-8") as fh:
        for count, line in enumerate(fh, 1):
            if count > SHOWN_REJECTED:
                continue
            item = json.loads(line)
            who = f"customer {item['customer']}" if item["customer"] is not None else "rows without a customer"
            print(f"{who} rejected:", file=sys.stderr)
            for d in item["diagnostics"]:
                column = f", column {d['column']}" if "column" in d else ""
                print(f"  {d.get('file', '')}:row {d.get('row', '?')}{column}: {d['severity']}[{d['code']}]: "
                      f"{d['message']}" + (f"\n    hint: {d['hint']}" if d.get("hint") else ""), file=sys.stderr)
            shown += 1
        if count > shown:
            print(f"… and {count - shown:,} more in {path}", file=sys.stderr)


def cmd_rows(args) -> int:
    from interpreter.diagnostics import render_diagnostics

    if not _needs_tables():
        return 2
    from interpreter.cli import _files
    from interpreter.batch.convert import write_rows

    files, missing = _files(args.paths, (".yaml", ".yml"))
    if missing:
        print(f"yakkan: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    problems, written = write_rows(files, Path(args.out), args.format)
    if problems:
        from interpreter.syntax.source import SourceFile

        sources = {f: SourceFile(f, Path(f).read_text(encoding="utf-8", errors="replace")) for f in files}
        print(render_diagnostics(problems, sources, "text"), file=sys.stderr)
    print(f"{len(written)} scenario{'s' if len(written) != 1 else ''} written as rows to "
          f"{Path(args.out) / ('events.' + args.format)} and {Path(args.out) / ('params.' + args.format)}")
    return 1 if problems else 0


def add_parser(sub) -> None:
    batch = sub.add_parser("batch", help="evaluate every customer of a portfolio (events and params as tables)")
    batch.add_argument("contract", metavar="CONTRACT", help="the .ctr file evaluated for every customer")
    batch.add_argument("--events", required=True, metavar="FILE",
                       help="one row per event: customer, at, event, and the event's fields (.parquet, .csv, .jsonl)")
    batch.add_argument("--params", metavar="FILE", help="one row per customer: customer and the contract's parameters")
    batch.add_argument("--out", required=True, metavar="DIR", help="folder for invoices, entries, summary, rejected")
    batch.add_argument("--as-of", metavar="DATE",
                       help="derive what is known on this date for every customer (overrides a params as_of)")
    where = batch.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, metavar="N", help="run on a local Dask cluster of N processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster")
    batch.add_argument("--detail", choices=("totals", "entries"), default="totals",
                       help="entries: also write every ledger entry (entries.parquet)")
    batch.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                       help="the format of invoices and entries (default parquet)")
    batch.set_defaults(func=cmd_batch)
    rows = sub.add_parser("rows", help="write scenario files as the events and params tables batch reads")
    rows.add_argument("paths", nargs="+", metavar="SCENARIO",
                      help="scenario files, or folders searched for them recursively; one customer each")
    rows.add_argument("--out", required=True, metavar="DIR", help="folder for events.FORMAT and params.FORMAT")
    rows.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet",
                      help="the tables' format (default parquet)")
    rows.set_defaults(func=cmd_rows)
