"""Fees: initial, monthly, yearly and per-occurrence fees, per unit, with first/last month policies.

The checks run in `check`, the evaluation in `run`; both are mixins composed by
interpreter/statements/__init__.py."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from interpreter.diagnostics import did_you_mean
from interpreter.run.events import Event
from interpreter.run.expressions import (
    Env,
    Month,
    Value,
    as_date,
    evaluate,
    format_decimal,
    truthy,
)
from interpreter.run.compiled import fee_event, fee_items
from interpreter.run.state import Subscription, Trace, item_label
from interpreter.syntax import nodes as n
from interpreter.time import periods

PARTIAL_MONTH = {"first": ("free", "full", "prorated"), "last": ("full", "prorated")}


class FeeChecks:
    """Checks of fee statements (a mixin of the checker)."""

    def _stmt_Fee(self, s: n.Fee, tables, scope) -> None:
        inner = scope
        if s.on_event:
            self._event_name(s.on_event, s.span, tables)
            inner = self._event_scope(scope, s.on_event, tables)
        amount = self.infer(s.amount, inner, tables)
        if amount.kind == "rate":
            if amount.detail != s.per_unit:
                self.error("E301", f"the fee is {amount}, but it is charged per {s.per_unit or 'item'}",
                           s.amount.span, f"write `per {amount.detail}` after the amount")
        elif amount.kind not in ("money", "unknown"):
            self.error("E302", f"a fee must be a money, not {amount}", s.amount.span)
        if s.where is not None:
            self._expect(s.where, "bool", inner, tables, "a condition")
        if s.per_unit and s.per_unit not in tables.units:
            self.error("E201", f"unknown unit `{s.per_unit}`", s.span,
                       did_you_mean(s.per_unit, tables.units) or "declare it with `unit NAME;`")
        self._items(s.items, tables)
        if s.kind in ("initial", "occurrence") and not s.items and not s.on_event:
            self.error("E404", f"an {s.kind} fee needs the items it is for or the event it is charged on", s.span)
        if s.kind in ("monthly", "yearly") and not s.items:
            self.error("E404", f"a {s.kind} fee needs the items it is for (`for www`)", s.span)
        for which, value in (("first", s.first_month), ("last", s.last_month)):
            if value is not None and value not in PARTIAL_MONTH[which]:
                self.error("E406", f"`{which} month {value}` is not a policy", s.span,
                           f"write one of: {', '.join(PARTIAL_MONTH[which])}")
        if s.kind == "monthly":
            for which, value in (("first", s.first_month), ("last", s.last_month)):
                if value is None and f"{which}_month" not in self.conventions:
                    self.error("W501", f"the monthly fee does not say how a partial {which} month is charged",
                               s.span, f"add `{which} month full|prorated` to the fee or "
                               f"`{which}_month …;` to conventions")
            if "prorated" in (s.first_month, s.last_month) and "prorate" not in self.conventions:
                self.error("W501", "a prorated fee needs a daily basis", s.span,
                           "declare `prorate actual_days;` or `prorate thirty_days;` in conventions")
        if s.start is not None:
            self._expect(s.start, "date", scope, tables, "the start of billing")


class FeeEvaluation:
    """Evaluation of fee statements (a mixin of the evaluation)."""

    def _fees_on(self, ev: Event, env: Env, decl: n.EventDecl) -> None:
        for rule, stmt in self.statements_by(ev.date, n.Fee, fee_event).get(ev.name, ()):
            if stmt.kind in ("occurrence", "initial"):
                if stmt.where is None or truthy(evaluate(stmt.where, env), stmt.where):
                    self._one_time_fee(rule, stmt, ev.date, env, (ev.index,), decl.label or ev.name)

    def _fee_rate(self, stmt: n.Fee, d: date, qty: Decimal, steps: list[str]) -> Decimal:
        rate = self.value(stmt.amount, d).value
        if stmt.per_unit is None:
            steps.append(f"{format_decimal(rate)} yen")
            return rate
        size = stmt.per_size or Decimal(1)
        units = (qty / size).to_integral_value(rounding=ROUND_CEILING)
        if size == 1:
            steps.append(f"{format_decimal(rate)} yen × {format_decimal(qty)} {stmt.per_unit}")
        else:
            steps.append(f"{format_decimal(rate)} yen × ceil({format_decimal(qty)} {stmt.per_unit} ÷ "
                         f"{format_decimal(size)} {stmt.per_unit}) = {format_decimal(rate)} × {format_decimal(units)}")
        return rate * units

    def _initial_fees(self, item: str, d: date, qty: Decimal, events: tuple[int, ...]) -> None:
        for rule, stmt in self.statements_by(d, n.Fee, fee_items).get(item, ()):
            if stmt.kind == "initial" and stmt.on_event is None:
                self._one_time_fee(rule, stmt, d, self.env(d), events, item_label(self.version(d).tables, item), qty)

    def _one_time_fee(self, rule, stmt: n.Fee, d: date, env: Env, events, what: str, qty=Decimal(1)) -> None:
        steps = Trace()
        raw = self._fee_rate(stmt, d, qty, steps)
        amount = self.money(raw, d, steps)
        kind = {"initial": "initial fee", "occurrence": "fee"}[stmt.kind]
        self._charge(rule, stmt, f"{rule.label or kind}: {what}", d, None, amount, events, steps,
                     exempt=stmt.tax_exempt)

    def _policy(self, stmt, which: str) -> str:
        value = getattr(stmt, f"{which}_month", None)
        if value:
            return value
        return self.model.conventions.get(f"{which}_month", ("full",))[0]

    def _days_basis(self, month: Month) -> int:
        return 30 if self.model.conventions.get("prorate", ("actual_days",))[0] == "thirty_days" else month.days

    def _month_charge(self, rule, stmt: n.Fee, sub: Subscription, month: Month, start_floor: date | None,
                      last_day: date | None, first_policy: str, last_policy: str,
                      record: bool = True) -> tuple[Decimal, list[str], tuple[date, date]] | None:
        """One month of a monthly fee for one subscription, or None when nothing is owed for it."""
        first = max(month.start, sub.start, start_floor or month.start)
        last = min(month.end, last_day or month.end)
        if first > last:
            return None
        tables = self.version(month.start).tables
        steps = Trace()
        if stmt.monthly_maximum:
            qty = sub.maximum_in(first, last)
        else:
            qty = sub.quantity_on(last)
        raw = self._fee_rate(stmt, month.start, qty, steps)
        if stmt.per_unit and stmt.monthly_maximum:
            steps[-1] += f" (the month's maximum, {format_decimal(qty)} {stmt.per_unit})"
        partial_first = first > month.start and first == max(sub.start, start_floor or sub.start)
        partial_last = last < month.end
        policy = "full"
        if partial_first:
            policy = first_policy
        if partial_last and policy == "full":
            policy = last_policy
        if policy == "free":
            return None
        if policy == "prorated":
            days = (last - first).days + 1
            basis = self._days_basis(month)
            steps.append(f"× {days} days ÷ {basis} days ({first}–{last}, prorated)")
            raw = raw * Decimal(days) / Decimal(basis)
            steps.append(f"= {format_decimal(raw)} yen")
        amount = self.money(raw, month.end, steps)
        del tables
        return amount, steps, (first, last)

    def _recurring_fees(self) -> None:
        horizon = self._horizon()
        billing_start = self._billing_start()
        for item, subs in sorted(self.subs.items()):
            for sub in subs:
                last_day = min(sub.end or horizon, horizon)
                for month in self._months(sub.start, last_day):
                    for rule, stmt in self.statements_by(month.start, n.Fee, fee_items).get(item, ()):
                        if stmt.kind == "monthly":
                            self._bill_month(rule, stmt, sub, month, billing_start, last_day)
                        elif stmt.kind == "yearly":
                            self._bill_year(rule, stmt, sub, month, last_day)

    def _bill_month(self, rule, stmt: n.Fee, sub: Subscription, month: Month, billing_start, last_day) -> None:
        floor = billing_start
        if stmt.start is not None:
            v = evaluate(stmt.start, self.env(month.start, {sub.item: Value("item", sub.item)}))
            if v.kind != "absent":
                floor = max(floor or as_date(v), as_date(v))
        if floor is not None and month.end < floor:
            return
        result = self._month_charge(rule, stmt, sub, month, floor, last_day if last_day < month.end else None,
                                    self._policy(stmt, "first"), self._policy(stmt, "last"))
        if result is None:
            return
        amount, steps, period = result
        tables = self.version(month.start).tables
        entry = self._charge(rule, stmt, f"{rule.label or 'monthly fee'}: {item_label(tables, sub.item)}", month.end,
                             period, amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{month}")
        self.monthly_charges[(month.year, month.month)].append(entry)

    def _bill_year(self, rule, stmt: n.Fee, sub: Subscription, month: Month, last_day: date) -> None:
        k = (month.year - sub.start.year) * 12 + month.month - sub.start.month
        if k % 12:
            return
        start = periods.add_months(sub.start, k)
        if start > last_day or start < sub.start:
            return
        steps = Trace()
        raw = self._fee_rate(stmt, start, sub.quantity_on(start), steps)
        amount = self.money(raw, start, steps)
        end = periods.civil_expiry(start, 1, "years", first_day_counts=True)
        tables = self.version(start).tables
        self._charge(rule, stmt, f"{rule.label or 'yearly fee'}: {item_label(tables, sub.item)}", start, (start, end),
                     amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{start}")

    def _monthly_fee(self, day: Value, items: Value | None = None) -> Value:
        """`monthly_fee(d[, ITEMS])`: the monthly fees in force on a day, at that day's quantities."""
        d = as_date(day)
        wanted = None
        if items is not None:
            wanted = {x.value for x in items.value} if items.kind == "list" else {items.value}
        total = Decimal(0)
        for item, fees in self.statements_by(d, n.Fee, fee_items).items():
            if wanted is not None and item not in wanted:
                continue
            sub = self._active(item, d)
            if sub is None:
                continue
            for rule, stmt in fees:
                if stmt.kind == "monthly":
                    total += self._fee_rate(stmt, d, sub.quantity_on(d), [])
        return Value("money", total)
