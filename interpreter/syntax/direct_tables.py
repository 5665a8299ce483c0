"""The tables interpreter.syntax.direct_parse drives, computed from lark's parser when it is built.

What a reduction gives is what lark's ParseTreeBuilder (lark/parse_tree_builder.py) would have built, computed
once per grammar rule (`_plan`):
- anonymous tokens (keywords and punctuation) are left out, except in a `!rule`;
- the children of a `_rule` are put in its parent's place (it is never a node of its own);
- a `?rule` alternative without an alias that keeps a single child is that child (`ExpandSingleChild`);
- a node starts where its first child starts and ends where its last ends, counting the tokens left out and the
  `_rule`s put in place (`PropagatePositions`); a child that a `?rule` passed up takes, for its parent, the
  position of everything that rule reduced (lark's `container_line` and the like).
A grammar using what these do not reproduce (templates, placeholders, a `?_rule`, a rule that can reduce nothing
under another) gets no tables: every file then takes the standard path.
"""
from __future__ import annotations

from lark import Lark, Tree
from lark.parsers.lalr_analysis import Shift

from interpreter.syntax.direct_parse import INLINE, NODE, SINGLE, UNIT, DirectTables
from interpreter.syntax.shared_scanner import StateLexer, scanner_patterns


def compile_tables(parser: Lark, fingerprint: bytes | None) -> DirectTables | None:
    """The tables of `parser` (LALR, contextual lexer shared as interpreter.syntax.shared_scanner does,
    positions propagated, no placeholders), or None when its grammar uses something direct_parse does not
    reproduce."""
    options = parser.options
    if (options.parser != "lalr" or options.propagate_positions is not True or options.start != ["start"]
            or options.maybe_placeholders or options.keep_all_tokens or options.lexer_callbacks
            or options.postlex is not None or options.tree_class not in (None, Tree)):
        return None
    lexer = parser.parser.lexer
    parse_table = parser.parser.parser.parser.parse_table
    count = len(parse_table.states)
    if sorted(parse_table.states) != list(range(count)) or sorted(lexer.lexers) != list(range(count)):
        return None
    if not all(isinstance(lexer.lexers[state], StateLexer) for state in range(count)):
        return None  # a version of lark the shared scanner does not know
    plan_of: dict[int, int] = {}
    rules, plans, states = [], [], []
    for state in range(count):
        row = {}
        for symbol, (action, arg) in parse_table.states[state].items():
            if action is Shift:
                row[symbol] = arg
                continue
            if id(arg) not in plan_of:
                plan = _plan(arg)
                if plan is None:
                    return None
                plan_of[id(arg)] = len(plans)
                plans.append(plan)
                rules.append(arg)
            row[symbol] = ~plan_of[id(arg)]
        states.append(row)
    if _nullable_child(rules):
        return None
    return DirectTables(
        states=states, plans=plans, start=parse_table.start_states["start"], end=parse_table.end_states["start"],
        scans=[lexer.lexers[state].scan for state in range(count)],
        root_patterns=scanner_patterns(lexer.root_lexer), fingerprint=fingerprint)


def _plan(rule) -> tuple | None:
    """(kind, origin, size, kept, name): what a reduction by `rule` does. `kept` lists the children kept, each as
    (index, whether it is a `_rule` put in place); `name` is the builder's method (the alias, else the rule)."""
    options = rule.options
    if options.template_source is not None:  # (empty_indices matter only with maybe_placeholders)
        return None
    expansion = rule.expansion
    kept = tuple((i, not sym.is_term and sym.name.startswith("_")) for i, sym in enumerate(expansion)
                 if options.keep_all_tokens or not (sym.is_term and sym.filter_out))
    origin = rule.origin.name
    name = rule.alias or origin
    if origin.startswith("_"):
        if options.expand1:
            return None  # a `?_rule`: lark itself cannot put a passed-up token in place
        return (INLINE, origin, len(expansion), kept, name)
    if options.expand1 and not rule.alias:
        if len(expansion) == 1 and kept == ((0, False),):
            return (UNIT, origin, 1, kept, name)
        return (SINGLE, origin, len(expansion), kept, name)
    return (NODE, origin, len(expansion), kept, name)


def _nullable_child(rules) -> bool:
    """True when a rule that is some rule's child can reduce nothing: its node would have no position until a
    `?rule` passing it up gave it one, after the builder had seen it (lark fills the position in place)."""
    nullable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in rules:
            origin = rule.origin.name
            if origin not in nullable and all(not sym.is_term and sym.name in nullable for sym in rule.expansion):
                nullable.add(origin)
                changed = True
    return any(not sym.is_term and sym.name in nullable for rule in rules for sym in rule.expansion)
