"""Parse tree -> AST for expressions and date forms (a mixin of the builder)."""
from __future__ import annotations

from datetime import date, datetime

from interpreter.syntax.tokens import Token, with_meta

from interpreter.limits import MAX_BUSINESS_DAYS
from interpreter.syntax import nodes as n
from interpreter.syntax.source import Span
from interpreter.syntax.eras import normalize_digits
from interpreter.time.timestamps import parse_instant


class ExpressionSyntax:
    """Builds expression nodes: literals, names, operators, aggregates, tiers and date forms."""

    @with_meta
    def quantity(self, meta, children):
        unit = str(children[1]) if len(children) > 1 else None
        if unit == "％":
            unit = "%"
        return n.Num(self._number(children[0]), unit, span=self._span(meta))

    @with_meta
    def atom(self, meta, children):
        if isinstance(children[0], date):  # a date literal inside an expression
            return n.DateLit(children[0], span=self._span(meta))
        return children[0]

    @with_meta
    def string(self, meta, children):
        return n.Str(self._text(children[0]), span=self._span(meta))

    def text(self, children):  # only reached when the rule is not inlined
        return self._text(children[0])

    @with_meta
    def datetime(self, meta, children):
        try:
            value = parse_instant(normalize_digits(str(children[0])))
        except ValueError as exc:
            self._error("E107", f"`{children[0]}` is not a date-time: {str(exc).rstrip('.')}", self._tspan(children[0]))
            value = datetime(1, 1, 1)
        return n.DateTimeLit(value, span=self._span(meta))

    @with_meta
    def name(self, meta, children):
        return n.Name(str(children[0]), span=self._span(meta))

    @with_meta
    def next_event(self, meta, children):
        where = children[1] if len(children) > 1 else None
        return n.NextEvent(str(children[0]), where, span=self._span(meta))

    @with_meta
    def last_event(self, meta, children):
        return n.NextEvent(str(children[0]), children[1], backward=True, span=self._span(meta))

    @with_meta
    def call(self, meta, children):
        return n.Call(str(children[0]), tuple(children[1:]), span=self._span(meta))

    @with_meta
    def call_excluding(self, meta, children):
        rule_ids = tuple(str(c) for c in children[1:] if isinstance(c, Token) and c.type == "RULE_ID")
        args = tuple(c for c in children[1:] if not (isinstance(c, Token) and c.type == "RULE_ID"))
        return n.Call(str(children[0]), args, span=self._span(meta), excluding=rule_ids)

    def paren(self, children):
        return children[0]

    @with_meta
    def list_(self, meta, children):
        return n.ListExpr(tuple(children), span=self._span(meta))

    @with_meta
    def true(self, meta, children):
        return n.Bool(True, span=self._span(meta))

    @with_meta
    def false(self, meta, children):
        return n.Bool(False, span=self._span(meta))

    @with_meta
    def attribute(self, meta, children):
        return n.Attr(children[0], str(children[1]), span=self._span(meta))

    @with_meta
    def neg(self, meta, children):
        return n.Unary("-", children[0], span=self._span(meta))

    @with_meta
    def not_(self, meta, children):
        return n.Unary("not", children[0], span=self._span(meta))

    @with_meta
    def binary(self, meta, children):
        op = {"×": "*", "÷": "/"}.get(str(children[1]), str(children[1]))
        return n.Binary(op, children[0], children[2], span=self._span(meta))

    @with_meta
    def or_(self, meta, children):
        return n.Binary("or", children[0], children[1], span=self._span(meta))

    @with_meta
    def and_(self, meta, children):
        return n.Binary("and", children[0], children[1], span=self._span(meta))

    @with_meta
    def compare(self, meta, children):
        operands = tuple(children[0::2])
        ops = tuple({"≦": "<=", "≧": ">=", "≠": "!="}.get(str(op), str(op)) for op in children[1::2])
        return n.Compare(operands, ops, span=self._span(meta))

    @with_meta
    def in_(self, meta, children):
        return n.In(children[0], children[1], False, span=self._span(meta))

    @with_meta
    def not_in(self, meta, children):
        return n.In(children[0], children[1], True, span=self._span(meta))

    @with_meta
    def if_expr(self, meta, children):
        return n.IfExpr(children[0], children[1], children[2], span=self._span(meta))

    def aggregate_kind(self, children):
        return str(children[0])

    @with_meta
    def aggregate(self, meta, children):
        kind = children[0]
        rest = list(children[1:])
        expr = rest.pop(0) if not isinstance(rest[0], Token) else None
        var = str(rest[0])
        period = rest[1]
        where = rest[2] if len(rest) > 2 else None
        return n.Aggregate(kind, expr, var, period, where, span=self._span(meta))

    @with_meta
    def graduated(self, meta, children):
        tier = self.tier(meta, children)
        return n.Tier(tier.subject, tier.rows, True, span=tier.span)

    @with_meta
    def tier(self, meta, children):
        subject = children[0]
        rows = []
        for row in children[1:]:
            if isinstance(row, tuple):  # `<= 1,000 MB: …`: a row that compares the subject
                op, bound, value, span = row
                row = n.TierRow(n.Compare((subject, bound), (op,), span=span), value, span=value.span)
            rows.append(row)
        return n.Tier(subject, tuple(rows), span=self._span(meta))

    @with_meta
    def tier_bound(self, meta, children):
        token, bound, value = children
        op = {"≦": "<=", "≧": ">=", "≠": "!="}.get(str(token), str(token))
        start = self._tspan(token)
        end = bound.span or start
        condition = Span(start.file, start.line, start.column, end.end_line, end.end_column)  # `<= 1,000 MB`
        return (op, bound, value, condition)

    @with_meta
    def tier_row(self, meta, children):
        if len(children) == 1:
            return n.TierRow(None, children[0], span=self._span(meta))
        return n.TierRow(children[0], children[1], span=self._span(meta))

    def before_after(self, children):
        return str(children[0])

    def month_of(self, children):
        return (0, children[0])

    def month_next_to(self, children):
        return (-1 if children[0] == "before" else 1, children[1])

    def months_next_to(self, children):
        count = int(self._number(children[0]))
        unit = str(children[1])
        if unit not in ("month", "months", "ヶ月", "か月", "ヵ月", "カ月"):
            self._error("E301", f"`{unit}` is not a count of months here", self._tspan(children[1]),
                        "write `end of month 2 months before X`")
        return (-count if children[2] == "before" else count, children[3])

    @with_meta
    def month_end(self, meta, children):
        offset, base = children[0]
        return n.MonthPoint("end", None, offset, base, span=self._span(meta))

    @with_meta
    def month_start(self, meta, children):
        offset, base = children[0]
        return n.MonthPoint("start", None, offset, base, span=self._span(meta))

    @with_meta
    def month_day(self, meta, children):
        day = int(self._number(children[0]))
        if not 1 <= day <= 31:
            self._error("E107", f"there is no day {day} in a month", self._tspan(children[0]))
            day = 1  # a stand-in, so that the rest of the file is still checked (nothing is evaluated)
        offset, base = children[1]
        return n.MonthPoint("day", day, offset, base, span=self._span(meta))

    @with_meta
    def expiry(self, meta, children):
        anchor = children[1]
        return n.Expiry(children[0], anchor.first_day_counts, anchor.base, span=self._span(meta))

    @with_meta
    def clear_before(self, meta, children):
        number, unit, base = children
        amount = n.Num(self._number(number), str(unit), span=self._tspan(number))
        return n.ClearBefore(amount, base, span=self._span(meta))

    @with_meta
    def nth_business_day(self, meta, children):
        digits = "".join(ch for ch in normalize_digits(str(children[0])) if ch.isdigit()).lstrip("0") or "0"
        # compared as text first: a count of thousands of digits is not even turned into a number
        count = int(digits) if len(digits) <= len(str(MAX_BUSINESS_DAYS)) else MAX_BUSINESS_DAYS + 1
        if count < 1:
            self._error("E406", "business days are counted from 1st", self._tspan(children[0]))
        elif count > MAX_BUSINESS_DAYS:
            self._error("E108", f"this count of business days is out of range: at most {MAX_BUSINESS_DAYS:,} "
                                "are counted", self._tspan(children[0]),
                        "each business day is looked up in the calendar; write the count the terms state")
            count = 1  # a stand-in, so that the rest of the file is still checked
        return n.NthBusinessDay(count, children[1], span=self._span(meta))

    @with_meta
    def business_day(self, meta, children):
        return n.BusinessDay(children[0], children[1], span=self._span(meta))

    @with_meta
    def later_of(self, meta, children):
        return n.Extreme("later", tuple(children), span=self._span(meta))

    @with_meta
    def earlier_of(self, meta, children):
        return n.Extreme("earlier", tuple(children), span=self._span(meta))

    @with_meta
    def days_through(self, meta, children):
        return n.DaysThrough(children[0], children[1], span=self._span(meta))
