"""The service serves both kinds of book; /openapi.json is derived from the schemas; /docs works offline."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import jsonschema
import pytest

from engine.service import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
KUDIR_BOOK = (ROOT / "examples" / "ru" / "kudir_book.jsonl").read_text(encoding="utf-8")
PRICE_DISCOUNT = json.loads((ROOT / "examples" / "ru" / "price_discount.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(["ru.invoice_adjustment", "ru.kudir_checks"], max_body_bytes=20_000))


def test_rulebooks_of_both_kinds_are_listed_with_their_kind(client: TestClient) -> None:
    kinds = {row["id"]: row["kind"] for row in client.get("/rulebooks").json()}
    assert kinds == {"ru.invoice_adjustment": "decision", "ru.kudir_checks": "ledger"}
    details = client.get("/rulebooks/ru.kudir_checks").json()
    assert details["kind"] == "ledger"
    assert {check["id"] for check in details["checks"]} >= {"income_recorded_twice", "expense_without_document"}


def test_reconcile_reads_json_lines_and_json_arrays_alike(client: TestClient) -> None:
    lines = client.post("/rulebooks/ru.kudir_checks/reconcile", content=KUDIR_BOOK, headers={"Content-Type": "application/x-ndjson"})
    assert lines.status_code == 200, lines.text
    array = "[" + ",".join(line for line in KUDIR_BOOK.splitlines() if line.strip()) + "]"  # numbers as written
    as_array = client.post("/rulebooks/ru.kudir_checks/reconcile", content=array)
    assert as_array.status_code == 200
    body = lines.json()
    assert body == as_array.json()
    # the sample book: six findings, five of them errors (the CLI gives the same)
    assert len(body["findings"]) == 6 and body["summary"]["errors"] == 5
    cli = subprocess.run([sys.executable, "-m", "engine.cli", "reconcile", "ru.kudir_checks", "--input", str(ROOT / "examples/ru/kudir_book.jsonl")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert [json.loads(line) for line in cli.stdout.splitlines()] == body["findings"]
    jsonschema.validate(body, json.loads((ROOT / "schemas" / "reconciliation.schema.json").read_text(encoding="utf-8")))
    russian = client.post("/rulebooks/ru.kudir_checks/reconcile", params={"lang": "ru"}, content=KUDIR_BOOK).json()
    assert russian["findings"][0]["title"] != body["findings"][0]["title"]


def test_reconcile_refuses_bad_records_naming_the_line_and_keeps_the_batch_limit(client: TestClient) -> None:
    bad = KUDIR_BOOK.splitlines()
    bad[2] = bad[2].replace('"expense": 3000.00', '"expense": "lots"')
    response = client.post("/rulebooks/ru.kudir_checks/reconcile", content="\n".join(bad))
    assert response.status_code == 422
    assert "line 3" in response.json()["detail"] and "expense" in response.json()["detail"]
    assert client.post("/rulebooks/ru.kudir_checks/reconcile", content="").status_code == 422
    too_big = KUDIR_BOOK * 20  # over the 20 000 bytes this app accepts, like /batch
    assert client.post("/rulebooks/ru.kudir_checks/reconcile", content=too_big).status_code == 413
    assert client.post("/rulebooks/ru.invoice_adjustment/batch", content="[" + ",".join([json.dumps(PRICE_DISCOUNT)] * 100) + "]").status_code == 413


def test_each_kind_at_the_other_kinds_endpoint_is_404_naming_the_right_one(client: TestClient) -> None:
    response = client.post("/rulebooks/ru.kudir_checks/decide", content="{}")
    assert response.status_code == 404
    assert response.json()["detail"] == "ru.kudir_checks is a ledger rulebook, not a decision rulebook: POST /rulebooks/ru.kudir_checks/reconcile"
    response = client.post("/rulebooks/ru.invoice_adjustment/reconcile", content=KUDIR_BOOK)
    assert response.status_code == 404 and "POST /rulebooks/ru.invoice_adjustment/decide" in response.json()["detail"]


def _validate(document: dict, schema: dict, instance: object) -> None:
    """Validate against a schema of the OpenAPI document, its `#/components/...` refs resolved in it."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012))
    text = json.dumps(schema).replace('"#/components/', '"urn:openapi#/components/')
    jsonschema.Draft202012Validator(json.loads(text), registry=registry).validate(instance)


def test_openapi_validates_a_real_request_and_describes_the_real_response(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/rulebooks/ru.invoice_adjustment/decide"]["post"]
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    _validate(document, request_schema, PRICE_DISCOUNT)
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, request_schema, {**PRICE_DISCOUNT, "event": "not_an_event"})
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, request_schema, {**PRICE_DISCOUNT, "no_such_fact": 1})
    result = client.post("/rulebooks/ru.invoice_adjustment/decide", content=json.dumps(PRICE_DISCOUNT)).json()
    _validate(document, response_schema, result)
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, response_schema, {**result, "status": "maybe"})
    # the response model is result.schema.json's: every property it names is there
    result_schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    assert set(document["components"]["schemas"]["Result"]["properties"]) == set(result_schema["properties"])

    reconcile = document["paths"]["/rulebooks/ru.kudir_checks/reconcile"]["post"]
    records_schema = reconcile["requestBody"]["content"]["application/json"]["schema"]
    records = [json.loads(line) for line in KUDIR_BOOK.splitlines() if line.strip()]
    _validate(document, records_schema, records)
    with pytest.raises(jsonschema.ValidationError):
        _validate(document, records_schema, [{"record": "no_such_type"}])


def test_every_status_and_exit_code_is_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    description = document["info"]["description"]
    for status in (200, 404, 413, 415, 422, 500):
        assert f"| {status} |" in description
    assert set(document["info"]["x-exit-codes"]) == {"0", "1", "2", "3", "70", "130", "143"}
    assert "in use" in document["info"]["x-exit-codes"]["3"]
    for path in ("/rulebooks/{rulebook_id}/decide", "/rulebooks/{rulebook_id}/batch", "/rulebooks/{rulebook_id}/reconcile"):
        assert {"404", "413", "422", "500"} <= set(document["paths"][path]["post"]["responses"])


def test_swagger_ui_is_served_from_the_package(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page and "http" not in page.split("<script>")[0].lower().replace("http-equiv", "")
    assert '/docs/static/swagger-ui-bundle.js' in page
    script = client.get("/docs/static/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/docs/static/swagger-ui.css").status_code == 200
    assert "/docs/static/redoc.standalone.js" in client.get("/redoc").text


def test_serve_on_a_port_in_use_exits_3_saying_so() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "engine.cli", "serve", "--port", str(port)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 3
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr
