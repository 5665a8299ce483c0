"""Billing periods, declared once per contract: calendar months (with a closing day), or months counted from an
anchor (the 料金月 of a mobile contract: from the activation day, each starting on the anchor's 応当日, clamped to
the month's last day, always computed from the anchor and never from the period before).

Pure: no clock, no floats. A period is a closed span of days [start, end] with its number (1 for the period that
holds the anchor). Every per-period construct (recurring fees, sums "in the period", invoices, per-period entries)
runs over the periods this module gives.
"""
from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Iterator

from interpreter import records

from interpreter.time import periods

ONE_DAY = timedelta(days=1)


@records.frozen
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


@functools.lru_cache(maxsize=4096)  # a customer's entries and invoices name the same few periods again and again
def period_name(start: date, end: date) -> str:
    """A calendar month as 2025-04; any other period as 2026-04-10–2026-05-09."""
    if start.day == 1 and end == periods.end_of_month(start):
        return f"{start.year}-{start.month:02d}"
    return f"{start}–{end}"


class BillingPeriods:
    """The periods of one customer's contract.

    `anchor` is the day the periods are counted from. `closing_day` None: months counted from the anchor
    (period k starts on anchor + k months, clamped); otherwise calendar months closing on that day of the
    month (31 = the month's last day), numbered from the one holding the anchor. Periods are computed on
    demand and remembered: a customer's billing asks for the same few again and again."""

    def __init__(self, anchor: date, closing_day: int | None = None):
        self.anchor = anchor
        self.closing_day = closing_day
        self._starts: dict[int, date] = {}
        self._periods: dict[int, Period] = {}
        self._numbers: dict[date, int] = {}
        if closing_day is not None:
            close = periods.day_of_month(anchor, closing_day)
            self._first_close = close if close >= anchor else periods.day_of_month(
                periods.shift_month(anchor, 1), closing_day)

    def __eq__(self, other) -> bool:
        return isinstance(other, BillingPeriods) and (self.anchor, self.closing_day) == (
            other.anchor, other.closing_day)

    def __hash__(self) -> int:
        return hash((self.anchor, self.closing_day))

    def _start(self, k: int) -> date:
        """The first day of the period k after the anchor's (k = 0 for the anchor's own)."""
        found = self._starts.get(k)
        if found is None:
            if self.closing_day is None:
                found = periods.add_months(self.anchor, k)
            elif self.closing_day >= 31:  # calendar months: the 1st
                found = periods.shift_month(self.anchor, k)
            else:
                found = periods.day_of_month(periods.shift_month(self._first_close, k - 1), self.closing_day) + ONE_DAY
            self._starts[k] = found
        return found

    def number_of(self, d: date) -> int:
        """The number of the period holding d (1 for the anchor's; 0 or less before it)."""
        found = self._numbers.get(d)
        if found is None:
            k = (d.year - self.anchor.year) * 12 + d.month - self.anchor.month + 1
            while self._start(k) > d:  # at most two steps back: a start is within a month of d's
                k -= 1
            while self._start(k + 1) <= d:
                k += 1
            found = self._numbers[d] = k + 1
        return found

    def period(self, number: int) -> Period:
        found = self._periods.get(number)
        if found is None:
            k = number - 1
            found = self._periods[number] = Period(self._start(k), self._start(k + 1) - ONE_DAY, number)
        return found

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


@functools.lru_cache(maxsize=2048)
def billing_periods(anchor: date, closing_day: int | None = None) -> BillingPeriods:
    """The periods counted from an anchor. They are a function of the anchor and the closing day, so customers
    who start on the same day share one object (and the periods it has computed)."""
    return BillingPeriods(anchor, closing_day)


def calendar_months(anchor: date) -> BillingPeriods:
    """Calendar months, the 1st to the last day, numbered from the anchor's month."""
    return billing_periods(anchor, 31)
