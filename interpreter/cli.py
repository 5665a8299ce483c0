"""The `yakkan` command line. Each subcommand is a thin layer over the pipeline; user errors are printed
as diagnostics and never as tracebacks."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .diagnostics import has_errors, render_diagnostics
from .loader import load_contract


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on a bad invocation, as the interface says
        self.print_usage(sys.stderr)
        print(f"yakkan: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _contract_files(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files named, and `.ctr` files found recursively in folders named. Returns (files, missing)."""
    files, missing = [], []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(str(f) for f in path.rglob("*.ctr") if f.is_file())
        elif path.exists():
            files.append(p)
        else:
            missing.append(p)
    return files, missing


def cmd_check(args) -> int:
    files, missing = _contract_files(args.paths)
    if missing:
        print(f"yakkan: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    all_diagnostics, sources = [], {}
    for f in files:
        _, diagnostics, source = load_contract(f)
        if source is not None:
            sources[source.name] = source
        all_diagnostics += diagnostics
    out = render_diagnostics(all_diagnostics, sources, args.format)
    if args.format == "json":
        import json

        payload = json.loads(out)
        payload["files"] = files
        out = json.dumps(payload, ensure_ascii=False, indent=2)
    if out:
        print(out)
    elif args.format == "text":
        print(f"{len(files)} file{'s' if len(files) != 1 else ''} checked: no problems")
    return 1 if has_errors(all_diagnostics) else 0


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yakkan", description="Executable Japanese service terms (約款).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="parse and statically check .ctr files (folders are searched recursively)")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
