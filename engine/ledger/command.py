"""`taxrules reconcile`: run a ledger rulebook over a book of records.

    taxrules reconcile ru.vat_reconciliation --input books.jsonl             # findings (JSONL) on stdout
    taxrules reconcile ru.vat_reconciliation --input books.csv -o f.jsonl   # findings to a file, summary on stdout
    cat books.jsonl | taxrules reconcile ru.vat_reconciliation --stream     # each finding as soon as provable
    taxrules reconcile ru.vat_reconciliation --input books.jsonl --then ru.desk_audit --facts return.json

Exit codes as everywhere: 0 success (findings are a success), 2 bad input (one message
naming the line and the field), 1 a rulebook error. In --stream mode findings already
printed stay printed when a later record turns out to be bad input.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from engine import jsonout
from engine.atomicfile import replaced_on_success
from engine.i18n import LANGUAGES, message, say
from engine.language.errors import EvaluationError
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput

BAD_INPUT = 2
RULEBOOK_ERROR = 1
_COLLECT_EVERY = 50_000  # records between collections of the young generations while streaming


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """A command runs one book and exits: keep Python's cyclic collector from rescanning
    every record held so far again and again (it dominates run time on large books)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _fail(message: str, code: int = BAD_INPUT) -> None:
    click.echo(f"taxrules: {message}", err=True)
    sys.exit(code)


def _summary_line(result: Any) -> str:
    counts = ", ".join(f"{check} {n}" for check, n in result.counts.items() if n)
    records = sum(result.record_counts.values())
    values = ", ".join(f"{k}={jsonout.dumps(jsonout.plain(v), indent=None)}" for k, v in result.summary.items())
    out = f"{result.ledger.id}: {records} record(s), {len(result.findings)} finding(s)"
    if counts:
        out += f" ({counts})"
    if values:
        out += f"; {values}"
    return out


@click.command("reconcile")
@click.argument("rulebook")
@click.option("--input", "input_file", metavar="FILE|-", help="records: a .jsonl or .csv file; - for JSONL on standard input (the default with --stream)")
@click.option("--output", "-o", "output_file", metavar="FILE", help="write the findings (JSONL) to FILE; the summary then goes to standard output")
@click.option("--stream", "streaming", is_flag=True, help="the streaming executor (durable-rules): each finding as soon as it is provable")
@click.option("--engine", type=click.Choice(["batch", "stream", "duckdb", "spark"]), help="the executor (default: batch; duckdb for book files over 256 MB, or Parquet, when duckdb is installed)")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), help="with --stream: the book arrives in order of tax periods; a record of a later period closes the earlier ones and frees what they held (late records are listed, not checked)")
@click.option("--memory-limit", "memory_limit", metavar="SIZE", help="with --engine duckdb: the memory DuckDB may use before spilling to disk (e.g. 3GB)")
@click.option("--master", metavar="URL", help="with --engine spark: the Spark master (default local[*])")
@click.option("--then", "then_id", metavar="ID", help="then decide this rulebook, with the reconciliation's summary as facts")
@click.option("--facts", "facts_file", metavar="FILE|-", help="with --then: the other facts of that case (JSON or YAML)")
@click.option("--as-of", "as_of", metavar="DATE", help="with --then: the date whose law applies")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of the findings' messages")
def reconcile(rulebook: str, input_file: str | None, output_file: str | None, streaming: bool, engine: str | None, period: str | None, memory_limit: str | None, master: str | None, then_id: str | None, facts_file: str | None, as_of: str | None, lang: str) -> None:
    """Run a ledger rulebook's checks over many records; print findings with citations."""
    from engine.api import load
    from engine.ledger.api import LedgerBook
    from engine.ledger.records import open_input

    try:
        book = load(rulebook)
    except RulebookNotFound as exc:
        _fail(say(exc, lang))
    except RulebookError as exc:
        click.echo(str(exc), err=True)
        sys.exit(RULEBOOK_ERROR)
    if not isinstance(book, LedgerBook):
        usage = f"taxrules decide {book.id} --facts FILE"
        _fail(message("wrong_kind", lang, rulebook=book.id, actual="decision", wanted="ledger", usage=usage))
    if streaming:
        from engine.ledger.extras import StreamingUnavailable, require_streaming

        try:
            require_streaming()
        except StreamingUnavailable as exc:
            _fail(f"--stream: {exc}")
    if facts_file is not None and then_id is None:
        _fail("--facts needs --then (the rulebook to decide with them)")
    then_book = None
    if then_id is not None:
        try:
            then_book = load(then_id)
        except RulebookNotFound as exc:
            _fail(f"--then: {say(exc, lang)}")
        except RulebookError as exc:
            click.echo(str(exc), err=True)
            sys.exit(RULEBOOK_ERROR)
        if isinstance(then_book, LedgerBook) or not hasattr(then_book, "decide"):
            _fail(f"--then {then_id}: not a decision rulebook")
    from engine.ledger.sqlrun import choose_engine

    try:
        engine = choose_engine(engine, streaming, input_file, memory_limit, master)
    except BadInput as exc:
        _fail(str(exc.in_language(lang)))
    streaming = engine == "stream"
    if period is not None and not streaming:
        _fail("--period needs the streaming executor (--stream): the others read the whole book")
    if input_file is None:
        if not streaming:
            _fail(message("input_required", lang))
        input_file = "-"

    out: IO[str] = sys.stdout
    output: contextlib.AbstractContextManager[IO[str]] = contextlib.nullcontext(sys.stdout)
    if output_file is not None:
        # a temporary file renamed over the target at the end: a failure leaves it as it was
        output = replaced_on_success(output_file)
        try:
            out = output.__enter__()
        except OSError as exc:
            _fail(message("cannot_write", lang, option="--output", path=output_file, reason=exc.strerror))
    write_findings = output_file is not None or then_book is None
    failed: BaseException | None = None
    try:
        with paused_gc():
            records = open_input(input_file, book.model, sys.stdin)
            if streaming:
                result = _run_stream(book, records, out if write_findings else None, lang, period)
            elif engine in ("duckdb", "spark"):
                result = book.reconcile_file(input_file, engine, memory_limit=memory_limit, master=master)
                if write_findings:
                    for finding in result.findings:
                        out.write(finding.to_json(lang) + "\n")
            else:
                result = book.reconcile_lines(records, "batch", owned=True)
                if write_findings:
                    for finding in result.findings:
                        out.write(finding.to_json(lang) + "\n")
    except BadInput as exc:
        failed = exc
        _fail(str(exc.in_language(lang)))
    except EvaluationError as exc:
        failed = exc
        _fail(message("rulebook_error_reconciling", lang, error=exc), RULEBOOK_ERROR)
    except BaseException as exc:
        failed = exc
        raise
    finally:
        if output_file is not None:
            if failed is None:
                output.__exit__(None, None, None)
            else:
                output.__exit__(type(failed), failed, failed.__traceback__)

    if then_book is not None:
        if not write_findings:
            _echo_findings(result, lang)
        click.echo(_summary_line(result), err=True)
        _decide_then(then_book, result, facts_file, as_of, lang)
    elif output_file is not None:
        click.echo(jsonout.dumps(result.summary_dict()))
    else:
        click.echo(_summary_line(result), err=True)


