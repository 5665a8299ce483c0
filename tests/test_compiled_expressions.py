"""Each node is evaluated by a function built once for it and kept by the node's identity (run/expressions.py
`_compiled`): the kept functions must give what the node says wherever and whenever it is evaluated, errors must
name the node where they happen, and the table must stay bounded."""
from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from interpreter.limits import DECIMAL_CONTEXT
from interpreter.run import expressions
from interpreter.run.expressions import Env, EvalError, Value, evaluate
from interpreter.syntax import nodes as n
from interpreter.syntax.source import Span
from interpreter.time.calendar import BusinessCalendar
from interpreter.time.timestamps import JST
from small_contract import HEADER, evaluate_text

ENV = Env(names={"fee": Value("money", Decimal(3000)), "start": Value("date", date(2025, 4, 1))},
          calendar=BusinessCalendar())


def test_equal_nodes_written_in_two_places_each_report_their_own_place():
    # `missing` is written twice: the two nodes are equal (spans are out of equality) but an error must show the
    # one evaluated, so the functions are kept by identity, not by equality
    first = n.Name("missing", span=Span("terms.ctr", 3, 5))
    second = n.Name("missing", span=Span("terms.ctr", 9, 12))
    assert first == second
    for node in (first, second, first):
        with pytest.raises(EvalError) as raised:
            evaluate(n.Binary("+", n.Name("fee"), node), ENV)
        assert raised.value.node is node
        assert str(raised.value) == "`missing` has no value here"


def test_a_value_beyond_the_limits_is_reported_at_the_innermost_node_that_computed_it():
    # 10^18 yen × 10^7 = 10^25 yen, one digit beyond the 10^25 bound of DECIMAL_CONTEXT: the multiplication
    # (not the comparison around it) is the place shown, as E611
    product = n.Binary("*", n.Num(Decimal(10) ** 18, "yen"), n.Num(Decimal(10) ** 7, None))
    comparison = n.Compare((product, n.Name("fee")), (">",))
    with decimal.localcontext(DECIMAL_CONTEXT):
        with pytest.raises(EvalError) as raised:
            evaluate(comparison, ENV)
    assert raised.value.node is product and raised.value.code == "E611"


def test_a_duration_literal_is_multiplied_in_the_decimal_context_of_each_evaluation():
    # 10^18 weeks = 10^18 × 10,080 minutes ≈ 1.0 × 10^22: fine with 60 digits and 10^25 as the bound, but with a
    # bound of 10^20 the same node, already evaluated once, must overflow (its value is not kept from before)
    weeks = n.Num(Decimal(10) ** 18, "weeks")
    with decimal.localcontext(DECIMAL_CONTEXT):
        assert evaluate(weeks, ENV) == Value("exact", Decimal(10) ** 18 * 10080)
    with decimal.localcontext(DECIMAL_CONTEXT.copy()) as narrow:
        narrow.Emax = 19
        with pytest.raises(EvalError) as raised:
            evaluate(weeks, ENV)
    assert raised.value.node is weeks and raised.value.code == "E611"


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
def test_a_comparison_is_the_comparison_of_its_values(a, b, op):
    expected = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    node = n.Compare((n.Num(Decimal(a), "yen"), n.Num(Decimal(b), "yen")), (op,))
    assert evaluate(node, ENV) == Value("bool", expected)


@given(st.booleans(), st.booleans(), st.sampled_from(["and", "or"]))
def test_and_and_or_read_the_right_operand_only_when_the_left_does_not_decide(left, right, op):
    # the right operand names nothing known: reading it is an error, so it must be read only when needed
    right_node = n.Compare((n.Name("unknown"), n.Bool(right)), ("==",))
    node = n.Binary(op, n.Bool(left), right_node)
    if left == (op == "or"):  # true decides `or`, false decides `and`
        assert evaluate(node, ENV) == Value("bool", left)
    else:
        with pytest.raises(EvalError) as raised:
            evaluate(node, ENV)
        assert raised.value.node.name == "unknown"


def test_the_kept_functions_are_bounded_and_a_node_evaluates_alike_after_they_are_emptied():
    # start + 2 weeks + 1 day: 2025-04-01 + 14 days + 1 day = 2025-04-16
    node = n.Binary("+", n.Binary("+", n.Name("start"), n.Num(Decimal(2), "weeks")), n.Num(Decimal(1), "day"))
    assert evaluate(node, ENV) == Value("date", date(2025, 4, 16))
    for i in range(expressions._COMPILED_MOST + 10):
        evaluate(n.Num(Decimal(i), "yen"), ENV)
    assert len(expressions._COMPILED) <= expressions._COMPILED_MOST
    assert evaluate(node, ENV) == Value("date", date(2025, 4, 16))


