"""What expressions compute: operators, three-valued logic, lists, records and functions.

Expected values are worked out by hand (and, for calendars, from the official production
calendars), never taken from the engine's own output.
"""

import datetime as dt
from decimal import Decimal

import pytest
from helpers import MISSING, D, run

from engine.language.errors import EvaluationError

T, F, U = True, False, MISSING

# -- three-valued logic ------------------------------------------------------------------

AND_TABLE = [
    (T, T, T), (T, F, F), (T, U, U),
    (F, T, F), (F, F, F), (F, U, F),
    (U, T, U), (U, F, F), (U, U, U),
]
OR_TABLE = [
    (T, T, T), (T, F, T), (T, U, T),
    (F, T, T), (F, F, F), (F, U, U),
    (U, T, T), (U, F, U), (U, U, U),
]


def _facts(p, q):
    facts = {}
    if p is not U:
        facts["p"] = p
    if q is not U:
        facts["q"] = q
    return facts


@pytest.mark.parametrize(("p", "q", "expected"), AND_TABLE)
def test_and_truth_table(p, q, expected):
    assert run("p and q", **_facts(p, q)) is expected


@pytest.mark.parametrize(("p", "q", "expected"), OR_TABLE)
def test_or_truth_table(p, q, expected):
    assert run("p or q", **_facts(p, q)) is expected


@pytest.mark.parametrize(("p", "expected"), [(T, F), (F, T), (U, U)])
def test_not_truth_table(p, expected):
    assert run("not p", **_facts(p, T)) is expected


def test_settled_results_do_not_report_missing_facts():
    value, missing = run("p and q", return_missing=True, p=False)
    assert value is False and missing == []
    value, missing = run("q or p", return_missing=True, p=True)
    assert value is True and missing == []


def test_unknown_results_name_the_missing_facts():
    value, missing = run("p and q and a > 1", return_missing=True, p=True)
    assert value is MISSING and missing == ["a", "q"]


def test_comparison_with_missing_is_unknown_not_false():
    assert run("a > 1") is MISSING
    assert run("a == 1") is MISSING
    assert run("not (a == 1)") is MISSING


def test_if_with_unknown_condition_is_unknown():
    assert run('if p then "x" else "y"') is MISSING
    assert run('if p then "x" else "y"', p=False) == "y"


# -- arithmetic and comparisons ------------------------------------------------------------


def test_exact_decimal_arithmetic():
    assert run("a + b", a=Decimal("0.1"), b=Decimal("0.2")) == Decimal("0.3")
    assert run("a * b", a=Decimal("100000.00"), b=Decimal("0.20")) == Decimal("20000.0000")
    # 34 significant digits (IEEE decimal128) before any explicit rounding
    assert run("a / 3", a=1) == Decimal("0." + "3" * 34)
    assert run("-a", a=5) == -5


def test_division_by_zero_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="division by zero"):
        run("a / b", a=1, b=0)


def test_string_concatenation_and_comparison():
    assert run('s + "-Q2"', s="2024") == "2024-Q2"
    assert run('s < "b"', s="a") is True


def test_date_comparison():
    assert run("d < e", d="2024-01-01", e="2024-01-02") is True
    assert run('d == date("2024-01-01")', d="2024-01-01") is True


def test_in_and_not_in():
    assert run('kind in ["fuel", "exempt"]', kind="fuel") is True
    assert run('kind not in ["fuel", "exempt"]', kind="general") is True
    assert run("a in xs", a=2, xs=[1, 2]) is True
    assert run('kind in ["fuel"]') is MISSING


def test_null_propagates_through_arithmetic():
    assert run("a + null", a=1) is None


# -- lists and records -------------------------------------------------------------------

INVOICES = [
    {"id": "R1", "vat": Decimal("250.00"), "kind": "general", "date": dt.date(2021, 1, 10)},
    {"id": "R2", "vat": Decimal("130.00"), "kind": "fuel", "date": dt.date(2021, 1, 20)},
    {"id": "R3", "vat": Decimal("20.50"), "kind": "fuel", "date": dt.date(2021, 2, 1)},
]


def test_filter_and_projection():
    assert run('invoices[kind == "fuel"].id', invoices=INVOICES) == ["R2", "R3"]
    assert run('sum(invoices[kind == "fuel"].vat)', invoices=INVOICES) == Decimal("150.50")
    assert run('invoices[date > date("2021-01-14") and kind == "fuel"].id', invoices=INVOICES) == ["R2", "R3"]


def test_filter_sees_outer_names_and_item():
    assert run("invoices[vat > a].id", invoices=INVOICES, a=100) == ["R1", "R2"]
    assert run("xs[item > 1]", xs=[1, 2, 3]) == [2, 3]


def test_index_is_zero_based():
    assert run("xs[0]", xs=[7, 8]) == 7
    with pytest.raises(EvaluationError, match="outside"):
        run("xs[2]", xs=[7, 8])


def test_for_builds_records():
    value = run("for i in invoices return {id: i.id, double: i.vat * 2}", invoices=INVOICES[:1])
    assert value == [{"id": "R1", "double": Decimal("500.00")}]


def test_filter_with_an_unknown_item_is_unknown():
    partial = [{"id": "X", "vat": Decimal(1)}]  # no kind
    value, missing = run('invoices[kind == "fuel"]', return_missing=True, invoices=partial)
    assert value is MISSING and missing == ["invoices.kind"]


def test_record_field():
    assert run("inv.vat", inv=INVOICES[0]) == Decimal("250.00")
    assert run("inv.date", inv={"id": "x"}) is MISSING


# -- aggregates --------------------------------------------------------------------------


