"""The texts of decimal values, kept once made: explanations, ledgers and their tables show the same few figures
(rates, amounts, days) again and again, and making a figure's text is many times dearer than looking it up.

A text made by `kept_texts(make)` is kept by (the value, the other arguments, the precision and rounding of the
decimal context in force): a maker given here must depend on nothing else, and must show equal values alike
(1.50 and 1.5, 0 and -0 are one key). Emptied when full, to bound the memory of a long batch.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Callable

KEPT_MOST = 50_000


def kept_texts(make: Callable[..., str]) -> Callable[..., str]:
    kept: dict[tuple, str] = {}

    def text(d, *rest) -> str:
        if type(d) is not Decimal:  # (an int or a float equal to a Decimal would share its key)
            return make(d, *rest)
        context = decimal.getcontext()
        key = (d, rest, context.prec, context.rounding)
        found = kept.get(key)
        if found is None:
            found = make(d, *rest)
            if len(kept) >= KEPT_MOST:
                kept.clear()
            kept[key] = found
        return found

    text.kept = kept  # type: ignore[attr-defined]
    text.__doc__, text.__name__, text.__wrapped__ = make.__doc__, make.__name__.lstrip("_"), make  # type: ignore
    return text
