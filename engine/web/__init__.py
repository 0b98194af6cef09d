"""The web workbench: pages for tax experts and auditors, served by `taxrules serve` at `/`.

Server-rendered Jinja2 templates, one stylesheet and one small script, all package data:
no build step, nothing fetched from the network. `mount(app)` adds the pages to the
service's FastAPI app; the JSON API is left as it is and the pages make the same calls.
"""

from __future__ import annotations

from typing import Any


def mount(app: Any) -> None:
    from engine.web.pages import mount as add_pages

    add_pages(app)


__all__ = ["mount"]
