"""Static checks of an expression against what a rulebook declares.

Run once when a rulebook loads. It resolves every name (with a did-you-mean when one is
unknown), checks arity and the argument and operand types the fact schema reveals,
checks enum comparisons against the enum's values, and records for the compiler how
each name and subscript is to be read. Nothing here runs the expression.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from engine.i18n import Phrase
from engine.language import nodes as n
from engine.language import types as t
from engine.language.builtins import BUILTINS, describe_param, param_accepts, signature
from engine.language.calendars import CALENDARS
from engine.language.errors import ExpressionError

GLOBAL_KINDS = ("fact", "parameter", "derived", "decision")


@dataclass(frozen=True)
class Symbol:
    """What a name stands for: a global (fact, parameter, derived, decision) or a local."""

    kind: str  # fact | parameter | derived | decision | local | item | item_field
    name: str
    type: t.Type
    origin: str | None = None  # for item fields: the list they come from, for messages


@dataclass
class Analysis:
    """The checker's findings about one expression, consumed by the compiler."""

    type: t.Type
    symbols: dict[int, Symbol] = field(default_factory=dict)  # id(Name) -> symbol
    subscripts: dict[int, str] = field(default_factory=dict)  # id(Subscript) -> filter|index
    projections: set[int] = field(default_factory=set)  # id(Field) that map over a list
    references: set[tuple[str, str]] = field(default_factory=set)  # (kind, name) of globals


def suggest(name: str, candidates: list[str] | set[str]) -> str:
    if len(name) > 100:  # no name is that long; difflib's work grows with the square of it
        return ""
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return Phrase("did_you_mean", name=matches[0]) if matches else ""


def _fail(node: n.Node, message: str) -> ExpressionError:
    return ExpressionError(message, node.line, node.column)


