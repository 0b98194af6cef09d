"""Errors of the expression language, positioned within the expression text."""

from __future__ import annotations


class ExpressionError(Exception):
    """A problem found in an expression at load time.

    `line`/`column` are 1-based within the expression's own text; the rulebook loader
    maps them onto the YAML file before showing them to the author.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class EvaluationError(Exception):
    """A problem that only shows when a case is evaluated (division by zero, a bad date).

    These are rulebook errors, not bad input: the CLI reports them with exit code 1.
    """


class ValueOutOfRange(EvaluationError):
    """A value computed from the facts left the range numbers and dates can have (a
    product past 10^999999, a date past 9999-12-31, a count too large to be one).

    The rulebook is sound; the facts drove it there, so the evaluator reports this as
    bad input naming the facts the rule read (exit code 2, HTTP 422)."""


class BudgetExceeded(EvaluationError):
    """A decision did more work than engine.limits' budget allows: a positioned error,
    reported as bad input (the facts asked for more than one decision may do)."""
