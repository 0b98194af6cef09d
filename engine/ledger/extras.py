"""The streaming executor's optional dependency: durable-rules, the extra `taxrules[stream]`.

durable-rules ships only as a source distribution (a C compiler and some minutes to
build), so a plain install leaves it out; batch reconciliation needs nothing of it.
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = (
    "the streaming executor needs durable-rules, an optional extra: pip install 'taxrules[stream]' "
    "(it builds from source and needs a C compiler and the Python headers, e.g. apt-get install build-essential python3-dev); "
    "without --stream, reconcile runs the batch executor, which needs nothing more"
)


class StreamingUnavailable(ImportError):
    """durable-rules is not installed: the message says exactly what to install."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT, name="durable")


def streaming_available() -> bool:
    """Whether durable-rules can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("durable") is not None and importlib.util.find_spec("durable_rules_engine") is not None
    except (ImportError, ValueError):
        return False


def require_streaming() -> None:
    """Raise StreamingUnavailable unless durable-rules can be imported."""
    if not streaming_available():
        raise StreamingUnavailable
