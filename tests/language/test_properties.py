"""Property: the language's arithmetic and comparisons agree with Python's Decimal."""

import decimal
from decimal import Decimal

from helpers import compile_text
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluate import DECIMAL_CONTEXT

NUMBERS = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), allow_nan=False, allow_infinity=False, places=2)


@st.composite
def expressions(draw, depth=0):
    """A random arithmetic expression as text, with its value computed by Decimal directly."""
    if depth > 3 or draw(st.booleans()):
        value = draw(NUMBERS)
        text = str(value)
        return (f"({text})" if value < 0 else text), value
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    left_text, left = draw(expressions(depth=depth + 1))
    right_text, right = draw(expressions(depth=depth + 1))
    if op == "/" and right == 0:
        op = "+"
    with decimal.localcontext(DECIMAL_CONTEXT):
        value = {"+": left + right, "-": left - right, "*": left * right, "/": left / right if op == "/" else None}[op]
    return f"({left_text} {op} {right_text})", value


def evaluate(text):
    fn, _ = compile_text(text)

    class Ctx:
        facts: dict = {}
        missing: list = []
        reads = None

    with decimal.localcontext(DECIMAL_CONTEXT):
        return fn(Ctx(), None)


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_arithmetic_agrees_with_decimal(case):
    text, expected = case
    assert evaluate(text) == expected


@settings(max_examples=200, deadline=None)
@given(NUMBERS, NUMBERS, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_comparisons_agree_with_decimal(a, b, op):
    expected = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]
    assert evaluate(f"({a}) {op} ({b})") is expected


@settings(max_examples=200, deadline=None)
@given(NUMBERS, st.integers(min_value=0, max_value=4))
def test_round_agrees_with_quantize_half_up(x, places):
    expected = x.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    assert evaluate(f"round({x}, {places})") == expected
