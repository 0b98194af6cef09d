"""`taxrules batch`: many cases from a JSON Lines or CSV file, one result per line.

Output: JSON Lines in input order, one record per case —
`{"line": N, "result": {...}}` (the result exactly as `taxrules decide` prints it), or
`{"line": N, "error": {"kind": "bad_input", "message": ..., "field": ...}}` for a line
that could not be decided; the run goes on after a bad line.

Exit codes: 0 every case decided (an undetermined result is a success); 2 some line was
bad input, or the whole input could not be read (unknown rulebook, missing file, unknown
CSV column: then nothing is written); 1 a rulebook error while deciding some line.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from engine.batch.reader import FORMATS, InputError, cases_from_path, count_lines, detect_format
from engine.batch.runner import FAILED, Options, Summary, default_jobs, run
from engine.i18n import LANGUAGES, message

# engine.cli registers this command when it is imported, so it is imported lazily here.
EXIT_BAD_INPUT = 2
EXIT_RULEBOOK_ERROR = 1
REPORT_AT_MOST = 20  # bad lines named on standard error; every one is in the output


@click.command("batch")
@click.argument("rulebook")
@click.option("--input", "-i", "input_path", required=True, metavar="FILE|-", help="cases as JSON Lines (.jsonl) or CSV (.csv); - for standard input")
@click.option("--output", "-o", "output_path", required=True, metavar="FILE|-", help="results as JSON Lines; - for standard output")
@click.option("--input-format", type=click.Choice(FORMATS), help="the input's format (default: from the file name)")
@click.option("--as-of", "as_of", metavar="DATE", help="the date whose law applies to every case (default: each case's date fact, else today)")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of explanations")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="worker processes (0: one per core)")
@click.option("--no-trace", is_flag=True, help="leave the trace out of each result (faster, smaller)")
@click.option("--chunk-size", type=click.IntRange(min=1), default=256, show_default=True, hidden=True)
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True, help="decide here, or on Spark partitions (JSON Lines or Parquet input)")
@click.option("--master", metavar="URL", help="with --engine spark: the Spark master (default local[*])")
@click.option("--progress/--no-progress", default=None, help="show a progress bar (default: when standard error is a terminal)")
def batch(
    rulebook: str,
    input_path: str,
    output_path: str,
    input_format: str | None,
    as_of: str | None,
    lang: str,
    jobs: int,
    no_trace: bool,
    chunk_size: int,
    progress: bool | None,
    engine: str,
    master: str | None,
) -> None:
    """Decide every case of a JSON Lines or CSV file; write one result per line, in order."""
    from engine.api import Book
    from engine.cli import fail, open_book
    from engine.evaluate import parse_as_of
    from engine.rulebook.facts import BadInput

    book = open_book(rulebook, lang)
    if not isinstance(book, Book):
        fail(f"{rulebook} is a ledger rulebook; use taxrules reconcile")
    if as_of is not None:
        try:
            parse_as_of(as_of)
        except BadInput:
            fail(message("fact_expected_date", lang, where="--as-of", got=repr(as_of)))
    if master is not None and engine != "spark":
        fail(message("master_needs_spark", lang))
    try:
        if engine == "spark":
            from engine.batch.spark import run_spark

            fmt = "jsonl"
            decided = run_spark(book, input_path, Options(as_of=as_of, language=lang, trace=not no_trace), master)
        else:
            fmt = detect_format(input_path, input_format)
            cases = cases_from_path(input_path, book.model, fmt)
    except InputError as exc:
        fail(str(exc))
    if input_path != "-" and output_path != "-" and _same_file(input_path, output_path):
        fail(message("output_is_input", lang))
    try:
        output: IO[str] = sys.stdout if output_path == "-" else open(output_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        fail(message("cannot_write", lang, option="--output", path=output_path, reason=exc.strerror))

    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = _progress_bar(input_path, fmt) if show_bar else None
    summary = Summary()
    options = Options(as_of=as_of, language=lang, trace=not no_trace)
    workers = default_jobs() if jobs == 0 else jobs
    if engine != "spark":
        decided = run(book, cases, options, jobs=workers, chunk_size=chunk_size)
    stop = _Stop()
    last_line = 0
    try:
        with stop.installed():
            for case, (text, status) in decided:
                output.write(text)
                output.write("\n")
                last_line = case.line
                if stop.signum:
                    break
                _account(summary, case.line, status, text, input_path, bar, lang)
                if summary.cases % FLUSH_EVERY == 0:
                    output.flush()  # what is decided is on disk as the run goes
    finally:
        if stop.signum and hasattr(decided, "close"):
            decided.close()  # stops the worker processes
        if bar is not None:
            bar.close()
        if output is not sys.stdout:
            output.close()
        else:
            output.flush()

    if stop.signum:
        name = "SIGINT" if stop.signum == signal.SIGINT else "SIGTERM"
        click.echo(f"taxrules: {message('batch_interrupted', lang, signal=name, line=last_line)}", err=True)
        sys.exit(128 + stop.signum)
    blank = message("batch_blank_lines", lang, blank=summary.blank) if summary.blank else ""
    counts = {"cases": summary.cases, "decided": summary.decided, "undetermined": summary.undetermined}
    click.echo(message("batch_summary", lang, **counts, bad=summary.bad_input, errors=summary.rulebook_errors, blank=blank), err=True)
    if summary.rulebook_errors:
        sys.exit(EXIT_RULEBOOK_ERROR)
    if summary.bad_input:
        sys.exit(EXIT_BAD_INPUT)


FLUSH_EVERY = 64  # records between flushes of the output


class _Stop:
    """SIGINT and SIGTERM during a run: noted, not raised, so the record being written
    is finished, the workers are stopped and the output stays well-formed JSON Lines;
    the command then exits 130 or 143 saying where it stopped."""

    def __init__(self) -> None:
        self.signum = 0

    def __call__(self, signum: int, frame: Any) -> None:
        self.signum = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _account(summary: Summary, line: int, status: str, text: str, input_path: str, bar: Any, language: str = "en") -> None:
    if status in FAILED:
        error = _message_of(text)
        summary.add(line, status, error)
        if summary.failed <= REPORT_AT_MOST:
            _say(f"taxrules: {input_path}:{line}: {error}", bar)
        elif summary.failed == REPORT_AT_MOST + 1:
            _say(f"taxrules: {message('batch_more_bad_lines', language)}", bar)
    else:
        summary.add(line, status)
    if bar is not None:
        bar.update(1)


def _say(message: str, bar: Any) -> None:
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        click.echo(message, err=True)


def _message_of(text: str) -> str:
    from engine import jsonout

    return str(jsonout.loads(text)["error"]["message"])


def _progress_bar(input_path: str, fmt: str) -> Any:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    total = count_lines(input_path)
    if total is not None and fmt == "csv":
        total = max(total - 1, 0)  # the header
    return tqdm(total=total, unit=" cases", file=sys.stderr, dynamic_ncols=True, mininterval=0.2)


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
