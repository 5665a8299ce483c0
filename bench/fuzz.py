"""Long fuzz runs: N mutated contracts (each checked, then run over one of its bundled scenarios) and M
mutated scenarios (each run over its bundled contract), counting crashes (exceptions that are not
diagnostics) and slow inputs by site.

    .venv/bin/python bench/fuzz.py --contracts 100000 --scenarios 20000 --jobs 2 --seed 1

Every input is reproducible from its kind, seed and index (`--show KIND:INDEX` prints it). An input that
takes more than --slow seconds (5) is counted as slow; one still running after --hang seconds (60) is
stopped and counted as a hang. The mutations are those of tests/fuzzing.py, which tests/test_fuzz.py runs
with a small budget in `make test`.
"""
from __future__ import annotations

import argparse
import collections
import multiprocessing
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fuzzing  # noqa: E402

CONTRACTS = fuzzing.contracts_text()
SCENARIOS = fuzzing.scenarios_by_contract()
SCENARIO_CASES = sorted((c, s, text) for c, items in SCENARIOS.items() for s, text in items)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def make_input(kind: str, seed: int, index: int) -> tuple[str, str, list[str]]:
    """(contract name, contract text, scenario texts) for one input."""
    rng = random.Random(f"{kind}:{seed}:{index}")
    rounds = rng.randint(1, 3)
    if kind == "contract":
        name = rng.choice(sorted(CONTRACTS))
        scenarios = SCENARIOS.get(name, [])
        scenario = [rng.choice(scenarios)[1]] if scenarios else []
        return name, fuzzing.mutate(CONTRACTS[name], rng, rounds), scenario
    contract, _, text = rng.choice(SCENARIO_CASES)
    return contract, CONTRACTS[contract], [fuzzing.mutate(text, rng, rounds)]


def one(job: tuple[str, int, int, float]) -> tuple[str, int, str | None, float]:
    kind, seed, index, hang = job
    name, contract, scenarios = make_input(kind, seed, index)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, hang)
    started = time.perf_counter()
    site = None
    try:
        if kind == "contract":
            fuzzing.exercise(contract, scenarios, name)
        else:
            fuzzing.exercise_scenario(name, contract, scenarios[0])
    except Hang:
        site = "hang"
    except RecursionError as exc:
        site = fuzzing.crash_site(exc)
    except Exception as exc:  # noqa: BLE001 - counting crashes is the point
        site = fuzzing.crash_site(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return kind, index, site, time.perf_counter() - started


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--contracts", type=int, default=1000)
    p.add_argument("--scenarios", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--slow", type=float, default=5.0)
    p.add_argument("--hang", type=float, default=60.0)
    p.add_argument("--minutes", type=float, help="stop after this long and report what ran (the inputs are "
                                                 "interleaved, so both kinds are covered in proportion)")
    p.add_argument("--show", metavar="KIND:INDEX", help="print one input (contract:17 or scenario:4) and stop")
    args = p.parse_args()
    if args.show:
        kind, index = args.show.split(":")
        name, contract, scenarios = make_input(kind, args.seed, int(index))
        print(f"# {name}\n{contract}" if kind == "contract" else scenarios[0])
        return 0
    contracts = [("contract", args.seed, i, args.hang) for i in range(args.contracts)]
    scenarios = [("scenario", args.seed, i, args.hang) for i in range(args.scenarios)]
    # interleaved in proportion, so that a run stopped by --minutes has covered both kinds
    total = len(contracts) + len(scenarios)
    jobs = sorted(contracts + scenarios, key=lambda j: (j[2] + 0.5) / (len(contracts) if j[0] == "contract"
                                                                         else len(scenarios)) if total else 0)
    deadline = time.perf_counter() + args.minutes * 60 if args.minutes else None
    crashes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    slow: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[str]] = {}
    done = collections.Counter()
    started = time.perf_counter()
    with multiprocessing.Pool(args.jobs) as pool:
        for kind, index, site, seconds in pool.imap_unordered(one, jobs, chunksize=20):
            done[kind] += 1
            if site is not None:
                crashes[kind][site] += 1
                examples.setdefault(f"{kind} {site}", [])
                if len(examples[f"{kind} {site}"]) < 5:
                    examples[f"{kind} {site}"].append(f"{kind}:{index}")
            if seconds > args.slow:
                slow[kind][f"{seconds:.1f} s (--show {kind}:{index})"] += 1
            if sum(done.values()) % 5000 == 0:
                print(f"... {dict(done)} in {time.perf_counter() - started:.0f} s, tracebacks "
                      f"{ {k: sum(v.values()) for k, v in crashes.items()} }", file=sys.stderr, flush=True)
            if deadline is not None and time.perf_counter() > deadline:
                pool.terminate()
                break
    elapsed = time.perf_counter() - started
    print(f"seed {args.seed}: {done['contract']} mutated contracts, {done['scenario']} mutated scenarios "
          f"in {elapsed:.0f} s ({args.jobs} processes)")
    for kind in ("contract", "scenario"):
        total = sum(crashes[kind].values())
        print(f"{kind}s: {total} tracebacks at {len(crashes[kind])} sites, {sum(slow[kind].values())} over "
              f"{args.slow:g} s")
        for site, count in crashes[kind].most_common():
            print(f"  {count:6d}  {site}  (--show {', '.join(examples[f'{kind} {site}'])})")
        for took, count in sorted(slow[kind].items()):
            print(f"  {count:6d}  slow: {took}")
    return 1 if any(crashes.values()) or any(slow.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
