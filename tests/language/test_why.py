"""The trace's `because`: the smallest part of a rule's condition that decided it was
false or unknown, with the values it read (worked out by hand for each condition)."""

import pytest

from engine.api import Book
from engine.rulebook.loader import load_text

RULES = {
    "compare": "value_before > value_after",
    "and_first_false": "p and value_before > value_after",
    "and_second_false": "q and value_before > value_after",
    "or_all_false": "p or value_before > value_after",
    "not_true": "not q",
    "not_of_and": "not (q and kind == \"sale\")",
    "in_list": "kind in [\"refund\", \"gift\"]",
    "call": "exists(note)",
    "unknown_compare": "value_after > missing_amount",
    "and_unknown": "q and missing_flag",
    "and_false_beats_unknown": "missing_flag and p",
    "or_unknown": "p or missing_flag",
    "derived_leaf": "difference > 0",
}


def _book() -> Book:
    rules = "\n".join(
        f"      - {{id: {rule_id}, when: '{condition}', value: {rule_id}, citations: [s], explanation: {{en: x}}}}"
        for rule_id, condition in RULES.items()
    )
    text = f"""
id: test.why
jurisdiction: ru
title: {{en: why}}
version: "1"
languages: [en]
sources: {{s: {{citation: Art. 1, quote: The words.}}}}
facts:
  value_before: {{type: decimal}}
  value_after: {{type: decimal}}
  missing_amount: {{type: decimal, optional: true}}
  missing_flag: {{type: boolean, optional: true}}
  p: {{type: boolean}}
  q: {{type: boolean}}
  kind: {{type: enum, values: [sale, refund, gift]}}
  note: {{type: string, optional: true}}
derived:
  difference: value_after - value_before
decisions:
  matched:
    type: string
    hit_policy: collect
    rules:
{rules}
"""
    return Book(load_text(text.encode(), "why.yaml"))


FACTS = {"value_before": "240000.00", "value_after": "250000.00", "p": False, "q": True, "kind": "sale"}


@pytest.fixture(scope="module")
def trace():
    result = _book().decide(dict(FACTS, value_before="250000.00", value_after="240000.00"))
    return {entry["rule"]: entry for entry in result.trace if entry.get("rule")}


def test_a_comparison_shows_both_values(trace):
    assert trace["compare"]["condition"] == "value_before > value_after"
    assert trace["compare"]["outcome"] == "true"
    assert "because" not in trace["compare"]  # it held: no "because"


@pytest.fixture(scope="module")
def low():
    result = _book().decide(FACTS)  # value_before 240000.00 < value_after 250000.00
    return {entry["rule"]: entry for entry in result.trace if entry.get("rule")}


def test_comparison_false(low):
    assert low["compare"]["because"] == "value_before (240000.00) > value_after (250000.00) is false"
    assert low["compare"]["because_parts"] == [
        {"expression": "value_before > value_after", "outcome": "false", "values": {"value_before": 240000.00, "value_after": 250000.00}}
    ]


def test_and_is_decided_by_its_first_false_operand(low):
    assert low["and_first_false"]["because"] == "p is false"
    assert low["and_second_false"]["because"] == "value_before (240000.00) > value_after (250000.00) is false"


def test_or_is_false_because_of_every_operand(low):
    assert low["or_all_false"]["because"] == "p is false; value_before (240000.00) > value_after (250000.00) is false"


def test_not_is_false_because_its_operand_is_true(low):
    assert low["not_true"]["because"] == "q is true"
    assert low["not_of_and"]["because"] == 'q is true; kind (sale) == "sale" is true'


def test_membership_and_calls(low):
    assert low["in_list"]["because"] == 'kind (sale) in ["refund", "gift"] is false'
    assert low["call"]["because"] == "exists(note) [note = —] is false"


def test_unknown_comparison_names_the_missing_value(low):
    entry = low["unknown_compare"]
    assert entry["outcome"] == "unknown" and entry["missing"] == ["missing_amount"]
    assert entry["because"] == "value_after (250000.00) > missing_amount (—) is unknown"
    assert entry["because_parts"][0]["values"] == {"value_after": 250000.00, "missing_amount": None}


def test_and_with_an_unknown_operand(low):
    assert low["and_unknown"]["outcome"] == "unknown"
    assert low["and_unknown"]["because"] == "missing_flag (—) is unknown"


def test_a_false_operand_settles_and_despite_an_unknown_one(low):
    assert low["and_false_beats_unknown"]["outcome"] == "false"
    assert low["and_false_beats_unknown"]["because"] == "p is false"


def test_or_with_a_false_and_an_unknown_operand_is_unknown_because_of_the_unknown(low):
    assert low["or_unknown"]["outcome"] == "unknown"
    assert low["or_unknown"]["because"] == "missing_flag (—) is unknown"


def test_a_derived_value_is_shown_with_its_value(low):
    assert low["derived_leaf"]["outcome"] == "true"
    high = _book().decide(dict(FACTS, value_before="250000.00", value_after="240000.00"))
    entry = next(e for e in high.trace if e.get("rule") == "derived_leaf")
    assert entry["because"] == "difference (-10000.00) > 0 is false"


def test_because_in_the_results_language():
    book = _book()
    text = book.decide(FACTS, language="en").trace[0].get("because")
    assert text.endswith("is false")


def test_no_trace_no_because():
    result = _book().decide(FACTS, trace=False)
    assert result.trace == []
