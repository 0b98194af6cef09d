"""The `taxrules` command.

Exit codes (the contract): 0 success, including an undetermined result; 2 bad input
(facts, unknown rulebook, unreadable file), with one message on stderr and nothing on
stdout; 1 a rulebook error. Never a traceback for bad input.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from engine import jsonout
from engine.api import BadAsOf, Book, load
from engine.books import WrongKind
from engine.i18n import LANGUAGES, message, say
from engine.language.errors import EvaluationError
from engine.limits import strip_bom
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput

BAD_INPUT = 2
RULEBOOK_ERROR = 1


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    click.echo(f"taxrules: {message}", err=True)
    sys.exit(code)


def open_book(reference: str, language: str = "en") -> Book:
    """The decision rulebook `reference`; a ledger rulebook is bad input naming `reconcile`.
    Messages in `language` (a rulebook's own errors, for its author, stay in English)."""
    try:
        return load(reference, kind="decision")
    except WrongKind as exc:
        fail(say(exc, language), BAD_INPUT)
    except RulebookNotFound as exc:
        fail(say(exc, language), BAD_INPUT)
    except RulebookError as exc:
        click.echo(str(exc), err=True)
        sys.exit(RULEBOOK_ERROR)


def bad_facts_message(book_id: str, exc: BadInput, language: str = "en") -> str:
    """Every bad fact, each on its own line when there are several, in `language`."""
    exc = exc.in_language(language)
    if len(exc.problems) == 1:
        return message("bad_facts", language, rulebook=book_id, problem=str(exc))
    header = message("bad_facts_many", language, rulebook=book_id, count=len(exc.problems))
    return header + "\n" + "\n".join(f"  {text}" for _, text in exc.problems)


def read_facts(source: str, language: str = "en", option: str = "--facts") -> Any:
    """Facts from a JSON (or YAML) file, or `-` for standard input; numbers stay exact.
    Bad input ends the command with a message in `language` naming `option`."""
    try:
        if source == "-":
            text = sys.stdin.read()
            name = message("standard_input", language)
        else:
            text = Path(source).read_text(encoding="utf-8")
            name = source
    except FileNotFoundError:
        fail(message("no_such_file", language, option=option, path=source))
    except (OSError, UnicodeDecodeError) as exc:
        fail(message("cannot_read", language, option=option, path=source, reason=exc))
    text = strip_bom(text)  # engine.limits' one BOM policy: one at the very start is ignored
    if source.endswith((".yaml", ".yml")):
        return _yaml_facts(text, name, option)
    try:
        return jsonout.loads(text)
    except json.JSONDecodeError as exc:
        if source == "-" and not text.lstrip().startswith(("{", "[")):
            return _yaml_facts(text, name, option)  # standard input has no suffix: YAML is what is not JSON
        fail(message("not_json", language, option=option, name=name, reason=exc.msg, line=exc.lineno, column=exc.colno))


def _yaml_facts(text: str, name: str, option: str = "--facts") -> Any:
    from engine.rulebook.yamlsource import YamlError
    from engine.rulebook.yamlsource import load as load_yaml

    try:
        data, _ = load_yaml(text)
    except YamlError as exc:
        fail(f"{option}: {name}:{exc.line}:{exc.column}: {exc.message}")
    return data


def decide_or_fail(book: Book, facts: Any, as_of: str | None, lang: str, trace: bool = True):  # noqa: ANN201
    """`book.decide(...)`, or the command ended with the message of its bad input in `lang`."""
    try:
        return book.decide(facts, as_of=as_of, lang=lang, trace=trace)
    except BadAsOf as exc:
        fail("--as-of: " + str(exc.in_language(lang)).removeprefix("as_of: "))
    except BadInput as exc:
        fail(bad_facts_message(book.id, exc, lang))
    except ValueError as exc:  # a language neither the rulebook nor the engine speaks
        fail(f"--lang: {exc}")
    except EvaluationError as exc:
        fail(message("rulebook_error_deciding", lang, error=exc), RULEBOOK_ERROR)


LANG = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="language of explanations")
AS_OF = click.option("--as-of", "as_of", metavar="DATE", help="the date whose law applies (default: the rulebook's date fact, else today)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="taxrules")
def cli() -> None:
    """Tax law as YAML rulebooks: decisions with citations and an auditable trace."""


@cli.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(fmt: str) -> None:
    """Every rulebook found: id, jurisdiction, title, version, validity."""
    from engine.rulebook.registry import duplicate_notes, found_by_id

    rows = []
    for rulebook_id, paths in sorted(found_by_id().items()):
        path = paths[0]
        kind = _kind(path)
        try:
            model = load(str(path)).model  # a decision Book or a ledger book: the same metadata
        except RulebookError as exc:
            rows.append({"id": rulebook_id, "file": str(path), "kind": kind, "error": f"{len(exc.problems)} problem(s); run taxrules check"})
            continue
        rows.append(
            {
                "id": model.id,
                "jurisdiction": model.jurisdiction,
                "title": model.title_in("en"),
                "titles": model.title,
                "version": model.version,
                "valid_from": model.valid_from.isoformat() if model.valid_from else None,
                "valid_to": model.valid_to.isoformat() if model.valid_to else None,
                "file": str(path),
                "kind": kind,
            }
        )
        if len(paths) > 1:
            rows[-1]["overrides"] = [str(hidden) for hidden in paths[1:]]  # same id, hidden by `file`
    if fmt == "json":
        click.echo(jsonout.dumps(rows))
        return
    for row in rows:
        if "error" in row:
            click.echo(f"{row['id']:<34} {row['kind']:<8} ERROR {row['error']}")
            continue
        span = f"{row['valid_from'] or '…'} – {row['valid_to'] or '…'}"
        click.echo(f"{row['id']:<34} {row['kind']:<8} {row['jurisdiction']:<3} {row['version']:<8} {span:<25} {row['title']}")
    for note in duplicate_notes():
        click.echo(note)


@cli.command()
@click.argument("rulebook")
@click.option("--facts", "facts_file", required=True, metavar="FILE|-", help="facts as JSON (or YAML); - for standard input")
@AS_OF
@LANG
@click.option("--format", "fmt", type=click.Choice(["json", "text", "markdown"]), default="json", show_default=True)
@click.option("--no-trace", is_flag=True, help="leave the trace out (faster)")
def decide(rulebook: str, facts_file: str, as_of: str | None, lang: str, fmt: str, no_trace: bool) -> None:
    """Evaluate one case and print the result."""
    book = open_book(rulebook, lang)
    facts = read_facts(facts_file, lang)
    result = decide_or_fail(book, facts, as_of, lang, trace=not no_trace and fmt == "json")
    if fmt == "json":
        click.echo(result.to_json())
    elif fmt == "text":
        from engine.explain import summary_text

        click.echo(summary_text(result, book.model, lang), nl=False)
    else:
        from engine.explain import summary_markdown

        click.echo(summary_markdown(result, book.model, lang), nl=False)


def _paths(paths: tuple[str, ...]) -> list[Path]:
    from engine.rulebook.registry import rulebook_files, search_paths

    if not paths:
        return rulebook_files(search_paths())
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            if path.suffix in (".yaml", ".yml") or os.sep in raw or "/" in raw:
                fail(f"no such file {raw!r}")
            try:
                from engine.rulebook.registry import resolve

                out.append(resolve(raw))
                continue
            except RulebookNotFound as exc:
                fail(str(exc))
        out.extend(rulebook_files([path]))
    return out


def _is_ledger(path: Path) -> bool:
    from engine.rulebook.registry import is_ledger_file

    return is_ledger_file(path)


def _kind(path: Path) -> str:
    from engine.rulebook.registry import rulebook_kind

    return rulebook_kind(path)


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--prove", is_flag=True, help="also prove with the SMT solver: overlaps, gaps, dead and shadowed rules, date seams")
@click.option("--time-bound", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="seconds of solver time per decision (with --prove)")
def check(paths: tuple[str, ...], prove: bool, time_bound: float) -> None:
    """Validate and lint rulebooks; print file:line:col: message for each problem."""
    from engine.rulebook.loader import load_file
    from engine.rulebook.registry import duplicate_notes

    files = _paths(paths)
    errors = 0
    if not paths:
        for note in duplicate_notes():  # an id found twice on the search path: which file wins
            click.echo(f"warning: {note}")
    for path in files:
        if _is_ledger(path):
            errors += _check_ledger(path)
            continue
        if _kind(path) == "library":
            errors += _check_library(path)
            continue
        try:
            model = load_file(path)
        except RulebookError as exc:
            for problem in exc.problems:
                click.echo(str(problem))
            errors += len(exc.problems)
            continue
        for warning in model.warnings:
            click.echo(str(warning))
        if prove:
            from engine.prover.command import prove_and_print

            errors += prove_and_print(model, time_bound)
    click.echo(f"{len(files)} rulebook(s) checked, {errors} error(s)")
    sys.exit(RULEBOOK_ERROR if errors else 0)


def _check_library(path: Path) -> int:
    from engine.rulebook.library import load_library_file

    try:
        library = load_library_file(path)
    except RulebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        return len(exc.problems)
    for warning in library.warnings:
        click.echo(str(warning))
    return 0


def _check_ledger(path: Path) -> int:
    from engine.ledger.loader import load_ledger_file

    try:
        ledger = load_ledger_file(path)
    except RulebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        return len(exc.problems)
    for warning in ledger.warnings:  # as for decision books: unquoted sources, joins without an equality
        click.echo(str(warning))
    return 0


@cli.command("test")
@click.argument("paths", nargs=-1)
@click.option("--verbose", "-v", is_flag=True, help="list every example, not only failures")
@click.option("--mutations", is_flag=True, help="mutation testing: how many author-like slips in the rules the examples catch")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None, help="with --mutations: exit 1 if a rulebook scores below this (e.g. 0.95)")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="with --mutations: worker processes (default: the CPUs, at most 4)")
@click.option("--time-bound", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="with --mutations: solver seconds per surviving mutant")
def test_command(paths: tuple[str, ...], verbose: bool, mutations: bool, min_score: float | None, jobs: int | None, time_bound: float) -> None:
    """Run the example cases embedded in rulebooks; print N passed, N failed."""
    if mutations:
        from engine.mutation.command import mutations_command

        mutations_command(_paths(paths), min_score, jobs, time_bound, verbose)
    from engine.testing import run_examples

    passed = failed = unexercised = 0
    broken = False
    for path in _paths(paths):
        if _is_ledger(path):
            ledger_passed, ledger_failed, ledger_unexercised = _test_ledger(path, verbose)
            passed += ledger_passed
            failed += ledger_failed
            unexercised += ledger_unexercised
            continue
        try:
            book = load(str(path))
            if _kind(path) == "library":
                report = book.run_examples()
                report.echo(verbose, "examples", "function(s)")
                passed += report.passed
                failed += report.failed
                continue
        except RulebookError as exc:
            for problem in exc.problems:
                click.echo(str(problem))
            broken = True
            continue
        report = run_examples(book)
        report.echo(verbose, "examples", "rule(s)")
        passed += report.passed
        failed += report.failed
        unexercised += len(report.unexercised)
    line = f"{passed} passed, {failed} failed"
    if unexercised:  # not failed cases, but every rule must be exercised: still exit 1
        line += f"; {unexercised} rule(s) or check(s) not exercised by any example"
    click.echo(line)
    sys.exit(RULEBOOK_ERROR if failed or broken or unexercised else 0)


