"""Constraints on orders and usage: requires, ends with, limits, rejections."""
from __future__ import annotations

from typing import TYPE_CHECKING

from interpreter.run.expressions import (
    Env,
    evaluate,
    truthy,
)
from interpreter.run.show import show
from interpreter.run.compiled import ANY_ITEM, fee_event, requires_item, statement_event
from interpreter.run.state import alternatives, item_label, occurrence
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


class ConstraintsChecks:
    """Checks of constraints statements (a mixin of the checker)."""

    def _stmt_Requires(self, s: n.Requires, tables, scope) -> None:
        self._items([s.item, s.condition], tables)

    def _stmt_EndsWith(self, s: n.EndsWith, tables, scope) -> None:
        self._items([s.item, *s.prerequisites], tables)

    def _stmt_Limit(self, s: n.Limit, tables, scope) -> None:
        self._event_name(s.event, s.span, tables)
        self._expect(s.condition, "bool", self._event_scope(scope, s.event, tables), tables, "a limit")

    def _stmt_Reject(self, s: n.Reject, tables, scope) -> None:
        self._event_name(s.event, s.span, tables)
        self._expect(s.condition, "bool", self._event_scope(scope, s.event, tables), tables, "a condition")


class ConstraintsEvaluation:
    """Evaluation of constraints statements (a mixin of the evaluation)."""

    def _rejected_event(self, ev: Event, decl: n.EventDecl, env: Env) -> bool:
        """An event that breaks a constraint is rejected: a finding, and nothing else changes."""
        reason = self._after_contract_end(ev, decl) or self._rejection(ev, self._started_items(ev, decl, env), env)
        if reason is None:
            return False
        rule, stmt, message = reason
        self.rejected.add(ev.index)
        # a `reject` shows its condition with the figures it compared (`explain`)
        why = (f"{show(stmt.condition, env)} is true",) if isinstance(stmt, n.Reject) else ()
        self.add(rule, stmt, "finding", message, date=ev.date, events=(ev.index,),
                 note=f"{occurrence(ev)} rejected: it changes nothing else", explanation=why)
        return True

    # what an event orders of the service: taking an item on, changing one, setting its count
    ORDERS = (n.StartItem, n.ChangeItem, n.SetQuantity)

    def _after_contract_end(self, ev: Event, decl: n.EventDecl):
        """An order of the service (or a request priced by an occurrence fee) dated after the contract's last day
        has no contract to act under: it is rejected, in the name of the rule that ended the contract. A payment,
        a claim or a notice is still received (they carry no such effect or fee)."""
        if self.contract_end is None or ev.date <= self.contract_end:
            return None
        ordered = any(isinstance(action, self.ORDERS) for action in decl.effects)
        if not ordered and not any(stmt.kind == "occurrence" for _, stmt in
                                   self.statements_by(ev.date, n.Fee, fee_event).get(ev.name, ())):
            return None
        rule, stmt = self.contract_end_source
        return rule, stmt, (f"{decl.label or ev.name} after the contract ended "
                            f"({self.contract_end.isoformat()} was its last day)")

    def _limits_on(self, ev: Event, env: Env) -> None:
        for rule, stmt in self.statements_by(ev.date, n.Limit, statement_event).get(ev.name, ()):
            if not truthy(evaluate(stmt.condition, env), stmt.condition):
                self.add(rule, stmt, "finding", stmt.label or f"limit of {rule.id} exceeded", date=ev.date,
                         events=(ev.index,), explanation=(f"{show(stmt.condition, env)} is false",))

    def _rejection(self, ev: Event, started, env: Env):
        d = ev.date
        found = self._order_rejection(ev, started, env) if started else None
        if found is not None:
            return found
        for rule, s in self.statements_by(d, n.Reject, statement_event).get(ev.name, ()):
            if truthy(evaluate(s.condition, env), s.condition):
                return rule, s, s.label or f"{ev.name} rejected by {rule.id}"
        return None

    def _order_rejection(self, ev: Event, started, env: Env):
        """The first order constraint an event that starts or changes items breaks, if any."""
        d = ev.date
        tables = self.version(d).tables
        items = [i for i, _ in started]
        by_item = self.statements_by(d, n.Requires, requires_item)
        candidates = [pair for key in (*dict.fromkeys(items), ANY_ITEM) for pair in by_item.get(key, ())]
        if len(candidates) > 1:  # in the order the terms state them
            order = {id(pair[1]): i for i, pair in enumerate(self._tables(self.version(d)).by_kind[n.Requires])}
            candidates.sort(key=lambda pair: order[id(pair[1])])
        for rule, s in candidates:
            self.current = s
            item = evaluate(s.item, env).value
            if item in items:
                options = [x.name for x in alternatives(s.condition)]
                if not any(self._active(o, d) or o in items for o in options):
                    names = " or ".join(item_label(tables, o) for o in options)
                    return rule, s, f"order for {item_label(tables, item)} rejected: it requires {names}"
        return None
