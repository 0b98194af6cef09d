"""The result of deciding one case: the public shape of the contract.

Built by the evaluator; turned into JSON (exact decimals, stable key order, so the same
input gives byte-identical output), or into the plain dict the HTTP API returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine import jsonout
from engine.version import ENGINE_VERSION


@dataclass
class DecisionResult:
    name: str
    value: Any  # runtime value; None when undetermined or null
    rule: str | None
    citations: list[dict[str, str]]
    explanation: str | None
    determined: bool = True
    missing_facts: list[str] = field(default_factory=list)
    rules: list[str] | None = None  # `collect`: every rule that contributed, in order

    def to_dict(self) -> dict[str, Any]:
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
    rulebook: str
    version: str
    sha256: str
    as_of: dt.date
    as_of_source: str
    language: str
    decisions: dict[str, DecisionResult]
    missing_facts: list[str]
    trace: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    facts: Any = None  # as received: with the rulebook's sha256, the record stands on its own
    normalised_facts: dict[str, Any] = field(default_factory=dict)
    engine_version: str = ENGINE_VERSION

    @property
    def status(self) -> str:
        return "decided" if all(d.determined for d in self.decisions.values()) else "undetermined"

    def value(self, decision: str) -> Any:
        return self.decisions[decision].value

    def to_dict(self) -> dict[str, Any]:
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
        return jsonout.dumps(self.to_dict(), indent=indent)
