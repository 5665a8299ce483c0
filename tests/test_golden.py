"""Golden diagnostics: each file in tests/errors/ states, in `# expect:` comments, every diagnostic it must
produce (code, line:column, a fragment of the message). The loader must report exactly those, no more."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from interpreter.diagnostics import CODES
from interpreter.loader import load_contract

HERE = Path(__file__).parent
ERRORS = sorted((HERE / "errors").glob("*.ctr"))
GOOD = sorted((HERE / "good").glob("*.ctr"))
EXPECT = re.compile(r"^#\s*expect:\s*([EW]\d{3})\s+(\d+):(\d+)\s*(.*)$", re.M)

# Codes of the front end that no input can produce, with the reason. Everything else must have a golden file.
UNREACHABLE = {
}
# Codes whose input cannot be written as a text file with comments; tested below from generated input.
GENERATED = {"E100", "E101"}


def expectations(path: Path) -> list[tuple[str, int, int, str]]:
    return [(m[1], int(m[2]), int(m[3]), m[4].strip()) for m in EXPECT.finditer(path.read_text(encoding="utf-8"))]


def test_there_are_golden_files():
    assert len(ERRORS) >= 25 and len(GOOD) >= 2


@pytest.mark.parametrize("path", ERRORS, ids=[p.stem for p in ERRORS])
def test_golden(path: Path):
    expected = expectations(path)
    assert expected, f"{path.name} has no `# expect:` lines"
    model, diagnostics, source = load_contract(str(path))
    got = sorted((d.code, d.span.line, d.span.column) for d in diagnostics)
    assert got == sorted((c, l, col) for c, l, col, _ in expected)
    for code, line, col, fragment in expected:
        messages = [d.message for d in diagnostics if (d.code, d.span.line, d.span.column) == (code, line, col)]
        assert any(fragment in m for m in messages), f"{code} {line}:{col}: {fragment!r} not in {messages}"
    assert all(d.span.file == str(path) for d in diagnostics)
    if any(code.startswith("E") for code, *_ in expected):
        assert model is None
    # the file is named after the code it is about
    assert path.stem.split("-")[0] in {c for c, *_ in expected}


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_contracts_check_clean(path: Path):
    model, diagnostics, _ = load_contract(str(path))
    assert diagnostics == []
    assert model is not None


def test_invalid_utf8_is_E101_at_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.ctr"
    path.write_bytes('contract t "テスト" {\n  provider "'.encode() + b"Caf\xe9" + b'";\n}\n')
    model, diagnostics, source = load_contract(str(path))
    assert model is None and source is None
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("E101", 2, 16)]
    assert "0xe9" in diagnostics[0].message


def test_unreadable_path_is_E100(tmp_path):
    folder = tmp_path / "folder.ctr"
    folder.mkdir()
    for path in (folder, tmp_path / "missing.ctr"):
        model, diagnostics, source = load_contract(str(path))
        assert model is None
        assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("E100", 1, 1)]


def test_every_front_end_code_is_covered():
    front_end = {c for c in CODES if re.match(r"E[1-4]|W5", c)}
    covered = {c for p in ERRORS for c, *_ in expectations(p)} | GENERATED
    assert front_end - covered - set(UNREACHABLE) == set()
    # an unreachable code that starts being produced must get a golden file instead
    assert not (covered & set(UNREACHABLE))
    assert set(UNREACHABLE) <= front_end
