"""The DuckDB executor: every check as one SQL query over the book, read by DuckDB itself.

The book (JSON Lines, CSV or Parquet) is read by DuckDB into a table of an in-memory
database — decimals as DECIMAL(38, 18), dates as DATE — that spills to a temporary
directory past `memory_limit`, so a book larger than memory still runs. Records are checked in SQL (sqlsource.sound_record_sql);
the first row it refuses is read again by the Normaliser, whose message (line and field)
is the batch executor's. Each check is the planner's plan rendered as SQL (relational.py,
sql.py); conditions SQL cannot state exactly run as our compiled closures inside DuckDB
(Python UDFs). The queries return the positions of the matched records, in finding order;
those records are read again from the file and checked by Python, so every finding is the
same object, with the same values, message, citations and trace, as the batch executor's.
"""

from __future__ import annotations

import decimal
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.ledger import model as lm
from engine.ledger import sql as ledger_sql
from engine.ledger import sqlsource
from engine.ledger.findings import Reconciliation
from engine.ledger.planner import CheckPlan, Ctx
from engine.ledger.records import Normaliser, Rec, open_input
from engine.ledger.relational import relational_plans
from engine.limits import MAX_LINE_BYTES
from engine.rulebook.facts import BadInput

DIALECT = ledger_sql.DUCKDB
_TYPES = {"decimal": ledger_sql.DUCKDB.decimal_type, "date": "DATE", "boolean": "BOOLEAN", "string": "VARCHAR"}
_QUANTUM = Decimal(1).scaleb(-ledger_sql.SCALE)
_WIDE = decimal.Context(prec=ledger_sql.PRECISION + 2)
_TEXT_SQL = sqlsource.TextSql(
    literal=lambda text: "'" + text.replace("'", "''") + "'",
    like=lambda text, pattern: "regexp_matches(" + text + ", '" + pattern.replace("'", "''") + "')",
    occurrences=lambda text, part: f"((strlen({text}) - strlen(replace({text}, '{part}', ''))) // {len(part.encode())})",
    matches=lambda text, pattern: "len(regexp_extract_all(" + text + ", '" + pattern.replace("'", "''") + "'))",
)


def available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise BadInput("--engine duckdb needs the duckdb package: pip install 'taxrules[duckdb]'") from None
    return duckdb


def _quote(name: str) -> str:
    return DIALECT.quote(name)


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class UdfCall:
    """A condition DuckDB cannot state exactly, run by our compiled closure per row."""

    def __init__(self, udf: ledger_sql.Udf) -> None:
        self.fn = udf.conjunct.fn
        self.reads = udf.reads
        self.aliases = sorted({alias for alias, _ in udf.reads})
        self.ctx = Ctx()
        self.error: BaseException | None = None

    def with_arity(self) -> Any:
        """The call as a function of exactly its arguments (DuckDB counts the parameters)."""

        def call(*args: Any) -> bool:
            return self(*args)

        call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(len(self.reads))]
        )
        return call

    def __call__(self, *args: Any) -> bool:
        env: dict[str, dict[str, Any]] = {alias: {} for alias in self.aliases}
        for (alias, name), value in zip(self.reads, args, strict=True):
            if value is not None:
                env[alias][name] = value
        self.ctx.facts = env
        try:
            with decimal.localcontext(DECIMAL_CONTEXT):
                return self.fn(self.ctx, None) is True
        except BaseException as exc:  # DuckDB would only say "Python exception"
            self.error = exc
            raise


