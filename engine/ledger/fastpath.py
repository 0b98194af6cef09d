"""Faster evaluation of the simplest conditions on a combination of records.

The batch executor evaluates residual conditions on every candidate combination: on a
book of 100 000 invoices that is 100 000 evaluations of `purchase.vat != sale.vat or …`.
For conditions made only of `alias.field`, literals, comparisons, `and`, `or` and `not`,
this module builds a function of the combination (a tuple of records) that reads fields
straight from the records, with exactly the compiled language's semantics (three-valued
logic, `true != 1`, unknown when a field is missing); anything else falls back to the
compiled expression. tests/ledger/test_fastpath.py holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from operator import itemgetter
from typing import Any

from engine.language import nodes as n
from engine.language.compiler import _eq
from engine.language.errors import EvaluationError
from engine.language.values import MISSING, type_name
from engine.ledger import model as lm
from engine.ledger.planner import Ctx, Side

TupleFn = Callable[[tuple[Any, ...]], Any]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _fast(node: n.Node, analysis: Any, positions: dict[str, int]) -> TupleFn | None:
    match node:
        case n.Literal(value=value):
            return lambda combination: value
        case n.Field(target=n.Name() as target, name=name):
            symbol = analysis.symbols.get(id(target))
            if symbol is None or symbol.kind != "fact" or id(node) in analysis.projections:
                return None
            position = positions.get(symbol.name)
            if position is None:
                return None
            return lambda combination: combination[position].values.get(name, MISSING)
        case n.Binary(op=op, left=left, right=right) if op in ("==", "!=", "<", "<=", ">", ">="):
            a_fn = _fast(left, analysis, positions)
            b_fn = _fast(right, analysis, positions)
            if a_fn is None or b_fn is None:
                return None
            if op in ("==", "!="):
                want = op == "=="
                fields = _field_pair(left, right, analysis, positions)
                if fields is not None:  # `a.x == b.y`: read both fields here, no calls
                    (i, x), (j, y) = fields

                    def field_equality(combination: tuple[Any, ...]) -> Any:
                        a = combination[i].values.get(x, MISSING)
                        b = combination[j].values.get(y, MISSING)
                        if a is MISSING or b is MISSING:
                            return MISSING
                        if (a.__class__ is bool) is not (b.__class__ is bool):  # true != 1
                            return not want
                        return (a == b) is want

                    return field_equality

                def equality(combination: tuple[Any, ...]) -> Any:
                    a = a_fn(combination)
                    b = b_fn(combination)
                    if a is MISSING or b is MISSING:
                        return MISSING
                    return _eq(a, b) is want

                return equality
            compare = _ORDER[op]

            def ordering(combination: tuple[Any, ...]) -> Any:
                a = a_fn(combination)
                b = b_fn(combination)
                if a is MISSING or b is MISSING or a is None or b is None:
                    return MISSING
                try:
                    return compare(a, b)
                except TypeError:
                    raise EvaluationError(f"cannot order {type_name(a)} and {type_name(b)}") from None

            return ordering
        case n.Logical(op=op, operands=operands):
            fns = [_fast(operand, analysis, positions) for operand in operands]
            if any(fn is None for fn in fns):
                return None
            settles = op == "or"
            other = not settles
            whole = _tuple_comparison(op, operands, analysis, positions)

            def logical(combination: tuple[Any, ...]) -> Any:
                unknown = False
                for fn in fns:
                    value = fn(combination)  # type: ignore[misc]
                    if value is settles:
                        return settles
                    if value is not other:
                        unknown = True
                return MISSING if unknown else other

            if whole is not None:
                (i, get_i), (j, get_j), want_equal = whole

                def compared_at_once(combination: tuple[Any, ...]) -> Any:
                    try:
                        same = get_i(combination[i].values) == get_j(combination[j].values)
                    except KeyError:  # a field is missing: three-valued logic decides
                        return logical(combination)
                    return same is want_equal

                return compared_at_once
            return logical
        case n.Unary(op="not", operand=operand):
            fn = _fast(operand, analysis, positions)
            if fn is None:
                return None

            def negate(combination: tuple[Any, ...]) -> Any:
                value = fn(combination)
                if value is True:
                    return False
                if value is False:
                    return True
                return MISSING

            return negate
    return None


_COMPARABLE_AT_ONCE = ("decimal", "string", "enum", "date")


def _tuple_comparison(op: str, operands: tuple[n.Node, ...], analysis: Any, positions: dict[str, int]) -> tuple[Any, Any, bool] | None:
    """`a.x == b.x and a.y == b.y` (or `a.x != b.x or a.y != b.y`) between the same two
    records, on fields of types that Python compares as the language does (no booleans:
    Python says true == 1), read with one itemgetter per record and compared as tuples.
    Returns ((i, getter), (j, getter), whether the whole is true when the tuples are equal)."""
    wanted = "==" if op == "and" else "!="
    if len(operands) < 2:
        return None
    pairs = []
    for operand in operands:
        if not isinstance(operand, n.Binary) or operand.op != wanted:
            return None
        pair = _field_pair(operand.left, operand.right, analysis, positions)
        if pair is None:
            return None
        for side in (operand.left, operand.right):
            symbol = analysis.symbols.get(id(side.target))  # type: ignore[attr-defined]
            field_type = symbol.type.field_type(side.name) if symbol is not None else None  # type: ignore[attr-defined]
            if field_type is None or field_type.kind not in _COMPARABLE_AT_ONCE:
                return None
        pairs.append(pair)
    first_i, first_j = pairs[0][0][0], pairs[0][1][0]
    if first_i == first_j:
        return None
    ordered = []
    for (i, x), (j, y) in pairs:
        if (i, j) == (first_i, first_j):
            ordered.append((x, y))
        elif (j, i) == (first_i, first_j):
            ordered.append((y, x))
        else:
            return None
    get_i = itemgetter(*[x for x, _ in ordered])
    get_j = itemgetter(*[y for _, y in ordered])
    return (first_i, get_i), (first_j, get_j), op == "and"


def _field_pair(left: n.Node, right: n.Node, analysis: Any, positions: dict[str, int]) -> tuple[tuple[int, str], tuple[int, str]] | None:
    out = []
    for side in (left, right):
        if not (isinstance(side, n.Field) and isinstance(side.target, n.Name)) or id(side) in analysis.projections:
            return None
        symbol = analysis.symbols.get(id(side.target))
        if symbol is None or symbol.kind != "fact" or symbol.name not in positions:
            return None
        out.append((positions[symbol.name], side.name))
    return out[0], out[1]


def on_combination(conjunct: lm.Conjunct, aliases: list[str], ctx: Ctx, fast: bool = True) -> TupleFn:
    """The conjunct as a function of a combination whose i-th record plays aliases[i]."""
    positions = {alias: i for i, alias in enumerate(aliases)}
    if fast:
        fn = _fast(conjunct.node, conjunct.analysis, positions)
        if fn is not None:
            return fn
    compiled = conjunct.fn
    pairs = list(positions.items())

    def generic(combination: tuple[Any, ...]) -> Any:
        ctx.facts = {alias: combination[i].values for alias, i in pairs}
        return compiled(ctx, None)

    return generic


def all_true(conjuncts: list[lm.Conjunct], aliases: list[str], ctx: Ctx) -> Callable[[tuple[Any, ...]], bool] | None:
    """A predicate: every conjunct is true on the combination (None when there are none)."""
    fns = [on_combination(c, aliases, ctx) for c in conjuncts]
    if not fns:
        return None
    if len(fns) == 1:
        only = fns[0]
        return lambda combination: only(combination) is True

    def every(combination: tuple[Any, ...]) -> bool:
        return all(fn(combination) is True for fn in fns)

    return every


def pair_predicate(conjuncts: list[lm.Conjunct], aliases: list[str], ctx: Ctx) -> Callable[[Any, Any], bool] | None:
    """all_true for two records given as two arguments. Joining two indexes tries every
    pair under a key and keeps few: no tuple is built for a pair that fails, and a lone
    `a.x != b.x or a.y != b.y` (the usual mismatch test) compares the two records' field
    tuples directly."""
    keep = all_true(conjuncts, aliases, ctx)
    if keep is None:
        return None
    if len(conjuncts) == 1 and len(aliases) == 2 and isinstance(conjuncts[0].node, n.Logical):
        node = conjuncts[0].node
        whole = _tuple_comparison(node.op, node.operands, conjuncts[0].analysis, {alias: i for i, alias in enumerate(aliases)})
        if whole is not None:
            (i, get_first), (_, get_second), want_equal = whole
            if i == 1:
                get_first, get_second = get_second, get_first
            general = keep

            def compared_at_once(a: Any, b: Any) -> bool:
                try:
                    return (get_first(a.values) == get_second(b.values)) is want_equal
                except KeyError:  # a field is missing: three-valued logic decides
                    return general((a, b))

            return compared_at_once
    return lambda a, b: keep((a, b))


def key_function(sides: list[Side], ctx: Ctx, required: Collection[str] = ()) -> Callable[[dict[str, Any]], Any]:
    """A record's values → its hash key for these sides (one value, or a tuple for
    several), MISSING when one of them is missing. `required`: fields every checked
    record of the type has, so reading them needs no guard."""
    fields = [side.field for side in sides]
    if all(fields):
        getter = itemgetter(*fields)  # type: ignore[misc]
        if all(f in required for f in fields):
            return getter

        def by_fields(values: dict[str, Any]) -> Any:
            try:
                return getter(values)
            except KeyError:
                return MISSING

        return by_fields
    getters = [side.get for side in sides]
    if len(getters) == 1:
        get = getters[0]
        return lambda values: get(ctx, values)

    def by_expressions(values: dict[str, Any]) -> Any:
        key = tuple(get(ctx, values) for get in getters)
        for value in key:
            if value is MISSING:
                return MISSING
        return key

    return by_expressions
