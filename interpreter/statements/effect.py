"""The `effect` statement and the actions beyond the timeline's own: one vocabulary of what a rule does.

`effect "label" on EVENT [where COND] { [date DATE;] ACTION; … }` applies actions when an event happens, on the
event's date or on DATE. The actions are those of statements/actions.py (the contract and its items) and:

- `accelerates debts [through LAST] [to DATE]`: every invoice unpaid on the day, for a month begun by then (or by
  LAST: the debts up to an expiry date), falls due that day, or on DATE (期限の利益喪失, a lump sum payable by a later
  day); late interest then runs from the day after it, and interest arising after the day of the effect (not LAST)
  is billed apart, with its period's own due date (statements/billing.py);
- `suspends service [until DATE]`: the service is suspended; fees keep running unless a rule waives them;
- `waives fees [of KIND, …] [for ITEMS] from A through B`: the fees arising in that span are not owed.

Every action, wherever it is written (an `effect`, a notice), leaves a `state` entry naming the rule and the
`.ctr` line. The checks run in `check`, the evaluation in `run`; both are mixins composed by
interpreter/statements/__init__.py."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date

from interpreter import records

from interpreter.check.model import Tables
from interpreter.check.scope import Scope
from interpreter.run.compiled import statement_event
from interpreter.run.expressions import ABSENT, Env, as_date, evaluate, truthy
from interpreter.run.ledger import Entry
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


@records.define
class Acceleration:
    day: date  # the day the benefit of time is lost: interest arising after it is a debt of its own
    through: date  # the debts of the months begun by this day (`day`, or `through` a later one) fall due …
    due: date  # … on this day (`day`, unless `to DATE`)
    rule: n.RuleDecl | None


@records.define
class Waiver:
    start: date
    end: date
    kinds: tuple[str, ...]
    items: frozenset[str]
    rule: n.RuleDecl | None


class EffectChecks:
    """Checks of `effect` statements and of the actions of this module (a mixin of the checker)."""

    def _stmt_Effect(self, s: n.Effect, tables: Tables, scope: Scope) -> None:
        if s.event is not None:
            self._event_name(s.event, s.span, tables)
        inner = self._event_scope(scope, s.event, tables) if s.event is not None else scope
        if s.where is not None:
            self._expect(s.where, "bool", inner, tables, "a condition")
        if s.date is not None:
            self._expect(s.date, "date", inner, tables, "the day an effect applies")
        if not s.actions:
            self.error("E404", "the effect names no action", s.span,
                       "add an action such as `ends contract;`, `accelerates debts;` or `suspends service;`")
        for action in s.actions:
            self._check_action(action, inner, tables)

    def _check_billing_action(self, action, scope: Scope, tables: Tables) -> None:
        if isinstance(action, n.AccelerateDebts) and action.to is not None:
            self._expect(action.to, "date", scope, tables, "the day accelerated debts fall due")
        if isinstance(action, n.AccelerateDebts) and action.through is not None:
            self._expect(action.through, "date", scope, tables, "the last day whose debts are accelerated")
        if isinstance(action, n.SuspendService) and action.until is not None:
            self._expect(action.until, "date", scope, tables, "the end of a suspension")
        if isinstance(action, n.WaiveFees):  # its kinds are the grammar's fee kinds
            self._items(action.items, tables)
            self._expect(action.start, "date", scope, tables, "the start of a waiver")
            self._expect(action.end, "date", scope, tables, "the end of a waiver")


class EffectEvaluation:
    """Evaluation of `effect` statements and of this module's actions (a mixin of the evaluation)."""

    def _dated_effects(self) -> list:
        """The effects on a date the terms name, each (day, rule, statement), in the order of their days; each
        taken from the version in force on its day."""
        found = []
        for version in self.model.versions:
            for rule, s in self._tables(version).by_kind.get(n.Effect, ()):
                if s.on_date is not None and self.version(s.on_date) is version:
                    found.append((s.on_date, rule, s))
        return sorted(found, key=lambda x: x[0])

    def _effects_dated_through(self, last: date | None) -> None:
        """Apply the effects on dates up to `last` (all of them when None) not applied yet: before the events of
        a later day, once the events of their own day are in. Each applies to a contract in force on its day."""
        if self.pending_dated is None:
            self.pending_dated = self._dated_effects()
        pending = self.pending_dated
        while pending and (last is None or pending[0][0] <= last):
            day, rule, s = pending.pop(0)
            self.current = s
            if self.contract_start is None or day < self.contract_start or (
                    self.contract_end is not None and self.contract_end < day):
                continue
            env = self.env(day)
            if s.where is not None and not truthy(evaluate(s.where, env), s.where):
                continue
            when = as_date(evaluate(s.date, env), s.date) if s.date is not None else day
            for action in s.actions:
                self._apply(action, when, env, None, rule)
                self._effect_entry(rule, s, action, when, env, ())

    def _effects_on(self, ev: Event, env: Env) -> None:
        """`effect … on EVENT`: each action applied on the event's date, or on the statement's `date`. An effect
        dated after its event waits until the timeline reaches that day (and that day's events are in), so that its
        condition and its actions read what is held then (an option taken after a notice of its 廃止 is still
        stopped on the 廃止日)."""
        for rule, s in self.statements_by(ev.date, n.Effect, statement_event).get(ev.name, ()):
            if s.date is None:
                self._effect(rule, s, ev, env, ev.date)
                continue
            day = as_date(evaluate(s.date, env), s.date)
            if day > ev.date:
                self.scheduled_effects.append((day, ev.index, rule, s, ev, env))
            else:
                self._effect(rule, s, ev, env, day)

    def _scheduled_effects_until(self, day: date | None) -> None:
        """Apply the effects scheduled for `day` or before (None: every one left), in date order."""
        if not self.scheduled_effects:  # asked before every event: most timelines schedule none
            return
        due = sorted((x for x in self.scheduled_effects if day is None or x[0] <= day), key=lambda x: x[:2])
        if not due:
            return
        self.scheduled_effects = [x for x in self.scheduled_effects if not (day is None or x[0] <= day)]
        for when, _, rule, s, ev, env in due:
            self._effect(rule, s, ev, env, when)

    def _effect(self, rule, s: n.Effect, ev: Event, env: Env, day: date) -> None:
        if s.where is not None and not truthy(evaluate(s.where, env), s.where):
            return
        steps = (self.step("date", s.date, env, str(day)),) if s.date is not None else ()
        # An effect that applies before the day its event arrived changes what had already run its course.
        note = (f"applied after the fact: {ev.name} arrived {ev.date}, after {day}" if day < ev.date
                else None)
        for action in s.actions:
            self._apply(action, day, env, ev, rule)
            self._effect_entry(rule, s, action, day, env, (ev.index,), steps, note=note)

    def _effect_entry(self, rule, stmt, action, day: date, env: Env, events, steps=(), dated: date | None = None,
                      note: str | None = None):
        """The ledger's record of one action: what it did and from which day (its value; for debts accelerated
        `to DATE`, that day), by which rule and line. The entry is dated `dated` (a notice's: the day it arrived),
        else the day the action applies. An end of the contract after the end that stands records nothing: a
        contract ends once."""
        if isinstance(action, n.EndContract) and self.contract_end is not None and self.contract_end < day:
            return
        period, value = None, day
        if isinstance(action, n.AccelerateDebts) and action.to is not None:
            value = as_date(evaluate(action.to, env), action.to)
        elif isinstance(action, n.SuspendService) and action.until is not None:
            period = (day, as_date(evaluate(action.until, env), action.until))
        elif isinstance(action, n.WaiveFees):
            period = (as_date(evaluate(action.start, env)), as_date(evaluate(action.end, env)))
        entry = self.add(rule, stmt, "state", action_text(action, env, self.version(day).tables), date=dated or day,
                         value=value, period=period, events=events, explanation=tuple(steps), note=note)
        if isinstance(action, n.StartItem) and day > (dated or day):  # a start to come: withdrawn if it never comes
            held = self.subs.get(evaluate(action.item, env).value)
            if held and held[-1].start == day:
                held[-1].start_entry = entry

    def _apply_billing_action(self, action, d: date, env: Env, rule) -> bool:
        """Apply an action of this module; False when the action is one of the timeline's own."""
        if isinstance(action, n.AccelerateDebts):
            due = as_date(evaluate(action.to, env), action.to) if action.to is not None else d
            through = as_date(evaluate(action.through, env), action.through) if action.through is not None else d
            self.accelerations.append(Acceleration(d, max(through, d), due, rule))
        elif isinstance(action, n.SuspendService):
            pass  # its ledger entry records it; fees keep running (第27条2, 第10条2) unless a rule waives them
        elif isinstance(action, n.WaiveFees):
            items = frozenset(evaluate(i, env).value for i in action.items)
            self.waivers.append(Waiver(as_date(evaluate(action.start, env)), as_date(evaluate(action.end, env)),
                                       action.kinds, items, rule))
        else:
            return False
        return True

    def _acceleration(self, month_start: date, due: date | None) -> Acceleration | None:
        """The acceleration that moves an invoice's due date: the one with the earliest day debts fall due, among
        those made once its month had begun, when that is before its own due date (an acceleration never
        postpones); None when there is none."""
        for acc in sorted(self.accelerations, key=lambda a: a.due):
            if due is not None and month_start <= acc.through and acc.due < due:
                return acc
        return None

    def _origin(self, e: Entry):
        """The statement that produced an entry (None for an entry no statement produced)."""
        found = self.origins.get(id(e))
        return found[1] if found is not None and found[0] is e else None

    def _apply_waivers(self) -> None:
        """Charges of a waived kind arising in a waived span stay in the ledger, marked `waived`, and are not owed."""
        if not self.waivers:
            return
        out = []
        for e in self.entries:
            waiver = self._waiver_for(e) if e.kind == "charge" and e.counts else None
            out.append(e if waiver is None else records.evolve(
                e, status="waived", note=f"waived by {waiver.rule.id}",
                also=tuple(dict.fromkeys(e.also + (waiver.rule.id,)))))
        self.entries = out

    def _waiver_for(self, e: Entry) -> Waiver | None:
        fee = self._origin(e)
        if not isinstance(fee, n.Fee):
            return None
        first, last = e.period if e.period else (e.date, e.date)
        for w in self.waivers:
            if w.kinds and fee.kind not in w.kinds:
                continue
            if w.items and not w.items & {getattr(i, "name", None) for i in fee.items}:
                continue
            if first <= w.end and w.start <= last:
                return w
        return None


def action_text(action, env: Env, tables: Tables) -> str:
    """How the ledger names what an action did."""
    if isinstance(action, n.AccelerateDebts):
        return "debts fall due"
    if isinstance(action, n.SuspendService):
        return "service suspended"
    if isinstance(action, n.WaiveFees):
        return f"fees waived ({', '.join(action.kinds) if action.kinds else 'all'})"
    if isinstance(action, n.EndContract):
        return "contract ends"
    if isinstance(action, n.StartContract):
        return "contract starts"
    name = evaluate(action.item, env).value
    decl = tables.items.get(name)
    item = decl.label if decl and decl.label else name
    if isinstance(action, n.EndItem):
        return f"{item} {'stops' if action.stops else 'ends'}"
    if isinstance(action, n.StartItem):
        billing = evaluate(action.billing_from, env) if action.billing_from is not None else ABSENT
        return f"{item} starts" + (f", billing from {billing.value}" if billing.kind != "absent" else "")
    if isinstance(action, n.ChangeItem):
        return f"{item} changes"
    return f"{item} changes quantity"
