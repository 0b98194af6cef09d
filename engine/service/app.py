"""The HTTP API of the contract, as a FastAPI application.

    GET  /rulebooks                  every rulebook served: id, jurisdiction, title, version, validity
    GET  /rulebooks/{id}             metadata, the JSON Schema of its facts, its decisions and rules
    POST /rulebooks/{id}/decide      facts as the JSON body (?as_of=, ?lang=, ?trace=) -> the result
    POST /rulebooks/{id}/batch       a JSON array of fact objects -> an array of results, in order
    GET  /health                     liveness, and how many rulebooks are loaded
    GET  /openapi.json               the OpenAPI document (FastAPI's), /docs renders it

Rulebooks are loaded and compiled once, when the app is created. Bodies are read raw and
parsed with exact decimals (never through float); responses are written with
engine.jsonout, so `0.1` stays `0.1`. Bad input is 422 with the message the command line
prints (`bad facts for <id>: <field>: ...`), an unknown rulebook 404, a body over the size
limit 413, a rulebook that fails while deciding 500 with the rulebook error.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import jsonout
from engine.api import BadAsOf, Book, load
from engine.i18n import LANGUAGES, message, say
from engine.language.errors import EvaluationError
from engine.limits import shorten
from engine.rulebook.errors import RulebookError, RulebookNotFound
from engine.rulebook.facts import BadInput
from engine.service import DEFAULT_MAX_BODY
from engine.service.pool import BODY_TIMEOUT, MAX_BATCH_CASES, Busy, DecisionPool, without_paths

JSON_BODY: dict[str, Any] = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
JSON_ARRAY_BODY: dict[str, Any] = {
    "application/json": {"schema": {"type": "array", "items": {"type": "object", "additionalProperties": True}}}
}


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str
    field: str | None = None
    index: int | None = None


class ExactJSONResponse(Response):
    """JSON written by engine.jsonout: exact decimals, ISO dates, no floats introduced."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return jsonout.dumps(content, indent=None).encode("utf-8")


