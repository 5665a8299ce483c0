"""Random iTSCOM payment timelines, the project's invoices against the hand-written evaluator's, customer by customer.

  .venv/bin/python bench/random_itscom.py                  # 400 timelines, seed 1
  .venv/bin/python bench/random_itscom.py --seed 7 --timelines 2000 --show 3

The portfolio of compare_itscom.py pays in whole invoices, a little late or short; these timelines pay odd
amounts at odd times (a few yen, several months at once, ahead of the bill), with long outages claimed (an
invoice whose credits exceed its charges), evasions and cancellations: the paths of 民法第488条・第489条 (which
invoice a payment settles, interest first) that the portfolio reaches rarely. Prints how many timelines differ
and the first differences; asserts nothing (a timing-free companion of compare_itscom.py).

Known: the hand-written evaluator applies the surplus of an invoice whose credits exceed its charges when it
reaches the next invoice, so a payment made between the two that first pays the interest of the invoices already
due may pay interest that the surplus pays too (the project applies a surplus before any payment). The timelines
that differ for that reason have a credit-surplus invoice followed by interest.
"""
from __future__ import annotations

import argparse
import random
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before this script's folder, whose bench.py would shadow the package

from bench import handwritten_itscom as hand  # noqa: E402
from bench.compare_itscom import CONTRACT, first_difference, hand_invoices, project_invoices  # noqa: E402
from bench.portfolio import JST, Customer, Row, project_inputs  # noqa: E402

PLANS = ("www", "pack_secure_mx", "mail_secure_mx")
GAPS = (1, 5, 20, 29, 30, 31, 45, 60)  # days between payments


def timeline(rng: random.Random, name: str) -> Customer:
    """One customer: a start, two to nine payments of odd amounts, perhaps a long outage claimed, an evasion,
    a cancellation; the as-of day on or after the last event."""
    start = date(2025, rng.randint(1, 6), rng.choice([1, 1, 15, 28]))
    rows = [Row(datetime.combine(start, time(9), JST), "service_start", {"plan": rng.choice(PLANS)})]
    day = start
    for _ in range(rng.randint(2, 9)):
        day += timedelta(days=rng.choice(GAPS))
        amount = rng.choice([rng.randint(1, 300), rng.randint(1, 30) * 1000, rng.randint(5000, 40000), 11000, 22000,
                             14300])
        rows.append(Row(datetime.combine(day, time(rng.choice([0, 9, 23])), JST), "payment", {"amount": amount}))
    if rng.random() < 0.4:
        at = datetime.combine(start + timedelta(days=rng.randint(5, 150)), time(rng.choice([0, 10])), JST)
        rows.append(Row(at, "outage", {"until": at + timedelta(hours=rng.randint(24, 1700)), "cause": "provider"}))
        rows.append(Row(at + timedelta(hours=24, days=rng.randint(0, 40)), "reduction_claim", {}))
    if rng.random() < 0.15:
        rows.append(Row(datetime.combine(start + timedelta(days=rng.randint(10, 200)), time(10), JST), "evasion",
                        {"amount": rng.choice([3000, 12000])}))
    if rng.random() < 0.2:
        notice = start + timedelta(days=rng.randint(10, 250))
        month_end = (notice.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(days=1)
        rows.append(Row(datetime.combine(notice, time(10), JST), "cancel_notice", {"desired_end": month_end}))
    rows.sort(key=lambda r: r.at)
    last = max(day, rows[-1].at.date())
    return Customer(name, {}, tuple(rows), last + timedelta(days=rng.choice([0, 10, 40])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timelines", type=int, default=400)
    parser.add_argument("--show", type=int, default=3, help="differences printed in full")
    args = parser.parse_args(argv)

    from interpreter.loader import load_contract
    from interpreter.run.evaluate import run

    model, _, _ = load_contract(str(CONTRACT))
    rng = random.Random(args.seed)
    different = with_surplus = 0
    for k in range(args.timelines):
        customer = timeline(rng, f"R{k:05d}")
        params, events = project_inputs(model, customer)
        project = project_invoices(run(model, params, events, customer.as_of))
        text = hand_invoices(hand.evaluate(customer))
        if project == text:
            continue
        different += 1
        with_surplus += any(amount + tax < 0 for _, amount, tax, _, _ in project)
        if different <= args.show:
            print(first_difference(customer, project, text))
    print(f"{args.timelines:,} timelines (seed {args.seed}): {different:,} differ, of which {with_surplus:,} have an "
          f"invoice whose credits exceed its charges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
