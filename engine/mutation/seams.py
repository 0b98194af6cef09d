"""Date mutants that only hand a day over between twin rules: equivalent by the rules' text.

A rulebook encodes a change of law as two versions of a rule, often with the same
condition and the same value (only the citation differs: the old regulation, the new
law). Moving one version's `valid_from` or `valid_to` by a day then changes which rule
decides on that day, never the value: the twin decides it the same way. The solver can
usually prove that, but not always within its effort (a division by a computed divisor,
a list it does not model), and an unproved equivalent mutant is counted as a survivor
that no example could ever kill.

This module proves it without the solver, from the rules' text alone: a change that only
moves rules' dates alters the rules in force on finitely many days; if on each of those
days the decision's rules in force are, in effect, the same list as before, no case on
any day can tell the mutant apart. "In effect": under `first`, a rule whose condition
repeats an earlier rule in force is never the one that makes a difference, whatever its
value (it is reached only when the earlier one's condition is false, and then its own is
false too), so it is left out of the comparison; under `unique` and `collect` every rule
counts (an extra twin would overlap or add an item), so the lists must be equal as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.language.unparse import unparse
from engine.prover.view import Change, RuleView
from engine.rulebook import model as m

MAX_DAYS = 31  # a date mutant moves one day; larger changes are left to the solver


def _signature(rule: RuleView) -> tuple[Any, ...]:
    """What a rule decides with: its condition and its value, as text (the same text read on
    the same day with the same facts gives the same result)."""
    when = unparse(rule.when) if rule.when is not None else None
    if rule.expr is not None:
        return (when, "expr", unparse(rule.expr))
    return (when, "value", type(rule.value).__name__, repr(rule.value))


def _effective(rules: list[RuleView], policy: str) -> list[tuple[Any, ...]]:
    signatures = [_signature(rule) for rule in rules]
    if policy != "first":
        return signatures
    out: list[tuple[Any, ...]] = []
    conditions: set[Any] = set()
    for signature in signatures:
        # under `first` a rule is reached only when every earlier condition is false; one
        # whose condition repeats an earlier one is then false too and never decides
        if signature[0] not in conditions:
            conditions.add(signature[0])
            out.append(signature)
    return out


def _days(before: RuleView, after: RuleView, book: m.Rulebook) -> list[dt.date]:
    """The days on which the rule is in force before the change and not after, or the
    reverse, within the rulebook's period (the edges moved by at most MAX_DAYS)."""
    candidates: set[dt.date] = set()
    for a, b in ((before.valid_from, after.valid_from), (before.valid_to, after.valid_to)):
        if a is None or b is None or a == b:
            continue
        first, last = min(a, b), max(a, b)
        day = first
        while day <= last:
            candidates.add(day)
            day += dt.timedelta(days=1)
    return sorted(
        day for day in candidates
        if before.in_force(day) != after.in_force(day)
        and (book.valid_from is None or day >= book.valid_from)
        and (book.valid_to is None or day <= book.valid_to)
    )


def _span(before: RuleView, after: RuleView) -> int | None:
    """How far the rule's edges moved, in days (None if an edge appeared or vanished)."""
    moved = 0
    for a, b in ((before.valid_from, after.valid_from), (before.valid_to, after.valid_to)):
        if (a is None) != (b is None):
            return None
        if a is not None and b is not None:
            moved = max(moved, abs((a - b).days))
    return moved


def only_moves_a_day_between_twins(book: m.Rulebook, change: Change) -> list[str] | None:
    """If the change only moves rules' dates and, on every day it touches, each affected
    decision's rules in force are in effect the same, the ids of the rules in force on
    those days (which may now decide instead); otherwise None."""
    if change.parameters or change.derived or not change.rules:
        return None
    twins: list[str] = []
    for (decision_name, index), after in change.rules:
        decision = book.decisions[decision_name]
        before = RuleView.of(decision.rules[index])
        if (before.when, before.expr, repr(before.value)) != (after.when, after.expr, repr(after.value)):
            return None  # the condition or the value changed, not only the dates
        if _span(before, after) is None or (_span(before, after) or 0) > MAX_DAYS:
            return None
        days = _days(before, after, book)
        original = [RuleView.of(rule) for rule in decision.rules]
        mutated = list(original)
        mutated[index] = after
        for day in days:
            then = [rule for rule in original if rule.in_force(day)]
            now = [rule for rule in mutated if rule.in_force(day)]
            if _effective(then, decision.hit_policy) != _effective(now, decision.hit_policy):
                return None
            for was, now_is in zip(original, mutated, strict=True):
                if (was.in_force(day) or now_is.in_force(day)) and was.rule.id not in twins:
                    twins.append(was.rule.id)
    return twins
