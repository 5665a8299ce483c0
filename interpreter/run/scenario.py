"""Scenario files: one customer's open values and timeline of events, read from YAML with every position kept.

The YAML is composed into a node tree (`yaml.compose` with a `yaml.SafeLoader` subclass) and walked here,
never constructed: every scalar stays its raw text with the tag YAML resolved for it ('str', 'int',
'float', 'bool', 'null' or 'timestamp'), so `10.50` stays "10.50" (no float is ever made) and `2025-04-01`
stays "2025-04-01". Converting values to the types a contract declares happens later, against the
contract; this module only checks the scenario's shape, its `as_of` date and every event's `at`
(interpreter.time.timestamps), and keeps each event's instant in Japan time.

`load_scenario` returns `(scenario, diagnostics)`:

- `(None, diagnostics)` when there is nothing to work with: the file cannot be read, is not UTF-8, is too
  large, is not YAML, is empty, its top level is not a mapping, or it nests too deeply, refers to itself
  through an alias or expands without bound through aliases.
- otherwise a Scenario, which is *partial* when there are errors: a section, event or expectation with an
  error is left out (events keep their position in the file as `index`), an invalid `as_of` or `contract`
  is None. A partial scenario lets later stages report their own problems (unknown events, missing
  parameters) in the same run, but it must never be evaluated: evaluate only when
  `not has_errors(diagnostics)`.

The top level is a mapping with `events:` (a list, `[]` when there are none) and optionally `contract:`,
`as_of:`, `params:`, `expect:` and the free-text keys `description:`, `name:`, `customer:`, which are
ignored. `params:`, `events:` or `expect:` with nothing after the colon means none. An `expect:` item that
names no field is an error, since it would match any entry.

Aliases are resolved; a value reached through an alias carries the span of the anchored node. Merge keys
(`<<: *base`) are supported: keys written in the mapping override merged ones.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from typing import Iterable, Iterator, Mapping, Union

import attrs
import yaml

from interpreter.diagnostics import Diagnostic, Note, did_you_mean, sort_key
from interpreter.run.ledger import ENTRY_FIELDS, FIELDS_BY_KIND, KINDS, PARTIES, STATUSES
from interpreter.syntax.source import SourceFile, Span, decode
from interpreter.time.timestamps import parse_date, parse_instant
from interpreter.files import FileProblem, FileTooLarge, read_regular

__all__ = [
    "Scalar",
    "SeqValue",
    "MapValue",
    "Value",
    "SpanMap",
    "RawEvent",
    "Scenario",
    "load_scenario",
    "sorted_events",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "TOP_LEVEL_KEYS",
]

MAX_BYTES = 1024 * 1024  # PyYAML's pure-Python parser needs seconds per megabyte
MAX_DEPTH = 50  # levels of nodes, scalars at the bottom included, counted through aliases; a scenario needs ~5
MAX_VALUES = 1_000_000  # values after expanding aliases (a "billion laughs" file is refused)

TOP_LEVEL_KEYS = ("contract", "as_of", "params", "events", "expect", "description", "name", "customer")
METADATA_KEYS = ("description", "name", "customer")

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + "str": "str",
    _TAG + "int": "int",
    _TAG + "float": "float",
    _TAG + "bool": "bool",
    _TAG + "null": "null",
    _TAG + "timestamp": "timestamp",
    _TAG + "value": "str",  # a plain `=`: YAML 1.1's "default value" key, read as text
}
_MERGE_TAG = _TAG + "merge"
_EVENT_EXAMPLE = "write each event as `- {at: 2025-04-01, event: service_start}`"


# --------------------------------------------------------------------------------------------------
# values


class SpanMap(Mapping[str, Span]):
    """An immutable, hashable mapping of names to the spans of their keys, in file order."""

    __slots__ = ("_pairs", "_index")

    def __init__(self, pairs: Iterable[tuple[str, Span]] = ()) -> None:
        self._pairs = tuple(pairs)
        self._index = dict(self._pairs)

    def __getitem__(self, name: str) -> Span:
        return self._index[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __hash__(self) -> int:
        return hash(frozenset(self._pairs))

    def __repr__(self) -> str:
        return f"SpanMap({list(self._pairs)!r})"


@attrs.frozen
class Scalar:
    """A scalar as written: its text (after YAML quoting and folding) and the tag YAML resolved for it."""

    raw: str
    tag: str  # 'str', 'int', 'float', 'bool', 'null' or 'timestamp'
    span: Span

    @property
    def is_null(self) -> bool:
        return self.tag == "null"


@attrs.frozen
class SeqValue:
    items: tuple["Value", ...]
    span: Span


@attrs.frozen
class MapValue:
    """A mapping with text keys, in file order; `key_spans` gives where each key is written."""

    items: tuple[tuple[str, "Value"], ...]
    span: Span
    key_spans: SpanMap = attrs.field(factory=SpanMap)

    def get(self, name: str) -> "Value | None":
        for key, value in self.items:
            if key == name:
                return value
        return None

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.items)

    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.items)

    def as_dict(self) -> dict[str, "Value"]:
        return dict(self.items)


Value = Union[Scalar, SeqValue, MapValue]


def _kind(value: Value) -> str:
    if isinstance(value, MapValue):
        return "a mapping"
    if isinstance(value, SeqValue):
        return "a list"
    if value.is_null:
        return "empty"
    return f"the value `{_short(value.raw)}`"


def _short(text: str, limit: int = 40) -> str:
    """Text for a one-line message: its first line, cut to `limit` characters."""
    first = text.splitlines()[0] if text.splitlines() else text
    if first != text or len(first) > limit:
        return first[: limit - 3] + "..."
    return first


@attrs.frozen
class RawEvent:
    """One item of `events:`; its fields are checked against the contract's declaration later."""

    index: int  # 0-based position in the file's `events` list
    at: Scalar
    name: Scalar  # the `event:` value
    fields: tuple[tuple[str, Value], ...]  # every key except `at` and `event`, in file order
    field_spans: SpanMap
    span: Span  # where the event's mapping starts
    instant: datetime  # `at`, parsed, in Japan time

    @property
    def event(self) -> str:
        return self.name.raw

    def field(self, name: str) -> Value | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def field_names(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.fields)


