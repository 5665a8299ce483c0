"""Fees: initial, monthly, yearly and per-occurrence fees, per unit, with first/last period policies, and fee
schedules: a recurring fee's amount evaluated per billing period (`period` in scope: volume tiers on the period's
usage), bounded by `from`/`until` dates and `for N periods`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from interpreter import records
from interpreter.diagnostics import did_you_mean
from interpreter.check.types import MONTH
from interpreter.run.expressions import (
    Env,
    Value,
    as_date,
    evaluate,
    format_decimal,
    truthy,
)
from interpreter.run.compiled import fee_event, fee_items, keep, monthly_fee_items, yearly_fee_items
from interpreter.run.ledger import Entry
from interpreter.run.lifecycle import Subscription
from interpreter.run.state import Trace, item_label
from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.time.billing_periods import Period

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event

PARTIAL_MONTH = {"first": ("free", "full", "prorated", "daily_rate"), "last": ("full", "prorated", "daily_rate")}
ON_CHANGE = ("prorated", "daily_rate")
DAYS_BASES = ("actual_days", "thirty_days")  # `prorate …`, on a fee or in conventions: ÷ the period's days, or ÷ 30
# The fields of a monthly fee's entry a period takes from its twin's (FeePeriodCopies._twin): all but dates and key.
TWIN_FIELDS = tuple(f.name for f in records.fields(Entry) if f.init and f.name not in ("date", "period", "key"))


class FeeChecks:
    """Checks of fee statements (a mixin of the checker)."""

    def _stmt_Fee(self, s: n.Fee, tables, scope) -> None:
        inner = scope
        if s.kind in ("monthly", "yearly"):  # evaluated per billing period
            inner = scope.child({"period": MONTH, "month": MONTH})
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
            if value is not None and not self._policy_choice(value, PARTIAL_MONTH[which], f"{which} month", s.span,
                                                             tables) and value not in PARTIAL_MONTH[which]:
                self.error("E406", f"`{which} month {value}` is not a policy", s.span,
                           f"write one of: {', '.join(PARTIAL_MONTH[which])}, or a reading choice whose readings "
                           "are those")
        if s.days_basis is not None and not self._policy_choice(s.days_basis, DAYS_BASES, "prorate", s.span, tables) \
                and s.days_basis not in DAYS_BASES:
            self.error("E406", f"`prorate {s.days_basis}` is not a daily basis", s.span,
                       "write actual_days, thirty_days, or a reading choice whose readings are those")
        elif s.days_basis is not None and s.kind != "monthly":
            self.error("E406", f"`prorate` is the daily basis of a monthly fee; this one is {s.kind}", s.span,
                       "leave it out: the fee is charged whole")
        if s.kind == "monthly":
            for which, value in (("first", s.first_month), ("last", s.last_month)):
                if value is None and f"{which}_month" not in self.conventions:
                    self.error("W501", f"the monthly fee does not say how a partial {which} month is charged",
                               s.span, f"add `{which} month full|prorated` to the fee or "
                               f"`{which}_month …;` to conventions")
            policies = {p for value in (s.first_month, s.last_month) for p in self._policies_named(value, tables)}
            if {"prorated", "daily_rate"} & policies and s.days_basis is None and "prorate" not in self.conventions:
                self.error("W501", "a prorated fee needs a daily basis", s.span,
                           "declare `prorate actual_days;` or `prorate thirty_days;` in conventions")
        if s.start is not None:
            self._expect(s.start, "date", scope, tables, "the start of billing")
        if s.until is not None:
            self._expect(s.until, "date", scope, tables, "the last day a period may begin on")
        if (s.until is not None or s.periods is not None) and s.kind != "monthly":
            self.error("E406", "`until` and `for N periods` bound a monthly fee", s.span,
                       "bound a one-time fee with `on EVENT where …`")
        if s.on_change is not None:
            if not self._policy_choice(s.on_change, ON_CHANGE, "when quantity changes", s.span, tables) \
                    and s.on_change not in ON_CHANGE:
                self.error("E406", f"`when quantity changes {s.on_change}` is not a policy", s.span,
                           "write `prorated` or `daily_rate`")
            elif s.kind != "monthly" or s.per_unit is None:
                self.error("E406", "`when quantity changes` applies to a monthly fee per unit", s.span,
                           "write it on a fee such as `monthly fee 200 yen per GB for disk …`")
            elif s.days_basis is None and "prorate" not in self.conventions:
                self.error("W501", "a prorated fee needs a daily basis", s.span,
                           "declare `prorate actual_days;` or `prorate thirty_days;` in conventions")
        if s.periods is not None and s.periods < 1:
            self.error("E406", f"`for {s.periods} periods` charges nothing", s.span, "write at least 1 period")


class FeeQueries:
    """The monthly fees as expressions read them: `monthly_fee(d, ITEMS[, excluding RULE])` and
    `monthly_rate(d, ITEMS)` (a mixin of the evaluation, through FeeEvaluation)."""

    def _monthly_fee(self, day: Value, items: Value | None = None, excluding: frozenset[str] = frozenset()) -> Value:
        """`monthly_fee(d[, ITEMS][, excluding RULE, …])`: the monthly fees in force on a day (for the billing
        period that holds it, as the fees' schedules say), at that day's quantities; the fees of the rules
        `excluding` names are left out (a fee before the discount another rule writes as a fee of its own)."""
        d = as_date(day)
        wanted = _wanted_items(items)
        total = Decimal(0)
        period = self._period_of(d)
        for item, fees in self.statements_by(d, n.Fee, fee_items).items():
            if wanted is not None and item not in wanted:
                continue
            sub = self._active(item, d)
            if sub is None:
                continue
            for rule, stmt in fees:
                if stmt.kind == "monthly" and rule.id not in excluding and self._in_schedule(stmt, period):
                    total += self._fee_rate(stmt, d, sub.quantity_on(d), [], period, sub)
        return Value("money", total)

    def _monthly_rate(self, day: Value, items: Value | None = None) -> Value:
        """`monthly_rate(d[, ITEMS])`: the 料金月額 of the items held on a day, as their fees state it: for each item,
        the monthly fees of the first billing period, from the day's own, that its fees' schedules charge. A fee
        not yet billed on that day (第30条3 "翌月分から") counts at the rate it will be billed at; quantities are
        the day's."""
        d = as_date(day)
        wanted = _wanted_items(items)
        total = Decimal(0)
        period = self._period_of(d)
        for item, fees in self.statements_by(d, n.Fee, fee_items).items():
            sub = self._active(item, d) if wanted is None or item in wanted else None
            if sub is None:
                continue  # most items with fees are not held
            monthly = [stmt for _, stmt in fees if stmt.kind == "monthly"]
            if not monthly:
                continue
            charged = self._first_charged_period(monthly, period)
            if charged is not None:
                total += sum((self._fee_rate(stmt, d, sub.quantity_on(d), [], charged)
                              for stmt in monthly if self._in_schedule(stmt, charged)), Decimal(0))
        return Value("money", total)

    def _first_charged_period(self, fees: list[n.Fee], period: Period) -> Period | None:
        """The first billing period, from `period`, that one of these monthly fees charges: `period` itself, or
        the first period of a schedule that begins later."""
        candidates = [period]
        for stmt in fees:
            if stmt.start is not None:
                v = self.value(stmt.start, period.start)  # as the fee's schedule reads it (_schedule_bounds)
                if v.kind != "absent":
                    candidates.append(self._first_period_from(as_date(v)))
        for candidate in sorted((c for c in candidates if c.start >= period.start), key=lambda c: c.start):
            if any(self._in_schedule(stmt, candidate) for stmt in fees):
                return candidate
        return None

    def _in_schedule(self, stmt: n.Fee, month: Period) -> bool:
        """Whether a billing period is one the fee's schedule charges: periods that begin on or after `from`
        (only N of them with `for N periods`) and on or before `until`."""
        if stmt.start is None and stmt.until is None:
            return True
        first, after, until = self._schedule_bounds(stmt, month.start)
        if first is False:
            return False  # `from` a date the timeline does not have
        if first is not None and (month.start < first.start or (after is not None and month.number >= after)):
            return False
        return until is None or month.start <= until

    def _schedule_bounds(self, stmt: n.Fee, d: date):
        """(the first period charged, the number of the first period no longer charged, the last day a charged
        period may begin on) of a fee's schedule, read on day d; the first is False when `from` is absent. Worked
        out again only when the dates are not the very values read last time (Environment.value keeps a value
        that read only names); dates that read nothing but names are not even read again while the names are
        the very ones they were read with (as Environment.value would keep them: asked for every period)."""
        known = self._schedules.get(id(stmt))
        names = self._names(self.version(d))
        if known is not None and known[3] is names:
            return known[2]  # dates that read only names, read with these very names: what `value` would keep
        start = self.value(stmt.start, d) if stmt.start is not None else None
        until = self.value(stmt.until, d) if stmt.until is not None else None
        if known is not None and known[0] is start and known[1] is until:
            return known[2]
        first = after = last = None
        if start is not None:
            if start.kind == "absent":
                first = False
            else:
                first = self._first_period_from(as_date(start))
                if stmt.periods is not None:
                    after = first.number + stmt.periods
        if until is not None and until.kind != "absent":
            last = as_date(until)
        read_only_names = all(self.compiled.names_read(e) is not None for e in (stmt.start, stmt.until) if e is not None)
        self._schedules[id(stmt)] = (start, until, (first, after, last), names if read_only_names else None)
        return first, after, last


class FeePeriodCopies:
    """What the entry of a period of a monthly fee depends on, when a later period, or another customer's, can copy it
    but for its dates (a mixin of the evaluation, through FeeEvaluation)."""

    def _twin(self, stmt: n.Fee, sub: Subscription, month: Period, floor: date, last_day: date) -> tuple | None:
        """What the entry of a period of a monthly fee charged whole (not per quantity change) depends on for one
        holding, but its dates, when the period lies wholly inside the days the holding is billed: (the quantity on
        its last day, the statement tables and the tax in force then, whose answer object is kept for every customer:
        _kept_tax_rate; and for a fee that is not a constant, its amount, by its text, and steps for the period,
        evaluated as _month_charge evaluates them). None for any other period, or when the tax in force is evaluated
        on each day.

        For such a period _month_charge's first and last day are the period's, no partial-month policy applies
        ("full") and the days basis is not read: the charge is the fee's amount (× the quantity, per unit) rounded by
        the rounding of the statement tables, which rounds alike for every customer (_rounds_alike, checked before
        an entry is kept); its steps are the amount's and the rounding's. _bill_month adds the evaluation's period
        rule and the fee's label for the item (fixed for the evaluation); _charge the tax in force and what the rule
        and the statement say of it (outside tax, exempt); add the rule's provenance, fixed for the evaluation. The
        rule, the fee and the holding (its item, its events) are the same for every key, the twins being kept per
        holding and fee. So two periods with the same key get the same entry but for the date, the period and the
        key, which are the period's. The amount and the statement tables are looked up in the order _month_charge
        looks them up (after the schedule), so that an error is the one the long way gives; a copy evaluates no more
        than the amount, as the long way does once the charge and the tax are kept for the contract (month_charges,
        _kept_tax_rate)."""
        if month.start < sub.start or month.start < floor or month.end > last_day:
            return None
        qty = sub.quantity_on(month.end)
        evaluated = None
        if self.compiled.constant(stmt.amount) is None:
            steps = Trace()
            # the amount by its text, which tells its digits: 1,000.0 yen equals 1,000 yen, and is charged as given
            evaluated = str(self._fee_rate(stmt, month.start, qty, steps, month, sub)), tuple(steps)
        tables = self._tables(self.version(month.end))
        tax = None
        if not stmt.tax_exempt:
            tax = self._kept_tax_rate(month.end, tables)
            if tax is None:
                return None
        return qty, id(tables), id(tax), evaluated

    def _line(self, rule, stmt: n.Fee, item: str, month: Period, twin: tuple) -> tuple:
        """What a period's entry, for which _twin gives `twin`, depends on besides its dates and its holding's events,
        for every customer: the rule, the fee, the label of the fee for the item, the rule declaring the billing
        periods, and the readings of the choices the rule rests on (add: every other part of the rule's provenance is
        the rule's), with the twin (the quantity, the statement tables and the tax in force; the tax's answer objects
        are kept for every customer, and so are the tables and the rules)."""
        return (id(rule), id(stmt), self._fee_label(rule, stmt, item, month.start), id(self._period_rule()),
                self._provenance_of(rule)[3], twin)


class FeeEvaluation(FeePeriodCopies, FeeQueries):
    """Evaluation of fee statements (a mixin of the evaluation)."""

    def _fees_on(self, ev: Event, env: Env, decl: n.EventDecl) -> None:
        for rule, stmt in self.statements_by(ev.date, n.Fee, fee_event).get(ev.name, ()):
            if stmt.kind in ("occurrence", "initial"):
                if stmt.where is None or truthy(evaluate(stmt.where, env), stmt.where):
                    self._one_time_fee(rule, stmt, ev.date, env, (ev.index,), decl.label or ev.name)

    def _fee_rate(self, stmt: n.Fee, d: date, qty: Decimal, steps: list[str], period: Period | None = None,
                  holding: Subscription | None = None) -> Decimal:
        """The fee's amount for one period (or one occurrence): evaluated with the billing period in scope, unless
        it is a constant (computed once per contract). Inside it, the queries on the billed item read `holding`,
        the holding billed (for a settlement, the holding as if it had continued)."""
        found = self.compiled.constant(stmt.amount)
        if found is not None:
            value = found
        elif stmt.kind in ("monthly", "yearly"):
            period = period or self._period_of(d)
            env = self.env(d, {"period": Value("month", period), "month": Value("month", period)})
            outer, self.billed_holding = self.billed_holding, holding
            try:
                value = evaluate(stmt.amount, env)
            finally:
                self.billed_holding = outer
        else:
            env = self.env(d)
            value = evaluate(stmt.amount, env)
        rate = value.value
        if isinstance(stmt.amount, n.Tier) and found is None:
            steps.append(self.step("amount", stmt.amount, env, value))
        if stmt.per_unit is None:
            if not isinstance(stmt.amount, n.Tier) or found is not None:
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
        self._charge(rule, stmt, f"{stmt.label or rule.label or kind}: {what}", d, None, amount, events, steps,
                     exempt=stmt.tax_exempt)

    def _policy(self, stmt, which: str) -> str:
        """How a fee charges a partial first or last period: its own words (where they name a reading choice, the
        reading taken), else the conventions'."""
        value = stmt.first_month if which == "first" else stmt.last_month
        if value:
            return self._reading_taken(value)
        return self.model.conventions.get(f"{which}_month", ("full",))[0]

    def _days_basis(self, month: Period, stmt: n.Fee) -> int:
        """What a prorated period of the fee is divided by: its own `prorate` (or the reading taken of the choice
        it names), else the conventions'."""
        basis = self._reading_taken(stmt.days_basis) if stmt.days_basis else \
            self.model.conventions.get("prorate", ("actual_days",))[0]
        return 30 if basis == "thirty_days" else month.days

    def _month_charge(self, rule, stmt: n.Fee, sub: Subscription, month: Period, start_floor: date | None,
                      last_day: date | None, first_policy: str, last_policy: str,
                      record: bool = True) -> tuple[Decimal, list[str], tuple[date, date]] | None:
        """One period of a monthly fee for one subscription, or None when nothing is owed for it."""
        first = max(month.start, sub.start, start_floor or month.start)
        last = min(month.end, last_day or month.end)
        if first > last:
            return None
        changes = [day for day in sub.change_days() if first < day <= last] if stmt.on_change else ()
        if changes:
            # each quantity for its own days, as the change policy says (the period's other policies give way)
            steps = Trace()
            raw = Decimal(0)
            bounds = [first, *changes, last + timedelta(days=1)]
            for a, b in zip(bounds, bounds[1:]):
                whole = self._fee_rate(stmt, month.start, sub.quantity_on(a), steps, month, sub)
                raw += self._share(whole, a, b - timedelta(days=1), month, self._reading_taken(stmt.on_change), steps,
                                   self._days_basis(month, stmt))
            return self.money(raw, month.end, steps), steps, (first, last)
        qty = sub.quantity_on(last)
        # a constant fee rounded alike for every customer: its charge is kept for all of them (below)
        shared = self.compiled.constant(stmt.amount) is not None and self._rounds_alike(month.end)
        if not shared:
            steps = Trace()
            raw = self._fee_rate(stmt, month.start, qty, steps, month, sub)
        partial_first = first > month.start and first == max(sub.start, start_floor or sub.start)
        partial_last = last < month.end
        policy = "full"
        if partial_first:
            policy = first_policy
        if partial_last and policy == "full":
            policy = last_policy
        if policy == "free":
            return None
        if policy in ("prorated", "daily_rate") and partial_first and first_policy == "full":
            first = month.start  # the first period counts whole: a proration later in it runs from its first day
        counted_to = last
        if partial_first and partial_last and last_policy == "full":
            counted_to = month.end  # an end inside the period takes nothing off: the first period's share runs to its end
        # The period shown is the one the amount is for: a share counted by days shows the days it counts (to the
        # period's end when an end inside it takes nothing off); a fee charged in full shows the days held.
        shown_period = (first, counted_to) if policy in ("prorated", "daily_rate") else (first, last)
        if not shared:
            return self._period_share(stmt, raw, qty, first, counted_to, month, policy, steps), steps, shown_period
        # A constant fee's charge depends only on what the key holds: worked out once for every customer.
        # (The statement tables in force stand for the rounding rule that applies to this customer, and its unit
        # is a constant: _rounds_alike.)
        key = (id(stmt), id(self._tables(self.version(month.end))), month.start, month.end, qty, policy, first,
               counted_to, self._days_basis(month, stmt))
        known = self.compiled.month_charges.get(key)
        if known is None:
            steps = Trace()
            raw = self._fee_rate(stmt, month.start, qty, steps, month)
            amount = self._period_share(stmt, raw, qty, first, counted_to, month, policy, steps)
            known = self.compiled.month_charges[key] = (amount, tuple(steps), tuple(steps.rules))
        amount, shown, rules = known
        steps = Trace(shown)
        steps.rules.extend(rules)
        return amount, steps, shown_period

    def _period_share(self, stmt: n.Fee, rate: Decimal, qty: Decimal, first: date, last: date, month: Period,
                      policy: str, steps: Trace) -> Decimal:
        """A period's fee at `rate` for the days first…last as `policy` says, rounded as the contract says."""
        return self.money(self._share(rate, first, last, month, policy, steps, self._days_basis(month, stmt)),
                          month.end, steps)

    def _share(self, whole: Decimal, first: date, last: date, month: Period, policy: str, steps,
               basis: int) -> Decimal:
        """What a period's fee `whole` owes for the days first…last: in full, prorated (rounded once, later), or
        by a daily rate rounded first and never more than the whole fee; a day is 1/`basis` of the period."""
        days = (last - first).days + 1
        if policy == "prorated":
            steps.append(f"× {days} days ÷ {basis} days ({first}–{last}, prorated)")
            share = whole * Decimal(days) / Decimal(basis)
            steps.append(f"= {format_decimal(share)} yen")
            return share
        if policy == "daily_rate":
            daily = self.money(whole / Decimal(basis), month.end, steps)
            share = min(daily * Decimal(days), whole)
            steps.append(f"daily rate {format_decimal(whole)} ÷ {basis} = {format_decimal(daily)} yen × {days} days "
                         f"({first}–{last}) = {format_decimal(daily * Decimal(days))} yen, at most "
                         f"{format_decimal(whole)} = {format_decimal(share)} yen")
            return share
        return whole

    def _recurring_fees(self) -> None:
        horizon = self._horizon()
        billing_start = self._billing_start()
        for item, subs in sorted(self.subs.items()):
            for sub in subs:
                if self._never_billed(sub):
                    continue  # ended before its billing start: no monthly fee is ever owed (IIJ 第7条第4項)
                last_day = min(sub.end or horizon, horizon)
                # one version: the same fees for every period (looked up once, not per period)
                fees = self.statements_by(sub.start, n.Fee, monthly_fee_items).get(item, ()) \
                    if self.compiled.single_version else None
                # id(fee) -> its terms for this holding, the same for every period, and the entries of its periods
                # that a later period may copy (None for a fee whose periods never do: _twin)
                terms: dict[int, tuple] = {}
                for month in self._months(sub.start, last_day):
                    for rule, stmt in fees if fees is not None else self.statements_by(
                            month.start, n.Fee, monthly_fee_items).get(item, ()):
                        found = terms.get(id(stmt))
                        if found is None:
                            found = terms[id(stmt)] = (self._holding_terms(stmt, sub, billing_start),
                                                       None if stmt.on_change else {})
                        self._bill_month(rule, stmt, sub, month, found[0], last_day, found[1])
                if self.compiled.single_version and not self.statements_by(
                        sub.start, n.Fee, yearly_fee_items).get(item):
                    continue  # no yearly fee for the item in any version
                for month in self._calendar_months(sub.start, last_day):  # a year counts calendar months
                    for rule, stmt in self.statements_by(month.start, n.Fee, yearly_fee_items).get(item, ()):
                        self._bill_year(rule, stmt, sub, month, last_day)

    def _holding_terms(self, stmt: n.Fee, sub: Subscription, billing_start) -> tuple[date, str, str]:
        """(the first day billed, the first and the last period's policy) of a monthly fee for one holding: the
        same for every period (the billing starts are fixed once the timeline is complete, the policies read the
        customer's parameters)."""
        floor = max(billing_start or sub.start, self.billing_start_of(sub))
        first_policy = self._policy(stmt, "first")
        if sub.waits_for(self._parent_holding(sub)):
            first_policy = "full"  # part of what its parent starts billing with, not a start of its own
        return floor, first_policy, self._policy(stmt, "last")

    def _month_amount(self, rule, stmt: n.Fee, sub: Subscription, month: Period, billing_start, last_day):
        """What a monthly fee bills one holding for one period: (amount, steps, period), or None."""
        floor, first_policy, last_policy = self._holding_terms(stmt, sub, billing_start)
        if not self._charges_period(stmt, month, floor):
            return None
        return self._month_charge(rule, stmt, sub, month, floor, last_day if last_day < month.end else None,
                                  first_policy, last_policy)

    def _charges_period(self, stmt: n.Fee, month: Period, floor: date) -> bool:
        """Whether a monthly fee charges a holding anything for a period: the period ends on or after the holding's
        first day billed, and the fee's schedule charges it."""
        return month.end >= floor and self._in_schedule(stmt, month)

    def _bill_month(self, rule, stmt: n.Fee, sub: Subscription, month: Period, terms: tuple, last_day,
                    twins: dict | None) -> None:
        """Bill one period of a monthly fee for one holding (`terms`: _holding_terms). A period whose entry would
        differ from an earlier period's only by its dates copies that entry (`twins`, kept per holding and fee for
        a fee charged whole, not per quantity change: _twin)."""
        floor, first_policy, last_policy = terms
        if not self._charges_period(stmt, month, floor):
            return
        twin = self._twin(stmt, sub, month, floor, last_day) if twins is not None else None
        line = None
        if twin is not None:
            fields = twins.get(twin)
            if fields is None:  # the first such period of the holding: another customer's, with the holding's events
                line = self._line(rule, stmt, sub.item, month, twin)
                shared = self.compiled.fee_lines.get(line)
                if shared is not None:
                    fields = twins[twin] = {**shared, "events": tuple(sub.events)}
            if fields is not None:
                self.record(Entry(**fields, date=month.end, period=(month.start, month.end),
                                  key=f"{sub.item}:{month}"), stmt)
                return
        result = self._month_charge(rule, stmt, sub, month, floor, last_day if last_day < month.end else None,
                                    first_policy, last_policy)
        if result is None:
            return
        amount, steps, period = result
        period_rule = self._period_rule()
        if period_rule is not None:
            steps.rules.append(period_rule.id)
        label = self._fee_label(rule, stmt, sub.item, month.start)
        entry = self._charge(rule, stmt, label, month.end,
                             period, amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{month}")
        if line is not None and self._rounds_alike(month.end):
            twins[twin] = keep(self.compiled.fee_lines, line, {name: getattr(entry, name) for name in TWIN_FIELDS})

    def _fee_label(self, rule, stmt: n.Fee, item: str, d: date) -> str:
        """`<the fee's label>: <the item's label>`, the same for every period of a holding."""
        key = (id(stmt), item)
        found = self._fee_labels.get(key)
        if found is None:
            found = f"{stmt.label or rule.label or 'monthly fee'}: {item_label(self.version(d).tables, item)}"
            self._fee_labels[key] = found
        return found

    def _bill_year(self, rule, stmt: n.Fee, sub: Subscription, month: Period, last_day: date) -> None:
        k = (month.year - sub.start.year) * 12 + month.month - sub.start.month
        if k % 12:
            return
        start = periods.add_months(sub.start, k)
        if start > last_day or start < sub.start:
            return
        steps = Trace()
        raw = self._fee_rate(stmt, start, sub.quantity_on(start), steps, holding=sub)
        amount = self.money(raw, start, steps)
        end = periods.civil_expiry(start, 1, "years", first_day_counts=True)
        tables = self.version(start).tables
        label = f"{stmt.label or rule.label or 'yearly fee'}: {item_label(tables, sub.item)}"
        self._charge(rule, stmt, label, start, (start, end),
                     amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{start}")


def _wanted_items(items: Value | None) -> set[str] | None:
    """The items a fee query names (one item or a list), or None for all of them."""
    if items is None:
        return None
    return {x.value for x in items.value} if items.kind == "list" else {items.value}
