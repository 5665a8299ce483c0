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

Every table this needs is computed with lark's own functions when the parser is built, and kept with it, as a
StateScan (interpreter.syntax.state_scan), which interpreter.syntax.direct_parse uses too.
"""
from __future__ import annotations

import lark
from lark.lexer import BasicLexer, ContextualLexer, PatternStr, Token, _create_unless

from interpreter.syntax.state_scan import StateScan


# The versions of lark whose BasicLexer.next_token and "unless" tables StateLexer was written against; with any
# other, the parser keeps lark's own lexers (correct, only slower to start).
KNOWN_LARK = ("1.3.",)


class StateLexer:
    """The lexer of one set of parser states: the shared root scanner first, the states' own lexer if need be."""

    def __init__(self, own: BasicLexer, root: BasicLexer, interned: dict):
        self.own = own
        self.root = root
        alternatives, retypes = _create_unless(own.terminals, own.g_regex_flags, own.re, own.use_bytes)
        order = {t.name: i for i, t in enumerate(alternatives)}
        root_alternatives = root.scanner.terminals  # (building the root scanner sets root.callback)
        root_order = {t.name: i for i, t in enumerate(root_alternatives)}
        root_spellings = {name: _intern(interned, spelling) for name, callback in root.callback.items()
                          if (spelling := _spellings(callback)) is not None}
        tried_first: dict[tuple[str, str], tuple[tuple[str, ...], str | None] | None] = {}
        for found in root_alternatives:
            answers = [found.name] if found.name in order else []
            answers += [keyword for keyword in root_spellings.get(found.name, {}).values()
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
                tried_first[_intern(interned, (found.name, answer))] = (
                    _intern(interned, first) if keywords or patterns else None)
        self.scan = StateScan(
            alternatives=frozenset(order), retyped_by_own=frozenset(retypes),
            spellings={name: _intern(interned, spelling) for name, callback in retypes.items()
                       if (spelling := _spellings(callback)) is not None},
            root_spellings=root_spellings, tried_first=tried_first, ignore_types=frozenset(own.ignore_types),
            newline_types=frozenset(own.newline_types), own_patterns=scanner_patterns(own))

    def next_token(self, lex_state, parser_state=None) -> Token:
        line_ctr = lex_state.line_ctr
        text = lex_state.text
        source, end = text.text, text.end
        scanner = self.root.scanner
        scan = self.scan
        while line_ctr.char_pos < end:
            position = line_ctr.char_pos
            found = scanner.match(text, position)
            answer = found and scan.answer(source, position, end, *found)
            if not answer:
                return self.own.next_token(lex_state, parser_state)
            value, (type_, final) = found[0], answer
            # From here as lark's BasicLexer.next_token, with the type the state's own scanner gives.
            ignored = type_ in scan.ignore_types
            token = None
            if not ignored or type_ in scan.retyped_by_own:
                token = Token(type_, value, position, line_ctr.line, line_ctr.column)
            line_ctr.feed(value, type_ in scan.newline_types)
            if token is not None:
                token.end_line = line_ctr.line
                token.end_column = line_ctr.column
                token.end_pos = line_ctr.char_pos
                token.type = final
                if not ignored:
                    lex_state.last_token = token
                    return token
        raise EOFError(self)


def scanner_patterns(lexer: BasicLexer) -> tuple[str, ...]:
    """The regular expressions of a lexer's scanner: lark's alternations of named groups, in its order. The
    scanner is compiled for this and then dropped: the parser is kept without compiled patterns."""
    built = lexer._scanner is not None
    patterns = tuple(compiled.pattern for compiled in lexer.scanner._mres)
    if not built:
        lexer._scanner = None
        lexer.__dict__.pop("callback", None)
    return patterns


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