class Checker:
    """Type-checks one expression in a scope of global symbols.

    `lookup_global` returns the Symbol of a global name or None; it may check a derived
    value on demand (the rulebook loader detects cycles there).
    """

    def __init__(
        self,
        lookup_global: Callable[[str], Symbol | None],
        global_names: Callable[[], list[str]],
        parameter_names: Callable[[], list[str]] = lambda: [],
    ) -> None:
        self._lookup_global = lookup_global
        self._global_names = global_names
        self._parameter_names = parameter_names

    def check(self, node: n.Node) -> Analysis:
        analysis = Analysis(type=t.ANY)
        analysis.type = self._check(node, {}, analysis)
        return analysis

    def check_within(self, node: n.Node, binders: Sequence[n.For | n.Subscript]) -> Analysis:
        """Check `node` as if it stood inside `binders` (enclosing `for` and filter nodes,
        outermost first), so it may read their `for` variable, `item` and item fields.

        Why: a library call is inlined before the whole expression is checked, and its
        arguments are type-checked on their own at that moment; an argument that reads the
        importing book's `for` variable is only meaningful in the scope the loop opens.
        """
        analysis = Analysis(type=t.ANY)
        local: Mapping[str, Symbol] = {}
        for binder in binders:
            if isinstance(binder, n.For):
                local = self._for_scope(binder, local, analysis)
            else:
                local = self._subscript_scope(binder, local, analysis)[0]
        analysis.type = self._check(node, local, analysis)
        return analysis

    # -- scopes ---------------------------------------------------------------------

    def _resolve(self, node: n.Name, local: Mapping[str, Symbol], analysis: Analysis) -> Symbol:
        symbol = local.get(node.name)
        if symbol is None:
            symbol = self._lookup_global(node.name)
        if symbol is None:
            visible = set(local) | set(self._global_names())
            hint = suggest(node.name, visible | set(BUILTINS))
            if node.name in BUILTINS:
                raise _fail(node, f"{node.name!r} is a function; call it as {signature(BUILTINS[node.name])}")
            raise _fail(node, f"unknown name {node.name!r}{hint}")
        analysis.symbols[id(node)] = symbol
        if symbol.kind in GLOBAL_KINDS:
            analysis.references.add((symbol.kind, symbol.name))
        return symbol

    # -- the walk --------------------------------------------------------------------

    def _check(self, node: n.Node, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        match node:
            case n.Literal(value=value):
                if value is None:
                    return t.NULL
                if isinstance(value, bool):
                    return t.BOOLEAN
                if isinstance(value, Decimal):
                    return t.DECIMAL
                return t.STRING
            case n.Name():
                return self._resolve(node, local, a).type
            case n.ListLiteral(items=items):
                item_type = t.NULL
                for item in items:
                    current = self._check(item, local, a)
                    if not t.compatible(item_type, current):
                        raise _fail(item, f"a list cannot mix {item_type} and {current}")
                    item_type = t.join(item_type, current)
                return t.list_of(t.ANY if item_type.kind == "null" else item_type)
            case n.RecordLiteral(fields=fields):
                return t.record({key: self._check(value, local, a) for key, value in fields})
            case n.Unary(op="not", operand=operand):
                self._expect_boolean(operand, self._check(operand, local, a), "not")
                return t.BOOLEAN
            case n.Unary(op="-", operand=operand):
                self._expect_number(operand, self._check(operand, local, a), "-")
                return t.DECIMAL
            case n.Logical(op=op, operands=operands):
                for operand in operands:
                    self._expect_boolean(operand, self._check(operand, local, a), op)
                return t.BOOLEAN
            case n.Binary():
                return self._binary(node, local, a)
            case n.If(condition=c, then=then, otherwise=otherwise):
                self._expect_boolean(c, self._check(c, local, a), "if")
                then_type = self._check(then, local, a)
                else_type = self._check(otherwise, local, a)
                if not t.compatible(then_type, else_type):
                    raise _fail(otherwise, f"the branches give {then_type} and {else_type}")
                return t.join(then_type, else_type)
            case n.For(body=body):
                return t.list_of(self._check(body, self._for_scope(node, local, a), a))
            case n.Field():
                return self._field(node, local, a)
            case n.Subscript():
                return self._subscript(node, local, a)
            case n.Call():
                return self._call(node, local, a)
        raise _fail(node, f"unsupported expression {type(node).__name__}")  # pragma: no cover

    @staticmethod
    def _fact_origin(node: n.Node, a: Analysis) -> str | None:
        """The fact a list comes from, so a field missing in its items names that fact.

        Records built by the rulebook itself carry MISSING only where a fact was missing,
        and that fact is already reported; they have no origin.
        """
        if isinstance(node, n.Subscript):
            return Checker._fact_origin(node.target, a)
        if isinstance(node, n.Name):
            symbol = a.symbols.get(id(node))
            if symbol is not None and symbol.kind == "fact":
                return symbol.name
            if symbol is not None and symbol.kind in ("local", "item_field"):
                return symbol.origin
        return None

    def _expect_boolean(self, node: n.Node, got: t.Type, where: str) -> None:
        if got.kind not in ("boolean", "any", "null"):
            raise _fail(node, f"`{where}` needs a condition (true/false), got {got}")

    def _expect_number(self, node: n.Node, got: t.Type, where: str) -> None:
        if got.kind not in ("decimal", "any", "null"):
            raise _fail(node, f"`{where}` needs a number, got {got}")

    def _binary(self, node: n.Binary, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        left = self._check(node.left, local, a)
        right = self._check(node.right, local, a)
        op = node.op
        if op == "+" and t.is_stringy(left) and t.is_stringy(right):
            return t.STRING
        if op in ("+", "-", "*", "/"):
            for side, side_type in ((node.left, left), (node.right, right)):
                if side_type.kind == "date":
                    raise _fail(side, f"dates take no `{op}`; use add_days, add_months or days_between")
                self._expect_number(side, side_type, op)
            return t.DECIMAL
        if op in ("==", "!="):
            self._comparable(node, left, right)
            self._enum_literal(node.left, left, node.right)
            self._enum_literal(node.right, right, node.left)
            return t.BOOLEAN
        if op in ("<", "<=", ">", ">="):
            self._comparable(node, left, right)
            for side, side_type in ((node.left, left), (node.right, right)):
                if side_type.kind in ("boolean", "list", "record"):
                    raise _fail(side, f"`{op}` cannot order {side_type} values")
            return t.BOOLEAN
        if op in ("in", "not in"):
            if right.kind not in ("list", "any", "null"):
                raise _fail(node.right, f"`{op}` needs a list on its right, got {right}")
            item = right.item if right.kind == "list" and right.item else t.ANY
            if not t.compatible(left, item):
                raise _fail(node, f"cannot look for {left} in a list of {item}")
            if isinstance(node.right, n.ListLiteral):
                for element in node.right.items:
                    self._enum_literal(node.left, left, element)
            return t.BOOLEAN
        raise _fail(node, f"unknown operator {op}")  # pragma: no cover

    def _comparable(self, node: n.Binary, left: t.Type, right: t.Type) -> None:
        if not t.compatible(left, right):
            raise _fail(node, f"cannot compare {left} with {right}")

    def _enum_literal(self, side: n.Node, side_type: t.Type, other: n.Node) -> None:
        """`event == "price_chnage"` can never be true: say so at load."""
        if side_type.kind != "enum" or not isinstance(other, n.Literal):
            return
        if isinstance(other.value, str) and other.value not in side_type.values:
            what = side.name if isinstance(side, n.Name) else "this value"
            raise _fail(
                other,
                f"{other.value!r} is not a value of {what} "
                f"(one of: {', '.join(side_type.values)}){suggest(other.value, list(side_type.values))}",
            )

    def _field(self, node: n.Field, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        target = self._check(node.target, local, a)
        if target.kind == "any":
            return t.ANY
        if target.kind == "list":
            item = target.item or t.ANY
            if item.kind == "any":
                a.projections.add(id(node))
                return t.ANY_LIST
            if item.kind != "record":
                raise _fail(node, f"a list of {item} has no field {node.name!r}")
            a.projections.add(id(node))
            return t.list_of(self._record_field(node, item))
        if target.kind != "record":
            raise _fail(node, f"{target} has no fields (asked for {node.name!r})")
        return self._record_field(node, target)

    def _record_field(self, node: n.Field, record: t.Type) -> t.Type:
        field_type = record.field_type(node.name)
        if field_type is None:
            raise _fail(
                node,
                f"no field {node.name!r} in {record}{suggest(node.name, record.field_names)}",
            )
        return field_type

    def _for_scope(self, node: n.For, local: Mapping[str, Symbol], a: Analysis) -> dict[str, Symbol]:
        """The scope of a `for` body: the enclosing one plus the loop variable."""
        iterable_type = self._check(node.iterable, local, a)
        if iterable_type.kind not in ("list", "any"):
            raise _fail(node.iterable, f"`for` needs a list, got {iterable_type}")
        item_type = iterable_type.item or t.ANY if iterable_type.kind == "list" else t.ANY
        inner = dict(local)
        inner[node.variable] = Symbol("local", node.variable, item_type, self._fact_origin(node.iterable, a))
        return inner

    def _subscript_scope(self, node: n.Subscript, local: Mapping[str, Symbol],
                         a: Analysis) -> tuple[dict[str, Symbol], t.Type, t.Type]:
        """The scope of a subscript (`item` and the item's fields), the target's type and
        the item's type."""
        target = self._check(node.target, local, a)
        if target.kind not in ("list", "any"):
            raise _fail(node, f"only lists can be filtered or indexed, got {target}")
        item = (target.item or t.ANY) if target.kind == "list" else t.ANY
        inner = dict(local)
        origin = self._fact_origin(node.target, a)
        if item.kind == "record" and item.fields is not None:
            for key, field_type in item.fields:
                inner[key] = Symbol("item_field", key, field_type, origin)
        inner["item"] = Symbol("item", "item", item)
        return inner, target, item

    def _subscript(self, node: n.Subscript, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        inner, target, item = self._subscript_scope(node, local, a)
        index_type = self._check(node.index, inner, a)
        if index_type.kind == "boolean":
            a.subscripts[id(node)] = "filter"
            return target if target.kind == "list" else t.ANY_LIST
        if index_type.kind == "decimal":
            # An index is read in the enclosing scope, not the item's.
            self._check(node.index, local, a)
            a.subscripts[id(node)] = "index"
            return item
        if index_type.kind in ("any", "null"):
            a.subscripts[id(node)] = "filter"
            return target if target.kind == "list" else t.ANY_LIST
        raise _fail(node.index, f"a subscript is a condition (filter) or a number (index), got {index_type}")

    def _call(self, node: n.Call, local: Mapping[str, Symbol], a: Analysis) -> t.Type:
        builtin = BUILTINS.get(node.function)
        if builtin is None:
            raise _fail(node, f"unknown function {node.function!r}{suggest(node.function, set(BUILTINS))}")
        count = len(node.args)
        most = None if builtin.variadic else len(builtin.params)
        least = len(builtin.params) - builtin.optional
        if count < least or (most is not None and count > most):
            expected = f"{least}" if least == most else f"{least} to {most}" if most else f"at least {least}"
            raise _fail(node, f"{signature(builtin)} takes {expected} argument(s), got {count}")
        arg_types = []
        for i, arg in enumerate(node.args):
            param = builtin.params[min(i, len(builtin.params) - 1)]
            if builtin.name == "exists" and not isinstance(arg, n.Name | n.Field):
                raise _fail(arg, "exists() takes a fact, a derived value or a field")
            if builtin.name == "value_on" and i == 0:
                self._parameter_literal(arg)
                arg_types.append(t.STRING)
                continue
            arg_type = self._check(arg, local, a)
            if not param_accepts(param, arg_type):
                raise _fail(arg, f"argument {i + 1} of {signature(builtin)} must be {describe_param(param)}, got {arg_type}")
            if param == "calendar" and isinstance(arg, n.Literal) and arg.value not in CALENDARS:
                raise _fail(arg, f"unknown calendar {arg.value!r}; use one of {', '.join(CALENDARS)}{suggest(str(arg.value), list(CALENDARS))}")
            arg_types.append(arg_type)
        if builtin.name in ("min", "max") and len(arg_types) == 1 and arg_types[0].kind not in ("list", "any"):
            raise _fail(node, f"{builtin.name}() of one value needs a list")
        if builtin.name == "date" and isinstance(node.args[0], n.Literal):
            from engine.language.dates import parse_iso_date

            try:
                parse_iso_date(str(node.args[0].value))
            except ValueError as exc:
                raise _fail(node.args[0], str(exc)) from None
        if builtin.name == "value_on":
            param_symbol = self._lookup_global(str(node.args[0].value))  # type: ignore[attr-defined]
            if param_symbol is not None:
                a.references.add(("parameter", param_symbol.name))
                return param_symbol.type
        return builtin.result_type(arg_types)

    def _parameter_literal(self, arg: n.Node) -> None:
        names = self._parameter_names()
        if not isinstance(arg, n.Literal) or not isinstance(arg.value, str):
            raise _fail(arg, "value_on() takes a parameter's name as a quoted string")
        if arg.value not in names:
            raise _fail(arg, f"no parameter named {arg.value!r}{suggest(arg.value, names)}")
