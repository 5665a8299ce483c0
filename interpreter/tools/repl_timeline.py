"""REPL commands that build a customer's timeline: parameters, events, undo, and the scenario they make (a mixin of the REPL session)."""
from __future__ import annotations
import os
import attrs
from interpreter import records
from interpreter.diagnostics import Diagnostic, has_errors
from interpreter.syntax.eras import parse_japanese_date
from interpreter.run.scenario import Scalar, SpanMap, RawEvent, load_scenario
from interpreter.syntax.source import Span
from interpreter.time.timestamps import JST, parse_instant
from interpreter.run.runner import scenario_contract
from interpreter.tools.repl_base import (_JDATE, INPUT, Problem, _plain_text, _yaml, _yaml_value, show)


class TimelineCommands:
    """REPL commands that build a customer's timeline: parameters, events, undo, and the scenario they make (a mixin of the REPL session)."""

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
                p = records.evolve(p, span=scenario_spans.get(name, p.span))
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
