"""For a surviving mutant, a case that tells it from the rulebook — or a proof there is none.

Both the rulebook and the mutant are translated (engine/prover) over the same facts; the
solver looks for a case where some decision differs (value, undetermined or not, an
overlap or gap error). If there is none the mutant is equivalent — no example could
ever kill it — and leaves the score. If there is one, the engine decides it with the
rulebook and with the mutant; only when their results really differ is it suggested as
a new example, with the rulebook's own results as the expectation (for the author to
check against the law before adding it).
"""

from __future__ import annotations

import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import z3

from engine import jsonout
from engine.evaluate import decide
from engine.language.errors import EvaluationError
from engine.mutation.apply import applied, as_change
from engine.mutation.run import Verdict, _outcome_ok
from engine.mutation.seams import only_moves_a_day_between_twins
from engine.prover.book import base_constraints, shared_for
from engine.prover.solve import Session, effort_for
from engine.prover.symbolic import FALSE, Sym
from engine.prover.translate import Outcome, Translator
from engine.prover.view import BookView
from engine.rulebook import model as m
from engine.rulebook.facts import BadInput, FactChecker
from engine.testing import deciding_rules

ATTEMPTS = 3
# The wall clock is only a safety net (see engine/prover/solve.py): each question is held to
# the solver effort its time bound stands for, so a mutant's verdict — and the score — is
# the same on a loaded machine; a mutant may use this many time bounds before giving up.
WALL_SLACK = 10


def _value_differs(a: Sym, b: Sym) -> Any:
    if a is b:
        return FALSE
    if a.kind == "list" and b.kind == "list":
        items_a, items_b = a.items or (), b.items or ()
        parts = []
        for i in range(max(len(items_a), len(items_b))):
            inc_a, item_a = items_a[i] if i < len(items_a) else (FALSE, None)
            inc_b, item_b = items_b[i] if i < len(items_b) else (FALSE, None)
            parts.append(z3.Xor(inc_a, inc_b))
            if item_a is not None and item_b is not None:
                parts.append(z3.And(inc_a, inc_b, _value_differs(item_a, item_b)))
        content = z3.Or(*parts) if parts else FALSE
    elif a.kind == "record" and b.kind == "record":
        fields_a, fields_b = a.fields or {}, b.fields or {}
        if set(fields_a) != set(fields_b):
            content = z3.BoolVal(True)
        else:
            parts = [_value_differs(fields_a[name], fields_b[name]) for name in fields_a]
            content = z3.Or(*parts) if parts else FALSE
    elif a.kind in ("bool", "num", "date", "str") and a.kind == b.kind:
        content = a.val != b.val
    elif a.kind == "opaque" and b.kind == "opaque" and a.origin and a.origin == b.origin:
        content = FALSE  # the same stand-in
    elif a.kind == "null" and b.kind == "null":
        content = FALSE
    elif a.kind == "null" or b.kind == "null":
        content = FALSE  # only the null flags can differ; compared below
    else:
        content = z3.BoolVal(True)  # not comparable exactly: assume they may differ
    both = z3.And(z3.Not(a.missing), z3.Not(b.missing))
    return z3.Or(
        z3.Xor(a.missing, b.missing),
        z3.And(both, z3.Xor(a.null, b.null)),
        z3.And(both, z3.Not(a.null), z3.Not(b.null), content),
    )


def outcome_differs(a: Outcome, b: Outcome) -> Any:
    no_error = z3.And(z3.Not(a.overlap), z3.Not(a.gap), z3.Not(b.overlap), z3.Not(b.gap))
    return z3.Or(z3.Xor(a.overlap, b.overlap), z3.Xor(a.gap, b.gap), z3.And(no_error, _value_differs(a.value, b.value)))


def _observe(book: m.Rulebook, checker: FactChecker, case: tuple[str, dict[str, Any]]) -> dict[str, Any] | str:
    try:
        result = decide(book, checker, case[1], as_of=case[0], trace=False)
    except BadInput as exc:
        return f"bad input: {exc}"
    except EvaluationError as exc:
        return f"error: {exc}"
    return {
        name: (jsonout.plain(d.value) if d.determined else None, d.determined, deciding_rules(d) if d.determined else None)
        for name, d in result.decisions.items()
    }


