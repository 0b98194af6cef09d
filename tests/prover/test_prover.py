"""`taxrules check --prove`: planted defects found, each counterexample confirmed by the
engine itself through the CLI; a clean rulebook proved clean; what the translation cannot
express reported as not proved."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("z3")

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def taxrules(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=600
    )


def findings(output: str) -> list[dict]:
    """Each `prove:` finding with its counterexample (if any) from the command's output."""
    out: list[dict] = []
    for line in output.splitlines():
        if ": prove: " in line and "not proved" not in line:
            location, message = line.split(": prove: ", 1)
            out.append({"line": int(location.split(":")[1]), "message": message, "case": None})
        elif line.strip().startswith("counterexample: ") and out:
            out[-1]["case"] = json.loads(line.split("counterexample: ", 1)[1])
    return out


def decide(book: Path, case: dict) -> subprocess.CompletedProcess:
    return taxrules("decide", str(book), "--facts", "-", "--as-of", case["as_of"], stdin=json.dumps(case["facts"]))


@pytest.fixture(scope="module")
def planted() -> tuple[subprocess.CompletedProcess, list[dict]]:
    run = taxrules("check", "--prove", str(FIXTURES / "planted.yaml"))
    return run, findings(run.stdout)


def _one(found: list[dict], pattern: str) -> dict:
    matches = [f for f in found if re.search(pattern, f["message"])]
    assert len(matches) == 1, (pattern, found)
    return matches[0]


def test_planted_defects_fail_the_check(planted):
    run, found = planted
    assert run.returncode == 1
    assert "1 overlap, 2 gap, 2 dead, 1 shadowed" in run.stdout
    assert len(found) == 6


def test_overlap_on_a_decimal_threshold_confirmed_by_the_engine(planted):
    _, found = planted
    overlap = _one(found, r"rules 'low_rate' .* and 'high_rate' .* both hold")
    case = overlap["case"]
    # where `<=` and `>=` meet: exactly the threshold in force on the case's date
    threshold = 100000 if case["as_of"] < "2022-01-01" else 120000
    assert float(case["facts"]["income"]) == threshold
    engine = decide(FIXTURES / "planted.yaml", case)
    assert engine.returncode == 1 and "rules low_rate, high_rate all apply" in engine.stderr


def test_gap_between_decimal_bounds_confirmed_by_the_engine(planted):
    _, found = planted
    gap = _one(found, r"decision 'band' .* no rule applies")
    income = float(gap["case"]["facts"]["income"])
    assert 50000 <= income <= 50000.01  # neither `< 50000` nor `> 50000.01`
    engine = decide(FIXTURES / "planted.yaml", gap["case"])
    assert engine.returncode == 1 and "no rule of decision 'band' applies" in engine.stderr


def test_gap_at_a_date_seam_confirmed_by_the_engine(planted):
    _, found = planted
    gap = _one(found, r"decision 'filing' .* no rule applies on 2021-01-01 \(a date seam")
    assert gap["case"]["as_of"] == "2021-01-01"  # valid_to 2020-12-31, valid_from 2021-01-02
    engine = decide(FIXTURES / "planted.yaml", gap["case"])
    assert engine.returncode == 1 and "no rule of decision 'filing' applies" in engine.stderr


def test_dead_rules(planted):
    _, found = planted
    assert "condition is never true" in _one(found, r"'negative_income' .* can never apply")["message"]
    assert "never in force" in _one(found, r"'expired_before_the_book' .* can never apply")["message"]


def test_shadowed_rule_confirmed_by_the_engine(planted):
    _, found = planted
    shadowed = _one(found, r"'over_200k' .* never decides")
    assert "over_100k" in shadowed["message"]
    case = shadowed["case"]
    assert float(case["facts"]["income"]) > 200000 and case["facts"]["resident"] is True
    engine = decide(FIXTURES / "planted.yaml", case)
    assert engine.returncode == 0
    assert json.loads(engine.stdout)["decisions"]["surcharge"]["rule"] == "over_100k"


def test_a_clean_rulebook_is_proved_clean():
    run = taxrules("check", "--prove", str(FIXTURES / "clean.yaml"))
    assert run.returncode == 0, run.stdout
    assert "0 overlap, 0 gap, 0 dead, 0 shadowed; 0 check(s) not proved" in run.stdout
    assert "ok   deadline (first): every case is covered; no dead rule, no shadowed rule" in run.stdout
    assert "ok   rate (unique): no two rules hold together; every case is covered" in run.stdout


def test_what_cannot_be_translated_is_not_proved_with_the_reason():
    run = taxrules("check", "--prove", str(FIXTURES / "not_provable.yaml"))
    assert run.returncode == 0  # not a defect: nothing the engine confirms
    assert "not proved (listed: no overlap: some_with_vat / no_invoices)" in run.stdout
    assert "the list fact 'invoices' (records and lists of lists of facts are not modelled)" in run.stdout
    assert "no two rules hold together" not in run.stdout


def test_time_bound_is_named_in_the_output():
    run = taxrules("check", "--prove", "--time-bound", "7", str(FIXTURES / "clean.yaml"))
    assert "of 7 s]" in run.stdout
