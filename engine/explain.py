"""Results as text a person reads: the decision summary and the full explanation trace."""

from __future__ import annotations

from typing import Any

from engine.i18n import word
from engine.result import Result
from engine.rulebook import model as m


def _show(book: m.Rulebook, name: str, value: Any, language: str) -> str:
    """A decided value as the reader writes it: an enum's label, localised numbers and dates."""
    from engine.report.model import shown

    return shown(book, name, value, language)


def _header(result: Result, book: m.Rulebook, language: str) -> list[str]:
    from engine.report.locale import date
    from engine.report.model import as_of_source_text

    return [
        f"{book.id} — {book.title_in(language)}",
        f"{word('rulebook', language)} {result.version}, sha256 {result.sha256}",
        f"{word('as_of', language)} {date(result.as_of, language)} ({word('as_of_source', language)} {as_of_source_text(result.as_of_source, language)}): "
        f"{word(result.status, language)}",
    ]


def summary_text(result: Result, book: m.Rulebook, language: str) -> str:
    lines = _header(result, book, language)
    lines += [f"! {w}" for w in result.warnings]  # warnings first: they qualify everything below
    for name, decision in result.decisions.items():
        lines.append("")
        if decision.determined:
            lines.append(f"{name} = {_show(book, name, decision.value, language)}")
            rule = decision.rule or ", ".join(decision.rules or []) or word("default", language)
            lines.append(f"  {word('rule', language)}: {rule}")
            if decision.citations:
                lines.append(f"  {word('law', language)}: " + "; ".join(c["citation"] for c in decision.citations))
            if decision.explanation:
                lines.append(f"  {word('why', language)}: {decision.explanation}")
        else:
            lines.append(f"{name} = ? ({word('missing_facts', language)}: {', '.join(decision.missing_facts)})")
    if result.missing_facts:
        lines += ["", f"{word('missing_facts', language)}: {', '.join(result.missing_facts)}"]
    return "\n".join(lines) + "\n"


def summary_markdown(result: Result, book: m.Rulebook, language: str) -> str:
    head = _header(result, book, language)
    lines = [f"## {head[0]}", "", f"_{head[1]}; {head[2]}_", ""]
    if result.warnings:
        lines += [f"> **{word('warnings', language)}**"] + [f"> - {w}" for w in result.warnings] + [""]
    lines.append(f"| {word('decision', language)} | {word('value', language)} | {word('rule', language)} | {word('law', language)} |")
    lines.append("|---|---|---|---|")
    for name, decision in result.decisions.items():
        value = _show(book, name, decision.value, language) if decision.determined else "?"
        rule = decision.rule or ", ".join(decision.rules or []) or (word("default", language) if decision.determined else "")
        law = "; ".join(c["citation"] for c in decision.citations)
        lines.append(f"| {name} | {value.replace('|', '/')} | {rule} | {law} |")
    explained = [(n, d) for n, d in result.decisions.items() if d.explanation]
    if explained:
        lines.append("")
        lines += [f"- **{name}**: {d.explanation}" for name, d in explained]
    if result.missing_facts:
        lines += ["", f"**{word('missing_facts', language)}:** {', '.join(result.missing_facts)}"]
    return "\n".join(lines) + "\n"


def explain_text(result: Result, book: m.Rulebook, language: str) -> str:
    """The whole trace, decision by decision, in words an auditor can re-check by hand:
    the audit report (engine.report) as plain text."""
    from engine.report import audit_report

    return audit_report(result, book, "text", language)