class ServiceError(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = {key: value for key, value in extra.items() if value is not None}


@dataclass
class Catalogue:
    """The rulebooks served: compiled books by id, and the ones that failed to load."""

    books: dict[str, Book]
    broken: dict[str, str]  # id -> the rulebook errors

    def get(self, rulebook_id: str, kind: str | None = "decision", language: str = "en") -> Book:
        """The book `rulebook_id` (of `kind`, when given): 404 naming the right endpoint
        for a book of the other kind, 404 for an unknown id (said in `language`), 500 for
        one that does not load."""
        book = self.books.get(rulebook_id)
        if book is not None:
            if kind is not None and book.kind != kind:
                command = "reconcile" if book.kind == "ledger" else "decide" if book.kind == "decision" else None
                where = f": POST /rulebooks/{rulebook_id}/{command}" if command else ""
                raise ServiceError(404, f"{rulebook_id} is a {book.kind} rulebook, not a {kind} rulebook{where}")
            return book
        if rulebook_id in self.broken:
            raise ServiceError(500, f"rulebook {rulebook_id} does not load: {self.broken[rulebook_id]}")
        raise ServiceError(404, say(RulebookNotFound(rulebook_id, list(self.books)), language))


def load_catalogue(references: Iterable[str | Path] | None = None) -> Catalogue:
    """Load and compile every rulebook to serve: the given ids or paths, else all found."""
    from engine.rulebook.registry import discover, rulebook_kind

    if references is None:
        found = discover()
        references = [path for path in found.values() if rulebook_kind(path) in ("decision", "ledger")]
    books: dict[str, Book] = {}
    broken: dict[str, str] = {}
    for reference in references:
        try:
            book = load(reference)
        except RulebookError as exc:
            from engine.rulebook.registry import file_id

            key = file_id(Path(reference)) or str(reference)
            broken[key] = f"{len(exc.problems)} problem(s), first: {exc.problems[0] if exc.problems else '?'}"
            continue
        if book.kind in ("decision", "ledger"):
            books.setdefault(book.id, book)  # type: ignore[arg-type]  # ledger books are served by /reconcile
    return Catalogue(books, broken)


# -- what the endpoints return -------------------------------------------------------------


def summary_of(book: Book) -> dict[str, Any]:
    model = book.model
    return {
        "id": model.id,
        "jurisdiction": model.jurisdiction,
        "title": model.title_in("en"),
        "titles": model.title,
        "version": model.version,
        "valid_from": model.valid_from,
        "valid_to": model.valid_to,
        "kind": book.kind,
    }


def details_of(book: Book) -> dict[str, Any]:
    from engine.rulebook.factschema import fact_schema

    model = book.model
    out = summary_of(book)
    if book.kind == "ledger":
        from engine.service.ledger import ledger_details

        out.update(ledger_details(book))
        return out
    out.update(
        {
            "description": model.description,
            "languages": model.languages,
            "as_of_fact": model.as_of_fact,
            "sha256": model.sha256,
            "fact_schema": fact_schema(model),
            "decisions": [_decision(decision) for decision in model.decisions.values()],
            "parameters": {
                name: {
                    "description": parameter.description,
                    "values": [{"from": value.since, "value": value.value} for value in parameter.values],
                }
                for name, parameter in model.parameters.items()
            },
            "sources": {
                key: {k: v for k, v in (("citation", s.citation), ("url", s.url)) if v}
                for key, s in model.sources.items()
            },
        }
    )
    return out


def _decision(decision: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": decision.name, "type": decision.declaration.get("type")}
    if decision.declaration.get("values"):
        out["values"] = list(decision.declaration["values"])
    out["hit_policy"] = decision.hit_policy
    out["description"] = decision.description
    if decision.has_default:
        out["default"] = decision.default
    out["rules"] = [
        {
            "id": rule.id,
            "citations": list(rule.citations),
            "valid_from": rule.valid_from,
            "valid_to": rule.valid_to,
        }
        for rule in decision.rules
    ]
    return out


# -- reading requests ----------------------------------------------------------------------


def _json_content_type(request: Request, language: str = "en") -> None:
    """415 for a body that says it is not JSON (text/plain, a form); none said is fine."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    kind = declared.split(";", 1)[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise ServiceError(415, message("body_not_json_type", language, kind=shorten(kind, 80)))


async def read_json(request: Request, limit: int, language: str = "en") -> Any:
    """The body as JSON with exact numbers; 415 when declared as another type, 413 past
    `limit` bytes, 408 past BODY_TIMEOUT, 422 when not JSON (or past engine.limits:
    nesting, duplicate keys). Messages in `language`."""
    _json_content_type(request, language)
    text = await read_text(request, limit, "send_facts", language)
    try:
        return jsonout.loads(text)
    except json.JSONDecodeError as exc:
        raise ServiceError(422, message("body_not_json", language, reason=exc.msg, line=exc.lineno, column=exc.colno)) from None


async def read_text(request: Request, limit: int, expected: str, language: str = "en") -> str:
    """The body as text; 413 past `limit` bytes, 408 when it takes longer than
    BODY_TIMEOUT to arrive (a client sending a byte a second), 422 when not UTF-8 or empty
    (`expected`: the key of the sentence saying what to send). Messages in `language`."""
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            body = await _read_body(request, limit, language)
    except TimeoutError:
        raise ServiceError(408, message("body_too_slow", language, seconds=f"{BODY_TIMEOUT:g}")) from None
    try:
        text = body.decode("utf-8-sig")  # engine.limits' BOM policy: one at the start is ignored
    except UnicodeDecodeError:
        raise ServiceError(422, message("body_not_utf8", language)) from None
    if not text.strip():
        raise ServiceError(422, message("body_empty", language, expected=message(expected, language)))
    return text


async def _read_body(request: Request, limit: int, language: str = "en") -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ServiceError(413, message("body_too_large", language, limit=limit))
    size = 0
    parts: list[bytes] = []
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise ServiceError(413, message("body_too_large", language, limit=limit))
        parts.append(part)
    return b"".join(parts)


def _language(lang: str) -> str:
    """engine.i18n.choose_language's policy as the API states it: a rulebook's languages
    are among the engine's, so one of these is decided in (with a fallback warning on the
    result when the book lacks it), any other is refused before the body is read."""
    if lang not in LANGUAGES:
        raise ServiceError(422, f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}", field="lang")
    return lang


def _decide(book: Book, facts: Any, as_of: str | None, lang: str, trace: bool, index: int | None = None) -> dict[str, Any]:
    # The messages are in `lang` (Book.decide says its BadInput in it); fields and the
    # status codes are the same in every language.
    try:
        return book.decide(facts, as_of=as_of, lang=lang, trace=trace).to_dict()
    except BadAsOf as exc:
        raise ServiceError(422, str(exc), field="as_of", index=index) from None
    except BadInput as exc:
        problems = [{"field": field, "message": text} for field, text in exc.problems]
        detail = message("bad_facts", lang, rulebook=book.id, problem=exc)
        raise ServiceError(422, detail, field=exc.field, index=index, problems=problems) from None
    except EvaluationError as exc:
        raise ServiceError(500, message("rulebook_error_deciding", lang, error=exc), index=index) from None


def _public(extra: dict[str, Any]) -> dict[str, Any]:
    """An error's extra fields with server paths cut from the problems' messages."""
    if "problems" not in extra:
        return extra
    problems = [{**problem, "message": without_paths(str(problem.get("message", "")))} for problem in extra["problems"]]
    return {**extra, "problems": problems}


def _decide_item(book: Book, facts: Any, as_of: str | None, lang: str, trace: bool, index: int) -> dict[str, Any]:
    """One case of /batch: its result, or in its place `{"index", "error": {"kind",
    "message", "field"}}` as the command line's batch writes it; a bad case never costs
    its neighbours their results."""
    try:
        return _decide(book, facts, as_of, lang, trace, index)
    except ServiceError as exc:
        kind = "bad_input" if exc.status == 422 else "rulebook_error"
        error = {"kind": kind, "message": without_paths(exc.detail)}
        error.update({key: value for key, value in _public(exc.extra).items() if key in ("field", "problems")})
    except Exception as exc:  # a bug, or memory or stack exhausted by this one case
        error = {"kind": "internal_error", "message": f"internal error while deciding this case: {type(exc).__name__}"}
    return {"index": index, "error": error}


# -- the application -----------------------------------------------------------------------

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "unknown rulebook, or a rulebook of the other kind (the message names the endpoint to use)"},
    408: {"model": ErrorBody, "description": "the body took longer than the body timeout to arrive"},
    413: {"model": ErrorBody, "description": "request body over the size limit, or more cases than one /batch may hold"},
    415: {"model": ErrorBody, "description": "the body is declared as something other than JSON"},
    422: {"model": ErrorBody, "description": "bad input: the message names the field and what was expected"},
    500: {"model": ErrorBody, "description": "a rulebook error while deciding"},
    503: {"model": ErrorBody, "description": "every decision thread busy and the queue full; retry"},
}


def create_app(
    rulebooks: Iterable[str | Path] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    max_batch_cases: int = MAX_BATCH_CASES,
) -> FastAPI:
    """The service, with every rulebook (or only `rulebooks`: ids or paths) loaded now."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("taxrules")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        app_version = "0"
    catalogue = load_catalogue(rulebooks)
    app = FastAPI(
        title="taxrules",
        version=app_version,
        description="Tax law as YAML rulebooks: decisions with citations and an auditable trace.",
        default_response_class=ExactJSONResponse,
        docs_url=None,  # served from the package by engine.service.docs, not from a CDN
        redoc_url=None,
    )
    app.state.catalogue = catalogue
    app.state.max_body_bytes = max_body_bytes
    app.state.max_batch_cases = max_batch_cases

    pool = DecisionPool()
    app.state.pool = pool
    app.router.on_shutdown.append(pool.shutdown)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        return ExactJSONResponse({"detail": without_paths(exc.detail), **_public(exc.extra)}, status_code=exc.status)

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        return ExactJSONResponse({"detail": "every decision thread is busy and the queue is full; try again shortly"}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # MemoryError, RecursionError, a bug: a JSON body like every other error, no paths
        return ExactJSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body"))
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return ExactJSONResponse({"detail": "; ".join(problems)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return ExactJSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.get("/health", summary="Liveness")
    def health() -> Any:
        return ExactJSONResponse({"status": "ok", "rulebooks": len(catalogue.books), "broken": sorted(catalogue.broken)})

    @app.get("/rulebooks", summary="Every rulebook served")
    def list_rulebooks() -> Any:
        rows: list[dict[str, Any]] = [summary_of(book) for _, book in sorted(catalogue.books.items())]
        rows.extend({"id": key, "error": message} for key, message in sorted(catalogue.broken.items()))
        return ExactJSONResponse(rows)

    @app.get("/rulebooks/{rulebook_id}", summary="A rulebook: metadata, fact schema, decisions", responses=ERRORS)
    def get_rulebook(rulebook_id: str) -> Any:
        return ExactJSONResponse(details_of(catalogue.get(rulebook_id, kind=None)))

    @app.post(
        "/rulebooks/{rulebook_id}/decide",
        summary="Decide one case",
        responses=ERRORS,
        openapi_extra={"requestBody": {"required": True, "description": "the facts of the case", "content": JSON_BODY}},
    )
    async def decide(
        rulebook_id: str,
        request: Request,
        as_of: str | None = Query(None, description="the date whose law applies (default: the rulebook's date fact, else today)"),
        lang: str = Query("en", description="language of explanations: " + ", ".join(LANGUAGES)),
        trace: bool = Query(True, description="include the trace"),
    ) -> Any:
        language = _language(lang)
        book = catalogue.get(rulebook_id, language=language)
        facts = await read_json(request, app.state.max_body_bytes, language)
        # off the event loop: a slow decision must not stop /health or other requests
        return ExactJSONResponse(await pool.run(_decide, book, facts, as_of, language, trace))

    @app.post(
        "/rulebooks/{rulebook_id}/batch",
        summary="Decide many cases; results in the order of the cases",
        responses=ERRORS,
        openapi_extra={"requestBody": {"required": True, "description": "an array of fact objects", "content": JSON_ARRAY_BODY}},
    )
    async def batch(
        rulebook_id: str,
        request: Request,
        as_of: str | None = Query(None, description="the date whose law applies to every case"),
        lang: str = Query("en", description="language of explanations: " + ", ".join(LANGUAGES)),
        trace: bool = Query(True, description="include the trace of each result"),
    ) -> Any:
        language = _language(lang)
        book = catalogue.get(rulebook_id, language=language)
        cases = await read_json(request, app.state.max_body_bytes, language)
        if not isinstance(cases, list):
            raise ServiceError(422, message("body_not_array", language))
        if len(cases) > app.state.max_batch_cases:
            limit = app.state.max_batch_cases
            raise ServiceError(413, f"{len(cases):,} cases in one request; the limit is {limit:,} cases per /batch (send several requests, or use `taxrules batch`)")

        def decide_all() -> str:
            results = [_decide_item(book, facts, as_of, language, trace, index) for index, facts in enumerate(cases)]
            return jsonout.dumps(results, indent=None)

        # Deciding many cases takes a while: off the event loop, so other requests go on.
        body = await pool.run(decide_all)
        return Response(body, media_type="application/json")

    from engine.service.ledger import mount_reconcile

    mount_reconcile(app, ERRORS)  # POST /rulebooks/{id}/reconcile (engine/service/ledger.py)
    from engine.service.docs import mount_docs
    from engine.service.openapi import install_openapi

    mount_docs(app)
    install_openapi(app)

    from engine.web import mount as mount_workbench

    mount_workbench(app)  # the web workbench at `/` (engine/web)
    return app
