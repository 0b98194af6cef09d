"""The result of deciding one case: the public shape of the contract.

Built by the evaluator; turned into JSON (exact decimals, stable key order, so the same
input gives byte-identical output), or into the plain dict the HTTP API returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import jsonout
from engine.version import ENGINE_VERSION


@dataclass
class DecisionResult:
    """One decision of a case: its value (None when undetermined or null), the rule that
    made it (every contributing rule for `collect`), the law behind it and why."""

    name: str
    value: Any  # runtime value; None when undetermined or null
    rule: str | None
    citations: list[dict[str, str]]
    explanation: str | None
    determined: bool = True
    missing_facts: list[str] = field(default_factory=list)
    rules: list[str] | None = None  # `collect`: every rule that contributed, in order

    def to_dict(self) -> dict[str, Any]:
        """The decision as in the result JSON (values as JSON-ready data, decimals exact)."""
        out: dict[str, Any] = {
            "value": jsonout.plain(self.value),
            "rule": self.rule,
        }
        if self.rules is not None:
            out["rules"] = self.rules
        out["citations"] = self.citations
        out["explanation"] = self.explanation
        if not self.determined:
            out["missing_facts"] = self.missing_facts
        return out


@dataclass
class Result:
    """The outcome of one case: the contract's result (`to_dict`/`to_json`), which rulebook
    version decided on which date, every decision, the missing facts and the trace."""

    rulebook: str
    version: str
    sha256: str
    as_of: dt.date
    as_of_source: str
    language: str
    decisions: dict[str, DecisionResult]
    missing_facts: list[str]
    trace: list[dict[str, Any]]  # given as a list, or as the function that builds it (see below)
    warnings: list[str] = field(default_factory=list)
    facts: Any = None  # as received: with the rulebook's sha256, the record stands on its own
    normalised_facts: dict[str, Any] = field(default_factory=dict)
    engine_version: str = ENGINE_VERSION

    def explain(self, lang: str | None = None, format: str = "text") -> str:  # noqa: A002 - the CLI's --format
        """The audit report of this case (what `taxrules explain --lang L --format F` prints):
        text, markdown or html, in `lang` (default: the language it was decided in).

        In another language the case is decided again from the same facts, so that the
        rules' own explanations are in that language too. Only a result made by
        `Book.decide` knows its rulebook. The language policy is Book.decide's
        (docs/languages.md): UnknownLanguage (a ValueError) for a language neither the
        book nor the engine speaks.
        """
        decided_by = getattr(self, "_decided_by", None)  # (Book, facts), set by engine.api.Book
        if decided_by is None:
            raise ValueError("this result does not know its rulebook: decide it with engine.load(...).decide()")
        book, facts = decided_by
        from engine.report import audit_report

        result = self
        if lang is not None and lang != self.language:
            result = book.decide(facts, as_of=self.as_of if self.as_of_source in ("argument", "today") else None, lang=lang)
            result.as_of_source = self.as_of_source
        return audit_report(result, book.model, format, result.language)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_trace"] = self.trace  # a pickled result carries its trace built, not the case in progress
        return state

    @property
    def status(self) -> str:
        """`decided` when every decision has a value, else `undetermined`."""
        return "decided" if all(d.determined for d in self.decisions.values()) else "undetermined"

    def value(self, decision: str) -> Any:
        """The value of one decision (None when undetermined)."""
        return self.decisions[decision].value

    def to_dict(self) -> dict[str, Any]:
        """The result as in schemas/result.schema.json (the HTTP body), decimals kept exact."""
        return {
            "rulebook": self.rulebook,
            "version": self.version,
            "sha256": self.sha256,
            "engine_version": self.engine_version,
            "as_of": self.as_of.isoformat(),
            "as_of_source": self.as_of_source,
            "language": self.language,
            "status": self.status,
            "decisions": {name: d.to_dict() for name, d in self.decisions.items()},
            "missing_facts": self.missing_facts,
            "warnings": self.warnings,
            "facts": jsonout.plain(self.facts),
            "normalised_facts": jsonout.plain(self.normalised_facts),
            "trace": self.trace,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The result JSON: exact decimals, stable key order (same input, same bytes)."""
        return jsonout.dumps_document(self.to_dict(), indent=indent)


def _trace(self: Result) -> list[dict[str, Any]]:
    trace = self.__dict__["_trace"]
    if not isinstance(trace, list):
        trace = self.__dict__["_trace"] = trace()
    return trace


def _set_trace(self: Result, trace: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]]) -> None:
    self.__dict__["_trace"] = trace


# The evaluator hands over the trace as a function (engine/evaluate.py, Evaluation.trace_entries):
# its entries, with each failed condition's deciding part, are built the first time
# `result.trace` is read (to_dict, reports) and kept, so deciding with the trace on costs
# little more than deciding without it. Readers see a list, always.
Result.trace = property(_trace, _set_trace, doc="The trace: one entry per rule considered and per derived value computed.")  # type: ignore[assignment]
