"""The types and units of yakkan values, and how unit words map to them.

Durations come in two families that never mix: exact ones (minutes, hours, days, weeks) and calendar
ones (months, years). "1 month" is not "30 days", so comparing or adding across the families is an
error, as in Catala.
"""
from __future__ import annotations

from decimal import Decimal

from interpreter import records


@records.frozen
class T:
    kind: str  # money number percent count date datetime duration text bool enum item event month list unknown rate
    detail: str | None = None  # duration family, count unit, enum or event name, rate unit, list element kind

    def __str__(self) -> str:
        if self.kind == "duration":
            return f"duration in {'months/years' if self.detail == 'calendar' else 'days/hours/minutes'}"
        if self.kind in ("count", "enum", "event", "item", "rate") and self.detail:
            return {"count": "count of {}", "enum": "{}", "event": "event {}", "item": "{}",
                    "rate": "money per {}"}[self.kind].format(self.detail)
        return self.kind


MONEY = T("money")
NUMBER = T("number")
PERCENT = T("percent")
DATE = T("date")
DATETIME = T("datetime")
TEXT = T("text")
BOOL = T("bool")
EXACT = T("duration", "exact")
CALENDAR = T("duration", "calendar")
MONTH = T("month")
UNKNOWN = T("unknown")

# unit word -> (type, factor to the family's base unit: minutes for exact durations, months for calendar ones)
_MIN_PER_DAY = Decimal(1440)
UNIT_WORDS: dict[str, tuple[T, Decimal]] = {}
for words, typ, factor in [
    (("yen", "円", "JPY"), MONEY, Decimal(1)),
    (("%",), PERCENT, Decimal(1)),
    (("second", "seconds", "秒"), EXACT, Decimal(1) / Decimal(60)),
    (("minute", "minutes", "分"), EXACT, Decimal(1)),
    (("hour", "hours", "時間"), EXACT, Decimal(60)),
    (("day", "days", "日"), EXACT, _MIN_PER_DAY),
    (("week", "weeks", "週", "週間"), EXACT, _MIN_PER_DAY * 7),
    (("month", "months", "ヶ月", "か月", "ヵ月", "カ月", "箇月"), CALENDAR, Decimal(1)),
    (("year", "years", "年"), CALENDAR, Decimal(12)),
]:
    for word in words:
        UNIT_WORDS[word] = (typ, factor)

# The words a period (民法第140条: 日・週・月・年) is written in, and the unit each stands for.
PERIOD_WORDS = {"month": "months", "months": "months", "ヶ月": "months", "か月": "months", "ヵ月": "months",
                "カ月": "months", "箇月": "months", "year": "years", "years": "years", "年": "years",
                "week": "weeks", "weeks": "weeks", "週": "weeks", "週間": "weeks",
                "day": "days", "days": "days", "日": "days"}

PRIMITIVE_TYPES: dict[str, T] = {
    "money": MONEY,
    "number": NUMBER,
    "percent": PERCENT,
    "count": T("count"),
    "date": DATE,
    "datetime": DATETIME,
    "text": TEXT,
    "bool": BOOL,
    "days": EXACT,
    "hours": EXACT,
    "minutes": EXACT,
    "months": CALENDAR,
    "years": CALENDAR,
    "plan": T("item", "plan"),
    "option": T("item", "option"),
    "item": T("item", "item"),
    "feature": T("item", "feature"),
}


def is_dateish(t: T) -> bool:
    return t.kind in ("date", "datetime", "event", "unknown")


def is_numeric(t: T) -> bool:
    return t.kind in ("number", "percent", "count", "unknown")


def compatible(a: T, b: T) -> bool:
    """Whether two values may be compared or added (same kind and, for durations, same family)."""
    if a.kind == "unknown" or b.kind == "unknown":
        return True
    if is_dateish(a) and is_dateish(b):
        return True
    if a.kind == "duration" and b.kind == "duration":
        return a.detail == b.detail
    if is_numeric(a) and is_numeric(b):
        return a.kind != "count" or b.kind != "count" or a.detail == b.detail or not (a.detail and b.detail)
    if a.kind == "item" and b.kind == "item":
        return True
    return a.kind == b.kind and (a.detail == b.detail or a.kind in ("list",))
