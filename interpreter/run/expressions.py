"""Evaluating yakkan expressions over values: money and numbers as Decimal, durations, dates, events.

Values are plain Python objects wrapped in `Value`, which remembers the unit so arithmetic stays exact
and explainable: money and numbers are Decimal (never float), a percentage keeps its written number
(10 for 10%), an exact duration counts minutes, a calendar duration counts months.
`show` renders an expression with the values it used substituted, for `yakkan explain`.
"""
from __future__ import annotations

import decimal
import operator
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Callable, Mapping

from interpreter import records

from interpreter.check.types import PERIOD_WORDS, UNIT_WORDS
from interpreter.run.decimal_texts import kept_texts
from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.limits import MAX_MAGNITUDE_DIGITS
from interpreter.time.billing_periods import Period
from interpreter.time.calendar import BusinessCalendar, HolidaysUnknown
from interpreter.time.periods import DateOutOfRange
from interpreter.time.timestamps import JST

MINUTES_PER_DAY = Decimal(1440)


class EvalError(Exception):
    """An expression cannot be evaluated for these events (a value is missing, a date does not exist).
    `code` is E406, or E611 when a value leaves the bounds of interpreter.limits."""

    def __init__(self, message: str, node=None, code: str = "E406"):
        super().__init__(message)
        self.node = node
        self.code = code

    @classmethod
    def beyond(cls, exc: Exception, node=None) -> "EvalError":
        """The error for a computation that left the bounds of interpreter.limits."""
        if isinstance(exc, (DateOutOfRange, HolidaysUnknown)):
            message = str(exc)
        elif isinstance(exc, decimal.Overflow):
            message = f"a value reaches 10^{MAX_MAGNITUDE_DIGITS}, beyond any amount, count or duration supported"
        elif isinstance(exc, decimal.DecimalException):
            message = "a computation has no defined result (such as 0 ÷ 0)"
        else:  # OverflowError: the date types' own limits
            message = "the date falls outside 0001-01-01..9999-12-31, the dates that can be written"
        return cls(message, node, "E611")


# What leaves the bounds of interpreter.limits: an expression that raises one of these is an E611 where it is
# written; a statement that does, where the statement is (interpreter.run.evaluate.run).
BEYOND_LIMITS = (OverflowError, DateOutOfRange, HolidaysUnknown, decimal.DecimalException)


@records.frozen
class Value:
    kind: str  # money number percent count date datetime exact calendar bool text item enum list month event absent
    value: Any
    unit: str | None = None  # for counts: the unit name

    def __str__(self) -> str:
        return format_value(self)


ABSENT = Value("absent", None)


