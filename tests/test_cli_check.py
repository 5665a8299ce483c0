"""`yakkan check`: output formats, carets under wide characters, folders, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from interpreter.cli import main

HERE = Path(__file__).parent
YAKKAN = Path(sys.executable).parent / "yakkan"

HEADER = '''contract t "テスト" {
  provider "例示株式会社";
  document "利用規約" revised 2024-04-01;
  currency JPY;
}
'''
WIDE = HEADER + 'param 月額料金: money = 100 yen + 3 days;\n'  # line 6; the error is at `100`
SEVERAL = HEADER + '''plan www "WWW";
param d: date = 2025-02-30;
rule A-1 第1条 { monthly fee 100 yen for wwww first month full last month full; occurrence fee 1 yen on nothing; }
rule A-1 第2条 { monthly fee 100 yen for www first month full last month full; }
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits on a bad invocation
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(capsys):
    code, out, err = run(capsys, "check", str(HERE / "good" / "minimal.ctr"))
    assert code == 0
    assert "no problems" in out and err == ""


def test_text_format_with_caret_under_wide_characters(capsys, tmp_path):
    path = write(tmp_path, "wide.ctr", WIDE)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    lines = out.splitlines()
    head = f"{path}:6:21: error[E301]: cannot add money and duration in days/hours/minutes"
    assert lines[0] == head
    assert lines[1] == "   6 | param 月額料金: money = 100 yen + 3 days;"
    # 20 characters precede `100`, four of them wide: 24 columns after the 7-column gutter
    caret = lines[2]
    assert caret.index("^") == 7 + 24
    assert set(caret.strip()) == {"^"}
    assert len(caret.strip()) == len("100 yen + 3 days")
    assert lines[3].startswith("  hint: ")
    assert lines[-1] == "1 error, 0 warnings"


def test_caret_for_a_syntax_error_after_japanese_text(capsys, tmp_path):
    path = write(tmp_path, "jp.ctr", HEADER + 'plan www 「ウェブ」 @;\n')
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}:6:16: error[E105]: unexpected character `@`")
    # `plan www 「ウェブ」 ` is 15 characters, 5 of them wide
    assert lines[2] == " " * (7 + 20) + "^"


def test_json_format(capsys, tmp_path):
    path = write(tmp_path, "several.ctr", SEVERAL)
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["files"] == [str(path)]
    found = {(d["code"], d["location"]["line"], d["location"]["column"]) for d in payload["diagnostics"]}
    assert found == {("E107", 7, 17), ("E204", 8, 40), ("E205", 8, 79), ("E203", 9, 6)}
    for d in payload["diagnostics"]:
        assert d["location"]["file"] == str(path)
        assert d["severity"] == "error" and d["message"]
    dup = next(d for d in payload["diagnostics"] if d["code"] == "E203")
    assert dup["notes"][0]["line"] == 8


def test_github_format(capsys, tmp_path):
    path = write(tmp_path, "wide.ctr", WIDE)
    code, out, _ = run(capsys, "check", "--format", "github", str(path))
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"::error file={path},line=6,col=21,title=E301,endLine=6,endColumn=")
    assert "::cannot add money and duration" in line


def test_several_independent_errors_in_one_run(capsys, tmp_path):
    path = write(tmp_path, "several.ctr", SEVERAL)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    heads = [l for l in out.splitlines() if l.startswith(str(path))]
    assert [h.split(": ")[1] for h in heads] == ["error[E107]", "error[E204]", "error[E205]", "error[E203]"]
    assert out.splitlines()[-1] == "4 errors, 0 warnings"


def test_folders_are_searched_recursively(capsys, tmp_path):
    write(tmp_path, "a/good.ctr", (HERE / "good" / "minimal.ctr").read_text(encoding="utf-8"))
    bad = write(tmp_path, "a/b/c/bad.ctr", WIDE)
    write(tmp_path, "a/b/notes.txt", "not a contract @@@")
    code, out, _ = run(capsys, "check", str(tmp_path), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert sorted(payload["files"]) == sorted([str(tmp_path / "a/good.ctr"), str(bad)])
    assert {d["location"]["file"] for d in payload["diagnostics"]} == {str(bad)}


def test_folder_of_good_contracts_exits_0(capsys):
    code, out, _ = run(capsys, "check", str(HERE / "good"))
    assert code == 0
    assert out.strip() == f"{len(list((HERE / 'good').glob('*.ctr')))} files checked: no problems"


@pytest.mark.parametrize("argv", [
    ["check", "/nonexistent/contract.ctr"],
    ["check", "--format", "xml", "x.ctr"],
    ["check", "--bogus", "x.ctr"],
    ["check"],
    ["frobnicate"],
])
def test_bad_invocations_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "error" in err and "Traceback" not in err


def test_missing_file_is_named(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(HERE / "good" / "minimal.ctr"), str(tmp_path / "nope.ctr"))
    assert code == 2 and "nope.ctr" in err


def test_console_script(tmp_path):
    assert YAKKAN.exists()
    path = write(tmp_path, "several.ctr", SEVERAL)
    proc = subprocess.run([str(YAKKAN), "check", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"{path}:8:40: error[E204]: unknown item `wwww`" in proc.stdout
    assert "Traceback" not in proc.stderr
    ok = subprocess.run([str(YAKKAN), "check", str(HERE / "good")], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([str(YAKKAN), "check", str(tmp_path / "missing.ctr")], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2
