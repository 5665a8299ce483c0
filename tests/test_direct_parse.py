"""The direct parse (interpreter/syntax/direct_parse.py) gives the AST of the standard path (lark's parse tree,
then the builder's Transformer), spans included, with the same diagnostics in the same order; and where it cannot
(a syntax error, a tree too deep), the standard path decides."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from interpreter.loader import compile_source
from interpreter.syntax import nodes as n
from interpreter.syntax.build import Builder, build
from interpreter.syntax.direct_parse import _direct_parser, _Fallback, parse_program
from interpreter.syntax.parse import parse, text_problem
from interpreter.syntax.source import SourceFile, Span

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.ctr"))
SAMPLES = CONTRACTS + sorted((ROOT / "tests").glob("**/*.ctr"))


def everything(value):
    """The value with every field of every node, those equality leaves out (spans) included, as nested tuples."""
    if n.is_node(value):
        return (type(value).__name__,) + tuple((f.name, everything(getattr(value, f.name)))
                                                for f in n.fields(type(value)))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(everything(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((everything(k), everything(v)) for k, v in value.items())
    if isinstance(value, Span):
        return ("Span", value.file, value.line, value.column, value.end_line, value.end_column)
    return (type(value).__name__, repr(value))


def standard(source: SourceFile):
    tree, diagnostics = parse(source)
    if tree is None:
        return None, diagnostics
    program, built = build(source, tree)
    return program, diagnostics + built


def direct(source: SourceFile):
    """The direct parser's answer, or None when it leaves the file to the standard path (parse_program gives it
    no file that parse.text_problem refuses)."""
    if text_problem(source) is not None:
        return None
    builder = Builder(source)
    try:
        return _direct_parser().parse(source.text, builder), builder.diagnostics
    except _Fallback:
        return None


def assert_same(source: SourceFile):
    expected_program, expected_diagnostics = standard(source)
    got = direct(source)
    if got is not None:
        program, diagnostics = got
        assert everything(program) == everything(expected_program), source.name
        assert diagnostics == expected_diagnostics
    program, diagnostics = parse_program(source)
    assert everything(program) == everything(expected_program), source.name
    assert diagnostics == expected_diagnostics
    return got


def test_the_direct_parser_is_used_for_this_grammar():
    assert _direct_parser() is not None


@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(ROOT)) for p in SAMPLES])
def test_every_contract_and_test_file_gives_the_same_ast(path):
    source = SourceFile(str(path), path.read_text(encoding="utf-8"))
    got = assert_same(source)
    if path in CONTRACTS or "good" in path.parts:
        assert got is not None, "a contract that parses takes the direct path"


def test_every_example_in_the_docs_gives_the_same_ast():
    from tests.test_docs import BLOCKS, wrap_fragment  # the blocks test_docs checks

    assert len(BLOCKS) > 10
    for block in BLOCKS:
        doc, line, kind, _, body = block.values
        assert_same(SourceFile(f"{doc}:{line}", wrap_fragment(body) if kind == "fragment" else body))


def test_builder_diagnostics_come_in_the_same_order():
    # 2025-02-30 and 2025-13-01 do not exist (E107); 10^40 yen is out of range (E108): reported where written
    text = ('contract t "t" { currency JPY; version v1 effective 2025-02-30; }\n'
            'param p: money = 10000000000000000000000000000000000000000 yen;\n'
            'rule A-1 第1条 { charge c on start = if 2025-13-01 > 2025-01-01 then 1 yen else 2 yen; }\n')
    source = SourceFile("t.ctr", text)
    program, diagnostics = standard(source)
    assert [d.code for d in diagnostics] == ["E107", "E108", "E107"]
    assert direct(source) is not None
    assert_same(source)


def test_a_syntax_error_is_left_to_the_standard_path():
    source = SourceFile("t.ctr", 'contract t "t" { currency JPY }\nrule A-1 第1条 { monthly fee 10 yen; }\n')
    assert direct(source) is None
    program, diagnostics = parse_program(source)
    assert program is None and [d.code for d in diagnostics] == ["E102"]
    assert diagnostics == parse(source)[1]


def test_a_forgotten_semicolon_is_repaired_as_before():
    text = 'contract t "t" {\n  currency JPY\n}\nunit GB;\n'
    source = SourceFile("t.ctr", text)
    assert direct(source) is None
    assert_same(source)
    program, diagnostics = parse_program(source)
    assert program is not None and [d.code for d in diagnostics] == ["E102"]


def test_an_expression_too_deep_is_left_to_the_standard_path():
    # 1 + 1 + … nests one `binary` node per `+` without brackets: 300 of them pass MAX_DEPTH * 2 (240)
    chain = " + ".join(["1 yen"] * 300)
    source = SourceFile("t.ctr", f'contract t "t" {{ currency JPY; }}\nparam p: money = {chain};\n')
    assert direct(source) is None
    program, diagnostics = parse_program(source)
    assert program is None and [d.code for d in diagnostics] == ["E106"]
    # and one short of the limit still parses directly, to the same tree
    depth_ok = " + ".join(["1 yen"] * 200)
    fine = SourceFile("t.ctr", f'contract t "t" {{ currency JPY; }}\nparam p: money = {depth_ok};\n')
    assert direct(fine) is not None
    assert_same(fine)


def test_a_file_of_comments_and_an_empty_file():
    for text in ("# only a comment\n", "", "\n\n   \n"):
        assert_same(SourceFile("t.ctr", text))


def test_mutated_contracts_give_the_same_ast_or_the_same_errors():
    # Deleting one line or one token of a real contract: most mutants fail to parse (the standard path decides,
    # and parse_program must still give its diagnostics); those that parse must build the same AST both ways.
    text = (ROOT / "contracts" / "itscom-hosting.ctr").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    tokens = [m.span() for m in re.finditer(r"\S+", text)]
    mutants = [text.replace(line, "", 1) for line in lines[::31]]
    mutants += [text[:a] + text[b:] for a, b in tokens[::197]]
    parsed_directly = 0
    for i, mutant in enumerate(mutants):
        parsed_directly += assert_same(SourceFile(f"mutant{i}.ctr", mutant)) is not None
    assert 0 < parsed_directly < len(mutants)


def test_compile_source_uses_the_direct_path_for_a_contract(monkeypatch):
    import interpreter.syntax.direct_parse as direct_parse

    def no_standard_path(*args):
        raise AssertionError("the standard path was taken")

    monkeypatch.setattr("interpreter.syntax.parse.parse", no_standard_path)
    path = CONTRACTS[0]
    model, diagnostics = compile_source(SourceFile(str(path), path.read_text(encoding="utf-8")))
    assert model is not None and direct_parse._direct_parser() is not None


# A grammar with what yakkan's grammar hardly uses: a `?rule` that passes up a node from between brackets (its
# parent then starts and ends at the brackets: lark's container positions), `_rule`s inlined in the middle of
# a rule, a `!rule`, aliases.
TOY_GRAMMAR = r"""
start: _item*
_item: pair | group
pair: value "=" value ";"
?value: "(" value ")" | WORD | numbers | WORD "." WORD -> dotted
numbers: NUMBER ("," NUMBER)*
group: "[" _words "]" value
_words: word+
!word: "w" WORD
WORD: /[a-z]+/
NUMBER: /[0-9]+/
%ignore /[ \n]+/
"""
TOY_TEXTS = [
    "((1, 2)) = 3;\n( (x) ) = (\n 4 , 5\n);",
    "[w a w b] ((7))\nx.y = ((z));",
    "[w a] q\n[w b\n w c] (( 1 ))",
    "",
]


def _toy_value(value):
    """A toy node or token as nested tuples, positions included."""
    if isinstance(value, tuple):
        return value
    return ("token", value.type, str(value), value.line, value.column, value.end_line, value.end_column)


def _toy_node(name):
    def method(self, meta, children):
        where = None if meta.empty else (meta.line, meta.column, meta.end_line, meta.end_column)
        return (name, where, tuple(_toy_value(c) for c in children))

    method.wants_meta = True
    return method


class _ToyBuilder:
    """Records, for each node, its rule, its position and its children."""

    start, pair, numbers, group, word, dotted = (_toy_node(name) for name in
                                                 ("start", "pair", "numbers", "group", "word", "dotted"))


def test_a_toy_grammar_gives_the_trees_lark_builds():
    from lark import Lark, Transformer_NonRecursive, v_args

    from interpreter.syntax.direct_parse import DirectParser
    from interpreter.syntax.direct_tables import compile_tables
    from interpreter.syntax.parser_cache import lean
    from interpreter.syntax.shared_scanner import share_root_scanner

    toy = lean(Lark(TOY_GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True,
                    maybe_placeholders=False))
    share_root_scanner(toy.parser.lexer)
    tables = compile_tables(toy, b"toy")
    assert tables is not None
    direct_toy = DirectParser(tables, _ToyBuilder, 100)

    class LarkToy(Transformer_NonRecursive):
        pass

    for name in ("start", "pair", "numbers", "group", "word", "dotted"):
        setattr(LarkToy, name, v_args(meta=True)(getattr(_ToyBuilder, name)))
    for text in TOY_TEXTS:
        expected = LarkToy().transform(toy.parse(text))
        assert direct_toy.parse(text, _ToyBuilder()) == expected, text
    # the first: `pair` starts at the outer `(` (1:1) though its first child, `numbers`, starts at 1:3
    first = direct_toy.parse(TOY_TEXTS[0], _ToyBuilder())[2][0]
    assert first[0] == "pair" and first[1][:2] == (1, 1) and first[2][0][1][:2] == (1, 3)


# ------------------------------------------------------------------ the tables kept between runs


def _kept_tables(tmp_path) -> list[Path]:
    return sorted((tmp_path / "yakkan").glob("direct-*.pickle"))


def test_the_tables_are_kept_and_loaded_from_the_private_folder(tmp_path, monkeypatch):
    import pickle

    from interpreter.syntax.direct_parse import DirectTables, _load_tables

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = _load_tables()
    (kept_file,) = _kept_tables(tmp_path)
    assert (kept_file.stat().st_mode & 0o777) & 0o022 == 0
    loaded = _load_tables()
    assert loaded is not made and isinstance(loaded, DirectTables)
    assert (loaded.states, loaded.plans, loaded.start, loaded.end, loaded.root_patterns) == (
        made.states, made.plans, made.start, made.end, made.root_patterns)
    # a damaged file is made again
    kept_file.write_bytes(b"not a pickle")
    assert _load_tables().states == made.states
    assert pickle.loads(kept_file.read_bytes()).fingerprint == made.fingerprint
    # tables made from anything else (another grammar, another version of these modules or of lark) are not used,
    # even under the same name
    other = pickle.loads(kept_file.read_bytes())
    other.fingerprint, other.start = b"another grammar", -1
    kept_file.write_bytes(pickle.dumps(other))
    assert _load_tables().start == made.start


def test_tables_others_may_write_are_not_loaded(tmp_path, monkeypatch):
    import pickle

    from interpreter.syntax.direct_parse import _load_tables

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = _load_tables()
    (kept_file,) = _kept_tables(tmp_path)
    planted = pickle.loads(kept_file.read_bytes())
    planted.start = -1
    kept_file.write_bytes(pickle.dumps(planted))
    kept_file.chmod(0o666)
    assert _load_tables().start == made.start
    assert pickle.loads(kept_file.read_bytes()).start == -1  # nor overwritten


def test_a_check_that_parses_does_not_import_lark(tmp_path):
    # A check parses with the direct parser, which needs no lark: a fifth of a cold check was importing it.
    # A file with a syntax error is still explained by lark.
    import subprocess
    import sys

    program = ("import sys; from interpreter.cli import main; code = main(['check', sys.argv[1]]); "
               "print('lark' in sys.modules, code)")
    broken = tmp_path / "broken.ctr"
    broken.write_text('contract t "t" { currency JPY }\n', encoding="utf-8")
    for path, expected in ((CONTRACTS[0], "False 0"), (broken, "True 1")):
        done = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, cwd=ROOT)
        assert done.stdout.strip().splitlines()[-1] == expected, done.stderr


def test_each_state_scanner_table_answers_as_its_lark_lexer():
    # Where the shared root scanner cannot decide, the direct parser asks StateScan.own_answer, the state's own
    # scanner as data; lark's path asks the state's own lexer. Both must give the same token at every position.
    from lark.lexer import Token as LarkToken
    from lark.utils import TextSlice

    from interpreter.syntax.parse import parser

    text = "\n".join(path.read_text(encoding="utf-8") for path in CONTRACTS)
    # every start of a word or of a punctuation mark, and the spaces before them
    positions = sorted({m.start() for m in re.finditer(r"\s+|\w+|[^\w\s]", text)})
    lexers = {id(lexer.scan): lexer for lexer in parser().parser.lexer.lexers.values()}
    assert len(lexers) > 100
    checked = 0
    for number, lexer in enumerate(lexers.values()):
        own, scan = lexer.own, lexer.scan
        for position in positions[number % 7::97]:
            found = own.match(TextSlice(text, 0, len(text)), position)
            got = scan.own_answer(text, position, len(text))
            if found is None:
                assert got is None
                continue
            value, type_ = found
            retyped = own.callback[type_](LarkToken(type_, value)).type if type_ in own.callback else type_
            assert got == (value, type_, retyped), (position, text[position:position + 20])
            checked += 1
    assert checked > 1000


def test_without_the_sources_the_tables_are_made_and_not_kept(tmp_path, monkeypatch):
    from interpreter.syntax import direct_parse

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(direct_parse, "_MADE_BY", ("no_such_module.py",))
    assert direct_parse._fingerprint() is None
    tables = direct_parse._load_tables()
    assert tables is not None and tables.fingerprint is None
    assert _kept_tables(tmp_path) == []
