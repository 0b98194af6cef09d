"""`taxrules diff` on two edited copies of a rulebook, `taxrules verify` on a saved record
and on tampered ones."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "rulebooks" / "ru" / "invoice_adjustment.yaml"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=180)


def test_diff_of_two_edited_copies(tmp_path):
    text = BOOK.read_text(encoding="utf-8")
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(text, encoding="utf-8")
    # the edit: the 2019 switch of returns moved a year later; the quote of a source changed
    assert text.count("valid_from: 2019-04-01") >= 1 and text.count("valid_to: 2019-03-31") >= 1
    edited = text.replace("valid_to: 2019-03-31", "valid_to: 2020-03-31").replace("valid_from: 2019-04-01", "valid_from: 2020-04-01")
    edited = edited.replace('version: "2026.1"', 'version: "2026.2"', 1)
    b.write_text(edited, encoding="utf-8")
    proc = run("diff", a, b, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    changed = {(c["kind"], c["name"]) for c in data["changes"]}
    assert ("rule", "document.return_before_2019_reverse_sale") in changed
    assert ("rulebook", "rulebook") in changed  # the version
    assert ("fact", "event") not in changed
    # the embedded example "return of accepted goods on 1 April 2019" now falls before the switch
    cases = {c["case"]: c for c in data["cases"]}
    case = cases["a: return of accepted goods on 1 April 2019 - the seller issues a corrective invoice"]
    assert case["decisions"]["document"] == {"before": "corrective_invoice", "after": "buyer_invoice"}
    text_out = run("diff", a, b).stdout
    assert "~ rule document.return_before_2019_reverse_sale (valid_to)" in text_out
    assert "example case(s) decide differently" in text_out


def test_diff_of_a_file_with_itself_is_empty(tmp_path):
    proc = run("diff", BOOK, BOOK, "--format", "json")
    data = json.loads(proc.stdout)
    assert data["changes"] == [] and data["cases"] == []


def record_of(tmp_path, facts="examples/ru/price_discount.json"):
    proc = run("decide", "ru.invoice_adjustment", "--facts", facts, "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "record.json"
    path.write_text(proc.stdout, encoding="utf-8")
    return path, json.loads(proc.stdout)


def test_verify_a_record(tmp_path):
    path, _ = record_of(tmp_path)
    proc = run("verify", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("same outcome")


def test_verify_a_tampered_outcome(tmp_path):
    path, record = record_of(tmp_path)
    record["decisions"]["document"]["value"] = "corrected_invoice"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    proc = run("verify", path)
    assert proc.returncode == 1
    assert "document: recorded" in proc.stdout and "corrected_invoice" in proc.stdout


def test_verify_tampered_facts(tmp_path):
    path, record = record_of(tmp_path)
    record["facts"]["event"] = "error"
    record["facts"]["error_prevents_identification"] = True
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert run("verify", path).returncode == 1


def test_verify_refuses_another_rulebook(tmp_path):
    path, record = record_of(tmp_path)
    record["sha256"] = "0" * 64
    path.write_text(json.dumps(record), encoding="utf-8")
    proc = run("verify", path)
    assert proc.returncode == 2 and "sha256" in proc.stderr and proc.stdout == ""


def test_verify_with_the_recorded_file(tmp_path):
    path, record = record_of(tmp_path)
    copy = tmp_path / "book.yaml"
    copy.write_bytes(BOOK.read_bytes())
    assert run("verify", path, "--rulebook", copy).returncode == 0
    copy.write_bytes(BOOK.read_bytes() + b"\n# an edit\n")
    assert run("verify", path, "--rulebook", copy).returncode == 2


def test_verify_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    proc = run("verify", bad)
    assert proc.returncode == 2 and "not a JSON object" in proc.stderr
    bad.write_text('{"rulebook": "ru.invoice_adjustment"}', encoding="utf-8")
    proc = run("verify", bad)
    assert proc.returncode == 2 and "has no sha256" in proc.stderr
    assert run("verify", tmp_path / "absent.json").returncode == 2
