"""The commands of `yakkan repl`: one `Session` holds a loaded contract, the customer's parameters and
events, and everything typed so far.

Every input is one or more lines of a virtual file named `<input>`: the first thing typed is line 1,
the next line 2, and so on. A mistake is a `Diagnostic` located in that file (or in the contract or
scenario it concerns) and is printed exactly as `yakkan check` prints it. The terminal front end and
the piped front end (`interpreter/repl.py`) both call `Session.execute`, so they print the same.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Callable, TextIO

import attrs
from interpreter import records

from interpreter.diagnostics import Diagnostic, did_you_mean, has_errors, render_diagnostics
from interpreter.run.expressions import EvalError
from interpreter.loader import load_contract
from interpreter.check.model import Model
from interpreter.run.scenario import Scalar, Scenario, SpanMap, RawEvent
from interpreter.syntax.source import SourceFile, Span
from interpreter.syntax.parse import bracket_depths
from interpreter.time.timestamps import JST
from interpreter.tools.repl_base import (INPUT, Problem, show)
from interpreter.tools.repl_dates import DateCommands
from interpreter.tools.repl_timeline import TimelineCommands
from interpreter.tools.repl_names import SessionNames


# name, arguments, what it does (the order of :help and of completion)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    (":help", "", "list the commands"),
    (":load", "FILE", "load a contract (.ctr)"),
    (":params", "[NAME=VALUE …]", "set parameters of the contract; without arguments, list them"),
    (":event", "NAME [FIELD=VALUE …] at=DATE", "add one event to the customer's timeline"),
    (":events", "", "list the events"),
    (":undo", "", "remove the last event"),
    (":scenario", "FILE", "take the parameters and events (and contract, as_of) of a scenario YAML"),
    (":ledger", "[DATE]", "evaluate the events and print the ledger as of DATE"),
    (":obligations", "[DATE]", "print only the obligations, as of DATE"),
    (":explain", "ENTRY", "show how a ledger entry (E7) was derived"),
    (":version", "DATE", "which version of the terms is in force on DATE"),
    (":deadline", "NOTICE DATE", "by when must the notice arrive to take effect on DATE?"),
    (":save", "FILE", "write the parameters and events as a scenario YAML"),
    (":clear", "", "forget the parameters, events and as_of date (the contract stays loaded)"),
    (":quit", "", "leave (so do `exit`, `quit` and end of input)"),
)
# Words typed alone that mean a command, as in other interactive shells; none is an expression.
BARE_WORDS = {"help": ":help", "exit": ":quit", "quit": ":quit"}
COMMAND_NAMES = tuple(c[0] for c in COMMANDS)




def open_brackets(text: str) -> int:
    """How many brackets are open at the end of the text (strings and comments are skipped): while it is
    more than zero an expression continues on the next line."""
    depth = 0
    for _, depth in bracket_depths(text):
        pass
    return depth


def needs_more(text: str) -> bool:
    """True when an input is not finished: an expression whose brackets or braces are still open."""
    return not text.lstrip().startswith(":") and open_brackets(text) > 0


@attrs.frozen
class Word:
    """One argument of a command, with its 1-based column in the input line."""

    text: str
    column: int

    @property
    def key(self) -> str | None:
        return self.text.split("=", 1)[0] if "=" in self.text else None

    @property
    def value(self) -> str:
        raw = self.text.split("=", 1)[1] if "=" in self.text else self.text
        if len(raw) >= 2 and ((raw[0] == raw[-1] == '"') or (raw[0] == "「" and raw[-1] == "」")):
            raw = raw[1:-1]
        return raw

    @property
    def value_column(self) -> int:
        return self.column + (len(self.key) + 1 if self.key is not None else 0)


def split_words(line: str) -> list[Word]:
    """Whitespace-separated words; "…" and 「…」 keep their spaces (also after `key=`)."""
    words: list[Word] = []
    i = 0
    while i < len(line):
        if line[i] in " \t\u3000":
            i += 1
            continue
        start = i
        while i < len(line) and line[i] not in " \t\u3000":
            if line[i] in "\"「":
                close = '"' if line[i] == '"' else "」"
                end = line.find(close, i + 1)
                i = len(line) if end < 0 else end + 1
            else:
                i += 1
        words.append(Word(line[start:i], start + 1))
    return words




class Session(TimelineCommands, SessionNames, DateCommands):
    def __init__(self, out: TextIO, err: TextIO, cwd: str | None = None, lang: str | None = None,
                 root: str | None = None):
        self.out = out
        self.lang = lang  # of the ledgers printed: 'ja', 'en', or None for the contract's language
        self.err = err
        self.cwd = cwd
        self.root = root  # where a scenario's `contract:` may point (interpreter.files)
        self.model: Model | None = None
        self.contract_path: str | None = None
        self.params: dict[str, object] = {}  # name -> scenario value (Scalar) as typed or read
        self.events: list[RawEvent] = []
        self.as_of: date | None = None
        self.lines: list[str] = []  # everything typed: the lines of <input>
        self.sources: dict[str, SourceFile] = {}
        self.last_as_of: date | None = None
        self.done = False

    # ------------------------------------------------------------- input and output

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def report(self, diagnostics: list[Diagnostic]) -> None:
        if diagnostics:
            print(render_diagnostics(diagnostics, self.sources, "text"), file=self.err)

    def error(self, code: str, message: str, column: int | None = None, length: int = 1,
              hint: str | None = None) -> Problem:
        span = None
        if column is not None:
            span = Span(INPUT, self.line, column, self.line, column + max(1, length))
        return Problem(Diagnostic(code, message, span, hint=hint))

    def execute(self, text: str) -> bool:
        """Run one input (perhaps several lines). Returns False once the session should end."""
        self.line = len(self.lines) + 1
        self.lines += text.split("\n")
        self.sources[INPUT] = SourceFile(INPUT, "\n".join(self.lines))
        stripped = text.strip()
        try:
            if not stripped or stripped.startswith("#"):
                pass
            elif stripped in BARE_WORDS:
                self.command(BARE_WORDS[stripped])
            elif stripped.startswith(":"):
                self.command(text)
            else:
                value = self.expression(text, 1)
                if value is not None:
                    self.say(show(value))
        except Problem as problem:
            self.report(problem.diagnostics)
        except (EvalError, ValueError, OverflowError, ArithmeticError) as exc:
            node = getattr(exc, "node", None)
            self.report([Diagnostic("E406", f"cannot evaluate: {exc}", getattr(node, "span", None))])
        for stream in (self.out, self.err):
            stream.flush()
        return not self.done

    # ------------------------------------------------------------- commands

    def command(self, text: str) -> None:
        line = text.split("\n")[0]
        words = split_words(line)
        name = words[0].text
        if name not in COMMAND_NAMES:
            if name in (":q", ":exit"):
                name = ":quit"
            else:
                close = did_you_mean(name, COMMAND_NAMES)
                raise self.error("E201", f"unknown command `{name}`", words[0].column, len(name),
                                 close or "type :help for the list of commands")
        handler: Callable = getattr(self, "cmd_" + name[1:])
        handler(words[1:], line)

    def cmd_help(self, args, line) -> None:
        self.say("Type an expression to evaluate it (a date, an amount, a period), or a command:")
        width = max(len(f"{c} {a}".strip()) for c, a, _ in COMMANDS)
        for name, arguments, what in COMMANDS:
            self.say(f"  {f'{name} {arguments}'.strip():<{width}}  {what}")
        self.say("An expression continues on the next line while a bracket or brace is open.")

    def cmd_quit(self, args, line) -> None:
        self.done = True

    def _path(self, text: str) -> str:
        path = os.path.expanduser(text)
        if self.cwd and not os.path.isabs(path):
            path = os.path.join(self.cwd, path)
        return path

    def _one_argument(self, args: list[Word], what: str, command: str) -> Word:
        if not args:
            raise self.error("E404", f"{command} needs {what}", len(self.lines[self.line - 1]) + 1,
                             hint=f"write `{command} {what}`")
        if len(args) > 1:
            raise self.error("E102", f"unexpected `{args[1].text}`", args[1].column, len(args[1].text),
                             hint=f"{command} takes one argument, {what}")
        return args[0]

    def cmd_load(self, args, line) -> None:
        path = self._one_argument(args, "FILE", ":load").value
        self.load(path)

    def load(self, path: str) -> bool:
        model, diagnostics, source = load_contract(self._path(path), path)
        if source is not None:
            self.sources[source.name] = source
        self.report(diagnostics)
        if model is None:
            return False
        again = self.contract_path is not None and _same_file(self.contract_path, self._path(path))
        kept = self._timeline_text()
        if not again:  # another contract: its events and parameters mean nothing here; start clean
            self._clear()
        self.model, self.contract_path = model, self._path(path)
        rules = len(model.versions[-1].tables.rules)
        label = f" 「{model.contract.label}」" if model.contract and model.contract.label else ""
        name = model.contract.name if model.contract else path
        versions = f", {len(model.versions)} versions" if len(model.versions) > 1 else ""
        self.say(f"loaded {name}{label}: {rules} rules, {len(model.base.tables.events)} events{versions}")
        if kept and not again:
            self.say(f"started clean: dropped the {kept} of the previous contract")
        elif kept:
            self.say(f"kept the {kept} (the same contract, read again)")
            _, _, problems = self._validate(self.params, self.events)
            self.report(problems)
        return True

    def _timeline_text(self) -> str:
        """`2 events and 1 parameter`: what the session holds besides the contract ('' when nothing)."""
        parts = [f"{len(self.events)} event{'s' if len(self.events) != 1 else ''}" if self.events else "",
                 f"{len(self.params)} parameter{'s' if len(self.params) != 1 else ''}" if self.params else "",
                 f"as_of {self.as_of}" if self.as_of else ""]
        return " and ".join(p for p in parts if p)

    def _clear(self) -> None:
        self.params, self.events, self.as_of, self.last_as_of = {}, [], None, None

    def cmd_clear(self, args, line) -> None:
        if args:
            raise self.error("E102", f"unexpected `{args[0].text}`", args[0].column, len(args[0].text),
                             hint=":clear takes no argument")
        held = self._timeline_text()
        self._clear()
        self.say(f"cleared {held}" if held else "nothing to clear: no events, parameters or as_of date")

    def _need_model(self) -> Model:
        if self.model is None:
            raise Problem(Diagnostic("E609", "no contract is loaded", None,
                                     hint="load one with `:load FILE`, or start with `yakkan repl CONTRACT`"))
        return self.model

    # parameters and events ---------------------------------------------------------------------------

    def _scalar(self, word: Word) -> Scalar:
        value = word.value
        tag = "null" if value == "" else "bool" if value.lower() in ("true", "false") else "str"
        written = len(word.text) - (len(word.key) + 1 if word.key is not None else 0)
        column = word.value_column
        return Scalar(value, tag, Span(INPUT, self.line, column, self.line, column + max(1, written)))

    def _scenario(self, params: dict, events: list[RawEvent]) -> Scenario:
        return Scenario(file=INPUT, source=self.sources[INPUT], contract=None, as_of=None,
                        params=tuple(params.items()),
                        param_spans=SpanMap((k, v.span) for k, v in params.items() if hasattr(v, "span")),
                        events=tuple(events), expect=(), span=None)

    def _validate(self, params: dict, events: list[RawEvent]):
        from interpreter.run.events import validate

        values, typed, problems = validate(self._need_model(), self._scenario(params, events))
        for i, p in enumerate(problems):
            if p.code == "E608":  # the scenario file's hint does not fit a session
                name = p.message.split("`")[1]
                problems[i] = records.evolve(p, hint=f"give it with `:params {name}=…`")
        return values, typed, problems

    def _on_this_line(self, problems: list[Diagnostic]) -> list[Diagnostic]:
        return [p for p in problems if p.span is not None and p.span.file == INPUT and p.span.line == self.line]

    # evaluating the timeline ----------------------------------------------------------------------------

    def _date_argument(self, args: list[Word], line: str, required: bool, command: str) -> date | None:
        if not args:
            if required:
                raise self.error("E404", f"{command} needs a date", len(line) + 1, hint=f"for example `{command} 2025-04-01`")
            return None
        column = args[0].column
        value = self.expression(line[column - 1:], column, want="date")
        if value is None:
            raise Problem()
        if value.kind == "absent":
            raise self.error("E406", "that date is not known: the event it depends on has not happened", column,
                             len(line) - column + 1)
        return value.value.astimezone(JST).date() if value.kind == "datetime" else value.value

    def _timeline(self):
        model = self._need_model()
        params, events, problems = self._validate(self.params, self.events)
        if has_errors(problems):
            raise Problem(*problems)
        if not events:
            raise Problem(Diagnostic("E404", "the timeline has no events yet", None,
                                     hint="add one with `:event NAME … at=DATE`, or read a scenario with `:scenario FILE`"))
        return model, params, events

    def _ledger(self, as_of: date | None):
        from interpreter.api import Contract

        model, _, _ = self._timeline()  # its problems come with the session's hints
        result = Contract(model, model.source).evaluate(self._scenario(self.params, self.events), as_of or self.as_of)
        if result.ledger is None:
            raise Problem(*result.diagnostics)
        self.last_as_of = as_of or self.as_of
        return result.ledger, list(result.events)

    def cmd_ledger(self, args, line) -> None:
        from interpreter.render.text import render_text

        ledger, _ = self._ledger(self._date_argument(args, line, False, ":ledger"))
        self.say(render_text(ledger, self.lang))

    def cmd_obligations(self, args, line) -> None:
        from interpreter.render.text import obligation_lines
        from interpreter.render.wording import Wording, language_of

        ledger, _ = self._ledger(self._date_argument(args, line, False, ":obligations"))
        obligations = [e for e in ledger.entries if e.kind == "obligation"]
        words = Wording(self.lang or language_of(ledger.contract_name))
        self.say(words("as_of", date=ledger.as_of))
        if not obligations:
            self.say("no obligations")
        for e in obligations:
            for text in obligation_lines(e, words):
                self.say(text)

    def cmd_explain(self, args, line) -> None:
        from interpreter.render.text import explain_entry

        word = self._one_argument(args, "ENTRY", ":explain")
        ledger, events = self._ledger(self.last_as_of)
        entry = next((e for e in ledger.entries if e.id == word.text), None)
        if entry is None:
            raise self.error("E201", f"no entry {word.text}", word.column, len(word.text),
                             hint=f"the ledger has E1–E{len(ledger.entries)}" if ledger.entries else "the ledger is empty")
        self.say(explain_entry(entry, self.model, {e.index: str(e) for e in events}))

    # :deadline -------------------------------------------------------------------------------------------

    # ------------------------------------------------------------- expressions

    # ------------------------------------------------------------- for completion




def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # the earlier file is gone: it cannot be the same
        return False








