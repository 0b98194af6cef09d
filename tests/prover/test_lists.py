"""Lists of facts as bounded symbolic lists (engine/prover/space.py): the solver reads up to
LIST_ITEMS items whose fields are variables, so defects that only list semantics show are
found (each counterexample confirmed by the engine through the CLI), proofs over lists say
they hold for lists up to the bound, and what needs a longer list is "not proved", never a
dead rule. Expectations are worked out from fixtures/lists.yaml by hand (see its comments)."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest.importorskip("z3")

from engine.mutation.apply import applied  # noqa: E402
from engine.mutation.operators import mutants  # noqa: E402
from engine.mutation.run import Verdict, _outcome_ok  # noqa: E402
from engine.mutation.separate import Separator  # noqa: E402
from engine.rulebook import model as m  # noqa: E402
from engine.rulebook.facts import FactChecker  # noqa: E402
from engine.rulebook.loader import load_file  # noqa: E402
from tests.prover.test_prover import FIXTURES, decide, findings, taxrules  # noqa: E402

LISTS = FIXTURES / "lists.yaml"


@pytest.fixture(scope="module")
def output() -> str:
    run = taxrules("check", "--prove", str(LISTS))
    assert run.returncode == 1, run.stdout + run.stderr  # two planted defects
    return run.stdout


def test_a_gap_at_exactly_two_items_is_found_and_confirmed(output):
    gaps = [f for f in findings(output) if "no rule applies" in f["message"]]
    assert len(gaps) == 1 and "'size'" in gaps[0]["message"]
    case = gaps[0]["case"]
    assert len(case["facts"]["invoices"]) == 2  # 0, 1 and more than 2 are covered; 2 is not
    run = decide(LISTS, case)
    assert "no rule" in (run.stdout + run.stderr).lower()


def test_an_overlap_through_filters_is_found_and_confirmed(output):
    overlaps = [f for f in findings(output) if "both hold" in f["message"]]
    assert len(overlaps) == 1 and "'some_vat'" in overlaps[0]["message"] and "'small_only'" in overlaps[0]["message"]
    invoices = overlaps[0]["case"]["facts"]["invoices"]
    vats = [Decimal(str(invoice.get("vat", 0))) for invoice in invoices]
    assert any(v > 0 for v in vats) and all(v <= 100 for v in vats)  # some VAT, none above 100
    run = decide(LISTS, overlaps[0]["case"])
    assert run.returncode != 0 and "some_vat" in run.stdout + run.stderr and "small_only" in run.stdout + run.stderr


def test_a_clean_decision_is_proved_for_lists_up_to_the_bound(output):
    assert ("ok   band (unique): no two rules hold together (for lists of facts of up to 3 items: invoices); "
            "every case is covered (for lists of facts of up to 3 items: invoices)") in output


def test_a_rule_that_needs_a_longer_list_is_not_called_dead(output):
    assert "not proved (huge: rule over_five can apply): no case applies it (for lists of facts of up to 3 items: invoices); " \
           "longer lists are not modelled" in output
    assert "0 dead" in output


def test_a_survivor_over_a_list_gets_a_separating_example_the_engine_confirms():
    book = load_file(LISTS)
    checker = FactChecker(book)
    (mutant,) = [mu for mu in mutants(book) if mu.site.kind == "when" and mu.site.decision == "band" and mu.site.index == 0
                 and mu.operator == "> → >="]
    verdict = Verdict(mutant)
    Separator(book, checker, 5).judge(verdict)
    assert not verdict.equivalent and verdict.separating is not None, verdict.note
    suggested = verdict.separating
    # the two differ only where the highest VAT on goods not exempt is exactly 1 000
    goods = [Decimal(str(i["vat"])) for i in suggested["facts"]["invoices"] if i.get("kind") == "goods" and not i.get("exempt")]
    assert max(goods) == 1000
    assert suggested["expect"]["band"] == "low"
    example = m.Example("suggested", suggested["facts"], suggested["as_of"], suggested["expect"], None, [], False, ("examples", 0))
    assert _outcome_ok(book, checker, example)
    with applied(book, mutant):
        assert not _outcome_ok(book, checker, example)
