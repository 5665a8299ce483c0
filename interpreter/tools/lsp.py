"""`yakkan lsp`: the command that starts the language server (`lsp_server`). pygls is imported only
when the server starts, so that other commands do not pay for it."""
from __future__ import annotations


def cmd_lsp(args) -> int:
    from interpreter.tools.lsp_server import serve

    serve()
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("lsp", help="run the language server on standard input and output (for editors)",
                       description="Run the yakkan language server, speaking the Language Server Protocol over "
                                   "standard input and output. Editors start it; see docs/lsp.md.")
    p.add_argument("--stdio", action="store_true",
                   help="speak over standard input and output (the default and only transport; accepted "
                        "because some editors pass it)")
    p.set_defaults(func=cmd_lsp)
