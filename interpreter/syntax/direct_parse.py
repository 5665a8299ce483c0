"""Source text -> AST in one pass: lark's LALR tables driven here, each reduction handed to the builder.

The standard path (interpreter.syntax.parse, then interpreter.syntax.build) lets lark build a parse tree, with
the position of every node (`propagate_positions`), and then walks it with a Transformer that calls the builder's
method for each node. Both passes were most of the time of a check. Here the same automaton and the same tokens
are used (interpreter.syntax.direct_tables computes the tables from lark's parser; interpreter.syntax.state_scan
answers for each state's scanner), and a reduction calls the builder's method at once, with the children and the
position the tree would have given it: no tree is built and none is walked, and lark is not imported.
The builder's methods are called in the order the Transformer calls them (children first, left to right), so
even their diagnostics come in the same order.

Only a file that parses goes this way to the end. At a syntax error, a tree deeper than the standard path
accepts, a node the builder has no method for, or a builder method that raises, the caller takes the standard
path from the start: the messages, the repairs of a forgotten `;` and the exceptions are then exactly lark's
(tests/test_direct_parse.py compares the two paths).

The tables are kept in the user's private cache folder, as the standard path's parser is (see
interpreter.syntax.parser_cache), in a file that holds only data and the `fingerprint` it was made from: the
grammar, the modules that make and read the tables, and lark's version.
"""
from __future__ import annotations

import gc
import pickle
from functools import lru_cache
from pathlib import Path

from interpreter.diagnostics import Diagnostic
from interpreter.syntax import nodes as n
from interpreter.syntax.before_parse import MAX_DEPTH, grammar_path, text_problem
from interpreter.syntax.source import SourceFile
from interpreter.syntax.state_scan import compiled
from interpreter.syntax.tokens import EMPTY_META, Meta, Token

# What a reduction does (the first field of a plan, see interpreter.syntax.direct_tables).
UNIT = 0  # a `?rule` alternative of one child, kept as it is: only the parser's state changes
NODE = 1  # a node: the builder's method is called
INLINE = 2  # a `_rule`: its children go to its parent
SINGLE = 3  # a `?rule` alternative that is a node unless a single child is kept
_FLAT = 4  # (set when the direct parser is made) a node none of whose children is a `_rule`: `kept` lists indices


class DirectTables:
    """The LALR automaton and its scanners as plain data."""

    def __init__(self, states: list[dict[str, int]], plans: list[tuple], start: int, end: int, scans: list,
                 root_patterns: tuple[str, ...], fingerprint: bytes | None):
        self.states = states  # states[s][symbol]: the state to shift to (>= 0), or ~i to reduce by plans[i]
        self.plans = plans
        self.start = start
        self.end = end
        self.scans = scans  # scans[s]: the StateScan of state s
        self.root_patterns = root_patterns  # the root scanner (every terminal), as lark's alternations
        self.fingerprint = fingerprint


class _Fallback(Exception):
    """The standard path must decide: a syntax error, a node nested too deep, or a node the builder cannot make."""


