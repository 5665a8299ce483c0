"""Evaluation: a checked contract over one customer's sorted events -> ledger entries with provenance.

One pass over the events, in time order, applies what each event does (rejections, effects, notices,
obligations, fees and entries on that event). Then the derived periods are settled: recurring fees per
month, minimum terms and settlements, per-month credits, invoices with tax, payments and late interest,
and the status of every obligation as of `as_of`. The work is linear in the number of events and months.
Each statement kind's part lives in its own module under interpreter/statements/; docs/language.md describes what each means.
"""
from __future__ import annotations

import decimal
from collections import defaultdict
from datetime import date, timedelta


from interpreter.check.model import Model, Version
from interpreter.run.events import Event, known_on
from interpreter.limits import DECIMAL_CONTEXT, MAX_ENTRIES
from interpreter.run.expressions import (
    BEYOND_LIMITS,
    Env,
    EvalError,
    Value,
    as_date,
    evaluate,
    truthy,
)
from interpreter.run.collector import young_collected_less_often
from interpreter.run.ledger import Entry, Ledger, entry_ids, number_entry, sort_entries
from interpreter.run.environment import Environment
from interpreter.run.event_pass import EventPass
from interpreter.run.compiled import StatementTables, compiled, keep, value_key
from interpreter.run.queries import TimelineQueries
from interpreter.run.show import Explanations
from interpreter.run.lifecycle import LifecycleEvaluation, Subscription
from interpreter.run.state import Declared
from interpreter.statements import STATEMENT_EVALUATIONS
from interpreter.statements.obligation import PendingObligation
from interpreter.syntax import nodes as n


