"""`yakkan fmt`: the canonical layout of a .ctr file.

The layout is printed from a parse tree that keeps every token (keywords and punctuation included), so
every token is written back with exactly the text the author gave it (`10,000`, `令和7年4月1日`, 「…」).
Comments are not in the tree: they are found in the gaps between tokens, where the lexer only skips
whitespace and comments, and are put back by line — a full-line comment above the token that followed
it, an end-of-line comment after the token it followed.

Canonical layout:
  * 2-space indentation, one statement per line, `{` on the line it opens, `}` alone on its line
    (a `tier { … }` is an expression, so what follows its `}` stays on that line: `};`);
  * a blank line between top-level declarations; elsewhere at most one blank line, where the author put one;
  * single spaces between tokens, except none before `;` `,` `)` `]` `:` `%` and around `.`, none after
    `(` `[` and a unary `-`, and none between a function's name and its `(`;
  * end-of-line comments two spaces after the code, aligned across consecutive lines of one block;
  * long lines are not wrapped: a statement longer than MAX_WIDTH columns on one line keeps the line
    breaks its author put in it (continuation lines one step deeper); shorter ones are joined. A comment
    inside a statement ends its line: the rest of the statement continues on the next line, one step deeper.

The result is checked before it is returned: it must parse to an AST equal to the original's and keep
every comment, or formatting fails with FormatError (a bug in the formatter, never in the user's file).
"""
from __future__ import annotations

import bisect
import difflib
import re
import sys
from pathlib import Path

import attrs
from lark import Lark, Token, Tree

from interpreter.diagnostics import Diagnostic, display_width, render_diagnostics
from interpreter.syntax.source import SourceFile

INDENT = "  "
INDENT_WIDTH = 2
MAX_WIDTH = 100  # a statement longer than this keeps the line breaks its author put in it
_COMMENT = re.compile(r"#[^\n]*")
_NO_SPACE_BEFORE = {";", ",", ")", "]", ":", "."}
_NO_SPACE_AFTER = {"(", "[", "."}


class FormatError(Exception):
    """The formatter produced text that does not mean the same as its input (a bug in the formatter)."""


def _full_parser() -> Lark:
    """The project's parser, but keeping keywords and punctuation in the tree."""
    from interpreter.syntax.parse import parser

    return parser(keep_all_tokens=True)


@attrs.frozen
class _Tok:
    text: str
    type: str
    parent: str  # the rule name of the tree the token sits in
    first: bool  # the first child of that tree
    line: int
    end_line: int


@attrs.frozen
class _Comment:
    text: str
    line: int


def _leaves(tree: Tree) -> list[tuple[Token, str, bool]]:
    """The tree's tokens in source order, each with the rule it sits in and whether it is that rule's first
    child. Without recursion: lark's scan_values nests a generator per level of a long operator chain."""
    out: list[tuple[Token, str, bool]] = []
    stack: list = [(tree, "start", False)]
    while stack:
        node, parent, first = stack.pop()
        if isinstance(node, Tree):
            for i in range(len(node.children) - 1, -1, -1):
                stack.append((node.children[i], str(node.data), i == 0))
        elif isinstance(node, Token):
            out.append((node, parent, first))
    return out


def _comments_between(text: str, start: int, end: int, line_starts: list[int]) -> list[_Comment]:
    # Between two tokens the lexer skips only whitespace and comments, so every `#` here opens a comment.
    return [_Comment(m.group().rstrip(), bisect.bisect_right(line_starts, m.start()))
            for m in _COMMENT.finditer(text, start, end)]


def _items(text: str, tree: Tree) -> list:
    """Tokens and comments, interleaved in source order."""
    line_starts = _line_starts(text)
    items: list = []
    pos = 0
    for token, parent, first in _leaves(tree):
        items += _comments_between(text, pos, token.start_pos, line_starts)
        items.append(_Tok(str(token), token.type, parent, first, token.line, token.end_line or token.line))
        pos = token.end_pos
    items += _comments_between(text, pos, len(text), line_starts)
    return items


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _comments(text: str, tree: Tree) -> list[str]:
    """The comments of a parsed text. Any parse tree of it will do: the gaps between the tokens it keeps
    hold whitespace, comments and keywords or punctuation, and only a comment can hold a `#`."""
    line_starts = _line_starts(text)
    out: list[_Comment] = []
    pos = 0
    for token, _, _ in _leaves(tree):
        out += _comments_between(text, pos, token.start_pos, line_starts)
        pos = token.end_pos
    out += _comments_between(text, pos, len(text), line_starts)
    return [c.text for c in out]


def _space_between(prev: _Tok, cur: _Tok) -> bool:
    if cur.text in _NO_SPACE_BEFORE or cur.type == "PERCENT":
        return False
    if cur.text == "(" and cur.parent in ("call", "call_excluding"):
        return False
    if prev.text in _NO_SPACE_AFTER:
        return False
    if prev.text == "-" and prev.parent == "neg" and prev.first:
        return False
    return True


