"""The commands of `yakkan repl`: one `Session` holds a loaded contract, the customer's parameters and
events, and everything typed so far.

Every input is one or more lines of a virtual file named `<input>`: the first thing typed is line 1,
the next line 2, and so on. A mistake is a `Diagnostic` located in that file (or in the contract or
scenario it concerns) and is printed exactly as `yakkan check` prints it. The terminal front end and
the piped front end (`interpreter/repl.py`) both call `Session.execute`, so they print the same.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from typing import Callable, TextIO

import attrs

from interpreter.syntax import nodes as n
from interpreter.time import periods
from interpreter.syntax.build import build
from interpreter.time.calendar import BusinessCalendar
from interpreter.check.checker import Checker
from interpreter.diagnostics import Diagnostic, did_you_mean, has_errors, render_diagnostics
from interpreter.syntax.eras import parse_japanese_date
from interpreter.run.expressions import ABSENT, Env, EvalError, Value, evaluate, format_value
from interpreter.loader import load_contract
from interpreter.check.model import Model, Tables
from interpreter.run.scenario import MapValue, Scalar, Scenario, SeqValue, SpanMap, RawEvent, load_scenario
from interpreter.syntax.source import SourceFile, Span
from interpreter.syntax.parse import bracket_depths, parse
from interpreter.time.timestamps import JST, parse_instant
from interpreter.check.types import is_dateish
from interpreter.run.runner import scenario_contract

INPUT = "<input>"
# The contract an expression is parsed in. The expression gets lines of its own, so its lines and
# columns are those of the input; the rule id cannot clash with a contract's (ids have capital letters).
_PREFIX = 'contract repl "repl" {} rule REPL-1 第1条 { state value ='
_SUFFIX = "; }"
# With no contract loaded: Japan's business days and the conventions the language documents.
DEFAULT_CONVENTIONS: dict[str, tuple[str, ...]] = {"periods": ("civil_code",), "month_end": ("clamp",)}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_JDATE = re.compile(r"^(令和|平成|昭和)?([0-9０-９]+|元)年[0-9０-９]+月[0-9０-９]+日$")

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


def show(value: Value) -> str:
    """A value as the language writes it (`true`, not Python's `True`)."""
    if value.kind == "bool":
        return "true" if value.value else "false"
    return format_value(value)


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


class Problem(Exception):
    """A mistake in a command; carries the diagnostics that explain it."""

    def __init__(self, *diagnostics: Diagnostic):
        super().__init__(diagnostics[0].message if diagnostics else "")
        self.diagnostics = list(diagnostics)


class Session:
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

    def _validate(self, params: dict, events: list[RawEvent]):
        from interpreter.run.events import validate

        model = self._need_model()
        scenario = Scenario(file=INPUT, source=self.sources[INPUT], contract=None, as_of=None,
                            params=tuple(params.items()),
                            param_spans=SpanMap((k, v.span) for k, v in params.items() if hasattr(v, "span")),
                            events=tuple(events), expect=(), span=None)
        values, typed, problems = validate(model, scenario)
        for i, p in enumerate(problems):
            if p.code == "E608":  # the scenario file's hint does not fit a session
                name = p.message.split("`")[1]
                problems[i] = attrs.evolve(p, hint=f"give it with `:params {name}=…`")
        return values, typed, problems

    def _on_this_line(self, problems: list[Diagnostic]) -> list[Diagnostic]:
        return [p for p in problems if p.span is not None and p.span.file == INPUT and p.span.line == self.line]

    def cmd_params(self, args, line) -> None:
        model = self._need_model()
        if not args:
            values, _, _ = self._validate(self.params, [])
            declared = model.base.tables.params
            if not declared:
                self.say("the contract has no parameters")
            for name, decl in declared.items():
                shown = show(values[name]) if name in values else "(not given)"
                origin = "" if name in self.params else "  (default)" if name in values else ""
                label = f"  {decl.label}" if decl.label else ""
                self.say(f"{name} = {shown}{origin}{label}")
            return
        given = dict(self.params)
        for word in args:
            if word.key is None:
                raise self.error("E102", f"expected NAME=VALUE, not `{word.text}`", word.column, len(word.text),
                                 hint="for example `:params mailing_list_rate=100`")
            given[word.key] = self._scalar(word)
            # the span of the name, for an unknown parameter
        scenario_spans = {w.key: Span(INPUT, self.line, w.column, self.line, w.column + len(w.key)) for w in args}
        values, _, problems = self._validate(given, [])
        mine = []
        for p in problems:
            if p.code == "E607":
                name = p.message.split("`")[1]
                p = attrs.evolve(p, span=scenario_spans.get(name, p.span))
            if p.span is not None and p.span.file == INPUT and p.span.line == self.line:
                mine.append(p)
        if mine:
            raise Problem(*mine)
        self.params = given
        for word in args:
            self.say(f"{word.key} = {show(values[word.key])}")

    def cmd_event(self, args, line) -> None:
        model = self._need_model()
        if not args or args[0].key is not None:
            raise self.error("E404", ":event needs the name of an event", (args[0].column if args else len(line) + 1),
                             hint=f"its events are: {', '.join(model.base.tables.events)}")
        name = args[0]
        at = None
        fields: list[tuple[str, Scalar]] = []
        field_spans = []
        for word in args[1:]:
            if word.key is None:
                raise self.error("E102", f"expected FIELD=VALUE, not `{word.text}`", word.column, len(word.text),
                                 hint="for example `desired_end=2025-12-31`, and `at=DATE` for when it happens")
            if word.key == "at":
                at = word
                continue
            if word.key == "event":
                raise self.error("E406", "`event` is the event's name; write it first", word.column, len(word.key))
            fields.append((word.key, self._scalar(word)))
            field_spans.append((word.key, Span(INPUT, self.line, word.column, self.line, word.column + len(word.key))))
        if at is None:
            raise self.error("E604", f"`:event {name.text}` needs `at=DATE`, when it happens", len(line) + 1,
                             hint="add `at=2025-04-01` (or a date-time: `at=2025-04-01T09:30`)")
        at_text = at.value
        if _JDATE.match(at_text):
            try:
                at_text = parse_japanese_date(at_text).isoformat()
            except ValueError:
                pass
        try:
            instant = parse_instant(at_text)
        except ValueError as exc:
            raise self.error("E606", f"`at`: {exc}", at.value_column, len(at.value))
        span = Span(INPUT, self.line, name.column, self.line, name.column + len(name.text))
        raw = RawEvent(index=len(self.events), at=Scalar(at_text, "str", self._scalar(at).span),
                       name=Scalar(name.text, "str", span), fields=tuple(fields), field_spans=SpanMap(field_spans),
                       span=span, instant=instant.astimezone(JST))
        _, typed, problems = self._validate(self.params, self.events + [raw])
        mine = self._on_this_line(problems)
        if mine:
            raise Problem(*mine)
        self.events.append(raw)
        event = next(e for e in typed if e.index == raw.index)
        self.say(f"added #{raw.index}: {self._event_text(raw, event)}")

    @staticmethod
    def _when(raw: RawEvent) -> str:
        t = raw.instant.astimezone(JST)
        return t.strftime("%Y-%m-%d") if (t.hour, t.minute, t.second) == (0, 0, 0) else t.strftime("%Y-%m-%d %H:%M")

    def _event_text(self, raw: RawEvent, event=None) -> str:
        parts = []
        for key, value in raw.fields:
            if event is not None and key in event.fields:
                parts.append(f"{key}={show(event.fields[key])}")
            else:
                parts.append(f"{key}={_plain_text(value)}")
        if event is not None:  # defaults the event took
            parts += [f"{k}={show(v)}" for k, v in event.fields.items() if k not in raw.field_names()]
        return f"{raw.event} at {self._when(raw)}" + (f" ({', '.join(parts)})" if parts else "")

    def cmd_events(self, args, line) -> None:
        if not self.events:
            self.say("no events yet: add one with `:event NAME … at=DATE`")
            return
        for raw in sorted(self.events, key=lambda e: (e.instant, e.index)):
            self.say(f"#{raw.index}  {self._event_text(raw)}")

    def cmd_undo(self, args, line) -> None:
        if not self.events:
            raise Problem(Diagnostic("E404", "there is no event to remove", None))
        raw = self.events.pop()
        self.say(f"removed #{raw.index}: {self._event_text(raw)}")

    def cmd_scenario(self, args, line) -> None:
        path = self._one_argument(args, "FILE", ":scenario").value
        scenario, diagnostics = load_scenario(self._path(path))
        if scenario is not None:
            self.sources[scenario.file] = scenario.source
        if scenario is None or has_errors(diagnostics):
            raise Problem(*diagnostics)
        if self.model is None and scenario.contract is not None:
            contract, refused = scenario_contract(scenario, self.root)
            if refused:
                raise Problem(refused)
            if not self.load(contract):
                return
        self._need_model()
        params = dict(scenario.params)
        events = [attrs.evolve(e, index=i) for i, e in enumerate(scenario.events)]
        _, _, problems = self._validate(params, events)
        if has_errors(problems):
            raise Problem(*problems)
        self.params, self.events = params, events
        self.as_of = scenario.as_of_date
        as_of = f", as of {self.as_of}" if self.as_of else ""
        self.say(f"{len(events)} events and {len(params)} parameters from {path}{as_of}")

    def cmd_save(self, args, line) -> None:
        word = self._one_argument(args, "FILE", ":save")
        path = self._path(word.value)
        out = ["# written by yakkan repl"]
        if self.contract_path:
            folder = os.path.dirname(os.path.abspath(path))
            out.append(f"contract: {_yaml(os.path.relpath(os.path.abspath(self.contract_path), folder))}")
        if self.as_of:
            out.append(f"as_of: {self.as_of.isoformat()}")
        if self.params:
            out.append("params:")
            out += [f"  {k}: {_yaml_value(v)}" for k, v in self.params.items()]
        out.append("events:" if self.events else "events: []")
        for raw in self.events:
            items = [f"at: {_yaml(raw.at.raw)}", f"event: {raw.event}"]
            items += [f"{k}: {_yaml_value(v)}" for k, v in raw.fields]
            out.append("  - {" + ", ".join(items) + "}")
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(out) + "\n")
        except OSError as exc:
            raise self.error("E100", f"cannot write {word.value}: {exc.strerror or exc}", word.column, len(word.text))
        self.say(f"saved {len(self.params)} parameters and {len(self.events)} events to {word.value}")

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
        from interpreter.run.evaluate import run

        model, params, events = self._timeline()
        ledger = run(model, params, events, as_of or self.as_of)
        self.last_as_of = as_of or self.as_of
        return ledger, events

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

    def cmd_version(self, args, line) -> None:
        model = self._need_model()
        day = self._date_argument(args, line, True, ":version")
        version = model.version_on(day)
        label = f" 「{version.label}」" if version.label else ""
        since = f"in force from {version.effective}" if version.effective else (
            f"in force from {model.contract.version.effective}" if model.contract and model.contract.version
            and model.contract.version.effective else "the base text")
        later = [v for v in model.versions if v.effective and v.effective > day]
        self.say(f"{day}: version {version.name}{label}, {since}")
        for note in version.notes:
            self.say(f"  note: {note}")
        if later:
            self.say(f"  next: version {later[0].name} from {later[0].effective}")

    # :deadline -------------------------------------------------------------------------------------------

    def cmd_deadline(self, args, line) -> None:
        model = self._need_model()
        if not args:
            raise self.error("E404", ":deadline needs a notice and a date", len(line) + 1,
                             hint="for example `:deadline cancellation 2025-12-31`")
        day = self._date_argument(args[1:], line, True, ":deadline " + args[0].text)
        tables = model.version_on(day).tables
        notices = [(rule, s) for rule in tables.rules.values() for s in rule.statements if isinstance(s, n.Notice)]
        word = args[0]
        found = [(r, s) for r, s in notices if word.text in (s.name, s.event, r.id)]
        if not found:
            names = [s.name for _, s in notices]
            raise self.error("E201", f"the contract has no notice `{word.text}`", word.column, len(word.text),
                             hint=did_you_mean(word.text, names) or (f"its notices are: {', '.join(names)}"
                                                                      if names else "it declares no notices"))
        rule, notice = found[0]
        calendar = model.calendar
        label = f" 「{notice.label}」" if notice.label else ""
        self.say(f"notice {notice.name}{label} by {notice.party} on {notice.event} ({rule.id} {', '.join(rule.articles)})")
        effective = self._first_allowed(notice, day)
        if effective is None:
            raise Problem(Diagnostic("E406", f"no allowed date ({notice.allowed}) is known on or after {day}",
                                     None, hint="`term_end` needs the contract's term: add its events first"))
        if effective != day:
            self.say(f"{day} is not an allowed date ({notice.allowed}): the first allowed date on or after it "
                     f"is {effective}")
        else:
            allowed = f" (allowed: {notice.allowed})" if notice.allowed else ""
            self.say(f"effective {effective}{allowed}")
        if notice.due is None:
            self.say("the notice has no deadline (`due`)")
            return
        env = self._env(day).child({"effective": Value("date", effective)})
        due_value = evaluate(notice.due, env)
        if due_value.kind == "absent":
            self.say("the deadline depends on events that have not happened")
            return
        due = due_value.value.astimezone(JST).date() if due_value.kind == "datetime" else due_value.value
        self.say(f"due {model.source.snippet(notice.due.span)}")
        steps = self._business_steps(notice.due, env, calendar)
        for step in steps:
            self.say(f"  {step}")
        if not steps:
            reason = calendar.closure_reason(due)
            self.say(f"  no business-day adjustment" + (f" (the deadline falls on a {reason})" if reason else ""))
        self.say(f"deadline: {due} ({_WEEKDAYS[due.weekday()]}), {(effective - due).days} days before {effective}")

    def _first_allowed(self, notice: n.Notice, day: date) -> date | None:
        if notice.allowed == "month_end":
            return periods.end_of_month(day)
        if notice.allowed == "month_start":
            return day if day.day == 1 else periods.shift_month(day.replace(day=1), 1)
        if notice.allowed == "term_end":
            evaluation = self._evaluation()
            if evaluation is None:
                return None
            ends = [t for t in evaluation._term_ends(day + timedelta(days=400 * 5)) if t >= day]
            return ends[0] if ends else None
        return day

    def _business_steps(self, expr, env: Env, calendar: BusinessCalendar) -> list[str]:
        """The business-day moves inside a deadline, innermost first, with the closed days they skipped."""
        steps: list[str] = []
        source = self.model.source

        def visit(e) -> None:
            if attrs.has(type(e)):
                for field in attrs.fields(type(e)):
                    child = getattr(e, field.name)
                    for c in (child if isinstance(child, tuple) else (child,)):
                        if attrs.has(type(c)) and not isinstance(c, Span):
                            visit(c)
            if isinstance(e, (n.BusinessDay, n.NthBusinessDay)):
                base = evaluate(e.base, env)
                result = evaluate(e, env)
                if base.kind == "absent" or result.kind == "absent":
                    return
                start = base.value.astimezone(JST).date() if base.kind == "datetime" else base.value
                if base.kind == "event":
                    start = base.value.date
                end = result.value
                written = source.snippet(e.base.span) or "it"
                closed = calendar.closure_reason(start)
                state = f"{closed}: not a business day" if closed else "a business day"
                steps.append(f"{written} = {start} ({_WEEKDAYS[start.weekday()]}, {state})")
                lo, hi = min(start, end), max(start, end)
                skipped = []
                d = lo
                while d <= hi:
                    reason = calendar.closure_reason(d)
                    if reason:
                        skipped.append(f"{d} {reason}")
                    d += timedelta(days=1)
                what = (f"business day on or {e.direction} {start}" if isinstance(e, n.BusinessDay)
                        else f"{source.snippet(e.span).split(' ')[0]} business day counting from {start}")
                tail = f"; closed: {', '.join(skipped)}" if skipped and end != start else ""
                steps.append(f"{what} = {end} ({_WEEKDAYS[end.weekday()]}){tail}")

        visit(expr)
        return steps

    # ------------------------------------------------------------- expressions

    def _evaluation(self):
        """The evaluation of the session's timeline, so that expressions can use `contract.start`, named
        states and events; None while the timeline is empty or does not validate."""
        from interpreter.run.evaluate import Evaluation

        if self.model is None or not self.events:
            return None
        params, events, problems = self._validate(self.params, self.events)
        if has_errors(problems):
            return None
        evaluation = Evaluation(self.model, params, events, self.as_of)
        try:
            evaluation.run()
        except EvalError:
            return None
        return evaluation

    def _env(self, day: date | None) -> Env:
        model = self.model
        if model is None:
            return Env(names={}, calendar=BusinessCalendar(), conventions=dict(DEFAULT_CONVENTIONS))
        evaluation = self._evaluation()
        if evaluation is not None:
            return evaluation.env(day or evaluation.as_of)
        tables = model.version_on(day).tables if day else model.versions[-1].tables
        names: dict = {case: Value("enum", case) for case in tables.enum_cases()}
        names.update({item: Value("item", item) for item in tables.items})
        names.update({event: ABSENT for event in tables.events})
        if self.params or tables.params:
            values, _, _ = self._validate(self.params, [])
            names.update(values)
        return Env(names=names, calendar=model.calendar, conventions=model.conventions)

    def expression(self, text: str, column: int, want: str | None = None) -> Value | None:
        """Parse, check and evaluate an expression typed at `column` of the current input; print the problems
        (located in <input>) and return None when there are errors."""
        body_lines = text.split("\n")
        padded = " " * (column - 1) + text
        wrapped = f"{_PREFIX}\n{padded}\n{_SUFFIX}\n"
        source = SourceFile(INPUT, wrapped)
        tree, diagnostics = parse(source)
        expr = None
        if tree is not None and not has_errors(diagnostics):
            program, built = build(source, tree)
            diagnostics += built
            rules = [d for d in program.decls if isinstance(d, n.RuleDecl)]
            statements = rules[0].statements if len(rules) == 1 and len(program.decls) == 2 else ()
            if len(statements) != 1 or not isinstance(statements[0], n.Emit) or statements[0].value is None:
                diagnostics.append(Diagnostic("E102", "type one expression at a time", Span(INPUT, 2, column),
                                              hint="a statement or a declaration belongs in a contract file"))
            elif not has_errors(diagnostics):
                expr = statements[0].value
                model = self.model
                checker = Checker(source, program)
                checker.conventions = dict(model.conventions if model else DEFAULT_CONVENTIONS)
                tables = model.versions[-1].tables if model else _EMPTY_TABLES
                scope = checker._global_scope(tables)
                got = checker.infer(expr, scope, tables)
                diagnostics += checker.diagnostics
                if want == "date" and not (is_dateish(got) or got.kind == "unknown"):
                    diagnostics.append(Diagnostic("E302", f"expected a date, not {got}", expr.span))
        mapped = [self._remap(d, len(body_lines), column) for d in diagnostics]
        if has_errors(mapped):
            raise Problem(*mapped)
        self.report(mapped)
        try:
            return evaluate(expr, self._env(self.as_of))
        except EvalError as exc:
            span = getattr(getattr(exc, "node", None), "span", None)
            raise Problem(Diagnostic("E406", f"cannot evaluate: {exc}", self._remap_span(span, len(body_lines), column)
                                     if span else None))

    def _remap_span(self, span: Span, count: int, column: int) -> Span:
        if span.file != INPUT:
            return span
        if 2 <= span.line <= count + 1:
            line = self.line + span.line - 2
            end_line = self.line + span.end_line - 2 if span.end_line and 2 <= span.end_line <= count + 1 else line
            end_column = span.end_column if end_line == line and span.end_column > span.column else span.column + 1
            return Span(INPUT, line, span.column, line, end_column)
        last = self.lines[self.line + count - 2] if self.line + count - 2 < len(self.lines) else ""
        line = self.line + count - 1
        end = len(last) + 1
        return Span(INPUT, line, end, line, end + 1)

    def _remap(self, d: Diagnostic, count: int, column: int) -> Diagnostic:
        if d.span is None or d.span.file != INPUT:
            return d
        outside = not 2 <= d.span.line <= count + 1
        span = self._remap_span(d.span, count, column)
        notes = tuple(attrs.evolve(note, span=self._remap_span(note.span, count, column)) for note in d.notes)
        if outside and d.code in ("E102", "E103"):
            return Diagnostic("E103", "the expression ends too early", span, hint=d.hint, notes=notes)
        return attrs.evolve(d, span=span, notes=notes)

    # ------------------------------------------------------------- for completion

    def names(self) -> list[str]:
        """Names of the loaded contract: items, events, params, enum cases, rule ids, notices."""
        if self.model is None:
            return []
        out: list[str] = []
        for version in self.model.versions:
            t = version.tables
            out += list(t.items) + list(t.events) + list(t.params) + list(t.enum_cases()) + list(t.rules)
            out += [s.name for r in t.rules.values() for s in r.statements if isinstance(s, n.Notice)]
        return list(dict.fromkeys(out))

    def notice_names(self) -> list[str]:
        if self.model is None:
            return []
        return list(dict.fromkeys(s.name for v in self.model.versions for r in v.tables.rules.values()
                                  for s in r.statements if isinstance(s, n.Notice)))

    def event_fields(self, event: str) -> list[str]:
        if self.model is None:
            return []
        decl = self.model.versions[-1].tables.events.get(event)
        return [f.name for f in decl.fields] if decl else []

    def values_of(self, type_name: str) -> list[str]:
        """The values a field or parameter of a type can take, where they are few: an enum's cases, the
        plans (options, items, features) of the contract, true and false."""
        if self.model is None:
            return []
        tables = self.model.versions[-1].tables
        if type_name in tables.enums:
            return [case.name for case in tables.enums[type_name].cases]
        if type_name in ("plan", "option", "feature"):
            return [name for name, item in tables.items.items() if item.kind == type_name]
        if type_name == "item":
            return list(tables.items)
        return ["true", "false"] if type_name == "bool" else []

    def field_values(self, event: str, field: str) -> list[str]:
        decl = self.model.versions[-1].tables.events.get(event) if self.model else None
        found = next((f for f in decl.fields if f.name == field), None) if decl else None
        return self.values_of(found.type.name) if found else []

    def param_values(self, name: str) -> list[str]:
        decl = self.model.base.tables.params.get(name) if self.model else None
        return self.values_of(decl.type.name) if decl else []


