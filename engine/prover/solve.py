"""Asking the solver one question at a time, within a time bound, for a concrete case.

A satisfiable answer is turned into a case (as-of date and facts). Calendar functions are
uninterpreted in the formula; before a model is accepted, every calendar function the
model evaluates is checked against the real one on the model's dates, and where they
disagree the true value is added as a lemma and the solver asked again (a few rounds),
so counterexamples rarely rest on an impossible calendar.

Two bounds hold each question. The *effort* is z3's resource limit (`rlimit`), counted in
the solver's own steps: the same question gets the same answer on a fast machine and on a
loaded one, so a proof or a mutation score does not change with the load. The wall-clock
*seconds* are only a safety net for a question whose steps are unusually slow.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import z3

from engine.prover.translate import Shared

REFINEMENT_ROUNDS = 8
# z3 resource units per second of solving, measured on the CI machine (2 cores, z3 4.16:
# about 10 M units a second); a time bound of t seconds buys t × this many units per check.
EFFORT_PER_SECOND = 5_000_000


def effort_for(seconds: float) -> int:
    """The deterministic solver effort that a time bound stands for."""
    return max(1, int(seconds * EFFORT_PER_SECOND))


@dataclass
class Answer:
    status: str  # sat | unsat | unknown
    case: tuple[str, dict[str, Any]] | None = None
    free: list[str] = field(default_factory=list)  # why the formula is not exact, if it is not
    seconds: float = 0.0
    model: z3.ModelRef | None = None
    bounded: list[str] = field(default_factory=list)  # list facts read: an unsat answer holds for lists up to the bound

    @property
    def within(self) -> str:
        """' (for lists of facts of up to N items: xs)' when the answer rests on the bound."""
        if not self.bounded:
            return ""
        from engine.prover.space import LIST_ITEMS

        return f" (for lists of facts of up to {LIST_ITEMS} items: {', '.join(self.bounded)})"


def _to_term(value: Any, shared: Shared) -> Any:
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    if isinstance(value, dt.date):
        return z3.IntVal(value.toordinal())
    if isinstance(value, str):
        return z3.IntVal(shared.space.texts.code(value))
    return None


def _distinct_apps(formulas: list[Any]) -> Iterator[Any]:
    """Every distinct application term in the formulas, each once (terms are shared DAGs)."""
    seen: set[int] = set()
    stack = list(formulas)
    while stack:
        term = stack.pop()
        key = term.get_id()
        if key in seen:
            continue
        seen.add(key)
        if z3.is_app(term):
            yield term
            stack.extend(term.children())


def applications_in(formulas: list[Any]) -> set[int]:
    """The ids of the calendar-function applications the formulas contain."""
    return {term.get_id() for term in _distinct_apps(formulas) if term.decl().name().startswith("fn!")}


def free_reasons(shared: Shared, formulas: list[Any]) -> list[str]:
    """The reasons behind every stand-in value and calendar function in the formulas."""
    reasons: dict[str, None] = {}
    for term in _distinct_apps(formulas):
        name = term.decl().name()
        if term.num_args() == 0 and name in shared.reasons:
            reasons[shared.reasons[name]] = None
        elif name.startswith("fn!"):
            reasons[f"{name[3:]}() is known to the solver only by its bounds (checked against the calendar on each answer)"] = None
    return list(reasons)


def bounded_lists(shared: Shared, formulas: list[Any]) -> list[str]:
    """The list facts the formulas read (by their length variables): the solver sees at most
    LIST_ITEMS items of each, so a proof over them is a proof for lists that short."""
    lengths = {variable.get_id(): name for name, variable in shared.space.list_lengths.items()}
    if not lengths:
        return []
    return sorted({lengths[term.get_id()] for term in _distinct_apps(formulas) if term.get_id() in lengths})


class Session:
    """One solver with a rulebook's fact domain and constraints asserted once."""

    def __init__(self, shared: Shared, base: list[Any]) -> None:
        self.shared = shared
        self.solver = z3.Solver()
        self.solver.add(*base)
        self.base = base
        self._sides = 0

    def _sync_sides(self) -> None:
        sides = self.shared.side
        if self._sides < len(sides):
            self.solver.add(*sides[self._sides:])
            self._sides = len(sides)

    def ask(self, goal: Any, seconds: float, block: list[Any] | None = None, effort: int | None = None) -> Answer:
        """Sat (with a case), unsat or unknown. Each solver check spends at most `effort`
        resource units (deterministic) and the whole question at most `seconds` (a safety net)."""
        started = time.monotonic()
        deadline = started + max(seconds, 0.05)
        self._sync_sides()  # at the base level, so they outlive this question
        synced = self._sides
        self.solver.push()
        try:
            self.solver.add(goal)
            for extra in block or ():
                self.solver.add(extra)
            relevant: set[int] | None = None
            for _ in range(REFINEMENT_ROUNDS + 1):
                self._sync_sides()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Answer("unknown", seconds=time.monotonic() - started)
                self.solver.set("timeout", max(1, int(remaining * 1000)))
                self.solver.set("rlimit", effort or 0)  # 0: no resource limit
                result = self.solver.check()
                if result == z3.unsat:
                    return Answer("unsat", seconds=time.monotonic() - started, bounded=bounded_lists(self.shared, [goal, *(block or ())]))
                if result != z3.sat:
                    return Answer("unknown", seconds=time.monotonic() - started)
                model = self.solver.model()
                if relevant is None:
                    relevant = applications_in([goal])
                if not self._refine(model, relevant):
                    case = self.shared.space.case(model)
                    return Answer("sat", case, free_reasons(self.shared, [goal]), time.monotonic() - started, model)
            return Answer("unknown", seconds=time.monotonic() - started, free=["the working-day calendar: no case agreeing with the holidays was found"])
        finally:
            self.solver.pop()
            self._sides = synced  # lemmas learnt inside the question: asserted again at the base level next time

    def _refine(self, model: z3.ModelRef, relevant: set[int]) -> bool:
        """Add the true value of each calendar function the model got wrong; True if any."""
        added = 0
        for _name, impl, args, result in self.shared.applications:
            if impl is None or result.get_id() not in relevant:
                continue
            raw = model.eval(args[0], model_completion=True)
            if not z3.is_int_value(raw):
                continue
            ordinal = raw.as_long()
            if not 1 <= ordinal <= dt.date.max.toordinal():
                continue
            try:
                truth = impl(dt.date.fromordinal(ordinal))
            except Exception:  # noqa: BLE001 - outside the calendar's range: leave it free
                continue
            expected = _to_term(truth, self.shared)
            if expected is None:
                continue
            got = model.eval(result, model_completion=True)
            if z3.is_true(z3.simplify(got == expected)):
                continue
            # the true values of the whole year around the wrong one: the solver would
            # otherwise step to the next day and be wrong again
            first = dt.date(dt.date.fromordinal(ordinal).year, 1, 1).toordinal()
            for day in range(max(first - 15, 1), first + 381):
                try:
                    truth = impl(dt.date.fromordinal(day))
                except Exception:  # noqa: BLE001
                    continue
                lemma = z3.substitute(result, (args[0], z3.IntVal(day))) == _to_term(truth, self.shared)
                self.shared.add_side(lemma)
            added += 1
            if added >= 8:
                break
        return added > 0