class _Printer:
    def __init__(self) -> None:
        self.lines: list[list | None] = []  # [indent, code, comment] or None for a blank line
        self.buf: list | None = None  # the open line
        self.prev_tok: _Tok | None = None  # the last token on the open line
        self.prev_end = 0  # the source line the previous item ended on
        self.depth = 0
        self.in_stmt = False  # a statement (or declaration header) has begun and not ended
        self.braces: list[tuple[bool, bool]] = []  # per open `{`: (is a tier, in_stmt outside it)
        self.first_in_block = True
        self.after_code = False  # the last element was a statement or declaration, not a comment

    # ---------------------------------------------------------------- lines

    def _flush(self) -> None:
        if self.buf is None:
            return
        indent, pieces, comment = self.buf
        self.buf = None
        self.prev_tok = None
        joined = "".join((" " if space else "") + text for text, space, _ in pieces)
        if INDENT_WIDTH * indent + display_width(joined) <= MAX_WIDTH or not any(b for _, _, b in pieces[1:]):
            self.lines.append([indent, joined, comment])
            return
        # Too long for one line: keep the breaks its author chose, and indent what follows them.
        line = [indent, "", None]
        for i, (text, space, broken) in enumerate(pieces):
            if broken and i:
                self.lines.append(line)
                line = [self.depth + 1, text, None]
            else:
                line[1] += (" " if space else "") + text
        line[2] = comment
        self.lines.append(line)

    def _new_element(self, line: int) -> None:
        """Blank line rules, before a statement or full-line comment at block level."""
        if self.first_in_block:
            blank = False
        elif self.depth == 0 and self.after_code:
            blank = True
        else:
            blank = line - self.prev_end > 1
        if blank:
            self.lines.append(None)
        self.first_in_block = False

    def _open(self, line: int) -> None:
        if self.in_stmt:
            self.buf = [self.depth + 1, [], None]  # a statement broken by a comment goes on one step deeper
        else:
            self._new_element(line)
            self.buf = [self.depth, [], None]

    def _append(self, tok: _Tok) -> None:
        if self.buf is None:
            self._open(tok.line)
        prev = self.prev_tok
        self.buf[1].append((tok.text, prev is not None and _space_between(prev, tok),
                            prev is not None and prev.end_line < tok.line))
        self.prev_tok = tok

    # ---------------------------------------------------------------- items

    def comment(self, c: _Comment) -> None:
        if self.prev_tok is not None and self.prev_end == c.line:  # at the end of the open line
            self.buf[2] = c.text
            self._flush()
        elif self.buf is None and self.lines and self.prev_end == c.line and self.lines[-1] is not None \
                and self.lines[-1][2] is None and self.lines[-1][1]:  # the line was closed by `;`, `{` or `}`
            self.lines[-1][2] = c.text
        else:
            self._flush()
            if self.in_stmt:
                self.lines.append([self.depth + 1, "", c.text])
            else:
                self._new_element(c.line)
                self.lines.append([self.depth, "", c.text])
                self.after_code = False
        self.prev_end = c.line

    def token(self, tok: _Tok) -> None:
        if tok.text == "}" and tok.type == "RBRACE":
            self._flush()
            is_tier, outer = self.braces.pop()
            self.depth -= 1
            self.in_stmt = False
            self.buf = [self.depth, [], None]
            self._append(tok)
            self.in_stmt = outer
            if not is_tier:
                self._end_element()
        else:
            self._append(tok)
            self.in_stmt = True
            if tok.text == "{" and tok.type == "LBRACE":
                self._flush()
                self.braces.append((tok.parent == "tier", True))
                self.depth += 1
                self.in_stmt = False
                self.first_in_block = True
            elif tok.text == ";" and tok.type == "SEMICOLON":
                self._end_element()
        self.prev_end = tok.end_line

    def _end_element(self) -> None:
        self._flush()
        self.in_stmt = False
        self.after_code = True
        self.first_in_block = False

    def text(self) -> str:
        self._flush()
        _align_comments(self.lines)
        out = []
        for line in self.lines:
            if line is None:
                out.append("")
                continue
            indent, code, comment = line[:3]
            if comment is None:
                out.append(INDENT * indent + code)
            elif not code:
                out.append(INDENT * indent + comment)
            else:
                out.append(INDENT * indent + code + " " * line[3] + comment)
        return "\n".join(out) + "\n" if out else ""


def _align_comments(lines: list) -> None:
    """End-of-line comments on consecutive lines of the same indentation start in one column."""
    for line in lines:
        if line is not None and line[2] is not None and line[1]:
            line.append(2)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line is None or line[2] is None or not line[1]:
            i += 1
            continue
        j = i
        while (j + 1 < len(lines) and lines[j + 1] is not None and lines[j + 1][2] is not None
               and lines[j + 1][1] and lines[j + 1][0] == line[0]):
            j += 1
        width = max(display_width(lines[k][1]) for k in range(i, j + 1))
        for k in range(i, j + 1):
            lines[k][3] = width - display_width(lines[k][1]) + 2
        i = j + 1


