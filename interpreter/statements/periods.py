"""Billing periods, declared once (`billing period "料金月" months counting from contract.start;`, or calendar
months with a closing day), and the contract-wide declarations that a version may hold only once.

Every per-period construct runs over the periods given here: monthly fees and their partial periods, events
gathered `in period`, `per month` entries, invoices and their due dates. Without a declaration the periods are
calendar months. The checks run in `check`, the evaluation in `run`; both are mixins composed by
interpreter/statements/__init__.py."""
from __future__ import annotations

from datetime import date

from interpreter.diagnostics import Note
from interpreter.run.expressions import as_date, evaluate
from interpreter.syntax import nodes as n
from interpreter.limits import MAX_MONTHS
from interpreter.run.expressions import EvalError
from interpreter.time.billing_periods import BillingPeriods, Period, billing_periods, calendar_months

# Statements a version holds at most once, wherever they are written: they apply to the whole contract.
CONTRACT_WIDE = {n.BillingPeriod: "billing period", n.Rounding: "rounding", n.Tax: "tax",
                 n.InvoiceDue: "invoice", n.PaymentsSettle: "payments settle"}


class PeriodsChecks:
    """Checks of billing periods and of contract-wide declarations (a mixin of the checker)."""

    def _stmt_BillingPeriod(self, s: n.BillingPeriod, tables, scope) -> None:
        if s.anchor is not None:
            self._expect(s.anchor, "date", scope, tables, "the day billing periods are counted from")
        if s.closing_day is not None and not 1 <= s.closing_day <= 31:
            self.error("E406", f"`closing day {s.closing_day}` is not a day of a month", s.span,
                       "write a day from 1 to 31 (31: the month's last day)")

    def _check_contract_wide(self, tables) -> None:
        """E407: a contract-wide declaration made twice in one version (two roundings, two billing periods…)."""
        first: dict[type, object] = {}
        for rule in tables.rules.values():
            for s in rule.statements:
                what = CONTRACT_WIDE.get(type(s))
                if what is None:
                    continue
                if type(s) in first:
                    self.error("E407", f"the contract declares its {what} twice", s.span,
                               f"a {what} applies to the whole contract: keep one, in the rule citing the article "
                               "that sets it", (Note(first[type(s)].span, "first declared here"),))
                else:
                    first[type(s)] = s


class PeriodsEvaluation:
    """The billing periods of one customer's contract (a mixin of the evaluation)."""

    def _period_rule(self):
        """The rule that declares the billing periods, or None for calendar months (found once the timeline is
        complete, for every entry that names it)."""
        if self.timeline_complete and "_period_rule_found" in self.__dict__:
            return self._period_rule_found
        found = next(iter(self.statements(self.contract_start or self.as_of, n.BillingPeriod)), None)
        if self.timeline_complete:
            self._period_rule_found = found[0] if found else None
        return found[0] if found else None

    def _billing_periods(self) -> BillingPeriods:
        """Computed once the contract has started (the anchor is usually its first day)."""
        cached = getattr(self, "_periods_cache", None)
        if cached is not None:
            return cached
        start = self.contract_start or self.as_of
        found = next(iter(self.statements(start, n.BillingPeriod)), None)
        result = calendar_months(start)
        if found is not None:
            _, s = found
            if s.anchor is None:
                result = billing_periods(start, s.closing_day or 31)
            else:
                v = evaluate(s.anchor, self.env(start))
                result = billing_periods(as_date(v)) if v.kind != "absent" else None
        if result is None:  # counted from a day not known yet: nothing can be billed before it
            return calendar_months(start)
        if self.contract_start is not None:
            self._periods_cache = result
        return result

    def _period_of(self, d: date) -> Period:
        return self._billing_periods().containing(d)

    def _first_period_from(self, d: date) -> Period:
        return self._billing_periods().first_starting_on_or_after(d)

    def _months(self, first: date, last: date):
        """The billing periods that hold any day from first through last (at most MAX_MONTHS of them)."""
        self._within_span(first, last)
        return self._billing_periods().between(first, last)

    def _within_span(self, first: date, last: date) -> None:
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
            raise EvalError(f"the months from {first} to {last} are more than {MAX_MONTHS:,} ({MAX_MONTHS // 12} years), "
                            "the longest span a run covers; is `as_of` or a date years away?", self.current, "E611")

    @staticmethod
    def _calendar_months(first: date, last: date):
        return calendar_months(first).between(first, last)

    def _horizon(self) -> date:
        """The last day billed: the contract's end, else the end of the period holding `as_of`."""
        if self.contract_end is not None:
            return self.contract_end
        self._within_span(self._billing_periods().anchor, self.as_of)
        return self._period_of(self.as_of).end
