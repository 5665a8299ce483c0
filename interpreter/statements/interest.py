"""Late-payment interest by the day (`interest … per year`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date
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

    def _interest(self, rule, s: n.Interest, inv: Entry, parts: list, payment: Event) -> Entry | None:
        """The interest on an invoice completed by `payment`: on each part paid after the due date ("遅延期間につき"),
        for that part's own days (`paid` and `overdue` are the part's), rounded once on the sum. A part paid by the
        due date bears none."""
        raw, steps, days_counted, events = Decimal(0), Trace(), [], []
        for overdue, paid_by in parts:
            if paid_by is None or paid_by.date <= inv.due:
                continue
            env = self.env(paid_by.date, {"due": Value("date", inv.due), "paid": Value("date", paid_by.date),
                                          "overdue": Value("money", overdue)})
            first = as_date(evaluate(s.days_from, env))
            last = as_date(evaluate(s.days_through, env))
            days = max(0, (last - first).days + 1)
            if days == 0:
                continue
            rate = evaluate(s.rate, env).value
            year_days = Decimal(365) if s.year is None else evaluate(s.year, env).value / Decimal(1440)
            part = overdue * rate / 100 * days / year_days
            raw += part
            steps.append(f"days = {first} … {last} = {days}")
            steps.append(f"{format_decimal(overdue)} yen × {format_decimal(rate)}% × {days} ÷ "
                         f"{format_decimal(year_days)} = {format_decimal(part)} yen")
            days_counted += [first, last]
            events.append(paid_by.index)
        if not days_counted:
            return None
        if len(events) > 1:
            steps.append(f"total = {format_decimal(raw)} yen")
        amount = self.money(raw, payment.date, steps)
        if amount <= 0:
            return None
        return self._charge(rule, s, rule.label or "late payment interest", payment.date,
                            (min(days_counted), max(days_counted)), amount, tuple(dict.fromkeys(events)), steps,
                            exempt=True, key=f"interest:{inv.key}")

    def _interest_paid_from(self, beyond: Decimal) -> Decimal:
        """The late interest is owed besides the invoices' fees: what the payments left beyond the fees pays it,
        oldest first (by 民法第489条 a payment pays the interest first, so what stays unpaid is as much of the
        fees). Each interest line not paid in full gets an obligation for what is still owed, due with the invoice
        it is billed on, so that a short payment shows. What is left after the interest."""
        found = next(iter(self.statements(self.contract_start or self.as_of, n.Interest)), None)
        lines = sorted((e for e in self.entries if e.kind == "charge" and e.key.startswith("interest:") and e.counts),
                       key=lambda e: e.date)
        for line in lines:
            owed = line.amount + (line.tax or 0)
            paid = min(beyond, owed)
            beyond -= paid
            if paid < owed and found is not None:
                due = self._due_of_line(line)
                status = "missed" if due is not None and self.as_of > due else "open"
                self.add(*found, "obligation", "payment of the late interest", party="customer", due=due,
                         status=status, date=line.date, events=line.events,
                         note=f"{format_decimal(owed - paid)} of {format_decimal(owed)} yen unpaid: the payments "
                              f"paid the late interest first (民法第489条), so as much of the fees is still owed")
        return beyond

    def _due_of_line(self, line: Entry) -> date | None:
        """The due date of the invoice a line is billed on."""
        for e in self.entries:
            if e.kind == "invoice" and any(x is line for x in self._invoice_lines.get(e.key, ())):
                return e.due
        return None
