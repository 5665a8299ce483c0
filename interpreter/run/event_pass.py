"""The pass over a customer's events: what one event does (a mixin of the evaluation)."""
from __future__ import annotations

from interpreter.run.compiled import emit_event, fee_event, obligation_trigger, statement_event
from interpreter.run.events import Event
from interpreter.run.state import Declared
from interpreter.syntax import nodes as n


class EventPass:
    """What one event does, in the pass over a customer's sorted events (EvaluationCore._passes)."""

    def _event(self, ev: Event) -> None:
        """What one event does: a rejection stops it; otherwise each statement kind reacts in turn."""
        self.seen[ev.name].append(ev)
        decl = self.version(ev.date).tables.events[ev.name]
        written = self._written_on(ev)
        if not written and not decl.effects and not self._read_on(ev):
            # Nothing on the event reads an expression (a payment, which the invoices read later): its environment
            # is never asked for. It can still be rejected (an order after the contract's end) and meet a duty.
            if not self._rejected_event(ev, decl, None):
                self._obligations_on(ev, None)
            return
        names = self._names(self.version(ev.date))
        env = self.event_env(ev)
        if self._rejected_event(ev, decl, env):
            return
        if n.Limit in written:
            self._limits_on(ev, env)
        declared = self._event_declared(decl)
        for action in decl.effects:
            self._apply(action, ev.date, env, ev, declared, ev.instant)
        if n.Notice in written:
            self._notices_on(ev, env)
        if n.Fee in written:
            self._fees_on(ev, env, decl)
        if n.Emit in written:
            self._emits_on(ev)
        if self._names(self.version(ev.date)) is not names:
            env = self.event_env(ev)  # with the states the entries on this event derived
        self._obligations_on(ev, env)  # always: the event may meet an obligation raised earlier
        if n.Effect in written:
            self._effects_on(ev, env)

    # The kinds of statement written on an event that _event hands it to only when one is written on it.
    ON_EVENT = ((n.Limit, statement_event), (n.Notice, statement_event), (n.Fee, fee_event), (n.Emit, emit_event),
                (n.Effect, statement_event))

    def _written_on(self, ev: Event) -> frozenset[type]:
        """The kinds of ON_EVENT with a statement on events of this name in force on its day: most events have
        one or two, and asking each kind for every event costs more than the statements themselves. Keyed by the
        statement tables in force (which stand for the rules that apply to this customer) and the event's name, for
        every customer."""
        key = (id(self._tables(self.version(ev.date))), ev.name)
        found = self.compiled.written_on.get(key)
        if found is None:
            found = self.compiled.written_on[key] = frozenset(
                kind for kind, key_of in self.ON_EVENT if self.statements_by(ev.date, kind, key_of).get(ev.name))
        return found

    # The kinds of statement besides ON_EVENT whose expressions an event's environment serves: a rejection's
    # condition, a notice's (read for the items it starts), a duty the event raises.
    READ_ON_EVENT = ((n.Reject, statement_event), (n.Notice, statement_event), (n.Obligation, obligation_trigger))

    def _read_on(self, ev: Event) -> bool:
        """Whether a statement of READ_ON_EVENT is written on events of this name in force on its day (kept as
        `_written_on` is)."""
        key = (id(self._tables(self.version(ev.date))), ev.name, "read")
        found = self.compiled.written_on.get(key)
        if found is None:
            found = self.compiled.written_on[key] = any(
                self.statements_by(ev.date, kind, key_of).get(ev.name) for kind, key_of in self.READ_ON_EVENT)
        return found

    def _event_declared(self, decl: n.EventDecl) -> Declared:
        """What an event's own effects name as their rule: the event's declaration (the one in force: an amendment
        may label the event anew), made once for every customer."""
        found = self.compiled.event_declared.get(id(decl))
        if found is None:
            found = self.compiled.event_declared[id(decl)] = Declared(f"event {decl.name}", (decl.label or decl.name,))
        return found
