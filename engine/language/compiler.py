"""Checked syntax tree → a Python closure, built once per rulebook.

Each node becomes a function `(ctx, env) -> value`; calling the root evaluates the
expression with no tree walking and no eval/exec. `ctx` is the evaluation of one case
(facts, as-of date, missing-fact bookkeeping, optional trace of reads, access to derived
values, decisions and parameters); `env` holds the local names of `for` and filters.

Missing-fact bookkeeping: reading an absent fact appends its name to `ctx.missing`.
Where three-valued logic settles a result anyway (`false and unknown`), the names added
while evaluating it are dropped again, so `missing_facts` lists only facts that would
change the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, DecimalException, DivisionByZero, InvalidOperation, Overflow
from typing import Any, Protocol

from engine import limits
from engine.language import nodes as n
from engine.language.builtins import BUILTINS
from engine.language.checker import Analysis
from engine.language.dates import DateOutOfRange
from engine.language.errors import BudgetExceeded, EvaluationError, ValueOutOfRange
from engine.language.values import MISSING, type_name

Env = dict[str, Any] | None
Compiled = Callable[[Any, Env], Any]


class Context(Protocol):
    facts: dict[str, Any]
    missing: list[str]
    reads: dict[str, Any] | None

    def derived(self, name: str) -> Any: ...
    def decision(self, name: str) -> Any: ...
    def charge(self, steps: int, where: str) -> None:
        """Count `steps` items about to be visited against the budget (engine.limits);
        raise BudgetExceeded, positioned at `where`, when it is spent."""
    def parameter(self, name: str) -> Any: ...
    def parameter_on(self, name: str, day: dt.date) -> Any: ...


def _where(node: n.Node) -> str:
    return f"(expression line {node.line}, column {node.column})"


# Errors of a builtin that mean "a value left the range numbers and dates can have",
# not "the rulebook is wrong": reported as ValueOutOfRange, which decide() turns into
# bad input naming the facts. Division by zero stays a rulebook error.
_RANGE_ERRORS = (Overflow, InvalidOperation, OverflowError, DateOutOfRange)


def _call_error(name: str, exc: Exception, where: str) -> EvaluationError:
    if isinstance(exc, DivisionByZero):
        return EvaluationError(f"{name}(): division by zero {where}")
    if isinstance(exc, ValueOutOfRange | BudgetExceeded):
        return type(exc)(f"{name}(): {exc} {where}")
    if isinstance(exc, _RANGE_ERRORS):
        return ValueOutOfRange(f"{name}(): {_decimal_message(exc)} {where}")
    return EvaluationError(f"{name}(): {exc} {where}")


def _decimal_message(exc: Exception) -> str:
    """The decimal module says `[<class 'decimal.InvalidOperation'>]`; say what it means."""
    if isinstance(exc, Overflow):
        return "the result is too large to be a number"
    if isinstance(exc, InvalidOperation):
        return "the result has more digits than a number may have (34)"
    return str(exc)


def _sized(value: Any, where: str) -> Any:
    """A text or list built by `+`, within the budget's bounds on size."""
    budget = limits.BUDGET
    if value.__class__ is str and len(value) > budget.text_length:
        raise BudgetExceeded(f"text of {len(value):,} characters exceeds the limit of {budget.text_length:,} {where}")
    if value.__class__ is list and len(value) > budget.list_length:
        raise BudgetExceeded(f"a list of {len(value):,} items exceeds the limit of {budget.list_length:,} {where}")
    return value


def _eq(a: Any, b: Any) -> bool:
    # Python says True == 1; the language does not.
    if isinstance(a, bool) is not isinstance(b, bool):
        return False
    return a == b


def _contains(items: Any, a: Any, negated: bool) -> Any:
    """`a in items` (or `not in`), three-valued: unknown if not found and an item is unknown."""
    for candidate in items:
        if _eq(candidate, a):
            return not negated
    if any(candidate is MISSING for candidate in items):
        return MISSING
    return negated


def _ordered(op: str) -> Callable[[Any, Any], bool]:
    return {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]


