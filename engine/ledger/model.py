"""The loaded, checked and compiled form of a ledger rulebook.

Built once by `loader.py`; the planner and both executors only read it. Every
expression is parsed, type-checked and compiled with the decision engine's own
language (engine/language); positions (`path`) point back into the YAML source.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from engine.language import types as t
from engine.language.checker import Analysis
from engine.language.compiler import Compiled
from engine.language.nodes import Node
from engine.rulebook.model import FactSpec, Source
from engine.rulebook.yamlsource import Path, SourceMap

SEVERITIES = ("error", "warning", "info")
RECORD_KEY = "record"  # the field of an input record that names its record type




@dataclass
class RecordType:
    name: str
    fields: dict[str, FactSpec]  # a field is declared exactly as a decision rulebook's fact
    key: str | None  # a field shown beside the line number in findings (e.g. the entry's number)
    description: dict[str, str]
    path: Path

    @property
    def type(self) -> t.Type:
        return t.record({name: spec.type for name, spec in self.fields.items()})

    @functools.cached_property
    def required(self) -> frozenset[str]:
        """The fields every checked record of this type has (not declared `optional`)."""
        return frozenset(name for name, spec in self.fields.items() if not spec.optional)


@dataclass
class Expr:
    """One checked and compiled expression of the ledger."""

    text: str
    node: Node
    analysis: Analysis
    fn: Compiled
    path: Path
    aliases: frozenset[str]  # the record aliases it reads

    @property
    def type(self) -> t.Type:
        return self.analysis.type


@dataclass
class Conjunct:
    """One condition of a check's `when` (the top-level `and` is split into these)."""

    index: int
    text: str  # as the trace shows it
    node: Node
    analysis: Analysis
    fn: Compiled
    aliases: frozenset[str]
    reads: tuple[tuple[str, str], ...]  # (alias, field) pairs it reads, in order, for the trace
    path: Path
    part: str  # "match" or "absent"


@dataclass
class Absent:
    alias: str
    record: str
    conjuncts: list[Conjunct]
    path: Path


@dataclass
class Check:
    id: str
    index: int
    severity: str
    title: dict[str, str]
    aliases: list[tuple[str, str]]  # (alias, record type) in match order
    conjuncts: list[Conjunct]
    absent: Absent | None
    flags: dict[str, Expr]
    values: dict[str, Expr]
    message: dict[str, str]
    citations: tuple[str, ...]  # the legal basis: primary law, official letters, court decisions
    note: str | None
    path: Path
    see_also: tuple[str, ...] = ()  # secondary material: further reading, never the legal basis (as a decision rule's)

    @property
    def alias_names(self) -> list[str]:
        return [alias for alias, _ in self.aliases]

    def record_types(self) -> set[str]:
        types = {record for _, record in self.aliases}
        if self.absent is not None:
            types.add(self.absent.record)
        return types


@dataclass
class SummaryItem:
    name: str
    type: t.Type
    expr: Expr
    description: dict[str, str]


@dataclass
class ExpectedFinding:
    check: str
    records: dict[str, int]  # alias -> line (1-based position among the example's records)
    flags: dict[str, bool]
    path: Path


@dataclass
class Example:
    name: str
    records: list[Any]
    expect: list[ExpectedFinding]
    expect_summary: dict[str, Any]
    expect_error: bool
    path: Path


@dataclass
class Ledger:
    id: str
    jurisdiction: str
    title: dict[str, str]
    description: dict[str, str]
    version: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    languages: list[str]
    sources: dict[str, Source]
    records: dict[str, RecordType]
    checks: list[Check]
    summary: dict[str, SummaryItem]
    flag_names: list[str]  # every flag any check declares, in first-declared order
    examples: list[Example]
    file: str
    sha256: str
    source_map: SourceMap
    raw: dict[str, Any]
    warnings: list[Any] = field(default_factory=list)
    plans: list[Any] = field(default_factory=list)  # planner.CheckPlan per check, set by the loader
    imports: dict[str, str] = field(default_factory=dict)  # alias -> library id (engine/rulebook/imports.py)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))

    def check(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)
