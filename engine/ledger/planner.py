"""Planning a check: which conditions filter one record, which join two, what is left.

Every condition (conjunct of `when`) is classified once, when the ledger loads:

- a *filter* reads one alias only: it is evaluated once per record;
- a *join* compares an expression of one alias with an expression of another
  (`sale.invoice_no == purchase.invoice_no`, `next.no == prev.no + 1`,
  `next.date < prev.date`). Equalities of scalar values are hash keys for the batch
  executor and the durable-rules ruleset's conditions (values encoded losslessly, see
  `encode`); inequalities and orderings are residual;
- everything else is *residual*: evaluated by the compiled expression on a complete
  combination of records, before a finding is reported.

Both executors accept a combination of records only if every condition is true (three-
valued logic: unknown is not true), so planning changes speed, never meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine import limits
from engine.language import nodes as n
from engine.language import types as t
from engine.language.checker import Analysis, Checker, Symbol
from engine.language.compiler import compile_expression
from engine.language.errors import BudgetExceeded, EvaluationError
from engine.language.values import MISSING
from engine.ledger import model as lm

SCALAR_KINDS = ("string", "decimal", "date", "boolean")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


# -- evaluation context -------------------------------------------------------------------


class _Discard:
    """`ctx.missing` for ledger evaluation: which fields were missing is not reported
    (a condition that is unknown is simply not true), so nothing is kept."""

    __slots__ = ()

    def append(self, item: Any) -> None:
        pass

    def extend(self, items: Any) -> None:
        pass

    def __len__(self) -> int:
        return 0

    def __delitem__(self, key: Any) -> None:
        pass


class Ctx:
    """What compiled expressions receive: `facts` maps each alias to its record's values."""

    __slots__ = ("facts", "missing", "reads")

    def __init__(self) -> None:
        self.facts: dict[str, Any] = {}
        self.missing: Any = _Discard()
        self.reads: dict[str, Any] | None = None

    def derived(self, name: str) -> Any:  # pragma: no cover - ledgers have no derived values
        raise EvaluationError(f"no derived value {name!r} in a ledger")

    def decision(self, name: str) -> Any:  # pragma: no cover
        raise EvaluationError(f"no decision {name!r} in a ledger")

    def parameter(self, name: str) -> Any:  # pragma: no cover
        raise EvaluationError(f"no parameter {name!r} in a ledger")

    def parameter_on(self, name: str, day: Any) -> Any:  # pragma: no cover
        raise EvaluationError(f"no parameter {name!r} in a ledger")

    def charge(self, steps: int, where: str) -> None:
        """A ledger's conditions run once per record or pair: each loop is bounded on
        its own by the budget (engine.limits), the run as a whole by the book's size."""
        if steps > limits.BUDGET.steps:
            raise BudgetExceeded(f"a loop over {steps:,} items exceeds the budget of {limits.BUDGET.steps:,} steps {where}")


SideFn = Callable[[Ctx, dict[str, Any]], Any]


def _plain_field(node: n.Node, analysis: Analysis) -> str | None:
    """The field name when the expression is just `alias.field`."""
    if isinstance(node, n.Field) and isinstance(node.target, n.Name):
        symbol = analysis.symbols.get(id(node.target))
        if symbol is not None and symbol.kind == "fact" and id(node) not in analysis.projections:
            return node.name
    return None


def _side_function(node: n.Node, analysis: Analysis, alias: str) -> SideFn:
    """An expression over one alias as a function of that record's values."""
    name = _plain_field(node, analysis)
    if name is not None:
        return lambda ctx, values: values.get(name, MISSING)
    fn = compile_expression(node, analysis)

    def evaluate(ctx: Ctx, values: dict[str, Any]) -> Any:
        ctx.facts[alias] = values
        return fn(ctx, None)

    return evaluate


# -- lossless encoding for durable-rules ----------------------------------------------------

_LONG = 200  # durable-rules keeps string lengths in 16 bits; long values travel as a digest


def _decimal_text(value: Decimal) -> str:
    """Equal decimals give equal text, different decimals different text (1.0 and 1 → 1e0)."""
    sign, digits, exponent = value.as_tuple()
    if not any(digits):
        return "0"
    digits = list(digits)
    while digits and digits[-1] == 0:
        digits.pop()
        exponent += 1  # type: ignore[operator]
    return ("-" if sign else "") + "".join(map(str, digits)) + "e" + str(exponent)


