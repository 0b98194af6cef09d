"""A true OpenAPI document for the service, derived from the project's own schemas.

FastAPI's document knows the routes but not the bodies (they are read raw, to keep
decimals exact). This module fills them in at runtime from the schema files, so a field
added to `schemas/result.schema.json` appears here without a code change:

- `Result` (and its parts) from schemas/result.schema.json: the decide and batch responses;
- `Reconciliation` from schemas/reconciliation.schema.json: the reconcile response;
- per rulebook served, `Facts_<id>` (its fact schema) and `Records_<id>` (a ledger book's
  record types), and its own paths `/rulebooks/<id>/decide|batch|reconcile` whose request
  bodies use them, so a generated client validates a real request;
- every HTTP status and every exit code of the command line, in the description.

JSON Schema `$defs` are hoisted into `components/schemas` (OpenAPI 3.1 schemas are JSON
Schema 2020-12), since client generators do not follow references inside a component.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from engine.resources import schema_file

EXIT_CODES = {
    0: "success (an undetermined result, findings of a reconciliation are a success)",
    1: "a rulebook error (check/test), or a verification that differs",
    2: "bad input: facts, records, an unknown rulebook, a rulebook of the other kind, an unreadable file; one message on stderr",
    3: "`taxrules serve` could not start: the address is in use or cannot be bound",
    70: "an internal error (a bug): one line on stderr; TAXRULES_DEBUG=1 shows the traceback",
    130: "interrupted (SIGINT)",
    143: "terminated (SIGTERM)",
}
HTTP_STATUSES = {
    200: "success",
    404: "unknown rulebook, or a rulebook of the other kind (the message names the endpoint to use)",
    413: "the request body is over the size limit (`taxrules serve --max-body`)",
    415: "a request body of a media type the endpoint does not read",
    422: "bad input: the message names the field (and, for several bad facts, `problems` lists each)",
    500: "a rulebook error while deciding, or a rulebook that does not load",
}
OPERATION_IDS = {
    ("/health", "get"): "health",
    ("/rulebooks", "get"): "list_rulebooks",
    ("/rulebooks/{rulebook_id}", "get"): "get_rulebook",
    ("/rulebooks/{rulebook_id}/decide", "post"): "decide",
    ("/rulebooks/{rulebook_id}/batch", "post"): "batch",
    ("/rulebooks/{rulebook_id}/reconcile", "post"): "reconcile",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def hoist(schema: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the schema without `$defs`, the components its `#/$defs/...` references name).

    `#/$defs/citation` becomes the component `<prefix>_citation`; a definition that is not
    an object with properties (`#/$defs/date`, a union of types) is written in place.
    """
    defs = schema.get("$defs", {})
    components: dict[str, Any] = {}

    def target(parts: list[str]) -> Any:
        node: Any = defs
        for part in parts:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                parts = value[len("#/$defs/"):].split("/")
                name = prefix + "_" + "_".join(parts)
                definition = target(parts)
                if not (isinstance(definition, dict) and "properties" in definition):
                    # Only objects become components: generators name a model after each,
                    # but cannot refer to a bare union or scalar; those are written in place.
                    out.update(rewrite(definition))
                    continue
                if name not in components:
                    components[name] = {}  # reserved first: a definition may refer to itself
                    components[name] = rewrite(definition)
                out["$ref"] = f"#/components/schemas/{name}"
            elif key in ("$defs", "$schema", "$id"):
                continue
            else:
                out[key] = rewrite(value)
        kinds = out.get("type")
        if (kinds == "array" or (isinstance(kinds, list) and "array" in kinds)) and "items" not in out:
            out["items"] = {}  # "an array of anything", said so that generators accept it
        return out

    return rewrite(schema), components