def _layout(text: str) -> str:
    tree = _full_parser().parse(text)
    printer = _Printer()
    for item in _items(text, tree):
        if isinstance(item, _Comment):
            printer.comment(item)
        else:
            printer.token(item)
    return printer.text()


def comments(text: str) -> list[str]:
    """The comments of a file that parses, in order (each without trailing whitespace)."""
    return _comments(text, _full_parser().parse(text))


def format_source(source: SourceFile) -> tuple[str | None, list[Diagnostic]]:
    """The canonical text of a file, or None with the syntax diagnostics that prevent formatting it."""
    from interpreter.syntax.build import build
    from interpreter.syntax.parse import parse

    tree, diagnostics = parse(source)
    if tree is None or diagnostics:
        return None, diagnostics
    formatted = _layout(source.text)
    # The formatter must never change what a contract means, nor lose a comment.
    again = SourceFile(source.name, formatted)
    new_tree, problems = parse(again)
    if new_tree is None or problems:
        raise FormatError(f"{source.name}: the formatted text does not parse: {problems}")
    if build(again, new_tree)[0] != build(source, tree)[0]:
        raise FormatError(f"{source.name}: the formatted text means something else")
    if _comments(formatted, new_tree) != _comments(source.text, tree):
        raise FormatError(f"{source.name}: the formatted text lost or reordered a comment")
    return formatted, []


def format_text(text: str, name: str = "<text>") -> str:
    """Format a contract's text. Raises ValueError, with the diagnostics rendered, if it does not parse."""
    source = SourceFile(name, text.replace("\r\n", "\n").replace("\r", "\n"))
    formatted, diagnostics = format_source(source)
    if formatted is None:
        raise ValueError(render_diagnostics(diagnostics, {name: source}, "text"))
    return formatted


# ---------------------------------------------------------------- command line

STDIN = "<stdin>"  # the name `yakkan fmt -` gives standard input in messages and diffs


def _read_stdin() -> tuple[SourceFile | None, list[Diagnostic], bytes]:
    from interpreter.syntax.source import Span, decode

    data = sys.stdin.buffer.read()
    source, bad = decode(STDIN, data)
    if source is None:
        return None, [Diagnostic("E101", f"byte 0x{data[bad]:02x} at offset {bad} of standard input is not UTF-8",
                                 Span(STDIN, 1, 1), hint="send the contract as UTF-8")], data
    return source, [], data


def cmd_fmt(args) -> int:
    from interpreter.cli import _files
    from interpreter.loader import read_source

    if "-" in args.paths:
        if len(args.paths) > 1:
            print("yakkan: error: `-` (standard input) cannot be mixed with files", file=sys.stderr)
            return 2
        files, missing = ["-"], []
    else:
        files, missing = _files(args.paths, (".ctr",))
    if missing:
        print(f"yakkan: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    failed = changed = False
    for f in files:
        if f == "-":
            source, diagnostics, original = _read_stdin()
        else:
            (source, diagnostics), original = read_source(f), None
        formatted = None
        if source is not None:
            formatted, diagnostics = format_source(source)
        if formatted is None:
            sources = {source.name: source} if source is not None else {}
            print(render_diagnostics(diagnostics, sources, "text"), file=sys.stderr)
            failed = True
            continue
        name = STDIN if f == "-" else f
        original = Path(f).read_bytes() if original is None else original
        is_new = formatted.encode("utf-8") != original
        changed = changed or is_new
        if args.diff or args.check:
            if is_new and args.diff:
                before = original.decode("utf-8", errors="replace").splitlines(keepends=True)
                sys.stdout.writelines(difflib.unified_diff(before, formatted.splitlines(keepends=True),
                                                           f"{name} (original)", f"{name} (formatted)"))
            elif is_new:
                print(name)
        elif f == "-":
            sys.stdout.write(formatted)  # a filter: the canonical text on standard output, always
        elif is_new:
            with open(f, "w", encoding="utf-8", newline="\n") as out:
                out.write(formatted)
            print(f"formatted {f}")
    # --check and --diff fail when something would change, as `ruff format --check/--diff` and `gofmt -l` do.
    if failed or ((args.check or args.diff) and changed):
        return 1
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("fmt", help="rewrite .ctr files in the canonical layout (folders are searched recursively)",
                       description="Rewrite .ctr files in the canonical layout. Comments are kept and the "
                                   "meaning never changes.")
    p.add_argument("paths", nargs="+", metavar="FILE",
                   help=".ctr files or folders (searched recursively); `-` reads standard input and writes the "
                        "formatted text to standard output")
    p.add_argument("--check", action="store_true",
                   help="write nothing; list the files that would change and exit 1 if there are any")
    p.add_argument("--diff", action="store_true",
                   help="write nothing; print a unified diff of the changes and exit 1 if there are any")
    p.set_defaults(func=cmd_fmt)
