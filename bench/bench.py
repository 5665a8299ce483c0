"""Throughput of the pipeline, for a portfolio of customers. Prints figures; asserts nothing.

  .venv/bin/python bench/bench.py            # all measurements
  .venv/bin/python bench/bench.py --quick    # smaller sizes

1. parsing + checking: a large generated contract (many rules), lines per second;
2. evaluation over a year of daily usage events for one customer, events per second;
3. evaluation of many customers' scenarios (one model, many timelines), events per second.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from interpreter.run.evaluate import run
from interpreter.run.events import Event
from interpreter.run.expressions import Value
from interpreter.loader import compile_source, load_contract
from interpreter.syntax.source import SourceFile
from interpreter.time.timestamps import JST

ROOT = Path(__file__).resolve().parent.parent


def large_contract(rules: int) -> str:
    head = (ROOT / "contracts" / "itscom-hosting.ctr").read_text(encoding="utf-8")
    extra = []
    for i in range(rules):
        extra.append(f'option bench_{i} "ベンチ{i}";\n'
                     f'rule BENCH-{i} 第{i + 1}条 "料金{i}" {{\n'
                     f'  monthly fee {1000 + i} yen for bench_{i};\n'
                     f'  bench_{i} requires www or pack_secure_mx;\n}}\n')
    return head + "".join(extra)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=JST)


def year_of_usage(start: date) -> list[Event]:
    events = [Event(0, "service_start", at(start, 0), {"plan": Value("item", "mail_secure_mx")}),
              Event(1, "mailbox_plus_start", at(start, 0), {}),
              Event(2, "option_order", at(start, 1), {"option": Value("item", "mailing_list"),
                                                       "quantity": Value("count", Decimal(1)),
                                                       "desired": Value("date", start)})]
    rnd = random.Random(7)
    for day in range(1, 366):
        d = start + timedelta(days=day)
        events.append(Event(len(events), "usage", at(d), {"option": Value("item", "mailing_list"),
                                                           "quantity": Value("count", Decimal(rnd.randint(1, 40)))}))
        if day % 30 == 0:
            events.append(Event(len(events), "payment", at(d, 12), {"amount": Value("money", Decimal(6000))}))
    return events


def customer(n: int, rnd: random.Random) -> list[Event]:
    start = date(2025, 1, 1) + timedelta(days=rnd.randint(0, 200))
    plan = rnd.choice(["www", "mail_secure_mx", "pack_secure_mx"])
    events = [Event(0, "service_start", at(start, 0), {"plan": Value("item", plan)})]
    for k in range(rnd.randint(2, 10)):
        d = start + timedelta(days=rnd.randint(1, 360))
        kind = rnd.random()
        if kind < 0.3:
            events.append(Event(len(events), "outage", at(d, 3),
                                {"until": Value("datetime", at(d, 3) + timedelta(hours=rnd.randint(1, 80))),
                                 "cause": Value("enum", "provider")}))
        elif kind < 0.5:
            events.append(Event(len(events), "reduction_claim", at(d, 4), {}))
        else:
            events.append(Event(len(events), "payment", at(d, 5), {"amount": Value("money", Decimal(11000))}))
    if rnd.random() < 0.3:
        d = start + timedelta(days=rnd.randint(30, 300))
        events.append(Event(len(events), "cancel_notice", at(d, 6), {"desired_end": Value("date", d + timedelta(days=60))}))
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rules = 500 if args.quick else 2000
    customers = 1000 if args.quick else 10_000

    text = large_contract(rules)
    lines = text.count("\n")
    (model, diagnostics), seconds = timed(lambda: compile_source(SourceFile("bench.ctr", text)))
    assert model is not None, diagnostics[:3]
    print(f"parse+check: {lines:,} lines ({rules:,} extra rules) in {seconds:.2f} s → {lines / seconds:,.0f} lines/s")

    its, _, _ = load_contract(str(ROOT / "contracts" / "itscom-hosting.ctr"))
    events = year_of_usage(date(2025, 1, 6))
    ledger, seconds = timed(lambda: run(its, {"mailing_list_rate": Value("money", Decimal(100))}, events,
                                        date(2026, 1, 31)))
    print(f"one customer, a year of daily usage: {len(events):,} events, {len(ledger.entries):,} entries "
          f"in {seconds:.3f} s → {len(events) / seconds:,.0f} events/s")

    rnd = random.Random(42)
    portfolio = [customer(i, rnd) for i in range(customers)]
    total_events = sum(len(p) for p in portfolio)

    def evaluate_all():
        return sum(len(run(its, {}, p, date(2026, 1, 31)).entries) for p in portfolio)

    entries, seconds = timed(evaluate_all)
    print(f"portfolio: {customers:,} customers, {total_events:,} events, {entries:,} entries in {seconds:.1f} s "
          f"→ {total_events / seconds:,.0f} events/s, {customers / seconds:,.0f} customers/s")


if __name__ == "__main__":
    main()
