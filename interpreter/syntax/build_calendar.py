"""Parse tree -> AST for conventions and business-day calendars (a mixin of the builder)."""
from __future__ import annotations
from datetime import date
from interpreter.syntax.tokens import Token, with_meta
from interpreter.syntax import nodes as n
from interpreter.syntax.eras import normalize_digits


class CalendarSyntax:
    """Parse tree -> AST for conventions and business-day calendars (a mixin of the builder)."""

    @with_meta
    def conventions_decl(self, meta, children):
        return n.Conventions(tuple(children), span=self._span(meta))

    @with_meta
    def convention(self, meta, children):
        values = []
        for c in children[1:]:
            if isinstance(c, n.Num):
                values.append(f"{c.value}{(' ' + c.unit) if c.unit else ''}")
            else:
                values.append(str(c))
        return n.Convention(str(children[0]), tuple(values), span=self._span(meta))

    @with_meta
    def calendar_decl(self, meta, children):
        name = str(children[0])
        label = None
        holidays = None
        weekend = None
        closed, yearly = [], []
        for c in children[1:]:
            if isinstance(c, str) and not isinstance(c, Token):
                label = c
            elif isinstance(c, tuple) and c[0] == "holidays":
                holidays = c[1]
            elif isinstance(c, tuple) and c[0] == "weekend":
                weekend = c[1]
            elif isinstance(c, n.Closed):
                closed.append(c)
            elif isinstance(c, n.ClosedYearly):
                yearly.append(c)
        return n.Calendar(name, label, holidays, weekend, tuple(closed), tuple(yearly), span=self._span(meta))

    def cal_holidays(self, children):
        return ("holidays", str(children[0]))

    def cal_weekend(self, children):
        return ("weekend", tuple(str(c) for c in children))

    @with_meta
    def cal_closed(self, meta, children):
        dates = [c for c in children if isinstance(c, date)]
        label = next((c for c in children if isinstance(c, str)), None)
        return n.Closed(dates[0], dates[-1], label, span=self._span(meta))

    @with_meta
    def cal_closed_yearly(self, meta, children):
        days = []
        for tok in children[:2]:
            text = normalize_digits(str(tok))
            month, day = int(text[:2]), int(text[3:])
            try:
                date(2000, month, day)  # a leap year, so 02-29 is allowed
            except ValueError:
                self._error("E107", f"`{tok}` is not a day of the year", self._tspan(tok),
                            "write month and day as MM-DD, such as 12-29")
                month, day = 1, 1
            days.append((month, day))
        label = self._text(children[2]) if len(children) > 2 else None
        return n.ClosedYearly(days[0], days[1], label, span=self._span(meta))
