"""One scanner for every parser state, where it gives the token the state's own scanner would give.

Lark's contextual lexer has a scanner for each set of terminals a parser state accepts: one regular expression,
the alternation of those terminals, compiled the first time the state is met. The first parse of a process
meets over a hundred of them, and compiling them was a fifth of a cold `yakkan check`. The lexer's root
scanner (every terminal, one alternation, compiled once) finds the same token for a state in nearly every case;
`StateLexer` asks it first and goes to the state's own scanner only when it cannot be sure. Once warm, a parse
is slower by about a tenth (the root scanner tries more alternatives at each position).

Why the answer is then the same. An alternation gives its first alternative that matches, and both scanners list
the terminals in lark's one order. Say the root scanner's first match is terminal m at this position.

- The state has m as an alternative of its own. Its scanner tries, before m, alternatives the root scanner
  also tried before m (none matched) and others: keywords that the root scanner folds into a name-like
  terminal (lark's "unless": `for` is scanned as NAME, then retyped) but the state keeps as alternatives because
  it does not accept that terminal, and terminals the root scanner tries only after m. Those are tried here,
  keywords with `startswith` and the others as one pattern; if one matches, the state's own scanner decides.
  Otherwise the state's answer is m, retyped as the state retypes it: to the first of its keywords equal to the
  text (the state's keywords are plain strings; when they are not, its own scanner decides).
- m is name-like and the state does not accept it, but the text spells a keyword the state has as an alternative
  of its own: the state's answer is that keyword, after the same check of what it tries first.
- Anything else (no match, a terminal the state does not accept): the state's own scanner decides.

Every table this needs is computed with lark's own functions when the parser is built, and kept with it.
"""
from __future__ import annotations

import re

import lark
from lark.lexer import BasicLexer, ContextualLexer, PatternStr, Token, _create_unless


# The versions of lark whose BasicLexer.next_token and "unless" tables StateLexer was written against; with any
# other, the parser keeps lark's own lexers (correct, only slower to start).
KNOWN_LARK = ("1.3.",)


