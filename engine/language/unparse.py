"""Syntax tree → expression text, for traces (a finding's conditions, a rule's deciding part).

A check's `when` is split at its top-level `and` into conditions; each condition is
shown in the trace as text. The parser keeps no end positions, so the text is written
back from the tree: canonical spacing, parentheses only where precedence needs them.
"""

from __future__ import annotations

from decimal import Decimal

from engine.language import nodes as n
from engine.language.values import format_decimal

# Binding strength, loosest first (as grammar.lark orders them).
_IF, _OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _NEG, _POSTFIX = range(9)
_BINARY = {
    "==": _COMPARE, "!=": _COMPARE, "<": _COMPARE, "<=": _COMPARE, ">": _COMPARE, ">=": _COMPARE,
    "in": _COMPARE, "not in": _COMPARE,
    "+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL,
}


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _precedence(node: n.Node) -> int:
    match node:
        case n.If() | n.For():
            return _IF
        case n.Logical(op="or"):
            return _OR
        case n.Logical(op="and"):
            return _AND
        case n.Unary(op="not"):
            return _NOT
        case n.Binary(op=op):
            return _BINARY[op]
        case n.Unary(op="-"):
            return _NEG
        case n.Literal(value=value) if isinstance(value, Decimal) and value < 0:
            return _NEG
    return _POSTFIX


def _wrap(node: n.Node, least: int) -> str:
    text = unparse(node)
    return f"({text})" if _precedence(node) < least else text


def unparse(node: n.Node) -> str:
    match node:
        case n.Literal(value=value):
            if value is None:
                return "null"
            if value is True:
                return "true"
            if value is False:
                return "false"
            if isinstance(value, Decimal):
                return format_decimal(value)
            return _string(str(value))
        case n.Name(name=name):
            return name
        case n.ListLiteral(items=items):
            return "[" + ", ".join(unparse(item) for item in items) + "]"
        case n.RecordLiteral(fields=fields):
            return "{" + ", ".join(f"{key}: {unparse(value)}" for key, value in fields) + "}"
        case n.Unary(op="not", operand=operand):
            return "not " + _wrap(operand, _NOT)
        case n.Unary(op="-", operand=operand):
            return "-" + _wrap(operand, _NEG)
        case n.Logical(op=op, operands=operands):
            level = _OR if op == "or" else _AND
            return f" {op} ".join(_wrap(operand, level + 1) for operand in operands)
        case n.Binary(op=op, left=left, right=right):
            level = _BINARY[op]
            if level == _COMPARE:  # comparisons do not chain
                return f"{_wrap(left, level + 1)} {op} {_wrap(right, level + 1)}"
            return f"{_wrap(left, level)} {op} {_wrap(right, level + 1)}"
        case n.If(condition=c, then=then, otherwise=otherwise):
            return f"if {unparse(c)} then {unparse(then)} else {unparse(otherwise)}"
        case n.For(variable=variable, iterable=iterable, body=body):
            return f"for {variable} in {unparse(iterable)} return {unparse(body)}"
        case n.Field(target=target, name=name):
            return f"{_wrap(target, _POSTFIX)}.{name}"
        case n.Subscript(target=target, index=index):
            return f"{_wrap(target, _POSTFIX)}[{unparse(index)}]"
        case n.Call(function=function, args=args):
            return f"{function}(" + ", ".join(unparse(arg) for arg in args) + ")"
    raise TypeError(f"cannot write {type(node).__name__} as text")  # pragma: no cover


def conjuncts(node: n.Node) -> list[n.Node]:
    """The operands of a top-level `and` (flattened), or the node itself."""
    if isinstance(node, n.Logical) and node.op == "and":
        out: list[n.Node] = []
        for operand in node.operands:
            out.extend(conjuncts(operand))
        return out
    return [node]
