"""Tests for interpreter.time.calendar.BusinessCalendar."""
from __future__ import annotations

import time
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.time.calendar import MAX_SCAN_DAYS, BusinessCalendar, HolidaysUnknown

D = date
ONE_DAY = timedelta(days=1)

JP = BusinessCalendar()  # weekends + national holidays


# --- hand-checked days -------------------------------------------------------------------------------

def test_substitute_holiday_2025_02_24() -> None:
    # 天皇誕生日 2025-02-23 fell on a Sunday, so the next non-holiday day, Monday 2/24, is a 振替休日
    # (国民の祝日に関する法律 第3条2項).
    assert D(2025, 2, 23).weekday() == 6
    assert JP.closure_reason(D(2025, 2, 23)) == "天皇誕生日"  # holiday name wins over "日曜日"
    assert JP.closure_reason(D(2025, 2, 24)) == "振替休日"
    assert not JP.is_business_day(D(2025, 2, 24))
    assert JP.is_business_day(D(2025, 2, 25))


def test_citizens_holiday_2026_09_22() -> None:
    # 2026: 敬老の日 is the third Monday of September, 9/21; 秋分の日 is 9/23 (Wednesday). Tuesday 9/22 is
    # sandwiched between two holidays and becomes a 国民の休日 (同法第3条3項).
    assert JP.closure_reason(D(2026, 9, 21)) == "敬老の日"
    assert JP.closure_reason(D(2026, 9, 23)) == "秋分の日"
    assert D(2026, 9, 22).weekday() == 1
    assert JP.closure_reason(D(2026, 9, 22)) == "国民の休日"
    assert JP.on_or_after(D(2026, 9, 19)) == D(2026, 9, 24)  # Sat 19 .. Wed 23 all closed


def test_deadline_on_weekend_before_marine_day() -> None:
    # 2025-07-19 is a Saturday, 7/20 a Sunday and Monday 7/21 is 海の日 (third Monday of July).
    assert JP.closure_reason(D(2025, 7, 19)) == "土曜日"
    assert JP.closure_reason(D(2025, 7, 20)) == "日曜日"
    assert JP.closure_reason(D(2025, 7, 21)) == "海の日"
    # Moving back from Sunday lands on Friday 7/18; moving forward from Saturday skips Sun and the holiday.
    assert JP.on_or_before(D(2025, 7, 20)) == D(2025, 7, 18)
    assert JP.on_or_after(D(2025, 7, 19)) == D(2025, 7, 22)
    # On a business day both return the day itself; the strict variants do not.
    assert JP.on_or_before(D(2025, 7, 22)) == D(2025, 7, 22)
    assert JP.on_or_after(D(2025, 7, 18)) == D(2025, 7, 18)
    assert JP.before(D(2025, 7, 22)) == D(2025, 7, 18)
    assert JP.after(D(2025, 7, 18)) == D(2025, 7, 22)


def test_fifth_business_day_across_golden_week() -> None:
    # Friday 2025-05-02 is a business day; 5/3 憲法記念日 (Sat), 5/4 みどりの日 (Sun), 5/5 こどもの日 (Mon) and
    # 5/6 振替休日 (5/4 fell on a Sunday) are closed. Counting 5/2 as day 1: 5/2, 5/7, 5/8, 5/9, 5/12
    # (5/10-11 weekend) -> 2025-05-12.
    assert JP.closure_reason(D(2025, 5, 6)) == "振替休日"
    assert JP.nth_business_day(D(2025, 5, 2), 5) == D(2025, 5, 12)
    # Not counting 5/2: 5/7, 5/8, 5/9, 5/12, 5/13.
    assert JP.nth_business_day(D(2025, 5, 2), 5, start_counts=False) == D(2025, 5, 13)
    # Starting on a closed day: day 1 is the next business day, 5/7.
    assert JP.nth_business_day(D(2025, 5, 3), 1) == D(2025, 5, 7)
    assert JP.nth_business_day(D(2025, 5, 2), 1) == D(2025, 5, 2)
    with pytest.raises(ValueError):
        JP.nth_business_day(D(2025, 5, 2), 0)


