"""Cold start of `yakkan check`, against `python -c pass` in the same run, and parse + check throughput.

  .venv/bin/python bench/cold_start.py              # 21 runs of each command
  .venv/bin/python bench/cold_start.py --runs 41
  .venv/bin/python bench/cold_start.py --runs 11 --profile   # and where one check's time goes (cProfile)

Each run is a new process, as a user starts it: `yakkan check contracts/itscom-hosting.ctr` (the entry point of
this environment) and `python -c pass` (the same interpreter), taken in turn so that both see the same load on the
machine. For each, the median of the CPU time (user + system, from getrusage of the child) and of the wall time;
then the difference and the ratio. CPU time is the figure of record: on a shared machine the wall time measures
the other processes as much as this one.

One run of each comes first and is not counted: it writes what a user's first run writes once (the parser tables
in ~/.cache/yakkan) and the bytecode of the package (`compileall`, as installing a wheel does; an editable
install with PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run).

Then the throughput of parse + build + check, in this process, of a contract of at least 2,000 lines (the iTSCOM
contract followed by generated options and rules, as bench.py builds it): the median of several runs after one
that is not counted (it compiles the lexer's scanners, as the first parse of every process does).
Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import compileall
import cProfile
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "contracts/itscom-hosting.ctr"
LINES = 2000
# bench.large_contract adds five lines a rule: an option and a rule of four lines.
LINES_PER_RULE = 5


def yakkan_command() -> list[str]:
    """The `yakkan` entry point next to this interpreter, or the module when it is not installed as a script."""
    script = Path(sys.executable).parent / "yakkan"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "interpreter.cli"]


def one_run(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process running `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def cold_starts(runs: int) -> dict[str, tuple[list[float], list[float]]]:
    commands = {"yakkan check": yakkan_command() + ["check", CONTRACT], "python -c pass": [sys.executable, "-c", "pass"]}
    compileall.compile_dir(ROOT / "interpreter", quiet=1)
    for command in commands.values():
        one_run(command)  # not counted: fills the parser cache
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for _ in range(runs):
        for name, command in commands.items():  # in turn, so that both see the same load
            cpu, wall = one_run(command)
            times[name][0].append(cpu)
            times[name][1].append(wall)
    return times


def throughput(repeats: int = 5) -> tuple[int, float]:
    """(lines, median seconds) of parse + build + check of a contract of at least LINES lines."""
    sys.path.insert(0, str(ROOT))
    from bench.bench import large_contract
    from interpreter.loader import compile_source
    from interpreter.syntax.source import SourceFile

    head = (ROOT / CONTRACT).read_text(encoding="utf-8").count("\n")
    text = large_contract(max(0, -(-(LINES - head) // LINES_PER_RULE)))
    lines = text.count("\n")
    seconds = []
    for i in range(repeats + 1):
        start = time.process_time()
        model, diagnostics = compile_source(SourceFile("bench.ctr", text))
        elapsed = time.process_time() - start
        if model is None:
            raise SystemExit(f"the generated contract does not check: {diagnostics[:3]}")
        if i:  # the first run compiles the lexer's scanners
            seconds.append(elapsed)
    return lines, statistics.median(seconds)


def profile_one_check() -> None:
    from interpreter.cli import main

    profile = cProfile.Profile()
    profile.enable()
    main(["check", str(ROOT / CONTRACT)])
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="cold runs of each command (default 21)")
    parser.add_argument("--profile", action="store_true", help="also profile one check in this process")
    args = parser.parse_args()

    times = cold_starts(args.runs)
    cpu = {name: statistics.median(t[0]) * 1000 for name, t in times.items()}
    wall = {name: statistics.median(t[1]) * 1000 for name, t in times.items()}
    print(f"cold start, median of {args.runs} runs each (CPU time = user + system; wall time)")
    for name in times:
        print(f"  {name:15} CPU {cpu[name]:7.1f} ms   wall {wall[name]:7.1f} ms")
    check, bare = "yakkan check", "python -c pass"
    print(f"  difference      CPU {cpu[check] - cpu[bare]:7.1f} ms   wall {wall[check] - wall[bare]:7.1f} ms")
    print(f"  ratio           CPU {cpu[check] / cpu[bare]:7.1f} ×    wall {wall[check] / wall[bare]:7.1f} ×")

    lines, seconds = throughput()
    print(f"parse + check: {lines:,} lines in {seconds * 1000:.1f} ms CPU (median of 5) → {lines / seconds:,.0f} lines/s")
    if args.profile:
        profile_one_check()


if __name__ == "__main__":
    main()
