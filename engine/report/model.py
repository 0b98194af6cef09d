"""The audit report's model: one result and its rulebook, arranged as an auditor reads it.

Every renderer (text, markdown, HTML, the web workbench) consumes this one model, so they
cannot disagree about which rule decided, which condition failed on which values, or
which law applied. Everything here is already in the reader's language: labels, values
with the reader's number and date marks, the engine's own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.i18n import word, words
from engine.report import locale
from engine.result import Result
from engine.rulebook import model as m


@dataclass
class Citation:
    id: str
    citation: str
    quote: str | None
    translation: str | None  # the quote in the reader's language, when the rulebook has it
    url: str | None
    kind: str
    see_also: bool = False  # secondary material: further reading, not the legal basis


@dataclass
class Read:
    """One value a rule or a deciding part read: its name, label and value as shown."""

    name: str
    label: str
    shown: str
    raw: Any


@dataclass
class Part:
    """A deciding part of a condition: `value_before > value_after` is false, on these values."""

    expression: str
    outcome: str
    verdict: str
    values: list[Read]


@dataclass
class RuleLine:
    id: str | None
    outcome: str  # true | false | unknown | not_in_force | default
    outcome_text: str
    condition: str | None
    because: list[Part]
    value_shown: str | None
    in_force: str | None
    reads: list[Read]  # facts read
    values: list[Read]  # derived values, decisions and the law's dated values read
    missing: list[str]
    citations: list[Citation]
    see_also: list[Citation]


@dataclass
class DecisionView:
    name: str
    label: str
    description: str
    value_shown: str
    raw_value: Any
    determined: bool
    rule: str  # the deciding rule(s), or the default
    explanation: str | None
    condition: str | None  # the deciding rule's condition
    citations: list[Citation]
    see_also: list[Citation]
    held: list[RuleLine]
    not_held: list[RuleLine]  # false or unknown, each with its deciding part
    not_in_force: list[RuleLine]
    missing: list[str]
    hit_policy: str


@dataclass
class DerivedLine:
    """A derived value computed for the case, with what it read."""

    value: Read
    facts: list[Read]
    values: list[Read]


@dataclass
class Report:
    language: str
    title: str
    rulebook: str
    version: str
    sha256: str
    engine_version: str
    jurisdiction: str
    as_of: str
    as_of_source: str
    status: str
    status_text: str
    warnings: list[str]
    decisions: list[DecisionView]
    facts: list[Read]  # every fact of the case, as the engine read it
    missing_facts: list[Read]
    derived: list[DerivedLine]
    words: dict[str, str] = field(default_factory=dict)


def citation_view(source: m.Source, language: str, see_also: bool = False) -> Citation:
    return Citation(
        id=source.id,
        citation=source.citation_in(language),
        quote=source.quote,
        translation=source.quote_in(language),
        url=source.url,
        kind=source.kind,
        see_also=see_also,
    )


def shown(book: m.Rulebook, name: str, raw: Any, language: str) -> str:
    """A value as the reader sees it: an enum's label, else the localised value."""
    label = book.value_label(name, raw, language) if isinstance(raw, str) else None
    if isinstance(raw, list) and raw and all(isinstance(item, str) for item in raw):
        labels = [book.value_label(name, item, language) or item for item in raw]
        return ", ".join(labels)
    return label if label else locale.value(raw, language)


def _read(book: m.Rulebook, name: str, raw: Any, language: str) -> Read:
    return Read(name, book.label(name, language), shown(book, name, raw, language), raw)


def as_of_source_text(source: str, language: str) -> str:
    if source.startswith("fact:"):
        return f"{word('from_fact', language)} {source[5:]}"
    return word("as_of_" + source, language) if source in ("argument", "today") else source


