"""The wheel, installed into a fresh virtual environment outside the repository, works.

Built from a copy of the repository's files; installed with its dependencies (not the
`stream` extra) into a new venv in a temporary folder; every command runs with that
folder as the working directory, so nothing can be read from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(*args: object, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, input=stdin)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the venv's bin folder, an empty working folder, the environment to run in)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(
        ROOT, source,
        ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "_data", "benchmarks"),
    )
    wheels = base / "wheels"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, source, cwd=base)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(wheels.glob("taxrules-*.whl"))
    environment = base / "venv"
    venv.create(environment, with_pip=True)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TAXRULES_PATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    install = _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=base, env=env, timeout=1200)
    assert install.returncode == 0, install.stdout + install.stderr
    work = base / "elsewhere"
    work.mkdir()
    return bin_dir, work, env


def test_the_package_is_the_installed_one_with_its_data(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    proc = _run(bin_dir / "python", "-c", "import engine, engine.resources as r; print(engine.__file__); print(r.rulebooks_folder()); print(r.schema_file('result.schema.json').is_file())", cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    module, folder, schema = proc.stdout.splitlines()
    venv_root = bin_dir.parent
    assert Path(module).is_relative_to(venv_root) and Path(folder).is_relative_to(venv_root)
    assert schema == "True"
    typed = _run(bin_dir / "python", "-c", "import importlib.resources as r; print(r.files('engine').joinpath('py.typed').is_file())", cwd=work, env=env)
    assert typed.stdout.strip() == "True"


def test_list_shows_every_rulebook_with_its_kind(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    proc = _run(bin_dir / "taxrules", "list", "--format", "json", cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    rows = {row["id"]: row for row in json.loads(proc.stdout)}
    expected = {p.stem for p in (ROOT / "rulebooks").rglob("*.yaml")}
    assert {rulebook_id.split(".", 1)[1] for rulebook_id in rows} == expected
    assert len(rows) >= 10
    assert all("error" not in row for row in rows.values()), rows
    assert rows["ru.kudir_checks"]["kind"] == "ledger" and rows["ru.vat_reconciliation"]["kind"] == "ledger"
    assert rows["ru.invoice_adjustment"]["kind"] == "decision"


def test_decide_and_reconcile_by_id_and_by_path(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    facts = work / "case.json"
    shutil.copy(ROOT / "examples" / "ru" / "price_discount.json", facts)
    proc = _run(bin_dir / "taxrules", "decide", "ru.invoice_adjustment", "--facts", facts, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["decisions"]["document"]["value"] == "corrective_invoice"

    own = work / "my" / "book.yaml"  # a rulebook by path: its schema comes from the package
    own.parent.mkdir()
    shutil.copy(ROOT / "rulebooks" / "ru" / "invoice_adjustment.yaml", own)
    proc = _run(bin_dir / "taxrules", "decide", own, "--facts", facts, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr

    books = work / "kudir_book.jsonl"
    shutil.copy(ROOT / "examples" / "ru" / "kudir_book.jsonl", books)
    proc = _run(bin_dir / "taxrules", "reconcile", "ru.kudir_checks", "--input", books, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    findings = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(findings) == 6  # the sample book's six mistakes (see kudir_checks' examples)

    proc = _run(bin_dir / "taxrules", "decide", "ru.kudir_checks", "--facts", facts, cwd=work, env=env)
    assert proc.returncode == 2 and "taxrules reconcile ru.kudir_checks" in proc.stderr

    # durable-rules is the `stream` extra, not installed here: the message says what to install
    proc = _run(bin_dir / "taxrules", "reconcile", "ru.kudir_checks", "--stream", "--input", books, cwd=work, env=env)
    assert proc.returncode == 2
    assert "pip install 'taxrules[stream]'" in proc.stderr and "Traceback" not in proc.stderr

    for command in (["check"], ["test"]):
        proc = _run(bin_dir / "taxrules", *command, cwd=work, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_serve_answers_both_kinds(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, work, env = installed
    port = _free_port()
    server = subprocess.Popen([str(bin_dir / "taxrules"), "serve", "--port", str(port), "--log-level", "warning"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        with urllib.request.urlopen(f"{base}/rulebooks") as response:
            kinds = {row["id"]: row["kind"] for row in json.loads(response.read())}
        assert kinds["ru.kudir_checks"] == "ledger" and kinds["ru.invoice_adjustment"] == "decision"

        facts = (ROOT / "examples" / "ru" / "price_discount.json").read_bytes()
        request = urllib.request.Request(f"{base}/rulebooks/ru.invoice_adjustment/decide", data=facts, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert json.loads(response.read())["decisions"]["document"]["value"] == "corrective_invoice"

        books = (ROOT / "examples" / "ru" / "kudir_book.jsonl").read_bytes()
        request = urllib.request.Request(f"{base}/rulebooks/ru.kudir_checks/reconcile", data=books, headers={"Content-Type": "application/x-ndjson"})
        with urllib.request.urlopen(request) as response:
            body = json.loads(response.read())
        assert len(body["findings"]) == 6 and body["summary"]["errors"] == 5

        with urllib.request.urlopen(f"{base}/docs") as response:
            page = response.read().decode()
        assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
        with urllib.request.urlopen(f"{base}/openapi.json") as response:
            assert "/rulebooks/{rulebook_id}/reconcile" in json.loads(response.read())["paths"]
    finally:
        server.terminate()
        server.wait(timeout=30)
