"""Settlement of the remaining minimum term when a contract or item ends early (`settle`)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from interpreter import records

from interpreter.run.expressions import evaluate, format_decimal, truthy
from interpreter.run.compiled import fee_items
from interpreter.run.lifecycle import Subscription
from interpreter.run.state import Trace, item_label
from interpreter.syntax import nodes as n


PARTIAL_MONTH_POLICIES = ("full", "prorated", "none")


class SettleChecks:
    """Checks of settle statements (a mixin of the checker)."""

    def _stmt_Settle(self, s: n.Settle, tables, scope) -> None:
        if s.partial_month is not None and not self._policy_choice(s.partial_month, PARTIAL_MONTH_POLICIES,
                                                                   "partial month", s.span, tables) \
                and s.partial_month not in PARTIAL_MONTH_POLICIES:
            self.error("E406", f"`partial month {s.partial_month}` is not a policy", s.span,
                       "write one of: full, prorated, none, or a reading choice whose readings are those")
        if s.partial_month is None:
            self.error("W501", "the settlement does not say how a partial remaining month counts", s.span,
                       "add `partial month full`, `partial month prorated` or `partial month none`")
        for event in s.unless_ended_by:
            self._event_name(event, s.span, tables)
        for event, cond in s.ended_where:
            if event in tables.events:
                self._expect(cond, "bool", self._event_scope(scope, event, tables), tables, "a condition")
        self._items(s.items, tables)


class SettleEvaluation:
    """Evaluation of settle statements (a mixin of the evaluation)."""

    def _settlements(self) -> None:
        """`settle`: an ending inside a minimum term owes the monthly fees of the rest of that term.

        The contract's own minimum term settles the fees of the items ending with the contract; an item with a
        minimum term of its own (`minimum term … for X`) settles its own fees when it ends early, whether it
        ends alone, by a cascade or with the contract."""
        d = self.contract_start or self.as_of
        own = {item for item, sub, _ in self.minimums if item is not None}
        for rule, s in self.statements(d, n.Settle):
            env = self.env(d)
            wanted = {evaluate(i, env).value for i in s.items} if s.items else None
            excluded = self._ended_by_one_of(s)
            for item, sub, min_end in self.minimums:
                if item is None:
                    end = self.contract_end
                    if end is None or end >= min_end or excluded:
                        continue
                    subs = [x for it, xs in sorted(self.subs.items()) for x in xs
                            if x.end == end and it not in own and (wanted is None or it in wanted)]
                    events, label = self.contract_end_events, s.label or rule.label or "settlement of the minimum term"
                else:
                    end = sub.end
                    if end is None or end >= min_end or (wanted is not None and item not in wanted):
                        continue
                    if excluded and end == self.contract_end:
                        continue
                    subs = [sub]
                    events = tuple(sub.events)
                    tables = self.version(end).tables
                    label = f"{s.label or rule.label or 'settlement of the minimum term'}: {item_label(tables, item)}"
                total, steps = self._remaining_fees(s, subs, end, min_end)
                if total:
                    self._charge(rule, s, label, end, (end + timedelta(days=1), min_end), total, events, steps)

    def _ended_by_one_of(self, s: n.Settle) -> bool:
        """Whether the contract was ended by one of the events `unless ended by` names, its condition (if any)
        holding for that event."""
        ev = self.ended_by
        if ev is None or ev.name not in s.unless_ended_by:
            return False
        cond = dict(s.ended_where).get(ev.name)
        return cond is None or truthy(evaluate(cond, self.event_env(ev)), cond)

    def _remaining_fees(self, s: n.Settle, subs: list[Subscription], end: date, min_end: date):
        """The monthly fees the subscriptions would have owed from the day after `end` through `min_end`:
        the end month's remainder only for a fee prorated (or charged at a daily rate) in its last month (a fee
        billed whole for that month owes nothing more), then each later month, the last one counted as `partial
        month` says. A fee charged at a daily rate owes the days at that daily rate too."""
        total = Decimal(0)
        steps = Trace([f"ended {end}, before the minimum term ends {min_end}: the fees for "
                       f"{end + timedelta(days=1)}–{min_end} are due at once"])
        billed = {e.key for e in self.entries if e.kind == "charge" and e.key}
        policy = self._reading_taken(s.partial_month or "full")
        for sub in subs:
            ghost = records.evolve(sub, end=min_end, quantities=list(sub.quantities))
            for month in self._months(end + timedelta(days=1), min_end):
                for frule, fee in self.statements(month.start, n.Fee):
                    if fee.kind != "monthly" or not fee.settled or sub.item not in fee_items(fee):
                        continue
                    remainder = month.start <= end
                    last = self._policy(fee, "last")
                    by_day = "daily_rate" if last == "daily_rate" else "prorated"  # how the fee counts a day
                    if remainder and (last not in ("prorated", "daily_rate") or f"{sub.item}:{month}" not in billed):
                        continue
                    if not remainder and f"{sub.item}:{month}" in billed:
                        continue
                    short = min_end < month.end
                    if short and policy == "none":
                        continue
                    month_policy = by_day if remainder or (short and policy == "prorated") else \
                        policy if short else "full"
                    result = self._month_charge(frule, fee, ghost, month, end + timedelta(days=1),
                                                min_end if short else None, month_policy, month_policy)
                    if result is None:
                        continue
                    amount, fsteps, _ = result
                    total += amount
                    steps.append(f"{month}: {' '.join(fsteps)} = {format_decimal(amount)} yen ({frule.id})")
                    steps.rules.extend(getattr(fsteps, "rules", []))
        if total:
            steps.append(f"total = {format_decimal(total)} yen")
        return total, steps
