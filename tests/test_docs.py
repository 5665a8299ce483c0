"""Every ```ctr block in docs/*.md is a test: the documentation cannot drift from the checker.

Info strings (after the opening fence):

- ```ctr                a complete contract; checks with no errors and no warnings
- ```ctr warn           a complete contract; checks with no errors (warnings allowed)
- ```ctr fragment       a piece of a contract, wrapped as `wrap_fragment` says, then checked cleanly
- ```ctr error=CODE     a complete contract that must produce diagnostic CODE
- any of these + ` xfail REASON`: a known checker bug; the test is expected to fail (strict)

Every ```pycon block is a doctest: the blocks of one page run in order, sharing their names, from the
repository's root folder, and each output must be what the page shows.

Other fences (```yaml, ```console, ```text) are not executed.
"""
from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from interpreter.diagnostics import CODES
from interpreter.loader import compile_source
from interpreter.syntax.source import SourceFile

DOCS = Path(__file__).resolve().parent.parent / "docs"

# The minimal contract a fragment is placed in. Every convention is declared, so a fragment never warns
# about one; a fragment that wants to show a warning is written as a whole ```ctr warn contract instead.
PRELUDE = """\
contract doc "文書例" {
  provider "例示株式会社";
  document "例示約款" revised 2025-04-01;
  currency JPY;
}
conventions {
  periods civil_code; month_end clamp; prorate actual_days; interest_year 365 days;
  first_month full; last_month full;
}
"""
# Lines of a fragment that start (in column 0) with one of these words begin a top-level declaration;
# every other line is a statement and goes into one rule, `rule DOC-1 第1条 { … }`.
DECL_WORDS = ("unit", "enum", "param", "plan", "option", "item", "feature", "event", "calendar", "rule",
              "amendment", "conventions", "choice")

FENCE = re.compile(r"^```ctr\b(.*)$")


def wrap_fragment(text: str) -> str:
    """Split a fragment into top-level declarations and rule statements, and place both in PRELUDE."""
    decls: list[str] = []
    stmts: list[str] = []
    depth = 0
    for line in text.splitlines():
        starts_decl = depth == 0 and line[:1].isalpha() and line.split()[0] in DECL_WORDS
        if depth > 0 or starts_decl:
            decls.append(line)
            depth += line.count("{") - line.count("}")
        else:
            stmts.append(line)
    out = PRELUDE + "\n".join(decls) + "\n"
    if any(s.strip() and not s.strip().startswith("#") for s in stmts):
        out += "rule DOC-1 第1条 \"文書例\" {\n" + "\n".join(stmts) + "\n}\n"
    return out


def collect() -> list:
    params = []
    for doc in sorted(DOCS.glob("*.md")):
        lines = doc.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            start = i + 1
            words = m.group(1).split()
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            body = "\n".join(lines[start:j]) + "\n"
            kind, code, xfail = "plain", None, None
            k = 0
            while k < len(words):
                w = words[k]
                if w in ("warn", "fragment"):
                    kind = w
                elif w.startswith("error="):
                    kind, code = "error", w.split("=", 1)[1]
                elif w == "xfail":
                    xfail = " ".join(words[k + 1:]) or "known checker bug"
                    break
                else:
                    raise ValueError(f"{doc.name}:{start}: unknown ctr block attribute {w!r}")
                k += 1
            marks = [pytest.mark.xfail(reason=xfail, strict=True)] if xfail else []
            params.append(pytest.param(doc.name, start, kind, code, body, marks=marks,
                                       id=f"{doc.stem}:{start}-{kind}{'=' + code if code else ''}"))
            i = j + 1
    return params


BLOCKS = collect()


def _render(diagnostics) -> str:
    return "\n".join(f"{d.span}: {d.code}: {d.message}" for d in diagnostics)


@pytest.mark.parametrize("doc,line,kind,code,body", BLOCKS)
def test_ctr_block(doc, line, kind, code, body):
    text = wrap_fragment(body) if kind == "fragment" else body
    _, diagnostics = compile_source(SourceFile(f"{doc}:{line}", text))
    codes = [d.code for d in diagnostics]
    shown = _render(diagnostics) + ("\n--- checked text ---\n" + text if kind == "fragment" else "")
    if kind == "error":
        assert code in CODES, f"{code} is not a registered code"
        assert code in codes, f"expected {code}, got:\n{shown}"
    elif kind == "warn":
        assert not [c for c in codes if not c.startswith("W")], shown
    else:
        assert not codes, shown


def test_blocks_found():
    kinds = {b.values[2] for b in BLOCKS}
    assert {"plain", "fragment", "error"} <= kinds


def test_every_code_documented():
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## ([EW]\d{3})\b", text, re.M))
    assert headings == set(CODES), f"missing: {sorted(set(CODES) - headings)}, extra: {sorted(headings - set(CODES))}"


def test_front_end_codes_have_examples():
    """E1xx–E4xx and W5xx each have a failing example (or a stated reason they cannot)."""
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^```ctr error=([EW]\d{3})", text, re.M))
    no_example = {"E100", "E101"}  # about the file itself, not its text: shown as shell sessions
    wanted = {c for c in CODES if c[1] in "1234" or c.startswith("W5")} - no_example  # W6xx: scenarios, as E6xx
    assert wanted <= shown, f"no example for: {sorted(wanted - shown)}"


PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.M | re.S)
PAGES_WITH_PYTHON = sorted(doc.name for doc in DOCS.glob("*.md") if PYCON.search(doc.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON)
def test_python_examples(page, monkeypatch):
    monkeypatch.chdir(DOCS.parent)
    text = (DOCS / page).read_text(encoding="utf-8")
    names: dict = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for block in PYCON.finditer(text):
        line = text.count("\n", 0, block.start(1))
        test = doctest.DocTestParser().get_doctest(block.group(1), names, page, page, line)
        runner.run(test, clear_globs=False)
        names.update(test.globs)  # a DocTest works on a copy of the names it is given
    assert runner.summarize(verbose=False).failed == 0


def test_api_page_has_examples():
    assert "api.md" in PAGES_WITH_PYTHON
