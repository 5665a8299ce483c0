"""The Python API: load a contract once, then evaluate one customer's timeline or many.

    from interpreter.api import Contract
    contract = Contract.load("contracts/itscom-hosting.ctr")
    result = contract.evaluate_file("contracts/scenarios/itscom-hosting/change-fees.yaml")
    result.ledger            # the Ledger (entries with provenance), or None when the timeline was rejected
    result.rows()            # its entries as JSON-ready dicts, as `yakkan run --format json` writes them

`yakkan run`, `explain`, `test`, `batch` and the REPL all evaluate through `Contract.evaluate`, so the same
timeline gives the same ledger whichever way it comes in. docs/api.md shows every call with examples.
"""
from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

import attrs

from interpreter.check.model import Model
from interpreter.diagnostics import Diagnostic, has_errors
from interpreter.run.events import Event, end_of_day, read_plain, runs_past, validate, wholly_known, written_text
from interpreter.run.ledger import Ledger, entry_json
from interpreter.run.scenario import MapValue, RawEvent, Scalar, Scenario, SeqValue, SpanMap, load_scenario
from interpreter.syntax.source import SourceFile, Span
from interpreter.time.timestamps import JST, parse_date, parse_instant

if TYPE_CHECKING:
    from interpreter.run import lifecycles

__all__ = ["Contract", "ContractError", "Result", "Timeline", "evaluate_scenario_file", "scenario_contract",
           "scenario_from_values"]


class ContractError(Exception):
    """The contract cannot be used: it cannot be read, or it has errors. `diagnostics` says why."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, SourceFile]) -> None:
        self.diagnostics = tuple(diagnostics)
        self.sources = sources
        first = next((d for d in diagnostics if d.severity == "error"), None)
        super().__init__(f"{first.span}: {first.code}: {first.message}" if first else "the contract has errors")


@attrs.frozen
class Result:
    """One timeline evaluated: the ledger, or the diagnostics that rejected the timeline."""

    customer: str | None
    model: Model | None
    scenario: Scenario | None  # as read from a file (None for a Timeline: its values are the timeline's own)
    ledger: Ledger | None
    events: tuple[Event, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]
    # the contract's and items' lifecycles as the evaluation left them (interpreter.run.lifecycles), for
    # the HTML page; None when the timeline was rejected
    timeline: "lifecycles.Timeline | None" = None

    @property
    def ok(self) -> bool:
        return self.ledger is not None and not has_errors(self.diagnostics)

    def rows(self) -> list[dict]:
        """The ledger's entries as JSON-ready dicts (the `entries` of `yakkan run --format json`)."""
        return [entry_json(e) for e in self.ledger.entries] if self.ledger is not None else []

    def invoices(self) -> list[dict]:
        """One dict per invoice: id, period, amount, tax, due and status, amounts as decimal text."""
        entries = self.ledger.entries if self.ledger is not None else ()
        return [entry_json(e) for e in entries if e.kind == "invoice"]

    def as_json(self) -> dict:
        """The ledger as `yakkan run --format json` prints it; with `customer` when the timeline has one."""
        out = self.ledger.as_json() if self.ledger is not None else {}
        return {"customer": self.customer, **out} if self.customer is not None else out