def test_a_child_environment_s_names_stand_over_its_parent_s_and_leave_them_unchanged():
    # `fee` is 3,000 yen in the parent; the child (a `where` over events, a notice's candidate date) says 500 yen:
    # fee + fee reads 1,000 yen in the child and still 6,000 yen in the parent; a name only the child has is
    # unknown to the parent
    child = ENV.child({"fee": Value("money", Decimal(500)), "extra": Value("money", Decimal(1))})
    twice = n.Binary("+", n.Name("fee"), n.Name("fee"))
    assert evaluate(twice, child) == Value("money", Decimal(1000))
    assert evaluate(twice, ENV) == Value("money", Decimal(6000))
    assert evaluate(n.Name("start"), child) == Value("date", date(2025, 4, 1))
    with pytest.raises(EvalError):
        evaluate(n.Name("extra"), ENV)


def _plus(base: str, amount: int, unit: str):
    return n.Binary("+", n.Name(base), n.Num(Decimal(amount), unit))


def test_a_duration_moves_a_date_by_whole_days_or_to_an_instant():
    with decimal.localcontext(DECIMAL_CONTEXT):
        # 2025-04-01 − 2 weeks − 1 day = 2025-04-01 − 14 days − 1 day = 2025-03-17
        back = n.Binary("-", n.Binary("-", n.Name("start"), n.Num(Decimal(2), "weeks")), n.Num(Decimal(1), "day"))
        assert evaluate(back, ENV) == Value("date", date(2025, 3, 17))
        # 48 hours is two whole days: a date; 36 hours is not: the instant 2025-04-02 12:00 in Japan
        assert evaluate(_plus("start", 48, "hours"), ENV) == Value("date", date(2025, 4, 3))
        later = evaluate(_plus("start", 36, "hours"), ENV)
        assert later.kind == "datetime" and later.value.astimezone(JST).isoformat() == "2025-04-02T12:00:00+09:00"


@pytest.mark.parametrize("amount, unit, message", [
    # 2025-04-01 + 999,999,999 days passes 9999-12-31 (about 2.7 million years later): the date type's limit
    (999_999_999, "days", "the date falls outside 0001-01-01..9999-12-31, the dates that can be written"),
    # 1,000,000,000 days is beyond the longest step the type can hold: the same error, not a traceback
    (1_000_000_000, "days", "the date falls outside 0001-01-01..9999-12-31, the dates that can be written"),
    # 10^18 weeks = 10^18 × 10,080 × 60,000,000 µs ≈ 6.0 × 10^29 µs: the conversion to microseconds reaches 10^25
    (10 ** 18, "weeks", "a value reaches 10^25, beyond any amount, count or duration supported"),
])
def test_a_date_moved_beyond_the_limits_is_an_error_at_the_addition(amount, unit, message):
    node = _plus("start", amount, unit)
    with decimal.localcontext(DECIMAL_CONTEXT):
        with pytest.raises(EvalError) as raised:
            evaluate(node, ENV)
    assert (raised.value.node, raised.value.code, str(raised.value)) == (node, "E611", message)


@pytest.mark.parametrize("condition, credited", [
    ("not " * 231 + "true", []),            # 231 `not`s of true: an odd count, false: no credit
    ("- " * 230 + "1 < 5", [Decimal(1)]),   # 1 negated 230 times is 1, and 1 < 5: the 1-yen credit
])
def test_the_deepest_chain_the_parser_accepts_is_evaluated(tmp_path, condition, credited):
    # some 235 prefixes are accepted (240 are E106, nested too deep): evaluating them must not exhaust Python's stack
    contract = HEADER + "event service_start;\n" + \
        f'rule R-1 第1条 "x" {{ credit "c" on service_start where {condition} {{ amount 1 yen; }} }}\n'
    outcome = evaluate_text(tmp_path, contract, "as_of: 2025-05-01\nevents:\n  - {at: 2025-04-01, event: service_start}\n")
    assert outcome.ok, outcome.diagnostics
    assert [e.amount for e in outcome.ledger.entries if e.kind == "credit"] == credited


@given(st.lists(st.integers(0, 5), max_size=4), st.integers(0, 5), st.booleans())
def test_in_is_membership_among_the_values_of_the_list(members, item, negated):
    node = n.In(n.Num(Decimal(item), "yen"), n.ListExpr(tuple(n.Num(Decimal(m), "yen") for m in members)), negated)
    assert evaluate(node, ENV) == Value("bool", (item in members) != negated)
