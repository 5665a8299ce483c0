"""A scenario's raw YAML values -> typed events and parameters, validated against the contract.

Every problem is reported with its place in the YAML file and the declaration it broke; a scenario with
any problem is rejected whole, so nothing is evaluated from it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import attrs

from interpreter.check.model import Model, Tables
from interpreter.check.types import UNIT_WORDS
from interpreter.limits import number_problem
from interpreter.diagnostics import Diagnostic, Note, did_you_mean
from interpreter.run.expressions import ABSENT, Env, EvalError, Value, evaluate
from interpreter.run.scenario import Scalar, Scenario
from interpreter.syntax import nodes as n
from interpreter.syntax.eras import normalize_digits
from interpreter.time.timestamps import JST, parse_date, parse_instant


@attrs.frozen
class Event:
    """One event of the customer's timeline, with its fields converted to the declared types."""

    index: int  # position in the scenario file's `events` list
    name: str
    instant: datetime  # Japan time
    fields: dict[str, Value] = attrs.field(eq=False)
    label: str | None = attrs.field(default=None, eq=False)
    date: date = attrs.field(init=False, eq=False, repr=False)  # the day in Japan, derived once

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "date", self.instant.astimezone(JST).date())

    @property
    def until(self) -> datetime | None:
        v = self.fields.get("until")
        return v.value if v is not None else None

    def __str__(self) -> str:
        return f"{self.name} #{self.index} ({self.instant.astimezone(JST):%Y-%m-%d %H:%M})"



def end_of_day(day: date) -> datetime | None:
    """The first instant after a day, in Japan time (None after the last day there is)."""
    return datetime.combine(day + timedelta(days=1), time(0), JST) if day < date.max else None


def known_on(events: list[Event], as_of: date) -> list[Event]:
    """The events known on the as-of day: those of a later day are left out, and an interval event still running
    at the end of the day (an outage whose `until` is later) is known up to that end only."""
    end = end_of_day(as_of)
    out = []
    for e in events:
        if e.date > as_of:
            continue
        until = e.fields.get("until")
        if end is not None and until is not None and until.kind == "datetime" and until.value > end:
            e = Event(e.index, e.name, e.instant, {**e.fields, "until": Value("datetime", end)}, e.label)
        out.append(e)
    return out

_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]{3})*(\.[0-9]+)?$|^-?[0-9]+(\.[0-9]+)?$")


@lru_cache(maxsize=8192)  # as parse_instant: a portfolio repeats its amounts; a Decimal is immutable
def _decimal(text: str) -> Decimal:
    text = normalize_digits(text.strip())
    if not _NUMBER.match(text):
        raise ValueError(f"`{text[:40]}{'…' if len(text) > 40 else ''}` is not a number")
    value = Decimal(text.replace(",", ""))
    problem = number_problem(value)
    if problem:
        raise ValueError(f"the number is out of range: {problem}")
    return value


def convert(raw, typ: n.TypeRef, tables: Tables) -> Value:
    """Convert one YAML value to a declared type; ValueError says why it cannot be."""
    if not isinstance(raw, Scalar):
        raise ValueError("expected a single value, not a list or a mapping")
    text = raw.raw.strip()
    name = typ.name
    if typ.per is not None:
        return Value("money", _money(text))
    if name == "money":
        return Value("money", _money(text))
    if name in ("number", "count") or name in tables.units:
        value = _decimal(_strip_unit(text, name if name in tables.units else None))
        if name != "number" and value < 0:
            raise ValueError(f"`{text}` is negative, and a count cannot be")
        return Value("number" if name == "number" else "count", value, name if name in tables.units else None)
    if name == "percent":
        return Value("percent", _decimal(text.rstrip("%％").strip()))
    if name == "date":
        return Value("date", parse_date(text))
    if name == "datetime":
        return Value("datetime", parse_instant(text))
    if name in ("days", "hours", "minutes", "months", "years"):
        return _duration(text, name)
    if name == "text":
        return Value("text", raw.raw)
    if name == "bool":
        if raw.tag == "bool" or text.lower() in ("true", "false"):
            return Value("bool", text.lower() in ("true", "yes", "on"))
        raise ValueError(f"`{text}` is not true or false")
    if name in tables.enums:
        cases = [c.name for c in tables.enums[name].cases]
        if text not in cases:
            hint = did_you_mean(text, cases)
            raise ValueError(f"`{text}` is not one of {', '.join(cases)}" + (f" ({hint})" if hint else ""))
        return Value("enum", text)
    if name in ("plan", "option", "item", "feature"):
        item = tables.items.get(text)
        if item is None or (name != "item" and item.kind != name):
            known = [k for k, v in tables.items.items() if name == "item" or v.kind == name]
            hint = did_you_mean(text, known)
            raise ValueError(f"`{text}` is not a {name} of this contract" + (f" ({hint})" if hint else ""))
        return Value("item", text)
    raise ValueError(f"values of type {name} cannot be written in a scenario")


