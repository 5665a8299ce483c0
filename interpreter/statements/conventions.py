"""Rounding and tax: how amounts are rounded and taxed (`rounding`, `tax`)."""
from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from interpreter.diagnostics import did_you_mean
from interpreter.run.compiled import NOT_SEEN
from interpreter.run.expressions import format_decimal
from interpreter.run.state import Trace
from interpreter.syntax import nodes as n

ROUNDING_MODES = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "round_half_up": ROUND_HALF_UP,
                  "round_half_even": ROUND_HALF_EVEN}
ROUNDING = tuple(ROUNDING_MODES)


class ConventionsChecks:
    """Checks of conventions statements (a mixin of the checker)."""

    def _stmt_Rounding(self, s: n.Rounding, tables, scope) -> None:
        if s.mode not in ROUNDING:
            self.error("E406", f"unknown rounding `{s.mode}`", s.span, f"write one of: {', '.join(ROUNDING)}")
        self._expect(s.to, "money", scope, tables, "the rounding unit")
        if isinstance(s.to, n.Num) and s.to.value <= 0:
            self.error("E406", "amounts are rounded to a positive unit, not to " + format_decimal(s.to.value) + " yen",
                       s.to.span, "write e.g. `rounding floor to 1 yen;`")

    def _stmt_Tax(self, s: n.Tax, tables, scope) -> None:
        charges = {e.name for r in tables.rules.values() for e in r.statements
                   if isinstance(e, n.Emit) and e.kind == "charge" and e.name}
        for name in s.outside:
            if name not in charges and name != "interest":
                self.error("E201", f"no charge is named `{name}`", s.span,
                           did_you_mean(name, charges | {"interest"}) or
                           "name a charge (`charge NAME \"label\" …`) or `interest`")
        starts = [r.start for r in s.rates]
        if len(set(starts)) != len(starts):
            self.error("E406", "two tax rates start on the same day", s.span)
        for r in s.rates:
            t = self.infer(r.rate, scope, tables)
            if t.kind not in ("percent", "unknown"):
                self.error("E301", f"a tax rate is a percentage, not {t}", r.rate.span, "write it as `10%`")


class ConventionsEvaluation:
    """Evaluation of conventions statements (a mixin of the evaluation)."""

    def money(self, amount: Decimal, d: date, steps: list[str]) -> Decimal:
        """Round an amount as the contract's rounding rule says; record the step."""
        rounding = self._rounding(d)
        if rounding is not None:
            rule, r, unit, mode = rounding
            self.current = r
            if unit is None:  # a unit that reads the customer's parameters
                unit = self.value(r.to, d).value
            rounded = (amount / unit).to_integral_value(rounding=mode) * unit
            if rounded != amount:
                steps.append(f"{format_decimal(amount)} → {r.mode} to {format_decimal(unit)} yen "
                             f"(the contract's rounding, declared in {rule.id}) = {format_decimal(rounded)} yen")
                if isinstance(steps, Trace):
                    steps.rules.append(rule.id)
            return rounded
        return amount

    def _rounding(self, d: date):
        """The first rounding statement in force on a day, as (rule, statement, its unit when a constant, the
        rounding mode), or None; found once per statement tables."""
        tables = self._tables(self.version(d))
        found = self.compiled.roundings.get(id(tables), NOT_SEEN)
        if found is NOT_SEEN:
            first = next(iter(tables.by_kind.get(n.Rounding, ())), None)
            if first is not None:
                rule, r = first
                unit = self.compiled.constant(r.to)
                first = (rule, r, None if unit is None else unit.value, ROUNDING_MODES[r.mode])
            found = self.compiled.roundings[id(tables)] = first
        return found

    def _rounds_alike(self, d: date) -> bool:
        """Whether `money` on day d rounds as it does for every customer under the same statement tables: no
        rounding is in force, or it rounds to a constant unit (a unit that reads a parameter is each customer's)."""
        rounding = self._rounding(d)
        return rounding is None or rounding[2] is not None

    def _charge(self, rule, stmt, label, d, period, amount, events, steps, kind="charge", exempt=False, **kw):
        rate, tax_rule, included = (None, None, False) if exempt else self._tax_rate(d)
        if rate is not None and self._outside_tax(stmt, tax_rule):
            rate = None
        included = included and rate is not None
        tax = None
        if rate is not None and rate > 0 and not included:
            tax = (amount * rate / 100).to_integral_value(rounding=ROUND_FLOOR)
        also = getattr(steps, "rules", ())
        if tax_rule is not None:
            also = [*also, tax_rule.id]
        own = rule.id if rule else None
        return self.add(rule, stmt, kind, label, date=d, period=period, amount=amount, tax=tax, tax_rate=rate,
                        tax_included=included, events=tuple(events), explanation=tuple(steps),
                        also=tuple(dict.fromkeys(x for x in also if x != own)), **kw)

    def _tax_rate(self, d: date):
        """(rate in percent, the rule that declares the tax, whether prices include it) on a day. The rate is
        None when no tax applies, or when prices include a tax the terms do not state."""
        return self._kept_tax_rate(d) or self._tax_rate_on(d)

    def _kept_tax_rate(self, d: date, tables=None):
        """_tax_rate's answer on a day, when the rates in force are constants (in every contract so far), else None;
        `tables`: the statement tables in force that day, when known. Then the answer is a function of the day and
        the statement tables, and is looked up in their tax table: one answer object for each span of days between
        two rates' starts, kept for every customer (so that an answer's identity stands for its content)."""
        tables = tables or self._tables(self.version(d))
        table = self.compiled.tax_tables.get(id(tables), NOT_SEEN)
        if table is NOT_SEEN:
            table = self.compiled.tax_tables[id(tables)] = _tax_table(tables, self.compiled)
        if table is None:
            return None
        starts, answers = table
        return answers[bisect_right(starts, d)]

    def _tax_rate_on(self, d: date):
        """_tax_rate's answer, the rate in force evaluated on the day."""
        for rule, s in self.statements(d, n.Tax):
            best = None
            for r in s.rates:
                if r.start <= d and (best is None or r.start > best.start):
                    best = r
            if best is not None:
                return self.value(best.rate, d).value, rule, s.included
            return None, rule, s.included
        return None, None, False

    def _outside_tax(self, stmt, tax_rule) -> bool:
        """Whether an amount is of a kind the tax declaration puts outside tax (a named charge, `interest`)."""
        if tax_rule is None:
            return False
        outside = self.compiled.outside_tax(tax_rule)
        if isinstance(stmt, n.Interest):
            return "interest" in outside
        return getattr(stmt, "name", None) in outside


def _tax_table(tables, compiled) -> tuple | None:
    """The days the rates of the first tax statement in force start on, in order, and _tax_rate_on's answer before
    the first and from each (on a day the answer after the last start on or before it, as _tax_rate_on picks the
    latest rate that has started); (), [(None, None, False)] without a tax statement; None when a rate is not a
    constant (it is evaluated on each day)."""
    found = next(iter(tables.by_kind.get(n.Tax, ())), None)
    if found is None:
        return (), [(None, None, False)]
    rule, s = found
    rates = {}
    for r in s.rates:  # the first rate of a day, as _tax_rate_on's strict `>` keeps it
        rates.setdefault(r.start, r)
    values = {start: compiled.constant(r.rate) for start, r in rates.items()}
    if any(v is None for v in values.values()):
        return None
    starts = sorted(values)
    return starts, [(None, rule, s.included)] + [(values[start].value, rule, s.included) for start in starts]
