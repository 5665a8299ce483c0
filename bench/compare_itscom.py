"""The project's invoices against a hand-written evaluator, over the same generated iTSCOM portfolio, in one process.

  .venv/bin/python bench/compare_itscom.py                       # 200 customers: a quick check
  .venv/bin/python bench/compare_itscom.py --customers 10000     # the figure of record
  .venv/bin/python bench/compare_itscom.py --customers 1000 --profile   # and where the project's time goes
  .venv/bin/python bench/compare_itscom.py --customers 1000 --calls     # and how many calls each side makes

Every customer's invoices must be equal: month, lines (kind, rule, amount), amount before tax, tax and due date.
A difference is tolerated only when it is exactly one of the DISAGREEMENTS below: the hand-written evaluator, asked
to take the project's reading of that point instead of the text's, then gives the project's invoices to the yen.
Any other difference is reported (the first one in full) and the exit status is 1.

Timing: CPU time of this process (time.process_time) for each side's evaluation of the whole portfolio, once, in this process; generating the portfolio and
converting it to the project's typed events are timed apart. The ratio is project ÷ hand-written.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before this script's folder, whose bench.py would shadow the package

from bench import handwritten_itscom as hand  # noqa: E402
from bench.portfolio import DEFAULT_SEED, Customer, portfolio, project_inputs  # noqa: E402

CONTRACT = ROOT / "contracts" / "itscom-hosting.ctr"

# Where the project's ledger reads the terms otherwise than the text, name → (article, what): each name a reading the
# hand-written evaluator can take (handwritten_itscom.PROJECT_READINGS); nothing else is tolerated.
DISAGREEMENTS: dict[str, tuple[str, str]] = {}  # none at present: every customer must be equal


# ------------------------------------------------------------------ one form for both sides' invoices


def _yen(value) -> int:
    value = Decimal(value)
    if value != value.to_integral_value():
        raise ValueError(f"{value} is not a whole number of yen")
    return int(value)


def project_invoices(ledger) -> list[tuple]:
    """(month, amount, tax, due, lines) per invoice; lines are (kind, rule, yen), zero-yen lines left out."""
    by_id = {e.id: e for e in ledger.entries}
    out = []
    for e in ledger.entries:
        if e.kind != "invoice":
            continue
        lines = sorted((by_id[i].kind, by_id[i].rule, _yen(by_id[i].amount)) for i in e.lines
                       if by_id[i].amount)
        out.append((e.period[0].isoformat()[:7], _yen(e.amount), _yen(e.tax or 0), e.due.isoformat(), tuple(lines)))
    return sorted(out)


def hand_invoices(invoices: list[hand.Invoice]) -> list[tuple]:
    return sorted((i.month.isoformat()[:7], i.amount, i.tax, i.due.isoformat(),
                   tuple(sorted((line.kind, line.rule, line.amount) for line in i.lines if line.amount)))
                  for i in invoices)


def explain(customer: Customer, project: list[tuple]) -> tuple[str, ...] | None:
    """The smallest set of listed disagreements whose readings give the project's invoices, or None."""
    for size in range(1, len(DISAGREEMENTS) + 1):
        for names in itertools.combinations(DISAGREEMENTS, size):
            if hand_invoices(hand.evaluate(customer, frozenset(names))) == project:
                return names
    return None


def first_difference(customer: Customer, project: list[tuple], text: list[tuple]) -> str:
    months = dict.fromkeys(m[0] for m in project + text)
    by_p, by_t = {i[0]: i for i in project}, {i[0]: i for i in text}
    for month in sorted(months):
        p, t = by_p.get(month), by_t.get(month)
        if p != t:
            return (f"customer {customer.id}, invoice for {month}:\n"
                    f"  project:      {_show(p)}\n  hand-written: {_show(t)}")
    return f"customer {customer.id}: no difference"


def _show(invoice) -> str:
    if invoice is None:
        return "no invoice"
    month, amount, tax, due, lines = invoice
    shown = ", ".join(f"{rule} {'-' if kind == 'credit' else ''}{yen:,}" for kind, rule, yen in lines)
    return f"{amount:,} + tax {tax:,} = {amount + tax:,} yen, due {due}; lines: {shown}"


# ------------------------------------------------------------------ the run


def bookkeeping_time(ledgers) -> float:
    """CPU time to make again every entry of the ledgers from its fields, order each ledger and number it: what any
    evaluation producing these ledgers spends whatever its arithmetic (a floor for the project's side)."""
    from interpreter import records
    from interpreter.run.ledger import Entry, number_entry, sort_entries

    given = [f.name for f in records.fields(Entry) if f.name not in ("id", "lines")]
    fields = [[{name: getattr(e, name) for name in given} for e in ledger.entries] for ledger in ledgers]

    def rebuild():
        for entries in fields:
            for i, entry in enumerate(sort_entries([Entry(**f) for f in entries], {}), 1):
                number_entry(entry, f"E{i}")

    return timed(rebuild)[1]