@records.frozen
class Month:
    year: int
    month: int
    # derived once: months are asked for their first and last days over and over
    start: date = records.field(init=False, eq=False, repr=False)
    end: date = records.field(init=False, eq=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", date(self.year, self.month, 1))
        object.__setattr__(self, "end", date(self.year, self.month, periods.days_in_month(self.year, self.month)))

    @property
    def days(self) -> int:
        return self.end.day

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@records.define
class Env:
    names: Mapping[str, Any]
    calendar: BusinessCalendar
    conventions: dict[str, tuple[str, ...]] = records.field(factory=dict)
    functions: dict[str, Callable[..., Value]] = records.field(factory=dict)
    # (event name, month, where-callback) -> events in that month; supplied by the evaluator
    events_in: Callable[[str, Month], list] | None = None
    attribute: Callable[[Value, str], Value] | None = None

    def child(self, names: dict[str, Any]) -> "Env":
        # one merged dict, the new names over the others: built in one copy, and read by each name the expression
        # uses at a dict's cost (a ChainMap's lookup runs in Python, several times slower)
        return Env({**self.names, **names}, self.calendar, self.conventions, self.functions, self.events_in,
                   self.attribute)


def wrap(obj: Any) -> Value:
    """Python values from the environment as Values."""
    if isinstance(obj, Value):
        return obj
    if isinstance(obj, bool):
        return Value("bool", obj)
    if isinstance(obj, datetime):
        return Value("datetime", obj)
    if isinstance(obj, date):
        return Value("date", obj)
    if isinstance(obj, (Month, Period)):
        return Value("month", obj)
    if isinstance(obj, (int, Decimal)):
        return Value("number", Decimal(obj))
    if isinstance(obj, str):
        return Value("text", obj)
    if obj is None:
        return ABSENT
    raise TypeError(f"cannot use {obj!r} as a value")


def minutes_between(later: datetime, earlier: datetime) -> Decimal:
    """An exact duration in minutes, seconds kept as a fraction, computed in integers (never a float)."""
    delta = later - earlier
    return Decimal(delta.days * 86400 + delta.seconds) / 60


def as_date(v: Value, node=None) -> date:
    if v.kind == "date":
        return v.value
    if v.kind == "datetime":
        return v.value.astimezone(JST).date()
    if v.kind == "month":
        return v.value.start
    if v.kind == "event":  # an event stands for the day it happened
        return v.value.date
    if v.kind == "absent":
        raise EvalError("that date is not known yet: the event it depends on has not happened", node)
    raise EvalError(f"expected a date, got {format_value(v)}", node)


def as_instant(v: Value, node=None) -> datetime:
    if v.kind == "datetime":
        return v.value
    if v.kind == "event":
        return v.value.instant
    return datetime.combine(as_date(v, node), time(0), JST)


def _num(v: Value, node=None) -> Decimal:
    if v.kind in ("money", "number", "count"):
        return v.value
    if v.kind == "percent":
        return v.value / 100
    if v.kind == "absent":
        raise EvalError("a value this needs is not known yet", node)
    raise EvalError(f"expected a number, got {format_value(v)}", node)


# ------------------------------------------------------------------ formatting


def _format_decimal(d: Decimal, places: int | None = None) -> str:
    """A figure as explanations show it: thousands separated, at most six places (more cut with …)."""
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    text = format(d.normalize(), "f")
    whole, frac = text.split(".")
    if len(frac) > 6:
        frac = frac[:6] + "…"
    return f"{int(whole):,}.{frac}" if whole not in ("-0",) else f"-0.{frac}"


format_decimal = kept_texts(_format_decimal)  # (interpreter/run/decimal_texts.py)


def format_value(v: Value) -> str:
    k = v.kind
    if k == "money":
        return f"{format_decimal(v.value)} yen"
    if k == "percent":
        return f"{format_decimal(v.value)}%"
    if k in ("number",):
        return format_decimal(v.value)
    if k == "count":
        return f"{format_decimal(v.value)}{(' ' + v.unit) if v.unit else ''}"
    if k == "exact":
        minutes = v.value
        for size, word in ((MINUTES_PER_DAY, "day"), (Decimal(60), "hour"), (Decimal(1), "minute")):
            if minutes % size == 0 and (minutes or size == 1):
                count = minutes / size
                return f"{format_decimal(count)} {word}{'' if count == 1 else 's'}"
        seconds = minutes * 60
        if minutes < 1 and seconds == seconds.to_integral_value():  # a call of 31 s, not 0.516666… minutes
            return f"{format_decimal(seconds)} second{'' if seconds == 1 else 's'}"
        return f"{format_decimal(minutes)} minutes"
    if k == "calendar":
        return f"{format_decimal(v.value)} months"
    if k == "date":
        return v.value.isoformat()
    if k == "datetime":
        return v.value.astimezone(JST).strftime("%Y-%m-%dT%H:%M")
    if k == "absent":
        return "(none)"
    if k == "list":
        return "[" + ", ".join(format_value(x) for x in v.value) + "]"
    if k == "event":
        return f"{v.value.name}#{v.value.index}"
    return str(v.value)


# ------------------------------------------------------------------ evaluation


# Each node is evaluated by a function of the environment alone, built once for the node (`_BUILD`): it holds
# what the node says (its operator, its operands' own functions, a literal's value), so evaluating it looks up
# neither its kind nor its operands (the kinds of node still written as a function of the node and the environment,
# `_node_function`, read their operands through `evaluate`). Kept by the node's id together with the node, so that
# the id cannot be taken by another node while it is kept: the functions depend on nothing but the node, and nodes
# are never changed. Emptied when full, to bound its memory in a process that loads contract after contract (a
# parent's function keeps its operands' functions, so it goes on working).
_COMPILED: dict[int, tuple[Any, Callable[[Env], Value]]] = {}
_COMPILED_MOST = 100_000

TRUE = Value("bool", True)
FALSE = Value("bool", False)


def evaluate(e, env: Env) -> Value:
    found = _COMPILED.get(id(e))
    return (found[1] if found is not None else _compiled(e))(env)


def _compiled(e) -> Callable[[Env], Value]:
    """The function that evaluates node e. Each function turns what leaves the bounds of interpreter.limits
    in its own node's computation into an EvalError there: the innermost expression that failed is the place
    to show."""
    found = _COMPILED.get(id(e))
    if found is not None:
        return found[1]
    function = _BUILD[type(e)](e)
    if len(_COMPILED) >= _COMPILED_MOST:
        _COMPILED.clear()
    _COMPILED[id(e)] = (e, function)
    return function


def _node_function(meaning: Callable[[Any, Env], Value]) -> Callable[[Any], Callable[[Env], Value]]:
    """The builder for a kind of node whose meaning is written as a function of the node and the environment."""
    def build(e):
        def evaluate_node(env: Env) -> Value:
            try:
                return meaning(e, env)
            except BEYOND_LIMITS as exc:
                raise EvalError.beyond(exc, e) from None
        return evaluate_node
    return build


def _literal(value: Value) -> Callable[[Env], Value]:
    return lambda env: value


def _quantity(e: n.Num) -> Callable[[Env], Value]:
    if e.unit is None:
        return _literal(Value("number", e.value))
    if e.unit in UNIT_WORDS:
        typ, factor = UNIT_WORDS[e.unit]
        if typ.kind == "duration":  # multiplied in the decimal context of the evaluation
            kind, amount = typ.detail, e.value

            def duration(env: Env) -> Value:
                try:
                    return Value(kind, amount * factor)
                except BEYOND_LIMITS as exc:
                    raise EvalError.beyond(exc, e) from None
            return duration
        return _literal(Value(typ.kind, e.value))
    return _literal(Value("count", e.value, e.unit))


def _next_event(e: n.NextEvent, env: Env) -> Value:
    """The event's first occurrence at or after the event being processed (with `where`, the first for which the
    condition holds; `backward`, the latest at or before it); outside one, its first occurrence."""
    find = env.functions.get("next")
    if e.where is None:
        return find(e.event) if find is not None else wrap(env.names.get(e.event, ABSENT))
    if find is None:
        raise EvalError(f"`{'last' if e.backward else 'next'} {e.event} where …` is asked from an event", e)
    return find(e.event, lambda candidate: truthy(evaluate(e.where, env.child({e.event: candidate})), e.where),
                e.backward)


def _name(e: n.Name) -> Callable[[Env], Value]:
    name = e.name

    def name_value(env: Env) -> Value:
        try:
            found = env.names[name]
        except KeyError:
            raise EvalError(f"`{name}` has no value here", e) from None
        return found if type(found) is Value else wrap(found)
    return name_value


def _attr(e: n.Attr) -> Callable[[Env], Value]:
    of, name = _compiled(e.obj), e.name

    def attribute(env: Env) -> Value:
        obj = of(env)
        try:
            if obj.kind == "event" and env.attribute is not None:
                # an event's own field, as the evaluator's attributes give it (run/environment.py), without the call
                found = obj.value.fields.get(name)
                if found is not None:
                    return found
            if obj.kind == "month":
                m = obj.value  # a calendar month or a billing period
                number = getattr(m, "number", None)
                return wrap({"start": m.start, "end": m.end, "days": Decimal(m.days),
                             "number": Decimal(number) if number is not None else None}[name])
            if obj.kind == "absent":
                return ABSENT
            if env.attribute is None:
                raise EvalError(f"`{name}` is not known here", e)
            return env.attribute(obj, name)
        except BEYOND_LIMITS as exc:
            raise EvalError.beyond(exc, e) from None
    return attribute


def _round(value: Decimal, mode) -> Decimal:
    return value.to_integral_value(rounding=mode)


def _call(e: n.Call, env: Env) -> Value:
    if e.func == "truncate":
        v = evaluate(e.args[0], env)
        unit = e.args[1].name
        typ, factor = UNIT_WORDS[unit]
        whole = (v.value / factor).to_integral_value(rounding=ROUND_DOWN) * factor
        return Value(v.kind, whole, v.unit)
    if e.func == "occurrences":  # its first argument names a kind of event, it is not evaluated
        fn = env.functions.get(e.func)
        if fn is None:
            raise EvalError("`occurrences` depends on the customer's events", e)
        return fn(e.args[0].name, *(evaluate(a, env) for a in e.args[1:]))
    args = [evaluate(a, env) for a in e.args]
    if e.func in ("floor", "ceil", "round"):
        mode = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "round": ROUND_HALF_UP}[e.func]
        v = args[0]
        return Value(v.kind, _round(v.value, mode), v.unit)
    if e.func in ("max", "min"):
        present = [a for a in args if a.kind != "absent"]
        if not present:
            return ABSENT
        pick = max if e.func == "max" else min
        return pick(present, key=lambda a: _order_key(a))
    if e.func == "months_from":
        (y1, m1), (y2, m2) = _ym(args[0]), _ym(args[1])
        return Value("number", Decimal((y2 * 12 + m2) - (y1 * 12 + m1)))
    if e.func == "days_in_month":
        return Value("number", Decimal(periods.days_in_month(*_ym(args[0]))))
    if e.func == "date_of":
        return Value("date", as_date(args[0], e))
    fn = env.functions.get(e.func)
    if fn is None:
        raise EvalError(f"`{e.func}` depends on the customer's events", e)
    if e.excluding:  # only `monthly_fee` takes it (the checker sees to that)
        return fn(*args, excluding=frozenset(e.excluding))
    return fn(*args)


