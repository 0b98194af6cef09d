"""What the pages show of a result: the API's JSON result, arranged for reading.

Everything here reads the dict the JSON API returns for the same case (`Result.to_dict()`),
so the page and the API cannot disagree; the rulebook model only adds what a reader needs
beside it: labels, the rule's condition as written, and the law's words of each citation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine import jsonout
from engine.language.values import format_decimal
from engine.rulebook import model as m
from engine.web.forms import value_labels
from engine.web.strings import text


def raw_value(value: Any) -> str:
    """The value as `data-value` carries it: text as is, everything else as JSON writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return jsonout.dumps(jsonout.plain(value), indent=None)


def localised(texts: Mapping[str, str] | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def shown_value(value: Any, declaration: Mapping[str, Any], language: str) -> str:
    """The value as a person reads it: enum labels, yes/no, exact decimals, lists joined."""
    if value is None:
        return "—"
    if value is True:
        return text("yes", language)
    if value is False:
        return text("no", language)
    if isinstance(value, list):
        item_declaration = declaration.get("items") if isinstance(declaration.get("items"), Mapping) else declaration
        if not value:
            return text("none", language)
        return "; ".join(shown_value(item, item_declaration, language) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {shown_value(item, {}, language)}" for key, item in value.items())
    if isinstance(value, str) and declaration.get("values"):
        return value_labels(declaration, language).get(value, value)
    return raw_value(value)


def citation_view(book: m.Rulebook, citation: Mapping[str, Any]) -> dict[str, Any]:
    """A citation with the law's words: the result's own fields, else the rulebook's source."""
    source = book.sources.get(str(citation.get("id")))
    return {
        "id": citation.get("id"),
        "citation": citation.get("citation") or citation.get("text") or (source.citation if source else ""),
        "quote": citation.get("quote") or (source.text if source else None),
        "quote_translation": citation.get("quote_translation"),
        "url": citation.get("url") or (source.url if source else None),
    }


def _rule(book: m.Rulebook, decision: str, rule_id: str | None) -> m.Rule | None:
    if rule_id is None or decision not in book.decisions:
        return None
    return next((rule for rule in book.decisions[decision].rules if rule.id == rule_id), None)


def trace_view(book: m.Rulebook, entry: Mapping[str, Any], language: str) -> dict[str, Any]:
    """One rule considered: outcome, its condition as written, the part that decided, what it read."""
    rule = _rule(book, str(entry.get("decision")), entry.get("rule"))
    condition = entry.get("condition")
    if condition is None and rule is not None:
        condition = rule.when.text if rule.when is not None else None
    outcome = str(entry.get("outcome"))
    citations = [
        citation_view(book, {"id": c} if isinstance(c, str) else c) for c in entry.get("citations") or []
    ]
    reads = [(name, raw_value(value)) for name, value in (entry.get("facts") or {}).items()]
    reads += [(name, raw_value(value)) for name, value in (entry.get("values") or {}).items()]
    for name, parameter in (entry.get("parameters") or {}).items():
        since = parameter.get("from")
        shown = raw_value(parameter.get("value"))
        reads.append((name, f"{shown} ({text('since', language)} {since})" if since else shown))
    because = entry.get("because")
    if isinstance(because, list):
        because = "; ".join(str(part) for part in because)
    return {
        "rule": entry.get("rule"),
        "outcome": outcome,
        "outcome_text": text(outcome, language) if outcome in ("true", "false", "unknown", "not_in_force", "default") else outcome,
        "condition": condition,
        "always": rule is not None and rule.when is None,
        "because": because,
        "reads": reads,
        "missing": list(entry.get("missing") or []),
        "value": raw_value(entry["value"]) if "value" in entry else None,
        "in_force": entry.get("in_force"),
        "citations": citations,
    }


def decision_views(book: m.Rulebook, result: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """Each decision of the result, in the rulebook's order, with everything a reader needs."""
    trace = result.get("trace") or []
    out = []
    for name, decision in (result.get("decisions") or {}).items():
        model = book.decisions.get(name)
        declaration = model.declaration if model is not None else {}
        determined = "missing_facts" not in decision
        out.append(
            {
                "name": name,
                "label": localised(model.description, language) if model is not None else "",
                "determined": determined,
                "raw": raw_value(decision.get("value")) if determined else None,
                "shown": shown_value(decision.get("value"), declaration, language) if determined else None,
                "rule": decision.get("rule"),
                "rules": decision.get("rules"),
                "explanation": decision.get("explanation"),
                "citations": [citation_view(book, c) for c in decision.get("citations") or []],
                "missing_facts": decision.get("missing_facts") or [],
                "trace": [trace_view(book, entry, language) for entry in trace if entry.get("decision") == name],
            }
        )
    return out


def as_of_source(source: str, language: str) -> str:
    if source.startswith("fact:"):
        return text("as_of_source_fact", language, source.split(":", 1)[1])
    if source == "argument":
        return text("as_of_source_argument", language)
    return text("as_of_source_today", language)


def timeline_view(book: m.Rulebook, data: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The timeline's periods as rows, with a column for each decision that ever changes;
    the decisions that stay the same through every period are listed once."""
    periods = list(data.get("periods") or [])
    names = list(book.decisions)
    changing = [name for name in names if len({raw_value(p["decisions"].get(name)) for p in periods}) > 1]
    steady = [name for name in names if name not in changing]

    def cell(name: str, value: Any) -> str:
        if value == "?":
            return "?"
        declaration = book.decisions[name].declaration if name in book.decisions else {}
        return shown_value(value, declaration, language)

    rows = [
        {
            "from": period.get("from"),
            "to": period.get("to"),
            "cells": [(name, raw_value(period["decisions"].get(name)), cell(name, period["decisions"].get(name))) for name in changing],
        }
        for period in periods
    ]
    last = periods[-1]["decisions"] if periods else {}
    changes = [
        {
            "date": change.get("date"),
            "rules_in": change.get("rules_in_force_from") or [],
            "rules_out": change.get("rules_out_of_force_from") or [],
            "parameters": [(p.get("name"), raw_value(p.get("before")), raw_value(p.get("after"))) for p in change.get("parameters") or []],
            "decisions": change.get("decisions_that_change") or [],
        }
        for change in data.get("changes") or []
    ]
    return {
        "from": data.get("from"),
        "to": data.get("to"),
        "changing": [(name, localised(book.decisions[name].description, language)) for name in changing],
        "rows": rows,
        "steady": [(name, cell(name, last.get(name))) for name in steady],
        "changes": changes,
    }
