"""A scenario file as a test: its `expect:` items matched against the ledger, each mismatch told field by
field against the closest entry; and running one file as a test, shared by `yakkan test` and the pytest
plugin (interpreter/tools/pytest_plugin.py), so that both pass and fail on the same files for the same reasons.

The items are checked for shape when the scenario is read (interpreter/run/scenario.py, `_expectation`): here
every key is a ledger field or one of `absent`, `count`, `total`, `totals`, and every value is well formed.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import attrs

from interpreter.diagnostics import render_diagnostics
from interpreter.render.text import explain_entry, yen
from interpreter.run.ledger import Entry, Ledger, entry_json
from interpreter.run.runner import Outcome, evaluate_files
from interpreter.run.scenario import FIGURES, MapValue, Scalar, SeqValue, Value, load_scenario
from interpreter.syntax.source import Span

_AMOUNTS = ("amount", "tax", "total")
_IDENTITY = ("kind", "rule", "label")  # what the closest entry must share with the item, when it names them


def plain(value: Value) -> object:
    """A scenario value as plain text, lists and dicts."""
    if isinstance(value, Scalar):
        return value.raw
    if isinstance(value, SeqValue):
        return [plain(v) for v in value.items]
    if isinstance(value, MapValue):
        return {k: plain(v) for k, v in value.items}
    return value


def _decimal(text) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def entry_fields(e: Entry) -> dict:
    """An entry's JSON fields, plus `total` (amount + tax) for entries with an amount."""
    out = entry_json(e)
    if e.amount is not None:
        out["total"] = str(e.amount + (e.tax or 0))
    return out


def same(field: str, expected, got) -> bool:
    if field == "also":  # the rules named must be among those that shaped the figure
        wanted = expected if isinstance(expected, list) else [expected]
        return got is not None and all(str(w) in got for w in wanted)
    if got is None:
        return False
    if field in _AMOUNTS or field == "value":
        a, b = _decimal(expected), _decimal(got) if not isinstance(got, list) else None
        if a is not None and b is not None:
            return a == b
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(same(k, v, got.get(k)) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            same(field, a, b) for a, b in zip(expected, got))
    return str(expected) == str(got)


def _matches(fields: dict, entry: dict) -> bool:
    return all(same(k, v, entry.get(k)) for k, v in fields.items())


# ------------------------------------------------------------------ how values are shown


def _shown(field: str, value) -> str:
    if value is None:
        return "nothing"
    if field in _AMOUNTS or (field == "value" and _decimal(value) is not None and not isinstance(value, list)):
        d = _decimal(value)
        if d is not None:
            return yen(d)
    if field in ("period", "window") and isinstance(value, list) and len(value) == 2:
        return span_text(str(value[0]), str(value[1]))
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def span_text(start: str, end: str) -> str:
    """`2025-09-01–09-30`: the end without the year when it is the start's year."""
    return f"{start}–{end[5:]}" if start[:5] == end[:5] else f"{start}–{end}"


def describe(entry: dict) -> str:
    """`E12, period 2025-09-01–09-30`: an entry by its id and when it arises."""
    for field in ("period", "due", "date"):
        if field in entry:
            return f"{entry['id']}, {field} {_shown(field, entry[field])}"
    return entry["id"]


def _entry_line(entry: dict) -> str:
    what = " ".join(str(entry[k]) for k in ("kind", "rule") if k in entry)
    amount = f" {yen(_decimal(entry['amount']))}" if "amount" in entry else ""
    return f"{describe(entry)}: {what} 「{entry['label']}」{amount}"


# ------------------------------------------------------------------ matching


@attrs.frozen
class Mismatch:
    span: Span
    summary: str  # what was expected and what went wrong, one line
    lines: tuple[str, ...] = ()  # field by field, or the entries in the way
    entries: tuple[str, ...] = ()  # ids of the entries shown, to explain them


def _closest(fields: dict, entries: list[dict]) -> dict | None:
    """Of the entries sharing the item's kind, rule and label, the one agreeing on most fields (the first
    one on a tie)."""
    named = {k: fields[k] for k in _IDENTITY if k in fields}
    candidates = [e for e in entries if _matches(named, e)]
    if not candidates:
        return None
    return max(candidates, key=lambda e: sum(same(k, v, e.get(k)) for k, v in fields.items()))


def _differences(fields: dict, entry: dict) -> tuple[str, ...]:
    where = describe(entry)
    return tuple(f"{k}: expected {_shown(k, v)}, got {_shown(k, entry.get(k))} ({where})"
                 for k, v in fields.items() if not same(k, v, entry.get(k)))