@attrs.frozen
class Scenario:
    file: str  # the name used in messages (the path given to load_scenario)
    source: SourceFile
    contract: Scalar | None
    as_of: Scalar | None
    params: tuple[tuple[str, Value], ...]
    param_spans: SpanMap
    events: tuple[RawEvent, ...]  # in file order; see sorted_events
    expect: tuple[MapValue, ...]  # the valid items of `expect:`
    span: Span  # the top-level mapping
    expect_span: Span | None = None  # where `expect:` is written; None when the file has none (not a test)

    @property
    def as_of_date(self) -> date | None:
        return parse_date(self.as_of.raw) if self.as_of is not None else None

    def contract_path(self) -> str | None:
        """The `contract:` path resolved against the scenario file's folder."""
        if self.contract is None:
            return None
        return os.path.normpath(os.path.join(os.path.dirname(self.file), self.contract.raw))

    def param(self, name: str) -> Value | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def sorted_events(self) -> tuple[RawEvent, ...]:
        return sorted_events(self.events)


def sorted_events(events: Iterable[RawEvent]) -> tuple[RawEvent, ...]:
    """Events in time order; events at the same instant keep their order in the file."""
    return tuple(sorted(events, key=lambda e: e.instant))


# --------------------------------------------------------------------------------------------------
# reading


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("too deep")
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses to nest deeper than MAX_DEPTH (it recurses once per level)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _span_of_offset(name: str, text: str, offset: int) -> Span:
    """Line and column (1-based) of a character offset, counting line breaks as YAML does."""
    offset = max(0, min(offset, len(text)))
    prefix = text[:offset]
    line, start = 1, 0
    for i, ch in enumerate(prefix):
        if ch in "\n\x85\u2028\u2029":
            line += 1
            start = i + 1
    return Span(name, line, offset - start + 1, line, offset - start + 2)


