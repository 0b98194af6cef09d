"""The batch executor's fast evaluation of simple conditions must mean exactly what the
compiled expression means; the trace's text must parse back to the same condition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.language import types as t
from engine.language.checker import Checker, Symbol
from engine.language.compiler import compile_expression
from engine.language.errors import EvaluationError
from engine.language.parser import parse
from engine.language.unparse import conjuncts, unparse
from engine.ledger import model as lm
from engine.ledger.fastpath import all_true, on_combination, pair_predicate
from engine.ledger.planner import Ctx
from engine.ledger.records import Rec

RECORD = t.record({"n": t.DECIMAL, "s": t.STRING, "d": t.DATE, "f": t.BOOLEAN})
SCOPE = {"a": RECORD, "b": RECORD}

CONDITIONS = [
    "a.n == b.n", "a.n != b.n", "a.n < b.n", "a.n >= 1", "a.s == b.s", "a.s < b.s", "a.d > b.d", "a.f == b.f",
    "a.f != true", "a.n == b.n or a.s != b.s", "not (a.d <= b.d) and a.f", "a.n == 1 or a.n == 2 or not b.f",
    "a.f or b.f", "not a.f", "a.s == \"x\" and (b.n > a.n or b.d == a.d)",
    # compared as tuples at once (same two records, no booleans), in either orientation
    "a.n != b.n or a.s != b.s", "b.n == a.n and a.d == b.d and a.s == b.s", "a.n != b.n or b.d != a.d",
    "a.n != b.n or a.f != b.f", "a.n == b.n and a.n == b.n",
]

value = {
    "n": st.one_of(st.none(), st.sampled_from([Decimal("1"), Decimal("1.00"), Decimal("2"), Decimal("-1")])),
    "s": st.one_of(st.none(), st.sampled_from(["", "x", "y"])),
    "d": st.one_of(st.none(), st.sampled_from([dt.date(2024, 1, 1), dt.date(2024, 1, 2)])),
    "f": st.one_of(st.none(), st.booleans()),
}
records = st.fixed_dictionaries(value).map(lambda r: {k: v for k, v in r.items() if v is not None})


def _conjunct(text: str) -> lm.Conjunct:
    lookup = {name: Symbol("fact", name, record_type) for name, record_type in SCOPE.items()}
    node = parse(text)
    analysis = Checker(lookup.get, lambda: list(lookup)).check(node)
    return lm.Conjunct(0, text, node, analysis, compile_expression(node, analysis), frozenset(SCOPE), (), (), "match")


COMPILED = [_conjunct(text) for text in CONDITIONS]


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except EvaluationError:
        return "error"


@settings(max_examples=400)
@given(a=records, b=records)
def test_fast_conditions_mean_what_the_compiled_ones_mean(a: dict[str, Any], b: dict[str, Any]) -> None:
    combination = (Rec(1, "r", a), Rec(2, "r", b))
    for conjunct in COMPILED:
        fast = on_combination(conjunct, ["a", "b"], Ctx())
        slow = on_combination(conjunct, ["a", "b"], Ctx(), fast=False)
        assert fast is not slow
        assert repr(_outcome(fast, combination)) == repr(_outcome(slow, combination)), conjunct.text
        # the two-argument predicate of the index join: true exactly when the condition is
        every = all_true([conjunct], ["a", "b"], Ctx())
        pair = pair_predicate([conjunct], ["a", "b"], Ctx())
        assert every is not None and pair is not None
        assert _outcome(pair, *combination) == _outcome(every, combination), conjunct.text


def test_unparse_round_trips() -> None:
    texts = [
        'a.x == b.x and (c.y > 1 or not d) and -x.y * (2 - -3) < 5', "if a then b else c", "xs[x > 1].y",
        'f(a, "q\\"") in [1, 2]', "(a - b) - (c - d)", "a - (b - c)", "not (a and b)", "-(a + b)", "{k: 1, v: [a]}",
        "for x in xs return x * 2", "a / (b * c)", "a not in [1]",
    ]
    for text in texts:
        written = unparse(parse(text))
        assert unparse(parse(written)) == written
    assert [unparse(c) for c in conjuncts(parse("a and (b or c) and d and e"))] == ["a", "b or c", "d", "e"]
