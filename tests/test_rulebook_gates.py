"""The gates of issue 17 on the project's own rulebooks, as CI runs them.

`taxrules check --prove rulebooks` finds no defect (overlap, gap, dead or shadowed rule) that is
not explained in tests/fixtures/prove_explained.json, and the mutation score of every rulebook
never falls below the floor recorded in tests/fixtures/mutation_floor.json (the goal is 95 %;
the books written last are below it, and the floor holds them where they are until examples are
added)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("z3")

ROOT = Path(__file__).resolve().parents[1]


def taxrules(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )


EXPLAINED = ROOT / "tests" / "fixtures" / "prove_explained.json"
DEFECT = re.compile(r"^(\S+):\d+:\d+: prove: decision '(\w+)' \(.*?\): (.*)$", re.MULTILINE)


@pytest.mark.slow
def test_every_rulebook_is_proved_free_of_unexplained_overlaps_gaps_dead_and_shadowed_rules():
    explained = json.loads(EXPLAINED.read_text(encoding="utf-8"))
    run = taxrules("check", "--prove", "rulebooks")
    summaries = re.findall(r"^  (\S+): \d+ decision\(s\) proved .* — (.*);", run.stdout, re.MULTILINE)
    assert summaries, run.stdout + run.stderr
    defects = DEFECT.findall(run.stdout)
    unexplained = [
        (file, decision, what) for file, decision, what in defects if decision not in explained.get(file, {})
    ]
    assert not unexplained, run.stdout
    stale = [
        (file, decision)
        for file, decisions in explained.items()
        for decision in decisions
        if not any(f == file and d == decision for f, d, _ in defects)
    ]
    assert not stale, f"explained defects that the prover no longer finds (remove them): {stale}"
    assert run.returncode == (1 if defects else 0), run.stdout + run.stderr


FLOOR = ROOT / "tests" / "fixtures" / "mutation_floor.json"
GOAL = 0.95


def _scores(stdout: str) -> dict[str, float]:
    return {
        book: float(score) / 100
        for book, score in re.findall(r"^  (\S+): mutation score ([\d.]+)%", stdout, re.MULTILINE)
    }


@pytest.mark.slow
def test_no_rulebook_falls_below_its_recorded_mutation_score():
    """A ratchet, not yet the 95 % goal: each rulebook's score may rise but never fall below the
    floor recorded in tests/fixtures/mutation_floor.json (measured with these settings, less a
    small margin for solver time-outs on a loaded machine). A new rulebook must be given a floor
    there; one that reaches the goal is held to it."""
    floors = json.loads(FLOOR.read_text(encoding="utf-8"))
    run = taxrules("test", "--mutations", "rulebooks", "--jobs", "2", "--time-bound", "1")
    scores = _scores(run.stdout)
    assert scores, run.stdout + run.stderr
    unknown = sorted(set(scores) - set(floors))
    assert not unknown, f"rulebooks without a recorded mutation floor: {unknown}"
    below = {book: (score, floors[book]) for book, score in scores.items() if score < min(floors[book], GOAL)}
    assert not below, "\n".join(
        [f"{book}: {score:.1%} < floor {floor:.1%}" for book, (score, floor) in below.items()]
        + [line for line in run.stdout.splitlines() if line.startswith("SURVIVED")]
    )
