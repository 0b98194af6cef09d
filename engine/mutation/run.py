"""Running a rulebook's embedded examples against each of its mutants.

The rulebook is loaded and compiled once per process. Each example is first run against
the rulebook as written; only those that pass (the baseline) judge the mutants. A mutant
is killed by the first example whose outcome changes (a different value or status, an
error where there was none, or none where one was expected); the example that killed the
last mutant is tried first (mutants near each other in the file tend to die the same
way), which keeps the run short without changing any verdict.
"""

from __future__ import annotations

import decimal
import time
from dataclasses import dataclass, field
from typing import Any

from engine.evaluate import decide
from engine.language.errors import EvaluationError
from engine.mutation.apply import applied
from engine.mutation.operators import Mutant, mutants
from engine.rulebook import model as m
from engine.rulebook.facts import BadInput, FactChecker
from engine.testing import judge


@dataclass
class Verdict:
    mutant: Mutant
    killed_by: str | None = None  # the example's name
    equivalent: bool = False
    separating: dict[str, Any] | None = None  # a suggested example: as_of, facts, expect
    note: str = ""


@dataclass
class BookRun:
    id: str
    file: str
    verdicts: list[Verdict] = field(default_factory=list)
    baseline_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    solver_seconds: float = 0.0

    @property
    def killed(self) -> int:
        return sum(1 for v in self.verdicts if v.killed_by is not None)

    @property
    def equivalent(self) -> int:
        return sum(1 for v in self.verdicts if v.killed_by is None and v.equivalent)

    @property
    def survivors(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.killed_by is None and not v.equivalent]

    @property
    def score(self) -> float:
        counted = len(self.verdicts) - self.equivalent
        return self.killed / counted if counted else 1.0


def _outcome_ok(book: m.Rulebook, checker: FactChecker, example: m.Example) -> bool:
    """Does the example pass against the rulebook as it currently is (the same judgement
    as `taxrules test`, without the bookkeeping of exercised rules)?"""
    try:
        result = decide(book, checker, example.facts, as_of=example.as_of, trace=False)
    except BadInput:
        return example.expect_error
    except (EvaluationError, decimal.DecimalException, ArithmeticError):
        return False
    return not judge(example, result)


def run_book(book: m.Rulebook, separate: bool = True, time_bound: float = 10.0, only: set[int] | None = None) -> BookRun:
    started = time.monotonic()
    checker = FactChecker(book)
    run = BookRun(book.id, book.file)
    examples = []
    for example in book.examples:
        if _outcome_ok(book, checker, example):
            examples.append(example)
        else:
            run.baseline_failures.append(example.name)
    order = list(range(len(examples)))
    for mutant in mutants(book):
        if only is not None and mutant.number not in only:
            continue
        verdict = Verdict(mutant)
        with applied(book, mutant):
            for position, index in enumerate(order):
                try:
                    passed = _outcome_ok(book, checker, examples[index])
                except Exception:  # noqa: BLE001 - a mutant that crashes the engine is caught
                    passed = False
                if not passed:
                    verdict.killed_by = examples[index].name
                    order.insert(0, order.pop(position))
                    break
        run.verdicts.append(verdict)
    if separate and run.survivors:
        from engine.mutation.separate import Separator

        solver_started = time.monotonic()
        separator = Separator(book, checker, time_bound)
        for verdict in run.survivors:
            separator.judge(verdict)
        run.solver_seconds = time.monotonic() - solver_started
    run.seconds = time.monotonic() - started
    return run
