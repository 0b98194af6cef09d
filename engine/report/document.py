"""The rulebook as a document a lawyer signs off and a reviewer diffs.

Title and description; the facts with their meanings (and the labels of enum values);
the parameters as tables of dated values; each decision as a decision table (its hit
policy, one row per rule: condition, value, validity, citations), the law's words of
every source it cites; the embedded examples as a table. In any of the rulebook's
languages; the conditions stay as written (they are the rulebook's own text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import jsonout
from engine.i18n import word, words
from engine.language.values import to_text
from engine.report import locale
from engine.report.model import Citation, citation_view, shown
from engine.rulebook import model as m


@dataclass
class FactRow:
    name: str
    label: str
    type: str
    meaning: str
    values: list[tuple[str, str]]  # enum value, its label
    optional: bool


@dataclass
class ParameterTable:
    name: str
    label: str
    meaning: str
    rows: list[tuple[str, str, str]]  # from, value, citations
    # a table-valued parameter (a record per date) reads better turned: one row per key,
    # one column per date; (dates, [(key, [value on each date])])
    matrix: tuple[list[str], list[tuple[str, list[str]]]] | None = None


@dataclass
class RuleRow:
    id: str
    condition: str
    value: str
    validity: str
    citations: list[Citation]
    see_also: list[Citation]
    explanation: str
    note: str | None


@dataclass
class DecisionTable:
    name: str
    label: str
    meaning: str
    type: str
    hit_policy: str
    hit_policy_text: str
    default: str | None
    rows: list[RuleRow]


@dataclass
class ExampleRow:
    name: str
    as_of: str
    facts: str
    expected: str


@dataclass
class Document:
    language: str
    id: str
    title: str
    description: str
    version: str
    jurisdiction: str
    validity: str
    languages: list[str]
    sha256: str
    facts: list[FactRow]
    parameters: list[ParameterTable]
    derived: list[tuple[str, str, str]]  # name, expression, meaning
    decisions: list[DecisionTable]
    sources: list[Citation]
    examples: list[ExampleRow]
    words: dict[str, str] = field(default_factory=dict)


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def _span(start: Any, end: Any, language: str) -> str:
    if start is None and end is None:
        return word("always", language)
    return f"{locale.value(start, language) if start else '…'} – {locale.value(end, language) if end else '…'}"


def _matrix(parameter: m.Parameter, language: str) -> tuple[list[str], list[tuple[str, list[str]]]] | None:
    if not parameter.values or not all(isinstance(v.value, dict) for v in parameter.values):
        return None
    keys: list[str] = []
    for entry in parameter.values:
        keys += [key for key in entry.value if key not in keys]
    dates = [locale.date(entry.since, language) for entry in parameter.values]
    rows = [(key, [locale.value(entry.value.get(key), language) for entry in parameter.values]) for key in keys]
    return dates, rows


def build_document(book: m.Rulebook, language: str) -> Document:
    facts = []
    for name, spec in book.facts.items():
        decl = spec.declaration
        facts.append(
            FactRow(
                name=name,
                label=book.label(name, language),
                type=str(spec.type),
                meaning=_text(spec.description, language),
                values=[(v, book.value_label(name, v, language) or "") for v in decl.get("values", [])],
                optional=spec.optional,
            )
        )
    parameters = [
        ParameterTable(
            name=name,
            label=book.label(name, language),
            meaning=_text(p.description, language),
            rows=[
                (locale.date(v.since, language), locale.value(v.value, language), "; ".join(book.sources[c].citation_in(language) for c in (v.citations or p.citations)))
                for v in p.values
            ],
            matrix=_matrix(p, language),
        )
        for name, p in book.parameters.items()
    ]
    derived = [(name, d.expression.text, _text(d.description, language)) for name, d in book.derived.items()]
    decisions = []
    for name, decision in book.decisions.items():
        rows = []
        for rule in decision.rules:
            value = rule.expr.text if rule.expr is not None else locale.value(rule.value, language)
            label = book.value_label(name, rule.value, language) if rule.expr is None and isinstance(rule.value, str) else None
            if label:
                value = f"{label} ({rule.value})"  # the lawyer reads the label, the reviewer the value
            rows.append(
                RuleRow(
                    id=rule.id,
                    condition=rule.when.text if rule.when else word("always", language),
                    value=value,
                    validity=_span(rule.valid_from, rule.valid_to, language),
                    citations=[citation_view(book.sources[c], language) for c in rule.citations],
                    see_also=[citation_view(book.sources[c], language, see_also=True) for c in rule.see_also],
                    explanation=_text(rule.explanation, language),
                    note=rule.note,
                )
            )
        default = None
        if decision.has_default and not (decision.hit_policy == "collect" and decision.default == []):
            default = shown(book, name, decision.default, language)
        decisions.append(
            DecisionTable(
                name=name,
                label=book.label(name, language),
                meaning=_text(decision.description, language),
                type=str(decision.type),
                hit_policy=decision.hit_policy,
                hit_policy_text=word("policy_" + decision.hit_policy, language),
                default=default,
                rows=rows,
            )
        )
    examples = [
        ExampleRow(
            name=example.name,
            as_of=locale.value(example.as_of, language) if example.as_of else "",
            facts=", ".join(f"{key} = {shown(book, key, jsonout.plain(value), language)}" for key, value in (example.facts or {}).items()),
            expected=(
                "bad input" if example.expect_error else
                ", ".join(f"{key} = {shown(book, key, jsonout.plain(value), language)}" for key, value in example.expect.items())
                + (f" ({example.expect_status})" if example.expect_status else "")
            ),
        )
        for example in book.examples
    ]
    return Document(
        language=language,
        id=book.id,
        title=book.title_in(language),
        description=_text(book.description, language) if book.description else "",
        version=book.version,
        jurisdiction=book.jurisdiction,
        validity=_span(book.valid_from, book.valid_to, language),
        languages=list(book.languages),
        sha256=book.sha256,
        facts=facts,
        parameters=parameters,
        derived=derived,
        decisions=decisions,
        sources=[citation_view(source, language, see_also=source.secondary) for source in book.sources.values()],
        examples=examples,
        words=words(language),
    )


def document_html(book: m.Rulebook, language: str) -> str:
    from engine.report.html import fragment

    return fragment("document.html.j2", doc=build_document(book, language))


def document_page(book: m.Rulebook, language: str) -> str:
    from engine.report.html import page

    doc = build_document(book, language)
    return page(document_html(book, language), f"{doc.title} ({doc.id} {doc.version})", language)


def _cell(text: Any) -> str:
    return to_text(text).replace("|", "\\|").replace("\n", " ") if not isinstance(text, str) else text.replace("|", "\\|").replace("\n", " ")


def document_markdown(book: m.Rulebook, language: str) -> str:
    doc = build_document(book, language)
    w = doc.words
    out = [f"# {doc.title}", "", f"`{doc.id}` · {w['version']} {doc.version} · {w['validity']} {doc.validity} · sha256 `{doc.sha256}`", ""]
    if doc.description:
        out += [doc.description, ""]
    out += [f"## {w['facts']}", "", f"| {w['name']} | {w['type']} | {w['meaning']} | {w['values_allowed']} |", "|---|---|---|---|"]
    for f in doc.facts:
        values = ", ".join(f"`{v}`" + (f" ({label})" if label else "") for v, label in f.values)
        name = f"`{f.name}`" + (f" {f.label}" if f.label != f.name else "") + (f" ({w['optional']})" if f.optional else "")
        out.append(f"| {name} | {f.type} | {_cell(f.meaning)} | {_cell(values)} |")
    if doc.parameters:
        out += ["", f"## {w['parameters']}"]
        for p in doc.parameters:
            out += ["", f"### `{p.name}`" + (f" — {_cell(p.meaning)}" if p.meaning else ""), "", f"| {w['from']} | {w['value']} | {w['citations']} |", "|---|---|---|"]
            if p.matrix is not None:
                out[-2:] = [f"| | {' | '.join(p.matrix[0])} |", "|---|" + "---|" * len(p.matrix[0])]
                out += [f"| `{key}` | {' | '.join(_cell(v) for v in values)} |" for key, values in p.matrix[1]]
                out.append(f"| {w['citations']} | {' | '.join(_cell(cites) for _, _, cites in p.rows)} |")
            else:
                out += [f"| {since} | {_cell(value)} | {_cell(cites)} |" for since, value, cites in p.rows]
    if doc.derived:
        out += ["", f"## {w['derived_heading']}", "", f"| {w['name']} | {w['expression']} | {w['meaning']} |", "|---|---|---|"]
        out += [f"| `{name}` | `{_cell(expr)}` | {_cell(meaning)} |" for name, expr, meaning in doc.derived]
    out += ["", f"## {w['decisions']}"]
    for d in doc.decisions:
        out += ["", f"### `{d.name}`" + (f" {d.label}" if d.label != d.name else "") + (f" — {_cell(d.meaning)}" if d.meaning else ""), ""]
        out.append(f"{w['hit_policy']}: **{d.hit_policy}** ({d.hit_policy_text})" + (f"; {w['default_value']}: {d.default}" if d.default is not None else ""))
        out += ["", f"| {w['rule']} | {w['condition']} | {w['value']} | {w['validity']} | {w['citations']} |", "|---|---|---|---|---|"]
        for r in d.rows:
            cites = "; ".join(c.citation for c in r.citations) + "".join(f"; {w['see_also']}: {c.citation}" for c in r.see_also)
            out.append(f"| `{r.id}` | `{_cell(r.condition)}` | {_cell(r.value)} | {r.validity} | {_cell(cites)} |")
    out += ["", f"## {w['sources']}", ""]
    for c in doc.sources:
        kind = w.get(f"kind_{c.kind}")  # an official letter, a court decision, a guideline
        out.append(f"- **{c.citation}**" + (f" ({w['see_also']})" if c.see_also else "") + (f" ({kind})" if kind else "") + (f" <{c.url}>" if c.url else "") + f" `{c.id}`")
        if c.quote:
            out.append(f"  > {c.quote}")
        if c.translation:
            out.append(f"  > {w['translation']}: {c.translation}")
    if doc.examples:
        out += ["", f"## {w['examples']}", "", f"| # | {w['name']} | {w['as_of']} | {w['facts']} | {w['expected']} |", "|---|---|---|---|---|"]
        out += [f"| {i} | {_cell(e.name)} | {e.as_of} | {_cell(e.facts)} | {_cell(e.expected)} |" for i, e in enumerate(doc.examples, 1)]
    return "\n".join(out) + "\n"