def test_add_business_days() -> None:
    # Three business days after Saturday 2025-07-19: (Sun 20, Mon 21 海の日 closed) Tue 22, Wed 23, Thu 24.
    assert JP.add_business_days(D(2025, 7, 19), 3) == D(2025, 7, 24)
    # One business day before Wednesday 2025-05-07 skips Golden Week back to Friday 5/2.
    assert JP.add_business_days(D(2025, 5, 7), -1) == D(2025, 5, 2)
    assert JP.add_business_days(D(2025, 5, 7), -2) == D(2025, 5, 1)
    # Zero is the identity, even on a closed day.
    assert JP.add_business_days(D(2025, 5, 4), 0) == D(2025, 5, 4)


def test_year_end_closure_wraps_the_year() -> None:
    cal = BusinessCalendar(closed_yearly=[(12, 29, 1, 3)])
    # 2025-12-26 is a Friday (open); 27/28 weekend; Mon 12/29 .. Sat 2026-01-03 closed; Sun 1/4 weekend;
    # Monday 2026-01-05 is the first business day of 2026.
    assert cal.is_business_day(D(2025, 12, 26))
    assert cal.closure_reason(D(2025, 12, 28)) == "日曜日"  # just outside the range
    assert cal.closure_reason(D(2025, 12, 29)) == "休業日"
    assert cal.closure_reason(D(2025, 12, 31)) == "休業日"
    assert cal.closure_reason(D(2026, 1, 1)) == "元日"  # the national holiday's name takes precedence
    assert cal.closure_reason(D(2026, 1, 2)) == "休業日"
    assert cal.closure_reason(D(2026, 1, 3)) == "休業日"  # a Saturday, but the closure is the reason given
    assert cal.after(D(2025, 12, 26)) == D(2026, 1, 5)
    assert cal.before(D(2026, 1, 5)) == D(2025, 12, 26)
    # The range recurs: Thursday 2025-01-02 and Friday 1/3 (from the 2024 year end) are closed too,
    # and Monday 2025-01-06 is the first business day.
    assert not cal.is_business_day(D(2025, 1, 2))
    assert cal.on_or_after(D(2024, 12, 27)) == D(2024, 12, 27)  # Friday, before the closure
    assert cal.on_or_after(D(2024, 12, 28)) == D(2025, 1, 6)
    # Without the closure the same days are ordinary business days.
    assert JP.is_business_day(D(2025, 12, 29))
    assert JP.is_business_day(D(2026, 1, 2))


def test_non_wrapping_yearly_range_and_feb_29() -> None:
    cal = BusinessCalendar(closed_yearly=[(8, 13, 8, 15), (2, 29, 2, 29)])
    assert cal.is_business_day(D(2025, 8, 12))
    assert not cal.is_business_day(D(2025, 8, 13))
    assert not cal.is_business_day(D(2025, 8, 15))
    assert cal.is_business_day(D(2025, 8, 18))  # Monday after; 16/17 weekend
    assert not cal.is_business_day(D(2028, 2, 29))  # Tuesday in a leap year
    assert cal.is_business_day(D(2028, 2, 28))
    assert cal.is_business_day(D(2028, 3, 1))


def test_bank_holidays_close_dec_31_to_jan_3() -> None:
    bank = BusinessCalendar(bank_holidays=True)
    # 2025-12-31 is a Wednesday and 2026-01-02 a Friday: ordinary business days nationally, closed for banks.
    assert JP.is_business_day(D(2025, 12, 31))
    assert bank.closure_reason(D(2025, 12, 31)) == "銀行休業日"
    assert bank.closure_reason(D(2026, 1, 2)) == "銀行休業日"
    assert bank.closure_reason(D(2026, 1, 1)) == "元日"
    assert bank.on_or_after(D(2025, 12, 31)) == D(2026, 1, 5)
    # National holidays still apply.
    assert bank.closure_reason(D(2025, 2, 24)) == "振替休日"


