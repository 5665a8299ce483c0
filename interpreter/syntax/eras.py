"""Japanese date literals: 令和7年4月1日, 平成31年4月30日, 2025年4月1日, with full-width digits allowed.

Era boundaries (元号法; each era's first year, 元年, runs from its first day to December 31):
  明治 — supported only from 1873-01-01 (明治6年1月1日), when Japan adopted the Gregorian calendar; earlier
         明治 dates are lunisolar and do not map to Gregorian dates by a year offset.
  大正 1912-07-30 .. 1926-12-24
  昭和 1926-12-25 .. 1989-01-07
  平成 1989-01-08 .. 2019-04-30
  令和 2019-05-01 ..
"""
from __future__ import annotations

import re
from datetime import date

from interpreter import records

from interpreter.time.periods import days_in_month

__all__ = ["ERAS", "Era", "era_of", "format_japanese_date", "normalize_digits", "parse_japanese_date"]


@records.frozen
class Era:
    """An era (元号): its name, the Gregorian year of its 元年, its first supported day, and its last day
    (None for the current era)."""

    name: str
    first_year: int
    start: date
    end: date | None

    @property
    def offset(self) -> int:
        """Gregorian year minus era year: 令和 year y is Gregorian year 2018 + y."""
        return self.first_year - 1


# Oldest first. 明治's `start` is the Gregorian adoption date, not the era's first day (its 元年 was 1868).
ERAS: tuple[Era, ...] = (
    Era("明治", 1868, date(1873, 1, 1), date(1912, 7, 29)),
    Era("大正", 1912, date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", 1926, date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", 1989, date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", 2019, date(2019, 5, 1), None),
)
_ERA_BY_NAME = {era.name: era for era in ERAS}


# Full-width digits ０ (U+FF10) .. ９ (U+FF19) -> ASCII 0 .. 9.
_FULLWIDTH_DIGITS = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})


def normalize_digits(text: str) -> str:
    """Replace full-width digits ０-９ by ASCII 0-9; nothing else changes, so the length is kept."""
    return text.translate(_FULLWIDTH_DIGITS)


# [0-9] rather than \d: \d also matches other scripts' digits (e.g. Arabic-Indic), which int() would accept.
# Whitespace (including the ideographic space U+3000, which \s matches) is allowed between the parts.
_DATE_RE = re.compile(
    r"""
    \s*
    (?:
        (?P<era>明治|大正|昭和|平成|令和) \s* (?P<era_year>元|[0-9]{1,4})
      | (?P<year>[0-9]{4})
    )
    \s* 年 \s* (?P<month>[0-9]{1,2}) \s* 月 \s* (?P<day>[0-9]{1,2}) \s* 日 \s*
    """,
    re.VERBOSE,
)


def parse_japanese_date(text: str) -> date:
    """Parse 令和7年4月1日, 令和元年5月1日, 平成31年4月30日, 2025年4月1日 (full-width digits allowed).

    Raises ValueError, with the reason in English, for text of another shape, an era year 0, an impossible
    date (令和7年2月30日), or a date outside its era (平成31年5月1日: 平成 ended on 2019-04-30).
    """
    normalized = normalize_digits(text)
    m = _DATE_RE.fullmatch(normalized)
    if m is None:
        raise ValueError(f"{text!r} is not a date of the form 令和7年4月1日 or 2025年4月1日")
    month = int(m["month"])
    day = int(m["day"])

    era: Era | None = None
    if m["era"] is not None:
        era = _ERA_BY_NAME[m["era"]]
        era_year = 1 if m["era_year"] == "元" else int(m["era_year"])
        if era_year == 0:
            raise ValueError(f"{text!r}: there is no year 0 of {era.name}; its first year is 元年")
        year = era.offset + era_year
    else:
        year = int(m["year"])
        if year == 0:
            raise ValueError(f"{text!r}: there is no year 0")

    if year > 9999:
        raise ValueError(f"{text!r}: year {year} is beyond 9999, the last year supported")
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r}: month {month} does not exist")
    if not 1 <= day <= days_in_month(year, month):
        raise ValueError(f"{text!r}: {year}-{month:02d} has only {days_in_month(year, month)} days")
    result = date(year, month, day)

    if era is not None:
        if result < era.start:
            if era.name == "明治":
                raise ValueError(
                    f"{text!r}: 明治 dates before 1873-01-01 (明治6年1月1日) are lunisolar and not supported"
                )
            raise ValueError(f"{text!r}: {era.name} began on {era.start.isoformat()}")
        if era.end is not None and result > era.end:
            successor = ERAS[ERAS.index(era) + 1]
            raise ValueError(
                f"{text!r}: {era.name} ended on {era.end.isoformat()} "
                f"({successor.name} began on {successor.start.isoformat()})"
            )
    return result


def era_of(d: date) -> tuple[Era, int]:
    """The era d falls in and d's year within it (1 for 元年). ValueError before 1873-01-01."""
    for era in reversed(ERAS):
        if d >= era.start:
            return era, d.year - era.offset
    raise ValueError(f"{d.isoformat()} is before 1873-01-01, the earliest supported Japanese date")


def format_japanese_date(d: date) -> str:
    """d in era form for display: 令和7年4月1日, 令和元年5月1日, 平成31年4月30日."""
    era, era_year = era_of(d)
    year_text = "元" if era_year == 1 else str(era_year)
    return f"{era.name}{year_text}年{d.month}月{d.day}日"
