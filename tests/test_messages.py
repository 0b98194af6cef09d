"""The command line's messages: every bad fact at once, JSON values, the right word for each mistake."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "policies.yaml"
BOOKS = ROOT / "examples" / "ru" / "books.jsonl"
SALE = {"kind": "sale", "event_date": "2024-01-10", "amount": "0.1", "resident": True, "vip": False}


def taxrules(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_every_bad_fact_is_reported_at_once_each_with_its_field() -> None:
    book = engine.load(FIXTURE, kind="decision")
    bad = {**SALE, "kind": "sael", "amount": True, "event_date": 20240502, "amout": 1}
    with pytest.raises(engine.BadInput) as caught:
        book.decide(bad)
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["kind", "event_date", "amount", "amout"]  # in the order of the facts given
    messages = dict(caught.value.problems)
    assert messages["amount"] == "amount: expected a number, got true"  # JSON, not Python's True
    assert messages["event_date"] == "event_date: expected a date YYYY-MM-DD, got 20240502"
    assert messages["kind"].startswith('kind: expected one of sale, refund, gift; got "sael"')

    proc = taxrules("decide", FIXTURE, "--facts", "-", stdin=json.dumps(bad))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "taxrules: bad facts for test.policies (4 problems):"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["kind", "event_date", "amount", "amout"]


def test_bad_items_of_a_list_of_records_are_all_reported() -> None:
    book = engine.load("at.vat_refund", kind="decision")
    assert book.model.facts["invoices"].declaration["items"]["type"] == "record"
    with pytest.raises(engine.BadInput) as caught:
        book.decide({"invoices": [{"no_such_field": 1}, {"another": 2}]})
    assert [field for field, _ in caught.value.problems] == ["invoices[0].no_such_field", "invoices[1].another"]


class Decimal_like:  # noqa: N801 - a value no JSON has, to show how it is named
    pass


def test_values_from_python_are_shown_as_json_or_by_type() -> None:
    book = engine.load(FIXTURE, kind="decision")
    with pytest.raises(engine.BadInput, match=r"^amount: expected a number, got a Decimal_like$"):
        book.decide({**SALE, "amount": Decimal_like()})
    from decimal import Decimal

    with pytest.raises(engine.BadInput, match=r"^event_date: expected a date YYYY-MM-DD, got 20240502$"):
        book.decide({**SALE, "event_date": Decimal("20240502")})


def test_yaml_facts_on_standard_input_are_read() -> None:
    yaml_facts = "kind: sale\nevent_date: 2024-01-10\namount: 0.1\nresident: true\nvip: false\n"
    proc = taxrules("decide", FIXTURE, "--facts", "-", stdin=yaml_facts)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["decisions"]["treatment"]["value"] == "taxable"


def test_check_on_a_missing_file_says_no_such_file() -> None:
    proc = taxrules("check", "nonexist.yaml")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "taxrules: no such file 'nonexist.yaml'"
    proc = taxrules("test", "some/dir/missing.yml")
    assert proc.returncode == 2 and "no such file 'some/dir/missing.yml'" in proc.stderr


def test_check_prints_its_summary_on_standard_output() -> None:
    proc = taxrules("check", FIXTURE)
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1] == "1 rulebook(s) checked, 0 error(s)"


def test_a_rule_without_an_example_is_not_a_failed_case(tmp_path: Path) -> None:
    partial = tmp_path / "partial.yaml"
    text = FIXTURE.read_text(encoding="utf-8")
    partial.write_text(text[: text.index("  - name: a refund")], encoding="utf-8")
    proc = taxrules("test", partial)
    last = proc.stdout.strip().splitlines()[-1]
    unexercised = proc.stdout.count("is not exercised by any example")
    assert unexercised >= 1
    # the examples that remain all pass: none failed, the rules are reported on their own
    assert re.fullmatch(rf"\d+ passed, 0 failed; {unexercised} rule\(s\) or check\(s\) not exercised by any example", last), last
    assert "rule 'refund' of decision 'treatment' is not exercised by any example" in proc.stdout
    assert proc.returncode == 1  # every rule must be exercised: still a rulebook error


def test_reconcile_then_without_output_shows_the_findings(tmp_path: Path) -> None:
    stand_in = tmp_path / "stand_in.yaml"
    stand_in.write_text(
        """\
id: test.then_stand_in
jurisdiction: ru
title: {en: Stand-in}
version: "1"
languages: [en]
sources:
  s: {citation: a source}
facts:
  vat_contradictions: {type: boolean}
decisions:
  flagged:
    type: boolean
    hit_policy: first
    default: false
    rules:
      - id: contradictions
        when: vat_contradictions
        value: true
        citations: [s]
        explanation: {en: contradictions found}
examples:
  - name: flagged
    facts: {vat_contradictions: true}
    expect: {flagged: true}
""",
        encoding="utf-8",
    )
    with_file = tmp_path / "findings.jsonl"
    kept = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--then", stand_in, "-o", with_file)
    assert kept.returncode == 0, kept.stderr
    findings = [json.loads(line) for line in with_file.read_text(encoding="utf-8").splitlines()]
    assert findings

    proc = taxrules("reconcile", "ru.vat_reconciliation", "--input", BOOKS, "--then", stand_in)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["decisions"]["flagged"]["value"] is True
    shown = [line for line in proc.stderr.splitlines() if line.startswith("taxrules: finding ")]
    assert len(shown) == min(len(findings), 20)
    assert {line.split()[2] for line in shown} <= {f["check"] for f in findings}


def test_reconcile_stream_without_durable_rules_says_what_to_install() -> None:
    """durable-rules is the extra `taxrules[stream]`: without it, --stream names the install
    command, while batch reconciliation, check and test of ledger books still work."""
    hide = "import sys; sys.modules['durable'] = None; sys.modules['durable_rules_engine'] = None; from engine.cli import main; sys.argv = ['taxrules', *sys.argv[1:]]; main()"
    run = lambda *args: subprocess.run([sys.executable, "-c", hide, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120)  # noqa: E731
    proc = run("reconcile", "ru.vat_reconciliation", "--stream", "--input", BOOKS)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "pip install 'taxrules[stream]'" in proc.stderr and "Traceback" not in proc.stderr
    batch = run("reconcile", "ru.vat_reconciliation", "--input", BOOKS)
    assert batch.returncode == 0 and batch.stdout.strip(), batch.stderr
    tested = run("test", ROOT / "rulebooks" / "ru" / "vat_reconciliation.yaml")
    assert tested.returncode == 0, tested.stdout
    assert "batch only: install taxrules[stream] for stream" in tested.stdout