def test_without_national_holidays() -> None:
    cal = BusinessCalendar(national_holidays=False)
    assert cal.is_business_day(D(2025, 7, 21))  # 海の日 is a business day here
    assert cal.closure_reason(D(2025, 7, 21)) is None
    assert not cal.is_business_day(D(2025, 7, 20))


def test_custom_weekend_and_closed_dates() -> None:
    cal = BusinessCalendar(weekend={6}, closed_dates={D(2025, 6, 18)})
    assert cal.is_business_day(D(2025, 6, 14))  # Saturday is open
    assert cal.closure_reason(D(2025, 6, 15)) == "日曜日"
    assert cal.closure_reason(D(2025, 6, 18)) == "休業日"
    assert cal.after(D(2025, 6, 17)) == D(2025, 6, 19)
    friday_weekend = BusinessCalendar(weekend={4, 5})
    assert friday_weekend.closure_reason(D(2025, 6, 13)) == "金曜日"
    assert friday_weekend.is_business_day(D(2025, 6, 15))  # Sunday open


def test_calendar_without_business_days_raises() -> None:
    never = BusinessCalendar(weekend=range(7))
    for method in (never.on_or_before, never.on_or_after, never.before, never.after):
        with pytest.raises(ValueError, match="no business day"):
            method(D(2025, 1, 1))
    with pytest.raises(ValueError):
        never.nth_business_day(D(2025, 1, 1), 1)
    all_year = BusinessCalendar(national_holidays=False, closed_yearly=[(1, 1, 12, 31)])
    with pytest.raises(ValueError):
        all_year.on_or_after(D(2025, 6, 1))


