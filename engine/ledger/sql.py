"""Relational plans (relational.py) as SQL text, for DuckDB and Spark SQL.

Each record type is a table `t_<n>` with a column `line` (the record's position in the
book) and one typed column per field: DECIMAL(38, 18) for decimals (never DOUBLE), DATE,
BOOLEAN, VARCHAR/STRING for text and enums; an absent field is NULL.

Expressions are translated node by node where SQL means exactly what the language means:
field reads, literals, `not`/`and`/`or` (SQL's NULL is the language's unknown, with the
same three-valued tables), comparisons of two values of one scalar kind, `+`/`-` of
decimals, `in` a list of text, `exists`, `coalesce`, `days_between`, `add_days` by a whole
literal. Anything else — division, calendars and working days, rounding, lists — is not
approximated: the whole condition becomes a call of a user-defined function that runs our
compiled closure on the values it reads (`Udf`), registered by the executor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.language import nodes as n
from engine.language import types as t
from engine.language.checker import Analysis
from engine.ledger import model as lm
from engine.ledger.relational import RelationalCheck, Scan

SCALE = 18  # decimal places kept by the SQL executors (DECIMAL(38, 18))
PRECISION = 38


@dataclass(frozen=True)
class Dialect:
    name: str
    string_type: str
    anti_join: str
    decimal_type: str = f"DECIMAL({PRECISION}, {SCALE})"

    def quote(self, name: str) -> str:
        if self.name == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    def days_between(self, a: str, b: str) -> str:
        if self.name == "spark":
            return f"CAST(datediff({b}, {a}) AS DECIMAL(38, 0))"
        return f"CAST(date_diff('day', {a}, {b}) AS DECIMAL(38, 0))"

    def add_days(self, day: str, count: int) -> str:
        if self.name == "spark":
            return f"date_add({day}, {count})"
        return f"({day} + INTERVAL {count} DAY)::DATE"


DUCKDB = Dialect("duckdb", "VARCHAR", "ANTI JOIN")
SPARK = Dialect("spark", "STRING", "LEFT ANTI JOIN")


def column_type(spec_type: t.Type, dialect: Dialect) -> str | None:
    """The SQL type of a record field, None when SQL cannot hold it (lists, records)."""
    kind = t.base_kind(spec_type)
    if kind == "decimal":
        return dialect.decimal_type
    if kind == "date":
        return "DATE"
    if kind == "boolean":
        return "BOOLEAN"
    if kind in ("string", "enum"):
        return dialect.string_type
    return None


def table_name(ledger: lm.Ledger, record: str) -> str:
    return f"t_{list(ledger.records).index(record)}"


@dataclass
class Udf:
    """A condition SQL cannot state exactly: our compiled closure, called on the fields it
    reads. `name` is the SQL function; the executor registers it with `arguments`' types."""

    name: str
    conjunct: lm.Conjunct
    check_index: int
    part: str  # "when" or "absent"
    position: int  # index of the conjunct in its part
    reads: tuple[tuple[str, str], ...]  # (alias, field) in argument order
    types: tuple[str, ...]  # SQL type of each argument


@dataclass
class CheckSql:
    check: lm.Check
    aliases: list[str]
    sql: str
    udfs: list[Udf] = field(default_factory=list)


class _Untranslatable(Exception):
    pass


def _decimal_literal(value: Decimal) -> str:
    text = format(value, "f")
    return f"({text})" if text.startswith("-") else text


