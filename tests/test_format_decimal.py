"""format_decimal and money_text keep their answers (interpreter/run/decimal_texts.py: explanations and ledgers show
the same figures again and again): a kept answer must be the one the formatting gives, whatever way an equal value is
written and whatever decimal context is in force."""
from __future__ import annotations

import decimal
from decimal import Decimal

from hypothesis import given, strategies as st

from interpreter.run import decimal_texts
from interpreter.run.expressions import _format_decimal, format_decimal
from interpreter.run.ledger import _money_text, money_text

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
    format_decimal.kept.clear()
    for first, second in ((60, 28), (28, 60)):
        shown = {}
        for precision in (first, second):
            with decimal.localcontext(decimal.Context(prec=precision)):
                shown[precision] = format_decimal(value)
        assert shown == {60: "0.123999…", 28: "0.124"}


def test_the_kept_answers_are_bounded():
    format_decimal.kept.clear()
    for i in range(decimal_texts.KEPT_MOST + 10):
        format_decimal(Decimal(i))
    assert len(format_decimal.kept) <= decimal_texts.KEPT_MOST
    assert format_decimal(Decimal(1234567)) == "1,234,567"


@given(DECIMALS, st.integers(0, 6), st.sampled_from([28, 60]))
def test_a_kept_amount_text_is_the_amount_however_it_is_written(value, extra_zeros, precision):
    padded = value.quantize(Decimal(1).scaleb(value.as_tuple().exponent - extra_zeros))
    with decimal.localcontext(decimal.Context(prec=precision)):
        expected = _money_text.__wrapped__(value)
        assert money_text(value) == money_text(padded) == expected
        assert money_text(value) == expected  # asked again: from what was kept


def test_amount_texts_as_the_json_ledger_writes_them():
    # an amount equal to a whole number is written without places, whatever places it carries; others normalised
    assert [money_text(Decimal(t)) for t in ("4500", "4500.00", "-0", "12.50", "-1333.30", "0.000")] == \
        ["4500", "4500", "0", "12.5", "-1333.3", "0"]
    assert money_text(None) is None
    # with 28 digits of precision a 31-digit amount normalises to 28 digits; with 60 it keeps them all
    value = Decimal("0.1239999999999999999999999999999")
    shown = {}
    for precision in (60, 28, 60):
        with decimal.localcontext(decimal.Context(prec=precision)):
            shown.setdefault(precision, set()).add(money_text(value))
    assert shown == {60: {"0.1239999999999999999999999999999"}, 28: {"0.124"}}
