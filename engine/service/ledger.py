"""Ledger rulebooks over HTTP: `POST /rulebooks/{id}/reconcile` and what `GET /rulebooks/{id}` tells.

The body is a whole book of records, as JSON Lines (one record per line) or as one JSON
array; the response is the reconciliation: which book version ran, counts, the summary
and every finding with its citations and trace (what `taxrules reconcile` writes). The
body is read under the same size limit as `/batch`, and numbers stay exact.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from engine import jsonout
from engine.i18n import LANGUAGES, message
from engine.language.errors import EvaluationError
from engine.rulebook.facts import BadInput
from engine.rulebook.factschema import field_schema

RECORDS_MEDIA_TYPES = ("application/x-ndjson", "application/jsonl", "application/json")


def record_schema(record: Any) -> dict[str, Any]:
    """A record type of a ledger book as JSON Schema: `record` names the type."""
    properties: dict[str, Any] = {"record": {"const": record.name, "description": "the record's type"}}
    for name, spec in record.fields.items():
        properties[name] = {"anyOf": [field_schema(spec.declaration), {"type": "null"}]}
    out: dict[str, Any] = {"type": "object", "title": record.name, "properties": properties, "required": ["record"], "additionalProperties": False}
    description = record.description.get("en") if record.description else None
    if description:
        out["description"] = description
    return out


def records_schema(book: Any) -> dict[str, Any]:
    """One record of the book: any of its record types."""
    return {"oneOf": [record_schema(record) for record in book.model.records.values()]}


def ledger_details(book: Any) -> dict[str, Any]:
    """What GET /rulebooks/{id} adds for a ledger book: its records, checks and summary."""
    model = book.model
    return {
        "description": model.description,
        "languages": model.languages,
        "sha256": model.sha256,
        "record_schema": records_schema(book),
        "checks": [
            {"id": check.id, "severity": check.severity, "title": check.title, "records": [record for _, record in check.aliases], "citations": list(check.citations)}
            for check in model.checks
        ],
        "summary": {name: {"type": str(item.type), "description": item.description} for name, item in model.summary.items()},
        "sources": {key: source.as_citation() for key, source in model.sources.items()},
    }


def parse_records(text: str) -> list[tuple[int, Any]]:
    """(line, record) pairs from JSON Lines or a JSON array; BadInput names the line."""
    from engine.ledger.records import numbered, read_jsonl

    if text.lstrip().startswith("["):
        import json

        try:
            records = jsonout.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"the request body is not a valid JSON array: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise BadInput("the request body is not valid JSON: nested too deeply") from None
        return list(numbered(records))
    return list(read_jsonl(io.StringIO(text), "request body"))


def mount_reconcile(app: FastAPI, errors: dict[int | str, dict[str, Any]]) -> None:
    """Add POST /rulebooks/{id}/reconcile to the service app (its catalogue serves ledger books)."""
    from engine.service.app import ServiceError, read_text

    catalogue = app.state.catalogue

    @app.post(
        "/rulebooks/{rulebook_id}/reconcile",
        summary="Reconcile a book of records with a ledger rulebook",
        description="The records as JSON Lines (one object per line) or as one JSON array; each names its type in `record`. "
        "The findings come back with the counts and the summary, as `taxrules reconcile` writes them.",
        responses=errors,
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "the book's records: JSON Lines or a JSON array",
                "content": {
                    "application/x-ndjson": {"schema": {"type": "string", "description": "one JSON record per line"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object", "required": ["record"], "properties": {"record": {"type": "string"}}}}},
                },
            }
        },
    )
    async def reconcile(
        rulebook_id: str,
        request: Request,
        lang: str = Query("en", description="language of the findings' titles and messages: " + ", ".join(LANGUAGES)),
    ) -> Any:
        book = catalogue.get(rulebook_id, kind="ledger")
        if lang not in LANGUAGES and lang not in book.model.languages:
            raise ServiceError(422, f"lang: expected one of {', '.join(LANGUAGES)}, got {jsonout.dumps(lang, indent=None)}", field="lang")
        language = lang if lang in LANGUAGES else "en"
        text = await read_text(request, app.state.max_body_bytes, "send_records", language)

        def run() -> str:
            try:
                result = book.reconcile_lines(parse_records(text), "batch", owned=True)
            except BadInput as exc:
                raise ServiceError(422, message("bad_records", language, rulebook=book.id, problem=exc.in_language(language)), field=exc.field) from None
            except EvaluationError as exc:
                raise ServiceError(500, message("rulebook_error_reconciling", language, error=exc)) from None
            return jsonout.dumps(result.to_dict(lang), indent=None)

        # a whole book takes a while: off the event loop, so other requests go on
        body = await run_in_threadpool(run)
        return Response(body, media_type="application/json")