_EMPTY_TABLES = Tables(units={}, enums={}, params={}, items={}, item_parent={}, events={}, calendars={}, rules={})


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # the earlier file is gone: it cannot be the same
        return False


def _plain_text(value) -> str:
    if isinstance(value, Scalar):
        return value.raw
    if isinstance(value, SeqValue):
        return "[" + ", ".join(_plain_text(v) for v in value.items) + "]"
    if isinstance(value, MapValue):
        return "{" + ", ".join(f"{k}: {_plain_text(v)}" for k, v in value.items) + "}"
    return str(value)


_PLAIN_YAML = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^-?[0-9][0-9,]*(\.[0-9]+)?$|^[^\W\d][\w]*$")
_YAML_WORDS = {"yes", "no", "on", "off", "null", "y", "n", "~"}


def _yaml(text: str) -> str:
    if _PLAIN_YAML.match(text) and text.lower() not in _YAML_WORDS and "," not in text:
        return text
    import json

    return json.dumps(text, ensure_ascii=False)


def _yaml_value(value) -> str:
    if isinstance(value, Scalar):
        if value.tag == "null":
            return "null"
        if value.tag == "bool" and value.raw.lower() in ("true", "false"):
            return value.raw.lower()
        return _yaml(value.raw)
    if isinstance(value, SeqValue):
        return "[" + ", ".join(_yaml_value(v) for v in value.items) + "]"
    if isinstance(value, MapValue):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items) + "}"
    return _yaml(str(value))