def calls_per_customer(fn, customers: int) -> float:
    """The function calls (Python functions and built-ins, as cProfile counts them) that fn makes, per customer:
    how much work each side does, apart from how fast each step runs. Counted on a run after the timed one, as a
    portfolio's later customers find what the earlier ones left in the contract's kept tables."""
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(fn)
    return pstats.Stats(profiler).total_calls / customers


def timed(fn):
    """The result, and the CPU time this process spent on it (other work on a shared machine does not count)."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--profile", action="store_true", help="cProfile the project's evaluation (top 15)")
    parser.add_argument("--examples", type=int, default=3, help="differences shown per listed disagreement")
    parser.add_argument("--floor", action="store_true",
                        help="also time building, ordering and numbering the ledgers' entries alone")
    parser.add_argument("--calls", action="store_true",
                        help="also count each side's function calls per customer (on a further, untimed run)")
    args = parser.parse_args(argv)

    from interpreter.run.evaluate import run
    from interpreter.loader import load_contract

    model, diagnostics, _ = load_contract(str(CONTRACT))
    if model is None:
        print(f"{CONTRACT} does not load: {diagnostics[:3]}", file=sys.stderr)
        return 2

    customers, generate_s = timed(lambda: list(portfolio(args.customers, args.seed)))
    inputs, convert_s = timed(lambda: [project_inputs(model, c) for c in customers])
    events = sum(len(c.rows) for c in customers)
    print(f"portfolio: {len(customers):,} customers, {events:,} events (seed {args.seed}); generated in "
          f"{generate_s:.2f} s, converted to the project's events in {convert_s:.2f} s")

    def hand_all():
        return [hand.evaluate(c) for c in customers]

    texts, hand_s = timed(hand_all)

    def project_all():
        return [run(model, params, evs, c.as_of) for c, (params, evs) in zip(customers, inputs)]

    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        ledgers, project_s = timed(lambda: profiler.runcall(project_all))
    else:
        ledgers, project_s = timed(project_all)

    explained: dict[tuple, list[tuple]] = defaultdict(list)
    unexplained = []
    for c, ledger, invoices in zip(customers, ledgers, texts):
        project, text = project_invoices(ledger), hand_invoices(invoices)
        if project == text:
            continue
        names = explain(c, project)
        if names is None:
            unexplained.append(first_difference(c, project, text))
        else:
            explained[names].append(first_difference(c, project, text))

    invoices = sum(len(t) for t in texts)
    print(f"invoices: {invoices:,}; customers equal to the text: "
          f"{len(customers) - len(unexplained) - sum(map(len, explained.values())):,}")
    for names, cases in sorted(explained.items()):
        print(f"\nlisted disagreement {' + '.join(names)}: {len(cases):,} customers")
        for name in names:
            article, what = DISAGREEMENTS[name]
            print(f"  {article}: {what}")
        for case in cases[: args.examples]:
            print("  " + case.replace("\n", "\n  "))
    print(f"\nproject:      {project_s:8.2f} s  ({len(customers) / project_s:,.0f} customers/s)")
    print(f"hand-written: {hand_s:8.2f} s  ({len(customers) / hand_s:,.0f} customers/s)")
    print(f"ratio project ÷ hand-written: {project_s / hand_s:.1f}×")
    if args.floor:
        floor_s = bookkeeping_time(ledgers)
        print(f"of which the ledger's bookkeeping alone (building every entry, ordering and numbering them, as the "
              f"evaluation does): {floor_s:.2f} s, {floor_s / hand_s:.1f}× the hand-written evaluator's whole time")
    if args.calls:
        project_calls = calls_per_customer(project_all, len(customers))
        hand_calls = calls_per_customer(hand_all, len(customers))
        print(f"function calls a customer: project {project_calls:,.0f}, hand-written {hand_calls:,.0f} "
              f"({project_calls / hand_calls:.1f}×); CPU time a call: project "
              f"{project_s / len(customers) / project_calls * 1e6:.2f} µs, hand-written "
              f"{hand_s / len(customers) / hand_calls * 1e6:.2f} µs")
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(15)
        stats.sort_stats("tottime").print_stats(10)
        print("\nproject evaluation (CPU time, slowed by profiling), top 15 by cumulative time, then top 10 by "
              "own time:\n" + out.getvalue())
    if unexplained:
        print(f"\nMISMATCH on {len(unexplained):,} customers not explained by a listed disagreement; the first:\n"
              + unexplained[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
