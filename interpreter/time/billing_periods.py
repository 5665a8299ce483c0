"""Billing periods, declared once per contract: calendar months (with a closing day), or months counted from an
anchor (the 料金月 of a mobile contract: from the activation day, each starting on the anchor's 応当日, clamped to
the month's last day, always computed from the anchor and never from the period before).

Pure: no clock, no floats. A period is a closed span of days [start, end] with its number (1 for the period that
holds the anchor). Every per-period construct (recurring fees, sums "in the period", invoices, per-period entries)
runs over the periods this module gives.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

import attrs

from interpreter.time import periods

ONE_DAY = timedelta(days=1)


@attrs.frozen
class Period:
    """One billing period: its first and last day, and its number counted from the anchor's period (1)."""

    start: date
    end: date
    number: int = 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def month(self) -> int:
        return self.start.month

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return period_name(self.start, self.end)


def period_name(start: date, end: date) -> str:
    """A calendar month as 2025-04; any other period as 2026-04-10–2026-05-09."""
    if start.day == 1 and end == periods.end_of_month(start):
        return f"{start.year}-{start.month:02d}"
    return f"{start}–{end}"


@attrs.frozen
class BillingPeriods:
    """The periods of one customer's contract.

    `anchor` is the day the periods are counted from. `closing_day` None: months counted from the anchor
    (period k starts on anchor + k months, clamped); otherwise calendar months closing on that day of the
    month (31 = the month's last day), numbered from the one holding the anchor."""

    anchor: date
    closing_day: int | None = None

    def _start(self, k: int) -> date:
        if self.closing_day is None:
            return periods.add_months(self.anchor, k)
        first_close = self._closing_on_or_after(self.anchor)
        previous_close = periods.day_of_month(periods.shift_month(first_close, k - 1), self.closing_day)
        return previous_close + ONE_DAY

    def _closing_on_or_after(self, d: date) -> date:
        close = periods.day_of_month(d, self.closing_day)
        if close < d:
            close = periods.day_of_month(periods.shift_month(d, 1), self.closing_day)
        return close

    def number_of(self, d: date) -> int:
        """The number of the period holding d (1 for the anchor's; 0 or less before it)."""
        months = (d.year - self.anchor.year) * 12 + d.month - self.anchor.month
        k = months + 1
        while self._start(k) > d:  # at most two steps back: a start is within a month of d's
            k -= 1
        while self._start(k + 1) <= d:
            k += 1
        return k + 1

    def period(self, number: int) -> Period:
        k = number - 1
        return Period(self._start(k), self._start(k + 1) - ONE_DAY, number)

    def containing(self, d: date) -> Period:
        return self.period(self.number_of(d))

    def between(self, first: date, last: date) -> Iterator[Period]:
        """The periods that hold any day from first through last, in order."""
        number = self.number_of(first)
        while True:
            p = self.period(number)
            if p.start > last:
                return
            yield p
            number += 1

    def first_starting_on_or_after(self, d: date) -> Period:
        p = self.containing(d)
        return p if p.start == d else self.period(p.number + 1)


def calendar_months(anchor: date) -> BillingPeriods:
    """Calendar months, the 1st to the last day, numbered from the anchor's month."""
    return BillingPeriods(anchor, 31)
