"""The state of one customer's timeline while it is evaluated: items in force, traces of computations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from interpreter.check.model import Tables
from interpreter.run.expressions import Value, format_value
from interpreter.syntax import nodes as n
from interpreter.time.timestamps import JST


class Trace(list):
    """The steps of a computation, and the rules besides the entry's own that shaped its figure."""

    def __init__(self, steps=()):
        super().__init__(steps)
        self.rules: list[str] = []


@attrs.define
class Subscription:
    """An item in force for a customer: from `start` to `end` (its last day; None while it runs)."""

    item: str
    start: date
    end: date | None
    quantities: list[tuple[date, Decimal]]
    events: list[int]
    fields: dict[str, Value]
    end_reason: str | None = None

    def active_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    def quantity_on(self, d: date) -> Decimal:
        q = self.quantities[0][1]
        for day, value in self.quantities:
            if day <= d:
                q = value
        return q

    def maximum_in(self, first: date, last: date) -> Decimal:
        values = [self.quantity_on(first)] + [v for day, v in self.quantities if first <= day <= last]
        return max(values)


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
