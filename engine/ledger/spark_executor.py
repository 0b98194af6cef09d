"""The Spark executor: the same relational plan as DuckDB's, as Spark SQL (sql.py, SPARK).

The book is read by Spark — JSON Lines as text lines numbered where they lie (blank lines
count, as in the batch executor) and parsed with a typed schema (DECIMAL(38, 18), DATE),
CSV and Parquet with their columns cast to the same types — and each record type is a
temporary view. Records are checked in SQL (sqlsource.sound_record_sql); the first one it
refuses is read again by the Normaliser for the batch executor's message. Conditions SQL
cannot state exactly are UDFs: the worker loads the rulebook once (by its file) and runs
our compiled closure. The driver reads the records of the findings again from the file,
so the findings are the batch executor's objects.
"""

from __future__ import annotations

import decimal
import functools
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.ledger import model as lm
from engine.ledger import sql as ledger_sql
from engine.ledger import sqlsource
from engine.ledger.findings import Reconciliation
from engine.ledger.planner import CheckPlan, Ctx
from engine.ledger.records import Normaliser
from engine.ledger.relational import relational_plans
from engine.rulebook.facts import BadInput

DIALECT = ledger_sql.SPARK


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_TEXT_SQL = sqlsource.TextSql(
    literal=_literal,
    like=lambda text, pattern: f"({text} RLIKE {_literal(pattern)})",
    occurrences=lambda text, part: f"((length({text}) - length(replace({text}, {_literal(part)}, ''))) div {len(part)})",
    matches=lambda text, pattern: f"size(regexp_extract_all({text}, {_literal(pattern)}, 0))",
)
_TYPES = {"decimal": ledger_sql.SPARK.decimal_type, "date": "DATE", "boolean": "BOOLEAN", "string": "STRING"}


@functools.lru_cache(maxsize=8)
def _ledger(path: str) -> lm.Ledger:
    """The ledger on a worker: loaded and compiled once per Python worker process."""
    from engine.api import load

    return load(path).model  # type: ignore[attr-defined,no-any-return]


class SparkUdf:
    """A condition SQL cannot state, as a picklable callable: the rulebook's file and where
    the condition is in it; the worker compiles the rulebook once and runs the closure."""

    def __init__(self, udf: ledger_sql.Udf, ledger_file: str) -> None:
        self.file = ledger_file
        self.check = udf.check_index
        self.part = udf.part
        self.position = udf.position
        self.reads = udf.reads

    def __call__(self, *args: Any) -> bool:
        ledger = _ledger(self.file)
        check = ledger.checks[self.check]
        conjuncts = check.absent.conjuncts if self.part == "absent" and check.absent else check.conjuncts
        conjunct = conjuncts[self.position]
        env: dict[str, dict[str, Any]] = {alias: {} for alias, _ in self.reads}
        for (alias, name), value in zip(self.reads, args, strict=True):
            if value is not None:
                env[alias][name] = value
        ctx = Ctx()
        ctx.facts = env
        with decimal.localcontext(DECIMAL_CONTEXT):
            return conjunct.fn(ctx, None) is True


