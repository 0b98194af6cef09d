"""The interview: the missing fact most open decisions wait for is asked first.

ru.desk_audit with only the return type and the filing date: the engine says which facts
each open decision needs. Worked out from the rulebook's decisions: whether documents may
be demanded (and which, and on which grounds) waits for the VAT refund, the benefits, the
contradictions and the amended-return facts; the premises inspection only for the VAT
refund; the audit's end only for the extension.
"""

from __future__ import annotations

from pathlib import Path

import engine
from engine.web import interview


def _plan(facts: dict, skipped: list[str] | None = None) -> interview.Interview:
    book = engine.load("ru.desk_audit")
    result = book.decide(facts)
    return interview.plan(book, facts, result, skipped=skipped)


def test_the_fact_most_open_decisions_wait_for_comes_first() -> None:
    plan = _plan({"return_type": "vat", "filed_on": "2024-04-20"})
    assert not plan.done
    assert set(plan.open_decisions) == {
        "document_request_grounds",
        "may_demand_documents",
        "demandable_documents",
        "premises_inspection_allowed",
        "audit_period_months",
        "audit_end_date",
        "other_control_measures",
    }
    first = plan.next
    assert first is not None and first.fact == "vat_refund_claimed"
    assert set(first.needed_by) == {"document_request_grounds", "may_demand_documents", "demandable_documents", "premises_inspection_allowed", "other_control_measures"}
    # every fact still wanted is in the plan, once, and audit_extended (the audit period only) comes last
    facts = [q.fact for q in plan.questions]
    assert len(facts) == len(set(facts))
    assert facts[-1] == "audit_extended"
    counts = [len(q.needed_by) for q in plan.questions]
    assert counts == sorted(counts, reverse=True)


def test_answers_settle_the_case_and_the_interview_stops() -> None:
    book = engine.load("ru.desk_audit")
    example = next(e for e in book.model.examples if e.name.startswith("VAT refund return"))
    facts = {"return_type": example.facts["return_type"], "filed_on": example.facts["filed_on"]}
    asked = []
    for _ in range(len(example.facts)):
        result = book.decide(facts)
        plan = interview.plan(book, facts, result)
        if plan.done:
            break
        question = plan.next
        assert question is not None and question.fact not in asked
        asked.append(question.fact)
        facts[question.fact] = example.facts[question.fact]
    assert plan.done and result.status == "decided"
    for decision, expected in example.expect.items():
        assert engine.jsonout.plain(result.decisions[decision].value) == engine.jsonout.plain(expected), decision
    assert len(asked) < len(example.facts) - 2  # only what the decisions needed


def test_skipped_facts_are_not_asked_again_and_stuck_is_said() -> None:
    facts = {"return_type": "vat", "filed_on": "2024-04-20"}
    everything = [q.fact for q in _plan(facts).questions]
    plan = _plan(facts, skipped=["vat_refund_claimed"])
    assert plan.next is not None and plan.next.fact != "vat_refund_claimed"
    stuck = _plan(facts, skipped=everything)
    assert stuck.next is None and stuck.stuck and not stuck.done


def test_a_decided_case_has_no_questions() -> None:
    book = engine.load("ru.invoice_adjustment")
    facts = dict(engine.jsonout.loads(Path("examples/ru/price_discount.json").read_text(encoding="utf-8")))
    plan = interview.plan(book, facts, book.decide(facts))
    assert plan.done and plan.next is None and not plan.stuck