class DirectParser:
    """Parses with the tables, building with one builder class."""

    def __init__(self, tables: DirectTables, builder_class, max_height: int):
        self.tables = tables
        self.max_height = max_height
        self.actions = [_action(plan, builder_class) for plan in tables.plans]
        self.unit_chains: dict[tuple[int, int, str], int] = {}

    def _unit_chain(self, below: int, top: int, symbol: str) -> int:
        """The state a chain of UNIT reductions from `top` (over `below`) leads to before `symbol`."""
        states, actions = self.tables.states, self.actions
        while True:
            code = states[top].get(symbol)
            if code is None or code >= 0 or actions[~code][0] != UNIT:
                return top
            top = states[below][actions[~code][1]]

    def parse(self, text: str, builder):
        """The value the builder gives the whole file, or raises _Fallback."""
        tables = self.tables
        states, scans, actions = tables.states, tables.scans, self.actions
        end_state, max_height = tables.end, self.max_height
        root = [compiled(pattern).match for pattern in tables.root_patterns]
        root_match = root[0] if len(root) == 1 else None
        end = len(text)
        position, line, line_start = 0, 1, 0
        state = tables.start
        state_stack = [state]
        # One entry per symbol on the stack: (value, (line, column, end line, end column) or None, height), the
        # height counting the nodes of the parse tree the standard path would build (tokens count none).
        entries: list[tuple] = []
        unit_chains = self.unit_chains
        push_state = state_stack.append
        push = entries.append
        new_token = str.__new__
        token = None
        while True:
            # The next token, as the scanner of this state gives it.
            scan = scans[state]
            taken_as_found, ignore_types, newline_types = scan.taken_as_found, scan.ignore_types, scan.newline_types
            while True:
                if position >= end:
                    token, symbol = None, "$END"
                    break
                if root_match is not None:
                    found = root_match(text, position)
                else:
                    found = next((found for match in root if (found := match(text, position))), None)
                answer = None
                if found:
                    value = found.group()
                    type_ = found.lastgroup
                    if type_ in taken_as_found:
                        spelling = taken_as_found[type_]
                        symbol = type_ if spelling is None else spelling.get(value, type_)
                        answer = True
                    else:
                        answer = scan.answer(text, position, end, value, type_)
                        if answer is not None:
                            type_, symbol = answer
                if answer is None:
                    own = scan.own_answer(text, position, end)
                    if own is None:
                        raise _Fallback
                    value, type_, symbol = own
                start_line, column = line, position - line_start + 1
                if type_ in newline_types:
                    newlines = value.count("\n")
                    if newlines:
                        line += newlines
                        line_start = position + value.rindex("\n") + 1
                position += len(value)
                if type_ not in ignore_types:
                    # (Token's fields set here rather than by its constructor: a call less for every token)
                    token = new_token(Token, value)
                    token.type = symbol
                    token.line = start_line
                    token.column = column
                    token.end_line = line
                    token.end_column = position - line_start + 1
                    break
            # Reduce as far as the token says, then shift it.
            while True:
                code = states[state].get(symbol)
                if code is None:
                    raise _Fallback
                if code >= 0:
                    if token is None:
                        raise _Fallback  # ($END is never shifted)
                    push_state(code)
                    push((token, (start_line, column, line, token.end_column), 0))
                    state = code
                    break
                kind, origin, size, kept, method, wants_meta = actions[~code]
                if kind == UNIT:
                    # A chain of them (an atom read as an expression climbs ten rules) ends in the same state
                    # for the same state below it and the same token: worked out once.
                    below = state_stack[-2]
                    key = (below, state, symbol)
                    top = unit_chains.get(key)
                    if top is None:
                        top = unit_chains[key] = self._unit_chain(below, state, symbol)
                    state = state_stack[-1] = top
                    continue
                if size:
                    raw = entries[-size:]
                    del entries[-size:]
                    del state_stack[-size:]
                    first, last = raw[0][1], raw[-1][1]
                    span = (first[0], first[1], last[2], last[3])
                else:
                    raw, span = (), None
                height = 0
                if kind == _FLAT:
                    values = []
                    for i in kept:
                        entry = raw[i]
                        values.append(entry[0])
                        if entry[2] > height:
                            height = entry[2]
                else:
                    children = []
                    for i, put_in_place in kept:
                        entry = raw[i]
                        if put_in_place:
                            children += entry[0]
                        else:
                            children.append(entry)
                        if entry[2] > height:
                            height = entry[2]
                    if kind == INLINE or (kind == SINGLE and len(children) == 1):
                        if kind == INLINE:
                            push((children, span, height))
                        else:
                            child = children[0]
                            push(child if child[2] == 0 else (child[0], span, child[2]))
                        state = states[state_stack[-1]][origin]
                        push_state(state)
                        continue
                    values = [child[0] for child in children]
                height += 1
                if height > max_height or method is None:
                    raise _Fallback
                try:
                    if wants_meta:
                        value = method(builder, EMPTY_META if span is None else Meta(*span), values)
                    else:
                        value = method(builder, values)
                except Exception:
                    raise _Fallback  # the standard path raises it as lark's VisitError
                push((value, span, height))
                state = states[state_stack[-1]][origin]
                push_state(state)
                if token is None and state == end_state:
                    return value


