"""Putting a mutant into the compiled rulebook and taking it out again.

The rulebook is compiled once; a mutant swaps one piece of it (a rule's condition or
value expression compiled alone from the mutated tree, a literal value, a date, a
derived value, a parameter's dated values) and the context manager restores it, so the
examples run against the mutant at the speed of the real engine. The solver reads the
same mutant as a `Change` (engine/prover/view.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from engine.language.compiler import compile_expression
from engine.mutation.operators import Mutant
from engine.prover.view import Change, RuleView
from engine.rulebook import model as m


def _expression(original: m.Expression, mutant: Mutant) -> m.Expression:
    assert mutant.node is not None and mutant.analysis is not None
    expression = m.Expression(mutant.after, mutant.node, mutant.analysis, original.path)
    expression.fn = compile_expression(mutant.node, mutant.analysis)
    return expression


@contextlib.contextmanager
def applied(book: m.Rulebook, mutant: Mutant) -> Iterator[None]:
    site = mutant.site
    if site.decision is not None and site.index is not None:
        rule = book.decisions[site.decision].rules[site.index]
        attribute = {"when": "when", "expr": "expr", "value": "value", "valid_from": "valid_from", "valid_to": "valid_to"}[site.kind]
        saved = getattr(rule, attribute)
        new = _expression(saved, mutant) if site.kind in ("when", "expr") else mutant.value
        setattr(rule, attribute, new)
        try:
            yield
        finally:
            setattr(rule, attribute, saved)
        return
    if site.kind == "derived":
        assert site.name is not None
        derived = book.derived[site.name]
        saved_expression = derived.expression
        derived.expression = _expression(saved_expression, mutant)
        try:
            yield
        finally:
            derived.expression = saved_expression
        return
    assert site.name is not None
    parameter = book.parameters[site.name]
    book.parameters[site.name] = dataclasses.replace(parameter, values=list(mutant.value), _starts=[])
    try:
        yield
    finally:
        book.parameters[site.name] = parameter


def as_change(book: m.Rulebook, mutant: Mutant) -> Change:
    """The mutant as the solver reads it."""
    site = mutant.site
    tag = f"mutant{mutant.number}"
    if site.decision is not None and site.index is not None:
        view = RuleView.of(book.decisions[site.decision].rules[site.index])
        if site.kind == "when":
            view = dataclasses.replace(view, when=mutant.node)
        elif site.kind == "expr":
            view = dataclasses.replace(view, expr=mutant.node)
        else:
            view = dataclasses.replace(view, **{site.kind: mutant.value})
        return Change(rules=(((site.decision, site.index), view),), tag=tag)
    if site.kind == "derived":
        assert site.name is not None and mutant.node is not None
        return Change(derived=((site.name, mutant.node),), tag=tag)
    assert site.name is not None
    return Change(parameters=((site.name, tuple(mutant.value)),), tag=tag)
