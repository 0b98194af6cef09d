"""The solver's effort bound: the same question gets the same answer however loaded the machine
is, because it is counted in the solver's own steps, not in seconds (CI once lost a proof of
equivalence to a loaded machine and a mutation score fell by one mutant)."""

from __future__ import annotations

import pytest

z3 = pytest.importorskip("z3")

from engine.prover.solve import EFFORT_PER_SECOND, effort_for  # noqa: E402


def _hard_question(effort: int) -> tuple[str, str]:
    """x³ + y³ = z³ over positive integers: z3 cannot settle it, so only a bound ends it."""
    solver = z3.Solver()
    x, y, z = z3.Ints("x y z")
    solver.add(x * x * x + y * y * y == z * z * z, x > 1, y > 1, z > 1)
    solver.set("timeout", 60_000)  # generous: the effort, not the clock, must end the check
    solver.set("rlimit", effort)
    return str(solver.check()), solver.reason_unknown()


def test_an_effort_bound_ends_an_undecidable_question_the_same_way_each_time():
    first = _hard_question(200_000)
    second = _hard_question(200_000)
    assert first == second == ("unknown", "canceled")


def test_a_time_bound_stands_for_a_fixed_number_of_solver_steps():
    assert effort_for(1) == EFFORT_PER_SECOND
    assert effort_for(0.5) == EFFORT_PER_SECOND // 2
    assert effort_for(0) == 1  # never "no limit" by accident
