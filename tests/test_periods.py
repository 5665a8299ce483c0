"""Tests for interpreter.time.periods: month arithmetic and 民法第140条〜第143条 periods."""
from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from interpreter.time.periods import (
    add_months,
    add_years,
    civil_expiry,
    day_of_month,
    days_in_month,
    end_of_month,
    is_leap_year,
    is_month_end,
    shift_month,
    start_of_month,
)

D = date

# Dates far enough from year 1 and 9999 that a few hundred months either way stay representable.
dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))
month_offsets = st.integers(min_value=-600, max_value=600)


# --- month helpers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2025, 1, 31),
        (2025, 2, 28),
        (2024, 2, 29),  # divisible by 4
        (1900, 2, 28),  # century not divisible by 400: common year
        (2000, 2, 29),  # divisible by 400: leap year
        (2025, 4, 30),
        (2025, 12, 31),
    ],
)
def test_days_in_month(year: int, month: int, expected: int) -> None:
    assert days_in_month(year, month) == expected


@pytest.mark.parametrize("month", [0, 13, -1])
def test_days_in_month_rejects_bad_month(month: int) -> None:
    with pytest.raises(ValueError):
        days_in_month(2025, month)


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_days_in_month_matches_stdlib(year: int, month: int) -> None:
    assert days_in_month(year, month) == stdlib_calendar.monthrange(year, month)[1]
    assert is_leap_year(year) == stdlib_calendar.isleap(year)


def test_start_end_of_month() -> None:
    assert start_of_month(D(2025, 2, 14)) == D(2025, 2, 1)
    assert end_of_month(D(2025, 2, 14)) == D(2025, 2, 28)
    assert end_of_month(D(2024, 2, 1)) == D(2024, 2, 29)
    assert is_month_end(D(2025, 2, 28))
    assert not is_month_end(D(2024, 2, 28))  # leap year: Feb 29 follows
    assert is_month_end(D(2025, 12, 31))
    assert not is_month_end(D(2025, 12, 30))


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 1)),
        (D(2025, 11, 15), 2, D(2026, 1, 1)),   # crosses the year end
        (D(2025, 1, 15), -1, D(2024, 12, 1)),  # negative, crosses back
        (D(2025, 3, 31), -14, D(2024, 1, 1)),
        (D(2025, 6, 30), 0, D(2025, 6, 1)),
    ],
)
def test_shift_month(d: date, n: int, expected: date) -> None:
    assert shift_month(d, n) == expected


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        # From the anchor, not by steps: stepping would go Jan 31 -> Feb 28 -> Mar 28.
        (D(2025, 1, 31), 2, D(2025, 3, 31)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 5, 15), 12, D(2026, 5, 15)),
        (D(2025, 8, 31), -6, D(2025, 2, 28)),
    ],
)
def test_add_months_examples(d: date, n: int, expected: date) -> None:
    assert add_months(d, n) == expected


def test_add_years_clamps_feb_29() -> None:
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2025, 2, 28), -1) == D(2024, 2, 28)


@given(dates, month_offsets)
def test_add_months_matches_independent_oracle(d: date, n: int) -> None:
    # dateutil's relativedelta adds calendar months from the anchor and clamps to the month end;
    # it shares no code with interpreter.time.periods.
    assert add_months(d, n) == d + relativedelta(months=n)


@given(dates, month_offsets)
def test_add_months_is_clamped_day_of_shifted_month(d: date, n: int) -> None:
    result = add_months(d, n)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    last = stdlib_calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(d.day, last)


def test_day_of_month_clamps() -> None:
    assert day_of_month(D(2025, 2, 10), 31) == D(2025, 2, 28)
    assert day_of_month(D(2024, 2, 10), 30) == D(2024, 2, 29)
    assert day_of_month(D(2025, 4, 1), 31) == D(2025, 4, 30)
    assert day_of_month(D(2025, 5, 20), 25) == D(2025, 5, 25)
    with pytest.raises(ValueError):
        day_of_month(D(2025, 5, 20), 0)


