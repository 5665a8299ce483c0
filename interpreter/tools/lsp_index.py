"""What the language server knows about one open contract: its diagnostics, its declarations and where
their names are written, and answers to hover, definition, completion and outline questions.

Everything here works on text and offsets (0-based, in code points, lines ended by `\\n` only, as the
parser counts them); `lsp_server` converts to and from the protocol's positions. Nothing here knows pygls.

A file that does not parse still gets answers: the declarations and model of the last version of it that
did are kept (a file being typed is broken most of the time).
"""
from __future__ import annotations

import bisect
import re
from datetime import date
from typing import Iterator

import attrs
from interpreter import records

from interpreter.check.model import Model
from interpreter.diagnostics import Diagnostic
from interpreter.loader import compile_program
from interpreter.syntax import nodes as n
from interpreter.syntax.eras import format_japanese_date, normalize_digits, parse_japanese_date
from interpreter.syntax.parse import parser
from interpreter.syntax.source import SourceFile, Span
from interpreter.time.calendar import BusinessCalendar


def _terminal(name: str) -> re.Pattern:
    """A token's pattern, as the grammar defines it."""
    return re.compile(parser().get_terminal(name).pattern.to_regexp())


_WORD, _RULE_ID, _ARTICLE, _DATE, _JDATE = map(_terminal, ("NAME", "RULE_ID", "ARTICLE", "DATE", "JDATE"))
_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_WEEKDAYS = ("月曜日 Monday", "火曜日 Tuesday", "水曜日 Wednesday", "木曜日 Thursday", "金曜日 Friday",
             "土曜日 Saturday", "日曜日 Sunday")


@attrs.frozen
class Declaration:
    """A name the contract declares, where it is written, and what to say about it."""

    kind: str  # plan, option, item, feature, event, field, param, unit, enum, case, rule, notice, …
    name: str
    label: str | None
    span: Span  # the whole declaration
    name_span: Span  # the name itself
    signature: str  # one line of .ctr that shows it, such as `desired_end: date` or `plan www`
    parent: str | None = None  # the event of a field, the enum of a case, the rule of a notice
    children: tuple["Declaration", ...] = ()


@attrs.frozen
class Word:
    """The token under the cursor: its text, what kind of token it is, and where it stands."""

    text: str
    kind: str  # name, rule_id, article, date
    start: int
    end: int
    receiver: str | None = None  # the word before a `.`: `cancel_notice` in `cancel_notice.desired_end`


