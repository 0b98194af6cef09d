"""The grammar: what parses, how it groups, and where parse errors point."""

from decimal import Decimal

import pytest

from engine.language import nodes as n
from engine.language.errors import ExpressionError
from engine.language.limits import MAX_DEPTH, MAX_EXPRESSION_LENGTH
from engine.language.parser import parse


def test_literals():
    assert parse("12") == n.Literal(1, 1, Decimal("12"))
    assert parse("0.13").value == Decimal("0.13")
    assert parse("-5").value == Decimal("-5")
    assert parse('"text"').value == "text"
    assert parse("'single'").value == "single"
    assert parse(r'"a \"quoted\" word"').value == 'a "quoted" word'
    assert parse("true").value is True
    assert parse("false").value is False
    assert parse("null").value is None


def test_numbers_never_go_through_float():
    assert parse("0.1").value == Decimal("0.1")
    assert str(parse("100000.00").value) == "100000.00"


def test_precedence_multiplication_binds_tighter_than_addition():
    node = parse("a + b * c")
    assert isinstance(node, n.Binary) and node.op == "+"
    assert isinstance(node.right, n.Binary) and node.right.op == "*"


def test_arithmetic_is_left_associative():
    node = parse("a - b - c")
    assert node.op == "-" and isinstance(node.left, n.Binary) and node.left.op == "-"


def test_and_binds_tighter_than_or_and_chains_flatten():
    node = parse("p or q and r and p")
    assert isinstance(node, n.Logical) and node.op == "or"
    assert isinstance(node.operands[1], n.Logical) and len(node.operands[1].operands) == 3


def test_not_and_comparison():
    node = parse("not a > 1")
    assert isinstance(node, n.Unary) and node.op == "not"
    assert isinstance(node.operand, n.Binary) and node.operand.op == ">"


def test_in_and_not_in():
    assert parse('kind in ["a", "b"]').op == "in"
    assert parse('kind not in ["a"]').op == "not in"


def test_if_then_else_and_for():
    node = parse('if p then "x" else "y"')
    assert isinstance(node, n.If)
    loop = parse("for q in range(1, 5) return {quarter: q, amount: 2}")
    assert isinstance(loop, n.For) and loop.variable == "q"
    assert isinstance(loop.body, n.RecordLiteral) and [k for k, _ in loop.body.fields] == ["quarter", "amount"]


def test_postfix_field_filter_and_call():
    node = parse('sum(invoices[kind == "fuel"].vat)')
    assert isinstance(node, n.Call) and node.function == "sum"
    field = node.args[0]
    assert isinstance(field, n.Field) and field.name == "vat"
    assert isinstance(field.target, n.Subscript)


def test_trailing_commas_and_empty_collections():
    assert parse("[1, 2,]").items[1].value == Decimal(2)
    assert parse("[]").items == ()
    assert parse("{}").fields == ()
    assert parse("f(1,)").args[0].value == Decimal(1)


def test_keywords_are_not_names_but_prefixes_are():
    node = parse("android and iffy")
    assert [o.name for o in node.operands] == ["android", "iffy"]
    with pytest.raises(ExpressionError):
        parse("if + 1")


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("a +", 1, 4, "ends too early"),
        ("a == ", 1, 5, "ends too early"),
        ("1 $ 2", 1, 3, "unexpected character '$'"),
        ("a b", 1, 3, "unexpected 'b'"),
        ("a and\n  or b", 2, 3, "unexpected 'or'"),
        ("{a: 1, a: 2}", 1, 11, "appears twice"),
    ],
)
def test_errors_point_at_the_problem(text, line, column, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert fragment in info.value.message
    assert (info.value.line, info.value.column) == (line, column)


def test_positions_are_kept_on_nodes():
    node = parse("a +\n  bee")
    assert (node.right.line, node.right.column) == (2, 3)


def test_length_limit():
    with pytest.raises(ExpressionError, match="limit"):
        parse("a + " * (MAX_EXPRESSION_LENGTH // 4) + "a")


def test_depth_limit_nested_lists():
    with pytest.raises(ExpressionError, match="nests deeper"):
        parse("[" * (MAX_DEPTH + 5) + "1" + "]" * (MAX_DEPTH + 5))


def test_depth_limit_parentheses():
    with pytest.raises(ExpressionError, match="nests deeper"):
        parse("(" * 900 + "a" + ")" * 900)


def test_depth_limit_without_brackets():
    with pytest.raises(ExpressionError, match="nests deeper"):
        parse("not " * 500 + "p")


def test_reasonable_depth_is_fine():
    assert parse("(" * 20 + "a" + ")" * 20) == n.Name(1, 21, "a")


def test_long_flat_chains_are_not_deep():
    node = parse(" or ".join(["p"] * 200))
    assert isinstance(node, n.Logical) and len(node.operands) == 200


def test_empty_expression():
    with pytest.raises(ExpressionError, match="empty"):
        parse("   ")
