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

REQUIRED = ("rulebook", "sha256", "as_of", "decisions", "facts")


class BadRecord(ValueError):
    """The record is not a result record (or the rulebook it names is not the one recorded)."""


@dataclass
class Verification:
    same: bool
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
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
        raise BadRecord("the record is not a JSON object (expected a result of `taxrules decide --format json`)")
    absent = [key for key in REQUIRED if key not in record]
    if absent:
        raise BadRecord(f"the record has no {', '.join(absent)} (expected a result of `taxrules decide --format json` with its facts)")
    if not isinstance(record["facts"], dict):
        raise BadRecord("the record's `facts` is not an object")
    return record


def verify(record: dict[str, Any], book: Any) -> Verification:
    """Re-decide `record` with `book` (whose sha256 must be the recorded one)."""
    check_record(record)
    if book.sha256 != record["sha256"]:
        raise BadRecord(
            f"the rulebook {book.id} at {book.file} has sha256 {book.sha256}, "
            f"but the record was decided by sha256 {record['sha256']}: give the recorded file with --rulebook"
        )
    language = record.get("language") or "en"
    result = book.decide(record["facts"], as_of=record["as_of"], language=language, trace=False)
    now = jsonout.loads(result.to_json(indent=None))
    recorded_outcome, now_outcome = outcome(jsonout.loads(jsonout.dumps(record, indent=None))), outcome(now)
    differences = []
    if recorded_outcome["status"] != now_outcome["status"]:
        differences.append(f"status: recorded {recorded_outcome['status']}, now {now_outcome['status']}")
    for name in sorted(set(recorded_outcome["decisions"]) | set(now_outcome["decisions"])):
        before = recorded_outcome["decisions"].get(name)
        after = now_outcome["decisions"].get(name)
        if before != after:
            differences.append(f"{name}: recorded {_show(before)}, now {_show(after)}")
    if sorted(recorded_outcome["missing_facts"]) != sorted(now_outcome["missing_facts"]):
        differences.append(f"missing_facts: recorded {recorded_outcome['missing_facts']}, now {now_outcome['missing_facts']}")
    notes = []
    recorded_engine = record.get("engine_version")
    if recorded_engine and recorded_engine != result.engine_version:
        notes.append(f"decided by engine {recorded_engine}, re-decided by engine {result.engine_version}")
    return Verification(not differences, differences, notes, recorded_outcome, now_outcome)


def _show(value: Any) -> str:
    return "absent" if value is None else jsonout.dumps(value, indent=None)
