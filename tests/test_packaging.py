"""The grammar ships inside the wheel and is found from it, not from the repository."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent('''
    import sys
    from pathlib import Path
    target = Path(sys.argv[1]).resolve()
    import interpreter, interpreter.syntax.parse as syntax
    from interpreter.syntax.source import SourceFile
    assert Path(interpreter.__file__).resolve().is_relative_to(target), interpreter.__file__
    g = syntax.grammar_path().resolve()
    assert g == target / "interpreter" / "_grammar" / "yakkan.lark", g
    tree, diagnostics = syntax.parse(SourceFile("t.ctr", 'contract t "テスト" { currency JPY; }\\nplan www "WWW";\\n'))
    assert tree is not None and not diagnostics, diagnostics
    assert [t.data for t in tree.children] == ["contract_decl", "item_decl"], tree
    print("ok", g)
''')


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    target = tmp_path_factory.mktemp("site")
    # hatchling must be importable for --no-build-isolation (pip install hatchling into the venv)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("yakkan-*.whl")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    return target


def test_grammar_is_found_in_the_wheel(installed_wheel, tmp_path):
    assert (installed_wheel / "interpreter" / "_grammar" / "yakkan.lark").read_text(encoding="utf-8") == \
        (ROOT / "grammar" / "yakkan.lark").read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(installed_wheel)}
    # run from an empty folder, so neither the repository nor the editable install can be picked up first
    proc = subprocess.run([sys.executable, "-c", CHECK, str(installed_wheel)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok ")


def test_grammar_is_found_from_the_editable_install(tmp_path):
    # the venv's editable install, run outside the repository's folder: there is no `_grammar/` copy next to
    # the package, so the grammar is read from the repository's grammar/ folder
    assert not (ROOT / "interpreter" / "_grammar").exists()
    code = CHECK.replace('target / "interpreter" / "_grammar" / "yakkan.lark"', 'target / "grammar" / "yakkan.lark"')
    assert code != CHECK
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"ok {ROOT / 'grammar' / 'yakkan.lark'}"
