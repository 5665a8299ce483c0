"""Actions: what events and notices do to the contract and its items (start, end, stop, change, set quantity)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date, datetime, timedelta
from decimal import Decimal

from interpreter.check.model import Tables
from interpreter.check.scope import Scope
from interpreter.run.expressions import ABSENT, Env, as_date, evaluate, truthy
from interpreter.run.compiled import statement_event
from interpreter.run.lifecycle import Subscription, midnight
from interpreter.run.state import item_label
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


class ActionsChecks:
    """Checks of effects statements (a mixin of the checker)."""

    def _check_action(self, action, scope: Scope, tables: Tables) -> None:
        self._check_billing_action(action, scope, tables)
        if isinstance(action, (n.StartItem, n.EndItem, n.SetQuantity, n.ChangeItem)):
            self._expect(action.item, "item", scope, tables, "what starts or ends")
        if isinstance(action, n.StartItem) and action.quantity is not None:
            self.infer(action.quantity, scope, tables)
        if isinstance(action, n.StartItem) and action.billing_from is not None:
            self._expect(action.billing_from, "date", scope, tables, "the day billing starts")
        if isinstance(action, n.SetQuantity):
            self.infer(action.value, scope, tables)
        if isinstance(action, n.ChangeItem):
            self._expect(action.to, "item", scope, tables, "what an item changes to")


class ActionsEvaluation:
    """Evaluation of effects statements (a mixin of the evaluation)."""

    def _apply(self, action, d: date, env: Env, ev: Event | None, rule: n.RuleDecl | None,
               at: datetime | None = None) -> None:
        """One effect on day d; `at` is the instant (an event's own effects), else d's first instant."""
        events = [ev.index] if ev else []
        if self._apply_billing_action(action, d, env, rule):  # statements/effect.py
            return
        at = at or midnight(d)
        if isinstance(action, n.StartContract):
            if self.contract_start is None:
                self.contract_start = d
        elif isinstance(action, n.EndContract):
            self._end_contract(d, tuple(events), rule, action, ev)
        elif isinstance(action, n.StartItem):
            item = evaluate(action.item, env).value
            qty = Decimal(evaluate(action.quantity, env).value) if action.quantity is not None else Decimal(1)
            current = self._active(item, d)
            if current is not None:
                current.set_quantity(at, qty)
            else:
                fields = dict(ev.fields) if ev else {}
                billing = evaluate(action.billing_from, env) if action.billing_from is not None else ABSENT
                sub = Subscription(item, d, None, [(at, qty)], events, fields, ordered=ev.date if ev else d,
                                   billing_from=as_date(billing) if billing.kind != "absent" else None)
                self.subs[item].append(sub)
                self._scheduled_end(sub)
                self._initial_fees(item, d, qty, tuple(events))
        elif isinstance(action, n.EndItem):
            item = evaluate(action.item, env).value
            last = d - timedelta(days=1) if action.stops else d
            self._end_item(item, last, tuple(events), f"ended by {ev.name}" if ev else "ended", rule, action,
                           requested=ev.date if ev else None)
        elif isinstance(action, n.SetQuantity):
            item = evaluate(action.item, env).value
            sub = self._active(item, d)
            if sub is not None:
                sub.set_quantity(at, Decimal(evaluate(action.value, env).value))
        elif isinstance(action, n.ChangeItem):
            old = evaluate(action.item, env).value
            new = evaluate(action.to, env).value
            sub = self._active(old, d)
            qty = sub.quantity_on(d) if sub else Decimal(1)
            self._end_item(old, d - timedelta(days=1), tuple(events), f"changed to {new}", rule, action)
            changed = Subscription(new, d, None, [(at, qty)], events, dict(ev.fields) if ev else {},
                                   ordered=ev.date if ev else d)
            self.subs[new].append(changed)
            self._scheduled_end(changed)  # a contract end already fixed (a cancellation notice) ends it too

    def _scheduled_end(self, sub: Subscription) -> None:
        """An item taken on after the contract's (or a prerequisite's) end is already fixed ends with it, even
        when that end comes before its own billing start (第9条第2項 of the IIJ terms: then it is never billed)."""
        ends = []
        if self.contract_end is not None and self.contract_end >= sub.start:
            ends.append((self.contract_end, "contract ends", None, None))
        for r, s in self.statements(sub.start, n.EndsWith):
            if getattr(s.item, "name", None) != sub.item:
                continue
            for p in s.prerequisites:
                current = self._active(getattr(p, "name", ""), sub.start)
                if current is not None and current.end is not None:
                    ends.append((current.end, f"ends with {current.item}", (r, s), current))
        if ends:
            sub.end, sub.end_reason, source, prerequisite = min(ends, key=lambda e: e[0])
            if source is not None:
                tables = self.version(sub.end).tables
                self.add(*source, "state",
                         f"{item_label(tables, sub.item)} ends with {item_label(tables, prerequisite.item)}",
                         date=sub.end, value=sub.end, events=tuple(sub.events))

    def _end_contract(self, last: date, events: tuple[int, ...], rule, stmt, ev: Event | None) -> None:
        if self.contract_end is not None and self.contract_end <= last:
            return
        self.contract_end = last
        self.contract_end_events = events
        self.contract_end_source = (rule, stmt)
        self.ended_by = ev
        for item, subs in self.subs.items():
            for sub in subs:
                if sub.end is None or sub.end > last:
                    sub.end = last
                    sub.end_reason = "contract ends"

    def _holding(self, item: str, last: date, requested: date | None = None) -> Subscription | None:
        """The holding an end on `last` ends: the one held on that day (or starting the next day, for `stops`),
        else one taken on by then that starts later and has not ended: it then ends before it starts."""
        found = self._active(item, last) or self._active(item, last + timedelta(days=1))
        if found is not None:
            return found
        cutoff = requested or last
        return next((x for x in self.subs.get(item, []) if x.start > last and x.end is None
                     and (x.ordered or x.start) <= cutoff), None)

    def _end_item(self, item: str, last: date, events, reason: str, rule, stmt, requested: date | None = None) -> None:
        sub = self._holding(item, last, requested)
        if sub is None or (sub.end is not None and sub.end <= last):
            return
        sub.end = last
        sub.end_reason = reason
        if sub.start > last and sub.start_entry in self.entries:  # it ends before it starts: it is never held
            self.entries.remove(sub.start_entry)
            self.origins.pop(id(sub.start_entry), None)
        if requested is not None:
            sub.stop_requested = requested
        tables = self.version(last).tables
        for r, s in self.statements(last, n.EndsWith):
            prerequisites = [evaluate(p, self.env(last)).value for p in s.prerequisites]
            dependent = evaluate(s.item, self.env(last)).value
            if item in prerequisites and self._holding(dependent, last, requested or last) is not None:
                others_alive = [p for p in prerequisites if p != item and self._active(p, last + timedelta(days=1))]
                if others_alive:
                    continue
                never = self._holding(dependent, last, requested or last).start > last
                self.add(r, s, "state", f"{item_label(tables, dependent)} "
                         f"{'never starts: it would end with' if never else 'ends with'} {item_label(tables, item)}",
                         date=last, value=last, events=events)
                self._end_item(dependent, last, events, f"ends with {item}", r, s, requested)

    def _started_items(self, ev: Event, decl: n.EventDecl, env: Env) -> list[tuple[str, Decimal | None]]:
        actions = list(decl.effects)
        for _, stmt in self.statements_by(ev.date, n.Notice, statement_event).get(ev.name, ()):
            if stmt.where is None or truthy(evaluate(stmt.where, env), stmt.where):
                actions += list(stmt.effects)
        out = []
        for a in actions:
            if isinstance(a, n.StartItem):
                qty = evaluate(a.quantity, env).value if a.quantity is not None else None
                out.append((evaluate(a.item, env).value, qty))
            elif isinstance(a, n.ChangeItem):
                out.append((evaluate(a.to, env).value, None))
            elif isinstance(a, n.SetQuantity):
                out.append((evaluate(a.item, env).value, evaluate(a.value, env).value))
        return out