def _ym(v: Value) -> tuple[int, int]:
    if v.kind == "month":
        return v.value.year, v.value.month
    d = as_date(v)
    return d.year, d.month


def _order_key(v: Value):
    if v.kind in ("date", "datetime", "month"):
        return as_instant(v)
    return v.value


def _neg(v: Value, node) -> Value:
    if v.kind in ("money", "number", "percent", "count", "exact", "calendar"):
        return Value(v.kind, -v.value, v.unit)
    raise EvalError(f"cannot negate {format_value(v)}", node)


def _unary(e: n.Unary) -> Callable[[Env], Value]:
    operand = _compiled(e.operand)
    if e.op == "not":
        return lambda env: FALSE if truthy(operand(env), e) else TRUE

    def negation(env: Env) -> Value:
        v = operand(env)
        try:
            return _neg(v, e)
        except BEYOND_LIMITS as exc:
            raise EvalError.beyond(exc, e) from None
    return negation


def truthy(v: Value, node=None) -> bool:
    if v.kind == "bool":
        return v.value
    if v.kind == "absent":
        return False
    raise EvalError(f"expected true or false, got {format_value(v)}", node)


def _add_duration(base: Value, dur: Value, sign: int, env: Env, node) -> Value:
    if dur.kind == "calendar":
        months = dur.value * sign
        if months != months.to_integral_value():
            raise EvalError("a fraction of a month cannot be added to a date", node)
        d = periods.add_months(as_date(base, node), int(months))
        if base.kind == "datetime":
            return Value("datetime", datetime.combine(d, base.value.astimezone(JST).timetz()))
        return Value("date", d)
    # minutes to whole microseconds, the resolution of the date-time type (no float on the way)
    microseconds = int(dur.value * 60_000_000) * sign
    if base.kind == "datetime":
        return Value("datetime", base.value + timedelta(microseconds=microseconds))
    whole_days = dur.value / MINUTES_PER_DAY
    if whole_days == whole_days.to_integral_value():
        # made of the days, not of the microseconds (the slower conversion): the same step, and the same
        # OverflowError beyond the type's 999,999,999 days, raised before the date is read as before
        days = timedelta(days=int(whole_days) * sign)
        return Value("date", as_date(base, node) + days)
    delta = timedelta(microseconds=microseconds)
    return Value("datetime", as_instant(base, node) + delta)


