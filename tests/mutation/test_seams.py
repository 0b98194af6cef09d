"""Date mutants between twin versions of a rule are equivalent by the rules' text
(engine/mutation/seams.py): the expectations follow from the fixture by hand — which
rules are in force on the one day a mutant moves, and whether they decide alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.mutation.apply import as_change
from engine.mutation.operators import mutants
from engine.mutation.run import run_book
from engine.mutation.seams import only_moves_a_day_between_twins
from engine.rulebook import model as m
from engine.rulebook.loader import load_file

TWINS = Path(__file__).parent / "fixtures" / "twins.yaml"


@pytest.fixture(scope="module")
def book() -> m.Rulebook:
    return load_file(TWINS)


def _verdicts(book: m.Rulebook) -> dict[str, list[str] | None]:
    """Rule id + mutation label -> the twins the textual check names (None: not proved)."""
    out = {}
    for mutant in mutants(book):
        if mutant.site.kind not in ("valid_from", "valid_to"):
            continue
        rule = book.decisions[mutant.site.decision].rules[mutant.site.index]
        out[f"{rule.id}: {mutant.label}"] = only_moves_a_day_between_twins(book, as_change(book, mutant))
    return out


def test_twin_versions_under_first_hand_the_day_over(book):
    verdicts = _verdicts(book)
    # 2026-01-01 gains relief_2023 (same condition and value as relief_law, in force that day)
    assert verdicts["relief_2023: valid_to +1 day: 2025-12-31  →  2026-01-01"] == ["relief_2023", "relief_law"]
    # 2025-12-31 gains relief_law, the twin of relief_2023, which comes first anyway
    assert verdicts["relief_law: valid_from −1 day: 2026-01-01  →  2025-12-31"] == ["relief_2023", "relief_law"]


def test_a_lost_day_or_a_changed_value_is_not_equivalent(book):
    verdicts = _verdicts(book)
    # 2025-12-31 without relief_2023: no rule, the default 0 instead of 12 %
    assert verdicts["relief_2023: valid_to −1 day: 2025-12-31  →  2025-12-30"] is None
    # 2026-01-01 without relief_law: nothing in force, 0
    assert verdicts["relief_law: valid_from +1 day: 2026-01-01  →  2026-01-02"] is None
    # 2023-01-01 decided by relief_2019 (10 %) instead of relief_2023 (12 %)
    assert verdicts["relief_2019: valid_to +1 day: 2022-12-31  →  2023-01-01"] is None
    # 2022-12-31 gains relief_2023, but relief_2019 (10 %) comes first: the same in effect
    assert verdicts["relief_2023: valid_from −1 day: 2023-01-01  →  2022-12-31"] == ["relief_2019", "relief_2023"]


def test_twins_under_unique_overlap(book):
    verdicts = _verdicts(book)
    # on 2026-01-01 both high_reg and high_law would hold: an overlap, not the same decision
    assert verdicts["high_reg: valid_to +1 day: 2025-12-31  →  2026-01-01"] is None
    assert verdicts["high_law: valid_from −1 day: 2026-01-01  →  2025-12-31"] is None


def test_condition_and_parameter_mutants_are_left_to_the_solver(book):
    for mutant in mutants(book):
        if mutant.site.kind not in ("valid_from", "valid_to"):
            assert only_moves_a_day_between_twins(book, as_change(book, mutant)) is None, mutant.label


def test_the_run_leaves_them_out_of_the_score(book):
    pytest.importorskip("z3")
    run = run_book(book, separate=True, time_bound=5)
    by_text = sorted(v.mutant.label for v in run.verdicts if v.equivalent and "rules' text" in v.note)
    assert by_text == [
        "valid_from −1 day: 2023-01-01  →  2022-12-31",
        "valid_from −1 day: 2026-01-01  →  2025-12-31",
        "valid_to +1 day: 2025-12-31  →  2026-01-01",
    ]
