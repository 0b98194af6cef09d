"""Deciding many cases: one process or several, results always in input order.

Cases are grouped into chunks. With one job the chunks are decided here; with N jobs
they go to N worker processes, each of which loads and compiles the rulebook once. At
most a few chunks per worker are in flight at any time and results are written as soon
as the oldest chunk is done, so memory stays flat however long the input is, and the
output order is the input order whatever the number of jobs.

A worker returns, for each case, the finished JSON line and its status; the same
function makes the lines with one job or many, so `--jobs 2` writes the very bytes
`--jobs 1` writes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from engine.batch.encode import dumps_line
from engine.batch.reader import Case, parse_case
from engine.i18n import message, say
from engine.language.errors import EvaluationError
from engine.limits import shorten
from engine.rulebook.facts import BadInput

DECIDED = "decided"
UNDETERMINED = "undetermined"
BAD_INPUT = "bad_input"
RULEBOOK_ERROR = "rulebook_error"
INTERNAL_ERROR = "internal_error"  # an unexpected exception while deciding one case
BLANK = "blank"  # a blank input line: its record says so, it is no failure
FAILED = (BAD_INPUT, RULEBOOK_ERROR, INTERNAL_ERROR)

Line = tuple[str, str]  # (JSON text of the record, status)


@dataclass(frozen=True)
class Options:
    """How every case of a run is decided."""

    as_of: Any = None
    language: str = "en"
    trace: bool = True


@dataclass
class Summary:
    """Counts of a finished (or interrupted) run."""

    cases: int = 0
    decided: int = 0
    undetermined: int = 0
    bad_input: int = 0
    rulebook_errors: int = 0
    blank: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # the first few (line, message)
    keep_errors: int = 20

    def add(self, line: int, status: str, message: str | None = None) -> None:
        if status == BLANK:
            self.blank += 1
            return
        self.cases += 1
        if status == DECIDED:
            self.decided += 1
        elif status == UNDETERMINED:
            self.undetermined += 1
        else:
            if status == BAD_INPUT:
                self.bad_input += 1
            else:
                self.rulebook_errors += 1
            if message is not None and len(self.errors) < self.keep_errors:
                self.errors.append((line, message))

    @property
    def failed(self) -> int:
        return self.bad_input + self.rulebook_errors


def error_record(line: int, message: str, field: str | None = None, kind: str = BAD_INPUT) -> dict[str, Any]:
    error: dict[str, Any] = {"kind": kind, "message": message}
    if field is not None:
        error["field"] = field
    return {"line": line, "error": error}


def decide_case(book: Any, case: Case, options: Options) -> tuple[dict[str, Any], str]:
    """One case → (the record written for it, its status). Never raises for bad input."""
    if case.blank:
        return {"line": case.line, "blank": True}, BLANK
    parse_case(case)
    if case.error is not None:
        problem = say(case.error, options.language)
        return error_record(case.line, message("bad_facts", options.language, rulebook=book.id, problem=problem), case.field), BAD_INPUT
    try:
        result = book.decide(case.facts, as_of=options.as_of, language=options.language, trace=options.trace)
    except BadInput as exc:
        return error_record(case.line, message("bad_facts", options.language, rulebook=book.id, problem=exc), exc.field), BAD_INPUT
    except EvaluationError as exc:
        text = message("rulebook_error_deciding", options.language, error=exc)
        return error_record(case.line, text, None, RULEBOOK_ERROR), RULEBOOK_ERROR
    return {"line": case.line, "result": result.to_dict()}, result.status


def decide_chunk(book: Any, chunk: list[Case], options: Options) -> list[Line]:
    out: list[Line] = []
    for case in chunk:
        try:
            record, status = decide_case(book, case, options)
            line = dumps_line(record)
        except Exception as exc:  # a bug of ours, or memory or stack exhausted by this one case
            case.facts = None
            message = f"internal error while deciding this case: {type(exc).__name__}: {shorten(str(exc), 200)}"
            record, status = error_record(case.line, message, None, INTERNAL_ERROR), INTERNAL_ERROR
            line = dumps_line(record)
        out.append((line, status))
    return out


# -- worker processes ------------------------------------------------------------------

_worker_book: Any = None
_worker_options: Options | None = None


def _worker_start(rulebook_file: str, options: Options) -> None:
    global _worker_book, _worker_options
    import signal

    from engine.api import load

    # Ctrl-C reaches the whole process group: the parent decides what to finish and
    # stops the workers itself, so a worker does not die mid-chunk with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_book = load(rulebook_file)
    _worker_options = options


def _worker_chunk(chunk: list[Case]) -> list[Line]:
    assert _worker_book is not None and _worker_options is not None
    return decide_chunk(_worker_book, chunk, _worker_options)


def chunks(cases: Iterable[Case], size: int) -> Iterator[list[Case]]:
    iterator = iter(cases)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def run(
    book: Any,
    cases: Iterable[Case],
    options: Options,
    jobs: int = 1,
    chunk_size: int = 256,
    in_flight: int | None = None,
) -> Iterator[tuple[Case, Line]]:
    """Decide every case; yield (case, (JSON line, status)) in input order, lazily.

    The yielded Case keeps only its line number (its facts are dropped once decided).
    """
    if jobs <= 1:
        for chunk in chunks(cases, chunk_size):
            yield from zip(chunk, decide_chunk(book, chunk, options), strict=True)
        return
    yield from _run_parallel(book.file, cases, options, jobs, chunk_size, in_flight or 2 * jobs)


def _run_parallel(
    rulebook_file: str,
    cases: Iterable[Case],
    options: Options,
    jobs: int,
    chunk_size: int,
    in_flight: int,
) -> Iterator[tuple[Case, Line]]:
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pending: deque[tuple[list[int], Future[list[Line]]]] = deque()
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_start,
        initargs=(rulebook_file, options),
    )
    finished = False
    try:
        for chunk in chunks(cases, chunk_size):
            lines = [case.line for case in chunk]
            pending.append((lines, executor.submit(_worker_chunk, chunk)))
            if len(pending) >= in_flight:
                yield from _finished(pending.popleft())
        while pending:
            yield from _finished(pending.popleft())
        finished = True
    finally:
        if not finished:  # interrupted (or the reader failed): stop the workers now
            for process in list(getattr(executor, "_processes", {}).values()):
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


def _finished(item: tuple[list[int], Future[list[Line]]]) -> Iterator[tuple[Case, Line]]:
    lines, future = item
    for line, output in zip(lines, future.result(), strict=True):
        yield Case(line), output


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
