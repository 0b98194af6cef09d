"""An uploaded ledger book: read as the JSON API reads it, shown as a table.

The upload is size-limited before it is parsed (the service's body limit); JSON Lines or a
JSON array are read by the reader of `POST /rulebooks/{id}/reconcile`, CSV (with a header)
by engine.ledger.records, and the records are checked by the same
`LedgerBook.reconcile_lines` the API and `taxrules reconcile` run, so a finding on the page
is a finding everywhere. Bad input is one message naming the line and field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine import jsonout
from engine.ledger.records import read_csv
from engine.rulebook.facts import BadInput
from engine.service.ledger import parse_records
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
        """The table: check, severity, records with their lines, message, citations, see also."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["check", "severity", "records", "message", "citations", "see_also"])
        for finding in self.findings:
            writer.writerow(
                [
                    finding["check"],
                    finding["severity"],
                    "; ".join(record_label(record) for record in finding["records"]),
                    finding["message"],
                    "; ".join(c.get("citation") or c.get("text") or "" for c in finding["citations"]),
                    "; ".join(c.get("citation") or "" for c in finding.get("see_also", [])),
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
    """Reconcile the uploaded bytes: a .csv file by its header; anything else as JSON Lines
    or one JSON array, read as `POST /rulebooks/{id}/reconcile` reads its body."""
    name = filename or "upload"
    text = decode_upload(data, name)
    if name.lower().endswith(".csv"):
        records: Iterable[tuple[int, Any]] = read_csv(io.StringIO(text, newline=""), book.model, name)
    else:
        records = parse_records(text)
    result = book.reconcile_lines(records, "batch", owned=True)
    answer = result.to_dict(language)  # the body the JSON API answers with
    titles = {check.id: _title(check.title, language) for check in book.model.checks}
    summary = {key: (raw_value(value), shown_value(value, {}, language)) for key, value in result.summary.items()}
    return LedgerRun(name, dict(answer["records"]), answer["findings"], dict(answer["counts"]), titles, summary)


def _title(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")
