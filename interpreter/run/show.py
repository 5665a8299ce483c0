"""An expression written out with the values it used, for `yakkan explain`:
`floor(unusable ÷ 24 hours) × monthly_fee(…) ÷ 30` becomes `floor(50 hours ÷ 24 hours) × 10,000 yen ÷ 30`."""
from __future__ import annotations

from interpreter.run.expressions import (
    Env,
    EvalError,
    evaluate,
    format_decimal,
    format_value,
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
