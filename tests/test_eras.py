"""Tests for interpreter.syntax.eras: Japanese date literals."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interpreter.syntax.eras import ERAS, era_of, format_japanese_date, normalize_digits, parse_japanese_date

D = date


def test_normalize_digits() -> None:
    assert normalize_digits("令和７年４月１日") == "令和7年4月1日"
    assert normalize_digits("０１２３４５６７８９") == "0123456789"
    assert normalize_digits("abc 12 年") == "abc 12 年"  # untouched
    # Only full-width digits: other numerals (漢数字, Arabic-Indic) are left alone.
    assert normalize_digits("七٣") == "七٣"


@given(st.text())
def test_normalize_digits_keeps_length_and_non_digits(text: str) -> None:
    out = normalize_digits(text)
    assert len(out) == len(text)
    for before, after in zip(text, out):
        if "０" <= before <= "９":
            assert after == str(ord(before) - ord("０"))
        else:
            assert after == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 令和 began 2019-05-01, so 令和 year y is 2018 + y.
        ("令和7年4月1日", D(2025, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),  # the first day of 令和
        ("令和1年12月31日", D(2019, 12, 31)),  # "1年" and "元年" are the same year
        # 平成 year y is 1988 + y; 平成31年4月30日 is its last day.
        ("平成31年4月30日", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),  # its first day
        # 昭和 year y is 1925 + y; 昭和64年 lasted only 1/1 .. 1/7.
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("2025年4月1日", D(2025, 4, 1)),
        # Full-width digits in every form.
        ("令和７年４月１日", D(2025, 4, 1)),
        ("平成３１年４月３０日", D(2019, 4, 30)),
        ("２０２５年１２月３１日", D(2025, 12, 31)),
        ("令和7年１０月1日", D(2025, 10, 1)),  # mixed widths
        # Leading zeros and spaces (ASCII and the ideographic space U+3000) between the parts.
        ("令和07年04月01日", D(2025, 4, 1)),
        (" 令和 7 年 4 月 1 日 ", D(2025, 4, 1)),
        ("令和\u30007年4月1日", D(2025, 4, 1)),
        ("2024年2月29日", D(2024, 2, 29)),  # leap day
    ],
)
def test_parse_japanese_date(text: str, expected: date) -> None:
    assert parse_japanese_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # 令和 began on 2019-05-01, so this day is 令和元年5月1日, not 平成.
        ("平成31年5月1日", r"平成 ended on 2019-04-30 \(令和 began on 2019-05-01\)"),
        ("平成32年1月1日", "平成 ended on 2019-04-30"),
        ("昭和64年1月8日", r"昭和 ended on 1989-01-07 \(平成 began on 1989-01-08\)"),
        ("令和元年4月30日", "令和 began on 2019-05-01"),
        ("平成元年1月7日", "平成 began on 1989-01-08"),
        ("昭和元年12月24日", "昭和 began on 1926-12-25"),
        ("明治5年12月2日", "lunisolar"),  # before the Gregorian calendar (明治6年1月1日)
        # Impossible calendar dates.
        ("令和7年2月30日", "2025-02 has only 28 days"),
        ("令和6年2月30日", "2024-02 has only 29 days"),
        ("2025年4月31日", "2025-04 has only 30 days"),
        ("令和7年13月1日", "month 13 does not exist"),
        ("令和7年0月1日", "month 0 does not exist"),
        ("令和7年4月0日", "has only 30 days"),
        ("令和0年5月1日", "no year 0"),
        ("令和7982年1月1日", "beyond 9999"),  # 2018 + 7982 = 10000
        ("0000年1月1日", "no year 0"),
        # Not a date literal at all.
        ("2025-04-01", "not a date of the form"),
        ("令和七年四月一日", "not a date of the form"),  # 漢数字 are not accepted
        ("R7年4月1日", "not a date of the form"),
        ("令和7年4月1日まで", "not a date of the form"),
        ("", "not a date of the form"),
        ("令和٧年4月1日", "not a date of the form"),  # Arabic-Indic digit
    ],
)
def test_parse_japanese_date_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_japanese_date(text)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (D(2025, 4, 1), "令和7年4月1日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
    ],
)
def test_format_japanese_date(d: date, expected: str) -> None:
    assert format_japanese_date(d) == expected


def test_era_of_and_unsupported_dates() -> None:
    era, year = era_of(D(2025, 4, 1))
    assert (era.name, year) == ("令和", 7)
    era, year = era_of(D(2019, 4, 30))
    assert (era.name, year) == ("平成", 31)
    with pytest.raises(ValueError):
        era_of(D(1872, 12, 31))
    with pytest.raises(ValueError):
        format_japanese_date(D(1800, 1, 1))


def test_eras_are_contiguous() -> None:
    for earlier, later in zip(ERAS, ERAS[1:]):
        assert earlier.end is not None
        assert (later.start - earlier.end).days == 1
        assert later.first_year == later.start.year


supported = st.dates(min_value=D(1873, 1, 1), max_value=D(9999, 12, 31))


@given(supported)
def test_format_then_parse_round_trips(d: date) -> None:
    assert parse_japanese_date(format_japanese_date(d)) == d


@given(st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 31)))
def test_gregorian_and_full_width_forms_parse(d: date) -> None:
    text = f"{d.year}年{d.month}月{d.day}日"
    assert parse_japanese_date(text) == d
    full = text.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    assert full != text
    assert parse_japanese_date(full) == d


@given(st.dates(min_value=D(1926, 12, 25), max_value=D(2100, 12, 31)), st.sampled_from(["昭和", "平成", "令和"]))
def test_era_form_accepted_only_inside_the_era(d: date, name: str) -> None:
    era = next(e for e in ERAS if e.name == name)
    text = f"{name}{d.year - era.first_year + 1}年{d.month}月{d.day}日"
    inside = era.start <= d and (era.end is None or d <= era.end)
    if d.year < era.first_year:
        # A year before the era's first year would be year 0 or negative: not expressible, skip.
        return
    if inside:
        assert parse_japanese_date(text) == d
    else:
        with pytest.raises(ValueError, match=f"{name} (began|ended) on"):
            parse_japanese_date(text)
