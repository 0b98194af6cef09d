"""Proving one loaded rulebook: every decision, and what the examples already show.

The fact space, the constraints and the shared stand-in values are built once per
rulebook; each decision is then proved in turn with its own time bound. A rule an
embedded example makes decide is shown by the engine itself to apply and to be reached:
the solver is not asked whether it is dead or shadowed (that time goes to the other
checks). As a guard against a wrong translation, a rule the prover calls dead or shadowed
must never be one an example makes decide: if it were, the claim would be withdrawn and
reported as a prover error (a bug here, not in the rulebook).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.prover.checks import DecisionProof, DecisionProver, Unproved
from engine.prover.nodetypes import NodeTypes
from engine.prover.solve import Session
from engine.prover.space import FactSpace
from engine.prover.translate import Shared, Translator
from engine.prover.view import BookView
from engine.rulebook import model as m
from engine.rulebook.facts import FactChecker

DEFAULT_BOUND = 20.0  # seconds per decision


@dataclass
class BookProof:
    id: str
    file: str
    decisions: list[DecisionProof] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def findings(self) -> list:
        return [f for d in self.decisions for f in d.findings]

    @property
    def unproved(self) -> list[Unproved]:
        return [u for d in self.decisions for u in d.unproved]


def shared_for(book: m.Rulebook) -> Shared:
    return Shared(FactSpace(book), NodeTypes(book))


def base_constraints(shared: Shared, translator: Translator) -> list:
    book = translator.book
    return [*shared.space.domain(book.valid_from, book.valid_to), *translator.constraints()]


def exercised_rules(book: m.Rulebook, checker: FactChecker) -> set[tuple[str, str]]:
    """(decision, rule) pairs some embedded example makes decide."""
    from engine.evaluate import decide
    from engine.language.errors import EvaluationError
    from engine.rulebook.facts import BadInput

    seen: set[tuple[str, str]] = set()
    for example in book.examples:
        try:
            result = decide(book, checker, example.facts, as_of=example.as_of, trace=False)
        except (BadInput, EvaluationError):
            continue
        for name, decision in result.decisions.items():
            for rule_id in decision.rules or ([decision.rule] if decision.rule else []):
                seen.add((name, rule_id))
    return seen


def prove_book(book: m.Rulebook, bound: float = DEFAULT_BOUND, decisions: list[str] | None = None) -> BookProof:
    started = time.monotonic()
    checker = FactChecker(book)
    shared = shared_for(book)
    translator = Translator(shared, BookView(book))
    session = Session(shared, base_constraints(shared, translator))
    proof = BookProof(book.id, book.file)
    exercised = exercised_rules(book, checker) if book.examples else set()
    prover = DecisionProver(book, checker, session, translator, bound, exercised)
    for name in decisions or list(book.decisions):
        result = prover.prove(name)
        for finding in list(result.findings):
            if finding.kind in ("dead", "shadowed") and (name, finding.rules[0]) in exercised:
                result.findings.remove(finding)
                result.unproved.append(Unproved(
                    f"rule {finding.rules[0]}", name,
                    f"prover error: it called the rule {finding.kind}, yet an example makes it decide (please report)",
                    finding.line, finding.column,
                ))
        proof.decisions.append(result)
    proof.seconds = time.monotonic() - started
    return proof
