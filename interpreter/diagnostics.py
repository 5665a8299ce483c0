"""Diagnostics: every problem a user can cause, as a value with a code, a place, a message and a hint.

Stages return diagnostics; they never raise them at the user. Rendering (text, JSON, GitHub annotations)
lives in `render_diagnostics`, so every command prints problems the same way.
"""
from __future__ import annotations

import json
import unicodedata
from typing import Iterable

from interpreter import records

from interpreter.syntax.source import SourceFile, Span

# Every code a user can meet, with a one-line title. docs/errors.md documents each; a test keeps them in step.
CODES: dict[str, str] = {
    # reading and syntax
    "E100": "file cannot be read",
    "E101": "file is not valid UTF-8",
    "E102": "unexpected token",
    "E103": "unexpected end of file",
    "E104": "unterminated string",
    "E105": "unexpected character",
    "E106": "nesting too deep",
    "E107": "invalid date",
    "E108": "number out of range",
    "E109": "construct no longer in the language",
    # names
    "E201": "unknown name",
    "E202": "duplicate declaration",
    "E203": "duplicate rule id",
    "E204": "unknown item",
    "E205": "unknown event",
    "E206": "unknown field",
    "E207": "unknown type",
    "E208": "wrong kind of name",
    # types and units
    "E301": "incompatible units",
    "E302": "type mismatch",
    "E303": "durations of different units compared",
    "E304": "condition cannot be decided where it stands",
    # rules
    "E401": "rule without a citation",
    "E402": "deadline after the effect it announces",
    "E403": "versions out of order",
    "E404": "missing part",
    "E405": "statement not allowed here",
    "E406": "invalid value",
    "E407": "contract-wide declaration made twice",
    "E408": "optional field with a default",
    "E409": "reading choice whose readings are not policies",
    # scenarios
    "E601": "scenario is not valid YAML",
    "E602": "scenario has the wrong shape",
    "E603": "event not declared by the contract",
    "E604": "missing event field",
    "E605": "extra event field",
    "E606": "value of the wrong type",
    "E607": "unknown parameter",
    "E608": "missing parameter",
    "E609": "contract not found",
    "E610": "contract outside the scenario's repository",
    "E611": "value out of range during evaluation",
    # test expectations
    "E701": "expectation not met",
    # warnings
    "W501": "date computation depends on an undeclared convention",
    "W502": "rule has no effect",
    "W503": "reading of a choice without its text",
    "W601": "event after the as-of day",
}


@records.frozen
class Note:
    """A further place that contributed to a problem (the first declaration of a duplicate, say)."""

    span: Span
    message: str


@records.frozen
class Diagnostic:
    code: str
    message: str
    span: Span | None
    hint: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def severity(self) -> str:
        return "warning" if self.code.startswith("W") else "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"diagnostic code {self.code} is not registered")


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple:
    s = d.span
    return (s.file, s.line, s.column, d.code) if s else ("", 0, 0, d.code)


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def excerpt(source: SourceFile | None, span: Span | None) -> list[str]:
    """The offending line and a caret line under the place, aligned for wide characters."""
    if source is None or span is None:
        return []
    line = source.line_text(span.line)
    if not line and span.line > 1 and span.line > len(source.lines):
        return []
    shown = line.expandtabs(1)
    if len(shown) > 200:  # noise or minified input: show the neighbourhood only
        lo = max(0, span.column - 80)
        shown = shown[lo : lo + 160]
        col = span.column - lo
    else:
        col = span.column
    # a control character (NUL, ESC …) would act on the terminal instead of showing: one mark for each
    shown = "".join(c if c.isprintable() else "\ufffd" for c in shown)
    pad = display_width(shown[: col - 1])
    length = 1
    if span.end_line == span.line and span.end_column > span.column:
        length = max(1, display_width(shown[col - 1 : col - 1 + span.end_column - span.column]))
    gutter = f"{span.line:>4} | "
    return [gutter + shown, " " * (len(gutter) + pad) + "^" * min(length, 80)]


def render_text(d: Diagnostic, sources: dict[str, SourceFile]) -> str:
    head = f"{d.span}: " if d.span else ""
    out = [f"{head}{d.severity}[{d.code}]: {d.message}"]
    out += excerpt(sources.get(d.span.file) if d.span else None, d.span)
    for note in d.notes:
        out.append(f"  note: {note.span}: {note.message}")
        out += ["  " + x for x in excerpt(sources.get(note.span.file), note.span)]
    if d.hint:
        out.append(f"  hint: {d.hint}")
    return "\n".join(out)


def as_json(d: Diagnostic) -> dict:
    place = None
    if d.span:
        place = {"file": d.span.file, "line": d.span.line, "column": d.span.column}
    return {
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "hint": d.hint,
        "location": place,
        "notes": [
            {"message": n.message, "file": n.span.file, "line": n.span.line, "column": n.span.column}
            for n in d.notes
        ],
    }


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(d: Diagnostic) -> str:
    """A workflow command: `::error file=F,line=L,col=C,title=CODE,endLine=L,endColumn=C2::message`.

    GitHub accepts columns only within one line, so a span over several lines is annotated on its first
    line from its column on (no endColumn). endColumn is the column of the last character marked."""
    props = []
    if d.span:
        props += [f"file={_gh_escape(d.span.file, True)}", f"line={d.span.line}", f"col={d.span.column}"]
    props.append(f"title={d.code}")
    if d.span:
        props.append(f"endLine={d.span.line}")
        if d.span.end_line == d.span.line and d.span.end_column > d.span.column:
            props.append(f"endColumn={d.span.end_column - 1}")
    message = d.message + (f" (hint: {d.hint})" if d.hint else "")
    return f"::{d.severity} {','.join(props)}::{_gh_escape(message)}"


def render_diagnostics(diagnostics: list[Diagnostic], sources: dict[str, SourceFile], fmt: str) -> str:
    ordered = sorted(diagnostics, key=sort_key)
    if fmt == "json":
        return json.dumps({"diagnostics": [as_json(d) for d in ordered]}, ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(render_github(d) for d in ordered)
    blocks = [render_text(d, sources) for d in ordered]
    errors = sum(d.severity == "error" for d in ordered)
    warnings = len(ordered) - errors
    if ordered:
        blocks.append(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    return "\n\n".join(blocks[:-1]) + ("\n\n" if len(blocks) > 1 else "") + blocks[-1] if blocks else ""


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest known name, for hints on unknown names."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
