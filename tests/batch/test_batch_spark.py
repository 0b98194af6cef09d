"""`taxrules batch --engine spark`: the same bytes as the local batch, bad lines included,
from JSON Lines and from Parquet. Slow: Spark starts a JVM (one session for the run)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_batch import GOOD, GOOD_2023, MINI  # noqa: E402

from engine.cli import cli  # noqa: E402

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (.ci/run installs default-jre-headless)", allow_module_level=True)
pytestmark = pytest.mark.slow


def test_spark_writes_the_local_batchs_bytes(tmp_path: Path) -> None:
    rulebook = tmp_path / "mini.yaml"
    rulebook.write_text(MINI, encoding="utf-8")
    lines = [GOOD, '{"declaration_type": "vat", "amount": ', '{"declaration_type": "vat", "amount": -5}', "", GOOD_2023] * 8
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    local = runner.invoke(cli, ["batch", str(rulebook), "--input", str(cases), "--output", str(tmp_path / "local.jsonl")])
    spark = runner.invoke(cli, ["batch", str(rulebook), "--input", str(cases), "--output", str(tmp_path / "spark.jsonl"), "--engine", "spark", "--master", "local[2]"])
    assert local.exit_code == spark.exit_code == 2  # the bad lines
    assert (tmp_path / "spark.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert "32 case(s): 16 decided" in spark.stderr


def test_spark_decides_parquet_rows(tmp_path: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rulebook = tmp_path / "mini.yaml"
    rulebook.write_text(MINI, encoding="utf-8")
    table = pa.table(
        {
            "declaration_type": ["vat", "income"],
            "refund_claimed": [True, False],
            "amount": pa.array([Decimal("400.10"), Decimal("100")], type=pa.decimal128(12, 2)),
            "filed_on": [dt.date(2024, 2, 1), dt.date(2023, 6, 30)],
        }
    )
    pq.write_table(table, tmp_path / "cases.parquet")
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(rulebook), "--input", str(tmp_path / "cases.parquet"), "--output", "-", "--engine", "spark", "--no-trace"])
    assert result.exit_code == 0, result.output
    import json

    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2]
    assert rows[0]["result"]["decisions"]["tax"]["value"] == 40.01  # 400.10 × 0.1 (2024), rounded half up