class Separator:
    def __init__(self, book: m.Rulebook, checker: FactChecker, time_bound: float) -> None:
        self.book = book
        self.checker = checker
        self.time_bound = time_bound
        self.effort = effort_for(time_bound)
        self.wall = time_bound * WALL_SLACK
        self.shared = shared_for(book)
        self.original = Translator(self.shared, BookView(book))
        self.session = Session(self.shared, base_constraints(self.shared, self.original))
        self.decisions = list(book.decisions)

    def judge(self, verdict: Verdict) -> None:
        mutant = verdict.mutant
        started = time.monotonic()
        change = as_change(self.book, mutant)
        twins = only_moves_a_day_between_twins(self.book, change)
        if twins is not None:
            verdict.equivalent = True
            verdict.note = (
                "equivalent in every value and status (proved from the rules' text: on the day it moves, the rules in "
                f"force — {', '.join(twins)} — decide alike); only which rule decides, and so the citation, can differ"
                " — an example's `expect_rule` can tell it apart"
            )
            return
        mutated = Translator(self.shared, BookView(self.book, change))
        useful, any_difference, rule_changes = [], [], []
        for name in self.decisions:
            before, after = self.original.decision(name), mutated.decision(name)
            differs = z3.simplify(outcome_differs(before, after))
            if not z3.is_false(differs):
                any_difference.append(differs)
                # preferred: the rulebook decides it, so the example can state the value
                useful.append(z3.And(differs, z3.Not(before.value.missing), z3.Not(before.overlap), z3.Not(before.gap)))
            for by_before, by_after in zip(before.decided_by, after.decided_by, strict=False):
                # where the rulebook decides, so that an example can name its rule
                rule_changes.append(z3.And(z3.Xor(by_before, by_after), z3.Not(before.value.missing)))
        self._bounded: set[str] = set()
        site = mutant.site.decision
        if site is not None and any_difference and self._same_outcome(mutated, site, started):
            # the one decision the mutant rewrites decides alike in every case, so every
            # decision that reads it does too: a far smaller question than all of them at once
            any_difference, useful = [], []
        for goal in (useful, any_difference):
            if not goal:
                continue
            answer = self._separate(verdict, z3.Or(*goal), started)
            if answer == "found":
                return
            if answer == "open":  # no confirmed value difference: perhaps the deciding rule differs
                self._pin_rule(verdict, rule_changes, started)
                return
        verdict.equivalent = True
        within = ""
        if self._bounded:
            from engine.prover.space import LIST_ITEMS

            within = f" for lists of facts of up to {LIST_ITEMS} items ({', '.join(sorted(self._bounded))})"
        verdict.note = f"equivalent: no case{within} gives a different result (proved by the solver)"
        if self._pin_rule(verdict, rule_changes, started):
            verdict.note = (
                f"equivalent in every value and status{within} (proved by the solver); only which rule decides, "
                "and so the citation, can differ — an example's `expect_rule` can tell it apart"
            )

    def _same_outcome(self, mutated: Translator, name: str, started: float) -> bool:
        """Does the mutated decision give the same value, status and errors in every case?"""
        differs = z3.simplify(outcome_differs(self.original.decision(name), mutated.decision(name)))
        if z3.is_false(differs):
            return True
        remaining = self.wall - (time.monotonic() - started)
        answer = self.session.ask(differs, remaining, effort=self.effort)
        if answer.status != "unsat":
            return False
        self._bounded.update(answer.bounded)
        return True

    def _pin_rule(self, verdict: Verdict, rule_changes: list[Any], started: float) -> bool:
        """Can the deciding rule differ? If so, and the engine confirms a case, suggest it with
        `expect_rule` (which kills the mutant, equivalent in value or not)."""
        if not rule_changes:
            return False
        remaining = self.wall - (time.monotonic() - started)
        answer = self.session.ask(z3.Or(*rule_changes), remaining, effort=self.effort)
        if answer.status != "sat":
            return False
        if answer.case is not None:
            example = self._example(verdict.mutant, answer.case)
            if example is not None and "expect_rule" in example:
                verdict.separating = example
        return True

    def _separate(self, verdict: Verdict, goal: Any, started: float) -> str:
        """Look for a case the engine confirms; 'unsat' if the solver proves there is none."""
        mutant = verdict.mutant
        blocks: list[Any] = []
        answer = None
        for _ in range(ATTEMPTS):
            remaining = self.wall - (time.monotonic() - started)
            answer = self.session.ask(goal, remaining, blocks, effort=self.effort)
            if answer.status == "unsat":
                self._bounded.update(answer.bounded)
                return "unsat" if not blocks else "open"
            if answer.status != "sat" or answer.case is None or answer.model is None:
                verdict.note = (
                    f"no separating case found within the solver effort of a {self.time_bound:g} s time bound "
                    f"({self.effort:,} steps a question)"
                )
                return "open"
            example = self._example(mutant, self._tidy(mutant, answer.case))
            if example is not None:
                verdict.separating = example
                return "found"
            blocks.append(z3.Not(z3.And(*self.shared.space.assignment(answer.model))))
        reasons = "; ".join(answer.free) if answer is not None and answer.free else ""
        verdict.note = "the solver's cases did not separate it in the engine" + (f" (inexact: {reasons})" if reasons else "")
        return "open"

    def _results(self, mutant: Any, case: tuple[str, dict[str, Any]]) -> tuple[Any, Any]:
        original = _observe(self.book, self.checker, case)
        with applied(self.book, mutant):
            changed = _observe(self.book, self.checker, case)
        return original, changed

    def _example(self, mutant: Any, case: tuple[str, dict[str, Any]]) -> dict[str, Any] | None:
        original, changed = self._results(mutant, case)
        if original == changed or not isinstance(original, dict):
            return None
        if not isinstance(changed, dict):  # the mutant fails with an error (an overlap, say): the rulebook's values
            values = {name: value for name, (value, determined, _) in original.items() if determined}
            status = "decided" if len(values) == len(original) else "undetermined"
            example = {"as_of": case[0], "facts": case[1], **({"expect": values} if values else {"expect_status": status})}
            return example if self._kills(mutant, example) else None
        expect, expect_rule = {}, {}
        for name, (value, determined, rules) in original.items():
            other = changed.get(name)
            if other == (value, determined, rules):
                continue
            other_value, other_determined = (other[0], other[1]) if other is not None else (None, False)
            if not determined:
                if other_determined:  # the mutant decides what the rulebook cannot yet
                    expect_rule[name] = None
                continue
            if other_value != value and (other_determined or value is not None):
                expect[name] = value
            else:  # the same value, or null against undetermined: only the deciding rule tells them apart
                expect_rule[name] = rules[0] if len(rules) == 1 and self.book.decisions[name].hit_policy != "collect" else rules
        example: dict[str, Any] = {"as_of": case[0], "facts": case[1]}
        if expect:
            example["expect"] = expect
        if expect_rule:
            example["expect_rule"] = expect_rule
        if not expect and not expect_rule:
            example["expect_status"] = "undetermined"
        return example if self._kills(mutant, example) else None

    def _kills(self, mutant: Any, example: dict[str, Any]) -> bool:
        """Does the suggestion pass on the rulebook and fail on the mutant, as `taxrules test`
        would judge it? (`expect_status: undetermined` does not, when another decision leaves
        the mutant undetermined too.)"""
        rules = {name: [r] if isinstance(r, str) else r for name, r in example.get("expect_rule", {}).items()}
        candidate = m.Example("suggested", example["facts"], example["as_of"], example.get("expect", {}),
                              example.get("expect_status"), [], False, ("examples", 0), rules)
        if not _outcome_ok(self.book, self.checker, candidate):
            return False
        with applied(self.book, mutant):
            return not _outcome_ok(self.book, self.checker, candidate)

    def _tidy(self, mutant: Any, case: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        """The case with its numbers rounded (whole, then cents) where that still separates."""
        as_of, facts = case
        for name, value in list(facts.items()):
            if not isinstance(value, Decimal) or value == value.to_integral_value():
                continue
            for candidate in (value.to_integral_value(ROUND_HALF_UP), value.quantize(Decimal("0.01"), ROUND_HALF_UP),
                              value.quantize(Decimal("0.01"), ROUND_DOWN), value.quantize(Decimal("0.01"), ROUND_UP)):
                if candidate == value:
                    continue
                trial = {**facts, name: candidate}
                original, changed = self._results(mutant, (as_of, trial))
                if isinstance(original, dict) and original != changed:
                    facts = trial
                    break
        return as_of, facts