# --- 民法第140条〜第143条 --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("start", "amount", "unit", "first_day_counts", "expected"),
    [
        # Counted from 2025-04-01 inclusive (e.g. 「4月1日から起算して3か月」): K = 4/1. The day in the
        # last month (July) corresponding to K is 7/1; the period ends the day before (143条2項): 6/30.
        (D(2025, 4, 1), 3, "months", True, D(2025, 6, 30)),
        # After 2025-04-01 with the first day not counted (140条本文): K = 4/2. Corresponding day 7/2,
        # the day before is 7/1.
        (D(2025, 4, 1), 3, "months", False, D(2025, 7, 1)),
        # K = 1/31, 1 month: the last month is February, which has no 31st, so the period ends on
        # February's last day (143条2項ただし書): 2/28 in 2025 ...
        (D(2025, 1, 31), 1, "months", True, D(2025, 2, 28)),
        # ... and 2/29 in the leap year 2024.
        (D(2024, 1, 31), 1, "months", True, D(2024, 2, 29)),
        # K = 1/30, 1 month: the corresponding day would be Feb 30, which does not exist, so ただし書
        # again gives February's last day, 2/28 (not 2/29 = "the day before Mar 1").
        (D(2025, 1, 30), 1, "months", True, D(2025, 2, 28)),
        # K = 3/31, 1 month: April has no 31st -> April's last day, 4/30.
        (D(2025, 3, 31), 1, "months", True, D(2025, 4, 30)),
        # K = 2/28, 1 month: March 28 corresponds to K and exists; the day before is 3/27. (Not the month
        # end: 143条 looks at K's day-of-month, not at whether K is the last day of February.)
        (D(2025, 2, 28), 1, "months", True, D(2025, 3, 27)),
        # After 2025-05-10, 30 days: K = 5/11 (140条), the 30th day is K + 29 = 5/11 + 20 (-> 5/31)
        # + 9 = 6/9.
        (D(2025, 5, 10), 30, "days", False, D(2025, 6, 9)),
        # After 2025-05-10, 2 weeks: K = 5/11 (a Sunday). The day of the 2nd week corresponding to K is
        # 5/25 (also a Sunday); the period ends the day before, 5/24 (143条2項).
        (D(2025, 5, 10), 2, "weeks", False, D(2025, 5, 24)),
        # 1 year counted from 2024-02-29 inclusive: K = 2024-02-29. The last year's February (2025) has
        # no 29th, so the period ends on that month's last day, 2025-02-28 (143条2項ただし書).
        (D(2024, 2, 29), 1, "years", True, D(2025, 2, 28)),
        # 1 day counted inclusive is just that day; after it, the next day.
        (D(2025, 5, 10), 1, "days", True, D(2025, 5, 10)),
        (D(2025, 5, 10), 1, "days", False, D(2025, 5, 11)),
        # 1 year from 2025-04-01 inclusive: K = 2025-04-01, corresponding day 2026-04-01, ends 2026-03-31.
        (D(2025, 4, 1), 1, "years", True, D(2026, 3, 31)),
        # 2 years after 2024-02-28 (not counted): K = 2024-02-29, last month Feb 2026 has no 29th -> 2/28.
        (D(2024, 2, 28), 2, "years", False, D(2026, 2, 28)),
        # 13 months counted from 2025-12-15: K = 2025-12-15, corresponding day 2027-01-15, ends 2027-01-14.
        (D(2025, 12, 15), 13, "months", True, D(2027, 1, 14)),
    ],
)
def test_civil_expiry_examples(
    start: date, amount: int, unit: str, first_day_counts: bool, expected: date
) -> None:
    assert civil_expiry(start, amount, unit, first_day_counts=first_day_counts) == expected


@pytest.mark.parametrize("amount", [0, -1])
def test_civil_expiry_rejects_non_positive_amount(amount: int) -> None:
    with pytest.raises(ValueError):
        civil_expiry(D(2025, 1, 1), amount, "days", first_day_counts=True)


def test_civil_expiry_rejects_bad_unit_and_type() -> None:
    with pytest.raises(ValueError):
        civil_expiry(D(2025, 1, 1), 1, "month", first_day_counts=True)
    with pytest.raises(TypeError):
        civil_expiry(D(2025, 1, 1), 1.0, "days", first_day_counts=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        civil_expiry(D(2025, 1, 1), True, "days", first_day_counts=True)  # type: ignore[arg-type]


units = st.sampled_from(["days", "weeks", "months", "years"])
amounts = st.integers(min_value=1, max_value=120)


@given(dates, units, amounts, st.booleans())
def test_civil_expiry_strictly_monotone_in_amount(start: date, unit: str, amount: int, counts: bool) -> None:
    shorter = civil_expiry(start, amount, unit, first_day_counts=counts)
    longer = civil_expiry(start, amount + 1, unit, first_day_counts=counts)
    assert shorter < longer


@given(dates, units, amounts)
def test_civil_expiry_first_day_not_counted_is_next_day_counted(start: date, unit: str, amount: int) -> None:
    assert civil_expiry(start, amount, unit, first_day_counts=False) == civil_expiry(
        start + timedelta(days=1), amount, unit, first_day_counts=True
    )


@given(dates, units, amounts, st.booleans())
def test_civil_expiry_is_on_or_after_start(start: date, unit: str, amount: int, counts: bool) -> None:
    end = civil_expiry(start, amount, unit, first_day_counts=counts)
    assert end >= start


@given(dates, st.integers(min_value=1, max_value=1000))
def test_civil_expiry_days_counts_exactly_amount_days(start: date, amount: int) -> None:
    # Counting inclusively, [start, end] holds exactly `amount` days.
    end = civil_expiry(start, amount, "days", first_day_counts=True)
    assert (end - start).days + 1 == amount


@given(dates, st.integers(min_value=1, max_value=120))
def test_civil_expiry_months_against_relativedelta(start: date, amount: int) -> None:
    # Independent restatement of 143条2項 using dateutil: the corresponding day exists iff adding months
    # with relativedelta keeps K's day-of-month; then the period ends the day before it, otherwise at the
    # (clamped) month end that relativedelta lands on.
    k = start
    landed = k + relativedelta(months=amount)
    expected = landed - timedelta(days=1) if landed.day == k.day else landed
    assert civil_expiry(start, amount, "months", first_day_counts=True) == expected


@given(dates, st.integers(min_value=1, max_value=20))
def test_civil_expiry_years_equals_twelve_months(start: date, amount: int) -> None:
    assert civil_expiry(start, amount, "years", first_day_counts=True) == civil_expiry(
        start, 12 * amount, "months", first_day_counts=True
    )
