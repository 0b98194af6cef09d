"""The command line: outputs, exit codes (0 / 1 / 2), and never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "policies.yaml"
SALE = {"kind": "sale", "event_date": "2024-01-10", "amount": "0.1", "resident": True, "vip": False}


def taxrules(*args, stdin=None, env=None):
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def facts_file(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(SALE), encoding="utf-8")
    return path


def test_decide_prints_exact_json(facts_file):
    proc = taxrules("decide", FIXTURE, "--facts", facts_file)
    assert proc.returncode == 0, proc.stderr
    assert '"value": 0.02' in proc.stdout  # 0.1 × 0.20, rounded half-up to kopecks
    data = json.loads(proc.stdout)
    assert data["status"] == "decided" and data["decisions"]["treatment"]["value"] == "taxable"


def test_decide_from_stdin_is_byte_identical(facts_file):
    first = taxrules("decide", FIXTURE, "--facts", "-", stdin=json.dumps(SALE))
    second = taxrules("decide", FIXTURE, "--facts", facts_file)
    assert first.returncode == 0 and first.stdout == second.stdout


def test_undetermined_is_a_success():
    facts = {k: v for k, v in SALE.items() if k != "resident"}
    proc = taxrules("decide", FIXTURE, "--facts", "-", stdin=json.dumps(facts))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["missing_facts"] == ["resident"]


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ('{"kind": "sael"}', "kind: expected one of sale, refund, gift; got \"sael\""),
        ('{"amount": "lots"}', "amount: expected a number"),
        ("{not json", "not valid JSON"),
        ('["a list"]', "the facts must be an object"),
    ],
)
def test_bad_facts_exit_2_with_one_message(stdin, fragment):
    proc = taxrules("decide", FIXTURE, "--facts", "-", stdin=stdin)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_unknown_rulebook_exits_2():
    proc = taxrules("decide", "ru.invoice_adjustmnt", "--facts", "-", stdin="{}")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "unknown rulebook 'ru.invoice_adjustmnt'" in proc.stderr


def test_unreadable_facts_file_exits_2(tmp_path):
    proc = taxrules("decide", FIXTURE, "--facts", tmp_path / "nope.json")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_bad_as_of_exits_2(facts_file):
    proc = taxrules("decide", FIXTURE, "--facts", facts_file, "--as-of", "yesterday")
    assert proc.returncode == 2 and "--as-of: expected a date YYYY-MM-DD, got \"yesterday\"" in proc.stderr
    assert "bad facts" not in proc.stderr  # the date argument is not a fact


def test_text_and_markdown_formats(facts_file):
    text = taxrules("decide", FIXTURE, "--facts", facts_file, "--format", "text", "--lang", "ru")
    assert text.returncode == 0 and "treatment = taxable" in text.stdout and "Продажа резидента" in text.stdout
    markdown = taxrules("decide", FIXTURE, "--facts", facts_file, "--format", "markdown")
    assert "| treatment | taxable | sale | НК РФ ст. 1 п. 1 |" in markdown.stdout


def test_explain_renders_the_trace(facts_file):
    proc = taxrules("explain", FIXTURE, "--facts", facts_file, "--lang", "de")
    assert proc.returncode == 0
    assert "Entscheidung: treatment = taxable" in proc.stdout
    assert "gift_old: an diesem Tag nicht in Kraft" in proc.stdout or "gift_old" not in proc.stdout
    assert "rate = 0,20 (seit 01.01.2019)" in proc.stdout  # German marks: decimal comma, dd.mm.yyyy
    assert "keine Texte in 'de'" in proc.stderr  # the fixture speaks ru and en: a warning, in German


def test_check_reports_file_line_col_and_exits_1(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(FIXTURE.read_text(encoding="utf-8").replace("and resident", "and residnt"), encoding="utf-8")
    proc = taxrules("check", broken)
    assert proc.returncode == 1
    assert f"{broken}:" in proc.stdout and "unknown name 'residnt'" in proc.stdout
    assert taxrules("check", FIXTURE).returncode == 0


def test_test_command_counts_and_names_unexercised_rules(tmp_path):
    proc = taxrules("test", FIXTURE)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("6 passed, 0 failed")
    partial = tmp_path / "partial.yaml"
    text = FIXTURE.read_text(encoding="utf-8")
    partial.write_text(text[: text.index("  - name: a refund")], encoding="utf-8")
    proc = taxrules("test", partial)
    assert proc.returncode == 1
    assert "rule 'refund' of decision 'treatment' is not exercised by any example" in proc.stdout


def test_failing_example_is_reported(tmp_path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(FIXTURE.read_text(encoding="utf-8").replace("tax_due: 200.00", "tax_due: 200.01"), encoding="utf-8")
    proc = taxrules("test", wrong)
    assert proc.returncode == 1
    assert "tax_due: expected 200.01, got 200.00" in proc.stdout


def test_list_finds_rulebooks_on_taxrules_path(tmp_path):
    import os

    env = dict(os.environ, TAXRULES_PATH=str(FIXTURE.parent))
    proc = taxrules("list", "--format", "json", env=env)
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    row = next(r for r in rows if r["id"] == "test.policies")
    assert row["version"] == "1.0" and row["valid_from"] == "2015-01-01"
    proc = taxrules("decide", "test.policies", "--facts", "-", stdin=json.dumps(SALE), env=env)
    assert proc.returncode == 0


def test_schema_command_prints_the_fact_schema():
    proc = taxrules("schema", FIXTURE)
    schema = json.loads(proc.stdout)
    assert schema["properties"]["kind"]["anyOf"][0]["enum"] == ["sale", "refund", "gift"]
