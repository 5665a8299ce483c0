"""The language server behind `yakkan lsp`: `.ctr` files over standard input and output (pygls 2).

Diagnostics are those of `yakkan check` (same codes, messages and hints), published on every change;
hover, go to definition, completion, formatting through `yakkan fmt`, and the outline come from
`lsp_index` and `lsp_complete`, which work on code points; this module only converts positions to and
from the client's units and speaks the protocol.

Documents are synchronised whole (TextDocumentSyncKind.Full): contracts are small, and the server then
never has to agree with the client on what ends a line (the parser counts only `\\n`).
"""
from __future__ import annotations

import asyncio
import logging
import sys

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import ServerTextPosition

from interpreter import __version__
from interpreter.diagnostics import Diagnostic
from interpreter.tools.fmt import FormatError, format_source
from interpreter.tools.lsp_complete import complete
from interpreter.tools.lsp_index import Declaration, Document
from interpreter.syntax.source import Span

SETTLE_SECONDS = 0.2  # how long typing must pause before a change is checked
_SYMBOL_KINDS = {"plan": lsp.SymbolKind.Class, "option": lsp.SymbolKind.Class, "item": lsp.SymbolKind.Class,
                 "feature": lsp.SymbolKind.Class, "event": lsp.SymbolKind.Event, "field": lsp.SymbolKind.Field,
                 "param": lsp.SymbolKind.Variable, "unit": lsp.SymbolKind.Constant, "enum": lsp.SymbolKind.Enum,
                 "case": lsp.SymbolKind.EnumMember, "rule": lsp.SymbolKind.Module,
                 "notice": lsp.SymbolKind.Function, "obligation": lsp.SymbolKind.Function,
                 "calendar": lsp.SymbolKind.Namespace, "contract": lsp.SymbolKind.Package,
                 "choice": lsp.SymbolKind.Enum, "reading": lsp.SymbolKind.EnumMember}
_COMPLETION_KINDS = {"plan": lsp.CompletionItemKind.Class, "option": lsp.CompletionItemKind.Class,
                     "item": lsp.CompletionItemKind.Class, "feature": lsp.CompletionItemKind.Class,
                     "event": lsp.CompletionItemKind.Event, "field": lsp.CompletionItemKind.Field,
                     "param": lsp.CompletionItemKind.Variable, "case": lsp.CompletionItemKind.EnumMember,
                     "notice": lsp.CompletionItemKind.Function, "function": lsp.CompletionItemKind.Function,
                     "keyword": lsp.CompletionItemKind.Keyword, "attribute": lsp.CompletionItemKind.Property,
                     "contract": lsp.CompletionItemKind.Module, "choice": lsp.CompletionItemKind.Enum,
                     "reading": lsp.CompletionItemKind.EnumMember}


class YakkanServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("yakkan", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.documents: dict[str, Document] = {}
        self.versions: dict[str, int | None] = {}  # the version of the text each analysis saw

    # ------------------------------------------------------------- positions

    @staticmethod
    def _lines(doc: Document) -> list[str]:
        return doc.text.split("\n")

    def to_offset(self, doc: Document, position: lsp.Position) -> int:
        lines = [line + "\n" for line in self._lines(doc)]
        server = self.workspace.position_codec.position_from_client_units(lines, position)
        line = min(server.line, len(doc.line_starts) - 1)
        return min(doc.line_starts[line] + server.character, len(doc.text))

    def to_range(self, doc: Document, span: Span) -> lsp.Range:
        lines = [line + "\n" for line in self._lines(doc)]
        codec = self.workspace.position_codec
        end_line, end_column = (span.end_line, span.end_column) if span.end_line else (span.line, span.column + 1)
        return lsp.Range(
            codec.position_to_client_units(lines, ServerTextPosition(span.line - 1, span.column - 1)),
            codec.position_to_client_units(lines, ServerTextPosition(end_line - 1, end_column - 1)))

    # ------------------------------------------------------------- documents

    def analyse(self, uri: str) -> Document:
        """Check the workspace's text of a document and publish its diagnostics."""
        current = self.workspace.get_text_document(uri)
        doc = Document(uri, current.source, self.documents.get(uri))
        self.documents[uri] = doc
        self.versions[uri] = current.version
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=current.version, diagnostics=[self.diagnostic(doc, d) for d in doc.diagnostics]))
        return doc

    def up_to_date(self, uri: str) -> bool:
        return uri in self.documents and self.versions.get(uri) == self.workspace.get_text_document(uri).version

    def diagnostic(self, doc: Document, d: Diagnostic) -> lsp.Diagnostic:
        span = d.span or Span(doc.uri, 1, 1)
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        related = [lsp.DiagnosticRelatedInformation(lsp.Location(doc.uri, self.to_range(doc, note.span)), note.message)
                   for note in d.notes if note.span.file == doc.uri]
        return lsp.Diagnostic(
            range=self.to_range(doc, span), message=message, code=d.code, source="yakkan",
            severity=lsp.DiagnosticSeverity.Warning if d.severity == "warning" else lsp.DiagnosticSeverity.Error,
            related_information=related or None)

    def document(self, uri: str) -> Document:
        """The analysis of the text as it is now: a request that comes while a change waits analyses it."""
        return self.documents[uri] if self.up_to_date(uri) else self.analyse(uri)

    def symbol(self, doc: Document, d: Declaration) -> lsp.DocumentSymbol:
        return lsp.DocumentSymbol(
            name=d.name, detail=d.label or d.signature, kind=_SYMBOL_KINDS.get(d.kind, lsp.SymbolKind.Variable),
            range=self.to_range(doc, d.span), selection_range=self.to_range(doc, d.name_span),
            children=[self.symbol(doc, c) for c in d.children] or None)


server = YakkanServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: YakkanServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.analyse(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: YakkanServer, params: lsp.DidChangeTextDocumentParams) -> None:
    # Checking a contract takes a few hundred milliseconds: while keys are being typed, only the text of
    # the last change is checked, once the typing pauses (a request in between checks it at once).
    await asyncio.sleep(SETTLE_SECONDS)
    uri = params.text_document.uri
    if ls.workspace.get_text_document(uri).version == params.text_document.version and not ls.up_to_date(uri):
        ls.analyse(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: YakkanServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.documents.pop(params.text_document.uri, None)
    ls.versions.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: YakkanServer, params: lsp.HoverParams) -> lsp.Hover | None:
    doc = ls.document(params.text_document.uri)
    found = doc.hover(ls.to_offset(doc, params.position))
    if found is None:
        return None
    text, span = found
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                     range=ls.to_range(doc, span))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: YakkanServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    doc = ls.document(params.text_document.uri)
    span = doc.definition(ls.to_offset(doc, params.position))
    return lsp.Location(doc.uri, ls.to_range(doc, span)) if span else None


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["."]))
def completion(ls: YakkanServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    doc = ls.document(params.text_document.uri)
    items = [lsp.CompletionItem(label=c.label, detail=c.detail,
                                kind=_COMPLETION_KINDS.get(c.kind, lsp.CompletionItemKind.Text))
             for c in complete(doc, ls.to_offset(doc, params.position))]
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: YakkanServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    doc = ls.document(params.text_document.uri)
    start, end = ls.to_offset(doc, params.range.start), ls.to_offset(doc, params.range.end)
    return [lsp.CodeAction(title=f"Replace with `{name}`", kind=lsp.CodeActionKind.QuickFix,
                           diagnostics=[ls.diagnostic(doc, d)], is_preferred=True,
                           edit=lsp.WorkspaceEdit(changes={doc.uri: [lsp.TextEdit(ls.to_range(doc, span), name)]}))
            for d, span, name in doc.fixes(start, end)]


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: YakkanServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    doc = ls.document(params.text_document.uri)
    try:
        formatted, problems = format_source(doc.source)
    except FormatError as exc:  # the formatter refused its own output: leave the file as it is
        logging.getLogger(__name__).error("%s", exc)
        return None
    if formatted is None or formatted == doc.text:
        return [] if formatted is not None else None
    end = ls.to_range(doc, doc.span_of(len(doc.text), len(doc.text))).end
    return [lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=formatted)]


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: YakkanServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    doc = ls.document(params.text_document.uri)
    return [ls.symbol(doc, d) for d in doc.symbols()]


def serve() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)  # stdout carries the protocol
    server.start_io()
