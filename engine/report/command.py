"""`taxrules explain | doc | timeline | diff | verify`: the reports' commands.

Each opens its rulebook and reads its input through the CLI's own helpers, so bad input
ends the same way everywhere: one message on stderr, exit 2, nothing on stdout.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from engine.i18n import LANGUAGES, message

BAD_INPUT, RULEBOOK_ERROR = 2, 1
LANG = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of the report")
AS_OF = click.option("--as-of", "as_of", metavar="DATE", help="the date whose law applies (default: the rulebook's date fact, else today)")


# engine.cli registers these commands when it is imported, so its helpers are imported lazily.
def fail(text: str, code: int = BAD_INPUT) -> Any:
    from engine.cli import fail as cli_fail

    cli_fail(text, code)


def open_book(reference: str) -> Any:
    from engine.cli import open_book as cli_open_book

    return cli_open_book(reference)


def read_facts(source: str) -> Any:
    from engine.cli import read_facts as cli_read_facts

    return cli_read_facts(source)


def decide_or_fail(book: Any, facts: Any, as_of: str | None, lang: str) -> Any:
    from engine.cli import decide_or_fail as cli_decide

    return cli_decide(book, facts, as_of, lang)


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"--output: cannot write {output!r}: {exc.strerror}")
    else:
        click.echo(text, nl=False)


def _language(book: Any, lang: str) -> str:
    """The language to show: `lang`, with a warning on stderr when the rulebook lacks it."""
    if lang not in book.model.languages:
        fallback = "en" if "en" in book.model.languages else book.model.languages[0]
        warning = message("language_fallback", lang, rulebook=book.id, wanted=lang, available=", ".join(book.model.languages), fallback=fallback)
        click.echo(f"taxrules: {warning}", err=True)
    return lang


OUTPUT = click.option("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


@click.command()
@click.argument("rulebook")
@click.option("--facts", "facts_file", required=True, metavar="FILE|-", help="facts as JSON (or YAML); - for standard input")
@AS_OF
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default="text", show_default=True)
@OUTPUT
def explain(rulebook: str, facts_file: str, as_of: str | None, lang: str, fmt: str, output: str | None) -> None:
    """The audit report of one case: decisions, the rules that held and those that did
    not (with the part of each condition that decided, on which values), the law's words.
    `--format html` is one standalone file that prints well."""
    from engine.report import audit_report

    book = open_book(rulebook)
    language = _language(book, lang)
    result = decide_or_fail(book, read_facts(facts_file), as_of, language)
    _emit(audit_report(result, book.model, fmt, language), output)


@click.command()
@click.argument("rulebook")
@LANG
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@OUTPUT
def doc(rulebook: str, lang: str, fmt: str, output: str | None) -> None:
    """The rulebook as a document: facts, dated parameters, decision tables, sources with
    the law's words, examples."""
    from engine.report.document import document_markdown, document_page

    book = open_book(rulebook)
    language = _language(book, lang)
    text = document_page(book.model, language) if fmt == "html" else document_markdown(book.model, language)
    _emit(text, output)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)")


@click.command()
@click.argument("rulebook")
@click.option("--facts", "facts_file", required=True, metavar="FILE|-")
@click.option("--from", "start", metavar="DATE", help="first day (default: the rulebook's valid_from, else its earliest dated rule or value)")
@click.option("--to", "end", metavar="DATE", help="last day (default: today)")
@LANG
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
def timeline(rulebook: str, facts_file: str, start: str | None, end: str | None, lang: str, fmt: str) -> None:
    """Every date in a range where the rulebook's rules or parameters change, and the
    case's decisions on each side of it."""
    from engine import jsonout
    from engine.rulebook.facts import BadInput
    from engine.timeline import earliest_date, timeline_text
    from engine.timeline import timeline as build

    book = open_book(rulebook)
    facts = read_facts(facts_file)
    first = _date(start, "--from") or earliest_date(book.model)
    last = _date(end, "--to") or dt.date.today()
    if last < first:
        fail(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    language = _language(book, lang) if fmt == "text" else lang
    try:
        data = build(book, facts, first, last, language)
    except BadInput as exc:
        fail(f"bad facts for {book.id}: {exc}")
    except Exception as exc:
        from engine.language.errors import EvaluationError

        if isinstance(exc, EvaluationError):
            fail(f"rulebook error while deciding: {exc}", RULEBOOK_ERROR)
        raise
    click.echo(jsonout.dumps(data) + "\n" if fmt == "json" else timeline_text(data, book.model, language), nl=False)


@click.command()
@click.argument("book_a", metavar="A.yaml")
@click.argument("book_b", metavar="B.yaml")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(book_a: str, book_b: str, fmt: str) -> None:
    """What changed between two versions of a rulebook file (facts, parameters, rules,
    sources), and which example cases of either decide differently."""
    from engine import jsonout
    from engine.diff import diff as compare
    from engine.diff import diff_text

    data = compare(open_book(book_a), open_book(book_b))
    click.echo(jsonout.dumps(data) + "\n" if fmt == "json" else diff_text(data), nl=False)


@click.command()
@click.argument("record_file", metavar="RECORD.json")
@click.option("--rulebook", "rulebook", metavar="ID|FILE", help="the rulebook file that decided (default: the record's rulebook id)")
def verify(record_file: str, rulebook: str | None) -> None:
    """Re-decide a saved result with its rulebook: exit 0 when the outcome is the same,
    1 when it differs, 2 when the rulebook's sha256 is not the recorded one."""
    from engine.rulebook.facts import BadInput
    from engine.verify import BadRecord, check_record
    from engine.verify import verify as run

    record = read_facts(record_file)
    try:
        check_record(record)
        book = open_book(rulebook or str(record["rulebook"]))
        verification = run(record, book)
    except BadRecord as exc:
        fail(f"{record_file}: {exc}", BAD_INPUT)
    except BadInput as exc:
        fail(f"{record_file}: the recorded facts are bad input for {record['rulebook']}: {exc}", BAD_INPUT)
    for note in verification.notes:
        click.echo(f"note: {note}")
    if verification.same:
        click.echo(f"same outcome: {record['rulebook']} sha256 {record['sha256'][:12]}, as of {record['as_of']}")
        return
    click.echo(f"DIFFERENT outcome: {record['rulebook']} sha256 {record['sha256'][:12]}, as of {record['as_of']}")
    for difference in verification.differences:
        click.echo(f"  {difference}")
    sys.exit(1)