def _test_ledger(path: Path, verbose: bool) -> tuple[int, int, int]:
    from engine.ledger.testing import run_ledger_examples

    return run_ledger_examples(path, verbose)


@cli.command()
@click.argument("rulebook")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="write to this file instead of standard output")
def schema(rulebook: str, output: str | None) -> None:
    """The JSON Schema of a rulebook's facts (schemas/facts/<id>.json)."""
    from engine.rulebook.factschema import fact_schema

    book = open_book(rulebook)
    text = json.dumps(fact_schema(book.model), ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (batch, serve, reconcile)."""
    for module_name, command_name in (
        ("engine.batch.command", "batch"),
        ("engine.service.command", "serve"),
        ("engine.ledger.command", "reconcile"),
        ("engine.report.command", "explain"),
        ("engine.report.command", "doc"),
        ("engine.report.command", "timeline"),
        ("engine.report.command", "diff"),
        ("engine.report.command", "verify"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            if exc.name and exc.name.startswith(module_name.rsplit(".", 1)[0]):
                continue
            raise
        cli.add_command(getattr(module, command_name))


_register_optional_commands()


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug of ours: say so plainly, traceback only on request
        if os.environ.get("TAXRULES_DEBUG"):
            raise
        click.echo(f"taxrules: internal error: {type(exc).__name__}: {exc} (set TAXRULES_DEBUG=1 for details)", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
