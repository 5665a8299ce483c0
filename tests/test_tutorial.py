"""The tutorial is run as written: its contracts are the files in docs/examples/tutorial, in canonical
form; its scenario is that folder's customer.yaml; each ```console block is run and its output compared.

A console block's info string says which file is `hosting.ctr` for it (```console hosting.ctr=step1.ctr),
since the tutorial grows one file step by step. In an expected output, a line `…` stands for any lines.
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from interpreter.cli import main
from interpreter.tools.fmt import format_text

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
EXAMPLES = ROOT / "docs" / "examples" / "tutorial"
TEXT = TUTORIAL.read_text(encoding="utf-8")
CONSOLE = re.compile(r"^```console hosting\.ctr=(\S+)\n(.*?)^```$", re.M | re.S)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ctr")), ids=lambda p: p.name)
def test_the_example_contracts_are_in_canonical_form(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


def test_every_contract_block_is_one_of_the_example_files():
    blocks = re.findall(r"^```ctr[^\n]*\n(.*?)^```$", TEXT, re.M | re.S)
    files = {p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.ctr")}
    assert blocks and all(block in files for block in blocks)


def test_the_scenario_block_is_the_example_file():
    (block,) = re.findall(r"^```yaml\n(.*?)^```$", TEXT, re.M | re.S)
    assert block == (EXAMPLES / "customer.yaml").read_text(encoding="utf-8")


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual lines are the expected ones, where a `…` line stands for any lines."""
    if not expected:
        return not actual
    if expected[0] == "…":
        return any(_matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and _matches(expected[1:], actual[1:])


@pytest.mark.parametrize("contract, block", CONSOLE.findall(TEXT), ids=lambda x: x.splitlines()[0][:40])
def test_console_blocks_print_what_they_show(tmp_path, monkeypatch, capsys, contract, block):
    for f in EXAMPLES.iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(EXAMPLES / contract, tmp_path / "hosting.ctr")
    monkeypatch.chdir(tmp_path)
    command, *expected = block.rstrip("\n").split("\n")
    assert command.startswith("$ yakkan ")
    main(shlex.split(command)[2:])
    out = capsys.readouterr()
    actual = (out.out + out.err).rstrip("\n").split("\n")
    assert _matches(expected, actual), "\n".join(actual)


def test_the_console_blocks_are_all_found():
    assert len(CONSOLE.findall(TEXT)) == TEXT.count("```console")


# ------------------------------------------------------------------ links in every document


def _documents() -> list[Path]:
    return [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md")) + sorted((ROOT / "editors").rglob("*.md"))


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_documents_link_only_to_files_inside_the_repository(doc):
    text = re.sub(r"^```.*?^```$", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)  # not in code
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        path = target.split("#")[0]
        assert not re.match(r"[a-z]+:", target), f"{doc.name} links outside the repository: {target}"
        if path:
            resolved = (doc.parent / path).resolve()
            assert resolved.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
            assert resolved.exists(), f"{doc.name} links to a file that does not exist: {target}"
