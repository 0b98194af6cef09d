"""The engine's own verdict on a case the solver produced: no false alarms.

A counterexample is reported as found only when the engine, deciding those facts on that
date, does what the proof says (raises the overlap, finds no rule, decides by another
rule). Only the decision in question is evaluated (with what it depends on), the way
`decide` evaluates it, so an unrelated decision cannot mask the answer.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT, Evaluation, parse_as_of
from engine.language.errors import EvaluationError
from engine.language.values import MISSING, contains_missing, to_text
from engine.rulebook import model as m
from engine.rulebook.facts import BadInput, FactChecker

_OVERLAP = re.compile(r"decision '([^']+)' has hit policy unique, but rules (.+) all apply")
_GAP = re.compile(r"no rule of decision '([^']+)' applies")


@dataclass
class Observation:
    status: str  # bad_input | overlap | gap | error | determined | undetermined
    rules: list[str] = field(default_factory=list)
    value: Any = None
    message: str = ""

    def describe(self) -> str:
        if self.status == "determined":
            by = f" by rule {self.rules[0]!r}" if self.rules else " by its default"
            return f"decides {to_text(self.value)}{by}"
        if self.status == "overlap":
            return "raises an overlap of rules " + ", ".join(self.rules)
        if self.status == "gap":
            return "finds no rule that applies"
        return f"{self.status}: {self.message}" if self.message else self.status


def observe(book: m.Rulebook, checker: FactChecker, facts: dict[str, Any], as_of: str, decision: str) -> Observation:
    try:
        normalised = checker.normalise(facts)
    except BadInput as exc:
        return Observation("bad_input", message=str(exc))
    day = parse_as_of(as_of)
    with decimal.localcontext(DECIMAL_CONTEXT):
        ev = Evaluation(book, normalised, day, False)
        try:
            if book.constraints:

                def holds(constraint: m.Constraint) -> Any:
                    ev.missing, ev.reads = [], None
                    return constraint.condition.fn(ev, None)  # type: ignore[misc]

                checker.check_constraints(normalised, holds, "en")
            outcome = ev.evaluate_decision(book.decisions[decision])
        except BadInput as exc:
            return Observation("bad_input", message=str(exc))
        except EvaluationError as exc:
            text = str(exc)
            overlap = _OVERLAP.search(text)
            if overlap and overlap.group(1) == decision:
                return Observation("overlap", [r.strip() for r in overlap.group(2).split(",")], message=text)
            gap = _GAP.search(text)
            if gap and gap.group(1) == decision:
                return Observation("gap", message=text)
            return Observation("error", message=text)
    if not outcome.determined or outcome.value is MISSING or contains_missing(outcome.value):
        return Observation("undetermined", message="missing " + ", ".join(outcome.missing))
    return Observation("determined", [rule.id for rule in outcome.rules], outcome.value)


def condition_holds(book: m.Rulebook, checker: FactChecker, facts: dict[str, Any], as_of: str, rule: m.Rule) -> bool:
    """Does the rule's condition evaluate to true for this case (whether or not it decides)?"""
    if rule.when is None:
        return True
    try:
        normalised = checker.normalise(facts)
    except BadInput:
        return False
    with decimal.localcontext(DECIMAL_CONTEXT):
        ev = Evaluation(book, normalised, parse_as_of(as_of), False)
        try:
            return rule.when.fn(ev, None) is True  # type: ignore[misc]
        except EvaluationError:
            return False
