"""What a REPL session can complete and evaluate: expressions over the contract, and the names, fields and values it offers (a mixin of the REPL session)."""
from __future__ import annotations
from datetime import date
from interpreter import records
from interpreter.syntax import nodes as n
from interpreter.syntax.build import build
from interpreter.time.calendar import BusinessCalendar
from interpreter.check.checker import Checker
from interpreter.diagnostics import Diagnostic, has_errors
from interpreter.run.expressions import ABSENT, Env, EvalError, Value, evaluate
from interpreter.syntax.source import SourceFile, Span
from interpreter.syntax.parse import parse
from interpreter.check.types import is_dateish
from interpreter.tools.repl_base import (_EMPTY_TABLES, _PREFIX, _SUFFIX, DEFAULT_CONVENTIONS,
                                         INPUT, Problem)


class SessionNames:
    """What a REPL session can complete and evaluate: expressions over the contract, and the names, fields and values it offers (a mixin of the REPL session)."""

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
                checker.version_names = tuple(v.name for v in model.versions) if model else ()
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
        notes = tuple(records.evolve(note, span=self._remap_span(note.span, count, column)) for note in d.notes)
        if outside and d.code in ("E102", "E103"):
            return Diagnostic("E103", "the expression ends too early", span, hint=d.hint, notes=notes)
        return records.evolve(d, span=span, notes=notes)

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
