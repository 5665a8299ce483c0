"""Source files and spans: where a piece of text came from, for every later stage to point back at."""
from __future__ import annotations

from interpreter import records


@records.frozen
class Span:
    """A place in a source file: 1-based line and column of the start (and end) of a construct."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@records.frozen
class SourceFile:
    """The text of one file as it was read, with the name used in messages."""

    name: str
    text: str
    # the text's lines as the parser counts them (only \n ends one), split once
    lines: tuple[str, ...] = records.field(init=False, eq=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.text.split("\n")))

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def snippet(self, span: Span | None) -> str:
        """The text a span covers, on one line (for explanations)."""
        if span is None or not span.end_line:
            return ""
        lines = list(self.lines[span.line - 1 : span.end_line])
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][span.column - 1 : span.end_column - 1]
        lines[0] = lines[0][span.column - 1 :]
        lines[-1] = lines[-1][: span.end_column - 1]
        return " ".join(x.strip() for x in lines)

    def span_at(self, offset: int) -> Span:
        """The span of one character at a 0-based offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        start = self.text.rfind("\n", 0, offset) + 1
        column = offset - start + 1
        return Span(self.name, line, column, line, column + 1)


def decode(name: str, data: bytes) -> tuple[SourceFile | None, int | None]:
    """Decode bytes as UTF-8 (a BOM is dropped). Returns (file, None) or (None, offset of the first bad byte)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, exc.start
    return SourceFile(name, text.replace("\r\n", "\n").replace("\r", "\n")), None
