"""Statements and functions the language no longer has, each replaced by a general form.

Each was written for one clause of one contract; the general forms (a `reject`, a dated `effect`, the
lifecycle queries, `paid_fees`) say the same and serve the next contract too (docs/language.md, "Constructs
written for one kind of clause"). A contract that still uses one gets E109 naming the general form, from the
parser (statements: the line the parse stopped on) or from the checker (functions)."""
from __future__ import annotations

import re

# (pattern matched against the line the parser stopped on, the retired form, the general form)
RETIRED_STATEMENTS: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"\baccepts\s+orders\b"), "ITEM accepts orders … until D",
     "reject the orders after the last day on the events that start the item: "
     "`reject \"受付終了\" on EVENT where EVENT.plan == ITEM and EVENT.date > D;`"),
    (re.compile(r"\bdistinct\s+\w+\s+across\b"), "distinct FIELD across ITEMS",
     "reject the order that gives one item the value another holds: `reject \"…\" on EVENT where "
     "active(OTHER, EVENT.date) and EVENT.FIELD == OTHER.FIELD;` (OTHER.FIELD: the field of the event that "
     "ordered OTHER)"),
    (re.compile(r"\bon\s+monthly\s+maximum\b"), "… on monthly maximum",
     "price the period's largest quantity in the fee's amount: "
     "`monthly fee RATE × maximum_quantity(ITEM, period.start, period.end) for ITEM;` (the quantity at the "
     "period's first instant counts)"),
    (re.compile(r"\bservice\s+ends\b"), "ITEM service ends D",
     "end it by an effect on that date: `effect \"提供終了\" on D where active(ITEM, D) { ends ITEM; }` "
     "(`ends contract;` when the terms end the contract with it)"),
    (re.compile(r"\bnever\s+decreases\b"), "quantity of ITEM never decreases",
     "reject the events that would lower it: "
     "`reject \"削減できない\" on EVENT where EVENT.quantity < quantity(ITEM, EVENT.date);`"),
)

# function name -> the general form
RETIRED_FUNCTIONS: dict[str, str] = {
    "fees_paid": "write `paid_fees(a, b)`: the payments from a up to b, less the late interest they paid "
                 "(民法第489条)",
}


def retired_statement(line: str) -> tuple[str, str] | None:
    """The retired form a source line uses and its general form, or None."""
    code = re.sub(r'"[^"]*"|「[^」]*」', '""', line).split("#", 1)[0]
    for pattern, form, general in RETIRED_STATEMENTS:
        if pattern.search(code):
            return form, general
    return None
