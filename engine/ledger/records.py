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

import msgspec

from engine.i18n import Phrase
from engine.language.checker import suggest
from engine.ledger import model as lm
from engine.limits import MAX_LINE_BYTES, json_reader, number_problem, strip_bom
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


_DATE_CACHE_LIMIT = 100_000  # books repeat their dates; parse each spelling once
_SHAPE_CACHE_LIMIT = 1_024  # a book has a handful of shapes; a hostile one gets the general path


class _TypeChecker:
    """One record type's fields: the coercer and the name used in messages of each."""

    __slots__ = ("name", "fields", "kinds", "required", "names")

    def __init__(self, record: lm.RecordType) -> None:
        self.name = record.name
        self.fields: dict[str, tuple[Callable[[Any, str], Any], str]] = {
            name: (coercer_for(spec.declaration), f"{record.name}.{name}") for name, spec in record.fields.items()
        }
        # the declared type; a decimal with bounds is "bounded" (its coercer checks them)
        self.kinds = {
            name: "bounded" if {"minimum", "maximum"} & spec.declaration.keys() else spec.declaration["type"]
            for name, spec in record.fields.items()
        }
        self.required = record.required
        self.names = list(record.fields)


# What a field's value needs once its shape is known: nothing (text for a string field,
# left out of the plan), a date parsed from its text, a Decimal that need only be within the bounds of engine.limits,
# or the field's coercer (enums, booleans, bounded decimals, lists, numbers as text …).
_DATE, _FINITE, _COERCE = range(3)


class _Shape:
    """The plan for records of one shape (their type's name, their keys in order, the
    Python type of each value), made once the shape is known to be sound: the keys to
    drop (the type's name, nulls), the texts that are dates, the Decimals that need only
    be within bounds, and the values the field's coercer must see. `actions` lists every field
    that needs a look in key order: a record that fails the quick look goes through them
    one by one, so the first bad value named is the one the general path would name."""

    __slots__ = ("type", "drop", "dates", "finite", "coerced", "actions")

    def __init__(self, type_: str, drop: tuple[str, ...], actions: tuple[tuple[str, int, Callable[[Any, str], Any], str], ...]) -> None:
        self.type = type_
        self.drop = drop
        self.actions = actions
        self.dates = tuple(key for key, action, _, _ in actions if action == _DATE)
        self.finite = tuple(key for key, action, _, _ in actions if action == _FINITE)
        self.coerced = tuple((key, coerce, where) for key, action, coerce, where in actions if action == _COERCE)


def _plan_shape(checker: _TypeChecker, keys: tuple[str, ...], kinds: tuple[type, ...]) -> _Shape | None:
    """The shape's plan, or None when a record of this shape has an unknown field or
    lacks a required one (the general path then names it)."""
    drop, actions = [], []
    present = set()
    for key, kind in zip(keys, kinds, strict=True):
        if key == lm.RECORD_KEY:
            drop.append(key)
            continue
        entry = checker.fields.get(key)
        if entry is None:
            return None
        if kind is type(None):
            drop.append(key)
            continue
        present.add(key)
        declared = checker.kinds[key]
        if declared == "string" and kind is str:
            continue
        if declared == "date" and kind is str:
            actions.append((key, _DATE, *entry))
        elif declared == "decimal" and kind is Decimal:
            actions.append((key, _FINITE, *entry))
        else:
            actions.append((key, _COERCE, *entry))
    if not checker.required <= present:
        return None
    return _Shape(checker.name, tuple(drop), tuple(actions))


_UNPLANNED = object()