@attrs.frozen
class Contract:
    """A checked contract, ready to evaluate any number of timelines (it is never changed by them)."""

    model: Model
    source: SourceFile
    warnings: tuple[Diagnostic, ...] = ()

    @classmethod
    def load(cls, path: str, display: str | None = None) -> "Contract":
        """Read, parse and check a `.ctr` file; ContractError when it cannot be used."""
        from interpreter.loader import load_contract

        model, diagnostics, source = load_contract(path, display)
        if model is None or source is None:
            raise ContractError(diagnostics, {source.name: source} if source is not None else {})
        return cls(model, source, tuple(diagnostics))

    @classmethod
    def from_text(cls, text: str, name: str = "<contract>") -> "Contract":
        """A contract written in a string (`name` is used in messages)."""
        from interpreter.loader import compile_source

        source = SourceFile(name, text)
        model, diagnostics = compile_source(source)
        if model is None:
            raise ContractError(diagnostics, {name: source})
        return cls(model, source, tuple(diagnostics))

    @property
    def file(self) -> str:
        return self.model.file

    @property
    def name(self) -> str:
        """The contract's title, as the ledger shows it."""
        contract = self.model.contract
        return (contract.label or contract.name) if contract else self.model.file

    def evaluate(self, timeline: "Timeline | Scenario", as_of: date | None = None, customer: str | None = None,
                 problems: Iterable[Diagnostic] = ()) -> Result:
        """Evaluate one timeline: a Timeline of plain values, or a Scenario as read from a file. `as_of` wins
        over the timeline's own. `problems` are those found while reading a Scenario; a timeline with any
        problem is rejected whole, and is still checked against the contract so that every problem is
        reported at once."""
        if isinstance(timeline, Timeline):
            customer = timeline.customer
            name, span = timeline.customer, timeline.span or Span(timeline.customer, 1, 1)
            sources = {name: SourceFile(name, ""), self.source.name: self.source}
            # a timeline with nothing to say about it (no problem, no event unknown on the as-of day) is typed
            # directly; any other is read as a scenario, whose messages place each problem
            read = None if problems else read_plain(self.model, timeline.events, timeline.params, timeline.as_of)
            if read is not None:
                params, events, own_as_of = read
                as_of = as_of or own_as_of
                if as_of is None or wholly_known(events, as_of):
                    return self._evaluated(customer, None, params, events, as_of, [], sources, span)
            scenario, read_problems = timeline.scenario()
            problems, shown = list(problems) + read_problems, None
        else:
            scenario = shown = timeline
            sources, span = {scenario.file: scenario.source, self.source.name: self.source}, scenario.span
        params, events, found = validate(self.model, scenario)
        as_of = as_of or scenario.as_of_date
        diagnostics = list(problems) + found + _not_known_yet(scenario, events, as_of)
        if has_errors(diagnostics):
            return Result(customer, self.model, shown, None, tuple(events), tuple(diagnostics), sources)
        return self._evaluated(customer, shown, params, events, as_of, diagnostics, sources, span)

    def _evaluated(self, customer: str | None, scenario: Scenario | None, params: dict, events: list[Event],
                   as_of: date | None, diagnostics: list[Diagnostic], sources: dict, span: Span) -> Result:
        """The Result of typed parameters and events; an error of the evaluation is placed at `span` when it has
        no place of its own."""
        from interpreter.run.evaluate import Evaluation
        from interpreter.run.expressions import EvalError
        from interpreter.run.lifecycles import timeline_of

        evaluation = None
        try:
            evaluation = Evaluation(self.model, params, events, as_of)
            ledger = evaluation.run()
            timeline = timeline_of(evaluation)
        except EvalError as exc:
            place = getattr(exc, "span", None) or getattr(getattr(exc, "node", None), "span", None)
            diagnostics.append(Diagnostic(exc.code, f"cannot evaluate: {exc}", place or span))
            return Result(customer, self.model, scenario, None, tuple(events), tuple(diagnostics), sources)
        finally:
            if evaluation is not None:
                evaluation.release()
        return Result(customer, self.model, scenario, ledger, tuple(events), tuple(diagnostics), sources, timeline)

    def evaluate_file(self, path: str, as_of: date | None = None) -> Result:
        """Evaluate a scenario file against this contract (its `contract:` line is not used)."""
        scenario, diagnostics = load_scenario(path)
        if scenario is None:
            return Result(None, self.model, None, None, (), tuple(diagnostics), {self.source.name: self.source})
        return self.evaluate(scenario, as_of, problems=diagnostics)

    def evaluate_many(self, timelines: Iterable["Timeline"], as_of: date | None = None) -> Iterator[Result]:
        """Evaluate timelines one after the other, lazily: one rejected timeline never changes another's
        result, and the contract is read once for all of them."""
        for timeline in timelines:
            yield self.evaluate(timeline, as_of)


