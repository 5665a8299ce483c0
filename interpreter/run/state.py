"""The state of one customer's timeline while it is evaluated: items in force, traces of computations."""
from __future__ import annotations

from interpreter import records

from interpreter.check.model import Tables
from interpreter.run.expressions import Value, format_value
from interpreter.syntax import nodes as n
from interpreter.time.timestamps import JST


class Trace(list):
    """The steps of a computation, and the rules besides the entry's own that shaped its figure."""

    def __init__(self, steps=()):
        super().__init__(steps)
        self.rules: list[str] = []


@records.frozen
class Declared:
    """A declaration that is not a rule but puts entries in the ledger (a declared convention, the effects an
    event declares, an amendment): it stands in for the rule the entry names."""

    id: str
    articles: tuple[str, ...]
    label: str | None = None
    condition: None = None  # never conditional: it applies to every customer


def plain_value(v: Value):
    if v.kind in ("date",):
        return v.value
    if v.kind == "datetime":
        return v.value.astimezone(JST).date()
    if v.kind in ("money", "number", "count", "percent"):
        return v.value
    if v.kind == "absent":
        return None
    if v.kind == "list":
        return [plain_value(x) for x in v.value]
    return format_value(v)


def event_indexes(v: Value) -> tuple[int, ...]:
    return (v.value.index,) if v.kind == "event" else ()


def alternatives(e) -> list[n.Name]:
    if isinstance(e, n.Name):
        return [e]
    if isinstance(e, n.Binary):
        return alternatives(e.left) + alternatives(e.right)
    return []


def occurrence(ev) -> str:
    """An event as a note names it: by name and time, not by its place in the file (which must not matter)."""
    return f"{ev.name} ({ev.instant.astimezone(JST):%Y-%m-%d %H:%M})"


def item_label(tables: Tables, item: str) -> str:
    decl = tables.items.get(item)
    return decl.label if decl and decl.label else item