class _Reader:
    def __init__(self, name: str, source: SourceFile) -> None:
        self.name = name
        self.source = source
        self.diags: list[Diagnostic] = []
        self.memo: dict[int, tuple[Value, int, int]] = {}  # id(node) -> (value, size, height)
        self.active: set[int] = set()
        self.too_deep = False  # reported once
        self.fatal = False  # a structure without bound (too deep, recursive): no scenario is returned

    def error(self, code: str, message: str, span: Span, hint: str, notes: tuple[Note, ...] = ()) -> None:
        self.diags.append(Diagnostic(code, message, span, hint, notes))

    def span(self, mark: yaml.Mark | None, end: yaml.Mark | None = None) -> Span:
        if mark is None:
            return Span(self.name, 1, 1)
        if end is None or end.line != mark.line:
            return Span(self.name, mark.line + 1, mark.column + 1)
        return Span(self.name, mark.line + 1, mark.column + 1, end.line + 1, end.column + 1)

    def node_span(self, node: yaml.Node) -> Span:
        return self.span(node.start_mark, node.end_mark)

    def deep(self, node: yaml.Node) -> Scalar:
        self.fatal = True
        if not self.too_deep:
            self.too_deep = True
            self.error(
                "E602",
                f"the scenario nests more than {MAX_DEPTH} levels deep (counting through aliases)",
                self.node_span(node),
                "a scenario needs only a few levels: events, their fields, and perhaps a list inside a field",
            )
        return Scalar("", "null", self.node_span(node))

    # node -> value, with its size (values after expanding aliases) and height (nesting levels)
    def convert(self, node: yaml.Node, depth: int) -> tuple[Value, int, int]:
        key = id(node)
        if key in self.active:
            self.fatal = True
            self.error(
                "E602",
                "an alias refers to the collection that contains it",
                self.node_span(node),
                "a recursive structure has no end; copy the values instead of using an alias",
            )
            return Scalar("", "null", self.node_span(node)), 1, 1
        if key in self.memo:
            value, size, height = self.memo[key]
            if depth + height - 1 > MAX_DEPTH:
                return self.deep(node), 1, 1
            return value, size, height
        if depth > MAX_DEPTH:
            return self.deep(node), 1, 1
        self.active.add(key)
        try:
            result = self._convert(node, depth)
        finally:
            self.active.discard(key)
        self.memo[key] = result  # the whole node tree stays alive meanwhile: ids are unique
        return result

    def _unsupported_tag(self, node: yaml.Node) -> tuple[Value, int, int]:
        self.error(
            "E602",
            f"the tag `{node.tag}` is not supported in a scenario",
            self.node_span(node),
            "write plain values, lists and mappings; types come from the contract's declarations",
        )
        return Scalar("", "null", self.node_span(node)), 1, 1

    def _convert(self, node: yaml.Node, depth: int) -> tuple[Value, int, int]:
        span = self.node_span(node)
        if isinstance(node, yaml.ScalarNode):
            tag = _SCALAR_TAGS.get(node.tag)
            if tag is None:
                return self._unsupported_tag(node)
            return Scalar(node.value, tag, span), 1, 1
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                return self._unsupported_tag(node)
            items, size, height = [], 1, 1
            for child in node.value:
                value, s, h = self.convert(child, depth + 1)
                items.append(value)
                size += s
                height = max(height, h + 1)
            return SeqValue(tuple(items), span), size, height
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                return self._unsupported_tag(node)
            return self._mapping(node, depth)
        return self._unsupported_tag(node)  # pragma: no cover - PyYAML has no other node kinds

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[Value, int, int]:
        items: list[tuple[str, Value]] = []
        spans: dict[str, Span] = {}
        merged: list[tuple[str, Value, Span]] = []
        size, height = 1, 1
        for key_node, value_node in node.value:
            value, s, h = self.convert(value_node, depth + 1)
            size += s
            height = max(height, h + 1)
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG:
                merged += self._merge_sources(value, self.node_span(key_node))
                continue
            key_span = self.node_span(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(
                    "E602",
                    "a key must be a plain name, not a list or a mapping",
                    key_span,
                    "write keys as names, e.g. `plan:`",
                )
                continue
            if key_node.tag == _TAG + "null":
                self.error("E602", "a key is empty", key_span, "write a name before the colon, e.g. `plan: basic`")
                continue
            name = key_node.value
            if name in spans:
                first = spans[name]
                self.error(
                    "E602",
                    f"the key `{_short(name)}` appears twice in the same mapping",
                    key_span,
                    "YAML keeps only one of them; remove or rename one of the two",
                    (Note(first, "first written here"),),
                )
                continue
            spans[name] = key_span
            items.append((name, value))
        for name, value, key_span in merged:
            if name not in spans:  # keys written in the mapping override merged ones; earlier merges win
                spans[name] = key_span
                items.append((name, value))
        return MapValue(tuple(items), self.node_span(node), SpanMap(spans.items())), size, height

    def _merge_sources(self, value: Value, span: Span) -> list[tuple[str, Value, Span]]:
        sources = [value] if isinstance(value, MapValue) else list(value.items) if isinstance(value, SeqValue) else []
        if not sources or not all(isinstance(v, MapValue) for v in sources):
            self.error(
                "E602",
                "`<<` merges a mapping or a list of mappings into this one",
                span,
                "write `<<: *name` where `&name` marks a mapping",
            )
            return []
        out = []
        for src in sources:
            assert isinstance(src, MapValue)
            out += [(k, v, src.key_spans.get(k, src.span)) for k, v in src.items]
        return out


def _too_large(origin: Span) -> Diagnostic:
    return Diagnostic(
        "E602",
        f"the scenario is larger than {MAX_BYTES // 1024 // 1024} MB, the limit for scenario files",
        origin,
        "split the timeline into several scenario files",
    )


def _utf8_error_span(name: str, data: bytes, offset: int) -> Span:
    prefix = data[:offset].decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return _span_of_offset(name, prefix, len(prefix))


def _yaml_error(reader: _Reader, text: str, exc: yaml.YAMLError) -> None:
    name = reader.name
    if isinstance(exc, yaml.reader.ReaderError):
        span = _span_of_offset(name, text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        reader.error(
            "E601",
            f"the scenario contains the character U+{ord(char):04X}, which YAML does not allow",
            span,
            "remove the control character; a scenario is plain text",
        )
        return
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "the file is not valid YAML"
        if exc.problem and exc.context:
            if exc.context.startswith("while") and exc.context_mark is not None:
                where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
                problem = f"{exc.problem} ({exc.context} that starts at {where})"
            else:
                problem = f"{exc.context}, {exc.problem}"
        message = f"invalid YAML: {problem}"
        hint = "check the indentation and punctuation near this place"
        if "'\\t'" in problem:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif "found character ':'" in problem or "mapping values" in problem:
            hint = "a value containing `: ` must be quoted, e.g. \"10:00\""
        elif "single document" in problem:
            hint = "a scenario is one YAML document; remove the extra `---`"
        elif "undefined alias" in problem:
            hint = "define the anchor (`&name`) before using the alias (`*name`)"
        reader.error("E601", message, reader.span(mark), hint)
        return
    reader.error(  # pragma: no cover - every PyYAML parse error is one of the above
        "E601", f"invalid YAML: {exc}", Span(name, 1, 1), "check the file's YAML syntax"
    )


def load_scenario(path: str, data: bytes | None = None) -> tuple[Scenario | None, list[Diagnostic]]:
    """Read a scenario file (or `data`, named `path` in messages). See the module docstring for the result."""
    origin = Span(path, 1, 1)
    if data is None:
        try:
            data = read_regular(path, MAX_BYTES, "scenario")
        except FileTooLarge:
            return None, [_too_large(origin)]
        except FileProblem as exc:
            return None, [Diagnostic("E100", f"{path}: {exc}", origin, "check the path and that the file is readable")]
    if len(data) > MAX_BYTES:
        return None, [_too_large(origin)]
    source, bad = decode(path, data)
    if source is None:
        assert bad is not None
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # decode() drops a BOM first
        return None, [Diagnostic(
            "E101",
            f"the scenario is not valid UTF-8 (byte 0x{body[bad]:02X} at offset {bad + len(data) - len(body)})",
            _utf8_error_span(path, body, bad),
            "save the file as UTF-8; convert Shift_JIS or EUC-JP files, e.g. with `iconv -f SHIFT_JIS -t UTF-8`",
        )]
    reader = _Reader(path, source)
    try:
        root = yaml.compose(source.text, Loader=_Loader)
    except _TooDeep as exc:
        reader.error(
            "E602",
            f"the scenario nests more than {MAX_DEPTH} levels deep",
            reader.span(exc.mark),
            "a scenario needs only a few levels: events, their fields, and perhaps a list inside a field",
        )
        return None, reader.diags
    except RecursionError:  # pragma: no cover - _Loader stops long before Python's limit
        reader.error("E602", "the scenario nests too deeply to be read", origin,
                     "a scenario needs only a few levels of nesting")
        return None, reader.diags
    except yaml.YAMLError as exc:
        _yaml_error(reader, source.text, exc)
        return None, reader.diags
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _TAG + "null"):
        reader.error(
            "E602",
            "the scenario is empty",
            origin,
            "a scenario needs at least `events:`, e.g. `events: [{at: 2025-04-01, event: service_start}]`",
        )
        return None, reader.diags
    try:
        top, size, height = reader.convert(root, 1)
    except RecursionError:  # pragma: no cover - convert() stops at MAX_DEPTH
        reader.error("E602", "the scenario nests too deeply to be read", origin,
                     "a scenario needs only a few levels of nesting")
        return None, reader.diags
    if size > MAX_VALUES:
        reader.error(
            "E602",
            f"the scenario expands to {size} values through its aliases; the limit is {MAX_VALUES}",
            reader.node_span(root),
            "use aliases for shared fields, not to multiply lists",
        )
        return None, sorted(reader.diags, key=sort_key)
    if reader.fatal:
        return None, sorted(reader.diags, key=sort_key)
    if not isinstance(top, MapValue):
        reader.error(
            "E602",
            f"the scenario must be a mapping with keys such as `events:`, but it is {_kind(top)}",
            top.span,
            "start the file with `events:` (and optionally `contract:`, `as_of:`, `params:`, `expect:`)",
        )
        return None, sorted(reader.diags, key=sort_key)
    scenario = _shape(reader, top)
    return scenario, sorted(reader.diags, key=sort_key)


# --------------------------------------------------------------------------------------------------
# shape


def _shape(reader: _Reader, top: MapValue) -> Scenario:
    for key in top.keys():
        if key not in TOP_LEVEL_KEYS:
            hint = did_you_mean(key, TOP_LEVEL_KEYS) or (
                "a scenario's keys are " + ", ".join(f"`{k}`" for k in TOP_LEVEL_KEYS)
            )
            reader.error("E602", f"unknown key `{_short(key)}` in the scenario", top.key_spans[key], hint)

    contract = None
    value = top.get("contract")
    if value is not None:
        if isinstance(value, Scalar) and not value.is_null and value.raw:
            contract = value
        else:
            reader.error(
                "E602",
                f"`contract:` must be the path of a .ctr file, but it is {_kind(value)}",
                value.span if not (isinstance(value, Scalar) and value.is_null) else top.key_spans["contract"],
                "write e.g. `contract: ../contracts/itscom-hosting.ctr` (relative to this file), or remove the line",
            )

    as_of = None
    value = top.get("as_of")
    if value is not None:
        if isinstance(value, Scalar) and not value.is_null:
            try:
                parse_date(value.raw)
                as_of = value
            except ValueError as exc:
                reader.error("E606", str(exc), value.span, "`as_of:` is a date such as 2026-03-31")
        else:
            reader.error(
                "E606",
                f"`as_of:` must be a date, but it is {_kind(value)}",
                value.span if not isinstance(value, Scalar) else top.key_spans["as_of"],
                "write e.g. `as_of: 2026-03-31`, or remove the line",
            )

    params: tuple[tuple[str, Value], ...] = ()
    param_spans = SpanMap()
    value = top.get("params")
    if isinstance(value, MapValue):
        params, param_spans = value.items, value.key_spans
    elif value is not None and not (isinstance(value, Scalar) and value.is_null):
        reader.error(
            "E602",
            f"`params:` must be a mapping of names to values, but it is {_kind(value)}",
            value.span,
            "write one `name: value` per line under `params:`, e.g. `plan: mail_secure_mx`",
        )

    events: list[RawEvent] = []
    value = top.get("events")
    if value is None:
        reader.error(
            "E602",
            "the scenario has no `events:`",
            top.span,
            "list the customer's events, e.g. `events: [{at: 2025-04-01, event: service_start}]`; "
            "write `events: []` if there are none",
        )
    elif isinstance(value, SeqValue):
        for index, item in enumerate(value.items):
            event = _event(reader, index, item)
            if event is not None:
                events.append(event)
    elif not (isinstance(value, Scalar) and value.is_null):
        hint = _EVENT_EXAMPLE
        if isinstance(value, MapValue):
            hint = "`events:` is a list: start each event with `- `; " + _EVENT_EXAMPLE
        reader.error("E602", f"`events:` must be a list of events, but it is {_kind(value)}", value.span, hint)

    expect: list[MapValue] = []
    value = top.get("expect")
    if isinstance(value, SeqValue):
        for index, item in enumerate(value.items):
            if _expectation(reader, index, item):
                expect.append(item)
    elif value is not None and not (isinstance(value, Scalar) and value.is_null):
        reader.error(
            "E602",
            f"`expect:` must be a list of expected ledger entries, but it is {_kind(value)}",
            value.span,
            "start each expected entry with `- `, e.g. `expect: [{kind: charge, rule: ITS-3, amount: 4500}]`",
        )

    return Scenario(
        file=reader.name,
        source=reader.source,
        contract=contract,
        as_of=as_of,
        params=params,
        param_spans=param_spans,
        events=tuple(events),
        expect=tuple(expect),
        span=top.span,
        expect_span=top.key_spans.get("expect"),
    )


def _event(reader: _Reader, index: int, item: Value) -> RawEvent | None:
    if not isinstance(item, MapValue):
        reader.error("E602", f"events[{index}] must be a mapping, but it is {_kind(item)}", item.span, _EVENT_EXAMPLE)
        return None
    ok = True
    at = item.get("at")
    name = item.get("event")
    instant = None
    if at is None:
        ok = False
        reader.error(
            "E602",
            f"events[{index}] has no `at:`",
            item.span,
            "say when the event happened, e.g. `at: 2025-04-01` or `at: \"2025-06-03T10:00\"` (Japan time)",
        )
    elif not isinstance(at, Scalar) or at.is_null:
        ok = False
        reader.error(
            "E606",
            f"`at:` of events[{index}] must be a date or date-time, but it is {_kind(at)}",
            at.span if not isinstance(at, Scalar) else item.key_spans["at"],
            "write e.g. `at: 2025-04-01` or `at: \"2025-06-03T10:00+09:00\"`",
        )
    else:
        try:
            instant = parse_instant(at.raw)
        except ValueError as exc:
            ok = False
            reader.error(
                "E606",
                str(exc),
                at.span,
                "`at:` is a date (2025-04-01) or a date-time (\"2025-06-03T10:00\", Japan time unless an offset "
                "such as +00:00 is given)",
            )
    if name is None:
        ok = False
        reader.error(
            "E602",
            f"events[{index}] has no `event:`",
            item.span,
            "name the event the contract declares, e.g. `event: service_start`",
        )
    elif not isinstance(name, Scalar) or name.is_null or not name.raw:
        ok = False
        reader.error(
            "E602",
            f"`event:` of events[{index}] must be an event name, but it is {_kind(name)}",
            name.span if not isinstance(name, Scalar) else item.key_spans["event"],
            "write the name the contract declares, e.g. `event: service_start`",
        )
    if not ok:
        return None
    assert isinstance(at, Scalar) and isinstance(name, Scalar) and instant is not None
    fields = tuple((k, v) for k, v in item.items if k not in ("at", "event"))
    return RawEvent(
        index=index,
        at=at,
        name=name,
        fields=fields,
        field_spans=SpanMap((k, item.key_spans[k]) for k, _ in fields),
        span=item.span,
        instant=instant,
    )


# --------------------------------------------------------------------------------------------------
# expectations

# Keys of an `expect:` item that are not ledger fields: how the item is matched, and the figures it may
# name besides the entry's own (`total` is amount + tax).
EXPECT_KEYS = ("absent", "count", "total", "totals")
FIGURES = ("amount", "tax", "total", "value", "status", "note", "lines", "currency", "also")
TOTALS_KEYS = ("charge", "credit", "tax")
_EXPECT_EXAMPLE = "e.g. `- {kind: charge, rule: ITS-3, amount: 4500}`"


def _fields_of(key: str) -> str:
    return "amount" if key == "total" else key


def _expectation(reader: _Reader, index: int, item: Value) -> bool:
    """Check one `expect:` item; report what is wrong with it. True when it can be matched.

    Every key must be a ledger field (or one of EXPECT_KEYS), and some kind of entry must have every field
    named: an item that can match no entry would make `absent: true` pass, and nothing else, vacuously."""
    where = f"expect[{index}]"
    if not isinstance(item, MapValue):
        reader.error("E602", f"{where} must be a mapping of ledger fields, but it is {_kind(item)}", item.span,
                     "write " + _EXPECT_EXAMPLE[5:])
        return False
    if not item.items:
        reader.error("E602", f"{where} names no field, so it would match any ledger entry", item.span,
                     "name the fields the entry must have, " + _EXPECT_EXAMPLE)
        return False
    before = len(reader.diags)
    if "totals" in item:
        return _totals_expectation(reader, where, item)
    known = ENTRY_FIELDS + EXPECT_KEYS
    for key in item.keys():
        if key not in known:
            reader.error("E602", f"unknown field `{_short(key)}` in {where}", item.key_spans[key],
                         did_you_mean(key, known) or "the fields are those of the JSON ledger: "
                         + ", ".join(f"`{k}`" for k in ENTRY_FIELDS) + "; and `absent`, `count`, `total`, `totals`")
    if len(reader.diags) > before:
        return False
    fields = [k for k in item.keys() if k not in ("absent", "count")]
    kind = item.get("kind")
    kinds = KINDS
    if kind is not None:
        if not isinstance(kind, Scalar) or kind.raw not in KINDS:
            text = kind.raw if isinstance(kind, Scalar) else ""
            reader.error("E606", f"`kind:` of {where} must be one of {', '.join(KINDS)}, but it is {_kind(kind)}",
                         kind.span, did_you_mean(text, KINDS) or "write e.g. `kind: charge`")
            return False
        kinds = (kind.raw,)
    having = [k for k in kinds if all(_fields_of(f) in FIELDS_BY_KIND[k] for f in fields)]
    if not having:
        if kind is not None:
            missing = [f for f in fields if _fields_of(f) not in FIELDS_BY_KIND[kind.raw]]
            reader.error("E602", f"a {kind.raw} entry has no `{missing[0]}`, so {where} can never match one",
                         item.key_spans[missing[0]],
                         f"a {kind.raw} has " + ", ".join(f"`{f}`" for f in FIELDS_BY_KIND[kind.raw]))
        else:
            reader.error("E602", "no ledger entry has all of " + ", ".join(f"`{f}`" for f in fields)
                         + f", so {where} can never match one", item.span,
                         "name the `kind:` of the entry and only fields that kind has")
        return False
    _mode(reader, where, item, fields)
    for key, value in item.items:
        _expected_value(reader, where, key, value)
    return len(reader.diags) == before


def _mode(reader: _Reader, where: str, item: MapValue, fields: list[str]) -> None:
    """`absent: true` (no entry), `absent: allowed` (the figures, or no entry), `count: N` (exactly N)."""
    absent, count = item.get("absent"), item.get("count")
    if absent is not None:
        if not isinstance(absent, Scalar) or absent.raw not in ("true", "false", "allowed"):
            reader.error("E606", f"`absent:` of {where} must be true, false or allowed, but it is {_kind(absent)}",
                         absent.span, "`absent: true`: no entry matches; `absent: allowed`: the entry matches, "
                                      "or there is no such entry (0 or no entry)")
        elif absent.raw == "allowed" and not any(f in FIGURES for f in fields):
            reader.error("E602", f"`absent: allowed` in {where} names no figure to expect of the entry",
                         absent.span, "name what the entry must have if there is one, e.g. `amount: 0`")
        elif absent.raw == "allowed" and all(f in FIGURES for f in fields):
            reader.error("E602", f"`absent: allowed` in {where} says nothing about which entry it means",
                         absent.span, "name the entry's `kind:`, `rule:` and when it arises (`period:`, `date:`)")
    if count is not None:
        if not isinstance(count, Scalar) or count.tag != "int" or count.raw.startswith("-"):
            reader.error("E606", f"`count:` of {where} must be a whole number, but it is {_kind(count)}",
                         count.span, "write e.g. `count: 12` (exactly 12 entries match the other fields)")
        elif absent is not None:
            reader.error("E602", f"{where} has both `count:` and `absent:`", item.key_spans["count"],
                         "`count: 0` already means that no entry matches; keep one of them")
    if not fields:
        key = "absent" if absent is not None else "count"
        reader.error("E602", f"{where} names no field besides `{key}:`, so it would concern every entry",
                     item.key_spans[key], "name the fields of the entries it concerns, e.g. `kind: charge, rule: ITS-5`")


def _decimal_text(value: Value) -> bool:
    from decimal import Decimal, InvalidOperation

    if not isinstance(value, Scalar) or value.tag not in ("int", "float", "str"):
        return False
    try:
        Decimal(value.raw.replace(",", ""))
        return True
    except InvalidOperation:
        return False


def _expected_value(reader: _Reader, where: str, key: str, value: Value) -> None:
    """Values that can be checked without the ledger: amounts, dates, periods, statuses, parties."""
    problem = hint = None
    if key in ("amount", "tax", "total") and not _decimal_text(value):
        problem, hint = "an amount", f"write e.g. `{key}: 4500` or `{key}: \"16,000\"`"
    elif key in ("date", "due"):
        problem, hint = _date_problem(value), f"write e.g. `{key}: 2025-04-30`"
    elif key in ("period", "window"):
        if not isinstance(value, SeqValue) or len(value.items) != 2:
            problem = "a list of two dates"
        else:
            problem = next((p for p in map(_date_problem, value.items) if p), None)
        hint = f"write e.g. `{key}: [2025-09-01, 2025-09-30]`"
    elif key == "status" and not (isinstance(value, Scalar) and value.raw in STATUSES):
        problem = "one of " + ", ".join(STATUSES)
        hint = did_you_mean(value.raw, STATUSES) if isinstance(value, Scalar) else None
    elif key == "party" and not (isinstance(value, Scalar) and value.raw in PARTIES):
        problem, hint = "one of " + ", ".join(PARTIES), "write e.g. `party: customer`"
    if problem:
        reader.error("E606", f"`{key}:` of {where} must be {problem}, but it is {_kind(value)}", value.span,
                     hint or "")


def _date_problem(value: Value) -> str | None:
    if not isinstance(value, Scalar) or value.is_null:
        return "a date"
    try:
        parse_date(value.raw)
    except ValueError:
        return "a date (YYYY-MM-DD)"
    return None


def _totals_expectation(reader: _Reader, where: str, item: MapValue) -> bool:
    """`- totals: {charge: 16000, credit: 0, tax: 1600}`: the ledger's totals (all of them or some)."""
    before = len(reader.diags)
    for key in item.keys():
        if key != "totals":
            reader.error("E602", f"`totals:` stands alone in {where}, but it has `{_short(key)}` too",
                         item.key_spans[key], "the totals are the ledger's; expect an entry in an item of its own")
    totals = item.get("totals")
    if not isinstance(totals, MapValue) or not totals.items:
        reader.error("E606", f"`totals:` of {where} must be a mapping of totals, but it is {_kind(totals)}",
                     totals.span, "write e.g. `- totals: {charge: 16000, credit: 0, tax: 1600}`")
        return False
    for key, value in totals.items:
        if key not in TOTALS_KEYS:
            reader.error("E602", f"unknown total `{_short(key)}` in {where}", totals.key_spans[key],
                         did_you_mean(key, TOTALS_KEYS) or "the totals are `charge`, `credit` and `tax`")
        elif not _decimal_text(value):
            reader.error("E606", f"`{key}:` of the totals in {where} must be an amount, but it is {_kind(value)}",
                         value.span, f"write e.g. `{key}: 16000`")
    return len(reader.diags) == before
