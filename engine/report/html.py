"""HTML from the report models, through Jinja2 templates (autoescaped).

Two shapes for each view: a fragment (an <article> to place inside another page, as the
web workbench does) and a page (one standalone file: the stylesheet inlined, no scripts,
fonts or images fetched from anywhere, a print stylesheet).
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup

from engine import jsonout
from engine.language.values import to_text


def raw_value(value: Any) -> str:
    """A decision's raw value for `data-value`: text as is, other values as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return jsonout.dumps(jsonout.plain(value), indent=None)
    return to_text(value)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("engine.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["rawvalue"] = raw_value
    return env


@functools.cache
def stylesheet() -> str:
    """The report's and document's CSS (screen and print), for a page that embeds a fragment."""
    return environment().loader.get_source(environment(), "style.css")[0]  # type: ignore[union-attr]


def fragment(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def page(body: str, title: str, language: str) -> str:
    from engine.version import ENGINE_VERSION

    return environment().get_template("page.html.j2").render(
        body=Markup(body), title=title, language=language, css=Markup(stylesheet()), engine_version=ENGINE_VERSION
    )
