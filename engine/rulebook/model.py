"""The loaded, checked and compiled form of a rulebook.

Everything here is built once by the loader; evaluation only reads it. Positions
(`path`) point back into the YAML source for error messages and `taxrules check`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from engine.language import types as t
from engine.language.checker import Analysis
from engine.language.compiler import Compiled
from engine.language.nodes import Node
from engine.rulebook.yamlsource import Path, SourceMap


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    text: str | None = None
    url: str | None = None

    def as_citation(self) -> dict[str, str]:
        out = {"id": self.id, "text": self.citation}
        if self.url:
            out["url"] = self.url
        return out


@dataclass
class Expression:
    text: str
    node: Node
    analysis: Analysis
    path: Path
    fn: Compiled | None = None

    @property
    def type(self) -> t.Type:
        return self.analysis.type


@dataclass
class FactSpec:
    name: str
    declaration: dict[str, Any]
    type: t.Type
    optional: bool
    description: dict[str, str]


@dataclass
class Constraint:
    id: str
    condition: Expression
    message: dict[str, str]


@dataclass
class ParameterValue:
    since: dt.date
    value: Any
    citations: tuple[str, ...]


@dataclass
class Parameter:
    name: str
    values: list[ParameterValue]  # sorted by `since`
    type: t.Type
    citations: tuple[str, ...]
    description: dict[str, str]
    _starts: list[dt.date] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [v.since for v in self.values]

    def at(self, day: dt.date) -> ParameterValue | None:
        index = bisect_right(self._starts, day) - 1
        return self.values[index] if index >= 0 else None


@dataclass
class Derived:
    name: str
    expression: Expression
    description: dict[str, str]
    citations: tuple[str, ...]


@dataclass
class Rule:
    id: str
    decision: str
    when: Expression | None
    value: Any  # the literal value, when the rule has no `expr`
    expr: Expression | None
    citations: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    explanation: dict[str, str]
    note: str | None
    path: Path

    def in_force(self, day: dt.date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)


@dataclass
class Decision:
    name: str
    type: t.Type
    hit_policy: str
    rules: list[Rule]
    has_default: bool
    default: Any
    description: dict[str, str]
    declaration: dict[str, Any]


@dataclass
class Example:
    name: str
    facts: dict[str, Any]
    as_of: str | None
    expect: dict[str, Any]
    expect_status: str | None
    expect_missing: list[str]
    expect_error: bool
    path: Path


@dataclass
class Rulebook:
    id: str
    jurisdiction: str
    title: dict[str, str]
    description: dict[str, str]
    version: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    languages: list[str]
    as_of_fact: str | None
    sources: dict[str, Source]
    facts: dict[str, FactSpec]
    constraints: list[Constraint]
    parameters: dict[str, Parameter]
    derived: dict[str, Derived]
    decisions: dict[str, Decision]
    examples: list[Example]
    file: str
    sha256: str
    source_map: SourceMap
    raw: dict[str, Any]
    warnings: list[Any] = field(default_factory=list)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))

    def rules(self) -> list[Rule]:
        return [rule for decision in self.decisions.values() for rule in decision.rules]
