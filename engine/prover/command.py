"""`taxrules check --prove`: the solver's part of `check`, one rulebook at a time."""

from __future__ import annotations

import click

from engine.rulebook import model as m


def prove_and_print(book: m.Rulebook, time_bound: float) -> int:
    """Prove one loaded decision rulebook and print the result; the number of defects."""
    try:
        from engine.prover.book import prove_book
        from engine.prover.report import render
    except ImportError as exc:  # z3-solver is the `prove` extra
        if exc.name and exc.name.startswith("z3"):
            click.echo(f"{book.file}:1:1: --prove needs the SMT solver: pip install 'taxrules[prove]'")
            return 1
        raise
    return render(prove_book(book, time_bound), click.echo)