class StateLexer:
    """The lexer of one set of parser states: the shared root scanner first, the states' own lexer if need be."""

    def __init__(self, own: BasicLexer, root: BasicLexer, interned: dict):
        self.own = own
        self.root = root
        self.ignore_types = own.ignore_types
        self.newline_types = own.newline_types
        alternatives, retypes = _create_unless(own.terminals, own.g_regex_flags, own.re, own.use_bytes)
        self.alternatives = frozenset(t.name for t in alternatives)
        self.retyped_by_own = frozenset(retypes)
        # A name-like terminal the state retypes: the keyword each spelling becomes, as the root's own
        # `root_spellings` (see share_root_scanner); a terminal retyped otherwise is left to the own scanner.
        self.spellings = {name: _intern(interned, spelling) for name, callback in retypes.items()
                          if (spelling := _spellings(callback)) is not None}
        root_alternatives = root.scanner.terminals  # (building the root scanner sets root.callback)
        self.root_spellings = {name: _intern(interned, spelling) for name, callback in root.callback.items()
                               if (spelling := _spellings(callback)) is not None}
        # (root's terminal, the state's terminal) -> what the state tries before its terminal that the root
        # scanner did not try before its own: keywords (for str.startswith) and one pattern, the alternation of
        # the others; None when there is nothing. The state's answer is its terminal when none of them matches.
        self.tried_first: dict[tuple[str, str], tuple[tuple[str, ...], str | None] | None] = {}
        root_order = {t.name: i for i, t in enumerate(root_alternatives)}
        order = {t.name: i for i, t in enumerate(alternatives)}
        for found in root_alternatives:
            answers = [found.name] if found.name in order else []
            answers += [keyword for keyword in self.root_spellings.get(found.name, {}).values()
                        if keyword in order and keyword not in root_order]
            for answer in answers:
                keywords, patterns = [], []
                for tried in alternatives[:order[answer]]:
                    if tried.name in root_order and root_order[tried.name] < root_order[found.name]:
                        continue  # the root scanner tried it first, and it did not match
                    if isinstance(tried.pattern, PatternStr) and not tried.pattern.flags:
                        keywords.append(tried.pattern.value)
                    else:
                        patterns.append(tried.pattern.to_regexp())
                first = (tuple(keywords), "|".join(f"(?:{p})" for p in patterns) or None)
                self.tried_first[_intern(interned, (found.name, answer))] = (
                    _intern(interned, first) if keywords or patterns else None)

    def next_token(self, lex_state, parser_state=None) -> Token:
        line_ctr = lex_state.line_ctr
        text = lex_state.text
        source, end = text.text, text.end
        scanner = self.root.scanner
        while line_ctr.char_pos < end:
            position = line_ctr.char_pos
            found = scanner.match(text, position)
            if found is None:
                return self.own.next_token(lex_state, parser_state)
            value, found_type = found
            if found_type in self.alternatives:  # the state scans it too, then retypes it its own way
                type_ = final = found_type
                if found_type in self.retyped_by_own:
                    spelling = self.spellings.get(found_type)
                    if spelling is None:
                        return self.own.next_token(lex_state, parser_state)
                    final = spelling.get(value, found_type)
            else:  # a keyword the root scanner reads as a name, and the state as itself
                spelling = self.root_spellings.get(found_type)
                type_ = final = spelling.get(value) if spelling is not None else None
                if type_ not in self.alternatives:
                    return self.own.next_token(lex_state, parser_state)
            first = self.tried_first.get((found_type, type_), _UNKNOWN)
            if first is not None:
                if first is _UNKNOWN:
                    return self.own.next_token(lex_state, parser_state)
                keywords, pattern = first
                if ((keywords and source.startswith(keywords, position, end))
                        or (pattern is not None and _compiled(pattern).match(source, position, end))):
                    return self.own.next_token(lex_state, parser_state)
            # From here as lark's BasicLexer.next_token, with the type the state's own scanner gives.
            ignored = type_ in self.ignore_types
            token = None
            if not ignored or type_ in self.retyped_by_own:
                token = Token(type_, value, position, line_ctr.line, line_ctr.column)
            line_ctr.feed(value, type_ in self.newline_types)
            if token is not None:
                token.end_line = line_ctr.line
                token.end_column = line_ctr.column
                token.end_pos = line_ctr.char_pos
                token.type = final
                if not ignored:
                    lex_state.last_token = token
                    return token
        raise EOFError(self)


_UNKNOWN = object()  # a pair of terminals with no table: the own scanner decides


def _spellings(callback) -> dict[str, str] | None:
    """lark's UnlessCallback as a table: each spelling -> the keyword the token becomes. The callback gives the
    first of its keywords that the whole token matches, which for a keyword written as a plain string is the
    first one equal to it; None for keywords written otherwise (with flags), which only the callback can tell."""
    keywords = getattr(getattr(callback, "scanner", None), "terminals", None)
    if keywords is None or not all(isinstance(t.pattern, PatternStr) and not t.pattern.flags for t in keywords):
        return None
    table: dict[str, str] = {}
    for t in keywords:
        table.setdefault(t.pattern.value, t.name)
    return table


def _intern(interned: dict, value):
    """One object for equal tables, so that the kept parser holds (and loads) each once."""
    key = tuple(sorted(value.items())) if isinstance(value, dict) else value
    return interned.setdefault(key, value)


_COMPILED: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    """One terminal's pattern, compiled once a process (as the alternative it is in a scanner, alone)."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled


def share_root_scanner(lexer: ContextualLexer) -> None:
    """Give every parser state of `lexer` a StateLexer (one per set of states that shared a lexer). The parser
    must not have parsed yet: the tables are computed here, and no compiled scanner is kept with the parser."""
    root = lexer.root_lexer
    if not lark.__version__.startswith(KNOWN_LARK) or root.user_callbacks or root.g_regex_flags or root.use_bytes:
        return  # StateLexer reproduces this version's BasicLexer.next_token, for a lexer without these
    shared: dict[int, StateLexer] = {}
    interned: dict = {}
    for state, own in lexer.lexers.items():
        if id(own) not in shared:
            shared[id(own)] = StateLexer(own, root, interned)
        lexer.lexers[state] = shared[id(own)]
    root._scanner = None  # compiled again, once, in the process that parses
    root.__dict__.pop("callback", None)  # (set again with the scanner)
