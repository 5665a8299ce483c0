"""The parser's lexer answers from one shared scanner where it can (interpreter/syntax/shared_scanner.py); it
must give exactly the tokens lark's contextual lexer gives, state by state: the same trees with the same
positions, and the same errors at the same places, on the bundled contracts, on mutations of
them (deleted, duplicated and swapped tokens and lines, which put keywords where names stand and names where
keywords stand) and on text generated from the grammar."""
from __future__ import annotations

import random
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from lark.exceptions import UnexpectedInput

from interpreter.syntax import parse as syntax
from interpreter.syntax.parser_cache import lean
from interpreter.syntax.shared_scanner import StateLexer, share_root_scanner
from tests.fuzzing import contracts_text, from_grammar, mutate


@lru_cache(maxsize=2)
def parsers(keep_all_tokens: bool):
    """(lark's own lexers, the shared scanner), from the same tables."""
    grammar = syntax.grammar_path().read_text(encoding="utf-8")
    built = syntax.build_parser(grammar, keep_all_tokens)
    plain, shared = lean(built), lean(built)
    share_root_scanner(shared.parser.lexer)
    return plain, shared


def outcome(parser, text: str):
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        return ("error", type(exc).__name__, str(exc), exc.line, exc.column)
    tokens = [(t.type, str(t), t.start_pos, t.line, t.column, t.end_line, t.end_column, t.end_pos)
              for t in tree.scan_values(lambda v: True)]
    return ("tree", tree, tokens)


def same(text: str, keep_all_tokens: bool = False) -> None:
    plain, shared = parsers(keep_all_tokens)
    assert outcome(shared, text) == outcome(plain, text), text


def test_every_state_has_a_shared_lexer():
    _, shared = parsers(False)
    assert all(isinstance(lexer, StateLexer) for lexer in shared.parser.lexer.lexers.values())


@pytest.mark.parametrize("keep_all_tokens", [False, True])
def test_the_bundled_contracts(keep_all_tokens):
    for text in contracts_text().values():
        same(text, keep_all_tokens)


def test_keywords_and_names_in_each_others_places():
    # `fee` where a name is expected, `effective` where only other keywords are, a name that begins with a
    # keyword (`format`, `option_x`), `-` as a sign and as an operator, full-width layout, comments.
    for text in ('contract fee "t" { currency JPY; }',
                 'contract t "t" { currency JPY; }\noption format "f";\noption option_x "x";\n',
                 'contract t "t" { currency JPY; }\nparam effective: money = -1 yen;\n',
                 'contract t "t" {\u3000currency JPY; } # fee for option\nrule A-1 第1条 { monthly fee for for; }',
                 'contract t "t" { currency JPY; }\nrule A-1 第1条 { monthly fee 10 yen - -2 yen for www; }'):
        same(text)


def test_mutations_of_the_bundled_contracts():
    rng = random.Random(20251127)
    texts = list(contracts_text().values())
    for _ in range(120):
        same(mutate(rng.choice(texts), rng, rng.randint(1, 4)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(from_grammar())
def test_text_from_the_grammar(text):
    same(text)
