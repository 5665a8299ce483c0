"""Fuzzing the check-and-run path: mutations of the bundled contracts and scenarios, and text generated from
the grammar. Shared by tests/test_fuzz.py (a bounded budget in `make test`) and bench/fuzz.py (long runs).

A mutation works on tokens (strings, numbers, dates, words, punctuation) or on whole lines: delete one,
duplicate one, swap two, or put a boundary value where a number or a date was (0, -1, 2^31, a million
months, 9999-12-31, a 5,001-digit amount …). `exercise` runs one input through everything a user can
reach (check, scenario reading, validation, evaluation, rendering, explanation) and lets any exception
other than a diagnostic escape: an escaped exception is a crash.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = sorted((ROOT / "contracts").glob("*.ctr"))
SCENARIOS = sorted((ROOT / "contracts" / "scenarios").rglob("*.yaml"))

_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|「[^」\n]*」|#[^\n]*'  # strings and comments stay whole
    r"|[0-9０-９][0-9０-９,，.:TZ+\-]*"  # numbers, dates and date-times
    r"|[^\W\d]\w*"  # words
    r"|\s+"  # layout
    r"|."  # anything else, one character
)

# Values at the edges of what a number, a count, a duration or a date can hold.
BOUNDARY_VALUES = (
    "0", "-1", "1", "- 1", "18", "2147483648", "1,000,000", "9223372036854775808", "0.0000001",
    "1" + "0" * 5000, "9999-12-31", "0001-01-01", "2100-01-01", "1948-12-31", "2024-02-29",
    "9999-12-31T23:59", "令和99年12月31日", "99999999999999999999999999999",
)
# Words that turn one kind of value into another when put in place of a word.
BOUNDARY_WORDS = ("obligation", "days", "months", "yen", "percent", "date", "contract", "billing_start",
                  "start", "end", "hours", "business", "count", "yen", "minutes")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def mutate(text: str, rng: random.Random, rounds: int = 1) -> str:
    """`text` with `rounds` mutations, each chosen by `rng` (the same rng state gives the same result)."""
    for _ in range(rounds):
        if rng.random() < 0.3:
            text = _mutate_lines(text, rng)
        else:
            text = _mutate_tokens(text, rng)
    return text


def _mutate_lines(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    op = rng.choice(("delete", "duplicate", "swap"))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _mutate_tokens(text: str, rng: random.Random) -> str:
    parts = tokens(text)
    solid = [k for k, t in enumerate(parts) if not t.isspace()]
    if not solid:
        return text
    i, j = rng.choice(solid), rng.choice(solid)
    op = rng.choice(("delete", "duplicate", "swap", "boundary", "boundary"))
    if op == "delete":
        parts[i] = ""
    elif op == "duplicate":
        parts[j] = parts[j] + " " + parts[i]
    elif op == "swap":
        parts[i], parts[j] = parts[j], parts[i]
    else:
        numeric = [k for k in solid if parts[k][0] in "0123456789０１２３４５６７８９"]
        words = [k for k in solid if parts[k][0].isalpha()]
        if numeric and (rng.random() < 0.7 or not words):
            parts[rng.choice(numeric)] = rng.choice(BOUNDARY_VALUES)
        elif words:
            parts[rng.choice(words)] = rng.choice(BOUNDARY_WORDS)
    return "".join(parts)


def contracts_text() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in CONTRACTS}


def scenarios_by_contract() -> dict[str, list[tuple[str, str]]]:
    """Bundled scenarios, by the contract file they name: {contract name: [(scenario name, text)]}."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in SCENARIOS:
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^contract:\s*(\S+)", text, re.M)
        if match:
            out.setdefault(Path(match[1]).name, []).append((path.name, text))
    return out


# ------------------------------------------------------------------ running one input


@lru_cache(maxsize=8)
def _model(name: str, text: str):
    from interpreter.loader import compile_source
    from interpreter.syntax.source import SourceFile

    return compile_source(SourceFile(name, text))[0]


