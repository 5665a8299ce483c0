"""Evaluation: a checked contract over one customer's sorted events -> ledger entries with provenance.

One pass over the events, in time order, applies what each event does (rejections, effects, notices,
obligations, fees and entries on that event). Then the derived periods are settled: recurring fees per
month, minimum terms and settlements, per-month credits, invoices with tax, payments and late interest,
and the status of every obligation as of `as_of`. The work is linear in the number of events and months.
Each statement kind has one handler here; docs/language.md describes what each means.
"""
from __future__ import annotations

from collections import ChainMap, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import attrs

from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.run.events import Event
from interpreter.run.expressions import (ABSENT, Env, EvalError, Month, Value, as_date, evaluate, format_decimal, format_value,
                          minutes_between, tier_row_taken, truthy)
from interpreter.run.ledger import Entry, Ledger, sort_entries
from interpreter.check.model import Model, Tables, Version
from interpreter.run.show import show
from interpreter.time.timestamps import JST

ROUNDING_MODES = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "round_half_up": ROUND_HALF_UP,
                  "round_half_even": ROUND_HALF_EVEN}
SEARCH_LIMIT = 1200  # candidate effective dates tried for a late notice (over three years of days)


class Trace(list):
    """The steps of a computation, and the rules besides the entry's own that shaped its figure."""

    def __init__(self, steps=()):
        super().__init__(steps)
        self.rules: list[str] = []


@attrs.define
class Subscription:
    """An item in force for a customer: from `start` to `end` (its last day; None while it runs)."""

    item: str
    start: date
    end: date | None
    quantities: list[tuple[date, Decimal]]
    events: list[int]
    fields: dict[str, Value]
    end_reason: str | None = None

    def active_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    def quantity_on(self, d: date) -> Decimal:
        q = self.quantities[0][1]
        for day, value in self.quantities:
            if day <= d:
                q = value
        return q

    def maximum_in(self, first: date, last: date) -> Decimal:
        values = [self.quantity_on(first)] + [v for day, v in self.quantities if first <= day <= last]
        return max(values)


@attrs.define
class PendingObligation:
    rule: n.RuleDecl
    stmt: n.Obligation
    trigger: Event | None
    due: date
    met: Event | None = None


