"""`taxrules batch ID --engine spark`: the cases of a JSON Lines or Parquet input decided
on Spark, partition by partition, written in input order — the same bytes the local
batch writes.

Each Python worker loads and compiles the rulebook once (by its file) and decides its
partition's cases with the function the local batch and its worker processes use
(runner.decide_chunk, one `Book.decide` per case), so a result line is the same
whichever machine made it. JSON Lines are numbered by the line where they lie (blank
lines count, as locally); a Parquet row's line is its position. The driver reads the
results back one partition at a time (`toLocalIterator`), so its memory stays flat.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

from engine.batch.reader import Case, InputError
from engine.batch.runner import Line, Options, decide_chunk


@functools.lru_cache(maxsize=8)
def _book(path: str) -> Any:
    from engine.api import load

    return load(path)


def _decide_partition(rulebook_file: str, options: Options, rows: Iterator[Any]) -> Iterator[tuple[int, str, str]]:
    book = _book(rulebook_file)
    chunk = [Case(line, facts=facts) if text is None else Case(line, text=text, blank=not text) for line, text, facts in rows]
    for case, (text, status) in zip(chunk, decide_chunk(book, chunk, options), strict=True):
        yield case.line, text, status


def _jsonl_rows(spark: Any, path: str) -> Any:
    from pyspark.sql import functions as F

    from engine.spark_session import numbered

    lines = numbered(spark.read.text(path)).withColumn("value", F.trim(F.col("value")))
    lines = lines.withColumn("value", F.when(F.col("line") == 1, F.regexp_replace("value", "^\ufeff", "")).otherwise(F.col("value")))
    return lines.rdd.map(lambda row: (row["line"], row["value"], None))  # blank lines too: each gets its record


def _parquet_rows(spark: Any, path: str) -> Any:
    from engine.spark_session import numbered

    def facts(row: Any) -> tuple[int, None, dict[str, Any]]:
        values = row.asDict(recursive=True)
        line = values.pop("line")
        return line, None, values

    return numbered(spark.read.parquet(path)).rdd.map(facts)


def run_spark(book: Any, input_path: str, options: Options, master: str | None = None) -> Iterator[tuple[Case, Line]]:
    """Decide every case on Spark; yield (case, (JSON line, status)) in input order."""
    from engine.spark_session import session

    if input_path == "-":
        raise InputError("--engine spark reads a file (JSON Lines or Parquet), not standard input")
    lowered = input_path.lower()
    if lowered.endswith(".csv"):
        raise InputError("--engine spark reads JSON Lines or Parquet; decide CSV with --engine local")
    if not os.path.isfile(input_path):
        raise InputError(f"--input: no such file {input_path!r}")
    spark = session(master)
    try:
        rows = _parquet_rows(spark, input_path) if lowered.endswith((".parquet", ".pq")) else _jsonl_rows(spark, input_path)
    except Exception as exc:
        raise InputError(f"--input: Spark cannot read {input_path!r}: {str(exc).splitlines()[0]}") from None
    decided = rows.mapPartitions(functools.partial(_decide_partition, book.file, options))
    return ((Case(line), (text, status)) for line, text, status in decided.toLocalIterator())