@attrs.frozen
class Timeline:
    """One customer's timeline as plain values, as a scenario file holds them: events are mappings with
    `at`, `event` and the event's fields; values are text, numbers, dates or booleans (a float is read by
    its shortest text, 10.5 as "10.5": pass amounts as text or Decimal to be exact).

    `event_spans` (one mapping per event, from a field name, or "" for the event itself, to a Span),
    `param_spans` and `span` say where the values came from, for messages (`yakkan batch` gives rows)."""

    customer: str
    events: tuple[Mapping, ...] = attrs.field(converter=tuple, default=())
    params: Mapping = attrs.field(factory=dict)
    as_of: str | date | None = None
    event_spans: tuple[Mapping[str, Span], ...] | None = None
    param_spans: Mapping[str, Span] | None = None
    span: Span | None = None

    def scenario(self) -> tuple[Scenario, list[Diagnostic]]:
        return scenario_from_values(self.customer, self.events, self.params, self.event_spans, self.as_of,
                                    self.param_spans, self.span)


def scenario_contract(scenario: Scenario, root: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """The path a scenario's `contract:` names, and E610 when it may not be read (see evaluate_scenario_file)."""
    from interpreter.files import contract_in_repository

    if scenario.contract is None:
        return None, None
    path, refused = contract_in_repository(scenario.file, scenario.contract.raw, root)
    if not refused:
        return path, None
    return path, Diagnostic("E610", f"the contract {scenario.contract.raw} is not read: {refused}",
                            scenario.contract.span,
                            hint="name a .ctr file inside the scenario's repository, or give the contract on "
                                 "the command line (or widen the search with --root DIR)")


def _not_known_yet(scenario: Scenario, events: list[Event], as_of: date | None) -> list[Diagnostic]:
    """A warning for each event of a day after the as-of day, and for each outage (an interval event) still running
    at the day's end: the ledger is what is known on that day, so the evaluation leaves the one out and counts the
    other up to the day's end (interpreter.run.events.known_on)."""
    if as_of is None:
        return []
    found = []
    for raw in scenario.events:
        if raw.instant.astimezone(JST).date() > as_of:
            found.append(Diagnostic("W601", f"`{raw.event}` of {raw.instant.astimezone(JST).date()} is after the "
                                    f"as-of day {as_of}: not known then, so not evaluated",
                                    getattr(raw.at, "span", None) or raw.span,
                                    "evaluate as of that day or later (`as_of:`, `--as-of`), or remove the event"))
    end = end_of_day(as_of)
    spans = {raw.index: raw.field_spans.get("until") or raw.span for raw in scenario.events}
    for e in events:
        if e.date <= as_of and runs_past(e, end):
            shown = e.fields["until"].value.astimezone(JST)
            shown = f"{shown:%Y-%m-%d %H:%M}" + (f":{shown:%S}" if shown.second or shown.microsecond else "")
            found.append(Diagnostic("W601", f"`{e.name}` runs until {shown}, after "
                                    f"the as-of day {as_of}: counted up to the end of that day", spans.get(e.index),
                                    "evaluate as of that day or later to count it whole"))
    return found


def evaluate_scenario_file(contract_path: str | None, scenario_path: str, as_of: date | None = None,
                           root: str | None = None) -> Result:
    """A scenario file and the contract named on the command line (or by its `contract:` line) -> a Result;
    problems with both files are reported together. A `contract:` must resolve inside `root`, or inside the
    scenario's repository when `root` is None (interpreter.files.contract_in_repository); a path on the
    command line is the user's own choice."""
    scenario, diagnostics = load_scenario(scenario_path)
    sources: dict[str, SourceFile] = {scenario.file: scenario.source} if scenario is not None else {}

    def rejected(problems) -> Result:
        return Result(None, None, scenario, None, (), tuple(problems), sources)

    if scenario is None:
        return rejected(diagnostics)
    if contract_path is None and scenario.contract is None:
        return rejected([Diagnostic("E609", "no contract given", scenario.span,
                                    hint="name it on the command line or add `contract: PATH` to the scenario")])
    path = contract_path
    if path is None:
        path, refused = scenario_contract(scenario, root)
        if refused:
            return rejected(list(diagnostics) + [refused])
    if not os.path.exists(path):
        span = scenario.contract.span if scenario.contract is not None and contract_path is None else scenario.span
        return rejected([Diagnostic("E609", f"contract file {path} does not exist", span,
                                    hint="paths in a scenario are relative to the scenario file")])
    try:
        contract = Contract.load(path)
    except ContractError as exc:
        sources.update(exc.sources)
        return rejected(list(diagnostics) + list(exc.diagnostics))
    result = contract.evaluate(scenario, as_of, problems=diagnostics)
    return attrs.evolve(result, diagnostics=contract.warnings + result.diagnostics)


# ------------------------------------------------------------------ timelines from plain values


def _value(raw, span: Span):
    """A plain Python value as the scenario reader would have read it: text with the tag YAML gives it."""
    written = written_text(raw)
    if written is not None:
        return Scalar(*written, span)
    if isinstance(raw, (list, tuple)):
        return SeqValue(tuple(_value(x, span) for x in raw), span)
    return MapValue(tuple((str(k), _value(v, span)) for k, v in raw.items()), span,
                    SpanMap((str(k), span) for k in raw))


def scenario_from_values(name: str, events: Iterable[Mapping], params: Mapping,
                         spans: Iterable[Mapping[str, Span]] | None = None, as_of: str | date | None = None,
                         param_spans: Mapping[str, Span] | None = None, span: Span | None = None
                         ) -> tuple[Scenario, list[Diagnostic]]:
    """A Scenario from plain values, and the problems found reading them (as `load_scenario` returns).

    `spans`, one mapping per event from a field name (`""` for the event itself) to where its value was
    written, places messages; by default event N is reported at line N+1 of `name`. `param_spans` does the
    same for parameters, and `span` places what concerns the whole timeline (a missing parameter). An event
    whose `at` or `event` cannot be read is left out, keeping the positions of the others, and reported."""
    raw_events: list[RawEvent] = []
    problems: list[Diagnostic] = []
    span_list = list(spans) if spans is not None else None
    for index, values in enumerate(events):
        where = span_list[index] if span_list is not None else {}
        home = where.get("") or Span(name, index + 1, 1)
        at_scalar = _value(values.get("at"), where.get("at", home))
        name_scalar = _value(values.get("event"), where.get("event", home))
        fields = tuple((str(k), _value(v, where.get(k, home))) for k, v in values.items()
                       if k not in ("at", "event") and v is not None)
        try:
            if not isinstance(at_scalar, Scalar) or at_scalar.is_null:
                raise ValueError("the event has no `at` date")
            instant = parse_instant(at_scalar.raw)
        except ValueError as exc:
            problems.append(Diagnostic("E606", str(exc), at_scalar.span,
                                       "`at` is a date (2025-04-01) or a date-time (2025-06-03T10:00, Japan time)"))
            continue
        if not isinstance(name_scalar, Scalar) or name_scalar.is_null or not name_scalar.raw:
            problems.append(Diagnostic("E602", "the event has no `event` name", name_scalar.span,
                                       "name the event the contract declares, e.g. `service_start`"))
            continue
        raw_events.append(RawEvent(index=index, at=at_scalar, name=name_scalar, fields=fields,
                                   field_spans=SpanMap((k, v.span) for k, v in fields), span=home, instant=instant))
    top = span or Span(name, 1, 1)
    param_spans = param_spans or {}
    param_items = tuple((str(k), _value(v, param_spans.get(k, top))) for k, v in params.items() if v is not None)
    as_of_scalar = None
    if as_of is not None:
        as_of_scalar = _value(as_of, top)
        try:
            if not isinstance(as_of_scalar, Scalar):
                raise ValueError("expected a single date, not a list or a mapping")
            parse_date(as_of_scalar.raw)
        except ValueError as exc:
            problems.append(Diagnostic("E606", str(exc), top, "`as_of` is a date such as 2026-03-31"))
            as_of_scalar = None
    scenario = Scenario(file=name, source=SourceFile(name, ""), contract=None, as_of=as_of_scalar,
                        params=param_items, param_spans=SpanMap((k, v.span) for k, v in param_items),
                        events=tuple(raw_events), expect=(), span=top)
    return scenario, problems
