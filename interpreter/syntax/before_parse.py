"""What is known of a file before it is parsed, and where the grammar is. Nothing here imports lark: a
check that parses takes interpreter.syntax.direct_parse, which does not need it.

The grammar file is the single source of the syntax. It is found next to the package when installed
from a wheel (`interpreter/_grammar/`) and in the repository's `grammar/` folder otherwise.
"""
from __future__ import annotations

import re
from pathlib import Path

from interpreter.diagnostics import Diagnostic
from interpreter.syntax.source import SourceFile

MAX_DEPTH = 120  # deeper than any real contract; keeps every later stage far from Python's recursion limit


def grammar_path() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "_grammar" / "yakkan.lark", here.parent.parent / "grammar" / "yakkan.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("grammar/yakkan.lark is missing from this installation")


# The only characters that open or close a bracket, a string or a comment: bracket_depths looks at no other.
_BRACKETS_QUOTES_COMMENTS = re.compile(r'[()\[\]{}"「」#\n]')


def bracket_depths(text: str):
    """(offset, depth after it) for every bracket outside strings and comments."""
    depth = 0
    quote: str | None = None
    comment = False
    for match in _BRACKETS_QUOTES_COMMENTS.finditer(text):
        i, ch = match.start(), match.group()
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == quote or ch == "\n":
                quote = None
        elif ch == "#":
            comment = True
        elif ch in "\"「":
            quote = '"' if ch == '"' else "」"
        elif ch in "([{":
            depth += 1
            yield i, depth
        elif ch in ")]}":
            depth -= 1
            yield i, depth


def _nesting_problem(source: SourceFile) -> Diagnostic | None:
    """Bracket nesting is checked on the raw text so that hostile input never reaches a recursive stage."""
    for i, depth in bracket_depths(source.text):
        if depth > MAX_DEPTH:
            return Diagnostic("E106", f"brackets are nested more than {MAX_DEPTH} deep", source.span_at(i),
                              hint="split the expression with `let` bindings")
    return None


def _nul_problem(source: SourceFile) -> Diagnostic | None:
    """A NUL character ends a string in C and in many terminals: never accepted, even in a string or comment."""
    offset = source.text.find("\x00")
    if offset < 0:
        return None
    return Diagnostic("E105", "unexpected character '\\x00' (NUL)", source.span_at(offset),
                      hint="a contract is text: remove the NUL character (it is not allowed in strings either)")


def text_problem(source: SourceFile) -> Diagnostic | None:
    """What makes a file unfit to be given to the parser at all."""
    return _nesting_problem(source) or _nul_problem(source)
