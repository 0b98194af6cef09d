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

# law: a statute, decree, order or other normative act; official_letter: a ministry's or tax
# service's letter (with its number and date); court_decision; guideline: an authority's
# published administrative guideline (the Austrian UStR 2000): its reading of the law, binding
# on its own offices, cited beside the law it reads; secondary: a textbook, an article, the
# project's shared source documents: "see also", never the legal basis.
SOURCE_KINDS = ("law", "official_letter", "court_decision", "guideline", "secondary")


def _texts(value: Any) -> dict[str, str]:
    """A rulebook text given either once (str) or per language ({en: ..., ru: ...})."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"": str(value)}


@dataclass(frozen=True)
class Source:
    """A legal source a rule cites: the reference, the law's own words, where to read it.

    `citation` and `quote` are the texts in the law's own language; `citations` and
    `quotes` hold the per-language versions a rulebook gives (a translated reference, a
    translated quote). `kind: secondary` (a textbook, an article) may only be cited as
    "see also", never as the legal basis.
    """

    id: str
    citation: str
    quote: str | None = None
    url: str | None = None
    kind: str = "law"
    number: str | None = None
    date: str | None = None
    citations: dict[str, str] = field(default_factory=dict)
    quotes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, key: str, spec: dict[str, Any], languages: list[str]) -> Source:
        """A source from its YAML: `citation`/`quote` as text or per language; `text`
        is the older name of `quote`."""
        citations = _texts(spec.get("citation"))
        quotes = _texts(spec.get("quote", spec.get("text")))
        return cls(
            id=key,
            citation=_original(citations, languages) or key,
            quote=_original(quotes, languages),
            url=spec.get("url"),
            kind=spec.get("kind", "law"),
            number=None if spec.get("number") is None else str(spec["number"]),
            date=None if spec.get("date") is None else str(spec["date"]),
            citations={k: v for k, v in citations.items() if k},
            quotes={k: v for k, v in quotes.items() if k},
        )

    @property
    def text(self) -> str | None:
        """The quote, under its older name."""
        return self.quote

    @property
    def secondary(self) -> bool:
        return self.kind == "secondary"

    @property
    def guideline(self) -> bool:
        return self.kind == "guideline"

    def citation_in(self, language: str) -> str:
        return self.citations.get(language) or self.citation

    def quote_in(self, language: str) -> str | None:
        """The quote translated into `language` when the rulebook gives it (None otherwise)."""
        translated = self.quotes.get(language)
        return translated if translated and translated != self.quote else None

    def as_citation(self, language: str = "") -> dict[str, str]:
        """The result's citation: id, citation, quote, url (contract, second wave).
        `text` repeats `citation` for readers of the first-wave shape (deprecated)."""
        reference = self.citation_in(language)
        out = {"id": self.id, "citation": reference}
        if self.quote:
            out["quote"] = self.quote
        translated = self.quote_in(language)
        if translated:
            out["quote_translation"] = translated
        if self.url:
            out["url"] = self.url
        out["text"] = reference
        return out


def _original(texts: dict[str, str], languages: list[str]) -> str | None:
    """The text in the law's own language: the plain one, else the book's first language."""
    if "" in texts:
        return texts[""]
    for language in languages:
        if language in texts:
            return texts[language]
    return next(iter(texts.values()), None)


@dataclass
class Expression:
    text: str
    node: Node
    analysis: Analysis
    path: Path
    fn: Compiled | None = None
    _why: Any = field(default=None, repr=False, compare=False)

    @property
    def type(self) -> t.Type:
        return self.analysis.type

    def why(self) -> Any:
        """The explainer of which part of this condition decided (built on first use:
        only traces need it)."""
        if self._why is None:
            from engine.language.why import Why

            self._why = Why(self.node, self.analysis)
        return self._why


@dataclass
class FactSpec:
    name: str
    declaration: dict[str, Any]
    type: t.Type
    optional: bool
    description: dict[str, str]
    label: dict[str, str] = field(default_factory=dict)  # a short name per language
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # enum value -> per language


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
    see_also: tuple[str, ...] = ()  # secondary material: further reading, never the legal basis

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
    label: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)


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
    # decision -> the rule that must decide it (for `collect`, the contributing rules in order;
    # None: no rule, the decision is undetermined): two rules may give the same value under
    # different law, and `null` in `expect` also matches an undetermined decision
    expect_rule: dict[str, list[str] | None] = field(default_factory=dict)


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
    imports: dict[str, str] = field(default_factory=dict)  # alias -> library id (engine/rulebook/imports.py)
    # derived value -> the derived values its expression reads; and the values whose
    # chain of such dependencies is deeper than depgraph.DEEP (evaluated dependencies-first)
    derived_graph: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deep_derived: frozenset[str] = frozenset()

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))

    def rules(self) -> list[Rule]:
        return [rule for decision in self.decisions.values() for rule in decision.rules]

    def label(self, name: str, language: str) -> str:
        """A fact's, decision's, parameter's or derived value's short name in `language`
        (its `label`, else the name itself: descriptions are sentences, not labels)."""
        owner = self.facts.get(name) or self.decisions.get(name)
        labels = getattr(owner, "label", None) or {}
        return labels.get(language) or labels.get("en") or name

    def value_label(self, name: str, value: Any, language: str) -> str | None:
        """The label of an enum value of fact or decision `name` in `language`, if given."""
        owner = self.facts.get(name) or self.decisions.get(name)
        if owner is None or not isinstance(value, str):
            return None
        labels = owner.value_labels.get(value) or {}
        return labels.get(language) or labels.get("en") or None