def test_aggregates():
    assert run("sum(xs)", xs=[1, 2, 3]) == 6
    assert run("sum(xs)", xs=[]) == 0
    assert run("count(xs)", xs=[1, 2, 3]) == 3
    assert run("min(xs)", xs=[3, 1, 2]) == 1
    assert run("max(xs)", xs=[3, 1, 2]) == 3
    assert run("max(a, b, 0)", a=-1, b=-2) == 0
    assert run("min(xs)", xs=[]) is MISSING


@pytest.mark.parametrize(
    ("flags", "any_value", "all_value"),
    [([T, F], T, F), ([F, F], F, F), ([T, T], T, T), ([F, U], U, F), ([T, U], T, U), ([], F, T)],
)
def test_any_all_three_valued(flags, any_value, all_value):
    assert run("any(flags)", flags=flags) is any_value
    assert run("all(flags)", flags=flags) is all_value


def test_exists_and_coalesce():
    assert run("exists(a)") is False
    assert run("exists(a)", a=0) is True
    value, missing = run("coalesce(a, 5)", return_missing=True)
    assert value == 5 and missing == []
    assert run("coalesce(a, b)", b=2, a=1) == 1
    assert run("coalesce(a, null)") is None


# -- functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "places", "expected"),
    [("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("-2.345", 2, "-2.35"), ("0.5", 0, "1"), ("1.5", 0, "2"), ("2.5", 0, "3"), ("0.23076923", 4, "0.2308")],
)
def test_round_is_half_up(x, places, expected):
    assert run(f"round(a, {places})", a=Decimal(x)) == Decimal(expected)


def test_round_other_modes():
    assert run('round(a, 0, "half_even")', a=Decimal("2.5")) == 2
    assert run('round(a, 2, "down")', a=Decimal("2.349")) == Decimal("2.34")


def test_split_evenly_sums_exactly():
    assert run("split_evenly(a, 3, 2)", a=Decimal("100000.00")) == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert run("split_evenly(a, 4, 2)", a=200000) == [D(50000)] * 4
    assert sum(run("split_evenly(a, 7, 2)", a=Decimal("1000"))) == 1000


def test_date_functions():
    assert run("add_days(d, 5)", d="2024-03-01") == dt.date(2024, 3, 6)
    assert run("add_months(d, 3)", d="2024-11-30") == dt.date(2025, 2, 28)
    assert run("add_months(d, 1)", d="2024-01-31") == dt.date(2024, 2, 29)
    assert run("add_years(d, 1)", d="2024-02-29") == dt.date(2025, 2, 28)
    assert run("days_between(d, e)", d="2024-01-01", e="2024-03-01") == 60
    assert run("year(d)", d="2024-05-02") == 2024
    assert run("month(d)", d="2024-05-02") == 5
    assert run("quarter(d)", d="2024-05-02") == 2
    assert run("quarter_label(d)", d="2024-05-02") == "2024-Q2"
    assert run("start_of_quarter(d)", d="2024-05-02") == dt.date(2024, 4, 1)
    assert run("end_of_quarter(d)", d="2024-05-02") == dt.date(2024, 6, 30)
    assert run("end_of_month(d)", d="2023-02-10") == dt.date(2023, 2, 28)
    assert run("make_date(2024, 9, 30)") == dt.date(2024, 9, 30)
    assert run("text(a)", a=Decimal("1.50")) == "1.50"


def test_impossible_date_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="impossible date"):
        run("make_date(2023, 2, 29)")


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        # RU: 2024-12-28 was a working Saturday; 29 Dec – 8 Jan off. Working days after
        # 25 Dec: 26, 27, 28(Sat), 9 Jan, 10, 13, 14, 15, 16, 17.
        ("RU", "2024-12-25", 10, "2025-01-17"),
        # RU May 2025: 1–4 and 8–11 May off. After 25 Apr: 28, 29, 30 Apr, 5, 6, 7, 12, 13, 14, 15 May.
        ("RU", "2025-04-25", 10, "2025-05-15"),
        # CN Spring Festival 2024: 10–17 Feb off, Sun 4 Feb and Sun 18 Feb worked.
        # After 8 Feb: 9 Feb, 18 Feb(Sun), 19, 20.
        ("CN", "2024-02-08", 4, "2024-02-20"),
        # AT: Easter Monday 2024-04-01. After Thu 28 Mar: 29 (Fri), 2 Apr.
        ("AT", "2024-03-28", 2, "2024-04-02"),
    ],
)
def test_add_working_days(calendar, start, days, expected):
    assert run(f'add_working_days(d, {days}, "{calendar}")', d=start) == dt.date.fromisoformat(expected)


def test_next_working_day_and_is_working_day():
    assert run('next_working_day(d, "RU")', d="2024-06-15") == dt.date(2024, 6, 17)  # Saturday
    assert run('next_working_day(d, "RU")', d="2024-12-28") == dt.date(2024, 12, 28)  # working Saturday
    assert run('next_working_day(d, "RU")', d="2025-01-01") == dt.date(2025, 1, 9)
    assert run('is_working_day(d, "RU")', d="2025-05-02") is False  # moved day off
    assert run('is_working_day(d, "AT")', d="2024-12-24") is True
    assert run('is_working_day(d, "CN")', d="2024-10-12") is True  # make-up Saturday


def test_missing_field_of_a_fact_list_names_the_fact_through_loops():
    partial = [{"id": "X", "vat": Decimal(1)}]  # no date
    value, missing = run("for i in invoices return year(i.date)", return_missing=True, invoices=partial)
    assert value == [MISSING] and missing == ["invoices.date"]
    value, missing = run("sum(for i in invoices return i.vat)", return_missing=True, invoices=partial)
    assert value == 1 and missing == []
