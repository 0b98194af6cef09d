"""Shared law, defined once: resolving what a rulebook imports from library books.

A library book (`kind: library`, engine/rulebook/library.py) holds dated parameters,
functions (named expressions with parameters) and sources that several rulebooks need —
the five-day corrective-invoice deadline moved off a non-working day, the VAT rate table.
A decision or ledger rulebook imports it under an alias (`imports: {common: ru.common}`)
and writes `common.corrective_invoice_deadline(agreement_date)`,
`value_on("common.vat_standard_rate", shipment_date)`, `common.vat_standard_rate` or
cites `common.nk_6_1_7`.

Why inlining: every consumer of expression trees (the checker, the closure compiler, the
ledger planner, the streaming and SQL executors, the prover) must see the same law without
learning what a library is. So a library call is replaced, when the importing rulebook
loads, by the function's body with the call's arguments put in the place of its
parameters; a library parameter read on a given date in a ledger check (which has no
as-of date) becomes a chain of `if date >= ... then value else ...` over the parameter's
dated values. Nothing of the library survives into evaluation but plain expression nodes
(and, in decision rulebooks, the imported parameters under their `alias.name`, so the trace
shows which value applied from which date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine.language import nodes as n
from engine.language import types as t
from engine.language.builtins import BUILTINS
from engine.language.checker import suggest
from engine.language.errors import ExpressionError
from engine.language.parser import names_in

if TYPE_CHECKING:  # pragma: no cover
    from engine.rulebook.library import Function, Library

MODES = ("decision", "ledger", "library")

# Types a library call's argument in the scope of the enclosing `for`/filter nodes.
TypeOf = Callable[[n.Node, Sequence[n.For | n.Subscript]], t.Type]


def _fail(node: n.Node, message: str) -> ExpressionError:
    return ExpressionError(message, node.line, node.column)


def _at(node: n.Node, line: int, column: int) -> dict[str, Any]:
    return {"line": line, "column": column} if line else {"line": node.line, "column": node.column}


def literal_node(value: Any, line: int, column: int) -> n.Node:
    """A parameter's runtime value as an expression node (dates as `date("…")`)."""
    if value is None or isinstance(value, bool | Decimal | str):
        return n.Literal(line, column, value)
    if isinstance(value, dt.date):
        return n.Call(line, column, "date", (n.Literal(line, column, value.isoformat()),))
    if isinstance(value, list):
        return n.ListLiteral(line, column, tuple(literal_node(v, line, column) for v in value))
    if isinstance(value, dict):
        return n.RecordLiteral(line, column, tuple((k, literal_node(v, line, column)) for k, v in value.items()))
    raise TypeError(f"cannot write {value!r} as an expression")  # pragma: no cover


def dated_chain(values: list[Any], day: n.Node, line: int, column: int) -> n.Node:
    """`value_on(p, day)` as plain nodes: the latest value whose `since` is not after `day`;
    null before the first. `values` are ParameterValue entries in date order."""
    result: n.Node = n.Literal(line, column, None)
    for entry in values:
        condition = n.Binary(line, column, ">=", day, literal_node(entry.since, line, column))
        result = n.If(line, column, condition, literal_node(entry.value, line, column), result)
    return result


def bound_names(node: n.Node) -> set[str]:
    """Names a function body binds itself (`for` variables, `item`): an argument that
    reads one of them would be captured, so such a call is refused."""
    out: set[str] = set()
    for current in n.walk(node):
        if isinstance(current, n.For):
            out.add(current.variable)
        if isinstance(current, n.Subscript):
            out.add("item")
    return out


def rebuild(node: n.Node, visit: Callable[[n.Node], n.Node], line: int = 0, column: int = 0) -> n.Node:
    """The node with every direct sub-expression replaced by `visit(child)`; moved to
    (line, column) when given (inlined bodies point at the call that inlined them)."""
    changes: dict[str, Any] = _at(node, line, column)
    for f in dataclasses.fields(node):
        if f.name in ("line", "column"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, n.Node):
            changes[f.name] = visit(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], n.Node):
            changes[f.name] = tuple(visit(v) for v in value)
        elif isinstance(value, tuple) and value and isinstance(value[0], tuple):
            changes[f.name] = tuple((key, visit(v)) for key, v in value)
    return dataclasses.replace(node, **changes)


