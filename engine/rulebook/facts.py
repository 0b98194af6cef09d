"""Checking and normalising the facts of a case against a rulebook's declarations.

Compiled once per rulebook into plain functions (a JSON Schema validator per case is too
slow for batch work); `schemas/facts/<id>.json` publishes the same rules as JSON Schema
and a test keeps the two in agreement. Every error names the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from engine.i18n import Phrase, say
from engine.language.checker import suggest
from engine.language.dates import parse_iso_date
from engine.language.values import MISSING
from engine.limits import (
    MAX_INPUT_LIST,
    MAX_INPUT_TEXT,
    MAX_NAME_LENGTH,
    MAX_SHOWN,
    LimitError,
    number_problem,
    shorten,
)
from engine.rulebook import model as m

Coercer = Callable[[Any, str], Any]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


MAX_PROBLEMS = 50  # bad facts listed in one message; the rest are counted


class FactProblem(NamedTuple):
    """One bad fact: the field (`amount`, `invoices[2].vat`) and the message naming it."""

    field: str | None
    message: str


class BadInput(LimitError):
    """Facts that break the rulebook's fact schema or the bounds of engine.limits:
    exit code 2, HTTP 422.

    `problems` lists every bad fact found, each a FactProblem (field, message); `field`
    and the message are those of the first, so code that reads one problem still works.
    """

    def __init__(self, message: str, field: str | None = None, problems: list[FactProblem] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problems: list[FactProblem] = problems if problems is not None else [FactProblem(field, message)]

    def __reduce__(self) -> Any:  # keep field and problems across processes (taxrules batch --jobs)
        return (self.__class__, (self.args[0] if self.args else str(self), self.field, self.problems))

    def in_language(self, language: str) -> BadInput:
        """The same problems (same fields, same order) said in `language`: each message
        the engine wrote itself (an engine.i18n.Phrase) translated, a rulebook's own
        constraint message kept as it is (it was chosen in the language asked)."""
        original: BadInput = getattr(self, "said_in_english", self)  # a translation translates again from it
        if language == "en":
            return original
        problems = [FactProblem(field, say(text, language)) for field, text in original.problems]
        if len(problems) > 1:
            text = "; ".join(message for _, message in problems)
        else:
            text = say(original.args[0] if original.args else str(original), language)
        translated = self.__class__(text, original.field, problems)
        translated.said_in_english = original
        translated.__cause__, translated.__suppress_context__ = original.__cause__, True
        return translated

    @classmethod
    def combine(cls, errors: list[BadInput]) -> BadInput:
        """One BadInput carrying every problem of `errors`, in order (at most MAX_PROBLEMS)."""
        if len(errors) == 1:
            return errors[0]
        problems = [problem for error in errors for problem in error.problems]
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], FactProblem(None, Phrase("more_problems", count=len(problems) - MAX_PROBLEMS))]
        return cls("; ".join(message for _, message in problems), problems[0].field, problems)


def _show(value: Any) -> str:
    """A value as the user wrote it, in JSON (`true`, `20240502`, `"x"`), shortened."""
    from engine import jsonout

    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_SHOWN:
        value = value[:MAX_SHOWN] if isinstance(value, str | list | tuple) else dict(list(value.items())[:3])
    try:
        text = jsonout.dumps(jsonout.plain(value), indent=None)
    except (TypeError, ValueError):  # not a JSON value: an object handed in from Python, a NaN
        text = str(value) if isinstance(value, Decimal | float) else f"a {type(value).__name__}"
    return shorten(text)


def _decimal(spec: dict[str, Any]) -> Coercer:
    minimum = spec.get("minimum")
    maximum = spec.get("maximum")

    def coerce(value: Any, where: str) -> Decimal:
        if isinstance(value, bool):
            raise BadInput(Phrase("fact_expected_number", where=where, got=_show(value)), where)
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))  # shortest repr: 0.2 is exactly 0.2
        elif isinstance(value, str) and _NUMBER.match(value.strip()):
            number = Decimal(value.strip())
        else:
            raise BadInput(Phrase("fact_expected_number", where=where, got=_show(value)), where)
        problem = number_problem(number)
        if problem is not None:
            if not number.is_finite():
                raise BadInput(Phrase("fact_expected_finite_number", where=where, got=_show(value)), where)
            raise BadInput(Phrase("fact_number_problem", where=where, number=shorten(str(value)), problem=problem), where)
        if minimum is not None and number < minimum:
            raise BadInput(Phrase("fact_at_least", where=where, minimum=minimum, number=number), where)
        if maximum is not None and number > maximum:
            raise BadInput(Phrase("fact_at_most", where=where, maximum=maximum, number=number), where)
        return number

    return coerce


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise BadInput(Phrase("fact_expected_boolean", where=where, got=_show(value)), where)


def _string(value: Any, where: str) -> str:
    if isinstance(value, str):
        if len(value) > MAX_INPUT_TEXT:
            raise BadInput(Phrase("fact_text_too_long", where=where, length=len(value), limit=MAX_INPUT_TEXT), where)
        return value
    raise BadInput(Phrase("fact_expected_text", where=where, got=_show(value)), where)


def coerce_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            # Fast path for the usual exact YYYY-MM-DD (C parser); anything it refuses
            # still goes through parse_iso_date below, so the outcome is the same.
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        try:
            return parse_iso_date(value.strip())
        except ValueError:
            pass
    raise BadInput(Phrase("fact_expected_date", where=where, got=_show(value)), where)


def _enum(values: list[str]) -> Coercer:
    allowed = frozenset(values)

    def coerce(value: Any, where: str) -> str:
        if isinstance(value, str) and value in allowed:
            return value
        hint = suggest(value, values) if isinstance(value, str) else ""
        raise BadInput(Phrase("fact_expected_one_of", where=where, allowed=", ".join(values), got=_show(value), hint=hint), where)

    return coerce


def coercer_for(spec: dict[str, Any]) -> Coercer:
    kind = spec["type"]
    if kind == "decimal":
        return _decimal(spec)
    if kind == "boolean":
        return _boolean
    if kind == "string":
        return _string
    if kind == "date":
        return coerce_date
    if kind == "enum":
        return _enum([str(v) for v in spec["values"]])
    if kind == "list":
        item = coercer_for(spec["items"])

        def coerce_list(value: Any, where: str) -> list[Any]:
            if not isinstance(value, list | tuple):
                raise BadInput(Phrase("fact_expected_list", where=where, got=_show(value)), where)
            if len(value) > MAX_INPUT_LIST:
                raise BadInput(Phrase("fact_list_too_long", where=where, length=len(value), limit=MAX_INPUT_LIST), where)
            out = []
            errors: list[BadInput] = []
            for i, element in enumerate(value):
                try:
                    if element is None:
                        raise BadInput(Phrase("fact_null_item", where=f"{where}[{i}]"), f"{where}[{i}]")
                    out.append(item(element, f"{where}[{i}]"))
                except BadInput as exc:
                    errors.append(exc)
            if errors:
                raise BadInput.combine(errors)
            return out

        return coerce_list
    if kind == "record":
        fields = {name: coercer_for(field_spec) for name, field_spec in spec["fields"].items()}
        names = list(fields)

        def coerce_record(value: Any, where: str) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise BadInput(Phrase("fact_expected_record", where=where, fields=", ".join(names), got=_show(value)), where)
            out = {}
            errors: list[BadInput] = []
            for key, element in value.items():
                coerce = fields.get(key)
                try:
                    if coerce is None:
                        name = shorten(str(key), MAX_NAME_LENGTH)
                        raise BadInput(Phrase("fact_unknown_field", where=f"{where}.{name}", hint=suggest(name, names), fields=", ".join(names)), f"{where}.{name}")
                    if element is not None:
                        out[key] = coerce(element, f"{where}.{key}")
                except BadInput as exc:
                    errors.append(exc)
            if errors:
                raise BadInput.combine(errors)
            return out

        return coerce_record
    raise ValueError(f"unknown fact type {kind}")  # pragma: no cover - the schema rejects it


class FactChecker:
    """Normalises one case's facts: types coerced, nulls dropped, constraints checked."""

    def __init__(self, book: m.Rulebook) -> None:
        self.book = book
        self.coercers = {name: coercer_for(spec.declaration) for name, spec in book.facts.items()}
        self.names = list(book.facts)

    def normalise(self, facts: Any, language: str = "en") -> dict[str, Any]:
        if not isinstance(facts, dict):
            raise BadInput(Phrase("facts_not_an_object", kind=type(facts).__name__))
        out: dict[str, Any] = {}
        coercers = self.coercers
        errors: list[BadInput] | None = None
        for name, value in facts.items():
            coerce = coercers.get(name)
            # A try block costs nothing until it catches (3.11): every bad fact is collected,
            # so the message lists them all at once.
            try:
                if coerce is None:
                    shown = shorten(str(name), MAX_NAME_LENGTH)  # a 100 MB name costs difflib hours
                    raise BadInput(Phrase("fact_unknown", name=shown, rulebook=self.book.id, hint=suggest(shown, self.names)), shown)
                if value is True or value is False:
                    # a boolean for a boolean fact (the usual case): _boolean would return it as is
                    out[name] = value if coerce is _boolean else coerce(value, name)
                elif value is not None:
                    out[name] = coerce(value, name)
            except BadInput as exc:
                if errors is None:
                    errors = []
                errors.append(exc)
        if errors:
            raise BadInput.combine(errors)
        return out

    def check_constraints(self, facts: dict[str, Any], evaluate: Callable[[m.Constraint], Any], language: str) -> None:
        for constraint in self.book.constraints:
            if evaluate(constraint) is False:
                message = constraint.message.get(language) or constraint.message.get("en") or next(iter(constraint.message.values()))
                fields = sorted(name for kind, name in constraint.condition.analysis.references if kind == "fact")
                raise BadInput(f"{', '.join(fields)}: {message}", fields[0] if fields else None)


__all__ = ["MISSING", "BadInput", "FactChecker", "InvalidOperation"]
