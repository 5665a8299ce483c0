"""What the REPL's command modules share: the name of typed input, how an expression is wrapped to be parsed,
the conventions used with no contract loaded, and the error a command raises."""
from __future__ import annotations

import re

from interpreter.check.model import Tables
from interpreter.run.expressions import Value, format_value
from interpreter.run.scenario import MapValue, Scalar, SeqValue
from interpreter.diagnostics import Diagnostic

INPUT = "<input>"
# The contract an expression is parsed in. The expression gets lines of its own, so its lines and
# columns are those of the input; the rule id cannot clash with a contract's (ids have capital letters).
_PREFIX = 'contract repl "repl" {} rule REPL-1 第1条 { state value ='
_SUFFIX = "; }"
# With no contract loaded: Japan's business days and the conventions the language documents.
DEFAULT_CONVENTIONS: dict[str, tuple[str, ...]] = {"periods": ("civil_code",), "month_end": ("clamp",)}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Problem(Exception):
    """A mistake in a command; carries the diagnostics that explain it."""

    def __init__(self, *diagnostics: Diagnostic):
        super().__init__(diagnostics[0].message if diagnostics else "")
        self.diagnostics = list(diagnostics)


_EMPTY_TABLES = Tables(units={}, enums={}, params={}, items={}, item_parent={}, events={}, calendars={}, rules={})


_JDATE = re.compile(r"^(令和|平成|昭和)?([0-9０-９]+|元)年[0-9０-９]+月[0-9０-９]+日$")


def show(value: Value) -> str:
    """A value as the language writes it (`true`, not Python's `True`)."""
    if value.kind == "bool":
        return "true" if value.value else "false"
    return format_value(value)


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
