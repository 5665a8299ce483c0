"""editors/vscode: the TextMate grammar highlights every contract exactly as the Pygments lexer does, and the
extension starts `yakkan lsp` for `.ctr` files."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, Punctuation, String

from interpreter.tools import textmate
from interpreter.tools.highlight import YakkanLexer

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((VSCODE / "syntaxes" / "yakkan.tmLanguage.json").read_text(encoding="utf-8"))
CONTRACTS = sorted((ROOT / "contracts").glob("*.ctr")) + sorted((ROOT / "tests" / "good").glob("*.ctr"))

# Pygments token types and TextMate scopes, both as one word for what a reader sees.
_PYGMENTS = [(Comment, "comment"), (String, "string"), (Name.Label, "rule id"), (Name.Tag, "article"),
             (Literal.Date, "date"), (Number, "number"), (Operator, "operator"), (Punctuation, "punctuation"),
             (Keyword.Type, "unit"), (Keyword, "keyword"), (Name.Builtin, "builtin"), (Name, "name")]
_SCOPES = [("comment.", "comment"), ("string.", "string"), ("entity.name.tag.rule-id", "rule id"),
           ("markup.underline.link.article", "article"), ("constant.other.date", "date"),
           ("constant.numeric", "number"), ("keyword.operator", "operator"), ("punctuation", "punctuation"),
           ("support.type.unit", "unit"), ("storage.type", "keyword"), ("keyword.other", "keyword"),
           ("constant.language", "keyword"), ("support.function", "builtin"), ("variable", "name")]


def _what_scope(scope: str) -> str:
    return next(what for prefix, what in _SCOPES if scope.startswith(prefix))


def _what_token(token) -> str | None:
    return next((what for t, what in _PYGMENTS if token in t), None)


def textmate_tokens(line: str) -> list[tuple[str, str]]:
    """A line tokenised as TextMate does with a flat list of `match` patterns: at each point the match that
    starts first wins, the earlier pattern on a tie; captures name parts of a match."""
    patterns = [(re.compile(p["match"]), p) for p in GRAMMAR["patterns"]]
    out, pos = [], 0
    while pos < len(line):
        found = [(m.start(), i, m, p) for i, (rx, p) in enumerate(patterns) if (m := rx.search(line, pos))
                 and m.end() > m.start()]
        if not found:
            break
        _, _, m, p = min(found, key=lambda f: (f[0], f[1]))
        if "captures" in p:
            out += [(_what_scope(c["name"]), m.group(int(g))) for g, c in p["captures"].items() if m.group(int(g))]
        else:
            out.append((_what_scope(p["name"]), m.group()))
        pos = m.end()
    return out


def pygments_tokens(line: str) -> list[tuple[str, str]]:
    out = []
    for token, value in YakkanLexer().get_tokens(line):
        what = _what_token(token)
        if what is not None and value.strip():
            out.append((what, value))
    return out


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.name)
def test_textmate_grammar_highlights_as_pygments_does(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        assert textmate_tokens(line) == pygments_tokens(line), f"{path.name}:{number}: {line}"


def test_textmate_grammar_is_made_from_the_lexer():
    committed = (VSCODE / "syntaxes" / "yakkan.tmLanguage.json").read_text(encoding="utf-8")
    assert committed == textmate.text(), (
        "regenerate: python -m interpreter.tools.textmate > editors/vscode/syntaxes/yakkan.tmLanguage.json")


def test_textmate_grammar_reads_a_rule():
    sample = "rule X-1 第1条 { monthly fee floor(1,000 円) for www from 令和7年4月1日; }  # note"
    assert textmate_tokens(sample)[:4] == [("keyword", "rule"), ("rule id", "X-1"), ("article", "第1条"),
                                           ("punctuation", "{")]
    assert ("builtin", "floor") in textmate_tokens(sample) and ("unit", "円") in textmate_tokens(sample)
    assert textmate_tokens(sample)[-1] == ("comment", "# note")


def test_extension_manifest():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "yakkan" and language["extensions"] == [".ctr"]
    assert (VSCODE / language["configuration"]).is_file()
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"] and (VSCODE / grammar["path"]).is_file()
    assert (VSCODE / manifest["main"]).is_file()
    json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))


# Stand-ins for the two modules VS Code provides, so that node can run activate() as VS Code would.
_STUBS = {
    "vscode/index.js": """
exports.workspace = {
  getConfiguration: () => ({ get: (key, fallback) => process.env.YAKKAN_COMMAND || fallback }),
  workspaceFolders: [{ uri: { fsPath: "/work/terms" } }],
  onDidChangeConfiguration: () => ({ dispose() {} }),
};
exports.commands = { executeCommand() {} };
""",
    "vscode-languageclient/node.js": """
class LanguageClient {
  constructor(id, name, server, options) { Object.assign(this, { id, name, server, options }); }
  start() { console.log(JSON.stringify({ server: this.server, options: this.options })); return Promise.resolve(); }
  stop() { return Promise.resolve(); }
}
exports.LanguageClient = LanguageClient;
""",
}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("configured, started", [(None, "yakkan"), (".venv/bin/yakkan", "/work/terms/.venv/bin/yakkan"),
                                                 ("/opt/yakkan/bin/yakkan", "/opt/yakkan/bin/yakkan")])
def test_extension_starts_yakkan_lsp(tmp_path, configured, started):
    modules = tmp_path / "node_modules"
    for name, text in _STUBS.items():
        (modules / name).parent.mkdir(parents=True, exist_ok=True)
        (modules / name).write_text(text, encoding="utf-8")
    script = f"require({json.dumps(str(VSCODE / 'extension.js'))}).activate({{ subscriptions: [] }});"
    env = {"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"}
    if configured:
        env["YAKKAN_COMMAND"] = configured
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, env=env, timeout=60, check=True)
    started_with = json.loads(out.stdout)
    assert started_with["server"]["run"] == {"command": started, "args": ["lsp"]}
    assert {"scheme": "file", "language": "yakkan"} in started_with["options"]["documentSelector"]