class DuckDbExecutor:
    """One run of a ledger over one book. `memory_limit` (e.g. "3GB") bounds DuckDB's
    memory; beyond it, it spills to `workdir` (a temporary directory by default)."""

    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan], normaliser: Normaliser, memory_limit: str | None = None, threads: int | None = None, workdir: str | None = None) -> None:
        self.ledger = ledger
        self.plans = plans
        self.normaliser = normaliser
        self.memory_limit = memory_limit
        self.threads = threads
        self.workdir = workdir
        self.columns = sqlsource.columns(ledger)
        self.rendered = ledger_sql.render_checks(ledger, relational_plans(plans), DIALECT)
        self.udf_calls: list[UdfCall] = []

    # -- the connection -------------------------------------------------------------

    def _connect(self, directory: str) -> Any:
        duckdb = _duckdb()
        # In memory: DuckDB still spills to `temp_directory` past `memory_limit`, and a
        # table built in memory is not written (compressed, checkpointed) to a database file
        # first, which took as long as reading the JSON itself.
        con = duckdb.connect(":memory:")
        spill = os.path.join(directory, "spill")
        os.makedirs(spill, exist_ok=True)
        con.execute(f"SET temp_directory = {_string(spill)}")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")  # it would print over a long run's output
        if self.memory_limit:
            try:
                con.execute(f"SET memory_limit = {_string(self.memory_limit)}")
            except duckdb.Error as exc:
                raise BadInput(f"--memory-limit: {self.memory_limit!r} is not a memory size (e.g. 3GB, 500MB): {str(exc).splitlines()[0]}") from None
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        for rendered in self.rendered:
            for udf in rendered.udfs:
                call = UdfCall(udf)
                self.udf_calls.append(call)
                con.create_function(udf.name, call.with_arity(), list(udf.types), "BOOLEAN", null_handling="special", side_effects=False)
        return con

    # -- runs ------------------------------------------------------------------------

    def run_file(self, path: str) -> Reconciliation:
        sqlsource.check_readable(path)
        directory = tempfile.mkdtemp(prefix="taxrules-duckdb-", dir=self.workdir)
        try:
            con = self._connect(directory)
            try:
                self._load_file(con, path)
                physical = sqlsource.book_format(path) == "jsonl"  # rows are numbered by their line
                self._views(con, "physical" if physical else "rowid + 1")
                if physical:
                    self._judge_doubtful(con, path)
                else:
                    self._validate(con, lambda ordinals: self._picked(con, path, ordinals))
                keys = self._run_checks(con)
                counts = self._counts(con)
                needed = {ordinal for _, rows in keys for row in rows for ordinal in row}
                records = self._picked(con, path, needed, physical)
            finally:
                con.close()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return self._result(keys, records, counts)

    def run_records(self, numbered_records: Iterable[tuple[int, Any]]) -> Reconciliation:
        """Records from Python: checked by the Normaliser (as batch), then handed to DuckDB."""
        recs = [self.normaliser(raw, line) for line, raw in numbered_records]
        directory = tempfile.mkdtemp(prefix="taxrules-duckdb-", dir=self.workdir)
        try:
            con = self._connect(directory)
            try:
                con.register("book_arrow", self._arrow(recs))
                con.execute("CREATE TABLE book AS SELECT * FROM book_arrow")
                con.unregister("book_arrow")
                self._views(con, "rowid + 1")
                keys = self._run_checks(con)
                counts = self._counts(con)
            finally:
                con.close()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        by_ordinal = {i: rec for i, rec in enumerate(recs, 1)}
        return self._build(keys, by_ordinal, counts)

    # -- loading ---------------------------------------------------------------------

    def _load_file(self, con: Any, path: str) -> None:
        duckdb = _duckdb()
        fmt = sqlsource.book_format(path)
        try:
            if fmt == "jsonl":
                self._load_jsonl(con, path)
            elif fmt == "csv":
                self._load_csv(con, path)
            else:
                self._load_parquet(con, path)
        except duckdb.Error as exc:
            self._explain_load_error(path, exc)

    def _load_jsonl(self, con: Any, path: str) -> None:
        """The book as text lines (numbered where they lie: blank lines count, as in the
        batch executor), each parsed by DuckDB's JSON reader and looked at as text
        (sqlsource.suspicious_line_sql) in the same pass."""
        lines = (
            f"read_csv({_string(path)}, columns = {{'line': 'VARCHAR'}}, delim = chr(1), quote = '', escape = '', header = false,"
            f" new_line = '\\n', strict_mode = false, auto_detect = false, max_line_size = {MAX_LINE_BYTES + 2})"
        )
        con.execute(f"CREATE TABLE raw_lines AS SELECT line FROM {lines}")
        struct = sqlsource.text_struct(self.ledger, _TYPES["decimal"], "VARCHAR")
        selects = []
        for name, kind in self._all_columns().items():
            field = f"r.{_quote(name)}"
            if kind == "date":
                value = sqlsource.date_from_text_sql(field, _TEXT_SQL)
                selects += [f"{value} AS {_quote(name)}", f"({field} IS NOT NULL AND ({value}) IS NULL) AS {_quote('bad ' + name)}"]
            else:
                selects.append(f"{field} AS {_quote(name)}")
        doubtful = sqlsource.suspicious_line_sql(self.ledger, lambda name: f"r.{_quote(name)}", "r")
        counts = ", ".join(f"{expression} AS {name}" for name, expression in sqlsource.line_counts_sql(self.ledger, "line", _TEXT_SQL).items())
        con.execute(
            f"CREATE TABLE book AS SELECT physical, {', '.join(selects)}, {doubtful} AS doubtful"
            f" FROM (SELECT rowid + 1 AS physical, TRY(json_transform(line, {_string(json.dumps(struct))})) AS r, {counts}"
            " FROM raw_lines WHERE line IS NOT NULL AND trim(line, ' ' || chr(9) || chr(13)) <> '')"
        )
        con.execute("DROP TABLE raw_lines")

    def _judge_doubtful(self, con: Any, path: str) -> None:
        """The rows the SQL record check refuses and the lines DuckDB may have read otherwise
        than Python, judged by the Normaliser in line order (sqlsource.judge): the first it
        refuses is refused with its message; those it accepts get its values."""
        sound = sqlsource.sound_record_sql(self.ledger, _quote, _quote(lm.RECORD_KEY))
        bad_casts = [row[0] for row in con.execute("DESCRIBE book").fetchall() if row[0].startswith("bad ")]
        refused = " OR ".join(["doubtful", f"NOT {sound}"] + [_quote(name) for name in bad_casts])
        candidates = [row[0] for row in con.execute(f"SELECT physical FROM book WHERE {refused} ORDER BY physical").fetchall()]
        if not candidates:
            return
        accepted, blank = sqlsource.judge(candidates, self._picked(con, path, candidates, physical=True), self.normaliser)
        if blank:
            con.execute(f"DELETE FROM book WHERE physical IN ({', '.join(map(str, blank))})")
        if accepted:
            import pyarrow as pa

            table = to_arrow(list(accepted.values()), self.columns)  # refuses a value DECIMAL(38, 18) would round
            table = table.append_column("physical", pa.array(list(accepted), type=pa.int64()))
            con.register("judged", table)
            columns = ", ".join(f"{_quote(name)} = judged.{_quote(name)}" for name in self._all_columns())
            con.execute(f"UPDATE book SET {columns} FROM judged WHERE book.physical = judged.physical")
            con.unregister("judged")

    def _all_columns(self) -> dict[str, str]:
        return {lm.RECORD_KEY: "string", **self.columns}

    def _load_csv(self, con: Any, path: str) -> None:
        header = sqlsource.csv_header(path)
        self._refuse_unknown(header, path)
        selects = []
        for name, kind in self._all_columns().items():
            raw = _quote(name) if name in header else "NULL"
            if kind == "boolean":
                value = f"CASE WHEN lower(trim({raw})) IN ('true', 'yes', '1') THEN TRUE WHEN lower(trim({raw})) IN ('false', 'no', '0') THEN FALSE END"
            elif kind == "string":
                value = raw
            else:
                value = f"TRY_CAST(trim({raw}) AS {_TYPES[kind]})"
            selects.append(f"{value} AS {_quote(name)}")
            if name in header and kind != "string":
                selects.append(f"({raw} IS NOT NULL AND {value} IS NULL) AS {_quote('bad ' + name)}")
        con.execute(f"CREATE TABLE book AS SELECT {', '.join(selects)} FROM read_csv({_string(path)}, header = true, all_varchar = true)")

    def _load_parquet(self, con: Any, path: str) -> None:
        schema = {row[0]: str(row[1]).upper() for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_string(path)})").fetchall()}
        self._refuse_unknown(list(schema), path)
        selects = []
        for name, kind in self._all_columns().items():
            if name not in schema:
                selects.append(f"CAST(NULL AS {_TYPES[kind]}) AS {_quote(name)}")
                continue
            column = _quote(name)
            if kind == "decimal" and schema[name] in ("DOUBLE", "FLOAT", "REAL"):
                column = f"CAST({column} AS VARCHAR)"  # a float is taken by its shortest repr, as facts are
            selects.append(f"CAST({column} AS {_TYPES[kind]}) AS {_quote(name)}")
        con.execute(f"CREATE TABLE book AS SELECT {', '.join(selects)} FROM read_parquet({_string(path)})")

    def _refuse_unknown(self, names: list[str], path: str) -> None:
        known = self._all_columns()
        for name in names:
            if name not in known:
                raise BadInput(f"--input: {path}: column {name!r} is not a field of any record type of {self.ledger.id}")

    def _explain_load_error(self, path: str, exc: Exception) -> None:
        """DuckDB refused the file: the first record the batch executor refuses says why,
        in its words; if it accepts every record, DuckDB's own message is given."""
        reader = open_input(path, self.ledger) if sqlsource.book_format(path) != "parquet" else iter(())
        for line, raw in reader:
            self.normaliser(raw, line)
        first = str(exc).splitlines()[0]
        raise BadInput(f"--input: {path}: DuckDB cannot read it: {first}") from None

    def _arrow(self, recs: list[Rec]) -> Any:
        return to_arrow(recs, self.columns)

    def _views(self, con: Any, line: str) -> None:
        only = len(self.ledger.records) == 1
        for record_name, record in self.ledger.records.items():
            fields = ", ".join(_quote(name) for name in record.fields)
            where = "TRUE" if only else f"{_quote(lm.RECORD_KEY)} = {_string(record_name)}"
            con.execute(f"CREATE VIEW {ledger_sql.table_name(self.ledger, record_name)} AS SELECT {line} AS line, {fields} FROM book WHERE {where}")

    def _validate(self, con: Any, picked: Any) -> None:
        sound = sqlsource.sound_record_sql(self.ledger, _quote, _quote(lm.RECORD_KEY))
        bad_casts = [row[0] for row in con.execute("DESCRIBE book").fetchall() if row[0].startswith("bad ")]
        refused = " OR ".join([f"NOT {sound}"] + [_quote(name) for name in bad_casts])
        row = con.execute(f"SELECT min(rowid) FROM book WHERE {refused}").fetchall()[0]
        if row is None or row[0] is None:
            return
        ordinal = row[0] + 1
        for line, raw in picked([ordinal]).values():
            self.normaliser(raw, line)  # raises the batch executor's BadInput
            raise BadInput(f"line {line}: the record does not fit the SQL engine's columns (a value it cannot hold exactly)")

    # -- checks ----------------------------------------------------------------------

    def _run_checks(self, con: Any) -> list[tuple[lm.Check, list[tuple[int, ...]]]]:
        duckdb = _duckdb()
        out = []
        for rendered in self.rendered:
            try:
                rows = con.execute(rendered.sql).fetchall()
            except duckdb.Error:
                for call in self.udf_calls:
                    if call.error is not None:
                        raise call.error from None  # an EvaluationError: a rulebook error, as in batch
                raise
            out.append((rendered.check, [tuple(row) for row in rows]))
        return out

    def _counts(self, con: Any) -> dict[str, int]:
        counts = {}
        for record_name in self.ledger.records:
            table = ledger_sql.table_name(self.ledger, record_name)
            counts[record_name] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        return counts

    def _picked(self, con: Any, path: str, ordinals: Iterable[int], physical: bool = False) -> dict[int, tuple[int, Any]]:
        def parquet_rows(wanted: list[int]) -> dict[int, Any]:
            import pyarrow as pa

            con.register("wanted", pa.table({"n": pa.array([w - 1 for w in wanted], type=pa.int64())}))
            cursor = con.execute(
                f"SELECT * FROM read_parquet({_string(path)}, file_row_number = true) WHERE file_row_number IN (SELECT n FROM wanted)"
            )
            names = [d[0] for d in cursor.description]
            out = {}
            for row in cursor.fetchall():
                values = dict(zip(names, row, strict=True))
                number = values.pop("file_row_number")
                out[number + 1] = {k: v for k, v in values.items() if v is not None}
            return out

        return sqlsource.pick(path, self.ledger, ordinals, parquet_rows, physical=physical)

    def _result(self, keys: list[tuple[lm.Check, list[tuple[int, ...]]]], records: dict[int, tuple[int, Any]], counts: dict[str, int]) -> Reconciliation:
        by_ordinal = {ordinal: self.normaliser(raw, line) for ordinal, (line, raw) in records.items()}
        return self._build(keys, by_ordinal, counts)

    def _build(self, keys: list[tuple[lm.Check, list[tuple[int, ...]]]], by_ordinal: dict[int, Rec], counts: dict[str, int]) -> Reconciliation:
        return sqlsource.reconciliation(self.ledger, "duckdb", keys, by_ordinal, counts)


