"""What changed between two versions of a rulebook file, and which cases it changes.

A reviewer of a rulebook change wants two answers: what was edited (facts, parameters,
rules, sources — compared by name, so moving text around is no change) and what the
edit does (the examples of both versions, decided by both, wherever the decisions
differ). Both versions are loaded and compiled by the ordinary loader.
"""

from __future__ import annotations

from typing import Any

from engine import jsonout
from engine.i18n import message, word
from engine.rulebook import model as m


def _rule_shape(rule: m.Rule) -> dict[str, Any]:
    return {
        "when": rule.when.text if rule.when else None,
        "value": jsonout.plain(rule.value) if rule.expr is None else None,
        "expr": rule.expr.text if rule.expr else None,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "citations": list(rule.citations),
        "see_also": list(rule.see_also),
        "explanation": rule.explanation,
    }


def _compare(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append({"kind": kind, "name": name, "change": "removed"})
        elif name not in old:
            out.append({"kind": kind, "name": name, "change": "added"})
        elif old[name] != new[name]:
            fields = old[name], new[name]
            changed = sorted(k for k in set(fields[0]) | set(fields[1]) if fields[0].get(k) != fields[1].get(k)) if all(isinstance(f, dict) for f in fields) else []
            out.append({"kind": kind, "name": name, "change": "changed", "fields": changed, "before": jsonout.plain(old[name]), "after": jsonout.plain(new[name])})
    return out


def structure_changes(a: m.Rulebook, b: m.Rulebook) -> list[dict[str, Any]]:
    def facts(book: m.Rulebook) -> dict[str, Any]:
        return {name: dict(spec.declaration) for name, spec in book.facts.items()}

    def parameters(book: m.Rulebook) -> dict[str, Any]:
        return {
            name: {"values": [{"from": v.since, "value": v.value, "citations": list(v.citations)} for v in p.values]}
            for name, p in book.parameters.items()
        }

    def rules(book: m.Rulebook) -> dict[str, Any]:
        return {f"{rule.decision}.{rule.id}": _rule_shape(rule) for rule in book.rules()}

    def decisions(book: m.Rulebook) -> dict[str, Any]:
        return {
            name: {"type": str(d.type), "hit_policy": d.hit_policy, "rules": [r.id for r in d.rules], "default": jsonout.plain(d.default) if d.has_default else "(none)"}
            for name, d in book.decisions.items()
        }

    def derived(book: m.Rulebook) -> dict[str, Any]:
        return {name: {"expr": d.expression.text} for name, d in book.derived.items()}

    def sources(book: m.Rulebook) -> dict[str, Any]:
        return {
            key: {"citation": s.citation, "quote": s.quote, "url": s.url, "kind": s.kind, "citations": s.citations, "quotes": s.quotes}
            for key, s in book.sources.items()
        }

    meta_a = {"rulebook": {"id": a.id, "version": a.version, "valid_from": a.valid_from, "valid_to": a.valid_to, "languages": a.languages}}
    meta_b = {"rulebook": {"id": b.id, "version": b.version, "valid_from": b.valid_from, "valid_to": b.valid_to, "languages": b.languages}}
    out = _compare("rulebook", meta_a, meta_b)
    for kind, view in (("fact", facts), ("parameter", parameters), ("derived", derived), ("decision", decisions), ("rule", rules), ("source", sources)):
        out += _compare(kind, view(a), view(b))
    return out


def case_changes(book_a: Any, book_b: Any) -> list[dict[str, Any]]:
    """The examples of both versions whose decisions differ between them."""
    from engine.rulebook.facts import BadInput

    cases: dict[str, tuple[Any, Any]] = {}
    for origin, book in (("a", book_a), ("b", book_b)):
        for example in book.model.examples:
            if not example.expect_error:
                cases.setdefault(f"{origin}: {example.name}", (example.facts, example.as_of))
    out = []
    for name, (facts, as_of) in cases.items():
        outcomes = []
        for book in (book_a, book_b):
            try:
                result = book.decide(facts, as_of=as_of, trace=False)
                outcomes.append({d: (r.value if r.determined else "?") for d, r in result.decisions.items()})
            except BadInput as exc:
                outcomes.append({"(bad input)": str(exc)})
            except Exception as exc:  # an evaluation error of one version is itself a difference
                outcomes.append({"(error)": f"{type(exc).__name__}: {exc}"})
        before, after = outcomes
        differing = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        if differing:
            out.append({
                "case": name,
                "facts": jsonout.plain(facts),
                "decisions": {k: {"before": jsonout.plain(before.get(k)), "after": jsonout.plain(after.get(k))} for k in differing},
            })
    return out


def diff(book_a: Any, book_b: Any) -> dict[str, Any]:
    return {
        "a": {"file": book_a.model.file, "id": book_a.model.id, "version": book_a.model.version, "sha256": book_a.model.sha256},
        "b": {"file": book_b.model.file, "id": book_b.model.id, "version": book_b.model.version, "sha256": book_b.model.sha256},
        "changes": structure_changes(book_a.model, book_b.model),
        "cases": case_changes(book_a, book_b),
    }


def diff_text(data: dict[str, Any], language: str = "en") -> str:
    """The diff for a reviewer, in `language`; names, fields and values as in the files."""
    def show(value: Any) -> str:
        text = jsonout.dumps(value, indent=None)
        return text if len(text) <= 200 else text[:197] + "..."

    lines = [f"--- {data['a']['file']} ({data['a']['version']}, sha256 {data['a']['sha256'][:12]})",
             f"+++ {data['b']['file']} ({data['b']['version']}, sha256 {data['b']['sha256'][:12]})"]
    if not data["changes"]:
        lines.append(message("diff_no_change", language))
    for change in data["changes"]:
        mark = {"added": "+", "removed": "-", "changed": "~"}[change["change"]]
        line = f"{mark} {word('change_' + change['kind'], language)} {change['name']}"
        if change["change"] == "changed":
            line += f" ({', '.join(change['fields'])})" if change["fields"] else ""
            lines.append(line)
            for key in change["fields"] or []:
                lines.append(f"    {key}: {show(change['before'].get(key))} → {show(change['after'].get(key))}")
        else:
            lines.append(line)
    lines.append("")
    lines.append(message("diff_cases", language, count=len(data["cases"])))
    for case in data["cases"]:
        lines.append(f"  {case['case']}")
        for name, values in case["decisions"].items():
            lines.append(f"    {name}: {show(values['before'])} → {show(values['after'])}")
    return "\n".join(lines) + "\n"
