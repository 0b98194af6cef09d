"""`expect_rule` in examples, and whole-number facts in the solver.

Two rules of a decision may give the same value under different law (here `null` for
"over the limit, month not given" and for "within the limit"): examples that state only
values cannot tell a slip between them, and `null` in `expect` also matches a decision left
undetermined. `expect_rule` names the deciding rule, so such slips are caught; the solver
suggests examples with it. A threshold read only on 1 January of a year that a constraint
holds whole makes a parameter's `from` −1 day equivalent, and the solver now proves it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.mutation.apply import applied
from engine.mutation.run import _outcome_ok, run_book
from engine.rulebook import model as m
from engine.rulebook.errors import RulebookError
from engine.rulebook.facts import FactChecker
from engine.rulebook.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
SAME_VALUE = Path(__file__).parent / "fixtures" / "same_value.yaml"
TEXT = SAME_VALUE.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _with_examples(tmp_path: Path, lines: str) -> Path:
    return _write(tmp_path, TEXT.rstrip("\n") + "\n" + lines)


def _problems(tmp_path: Path, lines: str) -> list[str]:
    with pytest.raises(RulebookError) as info:
        load_file(_with_examples(tmp_path, lines))
    return [str(p) for p in info.value.problems]


def _as_example(suggested: dict) -> m.Example:
    rules = {name: [r] if isinstance(r, str) else r for name, r in suggested.get("expect_rule", {}).items()}
    return m.Example("suggested", suggested["facts"], suggested["as_of"], suggested.get("expect", {}),
                     suggested.get("expect_status"), [], False, ("examples", 0), rules)


def test_expect_rule_names_a_decision_and_one_of_its_rules(tmp_path):
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {relief_lost: within}}\n")
    assert "expects the rule of 'relief_lost', which is not a decision" in problem and "relief_lost_from" in problem
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {relief_lost_from: withn}}\n")
    assert "'withn' is not a rule of decision 'relief_lost_from'" in problem and "did you mean 'within'" in problem
    line = len(TEXT.rstrip("\n").splitlines()) + 1
    assert problem.split(":")[1] == str(line)
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {relief_lost_from: [within]}}\n")
    assert "decided by one rule (first): name it, not a list" in problem
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {year_limit: default}}\n")
    assert "'default' is not a rule of decision 'year_limit'" in problem  # it has no default
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {remarks: default}}\n")
    assert "decided by one rule" not in problem and "'default' is not a rule of decision 'remarks'" in problem  # collect: []
    [problem] = _problems(tmp_path, "  - {name: x, facts: {year: 2023}, expect_rule: {relief_lost_from: 7}}\n")
    assert "expect_rule" in problem


def test_taxrules_test_checks_the_deciding_rule(tmp_path):
    path = _with_examples(tmp_path, (
        "  - {name: right rule, facts: {year: 2023, income: 1000, late: false, foreign: false},"
        " expect_rule: {relief_lost_from: within, year_limit: limit_of_year, remarks: []}}\n"
        "  - {name: both remarks, facts: {year: 2023, income: 1000, late: true, foreign: true},"
        " expect_rule: {remarks: [late_remark, foreign_remark]}}\n"
        "  - {name: wrong rule, facts: {year: 2023, income: 1000.01, late: false, foreign: false},"
        " expect: {relief_lost_from: null}, expect_rule: {relief_lost_from: within}}\n"
        "  - {name: undetermined, facts: {income: 5, late: false, foreign: false},"
        " expect: {relief_lost_from: null}, expect_rule: {relief_lost_from: within}}\n"
        "  - {name: undetermined as expected, facts: {income: 5, late: false, foreign: false},"
        " expect_rule: {relief_lost_from: null, year_limit: null, remarks: []}}\n"
        "  - {name: decided though expected undetermined, facts: {year: 2023, late: false, foreign: false},"
        " expect_rule: {relief_lost_from: null}}\n"
    ))
    run = subprocess.run([sys.executable, "-m", "engine.cli", "test", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout
    assert "5 passed, 3 failed" in run.stdout, run.stdout
    assert "relief_lost_from: expected to be decided by within, got over_but_month_unknown" in run.stdout
    assert "relief_lost_from: expected to be decided by within, got undetermined (missing year)" in run.stdout
    assert "relief_lost_from: expected undetermined, got decided by within" in run.stdout


def test_suggestions_pin_the_deciding_rule_and_kill_the_slip():
    pytest.importorskip("z3")
    book = load_file(SAME_VALUE)
    checker = FactChecker(book)
    run = run_book(book, separate=True, time_bound=20)
    survivors = {v.mutant.label: v for v in run.survivors}
    assert sorted(survivors) == sorted([
        "and → or: exists(income) and income > year_limit  →  exists(income) or income > year_limit",
        "conjunct dropped: exists(income) and income > year_limit  →  income > year_limit",
        "conjunct dropped: exists(income) and income > year_limit  →  exists(income)",
    ])
    equivalent = {v.mutant.label: v for v in run.verdicts if v.equivalent}
    # the limit is read on 1 January only, of a year the constraint holds whole
    assert "parameter change −1 day: limit from 2024-01-01  →  from 2023-12-31" in equivalent
    # the same value (null) either way: equivalent in value, but the rule can be pinned
    ge = equivalent["> → >=: exists(income) and income > year_limit  →  exists(income) and income >= year_limit"]
    assert "expect_rule" in ge.note and ge.separating is not None
    for verdict in [*survivors.values(), ge]:
        suggested = verdict.separating
        assert suggested is not None and "expect_rule" in suggested, verdict.note
        example = _as_example(suggested)
        assert _outcome_ok(book, checker, example)  # the rulebook passes it ...
        with applied(book, verdict.mutant):
            assert not _outcome_ok(book, checker, example)  # ... and the mutant fails it


def test_boundary_examples_with_expect_rule_kill_every_slip(tmp_path):
    pytest.importorskip("z3")
    path = _with_examples(tmp_path, (
        "  - name: no income given - within, not over\n"
        "    facts: {year: 2023, late: false, foreign: false}\n"
        "    expect_rule: {relief_lost_from: within}\n"
        "  - name: exactly the limit is within\n"
        "    facts: {year: 2024, income: 2000, late: false, foreign: false}\n"
        "    expect_rule: {relief_lost_from: within}\n"
        "  - name: one kopeck over the limit, month not given\n"
        "    facts: {year: 2024, income: 2000.01, late: false, foreign: false}\n"
        "    expect_rule: {relief_lost_from: over_but_month_unknown}\n"
    ))
    run = run_book(load_file(path), separate=True, time_bound=20)
    assert [v.mutant.label for v in run.survivors] == []
    assert [v.mutant.label for v in run.verdicts if v.equivalent] == ["parameter change −1 day: limit from 2024-01-01  →  from 2023-12-31"]
    assert run.score == 1.0


def test_a_year_that_may_not_be_whole_leaves_make_date_unproved(tmp_path):
    pytest.importorskip("z3")
    text = TEXT.replace("    when: year == round(year, 0)", "    when: year >= 2020")
    run = run_book(load_file(_write(tmp_path, text)), separate=True, time_bound=5)
    [verdict] = [v for v in run.verdicts if v.mutant.label.startswith("parameter change −1 day")]
    assert not verdict.equivalent and "make_date() of numbers that may not be whole" in verdict.note
