"""Grammar rules -> AST (interpreter.syntax.nodes). This stage only builds nodes.

The builder has one method per grammar rule, called with the rule's children once they are built (and, marked
`with_meta`, with its position). interpreter.syntax.direct_parse calls them as the parser reduces; `build` calls
them over a lark parse tree (the standard path), with lark's non-recursive Transformer, so that long operator
chains cannot exhaust Python's stack. Literal values that can be wrong (a date that does not exist) are
reported as diagnostics and replaced by a stand-in, so one run reports every problem; nothing here raises at
the user.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from interpreter.syntax import nodes as n
from interpreter.syntax.build_expressions import ExpressionSyntax
from interpreter.syntax.build_rules import RuleSyntax
from interpreter.syntax.build_money import MoneySyntax
from interpreter.syntax.build_actions import ActionSyntax
from interpreter.syntax.build_calendar import CalendarSyntax
from interpreter.diagnostics import Diagnostic
from interpreter.limits import number_problem
from interpreter.syntax.eras import normalize_digits, parse_japanese_date
from interpreter.syntax.source import SourceFile, Span
from interpreter.syntax.tokens import Token, with_meta

_STAND_IN_DATE = date(1, 1, 1)


_OPTIONAL = object()  # the `optional` mark of a field declaration


def _unquote(token: Token) -> str:
    text = str(token)
    if token.type == "JSTRING":
        return text[1:-1]
    body = text[1:-1]
    if "\\" not in body:
        return body  # (nearly every string: nothing to unescape)
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


class BuilderCore:
    """Helpers, the header, conventions, calendars, declarations and versions."""

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
        value = Decimal(normalize_digits(str(token)).replace(",", "").replace("，", ""))
        problem = number_problem(value)
        if problem:
            self._error("E108", f"this number is out of range: {problem}", self._tspan(token),
                        "no amount, count or duration in a contract comes near this bound")
            return Decimal(1)  # a stand-in valid wherever a number is, so the rest of the file is still checked
        return value

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

    @with_meta
    def start(self, meta, children):
        return n.Program(self.source.name, tuple(children), span=self._span(meta))

    @with_meta
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

    @with_meta
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

    # ------------------------------------------------------------- declarations

    @with_meta
    def unit_decl(self, meta, children):
        label = children[1] if len(children) > 1 else None
        return n.UnitDecl(str(children[0]), label, span=self._span(meta))

    @with_meta
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

    @with_meta
    def enum_case(self, meta, children):
        return n.EnumCase(str(children[0]), children[1] if len(children) > 1 else None, span=self._span(meta))

    @with_meta
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

    @with_meta
    def param_decl(self, meta, children):
        return n.ParamDecl(*self._typed(children), span=self._span(meta))

    @with_meta
    def choice_decl(self, meta, children):
        rule_id, rest = str(children[0]), list(children[1:])
        articles = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        name = str(rest.pop(0))
        label = rest.pop(0) if rest and isinstance(rest[0], str) and not isinstance(rest[0], Token) else None
        alternatives = tuple(c for c in rest if isinstance(c, n.ChoiceAlt))
        defaults = [c for c in rest if isinstance(c, Token)]
        return n.ChoiceDecl(rule_id, articles, name, label, alternatives, str(defaults[0]) if defaults else None,
                            span=self._span(meta), default_span=self._tspan(defaults[0]) if defaults else None)

    @with_meta
    def choice_alt(self, meta, children):
        return n.ChoiceAlt(str(children[0]), self._text(children[1]) if len(children) > 1 else None,
                           span=self._span(meta))

    def choice_default(self, children):
        return children[0]

    @with_meta
    def field_decl(self, meta, children):
        optional = _OPTIONAL in children
        return n.FieldDecl(*self._typed([c for c in children if c is not _OPTIONAL]), span=self._span(meta),
                           optional=optional)

    def optional(self, children):
        return _OPTIONAL

    def item_kind(self, children):
        return str(children[0])

    @with_meta
    def item_decl(self, meta, children):
        kind, name = children[0], str(children[1])
        label = None
        body = children[-1]
        if len(children) == 4:
            label = children[2]
        includes, texts, items = [], [], []
        measured = section = None
        for tag, value in body:
            if tag == "section":
                section = value
            elif tag == "includes":
                includes.append(value)
            elif tag == "measured_in":
                measured = value
            elif tag == "text":
                texts.append(value)
            else:
                items.append(value)
        return n.ItemDecl(kind, name, label, tuple(includes), measured, tuple(texts), tuple(items),
                          span=self._span(meta), section=section)

    def empty_body(self, children):
        return []

    def body(self, children):
        return [c if isinstance(c, tuple) else ("item", c) for c in children]

    def includes(self, children):
        return ("includes", children[0])

    def item_section(self, children):
        return ("section", (self._text(children[0]), self._text(children[1])))

    def measured_in(self, children):
        return ("measured_in", str(children[0]))

    def item_text(self, children):
        return ("text", self._text(children[0]))

    def interval(self, children):
        return True

    @with_meta
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

    # ------------------------------------------------------------- versions

    @with_meta
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

def _reason(exc: Exception) -> str:
    return str(exc).rstrip(".")


def n_diag(code: str, message: str, span: Span, hint: str | None) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint)


class Builder(ExpressionSyntax, RuleSyntax, MoneySyntax, ActionSyntax, CalendarSyntax, BuilderCore):
    """Grammar rules -> AST: one method per grammar rule, spread over the mixins by area."""


@lru_cache(maxsize=1)
def _tree_builder():
    """The builder as a lark Transformer, for the standard path (imported only when it is taken)."""
    from lark import Transformer_NonRecursive, v_args

    class TreeBuilder(Builder, Transformer_NonRecursive):
        def __default_token__(self, token):
            return Token.of(token)

    for name in dir(Builder):
        method = getattr(Builder, name)
        if getattr(method, "wants_meta", False):
            setattr(TreeBuilder, name, v_args(meta=True)(method))
    return TreeBuilder


def build(source: SourceFile, tree) -> tuple[n.Program, list[Diagnostic]]:
    """The AST of a lark parse tree (interpreter.syntax.parse), and the builder's diagnostics."""
    builder = _tree_builder()(source)
    program = builder.transform(tree)
    return program, builder.diagnostics
