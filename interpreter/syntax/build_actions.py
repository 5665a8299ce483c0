"""Parse tree -> AST for the actions of events, notices and effects (a mixin of the builder)."""
from __future__ import annotations

from interpreter import records
from interpreter.syntax.tokens import with_meta
from interpreter.syntax import nodes as n


@records.frozen
class _BillingFrom:
    """The `billing from D` part of a `starts` effect, until start_item places it."""
    date: object


class ActionSyntax:
    """Parse tree -> AST for the actions of events, notices and effects (a mixin of the builder)."""

    def event_effect(self, children):
        return list(children)

    @with_meta
    def start_contract(self, meta, children):
        return n.StartContract(span=self._span(meta))

    @with_meta
    def end_contract(self, meta, children):
        return n.EndContract(span=self._span(meta))

    @with_meta
    def start_item(self, meta, children):
        billing = next((c.date for c in children if isinstance(c, _BillingFrom)), None)
        rest = [c for c in children if not isinstance(c, _BillingFrom)]
        return n.StartItem(rest[0], rest[1] if len(rest) > 1 else None, billing, span=self._span(meta))

    def start_billing(self, children):
        return _BillingFrom(children[0])

    @with_meta
    def end_item(self, meta, children):
        return n.EndItem(children[0], span=self._span(meta))

    @with_meta
    def stop_item(self, meta, children):
        return n.EndItem(children[0], True, span=self._span(meta))

    @with_meta
    def set_quantity(self, meta, children):
        return n.SetQuantity(children[0], children[1], span=self._span(meta))

    @with_meta
    def change_item(self, meta, children):
        return n.ChangeItem(children[0], children[1], span=self._span(meta))

    @with_meta
    def accelerate_debts(self, meta, children):
        parts = dict(children)
        return n.AccelerateDebts(parts.get("to"), parts.get("through"), span=self._span(meta))

    def debts_through(self, children):
        return ("through", children[0])

    def debts_to(self, children):
        return ("to", children[0])

    @with_meta
    def suspend_service(self, meta, children):
        return n.SuspendService(children[0] if children else None, span=self._span(meta))

    @with_meta
    def waive_fees(self, meta, children):
        rest = list(children)
        kinds = rest.pop(0)[1] if rest and isinstance(rest[0], tuple) and rest[0][:1] == ("fee_kinds",) else ()
        items = tuple(rest.pop(0)) if len(rest) > 2 else ()
        return n.WaiveFees(kinds, items, rest[0], rest[1], span=self._span(meta))

    def fee_kinds(self, children):
        return ("fee_kinds", tuple(str(c) for c in children))
