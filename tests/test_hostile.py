"""Hostile input: every kind of garbage gets a located diagnostic and exit 1, quickly, never a traceback."""
from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.cli import main
from interpreter.loader import compile_source, load_contract
from interpreter.syntax.source import SourceFile

HERE = Path(__file__).parent
HEADER = '''contract t "テスト" {
  provider "例示株式会社";
  document "利用規約" revised 2024-04-01;
  currency JPY;
}
'''


def _noise(size: int, alphabet: bytes, seed: int) -> bytes:
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(size).translate(table)


HOSTILE = {
    "empty": (b"", "E404"),
    "whitespace-only": (b"  \n\t\n\xe3\x80\x80\n", "E404"),
    "binary": (bytes(range(256)) * 4, "E101"),
    "nul-bytes": (b"\x00\x00\x00contract t {}", "E105"),
    "invalid-utf8": (HEADER.encode() + b"plan www \"\xff\xfe\";\n", "E101"),
    "unterminated-string": (HEADER.encode() + b'plan www "WWW;\n', "E104"),
    "nested-parentheses": (HEADER.encode() + b"param x: number = " + b"(" * 20_000 + b"1" + b")" * 20_000 + b";\n",
                           "E106"),
    "noise-10mb": (lambda: _noise(10_000_000, b"abcxyz {}();=+-.\n\"1234", 1), None),
    "noise-10mb-no-brackets": (lambda: _noise(10_000_000, b"abcdefxyz =+-.;:\n1234", 2), None),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_gets_a_located_error(name, tmp_path, capsys):
    data, code = HOSTILE[name]
    if callable(data):
        data = data()
    path = tmp_path / f"{name}.ctr"
    path.write_bytes(data)
    started = time.monotonic()
    status = main(["check", str(path), "--format", "json"])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert status == 1
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"
    import json

    diagnostics = json.loads(out)["diagnostics"]
    assert diagnostics, name
    first = diagnostics[0]
    assert first["severity"] == "error"
    assert first["location"]["file"] == str(path)
    assert first["location"]["line"] >= 1 and first["location"]["column"] >= 1
    if code is not None:
        assert first["code"] == code


def test_empty_file_is_E404_at_1_1(tmp_path):
    path = tmp_path / "empty.ctr"
    path.write_bytes(b"")
    model, diagnostics, _ = load_contract(str(path))
    assert model is None
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("E404", 1, 1)]


def test_long_operator_chain_is_E106_not_a_crash():
    text = HEADER + "param x: number = " + " + ".join(["a"] * 20_000) + ";\n"
    started = time.monotonic()
    model, diagnostics = compile_source(SourceFile("chain.ctr", text))
    assert time.monotonic() - started < 10
    assert model is None
    assert [d.code for d in diagnostics] == ["E106"]
    assert diagnostics[0].span.line == 6


def test_moderate_nesting_is_accepted():
    # the limits must not reject what a real contract writes
    for expr in ("(" * 60 + "1" + ")" * 60, " + ".join(["1"] * 100)):
        text = HEADER + "param x: number = " + expr + ";\n"
        model, diagnostics = compile_source(SourceFile("ok.ctr", text))
        assert model is not None and diagnostics == [], diagnostics


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_yields_diagnostics_not_exceptions(text):
    model, diagnostics = compile_source(SourceFile("fuzz.ctr", text))
    assert model is not None or diagnostics
    for d in diagnostics:
        assert d.span is not None and d.span.line >= 1 and d.span.column >= 1


_FRAGMENTS = ["contract", "rule", "A-1", "第1条", "{", "}", "(", ")", ";", "fee", "monthly", "for", "www", "plan",
              "param", "x", ":", "=", "10", "yen", "+", "\"s\"", "「s」", "2025-02-30", "\n", " ", "event", "on",
              "when", "tier", "otherwise", "if", "then", "else", "not", "in", "[", "]", ",", "#c\n"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=60))
def test_token_soup_yields_diagnostics_not_exceptions(parts):
    text = HEADER + " ".join(parts)
    model, diagnostics = compile_source(SourceFile("soup.ctr", text))
    assert model is not None or diagnostics


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_yield_diagnostics_not_exceptions(data):
    fd, name = tempfile.mkstemp(suffix=".ctr")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        model, diagnostics, _ = load_contract(name)
    finally:
        os.unlink(name)
    assert model is not None or diagnostics
    for d in diagnostics:
        assert d.span is not None and d.span.line >= 1 and d.span.column >= 1


def _contract(rules: int) -> str:
    parts = [HEADER, "conventions { first_month full; last_month full; }\n",
             'event service_start { starts contract; }\n']
    for i in range(rules):
        parts.append(f'plan p{i} "プラン{i}";\n')
        parts.append(f'rule R-{i} 第{i}条 "料金{i}" {{\n  monthly fee {i + 1}00 yen for p{i};\n'
                     f'  minimum term 3 months counting from service_start for p{i};\n}}\n')
    return "".join(parts)


def _time(rules: int) -> float:
    source = SourceFile("big.ctr", _contract(rules))
    started = time.monotonic()
    model, diagnostics = compile_source(source)
    elapsed = time.monotonic() - started
    assert model is not None, diagnostics[:3]
    assert diagnostics == []
    assert len(model.versions[0].tables.rules) == rules
    return elapsed


def test_large_contract_checks_in_roughly_linear_time():
    # Four times the rules should take about four times as long; the best of three runs of each keeps the
    # ratio steady on a loaded machine, and 8 leaves room for noise while still catching a quadratic stage.
    _time(50)  # warm the parser cache
    small = min(_time(500) for _ in range(3))
    large = min(_time(2000) for _ in range(3))
    assert large / small < 8, f"500 rules: {small:.2f} s, 2000 rules: {large:.2f} s"


def _bracket_depths_char_by_char(text: str) -> list[tuple[int, int]]:
    """The reference: every character read in turn (bracket_depths looks only at the ones that matter)."""
    out, depth, quote, comment = [], 0, None, False
    for i, ch in enumerate(text):
        if comment:
            comment = ch != "\n"
        elif quote:
            quote = None if ch in (quote, "\n") else quote
        elif ch == "#":
            comment = True
        elif ch in "\"「":
            quote = '"' if ch == '"' else "」"
        elif ch in "([{)]}":
            depth += 1 if ch in "([{" else -1
            out.append((i, depth))
    return out


@given(st.text(alphabet='()[]{}"「」#\n x\\', max_size=60))
def test_bracket_depths_skip_nothing_that_matters(text):
    from interpreter.syntax.parse import bracket_depths

    assert list(bracket_depths(text)) == _bracket_depths_char_by_char(text)


def test_bracket_depths_of_a_line_with_strings_and_a_comment():
    from interpreter.syntax.parse import bracket_depths

    # `(` at 0 opens, the `)` inside "…" and 「…」 are text, `]` after `#` is a comment; `)` at 12 closes.
    assert list(bracket_depths('(a ")" 「)」 b) # ]\n[')) == [(0, 1), (12, 0), (18, 1)]
