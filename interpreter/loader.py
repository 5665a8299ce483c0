"""One call from a file on disk to a checked model: read, parse, build, check."""
from __future__ import annotations


from interpreter.syntax import nodes as n
from interpreter.check.checker import check
from interpreter.diagnostics import Diagnostic
from interpreter.check.model import Model
from interpreter.syntax.source import SourceFile, Span, decode
from interpreter.syntax.direct_parse import parse_program
from interpreter.files import FileProblem, read_regular

MAX_BYTES = 16 * 1024 * 1024


def read_source(path: str, display: str | None = None) -> tuple[SourceFile | None, list[Diagnostic]]:
    """The text of a contract file: a regular file named *.ctr of at most MAX_BYTES (see interpreter.files)."""
    name = display or path
    if not path.endswith(".ctr"):
        return None, [Diagnostic("E100", "not a contract file: a contract's name ends in .ctr; it was not read",
                                 Span(name, 1, 1), hint="rename the file, or name the .ctr file")]
    try:
        data = read_regular(path, MAX_BYTES, "contract")
    except FileProblem as exc:
        return None, [Diagnostic("E100", str(exc), Span(name, 1, 1))]
    source, bad = decode(name, data)
    if source is None:
        line = data.count(b"\n", 0, bad) + 1
        column = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
        return None, [Diagnostic("E101", f"byte 0x{data[bad]:02x} at offset {bad} is not UTF-8", Span(name, line, column),
                                 hint="save the file as UTF-8")]
    return source, []


def compile_program(source: SourceFile) -> tuple[n.Program | None, Model | None, list[Diagnostic]]:
    """Parse, build and check. The program is kept even when the checker finds errors (the language server
    still answers questions about a file that does not check); the model only when there are none."""
    program, diagnostics = parse_program(source)
    if program is None:
        return None, None, diagnostics
    model, checked = check(source, program)
    diagnostics += checked
    if any(d.severity == "error" for d in diagnostics):
        return program, None, diagnostics
    return program, model, diagnostics


def compile_source(source: SourceFile) -> tuple[Model | None, list[Diagnostic]]:
    _, model, diagnostics = compile_program(source)
    return model, diagnostics


def load_contract(path: str, display: str | None = None) -> tuple[Model | None, list[Diagnostic], SourceFile | None]:
    source, diagnostics = read_source(path, display)
    if source is None:
        return None, diagnostics, None
    model, diagnostics = compile_source(source)
    return model, diagnostics, source
