"""What `taxrules check` can prove about a rulebook's decision tables without a case.

For rules whose conditions are conjunctions over enum and boolean facts (the usual shape
of a decision table), overlaps in a `unique` decision and gaps in a decision without a
default can be proved by enumerating the facts' values. Conditions outside that shape
are left to the examples and to evaluation, which reports the same problems at run time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from engine.language import nodes as n
from engine.rulebook import model as m
from engine.rulebook.errors import Problem

MAX_COMBINATIONS = 20_000
Domain = dict[str, frozenset[Any]]


def _fact_domain(book: m.Rulebook, name: str) -> frozenset[Any] | None:
    spec = book.facts.get(name)
    if spec is None:
        return None
    if spec.type.kind == "boolean":
        return frozenset({True, False})
    if spec.type.kind == "enum":
        return frozenset(spec.type.values)
    return None


def _atoms(node: n.Node) -> list[n.Node] | None:
    if isinstance(node, n.Logical):
        if node.op != "and":
            return None
        out: list[n.Node] = []
        for operand in node.operands:
            inner = _atoms(operand)
            if inner is None:
                return None
            out.extend(inner)
        return out
    return [node]


def _constraint(book: m.Rulebook, atom: n.Node, symbols: dict[int, Any]) -> tuple[str, frozenset[Any]] | None:
    def fact_of(node: n.Node) -> str | None:
        if isinstance(node, n.Name):
            symbol = symbols.get(id(node))
            if symbol is not None and symbol.kind == "fact" and _fact_domain(book, symbol.name) is not None:
                return symbol.name
        return None

    name = fact_of(atom)
    if name is not None and book.facts[name].type.kind == "boolean":
        return name, frozenset({True})
    if isinstance(atom, n.Unary) and atom.op == "not":
        name = fact_of(atom.operand)
        if name is not None and book.facts[name].type.kind == "boolean":
            return name, frozenset({False})
        return None
    if isinstance(atom, n.Binary) and atom.op in ("==", "!=", "in", "not in"):
        left, right = atom.left, atom.right
        if atom.op in ("==", "!=") and fact_of(right) is not None and fact_of(left) is None:
            left, right = right, left
        name = fact_of(left)
        if name is None:
            return None
        domain = _fact_domain(book, name)
        assert domain is not None
        if atom.op in ("==", "!=") and isinstance(right, n.Literal):
            chosen = frozenset({right.value})
        elif atom.op in ("in", "not in") and isinstance(right, n.ListLiteral) and all(
            isinstance(item, n.Literal) for item in right.items
        ):
            chosen = frozenset(item.value for item in right.items)  # type: ignore[attr-defined]
        else:
            return None
        if atom.op in ("!=", "not in"):
            chosen = domain - chosen
        return name, chosen & domain
    return None


def simple_domain(book: m.Rulebook, rule: m.Rule) -> Domain | None:
    """The facts' values under which the rule's condition holds, or None if not provable."""
    if rule.when is None:
        return {}
    atoms = _atoms(rule.when.node)
    if atoms is None:
        return None
    domain: dict[str, frozenset[Any]] = {}
    for atom in atoms:
        constraint = _constraint(book, atom, rule.when.analysis.symbols)
        if constraint is None:
            return None
        name, values = constraint
        domain[name] = domain.get(name, values) & values
    return domain


_BEGINNING = dt.date(1900, 1, 1)


def _epochs(rules: list[m.Rule], start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    """One day for each stretch of the rulebook's period in which the same rules are in force."""
    first = start or _BEGINNING
    days = {first}
    for rule in rules:
        if rule.valid_from:
            days.add(rule.valid_from)
        if rule.valid_to:
            days.add(rule.valid_to + dt.timedelta(days=1))
    return sorted(day for day in days if day >= first and (end is None or day <= end))


def _describe(assignment: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        return "true" if v is True else "false" if v is False else str(v)

    return ", ".join(f"{k} = {show(v)}" for k, v in sorted(assignment.items())) or "always"


def static_problems(book: m.Rulebook) -> list[Problem]:
    problems: list[Problem] = []

    def report(path: tuple, message: str) -> None:
        line, column = book.source_map.position(path)
        problems.append(Problem(book.file, line, column, message))

    for decision in book.decisions.values():
        domains = {rule.id: simple_domain(book, rule) for rule in decision.rules}
        gap_reported = False
        for day in _epochs(decision.rules, book.valid_from, book.valid_to):
            rules = [r for r in decision.rules if r.in_force(day)]
            if decision.hit_policy == "unique":
                for a, b in itertools.combinations(rules, 2):
                    da, db = domains[a.id], domains[b.id]
                    if da is None or db is None:
                        continue
                    names = set(da) | set(db)
                    if all(da.get(k, _fact_domain(book, k)) & db.get(k, _fact_domain(book, k)) for k in names):  # type: ignore[operator]
                        witness = {
                            k: sorted(da.get(k, _fact_domain(book, k)) & db.get(k, _fact_domain(book, k)), key=str)[0]  # type: ignore[operator]
                            for k in names
                        }
                        report(b.path, f"unique decision {decision.name!r}: rules {a.id!r} and {b.id!r} both match when {_describe(witness)}")
            if decision.has_default or not rules or gap_reported:
                continue
            rule_domains = [domains[r.id] for r in rules]
            if any(d is None for d in rule_domains):
                continue
            names = sorted({k for d in rule_domains for k in d})  # type: ignore[union-attr]
            spaces = [sorted(_fact_domain(book, k), key=str) for k in names]  # type: ignore[arg-type]
            size = 1
            for space in spaces:
                size *= len(space)
            if size > MAX_COMBINATIONS:
                continue
            for combo in itertools.product(*spaces):
                assignment = dict(zip(names, combo, strict=True))
                if not any(all(assignment[k] in v for k, v in d.items()) for d in rule_domains):  # type: ignore[union-attr]
                    when = "" if day == _BEGINNING else f" on {day.isoformat()}"
                    report(("decisions", decision.name), f"decision {decision.name!r}: no rule decides when {_describe(assignment)}{when}, and there is no default")
                    gap_reported = True
                    break
    return problems
