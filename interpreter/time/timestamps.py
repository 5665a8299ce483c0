"""Dates and instants as scenario files write them.

A scenario's `as_of` is a date; an event's `at` is a date or a date-time. A date-time without an offset is
Japan time (+09:00), and every instant is returned converted to Japan time, so that "which day did this
happen on" is always the Japanese calendar day.

Full-width digits (０-９), which Japanese input methods produce readily, are accepted and read as ASCII
digits. Errors are ValueError with a message meant to be shown to a user as it is, e.g.
"2025-02-30 is not a date: February 2025 has 28 days".
"""
from __future__ import annotations

import calendar
import re
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone

__all__ = ["JST", "parse_date", "parse_instant", "is_date_only"]

JST = timezone(timedelta(hours=9), "JST")

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_DATE = r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
_DATE_RE = re.compile(_DATE + r"\Z")
_INSTANT_RE = re.compile(
    _DATE
    + r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?"
    + r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?)?\Z"
)

_MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def _normalise(text: str) -> str:
    return text.translate(_FULL_WIDTH_DIGITS)


def _shown(text: str) -> str:
    """The text as it appears in a message: short, and never blank."""
    if not text.strip():
        return "an empty value" if not text else f"{text!r}"
    lines = text.splitlines()
    if len(lines) > 1 or len(text) > 40:
        return lines[0][:37] + "..."
    return text


def _check_date(year: int, month: int, day: int) -> str | None:
    """Why year-month-day is not a calendar date, or None when it is one."""
    if year < 1:
        return "years start at 0001"
    if not 1 <= month <= 12:
        return f"there is no month {month:02d} (months run from 01 to 12)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{_MONTHS[month]} {year} has {days} days"
    return None


def is_date_only(text: str) -> bool:
    """True when the text has the shape of a date without a time (YYYY-MM-DD, full-width digits allowed).

    Only the shape is tested: is_date_only("2025-02-30") is True; parse_date says whether it exists.
    """
    return isinstance(text, str) and _DATE_RE.match(_normalise(text)) is not None


def parse_date(text: str) -> date:
    """An ISO date, YYYY-MM-DD. Raises ValueError with a message for the user."""
    m = _DATE_RE.match(_normalise(text))
    if m is None:
        if _INSTANT_RE.match(_normalise(text)):
            raise ValueError(f"{_shown(text)} is not a date: it has a time of day; write only YYYY-MM-DD")
        raise ValueError(f"{_shown(text)} is not a date: expected the form YYYY-MM-DD, e.g. 2025-04-01")
    year, month, day = int(m["year"]), int(m["month"]), int(m["day"])
    problem = _check_date(year, month, day)
    if problem:
        raise ValueError(f"{_shown(text)} is not a date: {problem}")
    return date(year, month, day)


@lru_cache(maxsize=8192)
def parse_instant(text: str) -> datetime:
    """A date or date-time, as an aware datetime in Japan time. Raises ValueError with a message for the user.

    Accepted: YYYY-MM-DD (midnight, Japan time); YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS and
    YYYY-MM-DDTHH:MM:SS.ffffff, with T or a space between date and time, and an optional offset `Z` or
    `±HH:MM`. Without an offset the time is Japan time.

    Cached: a portfolio writes the same few texts over and over (every payment at the same hour), and the
    answer is an immutable datetime of the text alone; an error is raised again each time, never cached.
    """
    normal = _normalise(text)
    m = _INSTANT_RE.match(normal)
    if m is None:
        raise ValueError(
            f"{_shown(text)} is not a date or date-time: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], "
            "optionally followed by an offset such as +09:00 or Z (no offset means Japan time)"
        )
    kind = "date" if m["hour"] is None else "date-time"
    year, month, day = int(m["year"]), int(m["month"]), int(m["day"])
    problem = _check_date(year, month, day)
    if problem:
        raise ValueError(f"{_shown(text)} is not a {kind}: {problem}")
    if m["hour"] is None:
        return datetime(year, month, day, tzinfo=JST)
    hour, minute = int(m["hour"]), int(m["minute"])
    second = int(m["second"] or 0)
    micro = int((m["fraction"] or "0").ljust(6, "0"))
    if hour == 24:
        problem = "hour 24 does not exist; write 00:00 of the next day"
    elif hour > 23:
        problem = f"there is no hour {hour:02d} (hours run from 00 to 23)"
    elif minute > 59:
        problem = f"there is no minute {minute:02d} (minutes run from 00 to 59)"
    elif second == 60:
        problem = "leap seconds are not supported; write :59"
    elif second > 59:
        problem = f"there is no second {second:02d} (seconds run from 00 to 59)"
    if problem:
        raise ValueError(f"{_shown(text)} is not a {kind}: {problem}")
    tz = JST
    offset = m["offset"]
    if offset in ("Z", "z"):
        tz = timezone.utc
    elif offset:
        oh, om = int(offset[1:3]), int(offset[4:6])
        if oh > 23 or om > 59:
            raise ValueError(
                f"{_shown(text)} is not a {kind}: the offset {offset} is out of range (-23:59 to +23:59)"
            )
        delta = timedelta(hours=oh, minutes=om)
        tz = timezone(-delta if offset[0] == "-" else delta)
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(JST)
    except OverflowError:
        raise ValueError(f"{_shown(text)} is not a {kind}: it lies outside the years 0001 to 9999 in Japan time") from None
