"""Entries a rule writes: charges, credits, states and findings, on an event, per month or at the end; claim windows."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date

from interpreter.check.types import MONTH, T
from interpreter.diagnostics import did_you_mean
from interpreter.run.expressions import (
    Env,
    Value,
    as_date,
    evaluate,
    format_decimal,
    truthy,
)
from interpreter.run.compiled import emit_event, emit_iteration
from interpreter.run.state import Trace, plain_value
from interpreter.run.lifecycle import midnight
from interpreter.syntax import nodes as n

if TYPE_CHECKING:  # annotations only: the scenario reader (and YAML) is not needed to check a contract
    from interpreter.run.events import Event


class EmitChecks:
    """Checks of emit statements (a mixin of the checker)."""

    def _stmt_Emit(self, s: n.Emit, tables, scope) -> None:
        inner = scope
        it = s.iteration
        if it is not None and it.kind == "event" and it.event:
            self._event_name(it.event, it.span, tables)
            inner = self._event_scope(scope, it.event, tables)
        elif it is not None and it.kind == "month":
            inner = scope.child({"month": MONTH, "period": MONTH})
        if s.where is not None:
            self._expect(s.where, "bool", inner, tables, "a condition")
        names: dict[str, T] = {}
        inner = inner.child(names)
        for let in s.lets:
            names[let.name] = self.infer(let.expr, inner, tables)
        for r in s.requires:
            self._expect(r, "bool", inner, tables, "a requirement")
        if s.kind in ("charge", "credit"):
            if s.amount is None:
                self.error("E404", f"a {s.kind} needs an `amount`", s.span)
            else:
                self._expect(s.amount, "money", inner, tables, f"a {s.kind}'s amount")
        if s.kind == "state":
            if s.value is None:
                self.error("E404", "a state needs a value (`= EXPR` or `value EXPR;`)", s.span)
            else:
                self.infer(s.value, inner, tables)
        if s.date is not None:
            self._expect(s.date, "date", inner, tables, "the date of an entry")
        if s.claim is not None:
            if s.claim.start is not None:
                self._expect(s.claim.start, "date", inner, tables, "the first day of a claim window")
            self._expect(s.claim.by, "date", inner, tables, "a claim deadline")
            self._event_name(s.claim.via, s.claim.span, tables)

    def _stmt_ClaimWindow(self, s: n.ClaimWindow, tables, scope) -> None:
        credits = {e.name: e for r in tables.rules.values() for e in r.statements
                   if isinstance(e, n.Emit) and e.kind == "credit" and e.name}
        credit = credits.get(s.credit)
        if credit is None:
            self.error("E201", f"no credit is named `{s.credit}`", s.span,
                       did_you_mean(s.credit, credits) or "name the credit: `credit NAME \"label\" …`")
        inner = scope.child({"month": MONTH, "period": MONTH})
        if credit is not None and credit.iteration and credit.iteration.kind == "event":
            inner = self._event_scope(inner, credit.iteration.event, tables)
        if s.start is not None:
            self._expect(s.start, "date", inner, tables, "the first day of a claim window")
        self._expect(s.by, "date", inner, tables, "a claim deadline")
        self._event_name(s.via, s.span, tables)
        if s.where is not None and s.via in tables.events:
            self._expect(s.where, "bool", self._event_scope(inner, s.via, tables), tables, "which claims count")


class EmitEvaluation:
    """Evaluation of emit statements (a mixin of the evaluation)."""

    def _emits_on(self, ev: Event) -> None:
        """The entries written on an event, in the order of the rules: each sees the states the ones before set."""
        env, seen = None, None
        for rule, stmt in self.statements_by(ev.date, n.Emit, emit_event).get(ev.name, ()):
            if self._claim_window(rule, stmt, ev.date) is not None:
                # A credit that must be claimed is reckoned once the whole timeline is known: its amount may
                # read what the month bills (a maximum reached later that month, an end after it).
                self.deferred.append((rule, stmt, ev))
                continue
            if seen != self.state_changes:
                env, seen = self.event_env(ev), self.state_changes
            self._emit(rule, stmt, env, ev.date, (ev.index,))

    def _deferred_emits(self) -> None:
        for rule, stmt, ev in self.deferred:
            self._emit(rule, stmt, self.event_env(ev), ev.date, (ev.index,))

    def _emits_at_contract_end(self) -> None:
        d = self.contract_end
        for rule, s in self.statements(d, n.Emit):
            if s.iteration and s.iteration.kind == "contract_end":
                if s.kind in ("state", "finding") and getattr(self, "query_depth", 0):
                    # A timeline query's prefix (run/queries.py) serves payments, invoices and interest; a state at
                    # the contract's end records for the reader, and one that queries the timeline up to that end
                    # (HENNGE 第6条: the fees paid) would otherwise ask for the very prefix it is part of.
                    continue
                self._emit(rule, s, self.env(d), d, self.contract_end_events)

    def _emit(self, rule, s: n.Emit, env: Env, d: date, events: tuple[int, ...]) -> None:
        if s.where is not None and not truthy(evaluate(s.where, env), s.where):
            return
        steps = Trace()
        names: dict = {}
        inner = env
        for let in s.lets:
            value = evaluate(let.expr, inner)
            steps.append(self.step(let.name, let.expr, inner, value, evaluated=True))
            names[let.name] = value
            inner = env.child(names)
        for r in s.requires:
            if not truthy(evaluate(r, inner), r):
                return
        when = as_date(evaluate(s.date, inner)) if s.date is not None else d
        label = s.label or rule.label or s.kind
        if s.kind == "state":
            value = evaluate(s.value, inner)
            if s.name:
                self.set_state(s.name, value)
            if s.name == "formed" and value.kind in ("date", "datetime") and self.formed is None:  # the first order's
                self.formed = as_date(value)
            self.add(rule, s, "state", label, date=when, value=plain_value(value), events=events,
                     explanation=tuple(steps + [self.step("value", s.value, inner, value)]))
            return
        if s.kind == "finding":
            self.add(rule, s, "finding", label, date=when, events=events, explanation=tuple(steps))
            return
        raw = evaluate(s.amount, inner).value
        steps.append(self.step("amount", s.amount, inner, f"{format_decimal(raw)} yen"))
        amount = self.money(raw, when, steps)
        if amount <= 0:
            return
        window = self._claim_window(rule, s, when)
        if window is not None:
            # Claims may come later in the timeline: settled once every event has been seen.
            start_expr, by_expr, via, window_rule, window_stmt = window
            by = as_date(evaluate(by_expr, inner), by_expr)
            opens = as_date(evaluate(start_expr, inner), start_expr) if start_expr is not None else when
            self.claimable.append((rule, s, label, when, opens, by, via, window_rule, window_stmt, amount, events,
                                   steps, self._claims_for(window_stmt, via, inner)))
            return
        self._charge(rule, s, label, when, None, amount, events, steps, kind=s.kind, exempt=s.tax_exempt)

    def _claim_window(self, rule, s: n.Emit, when: date):
        """The claim window of a credit: its own `claim by … via …`, or a `claims for NAME` of another rule."""
        if s.claim is not None:
            return s.claim.start, s.claim.by, s.claim.via, None, None
        if s.kind == "credit" and s.name:
            for wrule, w in self.statements(when, n.ClaimWindow):
                if w.credit == s.name:
                    return w.start, w.by, w.via, wrule, w
        return None

    def _claims_for(self, window: n.ClaimWindow | None, via: str, env: Env) -> frozenset[int] | None:
        """The claims (event indices) that a `claims for … where COND` counts for this credit; None: every one."""
        if window is None or window.where is None:
            return None
        return frozenset(c.index for c in self.by_name.get(via, [])
                         if truthy(evaluate(window.where, env.child({via: Value("event", c)})),
                                   window.where))

    def _claims(self) -> None:
        """A credit that must be claimed arises only from a claim inside its window (and, with `where`, one for
        it); otherwise it lapses."""
        for rule, s, label, when, opens, by, via, wrule, wstmt, amount, events, steps, counted in self.claimable:
            if wrule is not None:
                self.add(wrule, wstmt, "state", f"claim deadline: {label}", date=when, value=by, events=events)
            claims = [c for c in self.seen.get(via, []) if c.index not in self.rejected and opens <= c.date
                      and (counted is None or c.index in counted)]
            on_time = [c for c in claims if c.date <= by]
            if on_time:
                status = "claimed"
                events = events + (on_time[0].index,)
                steps.append(f"claimed {on_time[0].date}, within {opens}–{by}")
                arises = on_time[0].date
            elif self.as_of > by:
                status = "lapsed"
                steps.append(f"no claim within {opens}–{by}: the right lapsed")
                arises = when
            else:
                status = "open"
                steps.append(f"claimable until {by}")
                arises = when
            if status != "claimed":
                self._early_claims(rule, s, label, when, opens, via, events)
            self._charge(rule, s, label, arises, None, amount, events, steps, kind=s.kind, exempt=s.tax_exempt,
                         status=status, window=(opens, by))

    def _early_claims(self, rule, s: n.Emit, label: str, when: date, opens: date, via: str, events) -> None:
        """A claim made after what gave rise to the credit (its event, else the start of its billing period)
        but before the window opened claims nothing; when no claim in the window follows, say so, so that the
        right is not seen to lapse silently."""
        triggers = [self.events[self.rank[i]] for i in events if i in self.rank]
        since = min(e.instant for e in triggers) if triggers else midnight(self._period_of(when).start)
        for c in self.seen.get(via, []):
            if c.index not in self.rejected and since <= c.instant and c.date < opens:
                self.add(rule, s, "finding", f"claim before the window opened: {label}", date=c.date,
                         events=tuple(events) + (c.index,),
                         explanation=(f"claimed {c.date}; the claim can be made from {opens}: it claims nothing",))

    def _per_month(self) -> None:
        if self.contract_start is None:
            return
        last = self._horizon()
        if self.compiled.single_version and not self.statements_by(
                self.contract_start, n.Emit, emit_iteration).get("month"):
            # no `for each month` in force: the months are not walked, but a span no run covers is refused still
            self._within_span(self.contract_start, last)
            return
        for month in self._months(self.contract_start, last):
            for rule, s in self.statements_by(month.start, n.Emit, emit_iteration).get("month", ()):
                self.current = s
                env = self.env(month.start, {"month": Value("month", month), "period": Value("month", month)})
                self._emit(rule, s, env, month.end, ())
