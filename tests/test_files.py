"""Files that must not be read: devices, FIFOs, folders, files that are not contracts, contracts outside the
scenario's repository; and parser tables that must not be loaded from a folder others can write."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.syntax import parse as syntax
from interpreter.cli import main
from interpreter.files import repository_of
from interpreter.loader import load_contract

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "contracts" / "itscom-hosting.ctr"
SCENARIO = ROOT / "contracts" / "scenarios" / "itscom-hosting" / "cancel-inside-minimum-term.yaml"


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _scenario(folder: Path, contract: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8").replace("contract: ../../itscom-hosting.ctr", f"contract: {contract}")
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ contracts named on the command line


def test_a_file_that_is_not_a_contract_is_not_read_and_not_echoed(capsys):
    code, out = run(capsys, "check", "/etc/passwd")
    assert code == 1
    assert "/etc/passwd:1:1: error[E100]: not a contract file" in out
    assert "root" not in out


@pytest.mark.parametrize("target, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_a_device_is_refused_before_reading(tmp_path, capsys, target, kind):
    link = tmp_path / "device.ctr"
    link.symlink_to(target)
    code, out = run(capsys, "check", str(link))
    assert code == 1
    assert f"{link}:1:1: error[E100]: the contract is {kind}, not a regular file" in out


def test_a_folder_named_like_a_contract_is_refused(tmp_path):
    folder = tmp_path / "folder.ctr"
    folder.mkdir()
    model, diagnostics, source = load_contract(str(folder))
    assert model is None and source is None
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("E100", 1, 1)]
    assert "a folder" in diagnostics[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once_rather_than_waited_on(tmp_path):
    # Opening a FIFO for reading blocks until a writer comes; in a subprocess, so a regression fails the
    # test by its timeout instead of hanging the suite.
    fifo = tmp_path / "pipe.ctr"
    os.mkfifo(fifo)
    scenario = tmp_path / "pipe.yaml"
    os.mkfifo(scenario)
    for argv in (["check", str(fifo)], ["run", str(CONTRACT), "--scenario", str(scenario)]):
        done = subprocess.run([sys.executable, "-m", "interpreter.cli", *argv], capture_output=True, text=True,
                              timeout=60, cwd=ROOT)
        assert done.returncode == 1, done.stderr
        assert "error[E100]" in done.stdout + done.stderr
        assert "a FIFO (named pipe), not a regular file" in done.stdout + done.stderr


# ------------------------------------------------------------------ a scenario's `contract:`


@pytest.mark.parametrize("written", ["/etc/passwd", "/proc/self/environ", "/dev/zero"])
def test_a_scenario_cannot_name_a_system_file(tmp_path, capsys, written):
    scenario = _scenario(tmp_path, written)
    code, out = run(capsys, "run", "--scenario", str(scenario))
    assert code == 1
    assert f"{scenario}:3:11: error[E610]: the contract {written} is not read: a contract file's name ends in .ctr" in out
    assert "root:" not in out and "PATH=" not in out


def test_a_scenario_cannot_reach_a_contract_outside_its_repository(tmp_path, capsys):
    repo = tmp_path / "repo"
    (repo / "scenarios").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copy(CONTRACT, tmp_path / "outside.ctr")
    scenario = _scenario(repo / "scenarios", "../../outside.ctr")
    code, out = run(capsys, "run", "--scenario", str(scenario))
    assert code == 1
    assert f"{scenario}:3:11: error[E610]" in out and f"not inside the scenario's repository ({repo})" in out
    # the command line may say otherwise
    code, out = run(capsys, "run", "--scenario", str(scenario), "--root", str(tmp_path))
    assert code == 0, out


def test_a_symbolic_link_inside_the_repository_is_followed_before_the_check(tmp_path, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").write_text("gitdir: /elsewhere\n", encoding="utf-8")  # a worktree's .git is a file
    shutil.copy(CONTRACT, tmp_path / "secret.ctr")
    (repo / "terms.ctr").symlink_to(tmp_path / "secret.ctr")
    scenario = _scenario(repo, "terms.ctr")
    code, out = run(capsys, "run", "--scenario", str(scenario))
    assert code == 1 and "error[E610]" in out and f"resolves to {tmp_path / 'secret.ctr'}" in out


def test_inside_the_repository_a_contract_is_found(tmp_path, capsys):
    repo = tmp_path / "repo"
    (repo / "contracts" / "scenarios").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copy(CONTRACT, repo / "contracts" / "terms.ctr")
    scenario = _scenario(repo / "contracts" / "scenarios", "../terms.ctr")
    code, out = run(capsys, "run", "--scenario", str(scenario))
    assert code == 0, out
    assert repository_of(str(scenario)) == repo


def test_without_git_the_repository_is_the_scenarios_folder(tmp_path, capsys):
    folder = tmp_path / "loose"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(CONTRACT, folder / "sub" / "terms.ctr")
    shutil.copy(CONTRACT, tmp_path / "above.ctr")
    assert repository_of(str(folder / "case.yaml")) in (folder, *folder.parents)
    if repository_of(str(folder / "case.yaml")) != folder:
        pytest.skip("the temporary folder lies inside a git repository")
    code, out = run(capsys, "run", "--scenario", str(_scenario(folder, "sub/terms.ctr")))
    assert code == 0, out
    code, out = run(capsys, "run", "--scenario", str(_scenario(folder, "../above.ctr")))
    assert code == 1 and "error[E610]" in out


# ------------------------------------------------------------------ the parser tables


def test_parser_tables_are_cached_only_in_a_private_folder(tmp_path, monkeypatch):
    grammar = syntax.grammar_path().read_text(encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = syntax._cache_file(grammar, False)
    assert path and Path(path).parent == tmp_path / "cache" / "yakkan"
    assert (tmp_path / "cache" / "yakkan").stat().st_mode & 0o777 == 0o700
    # a folder others may write is never used (nor written to)
    shared = tmp_path / "shared"
    (shared / "yakkan").mkdir(parents=True)
    (shared / "yakkan").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    assert syntax._cache_file(grammar, False) is False
    # nor a relative folder (it would depend on where the command runs)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert syntax._cache_file(grammar, False) is False


def test_a_table_file_writable_by_others_is_not_loaded(tmp_path, monkeypatch):
    grammar = syntax.grammar_path().read_text(encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = Path(syntax._cache_file(grammar, True))
    path.write_bytes(b"not a pickle")
    path.chmod(0o666)
    assert syntax._cache_file(grammar, True) is False
    path.chmod(0o600)
    assert syntax._cache_file(grammar, True) == str(path)


def test_the_parser_never_uses_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    syntax.parser.__wrapped__(False).parse('contract t "t" { currency JPY; }')
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("keep_all_tokens", [False, True])
def test_the_kept_parser_parses_as_a_new_one(tmp_path, monkeypatch, keep_all_tokens):
    # The parser is kept as a pickled object (interpreter/syntax/parser_cache.py): the one loaded from the
    # file must give the trees of one built from the grammar, keywords and positions included, and the same
    # errors at the same place.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = syntax.grammar_path().read_text(encoding="utf-8")
    built = syntax.build_parser(grammar, keep_all_tokens)
    syntax.parser.__wrapped__(keep_all_tokens)  # builds it and keeps it
    (kept_file,) = (tmp_path / "yakkan").iterdir()
    from interpreter.syntax.parser_cache import load_parser

    kept = load_parser(kept_file)
    assert kept is not None and kept is not built

    def positions(tree):
        return [(t.type, str(t), t.line, t.column, t.end_line, t.end_column) for t in tree.scan_values(lambda v: True)]

    for contract in sorted((ROOT / "contracts").glob("*.ctr")):
        text = contract.read_text(encoding="utf-8")
        expected, got = built.parse(text), kept.parse(text)
        assert got == expected and positions(got) == positions(expected), contract.name
    broken = 'contract t "t" { currency JPY }\nrule A-1 第1条 { monthly fee for www 10 yen; }'
    with pytest.raises(Exception) as from_built:
        built.parse(broken)
    with pytest.raises(Exception) as from_kept:
        kept.parse(broken)
    assert (type(from_kept.value), str(from_kept.value)) == (type(from_built.value), str(from_built.value))


def test_a_damaged_kept_parser_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = syntax.grammar_path().read_text(encoding="utf-8")
    path = Path(syntax._cache_file(grammar, False))
    path.write_bytes(b"not a pickle")
    path.chmod(0o600)
    tree = syntax.parser.__wrapped__(False).parse('contract t "t" { currency JPY; }')
    assert tree.data == "start"
    from interpreter.syntax.parser_cache import load_parser

    assert load_parser(path) is not None  # replaced by the parser built from the grammar