def build(result: Result, book: m.Rulebook, language: str) -> Report:
    rules = {(rule.decision, rule.id): rule for rule in book.rules()}
    decisions = []
    for name, decision in result.decisions.items():
        spec = book.decisions[name]
        lines = [_rule_line(book, entry, rules, language) for entry in result.trace if entry.get("decision") == name]
        deciding = [rules[(name, rule_id)] for rule_id in (decision.rules or ([decision.rule] if decision.rule else []))]
        see_also: dict[str, Citation] = {}
        for rule in deciding:
            for key in rule.see_also:
                see_also.setdefault(key, citation_view(book.sources[key], language, see_also=True))
        if decision.determined:
            rule_text = ", ".join(rule.id for rule in deciding) or word("default", language)
            value_shown = shown(book, name, decision.value, language)
            if spec.hit_policy == "collect" and not decision.value:
                value_shown = word("none", language)
        else:
            rule_text, value_shown = "—", "?"
        decisions.append(
            DecisionView(
                name=name,
                label=book.label(name, language),
                description=spec.description.get(language) or spec.description.get("en") or "",
                value_shown=value_shown,
                raw_value=decision.value,
                determined=decision.determined,
                rule=rule_text,
                explanation=decision.explanation or (word("no_rule_applied", language) if decision.determined and not deciding else None),
                condition=deciding[0].when.text if len(deciding) == 1 and deciding[0].when else None,
                citations=[citation_view(book.sources[c["id"]], language) for c in decision.citations],
                see_also=list(see_also.values()),
                held=[line for line in lines if line.outcome in ("true", "default")],
                not_held=[line for line in lines if line.outcome in ("false", "unknown")],
                not_in_force=[line for line in lines if line.outcome == "not_in_force"],
                missing=list(decision.missing_facts) if not decision.determined else [],
                hit_policy=spec.hit_policy,
            )
        )
    facts = [_read(book, name, raw, language) for name, raw in result.normalised_facts.items()]
    derived = [
        DerivedLine(_read(book, entry["derived"], entry["value"], language), *_reads(book, entry, language))
        for entry in result.trace
        if "derived" in entry
    ]
    return Report(
        language=language,
        title=book.title_in(language),
        rulebook=result.rulebook,
        version=result.version,
        sha256=result.sha256,
        engine_version=result.engine_version,
        jurisdiction=book.jurisdiction,
        as_of=locale.date(result.as_of, language),
        as_of_source=as_of_source_text(result.as_of_source, language),
        status=result.status,
        status_text=word(result.status, language),
        warnings=list(result.warnings),
        decisions=decisions,
        facts=facts,
        missing_facts=[Read(name, book.label(name, language), "—", None) for name in result.missing_facts],
        derived=derived,
        words=words(language),
    )


def _reads(book: m.Rulebook, entry: dict[str, Any], language: str) -> tuple[list[Read], list[Read]]:
    """A trace entry's reads: the facts, and the other values (derived, decisions, the
    law's dated values with the date each applies from)."""
    facts = [_read(book, key, raw, language) for key, raw in (entry.get("facts") or {}).items()]
    values = [_read(book, key, raw, language) for key, raw in (entry.get("values") or {}).items()]
    values += [
        Read(key, book.label(key.split("@")[0], language), f"{locale.value(p['value'], language)} ({word('since', language)} {locale.value(p['from'], language)})", p["value"])
        for key, p in (entry.get("parameters") or {}).items()
    ]
    return facts, values


def _rule_line(book: m.Rulebook, entry: dict[str, Any], rules: dict[tuple[str, str], m.Rule], language: str) -> RuleLine:
    rule = rules.get((entry["decision"], entry["rule"])) if entry.get("rule") else None
    outcome = entry["outcome"]
    parts = [
        Part(
            expression=part["expression"],
            outcome=part["outcome"],
            verdict=word("is_" + part["outcome"], language),
            values=[_read(book, key, raw, language) for key, raw in part["values"].items()],
        )
        for part in entry.get("because_parts", [])
    ]
    reads, values = _reads(book, entry, language)
    span = entry.get("in_force")
    in_force = None
    if span:
        start = locale.value(span["from"], language) if span["from"] else "…"
        end = locale.value(span["to"], language) if span["to"] else "…"
        in_force = f"{start} – {end}"
    value_shown = None
    if outcome in ("true", "default") and "value" in entry:
        value_shown = shown(book, entry["decision"], entry["value"], language)
    return RuleLine(
        id=entry.get("rule"),
        outcome=outcome,
        outcome_text=word(outcome, language),
        condition=entry.get("condition") if rule is not None else None,
        because=parts,
        value_shown=value_shown,
        in_force=in_force,
        reads=reads,
        values=values,
        missing=list(entry.get("missing", [])),
        citations=[citation_view(book.sources[c], language) for c in (rule.citations if rule else ())],
        see_also=[citation_view(book.sources[c], language, see_also=True) for c in (rule.see_also if rule else ())],
    )
