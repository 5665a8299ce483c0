"""The bounds every value and every run stays inside, in one place, with the reason for each.

- Numbers written in a contract or a scenario have at most MAX_INTEGER_DIGITS digits before the point and
  MAX_FRACTION_DIGITS after it (10^18 yen is a hundred thousand times the largest national budget).
- Arithmetic runs in DECIMAL_CONTEXT: 60 significant digits, and any result of 10^25 or more is an error
  (decimal.Overflow) rather than a rounded figure. Every value below 10^25 has at most 25 digits before
  the point, so the yen (and sen) of any amount are always exact; only quotients are rounded, at the
  60th significant digit, far below the 1-yen roundings rules declare.
- `Nth business day` counts at most MAX_BUSINESS_DAYS (about four years of business days).
- Dates are those of the proleptic Gregorian calendar with four-digit years, 0001-01-01 to 9999-12-31,
  the dates ISO 8601 (YYYY-MM-DD) can write in a contract or a scenario. A computation that leaves them
  (`9999-12-31 + 1 day`, a term of a million months) is an error where it is written. Business days are
  further limited to the years whose holidays are known (interpreter.time.calendar.HOLIDAY_YEARS).
- A run covers at most MAX_MONTHS months (100 years) of recurring fees, per-month credits and invoices,
  and stops with an error after MAX_ENTRIES ledger entries: together they bound its time and its memory
  (the bundled scenarios need a few dozen entries over a few years).
"""
from __future__ import annotations

import decimal

MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 12
MAX_MAGNITUDE_DIGITS = 25  # results are below 10^25
MAX_ENTRIES = 100_000
MAX_BUSINESS_DAYS = 1000  # `Nth business day`: each is a step through the calendar; terms count a few dozen
MAX_MONTHS = 1200

DECIMAL_CONTEXT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=MAX_MAGNITUDE_DIGITS - 1,
    Emin=-99,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def number_problem(value: decimal.Decimal) -> str | None:
    """Why a number written in a contract or a scenario is out of bounds, or None."""
    if not value.is_finite():
        return "it is not a finite number"
    sign, digits, exponent = value.as_tuple()
    whole = max(0, len(digits) + exponent)
    if value != 0 and whole > MAX_INTEGER_DIGITS:
        return f"it has {whole:,} digits before the point; at most {MAX_INTEGER_DIGITS} are allowed"
    if exponent < -MAX_FRACTION_DIGITS:
        return f"it has {-exponent:,} digits after the point; at most {MAX_FRACTION_DIGITS} are allowed"
    return None
