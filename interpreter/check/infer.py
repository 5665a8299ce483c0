"""Expression types: what each expression of a contract evaluates to, checked once, before any customer is run."""
from __future__ import annotations

from interpreter.check.model import Tables
from interpreter.check.scope import Scope
from interpreter.check.types import (
    BOOL,
    DATE,
    DATETIME,
    EXACT,
    MONEY,
    MONTH,
    NUMBER,
    TEXT,
    UNIT_WORDS,
    UNKNOWN,
    T,
    compatible,
    is_dateish,
    is_numeric,
)
from interpreter.diagnostics import did_you_mean
from interpreter.syntax import nodes as n
from interpreter.syntax.retired import RETIRED_FUNCTIONS

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
    "monthly_rate": (1, 2, MONEY),  # the 料金月額 of the items held on a date, billed yet or not
    "days_in_month": (1, 1, NUMBER),
    "months_from": (2, 2, NUMBER),  # calendar months from the month of one date to the month of another
    "date_of": (1, 1, DATE),
    # queries on the customer's timeline as of the start of a day (its events before that day)
    "unpaid": (1, 1, MONEY),  # invoices past their due date and not paid in full
    "owed": (2, 2, MONEY),  # what the invoices still owe, due or not, of what arose by a day
    "unpaid_periods": (1, 1, NUMBER),  # consecutive latest billing periods whose invoices are unpaid past due
    "paid_fees": (2, 2, MONEY),  # payments from one date up to another, less what they paid of late interest
    "occurrences": (3, 3, NUMBER),  # events of a kind from one date through another
    "period_of": (1, 1, MONTH),  # the billing period that holds a day
    # items' lifecycles (docs/language.md, "Items' lifecycles")
    "monthly_billed": (2, 2, MONEY),  # the monthly fees billed for the month of a date, for items and their parts
    "active": (2, 2, BOOL),  # whether an item is held on a date
    "quantity": (2, 2, T("count")),  # an item's quantity in force at the end of a date
    "maximum_quantity": (3, 3, T("count")),  # an item's largest quantity in a period, its first instant included
}
# Functions whose value depends on the customer's timeline, not only on the contract and its parameters.
TIMELINE_FUNCTIONS = frozenset({"monthly_fee", "monthly_rate", "unpaid", "owed", "unpaid_periods", "paid_fees", "occurrences",
                                "monthly_billed", "active", "quantity", "maximum_quantity"})

# Names every contract can use, with their types.
GLOBALS: dict[str, T] = {"contract": T("contract")}
CONTRACT_ATTRS = {"start": DATE, "end": DATE, "formed": DATE, "billing_start": DATE, "term_end": DATE,
                  "version": TEXT}
# An item's lifecycle: each a date of its own (docs/language.md, "Items' lifecycles").
ITEM_ATTRS = {"quantity": T("count"), "ordered": DATE, "accepted": DATE, "start": DATE, "billing_start": DATE,
              "stop_requested": DATE, "end": DATE}
EVENT_ATTRS = {"at": DATETIME, "date": DATE, "until": DATETIME, "duration": EXACT}
# A version of the terms (the base version or an amendment) by its name: the day it took effect, and whether it or
# a later version is in force on the day the expression is evaluated for.
VERSION_ATTRS = {"effective": DATE, "in_force": BOOL}
MONTH_ATTRS = {"start": DATE, "end": DATE, "days": NUMBER, "number": NUMBER}


