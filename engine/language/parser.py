"""Text → syntax tree. Lark does the parsing; a Transformer builds our dataclasses.

The grammar file stays free of actions (as in Lark's own examples), so the language's
shape can be read in one place and the tree-building logic in another.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

from lark import Lark, Token, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from engine.language import nodes as n
from engine.language.errors import ExpressionError
from engine.language.limits import MAX_DEPTH, MAX_EXPRESSION_LENGTH

_GRAMMAR = Path(__file__).with_name("grammar.lark")

_TOKEN_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "COMP_OP": "a comparison",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "MUL_OP": "`*` or `/`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "DOT": "`.`",
    "QUALIFIED_NAME": "a library function (alias.name)",
    "$END": "the end of the expression",
}


@functools.cache
def _lark() -> Lark:
    return Lark(_GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="basic", propagate_positions=True)


def _pos(meta_or_token: object) -> tuple[int, int]:
    line = getattr(meta_or_token, "line", 1) or 1
    column = getattr(meta_or_token, "column", 1) or 1
    return line, column


def _unescape(raw: str) -> str:
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@v_args(meta=True)
class _ToNodes(Transformer_NonRecursive):
    """Builds nodes bottom-up; single-child wrapper rules collapse to their child."""

    def number(self, meta, children):
        token = children[0]
        return n.Literal(*_pos(token), Decimal(str(token)))

    def string(self, meta, children):
        token = children[0]
        return n.Literal(*_pos(token), _unescape(str(token)))

    def true(self, meta, children):
        return n.Literal(*_pos(meta), True)

    def false(self, meta, children):
        return n.Literal(*_pos(meta), False)

    def null(self, meta, children):
        return n.Literal(*_pos(meta), None)

    def name(self, meta, children):
        token = children[0]
        return n.Name(*_pos(token), str(token))

    def arguments(self, meta, children):
        return tuple(children)

    def list_literal(self, meta, children):
        items = children[0] if children and children[0] is not None else ()
        return n.ListLiteral(*_pos(meta), tuple(items))

    def record_field(self, meta, children):
        return (str(children[0]), children[1])

    def record_fields(self, meta, children):
        return tuple(children)

    def record_literal(self, meta, children):
        fields = children[0] if children and children[0] is not None else ()
        seen: set[str] = set()
        for key, value in fields:
            if key in seen:
                raise ExpressionError(f"field {key!r} appears twice in the record", *_pos(value))
            seen.add(key)
        return n.RecordLiteral(*_pos(meta), tuple(fields))

    def or_op(self, meta, children):
        if len(children) == 1:
            return children[0]
        return n.Logical(*_pos(meta), "or", tuple(children))

    def and_op(self, meta, children):
        if len(children) == 1:
            return children[0]
        return n.Logical(*_pos(meta), "and", tuple(children))

    def not_op(self, meta, children):
        return n.Unary(*_pos(meta), "not", children[0])

    def neg(self, meta, children):
        operand = children[-1]
        if isinstance(operand, n.Literal) and isinstance(operand.value, Decimal):
            return n.Literal(*_pos(meta), -operand.value)
        return n.Unary(*_pos(meta), "-", operand)

    def arithmetic(self, meta, children):
        node = children[0]
        for i in range(1, len(children), 2):
            op_token: Token = children[i]
            node = n.Binary(*_pos(op_token), str(op_token), node, children[i + 1])
        return node

    def compare(self, meta, children):
        left, op, right = children
        return n.Binary(*_pos(op), str(op), left, right)

    def in_op(self, meta, children):
        return n.Binary(*_pos(meta), "in", children[0], children[1])

    def not_in_op(self, meta, children):
        return n.Binary(*_pos(meta), "not in", children[0], children[1])

    def if_expr(self, meta, children):
        return n.If(*_pos(meta), children[0], children[1], children[2])

    def for_expr(self, meta, children):
        return n.For(*_pos(meta), str(children[0]), children[1], children[2])

    def field(self, meta, children):
        target, name = children
        return n.Field(*_pos(name), target, str(name))

    def subscript(self, meta, children):
        return n.Subscript(*_pos(meta), children[0], children[1])

    def call(self, meta, children):
        name, args = children
        return n.Call(*_pos(name), str(name), tuple(args or ()))


def _tree_depth(tree: Tree) -> int:
    """Depth of the raw parse tree, measured without recursion (hostile input is deep)."""
    deepest = 0
    stack: list[tuple[Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children if child is not None)
    return deepest


def node_depth(node: n.Node) -> int:
    deepest = 0
    stack: list[tuple[n.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in n.children(current))
    return deepest


def names_in(node: n.Node) -> set[str]:
    """Every name an expression mentions (globals and locals alike), without checking it."""
    return {current.name for current in n.walk(node) if isinstance(current, n.Name)}


def _describe_expected(expected: set[str]) -> str:
    """Lark's token names in words; keywords and operators are summarised, not listed."""
    if {"NAME", "NUMBER", "STRING"} <= expected:
        return "a value (a name, number, text, list, or a parenthesised expression)"
    operators = {"PLUS", "MINUS", "MUL_OP", "COMP_OP", "AND", "OR", "IN", "NOT"}
    if len(expected & operators) >= 3:
        rest = sorted(_TOKEN_NAMES.get(e, "`" + e.lower() + "`") for e in expected - operators)
        return ", ".join(["an operator", *rest[:4]])
    names = sorted(_TOKEN_NAMES.get(e, "`" + e.lower() + "`") for e in expected)
    if len(names) > 6:
        names = names[:6] + ["…"]
    return ", ".join(names)


def parse(text: str) -> n.Node:
    """Parse one expression, raising ExpressionError with a position on any problem."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"expression is {len(text)} characters long; the limit is {MAX_EXPRESSION_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("empty expression")
    try:
        tree = _lark().parse(text)
    except UnexpectedCharacters as exc:
        raise ExpressionError(
            f"unexpected character {text[exc.pos_in_stream]!r}", exc.line, exc.column
        ) from None
    except UnexpectedEOF as exc:
        raise ExpressionError(
            f"the expression ends too early; expected {_describe_expected(set(exc.expected))}",
            *_end_position(text),
        ) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise ExpressionError(
                "the expression ends too early; expected "
                + _describe_expected(set(exc.expected)),
                *_end_position(text),
            ) from None
        raise ExpressionError(
            f"unexpected {str(token)!r}; expected {_describe_expected(set(exc.expected))}",
            exc.line,
            exc.column,
        ) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark input errors
        raise ExpressionError(str(exc).splitlines()[0], exc.line, exc.column) from None
    # The raw tree wraps each nesting level in a few single-child rules; bound it before
    # the (recursive) transformer sees it, then bound the real nesting of the result.
    if _tree_depth(tree) > MAX_DEPTH * 8:
        raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} levels")
    try:
        node = _ToNodes().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ExpressionError):
            raise exc.orig_exc from None
        raise
    if node_depth(node) > MAX_DEPTH:
        raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} levels")
    return node


def _end_position(text: str) -> tuple[int, int]:
    lines = text.rstrip().split("\n")
    return len(lines), len(lines[-1]) + 1
