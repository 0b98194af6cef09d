"""The ways authors get tax rules wrong, as changes to a loaded rulebook.

Each operator rewrites one spot of a checked expression tree (no parsing: the tree the
loader built) or one dated value, the way an author slips: `>` for `>=` and back, `<`
for `<=`, `and` for `or`, a condition of a conjunction dropped, a `not` dropped, a
threshold off by 0.01 (or by 1 where the compared value counts whole units: days,
years, items), a date off by one day (in a condition, in `add_days`, in a rule's
valid_from / valid_to, in a parameter's `from`), an enum value swapped for its
neighbour (in a condition or as a rule's value), a boolean value flipped, a rule's or a
scalar parameter's number off by 0.01.

A mutant is described for the report (where, what, before → after) and can be applied
to the compiled rulebook in place and reverted (apply.py), and read by the solver as a
`Change` (engine/prover/view.py) to look for a case that tells it from the original.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.language import nodes as n
from engine.language.checker import Analysis
from engine.language.unparse import unparse
from engine.rulebook import model as m
from engine.rulebook.yamlsource import Path

CENT = Decimal("0.01")
DAY = dt.timedelta(days=1)
_SWAP = {">": ">=", ">=": ">", "<": "<=", "<=": "<"}
_WHOLE_UNITS = frozenset({"count", "year", "month", "day", "quarter", "days_between"})


@dataclass(frozen=True)
class Site:
    """What a mutant changes: a rule's condition/value/dates, a derived value, a parameter."""

    kind: str  # when | expr | value | valid_from | valid_to | derived | parameter_from | parameter_value
    decision: str | None = None
    index: int | None = None  # the rule's position in its decision
    name: str | None = None  # derived value or parameter
    entry: int | None = None  # parameter value index


@dataclass
class Mutant:
    site: Site
    operator: str  # short name, e.g. "> → >="
    before: str
    after: str
    path: Path  # where in the YAML
    node: n.Node | None = None  # the mutated tree (when / expr / derived)
    analysis: Analysis | None = None  # the original analysis, extended to the mutated nodes
    value: Any = None  # the new literal, date or parameter values
    number: int = 0

    @property
    def label(self) -> str:
        return f"{self.operator}: {self.before}  →  {self.after}"


# -- rewriting a tree ----------------------------------------------------------------------


def _replace(node: n.Node, target: n.Node, replacement: n.Node, rebuilt: list[tuple[n.Node, n.Node]]) -> n.Node:
    """`node` with `target` (by identity) replaced; ancestors rebuilt, the rest shared."""
    if node is target:
        return replacement
    changed = False
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, n.Node):
            new = _replace(value, target, replacement, rebuilt)
            changed |= new is not value
            kwargs[f.name] = new
        elif isinstance(value, tuple) and value and isinstance(value[0], n.Node):
            items = tuple(_replace(v, target, replacement, rebuilt) for v in value)
            changed |= any(a is not b for a, b in zip(items, value, strict=True))
            kwargs[f.name] = items
        elif isinstance(value, tuple) and value and isinstance(value[0], tuple):  # record fields
            items = tuple((k, _replace(v, target, replacement, rebuilt)) for k, v in value)
            changed |= any(a[1] is not b[1] for a, b in zip(items, value, strict=True))
            kwargs[f.name] = items
        else:
            kwargs[f.name] = value
    if not changed:
        return node
    new_node = type(node)(**kwargs)
    rebuilt.append((node, new_node))
    return new_node


def _extended(analysis: Analysis, rebuilt: list[tuple[n.Node, n.Node]]) -> Analysis:
    """The analysis, valid for the rebuilt ancestors too (the compiler looks nodes up by id)."""
    out = Analysis(
        type=analysis.type,
        symbols=dict(analysis.symbols),
        subscripts=dict(analysis.subscripts),
        projections=set(analysis.projections),
        references=set(analysis.references),
    )
    for old, new in rebuilt:
        if id(old) in out.subscripts:
            out.subscripts[id(new)] = out.subscripts[id(old)]
        if id(old) in out.projections:
            out.projections.add(id(new))
        if id(old) in out.symbols:
            out.symbols[id(new)] = out.symbols[id(old)]
    return out


