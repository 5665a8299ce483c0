"""`yakkan fmt`: the canonical layout, comments, idempotence, meaning kept, and the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from interpreter.tools import fmt
from interpreter.syntax.build import build
from interpreter.diagnostics import render_diagnostics
from interpreter.tools.fmt import FormatError, format_source, format_text
from interpreter.syntax.source import SourceFile
from interpreter.syntax.parse import parse

HERE = Path(__file__).parent
ROOT = HERE.parent
CORPUS = sorted(
    list((ROOT / "contracts").glob("*.ctr"))
    + list((HERE / "good").glob("*.ctr"))
    + list((ROOT / "docs" / "examples").rglob("*.ctr"))
    + list((HERE / "errors").glob("*.ctr"))
)


def _program(text: str):
    source = SourceFile("t.ctr", text)
    tree, diagnostics = parse(source)
    assert tree is not None and not diagnostics, diagnostics
    return build(source, tree)[0]


def _parses(path: Path) -> bool:
    tree, diagnostics = parse(SourceFile(str(path), path.read_text(encoding="utf-8")))
    return tree is not None and not diagnostics


def _attachment(text: str) -> list[tuple[str, int, bool]]:
    """Each comment with the number of tokens before it and whether it ends a line of code."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as files are read
    items = fmt._items(text, fmt._full_parser().parse(text))
    out, tokens, last_line = [], 0, None
    for item in items:
        if isinstance(item, fmt._Comment):
            out.append((item.text, tokens, last_line == item.line))
        else:
            tokens += 1
            last_line = item.end_line
    return out


def _check_format(text: str) -> str:
    """Format, and check the three promises: same meaning, same comments in the same places, idempotent."""
    once = format_text(text)
    assert _program(once) == _program(text)
    assert _attachment(once) == _attachment(text)
    assert format_text(once) == once
    return once


# ---------------------------------------------------------------- golden examples

MESSY = """# header comment

contract   t "テスト"{provider "例示";   # eol
document 「規約」 revised 令和7年4月1日;currency JPY;}
plan a { includes 10,000 GB;


  includes 5 account; }
# about b
plan b;
rule A-1 第1条 , 第2条 when x>1 {
  state y = -f( 1,2 ) + a . b * (3-  -4);   # eol2
  state w = tier usage { 10% : 1 yen ; otherwise:2 yen;} ;
  state z = 1 +   # mid
    2 # mid2
    # full mid
    + 3;
  # before close
}
# trailing
"""

MESSY_FORMATTED = """# header comment

contract t "テスト" {
  provider "例示";  # eol
  document 「規約」 revised 令和7年4月1日;
  currency JPY;
}

plan a {
  includes 10,000 GB;

  includes 5 account;
}

# about b
plan b;

rule A-1 第1条, 第2条 when x > 1 {
  state y = -f(1, 2) + a.b * (3 - -4);  # eol2
  state w = tier usage {
    10%: 1 yen;
    otherwise: 2 yen;
  };
  state z = 1 +  # mid
    2  # mid2
    # full mid
    + 3;
  # before close
}

# trailing
"""

CONSTRUCTS = """calendar biz "営業日" { holidays japan; weekend saturday,sunday; closed every 12-29..01-03 "年末年始"; closed 2025-05-01 .. 2025-05-02; }
event report { }
event outage interval { until: datetime; starts contract , starts plan quantity 1; }
amendment a2 "改定" effective 2025-10-01 { note "変更"; plan extra; }
rule B-1 第3条 {
  settle "残余期間に相当する額" remaining minimum term as monthly fees
    for www, mail_secure_mx, mail_standard, mail_secure, pack_secure_mx
    partial month full;
  state s =
     1 + 2;
  state t = later of(a,b) ; state u = [ ] ; state v = f ( ) ;
}
"""

CONSTRUCTS_FORMATTED = """calendar biz "営業日" {
  holidays japan;
  weekend saturday, sunday;
  closed every 12-29 .. 01-03 "年末年始";
  closed 2025-05-01 .. 2025-05-02;
}

event report {
}

event outage interval {
  until: datetime;
  starts contract, starts plan quantity 1;
}

amendment a2 "改定" effective 2025-10-01 {
  note "変更";
  plan extra;
}

rule B-1 第3条 {
  settle "残余期間に相当する額" remaining minimum term as monthly fees
    for www, mail_secure_mx, mail_standard, mail_secure, pack_secure_mx
    partial month full;
  state s = 1 + 2;
  state t = later of (a, b);
  state u = [];
  state v = f();
}
"""

ALIGNED = """conventions {
  periods civil_code;   # 民法
  month_end clamp; # clamp
  first_month full;
  last_month full;          # 全額
}
"""

ALIGNED_FORMATTED = """conventions {
  periods civil_code;  # 民法
  month_end clamp;     # clamp
  first_month full;
  last_month full;  # 全額
}
"""


@pytest.mark.parametrize("messy,expected", [(MESSY, MESSY_FORMATTED), (CONSTRUCTS, CONSTRUCTS_FORMATTED),
                                            (ALIGNED, ALIGNED_FORMATTED)], ids=["messy", "constructs", "aligned"])
