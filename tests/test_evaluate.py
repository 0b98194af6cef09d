"""Evaluation: hit policies, effective dating at the boundary, missing facts, the result."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

import engine
from engine.language.errors import EvaluationError

FIXTURE = Path(__file__).parent / "fixtures" / "policies.yaml"
SALE = {"kind": "sale", "event_date": "2024-01-10", "amount": 1000, "resident": True, "vip": False}


@pytest.fixture(scope="module")
def book():
    return engine.load(FIXTURE)


def test_first_policy_takes_the_first_matching_rule(book):
    result = book.decide(SALE)
    decision = result.decisions["treatment"]
    assert (decision.value, decision.rule) == ("taxable", "sale")
    assert decision.citations == [{"id": "art_1", "citation": "НК РФ ст. 1 п. 1", "url": "https://example.org/nk/1", "text": "НК РФ ст. 1 п. 1"}]
    assert decision.explanation == "A resident's sale of 1000"


def test_dated_rules_switch_on_the_boundary_day(book):
    gift = {"kind": "gift", "amount": 0, "resident": False, "vip": False}
    old = book.decide({**gift, "event_date": "2018-12-31"})
    new = book.decide({**gift, "event_date": "2019-01-01"})
    assert (old.value("treatment"), old.decisions["treatment"].rule) == ("old_gift", "gift_old")
    assert (new.value("treatment"), new.decisions["treatment"].rule) == ("exempt_gift", "gift_new")
    outcomes = {e["rule"]: e["outcome"] for e in new.trace if e.get("decision") == "treatment"}
    assert outcomes["gift_old"] == "not_in_force"
    assert outcomes["gift_new"] == "true"


def test_dated_parameter_applies_on_the_as_of_date(book):
    # 1000 × 0.18 before 2019, × 0.20 from 2019-01-01
    assert book.decide({**SALE, "event_date": "2018-12-31"}).value("tax_due") == Decimal("180.00")
    assert book.decide({**SALE, "event_date": "2019-01-01"}).value("tax_due") == Decimal("200.00")
    entry = next(e for e in book.decide(SALE).trace if e.get("derived") == "tax")
    assert entry["parameters"]["rate"] == {"value": Decimal("0.20"), "on": "2024-01-10", "from": "2019-01-01", "citations": ["art_2"]}


def test_as_of_argument_overrides_the_date_fact(book):
    result = book.decide({**SALE, "event_date": "2024-01-10"}, as_of="2018-06-01")
    assert result.as_of == dt.date(2018, 6, 1) and result.as_of_source == "argument"
    assert result.value("tax_due") == Decimal("180.00")


def test_unique_with_a_default(book):
    refund = book.decide({**SALE, "kind": "refund"})
    assert refund.value("tax_due") == 0 and refund.decisions["tax_due"].rule is None
    assert any(e.get("decision") == "tax_due" and e["outcome"] == "default" for e in refund.trace)


def test_unique_overlap_is_an_evaluation_error(book):
    with pytest.raises(EvaluationError, match="unique"):
        book.decide({**SALE, "amount": 6000, "vip": True})


def test_collect_lists_every_match_in_rulebook_order(book):
    result = book.decide({**SALE, "vip": True})
    decision = result.decisions["flags"]
    assert decision.value == ["large", "vip", "resident"]
    assert decision.rules == ["flag_large", "flag_vip", "flag_resident"]
    assert [c["id"] for c in decision.citations] == ["art_1", "art_2"]


def test_missing_fact_makes_the_decision_undetermined_not_false(book):
    result = book.decide({"kind": "sale", "event_date": "2024-01-10", "amount": 10, "vip": False})
    assert result.status == "undetermined"
    assert result.decisions["treatment"].value is None
    assert result.missing_facts == ["resident"]


def test_a_missing_fact_that_cannot_matter_is_not_listed(book):
    # kind is refund: `kind == "sale" and resident` is false whatever resident is.
    result = book.decide({"kind": "refund", "event_date": "2024-01-10", "amount": 10, "vip": False})
    assert result.value("treatment") == "refund"
    assert "resident" not in result.decisions["treatment"].missing_facts


def test_bad_input_names_the_field(book):
    with pytest.raises(engine.BadInput, match="amount: must be at least 0"):
        book.decide({**SALE, "amount": -1})
    with pytest.raises(engine.BadInput, match="kind: expected one of sale, refund, gift; got \"sael\"; did you mean 'sale'"):
        book.decide({**SALE, "kind": "sael"})
    with pytest.raises(engine.BadInput, match="amout: not a fact of test.policies; did you mean 'amount'"):
        book.decide({**SALE, "amout": 1})
    with pytest.raises(engine.BadInput, match="event_date: expected a date"):
        book.decide({**SALE, "event_date": "10.01.2024"})


def test_constraints_across_facts(book):
    with pytest.raises(engine.BadInput, match="period_end, period_start: period_end must not be before period_start"):
        book.decide({**SALE, "period_start": "2024-02-01", "period_end": "2024-01-01"})
    book.decide({**SALE, "period_start": "2024-01-01"})  # not checkable: fine


def test_facts_accept_ints_strings_decimals_and_floats_exactly(book):
    for amount in (1000, "1000", Decimal("1000"), 1000.0):
        assert book.decide({**SALE, "amount": amount}).value("tax_due") == Decimal("200.00")
    result = book.decide({**SALE, "amount": 0.1})
    assert result.value("tax_due") == Decimal("0.02")  # 0.1 × 0.20 = 0.020 → 0.02


def test_json_has_exact_decimals_and_is_byte_identical(book):
    first = book.decide({**SALE, "amount": 0.1}).to_json()
    second = book.decide({**SALE, "amount": 0.1}).to_json()
    assert first == second
    assert '"value": 0.02' in first and "0.1000000000000000055" not in first
    data = json.loads(first)
    assert data["sha256"] == book.sha256 and len(data["sha256"]) == 64


def test_trace_records_the_facts_each_rule_read(book):
    trace = book.decide(SALE).trace
    entry = next(e for e in trace if e.get("rule") == "sale")
    assert entry["facts"] == {"kind": "sale", "resident": True}
    assert entry["outcome"] == "true" and entry["citations"] == ["art_1"]


def test_trace_off_gives_the_same_decisions(book):
    on = book.decide(SALE)
    off = book.decide(SALE, trace=False)
    assert off.trace == []
    assert {k: v.value for k, v in on.decisions.items()} == {k: v.value for k, v in off.decisions.items()}


def test_explanations_in_the_requested_language(book):
    assert book.decide(SALE, language="ru").decisions["treatment"].explanation == "Продажа резидента"