def _walk(node: n.Node) -> Iterator[n.Node]:
    """Every node of a tree, in reading order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(n.children(current)))


def _at(node: n.Node, **fields: Any) -> dict[str, Any]:
    return {"line": node.line, "column": node.column, **fields}


# -- the operators on trees ----------------------------------------------------------------


Rewrite = tuple[str, n.Node, n.Node]  # (operator, target, replacement)


def _enum_values(node: n.Node, analysis: Analysis, book: m.Rulebook) -> tuple[str, ...]:
    """The enum values a compared expression can take, when it is an enum fact or decision."""
    if isinstance(node, n.Name):
        symbol = analysis.symbols.get(id(node))
        if symbol is not None and symbol.type.kind == "enum":
            return symbol.type.values
        if node.name in book.facts and book.facts[node.name].type.kind == "enum":
            return book.facts[node.name].type.values
        if node.name in book.decisions and book.decisions[node.name].type.kind == "enum":
            return book.decisions[node.name].type.values
    return ()


def _whole_units(node: n.Node) -> bool:
    return isinstance(node, n.Call) and node.function in _WHOLE_UNITS


def rewrites(root: n.Node, analysis: Analysis, book: m.Rulebook) -> Iterator[Rewrite]:
    for node in _walk(root):
        match node:
            case n.Binary(op=op, left=left, right=right) if op in _SWAP:
                yield f"{op} → {_SWAP[op]}", node, n.Binary(**_at(node, op=_SWAP[op], left=left, right=right))
                for side, other in ((left, right), (right, left)):
                    if isinstance(side, n.Literal) and isinstance(side.value, Decimal) and not isinstance(side.value, bool):
                        step = Decimal(1) if _whole_units(other) else CENT
                        for sign, label in ((1, "+"), (-1, "−")):
                            shifted = n.Literal(**_at(side, value=side.value + sign * step))
                            yield f"threshold {label}{step}", side, shifted
            case n.Binary(op=op, left=left, right=right) if op in ("==", "!=", "in", "not in"):
                yield from _enum_swaps(node, left, right, analysis, book)
            case n.Logical(op=op, operands=operands):
                other = "or" if op == "and" else "and"
                yield f"{op} → {other}", node, n.Logical(**_at(node, op=other, operands=operands))
                if op == "and":
                    for i in range(len(operands)):
                        rest = operands[:i] + operands[i + 1:]
                        replacement = rest[0] if len(rest) == 1 else n.Logical(**_at(node, op="and", operands=rest))
                        yield "conjunct dropped", node, replacement
            case n.Unary(op="not", operand=operand):
                yield "negation removed", node, operand
            case n.Call(function="date", args=(n.Literal(value=str() as text),)):
                try:
                    day = dt.date.fromisoformat(text)
                except ValueError:
                    continue
                for sign, label in ((1, "+"), (-1, "−")):
                    moved = n.Literal(**_at(node.args[0], value=(day + sign * DAY).isoformat()))
                    yield f"date {label}1 day", node, n.Call(**_at(node, function="date", args=(moved,)))
            case n.Call(function="add_days", args=(target, n.Literal(value=Decimal() as count))):
                for sign, label in ((1, "+"), (-1, "−")):
                    moved = n.Literal(**_at(node.args[1], value=count + sign))
                    yield f"days {label}1", node, n.Call(**_at(node, function="add_days", args=(target, moved)))


def _enum_swaps(node: n.Binary, left: n.Node, right: n.Node, analysis: Analysis, book: m.Rulebook) -> Iterator[Rewrite]:
    if node.op in ("==", "!="):
        for side, other in ((left, right), (right, left)):
            values = _enum_values(other, analysis, book)
            if isinstance(side, n.Literal) and isinstance(side.value, str) and side.value in values and len(values) > 1:
                swapped = values[(values.index(side.value) + 1) % len(values)]
                yield "enum value swapped", side, n.Literal(**_at(side, value=swapped))
        return
    values = _enum_values(left, analysis, book)
    if not values or not isinstance(right, n.ListLiteral):
        return
    listed = [item.value for item in right.items if isinstance(item, n.Literal)]
    spare = [v for v in values if v not in listed]
    for item in right.items:
        if isinstance(item, n.Literal) and isinstance(item.value, str) and spare:
            yield "enum value swapped", item, n.Literal(**_at(item, value=spare[0]))


# -- the mutants of a rulebook -------------------------------------------------------------


def _tree_mutants(site: Site, expression: m.Expression, book: m.Rulebook) -> Iterator[Mutant]:
    before = unparse(expression.node)
    seen: set[str] = set()
    for operator, target, replacement in rewrites(expression.node, expression.analysis, book):
        rebuilt: list[tuple[n.Node, n.Node]] = []
        mutated = _replace(expression.node, target, replacement, rebuilt)
        after = unparse(mutated)
        if after == before or after in seen:
            continue
        seen.add(after)
        yield Mutant(site, operator, before, after, expression.path, mutated, _extended(expression.analysis, rebuilt))


def _value_mutants(site: Site, rule: m.Rule, decision: m.Decision) -> Iterator[Mutant]:
    value = rule.value
    path = rule.path + ("value",)
    kind = decision.type.kind
    if decision.hit_policy == "collect":
        return
    if kind == "enum" and isinstance(value, str) and len(decision.type.values) > 1:
        values = decision.type.values
        swapped = values[(values.index(value) + 1) % len(values)] if value in values else values[0]
        yield Mutant(site, "enum value swapped", value, swapped, path, value=swapped)
    elif kind == "boolean" and isinstance(value, bool):
        yield Mutant(site, "boolean flipped", str(value).lower(), str(not value).lower(), path, value=not value)
    elif kind == "decimal" and isinstance(value, Decimal):
        for sign, label in ((1, "+"), (-1, "−")):
            yield Mutant(site, f"value {label}0.01", str(value), str(value + sign * CENT), path, value=value + sign * CENT)


def _date_mutants(site: Site, day: dt.date | None, path: Path, what: str) -> Iterator[Mutant]:
    if day is None:
        return
    for sign, label in ((1, "+"), (-1, "−")):
        moved = day + sign * DAY
        yield Mutant(site, f"{what} {label}1 day", day.isoformat(), moved.isoformat(), path, value=moved)


def _parameter_mutants(book: m.Rulebook, name: str, parameter: m.Parameter) -> Iterator[Mutant]:
    if "." in name:  # imported from a library: mutated where the library's own examples run
        return
    for i, entry in enumerate(parameter.values):
        path: Path = ("parameters", name, "values", i)
        if i > 0:
            for sign, label in ((1, "+"), (-1, "−")):
                moved = entry.since + sign * DAY
                values = list(parameter.values)
                values[i] = dataclasses.replace(entry, since=moved)
                if moved <= values[i - 1].since or (i + 1 < len(values) and moved >= values[i + 1].since):
                    continue
                yield Mutant(Site("parameter_from", name=name, entry=i), f"parameter change {label}1 day",
                             f"{name} from {entry.since.isoformat()}", f"from {moved.isoformat()}", path + ("from",), value=values)
        if isinstance(entry.value, Decimal) and not isinstance(entry.value, bool):
            for sign, label in ((1, "+"), (-1, "−")):
                values = list(parameter.values)
                values[i] = dataclasses.replace(entry, value=entry.value + sign * CENT)
                yield Mutant(Site("parameter_value", name=name, entry=i), f"threshold {label}0.01",
                             f"{name} = {entry.value}", f"{entry.value + sign * CENT}", path + ("value",), value=values)


def mutants(book: m.Rulebook) -> list[Mutant]:
    """Every mutant of a rulebook, numbered in rulebook order."""
    out: list[Mutant] = []
    for decision_name, decision in book.decisions.items():
        for index, rule in enumerate(decision.rules):
            if rule.when is not None:
                out.extend(_tree_mutants(Site("when", decision_name, index), rule.when, book))
            if rule.expr is not None:
                out.extend(_tree_mutants(Site("expr", decision_name, index), rule.expr, book))
            else:
                out.extend(_value_mutants(Site("value", decision_name, index), rule, decision))
            out.extend(_date_mutants(Site("valid_from", decision_name, index), rule.valid_from, rule.path + ("valid_from",), "valid_from"))
            out.extend(_date_mutants(Site("valid_to", decision_name, index), rule.valid_to, rule.path + ("valid_to",), "valid_to"))
    for name, derived in book.derived.items():
        out.extend(_tree_mutants(Site("derived", name=name), derived.expression, book))
    for name, parameter in book.parameters.items():
        out.extend(_parameter_mutants(book, name, parameter))
    for number, mutant in enumerate(out, 1):
        mutant.number = number
    return out


def rule_of(book: m.Rulebook, site: Site) -> m.Rule | None:
    if site.decision is None or site.index is None:
        return None
    return book.decisions[site.decision].rules[site.index]


def describe_site(book: m.Rulebook, site: Site) -> str:
    rule = rule_of(book, site)
    if rule is not None:
        return f"rule {rule.id!r} of {site.decision!r} ({site.kind})"
    if site.kind == "derived":
        return f"derived value {site.name!r}"
    return f"parameter {site.name!r}"

