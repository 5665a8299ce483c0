"""What the scanner of one set of parser states answers, as plain data: lark's contextual lexer made a table.

interpreter.syntax.shared_scanner explains the method and computes these tables from lark's lexers when the
parser is built; its StateLexer (inside lark's parser) and interpreter.syntax.direct_parse (without lark) both
ask `StateScan.answer`. Nothing here imports lark.
"""
from __future__ import annotations

import re

_UNKNOWN = object()  # a pair of terminals with no table: the own scanner decides


class StateScan:
    """The tables of one state's scanner. `own_patterns` is its own scanner (lark's alternations of named
    groups, in lark's order), for the direct parser when the root scanner's token cannot decide."""

    def __init__(self, alternatives: frozenset, retyped_by_own: frozenset, spellings: dict, root_spellings: dict,
                 tried_first: dict, ignore_types: frozenset, newline_types: frozenset, own_patterns: tuple):
        self.alternatives = alternatives
        self.retyped_by_own = retyped_by_own
        # A name-like terminal the state retypes: the keyword each spelling becomes (a terminal retyped
        # otherwise is left to the own scanner).
        self.spellings = spellings
        # The same for the root scanner's retyped terminals.
        self.root_spellings = root_spellings
        # (root's terminal, the state's terminal) -> what the state tries before its terminal that the root
        # scanner did not try before its own: keywords (for str.startswith) and one pattern, the alternation of
        # the others; None when there is nothing. The state's answer is its terminal when none of them matches.
        self.tried_first = tried_first
        self.ignore_types = ignore_types
        self.newline_types = newline_types
        self.own_patterns = own_patterns
        # The root scanner's terminals the state takes whatever follows them (what `answer` says when it need
        # not look further): each with the keyword each spelling becomes, None when it stays as it is. Most
        # tokens are, and the spaces between them.
        self.taken_as_found = {found: spellings.get(found) for found in alternatives
                               if tried_first.get((found, found), _UNKNOWN) is None
                               and (found not in retyped_by_own or spellings.get(found) is not None)}

    def answer(self, source: str, position: int, end: int, value: str, found_type: str) -> tuple[str, str] | None:
        """(the terminal, the type it is retyped to) the state's own scanner gives at `position`, where the root
        scanner found `value` of `found_type`; None when only the own scanner can tell."""
        if found_type in self.alternatives:  # the state scans it too, then retypes it its own way
            type_ = final = found_type
            if found_type in self.retyped_by_own:
                spelling = self.spellings.get(found_type)
                if spelling is None:
                    return None
                final = spelling.get(value, found_type)
        else:  # a keyword the root scanner reads as a name, and the state as itself
            spelling = self.root_spellings.get(found_type)
            type_ = final = spelling.get(value) if spelling is not None else None
            if type_ not in self.alternatives:
                return None
        first = self.tried_first.get((found_type, type_), _UNKNOWN)
        if first is not None:
            if first is _UNKNOWN:
                return None
            keywords, pattern = first
            if ((keywords and source.startswith(keywords, position, end))
                    or (pattern is not None and compiled(pattern).match(source, position, end))):
                return None
        return type_, final

    def own_answer(self, source: str, position: int, end: int) -> tuple[str, str, str] | None:
        """(text, terminal, type it is retyped to) of the state's own scanner, or None: no token here, or one
        only lark's retyping can tell."""
        for pattern in self.own_patterns:
            found = compiled(pattern).match(source, position, end)
            if found:
                value, type_ = found.group(0), found.lastgroup
                if type_ not in self.retyped_by_own:
                    return value, type_, type_
                spelling = self.spellings.get(type_)
                return None if spelling is None else (value, type_, spelling.get(value, type_))
        return None


_COMPILED: dict[str, re.Pattern] = {}


def compiled(pattern: str) -> re.Pattern:
    """A pattern compiled once a process."""
    found = _COMPILED.get(pattern)
    if found is None:
        found = _COMPILED[pattern] = re.compile(pattern)
    return found
