"""The Spark executor (local[2], one session shared by the whole test run) means what the
batch executor means: the same findings — the same objects — on generated books, on a
JSON Lines file with blank lines, through the command line. Slow: Spark starts a JVM."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_books import kudir_book, vat_book
from test_ledger_properties import entry, item, participant, tag, vat_records

import engine
from engine.cli import cli

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (.ci/run installs default-jre-headless)", allow_module_level=True)
pytestmark = pytest.mark.slow

TRICKY = Path(__file__).parent / "fixtures" / "tricky.yaml"
FEW = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def spark() -> Any:
    from engine.spark_session import session

    return session("local[2]")


def agree(book: Any, records: list[Any]) -> Any:
    batch = book.reconcile(records)
    other = book.reconcile(records, executor="spark")
    assert other.keys() == batch.keys()
    assert [f.to_dict("ru") for f in other.findings] == [f.to_dict("ru") for f in batch.findings]
    assert other.summary == batch.summary
    return batch


@FEW
@given(records=vat_records)
def test_vat_small_books(spark: Any, records: list[dict[str, Any]]) -> None:
    agree(engine.load("ru.vat_reconciliation"), records)


@FEW
@given(records=st.lists(st.one_of(entry, entry, entry, participant), max_size=25))
def test_kudir_small_books(spark: Any, records: list[dict[str, Any]]) -> None:
    agree(engine.load("ru.kudir_checks"), records)


@FEW
@given(records=st.lists(st.one_of(item, tag), max_size=18))
def test_tricky_joins_and_udfs(spark: Any, records: list[dict[str, Any]]) -> None:
    agree(engine.load(str(TRICKY)), records)


def test_every_check_finds_something_and_spark_agrees(spark: Any) -> None:
    for name, records in (("ru.vat_reconciliation", vat_book(1500, 7, corrective=300)), ("ru.kudir_checks", kudir_book(1500, 8))):
        batch = agree(engine.load(name), records)
        assert all(batch.counts.values()), batch.counts


def test_reconcile_engine_spark_on_a_file_prints_what_batch_prints(spark: Any, tmp_path: Path) -> None:
    encode = msgspec.json.Encoder(decimal_format="number").encode
    path = tmp_path / "book.jsonl"
    with path.open("wb") as out:
        for i, record in enumerate(vat_book(400, 9, corrective=80), 1):
            out.write(encode(record) + b"\n")
            if i % 53 == 0:
                out.write(b"\n")  # blank lines: the findings' lines stay the file's
    runner = CliRunner()
    local = runner.invoke(cli, ["reconcile", "ru.vat_reconciliation", "--input", str(path)])
    on_spark = runner.invoke(cli, ["reconcile", "ru.vat_reconciliation", "--input", str(path), "--engine", "spark", "--master", "local[2]"])
    assert local.exit_code == on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == local.stdout
    assert on_spark.stdout.count("\n") > 50
