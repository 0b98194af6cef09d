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
from engine.api import Book, load
from engine.i18n import LANGUAGES
from engine.language.errors import EvaluationError
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput

BAD_INPUT = 2
RULEBOOK_ERROR = 1


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    click.echo(f"taxrules: {message}", err=True)
    sys.exit(code)


def open_book(reference: str) -> Book:
    try:
        return load(reference)
    except RulebookNotFound as exc:
        fail(str(exc), BAD_INPUT)
    except RulebookError as exc:
        click.echo(str(exc), err=True)
        sys.exit(RULEBOOK_ERROR)


def read_facts(source: str) -> Any:
    """Facts from a JSON (or YAML) file, or `-` for standard input; numbers stay exact."""
    try:
        if source == "-":
            text = sys.stdin.read()
            name = "standard input"
        else:
            text = Path(source).read_text(encoding="utf-8")
            name = source
    except FileNotFoundError:
        fail(f"--facts: no such file {source!r}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"--facts: cannot read {source!r}: {exc}")
    if source.endswith((".yaml", ".yml")):
        from engine.rulebook.yamlsource import YamlError
        from engine.rulebook.yamlsource import load as load_yaml

        try:
            data, _ = load_yaml(text)
        except YamlError as exc:
            fail(f"--facts: {name}:{exc.line}:{exc.column}: {exc.message}")
        return data
    try:
        return jsonout.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"--facts: {name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")


def decide_or_fail(book: Book, facts: Any, as_of: str | None, lang: str, trace: bool = True):  # noqa: ANN201
    try:
        return book.decide(facts, as_of=as_of, language=lang, trace=trace)
    except BadInput as exc:
        fail(f"bad facts for {book.id}: {exc}")
    except EvaluationError as exc:
        fail(f"rulebook error while deciding: {exc}", RULEBOOK_ERROR)


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
    from engine.rulebook.registry import discover

    rows = []
    for rulebook_id, path in sorted(discover().items()):
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
    if fmt == "json":
        click.echo(jsonout.dumps(rows))
        return
    for row in rows:
        if "error" in row:
            click.echo(f"{row['id']:<34} ERROR {row['error']}")
            continue
        span = f"{row['valid_from'] or '…'} – {row['valid_to'] or '…'}"
        click.echo(f"{row['id']:<34} {row['jurisdiction']:<3} {row['version']:<8} {span:<25} {row['title']}")


@cli.command()
@click.argument("rulebook")
@click.option("--facts", "facts_file", required=True, metavar="FILE|-", help="facts as JSON (or YAML); - for standard input")
@AS_OF
@LANG
@click.option("--format", "fmt", type=click.Choice(["json", "text", "markdown"]), default="json", show_default=True)
@click.option("--no-trace", is_flag=True, help="leave the trace out (faster)")
def decide(rulebook: str, facts_file: str, as_of: str | None, lang: str, fmt: str, no_trace: bool) -> None:
    """Evaluate one case and print the result."""
    book = open_book(rulebook)
    facts = read_facts(facts_file)
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
def check(paths: tuple[str, ...]) -> None:
    """Validate and lint rulebooks; print file:line:col: message for each problem."""
    from engine.rulebook.loader import load_file

    files = _paths(paths)
    errors = 0
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
    click.echo(f"{len(files)} rulebook(s) checked, {errors} error(s)", err=True)
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
    try:
        from engine.ledger.loader import load_ledger_file  # type: ignore[import-not-found]
    except ImportError:
        return 0
    try:
        load_ledger_file(path)
    except RulebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        return len(exc.problems)
    return 0


@cli.command("test")
@click.argument("paths", nargs=-1)
@click.option("--verbose", "-v", is_flag=True, help="list every example, not only failures")
def test_command(paths: tuple[str, ...], verbose: bool) -> None:
    """Run the example cases embedded in rulebooks; print N passed, N failed."""
    from engine.testing import run_examples

    passed = failed = 0
    broken = False
    for path in _paths(paths):
        if _is_ledger(path):
            ledger_passed, ledger_failed = _test_ledger(path, verbose)
            passed += ledger_passed
            failed += ledger_failed
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
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(RULEBOOK_ERROR if failed or broken else 0)


def _test_ledger(path: Path, verbose: bool) -> tuple[int, int]:
    try:
        from engine.ledger.testing import run_ledger_examples  # type: ignore[import-not-found]
    except ImportError:
        return 0, 0
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
