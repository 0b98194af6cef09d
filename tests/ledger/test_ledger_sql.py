"""The SQL executors mean what the batch executor means: generated books through batch,
stream and DuckDB give the same findings (the same objects: values, messages, traces),
for every check of ru.vat_reconciliation and ru.kudir_checks and for the tricky joins
(self-joins, three aliases, absent parts with residuals, conditions only a UDF states)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_books import kudir_book, vat_book, vat_oracle
from test_ledger_properties import entry, item, participant, tag, vat_records

import engine
from engine.ledger import sql as ledger_sql
from engine.ledger.relational import relational_plans
from engine.rulebook.facts import BadInput

pytest.importorskip("duckdb")

TRICKY = Path(__file__).parent / "fixtures" / "tricky.yaml"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def vat() -> Any:
    return engine.load("ru.vat_reconciliation")


@pytest.fixture(scope="module")
def kudir() -> Any:
    return engine.load("ru.kudir_checks")


@pytest.fixture(scope="module")
def tricky() -> Any:
    return engine.load(str(TRICKY))


def agree(book: Any, records: list[Any], stream: bool = True) -> Any:
    batch = book.reconcile(records)
    executors = ["duckdb"] + (["stream"] if stream else [])
    for executor in executors:
        other = book.reconcile(records, executor=executor)
        assert other.keys() == batch.keys(), executor
        assert [f.to_dict("ru") for f in other.findings] == [f.to_dict("ru") for f in batch.findings], executor
        assert other.summary == batch.summary
        assert other.record_counts == batch.record_counts
    return batch


@SETTINGS
@given(records=vat_records)
def test_vat_small_books(vat: Any, records: list[dict[str, Any]]) -> None:
    batch = agree(vat, records)
    assert batch.keys() == vat_oracle(records)


@SETTINGS
@given(records=st.lists(st.one_of(entry, entry, entry, participant), max_size=25))
def test_kudir_small_books(kudir: Any, records: list[dict[str, Any]]) -> None:
    agree(kudir, records)


@SETTINGS
@given(records=st.lists(st.one_of(item, tag), max_size=18))
def test_tricky_joins(tricky: Any, records: list[dict[str, Any]]) -> None:
    agree(tricky, records)


def test_every_check_is_exercised_by_generated_books(vat: Any, kudir: Any) -> None:
    """The thousands-record books find something for every check (so agreement means something)."""
    for book, records in ((vat, vat_book(3000, 7, corrective=600)), (kudir, kudir_book(3000, 8))):
        batch = agree(book, records, stream=False)
        assert all(batch.counts.values()), batch.counts


def test_conditions_sql_cannot_state_run_as_udfs(tricky: Any) -> None:
    """`abs(...)` has no exact SQL translation here: it is our closure inside DuckDB."""
    rendered = ledger_sql.render_checks(tricky.model, relational_plans(tricky.plans), ledger_sql.DUCKDB)
    udfs = [udf.conjunct.text for r in rendered for udf in r.udfs]
    assert "abs(x.amount - t.amount) <= 1" in udfs
    assert all("DOUBLE" not in r.sql for r in rendered)


_ENCODE = msgspec.json.Encoder(decimal_format="number").encode  # decimals as JSON numbers, digits kept


def _write_jsonl(path: Path, records: list[dict[str, Any]], blank_every: int = 0) -> None:
    with path.open("wb") as out:
        for i, record in enumerate(records, 1):
            out.write(_ENCODE(record) + b"\n")
            if blank_every and i % blank_every == 0:
                out.write(b"\n")


def test_file_books_are_read_by_duckdb_with_exact_values(vat: Any, tmp_path: Path) -> None:
    """JSON Lines (with blank lines: findings keep their file lines), CSV and Parquet."""
    records = vat_book(800, 3, corrective=150)
    records[5]["vat"] = Decimal("18480.10")  # spelled with a trailing zero: stays so
    path = tmp_path / "book.jsonl"
    _write_jsonl(path, records, blank_every=97)
    from engine.ledger.records import open_input

    batch = vat.reconcile_lines(open_input(str(path), vat.model))
    duck = vat.reconcile_file(str(path), "duckdb", memory_limit="200MB")
    assert duck.keys() == batch.keys()
    assert [f.to_json() for f in duck.findings] == [f.to_json() for f in batch.findings]

    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = sorted({k for r in records for k in r})
    decimals = {"amount", "vat", "vat_difference"}

    def arrow_type(k: str) -> Any:
        return pa.decimal128(24, 4) if k in decimals else pa.bool_() if k == "accepted_for_accounting" else pa.string()

    def cell(r: dict[str, Any], k: str) -> Any:
        v = r.get(k)
        return v if v is None or k in decimals or isinstance(v, bool) else str(v)

    table = pa.table({k: pa.array([cell(r, k) for r in records], type=arrow_type(k)) for k in fields})
    pq.write_table(table, tmp_path / "book.parquet")
    in_memory = vat.reconcile(records)
    from_parquet = vat.reconcile_file(str(tmp_path / "book.parquet"), "duckdb")
    assert from_parquet.keys() == in_memory.keys()

    csv_path = tmp_path / "book.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write(",".join(fields) + "\n")
        for r in records:
            out.write(",".join("" if r.get(k) is None else str(r[k]) for k in fields) + "\n")
    from_csv = vat.reconcile_file(str(csv_path), "duckdb")
    batch_csv = vat.reconcile_lines(open_input(str(csv_path), vat.model))
    assert from_csv.keys() == batch_csv.keys()
    assert [f.to_json() for f in from_csv.findings] == [f.to_json() for f in batch_csv.findings]


def test_bad_records_get_the_batch_executors_message(vat: Any, tmp_path: Path) -> None:
    records = vat_book(50, 4)
    cases = [
        (dict(records[10], record="sales"), "line 11: record: 'sales' is not a record type"),
        ({k: v for k, v in records[20].items() if k != "vat"}, "line 21: sale.vat: missing" if records[20]["record"] == "sale" else "line 21: purchase.vat: missing"),
        (dict(records[30], amount="many"), "line 31:"),
        (dict(records[40], invoice_date="2024-02-30"), "line 41:"),
    ]
    for bad, expected in cases:
        book_records = list(records)
        index = int(expected.split()[1].rstrip(":")) - 1
        book_records[index] = bad
        path = tmp_path / "bad.jsonl"
        _write_jsonl(path, book_records)
        from engine.ledger.records import open_input

        with pytest.raises(BadInput) as batch_error:
            vat.reconcile_lines(open_input(str(path), vat.model))
        with pytest.raises(BadInput) as duck_error:
            vat.reconcile_file(str(path), "duckdb")
        assert str(duck_error.value) == str(batch_error.value)
        assert str(duck_error.value).startswith(expected)


def test_decimals_beyond_the_sql_scale_are_refused_not_rounded(vat: Any) -> None:
    record = vat_book(2, 5)[0]
    record["vat"] = Decimal("0.0000000000000000001")
    with pytest.raises(BadInput, match="decimal places"):
        vat.reconcile([record], executor="duckdb")


@pytest.mark.slow
def test_two_hundred_thousand_records_batch_and_duckdb_agree(vat: Any, tmp_path: Path) -> None:
    records = vat_book(100_000, 11, corrective=20_000)
    path = tmp_path / "big.jsonl"
    _write_jsonl(path, records)
    from engine.ledger.records import open_input

    batch = vat.reconcile_lines(open_input(str(path), vat.model), owned=True)
    duck = vat.reconcile_file(str(path), "duckdb", memory_limit="1GB")
    assert sum(batch.record_counts.values()) >= 200_000
    assert duck.keys() == batch.keys()
    assert duck.summary == batch.summary
    assert [f.to_json() for f in duck.findings[::50]] == [f.to_json() for f in batch.findings[::50]]
