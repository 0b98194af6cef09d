"""Running a rulebook's embedded examples: what `taxrules test` and the test suite share.

Expected values are compared exactly (decimals by value, dates as ISO text, lists of
scalars as multisets, lists of records in order). A rule that no example makes decide
is reported: every rule of a rulebook must be exercised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from engine import jsonout
from engine.api import Book
from engine.language.errors import EvaluationError
from engine.result import Result
from engine.rulebook import model as m
from engine.rulebook.errors import Problem
from engine.rulebook.facts import BadInput
from engine.rulebook.loader import DEFAULT_RULE


def normalise_expected(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, float):
        return Decimal(repr(value)).normalize()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        stripped = value.strip()
        if stripped and stripped[0] in "-0123456789" and "-" not in stripped[1:]:
            try:
                return Decimal(stripped).normalize()
            except InvalidOperation:
                return value
        return value
    if isinstance(value, dict):
        return {k: normalise_expected(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [normalise_expected(v) for v in value]
        if all(not isinstance(v, dict | list) for v in items):
            return sorted(items, key=repr)
        return items
    return value


@dataclass
class ExampleOutcome:
    name: str
    line: int
    problems: list[str]


@dataclass
class ExampleReport:
    """The examples of one rulebook (decision or ledger) and what none of them exercised."""

    file: str
    id: str
    outcomes: list[ExampleOutcome] = field(default_factory=list)
    unexercised: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if not o.problems)

    @property
    def failed(self) -> int:
        """Examples that failed (a rule no example exercises is not a failed case: see `unexercised`)."""
        return sum(1 for o in self.outcomes if o.problems)

    def echo(self, verbose: bool, examples: str, parts: str, notes: Sequence[object] = ()) -> None:
        """FAIL lines, the unexercised rules or checks, `notes`, and the rulebook's count line."""
        for outcome in self.outcomes:
            if outcome.problems:
                click.echo(f"FAIL {self.file}:{outcome.line}: {outcome.name}")
                for problem in outcome.problems:
                    click.echo(f"     {problem}")
            elif verbose:
                click.echo(f"ok   {self.file}:{outcome.line}: {outcome.name}")
        for problem in [*self.unexercised, *notes]:
            click.echo(str(problem))
        click.echo(f"  {self.id}: {self.passed}/{len(self.outcomes)} {examples}, {len(self.unexercised)} {parts} not exercised")


def compare(result_decisions: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    problems = []
    for name, want in expect.items():
        decision = result_decisions.get(name)
        if decision is None:
            problems.append(f"{name}: not a decision of this rulebook")
            continue
        got = jsonout.plain(decision.value) if decision.determined else None
        if normalise_expected(got) != normalise_expected(jsonout.plain(want)):
            shown = jsonout.dumps(got, indent=None) if decision.determined else f"undetermined (missing {', '.join(decision.missing_facts)})"
            problems.append(f"{name}: expected {jsonout.dumps(jsonout.plain(want), indent=None)}, got {shown}")
    return problems


def deciding_rules(decision: Any) -> list[str]:
    """The rules that made a decision as `expect_rule` names them: the contributing rules of a
    `collect`, else the one rule, or `default` when the decision's default decided it."""
    if decision.rules is not None:
        return list(decision.rules)
    return [decision.rule if decision.rule is not None else DEFAULT_RULE]


def compare_rules(result_decisions: dict[str, Any], expect_rule: dict[str, list[str] | None]) -> list[str]:
    """Problems with an example's `expect_rule`: an undetermined decision has no deciding rule
    (and `None` expects exactly that)."""
    problems = []
    for name, want in expect_rule.items():
        decision = result_decisions.get(name)
        if decision is None:
            problems.append(f"{name}: not a decision of this rulebook")
        elif want is None:
            if decision.determined:
                problems.append(f"{name}: expected undetermined, got decided by {', '.join(deciding_rules(decision)) or 'no rule'}")
        elif not decision.determined:
            problems.append(f"{name}: expected to be decided by {', '.join(want)}, got undetermined (missing {', '.join(decision.missing_facts)})")
        elif (got := deciding_rules(decision)) != want:
            problems.append(f"{name}: expected to be decided by {', '.join(want) or 'no rule'}, got {', '.join(got) or 'no rule'}")
    return problems


def judge(example: m.Example, result: Result) -> list[str]:
    """What is wrong with a decided result against everything the example expects: the one
    judgement of an example, shared by `taxrules test` and the mutation tester (which only asks
    whether the list is empty), so a new kind of expectation is added in one place."""
    if example.expect_error:
        return ["expected the facts to be rejected as bad input"]
    problems = compare(result.decisions, example.expect) + compare_rules(result.decisions, example.expect_rule)
    if example.expect_status and result.status != example.expect_status:
        problems.append(f"status: expected {example.expect_status}, got {result.status}")
    for fact in example.expect_missing:
        if fact not in result.missing_facts:
            problems.append(f"missing_facts: {fact!r} not listed (got {result.missing_facts})")
    return problems


def run_examples(book: Book) -> ExampleReport:
    model = book.model
    report = ExampleReport(book.file, book.id)
    exercised: set[tuple[str, str]] = set()
    for example in model.examples:
        line, _ = model.source_map.position(example.path)
        try:
            result = book.decide(example.facts, as_of=example.as_of)
        except BadInput as exc:
            problems = [] if example.expect_error else [f"bad input: {exc}"]
            report.outcomes.append(ExampleOutcome(example.name, line, problems))
            continue
        except EvaluationError as exc:
            report.outcomes.append(ExampleOutcome(example.name, line, [f"evaluation error: {exc}"]))
            continue
        problems = judge(example, result)
        for name, decision in result.decisions.items():
            for rule_id in decision.rules or ([decision.rule] if decision.rule else []):
                exercised.add((name, rule_id))
        report.outcomes.append(ExampleOutcome(example.name, line, problems))
    for rule in model.rules():
        if (rule.decision, rule.id) not in exercised:
            line, column = model.source_map.position(rule.path)
            report.unexercised.append(
                Problem(model.file, line, column, f"rule {rule.id!r} of decision {rule.decision!r} is not exercised by any example")
            )
    return report
