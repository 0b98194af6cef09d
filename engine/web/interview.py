"""Undetermined is a question: which missing fact to ask next, most decisive first.

The engine's three-valued evaluation already says, for each decision it could not make,
which absent facts it was waiting for (`DecisionResult.missing_facts`). The interview
asks for one of them at a time and decides again after each answer, until every decision
is made or the person has said "I don't know" to every fact still wanted.

Which fact first:
  1. the one the most open decisions are waiting for;
  2. among those, for a fact with a closed set of answers (a boolean or an enum), the one
     whose answers settle the most open decisions on average — found by deciding the case
     once per possible answer (a few milliseconds: a decision is cheap, and a case has
     at most a few dozen missing facts);
  3. then the rulebook's own order of facts, so the interview reads like the rulebook.
A "first" hit policy stops at its first unknown rule, so answering may reveal facts that
were not missing before; hence one question at a time and a fresh decision after each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from engine.api import Book
from engine.language.errors import EvaluationError
from engine.result import Result
from engine.rulebook.facts import BadInput

_MAX_SIMULATED = 40  # candidate facts tried answer by answer; beyond this only the counts rank


@dataclass(frozen=True)
class Question:
    fact: str
    needed_by: tuple[str, ...]  # the open decisions waiting for this fact
    settles: Fraction | None  # mean number of open decisions one answer settles (closed answers only)


@dataclass
class Interview:
    open_decisions: list[str]
    questions: list[Question]  # every fact still wanted, most decisive first
    skipped: list[str] = field(default_factory=list)  # facts the person said they do not know

    @property
    def done(self) -> bool:
        """Every decision is made."""
        return not self.open_decisions

    @property
    def next(self) -> Question | None:
        """The question to ask now: the most decisive one not skipped."""
        return next((q for q in self.questions if q.fact not in self.skipped), None)

    @property
    def stuck(self) -> bool:
        """Decisions are open but every fact they wait for was answered "I don't know"."""
        return not self.done and self.next is None


def _answers(spec: Mapping[str, Any]) -> list[Any] | None:
    kind = spec.get("type")
    if kind == "boolean":
        return [True, False]
    if kind == "enum":
        return list(spec.get("values") or [])
    return None


def _settled(book: Book, facts: Mapping[str, Any], fact: str, answers: list[Any], open_decisions: list[str], as_of: Any) -> Fraction | None:
    total, tried = 0, 0
    for answer in answers:
        try:
            result = book.decide({**facts, fact: answer}, as_of=as_of, trace=False)
        except (BadInput, EvaluationError):
            continue  # an answer the rulebook's constraints refuse: not a real possibility
        tried += 1
        total += sum(1 for name in open_decisions if result.decisions[name].determined)
    return Fraction(total, tried) if tried else None


def plan(book: Book, facts: Mapping[str, Any], result: Result, as_of: Any = None, skipped: list[str] | None = None) -> Interview:
    """The interview after `result` (decided from `facts`): what is open, what to ask."""
    open_decisions = [name for name, decision in result.decisions.items() if not decision.determined]
    waiting: dict[str, list[str]] = {}
    for name in open_decisions:
        for fact in result.decisions[name].missing_facts:
            waiting.setdefault(fact, []).append(name)
    order = {name: index for index, name in enumerate(book.model.facts)}
    candidates = sorted(waiting, key=lambda f: (-len(waiting[f]), order.get(f, len(order))))
    questions = []
    for position, fact in enumerate(candidates):
        spec = book.model.facts.get(fact)
        answers = _answers(spec.declaration) if spec is not None else None
        settles = None
        if answers and position < _MAX_SIMULATED:
            settles = _settled(book, facts, fact, answers, open_decisions, as_of)
        questions.append(Question(fact, tuple(waiting[fact]), settles))
    questions.sort(key=lambda q: (-len(q.needed_by), -(q.settles or 0), order.get(q.fact, len(order))))
    known_skips = [fact for fact in (skipped or []) if fact in waiting]
    return Interview(open_decisions, questions, known_skips)