def _action(plan: tuple, builder_class) -> tuple:
    """(kind, origin, size, kept, method, wants_meta): the plan with the builder's function for a node, None when
    the builder has no method for it (the standard path would leave a lark Tree there)."""
    kind, origin, size, kept, name = plan
    method = getattr(builder_class, name, None) if kind in (NODE, SINGLE) else None
    if not callable(method) or isinstance(method, type):
        method = None
    if (kind == NODE or (kind == SINGLE and len(kept) != 1)) and not any(inline for _, inline in kept):
        kind, kept = _FLAT, tuple(i for i, _ in kept)
    return (kind, origin, size, kept, method, getattr(method, "wants_meta", False))


# ------------------------------------------------------------------ the tables, kept between runs


def _fingerprint() -> bytes | None:
    """What the tables are made from: the grammar, the modules that make and read them, and lark's version (the
    text of its package's __init__, found without importing it). None when one of them cannot be read (an
    installation without its sources): the tables are then made in each process and not kept."""
    from importlib.util import find_spec

    here = Path(__file__)
    try:
        spec = find_spec("lark")
        files = [Path(spec.origin), grammar_path()] + [here.with_name(name) for name in _MADE_BY]
        return b"\0".join(f.read_bytes() for f in files)
    except (OSError, ValueError, TypeError, AttributeError):
        return None


# The modules the tables depend on: this one, the one that computes them and the shared scanner's.
_MADE_BY = ("direct_parse.py", "direct_tables.py", "shared_scanner.py", "state_scan.py")


def _load_tables() -> DirectTables | None:
    import zlib

    from interpreter.cache import private_cache_file, write_atomically

    fingerprint = _fingerprint()
    path = None if fingerprint is None else private_cache_file(
        f"direct-{zlib.crc32(fingerprint):08x}-{len(fingerprint)}.pickle")
    if path is not None:
        try:
            with open(path, "rb") as f:
                kept = pickle.load(f)
            if isinstance(kept, DirectTables) and kept.fingerprint == fingerprint:
                gc.freeze()  # (as the standard path's parser: kept for the whole process)
                return kept
        except Exception:  # missing, damaged or from another version: made again
            pass
    from interpreter.syntax.direct_tables import compile_tables
    from interpreter.syntax.parse import parser

    tables = compile_tables(parser(), fingerprint)
    if tables is not None and path is not None:
        write_atomically(path, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
    return tables


@lru_cache(maxsize=1)
def _direct_parser() -> DirectParser | None:
    from interpreter.syntax.build import Builder

    tables = _load_tables()
    # The standard path refuses a tree more than MAX_DEPTH * 2 nodes deep (parse._tree_depth_problem).
    return None if tables is None else DirectParser(tables, Builder, MAX_DEPTH * 2)


def parse_program(source: SourceFile) -> tuple[n.Program | None, list[Diagnostic]]:
    """Parse and build one file: the program, or None with the diagnostics that explain why not (and the
    builder's, such as a date that does not exist, with the program)."""
    from interpreter.syntax.build import Builder

    direct = _direct_parser() if source.text.strip() and text_problem(source) is None else None
    if direct is not None:
        builder = Builder(source)
        try:
            return direct.parse(source.text, builder), builder.diagnostics
        except _Fallback:
            pass
    from interpreter.syntax.build import build
    from interpreter.syntax.parse import parse

    tree, diagnostics = parse(source)
    if tree is None:
        return None, diagnostics
    program, built = build(source, tree)
    return program, diagnostics + built
