"""Late-payment interest by the day (`interest … per year`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from decimal import Decimal

from interpreter.check.types import DATE, MONEY
from interpreter.run.expressions import Value, as_date, evaluate, format_decimal
from interpreter.run.ledger import Entry
from interpreter.run.state import Trace
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event

INTEREST_NAMES = {"due": DATE, "paid": DATE, "overdue": MONEY}


class InterestChecks:
    """Checks of interest statements (a mixin of the checker)."""

    def _stmt_Interest(self, s: n.Interest, tables, scope) -> None:
        self._expect(s.rate, "rate", scope, tables, "an interest rate")
        inner = scope.child(INTEREST_NAMES)
        if s.days_from is None:
            self.error("E404", "late interest does not say which days it counts", s.span,
                       "add `days from due + 1 day through paid - 1 day;`")
        else:
            self._expect(s.days_from, "date", inner, tables, "the first day counted")
            self._expect(s.days_through, "date", inner, tables, "the last day counted")
        if s.year is None and "interest_year" not in self.conventions:
            self.error("W501", "late interest does not say how many days a year has", s.span,
                       "add `year of 365 days;`")
        elif s.year is not None:
            self._expect(s.year, "duration", inner, tables, "a year's length")


class InterestEvaluation:
    """Evaluation of interest statements (a mixin of the evaluation)."""

    def _interest(self, rule, s: n.Interest, inv: Entry, owed: Decimal, payment: Event) -> Entry | None:
        env = self.env(payment.date, {"due": Value("date", inv.due), "paid": Value("date", payment.date),
                                      "overdue": Value("money", owed)})
        first = as_date(evaluate(s.days_from, env))
        last = as_date(evaluate(s.days_through, env))
        days = max(0, (last - first).days + 1)
        if days == 0:
            return None
        rate = evaluate(s.rate, env).value
        year_days = Decimal(365)
        if s.year is not None:
            year_days = evaluate(s.year, env).value / Decimal(1440)
        raw = owed * rate / 100 * days / year_days
        steps = Trace([f"days = {first} … {last} = {days}",
                 f"{format_decimal(owed)} yen × {format_decimal(rate)}% × {days} ÷ {format_decimal(year_days)} "
                 f"= {format_decimal(raw)} yen"])
        amount = self.money(raw, payment.date, steps)
        if amount <= 0:
            return None
        return self._charge(rule, s, rule.label or "late payment interest", payment.date, (first, last), amount,
                            (payment.index,), steps, exempt=True, key=f"interest:{inv.key}")