def encode(value: Any) -> str | None:
    """A scalar as durable-rules text: a type prefix and an exact, canonical spelling.

    Equal values (in the language's sense) give equal text; different values give
    different text; dates keep their order (ISO text). None for MISSING.
    """
    if value is MISSING:
        return None
    if value is None:
        text = "n:"
    elif value is True:
        text = "b:1"
    elif value is False:
        text = "b:0"
    elif isinstance(value, str):
        text = "s:" + value
    elif isinstance(value, Decimal):
        text = "d:" + _decimal_text(value)
    elif hasattr(value, "isoformat"):
        return "D:" + value.isoformat()
    else:  # pragma: no cover - sides are scalar by construction
        raise EvaluationError(f"cannot compare a {type(value).__name__} in a join")
    if len(text) > _LONG:
        return "h:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text


# -- the plan -----------------------------------------------------------------------------


@dataclass
class Side:
    alias: str
    node: n.Node
    type: t.Type
    get: SideFn
    field: str | None = None  # set when the side is just `alias.field`


@dataclass
class Join:
    """`left op right`, each side reading one alias (different aliases)."""

    conjunct: lm.Conjunct
    op: str
    left: Side
    right: Side

    @property
    def hashable(self) -> bool:
        return self.op == "==" and _same_scalar(self.left.type, self.right.type)

    @property
    def pushable(self) -> bool:
        """Goes into the durable-rules conditions: equality of scalars (exact on the encoded
        text). Everything else stays residual, checked by our compiled expression: under
        valgrind, durable-rules 2.0.28 reads past its expression pool for $lt/$lte against
        another pattern's value and for two $neq in one pattern (intermittent segmentation
        faults), while equalities are clean."""
        return self.op == "==" and _same_scalar(self.left.type, self.right.type)

    def side_of(self, alias: str) -> Side:
        return self.left if self.left.alias == alias else self.right

    def other_side(self, alias: str) -> Side:
        return self.right if self.left.alias == alias else self.left

    def op_from(self, alias: str) -> str:
        """The operator read from `alias`'s side: own op other."""
        return self.op if self.left.alias == alias else FLIP[self.op]


def _same_scalar(a: t.Type, b: t.Type) -> bool:
    kind_a, kind_b = t.base_kind(a), t.base_kind(b)
    return kind_a in SCALAR_KINDS and kind_a == kind_b


@dataclass
class Role:
    alias: str
    record: str
    filters: list[lm.Conjunct] = field(default_factory=list)


@dataclass
class AbsentPlan:
    role: Role
    pre: list[lm.Conjunct]  # read only the matched records: unless all true, nothing can be a counterpart
    joins: list[Join]  # absent alias vs one matched alias
    residual: list[lm.Conjunct]  # everything else (joins that are not hash keys included)

    @property
    def keys(self) -> list[Join]:
        return [j for j in self.joins if j.hashable]


@dataclass
class CheckPlan:
    check: lm.Check
    roles: list[Role]
    joins: list[Join]  # two-alias comparisons among the matched records
    residual: list[lm.Conjunct]  # conditions that are neither filters nor hash keys
    absent: AbsentPlan | None
    warnings: list[str] = field(default_factory=list)

    def keys_for(self, index: int) -> list[Join]:
        """Hash keys joining role `index` to the roles before it."""
        alias = self.roles[index].alias
        earlier = {role.alias for role in self.roles[:index]}
        return [
            j for j in self.joins
            if j.hashable and alias in (j.left.alias, j.right.alias) and j.other_side(alias).alias in earlier
        ]

    def residual_stages(self) -> list[list[lm.Conjunct]]:
        """Residual conditions grouped by the first join step where all their aliases are bound."""
        stages: list[list[lm.Conjunct]] = [[] for _ in self.roles]
        position = {role.alias: i for i, role in enumerate(self.roles)}
        for conjunct in self.residual:
            stage = max((position[a] for a in conjunct.aliases), default=0)
            stages[stage].append(conjunct)
        return stages


