"""The expression language's syntax tree: small frozen dataclasses.

Each node keeps the line and column (1-based, within the expression text) where it
starts, so the checker can point a rulebook author at the exact spot in the YAML file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number (always Decimal), string, boolean or null."""

    value: Decimal | str | bool | None


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class RecordLiteral(Node):
    fields: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic and comparison: + - * / == != < <= > >= in, not_in."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """`and` / `or` over two or more operands, with three-valued semantics."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class For(Node):
    variable: str
    iterable: Node
    body: Node


@dataclass(frozen=True, slots=True)
class Field(Node):
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Subscript(Node):
    """`xs[cond]` (filter) or `xs[n]` (index): the checker decides which by the type."""

    target: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


def walk(node: Node) -> Iterator[Node]:
    """The node and every sub-expression below it (depth first, no order promised): the one
    walk for analyses that look at each node alone (names read, functions called, literals)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(children(current))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, for walks that do not care about the kind."""
    match node:
        case ListLiteral(items=items):
            return items
        case RecordLiteral(fields=fields):
            return tuple(value for _, value in fields)
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Logical(operands=operands):
            return operands
        case If(condition=c, then=t, otherwise=o):
            return (c, t, o)
        case For(iterable=it, body=body):
            return (it, body)
        case Field(target=target):
            return (target,)
        case Subscript(target=target, index=index):
            return (target, index)
        case Call(args=args):
            return args
    return ()
