"""The checked model: a contract's declarations resolved into tables, one table set per version.

The checker builds it from the AST; the evaluator reads it. Statements stay AST nodes: the checker has
already resolved every name in them and checked their units, so the evaluator can trust them.
"""
from __future__ import annotations

from datetime import date

from interpreter import records

from interpreter.syntax import nodes as n
from interpreter.syntax.source import SourceFile
from interpreter.time.calendar import BusinessCalendar


@records.frozen
class Tables:
    """Everything declared in one version of the terms, by name."""

    units: dict[str, n.UnitDecl]
    enums: dict[str, n.EnumDecl]
    params: dict[str, n.ParamDecl]
    items: dict[str, n.ItemDecl]
    item_parent: dict[str, str]
    events: dict[str, n.EventDecl]
    calendars: dict[str, n.Calendar]
    rules: dict[str, n.RuleDecl]  # by rule id, in source order
    choices: dict[str, n.ChoiceDecl] = records.field(factory=dict)  # reading choices, by name

    def enum_cases(self) -> dict[str, str]:
        """Enum case name -> enum name."""
        return {case.name: enum.name for enum in self.enums.values() for case in enum.cases}


@records.frozen
class Version:
    name: str
    label: str | None
    effective: date | None  # None: the base version, in force from the beginning
    notes: tuple[str, ...]
    tables: Tables
    replaced: tuple[str, ...] = ()  # names of the declarations this amendment replaced or added


@records.frozen
class Model:
    file: str
    source: SourceFile
    program: n.Program
    contract: n.Contract | None
    conventions: dict[str, tuple[str, ...]]
    calendar: BusinessCalendar
    versions: tuple[Version, ...]
    # What later stages build once from the model and keep with it (the compiled tables); not part of it.
    cache: dict = records.field(factory=dict, eq=False, repr=False, init=False)

    def version_on(self, day: date) -> Version:
        """The version of the terms in force on a day: the last whose effective date is on or before it."""
        current = self.versions[0]
        for version in self.versions[1:]:
            if version.effective is not None and version.effective <= day:
                current = version
        return current

    @property
    def base(self) -> Version:
        return self.versions[0]
