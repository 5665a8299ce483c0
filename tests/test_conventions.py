"""The conventions people expect of a command-line tool: `--version`, help on every option, a README
listing every command, GitHub annotations with their extent, and a way to fail on warnings."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.cli import main, make_parser

ROOT = Path(__file__).resolve().parent.parent
STEP1 = ROOT / "docs" / "examples" / "tutorial" / "step1.ctr"  # checks with two warnings, no error
TYPO = ROOT / "docs" / "examples" / "tutorial" / "hosting-typo.ctr"  # one error, E206 at 53:15


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"yakkan {version('yakkan')}\n"


def test_every_command_and_option_has_help():
    parser = make_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    undocumented = [f"yakkan {c.dest}" for c in sub._choices_actions if not c.help]
    for name, command in sub.choices.items():
        undocumented += [f"yakkan {name} {'/'.join(a.option_strings) or a.metavar or a.dest}"
                         for a in command._actions
                         if not isinstance(a, argparse._HelpAction) and not (a.help and a.help.strip())]
    assert undocumented == []


def test_the_readme_lists_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `yakkan (\w+)", readme, re.M))
    expected = set(_subcommands()) | {"fmt", "diff", "repl", "test", "batch", "lsp"}
    assert expected <= listed, sorted(expected - listed)


def test_check_strict_fails_on_warnings(capsys):
    assert main(["check", str(STEP1)]) == 0
    assert main(["check", "--strict", str(STEP1)]) == 1
    out = capsys.readouterr().out
    assert out.count("warning[W501]") == 4 and "0 errors, 2 warnings" in out


def test_github_annotations_carry_the_end_of_the_place(capsys):
    # hosting-typo.ctr:53 is `    effective cancel_notice.desired_date;`: the field access starts at
    # column 15 and is 26 characters long, so its last character is in column 15 + 26 - 1 = 40.
    assert main(["check", "--format", "github", str(TYPO)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"::error file={TYPO},line=53,col=15,title=E206,endLine=53,endColumn=40::")


def test_github_annotation_of_a_span_over_several_lines_has_no_end_column():
    from interpreter.diagnostics import Diagnostic, render_github
    from interpreter.syntax.source import Span

    d = Diagnostic("E402", "too late", Span("a.ctr", 3, 5, 6, 2))
    assert render_github(d) == "::error file=a.ctr,line=3,col=5,title=E402,endLine=3::too late"


def test_the_installed_command_prints_its_version():
    done = subprocess.run([sys.executable, "-m", "interpreter.cli", "--version"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("yakkan ")