class CalendarExpressionTypes:
    """The types of the date idioms: month points, Civil Code expiries, clear days before, business days,
    the earlier or later of dates, days through (a mixin of ExpressionTypes)."""

    def _infer_MonthPoint(self, e: n.MonthPoint, scope, tables) -> T:
        t = self.infer(e.base, scope, tables)
        if not (is_dateish(t) or t == MONTH):
            self.error("E302", f"a month is found from a date, not {t}", e.base.span)
        return DATE

    def _infer_Expiry(self, e: n.Expiry, scope, tables) -> T:
        self._period_length(e.amount, scope, tables, "a period")
        self._expect(e.base, "date", scope, tables, "the start of a period")
        if "periods" not in self.conventions:
            self.error("W501", "a period's expiry depends on the counting rule, which the contract does not declare",
                       e.span, "declare `periods civil_code;` in conventions (民法第140条〜第143条)")
        return DATE

    def _infer_ClearBefore(self, e: n.ClearBefore, scope, tables) -> T:
        t = self.infer(e.amount, scope, tables)
        if t.kind != "duration" or e.amount.unit in ("minute", "minutes", "hour", "hours", "分", "時間"):
            self.error("E302", f"clear days are counted in days, weeks, months or years, not {t}", e.amount.span)
        self._expect(e.base, "date", scope, tables, "the day counted back from")
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


