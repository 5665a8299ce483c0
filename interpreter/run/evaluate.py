"""Evaluation: a checked contract over one customer's sorted events -> ledger entries with provenance.

One pass over the events, in time order, applies what each event does (rejections, effects, notices,
obligations, fees and entries on that event). Then the derived periods are settled: recurring fees per
month, minimum terms and settlements, per-month credits, invoices with tax, payments and late interest,
and the status of every obligation as of `as_of`. The work is linear in the number of events and months.
Each statement kind's part lives in its own module under interpreter/statements/; docs/language.md describes what each means.
"""
from __future__ import annotations

import decimal
from collections import ChainMap, defaultdict
from datetime import date, datetime, time, timedelta

import attrs

from interpreter.check.model import Model, Version
from interpreter.run.events import Event
from interpreter.limits import DECIMAL_CONTEXT, MAX_ENTRIES
from interpreter.run.expressions import (
    ABSENT,
    BEYOND_LIMITS,
    Env,
    EvalError,
    Month,
    Value,
    as_date,
    evaluate,
    format_decimal,
    format_value,
    graduated_bands,
    minutes_between,
    tier_row_taken,
    truthy,
)
from interpreter.run.ledger import Entry, Ledger, number_entry, sort_entries
from interpreter.run.compiled import StatementTables, compiled
from interpreter.run.queries import TimelineQueries
from interpreter.run.show import show
from interpreter.run.lifecycle import LifecycleEvaluation, Subscription
from interpreter.run.state import Declared
from interpreter.statements import STATEMENT_EVALUATIONS
from interpreter.statements.obligation import PendingObligation
from interpreter.syntax import nodes as n
from interpreter.time.timestamps import JST


