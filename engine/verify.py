"""Re-deciding a saved result record: does the recorded rulebook still give the same outcome?

A result record (`taxrules decide --format json`) names the rulebook and the sha256 of
the file that decided, the facts as received, the as-of date and the language. Verifying
loads that rulebook (by id, or the file given), refuses when its sha256 is not the one
recorded (then it is not the law that decided), decides the recorded facts on the
recorded date, and compares the outcome: status, every decision's value and rule, the
missing facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import jsonout
from engine.i18n import Phrase

REQUIRED = ("rulebook", "sha256", "as_of", "decisions", "facts")


class BadRecord(ValueError):
    """The record is not a result record (or the rulebook it names is not the one recorded).
    Its message is an engine.i18n.Phrase: `say(exc, language)` gives it in the reader's."""


@dataclass
class Verification:
    """The outcome of re-deciding: each difference and note is an engine.i18n.Phrase
    (English text, sayable in the reader's language)."""

    same: bool
    differences: list[Phrase] = field(default_factory=list)
    notes: list[Phrase] = field(default_factory=list)
    recorded: dict[str, Any] = field(default_factory=dict)
    now: dict[str, Any] = field(default_factory=dict)


def outcome(record: dict[str, Any]) -> dict[str, Any]:
    """What must be the same: status, each decision's value and rule(s), missing facts."""
    return {
        "status": record.get("status"),
        "decisions": {
            name: {"value": d.get("value"), "rule": d.get("rule"), "rules": d.get("rules")}
            for name, d in (record.get("decisions") or {}).items()
        },
        "missing_facts": record.get("missing_facts", []),
    }


def check_record(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise BadRecord(Phrase("record_not_an_object"))
    absent = [key for key in REQUIRED if key not in record]
    if absent:
        raise BadRecord(Phrase("record_incomplete", absent=", ".join(absent)))
    if not isinstance(record["facts"], dict):
        raise BadRecord(Phrase("record_facts_not_an_object"))
    return record


def verify(record: dict[str, Any], book: Any) -> Verification:
    """Re-decide `record` with `book` (whose sha256 must be the recorded one)."""
    check_record(record)
    if book.sha256 != record["sha256"]:
        raise BadRecord(Phrase("record_other_rulebook", rulebook=book.id, file=book.file, actual=book.sha256, recorded=record["sha256"]))
    language = record.get("language") or "en"
    result = book.decide(record["facts"], as_of=record["as_of"], language=language, trace=False)
    now = jsonout.loads(result.to_json(indent=None))
    recorded_outcome, now_outcome = outcome(jsonout.loads(jsonout.dumps(record, indent=None))), outcome(now)
    differences = []
    if recorded_outcome["status"] != now_outcome["status"]:
        differences.append(Phrase("verify_differs", name="status", before=recorded_outcome["status"], after=now_outcome["status"]))
    for name in sorted(set(recorded_outcome["decisions"]) | set(now_outcome["decisions"])):
        before = recorded_outcome["decisions"].get(name)
        after = now_outcome["decisions"].get(name)
        if before != after:
            differences.append(Phrase("verify_differs", name=name, before=_show(before), after=_show(after)))
    if sorted(recorded_outcome["missing_facts"]) != sorted(now_outcome["missing_facts"]):
        differences.append(
            Phrase("verify_differs", name="missing_facts", before=str(recorded_outcome["missing_facts"]), after=str(now_outcome["missing_facts"]))
        )
    notes = []
    recorded_engine = record.get("engine_version")
    if recorded_engine and recorded_engine != result.engine_version:
        notes.append(Phrase("verify_other_engine", recorded=recorded_engine, now=result.engine_version))
    return Verification(not differences, differences, notes, recorded_outcome, now_outcome)


def _show(value: Any) -> str:
    return Phrase("verify_absent") if value is None else jsonout.dumps(value, indent=None)
