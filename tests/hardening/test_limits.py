"""Bounds on numbers, text and structure where input is read (engine/limits.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import engine
from engine import jsonout, limits
from engine.language.values import format_decimal
from engine.rulebook.errors import RulebookError
from engine.rulebook.facts import BadInput
from engine.rulebook.loader import load_text
from engine.rulebook.yamlsource import YamlError
from engine.rulebook.yamlsource import load as load_yaml

ROOT = Path(__file__).resolve().parents[2]
PRICE = json.loads((ROOT / "examples/ru/price_discount.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book():
    return engine.load("ru.invoice_adjustment")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1e99999999", "out of range"),
        (Decimal("1e999999999"), "out of range"),
        ("9" * 100_000, "out of range"),
        ("1e30", "out of range"),
        ("0E-1000000", "a zero written with more than 30 decimal places"),
        ("1E-31", "smallest magnitude"),
        ("0." + "1" * 40, "more than 34 significant digits"),
        ("NaN", "expected a number"),
    ],
)
def test_numbers_past_the_bounds_are_bad_input_naming_the_field(book, value, problem) -> None:
    with pytest.raises(BadInput) as caught:
        book.decide(dict(PRICE, value_before=value))
    message = str(caught.value)
    assert message.startswith("value_before: ")
    assert problem in message
    assert len(message) < 400  # the value is quoted shortened, never in full
    assert caught.value.field == "value_before"


@pytest.mark.parametrize("value", ["999999999999999999999999999999.99", "0.000000000000000000000000000001", "-0.00", "1E+5"])
def test_numbers_within_the_bounds_are_read(book, value) -> None:
    assert limits.number_problem(Decimal(value)) is None


def test_every_real_amount_fits() -> None:
    # the largest annual budget in roubles (~4e13) and yuan, with 2 decimals, and a rate
    for text in ["40000000000000.00", "123456789012345678.90", "0.2", "0.0000001"]:
        assert limits.number_problem(Decimal(text)) is None


def test_output_never_expands_an_exponent() -> None:
    assert format_decimal(Decimal("1E+99999999")) == "1E+99999999"
    assert format_decimal(Decimal("1E+3")) == "1000"
    assert format_decimal(Decimal("0E-1000000")) == "0"
    assert format_decimal(Decimal("-1.5E-70")) == "-1.5E-70"
    assert jsonout.dumps([Decimal("1E+99999999")], indent=None) == "[1E+99999999]"  # a valid JSON number


def test_text_and_list_facts_are_bounded() -> None:
    yaml_book = (ROOT / "tests/fixtures/hostile/budget.yaml")
    b = engine.load(str(yaml_book))
    with pytest.raises(BadInput, match=r"^text: text of 100,001 characters; the limit is 100,000"):
        b.decide({"attack": "none", "text": "x" * 100_001})


def test_a_huge_unknown_fact_name_is_cut_and_not_compared() -> None:
    b = engine.load("ru.invoice_adjustment")
    with pytest.raises(BadInput) as caught:
        b.decide({"x" * 10_000_000: 1})
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"event": "sale", "event": "return"}', 'the key "event" appears twice in one object'),
        ('{"a": {"b": 1, "b": 2}}', 'the key "b" appears twice'),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ("[" * 65 + "]" * 65, "nested deeper than 64 levels"),
    ],
)
def test_json_refuses_duplicate_keys_and_deep_nesting(text, message) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        jsonout.loads(text)
    assert message in caught.value.msg


def test_json_within_the_depth_and_with_brackets_in_text_is_read() -> None:
    assert jsonout.loads('{"a": "' + "[" * 72 + '"}') == {"a": "[" * 72}
    assert jsonout.loads("[" * 64 + "]" * 64) is not None


BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]" for prev, name in zip("abcdefgh", "bcdefghi", strict=True)]
)


def test_a_yaml_alias_bomb_stops_at_the_alias_bound() -> None:
    with pytest.raises(YamlError, match="more than 100 uses of YAML aliases"):
        load_yaml(BOMB)


def test_a_few_aliases_are_fine() -> None:
    data, _ = load_yaml("a: &x [1, 2]\nb: *x\nc: *x\n")
    assert data == {"a": [Decimal(1), Decimal(2)], "b": [Decimal(1), Decimal(2)], "c": [Decimal(1), Decimal(2)]}


def test_a_rulebook_number_past_the_bounds_is_a_positioned_problem() -> None:
    text = (ROOT / "tests/fixtures/policies.yaml").read_text(encoding="utf-8").replace("value: 0.20}", "value: 1.0e+999999999}")
    with pytest.raises(RulebookError) as caught:
        load_text(text.encode(), "policies.yaml")
    [problem] = caught.value.problems
    assert "the number 1.0e+999999999 is out of range" in problem.message
    assert (problem.line, problem.column) == (text.splitlines().index(next(line for line in text.splitlines() if "1.0e+999999999" in line)) + 1, problem.column)
