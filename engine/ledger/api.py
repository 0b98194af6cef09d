"""The Python API of ledger rulebooks: `engine.load(ID)` gives a LedgerBook.

    import engine
    book = engine.load("ru.vat_reconciliation")
    result = book.reconcile(records)           # batch: hash joins (the default)
    result.findings, result.summary, result.to_json()

    with book.stream() as stream:              # streaming: durable-rules
        for record in records:
            for finding in stream.push(record):   # as soon as it is provable
                print(finding.to_json())
        stream.close()                         # findings of absence
    stream.result.summary

Records are mappings with a `record` field naming their type (see records.py); the line
of a record is its 1-based position unless given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.books import Kind, LoadedRulebook, load_path, register
from engine.ledger import model as lm
from engine.ledger.batch import reconcile as batch_reconcile
from engine.ledger.extras import require_streaming
from engine.ledger.findings import Reconciliation
from engine.ledger.loader import load_ledger_file
from engine.ledger.records import Normaliser, Rec, numbered

if TYPE_CHECKING:
    from engine.ledger.streaming import LedgerStream


class LedgerBook(LoadedRulebook):
    """A compiled ledger rulebook: checks across whole books of records. Safe to share
    between threads; every run (`reconcile`, `stream`) has its own state."""

    kind = "ledger"

    def __init__(self, model: lm.Ledger) -> None:
        self.model = model
        self.plans = model.plans
        self.normaliser = Normaliser(model)

    def records(self, numbered_records: Iterable[tuple[int, Any]]) -> Iterator[Rec]:
        """Check each (line, raw record); BadInput names the line and the field."""
        normalise = self.normaliser
        for line, raw in numbered_records:
            yield normalise(raw, line)

    def reconcile(self, records: Iterable[Any], executor: str = "batch") -> Reconciliation:
        """Run every check over the records (mappings; the line of each is its position)."""
        return self.reconcile_lines(numbered(records), executor)

    def reconcile_lines(self, numbered_records: Iterable[tuple[int, Any]], executor: str = "batch", owned: bool = False) -> Reconciliation:
        """Run every check over (line, raw record) pairs. `owned`: the raw records were
        decoded for this run (as `open_input` does) and may be checked in place."""
        if executor == "batch":
            return batch_reconcile(self.model, self.plans, numbered_records, self.normaliser, owned)
        if executor == "stream":
            stream = self.stream()
            try:
                for rec in self.records(numbered_records):
                    stream.push_record(rec)
                stream.close()
            except BaseException:
                stream.abort()
                raise
            assert stream.result is not None
            return stream.result
        if executor in ("duckdb", "spark"):
            return self.sql_executor(executor).run_records(numbered_records)
        raise ValueError(f"unknown executor {executor!r}: batch, stream, duckdb or spark")

    def sql_executor(self, engine: str, memory_limit: str | None = None, master: str | None = None) -> Any:
        """The DuckDB or Spark executor of this ledger (see duckdb_executor.py, spark_executor.py)."""
        if engine == "duckdb":
            from engine.ledger.duckdb_executor import DuckDbExecutor

            return DuckDbExecutor(self.model, self.plans, self.normaliser, memory_limit=memory_limit)
        from engine.ledger.spark_executor import SparkExecutor

        return SparkExecutor(self.model, self.plans, self.normaliser, master=master)

    def reconcile_file(self, path: str, executor: str = "duckdb", memory_limit: str | None = None, master: str | None = None) -> Reconciliation:
        """Run every check over a book file (JSON Lines, CSV, Parquet) read by DuckDB or Spark."""
        return self.sql_executor(executor, memory_limit, master).run_file(path)

    def stream(self, period: str | None = None) -> LedgerStream:
        """A new streaming run on durable-rules (use it as a context manager, or close it).

        durable-rules is the optional extra `taxrules[stream]`; without it this raises
        StreamingUnavailable, whose message says what to install.
        """
        require_streaming()
        from engine.ledger.streaming import LedgerStream

        return LedgerStream(self.model, self.plans, self.normaliser, period)

    def __repr__(self) -> str:
        return f"<LedgerBook {self.id} {self.version} {self.sha256[:12]}>"


def _build(path: Path) -> LedgerBook:
    return LedgerBook(load_ledger_file(path))


register(Kind("ledger", _build, "reconcile", "taxrules reconcile {id} --input FILE"))


def load_ledger(path: str | Path) -> LedgerBook:
    """A ledger rulebook by path (engine.load dispatches `kind: ledger` files here)."""
    return load_path(Path(path), "ledger")  # type: ignore[return-value]