class _Index:
    """One version of a contract's text, compiled: its diagnostics, declarations and tokens by offset."""

    def __init__(self, uri: str, text: str, previous: "_Index | None" = None):
        self.uri = uri
        self.source = SourceFile(uri, text.replace("\r\n", "\n").replace("\r", "\n"))
        self.text = self.source.text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        program, model, self.diagnostics = compile_program(self.source)
        # A file that does not parse keeps what the last version that did knew.
        self.stale = program is None and previous is not None
        self.program = program if program is not None else (previous.program if previous else None)
        self.model: Model | None = model or (previous.model if previous else None)
        if program is not None:
            self.declarations = tuple(self._declarations(program.decls))
        else:
            self.declarations = previous.declarations if previous else ()

    # ------------------------------------------------------------- positions

    def offset(self, line: int, column: int) -> int:
        """0-based offset of a 1-based line and column."""
        line = max(1, min(line, len(self.line_starts)))
        return min(self.line_starts[line - 1] + column - 1, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a 0-based offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def span_of(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.uri, line, column, end_line, end_column)

    # ------------------------------------------------------------- declarations

    def _name_span(self, span: Span | None, name: str) -> Span:
        """Where a declaration writes its name: the first whole word equal to it from its start."""
        if span is None:
            return Span(self.uri, 1, 1, 1, 1)
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column) if span.end_line else len(self.text)
        for m in _WORD.finditer(self.text, start, end):
            if m.group() == name and not self.in_comment_or_string(m.start()):
                return self.span_of(m.start(), m.end())
        return records.evolve(span, end_line=span.line, end_column=span.column + 1)

    def _decl(self, kind: str, name: str, label: str | None, node, signature: str, parent: str | None = None,
              children=()) -> Declaration:
        return Declaration(kind, name, label, node.span, self._name_span(node.span, name), signature, parent,
                           tuple(children))

    def _declarations(self, decls) -> Iterator[Declaration]:
        for d in decls:
            if isinstance(d, n.Amendment):
                yield from self._declarations(d.decls)
            elif isinstance(d, n.ItemDecl):
                yield self._item(d)
            elif isinstance(d, n.EventDecl):
                fields = [self._decl("field", f.name, f.label, f, f"{f.name}: {_type(f.type)}", d.name)
                          for f in d.fields]
                shown = ", ".join(f.signature for f in fields)
                yield self._decl("event", d.name, d.label, d,
                                 f"event {d.name}" + (" interval" if d.interval else "") + f" {{ {shown} }}",
                                 children=fields)
            elif isinstance(d, n.ParamDecl):
                yield self._decl("param", d.name, d.label, d, f"param {d.name}: {_type(d.type)}")
            elif isinstance(d, n.EnumDecl):
                cases = [self._decl("case", c.name, c.label, c, f"{c.name} (a case of {d.name})", d.name)
                         for c in d.cases]
                yield self._decl("enum", d.name, d.label, d, f"enum {d.name} {{ {', '.join(c.name for c in d.cases)} }}",
                                 children=cases)
            elif type(d) in _PLAIN:
                yield self._decl(_PLAIN[type(d)], d.name, d.label, d, f"{_PLAIN[type(d)]} {d.name}")
            elif isinstance(d, n.RuleDecl):
                yield self._rule(d)
            elif isinstance(d, n.ChoiceDecl):
                readings = [self._decl("reading", a.name, a.label, a, f"{a.name} (a reading of {d.name})", d.name)
                            for a in d.alternatives]
                yield self._decl("choice", d.name, d.label, d,
                                 f"choice {d.id} {', '.join(d.articles)} {d.name} (default {d.default})",
                                 children=readings)

    def _item(self, d: n.ItemDecl) -> Declaration:
        children = [self._item(c) for c in d.children]
        return self._decl(d.kind, d.name, d.label, d, f"{d.kind} {d.name}", children=children)

    def _rule(self, r: n.RuleDecl) -> Declaration:
        children = []
        for s in r.statements:
            if isinstance(s, (n.Notice, n.Obligation)):
                kind = "notice" if isinstance(s, n.Notice) else "obligation"
                children.append(self._decl(kind, s.name, s.label, s, f"{kind} {s.name} by {s.party}", r.id))
            elif isinstance(s, n.Emit) and s.name:
                children.append(self._decl(s.kind, s.name, s.label, s, f"{s.kind} {s.name}", r.id))
        articles = ", ".join(r.articles)
        return Declaration("rule", r.id, r.label, r.span, r.id_span or r.span, f"rule {r.id} {articles}", None,
                           tuple(children))

    def all_declarations(self) -> Iterator[Declaration]:
        stack = list(reversed(self.declarations))
        while stack:
            d = stack.pop()
            yield d
            stack.extend(reversed(d.children))

    def find(self, name: str, receiver: str | None = None) -> Declaration | None:
        """The declaration a name refers to; after `event.` the event's field. Amendments redeclare
        names: the last declaration is the one in force latest, but the first is where it was introduced."""
        if receiver is not None:
            return next((d for d in self.all_declarations()
                         if d.kind == "field" and d.name == name and d.parent == receiver), None)
        return next((d for d in self.all_declarations() if d.name == name and d.kind != "field"), None)

    def rule_at(self, offset: int) -> Declaration | None:
        for d in self.declarations:
            if d.kind == "rule" and self.offset(d.span.line, d.span.column) <= offset < self.offset(
                    d.span.end_line or d.span.line, d.span.end_column or d.span.column + 1):
                return d
        return None

    # ------------------------------------------------------------- the word under the cursor

    def in_comment_or_string(self, offset: int) -> bool:
        """Whether an offset is inside a comment or a string (neither spans lines)."""
        line = self.text[self.text.rfind("\n", 0, offset) + 1 : offset]
        quote = None
        i = 0
        while i < len(line):
            ch = line[i]
            if quote == '"' and ch == "\\":
                i += 1  # an escaped character, such as \", does not close the string
            elif quote:
                quote = None if ch == quote else quote
            elif ch == "#":
                return True
            elif ch in "\"「":
                quote = '"' if ch == '"' else "」"
            i += 1
        return quote is not None

    def word_at(self, offset: int) -> Word | None:
        if self.in_comment_or_string(offset):
            return None
        line_start = self.text.rfind("\n", 0, offset) + 1
        line_end = self.text.find("\n", offset)
        line_end = len(self.text) if line_end < 0 else line_end
        line = self.text[line_start:line_end]
        col = offset - line_start
        for kind, pattern in (("date", _JDATE), ("date", _DATE), ("rule_id", _RULE_ID), ("article", _ARTICLE),
                              ("name", _WORD)):
            for m in pattern.finditer(line):
                if m.start() <= col <= m.end() and m.end() > m.start():
                    start, end = line_start + m.start(), line_start + m.end()
                    receiver = None
                    if kind == "name" and m.start() > 0 and line[m.start() - 1] == ".":
                        before = list(_WORD.finditer(line[: m.start() - 1]))
                        if before and before[-1].end() == m.start() - 1:
                            receiver = before[-1].group()
                    return Word(m.group(), kind, start, end, receiver)
        return None


