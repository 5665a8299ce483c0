"""Items' lifecycles: one holding of an item, with each of its dates, and its quantity over time.

A holding (`Subscription`) is ordered by an event, started (held) from a day, starts billing on a day of its
own (`starts X billing from D`, or the day it starts; a part of another item not before that item's billing
start), may be asked to stop (the notice's arrival) and ends on its last day. Its quantity is kept per
instant, so that "the value in force at the period's first instant" is exact when it changes later that day.
docs/language.md, "Items' lifecycles", says what each date means to the rules.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from interpreter import records

from interpreter.run.compiled import fee_items
from interpreter.run.expressions import Value, as_date
from interpreter.syntax import nodes as n
from interpreter.time.timestamps import JST


def midnight(d: date) -> datetime:
    """The first instant of a day, Japan time."""
    return datetime.combine(d, time(0), JST)


@records.define
class Subscription:
    """One holding of an item: held from `start` to `end` (its last day; None while it runs)."""

    item: str
    start: date
    end: date | None
    quantities: list[tuple[datetime, Decimal]]  # (the instant a quantity takes effect, the quantity), in order
    events: list[int]
    fields: dict
    end_reason: str | None = None
    ordered: date | None = None  # the date of the event that brought the item
    billing_from: date | None = None  # `billing from D`; None: fees run from the start
    stop_requested: date | None = None  # the day the notice that ends it arrived
    billing_start_fixed: date | None = records.field(default=None, eq=False, repr=False)  # once the timeline is complete
    start_entry: object = records.field(default=None, eq=False, repr=False)  # the ledger's record of a start to come

    def active_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    def quantity_at(self, instant: datetime) -> Decimal:
        """The quantity in force at an instant (before the first change: the first quantity)."""
        if len(self.quantities) == 1:  # never changed
            return self.quantities[0][1]
        q = self.quantities[0][1]
        for at, value in self.quantities:
            if at <= instant:
                q = value
        return q

    def quantity_on(self, d: date) -> Decimal:
        """The quantity in force at the end of a day."""
        if len(self.quantities) == 1:  # never changed
            return self.quantities[0][1]
        return self.quantity_at(midnight(d + timedelta(days=1)) - timedelta(microseconds=1))

    def maximum_in(self, first: date, last: date) -> Decimal:
        """The largest quantity in force at any instant of first…last: the value at first's 00:00 counts even
        when it changes later that day (別紙1 備考(1) of the IIJ terms: 150 at 00:00, 100 from 01:00 → 150)."""
        lo, hi = midnight(first), midnight(last + timedelta(days=1))
        values = [self.quantity_at(lo)] + [v for at, v in self.quantities if lo < at < hi]
        return max(values)

    def change_days(self) -> list[date]:
        """The days (Japan time) on which its quantity changes, in order, each once."""
        return sorted({at.astimezone(JST).date() for at, _ in self.quantities})

    def set_quantity(self, at: datetime, quantity: Decimal) -> None:
        self.quantities.append((at, quantity))
        self.quantities.sort(key=lambda pair: pair[0])

    def billing_start(self, parent: Subscription | None = None) -> date:
        """The day its fees start: `billing from`, else its start; a part of another item waits for that
        item's billing start (a capacity ordered before Mailbox Plus bills is what its billing starts with)."""
        own = self.billing_from or self.start
        if self.billing_from is None and parent is not None:
            own = max(own, parent.billing_start())
        return own

    def waits_for(self, parent: Subscription | None) -> bool:
        """A part started before the item it belongs to bills: it starts billing with that item, as part of
        what that item starts with, so its first month is not a partial month of its own."""
        return (self.billing_from is None and parent is not None and self.start < parent.billing_start()
                and self.billing_start(parent) == parent.billing_start())