def _safe(rulebook_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", rulebook_id)


def _read_schema(name: str) -> dict[str, Any]:
    return json.loads(schema_file(name).read_text(encoding="utf-8"))


def _description(app: FastAPI) -> str:
    statuses = "\n".join(f"| {code} | {text} |" for code, text in HTTP_STATUSES.items())
    exits = "\n".join(f"| {code} | {text} |" for code, text in EXIT_CODES.items())
    return (
        f"{app.description}\n\n"
        "Each rulebook served has its own paths (`/rulebooks/<id>/decide`, `/batch`, `/reconcile`) whose request "
        "bodies carry that rulebook's fact or record schema; the templated paths accept every rulebook.\n\n"
        f"## HTTP statuses\n\n| status | meaning |\n|---|---|\n{statuses}\n\n"
        f"## Exit codes of the `taxrules` command\n\n| code | meaning |\n|---|---|\n{exits}\n"
    )


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of `app`, with its catalogue's rulebooks."""
    doc = get_openapi(title=app.title, version=app.version, description=_description(app), routes=app.routes)
    doc["info"]["x-exit-codes"] = {str(code): text for code, text in EXIT_CODES.items()}
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    result, parts = hoist(_read_schema("result.schema.json"), "Result")
    components["Result"] = result
    components.update(parts)
    reconciliation, parts = hoist(_read_schema("reconciliation.schema.json"), "Reconciliation")
    components["Reconciliation"] = reconciliation
    components.update(parts)
    if "ErrorBody" in components:
        components["ErrorBody"].setdefault("properties", {})["problems"] = {
            "type": "array",
            "description": "every bad fact, each with its field",
            "items": {"type": "object", "required": ["field", "message"], "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}}},
        }

    paths = doc["paths"]
    for (path, method), operation_id in OPERATION_IDS.items():
        if method in paths.get(path, {}):
            paths[path][method]["operationId"] = operation_id
    json_of = lambda schema: {"application/json": {"schema": schema}}  # noqa: E731
    generic = {
        "decide": paths.get("/rulebooks/{rulebook_id}/decide", {}).get("post"),
        "batch": paths.get("/rulebooks/{rulebook_id}/batch", {}).get("post"),
        "reconcile": paths.get("/rulebooks/{rulebook_id}/reconcile", {}).get("post"),
    }
    if generic["decide"]:
        generic["decide"]["responses"]["200"] = {"description": "the result", "content": json_of(_ref("Result"))}
    if generic["batch"]:
        generic["batch"]["responses"]["200"] = {"description": "one result per case, in order", "content": json_of({"type": "array", "items": _ref("Result")})}
    if generic["reconcile"]:
        generic["reconcile"]["responses"]["200"] = {"description": "the findings, counts and summary", "content": json_of(_ref("Reconciliation"))}

    catalogue = app.state.catalogue
    for rulebook_id, book in sorted(catalogue.books.items()):
        safe = _safe(rulebook_id)
        if book.kind == "decision" and generic["decide"]:
            from engine.rulebook.factschema import fact_schema

            facts, parts = hoist(fact_schema(book.model), f"Facts_{safe}")
            components[f"Facts_{safe}"] = facts
            components.update(parts)
            for verb, body in (("decide", _ref(f"Facts_{safe}")), ("batch", {"type": "array", "items": _ref(f"Facts_{safe}")})):
                if generic[verb] is None:
                    continue
                operation = _specific(generic[verb], rulebook_id, f"{verb}_{safe}")
                operation["requestBody"]["content"] = json_of(body)
                paths[f"/rulebooks/{rulebook_id}/{verb}"] = {"post": operation}
        elif book.kind == "ledger" and generic["reconcile"]:
            from engine.service.ledger import records_schema

            components[f"Records_{safe}"] = records_schema(book)
            operation = _specific(generic["reconcile"], rulebook_id, f"reconcile_{safe}")
            operation["requestBody"]["content"] = {
                "application/x-ndjson": {"schema": {"type": "string", "description": f"one record of {rulebook_id} per line"}},
                **json_of({"type": "array", "items": _ref(f"Records_{safe}")}),
            }
            paths[f"/rulebooks/{rulebook_id}/reconcile"] = {"post": operation}
    return doc


def _specific(operation: dict[str, Any], rulebook_id: str, operation_id: str) -> dict[str, Any]:
    """The templated operation, for one rulebook: no path parameter, its own id and tag."""
    out = copy.deepcopy(operation)
    out["operationId"] = operation_id
    out["parameters"] = [p for p in out.get("parameters", []) if p.get("in") != "path"]
    out["summary"] = f"{out.get('summary', '')} ({rulebook_id})"
    out["tags"] = [rulebook_id]
    return out


def install_openapi(app: FastAPI) -> None:
    """Serve build_openapi's document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