_UNITFUL = ("money", "exact", "calendar", "count")


def _binary(e: n.Binary) -> Callable[[Env], Value]:
    left, right = _compiled(e.left), _compiled(e.right)
    if e.op in ("and", "or"):
        decides = e.op == "or"  # the left operand's value that decides without the right: true for `or`

        def logical(env: Env) -> Value:
            if truthy(left(env), e.left) == decides:
                return TRUE if decides else FALSE
            return TRUE if truthy(right(env), e.right) else FALSE
        return logical

    def binary(env: Env) -> Value:
        a = left(env)
        b = right(env)
        try:
            return _arithmetic(e, a, b, env)
        except BEYOND_LIMITS as exc:
            raise EvalError.beyond(exc, e) from None
    return binary


def _arithmetic(e: n.Binary, a: Value, b: Value, env: Env) -> Value:
    """`a OP b` for the operator of e other than `and` and `or`."""
    if "absent" in (a.kind, b.kind):
        raise EvalError("a value this needs is not known yet", e)
    # A plain zero (the sum of no events) takes the unit of the other side: 0 minutes, 0 yen.
    if e.op in ("+", "-", "/") and a.kind == "number" and a.value == 0 and b.kind in _UNITFUL:
        a = Value(b.kind, Decimal(0), b.unit)
    if e.op in ("+", "-") and b.kind == "number" and b.value == 0 and a.kind in _UNITFUL:
        b = Value(a.kind, Decimal(0), a.unit)
    dateish = ("date", "datetime", "event")
    if a.kind == "event":
        a = Value("datetime", a.value.instant) if a.value.instant.time() != time(0) else Value("date", a.value.date)
    if e.op in ("+", "-"):
        sign = 1 if e.op == "+" else -1
        if a.kind in dateish and b.kind in ("exact", "calendar"):
            return _add_duration(a, b, sign, env, e)
        if e.op == "-" and a.kind in dateish and b.kind in dateish:
            return Value("exact", minutes_between(as_instant(a), as_instant(b)))
        kind = a.kind if a.kind != "number" else b.kind
        return Value(kind, a.value + sign * b.value, a.unit or b.unit)
    if e.op == "*":
        if a.kind in ("number", "percent", "count") and b.kind in ("money", "exact", "calendar"):
            a, b = b, a
        if a.kind in ("money", "exact", "calendar"):
            return Value(a.kind, a.value * _num(b, e))
        if a.kind == "percent" and b.kind == "percent":
            return Value("percent", a.value * b.value / 100)
        kind = a.kind if a.kind != "number" else b.kind
        return Value(kind, a.value * b.value, a.unit or b.unit)
    if e.op == "/":
        if b.value == 0:
            raise EvalError("division by zero", e)
        if a.kind == b.kind and a.kind in ("money", "exact", "calendar", "count"):
            return Value("number", a.value / b.value)
        if a.kind in ("money", "exact", "calendar", "count"):
            return Value(a.kind, a.value / _num(b, e), a.unit)
        if a.kind == "percent" and b.kind in ("number",):
            return Value("percent", a.value / b.value)
        return Value("number", _num(a, e) / _num(b, e))
    raise EvalError(f"unknown operator {e.op}", e)