def _what(fields: dict) -> str:
    return "{" + ", ".join(f"{k}: {_shown(k, v)}" for k, v in fields.items()) + "}"


def _missing(item: MapValue, fields: dict, entries: list[dict]) -> Mismatch:
    closest = _closest(fields, entries)
    if closest is None:
        named = ", ".join(f"{k} {fields[k]}" for k in _IDENTITY if k in fields)
        return Mismatch(item.span, f"expected an entry {_what(fields)}, but the ledger has no entry with {named}")
    return Mismatch(item.span, f"expected an entry {_what(fields)}; the closest is {closest['id']}",
                    _differences(fields, closest), (closest["id"],))


def check_item(item: MapValue, entries: list[dict]) -> Mismatch | None:
    fields = {k: plain(v) for k, v in item.items}
    absent = str(fields.pop("absent", "false"))
    count = fields.pop("count", None)
    found = [e for e in entries if _matches(fields, e)]
    if count is not None:
        if len(found) == int(count):
            return None
        ids = ", ".join(e["id"] for e in found) or "none"
        return Mismatch(item.span, f"expected {count} entries {_what(fields)}, found {len(found)}: {ids}",
                        tuple(_entry_line(e) for e in found[:10]), tuple(e["id"] for e in found[:3]))
    if absent == "true":
        if not found:
            return None
        return Mismatch(item.span, f"expected no entry {_what(fields)}, found {len(found)}",
                        tuple(_entry_line(e) for e in found[:10]), tuple(e["id"] for e in found[:3]))
    if absent == "allowed":
        # "0 or no entry": every entry the item is about must have its figures; there may be none.
        selector = {k: v for k, v in fields.items() if k not in FIGURES}
        wrong = [e for e in entries if _matches(selector, e) and not _matches(fields, e)]
        if not wrong:
            return None
        return Mismatch(item.span, f"expected {_what(fields)} or no such entry",
                        tuple(line for e in wrong[:3] for line in _differences(fields, e)),
                        tuple(e["id"] for e in wrong[:3]))
    return None if found else _missing(item, fields, entries)


def check_totals(item: MapValue, ledger: Ledger) -> Mismatch | None:
    expected = plain(item.get("totals"))
    totals = ledger.totals()
    wrong = tuple(f"totals.{k}: expected {yen(_decimal(v))}, got {yen(totals[k])}"
                  for k, v in expected.items() if _decimal(v) != totals[k])
    return Mismatch(item.span, f"expected the ledger's totals {_what(expected)}", wrong) if wrong else None


def check_expectations(ledger: Ledger, items: tuple[MapValue, ...]) -> list[Mismatch]:
    entries = [entry_fields(e) for e in ledger.entries]
    problems = []
    for item in items:
        problem = check_totals(item, ledger) if "totals" in item else check_item(item, entries)
        if problem is not None:
            problems.append(problem)
    return problems


# ------------------------------------------------------------------ one file as a test


@attrs.frozen
class TestResult:
    path: str
    status: str  # "pass", "fail", or "skip" (a scenario without `expect:` is not a test)
    expectations: int = 0
    report: str = ""  # why it failed: diagnostics, or the mismatches with the closest entries explained


def run_test_file(path: str, contract: str | None = None, root: str | None = None) -> TestResult:
    scenario, _ = load_scenario(path)
    if scenario is not None and scenario.expect_span is None:
        return TestResult(path, "skip")
    outcome = evaluate_files(contract, path, root=root)
    if not outcome.ok:
        return TestResult(path, "fail", 0,
                          render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"))
    items = outcome.scenario.expect
    if not items:
        span = outcome.scenario.expect_span
        return TestResult(path, "fail", 0, f"{span}: `expect:` lists nothing, so the scenario proves nothing\n"
                                           "  hint: add the entries the ledger must have, e.g. "
                                           "`- {kind: charge, rule: ITS-3, amount: 4500}`")
    mismatches = check_expectations(outcome.ledger, items)
    if not mismatches:
        return TestResult(path, "pass", len(items))
    return TestResult(path, "fail", len(items), mismatch_report(mismatches, outcome))


def mismatch_report(mismatches: list[Mismatch], outcome: Outcome) -> str:
    events_text = {e.index: str(e) for e in outcome.events}
    out = []
    for m in mismatches:
        out.append(f"{m.span}: {m.summary}")
        out += [f"    {line}" for line in m.lines]
        for entry_id in m.entries:
            found = outcome.ledger.find(entry_id)
            out.append("      " + explain_entry(found, outcome.model, events_text).replace("\n", "\n      "))
    return "\n".join(out)