class ExpressionTypes(CalendarExpressionTypes):
    """The type of every expression (a mixin of the checker): `infer` dispatches on the node's class."""

    def infer(self, e, scope: Scope, tables: Tables) -> T:
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

    def _infer_Name(self, e: n.Name, scope: Scope, tables) -> T:
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
        table = {"contract": CONTRACT_ATTRS, "month": MONTH_ATTRS, "version": VERSION_ATTRS}.get(obj.kind)
        if table is not None:
            if e.name in table:
                return table[e.name]
            self.error("E206", f"{obj.kind} has no attribute `{e.name}`", e.span,
                       did_you_mean(e.name, table) or f"its attributes are: {', '.join(table)}")
            return UNKNOWN
        if obj.kind == "item":
            if e.name in ITEM_ATTRS:
                return ITEM_ATTRS[e.name]
            return self._ordered_field_type(e, tables)
        self.error("E206", f"a value of type {obj} has no attribute `{e.name}`", e.span)
        return UNKNOWN

    def _ordered_field_type(self, e: n.Attr, tables) -> T:
        """`ITEM.FIELD`: a field of the event that started the item's holding (the domain an option was ordered
        for), typed as the events that declare a field of that name type it, which must agree."""
        types = {}
        for decl in tables.events.values():
            for f in decl.fields:
                if f.name == e.name:
                    types.setdefault(str(self.resolve_type(f.type, tables)), self.resolve_type(f.type, tables))
        if len(types) == 1:
            return next(iter(types.values()))
        if types:
            self.error("E302", f"the events that declare a field `{e.name}` give it different types: "
                       f"{', '.join(sorted(types))}", e.span, "rename the fields so that one name has one type")
            return UNKNOWN
        self.error("E206", f"an item has no attribute `{e.name}`", e.span,
                   did_you_mean(e.name, ITEM_ATTRS) or f"its attributes are: {', '.join(ITEM_ATTRS)}, or a field "
                   "of the event that ordered it")
        return UNKNOWN

    def _infer_NextEvent(self, e: n.NextEvent, scope, tables) -> T:
        if self._event_name(e.event, e.span, tables) is None:
            return UNKNOWN
        if e.where is not None:
            self._expect(e.where, "bool", self._event_scope(scope, e.event, tables), tables, "a condition")
        return T("event", e.event)

    def _infer_Call(self, e: n.Call, scope, tables) -> T:
        # truncate's second argument is a unit word, not a value
        checked = e.args[:1] if e.func == "truncate" else e.args
        args = [self.infer(a, scope, tables) for a in checked] + [UNKNOWN] * (len(e.args) - len(checked))
        spec = BUILTINS.get(e.func)
        if spec is None and e.func in RETIRED_FUNCTIONS:
            self.error("E109", f"`{e.func}` is no longer part of the language", e.span, RETIRED_FUNCTIONS[e.func])
            return UNKNOWN
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
        if e.func in ("monthly_fee", "monthly_rate", "monthly_billed") and len(e.args) == 2:
            self._items([e.args[1]], tables)
        if e.excluding:
            _check_excluding(e, tables, self.error)
        if e.func in ("monthly_fee", "monthly_rate", "monthly_billed", "days_in_month", "date_of", "period_of") and not (
                is_dateish(args[0]) or args[0] == MONTH):
            self.error("E302", f"`{e.func}` takes a date, not {args[0]}", e.args[0].span)
        if e.func in ("active", "quantity", "maximum_quantity"):
            # the item first (for `active`, also the contract), then the day (or the first and last days)
            if args[0].kind not in ("item", "unknown") and not (e.func == "active" and args[0].kind == "contract"):
                self.error("E302", f"`{e.func}` takes an item first, not {args[0]}", e.args[0].span)
            for a, t in zip(e.args[1:], args[1:]):
                if not (is_dateish(t) or t.kind == "unknown"):
                    self.error("E302", f"`{e.func}` takes dates after the item, not {t}", a.span)
        if e.func == "months_from":
            for a, t in zip(e.args, args):
                if not (is_dateish(t) or t == MONTH):
                    self.error("E302", f"`months_from` takes dates, not {t}", a.span)
        if e.func == "occurrences":
            if not (isinstance(e.args[0], n.Name) and e.args[0].name in tables.events):
                self.error("E302", "`occurrences` counts events: its first argument is the name of an event",
                           e.args[0].span, did_you_mean(getattr(e.args[0], "name", ""), tables.events))
            dates = list(zip(e.args[1:], args[1:]))
        else:
            dates = list(zip(e.args, args)) if e.func in ("paid_fees", "unpaid", "owed", "unpaid_periods") else []
        for a, t in dates:
            if not is_dateish(t):
                self.error("E302", f"`{e.func}` takes dates, not {t}", a.span)
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
        subject = self.infer(e.subject, scope, tables)
        if e.graduated:
            return self._infer_graduated(e, subject, scope, tables)
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

    def _infer_graduated(self, e: n.Tier, subject: T, scope, tables) -> T:
        """A graduated tier: rows are upper bounds of the subject (`<= 1,000 MB: 10 yen;`), then `otherwise`."""
        result = None
        if e.rows and e.rows[-1].cond is not None:
            self.error("W501", "the graduated tier has no `otherwise` row, so what lies above its last bound has no "
                       "rate", e.span, "end the tiers with `otherwise: …;` (`otherwise: 0 yen;` if nothing is charged)")
        for row in e.rows:
            bound = row.cond is None or (isinstance(row.cond, n.Compare) and row.cond.operands[0] is e.subject
                                         and row.cond.ops[0] in ("<", "<="))
            if not bound:
                self.error("E406", "a graduated tier's rows are upper bounds of its subject", row.cond.span,
                           "write each row as `<= 1,000 MB: 10 yen;` and end with `otherwise: …;`")
            elif row.cond is not None:
                self.infer(row.cond, scope, tables)
            t = self.infer(row.value, scope, tables)
            if not (is_numeric(t) or t.kind == "money"):
                self.error("E302", f"a graduated tier's rate must be a number or money, not {t}", row.value.span)
            result = result or t
        if subject.kind not in ("count", "number", "money", "unknown") and subject.kind != "duration":
            self.error("E302", f"a graduated tier divides a quantity into bands, not {subject}", e.subject.span)
        return result or UNKNOWN


_VERB = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}


def _check_excluding(e: n.Call, tables: Tables, error) -> None:
    """`monthly_fee(d, ITEMS, excluding RULE, …)`: each RULE is a rule of the terms with a monthly fee to leave out."""
    if e.func != "monthly_fee":
        error("E302", f"`{e.func}` takes no `excluding`", e.span, "only `monthly_fee` leaves out the fees of rules")
        return
    for rule_id in e.excluding:
        rule = tables.rules.get(rule_id)
        if rule is None:
            error("E201", f"unknown rule `{rule_id}`", e.span,
                  did_you_mean(rule_id, tables.rules) or f"rules are: {', '.join(tables.rules)}")
        elif not any(isinstance(s, n.Fee) and s.kind == "monthly" for s in rule.statements):
            error("E208", f"rule `{rule_id}` has no monthly fee for `monthly_fee` to leave out", e.span,
                  "name the rule whose `monthly fee` (a discount, for example) the amount is read without")


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
