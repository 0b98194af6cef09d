"""Load-time checks: names, arity, types, enum values — each with its position."""

import pytest
from helpers import checker, compile_text

from engine.language import types as t
from engine.language.errors import ExpressionError
from engine.language.parser import parse


def error_of(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_text(text)
    return info.value


def test_unknown_name_with_suggestion():
    err = error_of("invoice and p")
    assert "unknown name 'invoice'" in err.message and "did you mean 'invoices'" in err.message
    assert (err.line, err.column) == (1, 1)


def test_unknown_function_with_suggestion():
    err = error_of("add_day(d, 1)")
    assert "unknown function 'add_day'" in err.message and "add_days" in err.message


def test_function_used_as_a_name():
    assert "is a function" in error_of("round").message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("round(a)", "takes 2 to 3 argument(s), got 1"),
        ("add_days(d)", "takes 2 argument(s), got 1"),
        ("exists(a, b)", "takes 1 argument(s), got 2"),
    ],
)
def test_arity(text, fragment):
    assert fragment in error_of(text).message


def test_date_compared_with_number():
    err = error_of("p and d > 5")
    assert "cannot compare date with decimal" in err.message
    assert err.column == 9


def test_date_arithmetic_points_to_functions():
    assert "use add_days" in error_of("d + 1").message


def test_argument_types():
    assert "argument 1 of add_days" in error_of("add_days(a, 1)").message
    assert "must be a date" in error_of("add_days(a, 1)").message


def test_enum_value_typo_is_caught():
    err = error_of('kind == "fual"')
    assert "'fual' is not a value of kind" in err.message and "did you mean 'fuel'" in err.message
    assert err.column == 9
    assert "is not a value" in error_of('kind in ["general", "exmpt"]').message


def test_unknown_calendar_literal():
    assert "unknown calendar 'RUS'" in error_of('next_working_day(d, "RUS")').message


def test_bad_date_literal():
    assert "2024-02-30" in error_of('date("2024-02-30")').message


def test_conditions_must_be_boolean():
    assert "needs a condition" in error_of("a and p").message
    assert "needs a condition" in error_of('if a then 1 else 2').message


def test_if_branches_must_agree():
    assert "branches give" in error_of('if p then 1 else "x"').message


def test_fields_of_records():
    assert "no field 'vta'" in error_of("inv.vta").message
    assert "did you mean 'vat'" in error_of("inv.vta").message
    assert "no field" in error_of("invoices.amount").message


def test_filter_needs_a_list():
    assert "only lists" in error_of("a[p]").message


def test_boolean_never_found_in_numbers():
    assert "cannot look for boolean" in error_of("true in [1]").message


def test_types_of_results():
    _, analysis = compile_text('sum(invoices[kind == "fuel"].vat)')
    assert analysis.type == t.DECIMAL
    _, analysis = compile_text("invoices.date")
    assert analysis.type == t.list_of(t.DATE)
    _, analysis = compile_text('if p then "a" else "b"')
    assert analysis.type == t.STRING


def test_value_on_needs_a_declared_parameter():
    node = parse('value_on("rate", d)')
    with pytest.raises(ExpressionError, match="no parameter named 'rate'"):
        checker().check(node)
