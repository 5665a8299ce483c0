"""AST -> checked model: names resolved, types and units checked, citations and versions verified.

Every check runs, so one invocation reports every problem of a file. Nothing here evaluates a
customer's events; the one place that computes dates (deadline after effect) does so on sample dates
with the contract's own calendar.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from interpreter.syntax import nodes as n
from interpreter.time.calendar import BusinessCalendar
from interpreter.diagnostics import Diagnostic, Note, did_you_mean
from interpreter.check.model import Model, Tables, Version
from interpreter.syntax.source import SourceFile, Span
from interpreter.check.types import (BOOL, CALENDAR, DATE, DATETIME, EXACT, MONEY, MONTH, NUMBER, PERCENT, PRIMITIVE_TYPES, TEXT,
                    UNIT_WORDS, UNKNOWN, T, compatible, is_dateish, is_numeric)

# Conventions a contract may declare, with the values each takes.
CONVENTIONS: dict[str, tuple[str, ...]] = {
    "periods": ("civil_code",),
    "month_end": ("clamp",),
    "prorate": ("actual_days", "thirty_days"),
    "interest_year": ("365 days",),
    "first_month": ("free", "full", "prorated"),
    "last_month": ("full", "prorated"),
}
PARTIAL_MONTH = {"first": ("free", "full", "prorated"), "last": ("full", "prorated")}
ALLOWED_DATES = ("any_day", "month_end", "month_start", "term_end")
IF_LATE = ("next_allowed", "rejected", "stands")
ROUNDING = ("floor", "ceil", "round_half_up", "round_half_even")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Built-in functions: name -> (argument count range, result type or a rule computing it from the arguments)
_SAME_AS_FIRST = "same"
BUILTINS: dict[str, tuple[int, int, object]] = {
    "floor": (1, 1, _SAME_AS_FIRST),
    "ceil": (1, 1, _SAME_AS_FIRST),
    "round": (1, 1, _SAME_AS_FIRST),
    "truncate": (2, 2, _SAME_AS_FIRST),  # truncate(duration, minutes): cut to whole units
    "max": (2, 9, _SAME_AS_FIRST),
    "min": (2, 9, _SAME_AS_FIRST),
    "monthly_fee": (1, 2, MONEY),  # the monthly fees in force on a date (optionally of some items)
    "fees_paid": (2, 2, MONEY),  # payments received from one date up to (not including) another
    "days_in_month": (1, 1, NUMBER),
    "months_from": (2, 2, NUMBER),  # calendar months from the month of one date to the month of another
    "date_of": (1, 1, DATE),
}

# Names every contract can use, with their types.
GLOBALS: dict[str, T] = {"contract": T("contract")}
CONTRACT_ATTRS = {"start": DATE, "end": DATE, "formed": DATE, "billing_start": DATE, "term_end": DATE}
EVENT_ATTRS = {"at": DATETIME, "date": DATE, "until": DATETIME, "duration": EXACT}
MONTH_ATTRS = {"start": DATE, "end": DATE, "days": NUMBER}
INVOICE_NAMES = {"closing": DATE}
INTEREST_NAMES = {"due": DATE, "paid": DATE, "overdue": MONEY}


class _Scope:
    def __init__(self, names: dict[str, T], parent: "_Scope | None" = None):
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> T | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def all_names(self) -> set[str]:
        out: set[str] = set()
        scope: _Scope | None = self
        while scope is not None:
            out |= set(scope.names)
            scope = scope.parent
        return out

    def child(self, names: dict[str, T]) -> "_Scope":
        return _Scope(names, self)


def _flatten_items(decls: Iterable[n.ItemDecl], parent: str | None, items: dict, parents: dict, dup) -> None:
    for item in decls:
        if item.name in items:
            dup(item.name, item.span, items[item.name].span, "item")
        items[item.name] = item
        if parent:
            parents[item.name] = parent
        _flatten_items(item.children, item.name, items, parents, dup)


class Checker:
    def __init__(self, source: SourceFile, program: n.Program):
        self.source = source
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[Diagnostic] = set()
        self.conventions: dict[str, tuple[str, ...]] = {}
        self.contract: n.Contract | None = None

    # ------------------------------------------------------------- reporting

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None,
              notes: tuple[Note, ...] = ()) -> None:
        diagnostic = Diagnostic(code, message, span or self.program.span or Span(self.source.name, 1, 1, 1, 2),
                                hint=hint, notes=notes)
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
        self._check_decls(base_decls, base)
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
        for d in decls:
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
        return Tables(units, enums, params, items, parents, events, calendars, rules)

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
            {**previous.rules, **new.rules},
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

    def _check_convention(self, c: n.Convention) -> None:
        allowed = CONVENTIONS.get(c.name)
        if allowed is None:
            self.error("E201", f"unknown convention `{c.name}`", c.span,
                       did_you_mean(c.name, CONVENTIONS) or f"conventions are: {', '.join(CONVENTIONS)}")
            return
        value = " ".join(c.values)
        if value not in allowed:
            self.error("E406", f"convention `{c.name}` cannot be `{value}`", c.span,
                       f"write one of: {', '.join(allowed)}")
        self.conventions[c.name] = c.values

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
            elif isinstance(d, n.Contract):
                if d.currency not in (None, "JPY"):
                    self.error("E406", f"currency `{d.currency}` is not supported", d.span,
                               "yakkan computes in Japanese yen: write `currency JPY;`")

    def _check_calendar(self, d: n.Calendar) -> None:
        if d.holidays not in (None, "japan", "japan_bank", "none"):
            self.error("E406", f"unknown holiday calendar `{d.holidays}`", d.span,
                       "write `holidays japan;` (national holidays) or `holidays japan_bank;` (also Dec 31–Jan 3)")
        for w in d.weekend or ():
            if w not in WEEKDAYS:
                self.error("E406", f"`{w}` is not a day of the week", d.span, did_you_mean(w, WEEKDAYS))
        for c in d.closed:
            if c.end < c.start:
                self.error("E406", f"closed days run backwards: {c.start} .. {c.end}", c.span)

    def resolve_type(self, ref: n.TypeRef, tables: Tables) -> T:
        if ref.per is not None:
            if ref.name != "money":
                self.error("E207", f"only money can be given per a unit, not `{ref.name}`", ref.span)
            if ref.per not in tables.units and ref.per not in UNIT_WORDS:
                self.error("E207", f"unknown unit `{ref.per}`", ref.span,
                           did_you_mean(ref.per, tables.units) or "declare it with `unit NAME;`")
            return T("rate", ref.per)
        if ref.name in PRIMITIVE_TYPES:
            return PRIMITIVE_TYPES[ref.name]
        if ref.name in tables.enums:
            return T("enum", ref.name)
        if ref.name in tables.units:
            return T("count", ref.name)
        known = list(PRIMITIVE_TYPES) + list(tables.enums) + list(tables.units)
        self.error("E207", f"unknown type `{ref.name}`", ref.span,
                   did_you_mean(ref.name, known) or "types are money, count, percent, date, datetime, days, "
                   "months, text, bool, plan, option, item, a declared unit or a declared enum")
        return UNKNOWN

    def _check_typed(self, name: str, ref: n.TypeRef, default, tables: Tables, scope: _Scope) -> T:
        typ = self.resolve_type(ref, tables)
        if default is not None:
            got = self.infer(default, scope, tables)
            if typ.kind == "rate":
                if got.kind not in ("money", "unknown"):
                    self.error("E302", f"the default of `{name}` is {got}, not money", default.span)
            elif typ.kind == "item":
                if got.kind not in ("item", "unknown"):
                    self.error("E302", f"the default of `{name}` must be an item, not {got}", default.span)
            elif typ.kind == "count" and got.kind in ("number", "count"):
                pass
            elif not compatible(typ, got) or (typ.kind != got.kind and not (is_dateish(typ) and is_dateish(got))
                                                and got.kind != "unknown" and not (is_numeric(typ) and is_numeric(got))):
                self.error("E302", f"the default of `{name}` is {got}, but it is declared {typ}", default.span)
        return typ

    def _check_event(self, d: n.EventDecl, tables: Tables, scope: _Scope) -> None:
        names: dict[str, n.FieldDecl] = {}
        for f in d.fields:
            if f.name in names:
                self._dup("field")(f.name, f.span, names[f.name].span)
            if f.name in ("at", "event"):
                self.error("E406", f"`{f.name}` is written by every scenario event; a field cannot take that name",
                           f.span)
            names[f.name] = f
            self._check_typed(f.name, f.type, f.default, tables, scope)
        if d.interval and "until" not in names:
            self.error("E404", f"interval event `{d.name}` needs an `until: datetime;` field", d.span,
                       "an interval runs from the event's `at` to its `until`")
        field_scope = scope.child({f.name: self.resolve_type(f.type, tables) for f in d.fields})
        for action in d.effects:
            self._check_action(action, field_scope, tables)

    def _check_item(self, d: n.ItemDecl, tables: Tables, scope: _Scope) -> None:
        for inc in d.includes:
            self.infer(inc, scope, tables)
        if d.measured_in and d.measured_in not in tables.units:
            self.error("E201", f"unknown unit `{d.measured_in}`", d.span,
                       did_you_mean(d.measured_in, tables.units) or "declare it with `unit NAME;`")
        for child in d.children:
            self._check_item(child, tables, scope)

    # ------------------------------------------------------------- rules

    def _global_scope(self, tables: Tables) -> _Scope:
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
        return _Scope(names)

    def _check_rule(self, rule: n.RuleDecl, tables: Tables, scope: _Scope) -> None:
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
        if not rule.statements:
            self.error("W502", f"rule {rule.id} has no statements, so it changes nothing", rule.id_span,
                       "write what the article decides inside the braces")
        for s in rule.statements:
            handler = getattr(self, "_stmt_" + type(s).__name__, None)
            if handler is not None:
                handler(s, tables, scope)

    def _event_name(self, name: str, span: Span | None, tables: Tables) -> n.EventDecl | None:
        if name in tables.events:
            return tables.events[name]
        self.error("E205", f"unknown event `{name}`", span,
                   did_you_mean(name, tables.events) or "declare it with `event NAME { … }`")
        return None

    def _event_scope(self, scope: _Scope, event: str, tables: Tables) -> _Scope:
        # An undeclared event was reported once already; binding it as unknown stops a cascade.
        return scope.child({event: T("event", event) if event in tables.events else UNKNOWN})

    def _expect(self, expr, want: str, scope: _Scope, tables: Tables, what: str) -> T:
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

    def _items(self, exprs, tables: Tables) -> None:
        for e in exprs:
            for name_node in _names_in(e):
                other = _kind_of_name(name_node.name, tables)
                if name_node.name not in tables.items and other:
                    self.error("E208", f"`{name_node.name}` is {other}, not an item", name_node.span,
                               "name a `plan`, `option` or `item` here")
                elif name_node.name not in tables.items:
                    self.error("E204", f"unknown item `{name_node.name}`", name_node.span,
                               did_you_mean(name_node.name, tables.items) or "declare it with `plan`, `option` or "
                               "`item`")

    def _stmt_Rounding(self, s: n.Rounding, tables, scope) -> None:
        if s.mode not in ROUNDING:
            self.error("E406", f"unknown rounding `{s.mode}`", s.span, f"write one of: {', '.join(ROUNDING)}")
        self._expect(s.to, "money", scope, tables, "the rounding unit")

    def _stmt_Tax(self, s: n.Tax, tables, scope) -> None:
        if s.included:
            return
        starts = [r.start for r in s.rates]
        if len(set(starts)) != len(starts):
            self.error("E406", "two tax rates start on the same day", s.span)
        for r in s.rates:
            t = self.infer(r.rate, scope, tables)
            if t.kind not in ("percent", "unknown"):
                self.error("E301", f"a tax rate is a percentage, not {t}", r.rate.span, "write it as `10%`")

    def _check_anchor(self, anchor: n.PeriodAnchor, tables, scope) -> None:
        self._expect(anchor.base, "date", scope, tables, "the start of a period")

    def _stmt_MinimumTerm(self, s: n.MinimumTerm, tables, scope) -> None:
        self._expect(s.length, "duration", scope, tables, "a minimum term")
        self._check_anchor(s.anchor, tables, scope)
        self._items(s.items, tables)

    def _stmt_FixedTerm(self, s: n.FixedTerm, tables, scope) -> None:
        self._expect(s.length, "duration", scope, tables, "a term")
        if s.renews is not None:
            self._expect(s.renews, "duration", scope, tables, "a renewal")
        self._check_anchor(s.anchor, tables, scope)

    def _stmt_Notice(self, s: n.Notice, tables, scope) -> None:
        decl = self._event_name(s.event, s.span, tables)
        inner = self._event_scope(scope, s.event, tables).child({"effective": DATE})
        if s.effective is not None:
            self._expect(s.effective, "date", inner, tables, "the effective date")
        if s.allowed is not None and s.allowed not in ALLOWED_DATES:
            self.error("E406", f"`allowed {s.allowed}` is not a kind of date", s.span,
                       f"write one of: {', '.join(ALLOWED_DATES)}")
        if s.if_late is not None and s.if_late not in IF_LATE:
            self.error("E406", f"`if late {s.if_late}` is not a policy", s.span, f"write one of: {', '.join(IF_LATE)}")
        if s.due is not None:
            self._expect(s.due, "date", inner, tables, "a deadline")
            self._deadline_after_effect(s)
        if s.effective is None and decl is not None:
            self.error("E404", f"notice `{s.name}` does not say when it takes effect", s.span,
                       f"add `effective {s.event}.FIELD;` or a date computed from `{s.event}.at`")
        for action in s.effects:
            self._check_action(action, inner, tables)

    def _deadline_after_effect(self, s: n.Notice) -> None:
        """A deadline must not fall after the effect it announces: probe a spread of effective dates."""
        from interpreter.run.expressions import EvalError, Env, evaluate  # the evaluator's date arithmetic, on sample dates

        probe = date(2025, 1, 1)
        calendar = BusinessCalendar()
        samples = [probe + timedelta(days=offset) for offset in range(0, 730, 3)]
        if s.allowed == "month_end":
            samples = [d for d in samples if (d + timedelta(days=1)).day == 1]
        elif s.allowed == "month_start":
            samples = [d for d in samples if d.day == 1]
        for effective in samples:
            env = Env(names={"effective": effective}, calendar=calendar, conventions=self.conventions)
            try:
                due = evaluate(s.due, env).value
            except EvalError:
                return  # the deadline depends on the customer's events; the evaluator checks it per event
            if hasattr(due, "date") and not isinstance(due, date):
                due = due.date()
            if isinstance(due, date) and due > effective:
                self.error("E402", f"the deadline falls after the effect it announces "
                                   f"(effective {effective} → due {due})", s.due.span,
                           "a notice is due on or before its effective date: count back with `before`")
                return

    def _stmt_Obligation(self, s: n.Obligation, tables, scope) -> None:
        inner = scope
        if s.trigger and s.trigger != "contract ends":
            self._event_name(s.trigger, s.span, tables)
            inner = self._event_scope(scope, s.trigger, tables)
        if s.due is None:
            self.error("E404", f"obligation `{s.name}` has no `due` date", s.span)
        else:
            self._expect(s.due, "date", inner, tables, "a deadline")
        if s.met_by:
            self._event_name(s.met_by, s.span, tables)
        if s.trigger is None:
            self.error("E404", f"obligation `{s.name}` does not say when it arises", s.span,
                       "add `when EVENT;` or `when contract ends;`")

    def _stmt_Fee(self, s: n.Fee, tables, scope) -> None:
        inner = scope
        if s.on_event:
            self._event_name(s.on_event, s.span, tables)
            inner = self._event_scope(scope, s.on_event, tables)
        amount = self.infer(s.amount, inner, tables)
        if amount.kind == "rate":
            if amount.detail != s.per_unit:
                self.error("E301", f"the fee is {amount}, but it is charged per {s.per_unit or 'item'}",
                           s.amount.span, f"write `per {amount.detail}` after the amount")
        elif amount.kind not in ("money", "unknown"):
            self.error("E302", f"a fee must be a money, not {amount}", s.amount.span)
        if s.where is not None:
            self._expect(s.where, "bool", inner, tables, "a condition")
        if s.per_unit and s.per_unit not in tables.units:
            self.error("E201", f"unknown unit `{s.per_unit}`", s.span,
                       did_you_mean(s.per_unit, tables.units) or "declare it with `unit NAME;`")
        self._items(s.items, tables)
        if s.kind in ("initial", "occurrence") and not s.items and not s.on_event:
            self.error("E404", f"an {s.kind} fee needs the items it is for or the event it is charged on", s.span)
        if s.kind in ("monthly", "yearly") and not s.items:
            self.error("E404", f"a {s.kind} fee needs the items it is for (`for www`)", s.span)
        for which, value in (("first", s.first_month), ("last", s.last_month)):
            if value is not None and value not in PARTIAL_MONTH[which]:
                self.error("E406", f"`{which} month {value}` is not a policy", s.span,
                           f"write one of: {', '.join(PARTIAL_MONTH[which])}")
        if s.kind == "monthly":
            for which, value in (("first", s.first_month), ("last", s.last_month)):
                if value is None and f"{which}_month" not in self.conventions:
                    self.error("W501", f"the monthly fee does not say how a partial {which} month is charged",
                               s.span, f"add `{which} month full|prorated` to the fee or "
                               f"`{which}_month …;` to conventions")
            if "prorated" in (s.first_month, s.last_month) and "prorate" not in self.conventions:
                self.error("W501", "a prorated fee needs a daily basis", s.span,
                           "declare `prorate actual_days;` or `prorate thirty_days;` in conventions")
        if s.start is not None:
            self._expect(s.start, "date", scope, tables, "the start of billing")

    def _stmt_Settle(self, s: n.Settle, tables, scope) -> None:
        if s.partial_month is not None and s.partial_month not in ("full", "prorated", "none"):
            self.error("E406", f"`partial month {s.partial_month}` is not a policy", s.span,
                       "write one of: full, prorated, none")
        if s.partial_month is None:
            self.error("W501", "the settlement does not say how a partial remaining month counts", s.span,
                       "add `partial month full`, `partial month prorated` or `partial month none`")
        if s.unless_ended_by:
            self._event_name(s.unless_ended_by, s.span, tables)
        self._items(s.items, tables)

    def _stmt_BillingFrom(self, s: n.BillingFrom, tables, scope) -> None:
        self._expect(s.start, "date", scope, tables, "the start of billing")

    def _stmt_InvoiceDue(self, s: n.InvoiceDue, tables, scope) -> None:
        self._expect(s.due, "date", scope.child(INVOICE_NAMES), tables, "an invoice's due date")
        if s.paid_by:
            decl = self._event_name(s.paid_by, s.span, tables)
            if decl is not None and not any(f.name == "amount" and f.type.name == "money" for f in decl.fields):
                self.error("E404", f"payment event `{s.paid_by}` needs an `amount: money;` field", s.span)

    def _stmt_Interest(self, s: n.Interest, tables, scope) -> None:
        self._expect(s.rate, "rate", scope, tables, "an interest rate")
        inner = scope.child(INTEREST_NAMES)
        if s.days_from is None:
            self.error("E404", "late interest does not say which days it counts", s.span,
                       "add `days from due + 1 day through paid - 1 day;`")
        else:
            self._expect(s.days_from, "date", inner, tables, "the first day counted")
            self._expect(s.days_through, "date", inner, tables, "the last day counted")
        if s.year is None and "interest_year" not in self.conventions:
            self.error("W501", "late interest does not say how many days a year has", s.span,
                       "add `year of 365 days;`")
        elif s.year is not None:
            self._expect(s.year, "duration", inner, tables, "a year's length")

    def _stmt_Emit(self, s: n.Emit, tables, scope) -> None:
        inner = scope
        it = s.iteration
        if it is not None and it.kind == "event" and it.event:
            self._event_name(it.event, it.span, tables)
            inner = self._event_scope(scope, it.event, tables)
        elif it is not None and it.kind == "month":
            inner = scope.child({"month": MONTH})
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
            self._expect(s.claim.by, "date", inner, tables, "a claim deadline")
            self._event_name(s.claim.via, s.claim.span, tables)

    def _stmt_Requires(self, s: n.Requires, tables, scope) -> None:
        self._items([s.item, s.condition], tables)

    def _stmt_EndsWith(self, s: n.EndsWith, tables, scope) -> None:
        self._items([s.item, *s.prerequisites], tables)

    def _stmt_OrderWindow(self, s: n.OrderWindow, tables, scope) -> None:
        self._items([s.item], tables)
        if s.start is not None:
            self._expect(s.start, "date", scope, tables, "the first day of orders")
        self._expect(s.until, "date", scope, tables, "the last day of orders")

    def _stmt_ServiceEnd(self, s: n.ServiceEnd, tables, scope) -> None:
        self._items([s.item], tables)
        self._expect(s.date, "date", scope, tables, "the end of a service")

    def _stmt_NeverDecreases(self, s: n.NeverDecreases, tables, scope) -> None:
        self._items([s.item], tables)

    def _stmt_Limit(self, s: n.Limit, tables, scope) -> None:
        self._event_name(s.event, s.span, tables)
        self._expect(s.condition, "bool", self._event_scope(scope, s.event, tables), tables, "a limit")

    def _stmt_Reject(self, s: n.Reject, tables, scope) -> None:
        self._event_name(s.event, s.span, tables)
        self._expect(s.condition, "bool", self._event_scope(scope, s.event, tables), tables, "a condition")

    def _stmt_Distinct(self, s: n.Distinct, tables, scope) -> None:
        self._items(s.items, tables)
        if not isinstance(s.field, n.Name):
            self.error("E406", "`distinct` takes the name of an event field", s.field.span)
        elif not any(s.field.name in {f.name for f in e.fields} for e in tables.events.values()):
            self.error("E206", f"no event has a field `{s.field.name}`", s.field.span)

    def _stmt_ClaimWindow(self, s: n.ClaimWindow, tables, scope) -> None:
        credits = {e.name: e for r in tables.rules.values() for e in r.statements
                   if isinstance(e, n.Emit) and e.kind == "credit" and e.name}
        credit = credits.get(s.credit)
        if credit is None:
            self.error("E201", f"no credit is named `{s.credit}`", s.span,
                       did_you_mean(s.credit, credits) or "name the credit: `credit NAME \"label\" …`")
        inner = scope.child({"month": MONTH})
        if credit is not None and credit.iteration and credit.iteration.kind == "event":
            inner = self._event_scope(inner, credit.iteration.event, tables)
        self._expect(s.by, "date", inner, tables, "a claim deadline")
        self._event_name(s.via, s.span, tables)

    def _check_action(self, action, scope: _Scope, tables: Tables) -> None:
        if isinstance(action, (n.StartItem, n.EndItem, n.SetQuantity, n.ChangeItem)):
            self._expect(action.item, "item", scope, tables, "what starts or ends")
        if isinstance(action, n.StartItem) and action.quantity is not None:
            self.infer(action.quantity, scope, tables)
        if isinstance(action, n.SetQuantity):
            self.infer(action.value, scope, tables)
        if isinstance(action, n.ChangeItem):
            self._expect(action.to, "item", scope, tables, "what an item changes to")

    # ------------------------------------------------------------- expressions

    def infer(self, e, scope: _Scope, tables: Tables) -> T:
        method = getattr(self, "_infer_" + type(e).__name__)
        return method(e, scope, tables)

    def _infer_Num(self, e: n.Num, scope, tables) -> T:
        if e.unit is None:
            return NUMBER
        if e.unit in UNIT_WORDS:
            return UNIT_WORDS[e.unit][0]
        if e.unit in tables.units:
            return T("count", e.unit)
        known = list(UNIT_WORDS) + list(tables.units)
        self.error("E201", f"unknown unit `{e.unit}`", e.span,
                   did_you_mean(e.unit, known) or "declare it with `unit NAME;`, or use yen, %, days, months …")
        return UNKNOWN

    def _infer_Str(self, e, scope, tables) -> T:
        return TEXT

    def _infer_DateLit(self, e, scope, tables) -> T:
        return DATE

    def _infer_DateTimeLit(self, e, scope, tables) -> T:
        return DATETIME

    def _infer_Bool(self, e, scope, tables) -> T:
        return BOOL

    def _infer_Name(self, e: n.Name, scope: _Scope, tables) -> T:
        t = scope.lookup(e.name)
        if t is None:
            self.error("E201", f"unknown name `{e.name}`", e.span,
                       did_you_mean(e.name, scope.all_names()) or "declare it as a parameter, an item, an event, "
                       "or bind it with `let`")
            return UNKNOWN
        return t

    def _infer_Attr(self, e: n.Attr, scope, tables) -> T:
        obj = self.infer(e.obj, scope, tables)
        if obj.kind == "unknown":
            return UNKNOWN
        if obj.kind == "event":
            decl = tables.events.get(obj.detail)
            fields = {f.name: f for f in decl.fields} if decl else {}
            if e.name in fields:
                return self.resolve_type(fields[e.name].type, tables)
            if e.name in EVENT_ATTRS and (e.name not in ("until", "duration") or (decl and decl.interval)):
                return EVENT_ATTRS[e.name]
            known = list(fields) + [a for a in EVENT_ATTRS if a not in ("until", "duration") or (decl and decl.interval)]
            self.error("E206", f"event `{obj.detail}` has no field `{e.name}`", e.span,
                       did_you_mean(e.name, known) or f"its fields are: {', '.join(known)}")
            return UNKNOWN
        table = {"contract": CONTRACT_ATTRS, "month": MONTH_ATTRS}.get(obj.kind)
        if table is not None:
            if e.name in table:
                return table[e.name]
            self.error("E206", f"{obj.kind} has no attribute `{e.name}`", e.span,
                       did_you_mean(e.name, table) or f"its attributes are: {', '.join(table)}")
            return UNKNOWN
        if obj.kind == "item" and e.name in ("quantity", "start", "end"):
            return {"quantity": T("count"), "start": DATE, "end": DATE}[e.name]
        self.error("E206", f"a value of type {obj} has no attribute `{e.name}`", e.span)
        return UNKNOWN

    def _infer_Call(self, e: n.Call, scope, tables) -> T:
        # truncate's second argument is a unit word, not a value
        checked = e.args[:1] if e.func == "truncate" else e.args
        args = [self.infer(a, scope, tables) for a in checked] + [UNKNOWN] * (len(e.args) - len(checked))
        spec = BUILTINS.get(e.func)
        if spec is None:
            self.error("E201", f"unknown function `{e.func}`", e.span,
                       did_you_mean(e.func, BUILTINS) or f"functions are: {', '.join(BUILTINS)}")
            return UNKNOWN
        lo, hi, result = spec
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            self.error("E302", f"`{e.func}` takes {want} argument{'s' if hi > 1 else ''}, not {len(args)}", e.span)
            return UNKNOWN
        if e.func in ("max", "min"):
            for a, t in zip(e.args[1:], args[1:]):
                if not compatible(args[0], t):
                    self.error("E301", f"`{e.func}` compares {args[0]} with {t}", a.span)
        if e.func == "truncate":
            if not isinstance(e.args[1], n.Name) or e.args[1].name not in UNIT_WORDS:
                self.error("E406", "truncate's second argument is a unit such as minutes", e.args[1].span)
            return args[0]
        if e.func == "monthly_fee" and len(e.args) == 2:
            self._items([e.args[1]], tables)
        if e.func in ("monthly_fee", "days_in_month", "date_of") and not (is_dateish(args[0]) or args[0] == MONTH):
            self.error("E302", f"`{e.func}` takes a date, not {args[0]}", e.args[0].span)
        if e.func == "months_from":
            for a, t in zip(e.args, args):
                if not (is_dateish(t) or t == MONTH):
                    self.error("E302", f"`months_from` takes dates, not {t}", a.span)
        if e.func == "fees_paid":
            for a, t in zip(e.args, args):
                if not is_dateish(t):
                    self.error("E302", f"`fees_paid` takes dates, not {t}", a.span)
        return args[0] if result == _SAME_AS_FIRST else result

    def _infer_Unary(self, e: n.Unary, scope, tables) -> T:
        t = self.infer(e.operand, scope, tables)
        if e.op == "not":
            if t.kind not in ("bool", "unknown"):
                self.error("E302", f"`not` takes true or false, not {t}", e.span)
            return BOOL
        if t.kind in ("date", "datetime", "text", "bool", "enum", "item", "event"):
            self.error("E302", f"{t} cannot be negated", e.span)
        return t

    def _infer_Binary(self, e: n.Binary, scope, tables) -> T:
        a = self.infer(e.left, scope, tables)
        b = self.infer(e.right, scope, tables)
        if e.op in ("and", "or"):
            for side, t in ((e.left, a), (e.right, b)):
                if t.kind not in ("bool", "unknown", "item"):
                    self.error("E302", f"`{e.op}` joins conditions, not {t}", side.span)
            return a if a.kind == "item" else BOOL
        if UNKNOWN in (a, b):
            return UNKNOWN if e.op in ("+", "-") else (a if b == UNKNOWN else b)
        result = _arith(e.op, a, b)
        if result is None:
            code = "E303" if a.kind == b.kind == "duration" else "E301"
            self.error(code, f"cannot {_VERB[e.op]} {a} and {b}", e.span, _arith_hint(e.op, a, b))
            return UNKNOWN
        if result.kind == "date" and b.kind == "duration" and b.detail == "calendar":
            self._month_convention(e)
        return result

    def _month_convention(self, e) -> None:
        if "month_end" not in self.conventions:
            self.error("W501", "adding months depends on what happens at a month's end, which the contract "
                               "does not declare", e.span,
                       "declare `month_end clamp;` in conventions (Jan 31 + 1 month = the last day of February)")

    def _infer_Compare(self, e: n.Compare, scope, tables) -> T:
        types = [self.infer(o, scope, tables) for o in e.operands]
        for (left, right), node in zip(zip(types, types[1:]), e.operands[1:]):
            if not compatible(left, right):
                code = "E303" if left.kind == right.kind == "duration" else "E301"
                hint = ("a month has no fixed number of days: compare months with months"
                        if code == "E303" else None)
                self.error(code, f"cannot compare {left} with {right}", node.span, hint)
        return BOOL

    def _infer_In(self, e: n.In, scope, tables) -> T:
        self.infer(e.item, scope, tables)
        self.infer(e.collection, scope, tables)
        return BOOL

    def _infer_ListExpr(self, e: n.ListExpr, scope, tables) -> T:
        types = [self.infer(i, scope, tables) for i in e.items]
        return T("list", types[0].kind if types else None)

    def _infer_IfExpr(self, e: n.IfExpr, scope, tables) -> T:
        self._expect(e.cond, "bool", scope, tables, "a condition")
        a = self.infer(e.then, scope, tables)
        b = self.infer(e.otherwise, scope, tables)
        if not compatible(a, b):
            self.error("E301", f"the two branches differ: {a} and {b}", e.span)
        return a

    def _infer_Aggregate(self, e: n.Aggregate, scope, tables) -> T:
        self._event_name(e.var, e.span, tables)
        period = self.infer(e.period, scope, tables)
        if period.kind not in ("month", "unknown"):
            self.error("E302", f"events are gathered over a month, not {period}", e.period.span)
        inner = self._event_scope(scope, e.var, tables)
        if e.where is not None:
            self._expect(e.where, "bool", inner, tables, "a condition")
        if e.kind == "count":
            if e.expr is not None:
                self.infer(e.expr, inner, tables)
            return NUMBER
        if e.expr is None:
            self.error("E404", f"`{e.kind}` needs the value to gather, as in `sum outage.duration for each …`", e.span)
            return UNKNOWN
        return self.infer(e.expr, inner, tables)

    def _infer_Tier(self, e: n.Tier, scope, tables) -> T:
        self.infer(e.subject, scope, tables)
        result = None
        if e.rows and e.rows[-1].cond is not None:
            self.error("W501", "the tiers have no `otherwise` row, so a value that matches none has no result",
                       e.span, "end the tiers with `otherwise: …;`")
        for row in e.rows:
            if row.cond is not None:
                self._expect(row.cond, "bool", scope, tables, "a tier's condition")
            t = self.infer(row.value, scope, tables)
            if result is not None and not compatible(result, t):
                self.error("E301", f"tiers give different kinds of value: {result} and {t}", row.value.span)
            result = result or t
        return result or UNKNOWN

    def _infer_MonthPoint(self, e: n.MonthPoint, scope, tables) -> T:
        t = self.infer(e.base, scope, tables)
        if not (is_dateish(t) or t == MONTH):
            self.error("E302", f"a month is found from a date, not {t}", e.base.span)
        return DATE

    def _infer_Expiry(self, e: n.Expiry, scope, tables) -> T:
        t = self.infer(e.amount, scope, tables)
        if t.kind != "duration":
            self.error("E302", f"a period is a duration such as `3 months`, not {t}", e.amount.span)
        self._expect(e.base, "date", scope, tables, "the start of a period")
        if "periods" not in self.conventions:
            self.error("W501", "a period's expiry depends on the counting rule, which the contract does not declare",
                       e.span, "declare `periods civil_code;` in conventions (民法第140条〜第143条)")
        return DATE

    def _infer_NthBusinessDay(self, e, scope, tables) -> T:
        self._expect(e.base, "date", scope, tables, "the day counting starts")
        return DATE

    def _infer_BusinessDay(self, e, scope, tables) -> T:
        self._expect(e.base, "date", scope, tables, "a business day's reference date")
        return DATE

    def _infer_Extreme(self, e: n.Extreme, scope, tables) -> T:
        for item in e.items:
            self._expect(item, "date", scope, tables, f"`{e.kind} of` compares dates; each")
        return DATE

    def _infer_DaysThrough(self, e, scope, tables) -> T:
        self._expect(e.start, "date", scope, tables, "the first day")
        self._expect(e.end, "date", scope, tables, "the last day")
        return NUMBER


_VERB = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


def _arith(op: str, a: T, b: T) -> T | None:
    """The type of `a op b`, or None when the units do not allow it."""
    dateish = {"date", "datetime", "event"}
    if op in ("+", "-"):
        if a.kind in dateish and b.kind == "duration":
            return DATETIME if a.kind == "datetime" or b.detail == "exact" and a.kind == "event" else DATE
        if op == "-" and a.kind in dateish and b.kind in dateish:
            return EXACT
        if compatible(a, b) and a.kind not in dateish and a.kind not in ("text", "bool", "enum", "item"):
            return a if a.kind != "number" else b
        return None
    if op == "*":
        if b.kind in ("money", "duration", "rate") and a.kind in ("number", "percent", "count"):
            a, b = b, a
        if a.kind in ("money", "duration") and b.kind in ("number", "percent", "count"):
            return a
        if a.kind == "rate" and b.kind in ("count", "number"):
            return MONEY
        if is_numeric(a) and is_numeric(b):
            return a if a.kind != "number" else b
        return None
    if op == "/":
        if a.kind in ("money", "duration", "count") and b.kind in ("number", "percent"):
            return a
        if a.kind == b.kind and a.kind in ("money", "count") or (a.kind == b.kind == "duration" and a.detail == b.detail):
            return NUMBER
        if is_numeric(a) and is_numeric(b):
            return NUMBER
        return None
    return None


def _arith_hint(op: str, a: T, b: T) -> str | None:
    if a.kind == b.kind == "duration":
        return "a month has no fixed number of days: keep months with months and days with days"
    if {a.kind, b.kind} == {"money", "duration"}:
        return "divide the duration by a duration to get a number first, as in `floor(unusable / 24 hours)`"
    return None


_ARTICLE_WORDS = __import__("re").compile(r"条|項|号|別表|別紙|附則|付則|備考|表|章|節|款|規程|規約|約款|仕様")


def _kind_of_name(name: str, tables: Tables) -> str | None:
    """What a name is, when it is not an item (for E208)."""
    if name in tables.events:
        return "an event"
    if name in tables.params:
        return "a parameter"
    if name in tables.enum_cases():
        return "a case of an enumeration"
    if name in tables.units:
        return "a unit"
    return None


def _names_in(e) -> list[n.Name]:
    """The plain names in an item expression such as `www or pack_secure_mx`."""
    if isinstance(e, n.Name):
        return [e]
    if isinstance(e, n.Binary) and e.op in ("or", "and"):
        return _names_in(e.left) + _names_in(e.right)
    if isinstance(e, n.ListExpr):
        return [x for i in e.items for x in _names_in(i)]
    return []


def _decl_name(d) -> str | None:
    if isinstance(d, n.RuleDecl):
        return d.id
    return getattr(d, "name", None)


def check(source: SourceFile, program: n.Program) -> tuple[Model | None, list[Diagnostic]]:
    checker = Checker(source, program)
    model = checker.check()
    return model, checker.diagnostics
