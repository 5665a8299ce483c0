"""A scenario's raw YAML values -> typed events and parameters, validated against the contract.

Every problem is reported with its place in the YAML file and the declaration it broke; a scenario with
any problem is rejected whole, so nothing is evaluated from it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable, Iterable, Mapping

from interpreter import records
from interpreter.check.model import Model, Tables
from interpreter.check.types import UNIT_WORDS
from interpreter.limits import number_problem
from interpreter.diagnostics import Diagnostic, Note, did_you_mean
from interpreter.run.compiled import keep
from interpreter.run.expressions import ABSENT, Env, EvalError, Value, evaluate
from interpreter.run.scenario import Scalar, Scenario
from interpreter.syntax import nodes as n
from interpreter.syntax.eras import normalize_digits
from interpreter.time.timestamps import JST, parse_date, parse_instant


@records.frozen
class Event:
    """One event of the customer's timeline, with its fields converted to the declared types."""

    index: int  # position in the scenario file's `events` list
    name: str
    instant: datetime  # Japan time
    fields: dict[str, Value] = records.field(eq=False)
    label: str | None = records.field(default=None, eq=False)
    date: date = records.field(init=False, eq=False, repr=False)  # the day in Japan, derived once

    def __post_init__(self) -> None:
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
        if runs_past(e, end):
            e = Event(e.index, e.name, e.instant, {**e.fields, "until": Value("datetime", end)}, e.label)
        out.append(e)
    return out


def runs_past(e: Event, end: datetime | None) -> bool:
    """Whether an interval event (an outage) is still running at `end` (end_of_day of the as-of day)."""
    until = e.fields.get("until")
    return end is not None and until is not None and until.kind == "datetime" and until.value > end


def wholly_known(events: list[Event], as_of: date) -> bool:
    """Whether every event is known whole on the as-of day: none of a later day, none still running at its end
    (`known_on` then changes nothing, and no W601 is said)."""
    end = end_of_day(as_of)
    return not any(e.date > as_of or runs_past(e, end) for e in events)

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
    return convert_text(raw.raw, raw.tag, typ, tables)


def convert_plain(value, typ: n.TypeRef, tables: Tables) -> Value:
    """`convert` of a plain Python value, read as the scenario reader reads it (`written_text`)."""
    written = written_text(value)
    if written is None:
        raise ValueError("expected a single value, not a list or a mapping")
    return convert_text(*written, typ, tables)


def written_text(value) -> tuple[str, str] | None:
    """A plain Python value as a scenario file would hold it: (its text, the tag YAML gives it), or None for a list
    or a mapping. A float is written by its shortest text (10.5 as "10.5"): no arithmetic is ever done on it."""
    if type(value) is str:  # by far the most common (every cell of a table): no further tests
        return value, "str"
    if value is None:
        return "", "null"
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, (list, tuple, Mapping)):
        return None
    if isinstance(value, float):
        return repr(value), "float"
    if isinstance(value, int):
        return str(value), "int"
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat(), "timestamp"
    return str(value), "str"


def convert_text(written: str, tag: str, typ: n.TypeRef, tables: Tables) -> Value:
    """Convert a scalar's text (with the tag YAML gave it) to a declared type; ValueError says why it cannot be."""
    text = written.strip()
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
        return Value("text", written)
    if name == "bool":
        if tag == "bool" or text.lower() in ("true", "false"):
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
    """Typed parameters and events, or the problems that reject the scenario, each at its place in the file."""
    problems: list[Diagnostic] = []

    def problem_in(source):  # a problem's place is a function of the scenario, or of the raw event, it is in
        return lambda code, message, hint, decl_span, place: problems.append(
            _problem(code, message, place(source), hint, decl_span))

    given = dict(scenario.params)
    params = _typed_params(model, [name for name, _ in scenario.params], given, convert, problem_in(scenario))
    events: list[Event] = []
    for raw in scenario.events:
        written: dict = {}
        for key, value in raw.fields:  # the first of a key, as raw.field gives it; an empty one is left out
            written.setdefault(key, None if isinstance(value, Scalar) and value.is_null else value)
        event = _typed_event(model, raw.index, raw.event, raw.instant, [key for key, _ in raw.fields], written,
                             params, convert, problem_in(raw))
        if event is not None:
            events.append(event)
    return params, events, problems


class _Declined(Exception):
    """A timeline of plain values that reading it directly does not take: read as a scenario, it says why."""


def _decline(*_) -> None:
    raise _Declined


def read_plain(model: Model, events: Iterable[Mapping], params: Mapping, as_of) -> tuple | None:
    """(typed parameters, typed events, the timeline's own as-of day) of a timeline of plain values (`Timeline` of
    interpreter.api: events as mappings with `at`, `event` and the fields), read directly: what `validate` gives
    for the scenario `scenario_from_values` makes of it, without the scenario and its places, which only messages
    need. None when anything in it would give a message: such a timeline is read as a scenario, and the messages
    are that reading's (tests/test_plain_reading.py holds the two readings equal)."""
    try:  # (a name that is not text is no declared parameter's or field's: it is declined as unknown)
        convert_one = _kept_conversions(model)
        given = {key: value for key, value in params.items() if value is not None}
        typed_params = _typed_params(model, list(given), given, convert_one, _decline)
        day = None
        if as_of is not None:
            written = written_text(as_of)
            if written is None:
                return None
            day = parse_date(written[0])
        typed: list[Event] = []
        for index, values in enumerate(events):
            at, name = written_text(values.get("at")), written_text(values.get("event"))
            if at is None or at[1] == "null" or name is None or name[1] == "null" or not name[0]:
                return None
            written = {key: value for key, value in values.items() if key not in ("at", "event") and value is not None}
            typed.append(_typed_event(model, index, name[0], parse_instant(at[0]), list(written), written,
                                      typed_params, convert_one, _decline))
        return typed_params, typed, day
    except (_Declined, ValueError):
        return None


