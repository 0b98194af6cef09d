"""The gates of issue 17 on the project's own rulebooks, as CI runs them:
`taxrules check --prove rulebooks` finds no defect (overlap, gap, dead or shadowed rule),
and `taxrules test --mutations rulebooks --min-score 0.95` passes for every rulebook."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("z3")

ROOT = Path(__file__).resolve().parents[1]


def taxrules(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=1800)


@pytest.mark.slow
def test_every_rulebook_is_proved_free_of_overlaps_gaps_dead_and_shadowed_rules():
    run = taxrules("check", "--prove", "rulebooks")
    assert run.returncode == 0, run.stdout + run.stderr
    summaries = re.findall(r"^  (\S+): \d+ decision\(s\) proved .* — (.*);", run.stdout, re.MULTILINE)
    assert summaries, run.stdout
    for book, counts in summaries:
        assert counts == "0 overlap, 0 gap, 0 dead, 0 shadowed", (book, counts)


@pytest.mark.slow
def test_every_rulebook_reaches_a_mutation_score_of_95_percent():
    run = taxrules("test", "--mutations", "rulebooks", "--min-score", "0.95", "--jobs", "2", "--time-bound", "3")
    assert run.returncode == 0, "\n".join(line for line in run.stdout.splitlines() if "mutation score" in line or "SURVIVED" in line)
    assert re.search(r"mutation score", run.stdout)
