"""The compiler's fast paths give exactly what the general paths give.

`x == "text"`, `x in ["a", "b"]`, `not fact`, `a and b` and two-argument functions are
compiled to specialised closures (engine/language/compiler.py). Each is checked here
against the general form of the same expression — the literal moved into a fact, so the
general closure runs — on values of every kind, including missing and null: same value,
same missing facts, same reads.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

import pytest
from helpers import FakeContext, compile_text

from engine.evaluate import DECIMAL_CONTEXT
from engine.language import types as t
from engine.language.errors import EvaluationError
from engine.language.values import MISSING

SCOPE = {"x": t.ANY, "y": t.ANY, "z": t.ANY, "ys": t.ANY}
VALUES: list[Any] = [
    MISSING,
    None,
    True,
    False,
    Decimal(0),
    Decimal(1),
    Decimal("1.0"),
    Decimal("400"),
    "a",
    "b",
    "",
    "1",
    dt.date(2024, 5, 2),
    [],
    ["a"],
    {"a": "a"},
]


def evaluate(text: str, facts: dict[str, Any], trace: bool = False) -> tuple[Any, list[str], dict[str, Any] | None]:
    fn, _ = compile_text(text, SCOPE)
    ctx = FakeContext({k: v for k, v in facts.items() if v is not MISSING})
    ctx.reads = {} if trace else None
    with decimal.localcontext(DECIMAL_CONTEXT):
        try:
            value: Any = fn(ctx, None)
        except EvaluationError as exc:
            value = ("error", str(exc).split(" (expression")[0])
    reads = None if ctx.reads is None else {k: v for k, v in ctx.reads.items() if k != "y" and k != "ys"}
    return value, ctx.missing, reads


def same(fast: tuple[Any, list[str], Any], general: tuple[Any, list[str], Any]) -> None:
    assert fast[0] is general[0] if isinstance(general[0], bool) or general[0] is MISSING else fast[0] == general[0]
    assert [m for m in fast[1] if m not in ("y", "ys")] == [m for m in general[1] if m not in ("y", "ys")]
    assert fast[2] == general[2]


@pytest.mark.parametrize("op", ["==", "!="])
@pytest.mark.parametrize("constant", ['"a"', '""', "null", "1", "400", "0"])
@pytest.mark.parametrize("x", VALUES, ids=repr)
@pytest.mark.parametrize("trace", [False, True])
def test_equality_with_a_literal(op: str, constant: str, x: Any, trace: bool) -> None:
    literal_value = evaluate(constant, {})[0]
    general = evaluate(f"x {op} y", {"x": x, "y": literal_value}, trace)
    same(evaluate(f"x {op} {constant}", {"x": x}, trace), general)
    same(evaluate(f"{constant} {op} x", {"x": x}, trace), general)
    # not a bare fact: the non-inline variant
    same(evaluate(f"coalesce(x, z) {op} {constant}", {"x": x}, trace), evaluate(f"coalesce(x, z) {op} y", {"x": x, "y": literal_value}, trace))


@pytest.mark.parametrize("op", ["in", "not in"])
@pytest.mark.parametrize("x", VALUES, ids=repr)
@pytest.mark.parametrize("trace", [False, True])
def test_membership_in_a_list_of_text(op: str, x: Any, trace: bool) -> None:
    general = evaluate(f"x {op} ys", {"x": x, "ys": ["a", "b", "1"]}, trace)
    same(evaluate(f'x {op} ["a", "b", "1"]', {"x": x}, trace), general)
    same(
        evaluate(f'coalesce(x, z) {op} ["a", "b", "1"]', {"x": x}, trace),
        evaluate(f"coalesce(x, z) {op} ys", {"x": x, "ys": ["a", "b", "1"]}, trace),
    )


@pytest.mark.parametrize("x", VALUES, ids=repr)
@pytest.mark.parametrize("trace", [False, True])
def test_not_of_a_fact(x: Any, trace: bool) -> None:
    value, missing, reads = evaluate("not x", {"x": x}, trace)
    expected = {True: False, False: True}.get(x, MISSING) if isinstance(x, bool) else MISSING
    assert value is expected
    assert missing == (["x"] if x is MISSING else [])
    assert reads == ({"x": x} if trace else None)


@pytest.mark.parametrize("x", VALUES, ids=repr)
@pytest.mark.parametrize("y", [MISSING, None, Decimal(2), Decimal("2.5"), "a"], ids=repr)
def test_two_argument_functions_check_arguments_in_order(x: Any, y: Any) -> None:
    # round(x, y) takes the two-argument path; round(x, y, "half_up") the general one
    fast = evaluate("round(x, y)", {"x": x, "y": y})
    general = evaluate('round(x, y, "half_up")', {"x": x, "y": y})
    same(fast, general)