class Evaluation:
    def __init__(self, model: Model, params: dict[str, Value], events: list[Event], as_of: date | None):
        self.model = model
        self.params = params
        self.events = sorted(events, key=lambda e: (e.instant, e.index))
        # "Today" is as_of, else the last event; the clock is never read. An empty timeline has no today:
        # its ledger is empty whatever the date, so the earliest date stands in.
        last = self.events[-1].date if self.events else date.min
        self.as_of = as_of or last
        self.entries: list[Entry] = []
        self.rejected: set[int] = set()
        self.seen: dict[str, list[Event]] = defaultdict(list)
        self.by_name: dict[str, list[Event]] = defaultdict(list)
        self.rank = {ev.index: i for i, ev in enumerate(self.events)}  # file position -> timeline position
        self._statement_cache: dict = {}
        self._names_cache: dict = {}
        self._events_cache: dict = {}
        self._contract_value = Value("contract", self)
        for ev in self.events:
            self.by_name[ev.name].append(ev)
        self.subs: dict[str, list[Subscription]] = defaultdict(list)
        self.contract_start: date | None = None
        self.contract_end: date | None = None
        self.contract_end_events: tuple[int, ...] = ()
        self.ended_by: str | None = None
        self.formed: date | None = None
        self.states: dict[str, Value] = {}
        self.pending: list[PendingObligation] = []
        self.monthly_charges: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        self._invoice_lines: dict[str, list[Entry]] = {}
        self.claimable: list[tuple] = []
        self.minimums: list[tuple[str | None, Subscription | None, date]] = []  # (item or None, sub, last day)

    # ------------------------------------------------------------- rules in force

    def version(self, d: date) -> Version:
        return self.model.version_on(d)

    def statements(self, d: date, kind: type):
        """(rule, statement) pairs of a kind, from the version in force on a day, for rules that apply."""
        return self._by_kind(self.version(d)).get(kind, ())

    def _by_kind(self, version: Version) -> dict[type, list]:
        """A version's statements grouped by kind, once per evaluation: rule conditions read only parameters."""
        cached = self._statement_cache.get(version.name)
        if cached is None:
            cached = defaultdict(list)
            for rule in version.tables.rules.values():
                if self._applies(rule, version):
                    for s in rule.statements:
                        cached[type(s)].append((rule, s))
            self._statement_cache[version.name] = cached
        return cached

    def _applies(self, rule: n.RuleDecl, version: Version) -> bool:
        if rule.condition is None:
            return True
        env = Env(names={**self._static_names(version), **self.params}, calendar=self.model.calendar)
        try:
            holds = truthy(evaluate(rule.condition.expr, env), rule.condition.expr)
        except EvalError:
            holds = False
        return holds != rule.condition.negated

    # ------------------------------------------------------------- environment

    def _static_names(self, version: Version) -> dict:
        """Enum cases and items of a version: the same for every expression evaluated under it."""
        cached = self._names_cache.get(version.name)
        if cached is None:
            tables = version.tables
            cached = {case: Value("enum", case) for case in tables.enum_cases()}
            cached.update({item: Value("item", item) for item in tables.items})
            self._names_cache[version.name] = cached
        return cached

    def _event_names(self, version: Version) -> dict:
        """An event's name stands for its first occurrence in the whole timeline (the ledger is what is known
        as of `as_of`): a deemed date can look at an acceptance that came later in the file. Recomputed only
        when an event has been rejected since."""
        key = (version.name, len(self.rejected))
        cached = self._events_cache.get(key)
        if cached is None:
            cached = {}
            for name in version.tables.events:
                known = [e for e in self.by_name.get(name, []) if e.index not in self.rejected]
                cached[name] = Value("event", known[0]) if known else ABSENT
            self._events_cache[key] = cached
        return cached

    def env(self, d: date, extra: dict | None = None) -> Env:
        version = self.version(d)
        names = ChainMap(extra or {}, {"contract": self._contract_value}, self.states, self.params,
                         self._event_names(version), self._static_names(version))
        return Env(names=names, calendar=self.model.calendar, conventions=self.model.conventions,
                   functions={"monthly_fee": self._monthly_fee_fn(d), "fees_paid": self._fees_paid},
                   events_in=self._events_in, attribute=lambda obj, name: self._attribute(obj, name, d))

    def _attribute(self, obj: Value, name: str, today: date) -> Value:
        if obj.kind == "event":
            ev: Event = obj.value
            if name in ev.fields:
                return ev.fields[name]
            if name == "at":
                return Value("datetime", ev.instant)
            if name == "date":
                return Value("date", ev.date)
            if name == "duration":  # exact, in minutes (seconds kept as a fraction); cut only where a rule says
                return Value("exact", minutes_between(ev.until, ev.instant))
            raise EvalError(f"event `{ev.name}` has no field `{name}`")
        if obj.kind == "contract":
            value = {"start": self.contract_start, "end": self.contract_end, "formed": self.formed,
                     "billing_start": self._billing_start(), "term_end": self._first_term_end()}.get(name)
            return Value("date", value) if value else ABSENT
        if obj.kind == "item":
            # An item's attributes are those of its subscription on the day the expression is evaluated for:
            # the one in force then, else the latest one before, else (like an event name) the first one.
            subs = self.subs.get(obj.value, [])
            if not subs:
                return ABSENT
            earlier = [x for x in subs if x.start <= today]
            sub = next((x for x in subs if x.active_on(today)), earlier[-1] if earlier else subs[0])
            if name == "start":
                return Value("date", sub.start)
            if name == "end":
                return Value("date", sub.end) if sub.end else ABSENT
            if name == "quantity":
                return Value("count", sub.quantity_on(max(today, sub.start)))
        raise EvalError(f"no attribute `{name}` here")

    def _events_in(self, name: str, month: Month) -> list[Value]:
        """Events of one kind that touch a month; an interval is clipped to the month (Japan time)."""
        start = datetime.combine(month.start, time(0), JST)
        end = datetime.combine(month.end + timedelta(days=1), time(0), JST)
        out = []
        for ev in self.seen.get(name, []):
            if ev.index in self.rejected:
                continue
            if ev.until is not None:
                lo, hi = max(ev.instant, start), min(ev.until, end)
                if lo < hi:
                    fields = dict(ev.fields, until=Value("datetime", hi))
                    out.append(Value("event", attrs.evolve(ev, instant=lo, fields=fields)))
            elif start <= ev.instant < end:
                out.append(Value("event", ev))
        return out

    # ------------------------------------------------------------- entries

    def step(self, name: str, expr, env: Env, value) -> str:
        """`name = <as written> = <with values> = result`, dropping repeats. A tier shows the row it took."""
        result = value if isinstance(value, str) else format_value(value) if isinstance(value, Value) else str(value)
        if isinstance(expr, n.Tier):
            row = tier_row_taken(expr, env)
            taken = self.model.source.snippet(row.cond.span) if row is not None and row.cond is not None else "otherwise"
            subject = self.model.source.snippet(expr.subject.span)
            return f"{name} = tier of {subject} = {show(expr.subject, env)}: {taken} → {result}"
        parts = [self.model.source.snippet(expr.span), show(expr, env), result]
        shown = []
        for p in parts:
            if p and p not in shown:
                shown.append(p)
        return f"{name} = " + " = ".join(shown)

    def add(self, rule: n.RuleDecl | None, stmt, kind: str, label: str, **kw) -> Entry:
        entry = Entry(kind=kind, label=label, rule=rule.id if rule else None,
                      clause=", ".join(rule.articles) if rule else None,
                      source=stmt.span if stmt is not None else None, **kw)
        self.entries.append(entry)
        return entry

    def money(self, amount: Decimal, d: date, steps: list[str]) -> Decimal:
        """Round an amount as the contract's rounding rule says; record the step."""
        for rule, r in self.statements(d, n.Rounding):
            unit = evaluate(r.to, self.env(d)).value
            rounded = (amount / unit).to_integral_value(rounding=ROUNDING_MODES[r.mode]) * unit
            if rounded != amount:
                steps.append(f"{format_decimal(amount)} → {r.mode} to {format_decimal(unit)} yen "
                             f"({rule.id} {rule.articles[0]}) = {format_decimal(rounded)} yen")
                if isinstance(steps, Trace):
                    steps.rules.append(rule.id)
            return rounded
        return amount

    # ------------------------------------------------------------- the pass over events

    def run(self) -> Ledger:
        for ev in self.events:
            self._event(ev)
        self._service_ends()
        self._version_states()
        self._terms()
        self._recurring_fees()
        self._settlements()
        self._per_month()
        self._contract_end_entries()
        self._claims()
        self._close_obligations()
        self._invoices()
        entries = self._numbered()
        contract = self.model.contract
        version = self.version(self.as_of)
        return Ledger(contract.label or contract.name if contract else self.model.file, self.model.file,
                      version.label or version.name if len(self.model.versions) > 1 else
                      (contract.revised.isoformat() if contract and contract.revised else None),
                      self.as_of, tuple(entries))

    def _numbered(self) -> list[Entry]:
        """Entries in ledger order with ids E1…; an invoice lists the ids of its lines."""
        ordered = sort_entries(self.entries, self.rank)
        ids = {id(e): f"E{i}" for i, e in enumerate(ordered, 1)}
        out = []
        for e in ordered:
            new = attrs.evolve(e, id=ids[id(e)])
            if e.kind == "invoice":
                lines = self._invoice_lines.get(e.key, [])
                new = attrs.evolve(new, lines=tuple(ids[id(x)] for x in lines if id(x) in ids))
            out.append(new)
        return out

    def _event(self, ev: Event) -> None:
        self.seen[ev.name].append(ev)
        tables = self.version(ev.date).tables
        decl = tables.events[ev.name]
        env = self.env(ev.date, {ev.name: Value("event", ev), **ev.fields})
        started = self._started_items(ev, decl, env)
        reason = self._rejection(ev, started, env)
        if reason is not None:
            rule, stmt, message = reason
            self.rejected.add(ev.index)
            self.add(rule, stmt, "finding", message, date=ev.date, events=(ev.index,),
                     note=f"{ev} rejected: it changes nothing else")
            return
        for rule, stmt in self.statements(ev.date, n.Limit):
            if stmt.event == ev.name and not truthy(evaluate(stmt.condition, env), stmt.condition):
                self.add(rule, stmt, "finding", stmt.label or f"limit of {rule.id} exceeded", date=ev.date,
                         events=(ev.index,), explanation=(f"{show(stmt.condition, env)} is false",))
        for action in decl.effects:
            self._apply(action, ev.date, env, ev, None)
        for rule, stmt in self.statements(ev.date, n.Notice):
            if stmt.event == ev.name:
                self._notice(rule, stmt, ev, env)
        for rule, stmt in self.statements(ev.date, n.Obligation):
            if stmt.trigger == ev.name:
                due = as_date(evaluate(stmt.due, env), stmt.due)
                self.pending.append(PendingObligation(rule, stmt, ev, due))
        for p in self.pending:
            if p.met is None and p.stmt.met_by == ev.name and (p.trigger is None or p.trigger.instant <= ev.instant):
                p.met = ev
                break
        for rule, stmt in self.statements(ev.date, n.Fee):
            if stmt.on_event == ev.name and stmt.kind in ("occurrence", "initial"):
                if stmt.where is None or truthy(evaluate(stmt.where, env), stmt.where):
                    self._one_time_fee(rule, stmt, ev.date, env, (ev.index,), decl.label or ev.name)
        for rule, stmt in self.statements(ev.date, n.Emit):
            if stmt.iteration and stmt.iteration.kind == "event" and stmt.iteration.event == ev.name:
                self._emit(rule, stmt, env, ev.date, (ev.index,))

    def _started_items(self, ev: Event, decl: n.EventDecl, env: Env) -> list[tuple[str, Decimal | None]]:
        actions = list(decl.effects)
        for _, stmt in self.statements(ev.date, n.Notice):
            if stmt.event == ev.name:
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

    def _active(self, item: str, d: date) -> Subscription | None:
        for sub in self.subs.get(item, []):
            if sub.active_on(d):
                return sub
        return None

    def _rejection(self, ev: Event, started, env: Env):
        d = ev.date
        tables = self.version(d).tables
        items = [i for i, _ in started]
        for rule, s in self.statements(d, n.OrderWindow):
            item = evaluate(s.item, env).value
            if item in items and self._active(item, d) is None:
                until = as_date(evaluate(s.until, env))
                start = as_date(evaluate(s.start, env)) if s.start is not None else None
                if d > until or (start and d < start):
                    return rule, s, f"order for {_label(tables, item)} rejected: orders were accepted until {until}"
        for rule, s in self.statements(d, n.ServiceEnd):
            item = evaluate(s.item, env).value
            end = as_date(evaluate(s.date, env))
            if item in items and d > end:
                return rule, s, f"order for {_label(tables, item)} rejected: the service ended on {end}"
        for rule, s in self.statements(d, n.Requires):
            item = evaluate(s.item, env).value
            if item in items:
                options = [x.name for x in _alternatives(s.condition)]
                if not any(self._active(o, d) or o in items for o in options):
                    names = " or ".join(_label(tables, o) for o in options)
                    return rule, s, f"order for {_label(tables, item)} rejected: it requires {names}"
        for rule, s in self.statements(d, n.NeverDecreases):
            item = evaluate(s.item, env).value
            for i, qty in started:
                sub = self._active(item, d)
                if i == item and qty is not None and sub is not None and qty < sub.quantity_on(d):
                    return rule, s, (f"change of {_label(tables, item)} rejected: its quantity cannot be reduced "
                                     f"({format_decimal(sub.quantity_on(d))} → {format_decimal(qty)})")
        for rule, s in self.statements(d, n.Distinct):
            field = s.field.name
            if field not in ev.fields:
                continue
            group = [evaluate(x, env).value for x in s.items]
            for item in items:
                if item not in group:
                    continue
                for other in group:
                    sub = self._active(other, d)
                    if other != item and sub and sub.fields.get(field) == ev.fields[field]:
                        return rule, s, (f"order for {_label(tables, item)} rejected: {field} "
                                         f"{format_value(ev.fields[field])} is already used by {_label(tables, other)}")
        for rule, s in self.statements(d, n.Reject):
            if s.event == ev.name and truthy(evaluate(s.condition, env), s.condition):
                return rule, s, s.label or f"{ev.name} rejected by {rule.id}"
        return None

    # ------------------------------------------------------------- effects

    def _apply(self, action, d: date, env: Env, ev: Event | None, rule: n.RuleDecl | None) -> None:
        events = [ev.index] if ev else []
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
                self.add(r, s, "state", f"{_label(tables, dependent)} ends with {_label(tables, item)}",
                         date=last, value=last, events=events)
                self._end_item(dependent, last, events, f"ends with {item}", r, s)

    def _service_ends(self) -> None:
        horizon = self._horizon()
        for rule, s in self.statements(horizon, n.ServiceEnd):
            env = self.env(horizon)
            item = evaluate(s.item, env).value
            end = as_date(evaluate(s.date, env))
            sub = self._active(item, end)
            if sub is not None and (sub.end is None or sub.end > end):
                tables = self.version(end).tables
                self.add(rule, s, "state", f"{_label(tables, item)}: service ends", date=end, value=end,
                         events=tuple(sub.events))
                self._end_item(item, end, tuple(sub.events), "service ends", rule, s)
                if self.contract_end is None and not any(
                        x.end is None or x.end > end for subs in self.subs.values() for x in subs):
                    self._end_contract(end, tuple(sub.events), rule, s, None)

    # ------------------------------------------------------------- notices and obligations

    def _candidates(self, desired: date, allowed: str | None):
        d = desired
        for _ in range(SEARCH_LIMIT):
            if allowed == "month_end":
                d = periods.end_of_month(d)
            elif allowed == "month_start":
                if d.day != 1:
                    d = periods.shift_month(d, 1)
            elif allowed == "term_end":
                ends = [t for t in self._term_ends(d + timedelta(days=400 * 5)) if t >= d]
                if not ends:
                    return
                d = ends[0]
            yield d
            d = d + timedelta(days=1)

    def _notice(self, rule: n.RuleDecl, s: n.Notice, ev: Event, env: Env) -> None:
        desired = as_date(evaluate(s.effective, env), s.effective)
        label = s.label or rule.label or s.name
        steps = [self.step("effective", s.effective, env, str(desired))]
        effective = None
        due_for_desired = None
        moved = False
        for candidate in self._candidates(desired, s.allowed):
            if s.due is None:
                effective = candidate
                break
            inner = env.child({"effective": Value("date", candidate)})
            due = as_date(evaluate(s.due, inner), s.due)
            if due_for_desired is None:
                due_for_desired = due
                steps.append(self.step("due", s.due, inner, str(due)))
                if candidate != desired:
                    steps.append(f"{desired} is not an allowed date ({s.allowed}): the first allowed is {candidate}")
            if ev.date <= due:
                effective = candidate
                break
            if s.if_late == "rejected":
                break
            if s.if_late == "stands":
                effective = candidate
                break
            moved = True
        late = due_for_desired is not None and ev.date > due_for_desired
        if s.due is not None:
            note = None
            if late and effective is not None and moved:
                note = f"notice arrived {ev.date}, after {due_for_desired}: the effect moves to {effective}"
                steps.append(note)
            elif late and effective is None:
                note = f"notice arrived {ev.date}, after {due_for_desired}: it has no effect"
            self.add(rule, s, "obligation", label, party=s.party, due=due_for_desired,
                     status="missed" if late else "met", events=(ev.index,), note=note,
                     date=ev.date, explanation=tuple(steps + [f"notice received {ev.date}"]),
                     conventions=self._calendar_note())
        if effective is None:
            return
        for action in s.effects:
            self._apply(action, effective, env, ev, rule)
            what = _action_text(action, env, self.version(effective).tables)
            self.add(rule, s, "state", what, date=ev.date, value=effective, events=(ev.index,),
                     explanation=tuple(steps))

    def _calendar_note(self) -> tuple[str, ...]:
        cal = self.model.calendar
        parts = ["business days: weekdays"]
        if cal.national_holidays:
            parts.append("not Japanese national holidays (振替休日 and 国民の休日 included)")
        if cal.closed_yearly or cal.closed_dates:
            parts.append("not the provider's closed days")
        return (", ".join(parts),)

    def _close_obligations(self) -> None:
        for p in self.pending:
            label = p.stmt.label or p.rule.label or p.stmt.name
            events = tuple(x.index for x in (p.trigger, p.met) if x is not None)
            if p.met is not None:
                status = "met" if p.met.date <= p.due else "missed"
            elif p.trigger is not None and self.contract_end is not None and self.contract_end < p.due:
                status = "lapsed"  # the contract ended before the duty fell due, and nothing met it
            else:
                status = "missed" if self.as_of > p.due else "open"
            self.add(p.rule, p.stmt, "obligation", label, party=p.stmt.party, due=p.due, status=status,
                     events=events, date=p.trigger.date if p.trigger else None,
                     note=f"met by {p.met}" if p.met else None)
            if status == "missed" and p.stmt.grants:
                self.add(p.rule, p.stmt, "state", p.stmt.grants, date=p.due + timedelta(days=1),
                         value=p.due + timedelta(days=1), events=events)

    # ------------------------------------------------------------- periods

    def _horizon(self) -> date:
        if self.contract_end is not None:
            return self.contract_end
        return periods.end_of_month(self.as_of)

    def _billing_start(self) -> date | None:
        d = self.contract_start or self.as_of
        for rule, s in self.statements(d, n.BillingFrom):
            v = evaluate(s.start, self.env(d))
            return as_date(v) if v.kind != "absent" else None
        return self.contract_start

    def _fixed_term(self):
        d = self.contract_start or self.as_of
        return next(iter(self.statements(d, n.FixedTerm)), None)

    def _term_ends(self, until: date) -> list[date]:
        found = self._fixed_term()
        if found is None:
            return []
        rule, s = found
        env = self.env(self.contract_start or self.as_of)
        anchor = evaluate(s.anchor.base, env)
        if anchor.kind == "absent":
            return []
        start = as_date(anchor)
        length = _period(s.length)
        end = periods.civil_expiry(start, length[0], length[1], first_day_counts=s.anchor.first_day_counts)
        ends = [end]
        if s.renews is not None:
            renew = _period(s.renews)
            while ends[-1] < until and len(ends) < 200:
                ends.append(periods.civil_expiry(ends[-1] + timedelta(days=1), renew[0], renew[1],
                                                 first_day_counts=True))
        return ends

    def _first_term_end(self) -> date | None:
        ends = self._term_ends(self.as_of)
        return ends[0] if ends else None

    def _terms(self) -> None:
        d = self.contract_start or self.as_of
        for rule, s in self.statements(d, n.MinimumTerm):
            for anchor_date, item, sub, events in self._anchors(s, d):
                length = _period(s.length)
                end = periods.civil_expiry(anchor_date, length[0], length[1],
                                           first_day_counts=s.anchor.first_day_counts)
                self.minimums.append((item, sub, end))
                what = "minimum term ends" if item is None else f"minimum term of {item} ends"
                counting = "counting from" if s.anchor.first_day_counts else "after"
                self.add(rule, s, "state", what, date=anchor_date, value=end, events=events,
                         explanation=(f"{format_decimal(Decimal(length[0]))} {length[1]} {counting} {anchor_date} "
                                      f"→ expires {end}",),
                         conventions=("periods: 民法第140条〜第143条",))
        found = self._fixed_term()
        if found is not None:
            rule, s = found
            horizon = self.contract_end or self.as_of
            ends = self._term_ends(horizon)
            for i, end in enumerate(ends):
                if i > 0 and ends[i - 1] >= horizon:
                    break
                renewed = self.contract_end is None or self.contract_end > end
                label = "term ends" if not renewed or s.renews is None else "term ends and renews"
                self.add(rule, s, "state", label, date=end, value=end,
                         conventions=("periods: 民法第140条〜第143条",))

    def _anchors(self, s: n.MinimumTerm, d: date):
        env = self.env(d)
        if not s.items:
            v = evaluate(s.anchor.base, env)
            if v.kind != "absent":
                yield as_date(v), None, None, _event_of(v)
            return
        for item_expr in s.items:
            item = evaluate(item_expr, env).value
            for sub in self.subs.get(item, []):
                # read on the subscription's first day, so that `X.start` is this subscription's
                v = evaluate(s.anchor.base, self.env(sub.start))
                anchor = as_date(v) if v.kind != "absent" else sub.start
                yield anchor, item, sub, tuple(sub.events)

    def _months(self, first: date, last: date):
        m = periods.start_of_month(first)
        while m <= last:
            yield Month(m.year, m.month)
            m = periods.shift_month(m, 1)

    # ------------------------------------------------------------- fees

    def _fee_rate(self, stmt: n.Fee, d: date, qty: Decimal, steps: list[str]) -> Decimal:
        rate = evaluate(stmt.amount, self.env(d)).value
        if stmt.per_unit is None:
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
        for rule, stmt in self.statements(d, n.Fee):
            if stmt.kind == "initial" and stmt.on_event is None and item in self._fee_items(stmt, d):
                self._one_time_fee(rule, stmt, d, self.env(d), events, _label(self.version(d).tables, item), qty)

    @staticmethod
    def _fee_items(stmt: n.Fee, d: date) -> list[str]:
        return [i.name for i in stmt.items]  # the checker made sure each is the name of an item

    def _one_time_fee(self, rule, stmt: n.Fee, d: date, env: Env, events, what: str, qty=Decimal(1)) -> None:
        steps = Trace()
        raw = self._fee_rate(stmt, d, qty, steps)
        amount = self.money(raw, d, steps)
        kind = {"initial": "initial fee", "occurrence": "fee"}[stmt.kind]
        self._charge(rule, stmt, f"{rule.label or kind}: {what}", d, None, amount, events, steps,
                     exempt=stmt.tax_exempt)

    def _charge(self, rule, stmt, label, d, period, amount, events, steps, kind="charge", exempt=False, **kw):
        rate, tax_rule = (None, None) if exempt else self._tax_rate(d)
        tax = None
        if rate is not None and rate > 0:
            tax = (amount * rate / 100).to_integral_value(rounding=ROUND_FLOOR)
        also = list(getattr(steps, "rules", []))
        if tax_rule is not None:
            also.append(tax_rule.id)
        entry = self.add(rule, stmt, kind, label, date=d, period=period, amount=amount, tax=tax, tax_rate=rate,
                         events=tuple(events), explanation=tuple(steps),
                         also=tuple(dict.fromkeys(x for x in also if x != (rule.id if rule else None))), **kw)
        return entry

    def _tax_rate(self, d: date):
        """The tax rate in force on a day (percent) and the rule that sets it, or (None, None)."""
        for rule, s in self.statements(d, n.Tax):
            if s.included:
                return None, rule
            best = None
            for r in s.rates:
                if r.start <= d and (best is None or r.start > best.start):
                    best = r
            if best is not None:
                return evaluate(best.rate, self.env(d)).value, rule
        return None, None

    def _policy(self, stmt, which: str) -> str:
        value = getattr(stmt, f"{which}_month", None)
        if value:
            return value
        return self.model.conventions.get(f"{which}_month", ("full",))[0]

    def _days_basis(self, month: Month) -> int:
        return 30 if self.model.conventions.get("prorate", ("actual_days",))[0] == "thirty_days" else month.days

    def _month_charge(self, rule, stmt: n.Fee, sub: Subscription, month: Month, start_floor: date | None,
                      last_day: date | None, first_policy: str, last_policy: str,
                      record: bool = True) -> tuple[Decimal, list[str], tuple[date, date]] | None:
        """One month of a monthly fee for one subscription, or None when nothing is owed for it."""
        first = max(month.start, sub.start, start_floor or month.start)
        last = min(month.end, last_day or month.end)
        if first > last:
            return None
        tables = self.version(month.start).tables
        steps = Trace()
        if stmt.monthly_maximum:
            qty = sub.maximum_in(first, last)
        else:
            qty = sub.quantity_on(last)
        raw = self._fee_rate(stmt, month.start, qty, steps)
        if stmt.per_unit and stmt.monthly_maximum:
            steps[-1] += f" (the month's maximum, {format_decimal(qty)} {stmt.per_unit})"
        partial_first = first > month.start and first == max(sub.start, start_floor or sub.start)
        partial_last = last < month.end
        policy = "full"
        if partial_first:
            policy = first_policy
        if partial_last and policy == "full":
            policy = last_policy
        if policy == "free":
            return None
        if policy == "prorated":
            days = (last - first).days + 1
            basis = self._days_basis(month)
            steps.append(f"× {days} days ÷ {basis} days ({first}–{last}, prorated)")
            raw = raw * Decimal(days) / Decimal(basis)
            steps.append(f"= {format_decimal(raw)} yen")
        amount = self.money(raw, month.end, steps)
        del tables
        return amount, steps, (first, last)

    def _recurring_fees(self) -> None:
        horizon = self._horizon()
        billing_start = self._billing_start()
        for item, subs in sorted(self.subs.items()):
            for sub in subs:
                last_day = min(sub.end or horizon, horizon)
                for month in self._months(sub.start, last_day):
                    for rule, stmt in self.statements(month.start, n.Fee):
                        if item not in self._fee_items(stmt, month.start):
                            continue
                        if stmt.kind == "monthly":
                            self._bill_month(rule, stmt, sub, month, billing_start, last_day)
                        elif stmt.kind == "yearly":
                            self._bill_year(rule, stmt, sub, month, last_day)

    def _bill_month(self, rule, stmt: n.Fee, sub: Subscription, month: Month, billing_start, last_day) -> None:
        floor = billing_start
        if stmt.start is not None:
            v = evaluate(stmt.start, self.env(month.start, {sub.item: Value("item", sub.item)}))
            if v.kind != "absent":
                floor = max(floor or as_date(v), as_date(v))
        if floor is not None and month.end < floor:
            return
        result = self._month_charge(rule, stmt, sub, month, floor, last_day if last_day < month.end else None,
                                    self._policy(stmt, "first"), self._policy(stmt, "last"))
        if result is None:
            return
        amount, steps, period = result
        tables = self.version(month.start).tables
        entry = self._charge(rule, stmt, f"{rule.label or 'monthly fee'}: {_label(tables, sub.item)}", month.end,
                             period, amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{month}")
        self.monthly_charges[(month.year, month.month)].append(entry)

    def _bill_year(self, rule, stmt: n.Fee, sub: Subscription, month: Month, last_day: date) -> None:
        k = (month.year - sub.start.year) * 12 + month.month - sub.start.month
        if k % 12:
            return
        start = periods.add_months(sub.start, k)
        if start > last_day or start < sub.start:
            return
        steps = Trace()
        raw = self._fee_rate(stmt, start, sub.quantity_on(start), steps)
        amount = self.money(raw, start, steps)
        end = periods.civil_expiry(start, 1, "years", first_day_counts=True)
        tables = self.version(start).tables
        self._charge(rule, stmt, f"{rule.label or 'yearly fee'}: {_label(tables, sub.item)}", start, (start, end),
                     amount, sub.events, steps, exempt=stmt.tax_exempt, key=f"{sub.item}:{start}")

    def _monthly_fee_fn(self, when: date):
        def monthly_fee(day: Value, items: Value | None = None) -> Value:
            d = as_date(day)
            wanted = None
            if items is not None:
                wanted = {x.value for x in items.value} if items.kind == "list" else {items.value}
            total = Decimal(0)
            for rule, stmt in self.statements(d, n.Fee):
                if stmt.kind != "monthly":
                    continue
                for item in self._fee_items(stmt, d):
                    if wanted is not None and item not in wanted:
                        continue
                    sub = self._active(item, d)
                    if sub is not None:
                        total += self._fee_rate(stmt, d, sub.quantity_on(d), [])
            return Value("money", total)
        return monthly_fee

    def _fees_paid(self, start: Value, end: Value) -> Value:
        lo, hi = as_date(start), as_date(end)
        total = Decimal(0)
        for ev in self._payments():
            if lo <= ev.date < hi:
                total += ev.fields["amount"].value
        return Value("money", total)

    # ------------------------------------------------------------- settlements

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
            excluded = bool(s.unless_ended_by) and self.ended_by == s.unless_ended_by
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
                    label = f"{s.label or rule.label or 'settlement of the minimum term'}: {_label(tables, item)}"
                total, steps = self._remaining_fees(s, subs, end, min_end)
                if total:
                    self._charge(rule, s, label, end, (end + timedelta(days=1), min_end), total, events, steps)

    def _remaining_fees(self, s: n.Settle, subs: list[Subscription], end: date, min_end: date):
        """The monthly fees the subscriptions would have owed from the day after `end` through `min_end`:
        the end month's remainder only for a fee prorated in its last month (a fee billed whole for that month
        owes nothing more), then each later month, the last one counted as `partial month` says."""
        total = Decimal(0)
        steps = Trace([f"ended {end}, before the minimum term ends {min_end}: the fees for "
                       f"{end + timedelta(days=1)}–{min_end} are due at once"])
        billed = {e.key for e in self.entries if e.kind == "charge" and e.key}
        policy = s.partial_month or "full"
        for sub in subs:
            ghost = attrs.evolve(sub, end=min_end, quantities=list(sub.quantities))
            for month in self._months(end + timedelta(days=1), min_end):
                for frule, fee in self.statements(month.start, n.Fee):
                    if fee.kind != "monthly" or not fee.settled or sub.item not in self._fee_items(fee, month.start):
                        continue
                    remainder = month.start <= end
                    if remainder and (self._policy(fee, "last") != "prorated" or f"{sub.item}:{month}" not in billed):
                        continue
                    if not remainder and f"{sub.item}:{month}" in billed:
                        continue
                    short = min_end < month.end
                    if short and policy == "none":
                        continue
                    month_policy = "prorated" if remainder else (policy if short else "full")
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

    # ------------------------------------------------------------- entries the rules emit

    def _emit(self, rule, s: n.Emit, env: Env, d: date, events: tuple[int, ...]) -> None:
        if s.where is not None and not truthy(evaluate(s.where, env), s.where):
            return
        steps = Trace()
        names: dict = {}
        inner = env
        for let in s.lets:
            value = evaluate(let.expr, inner)
            steps.append(self.step(let.name, let.expr, inner, value))
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
                self.states[s.name] = value
            if s.name == "formed" and value.kind in ("date", "datetime"):
                self.formed = as_date(value)
            self.add(rule, s, "state", label, date=when, value=_plain(value), events=events,
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
            by_expr, via, window_rule, window_stmt = window
            by = as_date(evaluate(by_expr, inner), by_expr)
            self.claimable.append((rule, s, label, when, by, via, window_rule, window_stmt, amount, events, steps))
            return
        self._charge(rule, s, label, when, None, amount, events, steps, kind=s.kind, exempt=s.tax_exempt)

    def _claim_window(self, rule, s: n.Emit, when: date):
        """The claim window of a credit: its own `claim by … via …`, or a `claims for NAME` of another rule."""
        if s.claim is not None:
            return s.claim.by, s.claim.via, None, None
        if s.kind == "credit" and s.name:
            for wrule, w in self.statements(when, n.ClaimWindow):
                if w.credit == s.name:
                    return w.by, w.via, wrule, w
        return None

    def _claims(self) -> None:
        """A credit that must be claimed arises only from a claim inside its window; otherwise it lapses."""
        for rule, s, label, when, by, via, wrule, wstmt, amount, events, steps in self.claimable:
            if wrule is not None:
                self.add(wrule, wstmt, "state", f"claim deadline: {label}", date=when, value=by, events=events)
            claims = [c for c in self.seen.get(via, []) if c.index not in self.rejected and when <= c.date]
            on_time = [c for c in claims if c.date <= by]
            if on_time:
                status = "claimed"
                events = events + (on_time[0].index,)
                steps.append(f"claimed {on_time[0].date}, within {when}–{by}")
                arises = on_time[0].date
            elif self.as_of > by:
                status = "lapsed"
                steps.append(f"no claim within {when}–{by}: the right lapsed")
                arises = when
            else:
                status = "open"
                steps.append(f"claimable until {by}")
                arises = when
            self._charge(rule, s, label, arises, None, amount, events, steps, kind=s.kind, exempt=s.tax_exempt,
                         status=status, window=(when, by))

    def _per_month(self) -> None:
        if self.contract_start is None:
            return
        last = self._horizon()
        for month in self._months(self.contract_start, last):
            for rule, s in self.statements(month.start, n.Emit):
                if s.iteration and s.iteration.kind == "month":
                    env = self.env(month.start, {"month": Value("month", month)})
                    self._emit(rule, s, env, month.end, ())

    def _contract_end_entries(self) -> None:
        if self.contract_end is None:
            return
        d = self.contract_end
        for rule, s in self.statements(d, n.Emit):
            if s.iteration and s.iteration.kind == "contract_end":
                self._emit(rule, s, self.env(d), d, self.contract_end_events)
        for rule, s in self.statements(d, n.Obligation):
            if s.trigger == "contract ends":
                due = as_date(evaluate(s.due, self.env(d)), s.due)
                pending = PendingObligation(rule, s, None, due)
                met = [e for e in self.seen.get(s.met_by or "", []) if e.date >= d and e.index not in self.rejected]
                pending.met = met[0] if met else None
                self.pending.append(pending)
        if not any(e.kind == "state" and e.label == "contract ends" for e in self.entries):
            self.add(None, None, "state", "contract ends", date=d, value=d, events=self.contract_end_events)

    def _version_states(self) -> None:
        if len(self.model.versions) < 2 or not self.events:
            return
        first = self.events[0].date
        for version in self.model.versions[1:]:
            if version.effective and first <= version.effective <= self.as_of:
                self.add(None, None, "state", "version in force", date=version.effective,
                         value=version.label or version.name, note="; ".join(version.notes) or None)

    # ------------------------------------------------------------- invoices, payments, interest

    def _payments(self) -> list[Event]:
        """The payment events (`invoice due … paid by EVENT`), whether or not that rule applies to this
        customer: a payment is a payment even where no invoice rule of these terms governs it."""
        d = self.contract_start or self.as_of
        for rule in self.version(d).tables.rules.values():
            for s in rule.statements:
                if isinstance(s, n.InvoiceDue) and s.paid_by:
                    return [e for e in self.seen.get(s.paid_by, []) if e.index not in self.rejected]
        return []

    def _invoices(self) -> None:
        d = self.contract_start or self.as_of
        due_stmt = next(iter(self.statements(d, n.InvoiceDue)), None)
        lines: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for e in self.entries:
            if e.kind in ("charge", "credit") and e.counts and e.date is not None:
                lines[(e.date.year, e.date.month)].append(e)
        invoices = []
        for (year, month), items in sorted(lines.items()):
            invoice = self._invoice(Month(year, month), items, due_stmt)
            invoices.append(invoice)
        if due_stmt is None:
            return
        rule, stmt = due_stmt
        interest_found = next(iter(self.statements(d, n.Interest)), None)
        payments = sorted(self._payments(), key=lambda e: (e.instant, e.index))
        remaining = [(inv, inv.amount + (inv.tax or 0)) for inv in invoices]
        paid_on: dict[str, Event | None] = {}
        pay_iter = iter(payments)
        credit = Decimal(0)
        current_payment: Event | None = None
        for inv, owed in remaining:
            while credit < owed:
                current_payment = next(pay_iter, None)
                if current_payment is None:
                    break
                credit += current_payment.fields["amount"].value
            if credit >= owed and current_payment is not None:
                credit -= owed
                paid_on[inv.key] = current_payment
            else:
                paid_on[inv.key] = None
        extra_lines: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for inv, owed in remaining:
            if owed <= 0:
                continue
            payment = paid_on[inv.key]
            status = ("met" if payment.date <= inv.due else "missed") if payment else (
                "missed" if self.as_of > inv.due else "open")
            self.add(rule, stmt, "obligation", f"payment of the invoice for {inv.period[0]:%Y-%m}",
                     party="customer", due=inv.due, status=status,
                     events=(payment.index,) if payment else (), date=inv.date,
                     note=f"paid {payment.date}" if payment else None)
            if payment and payment.date > inv.due and interest_found is not None:
                irule, istmt = interest_found
                entry = self._interest(irule, istmt, inv, owed, payment)
                if entry is not None:
                    extra_lines[(entry.date.year, entry.date.month)].append(entry)
        for key, entries in extra_lines.items():
            self.entries = [e for e in self.entries if not (e.kind == "invoice" and e.key == f"invoice:{key}")]
            all_lines = lines.get(key, []) + entries
            self._invoice(Month(*key), all_lines, due_stmt)

    def _invoice(self, month: Month, items: list[Entry], due_stmt) -> Entry:
        by_rate: dict[Decimal | None, Decimal] = defaultdict(Decimal)
        total = Decimal(0)
        steps = []
        for e in items:
            sign = 1 if e.kind == "charge" else -1
            total += sign * e.amount
            by_rate[e.tax_rate] += sign * e.amount
        tax = Decimal(0)
        for rate, base in sorted(by_rate.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if rate is None:
                steps.append(f"not taxed: {format_decimal(base)} yen")
                continue
            t = (base * rate / 100).to_integral_value(rounding=ROUND_FLOOR)
            steps.append(f"tax at {format_decimal(rate)}% on {format_decimal(base)} yen = {format_decimal(t)} yen "
                         f"(rounded down once per rate)")
            tax += t
        due = None
        rule = stmt = None
        if due_stmt is not None:
            rule, stmt = due_stmt
            due = as_date(evaluate(stmt.due, self.env(month.end, {"closing": Value("date", month.end)})))
        ordered = sort_entries(items, self.rank)
        _, tax_rule = self._tax_rate(month.end)
        also = (tax_rule.id,) if tax_rule is not None and tax_rule is not rule else ()
        entry = self.add(rule, stmt, "invoice", f"invoice for {month}", date=month.end, period=(month.start, month.end),
                         amount=total, tax=tax, due=due, also=also,
                         explanation=tuple(steps), key=f"invoice:{(month.year, month.month)}")
        # Line ids are only known after sorting; remember the entries themselves.
        self._invoice_lines[entry.key] = ordered
        return entry

    def _interest(self, rule, s: n.Interest, inv: Entry, owed: Decimal, payment: Event) -> Entry | None:
        env = self.env(payment.date, {"due": Value("date", inv.due), "paid": Value("date", payment.date),
                                      "overdue": Value("money", owed)})
        first = as_date(evaluate(s.days_from, env))
        last = as_date(evaluate(s.days_through, env))
        days = max(0, (last - first).days + 1)
        if days == 0:
            return None
        rate = evaluate(s.rate, env).value
        year_days = Decimal(365)
        if s.year is not None:
            year_days = evaluate(s.year, env).value / Decimal(1440)
        raw = owed * rate / 100 * days / year_days
        steps = Trace([f"days = {first} … {last} = {days}",
                 f"{format_decimal(owed)} yen × {format_decimal(rate)}% × {days} ÷ {format_decimal(year_days)} "
                 f"= {format_decimal(raw)} yen"])
        amount = self.money(raw, payment.date, steps)
        if amount <= 0:
            return None
        return self._charge(rule, s, rule.label or "late payment interest", payment.date, (first, last), amount,
                            (payment.index,), steps, exempt=True)


def _plain(v: Value):
    if v.kind in ("date",):
        return v.value
    if v.kind == "datetime":
        return v.value.astimezone(JST).date()
    if v.kind in ("money", "number", "count", "percent"):
        return v.value
    if v.kind == "absent":
        return None
    if v.kind == "list":
        return [_plain(x) for x in v.value]
    return format_value(v)


def _event_of(v: Value) -> tuple[int, ...]:
    return (v.value.index,) if v.kind == "event" else ()


def _period(e) -> tuple[int, str]:
    """A period literal such as `3 months` as (3, "months") for the Civil Code helpers."""
    word = e.unit
    unit = {"month": "months", "months": "months", "ヶ月": "months", "か月": "months", "ヵ月": "months",
            "カ月": "months", "箇月": "months", "year": "years", "years": "years", "年": "years",
            "week": "weeks", "weeks": "weeks", "週": "weeks", "週間": "weeks",
            "day": "days", "days": "days", "日": "days"}.get(word)
    if unit is None or e.value != e.value.to_integral_value():
        raise EvalError("a term is a whole number of days, weeks, months or years", e)
    return int(e.value), unit


def _alternatives(e) -> list[n.Name]:
    if isinstance(e, n.Name):
        return [e]
    if isinstance(e, n.Binary):
        return _alternatives(e.left) + _alternatives(e.right)
    return []


def _label(tables: Tables, item: str) -> str:
    decl = tables.items.get(item)
    return decl.label if decl and decl.label else item


def _action_text(action, env: Env, tables: Tables) -> str:
    if isinstance(action, n.EndContract):
        return "contract ends"
    if isinstance(action, n.StartContract):
        return "contract starts"
    item = _label(tables, evaluate(action.item, env).value) if hasattr(action, "item") else ""
    if isinstance(action, n.EndItem):
        return f"{item} {'stops' if action.stops else 'ends'}"
    if isinstance(action, n.StartItem):
        return f"{item} starts"
    if isinstance(action, n.ChangeItem):
        return f"{item} changes"
    return f"{item} changes quantity"


def run(model: Model, params: dict[str, Value], events: list[Event], as_of: date | None) -> Ledger:
    return Evaluation(model, params, events, as_of).run()
