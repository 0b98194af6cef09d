"""Input records: reading JSONL and CSV, and checking each record against its record type.

Each input record is an object whose `record` field names its record type (it may be
left out when the ledger declares only one type); its other fields are checked and
converted with the same coercers as a decision rulebook's facts (engine/rulebook/facts.py):
exact decimals, ISO dates, enum values. Fields are required unless declared
`optional: true`; a null is an absent value. A record that breaks its type is bad input,
reported with its line number.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from engine.language.checker import suggest
from engine.ledger import model as lm
from engine.rulebook.facts import BadInput, coercer_for


class Rec:
    """One checked record: where it came from (line), its type and its field values."""

    __slots__ = ("line", "type", "values")

    def __init__(self, line: int, type_: str, values: dict[str, Any]) -> None:
        self.line = line
        self.type = type_
        self.values = values

    def __repr__(self) -> str:
        return f"<Rec {self.type} line {self.line}>"


_STRING, _DECIMAL, _DATE, _OTHER = range(4)
_DATE_CACHE_LIMIT = 100_000  # books repeat their dates; parse each spelling once


class _TypeChecker:
    __slots__ = ("name", "fields", "required", "names", "accepted", "strings", "decimals", "dates")

    def __init__(self, record: lm.RecordType) -> None:
        self.name = record.name
        # name -> (fast-path kind, coercer, where): the coercer (engine/rulebook/facts.py)
        # decides every value the fast path does not settle by its type alone.
        self.fields: dict[str, tuple[int, Callable[[Any, str], Any], str]] = {}
        for name, spec in record.fields.items():
            decl = spec.declaration
            kind = decl["type"]
            if kind == "string":
                fast = _STRING
            elif kind == "decimal" and "minimum" not in decl and "maximum" not in decl:
                fast = _DECIMAL
            elif kind == "date":
                fast = _DATE
            else:
                fast = _OTHER
            self.fields[name] = (fast, coercer_for(decl), f"{record.name}.{name}")
        self.required = frozenset(name for name, spec in record.fields.items() if not spec.optional)
        self.names = list(record.fields)
        # For the common record (only declared fields, values already of their JSON type):
        # the keys are checked as one set operation and only the fields that need a look
        # are visited one by one.
        self.accepted = frozenset(self.fields) | {lm.RECORD_KEY}
        self.strings = tuple(n for n, (fast, _, _) in self.fields.items() if fast is _STRING)
        self.decimals = tuple(n for n, (fast, _, _) in self.fields.items() if fast is _DECIMAL)
        self.dates = tuple(n for n, (fast, _, _) in self.fields.items() if fast is _DATE)


class Normaliser:
    """Raw record (a mapping) → Rec, or BadInput naming the line and the field."""

    def __init__(self, ledger: lm.Ledger) -> None:
        self.ledger_id = ledger.id
        self.types = {name: _TypeChecker(record) for name, record in ledger.records.items()}
        self.only = next(iter(self.types)) if len(self.types) == 1 else None
        self.dates: dict[str, Any] = {}

    def __call__(self, raw: Any, line: int) -> Rec:
        if not isinstance(raw, dict):
            raise BadInput(f"line {line}: a record is an object with a {lm.RECORD_KEY!r} field, got {type(raw).__name__}")
        kind = raw.get(lm.RECORD_KEY, self.only)
        checker = self.types.get(kind) if isinstance(kind, str) else None
        if checker is None:
            if kind is None:
                raise BadInput(f"line {line}: the record has no {lm.RECORD_KEY!r} field (one of: {', '.join(self.types)})", lm.RECORD_KEY)
            hint = suggest(kind, list(self.types)) if isinstance(kind, str) else ""
            raise BadInput(f"line {line}: {lm.RECORD_KEY}: {kind!r} is not a record type of {self.ledger_id}{hint} (one of: {', '.join(self.types)})", lm.RECORD_KEY)
        if raw.keys() <= checker.accepted and len(checker.strings) + len(checker.decimals) + len(checker.dates) == len(checker.fields):
            fast = self._fast(raw, checker)
            if fast is not None:
                if not checker.required <= fast.keys():
                    missing = sorted(checker.required - fast.keys())
                    raise BadInput(f"line {line}: {checker.name}.{missing[0]}: missing (required fields: {', '.join(missing)})", f"{checker.name}.{missing[0]}")
                return Rec(line, checker.name, fast)
        dates = self.dates
        fields = checker.fields
        values = {}
        try:
            for name, value in raw.items():
                entry = fields.get(name)
                if entry is None:
                    if name == lm.RECORD_KEY:
                        continue
                    raise BadInput(f"{checker.name}.{name}: unknown field{suggest(str(name), checker.names)} (fields: {', '.join(checker.names)})", f"{checker.name}.{name}")
                if value is None:
                    continue
                fast, coerce, where = entry
                kind = value.__class__
                if kind is str:
                    if fast is _STRING:
                        values[name] = value
                        continue
                    if fast is _DATE:
                        day = dates.get(value)
                        if day is None:
                            day = coerce(value, where)
                            if len(dates) < _DATE_CACHE_LIMIT:
                                dates[value] = day
                        values[name] = day
                        continue
                elif kind is Decimal and fast is _DECIMAL and value.is_finite():
                    values[name] = value
                    continue
                values[name] = coerce(value, where)
        except BadInput as exc:
            raise BadInput(f"line {line}: {exc}", exc.field) from None
        if not checker.required <= values.keys():
            missing = sorted(checker.required - values.keys())
            raise BadInput(f"line {line}: {checker.name}.{missing[0]}: missing (required fields: {', '.join(missing)})", f"{checker.name}.{missing[0]}")
        return Rec(line, checker.name, values)

    def _fast(self, raw: dict[str, Any], checker: _TypeChecker) -> dict[str, Any] | None:
        """The checked values when every present value already has its field's type, else
        None (the general path then converts it, or names the field that is wrong)."""
        values = {name: value for name, value in raw.items() if value is not None and name != lm.RECORD_KEY}
        for name in checker.strings:
            value = values.get(name)
            if value is not None and value.__class__ is not str:
                return None
        for name in checker.decimals:
            value = values.get(name)
            if value is not None and (value.__class__ is not Decimal or not value.is_finite()):
                return None
        dates = self.dates
        for name in checker.dates:
            value = values.get(name)
            if value is None:
                continue
            day = dates.get(value) if value.__class__ is str else None
            if day is None:  # not text, or a spelling not parsed yet: the general path
                return None
            values[name] = day
        return values


def numbered(records: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    """Records from Python: the line of each is its 1-based position."""
    return enumerate(records, 1)


# One decoder for every line: json.loads(text, parse_float=...) builds a new decoder per
# call, which costs as much as the parsing itself on short lines.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)


def read_jsonl(stream: IO[str], name: str = "input") -> Iterator[tuple[int, Any]]:
    """(line number, object) for each non-blank line of a JSONL stream; numbers stay exact."""
    raw_decode = _DECODER.raw_decode
    for line_number, text in enumerate(stream, 1):
        try:
            value, end = raw_decode(text)
            if end != len(text) and text[end:].strip():
                _DECODER.decode(text)  # raises with the position of the extra data
        except json.JSONDecodeError as exc:
            if not text.strip():
                continue
            try:
                value = _DECODER.decode(text)  # leading blanks; or the error, positioned
            except json.JSONDecodeError as exc2:
                raise BadInput(f"{name}: line {line_number}: not valid JSON: {exc2.msg} at column {exc2.colno}") from None
            del exc
        yield line_number, value


_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def read_csv(stream: IO[str], ledger: lm.Ledger, name: str = "input") -> Iterator[tuple[int, Any]]:
    """(line number, object) for each CSV row. A header names the fields (and `record`);
    empty cells are absent values; boolean fields read true/false, yes/no, 1/0."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None:
        return
    only = next(iter(ledger.records)) if len(ledger.records) == 1 else None
    booleans = {
        record.name: {f for f, spec in record.fields.items() if spec.type.kind == "boolean"} for record in ledger.records.values()
    }
    for row in reader:
        line = reader.line_num
        if None in row:
            raise BadInput(f"{name}: line {line}: more cells than the header has columns")
        out: dict[str, Any] = {}
        kind = row.get(lm.RECORD_KEY) or only
        for key, value in row.items():
            if value is None or value == "":
                continue
            if key in booleans.get(kind or "", ()):
                lowered = value.strip().lower()
                if lowered in _TRUE:
                    out[key] = True
                    continue
                if lowered in _FALSE:
                    out[key] = False
                    continue
            out[key] = value
        yield line, out


def open_input(path: str, ledger: lm.Ledger, stdin: IO[str] | None = None) -> Iterator[tuple[int, Any]]:
    """Records from a .jsonl/.json-lines file, a .csv file, or `-` (JSONL on standard input)."""
    if path == "-":
        assert stdin is not None
        return read_jsonl(stdin, "standard input")
    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the generator
    except FileNotFoundError:
        raise BadInput(f"--input: no such file {path!r}") from None
    except OSError as exc:
        raise BadInput(f"--input: cannot read {path!r}: {exc.strerror}") from None

    def generate() -> Iterator[tuple[int, Any]]:
        with handle:
            try:
                if path.lower().endswith(".csv"):
                    yield from read_csv(handle, ledger, path)
                else:
                    yield from read_jsonl(handle, path)
            except UnicodeDecodeError as exc:
                raise BadInput(f"--input: {path} is not UTF-8 text: {exc.reason}") from None

    return generate()


__all__ = ["BadInput", "Normaliser", "Rec", "numbered", "open_input", "read_csv", "read_jsonl"]
