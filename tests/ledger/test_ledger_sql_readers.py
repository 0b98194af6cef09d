"""The SQL executors read JSON Lines as the Python reader does, on tricky lines: what the
batch executor refuses, DuckDB and Spark refuse with the same message (line and field);
what it accepts, they read to the same findings — or, for a number DECIMAL(38, 18) cannot
hold exactly, refuse it naming the line and field (never round it). Each variant adds one
line to a valid book; the other lines are untouched (nothing good is lost). Spark's run
is slow (a JVM, a few jobs a book): every variant once, in one session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from ledger_books import vat_book

import engine
from engine.ledger.records import open_input
from engine.rulebook.facts import BadInput

pytest.importorskip("duckdb")

_ENCODE = msgspec.json.Encoder(decimal_format="number").encode
SALE = '"record":"sale","invoice_no":"000002","invoice_date":"2024-03-30","seller_inn":"7781282193","buyer_inn":"5040435460"'
CORRECTIVE = ('"record":"corrective","ksf_no":"K9","ksf_date":"2024-04-25","invoice_no":"000007","invoice_date":"2024-03-17",'
              '"seller_inn":"7762979298","buyer_inn":"5008594154","direction":"decrease","vat_difference":367,"agreement_date":"2024-04-19"')

# (what the line is, the line's text, "refused" | "same" | "not exact")
VARIANTS = [
    ("19 decimal places", "{" + SALE + ',"amount":1.0000000000000000001,"vat":0.2}', "not exact"),
    ("25 digits before the point (within engine.limits)", "{" + SALE + ',"amount":1234567890123456789012345,"vat":0.2}', "not exact"),
    ("1e-20 (within engine.limits)", "{" + SALE + ',"amount":1e-20,"vat":0.2}', "not exact"),
    ("31 digits: past engine.limits", "{" + SALE + ',"amount":1234567890123456789012345678901,"vat":0.2}', "refused"),
    ("35 significant digits", "{" + SALE + ',"amount":1234567890.1234567890123456789012345,"vat":0.2}', "refused"),
    ("an exponent", "{" + SALE + ',"amount":9.48742E+3,"vat":1897.48}', "same"),
    ("a number as text", "{" + SALE + ',"amount":"9487.42","vat":"1897.48"}', "same"),
    ("a word as a number", "{" + SALE + ',"amount":"many","vat":1897.48}', "refused"),
    ("true as a number", "{" + SALE + ',"amount":true,"vat":1897.48}', "refused"),
    ("a list as a number", "{" + SALE + ',"amount":[1],"vat":1897.48}', "refused"),
    ("date 2024-2-3", "{" + SALE.replace("2024-03-30", "2024-3-30") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("date with spaces around", "{" + SALE.replace('"2024-03-30"', '" 2024-03-30 "') + ',"amount":9487.42,"vat":1897.48}', "same"),
    ("date 2024-02-30", "{" + SALE.replace("2024-03-30", "2024-02-30") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("date 0000-01-01", "{" + SALE.replace("2024-03-30", "0000-01-01") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("date as a number", "{" + SALE.replace('"2024-03-30"', "20240330") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("undeclared field", "{" + SALE + ',"amount":9487.42,"vat":1897.48,"note":"x"}', "refused"),
    ("undeclared field set to null", "{" + SALE + ',"amount":9487.42,"vat":1897.48,"note":null}', "refused"),
    ("field of another record type", "{" + SALE + ',"amount":9487.42,"vat":1897.48,"ksf_no":"K1"}', "refused"),
    ("a key given twice", "{" + SALE + ',"amount":9487.42,"vat":1897.48,"vat":1.00}', "refused"),
    ("text as a number", "{" + SALE.replace('"7781282193"', "7781282193") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("text as true", "{" + SALE.replace('"7781282193"', "true") + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("text as an object", "{" + SALE.replace('"7781282193"', '{"a":1}') + ',"amount":9487.42,"vat":1897.48}', "refused"),
    ("a colon and an escaped quote in a text", "{" + SALE.replace('"000002"', '"00:00\\"02"') + ',"amount":9487.42,"vat":1897.48}', "same"),
    ("spaces around colons", "{" + SALE.replace('":"', '" : "') + ',"amount" : 9487.42,"vat" : 1897.48}', "same"),
    ("an optional field set to null", "{" + SALE + ',"amount":9487.42,"vat":1897.48,"accepted_for_accounting":null}', "refused"),
    ("a boolean as 1", "{" + CORRECTIVE + ',"accepted_for_accounting":1}', "refused"),
    ("a boolean as text", "{" + CORRECTIVE + ',"accepted_for_accounting":"true"}', "refused"),
    ("a boolean", "{" + CORRECTIVE + ',"accepted_for_accounting":false}', "same"),
    ("a required field set to null", "{" + SALE + ',"amount":null,"vat":1897.48}', "refused"),
    ("a tab-only line", "\t", "same"),
    ("not JSON", "{" + SALE + ',"amount":9487.42,"vat":1897.48', "refused"),
]


@pytest.fixture(scope="module")
def vat() -> Any:
    return engine.load("ru.vat_reconciliation")


@pytest.mark.parametrize(("what", "text", "verdict"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_duckdb_reads_json_lines_as_python_does(vat: Any, tmp_path: Path, what: str, text: str, verdict: str) -> None:
    _agree(vat, tmp_path, text, verdict, "duckdb")


@pytest.mark.slow
def test_spark_reads_json_lines_as_python_does(vat: Any, tmp_path: Path) -> None:
    import shutil

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (.ci/run installs default-jre-headless)")
    from engine.spark_session import session

    session("local[2]")
    for i, (what, text, verdict) in enumerate(VARIANTS):
        folder = tmp_path / str(i)
        folder.mkdir()
        try:
            _agree(vat, folder, text, verdict, "spark")
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None


def _agree(vat: Any, tmp_path: Path, text: str, verdict: str, executor: str) -> None:
    lines = [_ENCODE(record).decode() for record in vat_book(30, 7, corrective=8)]
    lines.insert(17, text)
    path = tmp_path / "book.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        batch = vat.reconcile_lines(open_input(str(path), vat.model))
        batch_error = None
    except BadInput as exc:
        batch, batch_error = None, str(exc)
    try:
        duck = vat.reconcile_file(str(path), executor)
        duck_error = None
    except BadInput as exc:
        duck, duck_error = None, str(exc)
    if verdict == "refused":
        assert batch_error is not None and batch_error.startswith("line 18") or "line 18" in (batch_error or ""), batch_error
        assert duck_error == batch_error
    elif verdict == "not exact":
        assert batch_error is None  # the Python reader accepts it ...
        assert duck_error is not None and duck_error.startswith("line 18: sale.amount:") and "use --engine batch" in duck_error  # ... DuckDB cannot hold it exactly
    else:
        assert batch_error is None and duck_error is None, (batch_error, duck_error)
        assert duck.keys() == batch.keys()
        assert [f.to_json() for f in duck.findings] == [f.to_json() for f in batch.findings]
        assert duck.record_counts == batch.record_counts
