"""The HTTP service: `create_app()` and the `taxrules serve` command."""

from engine.service.app import create_app

__all__ = ["create_app"]
