"""Findings and the result of a reconciliation.

A finding is a check and the records it matched (one per alias, in match order), with
its flags. Everything else a reader sees — the values compared, the message in each
language, the citations, the trace of every condition — is written from those records
when the finding is shown, by the same code for both executors; so the executors agree
on findings exactly when they agree on (check, records).
"""

from __future__ import annotations

import decimal
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine import jsonout
from engine.evaluate import DECIMAL_CONTEXT
from engine.language import nodes as n
from engine.language.values import MISSING, to_text
from engine.ledger import model as lm
from engine.ledger.planner import Ctx
from engine.ledger.records import Rec

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")


def evaluate_flags(check: lm.Check, env: dict[str, Any], ctx: Ctx) -> dict[str, bool]:
    ctx.facts = env
    return {name: expr.fn(ctx, None) is True for name, expr in check.flags.items()}


class Finding:
    """One finding of a ledger check: the check, the records it matched (one per alias,
    in match order) and its flags; everything shown is written from those when asked."""

    __slots__ = ("check", "records", "flags", "ledger")

    def __init__(self, ledger: lm.Ledger, check: lm.Check, records: tuple[Rec, ...], flags: dict[str, bool]) -> None:
        self.ledger = ledger
        self.check = check
        self.records = records
        self.flags = flags

    @property
    def key(self) -> tuple[int, tuple[int, ...]]:
        """Sort key and identity: the check's position, then the lines of its records."""
        return self.check.index, tuple(r.line for r in self.records)

    @property
    def lines(self) -> dict[str, int]:
        """The line of each matched record, by alias."""
        return {alias: rec.line for (alias, _), rec in zip(self.check.aliases, self.records, strict=True)}

    def __repr__(self) -> str:
        return f"<Finding {self.check.id} {self.lines}>"

    def _env(self) -> dict[str, Any]:
        return {alias: rec.values for (alias, _), rec in zip(self.check.aliases, self.records, strict=True)}

    def values(self) -> dict[str, Any]:
        """The fields the conditions compare (alias.field) and the check's declared values."""
        env = self._env()
        out: dict[str, Any] = {}
        conjuncts = list(self.check.conjuncts) + (list(self.check.absent.conjuncts) if self.check.absent else [])
        for conjunct in conjuncts:
            for alias, name in conjunct.reads:
                if alias in env:
                    out.setdefault(f"{alias}.{name}", env[alias].get(name, MISSING))
        ctx = Ctx()
        ctx.facts = env
        for name, expr in self.check.values.items():
            out[name] = expr.fn(ctx, None)
        return out

    def trace(self) -> list[dict[str, Any]]:
        """Every condition of the check with its outcome and the values it read."""
        env = self._env()
        ctx = Ctx()
        ctx.facts = env
        out: list[dict[str, Any]] = []
        for conjunct in self.check.conjuncts:
            value = conjunct.fn(ctx, None)
            out.append(
                {
                    "condition": conjunct.text,
                    "outcome": "true" if value is True else "false" if value is False else "unknown",
                    "values": {f"{a}.{f}": jsonout.plain(env[a].get(f, MISSING)) for a, f in conjunct.reads},
                }
            )
        absent = self.check.absent
        if absent is not None:
            pre = [c for c in absent.conjuncts if absent.alias not in c.aliases]
            blocked_by = [c.text for c in pre if c.fn(ctx, None) is not True]
            entry: dict[str, Any] = {
                "absent": absent.alias,
                "record": absent.record,
                "conditions": [c.text for c in absent.conjuncts],
                "outcome": "no matching record",
            }
            known = {f"{a}.{f}": jsonout.plain(env[a].get(f, MISSING)) for c in absent.conjuncts for a, f in c.reads if a in env}
            if known:
                entry["values"] = known
            if blocked_by:
                entry["because"] = blocked_by
            out.append(entry)
        return out

    def message(self, language: str = "en", values: dict[str, Any] | None = None) -> str:
        """The check's message in `language`, its placeholders filled from the records."""
        texts = self.check.message
        template = texts.get(language) or texts.get("en") or next(iter(texts.values()))
        env = self._env()
        names = values if values is not None else self.values()

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if "." in name:
                alias, field_name = name.split(".", 1)
                return to_text(env[alias].get(field_name, MISSING)) if alias in env else match.group(0)
            if name in names:
                return to_text(names[name])
            if name in self.flags:
                return to_text(self.flags[name])
            return match.group(0)

        return _PLACEHOLDER.sub(substitute, template)

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        """The finding as one JSON Lines record of `taxrules reconcile`."""
        with decimal.localcontext(DECIMAL_CONTEXT):
            return self._to_dict(language)

    def _to_dict(self, language: str) -> dict[str, Any]:
        check = self.check
        values = self.values()
        records = []
        for (alias, record_type), rec in zip(check.aliases, self.records, strict=True):
            entry: dict[str, Any] = {"as": alias, "record": record_type, "line": rec.line}
            key = self.ledger.records[record_type].key
            if key is not None and key in rec.values:
                entry["key"] = jsonout.plain(rec.values[key])
            records.append(entry)
        sources = self.ledger.sources
        return {
            "check": check.id,
            "severity": check.severity,
            "title": check.title.get(language) or check.title.get("en") or next(iter(check.title.values())),
            "records": records,
            "values": {k: jsonout.plain(v) for k, v in values.items()},
            "flags": dict(self.flags),
            "message": self.message(language, values),
            "citations": [sources[c].as_citation(language) for c in check.citations],
            "see_also": [sources[c].as_citation(language) for c in check.see_also],
            "trace": self.trace(),
        }

    def to_json(self, language: str = "en") -> str:
        """The finding as one line of JSON."""
        return jsonout.dumps_line(self.to_dict(language))


