"""The grammar and the builder: every rule is used, the AST holds no parse-tree leftovers, nodes carry spans,
and layout does not change the AST."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lark import Token, Tree

from interpreter.syntax.tokens import Token as BuilderToken

from interpreter.syntax import nodes as n
from interpreter.syntax.build import build
from interpreter.syntax.source import SourceFile, Span
from interpreter.syntax.parse import parse, parser

HERE = Path(__file__).parent
GOOD = sorted((HERE / "good").glob("*.ctr"))
# The good contracts, and the golden files whose errors are found after parsing (the others do not parse).
SAMPLES = GOOD + sorted((HERE / "errors").glob("*.ctr"))


def _source(path: Path) -> SourceFile:
    return SourceFile(str(path), path.read_text(encoding="utf-8"))


def tree_names_the_grammar_can_produce() -> set[str]:
    """Names a parse tree node can have. `_rule`s are always inlined; an alternative of a `?rule` without an
    alias and with a single symbol is replaced by its child, so its rule name never appears."""
    names = set()
    for rule in parser().rules:
        if rule.alias:
            names.add(rule.alias)
        elif rule.origin.name.startswith("_"):
            continue
        elif rule.options.expand1 and len(rule.expansion) == 1:
            continue
        else:
            names.add(rule.origin.name)
    return names


def test_every_grammar_rule_is_exercised():
    seen = set()
    for path in SAMPLES:
        tree, diagnostics = parse(_source(path))
        if path not in GOOD and tree is None:
            continue
        assert tree is not None, (path, diagnostics)
        seen |= {t.data for t in tree.iter_subtrees()}
    possible = tree_names_the_grammar_can_produce()
    assert len(possible) > 80
    assert possible - seen == set(), "rules no sample parses; add them to a file in tests/good/"
    assert seen <= possible


def _walk(value, path="program"):
    """Yield (path, value) for every value reachable from an AST node, without recursion."""
    stack = [(path, value)]
    while stack:
        where, v = stack.pop()
        yield where, v
        if n.is_node(v):
            for f in n.fields(type(v)):
                stack.append((f"{where}.{f.name}", getattr(v, f.name)))
        elif isinstance(v, (tuple, list)):
            stack.extend((f"{where}[{i}]", x) for i, x in enumerate(v))
        elif isinstance(v, dict):
            stack.extend((f"{where}[{k!r}]", x) for k, x in v.items())


def _program(path_or_text, name="t.ctr") -> n.Program:
    source = _source(path_or_text) if isinstance(path_or_text, Path) else SourceFile(name, path_or_text)
    tree, diagnostics = parse(source)
    assert tree is not None, diagnostics
    program, built = build(source, tree)
    assert built == [], built
    return program


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_no_parse_tree_survives_the_builder(path):
    program = _program(path)
    node_count = 0
    for where, v in _walk(program):
        assert not isinstance(v, Tree), f"raw lark Tree at {where}: {v.data}"
        if isinstance(v, (Token, BuilderToken)):
            # a Token is a str subclass; the AST keeps plain strings so that equality ignores token positions
            pytest.fail(f"raw lark Token at {where}: {v.type} {v!r}")
        if n.is_node(v):
            node_count += 1
    assert node_count > 10


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_nodes_carry_spans(path):
    program = _program(path)
    text = path.read_text(encoding="utf-8").splitlines()
    checked = 0
    for where, v in _walk(program):
        if n.is_node(v) and hasattr(v, "span"):
            assert isinstance(v.span, Span), f"{where} ({type(v).__name__}) has no span"
            assert v.span.file == str(path)
            assert 1 <= v.span.line <= len(text) and v.span.column >= 1
            assert (v.span.end_line, v.span.end_column) >= (v.span.line, v.span.column)
            checked += 1
    assert checked > 10


def _relayout(text: str) -> str:
    """The same contract on a different layout: comments dropped, everything on a few long lines, and
    extra blank lines after every brace. Only safe for files whose strings hold no `;`, `{` or double spaces."""
    lines = [l.strip() for l in text.splitlines() if not l.strip().startswith("#")]
    flat = " ".join(l for l in lines if l)
    return flat.replace("{", "{\n\n\t").replace("} ", "}\n").replace(";", "  ;")


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_layout_does_not_change_the_ast(path):
    text = path.read_text(encoding="utf-8")
    assert all(ch not in s for s in re.findall(r'"[^"\n]*"|「[^」\n]*」', text) for ch in ";{")
    original = _program(text)
    relaid = _relayout(text)
    assert relaid != text
    other = _program(relaid)
    assert other == original
    # and the spans really differ: equality ignores them
    assert [d.span for d in other.decls] != [d.span for d in original.decls]


def test_a_changed_contract_gives_a_different_ast():
    text = (HERE / "good" / "minimal.ctr").read_text(encoding="utf-8")
    assert _program(text.replace("1,000 yen", "1,001 yen")) != _program(text)
    assert _program(text.replace("第10条", "第11条")) != _program(text)
    assert _program(text.replace("1,000 yen", "1000 yen")) == _program(text)


def test_the_editable_install_finds_the_repository_grammar():
    from interpreter.syntax.parse import grammar_path

    assert grammar_path() == (HERE.parent / "grammar" / "yakkan.lark").resolve()


# ---------------------------------------------------------------- programs generated from the grammar

def _generation_grammar():
    """The grammar with every literal padded by spaces: hypothesis's from_lark does not insert the
    %ignore'd whitespace between tokens (hypothesis issue #1804), so `contract` + NAME would run together."""
    import re

    from lark import Lark

    from interpreter.syntax.parse import grammar_path

    text = re.sub(r'"([^"\\]+)"', lambda m: '" ' + m.group(1) + ' "', grammar_path().read_text(encoding="utf-8"))
    return Lark(text, parser="lalr", lexer="contextual", maybe_placeholders=False)


