"""AST -> checked model: names resolved, types and units checked, citations and versions verified.

Every check runs, so one invocation reports every problem of a file. Nothing here evaluates a
customer's events; the one place that computes dates (deadline after effect) does so on sample dates
with the contract's own calendar.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from interpreter.check.declarations import WEEKDAYS, DeclarationChecks
from interpreter.check.infer import GLOBALS, TIMELINE_FUNCTIONS, ExpressionTypes
from interpreter.check.model import Model, Tables, Version
from interpreter.check.scope import Scope, kind_of_name, names_in
from interpreter.check.types import (
    PERIOD_WORDS,
    UNKNOWN,
    T,
    is_dateish,
)
from interpreter.diagnostics import Diagnostic, Note, did_you_mean
from interpreter.run.compiled import walk
from interpreter.statements import STATEMENT_CHECKS
from interpreter.syntax import nodes as n
from interpreter.syntax.source import SourceFile, Span
from interpreter.time.calendar import BusinessCalendar



def _flatten_items(decls: Iterable[n.ItemDecl], parent: str | None, items: dict, parents: dict, dup) -> None:
    for item in decls:
        if item.name in items:
            dup(item.name, item.span, items[item.name].span, "item")
        items[item.name] = item
        if parent:
            parents[item.name] = parent
        _flatten_items(item.children, item.name, items, parents, dup)


class CheckerCore:
    """Declarations, tables and versions; statements and expressions are checked by the mixins of `Checker`."""

    def __init__(self, source: SourceFile, program: n.Program):
        self.source = source
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[Diagnostic] = set()
        self.problems_found = 0  # every error() call, repeats included
        self.conventions: dict[str, tuple[str, ...]] = {}
        self.contract: n.Contract | None = None
        self.version_names: tuple[str, ...] = ()  # the base version's and the amendments' names

    # ------------------------------------------------------------- reporting

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None,
              notes: tuple[Note, ...] = ()) -> None:
        diagnostic = Diagnostic(code, message, span or self.program.span or Span(self.source.name, 1, 1, 1, 2),
                                hint=hint, notes=notes)
        self.problems_found += 1  # counted even when reported before: a caller asks "did this part check?"
        if diagnostic not in self._reported:  # a type is resolved once per use: report each problem once
            self._reported.add(diagnostic)
            self.diagnostics.append(diagnostic)

    def _dup(self, kind_of_thing: str):
        def report(name: str, span: Span, first: Span, what: str = kind_of_thing) -> None:
            self.error("E202", f"{what} `{name}` is declared twice", span, "give each declaration its own name",
                       (Note(first, "first declared here"),))
        return report

    # ------------------------------------------------------------- entry point

    def check(self) -> Model | None:
        base_decls = [d for d in self.program.decls if not isinstance(d, n.Amendment)]
        amendments = [d for d in self.program.decls if isinstance(d, n.Amendment)]
        contracts = [d for d in base_decls if isinstance(d, n.Contract)]
        if contracts:
            self.contract = contracts[0]
            for extra in contracts[1:]:
                self.error("E202", "a file holds one contract; this is a second header", extra.span,
                           notes=(Note(contracts[0].span, "first header here"),))
        elif not self.program.decls:
            self.error("E404", "the file declares nothing: it has no `contract` header",
                       Span(self.source.name, 1, 1, 1, 2),
                       "start with `contract NAME \"名称\" { provider \"…\"; document \"…\" revised DATE; currency JPY; }`")
        else:
            self.error("E404", "the file has no `contract` header", self.program.span,
                       "start with `contract NAME \"名称\" { provider \"…\"; document \"…\" revised DATE; currency JPY; }`")
        for amendment in amendments:
            for d in amendment.decls:
                if isinstance(d, n.Contract):
                    self.error("E405", "an amendment cannot hold a `contract` header", d.span,
                               "an amendment replaces declarations of the contract it amends; "
                               "write the header once, at the top of the file")
        for conv in (d for d in base_decls if isinstance(d, n.Conventions)):
            for c in conv.items:
                self._check_convention(c)

        base = self._tables(base_decls)
        versions = [Version(self.contract.version.name if self.contract and self.contract.version else "base",
                            self.contract.version.label if self.contract and self.contract.version else None,
                            None, (), base)]
        self.version_names = (versions[0].name, *(a.name for a in amendments))
        self._check_decls(base_decls, base)
        self._check_contract_wide(base)
        previous = self.contract.version.effective if self.contract and self.contract.version else None
        previous_span = self.contract.version.span if self.contract and self.contract.version else None
        for amendment in amendments:
            if previous is not None and amendment.effective <= previous:
                self.error("E403", f"amendment `{amendment.name}` takes effect on {amendment.effective}, "
                                   f"not after the version before it ({previous})", amendment.span,
                           "list versions in the order they take effect",
                           (Note(previous_span, "previous version here"),) if previous_span else ())
            previous, previous_span = amendment.effective, amendment.span
            tables = self._amend(versions[-1].tables, amendment)
            replaced = tuple(_decl_name(d) for d in amendment.decls if _decl_name(d))
            versions.append(Version(amendment.name, amendment.label, amendment.effective, amendment.notes,
                                    tables, replaced))
            self._check_decls(list(amendment.decls), tables)
            self._check_contract_wide(tables)
        if any(d.severity == "error" for d in self.diagnostics):
            return None
        return Model(self.source.name, self.source, self.program, self.contract, self.conventions,
                     self._calendar(base), tuple(versions))

    # ------------------------------------------------------------- tables

    def _tables(self, decls: list) -> Tables:
        units: dict = {}
        enums: dict = {}
        params: dict = {}
        items: dict = {}
        parents: dict = {}
        events: dict = {}
        calendars: dict = {}
        rules: dict = {}
        choices: dict = {}
        for d in decls:
            if isinstance(d, n.ChoiceDecl):
                self._choice_tables(d, choices, enums, params)
            for table, cls, what in ((units, n.UnitDecl, "unit"), (enums, n.EnumDecl, "enumeration"),
                                     (params, n.ParamDecl, "parameter"), (events, n.EventDecl, "event"),
                                     (calendars, n.Calendar, "calendar")):
                if isinstance(d, cls):
                    if d.name in table:
                        self._dup(what)(d.name, d.span, table[d.name].span)
                    table[d.name] = d
            if isinstance(d, n.ItemDecl):
                _flatten_items([d], None, items, parents, self._dup("item"))
            if isinstance(d, n.RuleDecl):
                if d.id in rules:
                    self.error("E203", f"rule id {d.id} is used twice", d.id_span,
                               "each rule has its own id; number a second part ITS-5a, ITS-5b …",
                               (Note(rules[d.id].id_span, "first used here"),))
                rules[d.id] = d
        return Tables(units, enums, params, items, parents, events, calendars, rules, choices)

    def _amend(self, previous: Tables, amendment: n.Amendment) -> Tables:
        new = self._tables(list(amendment.decls))
        items = dict(previous.items)
        parents = dict(previous.item_parent)
        for name, item in new.items.items():
            items[name] = item
            if name in new.item_parent:
                parents[name] = new.item_parent[name]
        return Tables(
            {**previous.units, **new.units}, {**previous.enums, **new.enums}, {**previous.params, **new.params},
            items, parents, {**previous.events, **new.events}, {**previous.calendars, **new.calendars},
            {**previous.rules, **new.rules}, {**previous.choices, **new.choices},
        )

    def _calendar(self, tables: Tables) -> BusinessCalendar:
        decl = tables.calendars.get("business") or next(iter(tables.calendars.values()), None)
        if decl is None:
            return BusinessCalendar()
        weekend = frozenset({5, 6})
        if decl.weekend is not None:
            weekend = frozenset(WEEKDAYS.index(w) for w in decl.weekend if w in WEEKDAYS)
        closed = set()
        for c in decl.closed:
            day = c.start
            while day <= c.end:
                closed.add(day)
                day += timedelta(days=1)
        yearly = tuple((c.start[0], c.start[1], c.end[0], c.end[1]) for c in decl.closed_yearly)
        return BusinessCalendar(national_holidays=decl.holidays in ("japan", "japan_bank"),
                                bank_holidays=decl.holidays == "japan_bank", weekend=weekend,
                                closed_dates=frozenset(closed), closed_yearly=yearly)

    # ------------------------------------------------------------- declarations

    def _check_decls(self, decls: list, tables: Tables) -> None:
        scope = self._global_scope(tables)
        for d in decls:
            if isinstance(d, n.Calendar):
                self._check_calendar(d)
            elif isinstance(d, n.ParamDecl):
                self._check_typed(d.name, d.type, d.default, tables, scope)
            elif isinstance(d, n.EventDecl):
                self._check_event(d, tables, scope)
            elif isinstance(d, n.ItemDecl):
                self._check_item(d, tables, scope)
            elif isinstance(d, n.RuleDecl):
                self._check_rule(d, tables, scope)
            elif isinstance(d, n.ChoiceDecl):
                self._check_choice(d, tables)
            elif isinstance(d, n.Contract):
                if d.currency not in (None, "JPY"):
                    self.error("E406", f"currency `{d.currency}` is not supported", d.span,
                               "yakkan computes in Japanese yen: write `currency JPY;`")

    # ------------------------------------------------------------- rules

    def _global_scope(self, tables: Tables) -> Scope:
        names: dict[str, T] = dict(GLOBALS)
        for name in tables.items:
            names[name] = T("item", tables.items[name].kind)
        for case, enum in tables.enum_cases().items():
            names[case] = T("enum", enum)
        for name in tables.events:
            names[name] = T("event", name)
        for name, p in tables.params.items():
            names[name] = self.resolve_type(p.type, tables) if p.type.name else UNKNOWN
        # named states can be referred to from any rule
        for rule in tables.rules.values():
            for s in rule.statements:
                if isinstance(s, n.Emit) and s.kind == "state" and s.name:
                    names[s.name] = UNKNOWN
        for name in self.version_names:  # `revised.effective`: a version by its name, not its label
            names.setdefault(name, T("version"))
        return Scope(names)

    def _check_rule(self, rule: n.RuleDecl, tables: Tables, scope: Scope) -> None:
        if not rule.articles or any(not a.strip() for a in rule.articles):
            self.error("E401", f"rule {rule.id} has an empty citation", rule.span,
                       "cite the article it encodes, such as 第25条第1項 or 別表②")
        else:
            for article in rule.articles:
                if not _ARTICLE_WORDS.search(article):
                    self.error("E401", f"rule {rule.id} cites 「{article}」, which names no article", rule.id_span,
                               "write the article after the id (`rule ITS-1 第12条 \"最低利用期間\" { … }`); "
                               "a quoted citation must name one, such as \"一般規程第28条\"")
        if rule.condition is not None:
            t = self.infer(rule.condition.expr, scope, tables)
            if t.kind not in ("bool", "unknown"):
                self.error("E302", f"a rule's condition must be true or false, not {t}", rule.condition.expr.span)
            self._static_condition(rule, tables)
        if not rule.statements:
            self.error("W502", f"rule {rule.id} has no statements, so it changes nothing", rule.id_span,
                       "write what the article decides inside the braces")
        for s in rule.statements:
            handler = getattr(self, "_stmt_" + type(s).__name__, None)
            if handler is not None:
                handler(s, tables, scope)

    def _static_condition(self, rule: n.RuleDecl, tables: Tables) -> None:
        """A rule's `when`/`unless` is decided once per customer, from the contract and its parameters: a part
        that is known only on the timeline (an event, a state, an item's dates, a query) could never be
        decided there, so it is an error rather than a condition that is silently false."""
        states = {s.name for r in tables.rules.values() for s in r.statements
                  if isinstance(s, n.Emit) and s.kind == "state" and s.name}
        for node in timeline_parts(rule.condition.expr, tables, states):
            what = (f"`{node.func}(…)` queries the timeline" if isinstance(node, n.Call) else
                    f"`{self.source.snippet(node.span)}` is known only on the customer's timeline")
            self.error("E304", f"rule {rule.id}'s condition cannot be decided before the timeline: {what}",
                       node.span, "a rule's condition may test parameters, reading choices and constants; test "
                       "the timeline inside the rule, in a statement's `where` or `require`")

    def _event_name(self, name: str, span: Span | None, tables: Tables) -> n.EventDecl | None:
        if name in tables.events:
            return tables.events[name]
        self.error("E205", f"unknown event `{name}`", span,
                   did_you_mean(name, tables.events) or "declare it with `event NAME { … }`")
        return None

    def _event_scope(self, scope: Scope, event: str, tables: Tables) -> Scope:
        # An undeclared event was reported once already; binding it as unknown stops a cascade.
        return scope.child({event: T("event", event) if event in tables.events else UNKNOWN})

    def _expect(self, expr, want: str, scope: Scope, tables: Tables, what: str) -> T:
        got = self.infer(expr, scope, tables)
        ok = {
            "date": is_dateish(got),
            "money": got.kind in ("money", "unknown"),
            "bool": got.kind in ("bool", "unknown"),
            "duration": got.kind in ("duration", "unknown"),
            "rate": got.kind in ("percent", "number", "unknown"),
            "item": got.kind in ("item", "unknown"),
        }[want]
        if not ok:
            self.error("E302", f"{what} must be a {want}, not {got}", expr.span)
        return got

    def _period_length(self, e, scope: Scope, tables: Tables, what: str) -> None:
        """A period is written as a positive whole number of days, weeks, months or years (民法第140条)."""
        found = self.problems_found
        self._expect(e, "duration", scope, tables, what)
        if self.problems_found != found:
            return
        if not (isinstance(e, n.Num) and e.unit in PERIOD_WORDS and e.value == e.value.to_integral_value()
                and e.value >= 1):
            self.error("E406", f"{what} is a positive whole number of days, weeks, months or years", e.span,
                       "write it as a number and a unit, e.g. `3 months`")

    def _not_from_itself(self, expr, attribute: str, statement: str) -> None:
        """The statement that defines `contract.ATTRIBUTE` must not read it: it would be computed from itself."""
        for node in walk(expr):
            if (isinstance(node, n.Attr) and node.name == attribute and isinstance(node.obj, n.Name)
                    and node.obj.name == "contract"):
                self.error("E406", f"`{statement}` defines `contract.{attribute}`, so it cannot be computed from it",
                           node.span, "count from the event it starts with, e.g. `service_start`")

    def _items(self, exprs, tables: Tables) -> None:
        for e in exprs:
            if not _names_items_only(e):
                self.error("E208", "this is not an item: name a `plan`, `option`, `item` or `feature`", e.span,
                           "write e.g. `for www` or `for www or mail`")
                continue
            for name_node in names_in(e):
                other = kind_of_name(name_node.name, tables)
                if name_node.name not in tables.items and other:
                    self.error("E208", f"`{name_node.name}` is {other}, not an item", name_node.span,
                               "name a `plan`, `option` or `item` here")
                elif name_node.name not in tables.items:
                    self.error("E204", f"unknown item `{name_node.name}`", name_node.span,
                               did_you_mean(name_node.name, tables.items) or "declare it with `plan`, `option` or "
                               "`item`")

    # ------------------------------------------------------------- expressions


_ARTICLE_WORDS = __import__("re").compile(r"条|項|号|別表|別紙|附則|付則|備考|表|章|節|款|規程|規約|約款|仕様")


def _decl_name(d) -> str | None:
    if isinstance(d, n.RuleDecl):
        return d.id
    return getattr(d, "name", None)


def timeline_parts(expr, tables: Tables, states: set[str]) -> list:
    """The parts of an expression that depend on a customer's timeline: event names, named states, the
    `contract`'s dates, attributes of items, and the functions that query the timeline."""
    found = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Name) and (node.name in tables.events or node.name in states or node.name == "contract"):
            found.append(node)
        elif isinstance(node, n.Attr) and isinstance(node.obj, n.Name) and node.obj.name in tables.items:
            found.append(node)
        elif isinstance(node, n.Call) and node.func in TIMELINE_FUNCTIONS:
            found.append(node)
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        elif n.is_node(node):
            stack.extend(getattr(node, f.name) for f in n.fields(type(node)) if f.name != "span")
    return sorted(found, key=lambda x: (x.span.line, x.span.column) if x.span else (0, 0))


class Checker(ExpressionTypes, DeclarationChecks, *STATEMENT_CHECKS, CheckerCore):
    """The checker: the core, the expression types and every statement kind's checks."""


def _names_items_only(e) -> bool:
    """True for an item expression: names (or an event's item field) joined by `or`/`and`, or a list of them."""
    if isinstance(e, (n.Name, n.Attr)):
        return True
    if isinstance(e, n.Binary) and e.op in ("or", "and"):
        return _names_items_only(e.left) and _names_items_only(e.right)
    if isinstance(e, n.ListExpr):
        return all(_names_items_only(i) for i in e.items)
    return False


def check(source: SourceFile, program: n.Program) -> tuple[Model | None, list[Diagnostic]]:
    checker = Checker(source, program)
    model = checker.check()
    return model, checker.diagnostics