def test_golden(messy, expected):
    assert format_text(messy) == expected
    assert _check_format(messy) == expected


def test_tokens_keep_the_text_the_author_wrote():
    text = ('param a: money = １０，０００ yen;\nparam b: date = 令和元年5月1日;\nparam c: date = ２０２５-０４-０１;\n'
            'param d: text = 「括弧」;\nparam e: text = "a\\"b";\nparam f: number = 14.60％;\n')
    assert format_text(text) == text.replace("\n", "\n\n").rstrip("\n") + "\n"


def test_top_level_declarations_are_separated_by_one_blank_line():
    assert format_text("unit a;unit b;\n\n\n\nunit c;") == "unit a;\n\nunit b;\n\nunit c;\n"


def test_wide_characters_count_double_when_comments_are_aligned():
    text = "enum e {\n  名前 \"x\"; # a\n  ab \"x\"; # b\n}\n"
    assert format_text(text) == "enum e {\n  名前 \"x\";  # a\n  ab \"x\";    # b\n}\n"


def test_a_short_statement_broken_by_its_author_is_joined():
    assert format_text("rule A-1 第1条 {\n  state s\n    = 1\n    + 2;\n}\n") == "rule A-1 第1条 {\n  state s = 1 + 2;\n}\n"


def test_empty_and_comment_only_files():
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("   # only a comment   \n\n\n# and another\n") == "# only a comment\n\n# and another\n"


def test_syntax_errors_are_reported_not_formatted():
    with pytest.raises(ValueError, match=r"E102"):
        format_text("rule A-1 第1条 { state x = 1 }")
    formatted, diagnostics = format_source(SourceFile("x.ctr", "plan a\nplan b;"))
    assert formatted is None and [d.code for d in diagnostics] == ["E102"]


def test_the_safety_net_rejects_a_layout_that_changes_the_meaning(monkeypatch):
    monkeypatch.setattr(fmt, "_layout", lambda text: text.replace("1", "2"))
    with pytest.raises(FormatError, match="means something else"):
        format_text("param a: number = 1;\n")
    monkeypatch.setattr(fmt, "_layout", lambda text: text.replace("# c", ""))
    with pytest.raises(FormatError, match="comment"):
        format_text("param a: number = 1; # c\n")


# ---------------------------------------------------------------- every file we have

# Files with a syntax error on purpose (tests/errors, docs/examples/errors) have nothing to format.
PARSEABLE = [p for p in CORPUS if _parses(p)]


def test_the_corpus_is_large():
    assert len(PARSEABLE) >= 20 and all(p in PARSEABLE for p in (ROOT / "contracts").glob("*.ctr"))


@pytest.mark.parametrize("path", PARSEABLE, ids=[str(p.relative_to(ROOT)) for p in PARSEABLE])
def test_corpus_files_keep_their_meaning_and_comments_and_format_idempotently(path):
    text = path.read_text(encoding="utf-8")
    once = _check_format(text)
    for line in once.splitlines():
        assert line == line.rstrip(), "no trailing whitespace"
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0 and "\t" not in line


def test_the_corpus_has_files_to_format():
    assert sum(_parses(p) for p in CORPUS) >= 20


# ---------------------------------------------------------------- programs generated from the grammar

def test_generated_programs_format_to_the_same_meaning_idempotently():
    from hypothesis import HealthCheck, given, settings
    from hypothesis.extra.lark import from_lark
    from test_grammar import _generation_grammar, _terminal_strategies

    strategy = from_lark(_generation_grammar(), start="start", explicit=_terminal_strategies())

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(program: str):
        once = format_text(program)
        assert _program(once) == _program(program), (program, once)
        assert _attachment(once) == _attachment(program), (program, once)
        assert format_text(once) == once, (program, once)

    check()


# ---------------------------------------------------------------- command line

