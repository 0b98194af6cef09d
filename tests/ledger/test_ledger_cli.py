"""`taxrules reconcile` (and list/check/test on ledger rulebooks) as a user runs them."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parents[2]
BOOKS = ROOT / "examples" / "ru" / "books.jsonl"
RETURN = ROOT / "examples" / "ru" / "return.json"
DESK_AUDIT = ROOT / "rulebooks" / "ru" / "desk_audit.yaml"

STAND_IN = """\
id: test.desk_audit_stand_in
jurisdiction: ru
title: {en: Stand-in for ru.desk_audit, ru: Заглушка}
version: "1"
languages: [ru, en]
sources:
  nk_88_8_1: {citation: НК РФ ст. 88 п. 8.1}
facts:
  return_type: {type: enum, values: [vat, profit]}
  vat_contradictions: {type: boolean}
  contradictions_understate_tax: {type: boolean}
decisions:
  may_demand_documents:
    type: boolean
    hit_policy: first
    default: false
    rules:
      - id: contradictions
        when: return_type == "vat" and vat_contradictions and contradictions_understate_tax
        value: true
        citations: [nk_88_8_1]
        explanation: {ru: Противоречия, en: Contradictions indicating understated tax}
"""


def taxrules(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli", *map(str, args)], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def keys(jsonl: str) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    for line in jsonl.splitlines():
        finding = json.loads(line)
        out.append((finding["check"], tuple(r["line"] for r in finding["records"])))
    return out


@pytest.fixture(scope="module")
def expected() -> list[tuple[str, tuple[int, ...]]]:
    book = engine.load("ru.vat_reconciliation")
    records = [json.loads(line) for line in BOOKS.read_text(encoding="utf-8").splitlines()]
    return book.reconcile(records).keys()


def test_batch_prints_findings_as_jsonl(expected) -> None:
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    assert keys(proc.stdout) == expected
    first = json.loads(proc.stdout.splitlines()[0])
    assert first["citations"][0]["text"].startswith("НК РФ")
    assert "по счёту-фактуре" in first["message"]
    assert {"check", "severity", "records", "values", "flags", "message", "citations", "trace"} <= set(first)
    assert "7 finding(s)" in proc.stderr and "vat_contradictions=true" in proc.stderr


def test_stream_from_standard_input(expected) -> None:
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--stream", stdin=BOOKS.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    got = keys(proc.stdout)
    assert sorted(got) == sorted(expected)
    # provable findings come as their last record arrives; absences only at the end
    assert got[0] == ("amount_mismatch", (2, 7))
    assert {check for check, _ in got[-4:]} <= {"purchase_without_sale", "sale_without_purchase", "decrease_not_restored"}


def test_output_file_and_summary(tmp_path: Path, expected) -> None:
    out = tmp_path / "findings.jsonl"
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert keys(out.read_text(encoding="utf-8")) == expected
    summary = json.loads(proc.stdout)
    assert summary["summary"] == {"vat_contradictions": True, "contradictions_understate_tax": True, "understated_findings": 4}
    assert summary["counts"]["purchase_without_sale"] == 2 and summary["records"]["sale"] == 5


def test_csv_input(tmp_path: Path, expected) -> None:
    records = [json.loads(line) for line in BOOKS.read_text(encoding="utf-8").splitlines()]
    columns = sorted({key for record in records for key in record})
    path = tmp_path / "books.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path)
    assert proc.returncode == 0, proc.stderr
    # CSV lines count the header: record n is on line n + 1
    assert keys(proc.stdout) == [(check, tuple(line + 1 for line in lines)) for check, lines in expected]


def test_bad_record_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    lines = BOOKS.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"amount": 42500.00', '"amount": "сорок"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "line 3" in proc.stderr and "sale.amount" in proc.stderr

    path.write_text('{"record": "sael", "invoice_no": "1"}\n', encoding="utf-8")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path)
    assert proc.returncode == 2 and "did you mean 'sale'" in proc.stderr


@pytest.mark.parametrize("stream", [False, True])
def test_bad_bytes_numbers_and_fields_are_named(tmp_path: Path, stream: bool) -> None:
    good = BOOKS.read_text(encoding="utf-8").splitlines()[0]
    cases = [
        (good.encode() + b"\n" + b'{"record": "sale", "invoice_no": "\xff"}\n', "not UTF-8 text"),
        ((good + "\n" + good.replace('"amount": ', '"amount": NaN, "x": ') + "\n").encode(), "line 2: sale.amount: expected a finite number"),
        ((good + "\n" + good.replace('"amount": ', '"amout": ') + "\n").encode(), "line 2: sale.amout: unknown field; did you mean 'amount'?"),
        ((good + "\n\n" + good[:-1] + "\n").encode(), "line 3: not valid JSON: Expecting ',' delimiter"),
    ]
    for content, message in cases:
        path = tmp_path / "bad.jsonl"
        path.write_bytes(content)
        if stream:
            proc = subprocess.run(
                [sys.executable, "-m", "engine.cli", "reconcile", "ru.vat_reconciliation", "--stream"],
                input=content, capture_output=True, cwd=ROOT, timeout=120,
            )
            stderr = proc.stderr.decode("utf-8", "replace")
        else:
            proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", path)  # type: ignore[assignment]
            stderr = proc.stderr  # type: ignore[assignment]
        assert "Traceback" not in stderr
        assert proc.returncode == 2, stderr
        assert message in stderr, stderr


def test_decision_rulebook_and_missing_input_are_refused() -> None:
    proc = taxrules("reconcile", "ru.invoice_adjustment", "--input", BOOKS)
    assert proc.returncode == 2 and "not a ledger rulebook" in proc.stderr
    proc = taxrules("reconcile", "ru.vat_reconciliation")
    assert proc.returncode == 2 and "--input" in proc.stderr
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", "no/such.jsonl")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_then_decides_with_the_summary(tmp_path: Path) -> None:
    stand_in = tmp_path / "stand_in.yaml"
    stand_in.write_text(STAND_IN, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"return_type": "vat", "vat_contradictions": False}), encoding="utf-8")
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--then", stand_in, "--facts", facts)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["decisions"]["may_demand_documents"]["value"] is True
    assert "replaces false" in proc.stderr  # the reconciliation overrides the facts file, and says so


@pytest.mark.skipif(not DESK_AUDIT.exists(), reason="ru.desk_audit is written by another helper")
def test_then_desk_audit() -> None:
    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--then", "ru.desk_audit", "--facts", RETURN)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    decisions = result["decisions"]
    assert "vat_contradictions" in decisions["document_request_grounds"]["value"]
    assert decisions["demandable_documents"]["value"] == ["invoices_and_primary_documents_for_contradicted_operations"]
    assert decisions["premises_inspection_allowed"]["value"] is True


def test_list_check_and_test_know_ledgers(tmp_path: Path) -> None:
    proc = taxrules("list", "--format", "json")
    rows = {row["id"]: row for row in json.loads(proc.stdout)}
    for ledger_id in ("ru.vat_reconciliation", "ru.kudir_checks"):
        assert rows[ledger_id]["kind"] == "ledger" and rows[ledger_id]["jurisdiction"] == "ru"
    proc = taxrules("test", "rulebooks/ru/vat_reconciliation.yaml", "rulebooks/ru/kudir_checks.yaml")
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"\b(\d+) passed, 0 failed", proc.stdout) and int(re.search(r"(\d+) passed", proc.stdout).group(1)) >= 13

    broken = tmp_path / "broken.yaml"
    text = (ROOT / "rulebooks" / "ru" / "kudir_checks.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("- next.date < previous.date", "- next.date < previous.dat"), encoding="utf-8")
    proc = taxrules("check", broken)
    assert proc.returncode == 1
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "next.date < previous.date" in row)
    assert f"{broken}:{line}:" in proc.stdout and "no field 'dat'" in proc.stdout and "did you mean 'date'" in proc.stdout