def _is_count(node: Any) -> bool:
    return isinstance(node, n.Call) and node.function == "count"


def compute_summary(ledger: lm.Ledger, findings: list[Finding], counts: dict[str, int]) -> dict[str, Any]:
    rows = []
    for finding in findings:
        row: dict[str, Any] = {"check": finding.check.id, "severity": finding.check.severity}
        for flag in ledger.flag_names:
            row[flag] = finding.flags.get(flag, False)
        rows.append(row)
    ctx = Ctx()
    ctx.facts = {"findings": rows, "records": {name: Decimal(counts.get(name, 0)) for name in ledger.records}}
    out: dict[str, Any] = {}
    with decimal.localcontext(DECIMAL_CONTEXT):
        for name, item in ledger.summary.items():
            value = item.expr.fn(ctx, None)
            if isinstance(value, Decimal) and _is_count(item.expr.node):
                value = int(value)  # a count is a whole number: int in Python, an integer in JSON
            out[name] = None if value is MISSING else value
    return out


@dataclass
class Reconciliation:
    """What one run over a book found."""

    ledger: lm.Ledger
    executor: str  # "batch" or "stream"
    findings: list[Finding]
    record_counts: dict[str, int]
    summary: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, ledger: lm.Ledger, executor: str, findings: list[Finding], record_counts: dict[str, int], stats: dict[str, Any] | None = None) -> Reconciliation:
        ordered = sorted(findings, key=lambda f: f.key)
        counts = {name: record_counts.get(name, 0) for name in ledger.records}
        return cls(ledger, executor, ordered, counts, compute_summary(ledger, ordered, counts), stats or {})

    @property
    def counts(self) -> dict[str, int]:
        """How many findings each check made, in the order of the checks."""
        by_check = Counter(f.check.id for f in self.findings)
        return {check.id: by_check.get(check.id, 0) for check in self.ledger.checks}

    def keys(self) -> list[tuple[str, tuple[int, ...]]]:
        """(check id, lines of its records) of every finding, in order: what the executors must agree on."""
        return [(f.check.id, tuple(r.line for r in f.records)) for f in self.findings]

    def summary_dict(self) -> dict[str, Any]:
        """Which book version ran, record and finding counts, and the summary values."""
        ledger = self.ledger
        return {
            "rulebook": ledger.id,
            "version": ledger.version,
            "sha256": ledger.sha256,
            "executor": self.executor,
            "records": dict(self.record_counts),
            "findings": len(self.findings),
            "counts": self.counts,
            "summary": {k: jsonout.plain(v) for k, v in self.summary.items()},
        }

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        """summary_dict with every finding in full."""
        out = self.summary_dict()
        out["findings"] = [f.to_dict(language) for f in self.findings]
        return out

    def to_json(self, language: str = "en", indent: int | None = 2) -> str:
        """to_dict as JSON, decimals exact."""
        return jsonout.dumps_document(self.to_dict(language), indent=indent)
