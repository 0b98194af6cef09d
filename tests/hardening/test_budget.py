"""The evaluation budget, values driven out of range, and deep derived chains."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import engine
from engine import limits
from engine.language.errors import EvaluationError
from engine.rulebook.facts import BadInput
from engine.rulebook.loader import load_text

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests/fixtures/hostile/budget.yaml"
PRICE = json.loads((ROOT / "examples/ru/price_discount.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile():
    return engine.load(str(HOSTILE))


def _refused(book, facts) -> str:
    started = time.perf_counter()
    with pytest.raises(BadInput) as caught:
        book.decide(facts)
    assert time.perf_counter() - started < 10
    return str(caught.value)


def test_nested_loops_spend_the_budget_and_name_the_rule(hostile) -> None:
    message = _refused(hostile, {"attack": "nested_for", "n": 100_000})
    assert message.startswith("attack, n: these facts lead to more work than a decision may do in rule nested_for of decision outcome (")
    assert "budget.yaml:" in message
    assert "the evaluation budget of 1,000,000 steps is spent (expression line 1, column" in message


def test_small_loops_are_within_the_budget(hostile) -> None:
    # sum over y of 0..9, ten times: 10 * 45
    assert hostile.decide({"attack": "nested_for", "n": 10}).value("outcome") == "450"


def test_string_doubling_stops_at_the_text_limit(hostile) -> None:
    message = _refused(hostile, {"attack": "doubling", "text": "ab"})
    assert message.startswith("text: these facts lead to more work than a decision may do in derived value s")
    assert "exceeds the limit of 1,000,000" in message


@pytest.mark.parametrize(("attack", "n", "expected"), [("split", "1e9", "split_evenly()"), ("range_huge", "1e9", "range()")])
def test_list_builders_respect_the_list_limit(hostile, attack, n, expected) -> None:
    message = _refused(hostile, {"attack": attack, "n": n})
    assert f"{expected}: {expected} of 1,000,000,000 items exceeds the list limit of 100,000" in message


def test_filters_inside_loops_are_counted(hostile) -> None:
    message = _refused(hostile, {"attack": "filter_nested"})
    assert "the evaluation budget of 1,000,000 steps is spent" in message


def test_the_budget_can_be_raised_for_a_trusted_rulebook(hostile) -> None:
    before = limits.set_budget(steps=3_000_000)
    try:
        # 1000 outer items, each filtering 1000: about 1e6 steps, within 3e6
        assert hostile.decide({"attack": "filter_nested"}).value("outcome") == "1000"
    finally:
        limits.set_budget(steps=before.steps)


def test_a_date_driven_past_the_calendar_is_bad_input(hostile) -> None:
    message = _refused(hostile, {"attack": "date_far", "day": "9999-12-30", "n": 5})
    assert message.startswith("attack, day, n: these facts lead to a value out of range in rule date_far")
    assert "9999-12-30 + 5 days is outside the supported date range" in message


def test_huge_counts_are_refused_before_int_conversion(hostile) -> None:
    message = _refused(hostile, {"attack": "round_places", "n": "1e25"})
    assert "places 10000000000000000000000000 is too large (the limit is 10^15)" in message


def test_the_contract_example_date_near_the_end_of_the_calendar() -> None:
    book = engine.load("ru.invoice_adjustment")
    message = _refused(book, dict(PRICE, agreement_date="9999-12-30"))
    assert message.startswith("agreement_date")
    assert "rulebook error" not in message


def test_arithmetic_overflow_is_bad_input() -> None:
    # each derived value squares the one before: 10^29 squared 16 times is past 10^999999
    text = (ROOT / "tests/fixtures/policies.yaml").read_text(encoding="utf-8")
    chain = "derived:\n  q0: amount\n" + "".join(f"  q{i}: q{i - 1} * q{i - 1}\n" for i in range(1, 18))
    text = text.replace("derived:\n", chain + "  big: q17 > 0\n", 1)
    text = text.replace('when: treatment == "taxable"', 'when: treatment == "taxable" and big')
    book = engine.api.Book(load_text(text.encode(), "squares.yaml"))
    with pytest.raises(BadInput) as caught:
        book.decide({"kind": "sale", "resident": True, "event_date": "2024-01-01", "amount": "1e29", "vip": False})
    assert str(caught.value).startswith("amount: these facts lead to a value out of range in derived value q")
    assert "too large to be a number" in str(caught.value)


def _chain(n: int) -> bytes:
    text = (ROOT / "tests/fixtures/policies.yaml").read_text(encoding="utf-8")
    derived = "derived:\n  d0: amount\n" + "".join(f"  d{i}: d{i - 1} + 1\n" for i in range(1, n)) + f"  tax: round(d{n - 1} * rate, 2)\n"
    return text.replace("derived:\n  tax: round(amount * rate, 2)\n", derived).encode()


@pytest.mark.parametrize("n", [330, 3000])
def test_long_derived_chains_decide_without_recursion(n) -> None:
    book = engine.api.Book(load_text(_chain(n), f"chain{n}.yaml"))
    result = book.decide({"kind": "sale", "resident": True, "event_date": "2024-01-01", "amount": 5, "vip": False})
    # amount 5 + (n - 1) ones, at the 2019 rate of 20 %
    expected = ((5 + n - 1) * 20) / 100
    assert str(result.value("tax_due")) == f"{expected:.2f}"


def test_a_chain_with_a_failing_link_fails_in_place() -> None:
    text = _chain(100).decode().replace("  d50: d49 + 1\n", "  d50: d49 / (amount - amount)\n")
    book = engine.api.Book(load_text(text.encode(), "broken.yaml"))
    with pytest.raises(EvaluationError, match="division by zero"):
        book.decide({"kind": "sale", "resident": True, "event_date": "2024-01-01", "amount": 5, "vip": False})


def test_decide_many_returns_every_per_case_failure() -> None:
    book = engine.load("ru.invoice_adjustment")
    cases = [PRICE, dict(PRICE, agreement_date="9999-12-30"), {"nonsense": 1}, PRICE]
    out = list(book.decide_many(cases, errors="return", trace=False))
    assert [type(x).__name__ for x in out] == ["Result", "BadInput", "BadInput", "Result"]
