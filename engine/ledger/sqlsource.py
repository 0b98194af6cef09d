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
from collections.abc import Iterable
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
                value = _FAST_DECODE(raw)
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