def _quote(name: str) -> str:
    return DIALECT.quote(name)


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SparkExecutor:
    def __init__(self, ledger: lm.Ledger, plans: list[CheckPlan], normaliser: Normaliser, master: str | None = None) -> None:
        self.ledger = ledger
        self.plans = plans
        self.normaliser = normaliser
        self.master = master
        self.columns = sqlsource.columns(ledger)
        self.rendered = ledger_sql.render_checks(ledger, relational_plans(plans), DIALECT, ordered=False)

    def _all_columns(self) -> dict[str, str]:
        return {lm.RECORD_KEY: "string", **self.columns}

    def _session(self) -> Any:
        from engine.spark_session import session

        spark = session(self.master)
        from pyspark.sql.types import BooleanType

        for rendered in self.rendered:
            for udf in rendered.udfs:
                spark.udf.register(udf.name, SparkUdf(udf, self.ledger.file), BooleanType())
        return spark

    # -- runs ------------------------------------------------------------------------

    def run_file(self, path: str) -> Reconciliation:
        sqlsource.check_readable(path)
        spark = self._session()
        fmt = sqlsource.book_format(path)
        book = self._read(spark, path, fmt).persist()
        try:
            physical = fmt == "jsonl"
            if physical:
                book = self._judge_doubtful(spark, path, book)
            self._views(book)
            if not physical:
                self._validate(spark, path, physical)
            keys, counts = self._run_checks(spark, count=True)
            needed = {o for _, rows in keys for row in rows for o in row}
            records = self._pick(spark, path, needed, physical)
        finally:
            book.unpersist()
        by_ordinal = {o: self.normaliser(raw, line) for o, (line, raw) in records.items()}
        return sqlsource.reconciliation(self.ledger, "spark", keys, by_ordinal, counts)

    def run_records(self, numbered_records: Any) -> Reconciliation:
        """Records from Python (tests, the API): checked by the Normaliser, handed to Spark."""
        from engine.ledger.duckdb_executor import to_arrow

        recs = [self.normaliser(raw, line) for line, raw in numbered_records]
        spark = self._session()
        table = to_arrow(recs, self.columns)
        import pyarrow as pa

        table = table.append_column("line", pa.array(range(1, len(recs) + 1), type=pa.int64()))
        book = spark.createDataFrame(table) if len(recs) else spark.createDataFrame([], self._schema().add("line", "long"))
        self._views(book)
        keys, _ = self._run_checks(spark, count=False)
        counts = {name: 0 for name in self.ledger.records}
        for rec in recs:
            counts[rec.type] += 1
        by_ordinal = dict(enumerate(recs, 1))
        return sqlsource.reconciliation(self.ledger, "spark", keys, by_ordinal, counts)

    # -- reading ---------------------------------------------------------------------

    def _schema(self, text_dates: bool = False) -> Any:
        from pyspark.sql.types import StructType, _parse_datatype_string

        schema = StructType()
        for name, kind in self._all_columns().items():
            type_ = "STRING" if text_dates and kind == "date" else _TYPES[kind]
            schema = schema.add(name, _parse_datatype_string(type_.replace(" ", "")), True)
        return schema

    def _read(self, spark: Any, path: str, fmt: str) -> Any:
        from pyspark.sql import functions as F

        from engine.spark_session import numbered

        if fmt == "jsonl":
            # text lines numbered where they lie, each parsed with dates as text and looked
            # at as text in the same pass (sqlsource.suspicious_line_sql), as DuckDB does
            lines = numbered(spark.read.text(path))
            lines = lines.filter(F.trim(F.col("value")) != "")
            counts = [F.expr(expression).alias(name) for name, expression in sqlsource.line_counts_sql(self.ledger, "value", _TEXT_SQL).items()]
            parsed = lines.select("line", F.from_json("value", self._schema(text_dates=True), {"mode": "PERMISSIVE"}).alias("r"), *counts)
            selects = [F.col("line")]
            for name, kind in self._all_columns().items():
                field = f"r.`{name}`"
                if kind == "date":
                    value = sqlsource.date_from_text_sql(field, _TEXT_SQL)
                    selects += [F.expr(value).alias(name), F.expr(f"({field} IS NOT NULL AND ({value}) IS NULL)").alias("bad " + name)]
                else:
                    selects.append(F.col("r")[name].alias(name))
            doubtful = sqlsource.suspicious_line_sql(self.ledger, lambda name: f"r.`{name}`", "r")
            return parsed.select(*selects, F.expr(doubtful).alias("doubtful"))
        if fmt == "csv":
            raw = spark.read.csv(path, header=True, inferSchema=False)
            self._refuse_unknown(raw.columns, path)
            return self._typed(numbered(raw), raw.columns, csv=True)
        raw = spark.read.parquet(path)
        self._refuse_unknown(raw.columns, path)
        return self._typed(numbered(raw), raw.columns, csv=False)

    def _typed(self, frame: Any, present: list[str], csv: bool) -> Any:
        from pyspark.sql import functions as F

        types = dict(frame.dtypes)
        selects = [F.col("line")]
        for name, kind in self._all_columns().items():
            if name not in present:
                selects.append(F.lit(None).cast(_TYPES[kind]).alias(name))
                continue
            column = F.col(f"`{name}`")
            if csv and kind == "boolean":
                lowered = F.lower(F.trim(column))
                value = F.when(lowered.isin("true", "yes", "1"), F.lit(True)).when(lowered.isin("false", "no", "0"), F.lit(False))
            elif csv and kind != "string":
                value = F.expr(f"try_cast(trim(`{name}`) AS {_TYPES[kind]})")
            else:
                if kind == "decimal" and types.get(name) in ("double", "float"):
                    column = column.cast("string")  # a float is taken by its shortest repr, as facts are
                value = column.cast(_TYPES[kind])
            selects.append(value.alias(name))
            if csv and kind != "string":
                selects.append((column.isNotNull() & value.isNull()).alias("bad " + name))
        return frame.select(*selects)

    def _refuse_unknown(self, names: list[str], path: str) -> None:
        known = self._all_columns()
        for name in names:
            if name not in known:
                raise BadInput(f"--input: {path}: column {name!r} is not a field of any record type of {self.ledger.id}")

    def _views(self, book: Any) -> None:
        from pyspark.sql import functions as F

        book.createOrReplaceTempView("book")
        only = len(self.ledger.records) == 1
        for record_name, record in self.ledger.records.items():
            frame = book if only else book.filter(F.col(lm.RECORD_KEY) == record_name)
            frame.select("line", *[F.col(f"`{name}`") for name in record.fields]).createOrReplaceTempView(ledger_sql.table_name(self.ledger, record_name))

    def _judge_doubtful(self, spark: Any, path: str, book: Any) -> Any:
        """The rows the SQL record check refuses and the lines Spark may have read otherwise
        than Python, judged by the Normaliser in line order (sqlsource.judge): the first it
        refuses is refused with its message; those it accepts replace their rows."""
        from pyspark.sql import functions as F

        from engine.ledger.duckdb_executor import to_arrow

        book.createOrReplaceTempView("book")
        sound = sqlsource.sound_record_sql(self.ledger, _quote, _quote(lm.RECORD_KEY))
        bad_casts = [name for name in book.columns if name.startswith("bad ")]
        refused = " OR ".join(["doubtful", f"NOT {sound}"] + [_quote(name) for name in bad_casts])
        candidates = [row[0] for row in spark.sql(f"SELECT line FROM book WHERE {refused}").collect()]
        if not candidates:
            return book
        accepted, blank = sqlsource.judge(candidates, self._pick(spark, path, candidates, True), self.normaliser)
        kept = book.filter(~F.col("line").isin(list(accepted) + blank))
        if accepted:
            import pyarrow as pa

            table = to_arrow(list(accepted.values()), self.columns)  # refuses a value DECIMAL(38, 18) would round
            table = table.append_column("line", pa.array(list(accepted), type=pa.int64()))
            judged = spark.createDataFrame(table).select(*[F.col(f"`{name}`").cast(_TYPES[kind]).alias(name) for name, kind in self._all_columns().items()], "line")
            kept = kept.unionByName(judged, allowMissingColumns=True)
        kept = kept.persist()
        book.unpersist()
        return kept

    def _validate(self, spark: Any, path: str, physical: bool) -> None:
        sound = sqlsource.sound_record_sql(self.ledger, _quote, _quote(lm.RECORD_KEY))
        bad_casts = [name for name in spark.table("book").columns if name.startswith("bad ")]
        refused = " OR ".join([f"NOT {sound}"] + [_quote(name) for name in bad_casts])
        row = spark.sql(f"SELECT min(line) FROM book WHERE {refused}").collect()[0]
        if row[0] is None:
            return
        for line, raw in self._pick(spark, path, [row[0]], physical).values():
            self.normaliser(raw, line)
            raise BadInput(f"line {line}: the record does not fit the SQL engine's columns (a value it cannot hold exactly)")

    # -- checks ----------------------------------------------------------------------

    def _run_checks(self, spark: Any, count: bool) -> tuple[list[tuple[lm.Check, list[tuple[int, ...]]]], dict[str, int]]:
        """Every check in one Spark query (a job costs a second or more to schedule, however
        small the book): the checks' queries as one UNION ALL, tagged with the check's
        position (c), padded to the widest match; with `count`, the number of records of
        each type rides along (c = -1 - the type's position). Findings are few beside the
        book: the driver sorts them into finding order (a distributed sort would add a
        sampling job)."""
        width = max([len(r.aliases) for r in self.rendered] + [1])
        parts = []
        for position, rendered in enumerate(self.rendered):
            lines = [f"l{i}" for i in range(len(rendered.aliases))] + [f"CAST(NULL AS BIGINT) AS l{i}" for i in range(len(rendered.aliases), width)]
            parts.append(f"SELECT {position} AS c, {', '.join(lines)} FROM ({rendered.sql})")
        names = list(self.ledger.records)
        if count:
            padding = "".join(f", CAST(NULL AS BIGINT) AS l{i}" for i in range(1, width))
            for i, name in enumerate(names):
                parts.append(f"SELECT {-1 - i} AS c, count(*) AS l0{padding} FROM {ledger_sql.table_name(self.ledger, name)}")
        found: list[list[tuple[int, ...]]] = [[] for _ in self.rendered]
        counts = {name: 0 for name in names}
        if parts:
            try:
                rows = spark.sql("\nUNION ALL\n".join(parts)).collect()
            except Exception as exc:
                raise _explained(exc) from None
            for row in rows:
                c = row[0]
                if c < 0:
                    counts[names[-1 - c]] = row[1]
                else:
                    found[c].append(tuple(row[1 : 1 + len(self.rendered[c].aliases)]))
        for rows_of_check in found:
            rows_of_check.sort()
        return [(rendered.check, found[i]) for i, rendered in enumerate(self.rendered)], counts

    def _pick(self, spark: Any, path: str, ordinals: Any, physical: bool) -> dict[int, tuple[int, Any]]:
        def parquet_rows(wanted: list[int]) -> dict[int, Any]:
            from pyspark.sql import functions as F

            from engine.spark_session import numbered

            rows = numbered(spark.read.parquet(path)).filter(F.col("line").isin(wanted)).collect()
            out = {}
            for row in rows:
                values = row.asDict()
                number = values.pop("line")
                out[number] = {k: v for k, v in values.items() if v is not None}
            return out

        return sqlsource.pick(path, self.ledger, ordinals, parquet_rows, physical=physical)


def _explained(exc: Exception) -> Exception:
    """A UDF's EvaluationError comes back wrapped in Spark's PythonException: unwrap its text."""
    from engine.language.errors import EvaluationError

    text = str(exc)
    if "EvaluationError" in text:
        for line in reversed(text.splitlines()):
            if "EvaluationError:" in line:
                return EvaluationError(line.split("EvaluationError:", 1)[1].strip())
    return exc