class Compiler:
    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    def compile(self, node: n.Node) -> Compiled:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    # -- leaves ------------------------------------------------------------------------

    def _literal(self, node: n.Literal) -> Compiled:
        value = node.value
        return lambda ctx, env: value

    def _name(self, node: n.Name) -> Compiled:
        symbol = self.analysis.symbols[id(node)]
        name = symbol.name
        if symbol.kind == "fact":

            def read_fact(ctx: Any, env: Env) -> Any:
                value = ctx.facts.get(name, MISSING)
                if value is MISSING:
                    ctx.missing.append(name)
                if ctx.reads is not None:
                    ctx.reads[name] = value
                return value

            return read_fact
        if symbol.kind == "derived":
            return lambda ctx, env: ctx.derived(name)
        if symbol.kind == "decision":
            return lambda ctx, env: ctx.decision(name)
        if symbol.kind == "parameter":
            return lambda ctx, env: ctx.parameter(name)
        if symbol.kind == "item_field":
            path = f"{symbol.origin}.{name}" if symbol.origin else None

            def read_item_field(ctx: Any, env: Env) -> Any:
                item = env["item"]  # type: ignore[index]
                value = item.get(name, MISSING) if isinstance(item, dict) else MISSING
                if value is MISSING and path is not None:
                    ctx.missing.append(path)
                return value

            return read_item_field
        return lambda ctx, env: env[name]  # type: ignore[index]

    def _fact_name(self, node: n.Node) -> str | None:
        """The fact a node reads, when it is just a fact's name (the hot paths read it inline)."""
        if isinstance(node, n.Name):
            symbol = self.analysis.symbols.get(id(node))
            if symbol is not None and symbol.kind == "fact":
                return symbol.name
        return None

    def _listliteral(self, node: n.ListLiteral) -> Compiled:
        items = [self.compile(item) for item in node.items]
        if all(isinstance(item, n.Literal) for item in node.items):
            constant = [item.value for item in node.items]  # type: ignore[attr-defined]
            return lambda ctx, env: constant
        return lambda ctx, env: [item(ctx, env) for item in items]

    def _recordliteral(self, node: n.RecordLiteral) -> Compiled:
        fields = [(key, self.compile(value)) for key, value in node.fields]
        return lambda ctx, env: {key: value(ctx, env) for key, value in fields}

    # -- operators ---------------------------------------------------------------------

    def _unary(self, node: n.Unary) -> Compiled:
        operand = self.compile(node.operand)
        fact = self._fact_name(node.operand)
        if node.op == "not" and fact is not None:

            def negate_fact(ctx: Any, env: Env) -> Any:
                value = ctx.facts.get(fact, MISSING)  # read_fact, inline
                if value is MISSING:
                    ctx.missing.append(fact)
                if ctx.reads is not None:
                    ctx.reads[fact] = value
                if value is True:
                    return False
                if value is False:
                    return True
                return MISSING

            return negate_fact
        if node.op == "not":

            def negate(ctx: Any, env: Env) -> Any:
                value = operand(ctx, env)
                if value is True:
                    return False
                if value is False:
                    return True
                return MISSING

            return negate

        def minus(ctx: Any, env: Env) -> Any:
            value = operand(ctx, env)
            if value is MISSING or value is None:
                return value
            return -value

        return minus

    def _logical(self, node: n.Logical) -> Compiled:
        operands = [self.compile(op) for op in node.operands]
        settles = node.op == "or"  # `or` is settled by a true operand, `and` by a false one
        if len(operands) == 2:
            first, second = operands
            neutral = not settles

            def logical_pair(ctx: Any, env: Env) -> Any:  # the loop below, unrolled for two
                mark = len(ctx.missing)
                a = first(ctx, env)
                if a is settles:
                    del ctx.missing[mark:]
                    return settles
                b = second(ctx, env)
                if b is settles:
                    del ctx.missing[mark:]
                    return settles
                return neutral if a is neutral and b is neutral else MISSING

            return logical_pair

        def logical(ctx: Any, env: Env) -> Any:
            mark = len(ctx.missing)
            unknown = False
            for operand in operands:
                value = operand(ctx, env)
                if value is settles:
                    del ctx.missing[mark:]
                    return settles
                if value is not (not settles):
                    unknown = True
            return MISSING if unknown else (not settles)

        return logical

    def _binary(self, node: n.Binary) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        where = _where(node)
        if op in ("+", "-", "*", "/"):
            operation: Callable[[Any, Any], Any] = {
                "+": lambda a, b: a + b,
                "-": lambda a, b: a - b,
                "*": lambda a, b: a * b,
                "/": lambda a, b: a / b,
            }[op]

            def arithmetic(ctx: Any, env: Env) -> Any:
                a = left(ctx, env)
                b = right(ctx, env)
                if a is MISSING or b is MISSING:
                    return MISSING
                if a is None or b is None:
                    return None
                try:
                    result = operation(a, b)
                except (DivisionByZero, ZeroDivisionError):
                    raise EvaluationError(f"division by zero {where}") from None
                except (Overflow, InvalidOperation) as exc:
                    raise ValueOutOfRange(
                        f"cannot compute {type_name(a)} {op} {type_name(b)} {where}: {_decimal_message(exc)}"
                    ) from None
                except (TypeError, DecimalException) as exc:
                    raise EvaluationError(
                        f"cannot compute {type_name(a)} {op} {type_name(b)} {where}: {exc}"
                    ) from None
                if result.__class__ is Decimal:
                    return result
                return _sized(result, where)  # `+` of texts or lists: bounded in size

            return arithmetic
        if op in ("==", "!="):
            want = op == "=="
            constant = self._equality_with_constant(node, left, right, want)
            if constant is not None:
                return constant

            def equality(ctx: Any, env: Env) -> Any:
                a = left(ctx, env)
                b = right(ctx, env)
                if a is MISSING or b is MISSING:
                    return MISSING
                return _eq(a, b) is want

            return equality
        if op in ("<", "<=", ">", ">="):
            compare = _ordered(op)

            def ordering(ctx: Any, env: Env) -> Any:
                a = left(ctx, env)
                b = right(ctx, env)
                if a is MISSING or b is MISSING or a is None or b is None:
                    return MISSING
                try:
                    return compare(a, b)
                except TypeError:
                    raise EvaluationError(
                        f"cannot order {type_name(a)} and {type_name(b)} {where}"
                    ) from None

            return ordering
        negated = op == "not in"
        items = node.right.items if isinstance(node.right, n.ListLiteral) else ()
        if items and all(isinstance(item, n.Literal) and isinstance(item.value, str) for item in items):
            # `x in ["a", "b"]`: a set look-up for text; other values take the general path
            candidates = [item.value for item in items]  # type: ignore[attr-defined]
            members = frozenset(candidates)
            fact = self._fact_name(node.left)
            if fact is not None:

                def fact_membership_of_text(ctx: Any, env: Env) -> Any:
                    a = ctx.facts.get(fact, MISSING)  # read_fact, inline
                    if a is MISSING:
                        ctx.missing.append(fact)
                    if ctx.reads is not None:
                        ctx.reads[fact] = a
                    if type(a) is str:
                        return (a in members) is not negated
                    if a is MISSING:
                        return MISSING
                    return _contains(candidates, a, negated)

                return fact_membership_of_text

            def membership_of_text(ctx: Any, env: Env) -> Any:
                a = left(ctx, env)
                if type(a) is str:
                    return (a in members) is not negated
                if a is MISSING:
                    return MISSING
                return _contains(candidates, a, negated)

            return membership_of_text

        where = _where(node)

        def membership(ctx: Any, env: Env) -> Any:
            a = left(ctx, env)
            b = right(ctx, env)
            if a is MISSING or b is MISSING or b is None:
                return MISSING
            ctx.charge(len(b), where)
            return _contains(b, a, negated)

        return membership

    def _equality_with_constant(self, node: n.Binary, left: Compiled, right: Compiled, want: bool) -> Compiled | None:
        """`x == "text"`, `x != null`, `x == 5`: one operand a literal, compared without
        evaluating it per case. Same outcomes as the general path (`_eq`): a boolean never
        equals a number, and text or null compare as Python does."""
        if isinstance(node.right, n.Literal) and not isinstance(node.left, n.Literal):
            other, constant = left, node.right.value
        elif isinstance(node.left, n.Literal) and not isinstance(node.right, n.Literal):
            other, constant = right, node.left.value
        else:
            return None
        operand = node.left if other is left else node.right
        fact = self._fact_name(operand)
        if fact is not None and (isinstance(constant, str) or constant is None):

            def fact_equals_text(ctx: Any, env: Env) -> Any:
                a = ctx.facts.get(fact, MISSING)  # read_fact, inline
                if a is MISSING:
                    ctx.missing.append(fact)
                if ctx.reads is not None:
                    ctx.reads[fact] = a
                if a is MISSING:
                    return MISSING
                return (a == constant) is want

            return fact_equals_text
        if isinstance(constant, str) or constant is None:

            def equals_text(ctx: Any, env: Env) -> Any:
                a = other(ctx, env)
                if a is MISSING:
                    return MISSING
                return (a == constant) is want

            return equals_text
        if isinstance(constant, Decimal):

            def equals_number(ctx: Any, env: Env) -> Any:
                a = other(ctx, env)
                if a is MISSING:
                    return MISSING
                if a is True or a is False:
                    return not want
                return (a == constant) is want

            return equals_number
        return None

    def _if(self, node: n.If) -> Compiled:
        condition = self.compile(node.condition)
        then = self.compile(node.then)
        otherwise = self.compile(node.otherwise)

        def conditional(ctx: Any, env: Env) -> Any:
            test = condition(ctx, env)
            if test is True:
                return then(ctx, env)
            if test is False:
                return otherwise(ctx, env)
            return MISSING

        return conditional

    def _for(self, node: n.For) -> Compiled:
        iterable = self.compile(node.iterable)
        body = self.compile(node.body)
        variable = node.variable
        where = _where(node)

        def mapping(ctx: Any, env: Env) -> Any:
            items = iterable(ctx, env)
            if items is MISSING or items is None:
                return MISSING
            ctx.charge(len(items), where)
            inner = dict(env) if env else {}
            out = []
            for item in items:
                inner[variable] = item
                out.append(body(ctx, inner))
            return out

        return mapping

    def _field(self, node: n.Field) -> Compiled:
        target = self.compile(node.target)
        name = node.name
        # A missing field is reported only for records that come from the facts; records
        # the rulebook built itself are missing a field only where a fact was missing.
        origin = None
        if isinstance(node.target, n.Name):
            symbol = self.analysis.symbols.get(id(node.target))
            if symbol is not None and symbol.kind == "fact":
                origin = symbol.name
            elif symbol is not None and symbol.kind in ("local", "item_field"):
                origin = symbol.origin
        elif isinstance(node.target, n.Subscript):
            from engine.language.checker import Checker

            origin = Checker._fact_origin(node.target, self.analysis)
        path = f"{origin}.{name}" if origin else None
        where = _where(node)
        if id(node) in self.analysis.projections:

            def projection(ctx: Any, env: Env) -> Any:
                items = target(ctx, env)
                if items is MISSING or items is None:
                    return MISSING
                ctx.charge(len(items), where)
                out = [item.get(name, MISSING) if isinstance(item, dict) else MISSING for item in items]
                if path is not None and any(value is MISSING for value in out):
                    ctx.missing.append(path)
                return out

            return projection

        def field(ctx: Any, env: Env) -> Any:
            record = target(ctx, env)
            if record is MISSING or record is None:
                return MISSING
            if not isinstance(record, dict):
                return MISSING
            value = record.get(name, MISSING)
            if value is MISSING and path is not None:
                ctx.missing.append(path)
            return value

        return field

    def _subscript(self, node: n.Subscript) -> Compiled:
        target = self.compile(node.target)
        index = self.compile(node.index)
        where = _where(node)
        if self.analysis.subscripts.get(id(node)) == "index":

            def indexing(ctx: Any, env: Env) -> Any:
                items = target(ctx, env)
                position = index(ctx, env)
                if items is MISSING or position is MISSING or items is None or position is None:
                    return MISSING
                if position != position.to_integral_value() or not 0 <= position < len(items):
                    raise EvaluationError(f"index {position} is outside a list of {len(items)} {where}")
                return items[int(position)]

            return indexing

        def filtering(ctx: Any, env: Env) -> Any:
            items = target(ctx, env)
            if items is MISSING or items is None:
                return MISSING
            ctx.charge(len(items), where)
            inner = dict(env) if env else {}
            out = []
            unknown = False
            for item in items:
                inner["item"] = item
                keep = index(ctx, inner)
                if keep is True:
                    out.append(item)
                elif keep is not False:
                    unknown = True
            return MISSING if unknown else out

        return filtering

    # -- calls -------------------------------------------------------------------------

    def _call(self, node: n.Call) -> Compiled:
        special = getattr(self, "_call_" + node.function, None)
        if special is not None:
            return special(node)
        builtin = BUILTINS[node.function]
        impl = builtin.impl
        assert impl is not None
        args = [self.compile(arg) for arg in node.args]
        if node.function == "date" and isinstance(node.args[0], n.Literal):
            constant = impl(node.args[0].value)
            return lambda ctx, env: constant
        where = _where(node)
        name = node.function
        passes_null = name == "text"

        def failed(exc: Exception) -> EvaluationError:
            return _call_error(name, exc, where)

        if name in _LIST_WORK:
            return self._call_with_list_work(name, impl, args, passes_null, where)
        if len(args) == 2 and not passes_null:
            first, second = args

            def call_two(ctx: Any, env: Env) -> Any:  # `call` below, for two arguments
                a = first(ctx, env)
                b = second(ctx, env)
                if a is MISSING:
                    return MISSING
                if a is None:
                    return None
                if b is MISSING:
                    return MISSING
                if b is None:
                    return None
                try:
                    return impl(a, b)
                except (EvaluationError, TypeError, ValueError, AttributeError, DecimalException, OverflowError) as exc:
                    raise failed(exc) from None

            return call_two

        def call(ctx: Any, env: Env) -> Any:
            values = [arg(ctx, env) for arg in args]
            for value in values:
                if value is MISSING:
                    return MISSING
                if value is None and not passes_null:
                    return None
            try:
                return impl(*values)
            except (EvaluationError, TypeError, ValueError, AttributeError, DecimalException, OverflowError) as exc:
                raise failed(exc) from None

        return call

    def _call_with_list_work(self, name: str, impl: Callable[..., Any], args: list[Compiled], passes_null: bool, where: str) -> Compiled:
        """A builtin whose work grows with a list it reads or builds (sum, min, max, text,
        range, split_evenly): the items are counted against the budget."""

        def call_counted(ctx: Any, env: Env) -> Any:
            values = [arg(ctx, env) for arg in args]
            for value in values:
                if value is MISSING:
                    return MISSING
                if value is None and not passes_null:
                    return None
                if value.__class__ is list:
                    ctx.charge(len(value), where)
            try:
                result = impl(*values)
            except (EvaluationError, TypeError, ValueError, AttributeError, DecimalException, OverflowError) as exc:
                raise _call_error(name, exc, where) from None
            if result.__class__ is list:
                ctx.charge(len(result), where)
            elif result.__class__ is str:
                _sized(result, where)
            return result

        return call_counted

    def _call_exists(self, node: n.Call) -> Compiled:
        arg = self.compile(node.args[0])

        def exists(ctx: Any, env: Env) -> bool:
            mark = len(ctx.missing)
            value = arg(ctx, env)
            del ctx.missing[mark:]
            return value is not MISSING and value is not None

        return exists

    def _call_coalesce(self, node: n.Call) -> Compiled:
        args = [self.compile(arg) for arg in node.args]

        def coalesce(ctx: Any, env: Env) -> Any:
            mark = len(ctx.missing)
            value = MISSING
            for arg in args:
                value = arg(ctx, env)
                if value is not MISSING and value is not None:
                    del ctx.missing[mark:]
                    return value
            if value is None:
                del ctx.missing[mark:]
            return value

        return coalesce

    def _call_value_on(self, node: n.Call) -> Compiled:
        parameter = str(node.args[0].value)  # type: ignore[attr-defined]
        day = self.compile(node.args[1])

        def value_on(ctx: Any, env: Env) -> Any:
            when = day(ctx, env)
            if when is MISSING or when is None:
                return MISSING
            return ctx.parameter_on(parameter, when)

        return value_on

    def _quantifier(self, node: n.Call, settles: bool) -> Compiled:
        items_fn = self.compile(node.args[0])
        where = _where(node)

        def quantifier(ctx: Any, env: Env) -> Any:
            mark = len(ctx.missing)
            items = items_fn(ctx, env)
            if items is MISSING or items is None:
                return MISSING
            ctx.charge(len(items), where)
            unknown = False
            for value in items:
                if value is settles:
                    del ctx.missing[mark:]
                    return settles
                if value is not (not settles):
                    unknown = True
            if not unknown:
                del ctx.missing[mark:]
            return MISSING if unknown else (not settles)

        return quantifier

    def _call_any(self, node: n.Call) -> Compiled:
        return self._quantifier(node, True)

    def _call_all(self, node: n.Call) -> Compiled:
        return self._quantifier(node, False)


_LIST_WORK = frozenset({"sum", "min", "max", "text", "range", "split_evenly"})


def compile_expression(node: n.Node, analysis: Analysis) -> Compiled:
    return Compiler(analysis).compile(node)


__all__ = ["Compiled", "Context", "Decimal", "compile_expression"]
