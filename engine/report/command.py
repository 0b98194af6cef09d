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

from engine.i18n import LANGUAGES, fallback_warning, message, say

BAD_INPUT, RULEBOOK_ERROR = 2, 1
LANG = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of the report")
AS_OF = click.option("--as-of", "as_of", metavar="DATE", help="the date whose law applies (default: the rulebook's date fact, else today)")


# engine.cli registers these commands when it is imported, so its helpers are imported lazily.
def fail(text: str, code: int = BAD_INPUT) -> Any:
    from engine.cli import fail as cli_fail

    cli_fail(text, code)


def open_book(reference: str, language: str = "en") -> Any:
    from engine.cli import open_book as cli_open_book

    return cli_open_book(reference, language)


def read_facts(source: str, language: str = "en", option: str = "--facts") -> Any:
    from engine.cli import read_facts as cli_read_facts

    return cli_read_facts(source, language, option)


def decide_or_fail(book: Any, facts: Any, as_of: str | None, lang: str) -> Any:
    from engine.cli import decide_or_fail as cli_decide

    return cli_decide(book, facts, as_of, lang)


def _emit(text: str, output: str | None, language: str = "en") -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(message("cannot_write", language, option="--output", path=output, reason=exc.strerror))
    else:
        click.echo(text, nl=False)


def _language(book: Any, lang: str) -> str:
    """The language to show: `lang`, with a warning on stderr when the rulebook lacks it
    (engine.i18n.choose_language's policy; --lang admits only the engine's languages)."""
    warning = fallback_warning(lang, book.model.languages, book.id)
    if warning is not None:
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

    book = open_book(rulebook, lang)
    language = _language(book, lang)
    result = decide_or_fail(book, read_facts(facts_file, lang), as_of, language)
    _emit(audit_report(result, book.model, fmt, language), output, language)


@click.command()
@click.argument("rulebook")
@LANG
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@OUTPUT
def doc(rulebook: str, lang: str, fmt: str, output: str | None) -> None:
    """The rulebook as a document: facts, dated parameters, decision tables, sources with
    the law's words, examples."""
    from engine.report.document import document_markdown, document_page

    book = open_book(rulebook, lang)
    language = _language(book, lang)
    text = document_page(book.model, language) if fmt == "html" else document_markdown(book.model, language)
    _emit(text, output, language)


def _date(value: str | None, option: str, language: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(message("not_a_date", language, option=option, value=value))


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
    from engine.cli import bad_facts_message
    from engine.rulebook.facts import BadInput
    from engine.timeline import earliest_date, timeline_text
    from engine.timeline import timeline as build

    book = open_book(rulebook, lang)
    facts = read_facts(facts_file, lang)
    first = _date(start, "--from", lang) or earliest_date(book.model)
    last = _date(end, "--to", lang) or dt.date.today()
    if last < first:
        fail(message("range_reversed", lang, start=first.isoformat(), end=last.isoformat()))
    language = _language(book, lang) if fmt == "text" else lang
    try:
        data = build(book, facts, first, last, language)
    except BadInput as exc:
        fail(bad_facts_message(book.id, exc, lang))
    except Exception as exc:
        from engine.language.errors import EvaluationError

        if isinstance(exc, EvaluationError):
            fail(message("rulebook_error_deciding", lang, error=exc), RULEBOOK_ERROR)
        raise
    click.echo(jsonout.dumps(data) + "\n" if fmt == "json" else timeline_text(data, book.model, language), nl=False)


@click.command()
@click.argument("book_a", metavar="A.yaml")
@click.argument("book_b", metavar="B.yaml")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of the text and of the messages (JSON keys stay)")
def diff(book_a: str, book_b: str, fmt: str, lang: str) -> None:
    """What changed between two versions of a rulebook file (facts, parameters, rules,
    sources), and which example cases of either decide differently."""
    from engine import jsonout
    from engine.diff import diff as compare
    from engine.diff import diff_text

    data = compare(open_book(book_a, lang), open_book(book_b, lang))
    click.echo(jsonout.dumps(data) + "\n" if fmt == "json" else diff_text(data, lang), nl=False)


@click.command()
@click.argument("record_file", metavar="RECORD.json")
@click.option("--rulebook", "rulebook", metavar="ID|FILE", help="the rulebook file that decided (default: the record's rulebook id)")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of the lines printed")
def verify(record_file: str, rulebook: str | None, lang: str) -> None:
    """Re-decide a saved result with its rulebook: exit 0 when the outcome is the same,
    1 when it differs, 2 when the rulebook's sha256 is not the recorded one."""
    from engine.rulebook.facts import BadInput
    from engine.verify import BadRecord, check_record
    from engine.verify import verify as run

    record = read_facts(record_file, lang, "RECORD.json")
    try:
        check_record(record)
        book = open_book(rulebook or str(record["rulebook"]), lang)
        verification = run(record, book)
    except BadRecord as exc:
        fail(message("record_in_file", lang, file=record_file, problem=say(exc, lang)), BAD_INPUT)
    except BadInput as exc:
        problem = str(exc.in_language(lang))
        fail(message("record_bad_facts", lang, file=record_file, rulebook=record["rulebook"], problem=problem), BAD_INPUT)
    for note in verification.notes:
        click.echo(message("verify_note", lang, note=note))
    shown = {"rulebook": record["rulebook"], "sha": record["sha256"][:12], "as_of": record["as_of"]}
    if verification.same:
        click.echo(message("verify_same", lang, **shown))
        return
    click.echo(message("verify_different", lang, **shown))
    for difference in verification.differences:
        click.echo(f"  {say(difference, lang)}")
    sys.exit(1)
