"""format_decimal keeps its answers (explanations show the same figures again and again): a kept answer must be the
one the formatting gives, whatever way an equal value is written and whatever decimal context is in force."""
from __future__ import annotations

import decimal
from decimal import Decimal

from hypothesis import given, strategies as st

from interpreter.run import expressions
from interpreter.run.expressions import _format_decimal, format_decimal

DECIMALS = st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=8)


@given(DECIMALS, st.integers(0, 6), st.sampled_from([None, 0, 2]), st.sampled_from([28, 60]))
def test_a_kept_answer_is_the_formatting_of_the_value_however_it_is_written(value, extra_zeros, places, precision):
    # the same value with more trailing zeros (1.5 and 1.500) is one key: both must be shown as the value is
    padded = value.quantize(Decimal(1).scaleb(value.as_tuple().exponent - extra_zeros))
    assert padded == value
    with decimal.localcontext(decimal.Context(prec=precision)):
        expected = _format_decimal(value, places)
        assert format_decimal(value, places) == expected
        assert format_decimal(padded, places) == expected
        assert format_decimal(value, places) == expected  # asked again: from what was kept


def test_the_decimal_context_in_force_is_part_of_what_is_kept():
    # 0.123 followed by 28 nines has 31 digits: with 28 digits of precision it normalises to 0.124; with 60 it
    # keeps them all and is shown to 6 places, 0.123999…
    value = Decimal("0.1239999999999999999999999999999")
    expressions._FORMATTED.clear()
    for first, second in ((60, 28), (28, 60)):
        shown = {}
        for precision in (first, second):
            with decimal.localcontext(decimal.Context(prec=precision)):
                shown[precision] = format_decimal(value)
        assert shown == {60: "0.123999…", 28: "0.124"}


def test_the_kept_answers_are_bounded():
    expressions._FORMATTED.clear()
    for i in range(expressions._FORMATTED_MOST + 10):
        format_decimal(Decimal(i))
    assert len(expressions._FORMATTED) <= expressions._FORMATTED_MOST
    assert format_decimal(Decimal(1234567)) == "1,234,567"