class Document(_Index):
    """An open contract and the answers to an editor's questions about it."""

    def hover(self, offset: int) -> tuple[str, Span] | None:
        """Markdown for the thing under the cursor, and the span it covers."""
        word = self.word_at(offset)
        if word is None:
            return None
        span = self.span_of(word.start, word.end)
        if word.kind == "date":
            text = self._date_hover(word.text)
            return (text, span) if text else None
        if word.kind in ("rule_id", "article"):  # an article in a rule's header tells of its rule
            decl = self.find(word.text) if word.kind == "rule_id" else self.rule_at(word.start)
            return (self._rule_hover(decl), span) if decl else None
        decl = self.find(word.text, word.receiver) if word.receiver else self.find(word.text)
        if decl is None and word.receiver is not None:
            known = self._attribute_text(word.receiver, word.text)
            if known:
                return f"`{word.receiver}.{word.text}`: {known}", span
            # `o.desired_end` where `o` is a loop variable: a field of that name, if only one event has it
            fields = [d for d in self.all_declarations() if d.kind == "field" and d.name == word.text]
            decl = fields[0] if len(fields) == 1 else None
        if decl is None:
            return None
        if decl.kind == "rule":
            return self._rule_hover(decl), span
        lines = [f"```ctr\n{decl.signature}\n```"]
        if decl.label:
            lines.append(decl.label)
        if decl.kind == "field":
            lines.append(f"a field of event `{decl.parent}`")
        elif decl.parent and decl.kind != "case":
            rule = self.find(decl.parent)
            if rule is not None:
                lines.append(f"in rule {self._rule_title(rule)}")
        lines.append(f"declared at line {decl.name_span.line}")
        return "\n\n".join(lines), span

    def _attribute_text(self, receiver: str, name: str) -> str | None:
        """What an attribute is: of the contract, of an item, of a month in a `per month` loop, of any event."""
        receiver_decl = self.find(receiver)
        if receiver == "contract":
            return _CONTRACT_ATTR_TEXT.get(name)
        if receiver_decl is not None and receiver_decl.kind in ("plan", "option", "item", "feature"):
            return _ITEM_ATTR_TEXT.get(name)
        if receiver == "month":
            return _MONTH_ATTR_TEXT.get(name)
        return _EVENT_ATTR_TEXT.get(name)

    def _rule_title(self, rule: Declaration) -> str:
        return rule.signature.removeprefix("rule ") + (f" {rule.label}" if rule.label else "")

    def _rule_hover(self, rule: Declaration) -> str:
        lines = [f"**rule {self._rule_title(rule)}**"]
        if rule.children:
            lines.append("declares " + ", ".join(f"{c.kind} `{c.name}`" for c in rule.children))
        lines.append(f"declared at line {rule.name_span.line}")
        return "\n\n".join(lines)

    def calendar(self) -> tuple[BusinessCalendar, str]:
        if self.model is not None:
            return self.model.calendar, "the contract's calendar"
        return BusinessCalendar(), "the default calendar (weekends and national holidays): the contract does not check yet"

    def _date_hover(self, text: str) -> str | None:
        try:
            day = date.fromisoformat(normalize_digits(text)) if _DATE.fullmatch(text) else parse_japanese_date(
                normalize_digits(text))
        except ValueError as exc:
            return f"`{text}` is not a date: {exc}"
        calendar, which = self.calendar()
        try:
            reason = calendar.closure_reason(day)
        except ValueError as exc:  # outside the years the holiday tables know
            return f"{day.isoformat()} ({_WEEKDAYS[day.weekday()]}): {exc}"
        status = "a business day" if reason is None else f"not a business day ({reason})"
        shown = day.isoformat() if _DATE.fullmatch(text) else f"{day.isoformat()} ({format_japanese_date(day)})"
        return f"**{shown}** {_WEEKDAYS[day.weekday()]}\n\n{status} under {which}"

    def definition(self, offset: int) -> Span | None:
        word = self.word_at(offset)
        if word is None or word.kind in ("date", "article"):
            return None
        decl = self.find(word.text, word.receiver) if word.receiver else None
        decl = decl or self.find(word.text)
        return decl.name_span if decl else None

    def fixes(self, start: int, end: int) -> list[tuple[Diagnostic, Span, str]]:
        """Quick fixes for the problems touching [start, end]: a misspelt name, named in backquotes by the
        message and with `did you mean `x`?` as its hint, replaced by x where it is written in the problem's
        span (once: a name written twice there is left for the author)."""
        out = []
        for d in self.diagnostics:
            hint = _DID_YOU_MEAN.search(d.hint or "")
            if d.span is None or hint is None:
                continue
            first = self.offset(d.span.line, d.span.column)
            last = self.offset(d.span.end_line, d.span.end_column) if d.span.end_line else first + 1
            if not (first <= end and start <= last):
                continue
            for name in re.findall(r"`([^`]+)`", d.message):
                found = [m for m in _WORD.finditer(self.text, first, max(last, first + len(name)))
                         if m.group() == name]
                if len(found) == 1:
                    out.append((d, self.span_of(found[0].start(), found[0].end()), hint.group(1)))
                    break
        return out

    def symbols(self) -> tuple[Declaration, ...]:
        return self.declarations