def compare_values(a: Value, op: str, b: Value, node=None) -> bool:
    if "absent" in (a.kind, b.kind):
        return False
    if a.kind in ("date", "datetime", "month", "event") or b.kind in ("date", "datetime", "month", "event"):
        if a.kind == "date" and b.kind == "date":
            x, y = a.value, b.value
        elif a.kind == "event" and b.kind == "event":  # two events at one instant: the timeline's order
            x, y = (a.value.instant, a.value.index), (b.value.instant, b.value.index)
        else:
            x, y = as_instant(a, node), as_instant(b, node)
    elif a.kind in ("text", "item", "enum", "bool") or b.kind in ("text", "item", "enum", "bool"):
        x, y = a.value, b.value
        if op not in ("==", "!="):
            raise EvalError(f"{format_value(a)} and {format_value(b)} have no order", node)
    elif a.kind == "percent" and b.kind == "percent":
        x, y = a.value, b.value
    elif a.kind in ("exact", "calendar") and b.kind == a.kind:
        x, y = a.value, b.value
    else:
        x, y = _num(a, node), _num(b, node)
    return _COMPARISONS[op](x, y)


_COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
                ">=": operator.ge}


def _compare(e: n.Compare) -> Callable[[Env], Value]:
    if len(e.ops) == 1:  # `a < b`, nearly every comparison written: no chain to walk
        first, op, second = _compiled(e.operands[0]), e.ops[0], _compiled(e.operands[1])

        def comparison(env: Env) -> Value:
            a = first(env)
            b = second(env)
            try:
                return TRUE if compare_values(a, op, b, e) else FALSE
            except BEYOND_LIMITS as exc:
                raise EvalError.beyond(exc, e) from None
        return comparison
    operands = [_compiled(o) for o in e.operands]

    def chain(env: Env) -> Value:
        values = [operand(env) for operand in operands]
        try:
            for (a, b), op in zip(zip(values, values[1:]), e.ops):
                if not compare_values(a, op, b, e):
                    return FALSE
            return TRUE
        except BEYOND_LIMITS as exc:
            raise EvalError.beyond(exc, e) from None
    return chain