class Normaliser:
    """Raw record (a mapping) → Rec, or BadInput naming the line and the field.

    Books repeat one shape of record thousands of times: what a shape needs is planned
    once (`_Shape`), and a record of a known shape then costs a few dictionary operations.
    Any other record goes through the general path, field by field, which names what is
    wrong. tests/ledger/test_ledger_records.py holds the two to the same answers."""

    def __init__(self, ledger: lm.Ledger) -> None:
        self.ledger_id = ledger.id
        self.types = {name: _TypeChecker(record) for name, record in ledger.records.items()}
        self.only = next(iter(self.types)) if len(self.types) == 1 else None
        self.dates: dict[str, Any] = {}
        self.shapes: dict[tuple[Any, ...], _Shape | None] = {}

    def __call__(self, raw: Any, line: int, owned: bool = False) -> Rec:
        """`owned`: the raw record was decoded for this run and nobody else holds it, so
        it becomes the record's values in place instead of being copied."""
        if raw.__class__ is not dict:
            return self._general(raw, line)
        try:
            shape_key = (raw.get(lm.RECORD_KEY, self.only), tuple(raw), tuple(map(type, raw.values())))
            shape = self.shapes.get(shape_key, _UNPLANNED)
        except TypeError:  # the type's name is unhashable: the general path says so
            return self._general(raw, line)
        if shape is _UNPLANNED:
            shape = self._plan(shape_key)
        if shape is None:
            return self._general(raw, line)
        values = raw if owned else raw.copy()
        for key in shape.drop:
            del values[key]
        # the quick look: every decimal within bounds, every date a spelling seen before; the
        # coercers then see the rest in key order (dates and decimals are sound by then)
        for key in shape.finite:
            if number_problem(values[key]) is not None:
                return self._one_by_one(values, line, shape)
        dates = self.dates
        for key in shape.dates:
            day = dates.get(values[key])
            if day is None:
                return self._one_by_one(values, line, shape)
            values[key] = day
        for key, coerce, where in shape.coerced:
            values[key] = _coerced(coerce, values[key], where, line)
        return Rec(line, shape.type, values)

    def _one_by_one(self, values: dict[str, Any], line: int, shape: _Shape) -> Rec:
        """The shape's fields in key order: a date spelling not seen yet is parsed (and
        remembered); the first bad value is refused, named as the general path names it."""
        dates = self.dates
        for key, action, coerce, where in shape.actions:
            value = values[key]
            if action == _DATE:
                if value.__class__ is str:  # else converted by the quick look already
                    day = dates.get(value)
                    if day is None:
                        day = _coerced(coerce, value, where, line)
                        if len(dates) < _DATE_CACHE_LIMIT:
                            dates[value] = day
                    values[key] = day
            elif action == _FINITE:
                if number_problem(value) is not None:
                    _coerced(coerce, value, where, line)  # refuses it, saying why
            else:
                values[key] = _coerced(coerce, value, where, line)
        return Rec(line, shape.type, values)

    def _plan(self, shape_key: tuple[Any, ...]) -> _Shape | None:
        kind, keys, kinds = shape_key
        checker = self.types.get(kind) if isinstance(kind, str) else None
        shape = None if checker is None else _plan_shape(checker, keys, kinds)
        if len(self.shapes) < _SHAPE_CACHE_LIMIT:
            self.shapes[shape_key] = shape
        return shape

    def _general(self, raw: Any, line: int) -> Rec:
        """Field by field: converts what can be converted and names what is wrong."""
        if not isinstance(raw, dict):
            raise BadInput(Phrase("at_line", line=line, problem=Phrase("record_needs_type", key=lm.RECORD_KEY, kind=type(raw).__name__)))
        kind = raw.get(lm.RECORD_KEY, self.only)
        checker = self.types.get(kind) if isinstance(kind, str) else None
        if checker is None:
            if kind is None:
                problem = Phrase("record_without_type", key=lm.RECORD_KEY, types=", ".join(self.types))
                raise BadInput(Phrase("at_line", line=line, problem=problem), lm.RECORD_KEY)
            hint = suggest(kind, list(self.types)) if isinstance(kind, str) else ""
            problem = Phrase("record_unknown_type", key=lm.RECORD_KEY, kind=kind, ledger=self.ledger_id, hint=hint, types=", ".join(self.types))
            raise BadInput(Phrase("at_line", line=line, problem=problem), lm.RECORD_KEY)
        fields = checker.fields
        values = {}
        try:
            for name, value in raw.items():
                entry = fields.get(name)
                if entry is None:
                    if name == lm.RECORD_KEY:
                        continue
                    hint = suggest(str(name), checker.names)
                    raise BadInput(Phrase("fact_unknown_field", where=f"{checker.name}.{name}", hint=hint, fields=", ".join(checker.names)), f"{checker.name}.{name}")
                if value is not None:
                    coerce, where = entry
                    values[name] = coerce(value, where)
        except BadInput as exc:
            raise at_line(line, exc) from None
        if not checker.required <= values.keys():
            missing = sorted(checker.required - values.keys())
            problem = Phrase("record_field_missing", where=f"{checker.name}.{missing[0]}", fields=", ".join(missing))
            raise BadInput(Phrase("at_line", line=line, problem=problem), f"{checker.name}.{missing[0]}")
        return Rec(line, checker.name, values)


