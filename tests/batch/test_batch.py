"""`taxrules batch` and Book.decide_many: many cases, streamed, in order, bad lines reported.

The rulebook used here is written into tmp_path (it does not depend on the rulebooks
under rulebooks/, which are written separately). Expected values are worked out by hand:
tax = round(amount × rate, 2) with rate 0.2 before 2024 and 0.1 from 2024-01-01.
"""

from __future__ import annotations

import itertools
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.batch import reader
from engine.batch.runner import Options, run
from engine.cli import cli

MINI = textwrap.dedent(
    """\
    id: test.batch_mini
    jurisdiction: at
    title: {en: Batch test rulebook}
    version: "1"
    languages: [en]
    as_of_fact: filed_on
    sources:
      s1: {citation: UStG § 21}
    facts:
      declaration_type: {type: enum, values: [vat, income]}
      refund_claimed: {type: boolean}
      amount: {type: decimal, minimum: 0}
      paid: {type: decimal, minimum: 0}
      filed_on: {type: date}
      note: {type: string}
      invoices:
        type: list
        items:
          type: record
          fields:
            id: {type: string}
            vat: {type: decimal}
    constraints:
      - id: paid_not_above_amount
        when: paid <= amount
        message: {en: paid must not exceed amount}
    parameters:
      rate:
        values:
          - {from: 2020-01-01, value: 0.2}
          - {from: 2024-01-01, value: 0.1}
    derived:
      invoice_vat: sum(invoices.vat)
    decisions:
      route:
        type: enum
        values: [refund_review, standard]
        hit_policy: first
        rules:
          - id: refund_review
            when: declaration_type == "vat" and refund_claimed and amount >= 400
            value: refund_review
            citations: [s1]
            explanation: {en: "A VAT refund of {amount} needs review."}
          - id: standard
            value: standard
            citations: [s1]
            explanation: {en: Standard handling.}
      tax:
        type: decimal
        hit_policy: first
        rules:
          - id: tax
            expr: round(amount * rate, 2)
            citations: [s1]
            explanation: {en: "Tax {value}."}
      total_vat:
        type: decimal
        hit_policy: first
        default: null
        rules:
          - id: total_vat
            when: exists(invoices)
            expr: invoice_vat
            citations: [s1]
            explanation: {en: "Invoice VAT {value}."}
    examples:
      - name: refund
        facts: {declaration_type: vat, refund_claimed: true, amount: 500, filed_on: 2024-02-01, invoices: [{id: a, vat: 0.1}, {id: b, vat: 0.2}]}
        expect: {route: refund_review, tax: 50.00, total_vat: 0.3}
      - name: standard
        facts: {declaration_type: income, refund_claimed: false, amount: 100, filed_on: 2023-02-01}
        expect: {route: standard, tax: 20.00, total_vat: null}
    """
)

# A rulebook whose only decision divides by a fact: paid = 0 is a rulebook error at run time.
DIVIDING = textwrap.dedent(
    """\
    id: test.batch_dividing
    jurisdiction: at
    title: {en: Division}
    version: "1"
    languages: [en]
    sources:
      s1: {citation: UStG § 21}
    facts:
      amount: {type: decimal}
      paid: {type: decimal}
    decisions:
      share:
        type: decimal
        hit_policy: first
        rules:
          - id: share
            expr: amount / paid
            citations: [s1]
            explanation: {en: "Share {value}."}
    examples:
      - name: half
        facts: {amount: 1, paid: 2}
        expect: {share: 0.5}
    """
)

GOOD = '{"declaration_type": "vat", "refund_claimed": true, "amount": 400.10, "filed_on": "2024-02-01"}'
GOOD_2023 = '{"declaration_type": "income", "refund_claimed": false, "amount": 100, "filed_on": "2023-06-30"}'