def _in(e: n.In) -> Callable[[Env], Value]:
    item_of, collection_of = _compiled(e.item), _compiled(e.collection)

    def membership(env: Env) -> Value:
        item = item_of(env)
        coll = collection_of(env)
        try:
            members = coll.value if coll.kind == "list" else (coll,)
            found = any(m.value == item.value for m in members)
            return TRUE if found != e.negated else FALSE
        except BEYOND_LIMITS as exc:
            raise EvalError.beyond(exc, e) from None
    return membership


def _list(e: n.ListExpr) -> Callable[[Env], Value]:
    items = [_compiled(i) for i in e.items]
    return lambda env: Value("list", tuple([item(env) for item in items]))


def _if(e: n.IfExpr) -> Callable[[Env], Value]:
    condition, then, otherwise = _compiled(e.cond), _compiled(e.then), _compiled(e.otherwise)
    return lambda env: then(env) if truthy(condition(env), e.cond) else otherwise(env)


def _aggregate(e: n.Aggregate, env: Env) -> Value:
    if env.events_in is None:
        raise EvalError("gathering events needs a customer's timeline", e)
    period = evaluate(e.period, env)
    if period.kind != "month":
        raise EvalError("events are gathered over a month", e)
    values: list[Value] = []
    count = 0
    for event in env.events_in(e.var, period.value):
        inner = env.child({e.var: event})
        if e.where is not None and not truthy(evaluate(e.where, inner), e.where):
            continue
        count += 1
        if e.expr is not None:
            values.append(evaluate(e.expr, inner))
    if e.kind == "count":
        return Value("number", Decimal(count))
    if not values:
        zero_kind = {"sum": None}.get(e.kind)
        return Value("number", Decimal(0)) if zero_kind is None and e.kind == "sum" else ABSENT
    if e.kind == "sum":
        total = values[0]
        for v in values[1:]:
            total = Value(total.kind, total.value + v.value, total.unit)
        return total
    pick = max if e.kind == "maximum" else min
    return pick(values, key=_order_key)


def graduated_bands(e: n.Tier, env: Env) -> list[tuple[Decimal, Value]]:
    """(the part of the subject in each band, the band's rate), for the bands the subject reaches."""
    amount = evaluate(e.subject, env).value
    lower = Decimal(0)
    bands = []
    for row in e.rows:
        upper = evaluate(row.cond.operands[1], env).value if row.cond is not None else None
        if upper is not None and upper < lower:
            raise EvalError("a graduated tier's bounds must rise", row.cond)
        part = (amount if upper is None else min(amount, upper)) - lower
        if part > 0:
            bands.append((part, evaluate(row.value, env)))
        if upper is None or amount <= upper:
            break
        lower = upper
    return bands


def _graduated(e: n.Tier, env: Env) -> Value:
    bands = graduated_bands(e, env)
    kind = bands[0][1].kind if bands else "number"
    return Value(kind, sum((part * _num(rate, e) for part, rate in bands), Decimal(0)))


def _tier(e: n.Tier, env: Env) -> Value:
    if e.graduated:
        return _graduated(e, env)
    for row in e.rows:
        if row.cond is None or truthy(evaluate(row.cond, env), row.cond):
            return evaluate(row.value, env)
    raise EvalError("no tier matches and there is no `otherwise`", e)


def tier_row_taken(e: n.Tier, env: Env) -> n.TierRow | None:
    for row in e.rows:
        if row.cond is None or truthy(evaluate(row.cond, env), row.cond):
            return row
    return None


def _month_base(v: Value, node) -> date:
    if v.kind == "month":
        return v.value.start
    return as_date(v, node)


