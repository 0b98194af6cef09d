"""The HTTP service: `create_app()` (engine.service.app) and the `taxrules serve` command.

FastAPI is imported only when the app is made, so the command line stays quick to start.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_BODY = 16 * 1024 * 1024  # bytes; about 30 000 typical cases in one batch

__all__ = ["DEFAULT_MAX_BODY", "create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    from engine.service.app import create_app as make

    return make(*args, **kwargs)
