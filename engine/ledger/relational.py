"""The ledger planner's plan as relational algebra, for the SQL executors (DuckDB, Spark).

Nothing here re-derives a condition: every piece comes from `planner.CheckPlan`, which the
batch and streaming executors run too. A check becomes

    scan(alias 0) ⋈ scan(alias 1) ⋈ … [⋉̸ scan(absent alias)]

- a *scan* reads one record type with the conditions that read that alias only;
- each later alias is an inner join on the planner's hash keys for it (`keys_for`), with
  the residual conditions whose aliases are all bound at that step; two aliases of the
  same record type never bind one record (`distinct_from`);
- an `absent` part is an anti-join on the absent hash keys plus its residual conditions,
  guarded by its `pre` conditions (when they are not true nothing can be a counterpart,
  so the combination is kept).

The SQL renderer (sql.py) turns this into one SELECT per check; an expression SQL cannot
state exactly becomes a call of our compiled closure (a UDF), never an approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.ledger import model as lm
from engine.ledger.planner import CheckPlan, Join, Role


@dataclass(frozen=True)
class Scan:
    alias: str
    record: str
    filters: tuple[lm.Conjunct, ...]


@dataclass(frozen=True)
class JoinStep:
    """Bind `scan.alias` to the combinations built so far."""

    scan: Scan
    keys: tuple[Join, ...]  # equalities with earlier aliases (empty: every combination)
    conditions: tuple[lm.Conjunct, ...]  # residual conditions first decidable here
    distinct_from: tuple[str, ...]  # earlier aliases of the same record type


@dataclass(frozen=True)
class AntiJoin:
    scan: Scan
    keys: tuple[Join, ...]
    pre: tuple[lm.Conjunct, ...]  # read only matched aliases: unless all true, no counterpart
    conditions: tuple[lm.Conjunct, ...]  # everything else (non-hash joins included)
    distinct_from: tuple[str, ...]  # matched aliases of the counterpart's record type


@dataclass(frozen=True)
class RelationalCheck:
    plan: CheckPlan
    first: Scan
    first_conditions: tuple[lm.Conjunct, ...]
    steps: tuple[JoinStep, ...]
    anti: AntiJoin | None

    @property
    def check(self) -> lm.Check:
        return self.plan.check

    @property
    def aliases(self) -> list[str]:
        return [self.first.alias] + [step.scan.alias for step in self.steps]


def _scan(role: Role) -> Scan:
    return Scan(role.alias, role.record, tuple(role.filters))


def relational(plan: CheckPlan) -> RelationalCheck:
    """The relational form of one planned check."""
    stages = plan.residual_stages()
    steps = []
    for i in range(1, len(plan.roles)):
        role = plan.roles[i]
        same_type = tuple(r.alias for r in plan.roles[:i] if r.record == role.record)
        steps.append(JoinStep(_scan(role), tuple(plan.keys_for(i)), tuple(stages[i]), same_type))
    anti = None
    if plan.absent is not None:
        absent = plan.absent
        same_type = tuple(r.alias for r in plan.roles if r.record == absent.role.record)
        anti = AntiJoin(_scan(absent.role), tuple(absent.keys), tuple(absent.pre), tuple(absent.residual), same_type)
    return RelationalCheck(plan, _scan(plan.roles[0]), tuple(stages[0]), tuple(steps), anti)


def relational_plans(plans: list[CheckPlan]) -> list[RelationalCheck]:
    return [relational(plan) for plan in plans]