def _month_point(e: n.MonthPoint, env: Env) -> Value:
    v = evaluate(e.base, env)
    if v.kind == "absent":
        return ABSENT  # a date computed from an event that has not happened does not exist yet
    base = _month_base(v, e)
    first = periods.shift_month(base, e.offset)
    if e.which == "start":
        return Value("date", first)
    if e.which == "end":
        return Value("date", periods.end_of_month(first))
    return Value("date", periods.day_of_month(first, e.day))


def calendar_period(amount: n.Num, node=None) -> tuple[int, str]:
    """A period literal such as `3 months` as (3, "months") for the Civil Code helpers: a whole number of
    days, weeks, months or years."""
    unit = PERIOD_WORDS.get(amount.unit)
    if unit is None or amount.value != amount.value.to_integral_value():
        raise EvalError("a period is a whole number of days, weeks, months or years", node or amount)
    return int(amount.value), unit


def _clear_before(e: n.ClearBefore, env: Env) -> Value:
    count, unit = calendar_period(e.amount, e)
    base = evaluate(e.base, env)
    if base.kind == "absent":
        return ABSENT
    d = as_date(base, e)
    if unit in ("months", "years"):
        start = periods.add_months(d, -count * (12 if unit == "years" else 1))
    else:
        start = d - timedelta(days=count * (7 if unit == "weeks" else 1))
    return Value("date", start - timedelta(days=1))


def _expiry(e: n.Expiry, env: Env) -> Value:
    count, unit = calendar_period(e.amount, e)
    base = evaluate(e.base, env)
    if base.kind == "absent":
        return ABSENT
    start = as_date(base, e)
    counts = e.first_day_counts
    if not counts and base.kind == "datetime" and base.value.astimezone(JST).time() == time(0):
        counts = True  # 民法第140条ただし書: a period that starts at midnight counts its first day
    return Value("date", periods.civil_expiry(start, count, unit, first_day_counts=counts))


def _nth_business_day(e: n.NthBusinessDay, env: Env) -> Value:
    v = evaluate(e.base, env)
    if v.kind == "absent":
        return ABSENT
    start = as_date(v, e)
    return Value("date", env.calendar.nth_business_day(start, e.n))


def _business_day(e: n.BusinessDay, env: Env) -> Value:
    v = evaluate(e.base, env)
    if v.kind == "absent":
        return ABSENT
    d = as_date(v, e)
    return Value("date", env.calendar.on_or_before(d) if e.direction == "before" else env.calendar.on_or_after(d))


def _extreme(e: n.Extreme, env: Env) -> Value:
    values = [evaluate(i, env) for i in e.items]
    present = [v for v in values if v.kind != "absent"]
    if not present:
        return ABSENT
    pick = max if e.kind == "later" else min
    chosen = pick(present, key=lambda v: as_instant(v, e))
    return Value("date", as_date(chosen)) if chosen.kind == "datetime" and all(
        v.kind == "date" for v in present if v is not chosen) else chosen


def _days_through(e: n.DaysThrough, env: Env) -> Value:
    start = as_date(evaluate(e.start, env), e)
    end = as_date(evaluate(e.end, env), e)
    return Value("number", Decimal(max(0, (end - start).days + 1)))


# The function that evaluates a node, by the node's type, from the node (see _compiled).
_BUILD: dict[type, Callable[[Any], Callable[[Env], Value]]] = {
    n.Num: _quantity,
    n.Str: lambda e: _literal(Value("text", e.value)),
    n.DateLit: lambda e: _literal(Value("date", e.value)),
    n.DateTimeLit: lambda e: _literal(Value("datetime", e.value)),
    n.Bool: lambda e: _literal(TRUE if e.value else FALSE),
    n.Name: _name,
    n.NextEvent: _node_function(_next_event),
    n.Attr: _attr,
    n.Call: _node_function(_call),
    n.Unary: _unary,
    n.Binary: _binary,
    n.Compare: _compare,
    n.In: _in,
    n.ListExpr: _list,
    n.IfExpr: _if,
    n.Aggregate: _node_function(_aggregate),
    n.Tier: _node_function(_tier),
    n.MonthPoint: _node_function(_month_point),
    n.Expiry: _node_function(_expiry),
    n.ClearBefore: _node_function(_clear_before),
    n.NthBusinessDay: _node_function(_nth_business_day),
    n.BusinessDay: _node_function(_business_day),
    n.Extreme: _node_function(_extreme),
    n.DaysThrough: _node_function(_days_through),
}