def _terminal_strategies():
    from hypothesis import strategies as st

    return {
        # names that no keyword can shadow, in both scripts
        "NAME": st.sampled_from(["n_a", "n_b", "名前", "x1", "サービス"]).map(lambda s: f" {s} "),
        "STRING": st.sampled_from(['"s"', '"月額料金"', r'"a\"b"']).map(lambda s: f" {s} "),
        "JSTRING": st.just(" 「ラベル」 "),
        "NUMBER": st.sampled_from(["1", "10,000", "2.5", "３", "１０，０００"]).map(lambda s: f" {s} "),
        "DATE": st.sampled_from(["2025-04-01", "２０２５-０４-０１"]).map(lambda s: f" {s} "),
        "JDATE": st.sampled_from(["令和7年4月1日", "令和元年5月1日", "2025年4月1日"]).map(lambda s: f" {s} "),
        "DATETIME": st.sampled_from(["2025-04-01T10:00", "2025-04-01 10:00:30+09:00"]).map(lambda s: f" {s} "),
        "MONTHDAY": st.just(" 12-29 "),
        "ORDINAL": st.sampled_from(["1st", "5th", "22nd"]).map(lambda s: f" {s} "),
        "RULE_ID": st.sampled_from(["ITS-1", "HEN-10a"]).map(lambda s: f" {s} "),
        "ARTICLE": st.sampled_from(["第25条第1項", "別表②", "別紙2(3)"]).map(lambda s: f" {s} "),
        "COMPARE": st.sampled_from(["<=", "<", "==", "≧", "≠"]).map(lambda s: f" {s} "),
        "ADD_OP": st.sampled_from([" + ", " - "]),
        "MUL_OP": st.sampled_from([" × ", " / ", " ÷ "]),
        "PERCENT": st.sampled_from([" % ", " ％ "]),
        "COMMENT": st.just(" # コメント\n"),
    }


def test_programs_generated_from_the_grammar_parse_and_build():
    from hypothesis import HealthCheck, given, settings
    from hypothesis.extra.lark import from_lark

    from tests.test_direct_parse import assert_same, direct

    from interpreter.syntax.build import build
    from interpreter.syntax.source import SourceFile
    from interpreter.syntax.parse import parse

    strategy = from_lark(_generation_grammar(), start="start", explicit=_terminal_strategies())

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(program: str):
        source = SourceFile("generated.ctr", program)
        tree, diagnostics = parse(source)
        assert tree is not None and not diagnostics, (program, diagnostics)
        build(source, tree)  # every generated tree also builds an AST (dates and numbers are valid by construction)
        assert direct(source) is not None  # which the direct parse gives too, spans included
        assert_same(source)

    check()
