"""The reading of a plain timeline before it could be typed directly (commit 4acef3c), kept as the oracle that
`Contract.evaluate` of a Timeline must agree with (tests/test_plain_reading.py): the timeline made a Scenario, each
value checked against the contract by the loop below (independent of `_typed_params` and `_typed_event`, which the
direct reading and today's `validate` share), the events not known on the as-of day warned about, then evaluated."""
from __future__ import annotations

from datetime import date

from interpreter.api import Contract, Result, Timeline, _not_known_yet
from interpreter.diagnostics import did_you_mean, has_errors
from interpreter.run.events import Event, _contract_scope, _default, _problem, _type_text, convert
from interpreter.run.expressions import ABSENT
from interpreter.run.scenario import Scalar
from interpreter.syntax.source import SourceFile
from interpreter.time.timestamps import JST


def evaluate_as_scenario(loaded: Contract, timeline: Timeline, as_of: date | None = None) -> Result:
    scenario, problems = timeline.scenario()
    params, events, found = _validate(loaded.model, scenario)
    as_of = as_of or scenario.as_of_date
    diagnostics = problems + found + _not_known_yet(scenario, events, as_of)
    sources = {scenario.file: SourceFile(scenario.file, ""), loaded.source.name: loaded.source}
    if has_errors(diagnostics):
        return Result(timeline.customer, loaded.model, None, None, tuple(events), tuple(diagnostics), sources)
    return loaded._evaluated(timeline.customer, None, params, events, as_of, diagnostics, sources, scenario.span)


def _validate(model, scenario):
    problems = []
    base = model.base.tables
    enum_scope, param_defaults = _contract_scope(model)
    params = {}
    given = dict(scenario.params)
    for name, _ in scenario.params:
        if name not in base.params:
            problems.append(_problem("E607", f"the contract has no parameter `{name}`",
                                     scenario.param_spans.get(name) or scenario.span,
                                     did_you_mean(name, base.params) or
                                     f"its parameters are: {', '.join(base.params) or 'none'}"))
    for name, decl in base.params.items():
        if name in given:
            try:
                params[name] = convert(given[name], decl.type, base)
            except ValueError as exc:
                problems.append(_problem("E606", f"parameter `{name}`: {exc}", given[name].span,
                                         f"it is declared `{_type_text(decl.type)}`", decl.span))
        elif param_defaults[name] is None:
            problems.append(_problem("E608", f"the scenario does not give parameter `{name}`", scenario.span,
                                     f"add `{name}: …` under params ({decl.label or _type_text(decl.type)})",
                                     decl.span))
        else:
            params[name] = param_defaults[name]
    events = []
    for raw in scenario.events:
        tables = model.version_on(raw.instant.astimezone(JST).date()).tables
        decl = tables.events.get(raw.event)
        if decl is None:
            problems.append(_problem("E603", f"the contract declares no event `{raw.event}`", raw.name.span,
                                     did_you_mean(raw.event, tables.events) or
                                     f"its events are: {', '.join(tables.events)}"))
            continue
        fields = {}
        declared = {f.name: f for f in decl.fields}
        ok = True
        for key, _ in raw.fields:
            if key not in declared:
                ok = False
                problems.append(_problem("E605", f"event `{decl.name}` has no field `{key}`",
                                         raw.field_spans.get(key) or raw.span,
                                         did_you_mean(key, declared) or
                                         f"its fields are: {', '.join(declared) or 'none'}", decl.span))
        for fname, fdecl in declared.items():
            value = raw.field(fname)
            if value is None or (isinstance(value, Scalar) and value.is_null):
                if fdecl.optional:
                    fields[fname] = ABSENT
                    continue
                default = _default(fdecl, model, {**enum_scope, **params})
                if default is None:
                    ok = False
                    problems.append(_problem("E604", f"event `{decl.name}` needs the field `{fname}`", raw.span,
                                             f"add `{fname}: …` ({fdecl.label or _type_text(fdecl.type)})",
                                             fdecl.span))
                else:
                    fields[fname] = default
                continue
            try:
                fields[fname] = convert(value, fdecl.type, tables)
            except ValueError as exc:
                ok = False
                problems.append(_problem("E606", f"field `{fname}` of event `{decl.name}`: {exc}",
                                         getattr(value, "span", raw.span),
                                         f"it is declared `{_type_text(fdecl.type)}`", fdecl.span))
        if ok and decl.interval and fields["until"].value < raw.instant:
            ok = False
            problems.append(_problem("E606", f"`{decl.name}` ends before it starts", raw.field_spans.get("until"),
                                     "`until` must not be before `at`", decl.span))
        if ok:
            events.append(Event(raw.index, decl.name, raw.instant.astimezone(JST), fields, decl.label))
    return params, events, problems
