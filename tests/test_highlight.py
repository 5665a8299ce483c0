"""The Pygments lexer for .ctr files (interpreter/highlight.py) and its entry point."""
from __future__ import annotations

from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Literal, Name, Number, String

from interpreter.tools.highlight import YakkanLexer, YakkanReplLexer

ROOT = Path(__file__).resolve().parent.parent


def tokens(text: str, lexer=None) -> list[tuple[object, str]]:
    return [(t, v) for t, v in (lexer or YakkanLexer()).get_tokens(text) if v.strip()]


def token_of(text: str, piece: str):
    """The token type of the token whose text is exactly `piece`."""
    found = [t for t, v in tokens(text) if v == piece]
    assert found, f"no token {piece!r} in {tokens(text)}"
    return found[0]


@pytest.mark.parametrize("name", ["yakkan", "ctr"])
def test_registered_by_alias(name):
    # Through the `pygments.lexers` entry point in pyproject.toml, not by importing the module.
    assert type(get_lexer_by_name(name)).__name__ == "YakkanLexer"


def test_registered_for_ctr_files():
    assert type(get_lexer_for_filename("x.ctr")).__name__ == "YakkanLexer"
    assert type(get_lexer_for_filename("contracts/itscom-hosting.ctr")).__name__ == "YakkanLexer"


SAMPLE = """\
rule ITS-2 第25条第1項 "契約者が行う解約" {   # 第25条
  notice cancellation 「解約の通知」 by customer on cancel_notice {
    due business day on or before end of month before 令和7年4月1日;
  }
  state s = 10,000 yen × 10% + 2025-04-01 + 2025年4月1日 + 2025-04-01T09:30;
}
"""


@pytest.mark.parametrize("piece, kind", [
    ("rule", Keyword), ("notice", Keyword), ("business", Keyword), ("before", Keyword),
    ('"契約者が行う解約"', String.Double), ("「解約の通知」", String.Other),
    ("令和7年4月1日", Literal.Date), ("2025年4月1日", Literal.Date), ("2025-04-01", Literal.Date),
    ("2025-04-01T09:30", Literal.Date),
    ("10,000", Number), ("10", Number), ("%", Keyword.Type), ("yen", Keyword.Type),
    ("ITS-2", Name.Label), ("第25条第1項", Name.Tag), ("# 第25条", Comment.Single),
    ("cancellation", Name), ("cancel_notice", Name),
])
def test_token_kinds(piece, kind):
    assert token_of(SAMPLE, piece) in kind


def test_thousands_separators_and_units_stay_whole():
    assert tokens("10,000 yen") == [(Number, "10,000"), (Keyword.Type, "yen")]
    assert tokens("3ヶ月") == [(Number, "3"), (Keyword.Type, "ヶ月")]
    # a unit word is a unit only after a number: 日本 is a name
    assert tokens("日本") == [(Name, "日本")]


def test_repl_lexer_marks_commands():
    assert tokens(":deadline cancellation 2025-12-31", YakkanReplLexer())[0] == (Keyword.Pseudo, ":deadline")
    assert tokens("1 yen", YakkanReplLexer()) == [(Number, "1"), (Keyword.Type, "yen")]


@pytest.mark.parametrize("path", sorted((ROOT / "contracts").glob("*.ctr")), ids=lambda p: p.name)
def test_contracts_lex_without_errors(path):
    text = path.read_text(encoding="utf-8")
    lexed = list(YakkanLexer().get_tokens(text))
    assert not [v for t, v in lexed if t in Error]
    assert "".join(v for _, v in lexed) == (text if text.endswith("\n") else text + "\n")
    html = highlight(text, get_lexer_for_filename(path.name), HtmlFormatter())
    assert 'class="nl"' in html and 'class="k"' in html  # rule ids and keywords are marked up
