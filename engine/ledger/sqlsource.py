"""What the SQL executors share about a book: its format, its record columns, how a
record is checked in SQL, and how the records of findings are read back exactly.

The SQL engines read a book directly (JSON Lines, CSV, Parquet) into typed columns; a
finding, though, must be the very object the in-memory executor makes — its values as
written in the book (`2.50` stays `2.50`), checked by the same Normaliser. So once the
engine has said which records (by position) make the findings, those records, and only
those, are read again from the file and checked by Python (`pick`).
"""

from __future__ import annotations

import csv
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.evaluate import DECIMAL_CONTEXT
from engine.language import types as t
from engine.ledger import model as lm
from engine.ledger.findings import Finding, Reconciliation, evaluate_flags
from engine.ledger.planner import Ctx
from engine.ledger.records import _BLANK, _FAST_DECODE, Rec, _decode_refused, read_csv
from engine.limits import MAX_INPUT_TEXT
from engine.rulebook.facts import BadInput

FORMATS = ("jsonl", "csv", "parquet")


def book_format(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith((".parquet", ".pq")):
        return "parquet"
    if lowered.endswith(".csv"):
        return "csv"
    return "jsonl"


def check_readable(path: str) -> None:
    if path == "-":
        raise BadInput("--input: the SQL engines read a file, not standard input (use --engine batch or --stream)")
    p = Path(path)
    if not p.exists():
        raise BadInput(f"--input: no such file {path!r}")
    if not p.is_file():
        raise BadInput(f"--input: {path!r} is not a file")


def columns(ledger: lm.Ledger) -> dict[str, str]:
    """Every field any record type declares, with its scalar kind (one kind per name)."""
    out: dict[str, str] = {}
    for record in ledger.records.values():
        for name, spec in record.fields.items():
            kind = t.base_kind(spec.type)
            if kind == "enum":
                kind = "string"
            if kind not in ("decimal", "date", "boolean", "string"):
                raise BadInput(f"{ledger.id}: {record.name}.{name} is a {kind}; the SQL engines hold scalar fields only (use --engine batch)")
            if out.setdefault(name, kind) != kind:
                raise BadInput(f"{ledger.id}: field {name!r} has two types ({out[name]}, {kind}); the SQL engines need one per name (use --engine batch)")
    return out


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return format(Decimal(str(value)), "f")


def sound_record_sql(ledger: lm.Ledger, quote: Any, record_column: str = "record") -> str:
    """A condition that holds for a row only when the batch executor would accept it as
    far as typed columns can tell: a known record type, its required fields present, no
    field of another type, enum values, numeric bounds and the length of text kept
    (numbers need no magnitude test: DECIMAL(38, 18) holds less than engine.limits allows). Rows it refuses are read
    again by the Normaliser, whose message is the batch executor's."""
    every = columns(ledger)
    only = len(ledger.records) == 1
    alternatives = []
    for name, record in ledger.records.items():
        tests = [f"{record_column} = {_literal(name)}" if not only else f"({record_column} IS NULL OR {record_column} = {_literal(name)})"]
        for field_name, spec in record.fields.items():
            column = quote(field_name)
            if not spec.optional:
                tests.append(f"{column} IS NOT NULL")
            declaration = spec.declaration
            if declaration["type"] == "string":  # the bound every reader of text keeps (engine/limits.py)
                tests.append(f"({column} IS NULL OR length({column}) <= {MAX_INPUT_TEXT})")
            if declaration["type"] == "enum":
                values = ", ".join(_literal(str(v)) for v in declaration["values"])
                tests.append(f"({column} IS NULL OR {column} IN ({values}))")
            for bound, op in (("minimum", ">="), ("maximum", "<=")):
                if declaration.get(bound) is not None:
                    tests.append(f"({column} IS NULL OR {column} {op} {_literal(declaration[bound])})")
        for other in every:
            if other not in record.fields:
                tests.append(f"{quote(other)} IS NULL")
        alternatives.append("(" + " AND ".join(tests) + ")")
    return "COALESCE(" + " OR ".join(alternatives) + ", FALSE)"


# -- JSON Lines read as text: what the SQL readers might read otherwise than Python -------
#
# An SQL engine parses a JSON Lines book with a typed schema, and its parser is looser than
# ours: DECIMAL(38, 18) rounds a number with more places and cannot hold one of 10^20 or
# more (engine.limits allows up to 10^30), a JSON number or true is taken as text for a
# text field, a key no record type declares is passed over, a key given twice is taken
# once. So each line is also looked at as text, by cheap tests that hold for every line the
# engine may read differently (and for a few it reads right): `suspicious_line_sql`. Such
# lines, and the rows the SQL record check refuses, are judged by the Normaliser, in file
# order: the first it refuses is refused with its message (line and field); those it
# accepts have their row's values replaced by its own (`judge`, then the executor), or
# are refused with a message naming the line and field when DECIMAL(38, 18) cannot hold
# them exactly. Dates are parsed as text and converted only in their one spelling
# (`date_from_text_sql`); anything else is a bad cast the Normaliser judges.

BACKSLASH, QUOTE = "\\", '"'
_ROUNDED_NUMBER = r":\s*-?(?:[0-9]{21}|[0-9]*\.[0-9]{19}|[0-9.]{35}|[0-9.]+[eE])"  # too long, too precise, or an exponent


@dataclass(frozen=True)
class TextSql:
    """How a dialect writes what `suspicious_line_sql` needs."""

    literal: Callable[[str], str]  # a text literal
    like: Callable[[str, str], str]  # (text, pattern) -> whether the regular expression matches
    occurrences: Callable[[str, str], str]  # (text, literal text) -> how many times it occurs
    matches: Callable[[str, str], str]  # (text, pattern) -> how many times the regular expression matches


def text_struct(ledger: lm.Ledger, decimal_type: str, text_type: str) -> dict[str, str]:
    """The type each field is parsed as from a JSON line (dates as text, see above)."""
    kinds = {"decimal": decimal_type, "date": text_type, "boolean": "BOOLEAN", "string": text_type}
    return {lm.RECORD_KEY: text_type, **{name: kinds[kind] for name, kind in columns(ledger).items()}}


def date_from_text_sql(column: str, sql: TextSql) -> str:
    """A date column from its text: YYYY-MM-DD only (year 0001 to 9999), else NULL (a
    spelling Python may still accept, e.g. with spaces around it, goes to `judge`)."""
    return f"CASE WHEN {sql.like(column, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')} AND {column} >= '0001' THEN TRY_CAST({column} AS DATE) END"


def line_counts_sql(ledger: lm.Ledger, line: str, sql: TextSql) -> dict[str, str]:
    """What `suspicious_line_sql` counts in a line's text, as columns to compute once."""
    declared = "|".join(re.escape(name) for name in (lm.RECORD_KEY, *columns(ledger)))
    declared_nulls = sql.matches(line, QUOTE + "(?:" + declared + ")" + QUOTE + ": ?null")
    return {
        "n_colons": sql.occurrences(line, ":"),  # a key each, when no text holds a colon
        "n_quotes": sql.occurrences(line, QUOTE),  # two a key or a text (an escaped quote is doubtful by itself)
        "n_booleans": sql.matches(line, ": ?(?:true|false)"),
        "n_nulls": sql.matches(line, ": ?null"),
        "odd": f"instr({line}, {sql.literal(BACKSLASH + QUOTE)}) > 0 OR {sql.like(line, _ROUNDED_NUMBER)}",
        "n_declared_nulls": f"CASE WHEN instr({line}, 'null') = 0 THEN 0 ELSE {declared_nulls} END",
    }


def suspicious_line_sql(ledger: lm.Ledger, field: Callable[[str], str], parsed: str) -> str:
    """A condition true of every JSON line the engine may read otherwise than the
    Normaliser, over the columns of `line_counts_sql`: `field(name)` is a parsed field's
    column (text for dates and texts, as parsed before any conversion), `parsed` is NULL
    when the engine could not parse the line. The line's keys and values are counted by
    their marks (a colon a key, two quotes a key or a text, `: true`, `: null`) and
    compared with the fields the engine parsed: a key no record type declares, a key
    given twice, a value of another type than its field's, a number given as text are all
    a count that does not add up. A line written otherwise (a colon inside a text,
    `"key" :value`) does not add up either, and is judged by Python, not misread."""
    kinds = {lm.RECORD_KEY: "string", **columns(ledger)}

    def present(kind_set: tuple[str, ...]) -> str:
        names = [name for name, kind in kinds.items() if kind in kind_set]
        return "(" + (" + ".join(f"(CASE WHEN {field(name)} IS NULL THEN 0 ELSE 1 END)" for name in names) or "0") + ")"

    texts = "(n_quotes - 2 * n_colons)"  # twice the number of texts
    return (
        f"({parsed} IS NULL OR odd"
        f" OR n_colons <> {present(('string', 'date', 'boolean', 'decimal'))} + n_nulls"  # a key twice, a nested value, a colon in a text
        f" OR {texts} <> 2 * {present(('string', 'date'))}"  # a text where there is none, or none where there is
        f" OR n_booleans <> {present(('boolean',))}"
        f" OR 2 * (n_colons - n_nulls - n_booleans) - {texts} <> 2 * {present(('decimal',))}"  # numbers, and numbers as text
        f" OR n_declared_nulls <> n_nulls)"  # a key no record type declares, set to null
    )


def judge(candidates: Iterable[int], picked: dict[int, tuple[int, Any]], normaliser: Any) -> tuple[dict[int, Rec], list[int]]:
    """The rows an SQL reader doubts, judged by the Normaliser in file order: BadInput for
    the first it refuses; else (the records it accepts by position, the positions that
    hold no record by its reading: blank lines)."""
    accepted: dict[int, Rec] = {}
    blank = []
    for position in sorted(set(candidates)):
        if position not in picked:
            blank.append(position)
            continue
        line, raw = picked[position]
        accepted[position] = normaliser(raw, line)
    return accepted, blank


# -- findings ------------------------------------------------------------------------------


def reconciliation(ledger: lm.Ledger, executor: str, keys: list[tuple[lm.Check, list[tuple[int, ...]]]], records: dict[int, Rec], counts: dict[str, int]) -> Reconciliation:
    """The findings of an SQL executor — (check, positions of its records) from the engine,
    the records themselves read again and checked — as the batch executor's objects."""
    ctx = Ctx()
    findings = []
    with decimal.localcontext(DECIMAL_CONTEXT):
        for check, rows in keys:
            aliases = check.alias_names
            for row in rows:
                recs = tuple(records[o] for o in row)
                env = {alias: rec.values for alias, rec in zip(aliases, recs, strict=True)}
                findings.append(Finding(ledger, check, recs, evaluate_flags(check, env, ctx)))
    return Reconciliation.build(ledger, executor, findings, counts)


# -- reading the records of findings again ------------------------------------------------


def pick(path: str, ledger: lm.Ledger, ordinals: Iterable[int], parquet_rows: Any = None, physical: bool = False) -> dict[int, tuple[int, Any]]:
    """ordinal (1-based position among the book's records) -> (line, raw record), for the
    ordinals asked. `parquet_rows(ordinals)` reads Parquet rows (the engine does that).
    `physical`: the ordinals of a JSON Lines book are its line numbers (blank lines count)."""
    wanted = sorted(set(ordinals))
    if not wanted:
        return {}
    fmt = book_format(path)
    if fmt == "parquet":
        return {o: (o, raw) for o, raw in parquet_rows(wanted).items()}
    if fmt == "csv":
        return _pick_csv(path, ledger, wanted)
    return _pick_jsonl(path, wanted, physical)


def _pick_jsonl(path: str, wanted: list[int], physical: bool = False) -> dict[int, tuple[int, Any]]:
    """One pass over the lines; only the wanted ones are decoded (as read_jsonl does)."""
    out: dict[int, tuple[int, Any]] = {}
    targets = iter(wanted)
    target = next(targets)
    ordinal = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.isspace():  # blank lines are not records (read_json skips them too)
                continue
            ordinal = number if physical else ordinal + 1
            if ordinal != target:
                continue
            try:
                # as read_jsonl: a nested line, or one whose colons outnumber its keys (a key
                # given twice, which msgspec would take silently), goes to the checking reader
                if raw.count(b"{") + raw.count(b"[") > 2:
                    raise ValueError
                value = _FAST_DECODE(raw)
                if value.__class__ is not dict or raw.count(b":") != len(value):
                    raise ValueError
            except Exception:
                value = _decode_refused(raw.decode("utf-8", "surrogateescape"), number, path)
                if value is _BLANK:  # pragma: no cover - isspace() caught it
                    continue
            out[ordinal] = (number, value)
            target = next(targets, None)
            if target is None:
                break
    return out


def _pick_csv(path: str, ledger: lm.Ledger, wanted: list[int]) -> dict[int, tuple[int, Any]]:
    want = set(wanted)
    out: dict[int, tuple[int, Any]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for ordinal, (line, raw) in enumerate(read_csv(handle, ledger, path), 1):
            if ordinal in want:
                out[ordinal] = (line, raw)
                if len(out) == len(want):
                    break
    return out


def csv_header(path: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])
