"""Syntax highlighting for `.ctr` files: a Pygments lexer.

`YakkanLexer` is registered as a Pygments entry point (`pygments.lexers`, aliases `yakkan` and `ctr`,
filenames `*.ctr`), so any tool that uses Pygments can highlight contracts:
`pygmentize -l yakkan contracts/itscom-hosting.ctr`. The token patterns follow `grammar/yakkan.lark`.
`YakkanReplLexer` adds the `:commands` of `yakkan repl`.
"""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, Punctuation, String, Text, Whitespace

__all__ = ["KEYWORDS", "YakkanLexer", "YakkanReplLexer"]

_DIGIT = "[0-9０-９]"

# Words that begin declarations and statements, and the words of expressions (docs/language.md).
DECLARATION_WORDS = (
    "contract", "conventions", "calendar", "unit", "enum", "param", "plan", "option", "item", "feature",
    "event", "rule", "amendment", "choice",
)
KEYWORDS = DECLARATION_WORDS + (
    "provider", "document", "revised", "currency", "version", "effective", "note", "holidays", "weekend",
    "closed", "every", "includes", "measured", "text", "interval", "starts", "ends", "stops", "sets",
    "changes", "to", "quantity", "of", "when", "unless", "rounding", "tax", "exempt", "included", "from",
    "minimum", "term", "counting", "after", "before", "renews", "notice", "by", "on", "allowed", "due",
    "effect", "if", "late", "obligation", "met", "missed", "grants", "initial", "monthly", "yearly",
    "occurrence", "fee", "per", "for", "first", "last", "month", "settle", "remaining", "as", "fees",
    "partial", "prorate", "ended", "billing", "invoice", "paid", "interest", "year", "days", "charge", "credit",
    "state", "finding", "let", "require", "amount", "value", "date", "claim", "claims", "via", "requires",
    "with", "until", "service", "limit", "reject", "where",
    "then", "else", "and", "or", "not", "in", "sum", "count", "maximum", "each",
    "tier", "otherwise", "later", "earlier", "expiry", "business", "day", "end", "start", "through",
    "true", "false", "default", "graduated", "issued", "outside", "optional", "section", "excluding",
)
UNIT_WORDS = (
    "yen", "JPY", "second", "seconds", "minute", "minutes", "hour", "hours", "week", "weeks", "months", "years",
)
BUILTINS = ("floor", "ceil", "round", "truncate", "max", "min", "monthly_fee", "monthly_rate", "unpaid", "owed", "unpaid_periods",
            "paid_fees", "occurrences", "days_in_month",
            "date_of", "period_of", "monthly_billed", "active", "quantity", "maximum_quantity")

_DATETIME = rf"{_DIGIT}{{4}}-{_DIGIT}{{2}}-{_DIGIT}{{2}}[T ]{_DIGIT}{{2}}:{_DIGIT}{{2}}(:{_DIGIT}{{2}})?([+-][0-9]{{2}}:[0-9]{{2}}|Z)?"
_DATE = rf"{_DIGIT}{{4}}-{_DIGIT}{{2}}-{_DIGIT}{{2}}"
_JDATE = rf"(令和|平成|昭和|大正|明治)?({_DIGIT}+|元)年{_DIGIT}+月{_DIGIT}+日"
_NUMBER = rf"{_DIGIT}{{1,3}}(?:[,，]{_DIGIT}{{3}})+(?:\.{_DIGIT}+)?|{_DIGIT}+(?:\.{_DIGIT}+)?"
# Japanese unit words and percent signs, highlighted where they follow a number.
_JA_UNITS = "%|％|円|ヶ月|か月|ヵ月|カ月|箇月|時間|週間|週|分|日|年"


def _words(words) -> str:
    """One of the words, whole (longest first, so that `months` is not read as `month` and `s`)."""
    return r"(?<![\w])(" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + r")(?![\w])"


# The tokens of a .ctr file, in the order they are tried: (regex, token type), or (regex, token types of its
# groups). The Pygments lexer below and the TextMate grammar of editors/vscode (`textmate`) are both made
# from this list, so that every editor shows the same tokens.
PATTERNS: list[tuple[str, object]] = [
    (r"[ \t\f\r\n\u3000]+", Whitespace),
    (r"#[^\n]*", Comment.Single),
    (r'"([^"\\\n]|\\.)*"', String.Double),
    (r"「[^」\n]*」", String.Other),
    (r"[A-Z][A-Z0-9]*-[0-9]+[a-z]?\b", Name.Label),  # rule ids: ITS-1, ITS-5a
    (r'(第|別表|別紙|附則|付則)[^\s,;{}"「」]*', Name.Tag),  # articles: 第25条第1項, 別表②
    (_DATETIME, Literal.Date),
    (_DATE, Literal.Date),
    (_JDATE, Literal.Date),
    (rf"{_DIGIT}{{2}}-{_DIGIT}{{2}}\b", Number.Other),  # month-day of a yearly closure: 12-29
    (rf"{_DIGIT}+(st|nd|rd|th)\b", Number.Integer),  # ordinals: 5th business day
    (rf"({_NUMBER})([ \t]*)({_JA_UNITS})", (Number, Whitespace, Keyword.Type)),
    (_NUMBER, Number),
    (r"(==|!=|<=|>=|<|>|≦|≧|≠|=|\+|-|\*|/|×|÷|\.\.)", Operator),
    (r"[{}()\[\];,:.]", Punctuation),
    (_words(("true", "false")), Keyword.Constant),
    (_words(DECLARATION_WORDS), Keyword.Declaration),
    (_words([k for k in KEYWORDS if k not in DECLARATION_WORDS and k not in ("true", "false")]), Keyword),
    (_words(UNIT_WORDS), Keyword.Type),
    (r"(?<![\w])(" + "|".join(BUILTINS) + r")(?=\s*\()", Name.Builtin),
    (r"[^\W\d]\w*", Name),
    (r".", Text),
]


def _rule(regex: str, token) -> tuple:
    # A plain tuple names the groups' types (token types are tuples too, of another class).
    return (regex, bygroups(*token) if type(token) is tuple else token)


class YakkanLexer(RegexLexer):
    """Lexer for yakkan contracts (`.ctr`): declarative Japanese service terms."""

    name = "Yakkan"
    aliases = ["yakkan", "ctr"]
    filenames = ["*.ctr"]
    mimetypes = ["text/x-yakkan"]
    url = "https://github.com/"  # the project has no public home yet

    tokens = {"root": [_rule(regex, token) for regex, token in PATTERNS]}


class YakkanReplLexer(YakkanLexer):
    """The yakkan lexer plus the `:commands` of `yakkan repl` at the start of an input."""

    name = "Yakkan REPL"
    aliases = ["yakkan-repl"]
    filenames = []
    mimetypes = []

    tokens = {
        "root": [(r"^:[a-z]+", Keyword.Pseudo)] + YakkanLexer.tokens["root"],
    }
