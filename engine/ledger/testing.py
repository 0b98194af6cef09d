"""Running a ledger rulebook's embedded examples (what `taxrules test` calls).

Each example's records go through both executors. An example passes when both report
exactly the expected findings — the same multiset of (check, records by alias), with
the expected flags — and the expected summary values; an `expect_error` example passes
when both reject the records as bad input. Every check must be exercised: some example
must expect a finding of it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click

from engine import jsonout
from engine.language.errors import EvaluationError
from engine.ledger import model as lm
from engine.rulebook.errors import Problem, RulebookError
from engine.rulebook.facts import BadInput
from engine.testing import ExampleOutcome, ExampleReport


def _key(check: str, records: dict[str, int]) -> tuple[str, tuple[tuple[str, int], ...]]:
    return check, tuple(sorted(records.items()))


def _show(key: tuple[str, tuple[tuple[str, int], ...]]) -> str:
    check, records = key
    return f"{check} {{{', '.join(f'{a}: {line}' for a, line in records)}}}"


def _run(book: Any, records: list[Any], executor: str) -> Any:
    return book.reconcile(records, executor=executor)


def run_example(book: Any, example: lm.Example) -> list[str]:
    from engine.ledger.extras import streaming_available
    from engine.testing import normalise_expected

    results = {}
    executors = ("batch", "stream") if streaming_available() else ("batch",)  # stream: the `stream` extra
    for executor in executors:
        try:
            results[executor] = _run(book, example.records, executor)
        except BadInput as exc:
            if not example.expect_error:
                return [f"{executor}: bad input: {exc}"]
            results[executor] = None
        except EvaluationError as exc:
            return [f"{executor}: evaluation error: {exc}"]
    if example.expect_error:
        return [] if all(r is None for r in results.values()) else ["expected the records to be rejected as bad input"]
    problems: list[str] = []
    batch = results["batch"]
    stream = results.get("stream", batch)
    if batch.keys() != stream.keys():
        problems.append(f"the executors disagree: batch {batch.keys()}, stream {stream.keys()}")
    got = Counter(_key(f.check.id, f.lines) for f in batch.findings)
    want = Counter(_key(e.check, e.records) for e in example.expect)
    for key in sorted(want - got):
        problems.append(f"expected finding not reported: {_show(key)}")
    for key in sorted(got - want):
        problems.append(f"unexpected finding: {_show(key)}")
    by_key = {}
    for finding in batch.findings:
        by_key.setdefault(_key(finding.check.id, finding.lines), finding)
    for expected in example.expect:
        finding = by_key.get(_key(expected.check, expected.records))
        if finding is None:
            continue
        for flag, value in expected.flags.items():
            if finding.flags.get(flag) is not value:
                problems.append(f"{_show(_key(expected.check, expected.records))}: flag {flag} expected {str(value).lower()}, got {str(finding.flags.get(flag)).lower()}")
    for name, value in example.expect_summary.items():
        actual = batch.summary.get(name)
        if normalise_expected(jsonout.plain(actual)) != normalise_expected(jsonout.plain(value)):
            problems.append(f"summary {name}: expected {jsonout.dumps(jsonout.plain(value), indent=None)}, got {jsonout.dumps(jsonout.plain(actual), indent=None)}")
        if jsonout.plain(stream.summary.get(name)) != jsonout.plain(actual):
            problems.append(f"summary {name}: the executors disagree")
    return problems


def run_ledger_book(book: Any) -> ExampleReport:
    ledger: lm.Ledger = book.model
    report = ExampleReport(ledger.file, ledger.id)
    exercised: set[str] = set()
    for example in ledger.examples:
        line, _ = ledger.source_map.position(example.path)
        problems = run_example(book, example)
        report.outcomes.append(ExampleOutcome(example.name, line, problems))
        if not problems:
            exercised.update(e.check for e in example.expect)
    for check in ledger.checks:
        if check.id not in exercised:
            line, column = ledger.source_map.key_position(check.path)
            report.unexercised.append(Problem(ledger.file, line, column, f"check {check.id!r} is not exercised by any passing example (none expects a finding of it)"))
    return report


def run_ledger_examples(path: str | Path, verbose: bool = False) -> tuple[int, int, int]:
    """Run and print, like the decision tester: FAIL lines, unexercised checks, a count line.
    Gives (passed, failed, checks not exercised)."""
    from engine.ledger.api import load_ledger
    from engine.ledger.extras import streaming_available

    try:
        book = load_ledger(path)
    except RulebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        return 0, max(1, len(exc.problems)), 0
    report = run_ledger_book(book)
    executors = "batch and stream" if streaming_available() else "batch only: install taxrules[stream] for stream"
    report.echo(verbose, f"examples ({executors})", "check(s)", notes=book.model.warnings)
    return report.passed, report.failed, len(report.unexercised)