def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`yakkan ARGV` through a parser holding only this subcommand, the way cli.make_parser adds it."""
    from interpreter.cli import _Parser

    parser = _Parser(prog="yakkan")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt.add_parser(sub)
    try:
        args = parser.parse_args(list(argv))
        code = args.func(args)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path):
    messy = tmp_path / "messy.ctr"
    messy.write_text(MESSY, encoding="utf-8")
    tidy = tmp_path / "sub" / "tidy.ctr"
    tidy.parent.mkdir()
    tidy.write_text(MESSY_FORMATTED, encoding="utf-8")
    return messy, tidy


def test_check_lists_the_files_that_would_change(capsys, files):
    messy, tidy = files
    code, out, _ = run(capsys, "fmt", "--check", str(messy), str(tidy))
    assert code == 1 and out.splitlines() == [str(messy)]
    assert messy.read_text(encoding="utf-8") == MESSY  # nothing written
    code, out, _ = run(capsys, "fmt", "--check", str(tidy))
    assert (code, out) == (0, "")


def test_check_searches_folders(capsys, files):
    messy, tidy = files
    code, out, _ = run(capsys, "fmt", "--check", str(messy.parent))
    assert code == 1 and out.splitlines() == [str(messy)]


def test_diff_prints_the_changes_and_writes_nothing(capsys, files):
    messy, tidy = files
    code, out, _ = run(capsys, "fmt", "--diff", str(messy), str(tidy))
    assert code == 1  # a file would change, as `ruff format --diff` says
    assert out.startswith(f"--- {messy} (original)\n+++ {messy} (formatted)\n@@")
    assert "-contract   t \"テスト\"{provider \"例示\";   # eol\n" in out
    assert "+  provider \"例示\";  # eol\n" in out
    assert str(tidy) not in out
    assert messy.read_text(encoding="utf-8") == MESSY
    code, out, _ = run(capsys, "fmt", "--diff", "--check", str(messy))
    assert code == 1 and out.startswith("---")
    assert run(capsys, "fmt", "--diff", str(tidy))[:2] == (0, "")  # nothing would change


def test_a_dash_reads_standard_input_and_writes_standard_output(capsys, monkeypatch):
    import io

    def with_stdin(text: str, *flags):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
        return run(capsys, "fmt", *flags, "-")

    assert with_stdin(MESSY) == (0, MESSY_FORMATTED, "")
    assert with_stdin(MESSY_FORMATTED) == (0, MESSY_FORMATTED, "")  # a filter prints even unchanged text
    assert with_stdin(MESSY, "--check") == (1, "<stdin>\n", "")
    assert with_stdin(MESSY_FORMATTED, "--check") == (0, "", "")
    code, out, _ = with_stdin(MESSY, "--diff")
    assert code == 1 and out.startswith("--- <stdin> (original)\n+++ <stdin> (formatted)\n@@")
    code, out, err = with_stdin("plan a {\n  includes 10 GB\n  includes 5 account;\n}\n")
    assert (code, out) == (1, "") and "<stdin>:3:3: error[E102]" in err
    assert run(capsys, "fmt", "-", "x.ctr")[0] == 2


def test_fmt_rewrites_files_in_place(capsys, files):
    messy, tidy = files
    before = tidy.stat().st_mtime_ns
    code, out, _ = run(capsys, "fmt", str(messy), str(tidy))
    assert code == 0 and out == f"formatted {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY_FORMATTED
    assert tidy.stat().st_mtime_ns == before  # a formatted file is not written again
    assert run(capsys, "fmt", "--check", str(messy))[0] == 0


def test_line_ends_are_normalised(capsys, tmp_path):
    path = tmp_path / "crlf.ctr"
    path.write_bytes(MESSY_FORMATTED.replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, "fmt", "--check", str(path))[0] == 1
    assert run(capsys, "fmt", str(path))[0] == 0
    assert path.read_bytes() == MESSY_FORMATTED.encode("utf-8")


def test_a_syntax_error_is_reported_like_check_and_leaves_the_file_alone(capsys, tmp_path, files):
    messy, _ = files
    bad = tmp_path / "bad.ctr"
    text = "plan a {\n  includes 10 GB\n  includes 5 account;\n}\n"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "fmt", str(bad), str(messy))
    assert code == 1
    assert bad.read_text(encoding="utf-8") == text
    assert messy.read_text(encoding="utf-8") == MESSY_FORMATTED  # the good file is still formatted
    source = SourceFile(str(bad), text)
    expected = render_diagnostics(parse(source)[1], {str(bad): source}, "text")
    assert f"{bad}:3:3: error[E102]: expected `;` before `includes`" in expected
    assert err == expected + "\n"
    for flag in ("--check", "--diff"):
        code, out, err = run(capsys, "fmt", flag, str(bad))
        assert (code, out) == (1, "") and "error[E102]" in err


def test_unreadable_files(capsys, tmp_path):
    path = tmp_path / "latin1.ctr"
    path.write_bytes("unit a \"\xe9\";\n".encode("latin-1"))
    code, _, err = run(capsys, "fmt", str(path))
    assert code == 1 and "error[E101]" in err


@pytest.mark.parametrize("argv", [("fmt",), ("fmt", "--wrong", "x.ctr"), ("fmt", "--check=yes", "x.ctr")])
def test_a_bad_invocation_exits_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "yakkan: error:" in err


def test_a_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "fmt", str(tmp_path / "nothing.ctr"))
    assert code == 2 and "no such file" in err


def test_the_contracts_are_formatted():
    """`yakkan fmt --check contracts`, through the real command line."""
    import subprocess

    yakkan = Path(sys.executable).parent / "yakkan"
    result = subprocess.run([str(yakkan), "fmt", "--check", "contracts"], cwd=ROOT, capture_output=True,
                            text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_call_with_excluding_keeps_its_bracket_next_to_the_name():
    messy = "rule A-1 第1条 { state s = monthly_fee (2025-04-01 , excluding  A-1 , A-2 ) ; }\n"
    assert format_text(messy) == "rule A-1 第1条 {\n  state s = monthly_fee(2025-04-01, excluding A-1, A-2);\n}\n"