class LifecycleEvaluation:
    """The dates of an item's lifecycle as the rules read them, and the functions `active`, `quantity`,
    `maximum_quantity` and `monthly_billed` (a mixin of the evaluation)."""

    def _lifecycle_functions(self) -> dict:
        return {"monthly_billed": self._monthly_billed, "active": self._is_active, "quantity": self._quantity_of,
                "maximum_quantity": self._maximum_quantity}

    def _lifecycle_date(self, sub: Subscription, name: str) -> date | None:
        """`X.ordered`, `X.accepted`, `X.start`, `X.billing_start`, `X.stop_requested`, `X.end`."""
        if name == "billing_start":
            return self.billing_start_of(sub)
        return {"ordered": sub.ordered, "accepted": sub.start, "start": sub.start,
                "stop_requested": sub.stop_requested, "end": sub.end}.get(name)

    def _parent_holding(self, sub: Subscription) -> Subscription | None:
        """The holding of the item `sub`'s item is declared inside, in force when `sub` starts."""
        parent = self.version(sub.start).tables.item_parent.get(sub.item)
        if parent is None:
            return None
        return next((x for x in self.subs.get(parent, []) if x.active_on(sub.start)), None)

    def _contract_billing_floor(self) -> date | None:
        """The contract's `billing from`, computed once the timeline is complete (it can read any event)."""
        if not self.timeline_complete:
            return self._billing_start()
        if "_billing_floor" not in self.__dict__:
            self._billing_floor = self._billing_start()
        return self._billing_floor

    def billing_start_of(self, sub: Subscription) -> date:
        """Its own billing start, not before the contract's (`billing from`); fixed once the timeline is
        complete, so each month billed reads it from a table."""
        found = sub.billing_start_fixed
        if found is None:
            contract = self._contract_billing_floor()
            own = sub.billing_start(self._parent_holding(sub))
            found = max(own, contract) if contract is not None else own
            if self.timeline_complete:
                sub.billing_start_fixed = found
        return found

    def _never_billed(self, sub: Subscription) -> bool:
        """It ended before its billing start (an option stopped before 課金開始日): no fee and no term."""
        return sub.end is not None and sub.end < self.billing_start_of(sub)

    def _monthly_billed(self, day, items):
        """The monthly fees billed for the calendar month holding `day`, for the items given and the items
        declared inside them, as the fee statements bill that month (a monthly maximum at the month's maximum,
        a prorated month prorated): 「月額費用」 as the fee schedule bills it (IIJ 第13条, 別紙3)."""
        d = as_date(day)
        month = self._period_of(d)
        wanted = {x.value for x in items.value} if items.kind == "list" else {items.value}
        parents = self.version(d).tables.item_parent
        wanted |= {child for child in parents if _part_of(child, wanted, parents)}
        horizon = self._horizon()
        billing_start = self._billing_start()
        total = Decimal(0)
        for item in sorted(wanted):
            fees = [(r, s) for r, s in self.statements_by(month.start, n.Fee, fee_items).get(item, ())
                    if s.kind == "monthly"]
            for sub in self.subs.get(item, []):
                last_day = min(sub.end or horizon, horizon)
                if self._never_billed(sub) or sub.start > month.end or last_day < month.start:
                    continue
                for rule, stmt in fees:
                    result = self._month_amount(rule, stmt, sub, month, billing_start, last_day)
                    if result is not None:
                        total += result[0]
        return Value("money", total)

    def _holdings(self, item: str) -> list[Subscription]:
        """The holdings of an item a query reads: inside a fee's amount, the holding billed (fee.py, _fee_rate)."""
        billed = self.billed_holding
        return [billed] if billed is not None and billed.item == item else self.subs.get(item, [])

    def _is_active(self, item, day):
        """Whether an item is held on a day; `active(contract, d)`: whether the contract is in force then
        (from its start through its last day, as far as the timeline has gone)."""
        d = as_date(day)
        if item.kind == "contract":
            start, end = self.contract_start, self.contract_end
            return Value("bool", start is not None and start <= d and (end is None or d <= end))
        return Value("bool", self._active(item.value, d) is not None)

    def _quantity_of(self, item, day):
        d = as_date(day)
        sub = next((x for x in self._holdings(item.value) if x.active_on(d)), None)
        return Value("count", sub.quantity_on(d) if sub else Decimal(0))

    def _maximum_quantity(self, item, first, last):
        """The largest quantity held in first…last (every holding of the item), the value in force at the
        period's first instant included; 0 when the item is not held in the period."""
        lo, hi = as_date(first), as_date(last)
        best = Decimal(0)
        for sub in self._holdings(item.value):
            start, end = max(lo, sub.start), min(hi, sub.end or hi)
            if start <= end:
                best = max(best, sub.maximum_in(start, end))
        return Value("count", best)


def _part_of(item: str, wanted: set[str], parents: dict[str, str]) -> bool:
    """Whether an item is declared (at any depth) inside one of `wanted`."""
    while item in parents:
        item = parents[item]
        if item in wanted:
            return True
    return False
