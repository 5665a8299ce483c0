"""The TextMate grammar of editors/vscode (syntaxes/yakkan.tmLanguage.json), made from the token patterns
of the Pygments lexer in `highlight`, so that VS Code and every Pygments user see the same tokens.

    python -m interpreter.tools.textmate > editors/vscode/syntaxes/yakkan.tmLanguage.json

A test fails when the file differs from what this prints.
"""
from __future__ import annotations

import json

from interpreter.tools.highlight import (
    _DATE, _DATETIME, _JA_UNITS, _JDATE, _NUMBER, BUILTINS, DECLARATION_WORDS, KEYWORDS, UNIT_WORDS,
)

_DIGIT = "[0-9０-９]"


def _words(words) -> str:
    # Longest first, so that `months` is not read as `month` followed by `s`.
    return r"(?<![\w])(" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + r")(?![\w])"


def grammar() -> dict:
    other = [k for k in KEYWORDS if k not in DECLARATION_WORDS and k not in ("true", "false")]
    patterns = [
        ("comment.line.number-sign", r"#[^\n]*"),
        ("string.quoted.double", r'"([^"\\\n]|\\.)*"'),
        ("string.quoted.other.kagikakko", r"「[^」\n]*」"),
        ("entity.name.tag.rule-id", r"\b[A-Z][A-Z0-9]*-[0-9]+[a-z]?\b"),
        ("markup.underline.link.article", r'(第|別表|別紙|附則|付則)[^\s,;{}"「」]*'),
        ("constant.other.date", _DATETIME),
        ("constant.other.date", _DATE),
        ("constant.other.date", _JDATE),
        ("constant.numeric.month-day", rf"{_DIGIT}{{2}}-{_DIGIT}{{2}}\b"),
        ("constant.numeric.ordinal", rf"{_DIGIT}+(st|nd|rd|th)\b"),
        (None, rf"({_NUMBER})([ \t]*)({_JA_UNITS})"),
        ("constant.numeric", _NUMBER),
        ("keyword.operator", r"(==|!=|<=|>=|<|>|≦|≧|≠|=|\+|-|\*|/|×|÷|\.\.)"),
        ("punctuation", r"[{}()\[\];,:.]"),
        ("constant.language.boolean", _words(["true", "false"])),
        ("storage.type.declaration", _words(DECLARATION_WORDS)),
        ("keyword.other", _words(other)),
        ("support.type.unit", _words(UNIT_WORDS)),
        ("support.function.builtin", r"(?<![\w])(" + "|".join(BUILTINS) + r")(?=\s*\()"),
        ("variable.other", r"[^\W\d]\w*"),
    ]
    out = []
    for scope, match in patterns:
        if scope is None:  # a number and the Japanese unit word after it
            out.append({"match": match, "captures": {"1": {"name": "constant.numeric.yakkan"},
                                                      "3": {"name": "support.type.unit.yakkan"}}})
        else:
            out.append({"name": f"{scope}.yakkan", "match": match})
    return {"name": "yakkan", "scopeName": "source.yakkan", "fileTypes": ["ctr"], "patterns": out}


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(text(), end="")
