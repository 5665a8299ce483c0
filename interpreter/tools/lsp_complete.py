"""Completion for the language server: the keywords the grammar accepts at the cursor, the contract's
names where a name can stand, and an event's fields after `event.`.

What the grammar accepts is asked of Lark's interactive parser: it is fed the text before the word being
typed and says which terminals could come next. Where the text before the cursor does not parse (a
mistake further up), every keyword and name is offered rather than none.
"""
from __future__ import annotations

import re

import attrs
from lark.exceptions import LarkError

from interpreter.check.infer import BUILTINS, CONTRACT_ATTRS, EVENT_ATTRS, ITEM_ATTRS, MONTH_ATTRS
from interpreter.tools.highlight import KEYWORDS
from interpreter.tools.lsp_index import Document
from interpreter.syntax.parse import parser

_PARTIAL = re.compile(r"[^\W\d]\w*$")
_WORD_END = re.compile(r"([^\W\d]\w*)\s*$")
# After these words a new name is being declared: nothing the contract has already declared fits there.
_DECLARING = {"each", "contract", "calendar", "unit", "enum", "param", "plan", "option", "item", "feature", "event", "choice",
              "notice", "obligation", "let", "amendment", "version", "charge", "credit", "state", "finding"}
# After these words only an event fits (`on service_start`, `via reduction_claim`, `met by payment`).
_EVENT_AFTER = {"on", "via", "met by", "paid by"}
_NAME_KINDS = ("plan", "option", "item", "feature", "event", "param", "case", "state", "notice", "choice",
               "reading")


@attrs.frozen
class Completion:
    label: str
    kind: str  # a key of COMPLETION_KINDS in lsp
    detail: str | None = None


def accepted_terminals(text: str) -> set[str] | None:
    """Terminals the grammar accepts after `text`, or None when `text` does not parse that far."""
    try:
        state = parser().parse_interactive(text)
        state.exhaust_lexer()
        return set(state.accepts())
    except LarkError:
        return None


def _keyword(terminal: str) -> str | None:
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return None
    return pattern.value if pattern.type == "str" and pattern.value.isalpha() else None


def _attributes(doc: Document, receiver: str) -> list[Completion]:
    decl = doc.find(receiver)
    if receiver == "contract":
        return [Completion(a, "attribute", "of the contract") for a in CONTRACT_ATTRS]
    if decl is not None and decl.kind == "event":
        interval = " interval" in decl.signature
        out = [Completion(f.name, "field", f.signature + (f" — {f.label}" if f.label else "")) for f in decl.children]
        return out + [Completion(a, "attribute", "of every event") for a in EVENT_ATTRS
                      if interval or a not in ("until", "duration")]
    if decl is not None and decl.kind in ("plan", "option", "item", "feature"):
        return [Completion(a, "attribute", f"of {decl.kind} {decl.name}") for a in ITEM_ATTRS]
    # A loop variable or a name declared nowhere: offer whatever an attribute can be.
    fields = {f.name: f for d in doc.all_declarations() if d.kind == "event" for f in d.children}
    out = [Completion(f.name, "field", f"{f.signature} (event {f.parent})") for f in fields.values()]
    return out + [Completion(a, "attribute") for a in dict.fromkeys([*EVENT_ATTRS, *MONTH_ATTRS, *ITEM_ATTRS])]


def _names(doc: Document, before: str) -> list[Completion]:
    """The names that may stand after the words `before` the cursor."""
    words = before.split()
    if (words and words[-1] in _EVENT_AFTER) or " ".join(words[-2:]) in _EVENT_AFTER:
        return [Completion(d.name, d.kind, d.label) for d in doc.all_declarations() if d.kind == "event"]
    out = [Completion(d.name, d.kind, d.label) for d in doc.all_declarations() if d.kind in _NAME_KINDS]
    out.append(Completion("contract", "contract", "the customer's contract: start, end, formed, …"))
    return out + [Completion(f, "function", "built-in function") for f in BUILTINS]


def complete(doc: Document, offset: int) -> list[Completion]:
    """What may be written at `offset`, whatever has been typed of it already (the client filters)."""
    text = doc.text
    if doc.in_comment_or_string(offset):
        return []
    line_start = text.rfind("\n", 0, offset) + 1
    partial = _PARTIAL.search(text[line_start:offset])
    start = line_start + partial.start() if partial else offset
    if start > 0 and text[start - 1] == ".":
        receiver = _WORD_END.search(text[line_start:start - 1])
        return _attributes(doc, receiver.group(1) if receiver else "")
    accepted = accepted_terminals(text[:start])
    before = text[max(0, start - 200):start]
    if accepted is None:
        return _unique([Completion(k, "keyword") for k in KEYWORDS] + _names(doc, before))
    out = [Completion(k, "keyword") for k in sorted(filter(None, map(_keyword, accepted)))]
    previous = _WORD_END.search(before)
    if "NAME" in accepted and not (previous and previous.group(1) in _DECLARING):
        out += _names(doc, before)
    return _unique(out)


def _unique(items: list[Completion]) -> list[Completion]:
    seen: dict[str, Completion] = {}
    for c in items:
        seen.setdefault(c.label, c)
    return list(seen.values())
