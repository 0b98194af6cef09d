"""Which executor runs a book given on the command line.

The in-memory batch executor is the fastest on books that fit comfortably in memory
(no process or file to set up); past a few hundred megabytes of JSON Lines — millions
of records, gigabytes of Python objects — DuckDB, which spills to disk, takes over when
it is installed. Parquet is a columnar file DuckDB reads natively, so it goes there too.
"""

from __future__ import annotations

import os

from engine.rulebook.facts import BadInput

AUTO_DUCKDB_BYTES = 256 * 1024 * 1024


def choose_engine(engine: str | None, streaming: bool, input_file: str | None, memory_limit: str | None, master: str | None) -> str:
    if streaming:
        if engine not in (None, "stream"):
            raise_usage(f"--stream and --engine {engine} contradict each other")
        engine = "stream"
    if engine is None:
        engine = "batch"
        if input_file not in (None, "-") and _worth_duckdb(input_file):
            engine = "duckdb"
    if memory_limit is not None and engine != "duckdb":
        raise_usage("--memory-limit applies to --engine duckdb")
    if master is not None and engine != "spark":
        raise_usage("--master applies to --engine spark")
    if engine in ("duckdb", "spark") and input_file in (None, "-"):
        raise_usage(f"--engine {engine} reads a file: give --input FILE (.jsonl, .csv or .parquet)")
    return engine


def _worth_duckdb(path: str) -> bool:
    from engine.ledger.duckdb_executor import available

    if not available():
        return False
    if path.lower().endswith((".parquet", ".pq")):
        return True
    try:
        return os.path.getsize(path) > AUTO_DUCKDB_BYTES
    except OSError:
        return False


def raise_usage(message: str) -> None:
    raise BadInput(message)