def at_line(line: int, exc: BadInput) -> BadInput:
    """`exc` said of input line `line` (`line 3: amount: expected a number, got true`),
    still sayable in the reader's language (engine.i18n.Phrase) when it is one problem."""
    problem = exc.args[0] if len(exc.problems) == 1 and exc.args else str(exc)
    return BadInput(Phrase("at_line", line=line, problem=problem), exc.field)


def _coerced(coerce: Callable[[Any, str], Any], value: Any, where: str, line: int) -> Any:
    try:
        return coerce(value, where)
    except BadInput as exc:
        raise at_line(line, exc) from None


def numbered(records: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    """Records from Python: the line of each is its 1-based position."""
    return enumerate(records, 1)


# JSON Lines are decoded by msgspec (about twice as fast as the standard library on
# book-sized lines), with every number that has a fraction or an exponent read from its
# own text as a Decimal. A line msgspec refuses is read again by the standard library,
# which says where it is wrong — or accepts what msgspec does not: NaN and Infinity
# (refused later as numbers that are not finite), lone surrogates, integers longer than
# 64 bits. Integers come out as int from both (the coercers make decimals of them, so
# an integer -0 reads as 0). tests/ledger/test_ledger_records.py holds the two to the
# same values.
_FAST_DECODE = msgspec.json.Decoder(float_hook=Decimal).decode
_DECODER = json_reader(parse_int=None)  # the standard library, with engine.limits' checks


def _decode_refused(text: str, line_number: int, name: str) -> Any:
    """A line msgspec refused (or may have read too leniently), by the standard library:
    its value, _BLANK for a blank line, or BadInput naming the line and where in it the
    JSON goes wrong (keys given twice, nesting too deep included)."""
    if not text.strip():
        return _BLANK
    try:
        return _DECODER(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{name}: line {line_number}: not valid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}") from None
    except ValueError as exc:  # pragma: no cover - json_reader turns these into JSONDecodeError
        raise BadInput(f"{name}: line {line_number}: not valid JSON: {exc}") from None


_BLANK: Any = object()


def read_jsonl(stream: IO[str], name: str = "input", close: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSONL stream; numbers stay exact.
    `close`: the stream is ours, closed when the reading ends.

    msgspec keeps the last of two equal keys without a word and has its own nesting
    limit, so a line goes to the checking reader when it is nested past a few levels or
    when its colons outnumber its keys (a key given twice, a nested object, or a colon
    inside a text: all rare in books, and all read exactly there)."""
    fast = _FAST_DECODE
    try:
        for line_number, text in enumerate(stream, 1):
            if line_number == 1:
                text = strip_bom(text)
            if len(text) > MAX_LINE_BYTES:
                raise BadInput(f"{name}: line {line_number}: {len(text):,} characters; a line may have at most {MAX_LINE_BYTES:,}")
            try:
                if text.count("{") + text.count("[") > 2:
                    raise msgspec.DecodeError  # nested: the checking reader
                value = fast(text)
                if value.__class__ is not dict or text.count(":") != len(value):
                    raise msgspec.DecodeError
            except (msgspec.DecodeError, RecursionError):
                value = _decode_refused(text, line_number, name)
                if value is _BLANK:
                    continue
            except UnicodeEncodeError:  # bytes that were not UTF-8, escaped by the stream as surrogates
                raise BadInput(f"{name}: line {line_number}: not UTF-8 text") from None
            yield line_number, value
    except UnicodeDecodeError as exc:
        raise BadInput(f"--input: {name} is not UTF-8 text: {exc.reason}") from None
    finally:
        if close:
            stream.close()


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
        handle = open(path, encoding="utf-8-sig", newline="")  # engine.limits.strip_bom's policy  # noqa: SIM115 - closed by the generator
    except FileNotFoundError:
        raise BadInput(Phrase("no_such_file", option="--input", path=path)) from None
    except OSError as exc:
        raise BadInput(Phrase("cannot_read", option="--input", path=path, reason=exc.strerror)) from None

    if not path.lower().endswith(".csv"):
        return read_jsonl(handle, path, close=True)  # one generator between the file and the reader

    def generate() -> Iterator[tuple[int, Any]]:
        with handle:
            try:
                yield from read_csv(handle, ledger, path)
            except UnicodeDecodeError as exc:
                raise BadInput(f"--input: {path} is not UTF-8 text: {exc.reason}") from None

    return generate()


__all__ = ["BadInput", "Normaliser", "Rec", "numbered", "open_input", "read_csv", "read_jsonl"]
