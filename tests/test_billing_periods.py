"""Billing periods (interpreter.time.billing_periods): 料金月 counted from an anchor, and calendar months with a
closing day. Figures worked out by hand from みなとモバイル 第2条(4) (docs/contracts/minato-mobile.md, M1)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from interpreter.time import periods
from interpreter.time.billing_periods import BillingPeriods, calendar_months

D = date


def spans(b: BillingPeriods, first: date, last: date) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in b.between(first, last)]


def test_anchor_on_the_31st_comes_back_to_the_31st():
    # 10/31 + k months, clamped: 11/30, 12/31, 1/31, 2/28, 3/31, 4/30 — never 12/30 (stepping from 11/30 would).
    b = BillingPeriods(D(2025, 10, 31))
    assert spans(b, D(2025, 10, 31), D(2026, 5, 30)) == [
        (D(2025, 10, 31), D(2025, 11, 29)), (D(2025, 11, 30), D(2025, 12, 30)), (D(2025, 12, 31), D(2026, 1, 30)),
        (D(2026, 1, 31), D(2026, 2, 27)), (D(2026, 2, 28), D(2026, 3, 30)), (D(2026, 3, 31), D(2026, 4, 29)),
        (D(2026, 4, 30), D(2026, 5, 30))]


def test_anchor_on_the_29th_and_30th_in_a_leap_year_and_not():
    assert spans(BillingPeriods(D(2028, 1, 29)), D(2028, 1, 29), D(2028, 3, 28)) == [
        (D(2028, 1, 29), D(2028, 2, 28)), (D(2028, 2, 29), D(2028, 3, 28))]
    assert spans(BillingPeriods(D(2028, 1, 30)), D(2028, 1, 30), D(2028, 4, 29)) == [
        (D(2028, 1, 30), D(2028, 2, 28)), (D(2028, 2, 29), D(2028, 3, 29)), (D(2028, 3, 30), D(2028, 4, 29))]
    assert spans(BillingPeriods(D(2027, 1, 29)), D(2027, 1, 29), D(2027, 3, 28)) == [
        (D(2027, 1, 29), D(2027, 2, 27)), (D(2027, 2, 28), D(2027, 3, 28))]


def test_numbers_count_from_the_anchor():
    # 第13条2: 利用開始日 2026-04-10; 2027-03-09 is in the 11th 料金月, 2027-04-09 the last day of the 12th.
    b = BillingPeriods(D(2026, 4, 10))
    assert b.number_of(D(2026, 4, 10)) == 1
    assert b.number_of(D(2027, 3, 9)) == 11
    assert b.number_of(D(2027, 4, 9)) == 12
    assert b.number_of(D(2027, 4, 10)) == 13
    assert b.number_of(D(2026, 4, 9)) == 0  # before the anchor
    assert b.first_starting_on_or_after(D(2026, 5, 10)).number == 2
    assert b.first_starting_on_or_after(D(2026, 5, 11)).number == 3


def test_calendar_months_and_a_closing_day():
    months = calendar_months(D(2025, 4, 15))
    assert [str(p) for p in months.between(D(2025, 4, 15), D(2025, 6, 1))] == ["2025-04", "2025-05", "2025-06"]
    assert months.containing(D(2025, 2, 28)).number == -1
    closing_20 = BillingPeriods(D(2025, 4, 15), 20)
    assert spans(closing_20, D(2025, 4, 15), D(2025, 5, 21)) == [
        (D(2025, 3, 21), D(2025, 4, 20)), (D(2025, 4, 21), D(2025, 5, 20)), (D(2025, 5, 21), D(2025, 6, 20))]


anchors = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(anchors, st.integers(min_value=0, max_value=400), st.sampled_from([None, 5, 20, 28, 31]))
def test_periods_tile_the_days_and_start_on_the_anchor_count(anchor, offset, closing):
    """Consecutive periods meet without gap or overlap, the period of any day holds it, and a 料金月 starts on
    the anchor plus whole months, clamped (never drifting after a short month)."""
    b = BillingPeriods(anchor, closing)
    day = anchor + timedelta(days=offset)
    p = b.containing(day)
    assert p.start <= day <= p.end
    following = b.period(p.number + 1)
    assert following.start == p.end + timedelta(days=1)
    assert 28 <= p.days <= 31
    if closing is None:
        assert p.start == periods.add_months(anchor, p.number - 1)