def exercise(contract: str, scenarios: list[str], name: str = "fuzz.ctr") -> None:
    """Check `contract` and, when it checks, run each scenario text over it: render the ledger, explain
    every entry, and print every diagnostic. A diagnostic is a success; an exception is a crash."""
    from interpreter.diagnostics import render_diagnostics
    from interpreter.loader import compile_source
    from interpreter.syntax.source import SourceFile

    source = SourceFile(name, contract)
    model, diagnostics = compile_source(source)
    render_diagnostics(diagnostics, {name: source}, "text")
    if model is None:
        return
    for text in scenarios:
        run_scenario(model, text)


def exercise_scenario(contract_name: str, contract: str, scenario: str) -> None:
    """Run one scenario text over a bundled contract (checked once)."""
    model = _model(contract_name, contract)
    run_scenario(model, scenario)


def run_scenario(model, text: str) -> None:
    from interpreter.diagnostics import render_diagnostics
    from interpreter.render.text import explain_entry, render_json, render_text
    from interpreter.run.runner import evaluate_scenario
    from interpreter.run.scenario import load_scenario

    scenario, diagnostics = load_scenario("fuzz.yaml", text.encode("utf-8"))
    sources = {"fuzz.yaml": scenario.source} if scenario is not None else {}
    if scenario is not None:
        ledger, events, problems, _ = evaluate_scenario(model, scenario, None, diagnostics)
        diagnostics = list(diagnostics) + list(problems)
        if ledger is not None:
            render_text(ledger)
            render_json(ledger)
            events_text = {e.index: str(e) for e in events}
            for entry in ledger.entries:
                explain_entry(entry, model, events_text)
    sources[model.source.name] = model.source
    render_diagnostics(diagnostics, sources, "text")


def crash_site(exc: BaseException) -> str:
    """Where an exception was raised, as `Type at interpreter/file.py:LINE` (the innermost project frame)."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/interpreter/" in f.filename]
    where = f"{frames[-1].filename.split('/interpreter/')[-1]}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at interpreter/{where}"


# ------------------------------------------------------------------ hypothesis strategies


def mutated(texts: dict[str, str], max_rounds: int = 3):
    """A strategy of (name, original text, mutated text) from `texts`."""
    return st.tuples(st.sampled_from(sorted(texts)), st.randoms(use_true_random=False),
                     st.integers(1, max_rounds)).map(
        lambda t: (t[0], texts[t[0]], mutate(texts[t[0]], t[1], t[2])))


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    words = set()
    for text in contracts_text().values():
        words.update(w for w in re.findall(r"[a-z_][a-z0-9_]*", text) if len(w) > 1)
    return tuple(sorted(words))


def from_grammar():
    """Text the grammar derives. Terminals get spaces around them (hypothesis's lark support leaves out the
    ignored layout, which would glue keywords to names) and names come from the bundled contracts, so that
    many inputs get past the parser into the checker."""
    from hypothesis.extra.lark import from_lark
    from lark import Lark

    from interpreter.syntax.parse import grammar_path

    # hypothesis reads the grammar's rules, which a parser loaded from cached tables does not keep
    lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual")
    explicit = {}
    for terminal in lark.terminals:
        pattern = terminal.pattern
        if terminal.name == "NAME":
            inner = st.sampled_from(_names())
        elif pattern.type == "str":
            inner = st.just(pattern.value)
        elif terminal.name == "COMMENT":
            inner = st.just("")  # a comment drawn at random would swallow the rest of its line
        elif terminal.name.startswith("__"):
            continue
        else:
            inner = st.from_regex(pattern.to_regexp(), fullmatch=True).filter(lambda s: "\n" not in s)
        explicit[terminal.name] = inner.map(lambda s: f" {s} ")
    return from_lark(lark, explicit=explicit)
