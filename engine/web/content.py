"""What the pages ask of the engine: books, decisions, the interview, reports, ledger runs.

The pages run the same calls as the JSON API (`Book.decide(...).to_dict()` is the body
of `POST /rulebooks/{id}/decide`), so a case decided in the browser and through the API
gives the same record. The renderers other parts of the engine own (the rulebook document
and the HTML report of engine.report, the timeline of engine.timeline) are called from
here, and only from here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from engine.language.errors import EvaluationError
from engine.rulebook.facts import BadInput
from engine.web import interview
from engine.web.ledger import LedgerRun, run_book
from engine.web.strings import text

MAX_FORM_FIELDS = 5_000  # controls in one submitted case (lists of records included)


class TooLarge(Exception):
    """A request body over the service's limit."""


# -- books ---------------------------------------------------------------------------------


def books_of(catalogue: Any) -> dict[str, Any]:
    """Every book the service serves, by id: decision and ledger books."""
    return dict(catalogue.books)


def find_book(catalogue: Any, rulebook_id: str) -> Any | None:
    return books_of(catalogue).get(rulebook_id)


def rulebook_rows(catalogue: Any, language: str) -> list[dict[str, Any]]:
    rows = []
    for rulebook_id, book in sorted(books_of(catalogue).items()):
        model = book.model
        titles = model.title or {}
        rows.append(
            {
                "id": rulebook_id,
                "jurisdiction": model.jurisdiction,
                "jurisdiction_name": text(f"jurisdiction_{model.jurisdiction}", language)
                if f"jurisdiction_{model.jurisdiction}" in _JURISDICTIONS
                else model.jurisdiction,
                "title": titles.get(language) or titles.get("en") or next(iter(titles.values()), rulebook_id),
                "title_language": language if language in titles else ("en" if "en" in titles else next(iter(titles), "en")),
                "version": model.version,
                "valid_from": model.valid_from.isoformat() if model.valid_from else None,
                "valid_to": model.valid_to.isoformat() if model.valid_to else None,
                "kind": getattr(book, "kind", "decision"),
            }
        )
    for key, message in sorted(catalogue.broken.items()):
        rows.append({"id": key, "broken": message})
    return rows


_JURISDICTIONS = {"jurisdiction_ru", "jurisdiction_cn", "jurisdiction_at"}


# -- a case --------------------------------------------------------------------------------


@dataclass
class CaseOutcome:
    result: dict[str, Any] | None = None
    plan: interview.Interview | None = None
    timeline: Any = None
    error: Exception | None = None


def decide_record(book: Any, facts: dict[str, Any], as_of: str | None, language: str) -> dict[str, Any]:
    """The audit record of one case: exactly what `POST /rulebooks/{id}/decide` returns."""
    return book.decide(facts, as_of=as_of, language=language, trace=True).to_dict()


def decide_case(book: Any, facts: dict[str, Any], as_of: str | None, language: str, skipped: list[str]) -> CaseOutcome:
    try:
        result = book.decide(facts, as_of=as_of, language=language, trace=True)
    except (BadInput, EvaluationError) as exc:
        return CaseOutcome(error=exc)
    plan = interview.plan(book, facts, result, as_of=as_of, skipped=skipped)
    return CaseOutcome(result=result.to_dict(), plan=plan, timeline=timeline(book, facts, as_of, language))


def timeline(book: Any, facts: dict[str, Any], as_of: str | None, language: str) -> dict[str, Any] | None:
    """The case across the law's changes: `taxrules timeline`'s data (engine.timeline), from
    the rulebook's earliest date to today (or the case's date, if later); None when the
    case cannot be decided on some date of that range."""
    from engine.timeline import earliest_date
    from engine.timeline import timeline as build

    start = earliest_date(book.model)
    end = dt.date.today()
    if as_of:
        with contextlib.suppress(ValueError):
            end = max(end, dt.date.fromisoformat(as_of))
    try:
        return build(book, facts, start, end, language)
    except (BadInput, EvaluationError, ValueError):
        return None


def report_html(book: Any, facts: dict[str, Any], as_of: str | None, language: str) -> str:
    """The standalone HTML audit report of the case (`taxrules explain --format html`)."""
    from engine.report import report_page

    result = book.decide(facts, as_of=as_of, language=language, trace=True)
    return report_page(result, book.model, language)


def document_html(book: Any, language: str) -> str | None:
    """The rulebook as a document (`taxrules doc --format html`) as a fragment; None for a
    ledger book, whose page shows its description."""
    if getattr(book, "kind", "decision") != "decision":
        return None
    from engine.report import document_fragment

    return document_fragment(book.model, language)


def report_stylesheet() -> str:
    """The stylesheet the report and document fragments expect (scoped to `.taxrules`)."""
    from engine.report import stylesheet

    return stylesheet()


# -- ledger books --------------------------------------------------------------------------


def run_ledger(book: Any, data: bytes, filename: str, language: str) -> LedgerRun:
    return run_book(book, data, filename, language)


# -- reading forms -------------------------------------------------------------------------


async def read_form(request: Request, limit: int) -> FormData:
    """The submitted form, refused past `limit` bytes before anything is parsed."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge()
    size = 0
    parts: list[bytes] = []
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise TooLarge()
        parts.append(part)
    body = b"".join(parts)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    replay = Request(request.scope, receive)
    return await replay.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=limit)
