"""The customer's contract and items over time, as an evaluation left them: what the HTML page draws."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from interpreter.run.evaluate import Evaluation
from interpreter.time.timestamps import JST


@attrs.frozen
class Lifecycle:
    """One item in force for the customer: its first and last day (None while it runs), why it ended, its
    quantity from each date on, and the events that started and changed it."""

    item: str
    start: date
    end: date | None
    end_reason: str | None
    quantities: tuple[tuple[date, Decimal], ...]
    events: tuple[int, ...]
    billing_start: date | None = None  # the day its fees run from (docs/language.md, "Items' lifecycles")


@attrs.frozen
class Timeline:
    """The customer's contract and items over time, as the evaluation left them (for the HTML report)."""

    contract_start: date | None
    contract_end: date | None
    lifecycles: tuple[Lifecycle, ...]


def timeline_of(evaluation: Evaluation) -> Timeline:
    lifecycles = [Lifecycle(s.item, s.start, s.end, s.end_reason,
                            tuple((at.astimezone(JST).date(), q) for at, q in s.quantities), tuple(s.events),
                            evaluation.billing_start_of(s))
                  for subs in evaluation.subs.values() for s in subs]
    lifecycles.sort(key=lambda c: (c.start, c.item))
    return Timeline(evaluation.contract_start, evaluation.contract_end, tuple(lifecycles))
