"""The TextMate grammar of editors/vscode (syntaxes/yakkan.tmLanguage.json), made from the token patterns
the Pygments lexer uses (`highlight.PATTERNS`), so that VS Code and every Pygments user see the same tokens.

    python -m interpreter.tools.textmate > editors/vscode/syntaxes/yakkan.tmLanguage.json

A test fails when the file differs from what this prints.
"""
from __future__ import annotations

import json

from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, Punctuation, String, Text, Whitespace

from interpreter.tools.highlight import PATTERNS

# Pygments token types -> TextMate scopes (None: not highlighted).
SCOPES = {
    Whitespace: None, Text: None,
    Comment.Single: "comment.line.number-sign",
    String.Double: "string.quoted.double",
    String.Other: "string.quoted.other.kagikakko",
    Name.Label: "entity.name.tag.rule-id",
    Name.Tag: "markup.underline.link.article",
    Literal.Date: "constant.other.date",
    Number.Other: "constant.numeric.month-day",
    Number.Integer: "constant.numeric.ordinal",
    Number: "constant.numeric",
    Operator: "keyword.operator",
    Punctuation: "punctuation",
    Keyword.Constant: "constant.language.boolean",
    Keyword.Declaration: "storage.type.declaration",
    Keyword: "keyword.other",
    Keyword.Type: "support.type.unit",
    Name.Builtin: "support.function.builtin",
    Name: "variable.other",
}


def _scope(token) -> str | None:
    return f"{SCOPES[token]}.yakkan" if SCOPES[token] else None


def grammar() -> dict:
    patterns = []
    for regex, token in PATTERNS:
        if type(token) is tuple:  # the types of the regex's groups
            captures = {str(i): {"name": _scope(t)} for i, t in enumerate(token, 1) if _scope(t)}
            patterns.append({"match": regex, "captures": captures})
        elif _scope(token):
            patterns.append({"name": _scope(token), "match": regex})
    return {"name": "yakkan", "scopeName": "source.yakkan", "fileTypes": ["ctr"], "patterns": patterns}


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(text(), end="")
