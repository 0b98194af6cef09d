"""The real server on 127.0.0.1 under mixed good and hostile traffic (slow: CI runs it).

A few thousand requests from several threads — good cases, hostile bodies, over-budget
decisions, oversized batches, wrong content types — while another thread asks /health
throughout. Asserted: no 500, every answer JSON, /health always answering within a
second or two, the server's memory back near where it started, and a client that
sends its headers a byte at a time cut off.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.service.pool import HEADER_TIMEOUT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests/fixtures/hostile"
THREADS = 4
REQUESTS_PER_THREAD = 500


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "serve", "--port", str(port), "--log-level", "error", "--max-batch", "50",
         "-r", "ru.invoice_adjustment", "-r", str(HOSTILE / "budget.yaml")],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port, process
    process.terminate()
    process.wait(20)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _request(port: int, method: str, path: str, body: bytes = b"", content_type: str = "application/json") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"content-type": content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


GOOD = (ROOT / "examples/ru/price_discount.json").read_bytes()
MIX = [
    ("/rulebooks/ru.invoice_adjustment/decide?trace=false", GOOD, "application/json", {200}),
    ("/rulebooks/ru.invoice_adjustment/decide", GOOD, "application/json", {200}),
    ("/rulebooks/ru.invoice_adjustment/batch?trace=false", b"[" + b",".join([GOOD] * 10) + b"]", "application/json", {200}),
    ("/rulebooks/ru.invoice_adjustment/batch", b"[" + b",".join([b"{}"] * 60) + b"]", "application/json", {413}),
    ("/rulebooks/ru.invoice_adjustment/decide", GOOD, "text/plain", {415}),
    ("/rulebooks/hostile.budget/decide", json.dumps({"attack": "nested_for", "n": 100000}).encode(), "application/json", {422}),
    ("/rulebooks/hostile.budget/decide", json.dumps({"attack": "doubling", "text": "abcd"}).encode(), "application/json", {422}),
    *[
        ("/rulebooks/ru.invoice_adjustment/decide", path.read_bytes(), "application/json", {200, 422})
        for path in sorted(HOSTILE.glob("facts_*.json"))
    ],
]


def test_the_server_holds_under_mixed_traffic(server) -> None:
    port, process = server
    for path, body, kind, _ in MIX * 3:  # warm up: every code path once, caches filled
        _request(port, "POST", path, body, kind)
    start_rss = _rss_mb(process.pid)
    problems: list[str] = []
    health_waits: list[float] = []
    stop = threading.Event()

    def traffic(offset: int) -> None:
        for i in range(REQUESTS_PER_THREAD):
            path, body, kind, expected = MIX[(i + offset) % len(MIX)]
            status, answer = _request(port, "POST", path, body, kind)
            if status not in expected:
                problems.append(f"{path} {kind}: {status} {answer[:200]!r}")
            try:
                json.loads(answer)
            except ValueError:
                problems.append(f"{path}: not JSON: {answer[:200]!r}")

    def health() -> None:
        while not stop.is_set():
            started = time.monotonic()
            status, _ = _request(port, "GET", "/health")
            health_waits.append(time.monotonic() - started)
            if status != 200:
                problems.append(f"/health: {status}")
            time.sleep(0.1)

    watcher = threading.Thread(target=health)
    watcher.start()
    workers = [threading.Thread(target=traffic, args=(k * 7,)) for k in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    watcher.join()
    time.sleep(1)
    end_rss = _rss_mb(process.pid)

    assert problems == []
    assert health_waits and max(health_waits) < 5, f"/health waited up to {max(health_waits):.1f} s"
    assert end_rss < start_rss + 150, f"memory grew from {start_rss:.0f} MB to {end_rss:.0f} MB"


def test_a_client_sending_headers_slowly_is_cut_off(server) -> None:
    port, _ = server
    connection = socket.create_connection(("127.0.0.1", port))
    started = time.monotonic()
    closed = False
    try:
        for byte in b"POST /rulebooks/ru.invoice_adjustment/decide HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            connection.send(bytes([byte]))
            time.sleep(0.5)
            if time.monotonic() - started > HEADER_TIMEOUT + 5:
                break
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        connection.settimeout(10)
        try:
            closed = connection.recv(100) == b""
        except (ConnectionResetError, TimeoutError):
            closed = True
    connection.close()
    assert closed
    assert time.monotonic() - started < HEADER_TIMEOUT + 20
