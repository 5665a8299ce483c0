"""Calendar arithmetic on `datetime.date`: months, month ends, and periods under 民法第140条〜第143条.

Everything here is pure: no clock reads, no floats, no time zones. A date is a calendar day; a period
"expires" at the end (24:00) of the day returned (民法第141条), so callers compare with `<=`.

民法第142条 (a period ending on a Sunday, a national holiday or another day on which business is not
customarily done runs to the next day) depends on a business calendar and is deliberately not applied
here; see `interpreter.time.calendar.BusinessCalendar.on_or_after`.
"""
from __future__ import annotations

from datetime import date, timedelta

__all__ = [
    "DateOutOfRange",
    "UNITS",
    "add_months",
    "add_years",
    "civil_expiry",
    "day_of_month",
    "days_in_month",
    "end_of_month",
    "is_leap_year",
    "is_month_end",
    "shift_month",
    "start_of_month",
]

ONE_DAY = timedelta(days=1)


class DateOutOfRange(ValueError):
    """A date computation leaves the years 0001–9999 (see interpreter.limits)."""

# The units a period may be stated in (民法第140条: 日・週・月・年).
UNITS: frozenset[str] = frozenset({"days", "weeks", "months", "years"})

# Days in each month of a common (non-leap) year, January first.
_COMMON_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap_year(year: int) -> bool:
    """True for a leap year of the proleptic Gregorian calendar (divisible by 4, except centuries not by 400)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """The number of days in `month` (1–12) of `year`: 28–31."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    if month == 2 and is_leap_year(year):
        return 29
    return _COMMON_MONTH_LENGTHS[month - 1]


def start_of_month(d: date) -> date:
    """The first day of d's month."""
    return d.replace(day=1)


def end_of_month(d: date) -> date:
    """The last day of d's month (末日)."""
    return d.replace(day=days_in_month(d.year, d.month))


def is_month_end(d: date) -> bool:
    """True when d is the last day of its month."""
    return d.day == days_in_month(d.year, d.month)


def shift_month(d: date, n: int) -> date:
    """The first day of the month `n` months after d's month (`n` may be zero or negative)."""
    # Count months from year 0 so that one floor division handles both directions and year boundaries.
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise DateOutOfRange(f"{n:+,} months from {d} falls outside 0001-01-01..9999-12-31, "
                             "the dates that can be written")
    return date(year, month0 + 1, 1)


def add_months(d: date, n: int) -> date:
    """d plus `n` calendar months, clamping to the month end: Jan 31 + 1 month = Feb 28 (Feb 29 in a leap year).

    Always computed from the anchor d, never by repeated one-month steps, so Jan 31 + 2 months = Mar 31
    (stepping would give Mar 28).
    """
    first = shift_month(d, n)
    return first.replace(day=min(d.day, days_in_month(first.year, first.month)))


def add_years(d: date, n: int) -> date:
    """d plus `n` calendar years, clamping Feb 29 to Feb 28 in a common year."""
    return add_months(d, 12 * n)


def day_of_month(d: date, day: int) -> date:
    """The `day`-th day of d's month, clamped to the month's last day.

    `day_of_month(2025-02-10, 31)` is 2025-02-28: a term such as 「毎月31日」 is read as the month end in
    shorter months. `day` must be at least 1.
    """
    if day < 1:
        raise ValueError(f"day of month must be at least 1, got {day}")
    return d.replace(day=min(day, days_in_month(d.year, d.month)))


def civil_expiry(start: date, amount: int, unit: str, *, first_day_counts: bool) -> date:
    """The last day of a period of `amount` `unit`s computed under 民法第140条〜第143条.

    - 起算日 (民法第140条): the first day is not counted (初日不算入) unless the period starts at 00:00 or the
      text says it is counted (e.g. 「…から起算して」 including that day); pass `first_day_counts` accordingly.
      The 起算日 K is `start` when it counts, else the day after `start`.
    - days (民法第140条・第141条): the period ends at the end of day K + amount − 1.
    - weeks, months, years (民法第143条1項・2項): computed by the calendar; the period ends on the day before
      the day of the last week/month/year that corresponds to K. For weeks that is K + 7·amount − 1.
      For months and years the corresponding day has K's day-of-month; when the last month has no such
      day (K = Jan 31, 1 month: there is no Feb 31) the period ends on that month's last day
      (民法第143条2項ただし書).

    `amount` must be a positive integer. The result is the 末日; the period is over at its end (民法第141条).
    民法第142条 (extension past a holiday) is not applied here.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int, got {type(amount).__name__}")
    if amount < 1:
        raise ValueError(f"amount must be at least 1, got {amount}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")

    k = start if first_day_counts else start + ONE_DAY  # 起算日 (民法第140条)

    if unit == "days":
        return k + timedelta(days=amount - 1)
    if unit == "weeks":
        # The day corresponding to K in the last week is K + 7·amount; the period ends the day before.
        return k + timedelta(days=7 * amount - 1)

    months = amount if unit == "months" else 12 * amount
    final_month = shift_month(k, months)  # first day of the last month of the period
    if k.day > days_in_month(final_month.year, final_month.month):
        # 民法第143条2項ただし書: no corresponding day in the last month -> its last day.
        return end_of_month(final_month)
    # 民法第143条2項本文: the day before the corresponding day. When K is the 1st, that is the last day
    # of the month before `final_month`, i.e. the period covers whole months.
    return final_month.replace(day=k.day) - ONE_DAY
