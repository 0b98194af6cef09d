"""/openapi.json describes real requests and responses: a client generated from it
(openapi-python-client) decides, batches and reconciles against a running server."""

from __future__ import annotations

import importlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> str:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "--log-level", "warning"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read().decode() if process.stderr else "the server stopped")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def client_package(server: str, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    generator = shutil.which("openapi-python-client")
    if generator is None:
        pytest.skip("openapi-python-client is not installed")
    base = tmp_path_factory.mktemp("client")
    with urllib.request.urlopen(f"{server}/openapi.json") as response:
        (base / "openapi.json").write_bytes(response.read())
    proc = subprocess.run([generator, "generate", "--path", str(base / "openapi.json"), "--output-path", str(base / "taxrules_client"), "--meta", "none"], capture_output=True, text=True, cwd=base, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # every schema of ours became a model: nothing was dropped
    assert "Unable to process schema" not in proc.stdout + proc.stderr, proc.stdout
    sys.path.insert(0, str(base))
    try:
        yield importlib.import_module("taxrules_client")
    finally:
        sys.path.remove(str(base))


def test_a_generated_client_decides_with_typed_facts_and_result(server: str, client_package) -> None:  # noqa: ANN001
    from taxrules_client import Client
    from taxrules_client.api.ru_invoice_adjustment import batch_ru_invoice_adjustment, decide_ru_invoice_adjustment
    from taxrules_client.models.facts_of_ru_invoice_adjustment import FactsOfRuInvoiceAdjustment
    from taxrules_client.models.taxrules_result import TaxrulesResult

    facts = json.loads((ROOT / "examples" / "ru" / "price_discount.json").read_text(encoding="utf-8"))
    client = Client(base_url=server, raise_on_unexpected_status=True)
    result = decide_ru_invoice_adjustment.sync(client=client, body=FactsOfRuInvoiceAdjustment.from_dict(facts), lang="ru")
    assert isinstance(result, TaxrulesResult)
    assert result.rulebook == "ru.invoice_adjustment" and result.status.value == "decided"
    assert result.decisions["document"].value == "corrective_invoice"

    results = batch_ru_invoice_adjustment.sync(client=client, body=[FactsOfRuInvoiceAdjustment.from_dict(facts)] * 2)
    assert [r.decisions["document"].value for r in results] == ["corrective_invoice"] * 2


def test_a_generated_client_reports_bad_facts_as_the_error_model(server: str, client_package) -> None:  # noqa: ANN001
    from taxrules_client import Client
    from taxrules_client.api.default import decide
    from taxrules_client.models.decide_body import DecideBody
    from taxrules_client.models.error_body import ErrorBody

    client = Client(base_url=server)
    bad = DecideBody.from_dict({"event": "sale_of_the_century", "vat_rate": True})
    error = decide.sync(client=client, rulebook_id="ru.invoice_adjustment", body=bad)
    assert isinstance(error, ErrorBody)
    assert [p.field for p in error.problems] == ["event", "vat_rate"]
    missing = decide.sync(client=client, rulebook_id="ru.kudir_checks", body=DecideBody.from_dict({}))
    assert isinstance(missing, ErrorBody) and "POST /rulebooks/ru.kudir_checks/reconcile" in missing.detail


def test_a_generated_client_reconciles_a_ledger_book(server: str, client_package) -> None:  # noqa: ANN001
    from taxrules_client import Client
    from taxrules_client.api.ru_kudir_checks import reconcile_ru_kudir_checks
    from taxrules_client.models.entry import Entry
    from taxrules_client.models.participant import Participant
    from taxrules_client.models.taxrules_reconciliation import TaxrulesReconciliation

    lines = (ROOT / "examples" / "ru" / "kudir_book.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    body = [(Participant if record["record"] == "participant" else Entry).from_dict(record) for record in records]
    result = reconcile_ru_kudir_checks.sync(client=Client(base_url=server, raise_on_unexpected_status=True), body=body)
    assert isinstance(result, TaxrulesReconciliation)
    assert len(result.findings) == 6
    assert result.summary["errors"] == 5
    assert {finding.check for finding in result.findings} >= {"income_recorded_twice", "expense_without_document"}
