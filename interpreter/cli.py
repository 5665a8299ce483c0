"""The `yakkan` command line. Each subcommand is a thin layer over the pipeline; user errors are printed
as diagnostics and never as tracebacks."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from interpreter.diagnostics import has_errors, render_diagnostics
from interpreter.loader import load_contract


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on a bad invocation, as the interface says
        self.print_usage(sys.stderr)
        print(f"yakkan: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _files(paths: list[str], suffixes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Files named, and files with one of the suffixes found recursively in folders named.
    Returns (files, missing)."""
    files, missing = [], []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(str(f) for f in path.rglob("*") if f.is_file() and f.suffix in suffixes)
        elif path.exists():
            files.append(p)
        else:
            missing.append(p)
    return files, missing


def cmd_check(args) -> int:
    files, missing = _files(args.paths, (".ctr",))
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


def _as_of(text: str | None):
    if text is None:
        return None
    from interpreter.time.timestamps import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        print(f"yakkan: error: --as-of: {exc}", file=sys.stderr)
        raise SystemExit(2)


def _evaluate(args):
    from interpreter.run.runner import evaluate_files

    outcome = evaluate_files(args.contract, args.scenario, _as_of(args.as_of), args.root)
    if not outcome.ok:
        print(render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"), file=sys.stderr)
        return outcome, 1
    return outcome, 0


def cmd_run(args) -> int:
    from interpreter.render.text import render_json, render_text

    outcome, code = _evaluate(args)
    if code:
        return code
    if args.format == "html":
        from pathlib import Path

        from interpreter.render.html import render_html

        print(render_html(outcome.ledger, outcome.model, outcome.events, outcome.timeline, Path(args.scenario).stem))
        return 0
    print(render_json(outcome.ledger) if args.format == "json" else render_text(outcome.ledger))
    return 0


def cmd_explain(args) -> int:
    from interpreter.render.text import explain_entry

    outcome, code = _evaluate(args)
    if code:
        return code
    ledger = outcome.ledger
    events_text = {e.index: str(e) for e in outcome.events}
    chosen = [e for e in ledger.entries if args.entry in (None, e.id)]
    if not chosen:
        print(f"yakkan: error: no entry {args.entry}; the ledger has E1–E{len(ledger.entries)}", file=sys.stderr)
        return 2
    if args.format == "json":
        import json

        from interpreter.run.ledger import entry_json

        print(json.dumps([dict(entry_json(e), explanation=list(e.explanation), conventions=list(e.conventions))
                          for e in chosen], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(explain_entry(e, outcome.model, events_text) for e in chosen))
    return 0


def cmd_test(args) -> int:
    from interpreter.render.text import explain_entry
    from interpreter.run.runner import check_expectations, evaluate_files
    from interpreter.run.scenario import load_scenario

    files, missing = _files(args.paths, (".yaml", ".yml"))
    if missing:
        print(f"yakkan: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 1
    failed = passed = 0
    for f in files:
        scenario, _ = load_scenario(f)
        if scenario is not None and not scenario.expect:
            continue
        outcome = evaluate_files(None, f, root=args.root)
        if not outcome.ok:
            failed += 1
            print(f"FAIL {f}")
            print(render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"))
            continue
        mismatches = check_expectations(outcome.ledger, outcome.scenario)
        if not mismatches:
            passed += 1
            print(f"ok   {f} ({len(outcome.scenario.expect)} expectations)")
            continue
        failed += 1
        print(f"FAIL {f}")
        events_text = {e.index: str(e) for e in outcome.events}
        for m in mismatches:
            print(f"  {m.span}: expected {m.expected}")
            if not m.closest:
                print("    got: no entry of that rule and kind")
            for entry in m.closest:
                print(f"    got: {entry}")
                found = outcome.ledger.find(entry["id"])
                print("      " + explain_entry(found, outcome.model, events_text).replace("\n", "\n      "))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def _add_root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", metavar="DIR",
                   help="a scenario's `contract:` may name any .ctr file under DIR (default: inside the "
                        "scenario's repository, the nearest folder above it with .git)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yakkan", description="Executable Japanese service terms (約款).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="parse and statically check .ctr files (folders are searched recursively)")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.set_defaults(func=cmd_check)
    for name, func, help_text in (("run", cmd_run, "evaluate a contract over a scenario and print the ledger"),
                                  ("explain", cmd_explain, "show how each ledger entry was derived")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("positional", metavar="CONTRACT" if name == "run" else "CONTRACT [ENTRY]", nargs="*")
        p.add_argument("--scenario", required=True, metavar="FILE")
        p.add_argument("--as-of", metavar="DATE")
        formats = ("text", "json", "html") if name == "run" else ("text", "json")
        p.add_argument("--format", choices=formats, default="text",
                       help="html (run only): one self-contained page with a timeline, for people")
        _add_root(p)
        p.set_defaults(func=func)
    # Authoring tools (fmt, diff, repl) add their subcommands below this line, one line each.
    from interpreter.tools import fmt; fmt.add_parser(sub)
    from interpreter.tools import compare; compare.add_parser(sub)
    from interpreter.tools import repl; repl.add_parser(sub)
    from interpreter.tools import lsp; lsp.add_parser(sub)
    test = sub.add_parser("test", help="run the expect: sections of scenario files")
    test.add_argument("paths", nargs="+", metavar="PATH")
    _add_root(test)
    test.set_defaults(func=cmd_test)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args, extra = parser.parse_known_args(argv)
    # `explain CONTRACT --scenario FILE ENTRY`: positionals may stand on both sides of the options.
    if extra and args.command in ("run", "explain") and not any(x.startswith("-") for x in extra):
        args.positional = args.positional + extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command in ("run", "explain"):
        limit = 2 if args.command == "explain" else 1
        if len(args.positional) > limit:
            parser.error(f"too many arguments: {' '.join(args.positional[limit:])}")
        pos = list(args.positional)
        args.contract = pos.pop(0) if pos and pos[0].endswith(".ctr") else None
        args.entry = pos.pop(0) if pos else None
        if pos or (args.command == "run" and args.entry):
            parser.error(f"expected a contract file ending in .ctr, not {args.entry}")
        if args.entry is not None and not re.fullmatch(r"E\d+", args.entry):
            parser.error(f"expected a contract file ending in .ctr or an entry id such as E7, not {args.entry}")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `yakkan run … | head`: the reader left; that is not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