class ExpressionSql:
    """One condition's expression as SQL over the tables' aliases; raises _Untranslatable."""

    def __init__(self, analysis: Analysis, kinds: dict[str, dict[str, str]], column: Any, dialect: Dialect) -> None:
        self.analysis = analysis
        self.kinds = kinds  # alias -> field -> scalar kind
        self.column = column  # (alias, field) -> SQL reference
        self.dialect = dialect

    def translate(self, node: n.Node) -> tuple[str, str]:
        """(SQL, kind) with kind one of decimal, string, date, boolean."""
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise _Untranslatable(type(node).__name__)
        return method(node)

    def _literal(self, node: n.Literal) -> tuple[str, str]:
        value = node.value
        if value is True or value is False:
            return ("TRUE" if value else "FALSE"), "boolean"
        if isinstance(value, Decimal):
            return _decimal_literal(value), "decimal"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'", "string"
        raise _Untranslatable("null")  # `x == null` is false for a present x; SQL says unknown

    def _field(self, node: n.Field) -> tuple[str, str]:
        if isinstance(node.target, n.Name) and id(node) not in self.analysis.projections:
            symbol = self.analysis.symbols.get(id(node.target))
            if symbol is not None and symbol.kind == "fact":
                kind = self.kinds.get(symbol.name, {}).get(node.name)
                if kind is None:
                    raise _Untranslatable("field")
                return self.column(symbol.name, node.name), kind
        raise _Untranslatable("field")

    def _unary(self, node: n.Unary) -> tuple[str, str]:
        sql, kind = self.translate(node.operand)
        if node.op == "not" and kind == "boolean":
            return f"(NOT {sql})", "boolean"
        if node.op == "-" and kind == "decimal":
            return f"(- {sql})", "decimal"
        raise _Untranslatable(node.op)

    def _logical(self, node: n.Logical) -> tuple[str, str]:
        parts = []
        for operand in node.operands:
            sql, kind = self.translate(operand)
            if kind != "boolean":
                raise _Untranslatable("logical")
            parts.append(sql)
        return "(" + f" {node.op.upper()} ".join(parts) + ")", "boolean"

    def _binary(self, node: n.Binary) -> tuple[str, str]:
        op = node.op
        if op in ("in", "not in"):
            left, kind = self.translate(node.left)
            items = node.right.items if isinstance(node.right, n.ListLiteral) else None
            if kind != "string" or not items or not all(isinstance(i, n.Literal) and isinstance(i.value, str) for i in items):
                raise _Untranslatable("in")
            members = ", ".join(self._literal(i)[0] for i in items)  # type: ignore[arg-type]
            return f"({left} {'NOT IN' if op == 'not in' else 'IN'} ({members}))", "boolean"
        left, left_kind = self.translate(node.left)
        right, right_kind = self.translate(node.right)
        if left_kind != right_kind:
            raise _Untranslatable("mixed kinds")
        if op in ("+", "-"):
            if left_kind != "decimal":
                raise _Untranslatable(op)
            return f"({left} {op} {right})", "decimal"
        if op in ("==", "!="):
            return f"({left} {'=' if op == '==' else '<>'} {right})", "boolean"
        if op in ("<", "<=", ">", ">="):
            if left_kind == "boolean":
                raise _Untranslatable("ordering of booleans")
            return f"({left} {op} {right})", "boolean"
        raise _Untranslatable(op)  # * and / : scale and rounding differ from Python's Decimal

    def _call(self, node: n.Call) -> tuple[str, str]:
        name, args = node.function, node.args
        if name == "exists" and len(args) == 1:
            sql, _ = self.translate(args[0])
            return f"({sql} IS NOT NULL)", "boolean"
        if name == "coalesce" and args:
            parts = [self.translate(a) for a in args]
            kinds = {kind for _, kind in parts}
            if len(kinds) != 1:
                raise _Untranslatable("coalesce")
            return "COALESCE(" + ", ".join(sql for sql, _ in parts) + ")", kinds.pop()
        if name == "days_between" and len(args) == 2:
            (a, ka), (b, kb) = self.translate(args[0]), self.translate(args[1])
            if ka == kb == "date":
                return self.dialect.days_between(a, b), "decimal"
        if name == "add_days" and len(args) == 2 and isinstance(args[1], n.Literal):
            count = args[1].value
            day, kind = self.translate(args[0])
            if kind == "date" and isinstance(count, Decimal) and count == count.to_integral_value() and abs(count) < 100_000:
                return self.dialect.add_days(day, int(count)), "date"
        raise _Untranslatable(name)


def field_kinds(ledger: lm.Ledger, aliases: dict[str, str]) -> dict[str, dict[str, str]]:
    """alias -> field -> the scalar kind SQL holds it as (fields SQL cannot hold left out)."""
    out: dict[str, dict[str, str]] = {}
    for alias, record in aliases.items():
        kinds = {}
        for name, spec in ledger.records[record].fields.items():
            kind = t.base_kind(spec.type)
            if kind == "enum":
                kind = "string"
            if kind in ("decimal", "date", "boolean", "string"):
                kinds[name] = kind
        out[alias] = kinds
    return out


