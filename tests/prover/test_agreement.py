"""The translation agrees with the engine: on every embedded example of every rulebook,
with the facts and date pinned, the solver must not find the decision made otherwise
than the engine makes it (unless the formula is marked inexact, when nothing is claimed).
This guards the proofs: a wrong translation would prove wrong things."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("z3")

import z3  # noqa: E402

from engine.evaluate import decide  # noqa: E402
from engine.language.errors import EvaluationError  # noqa: E402
from engine.prover.book import base_constraints, shared_for  # noqa: E402
from engine.prover.solve import Session, free_reasons  # noqa: E402
from engine.prover.symbolic import Untranslatable  # noqa: E402
from engine.prover.translate import Translator  # noqa: E402
from engine.prover.view import BookView  # noqa: E402
from engine.rulebook.facts import BadInput, FactChecker  # noqa: E402
from engine.rulebook.loader import load_file  # noqa: E402
from engine.rulebook.registry import is_ledger_file, is_library_file, rulebook_files  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BOOKS = [p for p in rulebook_files([ROOT / "rulebooks", ROOT / "tests" / "prover" / "fixtures"]) if not is_ledger_file(p) and not is_library_file(p)]


@pytest.mark.slow
@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_translation_agrees_with_the_engine_on_every_example(path):
    book = load_file(path)
    checker = FactChecker(book)
    shared = shared_for(book)
    translator = Translator(shared, BookView(book))
    session = Session(shared, base_constraints(shared, translator))
    compared = 0
    exact = {}
    for name, decision in book.decisions.items():
        if decision.hit_policy != "collect":
            outcome = translator.decision(name)
            exact[name] = not free_reasons(shared, [*outcome.decided_by, outcome.value.missing])
    for example in book.examples:
        try:
            normalised = checker.normalise(example.facts)
            result = decide(book, checker, example.facts, as_of=example.as_of, trace=False)
        except (BadInput, EvaluationError):
            continue
        try:
            pinned = z3.And(*shared.space.pin(normalised, result.as_of))
        except Untranslatable:
            continue  # a list longer than the solver models (engine/prover/space.py LIST_ITEMS)
        for name, decision in book.decisions.items():
            if decision.hit_policy == "collect" or not exact[name]:
                continue  # an inexact formula claims nothing to compare
            outcome = translator.decision(name)
            got = result.decisions[name]
            if got.determined and got.rule is not None:
                index = [r.id for r in decision.rules].index(got.rule)
                goal = z3.Not(outcome.decided_by[index])
            elif got.determined:
                goal = z3.Or(*outcome.decided_by) if outcome.decided_by else z3.BoolVal(False)
            else:
                goal = z3.Not(outcome.value.missing)
            answer = session.ask(z3.And(pinned, goal), 10)
            if answer.status == "sat" and not answer.free:
                pytest.fail(f"{path.name}: example {example.name!r}: the solver disagrees with the engine on {name!r} "
                            f"(engine: rule {got.rule}, determined {got.determined})")
            compared += 1
    assert compared > 0 or not book.examples or not any(exact.values())