def test_long_but_finite_closure_is_crossed() -> None:
    # A closure shorter than the scan limit is crossed: closed 2025-01-01 .. 2025-10-31 (303 days).
    cal = BusinessCalendar(national_holidays=False, closed_yearly=[(1, 1, 10, 31)])
    assert cal.on_or_after(D(2025, 1, 1)) == D(2025, 11, 3)  # Sat 11/1, Sun 11/2
    assert MAX_SCAN_DAYS > 310


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekend": {7}},
        {"weekend": {-1}},
        {"closed_yearly": [(13, 1, 1, 1)]},
        {"closed_yearly": [(2, 30, 3, 1)]},
        {"closed_yearly": [(4, 31, 5, 1)]},
        {"closed_yearly": [(12, 29, 1)]},
    ],
)
def test_invalid_configuration(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_years_outside_holiday_data_are_rejected() -> None:
    with pytest.raises(ValueError, match="only known"):
        JP.is_business_day(D(2100, 1, 4))
    with pytest.raises(ValueError, match="only known"):
        JP.is_business_day(D(1948, 6, 1))
    # A calendar without holiday data has no such limit.
    assert BusinessCalendar(national_holidays=False).is_business_day(D(2100, 1, 4))


def test_value_semantics() -> None:
    assert BusinessCalendar() == JP
    assert hash(BusinessCalendar()) == hash(JP)
    assert BusinessCalendar(bank_holidays=True) != JP
    JP.is_business_day(D(2025, 1, 1))  # filling the cache does not change equality
    assert BusinessCalendar() == JP


def test_many_lookups_are_fast() -> None:
    cal = BusinessCalendar(bank_holidays=True, closed_yearly=[(12, 29, 1, 3)])
    days = [D(2020, 1, 1) + timedelta(days=i % 3650) for i in range(100_000)]
    began = time.perf_counter()
    open_days = sum(1 for d in days if cal.is_business_day(d))
    elapsed = time.perf_counter() - began
    assert 0 < open_days < len(days)
    assert elapsed < 1, f"100k lookups took {elapsed:.3f}s"


# --- properties --------------------------------------------------------------------------------------

# Stay inside the holidays package's data range (1949-2099) with room for scans across a year boundary.
dates = st.dates(min_value=D(1951, 1, 1), max_value=D(2097, 12, 31))


@st.composite
def yearly_ranges(draw: st.DrawFn) -> tuple[int, int, int, int]:
    # A range of up to 31 days starting anywhere in a common year, possibly wrapping the year end.
    first = draw(st.dates(min_value=D(2001, 1, 1), max_value=D(2001, 12, 31)))
    last_day = first + timedelta(days=draw(st.integers(min_value=0, max_value=30)))
    return (first.month, first.day, last_day.month, last_day.day)


calendars = st.builds(
    BusinessCalendar,
    national_holidays=st.booleans(),
    bank_holidays=st.booleans(),
    weekend=st.frozensets(st.integers(min_value=0, max_value=6), max_size=5),
    closed_dates=st.frozensets(dates, max_size=20),
    closed_yearly=st.lists(yearly_ranges(), max_size=2),
)


def oracle_is_closed(cal: BusinessCalendar, d: date) -> bool:
    """An independent restatement of the closing rules, written with date ranges rather than tuples."""
    if d.weekday() in cal.weekend or d in cal.closed_dates:
        return True
    categories = (("public",) if cal.national_holidays else ()) + (("bank",) if cal.bank_holidays else ())
    if categories and d in holidays.Japan(years=d.year, categories=categories):
        return True
    for m1, d1, m2, d2 in cal.closed_yearly:
        lo, hi = D(d.year, m1, d1), D(d.year, m2, d2)
        if lo <= hi and lo <= d <= hi:
            return True
        if lo > hi and (d >= lo or d <= hi):
            return True
    return False


@settings(max_examples=300)
@given(calendars, dates)
def test_is_business_day_matches_oracle(cal: BusinessCalendar, d: date) -> None:
    assert cal.is_business_day(d) == (not oracle_is_closed(cal, d))
    assert (cal.closure_reason(d) is None) == cal.is_business_day(d)


@given(calendars, dates)
def test_on_or_before_is_nearest_business_day_not_after(cal: BusinessCalendar, d: date) -> None:
    result = cal.on_or_before(d)
    assert result <= d
    assert cal.is_business_day(result)
    x = result + ONE_DAY
    while x <= d:
        assert not cal.is_business_day(x), f"{x} is a business day between {result} and {d}"
        x += ONE_DAY


@given(calendars, dates)
def test_on_or_after_is_nearest_business_day_not_before(cal: BusinessCalendar, d: date) -> None:
    result = cal.on_or_after(d)
    assert result >= d
    assert cal.is_business_day(result)
    x = d
    while x < result:
        assert not cal.is_business_day(x), f"{x} is a business day between {d} and {result}"
        x += ONE_DAY


@given(calendars, dates)
def test_strict_variants(cal: BusinessCalendar, d: date) -> None:
    assert cal.before(d) < d
    assert cal.after(d) > d
    assert cal.before(d) == cal.on_or_before(d - ONE_DAY)
    assert cal.after(d) == cal.on_or_after(d + ONE_DAY)


@given(calendars, dates, st.integers(min_value=1, max_value=30))
def test_add_business_days_counts_business_days(cal: BusinessCalendar, d: date, n: int) -> None:
    forward = cal.add_business_days(d, n)
    # Exactly n business days in (d, forward], the last of them being `forward` itself.
    count = sum(1 for i in range(1, (forward - d).days + 1) if cal.is_business_day(d + timedelta(days=i)))
    assert count == n
    assert cal.is_business_day(forward)
    assert forward == cal.nth_business_day(d, n, start_counts=False)
    backward = cal.add_business_days(d, -n)
    count = sum(1 for i in range(0, (d - backward).days) if cal.is_business_day(backward + timedelta(days=i)))
    assert count == n
    if cal.is_business_day(d):
        assert cal.add_business_days(forward, -n) == d
        assert cal.nth_business_day(d, n) == cal.add_business_days(d, n - 1)


def test_the_holiday_years_are_those_the_package_knows() -> None:
    from holidays.countries.japan import Japan

    from interpreter.time.calendar import HOLIDAY_YEARS

    assert (HOLIDAY_YEARS[0], HOLIDAY_YEARS[-1]) == (Japan.start_year, Japan.end_year) == (1949, 2099)


def test_every_year_in_range_has_its_holidays() -> None:
    # Every year of the law has 元日 and a 春分の日 in March; the last year (2099) and the first (1949) too.
    from interpreter.time.calendar import HOLIDAY_YEARS

    for year in HOLIDAY_YEARS:
        assert JP.closure_reason(D(year, 1, 1)) == "元日"
        assert any(JP.closure_reason(D(year, 3, day)) == "春分の日" for day in (19, 20, 21, 22)), year
    # 2099-12-31 is a Thursday and open; the business day after it lies in 2100, which is not known
    assert JP.on_or_after(D(2099, 12, 31)) == D(2099, 12, 31)
    with pytest.raises(HolidaysUnknown, match="only known for 1949–2099, not for 2100"):
        JP.after(D(2099, 12, 31))


def test_only_the_japan_module_of_holidays_is_imported_and_then_not_even_that(tmp_path) -> None:
    import os
    import subprocess
    import sys

    code = ("import sys; from datetime import date; from interpreter.time.calendar import BusinessCalendar; "
            "print(BusinessCalendar().closure_reason(date(2025, 1, 1))); "
            "print(sorted(m for m in sys.modules if m.startswith('holidays.countries'))); "
            "print(any(m.startswith('holidays') for m in sys.modules))")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))

    def run() -> list[str]:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=env).stdout.split("\n")[:3]

    # The first run computes 2025's holidays with the package's Japan module alone; the second reads them.
    assert run() == ["元日", "['holidays.countries.japan']", "True"]
    assert [p.name.endswith("-2025.json") for p in (tmp_path / "yakkan").iterdir()] == [True]
    assert run() == ["元日", "[]", "False"]


