"""A real `taxrules serve` on 127.0.0.1 and a headless Chromium driven by Playwright.

The browser is Debian's `chromium` (/usr/bin/chromium, installed by .ci/run when missing),
or Playwright's own when a developer has one; without either the browser tests skip with
the reason. Each test gets a fresh page; a failing test leaves `failure.png` (and the
page's HTML) in its pytest tmp folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _chromium() -> str | None:
    for candidate in (os.environ.get("TAXRULES_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.web_failed = report.failed  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server, started for the session and stopped after it."""
    port = _free_port()
    log = open(tmp_path_factory.mktemp("server") / "serve.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"taxrules serve exited with {process.returncode}: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("taxrules serve did not answer /health within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[web-test]')")
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # no browser at all: say how to get one
            if os.environ.get("CI"):
                raise
            pytest.skip(f"no Chromium to drive ({exc.__class__.__name__}); install Debian's chromium")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: object, server: str, tmp_path: Path) -> Iterator[object]:
    """A fresh page (1280x900) on the server; a screenshot and the HTML kept when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server, accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        if getattr(request.node, "web_failed", False):
            try:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                (tmp_path / "failure.html").write_text(page.content(), encoding="utf-8")
                print(f"screenshot of the failure: {tmp_path / 'failure.png'}")
            except Exception as exc:  # the page itself may be gone
                print(f"no screenshot: {exc}")
        context.close()
