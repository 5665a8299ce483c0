"""The compiled contract: tables built once per contract and shared by every customer evaluated against it.

Evaluating a customer must not walk every statement of the terms for every month or every event. Here a
checked model is turned, once, into tables: per version, the statements of each kind, and indexes of them by
the item or event they concern; the names that are the same for every customer (items, enumeration cases).
A customer's parameters decide which rules apply (rule conditions read only parameters, see E304), so the
tables are kept per set of applicable rules: customers with the same parameters share them.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Callable, Iterable

from interpreter.check.model import Model, Version
from interpreter.run.expressions import ABSENT, Env, EvalError, Value, evaluate
from interpreter.syntax import nodes as n

KeyOf = Callable[[object], Iterable[str]]
NOT_SEEN = object()  # a cache's answer for a key not looked at yet (None is an answer)


class StatementTables:
    """The statements of one version whose rules apply, grouped by kind, with indexes built on first use."""

    def __init__(self, version: Version, applicable: frozenset[str]):
        self.by_kind: dict[type, list] = defaultdict(list)
        for rule in version.tables.rules.values():
            if rule.id in applicable:
                for s in rule.statements:
                    self.by_kind[type(s)].append((rule, s))
        self._indexes: dict[tuple[type, KeyOf], dict[str, list]] = {}

    def keyed(self, kind: type, key_of: KeyOf) -> dict[str, list]:
        """The statements of a kind by each key `key_of` gives a statement (an item's name, an event's name)."""
        index = self._indexes.get((kind, key_of))
        if index is None:
            index = defaultdict(list)
            for pair in self.by_kind.get(kind, ()):
                for key in key_of(pair[1]):
                    index[key].append(pair)
            index = dict(index)
            self._indexes[(kind, key_of)] = index
        return index


# The tables kept for every customer whose keys are a customer's own figures (an invoice's lines, a fee's amount for
# a period, the values of the names late interest reads) hold at most this many answers, emptied when full: a fee
# priced by usage has about as many amounts as customers, and a batch worker keeps its contract for every partition.
KEPT_MOST = 50_000


def keep(table: dict, key, answer):
    """Put an answer in a table kept for every customer (emptied first when it holds KEPT_MOST); the answer."""
    if len(table) >= KEPT_MOST:
        table.clear()
    table[key] = answer
    return answer


class CompiledContract:
    """What every customer of one contract shares."""

    def __init__(self, model: Model):
        self.model = model
        self.single_version = model.versions[0] if len(model.versions) == 1 else None
        self._static: dict = {}  # version name -> static_names; ("no events", version name) -> none_of_the_events
        self._defaults: dict[str, dict] = {}
        self._constants: dict[int, Value | None] = {}
        self._outside_tax: dict[int, frozenset[str]] = {}
        self._reads_only: dict[tuple, bool] = {}
        self.tax_tables: dict[int, tuple | None] = {}  # id(statement tables) -> the tax in force by day (_tax_table)
        self._names_read: dict[int, tuple[str, ...] | None] = {}
        # What an expression or a statement that reads names only works out, by the values of the names it reads
        # (see names_read): the same for every customer whose names have those values (late interest's first and
        # last day counted, by due and payment day).
        self.values_by_names: dict[tuple, object] = {}
        # (id(statement tables), event name) -> the kinds of statement written on it (EventPass._written_on);
        # with "read", whether one is that reads the event's environment (_read_on). The tables are kept below.
        self.written_on: dict[tuple, object] = {}
        self.event_declared: dict[int, object] = {}  # id(event declaration) -> what its effects' entries name
        self.roundings: dict[int, tuple | None] = {}  # id(statement tables) -> its rounding (`_rounding`), or None
        self.rule_choices: dict[int, tuple] = {}  # id(rule) -> the reading choices it reads (ChoiceEvaluation)
        self.choice_entries: dict[tuple, dict] = {}  # (id(choice), reading taken) -> the words of its state entry
        # An invoice's issue and due dates when they read only the period (`end of month after closing`).
        self.invoice_dates: dict[tuple, tuple] = {}
        # An invoice's amount, tax and steps by the figures of its lines (BillingEvaluation._invoice_tax).
        self.invoice_taxes: dict[tuple, tuple] = {}
        # (statement, period's days and number) -> the InvoiceFrame of a customer with no acceleration, whose dates
        # are shared (invoice_dates); (invoice rule, tax rule, period rule, acceleration rule) -> the invoice's `also`
        self.invoice_frames: dict[tuple, object] = {}
        self.invoice_also: dict[tuple, tuple] = {}
        # A monthly fee's charge for one period, by everything it depends on (see FeeEvaluation._month_charge):
        # customers holding the same item in the same period share the arithmetic.
        self.month_charges: dict[tuple, tuple] = {}
        # A monthly fee's entry for a period that copies another's, but for its events and dates, by everything it
        # depends on (see FeePeriodCopies._line): customers holding the same item share it.
        self.fee_lines: dict[tuple, dict] = {}
        self._tables: dict[tuple[str, frozenset[str]], StatementTables] = {}
        # rules whose application depends on the customer's parameters, per version
        self.conditional = {v.name: tuple(r for r in v.tables.rules.values() if r.condition is not None)
                            for v in model.versions}
        # their conditions, per version, and the rules that apply by the values of the names those read
        self.conditions = {name: tuple(r.condition.expr for r in rules) for name, rules in self.conditional.items()}
        self.applicable: dict[tuple, frozenset[str]] = {}
        self.unconditional = {v.name: frozenset(r.id for r in v.tables.rules.values() if r.condition is None)
                              for v in model.versions}

    @property
    def version_names(self) -> tuple[str, ...]:
        """The names of every version the file declares, in order, whether or not this model holds them (a model
        pinned to one version, as `yakkan diff` runs it, still knows the others' names)."""
        base = self.model.contract.version.name if self.model.contract and self.model.contract.version else "base"
        return (base, *(d.name for d in self.model.program.decls if isinstance(d, n.Amendment)))

    def static_names(self, version: Version) -> dict[str, Value]:
        """Enum cases and items of a version: the same for every expression of every customer."""
        found = self._static.get(version.name)
        if found is None:
            tables = version.tables
            found = {case: Value("enum", case) for case in tables.enum_cases()}
            found.update({item: Value("item", item) for item in tables.items})
            for name in self.version_names:  # names a declaration does not already take
                found.setdefault(name, Value("version", name))
            self._static[version.name] = found
        return found

    def none_of_the_events(self, version: Version) -> dict[str, Value]:
        """Every event a version declares, each absent: what its names stand for in a timeline without them."""
        found = self._static.get(("no events", version.name))
        if found is None:
            found = self._static[("no events", version.name)] = dict.fromkeys(version.tables.events, ABSENT)
        return found

    def constant(self, expr) -> Value | None:
        """The value of an expression that names nothing (`10,000 yen`, `10%`, `1 yen`), computed once for
        every customer; None for one that must be evaluated on a customer's timeline."""
        key = id(expr)  # nodes live as long as the model that holds this compiled form
        found = self._constants.get(key, NOT_SEEN)  # asked for every fee, rounding and schedule: one lookup
        if found is not NOT_SEEN:
            return found
        value = None
        if not any(isinstance(node, (n.Name, n.Attr, n.Call, n.Aggregate)) for node in walk(expr)):
            try:
                value = evaluate(expr, Env(names={}, calendar=self.model.calendar,
                                           conventions=self.model.conventions))
            except EvalError:
                value = None  # left to the evaluation, which reports it where it stands
        self._constants[key] = value
        return value

    def reads_only(self, expr, names: frozenset[str]) -> bool:
        """Whether an expression reads no name but `names` (and their attributes), nothing of a customer's
        timeline: its value is a function of those names' values, the same for every customer."""
        key = (id(expr), names)
        found = self._reads_only.get(key)
        if found is None:
            found = True
            for node in walk(expr):
                if isinstance(node, n.Name) and node.name not in names:
                    found = False
                elif isinstance(node, n.Attr) and not (isinstance(node.obj, n.Name) and node.obj.name in names):
                    found = False
                elif isinstance(node, (n.Call, n.Aggregate, n.NextEvent)):
                    found = False
            self._reads_only[key] = found
        return found

    def names_read(self, expr) -> tuple[str, ...] | None:
        """The names an expression (or every expression of a statement) reads when it reads nothing else (no
        function, attribute, gathering of events or next event): its value is then a function of those names'
        values and of the contract's calendar and conventions. None for one that reads more."""
        key = id(expr)  # nodes live as long as the model that holds this compiled form
        if key not in self._names_read:
            names: tuple[str, ...] | None = ()
            for node in walk(expr):
                if isinstance(node, (n.Attr, n.Call, n.Aggregate, n.NextEvent)):
                    names = None
                    break
                if isinstance(node, n.Name):
                    names += (node.name,)
            self._names_read[key] = None if names is None else tuple(dict.fromkeys(names))
        return self._names_read[key]

    def outside_tax(self, tax_rule) -> frozenset[str]:
        """The kinds a rule's tax declaration puts outside tax (named charges, `interest`)."""
        found = self._outside_tax.get(id(tax_rule))
        if found is None:
            found = frozenset(name for s in tax_rule.statements if isinstance(s, n.Tax) for name in s.outside)
            self._outside_tax[id(tax_rule)] = found
        return found

    def parameter_defaults(self, version: Version) -> dict[str, Value]:
        """The declared defaults of a version's parameters (and the default readings of its choices), for
        a customer whose parameters were not validated against the contract (the Python API)."""
        found = self._defaults.get(version.name)
        if found is None:
            env = Env(names=self.static_names(version), calendar=self.model.calendar)
            found = {}
            for name, decl in version.tables.params.items():
                if decl.default is not None:
                    try:
                        found[name] = evaluate(decl.default, env)
                    except EvalError:
                        continue  # a default that needs another parameter: validation supplies it
            self._defaults[version.name] = found
        return found

    def statement_tables(self, version: Version, applicable: frozenset[str]) -> StatementTables:
        key = (version.name, applicable)
        found = self._tables.get(key)
        if found is None:
            found = StatementTables(version, applicable)
            self._tables[key] = found
        return found


def compiled(model: Model) -> CompiledContract:
    """The compiled form of a model, built on first use and kept with the model."""
    found = model.cache.get("compiled")
    if found is None:
        found = CompiledContract(model)
        model.cache["compiled"] = found
    return found


def value_key(value):
    """A value as part of a key: a number with its digits (1,000.0 and 1,000 are equal, not the same text), a list
    item by item; a value that cannot be a key raises TypeError when hashed."""
    if type(value) is Value:
        if type(value.value) is Decimal:
            return value, str(value.value)
        if value.kind == "list":
            return value.kind, tuple(value_key(item) for item in value.value)
    return value


def walk(expr):
    """Every node of an expression."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend(node)
        elif n.is_node(node):
            yield node
            stack.extend(getattr(node, f.name) for f in n.fields(type(node)) if f.name != "span")


# Keys by which statements are looked up on the hot paths of an evaluation.
def fee_items(s: n.Fee) -> list[str]:
    return [i.name for i in s.items]  # the checker made sure each is the name of an item


def monthly_fee_items(s: n.Fee) -> list[str]:
    return fee_items(s) if s.kind == "monthly" else []


def yearly_fee_items(s: n.Fee) -> list[str]:
    return fee_items(s) if s.kind == "yearly" else []


ANY_ITEM = "*"  # the key of a statement whose item is an expression, not a name: looked at for every item


def requires_item(s: n.Requires) -> list[str]:
    return [s.item.name] if isinstance(s.item, n.Name) else [ANY_ITEM]


def fee_event(s: n.Fee) -> list[str]:
    return [s.on_event] if s.on_event else []


def statement_event(s) -> list[str]:
    """The event a notice, limit or rejection is written on."""
    return [s.event]


def obligation_trigger(s: n.Obligation) -> list[str]:
    return [s.trigger] if s.trigger else []


def emit_iteration(s: n.Emit) -> list[str]:
    """What an emit is written for: `month`, `event`, `contract_end`…"""
    return [s.iteration.kind] if s.iteration is not None else []


def emit_event(s: n.Emit) -> list[str]:
    it = s.iteration
    return [it.event] if it is not None and it.kind == "event" and it.event else []