class EvaluationCore:
    """The timeline's state, the environment of expressions, entries, and the order of the passes."""

    def __init__(self, model: Model, params: dict[str, Value], events: list[Event], as_of: date | None):
        self.model = model
        self.compiled = compiled(model)
        self.params = {**self.compiled.parameter_defaults(model.base), **params}
        # "Today" is as_of, else the last event; the clock is never read. An empty timeline has no today:
        # its ledger is empty whatever the date, so the earliest date stands in. The ledger is what is known on
        # that day: an event of a later day is not known yet, and an outage still running is known to the day's end.
        known = events if as_of is None else known_on(events, as_of)
        self.events = sorted(known, key=lambda e: (e.instant, e.index))
        last = self.events[-1].date if self.events else date.min
        self.as_of = as_of or last
        self.entries: list[Entry] = []
        self.rejected: set[int] = set()
        self.seen: dict[str, list[Event]] = defaultdict(list)
        self.by_name: dict[str, list[Event]] = defaultdict(list)
        self.rank = {ev.index: i for i, ev in enumerate(self.events)}  # file position -> timeline position
        self._statement_cache: dict = {}
        self._keyed: dict = {}  # (kind, key) -> statements_by's answer, with one version
        self._last_version: Version | None = None
        self._last_tables: StatementTables | None = None
        self.billed_holding = None  # the holding whose fee is being priced (fee.py, _fee_rate)
        self.pending_dated = None  # the effects on dates not applied yet (effect.py), listed on first use
        self._functions = {"monthly_fee": self._monthly_fee, "monthly_rate": self._monthly_rate,
                           "period_of": lambda day: Value("month", self._period_of(as_date(day))),
                           **self._query_functions(), **self._lifecycle_functions()}
        self.state_changes = 0
        self._env_cache: dict[date, Env] = {}
        self._values: dict[int, tuple] = {}
        self._fee_labels: dict[tuple, str] = {}
        self._schedules: dict[int, tuple] = {}  # id(fee) -> (its from and until values, its schedule's bounds, the names)
        self._clauses: dict[str, str] = {}  # rule id -> its citation as the ledger shows it
        self._provenances: dict[int, tuple] = {}  # id(rule) -> what its entries say of it (_provenance)
        self.settled_invoices: list = []  # (invoice, amount owed, the payment that settled it or None, still owed)
        self._interest_paid: dict = {}  # invoice key → the late interest on it that payments paid first
        self._interest_paid_by_payment: dict = {}  # payment index → the late interest it paid (民法第489条)
        self.invoices_made = False  # set once the invoices and what the payments left owed are known
        self._names_cache: dict = {}
        self._events_cache: dict = {}
        self._contract_value = Value("contract", self)
        for ev in self.events:
            self.by_name[ev.name].append(ev)
        self.subs: dict[str, list[Subscription]] = defaultdict(list)
        self.contract_start: date | None = None
        self.contract_end: date | None = None
        self.contract_end_events: tuple[int, ...] = ()
        self.ended_by: Event | None = None  # the event whose effect ended the contract
        self.formed: date | None = None
        self.states: dict[str, Value] = {}
        self.pending: list[PendingObligation] = []
        self._invoice_lines: dict[str, list[Entry]] = {}
        self._invoice_interest_lines: dict[str, list[Entry]] = {}  # of those lines, the late interest
        self._invoice_accelerations: dict = {}  # invoice key -> the acceleration that moved its due date
        self.accelerations: list = []  # `accelerates debts` (statements/effect.py)
        self.waivers: list = []  # `waives fees` (statements/effect.py)
        self.scheduled_effects: list = []  # effects dated after their event, until the timeline reaches them
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
        """The statements of a kind in force on a day, by the key `key_of` gives each (see run/compiled.py). With
        one version, the same for every day: kept for the evaluation (asked for each event and period)."""
        single = self.compiled.single_version
        if single is None:
            return self._tables(self.model.version_on(d)).keyed(kind, key_of)
        found = self._keyed.get((kind, key_of))
        if found is None:
            found = self._keyed[(kind, key_of)] = self._tables(single).keyed(kind, key_of)
        return found

    def _tables(self, version: Version) -> StatementTables:
        """The compiled statement tables of a version for the rules that apply to this customer; rule
        conditions read only parameters (E304), so they are decided once per customer."""
        if version is self._last_version:  # nearly every lookup is for the same version as the one before
            return self._last_tables
        found = self._statement_cache.get(version.name)
        if found is None:
            found = self.compiled.statement_tables(version, self._applicable(version))
            self._statement_cache[version.name] = found
        self._last_version, self._last_tables = version, found
        return found

    def _applicable(self, version: Version) -> frozenset[str]:
        """The ids of a version's rules that apply to this customer. Rule conditions read only parameters (E304):
        the answer is kept for every customer whose names the conditions read have the same values (the digits of
        a number included); one a condition fails on is not kept (evaluated again, it fails where it stands)."""
        names = {**self.compiled.static_names(version), **self.params}
        read = self.compiled.names_read(self.compiled.conditions[version.name])
        key = None
        if read is not None:
            key = (version.name, *[value_key(names.get(name)) for name in read])
            try:
                found = self.compiled.applicable.get(key)
            except TypeError:  # a value that cannot be a key
                found = key = None
            if found is not None:
                return found
        env = Env(names=names, calendar=self.model.calendar)
        found = self.compiled.unconditional[version.name] | {
            rule.id for rule in self.compiled.conditional[version.name] if self._applies(rule, env)}
        return found if key is None else keep(self.compiled.applicable, key, found)

    @staticmethod
    def _applies(rule: n.RuleDecl, env: Env) -> bool:
        holds = truthy(evaluate(rule.condition.expr, env), rule.condition.expr)
        return holds != rule.condition.negated

    # ------------------------------------------------------------- entries

    def add(self, rule: n.RuleDecl | None, stmt, kind: str, label: str, **kw) -> Entry:
        rule_id = clause = None
        if rule is not None:
            rule_id, clause, choice_ids, readings, _ = self._provenance_of(rule)
            if choice_ids:  # a figure that depends on a reading of the text says which reading
                kw["also"] = tuple(dict.fromkeys(tuple(kw.get("also", ())) + choice_ids))
                kw["explanation"] = tuple(kw.get("explanation", ())) + readings
        # Entry's first five fields, given in order (binding them by position costs less than by keyword)
        return self.record(Entry(kind, label, rule_id, clause, stmt.span if stmt is not None else None, **kw), stmt)

    def record(self, entry: Entry, stmt) -> Entry:
        """Put an entry that `stmt` produced in the ledger."""
        if len(self.entries) >= MAX_ENTRIES:
            raise EvalError(f"this timeline produces more than {MAX_ENTRIES:,} ledger entries; the run is stopped "
                            "(is a date years away, or a period counted in days?)", stmt or self.current, "E611")
        self.entries.append(entry)
        self.origins[id(entry)] = (entry, stmt)
        return entry

    def _provenance_of(self, rule) -> tuple:
        """_provenance, worked out once per rule for the evaluation."""
        return self._provenances.get(id(rule)) or self._provenance(rule)

    def _provenance(self, rule) -> tuple:
        """(id, citation, the reading choices it rests on, the readings taken as explanation steps, the rule) of the
        rule an entry names. Kept per rule object for the evaluation (`_provenances`): a rule is frozen and the
        parameters that give the readings do not change during one; the map holds the rule, so its id is not
        another's while it lasts."""
        clause = self._clauses.get(rule.id) or self._clauses.setdefault(rule.id, ", ".join(rule.articles))
        choices = self._choices_of(rule)
        found = self._provenances[id(rule)] = (rule.id, clause, tuple(c.id for c in choices), tuple(
            f"reading {c.id} ({c.name}) = {self.params[c.name].value}" for c in choices if c.name in self.params),
            rule)
        return found

    # ------------------------------------------------------------- the pass over events

    def run(self) -> Ledger:
        """The ledger, or EvalError (located at the expression, else at the statement being evaluated),
        computed in the decimal context of interpreter.limits."""
        with decimal.localcontext(DECIMAL_CONTEXT), young_collected_less_often():
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
            # an effect on a date, or one an earlier event dated to a later day, comes after the events of its
            # day, which it sees (a change of service type taking effect that day)
            self._effects_dated_through(ev.date - timedelta(days=1))
            self._scheduled_effects_until(ev.date - timedelta(days=1))
            self._event(ev)
        self._effects_dated_through(None)
        self._scheduled_effects_until(None)
        self.timeline_complete = True
        for stage in (self._reading_choices, self._version_states, self._terms,
                      self._recurring_fees, self._settlements, self._deferred_emits, self._per_month,
                      self._contract_end_entries, self._claims, self._daily_obligations, self._close_obligations,
                      self._invoices, self._close_obligations_met_where):
            self.current = None  # an error before a stage reaches its statements belongs to the whole run
            stage()
        entries = self._numbered()
        contract = self.model.contract
        version = self.version(self.as_of)
        return Ledger(contract.label or contract.name if contract else self.model.file, self.model.file,
                      version.label or version.name if len(self.model.versions) > 1 else
                      (contract.revised.isoformat() if contract and contract.revised else None),
                      self.as_of, tuple(entries))

    def release(self) -> None:
        """Let go of everything, once the ledger (and what else the caller wants) has been taken. The evaluation
        refers to itself (its functions, its `contract` value), so without this only the cyclic collector frees
        it, after its young objects have been traversed again and again: a portfolio run makes thousands of
        evaluations, and releasing each saves about a twentieth of the run."""
        self.__dict__.clear()

    def _numbered(self) -> list[Entry]:
        """Entries in ledger order with ids E1…; an invoice lists the ids of its lines."""
        ordered = sort_entries(self.entries, self.rank)
        ids = entry_ids(len(ordered))
        position = {id(e): i for i, e in enumerate(ordered)}
        invoice_lines = self._invoice_lines
        for e, entry_id in zip(ordered, ids):
            lines = ()
            if e.kind == "invoice":  # its lines in ledger order
                mine = sorted([position[id(x)] for x in invoice_lines.get(e.key, ()) if id(x) in position])
                lines = tuple([ids[p] for p in mine])
            number_entry(e, entry_id, lines)
        return ordered

    def _active(self, item: str, d: date) -> Subscription | None:
        for sub in self.subs.get(item, []):
            if sub.active_on(d):
                return sub
        return None

    # ------------------------------------------------------------- entries the rules emit

    def _contract_end_entries(self) -> None:
        if self.contract_end is None:
            return
        # A contract ends once: an end recorded for a later day than the end that stands never happened.
        self.entries = [e for e in self.entries if not (e.kind == "state" and e.label == "contract ends"
                                                        and isinstance(e.value, date) and e.value > self.contract_end)]
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


class Evaluation(*STATEMENT_EVALUATIONS, EventPass, LifecycleEvaluation, TimelineQueries, Environment, Explanations,
                 EvaluationCore):
    """One customer's evaluation: the core and every statement kind's evaluation."""


def run(model: Model, params: dict[str, Value], events: list[Event], as_of: date | None) -> Ledger:
    with young_collected_less_often():  # the evaluation's objects, made and freed, as well as its passes
        evaluation = Evaluation(model, params, events, as_of)
        try:
            return evaluation.run()
        finally:
            evaluation.release()
