"""Decisions off the event loop, in a bounded pool, and the service's other guards.

Deciding is CPU work: run inside an `async` handler it stops the event loop, and with it
every other request, `/health` included. Here each decision (or batch) runs on one of a
few threads; at most `queue` requests wait for one, beyond which the service answers 503
at once rather than piling up work it cannot finish. Also here: the bounds the service
puts on a request (cases per /batch, time to send headers and body), the uvicorn
protocol that enforces the header timeout, and the scrubbing of server paths from
messages. Every number is documented in docs/limits.md.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

MAX_BATCH_CASES = 1_000  # cases in one POST /batch (413 beyond; the CLI's batch has no limit)
HEADER_TIMEOUT = 10.0  # seconds a new connection has to send its request line and headers
BODY_TIMEOUT = 30.0  # seconds a request has to send its whole body
DEFAULT_THREADS = max(2, min(8, os.cpu_count() or 2))
DEFAULT_QUEUE = 64  # requests waiting for a thread before 503


class Busy(Exception):
    """Every thread is busy and the queue is full."""


class DecisionPool:
    """A fixed number of threads for decisions and a bounded number of waiting requests."""

    def __init__(self, threads: int = DEFAULT_THREADS, queue: int = DEFAULT_QUEUE) -> None:
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="taxrules-decide")
        self.slots = threading.BoundedSemaphore(threads + queue)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if not self.slots.acquire(blocking=False):
            raise Busy
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        finally:
            self.slots.release()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


# an absolute path to a file (a URL path such as /rulebooks/{id}/reconcile has no extension)
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~-])(?:[A-Za-z]:)?(?:[/\\][^\s/\\:'\"()]+)+[/\\]([^\s/\\:'\"()]+\.(?:ya?ml|jsonl?|csv|py|lark|txt|parquet))\b"
)


def without_paths(message: str) -> str:
    """A message with every absolute file path cut to its last component: where the
    server keeps its files is nobody's business (`/srv/app/rulebooks/ru/x.yaml:3:5` →
    `x.yaml:3:5`)."""
    return _ABSOLUTE_PATH.sub(r"\1", message)


def guarded_protocol() -> Any:
    """uvicorn's h11 protocol with a deadline for the first request's headers (uvicorn
    has one only between requests of a kept-alive connection): a client that sends its
    headers a byte a second is cut off after HEADER_TIMEOUT seconds."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # uvicorn disarms its keep-alive timer on every byte received, so the deadline
            # for the first request's headers is a timer of its own
            self.header_deadline = self.loop.call_later(HEADER_TIMEOUT, self.headers_too_slow)

        def headers_too_slow(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self.header_deadline.cancel()
            super().connection_lost(exc)

    return GuardedH11Protocol
