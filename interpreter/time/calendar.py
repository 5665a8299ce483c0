"""Business days (営業日): which days a provider is open, and stepping over the days it is closed.

A `BusinessCalendar` combines weekends, Japan's national holidays (from the `holidays` package, which already
includes 振替休日 and 国民の休日), optionally the bank holidays of 12/31–1/3, and a provider's own closures.
Holiday lookups are cached per year, so a calendar answers `is_business_day` in constant time after the first
lookup in a year.

Japan's national holidays are known for the years HOLIDAY_YEARS, 1949–2099: 国民の祝日に関する法律 took
effect on 1948-07-20, so 1949 is its first whole year; 春分の日 and 秋分の日 are fixed each year by the
government's announcement of the equinoxes, which the `holidays` package predicts by formula only through
2099 (the formula breaks in 2100, which is not a leap year). A calendar that uses national or bank
holidays raises HolidaysUnknown (a ValueError) for a day outside those years, rather than silently
treating its holidays as business days; the evaluator reports it as a located error. A calendar without
holidays (`holidays none`) works for any date.

Only the Japan module of `holidays` is loaded (see `_japan`), when a holiday is first needed: importing the
package's `countries` imports every country's module, which costs about as much as the rest of a run. And
a year's holidays, once computed by the package, are kept in the user's private cache folder under the
identity of the installed package (see `japanese_holidays`), so that later runs do not load it at all.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from interpreter import records

from interpreter.cache import private_cache_file, read_json, write_json
from interpreter.time.periods import days_in_month

__all__ = ["HOLIDAY_YEARS", "MAX_SCAN_DAYS", "BusinessCalendar", "HolidaysUnknown", "YearlyRange"]

ONE_DAY = timedelta(days=1)

# How far on_or_before/on_or_after look for an open day before concluding that there is none (a calendar
# closed every day). The longest real closure (Golden Week plus a company holiday, or a year-end closure)
# is far shorter than this.
MAX_SCAN_DAYS = 400

# date.weekday(): Monday is 0, Sunday is 6.
_WEEKDAY_NAMES_JA = ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日")
SATURDAY = 5
SUNDAY = 6

# Reason given for a day the provider itself closes (closed_dates, closed_yearly).
CLOSED_REASON = "休業日"

# (start_month, start_day, end_month, end_day), both ends inclusive; may wrap the year end (12, 29, 1, 3).
YearlyRange = tuple[int, int, int, int]


class HolidaysUnknown(ValueError):
    """A business day is asked for in a year whose Japanese holidays are not known."""


@lru_cache(maxsize=1)
def _japan():
    """The `holidays` package's Japan class, loaded from its own module file.

    `import holidays.countries.japan` would first run `holidays/countries/__init__.py`, which imports all
    250 countries. The Japan module itself needs only the package's base classes, so it is loaded on its
    own, under its usual name (a later import of the whole package reuses it).
    """
    import sys

    name = "holidays.countries.japan"
    if name in sys.modules:
        return sys.modules[name].Japan
    package = importlib.util.find_spec("holidays")
    path = os.path.join(os.path.dirname(package.origin), "countries", "japan.py")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # an unusual installation: take the ordinary way
        from holidays.countries.japan import Japan

        return Japan
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module.Japan


@lru_cache(maxsize=None)
def japanese_holidays(year: int) -> dict[str, dict[date, str]]:
    """The Japanese names of the holidays of `year`, by category: "public" (national holidays) and "bank".

    Computed by the `holidays` package, and kept in the user's private cache folder (interpreter.cache) under
    the identity of the installed package, so that a later run reads them instead of loading the package
    (which costs more than checking a contract). Installing another version of the package makes a new key,
    so the names are computed again from it.
    """
    path = _holidays_cache_file(year)
    kept = read_json(path) if path is not None else None
    if isinstance(kept, dict) and set(kept) == set(_CATEGORIES):
        try:
            return {category: {date.fromisoformat(d): name for d, name in kept[category].items()}
                    for category in _CATEGORIES}
        except (AttributeError, TypeError, ValueError):
            pass  # not what this module writes: computed again below and replaced
    japan = _japan()
    known = {}
    for category in _CATEGORIES:
        days = japan(years=year, categories=(category,), language="ja", expand=False)
        known[category] = {d: "・".join(days.get_list(d)) for d in days}
    if path is not None:
        write_json(path, {category: {d.isoformat(): name for d, name in sorted(days.items())}
                          for category, days in known.items()})
    return known


_CATEGORIES = ("public", "bank")


def _holidays_cache_file(year: int):
    """The cache file for `year`, named after the installed `holidays` package: its folder, and the size and
    modification time of its version, Japan module and Japanese translations."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return None
    folder = os.path.dirname(spec.origin)
    identity = [folder]
    for part in ("version.py", os.path.join("countries", "japan.py"),
                 os.path.join("locale", "ja", "LC_MESSAGES", "JP.mo")):
        try:
            info = os.stat(os.path.join(folder, part))
            identity.append(f"{part}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            identity.append(f"{part}:missing")
    key = hashlib.sha256("\n".join(identity).encode("utf-8")).hexdigest()[:16]
    return private_cache_file(f"holidays-japan-{key}-{year}.json")


# The years whose Japanese holidays are known (see the module docstring). Fixed here rather than read from
# the package, so that a run never needs the package loaded just to learn the range; a test keeps them equal.
HOLIDAY_YEARS = range(1949, 2100)


def _to_weekend(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


def _to_dates(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


def _to_ranges(value: Iterable[Iterable[int]]) -> tuple[YearlyRange, ...]:
    ranges = []
    for r in value:
        t = tuple(r)
        if len(t) != 4:
            raise ValueError(f"a yearly closure is (month, day, month, day), got {t!r}")
        ranges.append((t[0], t[1], t[2], t[3]))
    return tuple(ranges)


def _check_weekend(_instance: object, _attribute: object, value: frozenset[int]) -> None:
    for w in value:
        if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= 6:
            raise ValueError(f"weekend days are date.weekday() numbers 0 (Monday) .. 6 (Sunday), got {w!r}")


def _check_dates(_instance: object, _attribute: object, value: frozenset[date]) -> None:
    for d in value:
        if not isinstance(d, date):
            raise TypeError(f"closed_dates must hold dates, got {d!r}")


def _check_ranges(_instance: object, _attribute: object, value: tuple[YearlyRange, ...]) -> None:
    for r in value:
        for month, day in ((r[0], r[1]), (r[2], r[3])):
            # 2000 is a leap year, so Feb 29 is accepted; in common years such a range simply has no Feb 29.
            if not 1 <= month <= 12 or not 1 <= day <= days_in_month(2000, month):
                raise ValueError(f"invalid month/day {month}/{day} in yearly closure {r!r}")


def _in_yearly_range(month: int, day: int, r: YearlyRange) -> bool:
    """True when month/day lies in the inclusive range r, which may wrap the year end."""
    key = (month, day)
    start = (r[0], r[1])
    end = (r[2], r[3])
    if start <= end:
        return start <= key <= end
    return key >= start or key <= end  # wraps: 12/29 .. 1/3


@records.frozen(kw_only=True)
class BusinessCalendar:
    """Which days are business days (営業日).

    A day is closed when it is a weekend day, a national holiday (if `national_holidays`), a bank holiday
    12/31–1/3 (if `bank_holidays`), in `closed_dates`, or inside one of the `closed_yearly` ranges.

    - `weekend`: `date.weekday()` numbers (Monday 0 .. Sunday 6); Saturday and Sunday by default.
    - `closed_dates`: extra one-off closures.
    - `closed_yearly`: (month, day, month, day) inclusive ranges recurring every year, which may wrap the
      year end, e.g. (12, 29, 1, 3) for a 年末年始 closure.
    """

    national_holidays: bool = True
    bank_holidays: bool = False
    weekend: frozenset[int] = records.field(
        default=frozenset({SATURDAY, SUNDAY}), converter=_to_weekend, validator=_check_weekend
    )
    closed_dates: frozenset[date] = records.field(
        default=frozenset(), converter=_to_dates, validator=_check_dates
    )
    closed_yearly: tuple[YearlyRange, ...] = records.field(
        default=(), converter=_to_ranges, validator=_check_ranges
    )
    # year -> {closed date (other than a plain weekend day) -> reason}; filled lazily, excluded from
    # equality, hashing and repr. The instance is frozen; only this dict's contents change.
    _cache: dict[int, dict[date, str]] = records.field(
        factory=dict, init=False, eq=False, repr=False
    )

    # -- closed days -----------------------------------------------------------------------------------

    def _closures(self, year: int) -> dict[date, str]:
        """Closed dates of `year` with their reasons, other than weekend days without a holiday."""
        cached = self._cache.get(year)
        if cached is not None:
            return cached
        closures: dict[date, str] = {}
        # Lowest precedence first, so that later assignments win: yearly ranges, one-off dates, holidays.
        if self.closed_yearly:
            d = date(year, 1, 1)
            while d.year == year:
                if any(_in_yearly_range(d.month, d.day, r) for r in self.closed_yearly):
                    closures[d] = CLOSED_REASON
                d += ONE_DAY
        for d in self.closed_dates:
            if d.year == year:
                closures[d] = CLOSED_REASON
        closures.update(self._holiday_names(year))
        self._cache[year] = closures
        return closures

    def _holiday_names(self, year: int) -> dict[date, str]:
        """Japanese names of the national (and, if enabled, bank) holidays of `year`."""
        if not (self.national_holidays or self.bank_holidays):
            return {}
        if year not in HOLIDAY_YEARS:
            first, last = HOLIDAY_YEARS[0], HOLIDAY_YEARS[-1]
            why = ("国民の祝日に関する法律 took effect in 1948" if year < first else
                   "春分の日 and 秋分の日 are announced year by year and predicted only that far")
            raise HolidaysUnknown(f"Japan's national holidays are only known for {first}–{last}, not for {year} "
                                  f"({why}); a business day in {year} cannot be determined")
        known = japanese_holidays(year)
        names: dict[date, str] = {}
        if self.bank_holidays:
            # Bank holidays (12/31, 1/2, 1/3; 1/1 is also 元日) are named 銀行休業日; a national holiday
            # name, added below, takes precedence on a day that is both.
            names.update(known["bank"])
        if self.national_holidays:
            names.update(known["public"])
        return names

    def closure_reason(self, d: date) -> str | None:
        """Why d is not a business day, or None when it is one.

        In order of precedence: the holiday's Japanese name (e.g. "振替休日", "国民の休日", "銀行休業日"),
        "休業日" for the provider's own closures, then the weekday ("土曜日", "日曜日").
        """
        reason = self._closures(d.year).get(d)
        if reason is not None:
            return reason
        weekday = d.weekday()
        if weekday in self.weekend:
            return _WEEKDAY_NAMES_JA[weekday]
        return None

    def is_business_day(self, d: date) -> bool:
        """True when d is a business day (営業日)."""
        return d.weekday() not in self.weekend and d not in self._closures(d.year)

    # -- moving to a business day ----------------------------------------------------------------------

    def _scan(self, d: date, step: timedelta) -> date:
        """The first business day among d, d+step, d+2·step, … ; ValueError after MAX_SCAN_DAYS days."""
        for _ in range(MAX_SCAN_DAYS):
            if self.is_business_day(d):
                return d
            d += step
        direction = "after" if step > timedelta(0) else "before"
        raise ValueError(f"no business day within {MAX_SCAN_DAYS} days {direction} {d - MAX_SCAN_DAYS * step}")

    def on_or_before(self, d: date) -> date:
        """d if it is a business day, else the nearest earlier business day (前営業日)."""
        return self._scan(d, -ONE_DAY)

    def on_or_after(self, d: date) -> date:
        """d if it is a business day, else the nearest later business day (翌営業日; cf. 民法第142条)."""
        return self._scan(d, ONE_DAY)

    def before(self, d: date) -> date:
        """The nearest business day strictly before d."""
        return self._scan(d - ONE_DAY, -ONE_DAY)

    def after(self, d: date) -> date:
        """The nearest business day strictly after d."""
        return self._scan(d + ONE_DAY, ONE_DAY)

    def nth_business_day(self, start: date, n: int, *, start_counts: bool = True) -> date:
        """The n-th business day (n ≥ 1) counting from `start`.

        `start` is day 1 when it is a business day and `start_counts`; otherwise day 1 is the first business
        day after it. E.g. Friday 2025-05-02, n=5: 5/2, 5/7, 5/8, 5/9, 5/12 (5/3–5/6 are holidays).
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        d = self.on_or_after(start) if start_counts else self.after(start)
        for _ in range(n - 1):
            d = self.after(d)
        return d

    def add_business_days(self, d: date, n: int) -> date:
        """d moved by n business days: the n-th business day strictly after d (n > 0), strictly before d
        (n < 0), or d itself (n == 0, even when d is closed). 「3営業日後」 of a Saturday is the Wednesday
        of an ordinary week."""
        if n >= 0:
            for _ in range(n):
                d = self.after(d)
        else:
            for _ in range(-n):
                d = self.before(d)
        return d