def _holidays_cached_in(folder, monkeypatch):
    """japanese_holidays with its cache in `folder`, and nothing remembered in this process."""
    from interpreter.time import calendar

    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    calendar.japanese_holidays.cache_clear()
    monkeypatch.setattr(calendar, "japanese_holidays", calendar.japanese_holidays.__wrapped__)
    return calendar


def test_cached_holidays_are_the_packages(tmp_path, monkeypatch) -> None:
    calendar = _holidays_cached_in(tmp_path, monkeypatch)
    for year in (1949, 1989, 2019, 2025, 2099):  # 2019: the year of 即位の日 and a ten-day Golden Week
        computed = calendar.japanese_holidays(year)  # computed by the package, and written
        public = holidays.Japan(years=year, categories=("public",), language="ja")
        bank = holidays.Japan(years=year, categories=("bank",), language="ja")
        assert computed == {"public": {d: "・".join(public.get_list(d)) for d in public},
                            "bank": {d: "・".join(bank.get_list(d)) for d in bank}}
        assert calendar.japanese_holidays(year) == computed  # read back from the file
    assert computed["public"][D(2099, 1, 1)] == "元日"
    assert calendar.japanese_holidays(2019)["public"][D(2019, 5, 1)] == "天皇の即位の日"


def test_a_holiday_file_others_could_write_or_that_is_damaged_is_not_believed(tmp_path, monkeypatch) -> None:
    import json

    calendar = _holidays_cached_in(tmp_path, monkeypatch)
    calendar.japanese_holidays(2025)
    (path,) = (tmp_path / "yakkan").iterdir()
    # 2025-06-02, a Monday, made a holiday by someone else: not believed while others can write the file
    forged = {"public": {"2025-06-02": "偽の祝日"}, "bank": {}}
    path.write_text(json.dumps(forged), encoding="utf-8")
    path.chmod(0o666)
    assert D(2025, 6, 2) not in calendar.japanese_holidays(2025)["public"]
    assert path.read_text(encoding="utf-8") == json.dumps(forged)  # nor overwritten
    # a damaged file of our own is computed again and replaced
    path.chmod(0o600)
    path.write_text('{"public": {"2025-13-01": 1}, "bank": {}}', encoding="utf-8")
    assert calendar.japanese_holidays(2025)["public"][D(2025, 1, 1)] == "元日"
    assert json.loads(path.read_text(encoding="utf-8"))["public"]["2025-01-01"] == "元日"