@pytest.fixture
def rulebook(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path


def invoke(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(cli, ["batch", *args], input=input)


def records(path: Path) -> list[dict]:
    return [engine_loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def engine_loads(text: str):
    from engine import jsonout

    return jsonout.loads(text)


def value(record: dict, decision: str):
    return record["result"]["decisions"][decision]["value"]


# -- JSON Lines --------------------------------------------------------------------------------


def test_jsonl_one_result_per_line_in_order_with_exact_decimals(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(GOOD + "\n" + GOOD_2023 + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "--input", str(cases), "--output", str(out))

    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert [first["line"], second["line"]] == [1, 2]
    assert first["result"]["rulebook"] == "test.batch_mini"
    assert first["result"]["as_of"] == "2024-02-01"
    assert first["result"]["decisions"]["route"]["value"] == "refund_review"
    # 400.10 × 0.1 = 40.010 → 40.01, written as the exact decimal, not through float
    assert '"value":40.01,' in lines[0]
    assert second["result"]["decisions"]["route"]["value"] == "standard"
    assert '"value":20.00,' in lines[1]  # 100 × 0.2 in 2023
    assert first["result"]["trace"], "the trace is in the result unless --no-trace"
    assert "2 case(s): 2 decided, 0 undetermined, 0 bad input" in result.stderr


def test_a_bad_line_in_the_middle_becomes_an_error_record_and_the_run_goes_on(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                GOOD,  # 1
                '{"declaration_type": "vat", "amount": ',  # 2 not JSON
                '{"declaration_type": "vat", "amount": -5}',  # 3 below the minimum
                '{"declaration_type": "vat", "amount": 10, "paid": 20}',  # 4 breaks a constraint
                "",  # 5 blank: not a case, but a record saying so
                '{"declaration_type": "vat", "amont": 10}',  # 6 unknown fact
                "[1, 2]",  # 7 not an object
                GOOD_2023,  # 8
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "--input", str(cases), "--output", str(out), "--no-trace")

    assert result.exit_code == 2
    got = records(out)
    assert [r["line"] for r in got] == [1, 2, 3, 4, 5, 6, 7, 8]  # one record per input line
    assert got[4] == {"line": 5, "blank": True}
    assert value(got[0], "route") == "refund_review"
    assert value(got[-1], "tax") == Decimal("20.00")
    errors = {r["line"]: r["error"] for r in got if "error" in r}
    assert set(errors) == {2, 3, 4, 6, 7}
    assert errors[2]["message"].startswith("bad facts for test.batch_mini: not valid JSON:")
    assert errors[3] == {
        "kind": "bad_input",
        "message": "bad facts for test.batch_mini: amount: must be at least 0, got -5",
        "field": "amount",
    }
    assert errors[4]["message"] == "bad facts for test.batch_mini: amount, paid: paid must not exceed amount"
    assert errors[6]["field"] == "amont"
    assert "did you mean 'amount'" in errors[6]["message"]
    assert "must be an object" in errors[7]["message"]
    assert f"{cases}:3: bad facts for test.batch_mini: amount: must be at least 0" in result.stderr
    assert "7 case(s): 2 decided, 0 undetermined, 5 bad input, 0 rulebook error(s), 1 blank line(s)" in result.stderr


def test_undetermined_is_a_success(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"declaration_type": "vat", "filed_on": "2024-03-01"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "-i", str(cases), "-o", str(out), "--no-trace")

    assert result.exit_code == 0
    (record,) = records(out)
    assert record["result"]["status"] == "undetermined"
    assert record["result"]["missing_facts"] == ["amount", "refund_claimed"]


def test_a_rulebook_error_on_some_line_exits_1(tmp_path: Path) -> None:
    book = tmp_path / "dividing.yaml"
    book.write_text(DIVIDING, encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"amount": 1, "paid": 4}\n{"amount": 1, "paid": 0}\n{"amount": 3, "paid": 4}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(book), "-i", str(cases), "-o", str(out), "--no-trace")

    assert result.exit_code == 1
    got = records(out)
    assert value(got[0], "share") == Decimal("0.25")
    assert got[1]["error"]["kind"] == "rulebook_error"
    assert "division by zero" in got[1]["error"]["message"]
    assert value(got[2], "share") == Decimal("0.75")


def test_as_of_applies_to_every_case(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(GOOD + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "-i", str(cases), "-o", str(out), "--as-of", "2023-12-31", "--no-trace")

    assert result.exit_code == 0
    (record,) = records(out)
    assert record["result"]["as_of"] == "2023-12-31"
    assert value(record, "tax") == Decimal("80.02")  # 400.10 × 0.2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["test.no_such_rulebook"], "unknown rulebook 'test.no_such_rulebook'"),
        (["RULEBOOK", "--as-of", "2024-02-30"], "--as-of: expected a date YYYY-MM-DD, got '2024-02-30'"),
        (["RULEBOOK", "--input-format", "csv", "--input", "MISSING"], "--input: no such file"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(rulebook: Path, tmp_path: Path, args: list[str], message: str) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(GOOD + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = [str(rulebook) if a == "RULEBOOK" else str(tmp_path / "nope.csv") if a == "MISSING" else a for a in args]
    if "--input" not in args:
        args += ["--input", str(cases)]

    result = invoke(*args, "--output", str(out))

    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_standard_input_to_standard_output(rulebook: Path) -> None:
    result = invoke(str(rulebook), "--input", "-", "--output", "-", "--no-trace", input=GOOD + "\n" + GOOD_2023 + "\n")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [json.loads(line)["result"]["decisions"]["route"]["value"] for line in lines] == ["refund_review", "standard"]


def test_progress_bar_when_asked(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text((GOOD + "\n") * 5, encoding="utf-8")

    result = invoke(str(rulebook), "-i", str(cases), "-o", str(tmp_path / "out.jsonl"), "--progress", "--no-trace")

    assert result.exit_code == 0
    assert "5/5" in result.stderr and "cases" in result.stderr


def test_plain_output_when_not_a_terminal(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text((GOOD + "\n") * 5, encoding="utf-8")

    result = invoke(str(rulebook), "-i", str(cases), "-o", str(tmp_path / "out.jsonl"), "--no-trace")

    assert result.stderr == "5 case(s): 5 decided, 0 undetermined, 0 bad input, 0 rulebook error(s)\n"


# -- CSV -----------------------------------------------------------------------------------------


def test_csv_columns_are_facts_typed_by_the_fact_schema(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "declaration_type,refund_claimed,amount,filed_on,invoices,note\n"
        'vat,TRUE,400.10,2024-02-01,"[{""id"": ""a"", ""vat"": 0.1}, {""id"": ""b"", ""vat"": 0.2}]",first\n'
        "income,0,100,2023-06-30,,\n"  # empty cells: missing facts
        "vat,maybe,1,2024-01-01,,\n"  # not a boolean
        'vat,yes,500,2024-01-01,[oops,"two\nlines"\n'  # a list cell that is not JSON, a quoted newline
        "vat,no,abc,2024-01-01,,\n"  # not a number: the fact checker names the field
        "vat,yes,,2024-01-01,,\n"  # amount missing: undetermined
        "\n"  # blank: not a case, but a record saying so
        "vat,yes,1,2024-01-01,[],x,extra\n",  # too many cells
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "--input", str(cases), "--output", str(out), "--no-trace")

    assert result.exit_code == 2
    got = records(out)
    assert [r["line"] for r in got] == [2, 3, 4, 5, 7, 8, 9, 10]
    assert got.pop(6) == {"line": 9, "blank": True}
    first = got[0]["result"]
    assert first["decisions"]["route"]["value"] == "refund_review"
    assert first["decisions"]["tax"]["value"] == Decimal("40.01")
    assert first["decisions"]["total_vat"]["value"] == Decimal("0.3")
    second = got[1]["result"]
    assert second["decisions"]["route"]["value"] == "standard"
    assert second["decisions"]["total_vat"]["value"] is None
    assert got[2]["error"] == {
        "kind": "bad_input",
        "message": "bad facts for test.batch_mini: refund_claimed: expected true or false, got 'maybe'",
        "field": "refund_claimed",
    }
    assert got[3]["error"]["field"] == "invoices"
    assert "expected a JSON array in the cell" in got[3]["error"]["message"]
    assert got[4]["error"]["message"] == 'bad facts for test.batch_mini: amount: expected a number, got "abc"'
    assert got[5]["result"]["status"] == "undetermined"
    assert got[5]["result"]["missing_facts"] == ["amount"]
    assert "7 cells but the header names 6 columns" in got[6]["error"]["message"]


def test_csv_with_an_unknown_column_is_refused_before_anything_is_written(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("declaration_type,amout\nvat,1\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "--input", str(cases), "--output", str(out))

    assert result.exit_code == 2
    assert "column 'amout' is not a fact of test.batch_mini; did you mean 'amount'?" in result.stderr
    assert not out.exists()


def test_csv_with_a_byte_order_mark_and_crlf(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_bytes("\ufeffdeclaration_type,refund_claimed,amount,filed_on\r\nvat,true,400,2024-02-01\r\n".encode())
    out = tmp_path / "out.jsonl"

    result = invoke(str(rulebook), "--input", str(cases), "--output", str(out), "--no-trace")

    assert result.exit_code == 0, result.stderr
    (record,) = records(out)
    assert value(record, "tax") == Decimal("40.00")


# -- several processes -------------------------------------------------------------------------


def _many_cases(count: int) -> str:
    lines = []
    for i in range(count):
        if i % 97 == 13:
            lines.append('{"amount": "not a number"}')
        elif i % 89 == 7:
            lines.append("{broken")
        else:
            amount = Decimal(i) / 7
            lines.append(
                json.dumps(
                    {
                        "declaration_type": "vat" if i % 3 else "income",
                        "refund_claimed": i % 2 == 0,
                        "amount": str(round(amount, 2)),
                        "filed_on": f"{2022 + i % 3}-0{1 + i % 9}-1{i % 10}",
                    }
                )
            )
    return "\n".join(lines) + "\n"


def test_jobs_2_writes_exactly_what_jobs_1_writes(rulebook: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(_many_cases(1200), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"

    first = invoke(str(rulebook), "-i", str(cases), "-o", str(one), "--jobs", "1")
    second = invoke(str(rulebook), "-i", str(cases), "-o", str(two), "--jobs", "2", "--chunk-size", "50")

    assert first.exit_code == second.exit_code == 2  # some lines are bad on purpose
    assert one.read_bytes() == two.read_bytes()
    assert [r["line"] for r in records(two)] == list(range(1, 1201))
    assert first.stderr == second.stderr


def test_runner_streams_and_keeps_only_a_few_chunks_in_flight(rulebook: Path) -> None:
    book = engine.load(rulebook)
    pulled = 0

    def endless():
        nonlocal pulled
        for number in itertools.count(1):
            pulled += 1
            yield reader.Case(number, text=GOOD)

    for jobs in (1, 2):
        pulled = 0
        stream = run(book, endless(), Options(trace=False), jobs=jobs, chunk_size=10, in_flight=3)
        first = list(itertools.islice(stream, 25))
        stream.close()
        assert [case.line for case, _ in first] == list(range(1, 26))
        assert all(status == "decided" for _, (_, status) in first)
        # an endless input: only what is decided (plus a bounded read-ahead) was read
        assert pulled <= 25 + 4 * 10


# -- Python -------------------------------------------------------------------------------------


def test_decide_many_is_lazy_and_reports_bad_cases_in_place(rulebook: Path) -> None:
    book = engine.load(rulebook)
    cases = [
        {"declaration_type": "vat", "refund_claimed": True, "amount": "400.10", "filed_on": "2024-02-01"},
        {"declaration_type": "vat", "amount": -1},
        {"declaration_type": "income", "refund_claimed": False, "amount": 100, "filed_on": "2023-06-30"},
    ]

    got = list(book.decide_many(cases, trace=False, errors="return"))

    assert got[0].decisions["tax"].value == Decimal("40.01")
    assert isinstance(got[1], engine.BadInput) and got[1].field == "amount"
    assert got[2].decisions["route"].value == "standard"
    with pytest.raises(engine.BadInput):
        list(book.decide_many(cases))
    endless = book.decide_many(itertools.repeat(cases[0]))
    assert [r.status for r in itertools.islice(endless, 3)] == ["decided"] * 3


# -- a real rulebook, when it exists --------------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (PROJECT / "rulebooks" / "ru" / "invoice_adjustment.yaml").exists(), reason="rulebook not written yet")
def test_smoke_real_rulebook_examples_through_batch(tmp_path: Path) -> None:
    from engine import jsonout

    try:
        book = engine.load(PROJECT / "rulebooks" / "ru" / "invoice_adjustment.yaml")
    except engine.RulebookError:
        pytest.skip("the rulebook does not load at the moment")
    examples = [e for e in book.model.examples if not e.expect_error and e.as_of is None]
    if not examples:
        pytest.skip("no examples")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(jsonout.dumps(e.facts, indent=None) + "\n" for e in examples), encoding="utf-8")
    out = tmp_path / "out.jsonl"

    result = invoke(str(book.file), "-i", str(cases), "-o", str(out), "--jobs", "2", "--no-trace")

    assert result.exit_code == 0, result.stderr
    got = records(out)
    assert len(got) == len(examples)
    for example, record in zip(examples, got, strict=True):
        expected = book.decide(example.facts, trace=False).to_dict()
        assert record["result"] == engine_loads(jsonout.dumps(expected, indent=None))


# -- the fast line writer ---------------------------------------------------------------------------


def test_batch_lines_are_byte_for_byte_what_jsonout_writes(rulebook: Path) -> None:
    import datetime as dt

    from engine import jsonout
    from engine.batch.encode import dumps_line
    from engine.language.values import MISSING

    book = engine.load(rulebook)
    results = [
        book.decide(example.facts, trace=trace).to_dict() for example in book.model.examples for trace in (True, False)
    ]
    odd = {
        "decimals": [Decimal("0.1"), Decimal("-0"), Decimal("1E+3"), Decimal("-12.500"), Decimal("1E-7"), 3, 2.5],
        "text": ["\x00" + "0" * 24 + ':1"', 'quote " backslash \\ tab \t', "НК РФ ст. 168 п. 3 — 增值税", "\u2028"],
        "other": [None, True, False, MISSING, dt.date(2024, 2, 29), (1, "two"), {}, []],
    }
    for value in [*results, odd, [], {}, "plain", Decimal("7.70")]:
        assert dumps_line(value) == jsonout.dumps(value, indent=None)
    with pytest.raises(TypeError):
        dumps_line({"x": object()})