def _money(text: str) -> Decimal:
    for suffix in ("yen", "円", "JPY"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    return _decimal(text.lstrip("¥￥"))


def _strip_unit(text: str, unit: str | None) -> str:
    if unit and text.endswith(unit):
        return text[: -len(unit)].strip()
    return text


def _duration(text: str, declared: str) -> Value:
    parts = text.split()
    word = parts[1] if len(parts) == 2 else declared
    amount = _decimal(parts[0])
    if word not in UNIT_WORDS:
        raise ValueError(f"`{word}` is not a unit of time")
    typ, factor = UNIT_WORDS[word]
    expected = UNIT_WORDS[declared][0]
    if typ != expected:
        raise ValueError(f"{text} is not a {declared.rstrip('s')}-like duration (months and days never mix)")
    return Value(typ.detail, amount * factor)


def _problem(code: str, message: str, span, hint: str | None = None, decl_span=None) -> Diagnostic:
    notes = (Note(decl_span, "declared here"),) if decl_span is not None else ()
    return Diagnostic(code, message, span, hint=hint, notes=notes)


def _default(field: n.FieldDecl | n.ParamDecl, model: Model, scope: dict) -> Value | None:
    if field.default is None:
        return None
    env = Env(names=scope, calendar=model.calendar, conventions=model.conventions)
    try:
        return evaluate(field.default, env)
    except EvalError:
        return None


def _contract_scope(model: Model) -> tuple[dict[str, Value], dict[str, Value | None]]:
    """(the names a default may read: enum cases and items, each parameter's default or None), the same for
    every timeline of the contract: worked out once (a portfolio validates thousands of timelines)."""
    found = model.cache.get("validation_scope")
    if found is None:
        base = model.base.tables
        enum_scope = {case: Value("enum", case) for case in base.enum_cases()}
        enum_scope.update({name: Value("item", name) for name in base.items})
        defaults = {name: _default(decl, model, enum_scope) for name, decl in base.params.items()}
        found = model.cache["validation_scope"] = (enum_scope, defaults)
    return found


def validate(model: Model, scenario: Scenario) -> tuple[dict[str, Value], list[Event], list[Diagnostic]]:
    """Typed parameters and events, or the problems that reject the scenario."""
    problems: list[Diagnostic] = []
    base = model.base.tables
    enum_scope, param_defaults = _contract_scope(model)

    params: dict[str, Value] = {}
    given = dict(scenario.params)
    for name, raw in scenario.params:
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
        else:
            default = param_defaults[name]
            if default is None:
                problems.append(_problem("E608", f"the scenario does not give parameter `{name}`", scenario.span,
                                         f"add `{name}: …` under params ({decl.label or _type_text(decl.type)})",
                                         decl.span))
            else:
                params[name] = default

    events: list[Event] = []
    for raw in scenario.events:
        tables = model.version_on(raw.instant.astimezone(JST).date()).tables
        decl = tables.events.get(raw.event)
        if decl is None:
            problems.append(_problem("E603", f"the contract declares no event `{raw.event}`", raw.name.span,
                                     did_you_mean(raw.event, tables.events) or
                                     f"its events are: {', '.join(tables.events)}"))
            continue
        fields: dict[str, Value] = {}
        declared = {f.name: f for f in decl.fields}
        ok = True
        for key, value in raw.fields:
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
                    fields[fname] = ABSENT  # left out: the field has no value (`later of` skips it)
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


def _type_text(t: n.TypeRef) -> str:
    return t.name + (f" per {t.per}" if t.per else "")
