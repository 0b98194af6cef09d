"""The HTTP service: in-process through FastAPI's TestClient, and once through a real server.

The rulebook is written into tmp_path; expected values are worked out by hand
(tax = round(amount × rate, 2), rate 0.2 before 2024 and 0.1 from 2024-01-01).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
import warnings
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from engine import jsonout
from engine.cli import cli
from engine.service import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

MINI = textwrap.dedent(
    """\
    id: test.service_mini
    jurisdiction: at
    title: {en: Service test rulebook, de: Testregelwerk}
    version: "7"
    languages: [en]
    as_of_fact: filed_on
    sources:
      s1: {citation: UStG § 21, url: "https://example.org/ustg"}
    facts:
      declaration_type: {type: enum, values: [vat, income]}
      refund_claimed: {type: boolean}
      amount: {type: decimal, minimum: 0}
      filed_on: {type: date}
      invoices:
        type: list
        items:
          type: record
          fields:
            id: {type: string}
            vat: {type: decimal}
    parameters:
      rate:
        values:
          - {from: 2020-01-01, value: 0.2}
          - {from: 2024-01-01, value: 0.1}
    decisions:
      route:
        type: enum
        values: [refund_review, standard]
        hit_policy: first
        rules:
          - id: refund_review
            when: declaration_type == "vat" and refund_claimed and amount >= 400
            value: refund_review
            citations: [s1]
            explanation: {en: "A VAT refund of {amount} needs review."}
          - id: standard
            value: standard
            citations: [s1]
            explanation: {en: Standard handling.}
      tax:
        type: decimal
        hit_policy: first
        rules:
          - id: tax
            expr: round(amount * rate, 2)
            citations: [s1]
            valid_from: 2020-01-01
            explanation: {en: "Tax {value}."}
      total_vat:
        type: decimal
        hit_policy: first
        default: null
        rules:
          - id: total_vat
            when: exists(invoices)
            expr: sum(invoices.vat)
            citations: [s1]
            explanation: {en: "Invoice VAT {value}."}
    examples:
      - name: refund
        facts: {declaration_type: vat, refund_claimed: true, amount: 500, filed_on: 2024-02-01, invoices: [{id: a, vat: 0.1}, {id: b, vat: 0.2}]}
        expect: {route: refund_review, tax: 50.00, total_vat: 0.3}
      - name: standard
        facts: {declaration_type: income, refund_claimed: false, amount: 100, filed_on: 2023-02-01}
        expect: {route: standard, tax: 20.00, total_vat: null}
    """
)

ID = "test.service_mini"
FACTS = (
    '{"declaration_type": "vat", "refund_claimed": true, "amount": 400.10, "filed_on": "2024-02-01",'
    ' "invoices": [{"id": "a", "vat": 0.1}, {"id": "b", "vat": 0.2}]}'
)


@pytest.fixture(scope="module")
def rulebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("service") / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(rulebook: Path) -> TestClient:
    return TestClient(create_app([rulebook], max_body_bytes=4096))


def exact(response: httpx.Response):
    return jsonout.loads(response.text)


def cli_message(rulebook: Path, facts: str, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["decide", str(rulebook), "--facts", "-", *extra], input=facts)
    assert result.exit_code == 2
    assert result.stdout == ""
    return result.stderr.strip().removeprefix("taxrules: ")


# -- reading -------------------------------------------------------------------------------------


def test_list_rulebooks(client: TestClient) -> None:
    response = client.get("/rulebooks")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": ID,
            "jurisdiction": "at",
            "title": "Service test rulebook",
            "titles": {"en": "Service test rulebook", "de": "Testregelwerk"},
            "version": "7",
            "valid_from": None,
            "valid_to": None,
            "kind": "decision",
        }
    ]


def test_one_rulebook_with_fact_schema_and_decisions(client: TestClient) -> None:
    response = client.get(f"/rulebooks/{ID}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ID and body["version"] == "7" and len(body["sha256"]) == 64
    schema = body["fact_schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"declaration_type", "refund_claimed", "amount", "filed_on", "invoices"}
    assert [d["name"] for d in body["decisions"]] == ["route", "tax", "total_vat"]
    route = body["decisions"][0]
    assert route["values"] == ["refund_review", "standard"]
    assert route["hit_policy"] == "first"
    assert [rule["id"] for rule in route["rules"]] == ["refund_review", "standard"]
    assert body["decisions"][1]["rules"][0]["valid_from"] == "2020-01-01"
    assert body["decisions"][2]["default"] is None
    assert body["sources"]["s1"] == {"citation": "UStG § 21", "url": "https://example.org/ustg"}
    assert body["parameters"]["rate"]["values"] == [{"from": "2020-01-01", "value": 0.2}, {"from": "2024-01-01", "value": 0.1}]


def test_unknown_rulebook_is_404(client: TestClient) -> None:
    for response in (client.get("/rulebooks/test.nope"), client.post("/rulebooks/test.nope/decide", content="{}")):
        assert response.status_code == 404
        assert response.json() == {"detail": f"unknown rulebook 'test.nope' (known: {ID})"}


def test_openapi_document(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/rulebooks", "/rulebooks/{rulebook_id}", "/rulebooks/{rulebook_id}/decide", "/rulebooks/{rulebook_id}/batch"} <= set(paths)
    decide = paths["/rulebooks/{rulebook_id}/decide"]["post"]
    assert "requestBody" in decide
    assert {"404", "413", "422"} <= set(decide["responses"])
    assert {p["name"] for p in decide["parameters"]} >= {"rulebook_id", "as_of"}


# -- deciding ------------------------------------------------------------------------------------


def test_decide_keeps_decimals_exact(client: TestClient) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", content=FACTS)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = exact(response)
    assert body["rulebook"] == ID and body["status"] == "decided" and body["as_of"] == "2024-02-01"
    decisions = body["decisions"]
    assert decisions["route"]["value"] == "refund_review"
    assert decisions["route"]["citations"] == [{"id": "s1", "citation": "UStG § 21", "url": "https://example.org/ustg", "text": "UStG § 21"}]
    assert decisions["route"]["explanation"] == "A VAT refund of 400.10 needs review."
    assert decisions["tax"]["value"] == Decimal("40.01")
    # 0.1 + 0.2 is 0.3 exactly, and is written 0.3, not 0.30000000000000004
    assert '"value":0.3,' in response.text
    assert "0.30000000000000004" not in response.text
    assert body["trace"]


def test_decide_as_of_and_without_trace(client: TestClient) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", params={"as_of": "2023-12-31", "trace": "false"}, content=FACTS)

    assert response.status_code == 200
    body = exact(response)
    assert body["as_of"] == "2023-12-31"
    assert body["decisions"]["tax"]["value"] == Decimal("80.02")
    assert body["trace"] == []


def test_undetermined_is_200_with_missing_facts(client: TestClient) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", content='{"declaration_type": "vat", "filed_on": "2024-01-05"}')

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "undetermined"
    assert body["missing_facts"] == ["amount", "refund_claimed"]
    assert body["decisions"]["route"]["value"] is None


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ('{"declaration_type": "vat", "amount": -1}', "amount"),
        ('{"declaration_type": "gst"}', "declaration_type"),
        ('{"declaration_type": "vat", "amont": 5}', "amont"),
        ('{"invoices": [{"id": "a", "vat": "x"}]}', "invoices[0].vat"),
    ],
)
def test_bad_facts_are_422_with_the_message_the_cli_prints(client: TestClient, rulebook: Path, facts: str, field: str) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", content=facts)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == cli_message(rulebook, facts)
    assert body["detail"].startswith(f"bad facts for {ID}: ")
    assert body["field"] == field


def test_bad_as_of_is_422_like_the_cli(client: TestClient, rulebook: Path) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", params={"as_of": "2024-02-30"}, content=FACTS)

    assert response.status_code == 422
    assert response.json()["detail"] == 'as_of: expected a date YYYY-MM-DD, got "2024-02-30"'
    assert response.json()["field"] == "as_of"
    assert cli_message(rulebook, FACTS, "--as-of", "2024-02-30") == '--as-of: expected a date YYYY-MM-DD, got "2024-02-30"'


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"declaration_type": ', "the request body is not valid JSON: Expecting value at line 1 column 22"),
        ("", "the request body is empty; send the facts as a JSON object"),
        ("[1]", f"bad facts for {ID}: the facts must be an object (a mapping of fact names to values), got list"),
    ],
)
def test_unreadable_bodies_are_422(client: TestClient, body: str, detail: str) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", content=body)

    assert response.status_code == 422
    assert response.json()["detail"] == detail


def test_bad_query_parameters_are_422_with_one_message(client: TestClient) -> None:
    response = client.post(f"/rulebooks/{ID}/decide", params={"lang": "fr"}, content=FACTS)
    assert response.status_code == 422
    assert response.json() == {"detail": "lang: expected one of en, ru, zh, de, got 'fr'", "field": "lang"}

    response = client.post(f"/rulebooks/{ID}/decide", params={"trace": "perhaps"}, content=FACTS)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("trace: ")


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    padding = " " * 5000
    response = client.post(f"/rulebooks/{ID}/decide", content=FACTS + padding)
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than the limit of 4096 bytes"}

    # without a Content-Length (chunked), the limit holds while reading
    def chunks():
        yield FACTS.encode()
        for _ in range(10):
            yield b" " * 1000

    response = client.post(f"/rulebooks/{ID}/batch", content=chunks())
    assert response.status_code == 413


# -- batch ---------------------------------------------------------------------------------------


def test_batch_gives_results_in_order(client: TestClient) -> None:
    cases = [json.loads(FACTS), {"declaration_type": "income", "refund_claimed": False, "amount": 100, "filed_on": "2023-06-30"}, {}]

    response = client.post(f"/rulebooks/{ID}/batch", params={"trace": "false"}, content=json.dumps(cases))

    assert response.status_code == 200
    results = exact(response)
    assert [r["decisions"]["route"]["value"] for r in results] == ["refund_review", "standard", None]
    assert [r["decisions"]["tax"]["value"] for r in results] == [Decimal("40.01"), Decimal("20.00"), None]
    assert results[2]["status"] == "undetermined"
    assert client.post(f"/rulebooks/{ID}/batch", content="[]").json() == []


def test_batch_with_a_bad_case_answers_it_in_its_place(client: TestClient, rulebook: Path) -> None:
    bad = '{"declaration_type": "vat", "amount": -1}'
    response = client.post(f"/rulebooks/{ID}/batch", content=f"[{FACTS}, {bad}, {FACTS}]")

    assert response.status_code == 200  # per-item results: the good cases keep theirs
    first, second, third = response.json()
    assert first["status"] == third["status"] == "decided"
    detail = cli_message(rulebook, bad)
    problems = [{"field": "amount", "message": detail.removeprefix(f"bad facts for {ID}: ")}]
    assert second == {"index": 1, "error": {"kind": "bad_input", "message": detail, "field": "amount", "problems": problems}}


def test_batch_needs_an_array(client: TestClient) -> None:
    response = client.post(f"/rulebooks/{ID}/batch", content=FACTS)

    assert response.status_code == 422
    assert response.json() == {"detail": "the request body must be a JSON array of fact objects"}


def test_rulebooks_are_compiled_once_at_start_up(rulebook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.api

    app = create_app([rulebook])
    calls = []
    monkeypatch.setattr(engine.api, "load_file", lambda path: calls.append(path))
    with TestClient(app) as local:
        for _ in range(3):
            assert local.post(f"/rulebooks/{ID}/decide", content=FACTS).status_code == 200
    assert calls == []


def test_a_broken_rulebook_is_listed_and_not_served(tmp_path: Path, rulebook: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI.replace(ID, "test.broken").replace("amount >= 400", "amount >= "), encoding="utf-8")

    with TestClient(create_app([rulebook, broken])) as local:
        rows = local.get("/rulebooks").json()
        assert [row["id"] for row in rows] == [ID, "test.broken"]
        assert "error" in rows[1]
        response = local.post("/rulebooks/test.broken/decide", content="{}")
        assert response.status_code == 500
        assert response.json()["detail"].startswith("rulebook test.broken does not load")


# -- a real server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_taxrules_serve_on_a_real_socket(rulebook: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "-r", str(rulebook), "--log-level", "warning"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else "server exited"
            assert time.monotonic() < deadline, "the server did not start within 30 s"
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as http:
            assert [row["id"] for row in http.get("/rulebooks").json()] == [ID]
            response = http.post(f"/rulebooks/{ID}/decide", content=FACTS)
            assert response.status_code == 200
            assert jsonout.loads(response.text)["decisions"]["tax"]["value"] == Decimal("40.01")
            assert http.post(f"/rulebooks/{ID}/decide", content='{"amount": -1}').status_code == 422
            assert http.get("/rulebooks/test.nope").status_code == 404
            assert http.get("/openapi.json").json()["info"]["title"] == "taxrules"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()
