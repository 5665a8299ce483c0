"""Actions: what events and notices do to the contract and its items (start, end, stop, change, set quantity).

The checks run in `check`, the evaluation in `run`; both are mixins composed by
interpreter/statements/__init__.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date, timedelta
from decimal import Decimal

from interpreter.check.model import Tables
from interpreter.check.scope import Scope
from interpreter.run.expressions import Env, evaluate
from interpreter.run.compiled import statement_event
from interpreter.run.state import Subscription, item_label
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
        if isinstance(action, n.SetQuantity):
            self.infer(action.value, scope, tables)
        if isinstance(action, n.ChangeItem):
            self._expect(action.to, "item", scope, tables, "what an item changes to")


class ActionsEvaluation:
    """Evaluation of effects statements (a mixin of the evaluation)."""

    def _apply(self, action, d: date, env: Env, ev: Event | None, rule: n.RuleDecl | None) -> None:
        events = [ev.index] if ev else []
        if self._apply_billing_action(action, d, env, rule):  # statements/effect.py
            return
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
                current.quantities.append((d, qty))
            else:
                fields = dict(ev.fields) if ev else {}
                sub = Subscription(item, d, None, [(d, qty)], events, fields)
                self.subs[item].append(sub)
                self._scheduled_end(sub)
                self._initial_fees(item, d, qty, tuple(events))
        elif isinstance(action, n.EndItem):
            item = evaluate(action.item, env).value
            last = d - timedelta(days=1) if action.stops else d
            self._end_item(item, last, tuple(events), f"ended by {ev.name}" if ev else "ended", rule, action)
        elif isinstance(action, n.SetQuantity):
            item = evaluate(action.item, env).value
            sub = self._active(item, d)
            if sub is not None:
                sub.quantities.append((d, Decimal(evaluate(action.value, env).value)))
        elif isinstance(action, n.ChangeItem):
            old = evaluate(action.item, env).value
            new = evaluate(action.to, env).value
            sub = self._active(old, d)
            qty = sub.quantity_on(d) if sub else Decimal(1)
            self._end_item(old, d - timedelta(days=1), tuple(events), f"changed to {new}", rule, action)
            self.subs[new].append(Subscription(new, d, None, [(d, qty)], events, dict(ev.fields) if ev else {}))

    def _scheduled_end(self, sub: Subscription) -> None:
        """An item started after the contract's (or a prerequisite's) end is already fixed ends with it."""
        ends = []
        if self.contract_end is not None and self.contract_end >= sub.start:
            ends.append((self.contract_end, "contract ends"))
        for _, s in self.statements(sub.start, n.EndsWith):
            if getattr(s.item, "name", None) != sub.item:
                continue
            for p in s.prerequisites:
                current = self._active(getattr(p, "name", ""), sub.start)
                if current is not None and current.end is not None:
                    ends.append((current.end, f"ends with {current.item}"))
        if ends:
            sub.end, sub.end_reason = min(ends)

    def _end_contract(self, last: date, events: tuple[int, ...], rule, stmt, ev: Event | None) -> None:
        if self.contract_end is not None and self.contract_end <= last:
            return
        self.contract_end = last
        self.contract_end_events = events
        self.ended_by = ev.name if ev else None
        for item, subs in self.subs.items():
            for sub in subs:
                if sub.end is None or sub.end > last:
                    sub.end = last
                    sub.end_reason = "contract ends"

    def _end_item(self, item: str, last: date, events, reason: str, rule, stmt) -> None:
        sub = self._active(item, last) or self._active(item, last + timedelta(days=1))
        if sub is None or (sub.end is not None and sub.end <= last):
            return
        sub.end = last
        sub.end_reason = reason
        tables = self.version(last).tables
        for r, s in self.statements(last, n.EndsWith):
            prerequisites = [evaluate(p, self.env(last)).value for p in s.prerequisites]
            dependent = evaluate(s.item, self.env(last)).value
            if item in prerequisites and self._active(dependent, last):
                others_alive = [p for p in prerequisites if p != item and self._active(p, last + timedelta(days=1))]
                if others_alive:
                    continue
                self.add(r, s, "state", f"{item_label(tables, dependent)} ends with {item_label(tables, item)}",
                         date=last, value=last, events=events)
                self._end_item(dependent, last, events, f"ends with {item}", r, s)

    def _started_items(self, ev: Event, decl: n.EventDecl, env: Env) -> list[tuple[str, Decimal | None]]:
        actions = list(decl.effects)
        for _, stmt in self.statements_by(ev.date, n.Notice, statement_event).get(ev.name, ()):
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
