"""Checks of declarations: conventions, calendars, types, parameters, events and items."""
from __future__ import annotations

from interpreter.check.model import Tables
from interpreter.check.scope import Scope
from interpreter.check.types import PRIMITIVE_TYPES, UNIT_WORDS, UNKNOWN, T, compatible, is_dateish, is_numeric
from interpreter.diagnostics import did_you_mean
from interpreter.syntax import nodes as n

# Conventions a contract may declare, with the values each takes.
CONVENTIONS: dict[str, tuple[str, ...]] = {
    "periods": ("civil_code",),
    "month_end": ("clamp",),
    "prorate": ("actual_days", "thirty_days"),
    "interest_year": ("365 days",),
    "first_month": ("free", "full", "prorated", "daily_rate"),
    "last_month": ("full", "prorated", "daily_rate"),
    "invoices": ("monthly",),  # charges and credits are invoiced per calendar month (when no `invoice due` rule)
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DeclarationChecks:
    """Checks of the declarations a contract makes before its rules (a mixin of the checker)."""

    def _check_convention(self, c: n.Convention) -> None:
        allowed = CONVENTIONS.get(c.name)
        if allowed is None:
            self.error("E201", f"unknown convention `{c.name}`", c.span,
                       did_you_mean(c.name, CONVENTIONS) or f"conventions are: {', '.join(CONVENTIONS)}")
            return
        value = " ".join(c.values)
        if value not in allowed:
            self.error("E406", f"convention `{c.name}` cannot be `{value}`", c.span,
                       f"write one of: {', '.join(allowed)}")
        self.conventions[c.name] = c.values

    def _check_calendar(self, d: n.Calendar) -> None:
        if d.holidays not in (None, "japan", "japan_bank", "none"):
            self.error("E406", f"unknown holiday calendar `{d.holidays}`", d.span,
                       "write `holidays japan;` (national holidays) or `holidays japan_bank;` (also Dec 31–Jan 3)")
        for w in d.weekend or ():
            if w not in WEEKDAYS:
                self.error("E406", f"`{w}` is not a day of the week", d.span, did_you_mean(w, WEEKDAYS))
        for c in d.closed:
            if c.end < c.start:
                self.error("E406", f"closed days run backwards: {c.start} .. {c.end}", c.span)

    def resolve_type(self, ref: n.TypeRef, tables: Tables) -> T:
        if ref.per is not None:
            if ref.name != "money":
                self.error("E207", f"only money can be given per a unit, not `{ref.name}`", ref.span)
            if ref.per not in tables.units and ref.per not in UNIT_WORDS:
                self.error("E207", f"unknown unit `{ref.per}`", ref.span,
                           did_you_mean(ref.per, tables.units) or "declare it with `unit NAME;`")
            return T("rate", ref.per)
        if ref.name in PRIMITIVE_TYPES:
            return PRIMITIVE_TYPES[ref.name]
        if ref.name in tables.enums:
            return T("enum", ref.name)
        if ref.name in tables.units:
            return T("count", ref.name)
        known = list(PRIMITIVE_TYPES) + list(tables.enums) + list(tables.units)
        self.error("E207", f"unknown type `{ref.name}`", ref.span,
                   did_you_mean(ref.name, known) or "types are money, count, percent, date, datetime, days, "
                   "months, text, bool, plan, option, item, a declared unit or a declared enum")
        return UNKNOWN

    def _check_typed(self, name: str, ref: n.TypeRef, default, tables: Tables, scope: Scope) -> T:
        typ = self.resolve_type(ref, tables)
        if default is not None:
            got = self.infer(default, scope, tables)
            if typ.kind == "rate":
                if got.kind not in ("money", "unknown"):
                    self.error("E302", f"the default of `{name}` is {got}, not money", default.span)
            elif typ.kind == "item":
                if got.kind not in ("item", "unknown"):
                    self.error("E302", f"the default of `{name}` must be an item, not {got}", default.span)
            elif typ.kind == "count" and got.kind in ("number", "count"):
                pass
            elif not compatible(typ, got) or (typ.kind != got.kind and not (is_dateish(typ) and is_dateish(got))
                                                and got.kind != "unknown" and not (is_numeric(typ) and is_numeric(got))):
                self.error("E302", f"the default of `{name}` is {got}, but it is declared {typ}", default.span)
        return typ

    def _check_event(self, d: n.EventDecl, tables: Tables, scope: Scope) -> None:
        names: dict[str, n.FieldDecl] = {}
        for f in d.fields:
            if f.name in names:
                self._dup("field")(f.name, f.span, names[f.name].span)
            if f.name in ("at", "event"):
                self.error("E406", f"`{f.name}` is written by every scenario event; a field cannot take that name",
                           f.span)
            names[f.name] = f
            self._check_typed(f.name, f.type, f.default, tables, scope)
            if f.optional and f.default is not None:
                self.error("E408", f"field `{f.name}` is optional and has a default", f.default.span,
                           "an optional field has no value when left out; drop `optional` or the default")
        if d.interval and "until" not in names:
            self.error("E404", f"interval event `{d.name}` needs an `until: datetime;` field", d.span,
                       "an interval runs from the event's `at` to its `until`")
        field_scope = scope.child({f.name: self.resolve_type(f.type, tables) for f in d.fields})
        for action in d.effects:
            self._check_action(action, field_scope, tables)

    def _check_item(self, d: n.ItemDecl, tables: Tables, scope: Scope) -> None:
        for inc in d.includes:
            self.infer(inc, scope, tables)
        if d.measured_in and d.measured_in not in tables.units:
            self.error("E201", f"unknown unit `{d.measured_in}`", d.span,
                       did_you_mean(d.measured_in, tables.units) or "declare it with `unit NAME;`")
        for child in d.children:
            self._check_item(child, tables, scope)
