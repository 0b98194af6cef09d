"""Reading many cases from JSON Lines or CSV, one at a time.

Both readers are generators: whatever the length of the file, only the current line is
in memory. A line that cannot be read as a case does not stop the run; it becomes a
`Case` carrying an error, which the runner turns into an error record for that line.

- JSON Lines: one JSON object of facts per line. Blank lines are skipped (they are not
  cases). The text is parsed where the case is decided (in a worker with `--jobs`), with
  numbers kept exact.
- CSV: a header row of fact names, then one case per row. Cells are typed by the fact
  schema: booleans as true/false (also 1/0, yes/no), decimals and dates as written (the
  fact checker parses them exactly), lists and records as JSON inside the cell. An empty
  cell is a missing fact. An unknown column is an error for the whole file.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import jsonout
from engine.language.checker import suggest
from engine.rulebook import model as m

FORMATS = ("jsonl", "csv")


class InputError(ValueError):
    """The input as a whole cannot be read (unknown column, unreadable file): exit code 2."""


@dataclass(slots=True)
class Case:
    """One case read from the input: a line number and either facts, raw JSON text, or an error."""

    line: int
    facts: Any = None
    text: str | None = None  # JSON text still to parse (JSON Lines)
    error: str | None = None  # the case could not be read
    field: str | None = None  # the field the error concerns, when there is one


def detect_format(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if path == "-":
        return "jsonl"
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise InputError(f"--input: cannot tell the format of {path!r} from its name; use --input-format jsonl or csv")


def open_input(path: str, fmt: str) -> Any:
    """The input stream: bytes for JSON Lines (each line is decoded on its own, so one bad
    line cannot stop the run), text for CSV (undecodable bytes are kept as surrogates and
    reported for their row)."""
    binary = fmt == "jsonl"
    if path == "-":
        if binary:
            return sys.stdin.buffer
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        if binary:
            return open(path, "rb")  # noqa: SIM115 - closed by the caller
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"--input: no such file {path!r}") from None
    except IsADirectoryError:
        raise InputError(f"--input: {path!r} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"--input: cannot read {path!r}: {exc.strerror}") from None


def count_lines(path: str) -> int | None:
    """Lines in a regular file (for the progress bar's total), read in blocks; None if unknown."""
    if path == "-":
        return None
    try:
        total = 0
        last = b"\n"
        with open(path, "rb") as stream:
            while block := stream.read(1 << 20):
                total += block.count(b"\n")
                last = block[-1:]
        return total + (last != b"\n")
    except OSError:
        return None


# -- JSON Lines ---------------------------------------------------------------------------


def read_jsonl(stream: Iterable[bytes | str]) -> Iterator[Case]:
    for number, line in enumerate(stream, start=1):
        if isinstance(line, bytes):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                text = line.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                yield Case(number, error=f"not UTF-8 text: byte {exc.start + 1} of the line")
                continue
        else:
            text = line.strip()
        if text:
            yield Case(number, text=text)


def parse_case(case: Case) -> Case:
    """Parse the JSON text of a JSON Lines case (in place); a syntax error becomes the case's error."""
    if case.text is not None:
        import json

        try:
            case.facts = jsonout.loads(case.text)
        except json.JSONDecodeError as exc:
            case.error = f"not valid JSON: {exc.msg} at column {exc.colno}"
        except RecursionError:
            case.error = "not valid JSON: nested too deeply"
        case.text = None
    return case


# -- CSV ------------------------------------------------------------------------------------

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


class _CellError(ValueError):
    pass


def _cell_converter(spec: dict[str, Any]) -> Callable[[str], Any]:
    kind = spec["type"]
    if kind == "boolean":

        def boolean(cell: str) -> bool:
            word = cell.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise _CellError(f"expected true or false, got {cell!r}")

        return boolean
    if kind in ("list", "record"):
        import json

        def structured(cell: str) -> Any:
            try:
                return jsonout.loads(cell)
            except (json.JSONDecodeError, RecursionError):
                shape = "a JSON array" if kind == "list" else "a JSON object"
                raise _CellError(f"expected {shape} in the cell, got {cell[:40]!r}") from None

        return structured
    if kind in ("decimal", "date"):
        return str.strip  # the fact checker parses them exactly and names the field on error
    return lambda cell: cell  # string, enum: as written


def read_csv(stream: Iterable[str], book: m.Rulebook) -> Iterator[Case]:
    """Cases from CSV rows. The header is read and checked at once (an unknown column
    raises InputError here, before any case is decided); the rows are read lazily."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return iter(())
    except csv.Error as exc:
        raise InputError(f"--input: line 1: {exc}") from None
    names = [name.strip() for name in header]
    facts = list(book.facts)
    seen: set[str] = set()
    for name in names:
        if name not in book.facts:
            raise InputError(f"--input: column {name!r} is not a fact of {book.id}{suggest(name, facts)}")
        if name in seen:
            raise InputError(f"--input: column {name!r} appears twice")
        seen.add(name)
    converters = [(name, _cell_converter(book.facts[name].declaration)) for name in names]
    return _csv_rows(reader, converters)


def _csv_rows(reader: Any, converters: list[tuple[str, Callable[[str], Any]]]) -> Iterator[Case]:
    width = len(converters)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Case(start, error=f"not valid CSV: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue  # a blank line is not a case
        try:
            "".join(row).encode("utf-8")
        except UnicodeEncodeError:
            yield Case(start, error="not UTF-8 text")
            continue
        if len(row) > width:
            yield Case(start, error=f"{len(row)} cells but the header names {width} columns")
            continue
        case = Case(start, facts={})
        for (name, convert), cell in zip(converters, row, strict=False):
            if not cell.strip():
                continue  # an empty cell is a missing fact
            try:
                case.facts[name] = convert(cell)
            except _CellError as exc:
                case.facts, case.error, case.field = None, f"{name}: {exc}", name
                break
        yield case


def read_cases(stream: Iterable[str], fmt: str, book: m.Rulebook) -> Iterator[Case]:
    if fmt == "csv":
        return read_csv(stream, book)
    return read_jsonl(stream)


def cases_from_path(path: str | Path, book: m.Rulebook, fmt: str | None = None) -> Iterator[Case]:
    """Every case of a file, read lazily; the file is closed when the iterator ends."""
    name = str(path)
    kind = detect_format(name, fmt)
    stream = open_input(name, kind)
    try:
        cases = read_cases(stream, kind, book)  # a CSV header is checked here, at once
    except BaseException:
        _close(stream)
        raise

    def generate() -> Iterator[Case]:
        try:
            yield from cases
        finally:
            _close(stream)

    return generate()


def _close(stream: Any) -> None:
    if stream not in (sys.stdin, sys.stdin.buffer):
        stream.close()
