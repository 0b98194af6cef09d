"""An uploaded ledger book: read with the ledger engine's own readers, shown as a table.

The upload is size-limited before it is parsed (the service's body limit); the records are
read by engine.ledger.records (JSON Lines, or CSV with a header) and checked by the same
`LedgerBook.reconcile_lines` that `taxrules reconcile` and the HTTP API run, so a finding
on the page is a finding everywhere. Bad input is one message naming the line and field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine import jsonout
from engine.ledger.records import numbered, read_csv, read_jsonl
from engine.rulebook.facts import BadInput
from engine.web.views import raw_value, shown_value


@dataclass
class LedgerRun:
    name: str
    records: dict[str, int]
    findings: list[dict[str, Any]]  # Finding.to_dict(language), in the engine's order
    counts: dict[str, int]  # check id -> findings
    titles: dict[str, str]  # check id -> title in the language
    summary: dict[str, tuple[str, str]]  # name -> (raw value, as shown)

    def jsonl(self) -> str:
        """The findings as `taxrules reconcile` prints them: one JSON object a line."""
        return "".join(jsonout.dumps(finding, indent=None) + "\n" for finding in self.findings)

    def csv(self) -> str:
        """The table: check, severity, records with their lines, message, citations."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["check", "severity", "records", "message", "citations"])
        for finding in self.findings:
            writer.writerow(
                [
                    finding["check"],
                    finding["severity"],
                    "; ".join(record_label(record) for record in finding["records"]),
                    finding["message"],
                    "; ".join(c.get("citation") or c.get("text") or "" for c in finding["citations"]),
                ]
            )
        return out.getvalue()


def record_label(record: dict[str, Any]) -> str:
    key = f" {record['key']}" if record.get("key") is not None else ""
    return f"{record['as']} ({record['record']}{key}, line {record['line']})"


def decode_upload(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def run_book(book: Any, data: bytes, filename: str, language: str) -> LedgerRun:
    """Reconcile the uploaded bytes: a .csv file by its header, a .json file holding one
    array of records, anything else as JSON Lines."""
    name = filename or "upload"
    stream = io.StringIO(decode_upload(data, name), newline="")
    lowered = name.lower()
    if lowered.endswith(".csv"):
        records: Iterator[tuple[int, Any]] = read_csv(stream, book.model, name)
    elif lowered.endswith(".json") and stream.getvalue().lstrip().startswith("["):
        records = numbered(_json_array(stream.getvalue(), name))
    else:
        records = read_jsonl(stream, name)
    result = book.reconcile_lines(records)
    findings = [finding.to_dict(language) for finding in result.findings]
    titles = {check.id: _title(check.title, language) for check in book.model.checks}
    summary = {key: (raw_value(value), shown_value(value, {}, language)) for key, value in result.summary.items()}
    return LedgerRun(name, dict(result.record_counts), findings, dict(result.counts), titles, summary)


def _json_array(text: str, name: str) -> list[Any]:
    """A book given as one JSON array of records (the shape the HTTP API also takes)."""
    try:
        value = jsonout.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadInput(f"{name}: not valid JSON: nested too deeply") from None
    if not isinstance(value, list):
        raise BadInput(f"{name}: expected a JSON array of records")
    return value


def _title(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
