"""Lark parse tree -> AST (interpreter.syntax.nodes). This stage only builds nodes.

Literal values that can be wrong (a date that does not exist) are reported as diagnostics and replaced
by a stand-in, so one run reports every problem; nothing here raises at the user. The transformer is
non-recursive, so long operator chains cannot exhaust Python's stack.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lark import Token, Transformer_NonRecursive, Tree, v_args

from interpreter.syntax import nodes as n
from interpreter.diagnostics import Diagnostic
from interpreter.syntax.eras import normalize_digits, parse_japanese_date
from interpreter.syntax.source import SourceFile, Span
from interpreter.time.timestamps import parse_instant

_STAND_IN_DATE = date(1, 1, 1)


def _unquote(token: Token) -> str:
    text = str(token)
    if token.type == "JSTRING":
        return text[1:-1]
    body = text[1:-1]
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Builder(Transformer_NonRecursive):
    def __init__(self, source: SourceFile):
        super().__init__()
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------- helpers

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.source.name, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, token: Token) -> Span:
        return Span(self.source.name, token.line, token.column, token.end_line or token.line,
                    token.end_column or token.column + 1)

    def _error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(n_diag(code, message, span, hint))

    def _number(self, token: Token) -> Decimal:
        # The NUMBER token admits only digits, thousands groups and one decimal point: always a Decimal.
        return Decimal(normalize_digits(str(token)).replace(",", "").replace("，", ""))

    def _date(self, token: Token) -> date:
        text = normalize_digits(str(token))
        try:
            if token.type == "DATE":
                return date.fromisoformat(text)
            return parse_japanese_date(text)
        except ValueError as exc:
            self._error("E107", f"`{token}` is not a date: {_reason(exc)}", self._tspan(token),
                        "write an ISO date such as 2025-04-01, or 令和7年4月1日")
            return _STAND_IN_DATE

    @staticmethod
    def _text(item) -> str | None:
        if item is None:
            return None
        if isinstance(item, Token):
            return _unquote(item)
        return item

    # ------------------------------------------------------------- program and header

    @v_args(meta=True)
    def start(self, meta, children):
        return n.Program(self.source.name, tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def contract_decl(self, meta, children):
        name, rest = str(children[0]), children[1:]
        label = None
        if rest and isinstance(rest[0], str) and not isinstance(rest[0], tuple):
            label, rest = rest[0], rest[1:]
        props = dict(provider=None, document=None, revised=None, currency=None, version=None)
        for kind, value in rest:
            if kind == "document":
                props["document"], props["revised"] = value
            else:
                props[kind] = value
        return n.Contract(name, label, props["provider"], props["document"], props["revised"],
                          props["currency"], props["version"], span=self._span(meta))

    def provider(self, children):
        return ("provider", self._text(children[0]))

    def document(self, children):
        revised = children[1] if len(children) > 1 else None
        return ("document", (self._text(children[0]), revised))

    def currency(self, children):
        return ("currency", str(children[0]))

    @v_args(meta=True)
    def base_version(self, meta, children):
        name = str(children[0])
        label = next((c for c in children[1:] if isinstance(c, str) and not isinstance(c, Token)), None)
        effective = next((c for c in children[1:] if isinstance(c, date)), None)
        return ("version", n.BaseVersion(name, label, effective, span=self._span(meta)))

    def label(self, children):
        return self._text(children[0])

    def date_lit(self, children):
        return self._date(children[0])

    # ------------------------------------------------------------- conventions and calendars

    @v_args(meta=True)
    def conventions_decl(self, meta, children):
        return n.Conventions(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def convention(self, meta, children):
        values = []
        for c in children[1:]:
            if isinstance(c, n.Num):
                values.append(f"{c.value}{(' ' + c.unit) if c.unit else ''}")
            else:
                values.append(str(c))
        return n.Convention(str(children[0]), tuple(values), span=self._span(meta))

    @v_args(meta=True)
    def calendar_decl(self, meta, children):
        name = str(children[0])
        label = None
        holidays = None
        weekend = None
        closed, yearly = [], []
        for c in children[1:]:
            if isinstance(c, str) and not isinstance(c, Token):
                label = c
            elif isinstance(c, tuple) and c[0] == "holidays":
                holidays = c[1]
            elif isinstance(c, tuple) and c[0] == "weekend":
                weekend = c[1]
            elif isinstance(c, n.Closed):
                closed.append(c)
            elif isinstance(c, n.ClosedYearly):
                yearly.append(c)
        return n.Calendar(name, label, holidays, weekend, tuple(closed), tuple(yearly), span=self._span(meta))

    def cal_holidays(self, children):
        return ("holidays", str(children[0]))

    def cal_weekend(self, children):
        return ("weekend", tuple(str(c) for c in children))

    @v_args(meta=True)
    def cal_closed(self, meta, children):
        dates = [c for c in children if isinstance(c, date)]
        label = next((c for c in children if isinstance(c, str)), None)
        return n.Closed(dates[0], dates[-1], label, span=self._span(meta))

    @v_args(meta=True)
    def cal_closed_yearly(self, meta, children):
        days = []
        for tok in children[:2]:
            text = normalize_digits(str(tok))
            month, day = int(text[:2]), int(text[3:])
            try:
                date(2000, month, day)  # a leap year, so 02-29 is allowed
            except ValueError:
                self._error("E107", f"`{tok}` is not a day of the year", self._tspan(tok),
                            "write month and day as MM-DD, such as 12-29")
                month, day = 1, 1
            days.append((month, day))
        label = self._text(children[2]) if len(children) > 2 else None
        return n.ClosedYearly(days[0], days[1], label, span=self._span(meta))

    # ------------------------------------------------------------- declarations

    @v_args(meta=True)
    def unit_decl(self, meta, children):
        label = children[1] if len(children) > 1 else None
        return n.UnitDecl(str(children[0]), label, span=self._span(meta))

    @v_args(meta=True)
    def enum_decl(self, meta, children):
        name = str(children[0])
        label = None
        cases = []
        for c in children[1:]:
            if isinstance(c, n.EnumCase):
                cases.append(c)
            else:
                label = c
        return n.EnumDecl(name, label, tuple(cases), span=self._span(meta))

    @v_args(meta=True)
    def enum_case(self, meta, children):
        return n.EnumCase(str(children[0]), children[1] if len(children) > 1 else None, span=self._span(meta))

    @v_args(meta=True)
    def type(self, meta, children):
        return n.TypeRef(str(children[0]), str(children[1]) if len(children) > 1 else None, span=self._span(meta))

    def _typed(self, children):
        name = str(children[0])
        type_ = children[1]
        default = None
        label = None
        for c in children[2:]:
            if isinstance(c, str) and not isinstance(c, Token):
                label = c
            else:
                default = c
        return name, type_, default, label

    @v_args(meta=True)
    def param_decl(self, meta, children):
        return n.ParamDecl(*self._typed(children), span=self._span(meta))

    @v_args(meta=True)
    def field_decl(self, meta, children):
        return n.FieldDecl(*self._typed(children), span=self._span(meta))

    def item_kind(self, children):
        return str(children[0])

    @v_args(meta=True)
    def item_decl(self, meta, children):
        kind, name = children[0], str(children[1])
        label = None
        body = children[-1]
        if len(children) == 4:
            label = children[2]
        includes, texts, items = [], [], []
        measured = None
        for tag, value in body:
            if tag == "includes":
                includes.append(value)
            elif tag == "measured_in":
                measured = value
            elif tag == "text":
                texts.append(value)
            else:
                items.append(value)
        return n.ItemDecl(kind, name, label, tuple(includes), measured, tuple(texts), tuple(items),
                          span=self._span(meta))

    def empty_body(self, children):
        return []

    def body(self, children):
        return [c if isinstance(c, tuple) else ("item", c) for c in children]

    def includes(self, children):
        return ("includes", children[0])

    def measured_in(self, children):
        return ("measured_in", str(children[0]))

    def item_text(self, children):
        return ("text", self._text(children[0]))

    def interval(self, children):
        return True

    @v_args(meta=True)
    def event_decl(self, meta, children):
        name = str(children[0])
        label = None
        interval = False
        fields, effects = [], []
        for c in children[1:]:
            if c is True:
                interval = True
            elif isinstance(c, n.FieldDecl):
                fields.append(c)
            elif isinstance(c, list):
                effects.extend(c)
            else:
                label = c
        return n.EventDecl(name, label, interval, tuple(fields), tuple(effects), span=self._span(meta))

    def event_effect(self, children):
        return list(children)

    @v_args(meta=True)
    def start_contract(self, meta, children):
        return n.StartContract(span=self._span(meta))

    @v_args(meta=True)
    def end_contract(self, meta, children):
        return n.EndContract(span=self._span(meta))

    @v_args(meta=True)
    def start_item(self, meta, children):
        return n.StartItem(children[0], children[1] if len(children) > 1 else None, span=self._span(meta))

    @v_args(meta=True)
    def end_item(self, meta, children):
        return n.EndItem(children[0], span=self._span(meta))

    @v_args(meta=True)
    def stop_item(self, meta, children):
        return n.EndItem(children[0], True, span=self._span(meta))

    @v_args(meta=True)
    def set_quantity(self, meta, children):
        return n.SetQuantity(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def change_item(self, meta, children):
        return n.ChangeItem(children[0], children[1], span=self._span(meta))

    # ------------------------------------------------------------- rules

    @v_args(meta=True)
    def rule_decl(self, meta, children):
        rule_id = children[0]
        articles = children[1]
        label = None
        condition = None
        statements = []
        for c in children[2:]:
            if isinstance(c, n.Condition):
                condition = c
            elif isinstance(c, str) and not isinstance(c, Token):
                label = c
            else:
                statements.append(c)
        return n.RuleDecl(str(rule_id), articles, label, condition, tuple(statements),
                          span=self._span(meta), id_span=self._tspan(rule_id))

    def citation(self, children):
        return tuple(self._text(c) if c.type in ("STRING", "JSTRING") else str(c) for c in children)

    @v_args(meta=True)
    def applies_when(self, meta, children):
        return n.Condition(children[0], False, span=self._span(meta))

    @v_args(meta=True)
    def applies_unless(self, meta, children):
        return n.Condition(children[0], True, span=self._span(meta))

    @v_args(meta=True)
    def rounding(self, meta, children):
        return n.Rounding(str(children[0]), children[1], span=self._span(meta))

    @v_args(meta=True)
    def tax(self, meta, children):
        return n.Tax(str(children[0]), tuple(children[1:]), span=self._span(meta))

    @v_args(meta=True)
    def tax_included(self, meta, children):
        return n.Tax(str(children[0]), (), True, span=self._span(meta))

    @v_args(meta=True)
    def tax_rate(self, meta, children):
        return n.TaxRate(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def counting_from(self, meta, children):
        return n.PeriodAnchor(True, children[0], span=self._span(meta))

    @v_args(meta=True)
    def after(self, meta, children):
        return n.PeriodAnchor(False, children[0], span=self._span(meta))

    def name_list(self, children):
        return tuple(children)

    @v_args(meta=True)
    def minimum_term(self, meta, children):
        items = children[2] if len(children) > 2 else ()
        return n.MinimumTerm(children[0], children[1], items, span=self._span(meta))

    @v_args(meta=True)
    def fixed_term(self, meta, children):
        renews = children[2] if len(children) > 2 else None
        return n.FixedTerm(children[0], children[1], renews, span=self._span(meta))

    def party(self, children):
        return str(children[0])

    @v_args(meta=True)
    def notice_stmt(self, meta, children):
        name = str(children[0])
        rest = list(children[1:])
        label = rest.pop(0) if isinstance(rest[0], str) and rest[0] not in ("customer", "provider", "either") or (
            len(rest) > 1 and isinstance(rest[1], str) and rest[1] in ("customer", "provider", "either")
            and isinstance(rest[0], str)) else None
        party, event = rest[0], str(rest[1])
        parts = dict(effective=None, allowed=None, due=None, effect=(), if_late=None)
        for tag, value in rest[2:]:
            parts[tag] = value
        return n.Notice(name, label, party, event, parts["effective"], parts["allowed"], parts["due"],
                        tuple(parts["effect"]), parts["if_late"], span=self._span(meta))

    def effective(self, children):
        return ("effective", children[0])

    def allowed(self, children):
        return ("allowed", str(children[0]))

    def due(self, children):
        return ("due", children[0])

    def effect(self, children):
        return ("effect", tuple(children))

    def if_late(self, children):
        return ("if_late", str(children[0]))

    @v_args(meta=True)
    def obligation_stmt(self, meta, children):
        name = str(children[0])
        rest = list(children[1:])
        label = None
        if len(rest) > 1 and rest[1] in ("customer", "provider", "either"):
            label = rest.pop(0)
        party = rest[0]
        parts = dict(trigger=None, due=None, met_by=None, grants=None)
        for tag, value in rest[1:]:
            parts[tag] = value
        return n.Obligation(name, label, party, parts["trigger"], parts["due"], parts["met_by"], parts["grants"],
                            span=self._span(meta))

    def trigger(self, children):
        return ("trigger", children[0])

    def on_event(self, children):
        return str(children[0])

    def on_contract_end(self, children):
        return "contract ends"

    def met_by(self, children):
        return ("met_by", str(children[0]))

    def grants(self, children):
        return ("grants", self._text(children[0]))

    def fee_kind(self, children):
        return str(children[0])

    def per_unit(self, children):
        if len(children) == 2:
            return ("per", (self._number(children[0]), str(children[1])))
        return ("per", (None, str(children[0])))

    @v_args(meta=True)
    def fee_stmt(self, meta, children):
        kind, amount = children[0], children[1]
        opts = dict(per=(None, None), items=(), on=(None, None), monthly_maximum=False, first_month=None,
                    last_month=None, start=None, tax_exempt=False, settled=True)
        for c in children[2:]:
            if isinstance(c, tuple) and c and isinstance(c[0], str) and c[0] in opts:
                opts[c[0]] = c[1]
            else:
                opts["items"] = c
        return n.Fee(kind, amount, opts["per"][0], opts["per"][1], tuple(opts["items"]), opts["on"][0],
                     opts["on"][1], opts["monthly_maximum"], opts["first_month"], opts["last_month"],
                     opts["start"], opts["tax_exempt"], opts["settled"], span=self._span(meta))

    def fee_on(self, children):
        return ("on", (str(children[0]), children[1] if len(children) > 1 else None))

    def on_monthly_maximum(self, children):
        return ("monthly_maximum", True)

    def first_month(self, children):
        return ("first_month", str(children[0]))

    def last_month(self, children):
        return ("last_month", str(children[0]))

    def fee_from(self, children):
        return ("start", children[0])

    def fee_tax_exempt(self, children):
        return ("tax_exempt", True)

    def fee_not_settled(self, children):
        return ("settled", False)

    @v_args(meta=True)
    def settle_stmt(self, meta, children):
        label = None
        items: tuple = ()
        opts = dict(partial_month=None, unless_ended_by=None)
        for c in children:
            if isinstance(c, tuple) and c and isinstance(c[0], str) and c[0] in opts:
                opts[c[0]] = c[1]
            elif isinstance(c, tuple):
                items = c
            else:
                label = c
        return n.Settle(label, items, opts["partial_month"], opts["unless_ended_by"], span=self._span(meta))

    def partial_month(self, children):
        return ("partial_month", str(children[0]))

    def unless_ended_by(self, children):
        return ("unless_ended_by", str(children[0]))

    @v_args(meta=True)
    def billing_from(self, meta, children):
        return n.BillingFrom(children[0], span=self._span(meta))

    @v_args(meta=True)
    def invoice_due(self, meta, children):
        paid_by = str(children[1]) if len(children) > 1 else None
        return n.InvoiceDue(children[0], paid_by, span=self._span(meta))

    @v_args(meta=True)
    def interest_stmt(self, meta, children):
        parts = dict(days=(None, None), year=None)
        for tag, value in children[1:]:
            parts[tag] = value
        return n.Interest(children[0], parts["days"][0], parts["days"][1], parts["year"], span=self._span(meta))

    def interest_days(self, children):
        return ("days", (children[0], children[1]))

    def interest_year(self, children):
        return ("year", children[0])

    def emit_kind(self, children):
        return str(children[0])

    @v_args(meta=True)
    def each_event(self, meta, children):
        return n.Iteration("event", str(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def each_month(self, meta, children):
        return n.Iteration("month", span=self._span(meta))

    @v_args(meta=True)
    def at_contract_end(self, meta, children):
        return n.Iteration("contract_end", span=self._span(meta))

    @v_args(meta=True)
    def emit_stmt(self, meta, children):
        kind = children[0]
        name = label = iteration = where = None
        parts: list = []
        for c in children[1:]:
            if isinstance(c, Token) and c.type == "NAME":
                name = str(c)
            elif isinstance(c, str) and not isinstance(c, Token):
                label = c
            elif isinstance(c, n.Iteration):
                iteration = c
            elif isinstance(c, list):
                parts = c
            else:
                where = c
        lets, requires = [], []
        fields = dict(amount=None, value=None, date=None, claim=None, tax_exempt=False)
        for tag, value in parts:
            if tag == "let":
                lets.append(value)
            elif tag == "require":
                requires.append(value)
            elif tag == "short":
                fields["amount" if kind in ("charge", "credit") else "value"] = value
            else:
                fields[tag] = value
        return n.Emit(kind, name, label, iteration, where, tuple(lets), tuple(requires), fields["amount"],
                      fields["value"], fields["date"], fields["claim"], fields["tax_exempt"], span=self._span(meta))

    def short_body(self, children):
        return [("short", children[0])]

    def long_body(self, children):
        return list(children)

    @v_args(meta=True)
    def let(self, meta, children):
        return ("let", n.Let(str(children[0]), children[1], span=self._span(meta)))

    def require(self, children):
        return ("require", children[0])

    def amount(self, children):
        return ("amount", children[0])

    def value(self, children):
        return ("value", children[0])

    def date_part(self, children):
        return ("date", children[0])

    @v_args(meta=True)
    def claim(self, meta, children):
        return ("claim", n.Claim(children[0], str(children[1]), span=self._span(meta)))

    def tax_exempt(self, children):
        return ("tax_exempt", True)

    @v_args(meta=True)
    def requires(self, meta, children):
        return n.Requires(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def ends_with(self, meta, children):
        return n.EndsWith(children[0], tuple(children[1]), span=self._span(meta))

    @v_args(meta=True)
    def order_window(self, meta, children):
        start = children[1] if len(children) == 3 else None
        return n.OrderWindow(children[0], start, children[-1], span=self._span(meta))

    @v_args(meta=True)
    def service_end(self, meta, children):
        return n.ServiceEnd(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def never_decreases(self, meta, children):
        return n.NeverDecreases(children[0], span=self._span(meta))

    def _labelled(self, children):
        if len(children) == 3:
            return children[0], str(children[1]), children[2]
        return None, str(children[0]), children[1]

    @v_args(meta=True)
    def limit(self, meta, children):
        return n.Limit(*self._labelled(children), span=self._span(meta))

    @v_args(meta=True)
    def reject(self, meta, children):
        return n.Reject(*self._labelled(children), span=self._span(meta))

    @v_args(meta=True)
    def distinct(self, meta, children):
        return n.Distinct(children[0], tuple(children[1]), span=self._span(meta))

    @v_args(meta=True)
    def claim_window(self, meta, children):
        return n.ClaimWindow(str(children[0]), children[1], str(children[2]), span=self._span(meta))

    # ------------------------------------------------------------- versions

    @v_args(meta=True)
    def amendment_decl(self, meta, children):
        name = str(children[0])
        label = None
        effective = None
        notes, decls = [], []
        for c in children[1:]:
            if isinstance(c, date) and effective is None:
                effective = c
            elif isinstance(c, tuple) and c[0] == "note":
                notes.append(c[1])
            elif isinstance(c, str) and not isinstance(c, Token):
                label = c
            else:
                decls.append(c)
        return n.Amendment(name, label, effective, tuple(notes), tuple(decls), span=self._span(meta))

    def note(self, children):
        return ("note", self._text(children[0]))

    # ------------------------------------------------------------- expressions

    @v_args(meta=True)
    def quantity(self, meta, children):
        unit = str(children[1]) if len(children) > 1 else None
        if unit == "％":
            unit = "%"
        return n.Num(self._number(children[0]), unit, span=self._span(meta))

    @v_args(meta=True)
    def atom(self, meta, children):
        if isinstance(children[0], date):  # a date literal inside an expression
            return n.DateLit(children[0], span=self._span(meta))
        return children[0]

    @v_args(meta=True)
    def string(self, meta, children):
        return n.Str(self._text(children[0]), span=self._span(meta))

    def text(self, children):  # only reached when the rule is not inlined
        return self._text(children[0])

    @v_args(meta=True)
    def datetime(self, meta, children):
        try:
            value = parse_instant(normalize_digits(str(children[0])))
        except ValueError as exc:
            self._error("E107", f"`{children[0]}` is not a date-time: {_reason(exc)}", self._tspan(children[0]))
            value = datetime(1, 1, 1)
        return n.DateTimeLit(value, span=self._span(meta))

    @v_args(meta=True)
    def name(self, meta, children):
        return n.Name(str(children[0]), span=self._span(meta))

    @v_args(meta=True)
    def call(self, meta, children):
        return n.Call(str(children[0]), tuple(children[1:]), span=self._span(meta))

    def paren(self, children):
        return children[0]

    @v_args(meta=True)
    def list_(self, meta, children):
        return n.ListExpr(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def true(self, meta, children):
        return n.Bool(True, span=self._span(meta))

    @v_args(meta=True)
    def false(self, meta, children):
        return n.Bool(False, span=self._span(meta))

    @v_args(meta=True)
    def attribute(self, meta, children):
        return n.Attr(children[0], str(children[1]), span=self._span(meta))

    @v_args(meta=True)
    def neg(self, meta, children):
        return n.Unary("-", children[0], span=self._span(meta))

    @v_args(meta=True)
    def not_(self, meta, children):
        return n.Unary("not", children[0], span=self._span(meta))

    @v_args(meta=True)
    def binary(self, meta, children):
        op = {"×": "*", "÷": "/"}.get(str(children[1]), str(children[1]))
        return n.Binary(op, children[0], children[2], span=self._span(meta))

    @v_args(meta=True)
    def or_(self, meta, children):
        return n.Binary("or", children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def and_(self, meta, children):
        return n.Binary("and", children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def compare(self, meta, children):
        operands = tuple(children[0::2])
        ops = tuple({"≦": "<=", "≧": ">=", "≠": "!="}.get(str(op), str(op)) for op in children[1::2])
        return n.Compare(operands, ops, span=self._span(meta))

    @v_args(meta=True)
    def in_(self, meta, children):
        return n.In(children[0], children[1], False, span=self._span(meta))

    @v_args(meta=True)
    def not_in(self, meta, children):
        return n.In(children[0], children[1], True, span=self._span(meta))

    @v_args(meta=True)
    def if_expr(self, meta, children):
        return n.IfExpr(children[0], children[1], children[2], span=self._span(meta))

    def aggregate_kind(self, children):
        return str(children[0])

    @v_args(meta=True)
    def aggregate(self, meta, children):
        kind = children[0]
        rest = list(children[1:])
        expr = rest.pop(0) if not isinstance(rest[0], Token) else None
        var = str(rest[0])
        period = rest[1]
        where = rest[2] if len(rest) > 2 else None
        return n.Aggregate(kind, expr, var, period, where, span=self._span(meta))

    @v_args(meta=True)
    def tier(self, meta, children):
        return n.Tier(children[0], tuple(children[1:]), span=self._span(meta))

    @v_args(meta=True)
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

    @v_args(meta=True)
    def month_end(self, meta, children):
        offset, base = children[0]
        return n.MonthPoint("end", None, offset, base, span=self._span(meta))

    @v_args(meta=True)
    def month_start(self, meta, children):
        offset, base = children[0]
        return n.MonthPoint("start", None, offset, base, span=self._span(meta))

    @v_args(meta=True)
    def month_day(self, meta, children):
        day = int(self._number(children[0]))
        if not 1 <= day <= 31:
            self._error("E107", f"there is no day {day} in a month", self._tspan(children[0]))
        offset, base = children[1]
        return n.MonthPoint("day", day, offset, base, span=self._span(meta))

    @v_args(meta=True)
    def expiry(self, meta, children):
        anchor = children[1]
        return n.Expiry(children[0], anchor.first_day_counts, anchor.base, span=self._span(meta))

    @v_args(meta=True)
    def nth_business_day(self, meta, children):
        digits = "".join(ch for ch in normalize_digits(str(children[0])) if ch.isdigit())
        count = int(digits)
        if count < 1:
            self._error("E406", "business days are counted from 1st", self._tspan(children[0]))
        return n.NthBusinessDay(count, children[1], span=self._span(meta))

    @v_args(meta=True)
    def business_day(self, meta, children):
        return n.BusinessDay(children[0], children[1], span=self._span(meta))

    @v_args(meta=True)
    def later_of(self, meta, children):
        return n.Extreme("later", tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def earlier_of(self, meta, children):
        return n.Extreme("earlier", tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def days_through(self, meta, children):
        return n.DaysThrough(children[0], children[1], span=self._span(meta))


def _reason(exc: Exception) -> str:
    return str(exc).rstrip(".")


def n_diag(code: str, message: str, span: Span, hint: str | None) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint)


def build(source: SourceFile, tree: Tree) -> tuple[n.Program, list[Diagnostic]]:
    builder = _Builder(source)
    program = builder.transform(tree)
    return program, builder.diagnostics
