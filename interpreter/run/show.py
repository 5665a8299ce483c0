"""An expression written out with the values it used, for `yakkan explain`:
`floor(unusable ÷ 24 hours) × monthly_fee(…) ÷ 30` becomes `floor(50 hours ÷ 24 hours) × 10,000 yen ÷ 30`."""
from __future__ import annotations

from interpreter.run.expressions import (
    Env,
    EvalError,
    Value,
    evaluate,
    format_decimal,
    format_value,
    graduated_bands,
    tier_row_taken,
)
from interpreter.syntax import nodes as n

_PRECEDENCE = {"or": 1, "and": 2, "+": 4, "-": 4, "*": 5, "/": 5}
_SYMBOL = {"*": "×", "/": "÷", "-": "−"}


def _value(e, env: Env) -> str:
    try:
        return format_value(evaluate(e, env))
    except EvalError:
        return "?"


def show(e, env: Env, parent: int = 0, value=None) -> str:
    """`e` written out with the values it used. `value`: the value `e` itself has in `env`, when the caller has
    just evaluated it there, so that an expression shown by its value is not evaluated again."""
    if isinstance(e, n.Num):
        number = format_decimal(e.value)
        return f"{number}{'' if e.unit in (None, '%') else ' '}{e.unit or ''}"
    if isinstance(e, n.Binary):
        p = _PRECEDENCE[e.op]
        text = f"{show(e.left, env, p)} {_SYMBOL.get(e.op, e.op)} {show(e.right, env, p + 1)}"
        return f"({text})" if p < parent else text
    if isinstance(e, n.Unary):
        return f"{'not ' if e.op == 'not' else '−'}{show(e.operand, env, 9)}"
    if isinstance(e, n.Call) and e.func in ("floor", "ceil", "round", "max", "min"):
        return f"{e.func}({', '.join(show(a, env) for a in e.args)})"
    if isinstance(e, n.Compare):
        parts = [show(e.operands[0], env, 3)]
        for op, operand in zip(e.ops, e.operands[1:]):
            parts += [op, show(operand, env, 3)]
        return " ".join(parts)
    if isinstance(e, (n.Str, n.DateLit, n.Bool)):
        return _value(e, env) if value is None else format_value(value)
    return _value(e, env) if value is None else format_value(value)


class Explanations:
    """The steps of an entry's explanation that write out an expression (a mixin of the evaluation)."""

    def step(self, name: str, expr, env: Env, value, evaluated: bool = False) -> str:
        """`name = <as written> = <with values> = result`, dropping repeats. A tier shows the row it took.
        `evaluated`: `value` is what `expr` evaluates to in `env`, just now (nothing changed since), so that
        writing the expression out need not evaluate it again where it shows its value."""
        result = value if isinstance(value, str) else format_value(value) if isinstance(value, Value) else str(value)
        if isinstance(expr, n.Tier) and expr.graduated:
            bands = " + ".join(f"{format_decimal(part)} × {format_value(rate)}" for part, rate in graduated_bands(expr, env))
            subject = self.model.source.snippet(expr.subject.span)
            return f"{name} = graduated over {subject} = {show(expr.subject, env)}: {bands or '0'} = {result}"
        if isinstance(expr, n.Tier):
            row = tier_row_taken(expr, env)
            taken = self.model.source.snippet(row.cond.span) if row is not None and row.cond is not None else "otherwise"
            subject = self.model.source.snippet(expr.subject.span)
            return f"{name} = tier of {subject} = {show(expr.subject, env)}: {taken} → {result}"
        parts = [self.model.source.snippet(expr.span),
                 show(expr, env, value=value if evaluated and isinstance(value, Value) else None), result]
        shown = []
        for p in parts:
            if p and p not in shown:
                shown.append(p)
        return f"{name} = " + " = ".join(shown)