def to_arrow(recs: list[Rec], columns: dict[str, str]) -> Any:
    """Checked records as one Arrow table: the record type, then every field's column
    (decimals as decimal128(38, 18), refused when that would round them)."""
    import pyarrow as pa

    types = {"decimal": pa.decimal128(ledger_sql.PRECISION, ledger_sql.SCALE), "date": pa.date32(), "boolean": pa.bool_(), "string": pa.string()}
    data: dict[str, list[Any]] = {name: [] for name in columns}
    for rec in recs:
        values = rec.values
        for name, kind in columns.items():
            value = values.get(name)
            if kind == "decimal" and value is not None:
                value = _exact(value, rec, name)
            data[name].append(value)
    arrays = {lm.RECORD_KEY: pa.array([rec.type for rec in recs], type=pa.string())}
    arrays.update({name: pa.array(data[name], type=types[kind]) for name, kind in columns.items()})
    return pa.table(arrays)


def _exact(value: Decimal, rec: Rec, name: str) -> Decimal:
    try:
        quantized = value.quantize(_QUANTUM, context=_WIDE)
    except decimal.InvalidOperation:
        quantized = None
    if quantized is None or quantized != value or len(quantized.as_tuple().digits) > ledger_sql.PRECISION:
        raise BadInput(f"line {rec.line}: {rec.type}.{name}: {value} has more than {ledger_sql.SCALE} decimal places or {ledger_sql.PRECISION - ledger_sql.SCALE} digits before the point, more than the SQL engines hold exactly (use --engine batch)", f"{rec.type}.{name}")
    return quantized


__all__ = ["DuckDbExecutor", "available"]