# Declarations shown as their keyword and name.
_PLAIN = {n.UnitDecl: "unit", n.Calendar: "calendar", n.Contract: "contract"}


def _type(t: n.TypeRef) -> str:
    return t.name + (f" per {t.per}" if t.per else "")


_CONTRACT_ATTR_TEXT = {
    "start": "the day the contract starts (an event that `starts contract`)",
    "end": "the contract's last day, once something has ended it",
    "formed": "the day the contract was formed: the date of the state named `formed`",
    "billing_start": "the day billing starts (`billing from`)",
    "term_end": "the last day of the contract's first term (`term` or `minimum term`)",
    "version": "the label of the version of the terms in force on the day the expression is evaluated "
               "(to compare versions, use `NAME.effective`)",
}
_ITEM_ATTR_TEXT = {
    "quantity": "how many of the item the customer has, on the day the expression is evaluated",
    "ordered": "the date of the event that brought the item",
    "accepted": "the day the item was taken on (its start)",
    "start": "the item's first day: it is held from then",
    "billing_start": "the day the item's fees run from (`starts … billing from`, else its start)",
    "stop_requested": "the day the notice that ends the item arrived",
    "end": "the item's last day, once it has ended",
}
_MONTH_ATTR_TEXT = {
    "start": "the month's first day",
    "end": "the month's last day",
    "days": "the number of days in the month",
}
_EVENT_ATTR_TEXT = {
    "at": "the instant the event happened (Japan time)",
    "date": "the day the event happened (Japan time)",
    "until": "the instant an interval event ends",
    "duration": "how long an interval event lasted",
}
