"""Source text -> Lark parse tree, with every syntax problem turned into a located diagnostic.

This is the standard path: a file that parses is parsed by interpreter.syntax.direct_parse without a tree, and
comes here only when it does not (the diagnostics and repairs are made here) or for the tools that read trees.
"""
from __future__ import annotations

import gc
import sys
from functools import lru_cache
from pathlib import Path

import lark

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from interpreter.cache import private_cache_file
from interpreter.diagnostics import Diagnostic
from interpreter.syntax.before_parse import MAX_DEPTH, bracket_depths, grammar_path, text_problem  # noqa: F401
from interpreter.syntax.retired import retired_statement
from interpreter.syntax.source import SourceFile, Span

def _cache_file(grammar: str, keep_all_tokens: bool) -> str | bool:
    """Where the parser for this grammar may be kept between runs, or False (build it every time). It is
    kept with pickle, so only in the user's private cache folder (see interpreter.cache)."""
    import hashlib

    from interpreter.syntax import shared_scanner, state_scan

    # The kept parser holds StateLexer and StateScan objects: a change to their modules makes a new file, as a
    # new grammar does.
    code = b"".join(Path(module.__file__).read_bytes() for module in (shared_scanner, state_scan))
    key = hashlib.sha256(grammar.encode("utf-8") + code).hexdigest()[:16]
    version = f"{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    path = private_cache_file(f"parser-{key}-{'tokens' if keep_all_tokens else 'tree'}-{version}.pickle")
    return False if path is None else str(path)


def build_parser(grammar: str, keep_all_tokens: bool) -> Lark:
    """A new parser for the grammar's text: its LALR tables take seconds to build."""
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False,
                keep_all_tokens=keep_all_tokens)


@lru_cache(maxsize=2)
def parser(keep_all_tokens: bool = False) -> Lark:
    """The parser; `keep_all_tokens` keeps keywords and punctuation in the tree (for the formatter). Built
    once and then loaded, ready, from the private cache folder (see interpreter.syntax.parser_cache)."""
    from interpreter.syntax.parser_cache import lean, load_parser, save_parser
    from interpreter.syntax.shared_scanner import share_root_scanner

    grammar = grammar_path().read_text(encoding="utf-8")
    path = _cache_file(grammar, keep_all_tokens)
    if path:
        kept = load_parser(Path(path))
        if kept is not None:
            # The parser's hundred thousand objects live as long as the process: left to the garbage
            # collector, they would be traversed again at every full collection of the parse that follows.
            gc.freeze()
            return kept
    built = lean(build_parser(grammar, keep_all_tokens))
    share_root_scanner(built.parser.lexer)
    if path:
        save_parser(built, Path(path))
    return built


# How terminals are named in messages.
_READABLE = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "JSTRING": "a string",
    "DATE": "a date",
    "JDATE": "a date",
    "DATETIME": "a date-time",
    "RULE_ID": "a rule id such as ITS-1",
    "ARTICLE": "an article such as 第25条第1項",
    "MONTHDAY": "a month and day such as 12-29",
    "ORDINAL": "an ordinal such as 5th",
    "COMPARE": "a comparison",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`×` or `÷`",
    "PERCENT": "`%`",
    "$END": "the end of the file",
}


