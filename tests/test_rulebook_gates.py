"""The gates of issue 17 on the project's own rulebooks, as CI runs them.

`taxrules check --prove rulebooks` finds no defect (overlap, gap, dead or shadowed rule) that is
not explained in tests/fixtures/prove_explained.json, and `taxrules test --mutations rulebooks
--min-score 0.95` passes: every rulebook's examples catch at least 95 % of the mutants that are
not equivalent, and no rulebook falls below the floor recorded in
tests/fixtures/mutation_floor.json (its measured score, held up to the 95 % goal)."""

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
def test_every_rulebook_reaches_the_mutation_score_goal_and_keeps_its_floor():
    """Issue 17's gate: `taxrules test --mutations rulebooks --min-score 0.95` exits 0. The floors
    in tests/fixtures/mutation_floor.json are the measured scores (deterministic: the solver's
    effort is bounded, not its time); a book is held to its floor up to the goal, so a new rule
    without boundary examples may cost a book points above 95 % but never the goal. A new
    rulebook must be given a floor there."""
    floors = json.loads(FLOOR.read_text(encoding="utf-8"))
    run = taxrules("test", "--mutations", "rulebooks", "--min-score", str(GOAL), "--jobs", "2", "--time-bound", "1")
    scores = _scores(run.stdout)
    assert scores, run.stdout + run.stderr
    unknown = sorted(set(scores) - set(floors))
    assert not unknown, f"rulebooks without a recorded mutation floor: {unknown}"
    below = {book: (score, floors[book]) for book, score in scores.items() if score < min(floors[book], GOAL)}
    survivors = [line for line in run.stdout.splitlines() if line.startswith("SURVIVED")]
    assert not below, "\n".join([f"{book}: {score:.1%} < floor {floor:.1%}" for book, (score, floor) in below.items()] + survivors)
    assert run.returncode == 0, "\n".join([line for line in run.stdout.splitlines() if "below 95%" in line] + survivors)