def _join_of(conjunct: lm.Conjunct, scope: dict[str, t.Type]) -> Join | None:
    node = conjunct.node
    if not isinstance(node, n.Binary) or node.op not in COMPARISONS:
        return None
    sides = []
    for side in (node.left, node.right):
        _, aliases = alias_reads(side, conjunct.analysis)
        if len(aliases) != 1:
            return None
        alias = next(iter(aliases))
        side_type = _type_of(side, conjunct.analysis, scope)
        sides.append(Side(alias, side, side_type, _side_function(side, conjunct.analysis, alias), _plain_field(side, conjunct.analysis)))
    if sides[0].alias == sides[1].alias:
        return None
    return Join(conjunct, node.op, sides[0], sides[1])


def alias_reads(node: n.Node, analysis: Analysis) -> tuple[list[tuple[str, str]], set[str]]:
    """(alias, field) pairs read by `alias.field`, and every alias the node names."""
    reads: list[tuple[str, str]] = []
    aliases: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Name):
            symbol = analysis.symbols.get(id(current))
            if symbol is not None and symbol.kind == "fact":
                aliases.add(symbol.name)
        if isinstance(current, n.Field) and isinstance(current.target, n.Name):
            symbol = analysis.symbols.get(id(current.target))
            if symbol is not None and symbol.kind == "fact" and (symbol.name, current.name) not in reads:
                reads.append((symbol.name, current.name))
        stack.extend(reversed(n.children(current)))
    return reads, aliases


def _type_of(node: n.Node, analysis: Analysis, scope: dict[str, t.Type]) -> t.Type:
    """The static type of a sub-expression (checked again on its own)."""
    lookup = {name: Symbol("fact", name, record_type) for name, record_type in scope.items()}
    try:
        return Checker(lookup.get, lambda: list(lookup)).check(node).type
    except Exception:  # pragma: no cover - the whole conjunct already checked
        return t.ANY


def plan_check(ledger: lm.Ledger, check: lm.Check) -> CheckPlan:
    scope = {alias: ledger.records[record].type for alias, record in check.aliases}
    roles = [Role(alias, record) for alias, record in check.aliases]
    by_alias = {role.alias: role for role in roles}
    joins: list[Join] = []
    residual: list[lm.Conjunct] = []
    for conjunct in check.conjuncts:
        if len(conjunct.aliases) <= 1:
            alias = next(iter(conjunct.aliases)) if conjunct.aliases else roles[0].alias
            by_alias[alias].filters.append(conjunct)
            continue
        join = _join_of(conjunct, scope)
        if join is not None:
            joins.append(join)
            if join.hashable:
                continue
        residual.append(conjunct)
    plan = CheckPlan(check, roles, joins, residual, None)
    for i in range(1, len(roles)):
        if not plan.keys_for(i):
            plan.warnings.append(
                f"check {check.id!r}: {roles[i].alias!r} is joined to the records before it without an equality; "
                "every combination is compared (slow on large books)"
            )
    if check.absent is not None:
        absent = check.absent
        absent_scope = dict(scope)
        absent_scope[absent.alias] = ledger.records[absent.record].type
        role = Role(absent.alias, absent.record)
        pre: list[lm.Conjunct] = []
        absent_joins: list[Join] = []
        absent_residual: list[lm.Conjunct] = []
        for conjunct in absent.conjuncts:
            if absent.alias not in conjunct.aliases:
                pre.append(conjunct)
                continue
            if conjunct.aliases == {absent.alias}:
                role.filters.append(conjunct)
                continue
            join = _join_of(conjunct, absent_scope)
            if join is not None and absent.alias in (join.left.alias, join.right.alias):
                absent_joins.append(join)
                if join.hashable:
                    continue
            absent_residual.append(conjunct)
        plan.absent = AbsentPlan(role, pre, absent_joins, absent_residual)
        if not plan.absent.keys:
            plan.warnings.append(
                f"check {check.id!r}: the absent {absent.alias!r} has no equality with the matched records; "
                "every record is compared (slow on large books)"
            )
    return plan


def plan_ledger(ledger: lm.Ledger) -> list[CheckPlan]:
    return [plan_check(ledger, check) for check in ledger.checks]
