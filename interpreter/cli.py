"""The `yakkan` command line. Each subcommand is a thin layer over the pipeline; user errors are printed
as diagnostics and never as tracebacks."""
from __future__ import annotations

import argparse
import gc
import importlib
import re
import sys
from pathlib import Path

from interpreter.diagnostics import has_errors, render_diagnostics


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
    # Checking builds no cyclic garbage (none is left to collect after a contract is checked), so the cyclic
    # collector, which would run hundreds of times over the modules being imported and the objects of the
    # parse, is off while it runs: about a twentieth of a cold check.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(args)
    finally:
        if collecting:
            gc.enable()


def _check(args) -> int:
    from interpreter.loader import load_contract

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
    if args.strict and all_diagnostics:
        return 1  # --strict: a warning fails the check too
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
    from interpreter.api import evaluate_scenario_file

    outcome = evaluate_scenario_file(args.contract, args.scenario, _as_of(args.as_of), args.root)
    if not outcome.ok:
        print(render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"), file=sys.stderr)
        return outcome, 1
    if outcome.diagnostics:  # warnings: the ledger stands, and what it leaves out is said
        print(render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"), file=sys.stderr)
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
    print(render_json(outcome.ledger) if args.format == "json" else render_text(outcome.ledger, args.lang))
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
    from interpreter.tools.expectations import run_test_file

    paths = list(args.paths)
    # `yakkan test CONTRACT SCENARIO…`, as `run` takes it: the contract is used for every scenario.
    contract = paths.pop(0) if paths and paths[0].endswith(".ctr") else None
    if contract is not None and not Path(contract).is_file():
        print(f"yakkan: error: no such contract: {contract}", file=sys.stderr)
        return 2
    if not paths:
        print("yakkan: error: name the scenario files or folders to test after the contract", file=sys.stderr)
        return 2
    files, missing = _files(paths, (".yaml", ".yml"))
    if missing:
        print(f"yakkan: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    failed = passed = 0
    for f in files:
        result = run_test_file(f, contract, root=args.root)
        if result.status == "pass":
            passed += 1
            print(f"ok   {f} ({result.expectations} expectations)")
        elif result.status == "fail":
            failed += 1
            print(f"FAIL {f}")
            print(result.report)
    print(f"{passed} passed, {failed} failed")
    if not passed and not failed:
        # A run that tests nothing must not look like a run that passed.
        print(f"yakkan: error: no scenario file with `expect:` in {', '.join(paths)}: nothing was tested",
              file=sys.stderr)
        return 1
    return 1 if failed else 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yakkan")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


class _VersionAction(argparse.Action):
    """`--version`: the installed version is looked up only when asked for (importlib.metadata is slow to load)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"yakkan {_version()}")
        parser.exit()


def _add_root(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", metavar="DIR",
                   help="a scenario's `contract:` may name any .ctr file under DIR (default: inside the "
                        "scenario's repository, the nearest folder above it with .git)")


# (module, the subcommands its add_parser registers)
TOOLS = (
    ("interpreter.tools.fmt", ("fmt",)),
    ("interpreter.tools.compare", ("diff",)),
    ("interpreter.tools.repl", ("repl",)),
    ("interpreter.tools.lsp", ("lsp",)),
    ("interpreter.batch.command", ("batch", "rows")),
)


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser; given the `command` about to run, only that tool's module is imported."""
    parser = _Parser(prog="yakkan", description="Executable Japanese service terms (約款).")
    parser.add_argument("--version", action=_VersionAction, help="print the version of yakkan and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="parse and statically check .ctr files (folders are searched recursively)")
    check.add_argument("paths", nargs="+", metavar="PATH", help=".ctr files, or folders searched for them recursively")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text for people (default), json for tools, github for workflow annotations")
    check.add_argument("--strict", action="store_true",
                       help="exit 1 when there is any warning, not only on errors (for CI)")
    check.set_defaults(func=cmd_check)
    for name, func, help_text in (("run", cmd_run, "evaluate a contract over a scenario and print the ledger"),
                                  ("explain", cmd_explain, "show how each ledger entry was derived")):
        if command not in (None, name):
            sub.add_parser(name)  # its arguments are never parsed in this run
            continue
        p = sub.add_parser(name, help=help_text)
        p.add_argument("positional", metavar="CONTRACT" if name == "run" else "CONTRACT [ENTRY]", nargs="*",
                       help="the .ctr file (optional when the scenario names it with `contract:`)"
                       + ("" if name == "run" else "; an entry id such as E7 explains that entry only"))
        p.add_argument("--scenario", required=True, metavar="FILE", help="the customer's scenario (YAML)")
        p.add_argument("--as-of", metavar="DATE",
                       help="derive what is known on this date (overrides the scenario's as_of)")
        formats = ("text", "json", "html") if name == "run" else ("text", "json")
        p.add_argument("--format", choices=formats, default="text",
                       help="text for people (default) or json, the ledger of docs/interface.md"
                       + ("; html, one self-contained page with a timeline" if name == "run" else ""))
        if name == "run":
            from interpreter.render.wording import LANGUAGES

            p.add_argument("--lang", choices=LANGUAGES, default=None,
                           help="the language of the text ledger's headings, parties, statuses and the labels "
                                "the interpreter gives (default: the contract's); JSON is the same in both")
        _add_root(p)
        p.set_defaults(func=func)
    # Tools register their own subcommands; a tool's module is imported only when one of its commands runs
    # (or for the full help), so that `yakkan check` does not pay for the REPL, the differ or pyarrow.
    for module, names in TOOLS:
        if command is None or command in names:
            importlib.import_module(module).add_parser(sub)
        else:
            for name in names:
                sub.add_parser(name)  # its arguments are never parsed in this run
    test = sub.add_parser("test", help="run the expect: sections of scenario files",
                          usage="yakkan test [-h] [CONTRACT] PATH [PATH ...]")
    test.add_argument("paths", nargs="+", metavar="PATH",
                      help="scenario files or folders (searched recursively for *.yaml, *.yml); a first "
                           "argument ending in .ctr is the CONTRACT for all of them, overriding `contract:`")
    _add_root(test)
    test.set_defaults(func=cmd_test)
    return parser


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = make_parser(words[0] if words and not words[0].startswith("-") else None)
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