class Imports:
    """What one rulebook imports, and the rewriting of its expressions against it.

    `libraries` maps an alias to a loaded Library; `local` (for a library's own
    expressions) is the library whose functions and parameters are reachable by their
    bare names. `mode` says what a parameter read becomes: in `decision` and `library`
    books a parameter keeps its (namespaced) name and is read on the as-of date or with
    value_on; in `ledger` books, which have no as-of date, only `value_on(...)` is allowed
    and it becomes a dated chain of literals.
    """

    def __init__(self, libraries: Mapping[str, Library], mode: str, local: Library | None = None) -> None:
        assert mode in MODES
        self.libraries = dict(libraries)
        self.mode = mode
        self.local = local

    @property
    def aliases(self) -> list[str]:
        return list(self.libraries)

    # -- names the importing book sees ----------------------------------------------------

    def parameter_names(self) -> list[str]:
        return [f"{alias}.{name}" for alias, lib in self.libraries.items() for name in lib.parameters]

    def parameter(self, qualified: str) -> Any:
        """The Parameter behind `alias.name` (or a local bare name), or None."""
        if "." in qualified:
            alias, name = qualified.split(".", 1)
            lib = self.libraries.get(alias)
            return lib.parameters.get(name) if lib else None
        return self.local.parameters.get(qualified) if self.local else None

    # -- the rewrite ----------------------------------------------------------------------

    def expand(self, node: n.Node, type_of: TypeOf | None = None) -> n.Node:
        """`node` with every library call inlined and every library parameter resolved.

        `type_of(arg, binders)` types a call's argument in the scope of `binders`, the
        enclosing `for` and filter nodes (outermost first, already expanded), so an argument
        may read the importing book's own loop variable or `item`."""
        if not self.libraries and self.local is None:
            return node
        return self._expand(node, type_of, ())

    def _expand(self, node: n.Node, type_of: TypeOf | None, binders: tuple[n.For | n.Subscript, ...]) -> n.Node:
        def visit(child: n.Node) -> n.Node:
            return self._expand(child, type_of, binders)

        if isinstance(node, n.For):
            iterable = visit(node.iterable)
            scoped = dataclasses.replace(node, iterable=iterable)
            body = self._expand(node.body, type_of, (*binders, scoped))
            return dataclasses.replace(scoped, body=body)
        if isinstance(node, n.Subscript):
            target = visit(node.target)
            scoped = dataclasses.replace(node, target=target)
            index = self._expand(node.index, type_of, (*binders, scoped))
            return dataclasses.replace(scoped, index=index)
        if isinstance(node, n.Call):
            if node.function == "value_on" and node.args and isinstance(node.args[0], n.Literal):
                return self._value_on(node, visit)
            function = self._function(node)
            if function is not None:
                lib, prefix, fn = function
                args = tuple(visit(arg) for arg in node.args)
                return self._inline(node, lib, prefix, fn, args, type_of, binders)
        if isinstance(node, n.Field) and isinstance(node.target, n.Name) and node.target.name in self.libraries:
            return self._parameter_read(node, node.target.name, node.name)
        if isinstance(node, n.Name) and node.name in self.libraries:
            lib = self.libraries[node.name]
            raise _fail(node, f"{node.name!r} is the imported library {lib.id}: name one of its parameters "
                              f"({node.name}.<parameter>) or call one of its functions ({node.name}.<function>(...))")
        return rebuild(node, visit)

    def _function(self, node: n.Call) -> tuple[Library, str, Function] | None:
        if "." in node.function:
            alias, name = node.function.split(".", 1)
            lib = self.libraries.get(alias)
            if lib is None:
                known = self.aliases
                hint = suggest(alias, known) if known else "; this rulebook imports no library (`imports:`)"
                raise _fail(node, f"{node.function}(): no imported library {alias!r}{hint}")
            fn = lib.functions.get(name)
            if fn is None:
                raise _fail(node, f"library {lib.id} (imported as {alias!r}) has no function {name!r}{suggest(name, list(lib.functions))}")
            return lib, alias + ".", fn
        if self.local is not None and node.function in self.local.functions and node.function not in BUILTINS:
            return self.local, "", self.local.functions[node.function]
        return None

    def _inline(self, call: n.Call, lib: Library, prefix: str, fn: Function, args: tuple[n.Node, ...],
                type_of: TypeOf | None, binders: tuple[n.For | n.Subscript, ...]) -> n.Node:
        label = f"{prefix}{fn.name}"
        if len(args) != len(fn.params):
            names = ", ".join(name for name, _ in fn.params)
            raise _fail(call, f"{label}({names}) takes {len(fn.params)} argument(s), got {len(args)}")
        captured = bound_names(fn.body)
        for i, ((name, declared), arg) in enumerate(zip(fn.params, args, strict=True)):
            clash = names_in(arg) & captured
            if clash:
                raise _fail(arg, f"argument {i + 1} of {label}() reads {sorted(clash)[0]!r}, a name the function binds itself; "
                                 "compute it in a derived value first")
            if type_of is not None:
                got = type_of(arg, binders)
                if not t.compatible(got, declared):
                    raise _fail(arg, f"argument {i + 1} ({name}) of {label}() must be {declared}, got {got}")
        by_param = {name: arg for (name, _), arg in zip(fn.params, args, strict=True)}
        return self._substitute(fn.body, fn, lib, prefix, by_param, call.line, call.column)

    def _substitute(self, node: n.Node, fn: Function, lib: Library, prefix: str,
                    args: dict[str, n.Node], line: int, column: int) -> n.Node:
        def visit(child: n.Node) -> n.Node:
            return self._substitute(child, fn, lib, prefix, args, line, column)

        if isinstance(node, n.Name):
            symbol = fn.analysis.symbols.get(id(node))
            kind = symbol.kind if symbol is not None else None
            if kind == "fact" and node.name in args:
                return args[node.name]
            if kind == "parameter":
                return self._library_parameter(node, lib, prefix, node.name, line, column)
            return n.Name(line, column, node.name)
        if isinstance(node, n.Call) and node.function == "value_on" and isinstance(node.args[0], n.Literal):
            name = str(node.args[0].value)
            day = visit(node.args[1])
            parameter = lib.parameters[name]
            if self.mode == "ledger":
                return dated_chain(parameter.values, day, line, column)
            return n.Call(line, column, "value_on", (n.Literal(line, column, prefix + name), day))
        return rebuild(node, visit, line, column)

    def _library_parameter(self, node: n.Node, lib: Library, prefix: str, name: str, line: int, column: int) -> n.Node:
        if self.mode == "ledger":
            raise _fail(node if not line else n.Name(line, column, name),
                        f"{prefix}{name} is a dated parameter, and a ledger check has no as-of date: "
                        f"read it on a record's date with value_on(\"{prefix}{name}\", <date>)")
        return n.Name(line or node.line, column or node.column, prefix + name)

    def _parameter_read(self, node: n.Field, alias: str, member: str) -> n.Node:
        lib = self.libraries[alias]
        if member not in lib.parameters:
            what = "function" if member in lib.functions else None
            if what:
                raise _fail(node, f"{alias}.{member} is a function of {lib.id}: call it, {alias}.{member}(...)")
            raise _fail(node, f"library {lib.id} (imported as {alias!r}) has no parameter {member!r}{suggest(member, list(lib.parameters))}")
        return self._library_parameter(node, lib, alias + ".", member, node.line, node.column)

    def _value_on(self, node: n.Call, visit: Callable[[n.Node], n.Node]) -> n.Node:
        name = node.args[0].value  # type: ignore[attr-defined]
        args = tuple(visit(arg) for arg in node.args)
        if self.mode != "ledger" or not isinstance(name, str):
            return dataclasses.replace(node, args=args)
        parameter = self.parameter(name)
        if parameter is None:
            known = self.parameter_names()
            raise _fail(node.args[0], f"no imported parameter named {name!r}{suggest(name, known)}"
                        + ("" if known else "; a ledger rulebook reads dated parameters only from imported libraries"))
        if len(args) != 2:
            raise _fail(node, f"value_on(parameter, date) takes 2 arguments, got {len(args)}")
        return dated_chain(parameter.values, args[1], node.line, node.column)