def _kept_conversions(model: Model) -> Callable:
    """`convert_plain`, with what each text converts to kept for every timeline of the contract: a portfolio's
    cells repeat (its plans, options, amounts; every cell of a table is text). A Value is immutable, so one
    object serves every event that has it; a text that does not convert is not kept (it raises again)."""
    kept = model.cache.get("kept conversions")
    if kept is None:
        kept = model.cache["kept conversions"] = {}

    def convert_one(value, typ: n.TypeRef, tables: Tables) -> Value:
        if type(value) is not str:
            return convert_plain(value, typ, tables)
        key = (value, id(typ), id(tables))  # the model holds the types and tables: their ids are no other's
        found = kept.get(key)
        if found is None:
            found = keep(kept, key, convert_text(value, "str", typ, tables))
        return found
    return convert_one


def _typed_params(model: Model, names: list[str], given: Mapping, convert_one: Callable, problem: Callable
                  ) -> dict[str, Value]:
    """The parameters given (`names` in the order written, `given` by name), typed by `convert_one`, with the
    defaults of those not given. Each problem is told to `problem(code, message, hint, declaration's span,
    place)`, `place` giving the problem's span from what the timeline was read from."""
    base = model.base.tables
    _, param_defaults = _contract_scope(model)
    for name in names:
        if name not in base.params:
            problem("E607", f"the contract has no parameter `{name}`",
                    did_you_mean(str(name), base.params) or f"its parameters are: {', '.join(base.params) or 'none'}",
                    None, lambda scenario, name=name: scenario.param_spans.get(name) or scenario.span)
    params: dict[str, Value] = {}
    for name, decl in base.params.items():
        if name in given:
            try:
                params[name] = convert_one(given[name], decl.type, base)
            except ValueError as exc:
                problem("E606", f"parameter `{name}`: {exc}", f"it is declared `{_type_text(decl.type)}`",
                        decl.span, lambda _, value=given[name]: value.span)
        elif param_defaults[name] is None:
            problem("E608", f"the scenario does not give parameter `{name}`",
                    f"add `{name}: …` under params ({decl.label or _type_text(decl.type)})", decl.span,
                    lambda scenario: scenario.span)
        else:
            params[name] = param_defaults[name]
    return params


def _typed_event(model: Model, index: int, name: str, instant: datetime, keys: list[str], written: Mapping,
                 params: dict[str, Value], convert_one: Callable, problem: Callable) -> Event | None:
    """One event typed by the declaration in force on its day, or None when it is wrong. `keys`: the fields
    written, in order; `written`: each field's value, None when left empty; `convert_one` types a value.
    Each problem is told to `problem` (`_typed_params`), `place` giving its span from the raw event."""
    tables = model.version_on(instant.astimezone(JST).date()).tables
    decl = tables.events.get(name)
    if decl is None:
        problem("E603", f"the contract declares no event `{name}`",
                did_you_mean(name, tables.events) or f"its events are: {', '.join(tables.events)}", None,
                lambda raw: raw.name.span)
        return None
    declared = _declared_fields(model, decl)
    ok = True
    for key in keys if not written.keys() <= declared.keys() else ():
        if key not in declared:
            ok = False
            problem("E605", f"event `{decl.name}` has no field `{key}`",
                    did_you_mean(str(key), declared) or f"its fields are: {', '.join(declared) or 'none'}", decl.span,
                    lambda raw, key=key: raw.field_spans.get(key) or raw.span)
    fields: dict[str, Value] = {}
    for fname, fdecl in declared.items():
        value = written.get(fname)
        if value is None:
            if fdecl.optional:
                fields[fname] = ABSENT  # left out: the field has no value (`later of` skips it)
                continue
            default = _default(fdecl, model, {**_contract_scope(model)[0], **params})
            if default is None:
                ok = False
                problem("E604", f"event `{decl.name}` needs the field `{fname}`",
                        f"add `{fname}: …` ({fdecl.label or _type_text(fdecl.type)})", fdecl.span,
                        lambda raw: raw.span)
            else:
                fields[fname] = default
            continue
        try:
            fields[fname] = convert_one(value, fdecl.type, tables)
        except ValueError as exc:
            ok = False
            problem("E606", f"field `{fname}` of event `{decl.name}`: {exc}",
                    f"it is declared `{_type_text(fdecl.type)}`", fdecl.span,
                    lambda raw, value=value: getattr(value, "span", raw.span))
    if ok and decl.interval and fields["until"].value < instant:
        ok = False
        problem("E606", f"`{decl.name}` ends before it starts", "`until` must not be before `at`", decl.span,
                lambda raw: raw.field_spans.get("until"))
    return Event(index, decl.name, instant.astimezone(JST), fields, decl.label) if ok else None


def _declared_fields(model: Model, decl: n.EventDecl) -> dict:
    """An event declaration's fields by name, in order (made once per declaration)."""
    kept = model.cache.get("declared fields")
    if kept is None:
        kept = model.cache["declared fields"] = {}
    found = kept.get(id(decl))  # the model holds the declaration: its id is no other's while it lasts
    if found is None:
        found = kept[id(decl)] = {f.name: f for f in decl.fields}
    return found


def _type_text(t: n.TypeRef) -> str:
    return t.name + (f" per {t.per}" if t.per else "")