class EvaluationCore:
    """The timeline's state, the environment of expressions, entries, and the order of the passes."""

    def __init__(self, model: Model, params: dict[str, Value], events: list[Event], as_of: date | None):
        self.model = model
        self.compiled = compiled(model)
        self.params = {**self.compiled.parameter_defaults(model.base), **params}
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
        self._last_version: Version | None = None
        self._last_tables: StatementTables | None = None
        self._choice_cache: dict = {}
        self._functions = {"monthly_fee": self._monthly_fee, "fees_paid": self._fees_paid,
                           "period_of": lambda day: Value("month", self._period_of(as_date(day))),
                           **self._query_functions(), **self._lifecycle_functions()}
        self.state_changes = 0
        self._env_cache: dict[date, Env] = {}
        self._clauses: dict[str, str] = {}  # rule id -> its citation as the ledger shows it
        self.settled_invoices: list = []  # (invoice, amount owed, the payment that settled it or None)
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
        self._invoice_lines: dict[str, list[Entry]] = {}
        self.accelerations: list = []  # `accelerates debts` (statements/effect.py)
        self.waivers: list = []  # `waives fees` (statements/effect.py)
        self.origins: dict[int, tuple] = {}  # id(entry) -> (entry, the statement that produced it)
        self.claimable: list[tuple] = []
        self.timeline_complete = False  # set once every event has been processed
        self.deferred: list[tuple] = []  # (rule, statement, event) of credits with a claim window
        self.contract_end_source: tuple = (None, None)  # the rule and statement whose effect ended the contract
        self.minimums: list[tuple[str | None, Subscription | None, date]] = []  # (item or None, sub, last day)
        self.current = None  # the statement being evaluated (see statements)
        self._computing: set[str] = set()  # contract attributes being computed, to stop a cycle

    # ------------------------------------------------------------- rules in force

    def version(self, d: date) -> Version:
        return self.compiled.single_version or self.model.version_on(d)

    def statements(self, d: date, kind: type):
        """(rule, statement) pairs of a kind, from the version in force on a day, for rules that apply. The
        statement handed out is the one being evaluated: an error without a place of its own is shown there."""
        for rule, s in self._tables(self.version(d)).by_kind.get(kind, ()):
            self.current = s
            yield rule, s

    def statements_by(self, d: date, kind: type, key_of) -> dict[str, list]:
        """The statements of a kind in force on a day, by the key `key_of` gives each (see run/compiled.py)."""
        return self._tables(self.version(d)).keyed(kind, key_of)

    def _tables(self, version: Version) -> StatementTables:
        """The compiled statement tables of a version for the rules that apply to this customer; rule
        conditions read only parameters (E304), so they are decided once per customer."""
        if version is self._last_version:  # nearly every lookup is for the same version as the one before
            return self._last_tables
        found = self._statement_cache.get(version.name)
        if found is None:
            applicable = self.compiled.unconditional[version.name] | {
                rule.id for rule in self.compiled.conditional[version.name] if self._applies(rule, version)}
            found = self.compiled.statement_tables(version, frozenset(applicable))
            self._statement_cache[version.name] = found
        self._last_version, self._last_tables = version, found
        return found

    def _applies(self, rule: n.RuleDecl, version: Version) -> bool:
        env = Env(names={**self.compiled.static_names(version), **self.params}, calendar=self.model.calendar)
        holds = truthy(evaluate(rule.condition.expr, env), rule.condition.expr)
        return holds != rule.condition.negated

    # ------------------------------------------------------------- environment

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

    def _names(self, version: Version) -> dict:
        """Every name an expression can use, but those of the moment (event fields, `let`s), in one dict:
        rebuilt only when a state is set or an event rejected."""
        key = (version.name, len(self.rejected), self.state_changes)
        found = self._names_cache.get(key)
        if found is None:
            found = {**self.compiled.static_names(version), **self._event_names(version), **self.params,
                     **self.states, "contract": self._contract_value}
            self._names_cache = {key: found}
        return found

    def value(self, expr, d: date) -> Value:
        """An expression's value on a day: a constant is computed once per contract (run/compiled.py)."""
        found = self.compiled.constant(expr)
        return found if found is not None else evaluate(expr, self.env(d))

    def set_state(self, name: str, value: Value) -> None:
        self.states[name] = value
        self.state_changes += 1

    def env(self, d: date, extra: dict | None = None) -> Env:
        """The environment of an expression evaluated for a day, with the names of the moment (`extra`)."""
        names = self._names(self.version(d))
        if extra:
            return Env(names=ChainMap(extra, names), calendar=self.model.calendar,
                       conventions=self.model.conventions, functions=self._functions, events_in=self._events_in,
                       attribute=lambda obj, name: self._attribute(obj, name, d))
        cached = self._env_cache.get(d)
        if cached is None or cached.names is not names:
            cached = Env(names=names, calendar=self.model.calendar, conventions=self.model.conventions,
                         functions=self._functions, events_in=self._events_in,
                         attribute=lambda obj, name: self._attribute(obj, name, d))
            self._env_cache[d] = cached
        return cached

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
            if name == "version":  # the label of the version of the terms in force on the day
                version = self.version(today)
                return Value("text", version.label or version.name)
            return self._contract_attribute(name)
        if obj.kind == "item":
            # An item's attributes are those of its subscription on the day the expression is evaluated for:
            # the one in force then, else the latest one before, else (like an event name) the first one.
            subs = self.subs.get(obj.value, [])
            if not subs:
                return ABSENT
            earlier = [x for x in subs if x.start <= today]
            sub = next((x for x in subs if x.active_on(today)), earlier[-1] if earlier else subs[0])
            if name == "quantity":
                return Value("count", sub.quantity_on(max(today, sub.start)))
            value = self._lifecycle_date(sub, name)
            return Value("date", value) if value else ABSENT
        raise EvalError(f"no attribute `{name}` here")

    def _contract_attribute(self, name: str) -> Value:
        """`contract.NAME`. billing_start and term_end are computed from statements whose expressions may
        read contract attributes themselves: one that comes back to itself is an error, not an endless loop."""
        computed = {"billing_start": self._billing_start, "term_end": self._first_term_end}
        if name in computed:
            if name in self._computing:
                raise EvalError(f"`contract.{name}` is computed from itself: the statement that defines it "
                                f"reads it (perhaps through another contract attribute)", self.current)
            self._computing.add(name)
            try:
                value = computed[name]()
            finally:
                self._computing.discard(name)
        else:
            value = {"start": self.contract_start, "end": self.contract_end, "formed": self.formed}.get(name)
        return Value("date", value) if value else ABSENT

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
        if isinstance(expr, n.Tier) and expr.graduated:
            bands = " + ".join(f"{format_decimal(part)} × {format_value(rate)}" for part, rate in graduated_bands(expr, env))
            subject = self.model.source.snippet(expr.subject.span)
            return f"{name} = graduated over {subject} = {show(expr.subject, env)}: {bands or '0'} = {result}"
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
        if len(self.entries) >= MAX_ENTRIES:
            raise EvalError(f"this timeline produces more than {MAX_ENTRIES:,} ledger entries; the run is stopped "
                            "(is a date years away, or a period counted in days?)", stmt or self.current, "E611")
        choices = self._choices_of(rule)
        if choices:  # a figure that depends on a reading of the text says which reading
            kw["also"] = tuple(dict.fromkeys(tuple(kw.get("also", ())) + tuple(c.id for c in choices)))
            kw["explanation"] = tuple(kw.get("explanation", ())) + tuple(
                f"reading {c.id} ({c.name}) = {self.params[c.name].value}" for c in choices if c.name in self.params)
        entry = Entry(kind=kind, label=label, rule=rule.id if rule else None,
                      clause=self._clauses.get(rule.id) or self._clauses.setdefault(rule.id, ", ".join(rule.articles))
                      if rule else None,
                      source=stmt.span if stmt is not None else None, **kw)
        self.entries.append(entry)
        self.origins[id(entry)] = (entry, stmt)
        return entry

    # ------------------------------------------------------------- the pass over events

    def run(self) -> Ledger:
        """The ledger, or EvalError (located at the expression, else at the statement being evaluated),
        computed in the decimal context of interpreter.limits."""
        with decimal.localcontext(DECIMAL_CONTEXT):
            try:
                return self._passes()
            except EvalError as exc:
                if exc.node is None:
                    exc.node = self.current
                raise
            except BEYOND_LIMITS as exc:  # date and decimal arithmetic in a statement's own code
                raise EvalError.beyond(exc, self.current) from None

    def _passes(self) -> Ledger:
        for ev in self.events:
            self._event(ev)
        self.timeline_complete = True
        for stage in (self._service_ends, self._reading_choices, self._version_states, self._terms,
                      self._recurring_fees, self._settlements, self._deferred_emits, self._per_month,
                      self._contract_end_entries, self._claims, self._daily_obligations, self._close_obligations,
                      self._invoices):
            self.current = None  # an error before a stage reaches its statements belongs to the whole run
            stage()
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
        position = {id(e): i for i, e in enumerate(ordered)}
        for e in ordered:
            lines = ()
            if e.kind == "invoice":  # its lines in ledger order
                mine = sorted(position[id(x)] for x in self._invoice_lines.get(e.key, []) if id(x) in position)
                lines = tuple(f"E{i + 1}" for i in mine)
            number_entry(e, ids[id(e)], lines)
        return ordered

    def _event(self, ev: Event) -> None:
        """What one event does: a rejection stops it; otherwise each statement kind reacts in turn."""
        self.seen[ev.name].append(ev)
        decl = self.version(ev.date).tables.events[ev.name]
        env = self.event_env(ev)
        if self._rejected_event(ev, decl, env):
            return
        self._limits_on(ev, env)
        declared = Declared(f"event {decl.name}", (decl.label or decl.name,))
        for action in decl.effects:
            self._apply(action, ev.date, env, ev, declared, ev.instant)
        self._notices_on(ev, env)
        self._fees_on(ev, env, decl)
        self._emits_on(ev)
        env = self.event_env(ev)  # with the states the entries on this event derived
        self._obligations_on(ev, env)
        self._effects_on(ev, env)

    def event_env(self, ev: Event) -> Env:
        """The environment of the statements on an event: its name and fields, and `next EVENT` from it."""
        env = self.env(ev.date, {ev.name: Value("event", ev), **ev.fields})
        env.functions = {**env.functions, "next": lambda name: self._next_event(name, ev)}
        return env

    def _next_event(self, name: str, current: Event) -> Value:
        """`next NAME`: NAME's first occurrence, not rejected, at or after `current` in the timeline."""
        position = self.rank[current.index]
        for ev in self.by_name.get(name, []):
            if self.rank[ev.index] >= position and ev.index not in self.rejected:
                return Value("event", ev)
        return ABSENT

    def _active(self, item: str, d: date) -> Subscription | None:
        for sub in self.subs.get(item, []):
            if sub.active_on(d):
                return sub
        return None

    # ------------------------------------------------------------- effects

    # ------------------------------------------------------------- notices and obligations

    def _calendar_note(self) -> tuple[str, ...]:
        cal = self.model.calendar
        parts = ["business days: weekdays"]
        if cal.national_holidays:
            parts.append("not Japanese national holidays (振替休日 and 国民の休日 included)")
        if cal.closed_yearly or cal.closed_dates:
            parts.append("not the provider's closed days")
        return (", ".join(parts),)

    # ------------------------------------------------------------- fees

    # ------------------------------------------------------------- settlements

    # ------------------------------------------------------------- entries the rules emit

    def _contract_end_entries(self) -> None:
        if self.contract_end is None:
            return
        self._emits_at_contract_end()
        self._obligations_at_contract_end()
        if not any(e.kind == "state" and e.label == "contract ends" for e in self.entries):
            self.add(*self.contract_end_source, "state", "contract ends", date=self.contract_end,
                     value=self.contract_end, events=self.contract_end_events)

    def _version_states(self) -> None:
        if len(self.model.versions) < 2 or not self.events:
            return
        first = self.events[0].date
        for version in self.model.versions[1:]:
            if version.effective and first <= version.effective <= self.as_of:
                amendment = next((d for d in self.model.program.decls
                                  if isinstance(d, n.Amendment) and d.name == version.name), None)
                declared = Declared(f"amendment {version.name}", (version.label or version.name,))
                self.add(declared, amendment, "state", "version in force", date=version.effective,
                         value=version.label or version.name, note="; ".join(version.notes) or None)

    # ------------------------------------------------------------- invoices, payments, interest


class Evaluation(*STATEMENT_EVALUATIONS, LifecycleEvaluation, TimelineQueries, EvaluationCore):
    """One customer's evaluation: the core and every statement kind's evaluation."""


def run(model: Model, params: dict[str, Value], events: list[Event], as_of: date | None) -> Ledger:
    return Evaluation(model, params, events, as_of).run()