# -- what the loaders call ---------------------------------------------------------------------


def imported_libraries(builder: Any, raw: Mapping[str, str], mode: str) -> Imports:
    """Load the libraries a rulebook imports (`{alias: library id}`) and add their sources
    to the builder's under `alias.source`. Problems are reported at the import's line."""
    from engine.rulebook.errors import RulebookError, RulebookNotFound
    from engine.rulebook.library import load_library_file
    from engine.rulebook.registry import is_library_file, load_cached, resolve

    libraries: dict[str, Library] = {}
    for alias, library_id in raw.items():
        path = ("imports", alias)
        try:
            file = resolve(str(library_id))
        except RulebookNotFound as exc:
            builder.problem(path, f"cannot import {library_id!r}: {exc}")
            continue
        if not is_library_file(file):
            builder.problem(path, f"{library_id!r} is not a library book (`kind: library`); only libraries can be imported")
            continue
        try:
            lib = load_cached(file, load_library_file)
        except RulebookError as exc:
            first = exc.problems[0]
            builder.problem(path, f"the library {library_id!r} does not load ({len(exc.problems)} problem(s)); first: {first}")
            continue
        if lib.id != library_id:  # pragma: no cover - resolve() finds files by id
            builder.problem(path, f"{file} declares id {lib.id!r}, not {library_id!r}")
            continue
        libraries[alias] = lib
        for key, source in lib.sources.items():
            builder.sources[f"{alias}.{key}"] = dataclasses.replace(source, id=f"{alias}.{key}")
    return Imports(libraries, mode)


def imported_parameters(imports: Imports) -> dict[str, Any]:
    """The libraries' dated parameters under `alias.name`, their citations namespaced too,
    so a decision rulebook reads and traces them like its own."""
    from engine.rulebook.model import Parameter, ParameterValue

    out: dict[str, Any] = {}
    for alias, lib in imports.libraries.items():
        for name, parameter in lib.parameters.items():
            qualified = f"{alias}.{name}"
            out[qualified] = Parameter(
                name=qualified,
                values=[ParameterValue(v.since, v.value, tuple(f"{alias}.{c}" for c in v.citations)) for v in parameter.values],
                type=parameter.type,
                citations=tuple(f"{alias}.{c}" for c in parameter.citations),
                description=dict(parameter.description),
            )
    return out


def combined_sha256(own: str, imports: Imports) -> str:
    """The version an auditor records: the file's sha256, or — when it imports libraries —
    the sha256 of the file's together with each imported library's (alias, id, sha256), so
    a change of shared law changes the version of every rulebook that uses it."""
    if not imports.libraries:
        return own
    import hashlib

    parts = [own] + [f"{alias}={lib.id}@{lib.sha256}" for alias, lib in sorted(imports.libraries.items())]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
