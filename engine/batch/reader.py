"""Reading many cases from JSON Lines or CSV, one at a time.

Both readers are generators: whatever the length of the file, only the current line is
in memory. A line that cannot be read as a case does not stop the run; it becomes a
`Case` carrying an error, which the runner turns into an error record for that line.

- JSON Lines: one JSON object of facts per line. A blank line is not a case, but it
  still gets its record (kind `blank`), so that output line N always answers input
  line N. The text is parsed where the case is decided (in a worker with `--jobs`), with
  numbers kept exact, within engine.limits (depth, duplicate keys, numbers); a line
  longer than MAX_LINE_BYTES is refused without being held in memory.
- CSV: a header row of fact names, then one case per row. Cells are typed by the fact
  schema: booleans as true/false (also 1/0, yes/no), decimals and dates as written (the
  fact checker parses them exactly), lists and records as JSON inside the cell. An empty
  cell is a missing fact. An unknown column is an error for the whole file. A quoted
  cell may span lines, but a row that then does not have the header's number of cells
  is an unbalanced quote: an error for the line where it opened, and the lines after it
  are read again as rows of their own (a stray `"` never swallows the rest of the file).
"""

from __future__ import annotations

import csv
import io
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import jsonout
from engine.language.checker import suggest
from engine.limits import MAX_LINE_BYTES, strip_bom
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
    blank: bool = False  # a blank line: no case, but a record all the same


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


def _bounded_lines(stream: Any) -> Iterator[bytes | str | None]:
    """The stream's lines; None in place of a line longer than MAX_LINE_BYTES, which is
    skipped in blocks rather than read whole (a 100 MB line costs no 100 MB)."""
    readline = getattr(stream, "readline", None)
    if readline is None:
        yield from stream
        return
    while True:
        line = readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith((b"\n", "\n")):  # type: ignore[arg-type]
            while line and not line.endswith((b"\n", "\n")):  # type: ignore[arg-type]
                line = readline(1 << 20)
            yield None
            continue
        yield line


def read_jsonl(stream: Iterable[bytes | str]) -> Iterator[Case]:
    for number, line in enumerate(_bounded_lines(stream), start=1):
        if line is None:
            yield Case(number, error=f"the line is longer than {MAX_LINE_BYTES:,} bytes")
            continue
        if isinstance(line, bytes):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                text = line.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                yield Case(number, error=f"not UTF-8 text: byte {exc.start + 1} of the line")
                continue
        else:
            text = strip_bom(line).strip() if number == 1 else line.strip()
        if text:
            yield Case(number, text=text)
        else:
            yield Case(number, blank=True)


def parse_case(case: Case) -> Case:
    """Parse the JSON text of a JSON Lines case (in place); a syntax error becomes the case's error."""
    if case.text is not None:
        import json

        try:
            case.facts = jsonout.loads(case.text)
        except json.JSONDecodeError as exc:
            case.error = f"not valid JSON: {exc.msg} at column {exc.colno}"
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


class _Lines:
    """The physical lines under a csv.reader, kept per row so that a row swallowed by an
    unbalanced quote can be taken back and its lines read again one by one."""

    def __init__(self, stream: Iterable[str]) -> None:
        self.stream = iter(stream)
        self.back: deque[str] = deque()
        self.taken: list[str] = []
        self.number = 0  # physical lines handed out so far
        self.too_long = False  # the current row has a line past MAX_LINE_BYTES

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.back.popleft() if self.back else next(self.stream)
        if len(line) > MAX_LINE_BYTES:
            line = "\n"  # not parsed; _csv_rows makes the row an error record
            self.too_long = True
        self.number += 1
        self.taken.append(line)
        return line

    def start_row(self) -> int:
        self.taken = []
        self.too_long = False
        return self.number + 1

    def give_back(self, lines: list[str]) -> None:
        self.back.extendleft(reversed(lines))
        self.number -= len(lines)


def read_csv(stream: Iterable[str], book: m.Rulebook) -> Iterator[Case]:
    """Cases from CSV rows. The header is read and checked at once (an unknown column
    raises InputError here, before any case is decided); the rows are read lazily."""
    lines = _Lines(stream)
    reader = csv.reader(lines, strict=True)
    lines.start_row()
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
    return _csv_rows(reader, lines, converters)


def _csv_rows(reader: Any, lines: _Lines, converters: list[tuple[str, Callable[[str], Any]]]) -> Iterator[Case]:
    width = len(converters)
    while True:
        start = lines.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = lines.taken
            if len(taken) > 1:  # a quote opened and never closed: this line is bad, the rest is read again
                lines.give_back(taken[1:])
                yield Case(start, error='an unbalanced quote: a cell opened with " is not closed')
            else:
                yield Case(start, error=f"not valid CSV: {exc}")
            continue
        if lines.too_long:
            yield Case(start, error=f"the line is longer than {MAX_LINE_BYTES:,} characters")
            continue
        if len(lines.taken) > 1 and len(row) != width:
            lines.give_back(lines.taken[1:])
            yield Case(start, error='an unbalanced quote: a cell opened with " is not closed on this line')
            continue
        if not any(cell.strip() for cell in row):
            yield Case(start, blank=True)  # a blank line is not a case, but has its record
            continue
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