class CheckRenderer:
    """One relational check → one SELECT of the matched records' lines, in finding order."""

    def __init__(self, ledger: lm.Ledger, rel: RelationalCheck, dialect: Dialect, udf_prefix: str = "taxrules", ordered: bool = True) -> None:
        self.ordered = ordered
        self.ledger = ledger
        self.rel = rel
        self.dialect = dialect
        self.check = rel.check
        self.aliases = {alias: record for alias, record in self.check.aliases}
        if self.check.absent is not None:
            self.aliases[self.check.absent.alias] = self.check.absent.record
        self.sql_alias = {alias: f"p{i}" for i, alias in enumerate(rel.aliases)}
        if rel.anti is not None:
            self.sql_alias[rel.anti.scan.alias] = "q"
        self.kinds = field_kinds(ledger, self.aliases)
        self.udfs: list[Udf] = []
        self.udf_prefix = udf_prefix

    def column(self, alias: str, name: str) -> str:
        return f"{self.sql_alias[alias]}.{self.dialect.quote(name)}"

    def condition(self, conjunct: lm.Conjunct) -> str:
        """The conjunct as SQL that is TRUE exactly when the language says true."""
        try:
            sql, kind = ExpressionSql(conjunct.analysis, self.kinds, self.column, self.dialect).translate(conjunct.node)
            if kind == "boolean":
                return sql
        except _Untranslatable:
            pass
        return self._udf_call(conjunct)

    def _udf_call(self, conjunct: lm.Conjunct) -> str:
        part = "absent" if conjunct.part == "absent" else "when"
        conjuncts = self.check.absent.conjuncts if part == "absent" and self.check.absent else self.check.conjuncts
        position = conjuncts.index(conjunct)
        reads = tuple((alias, name) for alias, name in conjunct.reads if alias in self.aliases)
        types = []
        for alias, name in reads:
            spec = self.ledger.records[self.aliases[alias]].fields[name]
            sql_type = column_type(spec.type, self.dialect)
            if sql_type is None:
                raise ValueError(f"check {self.check.id!r}: {alias}.{name} ({spec.type}) has no SQL type")
            types.append(sql_type)
        udf = Udf(f"{self.udf_prefix}_{self.check.index}_{part}_{position}", conjunct, self.check.index, part, position, reads, tuple(types))
        self.udfs.append(udf)
        args = ", ".join(self.column(alias, name) for alias, name in reads)
        return f"{udf.name}({args})"

    def _scan(self, scan: Scan) -> str:
        table = table_name(self.ledger, scan.record)
        alias = self.sql_alias[scan.alias]
        if not scan.filters:
            return f"{table} {alias}"
        where = " AND ".join(self.condition(c) for c in scan.filters)
        return f"(SELECT * FROM {table} {alias} WHERE {where}) {alias}"

    def _equality(self, join: Any) -> str:
        return self.condition(join.conjunct)

    def render(self) -> CheckSql:
        rel = self.rel
        lines = [f"{self.sql_alias[a]}.line AS l{i}" for i, a in enumerate(rel.aliases)]
        parts = [f"SELECT {', '.join(lines)}", f"FROM {self._scan(rel.first)}"]
        where = [self.condition(c) for c in rel.first_conditions]
        for step in rel.steps:
            on = [self._equality(j) for j in step.keys]
            on += [f"{self.sql_alias[step.scan.alias]}.line <> {self.sql_alias[a]}.line" for a in step.distinct_from]
            if on:
                parts.append(f"JOIN {self._scan(step.scan)} ON {' AND '.join(on)}")
            else:
                parts.append(f"CROSS JOIN {self._scan(step.scan)}")
            where += [self.condition(c) for c in step.conditions]
        anti = rel.anti
        if anti is not None:
            on = [f"COALESCE({self.condition(c)}, FALSE)" for c in anti.pre]
            on += [self._equality(j) for j in anti.keys]
            on += [self.condition(c) for c in anti.conditions]
            on += [f"q.line <> {self.sql_alias[a]}.line" for a in anti.distinct_from]
            parts.append(f"{self.dialect.anti_join} {self._scan(anti.scan)} ON {' AND '.join(on) or 'TRUE'}")
        if where:
            parts.append("WHERE " + " AND ".join(where))
        if self.ordered:
            parts.append("ORDER BY " + ", ".join(f"l{i}" for i in range(len(rel.aliases))))
        return CheckSql(self.check, rel.aliases, "\n".join(parts), self.udfs)


def render_checks(ledger: lm.Ledger, rels: list[RelationalCheck], dialect: Dialect, ordered: bool = True) -> list[CheckSql]:
    """One SELECT per check; `ordered`: sorted in finding order by the engine itself."""
    return [CheckRenderer(ledger, rel, dialect, ordered=ordered).render() for rel in rels]