def _describe(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    if pattern.type == "str":
        return f"`{pattern.value}`"
    return terminal.lower()


def _expected(names) -> str:
    described = sorted({_describe(n) for n in names})
    if len(described) > 8:
        # A long list helps nobody: keep the keywords and say how many more there are.
        shown = [d for d in described if d.startswith("`")][:8]
        rest = len(described) - len(shown)
        if rest > 1:
            return ", ".join(shown) + f" or one of {rest} other kinds of token"
        described = shown + [d for d in described if d not in shown]
    if len(described) == 1:
        return described[0]
    return ", ".join(described[:-1]) + " or " + described[-1]


def _token_span(source: SourceFile, token: Token) -> Span:
    line, col = token.line or 1, token.column or 1
    end_col = token.end_column if token.end_line == token.line and token.end_column else col + 1
    return Span(source.name, line, col, line, end_col)


def _show(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "…"
    return f"`{text}`"


# Curated messages for mistakes authors make (lark's match_examples picks the nearest).
_EXAMPLES: dict[tuple[str, str, str], list[str]] = {
    ("E401", "the rule has no citation: write the article it encodes after its id",
     "for example `rule ITS-1 第12条 \"最低利用期間\" { … }`"): [
        "rule ITS-1 { }",
        'rule ITS-1 "title" { }',
        "rule ITS-1 when x { }",
    ],
    ("E102", "a rule needs an id such as ITS-1 before its article",
     "for example `rule ITS-1 第12条 { … }`"): [
        "rule 第12条 { }",
        'rule "title" { }',
    ],
    ("E102", "the amount of a fee comes before the items it applies to",
     "write `monthly fee 10,000 yen for www;`"): [
        "rule A-1 第1条 { monthly fee for www 10 yen; }",
    ],
}


def _last_value(state) -> tuple:
    """What the parser last shifted: a keyword's type, or a name's text (`for` read as a name, say)."""
    value = state.value_stack[-1] if state.value_stack else None
    if isinstance(value, Token):
        return (value.type, str(value) if value.type == "NAME" else None)
    return ("tree", getattr(value, "data", None))


def _curated(source: SourceFile, exc: UnexpectedInput) -> tuple[str, str, str] | None:
    # lark's match_examples compares the depth of the whole parser stack, so an example written as a
    # first declaration never matches the same mistake further down a real file. Compare the automaton
    # state and the last thing shifted instead.
    try:
        if not isinstance(exc, UnexpectedToken) or exc.state is None:
            return None
        for label, examples in _EXAMPLES.items():
            for example in examples:
                try:
                    parser().parse(example)
                except UnexpectedToken as ut:
                    if (ut.state is not None and ut.state.position == exc.state.position
                            and ut.token.type == exc.token.type
                            and _last_value(ut.state) == _last_value(exc.state)):
                        return label
        return None
    except Exception:  # a curated message is a nicety; the generic one is always right
        return None


def _unterminated(source: SourceFile, exc: UnexpectedCharacters) -> bool:
    ch = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
    return ch in "\"「"


def _diagnose(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        span = source.span_at(exc.pos_in_stream)
        if _unterminated(source, exc):
            closer = "」" if source.text[exc.pos_in_stream] == "「" else '"'
            return Diagnostic("E104", "this string is not closed on its line", span,
                              hint=f"close it with {closer}; a string cannot span lines")
        ch = source.text[exc.pos_in_stream]
        shown = repr(ch) if not ch.isprintable() or ch.isspace() else f"`{ch}`"
        allowed = getattr(exc, "allowed", None) or set()
        hint = f"expected {_expected(allowed)}" if allowed else None
        return Diagnostic("E105", f"unexpected character {shown}", span, hint=hint)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            span = source.span_at(max(0, len(source.text.rstrip()) - 1))
            return Diagnostic("E103", "the file ends in the middle of a declaration", span,
                              hint=f"expected {_expected(exc.expected)}")
        span = _token_span(source, token)
        retired = retired_statement(source.line_text(token.line)) if token.line else None
        if retired:
            form, general = retired
            return Diagnostic("E109", f"`{form}` is no longer part of the language", span, hint=general)
        curated = _curated(source, exc)
        if curated:
            code, message, hint = curated
            return Diagnostic(code, message, span, hint=hint)
        expected = exc.accepts or exc.expected
        if "SEMICOLON" in expected and token.line and _previous_line_ends_statement(source, token):
            return Diagnostic("E102", f"expected `;` before {_show(token)}", span,
                              hint="end the statement on the line above with `;`")
        return Diagnostic("E102", f"unexpected {_show(token)}", span, hint=f"expected {_expected(expected)}")
    span = source.span_at(len(source.text))
    return Diagnostic("E103", "the file ends in the middle of a declaration", span)


def _previous_line_ends_statement(source: SourceFile, token: Token) -> bool:
    """True when the unexpected token starts a line: the `;` was most likely forgotten above it."""
    line = source.line_text(token.line)
    return line[: token.column - 1].strip() == ""


def _tree_depth_problem(source: SourceFile, tree: Tree) -> Diagnostic | None:
    """Long operator chains nest without brackets; measure the tree without recursion."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH * 2:
            line = getattr(node.meta, "line", 1) if hasattr(node, "meta") else 1
            col = getattr(node.meta, "column", 1) if hasattr(node, "meta") else 1
            return Diagnostic("E106", "this expression is nested too deep to evaluate",
                              Span(source.name, line, col, line, col + 1),
                              hint="split the expression with `let` bindings")
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return None


def parse(source: SourceFile) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse one file. Returns the tree, or None with the diagnostics that explain why not."""
    if not source.text.strip():
        return Tree("start", []), []
    problem = text_problem(source)
    if problem:
        return None, [problem]
    diagnostics: list[Diagnostic] = []

    def recover(exc: UnexpectedInput) -> bool:
        # Only a forgotten `;` at a line end is repaired, so that the rest of the file is still checked.
        diagnostics.append(_diagnose(source, exc))
        if (
            isinstance(exc, UnexpectedToken)
            and exc.token.type != "$END"
            and "SEMICOLON" in exc.expected
            and _previous_line_ends_statement(source, exc.token)
            and len(diagnostics) < 50
        ):
            exc.interactive_parser.feed_token(Token("SEMICOLON", ";"))
            exc.interactive_parser.feed_token(exc.token)
            return True
        return False

    try:
        tree = parser().parse(source.text, on_error=recover)
    except UnexpectedInput as exc:
        if not diagnostics or diagnostics[-1].span != _diagnose(source, exc).span:
            diagnostics.append(_diagnose(source, exc))
        return None, diagnostics
    problem = _tree_depth_problem(source, tree)
    if problem:
        return None, diagnostics + [problem]
    # Every error so far was a repaired `;`: the tree is whole and can still be checked.
    return tree, diagnostics
