"""`taxrules test --mutations`: the mutation score of each rulebook's examples.

Rulebooks are split into slices of their mutants and the slices run in worker processes
(each loads and compiles its rulebook once); results come back as plain records and are
printed in rulebook order: per rulebook the score (killed / (all − equivalent)), and for
every survivor where it is, what was changed, and a suggested example (the rulebook's own
results on a case the solver found that tells the mutant apart) to paste under
`examples:` after checking it against the law. Equivalent mutants are listed with the
solver's reason and left out of the score.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from engine import jsonout


@dataclass
class Record:
    number: int
    where: str  # file:line:col
    site: str
    label: str
    killed_by: str | None
    equivalent: bool
    note: str
    separating: dict[str, Any] | None


@dataclass
class Slice:
    file: str
    id: str = ""
    records: list[Record] = field(default_factory=list)
    baseline_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def run_slice(file: str, part: int, parts: int, separate: bool, time_bound: float) -> Slice:
    """One worker's share of a rulebook's mutants (every `parts`-th, from `part`)."""
    from engine.mutation import operators
    from engine.mutation.run import run_book
    from engine.rulebook.errors import RulebookError
    from engine.rulebook.loader import load_file

    out = Slice(file)
    try:
        book = load_file(file)
    except RulebookError as exc:
        out.error = str(exc)
        return out
    out.id = book.id
    selected = {m.number for m in operators.mutants(book)[part::parts]}
    run = run_book(book, separate=separate, time_bound=time_bound, only=selected)
    out.baseline_failures = run.baseline_failures
    out.seconds = run.seconds
    for verdict in run.verdicts:
        mutant = verdict.mutant
        line, column = book.source_map.position(mutant.path)
        out.records.append(Record(
            mutant.number, f"{book.file}:{line}:{column}", operators.describe_site(book, mutant.site), mutant.label,
            verdict.killed_by, verdict.equivalent, verdict.note, verdict.separating,
        ))
    return out


def _suggestion(record: Record) -> list[str]:
    example = record.separating or {}
    lines = [f'  - name: "{record.site}, {record.label.split(":")[0]}: boundary"', f"    as_of: {example.get('as_of')}"]
    lines.append(f"    facts: {jsonout.dumps(example.get('facts', {}), indent=None)}")
    if "expect" in example:
        lines.append(f"    expect: {jsonout.dumps(example['expect'], indent=None)}")
    if "expect_rule" in example:
        lines.append(f"    expect_rule: {jsonout.dumps(example['expect_rule'], indent=None)}")
    if "expect_status" in example:
        lines.append(f"    expect_status: {example['expect_status']}")
    return lines


def run_mutations(files: list[Path], min_score: float | None, jobs: int | None, separate: bool, time_bound: float, verbose: bool) -> int:
    from engine.rulebook.registry import is_ledger_file, is_library_file

    decision_files = []
    for path in files:
        if is_ledger_file(path) or is_library_file(path):
            kind = "ledger" if is_ledger_file(path) else "library"
            click.echo(f"  {path}: a {kind} rulebook — its examples are not mutation-tested here")
            continue
        decision_files.append(str(path))
    jobs = max(1, jobs or min(os.cpu_count() or 1, 4))
    parts = jobs
    tasks = [(file, part, parts, separate, time_bound) for file in decision_files for part in range(parts)]
    if jobs == 1:
        slices = [run_slice(*task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            slices = list(pool.map(run_slice, *zip(*tasks, strict=True))) if tasks else []
    failing = 0
    totals = [0, 0, 0]
    for file in decision_files:
        own = [s for s in slices if s.file == file]
        errors = [s.error for s in own if s.error]
        if errors:
            click.echo(errors[0])
            failing += 1
            continue
        records = sorted((r for s in own for r in s.records), key=lambda r: r.number)
        book_id = own[0].id
        killed = sum(1 for r in records if r.killed_by)
        equivalent = sum(1 for r in records if not r.killed_by and r.equivalent)
        counted = len(records) - equivalent
        score = killed / counted if counted else 1.0
        totals[0] += killed
        totals[1] += equivalent
        totals[2] += len(records)
        for name in own[0].baseline_failures:
            click.echo(f"{file}: example {name!r} fails on the rulebook as written; it does not judge mutants")
        for record in records:
            if record.killed_by:
                if verbose:
                    click.echo(f"killed     {record.where}: {record.site}: {record.label} (by {record.killed_by!r})")
                continue
            if record.equivalent:
                if verbose:
                    click.echo(f"equivalent {record.where}: {record.site}: {record.label} — {record.note}")
                    if record.separating:
                        click.echo("    to pin the deciding rule (the rulebook's own results — check them against the law):")
                        for line in _suggestion(record):
                            click.echo("    " + line)
                continue
            click.echo(f"SURVIVED   {record.where}: {record.site}: {record.label}")
            if record.separating:
                click.echo("    no example tells it apart; suggested example (the rulebook's own results — check them against the law):")
                for line in _suggestion(record):
                    click.echo("    " + line)
            elif record.note:
                click.echo(f"    {record.note}")
        below = min_score is not None and score < min_score
        failing += below
        seconds = max((s.seconds for s in own), default=0.0)
        click.echo(
            f"  {book_id}: mutation score {score:.1%} ({killed} killed of {counted}; {len(records) - killed - equivalent} survived; "
            f"{equivalent} equivalent, left out) [{seconds:.1f} s]" + (f" — below {min_score:.0%}" if below else "")
        )
    counted = totals[2] - totals[1]
    overall = totals[0] / counted if counted else 1.0
    click.echo(f"{totals[2]} mutants, {totals[0]} killed, {counted - totals[0]} survived, {totals[1]} equivalent: score {overall:.1%}")
    return failing


def mutations_command(files: list[Path], min_score: float | None, jobs: int | None, time_bound: float, verbose: bool) -> None:
    try:
        import z3  # noqa: F401
        separate = True
    except ImportError:
        click.echo("(z3-solver is not installed: no equivalence proofs or suggested examples; pip install 'taxrules[prove]')")
        separate = False
    failing = run_mutations(files, min_score, jobs, separate, time_bound, verbose)
    sys.exit(1 if failing else 0)
