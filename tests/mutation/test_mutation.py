"""`taxrules test --mutations`: every operator's mutants are caught by boundary examples,
and each survives once the examples that catch it are taken away — when the solver then
suggests an example that tells it apart, which the engine confirms: the rulebook passes
it and the mutant fails it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from engine.mutation.apply import applied
from engine.mutation.operators import mutants
from engine.mutation.run import Verdict, _outcome_ok, run_book
from engine.rulebook import model as m
from engine.rulebook.facts import FactChecker
from engine.rulebook.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
SLIPS = Path(__file__).parent / "fixtures" / "slips.yaml"
OPERATORS = [
    "> → >=", ">= → >", "< → <=", "<= → <", "and → or", "or → and", "conjunct dropped", "negation removed",
    "threshold +0.01", "threshold −0.01", "date +1 day", "date −1 day", "days +1", "days −1",
    "valid_from +1 day", "valid_to +1 day", "valid_to −1 day", "enum value swapped", "boolean flipped",
    "value +0.01", "value −0.01", "parameter change +1 day", "parameter change −1 day",
]


@pytest.fixture(scope="module")
def book() -> m.Rulebook:
    return load_file(SLIPS)


def test_every_operator_makes_mutants(book):
    made = {mutant.operator for mutant in mutants(book)}
    assert set(OPERATORS) <= made, set(OPERATORS) - made


def test_boundary_examples_kill_every_mutant_that_is_not_equivalent(book):
    pytest.importorskip("z3")
    run = run_book(book, separate=True, time_bound=20)
    assert not run.baseline_failures
    assert [v.mutant.label for v in run.survivors] == []
    # the one equivalent mutant: the new allowance starting a day early changes nothing,
    # because the old one, earlier in the decision, still decides that day
    assert [v.mutant.label for v in run.verdicts if v.equivalent] == ["valid_from −1 day: 2024-01-01  →  2023-12-31"]
    assert run.score == 1.0


def _example(suggested: dict) -> m.Example:
    return m.Example("suggested", suggested["facts"], suggested["as_of"], suggested.get("expect", {}),
                     suggested.get("expect_status"), [], False, ("examples", 0))


@pytest.mark.parametrize("operator", OPERATORS)
def test_each_operator_survives_without_its_examples_and_the_suggestion_kills_it(book, operator):
    pytest.importorskip("z3")
    from engine.mutation.separate import Separator

    checker = FactChecker(book)
    examples = list(book.examples)
    mutant = next(mu for mu in mutants(book) if mu.operator == operator)
    with applied(book, mutant):
        killers = [e for e in examples if not _outcome_ok(book, checker, e)]
    assert killers, f"{mutant.label}: caught by no example"
    try:
        book.examples = [e for e in examples if e not in killers]
        run = run_book(book, separate=False, only={mutant.number})
        [verdict] = run.verdicts
        assert verdict.killed_by is None  # survives once its examples are gone
        verdict = Verdict(mutant)
        Separator(book, checker, 20).judge(verdict)
    finally:
        book.examples = examples
    assert verdict.separating is not None, verdict.note
    suggested = _example(verdict.separating)
    assert _outcome_ok(book, checker, suggested)  # the rulebook passes it ...
    with applied(book, mutant):
        assert not _outcome_ok(book, checker, suggested)  # ... and the mutant fails it
    dt.date.fromisoformat(verdict.separating["as_of"])


def test_cli_score_and_exit_status(tmp_path):
    pytest.importorskip("z3")
    text = SLIPS.read_text(encoding="utf-8").split("# -- boundary examples")[0]
    thin = tmp_path / "thin.yaml"
    thin.write_text(text, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engine.cli", "test", "--mutations", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)

    full = run(str(SLIPS), "--min-score", "0.95", "--jobs", "2")
    assert full.returncode == 0, full.stdout
    assert "test.slips: mutation score 100.0% (45 killed of 45; 0 survived; 1 equivalent, left out)" in full.stdout
    weak = run(str(thin), "--min-score", "0.95", "--jobs", "1")
    assert weak.returncode == 1
    assert "SURVIVED   " in weak.stdout and "suggested example" in weak.stdout and "below 95%" in weak.stdout
    assert run(str(thin), "--jobs", "1").returncode == 0  # no --min-score: a report, not a gate