SHOWN_WITHOUT_OUTPUT = 20  # findings shown on stderr by --then without -o


def _echo_findings(result: Any, lang: str) -> None:
    """--then without -o: standard output is the decision, so the findings go to standard
    error, readable and never silently dropped (all of them with -o FILE)."""
    for finding in result.findings[:SHOWN_WITHOUT_OUTPUT]:
        lines = ", ".join(f"{alias} line {line}" for alias, line in finding.lines.items())
        click.echo(f"taxrules: finding {finding.check.id} ({lines}): {finding.message(lang)}", err=True)
    hidden = len(result.findings) - SHOWN_WITHOUT_OUTPUT
    if hidden > 0:
        click.echo(f"taxrules: {message('more_findings', lang, hidden=hidden)}", err=True)


def _run_stream(book: Any, records: Any, out: IO[str] | None, lang: str, period: str | None = None) -> Any:
    stream = book.stream(period=period)
    written = 0
    late = 0
    try:
        for count, (line, raw) in enumerate(records, 1):
            findings = stream.push(raw, line)
            written += len(findings)
            if len(stream.late) > late:
                for late_line, record_type, day in stream.late[late:]:
                    click.echo(f"taxrules: line {late_line}: a {record_type} of {day.isoformat()} arrived after its period was closed (by a later period's record); not checked", err=True)
                late = len(stream.late)
            if out is not None and findings:
                for finding in findings:
                    out.write(finding.to_json(lang) + "\n")
                out.flush()
            if count % _COLLECT_EVERY == 0:
                gc.collect(1)
        for finding in stream.close():
            if out is not None:
                out.write(finding.to_json(lang) + "\n")
        if out is not None:
            out.flush()
    except BadInput as exc:
        message = _stopped(str(exc), written, stream)  # before abort() frees what it counts
        stream.abort()
        raise BadInput(message, exc.field) from None
    except BaseException:
        stream.abort()
        raise
    return stream.result


def _stopped(message: str, written: int, stream: Any) -> str:
    """The error that stopped a stream, with what the stream had done and could not do."""
    waiting = stream.waiting() if hasattr(stream, "waiting") else None
    text = f"{message}\ntaxrules: the stream stopped there: {written} finding(s) were proved and written before it"
    if waiting:
        text += f"; {waiting} record combination(s) still waited for a counterpart: their absence findings could not be proved"
    else:
        text += "; findings of absence (a record without its counterpart) are proved only at the end of the book, so none of those were"
    return text


def _decide_then(then_book: Any, result: Any, facts_file: str | None, as_of: str | None, lang: str) -> None:
    from engine.cli import decide_or_fail, read_facts

    facts = read_facts(facts_file, lang) if facts_file is not None else {}
    if not isinstance(facts, dict):
        _fail(f"--facts: the facts must be an object, got {type(facts).__name__}")
    declared = then_book.model.facts
    supplied = {name: value for name, value in result.summary.items() if name in declared}
    if not supplied:
        _fail(f"--then {then_book.id}: the summary of {result.ledger.id} ({', '.join(result.summary) or 'empty'}) gives none of its facts")
    for name, value in supplied.items():
        given = facts.get(name)
        if given is not None and given != value:
            click.echo(f"taxrules: {name}: the reconciliation's {jsonout.dumps(jsonout.plain(value), indent=None)} replaces {jsonout.dumps(jsonout.plain(given), indent=None)} from --facts", err=True)
        facts[name] = value
    decision = decide_or_fail(then_book, facts, as_of, lang)
    click.echo(decision.to_json())
