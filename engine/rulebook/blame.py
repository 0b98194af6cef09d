"""Out-of-range values and spent budgets, reported as bad input naming the facts.

When a sound rule meets facts that drive a value out of range (`add_days` past
9999-12-31, a product past 10^999999) or make a decision do more work than the budget
allows, the caller must hear "your facts", not "the rulebook is broken": exit code 2,
HTTP 422, and a message naming the facts the failing rule (or derived value) reads and
where that rule is in its file.

The evaluator's hot loop records nothing for this: the rule or derived value being
evaluated is read, once the error is caught, from the locals of the evaluator's frames
on the exception's traceback (`rule` in Evaluation.evaluate_decision, `name` in
Evaluation.derived), so a case that does not fail pays nothing.
"""

from __future__ import annotations

from types import TracebackType

from engine.i18n import Phrase
from engine.language.errors import BudgetExceeded, EvaluationError
from engine.rulebook import model as m
from engine.rulebook.facts import BadInput


def _culprits(traceback: TracebackType | None) -> tuple[m.Rule | None, str | None, m.Constraint | None]:
    """The innermost rule, derived value and constraint being evaluated when it failed."""
    rule = derived = constraint = None
    while traceback is not None:
        frame = traceback.tb_frame
        code = frame.f_code.co_name
        local = frame.f_locals
        if code == "evaluate_decision" and isinstance(local.get("rule"), m.Rule):
            rule, derived = local["rule"], None
        elif code == "derived" and isinstance(local.get("name"), str) and "self" in local:
            derived = local["name"]
        elif code == "holds" and isinstance(local.get("constraint"), m.Constraint):
            constraint = local["constraint"]
        traceback = traceback.tb_next
    return rule, derived, constraint


def facts_read(book: m.Rulebook, references: set[tuple[str, str]]) -> list[str]:
    """The facts read by expressions with these references, through derived values."""
    facts: set[str] = set()
    seen: set[str] = set()
    pending = list(references)
    while pending:
        kind, name = pending.pop()
        if kind == "fact":
            facts.add(name)
        elif kind == "derived" and name not in seen and name in book.derived:
            seen.add(name)
            pending.extend(book.derived[name].expression.analysis.references)
    return sorted(facts)


def _references(*expressions: m.Expression | None) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for expression in expressions:
        if expression is not None:
            out |= expression.analysis.references
    return out


def input_error(book: m.Rulebook, exc: EvaluationError) -> BadInput:
    """A ValueOutOfRange or BudgetExceeded as bad input naming the facts it came from."""
    rule, derived, constraint = _culprits(exc.__traceback__)
    origin: Phrase | str = ""
    references: set[tuple[str, str]] = set()
    if derived is not None and derived in book.derived:
        references = _references(book.derived[derived].expression)
        line, column = book.source_map.position(("derived", derived))
        origin = Phrase("in_derived", name=derived, position=f"{book.file}:{line}:{column}")
    elif rule is not None:
        references = _references(rule.when, rule.expr)
        line, column = book.source_map.position(rule.path)
        origin = Phrase("in_rule", rule=rule.id, decision=rule.decision, position=f"{book.file}:{line}:{column}")
    elif constraint is not None:
        references = _references(constraint.condition)
        origin = Phrase("in_constraint", constraint=constraint.id)
    fields = facts_read(book, references)
    what = Phrase("lead_to_budget") if isinstance(exc, BudgetExceeded) else Phrase("lead_to_range")
    subject = ", ".join(fields) + ": " if fields else ""
    return BadInput(Phrase("facts_lead_to", subject=subject, what=what, origin=origin, detail=str(exc)), fields[0] if fields else None)
